//! Supervised fine-tuning: chat-formatted prompt/response pairs and masked cross-entropy (only response tokens count).

use proctor_models::candle_core::Tensor;
use proctor_models::{ChatMessage, Tokenizer};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forward::token_logprobs;
use crate::loss::{AggregationScale, aggregate};

/// One supervised example: the model learns `response_ids` given `prompt_ids`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SftPair {
    /// The conditioning tokens (no loss on them).
    pub prompt_ids: Vec<u32>,
    /// The target tokens, usually ending with an end-of-sequence token.
    pub response_ids: Vec<u32>,
}

impl SftPair {
    /// A single-turn chat pair: the prompt rendered with the model's chat template and the
    /// assistant turn opened, the response followed by the first end-of-sequence token so the
    /// model learns to stop.
    pub fn from_chat(tokenizer: &Tokenizer, prompt: &str, response: &str) -> Result<Self> {
        let prompt_ids = tokenizer.encode_chat(&[ChatMessage::user(prompt)])?;
        let mut response_ids = tokenizer.encode(response, false)?;
        let eos = tokenizer.eos_token_ids().first().copied().ok_or_else(|| {
            Error::Batch("the tokenizer has no end-of-sequence token to end responses".into())
        })?;
        response_ids.push(eos);
        Ok(SftPair {
            prompt_ids,
            response_ids,
        })
    }
}

/// Mean negative log-likelihood of `targets` (`[batch, len]`) under `logits`
/// (`[batch, len, vocab]`) over the positions where `mask` is 1, aggregated by `scale`.
pub fn masked_cross_entropy(
    logits: &Tensor,
    targets: &Tensor,
    mask: &Tensor,
    scale: &AggregationScale,
) -> Result<Tensor> {
    let logprobs = token_logprobs(logits, targets)?;
    aggregate(&logprobs.neg()?, mask, scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LossAggregation;
    use crate::loss::scalar;
    use proctor_models::candle_core::{Device, Var};

    #[test]
    fn only_unmasked_tokens_count() {
        // Two positions over 3 tokens; the second is a prompt/padding position (mask 0).
        let logits = Var::from_tensor(
            &Tensor::new(&[[[0.0f64, 1.0, 2.0], [5.0, -5.0, 0.0]]], &Device::Cpu).unwrap(),
        )
        .unwrap();
        let targets = Tensor::new(&[[2u32, 1]], &Device::Cpu).unwrap();
        let mask = Tensor::new(&[[1.0f64, 0.0]], &Device::Cpu).unwrap();
        let scale = AggregationScale::for_mask(LossAggregation::TokenMean, &mask, 0).unwrap();
        let loss = masked_cross_entropy(logits.as_tensor(), &targets, &mask, &scale).unwrap();
        let log_z = (1.0 + 1f64.exp() + 2f64.exp()).ln();
        assert!((scalar(&loss).unwrap() - (log_z - 2.0)).abs() < 1e-12);
        // Gradient: softmax - onehot on the counted position, nothing on the masked one.
        let grad = loss.backward().unwrap();
        let grad = grad
            .get(logits.as_tensor())
            .unwrap()
            .to_vec3::<f64>()
            .unwrap();
        let p: Vec<f64> = [0.0f64, 1.0, 2.0]
            .iter()
            .map(|l| (l - log_z).exp())
            .collect();
        for (k, expected) in [p[0], p[1], p[2] - 1.0].into_iter().enumerate() {
            assert!((grad[0][0][k] - expected).abs() < 1e-12);
        }
        assert!(grad[0][1].iter().all(|g| *g == 0.0));
    }

    #[test]
    fn chat_pairs_end_with_eos() {
        let tokenizer = proctor_models::tiny_tokenizer().unwrap();
        let pair = SftPair::from_chat(&tokenizer, "What is 3 + 4?", "7").unwrap();
        assert_eq!(pair.response_ids, vec![3 + u32::from(b'7'), 2]);
        let text = tokenizer.decode(&pair.prompt_ids, false).unwrap();
        assert_eq!(
            text,
            "<|im_start|>user\nWhat is 3 + 4?<|im_end|>\n<|im_start|>assistant\n"
        );
    }
}
