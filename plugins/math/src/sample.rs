//! Deterministic sample points for comparing expressions with variables.

use crate::expr::Expr;
use num_bigint::BigInt;
use num_rational::BigRational;
use std::collections::{BTreeMap, BTreeSet};

/// Deterministic sample point: each variable gets a non-integer positive rational.
pub(crate) fn sample_point(
    names: &BTreeSet<String>,
    point_idx: usize,
) -> BTreeMap<String, BigRational> {
    let mut state: u64 =
        0x9E37_79B9_7F4A_7C15 ^ (point_idx as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    names
        .iter()
        .map(|name| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let numerator = i64::try_from(state % 89).unwrap_or(0) + 11;
            let denominator = i64::try_from((state >> 20) % 7).unwrap_or(0) + 3;
            let denominator = if numerator % denominator == 0 {
                denominator + 1
            } else {
                denominator
            };
            (
                name.clone(),
                BigRational::new(BigInt::from(numerator), BigInt::from(denominator * 10)),
            )
        })
        .collect()
}

pub(crate) fn variables(gold: &Expr, response: &Expr) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    collect_variables(gold, &mut names);
    collect_variables(response, &mut names);
    names
}

pub(crate) fn collect_variables(expr: &Expr, names: &mut BTreeSet<String>) {
    match expr {
        Expr::Symbol(name) => {
            names.insert(name.clone());
        }
        Expr::Apply(name, args) => {
            names.insert(name.clone());
            args.iter().for_each(|arg| collect_variables(arg, names));
        }
        Expr::Int(_) | Expr::Decimal(..) | Expr::Based(..) | Expr::Const(_) | Expr::Text(_) => {}
        Expr::Add(items)
        | Expr::Mul(items)
        | Expr::Tuple(items)
        | Expr::List(items)
        | Expr::Set(items)
        | Expr::Union(items)
        | Expr::Relation(items, _) => {
            items.iter().for_each(|item| collect_variables(item, names));
        }
        Expr::Neg(a)
        | Expr::Func(_, a)
        | Expr::Factorial(a)
        | Expr::Percent(a)
        | Expr::Degree(a) => collect_variables(a, names),
        Expr::Log(a, b) => {
            collect_variables(a, names);
            if let Some(b) = b {
                collect_variables(b, names);
            }
        }
        Expr::Div(a, b)
        | Expr::Pow(a, b)
        | Expr::Root(a, b)
        | Expr::Binom(a, b)
        | Expr::PlusMinus(a, b)
        | Expr::Interval(_, a, b, _) => {
            collect_variables(a, names);
            collect_variables(b, names);
        }
        Expr::Matrix(rows) => rows
            .iter()
            .flatten()
            .for_each(|item| collect_variables(item, names)),
    }
}
