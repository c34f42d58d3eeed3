//! What this build and machine offer, as the topology validator needs to know it.

use proctor_topology::ValidationContext;

/// The validation context for this process: its CUDA devices and built-ins.
pub fn validation_context() -> ValidationContext {
    let cuda = proctor_kernels::cuda_availability();
    ValidationContext {
        cuda_devices: cuda.count,
        cuda_note: cuda.note,
        builtin_models: proctor_models::BUILTIN_NAMES
            .iter()
            .map(ToString::to_string)
            .collect(),
        builtin_plugins: proctor_plugin_host::BUILTINS
            .iter()
            .map(|builtin| builtin.name.to_string())
            .collect(),
        check_files: true,
    }
}
