//! The decoder-only transformer shared by Qwen2 and Llama: GQA, RoPE, RMSNorm, SwiGLU, KV cache.

use candle_core::{D, DType, Device, Tensor, Var};

use crate::config::ModelConfig;
use crate::error::{Error, Result};
use crate::weights::Params;

/// Additive attention bias for a masked key; finite so fully masked (padding) rows stay NaN-free.
const MASKED: f32 = -1.0e30;

/// One step of input for [`Model::forward`]: a rectangular, left-padded batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardInput {
    /// Token ids `[batch][new_len]`, padded rows included.
    pub input_ids: Vec<Vec<u32>>,
    /// 1 for real tokens, 0 for padding, `[batch][past_len + new_len]`: covers the cached columns too.
    pub attention_mask: Vec<Vec<u8>>,
    /// RoPE position of each new token `[batch][new_len]` (per row, so left padding does not shift it).
    pub positions: Vec<Vec<u32>>,
}

impl ForwardInput {
    /// A batch without cache whose positions are `cumsum(mask) - 1` clamped at 0, as transformers does.
    pub fn from_padded(input_ids: Vec<Vec<u32>>, attention_mask: Vec<Vec<u8>>) -> Self {
        let positions = attention_mask
            .iter()
            .map(|row| positions_from_mask(row))
            .collect();
        ForwardInput {
            input_ids,
            attention_mask,
            positions,
        }
    }

    fn shape(&self) -> Result<(usize, usize, usize)> {
        let batch = self.input_ids.len();
        let new_len = self.input_ids.first().map_or(0, Vec::len);
        let total = self.attention_mask.first().map_or(0, Vec::len);
        let rectangular = self.input_ids.iter().all(|r| r.len() == new_len)
            && self.positions.iter().all(|r| r.len() == new_len)
            && self.attention_mask.iter().all(|r| r.len() == total);
        if batch == 0
            || new_len == 0
            || !rectangular
            || self.attention_mask.len() != batch
            || self.positions.len() != batch
            || total < new_len
        {
            return Err(Error::InvalidRequest(format!(
                "forward input must be rectangular and non-empty: {batch} id rows of {new_len}, {} mask rows of {total}, {} position rows",
                self.attention_mask.len(),
                self.positions.len()
            )));
        }
        Ok((batch, new_len, total))
    }
}

/// Positions `cumsum(mask) - 1`, clamped at 0, for one left-padded row.
pub fn positions_from_mask(mask: &[u8]) -> Vec<u32> {
    let mut seen = 0u32;
    mask.iter()
        .map(|&m| {
            seen += u32::from(m != 0);
            seen.saturating_sub(1)
        })
        .collect()
}

/// Keys and values of every layer for the columns already processed, `[batch, kv_heads, len, head_dim]`.
#[derive(Debug, Clone)]
pub struct KvCache {
    layers: Vec<Option<(Tensor, Tensor)>>,
}

impl KvCache {
    /// An empty cache for `model`.
    pub fn new(model: &Model) -> Self {
        KvCache {
            layers: vec![None; model.config.num_hidden_layers],
        }
    }

    /// Number of columns (past tokens, padding included) held.
    pub fn len(&self) -> usize {
        self.layers
            .first()
            .and_then(|l| l.as_ref())
            .map_or(0, |(k, _)| k.dims()[2])
    }

    /// True before the first forward.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps only the given batch rows (in that order), e.g. to drop finished sequences.
    pub fn select_rows(&mut self, rows: &[u32]) -> Result<()> {
        for (k, v) in self.layers.iter_mut().flatten() {
            let index = Tensor::new(rows, k.device())?;
            *k = k.index_select(&index, 0)?;
            *v = v.index_select(&index, 0)?;
        }
        Ok(())
    }
}

/// Whether weights are used as trainable variables with differentiable ops, or detached with fused kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Inference,
    Training,
}

struct Linear {
    weight: Var,
    bias: Option<Var>,
}

