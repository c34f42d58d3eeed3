//! Batched sampling with a KV cache: left-padded prompts, per-row positions, temperature/top-k/top-p, stops, seeds.

use candle_core::{DType, Tensor};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::tokenizer::Tokenizer;
use crate::transformer::{ForwardInput, KvCache, Model};

/// How to sample continuations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SamplingParams {
    /// Softmax temperature; 0 means greedy (argmax).
    pub temperature: f32,
    /// Nucleus sampling: keep the smallest set of tokens whose probability reaches `top_p` (1 = off).
    pub top_p: f32,
    /// Keep only the `top_k` most likely tokens (0 = off).
    pub top_k: usize,
    /// Upper bound on generated tokens per sequence.
    pub max_new_tokens: usize,
    /// Stop a sequence at an end-of-sequence token (false = always generate `max_new_tokens`).
    pub stop_on_eos: bool,
    /// Stop a sequence when its text contains one of these; the text is cut before it.
    pub stop: Vec<String>,
    /// Samples per prompt.
    pub n: usize,
    /// Seed; sample `j` of prompt `i` draws from its own stream, so results do not depend on batching.
    pub seed: u64,
}

impl Default for SamplingParams {
    fn default() -> Self {
        SamplingParams {
            temperature: 1.0,
            top_p: 1.0,
            top_k: 0,
            max_new_tokens: 64,
            stop_on_eos: true,
            stop: Vec::new(),
            n: 1,
            seed: 0,
        }
    }
}

impl SamplingParams {
    fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(Error::InvalidRequest(what));
        if !(self.temperature >= 0.0 && self.temperature.is_finite()) {
            return bad(format!(
                "temperature must be finite and >= 0, got {}",
                self.temperature
            ));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return bad(format!("top_p must be in (0, 1], got {}", self.top_p));
        }
        if self.n == 0 {
            return bad("n must be at least 1".into());
        }
        if self.stop.iter().any(String::is_empty) {
            return bad("stop strings must not be empty".into());
        }
        Ok(())
    }
}

/// Prompts (already tokenized) and how to continue them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationRequest {
    /// One token-id sequence per prompt; all are generated as one batch.
    pub prompts: Vec<Vec<u32>>,
    /// Sampling settings shared by the batch.
    pub sampling: SamplingParams,
}

/// Why a sequence ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FinishReason {
    /// An end-of-sequence token or a stop string.
    Stop,
    /// `max_new_tokens` reached.
    Length,
}

/// One sampled continuation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// Index of the prompt in the request.
    pub prompt_index: usize,
    /// Which of the `n` samples of that prompt.
    pub sample_index: usize,
    /// Generated ids: an end-of-sequence token that stopped the sequence is included, and so is
    /// the token that completed a stop string (only `text` is cut).
    pub token_ids: Vec<u32>,
    /// Decoded text without special tokens, cut before a matched stop string.
    pub text: String,
    /// Log-probability of each generated token under the sampling distribution before top-k/top-p:
    /// `log_softmax(logits / temperature)`, or `log_softmax(logits)` when greedy.
    pub logprobs: Vec<f32>,
    /// Why it ended.
    pub finish_reason: FinishReason,
}

/// Samples continuations from a model; see [`Generator::generate`].
#[derive(Debug, Clone, Copy)]
pub struct Generator<'a> {
    model: &'a Model,
    tokenizer: &'a Tokenizer,
}

/// Per-sequence decoding state.
struct Row {
    prompt_index: usize,
    sample_index: usize,
    rng: StdRng,
    mask: Vec<u8>,
    next_position: u32,
    token_ids: Vec<u32>,
    logprobs: Vec<f32>,
    text: Option<String>,
    finish_reason: Option<FinishReason>,
}

impl<'a> Generator<'a> {
    /// A generator over `model` using `tokenizer` for eos/pad ids, stop strings and text.
    pub fn new(model: &'a Model, tokenizer: &'a Tokenizer) -> Self {
        Generator { model, tokenizer }
    }

