//! Test guests written as component-model text, compiled by the `wat` crate (no wasm toolchain).

/// The `proctor:verifier/types@{version}` import every guest carries, plus aliases.
fn types_import(version: &str) -> String {
    format!(
        r#"
  (type $types-t (instance
    (type $task-d (record (field "id" string) (field "prompt" string)
                          (field "reference" (option string)) (field "metadata" string)))
    (export "task" (type $task-e (eq $task-d)))
    (type $status-d (enum "correct" "incorrect" "partial" "unparsable" "invalid-task"))
    (export "status" (type $status-e (eq $status-d)))
    (type $verdict-d (record (field "score" f64) (field "status" $status-e) (field "detail" string)))
    (export "verdict" (type $verdict-e (eq $verdict-d)))
    (type $info-d (record (field "name" string) (field "version" string) (field "kinds" (list string))))
    (export "plugin-info" (type $info-e (eq $info-d)))
  ))
  (import "proctor:verifier/types@{version}" (instance $types (type $types-t)))
  (alias export $types "task" (type $task))
  (alias export $types "verdict" (type $verdict))
  (alias export $types "plugin-info" (type $plugin-info))
"#
    )
}

/// Memory layout shared by the core modules below: static strings, the `info` record at 256,
/// the verdict record at 512, a `generate` result at 600, a bump heap from 4096.
const STATIC_DATA: &str = r#"
    (data (i32.const 16) "test-guest")
    (data (i32.const 32) "0.1.0")
    (data (i32.const 48) "exact")
    (data (i32.const 64) "match")
    (data (i32.const 80) "mismatch")
    (data (i32.const 96) "{}")
    (data (i32.const 112) "too hard")
    (data (i32.const 128) "\30\00\00\00\05\00\00\00")
    (data (i32.const 256) "\10\00\00\00\0a\00\00\00\20\00\00\00\05\00\00\00\80\00\00\00\01\00\00\00")
"#;

/// `$recurse(n)`: n nested calls (for a guest that exhausts its stack).
const RECURSE: &str = r#"
    (func $recurse (param $n i64) (result i64)
      (if (result i64) (i64.eqz (local.get $n))
        (then (i64.const 0))
        (else (i64.add (i64.const 1) (call $recurse (i64.sub (local.get $n) (i64.const 1)))))))
"#;