impl Linear {
    fn new(params: &Params, name: &str, bias: bool) -> Result<Self> {
        Ok(Linear {
            weight: params.var(&format!("{name}.weight"))?,
            bias: if bias {
                Some(params.var(&format!("{name}.bias"))?)
            } else {
                None
            },
        })
    }

    /// `x [.., in] -> [.., out]`.
    fn forward(&self, x: &Tensor, mode: Mode) -> Result<Tensor> {
        let mut dims = x.dims().to_vec();
        let in_features = dims
            .pop()
            .ok_or_else(|| Error::InvalidRequest("linear input has no dimensions".into()))?;
        let rows: usize = dims.iter().product();
        let weight = take(&self.weight, mode);
        let mut out = x.reshape((rows, in_features))?.matmul(&weight.t()?)?;
        if let Some(bias) = &self.bias {
            out = out.broadcast_add(&take(bias, mode))?;
        }
        dims.push(out.dim(1)?);
        Ok(out.reshape(dims)?)
    }
}

fn take(var: &Var, mode: Mode) -> Tensor {
    match mode {
        Mode::Inference => var.as_tensor().detach(),
        Mode::Training => var.as_tensor().clone(),
    }
}

fn rms_norm(x: &Tensor, weight: &Var, eps: f64, mode: Mode) -> Result<Tensor> {
    Ok(match mode {
        Mode::Inference => candle_nn::ops::rms_norm(x, &take(weight, mode), eps as f32)?,
        Mode::Training => {
            // Multiplying by the reciprocal keeps the backward graph smaller than a division.
            let inv_rms = (x.sqr()?.mean_keepdim(D::Minus1)? + eps)?.sqrt()?.recip()?;
            x.broadcast_mul(&inv_rms)?
                .broadcast_mul(weight.as_tensor())?
        }
    })
}

/// Rotates `x [b, heads, t, head_dim]` by the tables of [`Model::rope_tables`] for `mode`.
fn rope(x: &Tensor, cos: &Tensor, sin: &Tensor, mode: Mode) -> Result<Tensor> {
    Ok(match mode {
        Mode::Inference => candle_nn::rotary_emb::rope(&x.contiguous()?, cos, sin)?,
        Mode::Training => {
            // rotate_half(x) * [sin, sin] == [x2, x1] * [-sin, sin]: the sign lives in the table.
            let half = x.dim(D::Minus1)? / 2;
            let first = x.narrow(D::Minus1, 0, half)?;
            let second = x.narrow(D::Minus1, half, half)?;
            let swapped = Tensor::cat(&[&second, &first], D::Minus1)?;
            (x.broadcast_mul(cos)? + swapped.broadcast_mul(sin)?)?
        }
    })
}

/// Differentiable softmax over the last dimension. The max is subtracted for stability only (its
/// gradient is exactly zero), so it is detached: candle would otherwise backpropagate through `max`.
fn softmax_last_dim(x: &Tensor) -> Result<Tensor> {
    let max = x.max_keepdim(D::Minus1)?.detach();
    let num = x.broadcast_sub(&max)?.exp()?;
    let inv_den = num.sum_keepdim(D::Minus1)?.recip()?;
    Ok(num.broadcast_mul(&inv_den)?)
}

/// Differentiable log-softmax over the last dimension (detached max, as in [`softmax_last_dim`]).
pub(crate) fn log_softmax_last_dim(x: &Tensor) -> Result<Tensor> {
    let max = x.max_keepdim(D::Minus1)?.detach();
    let shifted = x.broadcast_sub(&max)?;
    let log_den = shifted.exp()?.sum_keepdim(D::Minus1)?.log()?;
    Ok(shifted.broadcast_sub(&log_den)?)
}

struct Layer {
    q_proj: Linear,
    k_proj: Linear,
    v_proj: Linear,
    o_proj: Linear,
    gate_proj: Linear,
    up_proj: Linear,
    down_proj: Linear,
    input_layernorm: Var,
    post_attention_layernorm: Var,
}

