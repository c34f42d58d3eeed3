//! Equivalence of two parsed answers: structures, relations, then exact or sampled numeric checks.

use crate::MathOptions;
use crate::eval::Evaluator;
use crate::expr::{Constant, Expr, RelOp};
use crate::relation::{
    as_interval, assigned_value, assignment_values, has_free_symbols, is_assignment,
    normalized_difference,
};
use crate::rewrite::{
    expand_plus_minus, flatten_lists, inequality_union, matrix_form, vector_entries,
};
use crate::sample::{sample_point, variables};
use crate::value::{Budget, EvalError, Value, values_equal};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use std::collections::{BTreeMap, BTreeSet};

/// Relative tolerance for comparing two exact-looking expressions that had to be evaluated in floats.
const SYMBOLIC_TOL: f64 = 1e-9;
/// Random points tried for expressions with variables.
const POINTS: usize = 6;
/// Extra points with negative coordinates (see `differ_at_signed_points`).
const SIGNED_POINTS: usize = 3;
/// Points that must agree (where both sides are defined) for expressions with variables.
const MIN_AGREEING_POINTS: usize = 3;
/// Largest collection compared element by element.
const MAX_ITEMS: usize = 64;
/// Whether `response` is an equivalent answer to `gold`.
pub fn equivalent(gold: &Expr, response: &Expr, options: &MathOptions) -> bool {
    let mut checker = Checker {
        options,
        budget: Budget::default(),
    };
    checker.equal(gold, response)
}

struct Checker<'a> {
    options: &'a MathOptions,
    budget: Budget,
}

