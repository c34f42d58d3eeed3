//! The registry of task families: one module per family, each with `generate` and `verify`.

mod base_conversion;
mod binary_matrix;
mod caesar_cipher;
mod countdown;
mod course_schedule;
mod cryptarithm;
mod family_relationships;
mod futoshiki;
mod game_of_life;
mod graph_color;
mod knights_knaves;
mod letter_counting;
mod maze;
mod n_queens;
mod number_sorting;
mod puzzle24;
mod rotate_matrix;
mod sat;
mod shortest_path;
mod spiral_matrix;
mod sudoku;
mod syllogism;
mod tower_of_hanoi;
mod word_ladder;
mod words;
mod zebra_puzzles;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::LogicVerdict;
use crate::rng::Rng;

/// What a family's generator returns; `lib.rs` adds the shared metadata fields.
pub(crate) struct Generated {
    /// Task text without the trailing `<answer>` instruction.
    pub prompt: String,
    /// One correct answer, in the format the prompt asks for.
    pub reference: String,
    /// A short example of the answer format, shown inside `<answer>` tags.
    pub format_example: String,
    /// The family's metadata object (everything its verifier needs).
    pub meta: Value,
}

/// A family's entry points.
pub(crate) struct Family {
    pub name: &'static str,
    pub generate: fn(&mut Rng, u32) -> Result<Generated, String>,
    pub verify: fn(&Value, &str) -> LogicVerdict,
}

macro_rules! registry {
    ($($name:literal => $module:ident :: { $gen:ident, $ver:ident }),* $(,)?) => {
        pub(crate) const FAMILIES: &[Family] = &[
            $(Family { name: $name, generate: $module::$gen, verify: $module::$ver }),*
        ];
        pub(crate) const KIND_NAMES: &[&str] = &[$($name),*];
    };
}

registry! {
    "knights_knaves" => knights_knaves::{generate, verify},
    "zebra_puzzles" => zebra_puzzles::{generate, verify},
    "countdown" => countdown::{generate, verify},
    "puzzle24" => puzzle24::{generate, verify},
    "mini_sudoku" => sudoku::{generate_mini, verify},
    "sudoku" => sudoku::{generate_full, verify},
    "futoshiki" => futoshiki::{generate, verify},
    "n_queens" => n_queens::{generate, verify},
    "graph_color" => graph_color::{generate, verify},
    "shortest_path" => shortest_path::{generate, verify},
    "maze" => maze::{generate, verify},
    "tower_of_hanoi" => tower_of_hanoi::{generate, verify},
    "cryptarithm" => cryptarithm::{generate, verify},
    "sat" => sat::{generate, verify},
    "syllogism" => syllogism::{generate, verify},
    "word_ladder" => word_ladder::{generate, verify},
    "caesar_cipher" => caesar_cipher::{generate, verify},
    "base_conversion" => base_conversion::{generate, verify},
    "letter_counting" => letter_counting::{generate, verify},
    "number_sorting" => number_sorting::{generate, verify},
    "family_relationships" => family_relationships::{generate, verify},
    "game_of_life" => game_of_life::{generate, verify},
    "binary_matrix" => binary_matrix::{generate, verify},
    "course_schedule" => course_schedule::{generate, verify},
    "rotate_matrix" => rotate_matrix::{generate, verify},
    "spiral_matrix" => spiral_matrix::{generate, verify},
}

/// The family named `kind`.
pub(crate) fn find(kind: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|family| family.name == kind)
}

/// Decodes a family's metadata struct, mapping failure to an invalid-task verdict.
pub(crate) fn decode<T: DeserializeOwned>(meta: &Value) -> Result<T, LogicVerdict> {
    T::deserialize(meta).map_err(|err| LogicVerdict::invalid_task(format!("bad metadata: {err}")))
}

/// Serializes a metadata struct (plain data, cannot fail).
pub(crate) fn encode<T: serde::Serialize>(meta: &T) -> Value {
    serde_json::to_value(meta).unwrap_or(Value::Null)
}

/// Scales `difficulty` into `low..=high`: `low + difficulty / per_step`, clamped.
pub(crate) fn scale(difficulty: u32, low: usize, high: usize, per_step: u32) -> usize {
    (low + (difficulty / per_step.max(1)) as usize).min(high)
}

/// Unwraps a decoded metadata struct or returns the invalid-task verdict.
macro_rules! meta_or_return {
    ($meta:expr) => {
        match crate::families::decode($meta) {
            Ok(decoded) => decoded,
            Err(verdict) => return verdict,
        }
    };
}
pub(crate) use meta_or_return;