/// Per-forward constants shared by all layers.
struct Context<'a> {
    cos: &'a Tensor,
    sin: &'a Tensor,
    /// `[b, 1, 1, t, s]` additive bias (causal + key padding).
    bias: &'a Tensor,
    mode: Mode,
}

impl Layer {
    fn new(params: &Params, config: &ModelConfig, index: usize) -> Result<Self> {
        let p = format!("model.layers.{index}");
        Ok(Layer {
            q_proj: Linear::new(params, &format!("{p}.self_attn.q_proj"), config.qkv_bias)?,
            k_proj: Linear::new(params, &format!("{p}.self_attn.k_proj"), config.qkv_bias)?,
            v_proj: Linear::new(params, &format!("{p}.self_attn.v_proj"), config.qkv_bias)?,
            o_proj: Linear::new(params, &format!("{p}.self_attn.o_proj"), config.o_bias)?,
            gate_proj: Linear::new(params, &format!("{p}.mlp.gate_proj"), config.mlp_bias)?,
            up_proj: Linear::new(params, &format!("{p}.mlp.up_proj"), config.mlp_bias)?,
            down_proj: Linear::new(params, &format!("{p}.mlp.down_proj"), config.mlp_bias)?,
            input_layernorm: params.var(&format!("{p}.input_layernorm.weight"))?,
            post_attention_layernorm: params
                .var(&format!("{p}.post_attention_layernorm.weight"))?,
        })
    }

    fn forward(
        &self,
        x: &Tensor,
        config: &ModelConfig,
        ctx: &Context<'_>,
        cache: Option<&mut Option<(Tensor, Tensor)>>,
    ) -> Result<Tensor> {
        let (b, t, _) = x.dims3()?;
        let (heads, kv_heads, head_dim) = (
            config.num_attention_heads,
            config.num_key_value_heads,
            config.head_dim,
        );
        let n_rep = heads / kv_heads;
        let h = rms_norm(x, &self.input_layernorm, config.rms_norm_eps, ctx.mode)?;
        let q = self
            .q_proj
            .forward(&h, ctx.mode)?
            .reshape((b, t, heads, head_dim))?
            .transpose(1, 2)?;
        let k = self
            .k_proj
            .forward(&h, ctx.mode)?
            .reshape((b, t, kv_heads, head_dim))?
            .transpose(1, 2)?;
        let v = self
            .v_proj
            .forward(&h, ctx.mode)?
            .reshape((b, t, kv_heads, head_dim))?
            .transpose(1, 2)?
            .contiguous()?;
        let q = rope(&q, ctx.cos, ctx.sin, ctx.mode)?;
        let mut k = rope(&k, ctx.cos, ctx.sin, ctx.mode)?.contiguous()?;
        let mut v = v;
        if let Some(slot) = cache {
            if let Some((past_k, past_v)) = slot.as_ref() {
                k = Tensor::cat(&[past_k, &k], 2)?;
                v = Tensor::cat(&[past_v, &v], 2)?;
            }
            *slot = Some((k.clone(), v.clone()));
        }
        let s = k.dim(2)?;
        // Query heads grouped by the key/value head they share: no copy of K/V per query head.
        let q = q
            .contiguous()?
            .reshape((b, kv_heads, n_rep * t, head_dim))?;
        let scores = (q.matmul(&k.t()?)? * (1.0 / (head_dim as f64).sqrt()))?;
        let scores = scores
            .reshape((b, kv_heads, n_rep, t, s))?
            .broadcast_add(ctx.bias)?;
        let probs = match ctx.mode {
            Mode::Inference => candle_nn::ops::softmax_last_dim(&scores)?,
            Mode::Training => softmax_last_dim(&scores)?,
        };
        let attn = probs.reshape((b, kv_heads, n_rep * t, s))?.matmul(&v)?;
        let attn = attn
            .reshape((b, heads, t, head_dim))?
            .transpose(1, 2)?
            .reshape((b, t, heads * head_dim))?;
        let x = (x + self.o_proj.forward(&attn, ctx.mode)?)?;
        let h = rms_norm(
            &x,
            &self.post_attention_layernorm,
            config.rms_norm_eps,
            ctx.mode,
        )?;
        let gate = self.gate_proj.forward(&h, ctx.mode)?.silu()?;
        let mlp = self
            .down_proj
            .forward(&(gate * self.up_proj.forward(&h, ctx.mode)?)?, ctx.mode)?;
        Ok((x + mlp)?)
    }
}

