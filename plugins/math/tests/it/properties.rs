//! Property tests: printed expressions parse back to equivalent ones; no input panics or hangs.

use proctor_math::{Constant, Expr, Function, MathOptions, MathStatus, equivalent, parse, verify};
use proptest::prelude::*;
use std::time::{Duration, Instant};

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (0i64..1000).prop_map(Expr::int),
        prop::sample::select(vec!["x", "y", "a", "b", "n"])
            .prop_map(|name| Expr::Symbol(name.to_string())),
        Just(Expr::Const(Constant::Pi)),
        Just(Expr::Const(Constant::E)),
        (1i64..100, 1u32..4).prop_map(|(whole, places)| {
            let text = format!("{whole}.{}", "5".repeat(places as usize));
            parse(&text).expect("decimal literal parses")
        }),
    ]
}

/// A denominator or radicand that is never zero or negative at the sampled (positive) points.
fn positive() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (1i64..50).prop_map(Expr::int),
        prop::sample::select(vec!["x", "y", "a"]).prop_map(|name| Expr::Symbol(name.to_string())),
        Just(Expr::Const(Constant::Pi)),
    ]
}

fn expression() -> impl Strategy<Value = Expr> {
    prop_oneof![
        4 => scalar(),
        1 => prop::collection::vec(scalar(), 2..4).prop_map(Expr::Tuple),
        1 => prop::collection::vec(scalar(), 1..4).prop_map(Expr::Set),
        1 => (any::<bool>(), scalar(), scalar(), any::<bool>()).prop_map(|(l, a, b, r)| Expr::Interval(l, Box::new(a), Box::new(b), r)),
    ]
}

fn scalar() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::Add),
            prop::collection::vec(inner.clone(), 2..3).prop_map(Expr::Mul),
            inner.clone().prop_map(|e| Expr::Neg(Box::new(e))),
            (inner.clone(), positive()).prop_map(|(n, d)| Expr::Div(Box::new(n), Box::new(d))),
            (inner.clone(), 0i64..4)
                .prop_map(|(b, k)| Expr::Pow(Box::new(b), Box::new(Expr::int(k)))),
            positive().prop_map(|r| Expr::Func(Function::Sqrt, Box::new(r))),
            (positive(), 2i64..5)
                .prop_map(|(r, k)| Expr::Root(Box::new(r), Box::new(Expr::int(k)))),
            inner
                .clone()
                .prop_map(|e| Expr::Func(Function::Sin, Box::new(e))),
            positive().prop_map(|e| Expr::Log(Box::new(e), None)),
            (0i64..12).prop_map(|n| Expr::Factorial(Box::new(Expr::int(n)))),
            (0i64..15, 0i64..6)
                .prop_map(|(n, k)| Expr::Binom(Box::new(Expr::int(n)), Box::new(Expr::int(k)))),
        ]
    })
}

/// Pieces of LaTeX and prose that fuzzed responses are built from.
const PIECES: &[&str] = &[
    "\\frac",
    "\\sqrt",
    "{",
    "}",
    "\\boxed{",
    "^",
    "_",
    "\\left(",
    "\\right)",
    "(",
    ")",
    "[",
    "]",
    "1",
    "23",
    "4.5",
    "x",
    "\\pi",
    "\\pm",
    ",",
    "=",
    "<",
    "\\le",
    "\\begin{pmatrix}",
    "\\end{pmatrix}",
    "&",
    "\\\\",
    "\\text{",
    "answer is ",
    "$",
    "$$",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "!",
    "%",
    "\\%",
    "^\\circ",
    "\\cup",
    "\\{",
    "\\}",
    "e",
    "i",
    "\\infty",
    "\\log_",
    "\\sin",
    "-",
    "+",
    "*",
    "/",
    " ",
    "\n",
    "#### ",
    "<answer>",
    "</answer>",
    "\\dfrac12",
    "9^{9^{9}}",
    "1,000",
    "\\binom",
    "|",
    ":",
    "or",
    "and",
];

fn fuzzed_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(PIECES), 0..40)
            .prop_map(|pieces| pieces.concat()),
        "\\PC{0,80}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn printed_expressions_parse_back_equivalent(expr in expression()) {
        let latex = expr.to_latex();
        let back = parse(&latex).map_err(|e| TestCaseError::fail(format!("{latex}: {e}")))?;
        prop_assert!(back == expr || equivalent(&expr, &back, &MathOptions::default()), "{latex} read back as {}", back.to_latex());
    }

    #[test]
    fn verify_never_panics(gold in fuzzed_text(), response in fuzzed_text()) {
        let started = Instant::now();
        let verdict = verify(&gold, &response, "");
        prop_assert!(started.elapsed() < Duration::from_secs(2), "slow: {gold:?} / {response:?}");
        prop_assert!(verdict.score == 0.0 || verdict.score == 1.0);
        prop_assert_eq!(verdict.score == 1.0, verdict.status == MathStatus::Correct);
    }
}

#[test]
fn pathological_inputs_finish_quickly_with_a_verdict() {
    let nested = format!("\\boxed{{{}5{}}}", "{".repeat(50_000), "}".repeat(50_000));
    let parens = format!("\\boxed{{{}1{}}}", "(".repeat(30_000), ")".repeat(30_000));
    let cases: Vec<(&str, String)> = vec![
        ("2003^{2002^{2001}}", "\\boxed{2003^{2002^{2001}}}".into()),
        ("2003^{2002^{2001}}", "\\boxed{2003^{2002^{2000}}}".into()),
        ("5", nested),
        ("5", parens),
        ("5", "{".repeat(100_000)),
        ("5", "\\boxed{(10^{9})!}".into()),
        ("5", "\\boxed{10^{10^{10}} - 10^{10^{10}}}".into()),
        ("5", format!("\\boxed{{{}}}", "x+".repeat(5_000) + "x")),
        ("5", format!("\\boxed{{{}}}", "1,".repeat(5_000) + "1")),
        ("5", "\\boxed{5}".repeat(20_000)),
        ("5", "9".repeat(100_000)),
    ];
    for (gold, response) in &cases {
        let started = Instant::now();
        let verdict = verify(gold, response, "");
        let elapsed = started.elapsed();
        assert!(
            elapsed < Duration::from_secs(3),
            "{gold} vs {}…: {elapsed:?}",
            &response[..response.len().min(40)]
        );
        assert!(!verdict.detail.is_empty());
    }
}
