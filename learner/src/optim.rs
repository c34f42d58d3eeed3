//! AdamW with decoupled weight decay and bias correction, warmup + cosine/constant learning rate, gradient accumulation and global-norm clipping.

use std::collections::{BTreeMap, HashMap};

use proctor_models::Params;
use proctor_models::candle_core::backprop::GradStore;
use proctor_models::candle_core::{DType, Tensor, Var};

use crate::config::{LearnerConfig, Schedule};
use crate::error::{Error, Result};
use crate::loss::scalar;

/// Learning rate as a function of the optimizer step: linear warmup, then constant or cosine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LrSchedule {
    /// Peak learning rate.
    pub peak: f64,
    /// Shape after warmup.
    pub schedule: Schedule,
    /// Warmup steps.
    pub warmup_steps: u64,
    /// Cosine length.
    pub total_steps: u64,
    /// Final fraction of `peak` for cosine.
    pub min_lr_ratio: f64,
}

impl LrSchedule {
    /// The schedule a learner config describes.
    pub fn from_config(config: &LearnerConfig) -> Self {
        LrSchedule {
            peak: config.lr,
            schedule: config.schedule,
            warmup_steps: config.warmup_steps,
            total_steps: config.total_steps,
            min_lr_ratio: config.min_lr_ratio,
        }
    }

    /// Learning rate of the update with 0-based index `step` (warmup reaches `peak` at its last step).
    pub fn lr_at(&self, step: u64) -> f64 {
        if step < self.warmup_steps {
            return self.peak * (step + 1) as f64 / self.warmup_steps as f64;
        }
        match self.schedule {
            Schedule::Constant => self.peak,
            Schedule::Cosine => {
                let span = self.total_steps.saturating_sub(self.warmup_steps).max(1) as f64;
                let progress = ((step - self.warmup_steps) as f64 / span).min(1.0);
                let floor = self.peak * self.min_lr_ratio;
                floor + (self.peak - floor) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
            }
        }
    }
}

/// Gradients summed over micro-batches, aligned with the optimizer's parameters.
#[derive(Debug)]
pub struct GradAccumulator {
    grads: Vec<Option<Tensor>>,
}

impl GradAccumulator {
    /// Adds the gradients `backward()` produced for the optimizer's variables.
    pub fn add(&mut self, optimizer: &AdamW, store: &GradStore) -> Result<()> {
        for (slot, (_, var)) in self.grads.iter_mut().zip(&optimizer.vars) {
            if let Some(grad) = store.get(var.as_tensor()) {
                *slot = Some(match slot.take() {
                    Some(sum) => (sum + grad)?,
                    None => grad.detach(),
                });
            }
        }
        Ok(())
    }

    /// `sqrt(Σ ‖g‖²)` over every parameter's gradient.
    pub fn global_norm(&self) -> Result<f64> {
        let mut sum_sq = 0.0;
        for grad in self.grads.iter().flatten() {
            sum_sq += scalar(&grad.to_dtype(DType::F64)?.sqr()?.sum_all()?)?;
        }
        Ok(sum_sq.sqrt())
    }

    /// Scales all gradients so their global norm is at most `max_norm` (0 = no clipping);
    /// returns the norm before clipping. A non-finite norm is an error: the step must not be applied.
    pub fn clip(&mut self, max_norm: f64) -> Result<f64> {
        let norm = self.global_norm()?;
        if !norm.is_finite() {
            return Err(Error::NonFinite(format!("gradient norm {norm}")));
        }
        if max_norm > 0.0 && norm > max_norm {
            let factor = max_norm / (norm + 1e-6);
            for grad in self.grads.iter_mut().flatten() {
                *grad = (&*grad * factor)?;
            }
        }
        Ok(norm)
    }
}

/// AdamW hyper-parameters other than the learning rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamWSettings {
    /// β1.
    pub beta1: f64,
    /// β2.
    pub beta2: f64,
    /// ε added to the denominator.
    pub eps: f64,
    /// Decoupled weight decay, applied to tensors of rank ≥ 2 (not to norms and biases).
    pub weight_decay: f64,
}