impl Checker<'_> {
    fn equal(&mut self, gold: &Expr, response: &Expr) -> bool {
        if gold == response {
            return true;
        }
        if self.budget.steps == 0 {
            return false;
        }
        self.budget.steps -= 1;
        if let Some(letter) = choice_letter(gold) {
            let response_letter = choice_letter(response).or(match response {
                Expr::Const(Constant::E) => Some('E'),
                Expr::Const(Constant::I) => Some('I'),
                _ => None,
            });
            return response_letter == Some(letter);
        }
        if let (Expr::Text(g), _) | (_, Expr::Text(g)) = (gold, response) {
            let other = if matches!(gold, Expr::Text(_)) {
                response
            } else {
                gold
            };
            return match other {
                Expr::Text(o) => normalize_text(g) == normalize_text(o),
                Expr::Symbol(o) => normalize_text(g) == normalize_text(o),
                Expr::Const(Constant::E) => normalize_text(g) == "e",
                Expr::Const(Constant::I) => normalize_text(g) == "i",
                Expr::Mul(items)
                    if items.iter().all(|item| {
                        matches!(
                            item,
                            Expr::Symbol(_) | Expr::Const(Constant::E | Constant::I)
                        )
                    }) =>
                {
                    // `$odd$` reads as o·d·d: compare its letters with the text.
                    let letters: String = items
                        .iter()
                        .map(|item| match item {
                            Expr::Symbol(name) => name.clone(),
                            Expr::Const(Constant::E) => "e".into(),
                            _ => "i".into(),
                        })
                        .collect();
                    normalize_text(g) == normalize_text(&letters)
                }
                _ => false,
            };
        }
        // `±` stands for both signs: compare the sets of alternatives.
        let gold_alternatives = expand_plus_minus(gold);
        let response_alternatives = expand_plus_minus(response);
        if gold_alternatives.is_some() || response_alternatives.is_some() {
            let g = gold_alternatives.unwrap_or_else(|| vec![gold.clone()]);
            let r = response_alternatives.unwrap_or_else(|| vec![response.clone()]);
            return self.same_set(&flatten_lists(g), &flatten_lists(r));
        }
        // `\frac{1}{5}\begin{pmatrix}…\end{pmatrix}` or a sum of matrices: compare entry by entry.
        if matches!(gold, Expr::Matrix(_)) != matches!(response, Expr::Matrix(_))
            && let (Some(g), Some(r)) = (matrix_form(gold), matrix_form(response))
        {
            return self.equal(&Expr::Matrix(g), &Expr::Matrix(r));
        }
        // `x < -1 \text{ or } x > 2` is the union of two intervals.
        if let Some(union) = inequality_union(gold) {
            return self.equal(&union, response);
        }
        if let Some(union) = inequality_union(response) {
            return self.equal(gold, &union);
        }
        match (gold, response) {
            (Expr::Relation(..), Expr::Relation(..)) => self.relations(gold, response),
            (Expr::Relation(..), _) => self.relation_against(gold, response),
            (_, Expr::Relation(..)) => self.relation_against(response, gold),
            (Expr::List(g), Expr::List(r))
                if g.iter().all(is_assignment) && r.iter().all(is_assignment) =>
            {
                self.assignment_lists(g, r)
            }
            (Expr::Set(items), other) | (other, Expr::Set(items))
                if items.len() == 1 && !matches!(other, Expr::Set(_) | Expr::List(_)) =>
            {
                let item = items[0].clone();
                let other = other.clone();
                if matches!(gold, Expr::Set(_)) {
                    self.equal(&item, &other)
                } else {
                    self.equal(&other, &item)
                }
            }
            (Expr::List(items), _) if items.iter().all(is_assignment) => {
                self.equal(&assignment_values(items), response)
            }
            (_, Expr::List(items)) if items.iter().all(is_assignment) => {
                self.equal(gold, &assignment_values(items))
            }
            (Expr::Percent(inner), _) => {
                self.equal(inner, response) || self.scalar(&Expr::Percent(inner.clone()), response)
            }
            (_, Expr::Percent(inner)) => {
                self.equal(gold, inner) || self.scalar(gold, &Expr::Percent(inner.clone()))
            }
            (Expr::Degree(inner), _) => self.equal(inner, response) || self.scalar(gold, response),
            (_, Expr::Degree(inner)) => self.equal(gold, inner) || self.scalar(gold, response),
            (Expr::Set(g) | Expr::List(g), Expr::Set(r) | Expr::List(r)) => self.same_set(g, r),
            (Expr::Tuple(g), Expr::Tuple(r)) => self.same_sequence(g, r),
            (Expr::Tuple(g), Expr::List(r)) | (Expr::List(g), Expr::Tuple(r)) => {
                self.same_sequence(g, r)
            }
            (Expr::Tuple(items), Expr::Interval(..)) => self.equal(&open_interval(items), response),
            (Expr::Interval(..), Expr::Tuple(items)) => self.equal(gold, &open_interval(items)),
            (Expr::Interval(gl, glo, ghi, gr), Expr::Interval(rl, rlo, rhi, rr)) => {
                (gl == rl || is_infinite(glo))
                    && (gr == rr || is_infinite(ghi))
                    && self.equal(glo, rlo)
                    && self.equal(ghi, rhi)
            }
            (Expr::Union(g), Expr::Union(r)) => self.same_set(g, r),
            (Expr::Matrix(g), Expr::Matrix(r)) => {
                g.len() == r.len() && g.iter().zip(r).all(|(gr, rr)| self.same_sequence(gr, rr))
            }
            (Expr::Matrix(rows), Expr::Tuple(items)) | (Expr::Tuple(items), Expr::Matrix(rows)) => {
                vector_entries(rows).is_some_and(|entries| self.same_sequence(&entries, items))
            }
            (Expr::Set(items), other) | (other, Expr::Set(items))
                if items.len() == 1 && is_scalar(other) =>
            {
                self.equal(&items[0], other)
            }
            (Expr::Based(digits, base), other) | (other, Expr::Based(digits, base)) => {
                self.based(digits, *base, other)
            }
            _ if is_scalar(gold) && is_scalar(response) => self.scalar(gold, response),
            _ => false,
        }
    }

    /// `x = 1, y = 2` against `y = 2, x = 1`: matched by name when each side names distinct variables.
    fn assignment_lists(&mut self, gold: &[Expr], response: &[Expr]) -> bool {
        let named = |items: &[Expr]| -> Option<BTreeMap<String, Expr>> {
            let map: BTreeMap<String, Expr> = items
                .iter()
                .filter_map(|item| match item {
                    Expr::Relation(operands, _) => {
                        Some((operands[0].to_latex(), assigned_value(item)?.clone()))
                    }
                    _ => None,
                })
                .collect();
            (map.len() == items.len()).then_some(map)
        };
        match (named(gold), named(response)) {
            (Some(g), Some(r)) if g.len() > 1 || r.len() > 1 => {
                g.len() == r.len()
                    && g.iter().all(|(name, value)| {
                        r.get(name).is_some_and(|other| self.equal(value, other))
                    })
            }
            _ => self.equal(&assignment_values(gold), &assignment_values(response)),
        }
    }

    fn based(&mut self, digits: &str, base: u32, other: &Expr) -> bool {
        let normalized = digits.trim_start_matches('0').to_lowercase();
        match other {
            Expr::Based(other_digits, other_base) => {
                *other_base == base
                    && other_digits.trim_start_matches('0').to_lowercase() == normalized
            }
            Expr::Int(value) => {
                value.to_string() == normalized
                    || BigInt::parse_bytes(digits.as_bytes(), base).is_some_and(|v| &v == value)
            }
            _ => false,
        }
    }

    fn same_sequence(&mut self, gold: &[Expr], response: &[Expr]) -> bool {
        gold.len() == response.len() && gold.iter().zip(response).all(|(g, r)| self.equal(g, r))
    }

    /// Order-free comparison; repeated elements count once.
    fn same_set(&mut self, gold: &[Expr], response: &[Expr]) -> bool {
        if gold.len() > MAX_ITEMS || response.len() > MAX_ITEMS {
            return false;
        }
        // `\{2 \pm \sqrt{3}, -1\}` has three elements.
        let expand = |items: &[Expr]| -> Vec<Expr> {
            items
                .iter()
                .flat_map(|item| expand_plus_minus(item).unwrap_or_else(|| vec![item.clone()]))
                .collect()
        };
        let gold = self.distinct(&expand(gold));
        let response = self.distinct(&expand(response));
        if gold.len() != response.len() {
            return false;
        }
        let mut used = vec![false; response.len()];
        for g in &gold {
            let Some(idx) =
                (0..response.len()).find(|&idx| !used[idx] && self.equal(g, &response[idx]))
            else {
                return false;
            };
            used[idx] = true;
        }
        true
    }

    fn distinct(&mut self, items: &[Expr]) -> Vec<Expr> {
        let mut out: Vec<Expr> = Vec::new();
        for item in items {
            let duplicate = (0..out.len()).any(|idx| {
                let seen = out[idx].clone();
                self.equal(&seen, item)
            });
            if !duplicate {
                out.push(item.clone());
            }
        }
        out
    }

    fn relations(&mut self, gold: &Expr, response: &Expr) -> bool {
        if let (Some(g), Some(r)) = (assigned_value(gold), assigned_value(response))
            && self.equal(g, r)
        {
            return true;
        }
        // `-2 \le x \le 7` against `x \in [-2, 7]`: compare what each says the value is.
        let set_form = |e: &Expr| as_interval(e).or_else(|| assigned_value(e).cloned());
        if let (Some(g), Some(r)) = (set_form(gold), set_form(response))
            && (as_interval(gold).is_some() || as_interval(response).is_some())
        {
            return self.equal(&g, &r);
        }
        let (Expr::Relation(g_ops, g_rel), Expr::Relation(r_ops, r_rel)) = (gold, response) else {
            return false;
        };
        if g_ops.len() != 2 || r_ops.len() != 2 {
            return g_rel == r_rel && self.same_sequence(g_ops, r_ops);
        }
        let (Some(&g_op), Some(&r_op)) = (g_rel.first(), r_rel.first()) else {
            return false;
        };
        let (g_kind, g_diff) = normalized_difference(g_ops, g_op);
        let (r_kind, r_diff) = normalized_difference(r_ops, r_op);
        if g_kind != r_kind {
            return false;
        }
        let positive_only = !matches!(g_kind, RelOp::Eq | RelOp::Ne);
        self.proportional(&g_diff, &r_diff, positive_only)
    }

    /// A relation against a plain answer: its assigned value, its interval, or its last side.
    fn relation_against(&mut self, relation: &Expr, other: &Expr) -> bool {
        let Expr::Relation(operands, ops) = relation else {
            return false;
        };
        let value = if let Some(value) = assigned_value(relation) {
            value.clone()
        } else if let Some(interval) = as_interval(relation) {
            interval
        } else if ops.iter().all(|op| *op == RelOp::Eq)
            && (operands.len() > 2 || operands.iter().all(|o| !has_free_symbols(o)))
        {
            // `2 + 3 = 5` computes its last side; `a + z = 0` or `7 = 11a + c` is an equation, not a value.
            operands.last().cloned().unwrap_or_else(|| Expr::int(0))
        } else {
            return false;
        };
        self.equal(&value, other)
    }

    /// Whether `gold = c · response` for one constant c (c > 0 when `positive_only`), at sampled points.
    fn proportional(&mut self, gold: &Expr, response: &Expr, positive_only: bool) -> bool {
        let names = variables(gold, response);
        if names.is_empty() {
            return false;
        }
        let mut ratio: Option<Value> = None;
        let mut agreeing = 0;
        for point_idx in 0..POINTS {
            let point = sample_point(&names, point_idx);
            let (Some((g, g_inexact)), Some((r, r_inexact))) =
                (self.eval(gold, &point), self.eval(response, &point))
            else {
                continue;
            };
            let zero = Value::Exact(crate::value::Exact {
                re: BigRational::zero(),
                im: BigRational::zero(),
            });
            let g_zero = values_equal(&g, &zero, false, 0.0, SYMBOLIC_TOL);
            let r_zero = values_equal(&r, &zero, false, 0.0, SYMBOLIC_TOL);
            if g_zero != r_zero {
                return false;
            }
            if g_zero {
                continue;
            }
            let (gr, gi) = g.to_f64();
            let (rr, ri) = r.to_f64();
            let current = match (g.exact_real(), r.exact_real()) {
                (Some(gx), Some(rx)) => Value::Exact(crate::value::Exact {
                    re: gx / rx,
                    im: BigRational::zero(),
                }),
                _ => {
                    let norm = rr * rr + ri * ri;
                    Value::Approx((gr * rr + gi * ri) / norm, (gi * rr - gr * ri) / norm)
                }
            };
            if positive_only && current.to_f64().0 <= 0.0 {
                return false;
            }
            match &ratio {
                Some(previous) => {
                    if !values_equal(
                        previous,
                        &current,
                        g_inexact || r_inexact,
                        self.options.float_rel_tol,
                        SYMBOLIC_TOL,
                    ) {
                        return false;
                    }
                }
                None => ratio = Some(current),
            }
            agreeing += 1;
        }
        agreeing >= 2
    }

    fn eval(
        &mut self,
        expr: &Expr,
        point: &BTreeMap<String, BigRational>,
    ) -> Option<(Value, bool)> {
        let mut evaluator = Evaluator {
            point,
            budget: &mut self.budget,
            inexact: false,
        };
        let value = evaluator.eval(expr).ok()?;
        Some((value, evaluator.inexact))
    }

    /// Scalar expressions: exact where possible, sampled at random points when they have variables.
    fn scalar(&mut self, gold: &Expr, response: &Expr) -> bool {
        let names = variables(gold, response);
        let points = if names.is_empty() { 1 } else { POINTS };
        let mut agreeing = 0;
        for point_idx in 0..points {
            let point = sample_point(&names, point_idx);
            let mut evaluator = Evaluator {
                point: &point,
                budget: &mut self.budget,
                inexact: false,
            };
            let gold_value = evaluator.eval(gold);
            let gold_inexact = evaluator.inexact;
            evaluator.inexact = false;
            let response_value = evaluator.eval(response);
            let inexact = gold_inexact || evaluator.inexact;
            match (gold_value, response_value) {
                (Ok(g), Ok(r)) => {
                    let equal =
                        values_equal(&g, &r, inexact, self.options.float_rel_tol, SYMBOLIC_TOL)
                            || (names.is_empty()
                                && self.options.gold_rounding
                                && rounds_to(gold, &r));
                    if !equal {
                        return false;
                    }
                    agreeing += 1;
                }
                (Err(EvalError::Undefined), Err(EvalError::Undefined)) if !names.is_empty() => {}
                _ => return false,
            }
        }
        agreeing >= points.min(MIN_AGREEING_POINTS)
            && !self.differ_at_signed_points(gold, response, &names)
    }

    /// Checks at points with negative coordinates too: where both sides are real there, they must agree
    /// (`|x|` is not `x`, `\sqrt{x^2}` is not `x`), while branch-cut differences of complex values
    /// (`\ln(xy)` against `\ln x + \ln y`) are not held against an answer.
    fn differ_at_signed_points(
        &mut self,
        gold: &Expr,
        response: &Expr,
        names: &BTreeSet<String>,
    ) -> bool {
        if names.is_empty() {
            return false;
        }
        for point_idx in 0..SIGNED_POINTS {
            let mut point = sample_point(names, POINTS + point_idx);
            for (var_idx, value) in point.values_mut().enumerate() {
                // Point 0: all negative; then alternating signs across variables.
                if point_idx == 0 || (var_idx + point_idx) % 2 == 0 {
                    *value = -value.clone();
                }
            }
            let (Some((g, g_inexact)), Some((r, r_inexact))) =
                (self.eval(gold, &point), self.eval(response, &point))
            else {
                continue;
            };
            let real = |v: &Value| {
                let (re, im) = v.to_f64();
                re.is_finite() && im.abs() <= 1e-12 * re.abs().max(1.0)
            };
            if real(&g)
                && real(&r)
                && !values_equal(
                    &g,
                    &r,
                    g_inexact || r_inexact,
                    self.options.float_rel_tol,
                    SYMBOLIC_TOL,
                )
            {
                return true;
            }
        }
        false
    }
}

