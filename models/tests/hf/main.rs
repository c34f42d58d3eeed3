//! Integration tests against Hugging Face checkpoints: the transformers-made fixture, loading, saving, generation.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions panic on broken fixtures by design

mod fixture;
mod generation;
mod gradients;
mod loading;
mod parity;