impl AdamWSettings {
    /// The settings a learner config describes.
    pub fn from_config(config: &LearnerConfig) -> Self {
        AdamWSettings {
            beta1: config.beta1,
            beta2: config.beta2,
            eps: config.eps,
            weight_decay: config.weight_decay,
        }
    }
}

/// AdamW over a model's variables, as `torch.optim.AdamW` computes it; state saves and loads exactly.
#[derive(Debug)]
pub struct AdamW {
    vars: Vec<(String, Var)>,
    exp_avg: Vec<Tensor>,
    exp_avg_sq: Vec<Tensor>,
    step: u64,
    settings: AdamWSettings,
}

impl AdamW {
    /// An optimizer with zero moments over every variable of `params`.
    pub fn new(params: &Params, settings: AdamWSettings) -> Result<Self> {
        let vars: Vec<(String, Var)> = params
            .iter()
            .map(|(name, var)| (name.to_string(), var.clone()))
            .collect();
        let zeros = |var: &Var| var.as_tensor().zeros_like();
        Ok(AdamW {
            exp_avg: vars
                .iter()
                .map(|(_, v)| zeros(v))
                .collect::<std::result::Result<_, _>>()?,
            exp_avg_sq: vars
                .iter()
                .map(|(_, v)| zeros(v))
                .collect::<std::result::Result<_, _>>()?,
            vars,
            step: 0,
            settings,
        })
    }

    /// An empty accumulator for this optimizer's parameters.
    pub fn accumulator(&self) -> GradAccumulator {
        GradAccumulator {
            grads: vec![None; self.vars.len()],
        }
    }

    /// Updates made since creation or the last [`AdamW::reset`] (drives bias correction).
    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// Applies one update with learning rate `lr`; parameters without a gradient are left alone.
    pub fn step(&mut self, grads: &GradAccumulator, lr: f64) -> Result<()> {
        self.step += 1;
        let s = self.settings;
        let t = self.step as i32;
        let step_size = lr / (1.0 - s.beta1.powi(t));
        let bias_correction2_sqrt = (1.0 - s.beta2.powi(t)).sqrt();
        for (index, grad) in grads.grads.iter().enumerate() {
            let Some(grad) = grad else { continue };
            let var = &self.vars[index].1;
            let mut param = var.as_tensor().detach();
            if s.weight_decay != 0.0 && var.rank() >= 2 {
                param = (param * (1.0 - lr * s.weight_decay))?;
            }
            let m = ((&self.exp_avg[index] * s.beta1)? + (grad * (1.0 - s.beta1))?)?;
            let v = ((&self.exp_avg_sq[index] * s.beta2)? + (grad.sqr()? * (1.0 - s.beta2))?)?;
            let denom = ((v.sqrt()? / bias_correction2_sqrt)? + s.eps)?;
            let updated = (param - ((&m / &denom)? * step_size)?)?;
            var.set(&updated)?;
            self.exp_avg[index] = m;
            self.exp_avg_sq[index] = v;
        }
        Ok(())
    }

    /// Forgets the moments and the step count (ProRL's hard reset).
    pub fn reset(&mut self) -> Result<()> {
        for tensor in self.exp_avg.iter_mut().chain(self.exp_avg_sq.iter_mut()) {
            *tensor = tensor.zeros_like()?;
        }
        self.step = 0;
        Ok(())
    }

    /// `sqrt(Σ ‖p‖²)` over the parameters.
    pub fn param_norm(&self) -> Result<f64> {
        let mut sum_sq = 0.0;
        for (_, var) in &self.vars {
            sum_sq += scalar(&var.as_tensor().to_dtype(DType::F64)?.sqr()?.sum_all()?)?;
        }
        Ok(sum_sq.sqrt())
    }

    /// The moments keyed `exp_avg.NAME` / `exp_avg_sq.NAME` (for a safetensors file); pair with [`AdamW::step_count`].
    pub fn state_tensors(&self) -> BTreeMap<String, Tensor> {
        let mut state = BTreeMap::new();
        for (index, (name, _)) in self.vars.iter().enumerate() {
            state.insert(format!("exp_avg.{name}"), self.exp_avg[index].clone());
            state.insert(format!("exp_avg_sq.{name}"), self.exp_avg_sq[index].clone());
        }
        state
    }