    /// Generates `n` continuations of every prompt in one left-padded batch with a KV cache.
    /// Results are ordered prompt-major: all samples of prompt 0, then prompt 1, and so on.
    pub fn generate(&self, request: &GenerationRequest) -> Result<Vec<Generation>> {
        let params = &request.sampling;
        params.validate()?;
        if request.prompts.is_empty() || request.prompts.iter().any(Vec::is_empty) {
            return Err(Error::InvalidRequest(
                "every prompt needs at least one token".into(),
            ));
        }
        let pad = self.tokenizer.pad_token_id();
        let width = request.prompts.iter().map(Vec::len).max().unwrap_or(0);
        let mut input_ids = Vec::with_capacity(request.prompts.len());
        let mut masks = Vec::with_capacity(request.prompts.len());
        for prompt in &request.prompts {
            let padding = width - prompt.len();
            input_ids.push(
                std::iter::repeat_n(pad, padding)
                    .chain(prompt.iter().copied())
                    .collect::<Vec<_>>(),
            );
            masks.push(
                std::iter::repeat_n(0u8, padding)
                    .chain(std::iter::repeat_n(1u8, prompt.len()))
                    .collect::<Vec<_>>(),
            );
        }
        let mut rows: Vec<Row> = Vec::with_capacity(request.prompts.len() * params.n);
        for (prompt_index, mask) in masks.iter().enumerate() {
            let next_position = request.prompts[prompt_index].len() as u32;
            for sample_index in 0..params.n {
                rows.push(Row {
                    prompt_index,
                    sample_index,
                    rng: StdRng::seed_from_u64(stream_seed(
                        params.seed,
                        prompt_index,
                        sample_index,
                    )),
                    mask: mask.clone(),
                    next_position,
                    token_ids: Vec::new(),
                    logprobs: Vec::new(),
                    text: None,
                    finish_reason: None,
                });
            }
        }
        if params.max_new_tokens == 0 {
            return rows
                .into_iter()
                .map(|row| self.finish(row, FinishReason::Length))
                .collect();
        }
        // Prefill each distinct prompt once, then copy its cache and logits to its n samples.
        let mut cache = KvCache::new(self.model);
        let mut logits = self.model.forward_last(
            &ForwardInput::from_padded(input_ids, masks),
            Some(&mut cache),
        )?;
        if params.n > 1 {
            let expand: Vec<u32> = rows.iter().map(|row| row.prompt_index as u32).collect();
            cache.select_rows(&expand)?;
            logits = logits.index_select(&Tensor::new(expand.as_slice(), logits.device())?, 0)?;
        }
        let mut active: Vec<usize> = (0..rows.len()).collect();
        let mut done: Vec<Generation> = Vec::with_capacity(rows.len());
        let eos = self.tokenizer.eos_token_ids().to_vec();
        loop {
            let host_logits = logits.to_dtype(DType::F32)?.to_vec2::<f32>()?;
            let mut still_active = Vec::with_capacity(active.len());
            let mut kept_rows = Vec::with_capacity(active.len());
            for (batch_row, (&row_index, row_logits)) in active.iter().zip(&host_logits).enumerate()
            {
                let row = &mut rows[row_index];
                let (token, logprob) = sample(row_logits, params, &mut row.rng);
                row.token_ids.push(token);
                row.logprobs.push(logprob);
                if params.stop_on_eos && eos.contains(&token) {
                    row.finish_reason = Some(FinishReason::Stop);
                } else if !params.stop.is_empty() {
                    let text = self.tokenizer.decode(&row.token_ids, true)?;
                    if let Some(cut) = params
                        .stop
                        .iter()
                        .filter_map(|s| text.find(s.as_str()))
                        .min()
                    {
                        row.text = Some(text[..cut].to_string());
                        row.finish_reason = Some(FinishReason::Stop);
                    }
                }
                if row.finish_reason.is_none() && row.token_ids.len() >= params.max_new_tokens {
                    row.finish_reason = Some(FinishReason::Length);
                }
                if row.finish_reason.is_none() {
                    still_active.push(row_index);
                    kept_rows.push(batch_row as u32);
                }
            }
            if still_active.is_empty() {
                break;
            }
            if still_active.len() != active.len() {
                cache.select_rows(&kept_rows)?;
            }
            active = still_active;
            let mut step = ForwardInput {
                input_ids: Vec::new(),
                attention_mask: Vec::new(),
                positions: Vec::new(),
            };
            for &row_index in &active {
                let row = &mut rows[row_index];
                row.mask.push(1);
                step.input_ids.push(vec![
                    *row.token_ids
                        .last()
                        .expect("an active row has sampled a token this step"),
                ]);
                step.attention_mask.push(row.mask.clone());
                step.positions.push(vec![row.next_position]);
                row.next_position += 1;
            }
            logits = self.model.forward_last(&step, Some(&mut cache))?;
        }
        for row in rows {
            let reason = row.finish_reason.unwrap_or(FinishReason::Length);
            done.push(self.finish(row, reason)?);
        }
        Ok(done)
    }

    fn finish(&self, row: Row, finish_reason: FinishReason) -> Result<Generation> {
        let text = match row.text {
            Some(text) => text,
            None => self.tokenizer.decode(&row.token_ids, true)?,
        };
        Ok(Generation {
            prompt_index: row.prompt_index,
            sample_index: row.sample_index,
            token_ids: row.token_ids,
            text,
            logprobs: row.logprobs,
            finish_reason,
        })
    }
}

