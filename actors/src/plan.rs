//! The training plan: one step of SFT or of the GRPO family, composed from the role pools.
//!
//! An RL step is: draw prompts → policy pool samples `n` completions each (with the weights
//! version the staleness bound requires) → verifier pool scores them in WASM → reward pool
//! folds verdicts into rewards → (dynamic sampling drops groups without signal and refills) →
//! reference pool scores the kept completions → learner updates → weights are published to the
//! policies (and to the reference after a ProRL hard reset). Every phase is timed.

use crate::data::{Answers, DataCursor, DataKeys, TaskSource, read_tasks, splitmix64};
use crate::environment::EnvironmentTasks;
use crate::learner::{LearnerCommand, LearnerReply, LearnerRole, SftText, learner_factory};
use crate::policy::{PolicyRole, PolicySpec, policy_factory};
use crate::reference::{ReferenceBatch, ReferenceRole, reference_factory};
use crate::reward::{RewardRole, reward_factory};
use crate::stage::{Stage, StageSchedule, main_config, warm_start_config};
use crate::verifier::{LoadedPlugins, VerifierRole, verifier_factory};
use crate::weights::WeightStore;
use crate::{ActorsError, progress::StepProgress};
use actix::{Actor, Addr};
use proctor_learner::{LearnerConfig, ScoredCompletion, ScoredGroup, StepReport, TrainingState};
use proctor_runtime::messages::{
    CombineRewards, FinishReason, GenerateRollouts, PromptTask, ReferenceLogprobs, Rollout,
    Verdict, VerifyResponse,
};
use proctor_runtime::{
    Metrics, PoolError, RestartPolicy, RolePool, RunDir, RuntimeError, StepPlan, submit,
};
use proctor_topology::Topology;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One evaluation: greedy accuracy on the held-out prompts after `step` (0 = before training).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EvalPoint {
    /// Steps completed when it was measured.
    pub step: u64,
    /// Fraction of held-out prompts every verifier judged `correct`.
    pub accuracy: f64,
    /// Mean combined reward on the held-out prompts.
    pub reward: f64,
}

/// Everything a run needs before its actors start: checked inputs, loaded plugins and data.
pub struct TrainingPlan {
    topology: Topology,
    schedule: StageSchedule,
    warm_start_config: Option<LearnerConfig>,
    main_config: LearnerConfig,
    plugins: LoadedPlugins,
    train: TaskSource,
    warm_start: Option<DataCursor>,
    eval: Vec<PromptTask>,
    metrics: Metrics,
    run_dir: PathBuf,
    pools: Option<Pools>,
    published: u64,
    learner_version: u64,
    evals: Vec<EvalPoint>,
    progress: Option<ProgressObserver>,
    /// Next step's rollouts, requested before this step trained (`max_staleness` ≥ 1).
    in_flight: Option<(Vec<PromptTask>, Generation)>,
    /// Next step's rollouts, collected before new weights were published.
    ready: Option<(u64, Vec<PromptTask>, Vec<Vec<Rollout>>)>,
}

