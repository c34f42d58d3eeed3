//! Evaluation of scalar expressions: exact complex rationals while possible, complex floats after.

use crate::expr::Expr;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Largest size in bits of any exact numerator or denominator; past it evaluation goes approximate.
pub const MAX_BITS: u64 = 1 << 17;
/// Evaluation steps one verification may spend.
pub const MAX_STEPS: u64 = 400_000;

/// Why an expression has no single numeric value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalError {
    /// Outside the domain (division by zero, log of zero, ...).
    Undefined,
    /// Too large to compute within the bit and step budget.
    TooLarge,
    /// Not a scalar (a set, tuple, relation or text).
    NotScalar,
}

/// Exact complex rational `re + im·i`.
#[derive(Debug, Clone, PartialEq)]
pub struct Exact {
    /// Real part.
    pub re: BigRational,
    /// Imaginary part.
    pub im: BigRational,
}

/// A number: exact while all operations allowed it, approximate (complex f64) otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Exact(Exact),
    Approx(f64, f64),
}

/// Work left for one verification, shared by all evaluations in it.
#[derive(Debug)]
pub struct Budget {
    /// Steps left.
    pub steps: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { steps: MAX_STEPS }
    }
}

/// Result of evaluating one expression.
pub(crate) type Eval = Result<Value, EvalError>;

impl Exact {
    pub(crate) fn real(re: BigRational) -> Exact {
        Exact {
            re,
            im: BigRational::zero(),
        }
    }

    pub(crate) fn is_real(&self) -> bool {
        self.im.is_zero()
    }

    fn bits(&self) -> u64 {
        self.re.numer().bits()
            + self.re.denom().bits()
            + self.im.numer().bits()
            + self.im.denom().bits()
    }

    fn to_approx(&self) -> (f64, f64) {
        (rational_to_f64(&self.re), rational_to_f64(&self.im))
    }
}

/// Converts a big rational to the nearest f64 without overflowing intermediate steps.
pub fn rational_to_f64(value: &BigRational) -> f64 {
    let numer = value.numer();
    let denom = value.denom();
    if numer.is_zero() {
        return 0.0;
    }
    let shift_n = numer.bits().saturating_sub(60);
    let shift_d = denom.bits().saturating_sub(60);
    let n = (numer >> shift_n).to_f64().unwrap_or(f64::NAN);
    let d = (denom >> shift_d).to_f64().unwrap_or(f64::NAN);
    let exponent =
        i64::try_from(shift_n).unwrap_or(i64::MAX) - i64::try_from(shift_d).unwrap_or(i64::MAX);
    let exponent = i32::try_from(exponent.clamp(-4000, 4000)).unwrap_or(0);
    let mut result = n / d;
    // Scale in steps so that 2^exponent itself never overflows.
    let mut remaining = exponent;
    while remaining != 0 {
        let step = remaining.clamp(-1000, 1000);
        result *= 2f64.powi(step);
        remaining -= step;
    }
    result
}

impl Value {
    pub(crate) fn approx(&self) -> (f64, f64) {
        match self {
            Value::Exact(e) => e.to_approx(),
            Value::Approx(re, im) => (*re, *im),
        }
    }

    /// The real part as an exact rational, when the value is exact and real.
    pub fn exact_real(&self) -> Option<&BigRational> {
        match self {
            Value::Exact(e) if e.is_real() => Some(&e.re),
            _ => None,
        }
    }

    /// Real and imaginary parts as floats.
    pub fn to_f64(&self) -> (f64, f64) {
        self.approx()
    }
}

/// gcd that answers at once when one side is one (num-bigint's binary gcd walks every bit).
fn gcd(a: &BigInt, b: &BigInt) -> BigInt {
    if a.is_one() || b.is_one() {
        BigInt::one()
    } else {
        num_integer::Integer::gcd(a, b)
    }
}

/// Sum of rationals, with the integer case kept free of gcds.
fn rat_add(a: &BigRational, b: &BigRational) -> BigRational {
    if a.denom().is_one() && b.denom().is_one() {
        return BigRational::new_raw(a.numer() + b.numer(), BigInt::one());
    }
    a + b
}

