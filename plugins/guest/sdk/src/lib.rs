//! proctor-guest-sdk: write a proctor verifier or environment plugin in Rust in a few lines.
//!
//! Bindings for `proctor:verifier@0.1.0` (`wit/0.1.0`) are generated with wit-bindgen. A plugin
//! implements [`Verifier`] (or [`Environment`]) and exports it with [`export_verifier!`] (or
//! [`export_environment!`]); build it for `wasm32-unknown-unknown` and componentize it (see
//! `plugins/README.md`). Checking logic should live in plain functions so it can be unit-tested
//! natively.
//!
//! ```
//! use proctor_guest_sdk::{export_verifier, PluginInfo, Task, Verdict, Verifier};
//!
//! struct Echo;
//! impl Verifier for Echo {
//!     fn info() -> PluginInfo { PluginInfo::new("echo", "0.1.0", &["echo"]) }
//!     fn verify(task: Task, response: String) -> Verdict {
//!         if task.reference.as_deref() == Some(response.trim()) { Verdict::correct("match") }
//!         else { Verdict::incorrect("mismatch") }
//!     }
//! }
//! export_verifier!(Echo);
//! ```

/// Bindings of world `verifier` (types shared with [`environment_world`]).
#[doc(hidden)]
pub mod verifier_world {
    wit_bindgen::generate!({
        path: "../../../wit/0.1.0",
        world: "verifier",
        pub_export_macro: true,
        export_macro_name: "export_verifier_world",
        default_bindings_module: "proctor_guest_sdk::verifier_world",
    });
}

/// Bindings of world `environment`, reusing the types of [`verifier_world`].
#[doc(hidden)]
pub mod environment_world {
    wit_bindgen::generate!({
        path: "../../../wit/0.1.0",
        world: "environment",
        pub_export_macro: true,
        export_macro_name: "export_environment_world",
        default_bindings_module: "proctor_guest_sdk::environment_world",
        with: { "proctor:verifier/types@0.1.0": crate::verifier_world::proctor::verifier::types },
    });
}

pub use verifier_world::proctor::verifier::types::{PluginInfo, Status, Task, Verdict};

/// A reward function: `info` and `verify` (WIT world `verifier`).
pub use verifier_world::Guest as Verifier;

/// A task family: `info`, `verify` and `generate` (WIT world `environment`).
pub use environment_world::Guest as Environment;

/// The WIT package these bindings were generated from.
pub const PACKAGE: &str = "proctor:verifier@0.1.0";

impl PluginInfo {
    /// Info for a plugin called `name` at `version` handling `kinds`.
    pub fn new(name: &str, version: &str, kinds: &[&str]) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            kinds: kinds.iter().map(|kind| (*kind).into()).collect(),
        }
    }
}

impl Verdict {
    /// Score 1, status `correct`.
    pub fn correct(detail: impl Into<String>) -> Self {
        Self {
            score: 1.0,
            status: Status::Correct,
            detail: detail.into(),
        }
    }
    /// Score 0, status `incorrect`.
    pub fn incorrect(detail: impl Into<String>) -> Self {
        Self {
            score: 0.0,
            status: Status::Incorrect,
            detail: detail.into(),
        }
    }
    /// Status `partial` with `score` clamped into [0, 1] (NaN becomes 0).
    pub fn partial(score: f64, detail: impl Into<String>) -> Self {
        let score = if score.is_nan() {
            0.0
        } else {
            score.clamp(0.0, 1.0)
        };
        Self {
            score,
            status: Status::Partial,
            detail: detail.into(),
        }
    }
    /// Score 0, status `unparsable`: no answer could be extracted.
    pub fn unparsable(detail: impl Into<String>) -> Self {
        Self {
            score: 0.0,
            status: Status::Unparsable,
            detail: detail.into(),
        }
    }
    /// Score 0, status `invalid-task`: the task is malformed for this plugin.
    pub fn invalid_task(detail: impl Into<String>) -> Self {
        Self {
            score: 0.0,
            status: Status::InvalidTask,
            detail: detail.into(),
        }
    }
}

/// Export a [`Verifier`] implementation as the component's `verifier` world.
#[macro_export]
macro_rules! export_verifier {
    ($plugin:ident) => {
        $crate::verifier_world::export_verifier_world!($plugin with_types_in $crate::verifier_world);
    };
}

/// Export an [`Environment`] implementation as the component's `environment` world.
#[macro_export]
macro_rules! export_environment {
    ($plugin:ident) => {
        $crate::environment_world::export_environment_world!($plugin with_types_in $crate::environment_world);
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_scores_are_clamped() {
        assert_eq!(Verdict::partial(1.5, "").score, 1.0);
        assert_eq!(Verdict::partial(-1.0, "").score, 0.0);
        assert_eq!(Verdict::partial(f64::NAN, "").score, 0.0);
        assert_eq!(Verdict::partial(0.25, "").score, 0.25);
    }
}