/// Called after every step with what the step did.
type ProgressObserver = Box<dyn FnMut(&StepProgress<'_>)>;

struct Pools {
    policy: Addr<RolePool<PolicyRole>>,
    reference: Addr<RolePool<ReferenceRole>>,
    verifier: Addr<RolePool<VerifierRole>>,
    reward: Addr<RolePool<RewardRole>>,
    learner: Addr<RolePool<LearnerRole>>,
    weights: WeightStore,
    reference_weights: WeightStore,
}

/// The sampled, verified and rewarded rollouts of one prompt.
struct Group {
    rollouts: Vec<Rollout>,
    rewards: Vec<f64>,
    correct: usize,
}

/// Generation requests in flight.
struct Generation {
    step: u64,
    chunk: usize,
    tasks: usize,
    answers: actix_rt::task::JoinHandle<Result<Vec<Vec<Rollout>>, RuntimeError>>,
}

impl Generation {
    /// Waits for the rollouts, grouped by task in task order.
    async fn finish(self) -> Result<Vec<Vec<Rollout>>, RuntimeError> {
        let answers = self
            .answers
            .await
            .map_err(|error| step_error(self.step, format!("generation task failed: {error}")))??;
        let mut groups: Vec<Vec<Rollout>> = vec![Vec::new(); self.tasks];
        for (request_index, rollouts) in answers.into_iter().enumerate() {
            for rollout in rollouts {
                let index = request_index * self.chunk + rollout.prompt_index as usize;
                groups[index].push(rollout);
            }
        }
        Ok(groups)
    }
}

/// Wall-clock seconds per phase of a step.
#[derive(Debug, Default)]
struct Timings {
    generate: f64,
    verify: f64,
    reward: f64,
    reference: f64,
    learner: f64,
    sync: f64,
    eval: f64,
}

impl TrainingPlan {
    /// Loads the data and plugins `topology` names and derives the learner settings; fails
    /// (before anything is written) when an input is unreadable or the algorithm unsupported.
    pub fn new(
        topology: &Topology,
        run_dir: &Path,
        metrics: Metrics,
        host: &proctor_plugin_host::PluginHost,
    ) -> Result<Self, ActorsError> {
        let main_config = main_config(topology)?;
        let keys = DataKeys {
            prompt: topology.data.prompt_key.clone(),
            answer: topology.data.answer_key.clone(),
        };
        let train_answers = if topology.learner.algorithm == proctor_topology::Algorithm::Sft {
            Answers::Required
        } else {
            Answers::Optional
        };
        let plugins = LoadedPlugins::load(host, &topology.verifier)?;
        let mut eval = match &topology.data.eval {
            Some(path) => read_tasks(path, &keys, Answers::Optional)?,
            None => Vec::new(),
        };
        let train = match (&topology.data.train, &topology.data.environment) {
            (Some(path), _) => TaskSource::File(DataCursor::new(
                read_tasks(path, &keys, train_answers)?,
                topology.data.shuffle,
                topology.run.seed,
            )),
            (None, Some(source)) => {
                let plugin = plugins
                    .get(&crate::plugin_name(&source.plugin))
                    .ok_or_else(|| crate::data::DataError::Environment {
                        plugin: source.plugin.clone(),
                        message: "not loaded: list it in verifier.plugins".into(),
                    })?;
                let tasks = EnvironmentTasks::new(plugin.clone(), source, topology.run.seed)?;
                eval.extend(tasks.held_out(source.eval_tasks)?);
                TaskSource::Environment(tasks)
            }
            (None, None) => {
                return Err(ActorsError::Data(crate::data::DataError::Environment {
                    plugin: "-".into(),
                    message: "no training prompts: set data.train or [data.environment]".into(),
                }));
            }
        };
        let warm_start = match &topology.warm_start {
            Some(section) => {
                let tasks = read_tasks(&section.data, &keys, Answers::Required)?;
                Some(DataCursor::new(tasks, true, topology.run.seed ^ 0x5F7))
            }
            None => None,
        };
        Ok(TrainingPlan {
            schedule: StageSchedule::of(topology),
            warm_start_config: warm_start_config(topology),
            main_config,
            plugins,
            train,
            warm_start,
            eval,
            metrics,
            run_dir: run_dir.to_path_buf(),
            pools: None,
            published: 0,
            learner_version: 0,
            evals: Vec::new(),
            progress: None,
            in_flight: None,
            ready: None,
            topology: topology.clone(),
        })
    }

    /// Calls `observer` after every step (the CLI's live progress line).
    pub fn on_progress(&mut self, observer: impl FnMut(&StepProgress<'_>) + 'static) {
        self.progress = Some(Box::new(observer));
    }

    /// Every evaluation so far, oldest first.
    pub fn evals(&self) -> &[EvalPoint] {
        &self.evals
    }

    /// Steps of the warm-start SFT stage (0 without one).
    pub fn warm_start_steps(&self) -> u64 {
        self.schedule.warm_start_steps
    }

    fn pools(&mut self) -> &Pools {
        if self.pools.is_none() {
            self.pools = Some(self.start_pools());
        }
        self.pools.as_ref().expect("the pools were just started")
    }

    fn start_pools(&self) -> Pools {
        let topology = &self.topology;
        let weights = WeightStore::default();
        let reference_weights = WeightStore::default();
        let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        let policy = RolePool::new(
            "policy",
            count(topology.policy.replicas),
            policy_factory(PolicySpec {
                model: topology.model.path.clone(),
                devices: topology.policy.devices.clone(),
                sampling: topology.policy.sampling.clone(),
                weights: weights.clone(),
            }),
            RestartPolicy::from(&topology.policy.supervision),
            self.metrics.clone(),
        )
        .start();
        let reference = RolePool::new(
            "reference",
            1,
            reference_factory(
                topology.model.path.clone(),
                topology.reference.device.clone(),
                reference_weights.clone(),
                topology.policy.sampling.temperature as f32,
            ),
            RestartPolicy::from(&topology.reference.supervision),
            self.metrics.clone(),
        )
        .start();
        let verifier = RolePool::new(
            "verifier",
            count(topology.verifier.workers),
            verifier_factory(self.plugins.clone()),
            RestartPolicy::from(&topology.verifier.supervision),
            self.metrics.clone(),
        )
        .start();
        let reward = RolePool::new(
            "reward",
            1,
            reward_factory(topology.reward.sources.clone()),
            RestartPolicy::from(&topology.reward.supervision),
            self.metrics.clone(),
        )
        .start();
        let first_config = match self.schedule.warm_start_steps {
            0 => self.main_config.clone(),
            _ => self
                .warm_start_config
                .clone()
                .expect("a warm-start stage has its settings"),
        };
        let learner = RolePool::new(
            "learner",
            1,
            learner_factory(
                topology.model.path.clone(),
                topology.learner.device.clone(),
                first_config,
            ),
            RestartPolicy::from(&topology.learner.supervision),
            self.metrics.clone(),
        )
        .start();
        Pools {
            policy,
            reference,
            verifier,
            reward,
            learner,
            weights,
            reference_weights,
        }
    }

    async fn learner(&mut self, command: LearnerCommand) -> Result<LearnerReply, RuntimeError> {
        let pool = self.pools().learner.clone();
        Ok(submit(&pool, "learner", vec![command]).await?.remove(0))
    }

    /// Publishes the learner's current weights to the policies (and, with `reference`, to the
    /// reference replica); returns the seconds it took.
    async fn sync(&mut self, step: u64, reference: bool) -> Result<f64, RuntimeError> {
        let started = Instant::now();
        // Rollouts requested before this update were promised the weights they were sent with:
        // collect them before any replica can see newer weights (keeps runs reproducible).
        if self.learner_version > self.published
            && let Some((tasks, generation)) = self.in_flight.take()
        {
            let for_step = generation.step;
            self.ready = Some((for_step, tasks, generation.finish().await?));
        }
        if self.learner_version > self.published {
            let update = weights_of(self.learner(LearnerCommand::PolicyWeights).await?, step)?;
            self.published = update.version;
            self.pools()
                .weights
                .publish(update)
                .map_err(|error| step_error(step, error.message))?;
        }
        if reference {
            let update = weights_of(self.learner(LearnerCommand::ReferenceWeights).await?, step)?;
            let store = self.pools().reference_weights.clone();
            if store
                .latest()
                .is_none_or(|latest| latest.version < update.version)
            {
                store
                    .publish(update)
                    .map_err(|error| step_error(step, error.message))?;
            }
        }
        Ok(started.elapsed().as_secs_f64())
    }

    /// Samples (or greedily decodes) `tasks`, split over the policy replicas; rollouts come back
    /// grouped by task, in task order.
    async fn generate(
        &mut self,
        step: u64,
        round: u64,
        tasks: &[PromptTask],
        greedy: bool,
    ) -> Result<Vec<Vec<Rollout>>, RuntimeError> {
        self.start_generation(step, round, tasks, greedy)
            .finish()
            .await
    }

    /// Sends the generation requests of `tasks` and returns at once; the replicas work while the
    /// caller does something else (trains), and [`Generation::finish`] collects the rollouts.
    fn start_generation(
        &mut self,
        step: u64,
        round: u64,
        tasks: &[PromptTask],
        greedy: bool,
    ) -> Generation {
        let replicas = usize::try_from(self.topology.policy.replicas)
            .unwrap_or(1)
            .clamp(1, tasks.len().max(1));
        let chunk = tasks.len().div_ceil(replicas).max(1);
        let samples = u32::try_from(self.topology.policy.sampling.n).unwrap_or(u32::MAX);
        let requests: Vec<GenerateRollouts> = tasks
            .chunks(chunk)
            .enumerate()
            .map(|(index, prompts)| GenerateRollouts {
                step,
                min_weights_version: self.published,
                prompts: prompts.to_vec(),
                samples_per_prompt: samples,
                seed: stream_seed(self.topology.run.seed, step, round, index as u64),
                greedy,
            })
            .collect();
        let pool = self.pools().policy.clone();
        Generation {
            step,
            chunk,
            tasks: tasks.len(),
            answers: actix::spawn(async move { submit(&pool, "policy", requests).await }),
        }
    }

    /// Verifies and rewards every rollout of `groups` (verification split over the workers).
    async fn score(
        &mut self,
        tasks: &[PromptTask],
        groups: Vec<Vec<Rollout>>,
        timings: &mut Timings,
    ) -> Result<Vec<Group>, RuntimeError> {
        let started = Instant::now();
        let items: Vec<VerifyResponse> = tasks
            .iter()
            .zip(&groups)
            .flat_map(|(task, rollouts)| {
                rollouts.iter().map(|rollout| VerifyResponse {
                    task: task.clone(),
                    response: rollout.completion_text.clone(),
                })
            })
            .collect();
        let workers = usize::try_from(self.topology.verifier.workers)
            .unwrap_or(1)
            .clamp(1, items.len().max(1));
        let chunk = items.len().div_ceil(workers).max(1);
        let requests: Vec<Vec<VerifyResponse>> = items
            .chunks(chunk)
            .map(<[VerifyResponse]>::to_vec)
            .collect();
        let pool = self.pools().verifier.clone();
        let verdicts: Vec<BTreeMap<String, Verdict>> = submit(&pool, "verifier", requests)
            .await?
            .into_iter()
            .flatten()
            .collect();
        timings.verify += started.elapsed().as_secs_f64();

        let started = Instant::now();
        let rollouts: Vec<&Rollout> = groups.iter().flatten().collect();
        let combine: Vec<CombineRewards> = verdicts
            .iter()
            .zip(&rollouts)
            .map(|(verdicts, rollout)| CombineRewards {
                verdicts: verdicts.clone(),
                truncated: rollout.finish_reason == FinishReason::Length,
            })
            .collect();
        let pool = self.pools().reward.clone();
        let rewards = submit(&pool, "reward", vec![combine]).await?.remove(0);
        timings.reward += started.elapsed().as_secs_f64();

        let mut offset = 0;
        Ok(groups
            .into_iter()
            .map(|rollouts| {
                let range = offset..offset + rollouts.len();
                offset = range.end;
                Group {
                    correct: verdicts[range.clone()]
                        .iter()
                        .filter(|verdicts| all_correct(verdicts))
                        .count(),
                    rewards: rewards[range].to_vec(),
                    rollouts,
                }
            })
            .collect())
    }

    /// Greedy accuracy on the held-out prompts with the published weights.
    async fn evaluate(&mut self, step: u64) -> Result<Option<EvalPoint>, RuntimeError> {
        if self.eval.is_empty() {
            return Ok(None);
        }
        let tasks = self.eval.clone();
        let groups = self.generate(step, u64::MAX, &tasks, true).await?;
        let mut timings = Timings::default();
        let scored = self.score(&tasks, groups, &mut timings).await?;
        let count = scored.len().max(1) as f64;
        let point = EvalPoint {
            step,
            accuracy: scored.iter().map(|g| g.correct.min(1) as f64).sum::<f64>() / count,
            reward: scored
                .iter()
                .map(|g| g.rewards.first().copied().unwrap_or(0.0))
                .sum::<f64>()
                / count,
        };
        self.evals.retain(|existing| existing.step != step);
        self.evals.push(point);
        Ok(Some(point))
    }

    /// Whether step `step + 1`'s rollouts are requested before step `step` trains: allowed by
    /// `policy.max_staleness` ≥ 1, never across a checkpoint (a resumed run must draw the same).
    fn overlaps_next(&self, step: u64) -> bool {
        let every = self.topology.run.checkpoint_every;
        self.topology.policy.max_staleness >= 1
            && step < self.topology.total_steps()
            && self.schedule.stage_of(step + 1) == Stage::Rl
            && !(every > 0 && step.is_multiple_of(every))
    }

    /// The rollouts requested for `step` during the previous one, if any (first round only).
    async fn take_prefetched(
        &mut self,
        step: u64,
        round: u64,
    ) -> Result<Option<(Vec<PromptTask>, Vec<Vec<Rollout>>)>, RuntimeError> {
        if round > 0 {
            return Ok(None);
        }
        if let Some((tasks, generation)) = self.in_flight.take()
            && generation.step == step
        {
            return Ok(Some((tasks, generation.finish().await?)));
        }
        Ok(match self.ready.take() {
            Some((for_step, tasks, groups)) if for_step == step => Some((tasks, groups)),
            _ => None,
        })
    }

    /// The 1-based step within the main stage (after the warm start).
    fn rl_step_of(&self, step: u64) -> u64 {
        step.saturating_sub(self.schedule.warm_start_steps)
    }

    fn eval_due(&self, step: u64) -> bool {
        let rl_step = step.saturating_sub(self.schedule.warm_start_steps);
        let every = self.topology.run.eval_every;
        step == self.topology.total_steps()
            || step == self.schedule.warm_start_steps
            || (rl_step > 0 && every > 0 && rl_step.is_multiple_of(every))
    }

    async fn sft_step(
        &mut self,
        step: u64,
        timings: &mut Timings,
    ) -> Result<BTreeMap<String, f64>, RuntimeError> {
        let rl_step = self.rl_step_of(step);
        let tasks = match self.warm_start.as_mut() {
            Some(cursor) if step <= self.schedule.warm_start_steps => {
                let batch = self
                    .topology
                    .warm_start
                    .as_ref()
                    .map_or(1, |section| section.batch_size);
                cursor.next_batch(usize::try_from(batch).unwrap_or(usize::MAX))
            }
            _ => {
                let batch = usize::try_from(self.topology.data.prompts_per_step).unwrap_or(1);
                self.train
                    .next_batch(batch, rl_step)
                    .map_err(|error| step_error(step, error.to_string()))?
            }
        };
        let pairs = tasks
            .into_iter()
            .map(|task| match task.reference {
                Some(response) => Ok(SftText {
                    response,
                    prompt: task.prompt,
                }),
                None => Err(step_error(
                    step,
                    format!("task {} has no reference answer to train on", task.id),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let started = Instant::now();
        let report = trained(self.learner(LearnerCommand::Sft(pairs)).await?, step)?;
        timings.learner += started.elapsed().as_secs_f64();
        self.learner_version = report.weights_version;
        let mut values = report_values(&report);
        values.insert("stage_sft".into(), 1.0);
        Ok(values)
    }

    async fn rl_step(
        &mut self,
        step: u64,
        timings: &mut Timings,
    ) -> Result<BTreeMap<String, f64>, RuntimeError> {
        let target = usize::try_from(self.topology.data.prompts_per_step).unwrap_or(1);
        let dynamic = &self.topology.learner.dynamic_sampling;
        let (dynamic, max_rounds) = (dynamic.enabled, dynamic.max_refill_rounds);
        let mut kept: Vec<(PromptTask, Group)> = Vec::new();
        let mut dropped = 0usize;
        let mut round = 0u64;
        let mut generated_tokens = 0usize;
        loop {
            let started = Instant::now();
            let (tasks, groups) = match self.take_prefetched(step, round).await? {
                Some(prefetched) => prefetched,
                None => {
                    let tasks = self
                        .train
                        .next_batch(target - kept.len(), self.rl_step_of(step))
                        .map_err(|error| step_error(step, error.to_string()))?;
                    let groups = self.generate(step, round, &tasks, false).await?;
                    (tasks, groups)
                }
            };
            timings.generate += started.elapsed().as_secs_f64();
            generated_tokens += groups
                .iter()
                .flatten()
                .map(|r| r.completion_token_ids.len())
                .sum::<usize>();
            let scored = self.score(&tasks, groups, timings).await?;
            let last_round = !dynamic || round >= max_rounds;
            for (task, group) in tasks.into_iter().zip(scored) {
                let flat = group.rewards.windows(2).all(|pair| pair[0] == pair[1]);
                if dynamic && flat && !last_round {
                    dropped += 1;
                } else {
                    kept.push((task, group));
                }
            }
            round += 1;
            if kept.len() >= target || last_round {
                break;
            }
        }

        let need_reference =
            self.main_config.kl.coef > 0.0 || self.main_config.reset_reference_kl > 0.0;
        let started = Instant::now();
        let reference = if need_reference {
            let batch: ReferenceBatch = kept
                .iter()
                .flat_map(|(_, group)| &group.rollouts)
                .map(|rollout| ReferenceLogprobs {
                    prompt_token_ids: rollout.prompt_token_ids.clone(),
                    completion_token_ids: rollout.completion_token_ids.clone(),
                })
                .collect();
            let pool = self.pools().reference.clone();
            Some(submit(&pool, "reference", vec![batch]).await?.remove(0))
        } else {
            None
        };
        timings.reference += started.elapsed().as_secs_f64();

        let mut reference = reference.map(Vec::into_iter);
        let mut correct = 0usize;
        let mut responses = 0usize;
        let mut response_tokens = 0usize;
        let groups: Vec<ScoredGroup> = kept
            .iter()
            .map(|(_, group)| {
                correct += group.correct;
                ScoredGroup {
                    prompt_ids: group.rollouts[0].prompt_token_ids.clone(),
                    completions: group
                        .rollouts
                        .iter()
                        .zip(&group.rewards)
                        .map(|(rollout, &reward)| {
                            responses += 1;
                            response_tokens += rollout.completion_token_ids.len();
                            ScoredCompletion {
                                token_ids: rollout.completion_token_ids.clone(),
                                behaviour_logprobs: rollout.behaviour_logprobs.clone(),
                                ref_logprobs: reference.as_mut().and_then(Iterator::next),
                                reward,
                                truncated: rollout.finish_reason == FinishReason::Length,
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        let lag = kept
            .iter()
            .flat_map(|(_, group)| &group.rollouts)
            .map(|rollout| self.learner_version.saturating_sub(rollout.weights_version))
            .max()
            .unwrap_or(0);
        if self.overlaps_next(step) {
            let next = step + 1;
            let tasks = self
                .train
                .next_batch(target, self.rl_step_of(next))
                .map_err(|error| step_error(next, error.to_string()))?;
            let generation = self.start_generation(next, 0, &tasks, false);
            self.in_flight = Some((tasks, generation));
        }
        let started = Instant::now();
        let report = trained(self.learner(LearnerCommand::Grpo(groups)).await?, step)?;
        timings.learner += started.elapsed().as_secs_f64();
        self.learner_version = report.weights_version;
        if report.reference_reset {
            timings.sync += self.sync(step, true).await?;
        }

        let mut values = report_values(&report);
        let responses_f = responses.max(1) as f64;
        values.insert("accuracy".into(), correct as f64 / responses_f);
        values.insert("groups_dropped".into(), dropped as f64);
        values.insert("weights_lag".into(), lag as f64);
        values.insert("refill_rounds".into(), (round - 1) as f64);
        values.insert(
            "response_tokens_mean".into(),
            response_tokens as f64 / responses_f,
        );
        values.insert(
            "tokens_per_s".into(),
            generated_tokens as f64 / timings.generate.max(1e-9),
        );
        Ok(values)
    }
}

impl StepPlan for TrainingPlan {
    async fn run_step(&mut self, step: u64) -> Result<BTreeMap<String, f64>, RuntimeError> {
        let mut timings = Timings::default();
        if step == 1 && self.evals.is_empty() {
            let started = Instant::now();
            self.evaluate(0).await?;
            timings.eval += started.elapsed().as_secs_f64();
        }
        if self.schedule.starts_main_stage(step) {
            let config = Box::new(self.main_config.clone());
            self.learner(LearnerCommand::StartStage(config)).await?;
            timings.sync += self.sync(step, true).await?;
        }
        let mut values = match self.schedule.stage_of(step) {
            Stage::Sft => self.sft_step(step, &mut timings).await?,
            Stage::Rl => self.rl_step(step, &mut timings).await?,
        };
        // Keep the rollouts of every step within `max_staleness` versions of the learner: with
        // overlap, the next request goes out before the next update, so sync one version earlier.
        // Always sync before an evaluation and at the end of the warm-start.
        let eval_due = self.eval_due(step);
        let allowed = self.topology.policy.max_staleness.saturating_sub(1);
        let stale = self.learner_version - self.published > allowed;
        let sft_only = self.schedule.stage_of(step) == Stage::Sft;
        if eval_due || (stale && !sft_only) {
            timings.sync += self.sync(step, false).await?;
        }
        if eval_due {
            let started = Instant::now();
            if let Some(point) = self.evaluate(step).await? {
                values.insert("eval_accuracy".into(), point.accuracy);
                values.insert("eval_reward".into(), point.reward);
            }
            timings.eval += started.elapsed().as_secs_f64();
        }
        for (name, seconds) in [
            ("time_generate_s", timings.generate),
            ("time_verify_s", timings.verify),
            ("time_reward_s", timings.reward),
            ("time_reference_s", timings.reference),
            ("time_learner_s", timings.learner),
            ("time_sync_s", timings.sync),
            ("time_eval_s", timings.eval),
        ] {
            values.insert(name.into(), seconds);
        }
        values.insert("weights_version_published".into(), self.published as f64);
        if let Some(observer) = self.progress.as_mut() {
            observer(&StepProgress {
                step,
                total_steps: self.topology.total_steps(),
                warm_start_steps: self.schedule.warm_start_steps,
                values: &values,
                last_eval: self.evals.last().copied(),
            });
        }
        Ok(values)
    }

    async fn save(&mut self, step: u64) -> Result<(), RuntimeError> {
        // Policies hold the saved weights, so a resumed run samples exactly as this one would.
        if self.published < self.learner_version {
            self.sync(step, false).await?;
        }
        let training = TrainingState {
            step,
            data_cursor: self.train.position(),
            rng_state: vec![
                self.warm_start.as_ref().map_or(0, DataCursor::position),
                self.published,
            ],
            extra: serde_json::json!({ "evals": self.evals }),
        };
        let run_dir = self.run_dir.clone();
        match self
            .learner(LearnerCommand::Save { run_dir, training })
            .await?
        {
            LearnerReply::Saved(_) => Ok(()),
            other => Err(step_error(
                step,
                format!("unexpected learner reply {other:?}"),
            )),
        }
    }

    /// After the learner crashed (its restarted replica would start from the initial weights),
    /// restart every role and restore the last checkpoint, exactly as `--resume` would: the
    /// policies and the reference get the checkpoint's weights, rollouts prefetched for the
    /// lost steps are dropped, and the data cursors go back. Without a checkpoint there is
    /// nothing to go back to, and the run fails as before.
    async fn recover(
        &mut self,
        run_dir: &RunDir,
        error: &RuntimeError,
    ) -> Result<Option<u64>, RuntimeError> {
        if !learner_lost(error) || proctor_learner::checkpoint::latest(run_dir.path()).is_err() {
            return Ok(None);
        }
        self.pools = None;
        self.in_flight = None;
        self.ready = None;
        self.evals.clear();
        self.restore(run_dir).await.map(Some)
    }

    async fn restore(&mut self, run_dir: &RunDir) -> Result<u64, RuntimeError> {
        let found = proctor_learner::checkpoint::latest(run_dir.path())
            .map_err(|error| step_error(0, error.to_string()))?;
        let config = match self.schedule.stage_of(found.step) {
            Stage::Sft if found.step <= self.schedule.warm_start_steps => self
                .warm_start_config
                .clone()
                .unwrap_or_else(|| self.main_config.clone()),
            _ => self.main_config.clone(),
        };
        let reply = self
            .learner(LearnerCommand::Restore {
                run_dir: run_dir.path().to_path_buf(),
                config: Box::new(config),
            })
            .await?;
        let LearnerReply::Restored { training, skipped } = reply else {
            return Err(step_error(0, format!("unexpected learner reply {reply:?}")));
        };
        for reason in skipped {
            tracing::warn!("skipped a damaged checkpoint: {reason}");
        }
        self.train.seek(training.data_cursor);
        if let (Some(cursor), Some(&position)) =
            (self.warm_start.as_mut(), training.rng_state.first())
        {
            cursor.seek(position);
        }
        if let Some(evals) = training.extra.get("evals") {
            self.evals = serde_json::from_value(evals.clone()).unwrap_or_default();
        }
        self.learner_version = training.step;
        self.published = 0;
        self.sync(training.step, true).await?;
        Ok(training.step)
    }
}

/// Whether `error` is the learner's crash (its state went with it), as opposed to a request
/// it refused or another role's failure.
fn learner_lost(error: &RuntimeError) -> bool {
    matches!(
        error,
        RuntimeError::Pool(
            PoolError::RoleFailed { role, .. } | PoolError::PoisonRequest { role, .. }
        ) if role == "learner"
    )
}

/// The seed of one sampling stream: fixed by the run seed, step, refill round and chunk.
fn stream_seed(seed: u64, step: u64, round: u64, chunk: u64) -> u64 {
    let mut state = seed ^ step.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    state ^= round.wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ chunk.wrapping_mul(0x1656_67B1_9E37_79F9);
    splitmix64(&mut state)
}

fn all_correct(verdicts: &BTreeMap<String, Verdict>) -> bool {
    !verdicts.is_empty() && verdicts.values().all(|verdict| verdict.status == "correct")
}

fn step_error(step: u64, reason: impl Into<String>) -> RuntimeError {
    RuntimeError::Step {
        step,
        reason: reason.into(),
    }
}

fn trained(reply: LearnerReply, step: u64) -> Result<StepReport, RuntimeError> {
    match reply {
        LearnerReply::Trained(report) => Ok(*report),
        other => Err(step_error(
            step,
            format!("unexpected learner reply {other:?}"),
        )),
    }
}

fn weights_of(
    reply: LearnerReply,
    step: u64,
) -> Result<proctor_learner::WeightUpdate, RuntimeError> {
    match reply {
        LearnerReply::Weights(update) => Ok(*update),
        other => Err(step_error(
            step,
            format!("unexpected learner reply {other:?}"),
        )),
    }
}

fn report_values(report: &StepReport) -> BTreeMap<String, f64> {
    let mut values = BTreeMap::new();
    for (name, value) in [
        ("loss", report.loss),
        ("pg_loss", report.pg_loss),
        ("kl", report.kl),
        ("entropy", report.entropy),
        ("clip_fraction", report.clip_fraction),
        ("clip_low_fraction", report.clip_low_fraction),
        ("clip_high_fraction", report.clip_high_fraction),
        ("ratio_mean", report.ratio_mean),
        ("grad_norm", report.grad_norm),
        ("param_norm", report.param_norm),
        ("lr", report.lr),
        ("reward", report.reward_mean),
        ("shaped_reward", report.shaped_reward_mean),
        ("advantage_abs_mean", report.advantage_abs_mean),
        ("sequences", report.sequences as f64),
        ("tokens", report.tokens as f64),
        ("groups_without_signal", report.groups_without_signal as f64),
        ("truncated", report.truncated as f64),
        ("weights_version", report.weights_version as f64),
        (
            "reference_reset",
            f64::from(u8::from(report.reference_reset)),
        ),
    ] {
        values.insert(name.to_string(), value);
    }
    values
}