/// Product of rationals by cross-cancelling, skipping gcds with one.
fn rat_mul(a: &BigRational, b: &BigRational) -> BigRational {
    if a.denom().is_one() && b.denom().is_one() {
        return BigRational::new_raw(a.numer() * b.numer(), BigInt::one());
    }
    let g1 = gcd(a.numer(), b.denom());
    let g2 = gcd(b.numer(), a.denom());
    let numer = (a.numer() / &g1) * (b.numer() / &g2);
    let denom = (a.denom() / &g2) * (b.denom() / &g1);
    if numer.is_zero() {
        BigRational::zero()
    } else {
        BigRational::new_raw(numer, denom)
    }
}

pub(crate) fn checked(exact: Exact) -> Eval {
    if exact.bits() > MAX_BITS {
        Err(EvalError::TooLarge)
    } else {
        Ok(Value::Exact(exact))
    }
}

pub(crate) fn approx(re: f64, im: f64) -> Eval {
    if re.is_nan() || im.is_nan() {
        Err(EvalError::Undefined)
    } else {
        Ok(Value::Approx(re, im))
    }
}

pub(crate) fn add(a: &Value, b: &Value) -> Eval {
    match (a, b) {
        (Value::Exact(x), Value::Exact(y)) => checked(Exact {
            re: rat_add(&x.re, &y.re),
            im: rat_add(&x.im, &y.im),
        }),
        _ => {
            let ((ar, ai), (br, bi)) = (a.approx(), b.approx());
            approx(ar + br, ai + bi)
        }
    }
}

pub(crate) fn neg(a: &Value) -> Value {
    match a {
        Value::Exact(x) => Value::Exact(Exact {
            re: -&x.re,
            im: -&x.im,
        }),
        Value::Approx(re, im) => Value::Approx(-re, -im),
    }
}

pub(crate) fn mul(a: &Value, b: &Value) -> Eval {
    match (a, b) {
        (Value::Exact(x), Value::Exact(y)) => {
            if x.is_real() && y.is_real() {
                return checked(Exact::real(rat_mul(&x.re, &y.re)));
            }
            checked(Exact {
                re: &x.re * &y.re - &x.im * &y.im,
                im: &x.re * &y.im + &x.im * &y.re,
            })
        }
        _ => {
            let ((ar, ai), (br, bi)) = (a.approx(), b.approx());
            if ai == 0.0 && bi == 0.0 {
                return approx(ar * br, 0.0);
            }
            approx(ar * br - ai * bi, ar * bi + ai * br)
        }
    }
}

pub(crate) fn recip(a: &Value) -> Eval {
    match a {
        Value::Exact(x) => {
            if x.is_real() {
                if x.re.is_zero() {
                    return Err(EvalError::Undefined);
                }
                return checked(Exact::real(x.re.recip()));
            }
            let norm = &x.re * &x.re + &x.im * &x.im;
            checked(Exact {
                re: &x.re / &norm,
                im: -&x.im / &norm,
            })
        }
        Value::Approx(re, im) => {
            let norm = re * re + im * im;
            if norm == 0.0 {
                return Err(EvalError::Undefined);
            }
            if *im == 0.0 {
                return approx(1.0 / re, 0.0);
            }
            approx(re / norm, -im / norm)
        }
    }
}

pub(crate) fn c_exp(re: f64, im: f64) -> (f64, f64) {
    let scale = re.exp();
    if im == 0.0 {
        (scale, 0.0)
    } else {
        (scale * im.cos(), scale * im.sin())
    }
}

pub(crate) fn c_ln(re: f64, im: f64) -> (f64, f64) {
    (re.hypot(im).ln(), im.atan2(re))
}

