//! Differentiable completion logits for a batch of (prompt, completion) pairs, and the per-token log-probs and entropies taken from them.

use proctor_models::candle_core::{D, DType, Device, Tensor};
use proctor_models::candle_nn::ops::log_softmax;
use proctor_models::{ForwardInput, Model};

use crate::error::{Error, Result};

/// A batch laid out as `[left pad | prompt | completion | right pad]` (the layout of
/// `proctor_models::sequence_logprobs_train`), so every completion starts in the same column.
pub(crate) struct CompletionBatch {
    input: ForwardInput,
    first_column: usize,
    completion_len: usize,
    /// `[batch, completion_len]` u32 token ids (pad where masked).
    pub targets: Tensor,
    /// `[batch, completion_len]` f32: 1 on completion tokens.
    pub mask: Tensor,
}

impl CompletionBatch {
    pub(crate) fn new(
        prompts: &[&[u32]],
        completions: &[&[u32]],
        pad_token_id: u32,
        device: &Device,
    ) -> Result<Self> {
        if prompts.len() != completions.len() || prompts.is_empty() {
            return Err(Error::Batch(format!(
                "{} prompts for {} completions",
                prompts.len(),
                completions.len()
            )));
        }
        if prompts.iter().any(|p| p.is_empty()) {
            return Err(Error::Batch("a prompt is empty".into()));
        }
        let prompt_len = prompts.iter().map(|p| p.len()).max().unwrap_or(0);
        let completion_len = completions.iter().map(|c| c.len()).max().unwrap_or(0);
        if completion_len == 0 {
            return Err(Error::Batch("every completion is empty".into()));
        }
        let width = prompt_len + completion_len;
        let batch = prompts.len();
        let mut input_ids = Vec::with_capacity(batch);
        let mut attention = Vec::with_capacity(batch);
        let mut targets = Vec::with_capacity(batch * completion_len);
        let mut mask = Vec::with_capacity(batch * completion_len);
        for (prompt, completion) in prompts.iter().zip(completions) {
            let (left, right) = (prompt_len - prompt.len(), completion_len - completion.len());
            let row: Vec<u32> = std::iter::repeat_n(pad_token_id, left)
                .chain(prompt.iter().copied())
                .chain(completion.iter().copied())
                .chain(std::iter::repeat_n(pad_token_id, right))
                .collect();
            attention.push(
                (0..width)
                    .map(|col| u8::from(col >= left && col < width - right))
                    .collect::<Vec<u8>>(),
            );
            targets.extend_from_slice(&row[prompt_len..]);
            mask.extend((0..completion_len).map(|i| f32::from(u8::from(i < completion.len()))));
            input_ids.push(row);
        }
        Ok(CompletionBatch {
            input: ForwardInput::from_padded(input_ids, attention),
            first_column: prompt_len - 1,
            completion_len,
            targets: Tensor::from_vec(targets, (batch, completion_len), device)?,
            mask: Tensor::from_vec(mask, (batch, completion_len), device)?,
        })
    }

    /// Columns of the completion.
    pub(crate) fn completion_len(&self) -> usize {
        self.completion_len
    }

    /// `[batch, completion_len, vocab]` logits divided by `temperature`, through the training path.
    pub(crate) fn logits(&self, model: &Model, temperature: f32) -> Result<Tensor> {
        let logits =
            model.forward_train_columns(&self.input, self.first_column, self.completion_len)?;
        Ok(if temperature == 1.0 {
            logits
        } else {
            (logits / f64::from(temperature))?
        })
    }
}

/// `log_softmax(logits)` gathered at `targets`: `[batch, len]`.
pub(crate) fn token_logprobs(logits: &Tensor, targets: &Tensor) -> Result<Tensor> {
    let log_probs = log_softmax(logits, D::Minus1)?;
    Ok(log_probs
        .gather(
            &targets.to_dtype(DType::U32)?.unsqueeze(D::Minus1)?,
            D::Minus1,
        )?
        .squeeze(D::Minus1)?)
}

/// Entropy of each position's distribution `-Σ p log p`: `[batch, len]`.
pub(crate) fn token_entropy(logits: &Tensor) -> Result<Tensor> {
    let log_probs = log_softmax(logits, D::Minus1)?;
    Ok((log_probs.exp()? * &log_probs)?.sum(D::Minus1)?.neg()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_share_columns_and_mask_padding() {
        let batch =
            CompletionBatch::new(&[&[5, 6, 7], &[8]], &[&[1], &[2, 3]], 0, &Device::Cpu).unwrap();
        assert_eq!(
            batch.input.input_ids,
            vec![vec![5, 6, 7, 1, 0], vec![0, 0, 8, 2, 3]]
        );
        assert_eq!((batch.first_column, batch.completion_len()), (2, 2));
        assert_eq!(
            batch.targets.to_vec2::<u32>().unwrap(),
            vec![vec![1, 0], vec![2, 3]]
        );
        assert_eq!(
            batch.mask.to_vec2::<f32>().unwrap(),
            vec![vec![1.0, 0.0], vec![1.0, 1.0]]
        );
        assert!(CompletionBatch::new(&[&[1]], &[&[]], 0, &Device::Cpu).is_err());
        assert!(CompletionBatch::new(&[&[]], &[&[1]], 0, &Device::Cpu).is_err());
    }

    #[test]
    fn logprobs_and_entropy_by_hand() {
        // One position over 2 tokens with probabilities 1/4, 3/4.
        let logits = Tensor::new(&[[[0.0f64, 3f64.ln()]]], &Device::Cpu).unwrap();
        let targets = Tensor::new(&[[1u32]], &Device::Cpu).unwrap();
        let lp = token_logprobs(&logits, &targets)
            .unwrap()
            .to_vec2::<f64>()
            .unwrap();
        assert!((lp[0][0] - 0.75f64.ln()).abs() < 1e-12);
        let h = token_entropy(&logits).unwrap().to_vec2::<f64>().unwrap();
        let expected = -(0.25 * 0.25f64.ln() + 0.75 * 0.75f64.ln());
        assert!((h[0][0] - expected).abs() < 1e-12);
    }

    #[test]
    fn logprobs_agree_with_the_model_engine() {
        let (model, tokenizer) = proctor_models::builtin("tiny", 3, &Device::Cpu).unwrap();
        let prompts: Vec<Vec<u32>> = vec![vec![1, 40, 41, 42], vec![1, 50]];
        let completions: Vec<Vec<u32>> = vec![vec![60, 61], vec![70, 71, 72]];
        let pad = tokenizer.pad_token_id();
        let reference =
            proctor_models::sequence_logprobs(&model, &prompts, &completions, 0.7, pad).unwrap();
        let p: Vec<&[u32]> = prompts.iter().map(Vec::as_slice).collect();
        let c: Vec<&[u32]> = completions.iter().map(Vec::as_slice).collect();
        let batch = CompletionBatch::new(&p, &c, pad, &Device::Cpu).unwrap();
        let ours = token_logprobs(&batch.logits(&model, 0.7).unwrap(), &batch.targets)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        for (row, expected) in ours.iter().zip(&reference) {
            for (a, b) in row.iter().zip(expected) {
                assert!((a - b).abs() < 1e-4, "{a} vs {b}");
            }
        }
    }
}
