//! Rewrites applied before comparing: `±` alternatives, matrix arithmetic, inequality lists as unions.

use crate::expr::{Expr, RelOp};
use crate::relation::{as_interval, is_name};
use num_traits::Zero;

/// Most `±` alternatives expanded.
pub(crate) const MAX_ALTERNATIVES: usize = 16;

/// Most entries of a matrix built by matrix arithmetic.
pub(crate) const MAX_MATRIX_ENTRIES: usize = 400;

/// A list of one-variable inequalities as the union of their intervals.
pub(crate) fn inequality_union(expr: &Expr) -> Option<Expr> {
    let Expr::List(items) = expr else {
        return None;
    };
    let intervals: Option<Vec<Expr>> = items.iter().map(as_interval).collect();
    intervals.map(Expr::Union)
}

/// The entries of a matrix expression: sums, negations, products with scalars or matrices, quotients by scalars.
pub(crate) fn matrix_form(expr: &Expr) -> Option<Vec<Vec<Expr>>> {
    let map = |rows: Vec<Vec<Expr>>, f: &dyn Fn(Expr) -> Expr| -> Vec<Vec<Expr>> {
        rows.into_iter()
            .map(|row| row.into_iter().map(f).collect())
            .collect()
    };
    match expr {
        Expr::Matrix(rows) => {
            let width = rows.first()?.len();
            (width > 0 && rows.iter().all(|row| row.len() == width)).then(|| rows.clone())
        }
        Expr::Neg(inner) => Some(map(matrix_form(inner)?, &|e| Expr::Neg(Box::new(e)))),
        Expr::Div(num, den) if !contains_matrix(den) => {
            let den = (**den).clone();
            Some(map(matrix_form(num)?, &|e| {
                Expr::Div(Box::new(e), Box::new(den.clone()))
            }))
        }
        Expr::Add(terms) => {
            let (first, rest) = terms.split_first()?;
            let mut total = matrix_form(first)?;
            for term in rest {
                let next = matrix_form(term)?;
                if next.len() != total.len() || next[0].len() != total[0].len() {
                    return None;
                }
                for (row, next_row) in total.iter_mut().zip(next) {
                    for (entry, next_entry) in row.iter_mut().zip(next_row) {
                        *entry = Expr::Add(vec![entry.clone(), next_entry]);
                    }
                }
            }
            Some(total)
        }
        Expr::Mul(factors) if factors.iter().any(contains_matrix) => {
            let mut scalars = Vec::new();
            let mut product: Option<Vec<Vec<Expr>>> = None;
            for factor in factors {
                if !contains_matrix(factor) {
                    scalars.push(factor.clone());
                    continue;
                }
                let next = matrix_form(factor)?;
                product = Some(match product {
                    None => next,
                    Some(left) => matrix_product(&left, &next)?,
                });
            }
            let product = product?;
            if scalars.is_empty() {
                return Some(product);
            }
            Some(map(product, &|e| {
                let mut items = scalars.clone();
                items.push(e);
                Expr::Mul(items)
            }))
        }
        _ => None,
    }
}

pub(crate) fn matrix_product(left: &[Vec<Expr>], right: &[Vec<Expr>]) -> Option<Vec<Vec<Expr>>> {
    let (n, m, p) = (left.len(), right.len(), right[0].len());
    if left[0].len() != m || n * p > MAX_MATRIX_ENTRIES || m > MAX_MATRIX_ENTRIES {
        return None;
    }
    Some(
        (0..n)
            .map(|i| {
                (0..p)
                    .map(|j| {
                        Expr::Add(
                            (0..m)
                                .map(|k| Expr::Mul(vec![left[i][k].clone(), right[k][j].clone()]))
                                .collect(),
                        )
                    })
                    .collect()
            })
            .collect(),
    )
}

pub(crate) fn contains_matrix(expr: &Expr) -> bool {
    match expr {
        Expr::Matrix(_) => true,
        Expr::Add(items) | Expr::Mul(items) => items.iter().any(contains_matrix),
        Expr::Neg(inner) => contains_matrix(inner),
        Expr::Div(a, b) => contains_matrix(a) || contains_matrix(b),
        _ => false,
    }
}

/// Entries of a one-row or one-column matrix.
pub(crate) fn vector_entries(rows: &[Vec<Expr>]) -> Option<Vec<Expr>> {
    if rows.len() == 1 {
        return Some(rows[0].clone());
    }
    rows.iter()
        .all(|row| row.len() == 1)
        .then(|| rows.iter().map(|row| row[0].clone()).collect())
}