/// A Qwen2 or Llama causal LM whose weights are candle [`Var`]s keyed by Hugging Face tensor names.
pub struct Model {
    config: ModelConfig,
    params: Params,
    device: Device,
    embed_tokens: Var,
    layers: Vec<Layer>,
    norm: Var,
    lm_head: Var,
    inv_freq: Vec<f64>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("config", &self.config)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

impl Model {
    /// Builds the model over already loaded and shape-checked parameters.
    pub fn from_params(config: ModelConfig, params: Params) -> Result<Self> {
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::new(&params, &config, i))
            .collect::<Result<Vec<_>>>()?;
        let embed_tokens = params.var("model.embed_tokens.weight")?;
        let lm_head = if config.tie_word_embeddings {
            embed_tokens.clone()
        } else {
            params.var("lm_head.weight")?
        };
        Ok(Model {
            inv_freq: config.rope_inv_freq(),
            device: params.device().clone(),
            norm: params.var("model.norm.weight")?,
            embed_tokens,
            lm_head,
            layers,
            config,
            params,
        })
    }

    /// The architecture's hyper-parameters.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The trainable parameters, keyed by Hugging Face tensor name.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Where the weights live.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Logits `[batch, new_len, vocab]` for every new token, with fused inference kernels and no autograd.
    /// With a cache, its columns are prepended to the keys and the new columns are appended to it.
    pub fn forward(&self, input: &ForwardInput, cache: Option<&mut KvCache>) -> Result<Tensor> {
        let hidden = self.hidden(input, cache, Mode::Inference)?;
        self.lm_head(&hidden, Mode::Inference)
    }

    /// Logits `[batch, vocab]` of the last new token of each row (what sampling needs).
    pub fn forward_last(
        &self,
        input: &ForwardInput,
        cache: Option<&mut KvCache>,
    ) -> Result<Tensor> {
        let hidden = self.hidden(input, cache, Mode::Inference)?;
        let last = hidden.dim(1)? - 1;
        self.lm_head(&hidden.narrow(1, last, 1)?, Mode::Inference)?
            .squeeze(1)
            .map_err(Error::from)
    }

    /// Logits for columns `start..start + len` only (inference), to skip `lm_head` on prompts.
    pub fn forward_columns(
        &self,
        input: &ForwardInput,
        start: usize,
        len: usize,
    ) -> Result<Tensor> {
        let hidden = self.hidden(input, None, Mode::Inference)?;
        self.lm_head(&hidden.narrow(1, start, len)?, Mode::Inference)
    }

    /// Logits `[batch, new_len, vocab]` through differentiable ops on the trainable variables
    /// (no cache): call `backward()` on a loss built from them to get gradients for every parameter.
    pub fn forward_train(&self, input: &ForwardInput) -> Result<Tensor> {
        let hidden = self.hidden(input, None, Mode::Training)?;
        self.lm_head(&hidden, Mode::Training)
    }

    /// Differentiable logits for columns `start..start + len` only, to skip `lm_head` on prompts.
    pub fn forward_train_columns(
        &self,
        input: &ForwardInput,
        start: usize,
        len: usize,
    ) -> Result<Tensor> {
        let hidden = self.hidden(input, None, Mode::Training)?;
        self.lm_head(&hidden.narrow(1, start, len)?, Mode::Training)
    }

    fn lm_head(&self, hidden: &Tensor, mode: Mode) -> Result<Tensor> {
        let (b, t, h) = hidden.dims3()?;
        let weight = take(&self.lm_head, mode);
        Ok(hidden.reshape((b * t, h))?.matmul(&weight.t()?)?.reshape((
            b,
            t,
            self.config.vocab_size,
        ))?)
    }