const REALLOC: &str = r#"
    (global $heap (mut i32) (i32.const 4096))
    (func $realloc (export "realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $new i32) (result i32)
      (local $ptr i32)
      (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get $align))))
      (global.set $heap (i32.add (local.get $ptr) (local.get $new)))
      (block $ok
        (br_if $ok (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
        (br_if $ok (i32.ne (memory.grow (i32.add (i32.shr_u (i32.sub (global.get $heap)
                                                                     (i32.mul (memory.size) (i32.const 65536)))
                                                            (i32.const 16))
                                                 (i32.const 1)))
                           (i32.const -1)))
        unreachable)
      (local.get $ptr))
"#;

const VERIFY_PARAMS: &str = "(param $id_p i32) (param $id_l i32) (param $pr_p i32) (param $pr_l i32) \
     (param $ref_d i32) (param $ref_p i32) (param $ref_l i32) (param $md_p i32) (param $md_l i32) \
     (param $r_p i32) (param $r_l i32) (result i32)";

/// Store a verdict at 512: `score`, status index, detail at (ptr, len); evaluates to 512.
fn verdict(score: &str, status: u8, detail_ptr: u32, detail_len: u32) -> String {
    format!(
        "(f64.store (i32.const 512) ({score})) (i32.store8 (i32.const 520) (i32.const {status})) \
         (i32.store (i32.const 524) (i32.const {detail_ptr})) (i32.store (i32.const 528) (i32.const {detail_len})) \
         (i32.const 512)"
    )
}

/// Body of the well-behaved `verify`: correct iff the response equals the reference byte for byte.
pub fn exact_match_body() -> String {
    format!(
        r#"(local $i i32) (local $ok i32)
      (local.set $ok (i32.and (local.get $ref_d) (i32.eq (local.get $ref_l) (local.get $r_l))))
      (block $done
        (loop $next
          (br_if $done (i32.eqz (local.get $ok)))
          (br_if $done (i32.ge_u (local.get $i) (local.get $r_l)))
          (if (i32.ne (i32.load8_u (i32.add (local.get $ref_p) (local.get $i)))
                      (i32.load8_u (i32.add (local.get $r_p) (local.get $i))))
            (then (local.set $ok (i32.const 0))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (if (result i32) (local.get $ok)
        (then {correct})
        (else {incorrect}))"#,
        correct = verdict("f64.const 1", 0, 64, 5),
        incorrect = verdict("f64.const 0", 1, 80, 8),
    )
}

/// Hostile and quirky `verify` bodies.
pub mod body {
    use super::verdict;

    /// Spins forever.
    pub const INFINITE_LOOP: &str = "(loop $spin (br $spin)) (i32.const 512)";
    /// Grows memory a page at a time until refused.
    pub const MEMORY_HOG: &str = "(loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) (i32.const 512)";
    /// Executes `unreachable`.
    pub const UNREACHABLE: &str = "unreachable";
    /// Recurses a billion calls deep: past any wasm stack limit.
    pub const DEEP_RECURSION: &str =
        "(drop (call $recurse (i64.const 1000000000))) (i32.const 512)";

    /// Returns a detail string claiming to be ~1.8 GB long.
    pub fn huge_string() -> String {
        verdict("f64.const 1", 0, 0, 0x7000_0000)
    }
    /// Returns an in-bounds, valid UTF-8 detail of 200 000 bytes (needs 4 pages of memory).
    pub fn oversized_detail() -> String {
        format!(
            "(memory.fill (i32.const 4096) (i32.const 97) (i32.const 200000)) {}",
            verdict("f64.const 1", 0, 4096, 200_000)
        )
    }
    /// Returns score NaN.
    pub fn nan_score() -> String {
        verdict("f64.const nan", 0, 64, 5)
    }
    /// Returns score 1.5.
    pub fn score_out_of_range() -> String {
        verdict("f64.const 1.5", 0, 64, 5)
    }
    /// Status index 9 is not a valid `status` enum value.
    pub fn bad_status() -> String {
        verdict("f64.const 1", 9, 64, 5)
    }
    /// Counts its own calls in linear memory: in a zero-initialised byte (3000), in a byte of
    /// the data image (16, initially `t` = 116) and in a page it grows on every call. The score
    /// is the sum of the three counts / 10 (0.3 in a fresh instance), status partial.
    pub fn memory_counter() -> String {
        format!(
            "(local $grown i32)
             (local.set $grown (i32.add (i32.mul (memory.grow (i32.const 1)) (i32.const 65536)) (i32.const 8)))
             (i32.store8 (i32.const 3000) (i32.add (i32.load8_u (i32.const 3000)) (i32.const 1)))
             (i32.store8 (i32.const 16) (i32.add (i32.load8_u (i32.const 16)) (i32.const 1)))
             (i32.store8 (local.get $grown) (i32.add (i32.load8_u (local.get $grown)) (i32.const 1)))
             {}",
            verdict(
                "f64.div (f64.convert_i32_u (i32.add (i32.add (i32.load8_u (i32.const 3000)) \
                 (i32.sub (i32.load8_u (i32.const 16)) (i32.const 116))) (i32.load8_u (local.get $grown)))) \
                 (f64.const 10)",
                2,
                64,
                5
            )
        )
    }
    /// Counts its own calls in a global (score = calls / 10, status partial); traps if the
    /// response starts with `b`.
    pub fn counter() -> String {
        format!(
            "(global.set $calls (i32.add (global.get $calls) (i32.const 1)))
             (if (i32.and (i32.gt_u (local.get $r_l) (i32.const 0))
                          (i32.eq (i32.load8_u (local.get $r_p)) (i32.const 98)))
               (then unreachable))
             {}",
            verdict(
                "f64.div (f64.convert_i32_u (global.get $calls)) (f64.const 10)",
                2,
                64,
                5
            )
        )
    }
}

/// A verifier-world component whose `verify` has `verify_body`, built against `version`,
/// with `pages` pages of initial memory.
pub fn verifier_with(version: &str, verify_body: &str, pages: u32) -> Vec<u8> {
    component(version, verify_body, pages, false)
}

/// A well-behaved exact-match verifier.
pub fn exact_verifier() -> Vec<u8> {
    verifier_with("0.1.0", &exact_match_body(), 1)
}

/// A hostile verifier: well-formed component, misbehaving `verify`.
pub fn hostile(verify_body: &str) -> Vec<u8> {
    verifier_with("0.1.0", verify_body, 4)
}

/// An environment-world component: exact-match `verify` plus `generate`, which returns a
/// task with id `test-guest`, or the error `too hard` when difficulty > 10.
pub fn exact_environment() -> Vec<u8> {
    component("0.1.0", &exact_match_body(), 1, true)
}

fn component(version: &str, verify_body: &str, pages: u32, with_generate: bool) -> Vec<u8> {
    let types = types_import(version);
    let (generate_core, generate_lift) = if with_generate {
        (
            r#"(func (export "generate") (param $k_p i32) (param $k_l i32) (param $seed i64) (param $difficulty i32) (result i32)
      (if (i32.gt_u (local.get $difficulty) (i32.const 10))
        (then
          (i32.store8 (i32.const 600) (i32.const 1))
          (i32.store (i32.const 604) (i32.const 112))
          (i32.store (i32.const 608) (i32.const 8)))
        (else
          (i32.store8 (i32.const 600) (i32.const 0))
          (i32.store (i32.const 604) (i32.const 16)) (i32.store (i32.const 608) (i32.const 10))
          (i32.store (i32.const 612) (i32.const 32)) (i32.store (i32.const 616) (i32.const 5))
          (i32.store8 (i32.const 620) (i32.const 0))
          (i32.store (i32.const 632) (i32.const 96)) (i32.store (i32.const 636) (i32.const 2))))
      (i32.const 600))"#,
            r#"(func $generate (param "kind" string) (param "seed" u64) (param "difficulty" u32) (result (result $task (error string)))
    (canon lift (core func $i "generate") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (export "generate" (func $generate))"#,
        )
    } else {
        ("", "")
    };
    let text = format!(
        r#"(component
{types}
  (core module $m
    (memory (export "memory") {pages})
    (global $calls (mut i32) (i32.const 0))
{STATIC_DATA}
{REALLOC}
{RECURSE}
    (func (export "info") (result i32) (i32.const 256))
    (func (export "verify") {VERIFY_PARAMS}
      {verify_body})
    {generate_core}
  )
  (core instance $i (instantiate $m))
  (func $info (result $plugin-info)
    (canon lift (core func $i "info") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (export "info" (func $info))
  (func $verify (param "task" $task) (param "response" string) (result $verdict)
    (canon lift (core func $i "verify") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (export "verify" (func $verify))
  {generate_lift}
)"#
    );
    compile(&text)
}

/// A component that imports the types but exports only `hello: func() -> string`.
pub fn wrong_world() -> Vec<u8> {
    let types = types_import("0.1.0");
    compile(&format!(
        r#"(component
{types}
  (core module $m
    (memory (export "memory") 1)
    (data (i32.const 16) "\20\00\00\00\02\00\00\00")
    (data (i32.const 32) "hi")
    (func (export "hello") (result i32) (i32.const 16)))
  (core instance $i (instantiate $m))
  (func $hello (result string) (canon lift (core func $i "hello") (memory (core memory $i "memory"))))
  (export "hello" (func $hello))
)"#
    ))
}

/// A component exporting `info` and a `verify` with the wrong signature (string -> string).
pub fn wrong_signature() -> Vec<u8> {
    let types = types_import("0.1.0");
    compile(&format!(
        r#"(component
{types}
  (core module $m
    (memory (export "memory") 1)
{STATIC_DATA}
{REALLOC}
    (func (export "info") (result i32) (i32.const 256))
    (func (export "verify") (param i32 i32) (result i32) (i32.const 128)))
  (core instance $i (instantiate $m))
  (func $info (result $plugin-info)
    (canon lift (core func $i "info") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (export "info" (func $info))
  (func $verify (param "response" string) (result string)
    (canon lift (core func $i "verify") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (export "verify" (func $verify))
)"#
    ))
}

/// A component exporting `info`/`verify` without importing any proctor package.
pub fn no_package() -> Vec<u8> {
    compile(
        r#"(component
  (core module $m
    (func (export "info") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func $info (result u32) (canon lift (core func $i "info")))
  (export "info" (func $info))
)"#,
    )
}

/// A guest importing WASI 0.2 env, args and preopens: `verify` is `correct` only if it sees
/// no environment variables, no arguments and no preopened directories.
pub fn wasi_snoop() -> Vec<u8> {
    let types = types_import("0.1.0");
    compile(&format!(
        r#"(component $C
{types}
  (import "wasi:cli/environment@0.2.0" (instance $env
    (export "get-environment" (func (result (list (tuple string string)))))
    (export "get-arguments" (func (result (list string))))))
  (import "wasi:filesystem/types@0.2.0" (instance $fs
    (export "descriptor" (type (sub resource)))))
  (alias export $fs "descriptor" (type $descriptor))
  (import "wasi:filesystem/preopens@0.2.0" (instance $preopens
    (alias outer $C $descriptor (type $d))
    (export "descriptor" (type $de (eq $d)))
    (export "get-directories" (func (result (list (tuple (own $de) string)))))))
  (core module $mem-m
    (memory (export "memory") 1)
{REALLOC})
  (core instance $mem (instantiate $mem-m))
  (core func $get-env (canon lower (func $env "get-environment") (memory (core memory $mem "memory")) (realloc (core func $mem "realloc"))))
  (core func $get-args (canon lower (func $env "get-arguments") (memory (core memory $mem "memory")) (realloc (core func $mem "realloc"))))
  (core func $get-dirs (canon lower (func $preopens "get-directories") (memory (core memory $mem "memory")) (realloc (core func $mem "realloc"))))
  (core module $m
    (import "mem" "memory" (memory 1))
    (import "wasi" "get-environment" (func $get-env (param i32)))
    (import "wasi" "get-arguments" (func $get-args (param i32)))
    (import "wasi" "get-directories" (func $get-dirs (param i32)))
{STATIC_DATA}
    (func (export "info") (result i32) (i32.const 256))
    (func (export "verify") {VERIFY_PARAMS}
      (call $get-env (i32.const 1000))
      (call $get-args (i32.const 1008))
      (call $get-dirs (i32.const 1016))
      (if (result i32) (i32.eqz (i32.or (i32.or (i32.load (i32.const 1004)) (i32.load (i32.const 1012)))
                                        (i32.load (i32.const 1020))))
        (then {correct})
        (else {incorrect}))))
  (core instance $i (instantiate $m
    (with "mem" (instance $mem))
    (with "wasi" (instance
      (export "get-environment" (func $get-env))
      (export "get-arguments" (func $get-args))
      (export "get-directories" (func $get-dirs))))))
  (func $info (result $plugin-info)
    (canon lift (core func $i "info") (memory (core memory $mem "memory")) (realloc (core func $mem "realloc"))))
  (export "info" (func $info))
  (func $verify (param "task" $task) (param "response" string) (result $verdict)
    (canon lift (core func $i "verify") (memory (core memory $mem "memory")) (realloc (core func $mem "realloc"))))
  (export "verify" (func $verify))
)"#,
        correct = verdict("f64.const 1", 0, 64, 5),
        incorrect = verdict("f64.const 0", 1, 80, 8),
    ))
}

/// Compile component text to a binary, panicking with the parser's message on a typo.
pub fn compile(text: &str) -> Vec<u8> {
    wat::parse_str(text)
        .unwrap_or_else(|error| panic!("test guest does not parse: {error}\n{text}"))
}