/// Lists inside alternatives are flattened: `\pm` over a list gives one set.
pub(crate) fn flatten_lists(items: Vec<Expr>) -> Vec<Expr> {
    items
        .into_iter()
        .flat_map(|item| match item {
            Expr::List(inner) | Expr::Set(inner) => inner,
            other => vec![other],
        })
        .collect()
}

/// Expands every `a ± b` into its two alternatives; `None` when there is no `±`.
pub(crate) fn expand_plus_minus(expr: &Expr) -> Option<Vec<Expr>> {
    let expr = match expr {
        Expr::Relation(operands, ops)
            if ops.len() == 1
                && ops[0] == RelOp::Eq
                && operands.len() == 2
                && is_name(&operands[0]) =>
        {
            &operands[1]
        }
        other => other,
    };
    if !contains_plus_minus(expr) {
        return None;
    }
    let mut alternatives = vec![expr.clone()];
    while let Some(pos) = alternatives.iter().position(contains_plus_minus) {
        if alternatives.len() >= MAX_ALTERNATIVES {
            break;
        }
        let current = alternatives.remove(pos);
        alternatives.push(replace_first_plus_minus(&current, false).0);
        alternatives.push(replace_first_plus_minus(&current, true).0);
    }
    Some(alternatives)
}

pub(crate) fn contains_plus_minus(expr: &Expr) -> bool {
    match expr {
        Expr::PlusMinus(..) => true,
        Expr::Add(items) | Expr::Mul(items) => items.iter().any(contains_plus_minus),
        Expr::Neg(a) | Expr::Func(_, a) | Expr::Percent(a) | Expr::Degree(a) => {
            contains_plus_minus(a)
        }
        Expr::Div(a, b) | Expr::Pow(a, b) | Expr::Root(a, b) => {
            contains_plus_minus(a) || contains_plus_minus(b)
        }
        _ => false,
    }
}

/// Replaces the first `a ± b` with `a + b` (or `a − b` when `minus`); second value says one was found.
pub(crate) fn replace_first_plus_minus(expr: &Expr, minus: bool) -> (Expr, bool) {
    let rebuild_list = |items: &[Expr]| {
        let mut done = false;
        let out = items
            .iter()
            .map(|item| {
                if done {
                    item.clone()
                } else {
                    let (new, found) = replace_first_plus_minus(item, minus);
                    done = found;
                    new
                }
            })
            .collect::<Vec<_>>();
        (out, done)
    };
    let boxed = |e: &Expr| {
        let (new, found) = replace_first_plus_minus(e, minus);
        (Box::new(new), found)
    };
    match expr {
        Expr::PlusMinus(a, b) => {
            let b = if minus {
                Expr::Neg(b.clone())
            } else {
                (**b).clone()
            };
            let result = if matches!(**a, Expr::Int(ref n) if n.is_zero()) {
                b
            } else {
                Expr::Add(vec![(**a).clone(), b])
            };
            (result, true)
        }
        Expr::Add(items) => {
            let (out, found) = rebuild_list(items);
            (Expr::Add(out), found)
        }
        Expr::Mul(items) => {
            let (out, found) = rebuild_list(items);
            (Expr::Mul(out), found)
        }
        Expr::Neg(a) => {
            let (a, found) = boxed(a);
            (Expr::Neg(a), found)
        }
        Expr::Func(f, a) => {
            let (a, found) = boxed(a);
            (Expr::Func(*f, a), found)
        }
        Expr::Percent(a) => {
            let (a, found) = boxed(a);
            (Expr::Percent(a), found)
        }
        Expr::Degree(a) => {
            let (a, found) = boxed(a);
            (Expr::Degree(a), found)
        }
        Expr::Div(a, b) | Expr::Pow(a, b) | Expr::Root(a, b) => {
            let (new_a, found) = boxed(a);
            let (new_b, found_b) = if found { (b.clone(), true) } else { boxed(b) };
            let rebuilt = match expr {
                Expr::Div(..) => Expr::Div(new_a, new_b),
                Expr::Pow(..) => Expr::Pow(new_a, new_b),
                _ => Expr::Root(new_a, new_b),
            };
            (rebuilt, found || found_b)
        }
        other => (other.clone(), false),
    }
}