pub(crate) fn c_mul(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

pub(crate) fn c_div(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let norm = b.0 * b.0 + b.1 * b.1;
    (
        (a.0 * b.0 + a.1 * b.1) / norm,
        (a.1 * b.0 - a.0 * b.1) / norm,
    )
}

/// Exact `n`-th root of a non-negative rational, when it is rational.
pub(crate) fn exact_root(value: &BigRational, n: u32) -> Option<BigRational> {
    if value.is_negative() || n == 0 {
        return None;
    }
    let numer = value.numer().nth_root(n);
    let denom = value.denom().nth_root(n);
    (num_traits::pow(numer.clone(), n as usize) == *value.numer()
        && num_traits::pow(denom.clone(), n as usize) == *value.denom())
    .then(|| BigRational::new(numer, denom))
}

pub(crate) fn int_pow(base: &Value, exponent: &BigInt) -> Eval {
    let magnitude = exponent.magnitude().to_u64().ok_or(EvalError::TooLarge)?;
    match base {
        Value::Exact(x) => {
            let base_bits = x.bits().max(2);
            if magnitude.saturating_mul(base_bits) > MAX_BITS {
                return Err(EvalError::TooLarge);
            }
            let powered = if x.is_real() {
                // Numerator and denominator are coprime, so their powers are too: no gcd needed.
                let exponent = usize::try_from(magnitude).map_err(|_| EvalError::TooLarge)?;
                let numer = num_traits::pow(x.re.numer().clone(), exponent);
                let denom = num_traits::pow(x.re.denom().clone(), exponent);
                Value::Exact(Exact::real(BigRational::new_raw(numer, denom)))
            } else {
                let mut result = Value::Exact(Exact::real(BigRational::one()));
                let mut square = base.clone();
                let mut left = magnitude;
                while left > 0 {
                    if left & 1 == 1 {
                        result = mul(&result, &square)?;
                    }
                    left >>= 1;
                    if left > 0 {
                        square = mul(&square, &square)?;
                    }
                }
                result
            };
            if exponent.is_negative() {
                recip(&powered)
            } else {
                Ok(powered)
            }
        }
        Value::Approx(re, im) => {
            let exp = exponent.to_f64().unwrap_or(f64::INFINITY);
            if *im == 0.0 {
                return approx(re.powf(exp), 0.0);
            }
            let (lr, li) = c_ln(*re, *im);
            let (er, ei) = c_exp(lr * exp, li * exp);
            approx(er, ei)
        }
    }
}

pub(crate) fn power(base: &Value, exponent: &Value) -> Eval {
    if let Some(q) = exponent.exact_real() {
        if q.is_integer() {
            return int_pow(base, q.numer());
        }
        if let Some(b) = base.exact_real()
            && !b.is_negative()
            && let Some(denominator) = q.denom().to_u32()
            && let Some(root) = exact_root(b, denominator)
        {
            return int_pow(&Value::Exact(Exact::real(root)), q.numer());
        }
    }
    let (br, bi) = base.approx();
    let (er, ei) = exponent.approx();
    if bi == 0.0 && ei == 0.0 && (br > 0.0 || er.fract() == 0.0) {
        return approx(br.powf(er), 0.0);
    }
    if br == 0.0 && bi == 0.0 {
        return if er > 0.0 {
            approx(0.0, 0.0)
        } else {
            Err(EvalError::Undefined)
        };
    }
    let (lr, li) = c_ln(br, bi);
    let (pr, pi) = c_mul((lr, li), (er, ei));
    let (r, i) = c_exp(pr, pi);
    approx(r, i)
}

pub(crate) fn nth_root(radicand: &Value, index: &Value) -> Eval {
    if let (Some(x), Some(n)) = (radicand.exact_real(), index.exact_real())
        && n.is_integer()
        && let Some(n) = n.numer().to_u32()
    {
        if let Some(root) = exact_root(&x.abs(), n) {
            if !x.is_negative() {
                return Ok(Value::Exact(Exact::real(root)));
            }
            if n % 2 == 1 {
                return Ok(Value::Exact(Exact::real(-root)));
            }
            if n == 2 {
                return Ok(Value::Exact(Exact {
                    re: BigRational::zero(),
                    im: root,
                }));
            }
        }
        let value = rational_to_f64(x);
        if value < 0.0 && n % 2 == 1 {
            return approx(-(-value).powf(1.0 / f64::from(n)), 0.0);
        }
    }
    power(radicand, &recip(index)?)
}

/// Whether two values are equal: exactly, or within `rel_tol` when `inexact` or approximate.
pub fn values_equal(a: &Value, b: &Value, inexact: bool, rel_tol: f64, symbolic_tol: f64) -> bool {
    if let (Value::Exact(x), Value::Exact(y)) = (a, b) {
        if x == y {
            return true;
        }
        if !inexact {
            return false;
        }
        let tol = tolerance_rational(rel_tol);
        return close_exact(&x.re, &y.re, &tol) && close_exact(&x.im, &y.im, &tol);
    }
    let ((ar, ai), (br, bi)) = (a.approx(), b.approx());
    let tol = if inexact { rel_tol } else { symbolic_tol };
    close_f64(ar, br, tol) && close_f64(ai, bi, tol)
}

fn close_exact(a: &BigRational, b: &BigRational, tol: &BigRational) -> bool {
    let scale = if a.abs() > b.abs() { a.abs() } else { b.abs() };
    (a - b).abs() <= tol * scale
}

fn close_f64(a: f64, b: f64, tol: f64) -> bool {
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    let diff = (a - b).abs();
    diff <= tol * a.abs().max(b.abs()) || diff <= 1e-12
}

/// Turns a float tolerance into the exact decimal it was written as (`1e-6` is exactly 1/10⁶).
pub fn tolerance_rational(tol: f64) -> BigRational {
    let text = format!("{:e}", tol.abs());
    match crate::parse::number(&text) {
        Ok(Expr::Decimal(value, _)) => value,
        Ok(Expr::Int(value)) => BigRational::from_integer(value),
        _ => BigRational::new(BigInt::one(), BigInt::from(1_000_000)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{Evaluator, rational};
    use crate::parse::parse;
    use std::collections::BTreeMap;

    fn eval(text: &str) -> Eval {
        let point = BTreeMap::new();
        let mut budget = Budget::default();
        let mut evaluator = Evaluator {
            point: &point,
            budget: &mut budget,
            inexact: false,
        };
        evaluator.eval(&parse(text).expect("parses"))
    }

    fn exact(text: &str) -> BigRational {
        eval(text)
            .expect("evaluates")
            .exact_real()
            .cloned()
            .expect("exact real")
    }

    #[test]
    fn keeps_rationals_exact() {
        assert_eq!(
            exact("\\frac{1}{3}+\\frac{1}{6}"),
            BigRational::new(1.into(), 2.into())
        );
        assert_eq!(
            exact("\\sqrt{\\frac{9}{4}}"),
            BigRational::new(3.into(), 2.into())
        );
        assert_eq!(exact("\\log_2 8"), BigRational::from_integer(3.into()));
        assert_eq!(exact("\\binom{5}{2}"), rational(10));
        assert_eq!(exact("8^{2/3}"), rational(4));
        assert_eq!(exact("\\sqrt[3]{-8}"), rational(-2));
        assert_ne!(exact("1/2004!"), exact("1/2006!"));
        assert_ne!(exact("1/2^{99}"), exact("1/2^{98}"));
    }

    #[test]
    fn refuses_huge_values_quickly() {
        assert_eq!(eval("2003^{2002^{2001}}"), Err(EvalError::TooLarge));
        assert_eq!(eval("(10^{6})!"), Err(EvalError::TooLarge));
    }

    #[test]
    fn compares_with_tolerances() {
        let third = eval("1/3").expect("evaluates");
        let rounded = eval("0.3333333").expect("evaluates");
        assert!(values_equal(&third, &rounded, true, 1e-6, 1e-9));
        assert!(!values_equal(&third, &rounded, false, 1e-6, 1e-9));
        assert!(!values_equal(
            &third,
            &eval("0.33").expect("evaluates"),
            true,
            1e-6,
            1e-9
        ));
        assert_eq!(
            tolerance_rational(1e-6),
            BigRational::new(1.into(), 1_000_000.into())
        );
    }
}
