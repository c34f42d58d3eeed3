//! What this build and machine offer, as the topology validator needs to know it.

use proctor_topology::ValidationContext;

/// Models embedded in this binary (`builtin:NAME`).
pub const BUILTIN_MODELS: &[&str] = &["tiny"];
/// Verifier plugins embedded in this binary (`builtin:NAME`).
pub const BUILTIN_PLUGINS: &[&str] = &["math"];

/// The validation context for this process: its CUDA devices and built-ins.
pub fn validation_context() -> ValidationContext {
    let cuda = proctor_kernels::cuda_availability();
    ValidationContext {
        cuda_devices: cuda.count,
        cuda_note: cuda.note,
        builtin_models: BUILTIN_MODELS.iter().map(ToString::to_string).collect(),
        builtin_plugins: BUILTIN_PLUGINS.iter().map(ToString::to_string).collect(),
        check_files: true,
    }
}