    /// Final-norm hidden states `[batch, new_len, hidden]`.
    fn hidden(
        &self,
        input: &ForwardInput,
        mut cache: Option<&mut KvCache>,
        mode: Mode,
    ) -> Result<Tensor> {
        let (b, t, s) = input.shape()?;
        let past = cache.as_ref().map_or(0, |c| c.len());
        if past + t != s {
            return Err(Error::InvalidRequest(format!(
                "attention mask covers {s} columns but cache holds {past} and {t} are new"
            )));
        }
        let ids: Vec<u32> = input.input_ids.concat();
        if let Some(bad) = ids
            .iter()
            .find(|&&id| id as usize >= self.config.vocab_size)
        {
            return Err(Error::InvalidRequest(format!(
                "token id {bad} out of vocabulary of {}",
                self.config.vocab_size
            )));
        }
        let ids = Tensor::from_vec(ids, b * t, &self.device)?;
        let mut x = take(&self.embed_tokens, mode)
            .index_select(&ids, 0)?
            .reshape((b, t, self.config.hidden_size))?;
        let (cos, sin) = self.rope_tables(&input.positions, mode)?;
        let bias = self.attention_bias(&input.attention_mask, past, t)?;
        let ctx = Context {
            cos: &cos,
            sin: &sin,
            bias: &bias,
            mode,
        };
        for (index, layer) in self.layers.iter().enumerate() {
            let slot = cache.as_deref_mut().map(|c| &mut c.layers[index]);
            x = layer.forward(&x, &self.config, &ctx, slot)?;
        }
        rms_norm(&x, &self.norm, self.config.rms_norm_eps, mode)
    }

    /// RoPE tables from each row's positions (constants, computed on the host). Inference: `cos`,
    /// `sin` of `[b, t, head_dim / 2]` for the fused kernel. Training: `[cos, cos]` and
    /// `[-sin, sin]` of `[b, 1, t, head_dim]`, ready to broadcast over heads.
    fn rope_tables(&self, positions: &[Vec<u32>], mode: Mode) -> Result<(Tensor, Tensor)> {
        let (b, t, half) = (positions.len(), positions[0].len(), self.inv_freq.len());
        let width = match mode {
            Mode::Inference => half,
            Mode::Training => 2 * half,
        };
        let mut cos = Vec::with_capacity(b * t * width);
        let mut sin = Vec::with_capacity(b * t * width);
        let mut row_cos = Vec::with_capacity(half);
        let mut row_sin = Vec::with_capacity(half);
        for &position in positions.iter().flatten() {
            row_cos.clear();
            row_sin.clear();
            for &freq in &self.inv_freq {
                // f32 angle as transformers computes it (position * inv_freq in float32).
                let angle = f64::from(f64::from(position) as f32 * freq as f32);
                row_cos.push(angle.cos() as f32);
                row_sin.push(angle.sin() as f32);
            }
            cos.extend_from_slice(&row_cos);
            match mode {
                Mode::Inference => sin.extend_from_slice(&row_sin),
                Mode::Training => {
                    cos.extend_from_slice(&row_cos);
                    sin.extend(row_sin.iter().map(|v| -v));
                    sin.extend_from_slice(&row_sin);
                }
            }
        }
        let shape: &[usize] = match mode {
            Mode::Inference => &[b, t, half],
            Mode::Training => &[b, 1, t, 2 * half],
        };
        Ok((
            Tensor::from_vec(cos, shape, &self.device)?,
            Tensor::from_vec(sin, shape, &self.device)?,
        ))
    }