/// True when the gold is a decimal literal with k places and the value rounds to it at k places.
fn rounds_to(gold: &Expr, value: &Value) -> bool {
    let (negative, literal) = match gold {
        Expr::Neg(inner) => (true, &**inner),
        other => (false, other),
    };
    let Expr::Decimal(gold_value, text) = literal else {
        return false;
    };
    let Some(response) = value.exact_real() else {
        return false;
    };
    if text.contains(['e', 'E']) {
        return false;
    }
    let places = text
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len());
    let gold_value = if negative {
        -gold_value.clone()
    } else {
        gold_value.clone()
    };
    let half_unit = BigRational::new(
        BigInt::from(1),
        BigInt::from(2) * num_traits::pow(BigInt::from(10), places),
    );
    (response - &gold_value).abs() <= half_unit
}

fn is_scalar(expr: &Expr) -> bool {
    !matches!(
        expr,
        Expr::Tuple(_)
            | Expr::List(_)
            | Expr::Set(_)
            | Expr::Interval(..)
            | Expr::Union(_)
            | Expr::Matrix(_)
            | Expr::Relation(..)
            | Expr::Text(_)
    )
}

fn is_infinite(expr: &Expr) -> bool {
    match expr {
        Expr::Const(Constant::Infinity) => true,
        Expr::Neg(inner) => is_infinite(inner),
        _ => false,
    }
}

