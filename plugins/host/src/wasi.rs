//! WASI 0.2 for guests that import it, with nothing granted and stdio captured.

use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::call::CallState;

/// WASI context of one store: no files, no env, no args, no network, empty stdin,
/// deterministic randomness, stdout/stderr into capped in-memory pipes.
pub(crate) struct WasiState {
    ctx: WasiCtx,
    table: ResourceTable,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
}

impl WasiState {
    /// A context whose stdout and stderr each keep at most `max_log_bytes`.
    pub(crate) fn new(max_log_bytes: usize) -> Self {
        let stdout = MemoryOutputPipe::new(max_log_bytes);
        let stderr = MemoryOutputPipe::new(max_log_bytes);
        let ctx = WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .socket_addr_check(|_, _| Box::pin(async { false }))
            // Verifiers must be pure functions of their inputs: randomness is a fixed stream.
            .secure_random(wasmtime_wasi::Deterministic::new(vec![
                0x5a, 0x17, 0xc3, 0x8e,
            ]))
            .insecure_random(wasmtime_wasi::Deterministic::new(vec![
                0x3c, 0x96, 0x01, 0xf0,
            ]))
            .insecure_random_seed(0)
            .build();
        Self {
            ctx,
            table: ResourceTable::new(),
            stdout,
            stderr,
        }
    }

    /// Captured stderr then stdout, lossy UTF-8, trimmed.
    pub(crate) fn captured(&self) -> String {
        let stderr = self.stderr.contents();
        let stdout = self.stdout.contents();
        let mut text = String::from_utf8_lossy(&stderr).trim().to_owned();
        let stdout_text = String::from_utf8_lossy(&stdout);
        if !stdout_text.trim().is_empty() {
            if !text.is_empty() {
                text.push_str(" | ");
            }
            text.push_str(stdout_text.trim());
        }
        text
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let wasi = self
            .wasi
            .as_mut()
            .expect("the WASI linker is only used for plugins whose stores carry a WASI context");
        WasiCtxView {
            ctx: &mut wasi.ctx,
            table: &mut wasi.table,
        }
    }
}

/// Add every WASI 0.2 interface to `linker` (synchronous bindings).
pub(crate) fn add_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_sync(linker)
}
