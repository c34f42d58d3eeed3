//! Which CUDA devices this process can use, asked once before a topology is accepted.

/// The CUDA devices visible to this build and process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CudaAvailability {
    /// Number of usable CUDA devices.
    pub count: usize,
    /// Why there are none (or fewer than expected), for error messages.
    pub note: Option<String>,
}

/// Reports the CUDA devices this build can drive.
///
/// This build carries no CUDA path, so it can drive none whatever the machine has; saying so lets
/// `proctor validate` reject `cuda:N` with the reason instead of failing an hour into a run.
pub fn cuda_availability() -> CudaAvailability {
    CudaAvailability {
        count: 0,
        note: Some("this build of proctor has no CUDA support".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cpu_build_reports_no_cuda_devices_and_says_why() {
        let availability = cuda_availability();
        assert_eq!(availability.count, 0);
        assert!(
            availability
                .note
                .is_some_and(|note| note.contains("no CUDA support"))
        );
    }
}
