//! Frozen guest ABI of `proctor:verifier@0.1.0` (`wit/0.1.0`): component types and typed calls.
//!
//! When the package moves on, a sibling module (`abi_v0_2`) is added next to this one and
//! [`crate::host`] dispatches on the version a component imports; this file does not change.

use wasmtime::Store;
use wasmtime::component::{ComponentExportIndex, ComponentType, Instance, Lift, Lower};

use crate::call::CallState;
use crate::types::{Status, Task, Verdict};

/// The WIT package this module speaks.
pub(crate) const PACKAGE: &str = "proctor:verifier@0.1.0";

/// Task as lowered into the guest (borrowed, no copies on the host side).
#[derive(ComponentType, Lower)]
#[component(record)]
struct TaskIn<'a> {
    id: &'a str,
    prompt: &'a str,
    reference: Option<&'a str>,
    metadata: &'a str,
}

/// Task as lifted out of the guest (from `generate`).
#[derive(ComponentType, Lift)]
#[component(record)]
struct TaskOut {
    id: String,
    prompt: String,
    reference: Option<String>,
    metadata: String,
}

#[derive(ComponentType, Lift, Clone, Copy)]
#[component(enum)]
#[allow(dead_code, reason = "variants are constructed by the `Lift` derive")]
#[repr(u8)]
enum StatusOut {
    #[component(name = "correct")]
    Correct,
    #[component(name = "incorrect")]
    Incorrect,
    #[component(name = "partial")]
    Partial,
    #[component(name = "unparsable")]
    Unparsable,
    #[component(name = "invalid-task")]
    InvalidTask,
}

#[derive(ComponentType, Lift)]
#[component(record)]
struct VerdictOut {
    score: f64,
    status: StatusOut,
    detail: String,
}

#[derive(ComponentType, Lift)]
#[component(record)]
struct PluginInfoOut {
    name: String,
    version: String,
    kinds: Vec<String>,
}

/// What `info()` returned, before the host adds what it found out itself.
pub(crate) struct GuestInfo {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) kinds: Vec<String>,
}

/// Export indices of one 0.1 component, looked up once at load.
#[derive(Clone, Copy)]
pub(crate) struct Exports {
    pub(crate) info: ComponentExportIndex,
    pub(crate) verify: ComponentExportIndex,
    pub(crate) generate: Option<ComponentExportIndex>,
}

impl Exports {
    /// Check on a live instance that every export has the 0.1 signature.
    pub(crate) fn typecheck(
        &self,
        store: &mut Store<CallState>,
        instance: &Instance,
    ) -> wasmtime::Result<()> {
        instance
            .get_typed_func::<(), (PluginInfoOut,)>(&mut *store, &self.info)
            .map_err(|error| error.context("export `info` has the wrong signature"))?;
        instance
            .get_typed_func::<(TaskIn<'_>, &str), (VerdictOut,)>(&mut *store, &self.verify)
            .map_err(|error| error.context("export `verify` has the wrong signature"))?;
        if let Some(generate) = &self.generate {
            instance
                .get_typed_func::<(&str, u64, u32), (Result<TaskOut, String>,)>(
                    &mut *store,
                    generate,
                )
                .map_err(|error| error.context("export `generate` has the wrong signature"))?;
        }
        Ok(())
    }

    /// Call `info()`.
    pub(crate) fn info(
        &self,
        store: &mut Store<CallState>,
        instance: &Instance,
    ) -> wasmtime::Result<GuestInfo> {
        let func = instance.get_typed_func::<(), (PluginInfoOut,)>(&mut *store, &self.info)?;
        let (info,) = func.call(&mut *store, ())?;
        Ok(GuestInfo {
            name: info.name,
            version: info.version,
            kinds: info.kinds,
        })
    }

    /// Call `verify(task, response)`; the verdict is not yet checked against the contract.
    pub(crate) fn verify(
        &self,
        store: &mut Store<CallState>,
        instance: &Instance,
        task: &Task,
        response: &str,
    ) -> wasmtime::Result<Verdict> {
        let func = instance
            .get_typed_func::<(TaskIn<'_>, &str), (VerdictOut,)>(&mut *store, &self.verify)?;
        let task_in = TaskIn {
            id: &task.id,
            prompt: &task.prompt,
            reference: task.reference.as_deref(),
            metadata: &task.metadata,
        };
        let (verdict,) = func.call(&mut *store, (task_in, response))?;
        let status = match verdict.status {
            StatusOut::Correct => Status::Correct,
            StatusOut::Incorrect => Status::Incorrect,
            StatusOut::Partial => Status::Partial,
            StatusOut::Unparsable => Status::Unparsable,
            StatusOut::InvalidTask => Status::InvalidTask,
        };
        Ok(Verdict {
            score: verdict.score,
            status,
            detail: verdict.detail,
        })
    }

    /// Call `generate(kind, seed, difficulty)`; `None` when the component has no `generate`.
    pub(crate) fn generate(
        &self,
        store: &mut Store<CallState>,
        instance: &Instance,
        kind: &str,
        seed: u64,
        difficulty: u32,
    ) -> Option<wasmtime::Result<Result<Task, String>>> {
        let index = self.generate.as_ref()?;
        let func = match instance
            .get_typed_func::<(&str, u64, u32), (Result<TaskOut, String>,)>(&mut *store, index)
        {
            Ok(func) => func,
            Err(error) => return Some(Err(error)),
        };
        let outcome = func
            .call(&mut *store, (kind, seed, difficulty))
            .map(|(outcome,)| {
                outcome.map(|task| Task {
                    id: task.id,
                    prompt: task.prompt,
                    reference: task.reference,
                    metadata: task.metadata,
                })
            });
        Some(outcome)
    }
}
