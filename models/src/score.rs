//! Teacher-forced per-token log-probabilities of given completions (reference and learner).

use candle_core::{D, Tensor};

use crate::error::{Error, Result};
use crate::transformer::{ForwardInput, Model};

/// Differentiable log-probabilities of a batch of completions.
#[derive(Debug, Clone)]
pub struct CompletionLogprobs {
    /// `[batch, max_completion_len]`: log p(token | prefix); 0 at padding.
    pub logprobs: Tensor,
    /// `[batch, max_completion_len]` f32: 1 for completion tokens, 0 for padding.
    pub mask: Tensor,
}

/// The batch laid out as `[left pad | prompt | completion | right pad]`, so that every
/// completion starts in the same column and only those columns need `lm_head`.
struct Layout {
    input: ForwardInput,
    /// Column of the logits that predict the first completion token.
    first_column: usize,
    completion_len: usize,
    targets: Vec<u32>,
    mask: Vec<f32>,
}

fn layout(prompts: &[Vec<u32>], completions: &[Vec<u32>], pad_token_id: u32) -> Result<Layout> {
    if prompts.len() != completions.len() || prompts.is_empty() {
        return Err(Error::InvalidRequest(format!(
            "{} prompts for {} completions",
            prompts.len(),
            completions.len()
        )));
    }
    if prompts.iter().any(Vec::is_empty) {
        return Err(Error::InvalidRequest(
            "every prompt needs at least one token to condition on".into(),
        ));
    }
    let prompt_len = prompts.iter().map(Vec::len).max().unwrap_or(0);
    let completion_len = completions.iter().map(Vec::len).max().unwrap_or(0);
    let width = prompt_len + completion_len;
    let mut input_ids = Vec::with_capacity(prompts.len());
    let mut attention_mask = Vec::with_capacity(prompts.len());
    let mut targets = Vec::with_capacity(prompts.len() * completion_len);
    let mut mask = Vec::with_capacity(prompts.len() * completion_len);
    for (prompt, completion) in prompts.iter().zip(completions) {
        let (left, right) = (prompt_len - prompt.len(), completion_len - completion.len());
        let row: Vec<u32> = std::iter::repeat_n(pad_token_id, left)
            .chain(prompt.iter().copied())
            .chain(completion.iter().copied())
            .chain(std::iter::repeat_n(pad_token_id, right))
            .collect();
        let row_mask: Vec<u8> = (0..width)
            .map(|col| u8::from(col >= left && col < width - right))
            .collect();
        targets.extend(&row[prompt_len..]);
        mask.extend((0..completion_len).map(|i| if i < completion.len() { 1.0 } else { 0.0 }));
        input_ids.push(row);
        attention_mask.push(row_mask);
    }
    Ok(Layout {
        input: ForwardInput::from_padded(input_ids, attention_mask),
        first_column: prompt_len - 1,
        completion_len,
        targets,
        mask,
    })
}

/// `log_softmax(logits / temperature)` gathered at `targets`, masked.
fn gather_logprobs(
    logits: &Tensor,
    layout: &Layout,
    temperature: f64,
) -> Result<CompletionLogprobs> {
    let (batch, len, _) = logits.dims3()?;
    let logits = if temperature == 1.0 {
        logits.clone()
    } else {
        (logits / temperature)?
    };
    let log_probs = crate::transformer::log_softmax_last_dim(&logits)?;
    let targets = Tensor::from_vec(layout.targets.clone(), (batch, len, 1), logits.device())?;
    let mask = Tensor::from_vec(layout.mask.clone(), (batch, len), logits.device())?;
    let picked = log_probs.gather(&targets, D::Minus1)?.squeeze(D::Minus1)?;
    Ok(CompletionLogprobs {
        logprobs: (picked * &mask)?,
        mask,
    })
}

fn check_temperature(temperature: f32) -> Result<()> {
    if temperature > 0.0 && temperature.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidRequest(format!(
            "scoring temperature must be finite and > 0, got {temperature}"
        )))
    }
}