    /// Restores moments saved by [`AdamW::state_tensors`] and the step count; every name and shape must match.
    pub fn load_state(&mut self, mut tensors: HashMap<String, Tensor>, step: u64) -> Result<()> {
        let mut exp_avg = Vec::with_capacity(self.vars.len());
        let mut exp_avg_sq = Vec::with_capacity(self.vars.len());
        for (name, var) in &self.vars {
            for (prefix, out) in [("exp_avg", &mut exp_avg), ("exp_avg_sq", &mut exp_avg_sq)] {
                let key = format!("{prefix}.{name}");
                let tensor = tensors
                    .remove(&key)
                    .ok_or_else(|| Error::OptimizerState(format!("missing tensor {key}")))?;
                if tensor.dims() != var.dims() {
                    return Err(Error::OptimizerState(format!(
                        "tensor {key} has shape {:?}, expected {:?}",
                        tensor.dims(),
                        var.dims()
                    )));
                }
                out.push(tensor.to_dtype(var.dtype())?.to_device(var.device())?);
            }
        }
        if let Some(extra) = tensors.keys().next() {
            return Err(Error::OptimizerState(format!("unknown tensor {extra}")));
        }
        self.exp_avg = exp_avg;
        self.exp_avg_sq = exp_avg_sq;
        self.step = step;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proctor_models::candle_core::Device;

    fn params() -> Params {
        let mut vars = BTreeMap::new();
        let matrix = Tensor::new(&[[1.0f32, -2.0]], &Device::Cpu).unwrap();
        let norm = Tensor::new(&[0.5f32], &Device::Cpu).unwrap();
        vars.insert("w".to_string(), Var::from_tensor(&matrix).unwrap());
        vars.insert("norm".to_string(), Var::from_tensor(&norm).unwrap());
        Params::new(vars, Device::Cpu)
    }

    /// Gradients of `Σ c·p` for the given constants, through autograd.
    fn grads_for(optimizer: &AdamW, params: &Params, w: [f32; 2], norm: f32) -> GradAccumulator {
        let cw = Tensor::new(&[w], &Device::Cpu).unwrap();
        let cn = Tensor::new(&[norm], &Device::Cpu).unwrap();
        let loss = ((params.var("w").unwrap().as_tensor() * cw)
            .unwrap()
            .sum_all()
            .unwrap()
            + (params.var("norm").unwrap().as_tensor() * cn)
                .unwrap()
                .sum_all()
                .unwrap())
        .unwrap();
        let mut acc = optimizer.accumulator();
        acc.add(optimizer, &loss.backward().unwrap()).unwrap();
        acc
    }

    fn values(params: &Params, name: &str) -> Vec<f32> {
        params
            .var(name)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap()
    }

    #[test]
    fn adamw_matches_hand_computed_steps() {
        let params = params();
        let settings = AdamWSettings {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.01,
        };
        let mut optimizer = AdamW::new(&params, settings).unwrap();
        let grads = grads_for(&optimizer, &params, [0.5, 0.1], 0.2);
        optimizer.step(&grads, 0.1).unwrap();
        // Step 1: p·(1 - 0.1·0.01), m̂ = g, v̂ = g², so the update is lr·g/(|g| + ε) ≈ ±0.1.
        let w = values(&params, "w");
        assert!((w[0] - (0.999 - 0.1)).abs() < 1e-6, "{w:?}");
        assert!((w[1] - (-1.998 - 0.1)).abs() < 1e-6, "{w:?}");
        // The norm weight gets no decay.
        assert!((values(&params, "norm")[0] - 0.4).abs() < 1e-6);

        // Step 2 with g = [-0.5, 0.1], written out in f64.
        let grads = grads_for(&optimizer, &params, [-0.5, 0.1], 0.2);
        optimizer.step(&grads, 0.05).unwrap();
        let reference = |p1: f64, g1: f64, g2: f64, decay: bool| {
            let (b1, b2, lr) = (0.9f64, 0.999f64, 0.05f64);
            let m = b1 * (1.0 - b1) * g1 + (1.0 - b1) * g2;
            let v = b2 * (1.0 - b2) * g1 * g1 + (1.0 - b2) * g2 * g2;
            let p = if decay { p1 * (1.0 - lr * 0.01) } else { p1 };
            let denom = v.sqrt() / (1.0 - b2 * b2).sqrt() + 1e-8;
            p - lr / (1.0 - b1 * b1) * m / denom
        };
        let w = values(&params, "w");
        let p1 = [
            0.999 - 0.5 / (0.5 + 1e-8) * 0.1,
            -1.998 - 0.1 / (0.1 + 1e-8) * 0.1,
        ];
        assert!((f64::from(w[0]) - reference(p1[0], 0.5, -0.5, true)).abs() < 1e-6);
        assert!((f64::from(w[1]) - reference(p1[1], 0.1, 0.1, true)).abs() < 1e-6);
        assert_eq!(optimizer.step_count(), 2);

        // Save, change, reload: identical moments; reset zeroes them.
        let saved: HashMap<String, Tensor> = optimizer.state_tensors().into_iter().collect();
        let mut other = AdamW::new(&params, settings).unwrap();
        other.load_state(saved.clone(), 2).unwrap();
        for (key, tensor) in other.state_tensors() {
            assert_eq!(
                tensor.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
                saved[&key].flatten_all().unwrap().to_vec1::<f32>().unwrap()
            );
        }
        let mut missing = saved.clone();
        missing.remove("exp_avg.w");
        assert!(
            other
                .load_state(missing, 2)
                .unwrap_err()
                .to_string()
                .contains("exp_avg.w")
        );
        other.reset().unwrap();
        assert_eq!(other.step_count(), 0);
        assert!(other.state_tensors().values().all(|t| {
            t.abs()
                .unwrap()
                .sum_all()
                .unwrap()
                .to_scalar::<f32>()
                .unwrap()
                == 0.0
        }));
    }

    #[test]
    fn accumulation_sums_and_clipping_bounds_the_norm() {
        let params = params();
        let optimizer = AdamW::new(
            &params,
            AdamWSettings::from_config(&LearnerConfig::default()),
        )
        .unwrap();
        let mut acc = grads_for(&optimizer, &params, [3.0, 0.0], 0.0);
        let second = grads_for(&optimizer, &params, [0.0, 4.0], 0.0);
        acc.add(&optimizer, &{
            let cw = Tensor::new(&[[0.0f32, 4.0]], &Device::Cpu).unwrap();
            (params.var("w").unwrap().as_tensor() * cw)
                .unwrap()
                .sum_all()
                .unwrap()
                .backward()
                .unwrap()
        })
        .unwrap();
        assert!((second.global_norm().unwrap() - 4.0).abs() < 1e-9);
        assert!((acc.global_norm().unwrap() - 5.0).abs() < 1e-6);
        assert!((acc.clip(1.0).unwrap() - 5.0).abs() < 1e-6);
        assert!((acc.global_norm().unwrap() - 1.0).abs() < 1e-5);
        assert!((acc.clip(0.0).unwrap() - 1.0).abs() < 1e-5);
    }

    #[test]
    fn schedules_warm_up_and_decay() {
        let mut schedule = LrSchedule {
            peak: 1.0,
            schedule: Schedule::Cosine,
            warmup_steps: 2,
            total_steps: 6,
            min_lr_ratio: 0.1,
        };
        let lrs: Vec<f64> = (0..8).map(|s| schedule.lr_at(s)).collect();
        assert_eq!(lrs[0], 0.5);
        assert_eq!(lrs[1], 1.0);
        assert_eq!(lrs[2], 1.0);
        assert!((lrs[4] - 0.55).abs() < 1e-12, "{lrs:?}");
        assert!((lrs[6] - 0.1).abs() < 1e-12 && (lrs[7] - 0.1).abs() < 1e-12);
        schedule.schedule = Schedule::Constant;
        assert_eq!(schedule.lr_at(100), 1.0);
    }
}