/// A multiple-choice letter: `C`, `(C)`, `\text{(C)}`.
pub(crate) fn choice_letter(expr: &Expr) -> Option<char> {
    let text = match expr {
        Expr::Symbol(name) => name.as_str(),
        Expr::Text(text) => text.as_str(),
        _ => return None,
    };
    let mut chars = text.chars();
    let letter = chars.next()?;
    let single = chars.next().is_none();
    let is_choice = match expr {
        Expr::Symbol(_) => letter.is_ascii_uppercase() && letter <= 'J',
        _ => letter.is_ascii_alphabetic() && letter.to_ascii_uppercase() <= 'J',
    };
    (single && is_choice).then(|| letter.to_ascii_uppercase())
}

fn normalize_text(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Open interval from a two-element tuple (anything else stays a tuple).
fn open_interval(items: &[Expr]) -> Expr {
    match items {
        [low, high] => Expr::Interval(false, Box::new(low.clone()), Box::new(high.clone()), false),
        _ => Expr::Tuple(items.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn eq(gold: &str, response: &str) -> bool {
        let options = MathOptions::default();
        equivalent(
            &parse(gold).expect("gold parses"),
            &parse(response).expect("response parses"),
            &options,
        )
    }

    #[test]
    fn false_positive_traps() {
        assert!(!eq("\\pm 2021", "2021"));
        assert!(eq("\\pm 2021", "2021, -2021"));
        assert!(!eq("n=1,2,3", "n=2,3,4"));
        assert!(!eq("x^2-5x+6=0", "x^2-5x+4=0"));
        assert!(eq("x^2-5x+6=0", "2x^2-10x+12=0"));
        assert!(!eq("1/2004!", "1/2006!"));
        assert!(!eq("1/2^{99}", "1/2^{98}"));
    }

    #[test]
    fn symbolic_and_structural() {
        assert!(eq("(x+1)^2", "x^2+2x+1"));
        assert!(eq("\\sqrt{2}/2", "\\frac{1}{\\sqrt{2}}"));
        assert!(eq("[2,\\infty)", "x \\ge 2"));
        assert!(eq("(1,3)", "1<x<3"));
        assert!(!eq("[0,1)", "(0,1)"));
        assert!(eq("\\{1,2\\}", "\\{2,1\\}"));
        assert!(!eq("(1,2)", "(2,1)"));
    }
}
