//! Relations in answers: assignments (`x = 3`), equations moved to one side, inequalities as intervals.

use crate::expr::{Constant, Expr, RelOp};
use crate::sample::collect_variables;
use std::collections::BTreeSet;

/// A left side that names what is being given: `x`, `x_1`, `f(x)`, `\theta`.
/// Also products, ratios and tuples of names: `AB`, `\frac{NO}{BO}`, `V_1 : V_2`, `(p, q)`.
pub(crate) fn is_name(expr: &Expr) -> bool {
    match expr {
        Expr::Symbol(_) | Expr::Apply(..) => true,
        Expr::Mul(items) | Expr::Tuple(items) => items.iter().all(is_name),
        Expr::Div(a, b) => is_name(a) && is_name(b),
        Expr::Func(crate::expr::Function::Abs, inner) => is_name(inner),
        _ => false,
    }
}

pub(crate) fn is_assignment(expr: &Expr) -> bool {
    assigned_value(expr).is_some()
}

/// `x = v` (or `x = … = v`): the value v.
pub(crate) fn assigned_value(expr: &Expr) -> Option<&Expr> {
    let Expr::Relation(operands, ops) = expr else {
        return None;
    };
    if !ops.iter().all(|op| *op == RelOp::Eq) {
        return None;
    }
    if operands.len() < 2 {
        return None;
    }
    if is_name(&operands[0]) || operands.len() > 2 {
        operands.last()
    } else {
        None
    }
}

pub(crate) fn assignment_values(items: &[Expr]) -> Expr {
    let values: Vec<Expr> = items.iter().filter_map(assigned_value).cloned().collect();
    let names: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            Expr::Relation(operands, _) => Some(operands[0].to_latex()),
            _ => None,
        })
        .collect();
    let distinct: BTreeSet<&String> = names.iter().collect();
    // `x = 1, y = 2` is an ordered tuple; `x = 1 or x = 2` a set of solutions;
    // `p = 5, q = 2; p = 7, q = 2` a set of tuples.
    let width = distinct.len();
    if width == names.len() {
        return Expr::Tuple(values);
    }
    let periodic = width > 1
        && names.len().is_multiple_of(width)
        && names.chunks(width).all(|chunk| chunk == &names[..width]);
    if periodic {
        return Expr::List(
            values
                .chunks(width)
                .map(|chunk| Expr::Tuple(chunk.to_vec()))
                .collect(),
        );
    }
    Expr::List(values)
}

/// Moves everything to one side: `a op b` becomes (op', a − b) with op' in {=, ≠, <, ≤}.
pub(crate) fn normalized_difference(operands: &[Expr], op: RelOp) -> (RelOp, Expr) {
    let (a, b) = (&operands[0], &operands[1]);
    let diff = |x: &Expr, y: &Expr| Expr::Add(vec![x.clone(), Expr::Neg(Box::new(y.clone()))]);
    match op {
        RelOp::Gt => (RelOp::Lt, diff(b, a)),
        RelOp::Ge => (RelOp::Le, diff(b, a)),
        other => (other, diff(a, b)),
    }
}

/// An inequality in one variable with constant bounds as an interval (or union for `≠`).
pub(crate) fn as_interval(expr: &Expr) -> Option<Expr> {
    let Expr::Relation(operands, ops) = expr else {
        return None;
    };
    let constant = |e: &Expr| {
        let mut names = BTreeSet::new();
        collect_variables(e, &mut names);
        names.is_empty()
    };
    let infinity = || Expr::Const(Constant::Infinity);
    let minus_infinity = || Expr::Neg(Box::new(Expr::Const(Constant::Infinity)));
    let interval =
        |lc: bool, lo: Expr, hi: Expr, rc: bool| Expr::Interval(lc, Box::new(lo), Box::new(hi), rc);
    match (operands.as_slice(), ops.as_slice()) {
        ([name, bound], [op]) | ([bound, name], [op]) if is_name(name) && constant(bound) => {
            let symbol_left = is_name(&operands[0]);
            let op = if symbol_left { *op } else { flip(*op) };
            let bound = bound.clone();
            Some(match op {
                RelOp::Lt => interval(false, minus_infinity(), bound, false),
                RelOp::Le => interval(false, minus_infinity(), bound, true),
                RelOp::Gt => interval(false, bound, infinity(), false),
                RelOp::Ge => interval(true, bound, infinity(), false),
                RelOp::Ne => Expr::Union(vec![
                    interval(false, minus_infinity(), bound.clone(), false),
                    interval(false, bound, infinity(), false),
                ]),
                RelOp::Eq => return None,
            })
        }
        ([low, name, high], [op1, op2]) if is_name(name) && constant(low) && constant(high) => {
            let closed = |op: RelOp| matches!(op, RelOp::Le | RelOp::Ge);
            match (op1, op2) {
                (RelOp::Lt | RelOp::Le, RelOp::Lt | RelOp::Le) => Some(interval(
                    closed(*op1),
                    low.clone(),
                    high.clone(),
                    closed(*op2),
                )),
                (RelOp::Gt | RelOp::Ge, RelOp::Gt | RelOp::Ge) => Some(interval(
                    closed(*op2),
                    high.clone(),
                    low.clone(),
                    closed(*op1),
                )),
                _ => None,
            }
        }
        _ => None,
    }
}

pub(crate) fn flip(op: RelOp) -> RelOp {
    match op {
        RelOp::Lt => RelOp::Gt,
        RelOp::Le => RelOp::Ge,
        RelOp::Gt => RelOp::Lt,
        RelOp::Ge => RelOp::Le,
        other => other,
    }
}

/// Whether a variable occurs outside the arguments of a function applied to constants (`f(-2)`).
pub(crate) fn has_free_symbols(expr: &Expr) -> bool {
    match expr {
        Expr::Apply(_, args) => args.iter().any(has_free_symbols),
        other => {
            let mut names = BTreeSet::new();
            collect_variables(other, &mut names);
            if names.is_empty() {
                return false;
            }
            match other {
                Expr::Add(items) | Expr::Mul(items) => items.iter().any(has_free_symbols),
                Expr::Neg(a) => has_free_symbols(a),
                Expr::Div(a, b) | Expr::Pow(a, b) => has_free_symbols(a) || has_free_symbols(b),
                _ => true,
            }
        }
    }
}