/// A per-sequence seed mixed from the request seed and the sequence's coordinates (splitmix64).
fn stream_seed(seed: u64, prompt_index: usize, sample_index: usize) -> u64 {
    let mut z = seed
        ^ (prompt_index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (sample_index as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `log_softmax` of a row in f64 for accuracy.
fn log_softmax(logits: &[f32], temperature: f32) -> Vec<f64> {
    let scaled: Vec<f64> = logits
        .iter()
        .map(|&l| f64::from(l) / f64::from(temperature))
        .collect();
    let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log_sum = scaled.iter().map(|&s| (s - max).exp()).sum::<f64>().ln() + max;
    scaled.into_iter().map(|s| s - log_sum).collect()
}

/// Picks one token from `logits`; returns it with its log-probability (see [`Generation::logprobs`]).
fn sample(logits: &[f32], params: &SamplingParams, rng: &mut StdRng) -> (u32, f32) {
    if params.temperature == 0.0 {
        // First maximum, as torch.argmax.
        let mut best = 0;
        for (index, &value) in logits.iter().enumerate() {
            if value > logits[best] {
                best = index;
            }
        }
        return (best as u32, log_softmax(logits, 1.0)[best] as f32);
    }
    let logprobs = log_softmax(logits, params.temperature);
    let mut candidates: Vec<usize> = (0..logits.len()).collect();
    if params.top_k > 0 || params.top_p < 1.0 {
        candidates.sort_by(|&a, &b| logprobs[b].total_cmp(&logprobs[a]).then(a.cmp(&b)));
        if params.top_k > 0 {
            candidates.truncate(params.top_k);
        }
        if params.top_p < 1.0 {
            let mut cumulative = 0.0;
            let mut keep = 0;
            for &index in &candidates {
                cumulative += logprobs[index].exp();
                keep += 1;
                if cumulative >= f64::from(params.top_p) {
                    break;
                }
            }
            candidates.truncate(keep);
        }
    }
    let total: f64 = candidates.iter().map(|&i| logprobs[i].exp()).sum();
    let mut threshold = rng.random::<f64>() * total;
    let mut chosen = *candidates
        .last()
        .expect("at least one candidate token survives filtering");
    for &index in &candidates {
        threshold -= logprobs[index].exp();
        if threshold <= 0.0 {
            chosen = index;
            break;
        }
    }
    (chosen as u32, logprobs[chosen] as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(temperature: f32, top_k: usize, top_p: f32) -> SamplingParams {
        SamplingParams {
            temperature,
            top_k,
            top_p,
            ..SamplingParams::default()
        }
    }

    #[test]
    fn greedy_takes_first_argmax_with_raw_logprob() {
        let mut rng = StdRng::seed_from_u64(0);
        let (token, logprob) = sample(&[1.0, 3.0, 3.0, 0.0], &params(0.0, 0, 1.0), &mut rng);
        assert_eq!(token, 1);
        let expected = 3.0 - (1f64.exp() + 2.0 * 3f64.exp() + 1.0).ln();
        assert!((f64::from(logprob) - expected).abs() < 1e-6);
    }

    #[test]
    fn top_k_and_top_p_restrict_support() {
        let logits = [0.0, 5.0, 4.0, -1.0, 4.5];
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..200 {
            let (token, _) = sample(&logits, &params(1.0, 2, 1.0), &mut rng);
            assert!(token == 1 || token == 4);
            let (token, _) = sample(&logits, &params(1.0, 0, 0.3), &mut rng);
            assert_eq!(token, 1);
        }
    }

    #[test]
    fn sampling_follows_the_distribution() {
        let logits = [0.0f32, 1.0f32.ln(), 3.0f32.ln()];
        let mut rng = StdRng::seed_from_u64(11);
        let mut counts = [0usize; 3];
        for _ in 0..20_000 {
            counts[sample(&logits, &params(1.0, 0, 1.0), &mut rng).0 as usize] += 1;
        }
        // Probabilities 0.2, 0.2, 0.6.
        assert!(
            (counts[2] as f64 / 20_000.0 - 0.6).abs() < 0.02,
            "{counts:?}"
        );
    }

    #[test]
    fn stream_seeds_differ() {
        assert_ne!(stream_seed(1, 0, 1), stream_seed(1, 1, 0));
        assert_ne!(stream_seed(1, 0, 0), stream_seed(2, 0, 0));
    }

    #[test]
    fn bad_params_are_rejected() {
        assert!(params(-1.0, 0, 1.0).validate().is_err());
        assert!(params(1.0, 0, 0.0).validate().is_err());
        assert!(
            SamplingParams {
                n: 0,
                ..SamplingParams::default()
            }
            .validate()
            .is_err()
        );
    }
}
