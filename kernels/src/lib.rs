//! proctor's kernels: the RL hot paths (log-softmax-gather, clipped policy loss with KL, group
//! advantages) with a CPU path always and a CUDA path behind the `cuda` feature, plus discovery of
//! the devices a topology may name.
//!
//! This crate is the only one that talks to CUDA directly; everything above it asks it which
//! devices exist.

mod device;

pub use device::{CudaAvailability, cuda_availability};