/// Per-token log-probabilities of each completion given its prompt (teacher forcing), one batch,
/// no autograd. Use the sampling temperature of the behaviour policy (1 for plain sampling).
pub fn sequence_logprobs(
    model: &Model,
    prompts: &[Vec<u32>],
    completions: &[Vec<u32>],
    temperature: f32,
    pad_token_id: u32,
) -> Result<Vec<Vec<f32>>> {
    check_temperature(temperature)?;
    let layout = layout(prompts, completions, pad_token_id)?;
    if layout.completion_len == 0 {
        return Ok(vec![Vec::new(); prompts.len()]);
    }
    let logits =
        model.forward_columns(&layout.input, layout.first_column, layout.completion_len)?;
    let scored = gather_logprobs(&logits, &layout, f64::from(temperature))?;
    let rows = scored.logprobs.to_vec2::<f32>()?;
    Ok(rows
        .into_iter()
        .zip(completions)
        .map(|(row, completion)| row[..completion.len()].to_vec())
        .collect())
}

/// The differentiable version of [`sequence_logprobs`] for the learner: gradients reach every parameter.
pub fn sequence_logprobs_train(
    model: &Model,
    prompts: &[Vec<u32>],
    completions: &[Vec<u32>],
    temperature: f32,
    pad_token_id: u32,
) -> Result<CompletionLogprobs> {
    check_temperature(temperature)?;
    let layout = layout(prompts, completions, pad_token_id)?;
    if layout.completion_len == 0 {
        return Err(Error::InvalidRequest("all completions are empty".into()));
    }
    let logits =
        model.forward_train_columns(&layout.input, layout.first_column, layout.completion_len)?;
    gather_logprobs(&logits, &layout, f64::from(temperature))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_aligns_completions() {
        let layout = layout(&[vec![5, 6, 7], vec![8]], &[vec![1], vec![2, 3]], 0).unwrap();
        assert_eq!(
            layout.input.input_ids,
            vec![vec![5, 6, 7, 1, 0], vec![0, 0, 8, 2, 3]]
        );
        assert_eq!(
            layout.input.attention_mask,
            vec![vec![1, 1, 1, 1, 0], vec![0, 0, 1, 1, 1]]
        );
        assert_eq!(
            layout.input.positions,
            vec![vec![0, 1, 2, 3, 3], vec![0, 0, 0, 1, 2]]
        );
        assert_eq!((layout.first_column, layout.completion_len), (2, 2));
        assert_eq!(layout.targets, vec![1, 0, 2, 3]);
        assert_eq!(layout.mask, vec![1.0, 0.0, 1.0, 1.0]);
    }

    proptest::proptest! {
        #[test]
        fn layout_puts_every_completion_token_after_its_prompt(
            rows in proptest::collection::vec((proptest::collection::vec(3u32..50, 1..6), proptest::collection::vec(3u32..50, 0..5)), 1..5)
        ) {
            let (prompts, completions): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
            let layout = layout(&prompts, &completions, 0).unwrap();
            for (row, (prompt, completion)) in prompts.iter().zip(&completions).enumerate() {
                let ids = &layout.input.input_ids[row];
                let mask = &layout.input.attention_mask[row];
                for (k, &token) in completion.iter().enumerate() {
                    let column = layout.first_column + 1 + k;
                    proptest::prop_assert_eq!(ids[column], token);
                    proptest::prop_assert_eq!(layout.targets[row * layout.completion_len + k], token);
                    // Its position continues the prompt's positions.
                    proptest::prop_assert_eq!(layout.input.positions[row][column] as usize, prompt.len() + k);
                }
                proptest::prop_assert_eq!(ids[layout.first_column], *prompt.last().unwrap());
                proptest::prop_assert_eq!(mask.iter().map(|&m| usize::from(m)).sum::<usize>(), prompt.len() + completion.len());
                let real: f32 = layout.mask[row * layout.completion_len..(row + 1) * layout.completion_len].iter().sum();
                proptest::prop_assert_eq!(real as usize, completion.len());
            }
        }
    }

    #[test]
    fn mismatched_batches_are_rejected() {
        assert!(layout(&[vec![1]], &[], 0).is_err());
        assert!(layout(&[vec![]], &[vec![1]], 0).is_err());
    }
}
