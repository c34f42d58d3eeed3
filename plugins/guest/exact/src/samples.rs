//! Representative `(reference, response)` inputs, shared by the benchmarks that compare this
//! checker compiled natively with the same checker compiled to wasm.

/// The short input: the one the host's `verify/*` benchmarks use.
pub const SHORT: (&str, &str) = ("42", "The answer is 42");

/// A typical chain-of-thought response (GSM8K style, ~480 bytes) ending in `\boxed{…}`: the
/// checker scans all of it for the answer markers.
pub const LONG: (&str, &str) = (
    "72",
    "Let's think step by step. Natalia sold 48 clips in April. In May she sold half as many \
     clips as in April, so she sold 48 / 2 = 24 clips in May. Altogether she sold 48 + 24 = 72 \
     clips in April and May. To double-check: half of 48 is 24, and 48 + 24 is 72, which \
     matches the sum computed above. The question asks how many clips she sold altogether in \
     April and May, so the final answer is the total of the two months, which we found to be \
     72 clips. So the answer is \\boxed{72}.",
);
