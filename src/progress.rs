//! The live progress line of `proctor run` / `proctor demo`: a bar, the stage, and the numbers
//! people watch (reward, accuracy, KL, tokens/s, held-out accuracy).

use proctor_actors::StepProgress;
use std::io::{IsTerminal, Write};
use std::time::Instant;

/// Prints one status line per step: rewritten in place on a terminal, every `every` steps and
/// at stage ends when stderr is a file or a pipe.
pub struct ProgressLine {
    terminal: bool,
    every: u64,
    started: Instant,
}

impl ProgressLine {
    /// A progress line on stderr.
    pub fn new() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
            every: 10,
            started: Instant::now(),
        }
    }

    /// Shows `progress`.
    pub fn show(&mut self, progress: &StepProgress<'_>) {
        let stage_end =
            progress.step == progress.warm_start_steps || progress.step == progress.total_steps;
        if !self.terminal && !progress.step.is_multiple_of(self.every) && !stage_end {
            return;
        }
        let line = format_line(progress, self.started.elapsed().as_secs_f64());
        let mut stderr = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(stderr, "\r\x1b[2K{line}");
            if stage_end {
                let _ = writeln!(stderr);
            }
        } else {
            let _ = writeln!(stderr, "{line}");
        }
        let _ = stderr.flush();
    }
}

/// `[#####.....] sft 40/100 | loss 0.48 | held-out 0.61 | 35s`, or for RL steps
/// `[...] grpo 12/150 | reward 0.53 | acc 0.50 | kl 0.0021 | 1234 tok/s | held-out 0.61 | 80s`.
pub fn format_line(progress: &StepProgress<'_>, elapsed_s: f64) -> String {
    const WIDTH: u64 = 20;
    let filled = (progress.step * WIDTH / progress.total_steps.max(1)).min(WIDTH) as usize;
    let bar = format!(
        "[{}{}]",
        "#".repeat(filled),
        ".".repeat(WIDTH as usize - filled)
    );
    let value = |name: &str| progress.values.get(name).copied().unwrap_or(f64::NAN);
    let mut parts = Vec::new();
    if progress.step <= progress.warm_start_steps || progress.values.contains_key("stage_sft") {
        let (done, of) = if progress.step <= progress.warm_start_steps {
            (progress.step, progress.warm_start_steps)
        } else {
            (progress.step, progress.total_steps)
        };
        parts.push(format!("{bar} sft {done}/{of}"));
        parts.push(format!("loss {:.3}", value("loss")));
    } else {
        let rl_total = progress.total_steps - progress.warm_start_steps;
        parts.push(format!(
            "{bar} rl {}/{rl_total}",
            progress.step - progress.warm_start_steps
        ));
        parts.push(format!("reward {:.3}", value("reward")));
        parts.push(format!("acc {:.3}", value("accuracy")));
        parts.push(format!("kl {:.4}", value("kl")));
        parts.push(format!("{:.0} tok/s", value("tokens_per_s")));
    }
    if let Some(eval) = progress.last_eval {
        parts.push(format!(
            "held-out {:.2} (step {})",
            eval.accuracy, eval.step
        ));
    }
    parts.push(format!("{elapsed_s:.0}s"));
    parts.join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn rl_lines_show_reward_accuracy_kl_and_throughput() {
        let values: BTreeMap<String, f64> = [
            ("reward", 0.5),
            ("accuracy", 0.25),
            ("kl", 0.0012),
            ("tokens_per_s", 1234.4),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let line = format_line(
            &StepProgress {
                step: 60,
                total_steps: 100,
                warm_start_steps: 50,
                values: &values,
                last_eval: Some(proctor_actors::EvalPoint {
                    step: 50,
                    accuracy: 0.4,
                    reward: 0.4,
                }),
            },
            12.0,
        );
        assert_eq!(
            line,
            "[############........] rl 10/50 | reward 0.500 | acc 0.250 | kl 0.0012 | 1234 tok/s | held-out 0.40 (step 50) | 12s"
        );
    }
}