    /// Causal + key-padding bias `[b, 1, 1, t, past + t]`: query `i` sees key `j` iff `j <= past + i` and `mask[j] = 1`.
    fn attention_bias(&self, mask: &[Vec<u8>], past: usize, t: usize) -> Result<Tensor> {
        let (b, s) = (mask.len(), past + t);
        let mut bias = Vec::with_capacity(b * t * s);
        for row in mask {
            for i in 0..t {
                bias.extend(
                    row.iter()
                        .enumerate()
                        .map(|(j, &m)| if j <= past + i && m != 0 { 0.0 } else { MASKED }),
                );
            }
        }
        Ok(Tensor::from_vec(bias, (b, 1, 1, t, s), &self.device)?.to_dtype(DType::F32)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Gradient of `sum(f(x) * weights)` with respect to `x`.
    fn grad_of(f: impl Fn(&Tensor) -> Tensor, x: &Var, weights: &Tensor) -> Vec<f32> {
        let loss = (f(x.as_tensor()) * weights).unwrap().sum_all().unwrap();
        let grads = loss.backward().unwrap();
        grads
            .get(x.as_tensor())
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap()
    }

    fn assert_close(a: &[f32], b: &[f32]) {
        let worst = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-5, "max abs difference {worst}");
    }

    #[test]
    fn training_ops_match_candle_reference_values_and_gradients() {
        let device = Device::Cpu;
        let x = Var::from_tensor(&(Tensor::randn(0f32, 3.0, (2, 3, 7), &device).unwrap())).unwrap();
        let weights = Tensor::randn(0f32, 1.0, (2, 3, 7), &device).unwrap();
        let value = |t: Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let ours = |t: &Tensor| softmax_last_dim(t).unwrap();
        let reference = |t: &Tensor| candle_nn::ops::softmax(t, D::Minus1).unwrap();
        assert_close(
            &value(ours(x.as_tensor())),
            &value(reference(x.as_tensor())),
        );
        assert_close(
            &grad_of(ours, &x, &weights),
            &grad_of(reference, &x, &weights),
        );
        let ours = |t: &Tensor| log_softmax_last_dim(t).unwrap();
        let reference = |t: &Tensor| candle_nn::ops::log_softmax(t, D::Minus1).unwrap();
        assert_close(
            &value(ours(x.as_tensor())),
            &value(reference(x.as_tensor())),
        );
        assert_close(
            &grad_of(ours, &x, &weights),
            &grad_of(reference, &x, &weights),
        );
        let gain = Var::from_tensor(&Tensor::randn(1f32, 0.1, 7, &device).unwrap()).unwrap();
        let ours = |t: &Tensor| rms_norm(t, &gain, 1e-6, Mode::Training).unwrap();
        let fused = |t: &Tensor| rms_norm(t, &gain, 1e-6, Mode::Inference).unwrap();
        let reference =
            |t: &Tensor| candle_nn::ops::rms_norm_slow(t, gain.as_tensor(), 1e-6).unwrap();
        assert_close(&value(ours(x.as_tensor())), &value(fused(x.as_tensor())));
        assert_close(
            &grad_of(ours, &x, &weights),
            &grad_of(reference, &x, &weights),
        );
    }

    proptest! {
        #[test]
        fn positions_count_real_tokens(pad in 0usize..6, real in 0usize..12, trailing in 0usize..3) {
            let mask: Vec<u8> = std::iter::repeat_n(0, pad).chain(std::iter::repeat_n(1, real)).chain(std::iter::repeat_n(0, trailing)).collect();
            let positions = positions_from_mask(&mask);
            prop_assert_eq!(positions.len(), mask.len());
            prop_assert!(positions[..pad].iter().all(|&p| p == 0));
            let expected: Vec<u32> = (0..real as u32).collect();
            prop_assert_eq!(&positions[pad..pad + real], expected.as_slice());
            prop_assert!(positions.windows(2).all(|w| w[1] >= w[0]));
        }
    }

    #[test]
    fn positions_follow_cumsum_of_mask() {
        assert_eq!(positions_from_mask(&[0, 0, 1, 1, 1]), vec![0, 0, 0, 1, 2]);
        assert_eq!(positions_from_mask(&[1, 1, 0]), vec![0, 1, 1]);
        assert_eq!(positions_from_mask(&[]), Vec::<u32>::new());
    }
}
