//! Evaluation of scalar expressions: exact complex rationals while possible, complex floats after.

use crate::expr::{Constant, Expr, Function};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::collections::BTreeMap;

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

/// Evaluates scalar expressions at one assignment of the variables.
pub struct Evaluator<'a> {
    /// Value of each variable.
    pub point: &'a BTreeMap<String, BigRational>,
    /// Shared work budget.
    pub budget: &'a mut Budget,
    /// Set when a decimal literal (possibly rounded) took part.
    pub inexact: bool,
}

type Eval = Result<Value, EvalError>;

fn rational(value: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(value))
}

impl Exact {
    fn real(re: BigRational) -> Exact {
        Exact { re, im: BigRational::zero() }
    }

    fn is_real(&self) -> bool {
        self.im.is_zero()
    }

    fn bits(&self) -> u64 {
        self.re.numer().bits() + self.re.denom().bits() + self.im.numer().bits() + self.im.denom().bits()
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
    let exponent = i64::try_from(shift_n).unwrap_or(i64::MAX) - i64::try_from(shift_d).unwrap_or(i64::MAX);
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
    fn approx(&self) -> (f64, f64) {
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
    if a.is_one() || b.is_one() { BigInt::one() } else { num_integer::Integer::gcd(a, b) }
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
    if numer.is_zero() { BigRational::zero() } else { BigRational::new_raw(numer, denom) }
}

fn checked(exact: Exact) -> Eval {
    if exact.bits() > MAX_BITS { Err(EvalError::TooLarge) } else { Ok(Value::Exact(exact)) }
}

fn approx(re: f64, im: f64) -> Eval {
    if re.is_nan() || im.is_nan() { Err(EvalError::Undefined) } else { Ok(Value::Approx(re, im)) }
}

fn add(a: &Value, b: &Value) -> Eval {
    match (a, b) {
        (Value::Exact(x), Value::Exact(y)) => checked(Exact { re: rat_add(&x.re, &y.re), im: rat_add(&x.im, &y.im) }),
        _ => {
            let ((ar, ai), (br, bi)) = (a.approx(), b.approx());
            approx(ar + br, ai + bi)
        }
    }
}

fn neg(a: &Value) -> Value {
    match a {
        Value::Exact(x) => Value::Exact(Exact { re: -&x.re, im: -&x.im }),
        Value::Approx(re, im) => Value::Approx(-re, -im),
    }
}

fn mul(a: &Value, b: &Value) -> Eval {
    match (a, b) {
        (Value::Exact(x), Value::Exact(y)) => {
            if x.is_real() && y.is_real() {
                return checked(Exact::real(rat_mul(&x.re, &y.re)));
            }
            checked(Exact { re: &x.re * &y.re - &x.im * &y.im, im: &x.re * &y.im + &x.im * &y.re })
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

fn recip(a: &Value) -> Eval {
    match a {
        Value::Exact(x) => {
            if x.is_real() {
                if x.re.is_zero() {
                    return Err(EvalError::Undefined);
                }
                return checked(Exact::real(x.re.recip()));
            }
            let norm = &x.re * &x.re + &x.im * &x.im;
            checked(Exact { re: &x.re / &norm, im: -&x.im / &norm })
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

fn c_exp(re: f64, im: f64) -> (f64, f64) {
    let scale = re.exp();
    if im == 0.0 { (scale, 0.0) } else { (scale * im.cos(), scale * im.sin()) }
}

fn c_ln(re: f64, im: f64) -> (f64, f64) {
    (re.hypot(im).ln(), im.atan2(re))
}

fn c_mul(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

fn c_div(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let norm = b.0 * b.0 + b.1 * b.1;
    ((a.0 * b.0 + a.1 * b.1) / norm, (a.1 * b.0 - a.0 * b.1) / norm)
}

/// Exact `n`-th root of a non-negative rational, when it is rational.
fn exact_root(value: &BigRational, n: u32) -> Option<BigRational> {
    if value.is_negative() || n == 0 {
        return None;
    }
    let numer = value.numer().nth_root(n);
    let denom = value.denom().nth_root(n);
    (num_traits::pow(numer.clone(), n as usize) == *value.numer() && num_traits::pow(denom.clone(), n as usize) == *value.denom())
        .then(|| BigRational::new(numer, denom))
}

fn int_pow(base: &Value, exponent: &BigInt) -> Eval {
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
            if exponent.is_negative() { recip(&powered) } else { Ok(powered) }
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

fn power(base: &Value, exponent: &Value) -> Eval {
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
        return if er > 0.0 { approx(0.0, 0.0) } else { Err(EvalError::Undefined) };
    }
    let (lr, li) = c_ln(br, bi);
    let (pr, pi) = c_mul((lr, li), (er, ei));
    let (r, i) = c_exp(pr, pi);
    approx(r, i)
}

fn nth_root(radicand: &Value, index: &Value) -> Eval {
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
                return Ok(Value::Exact(Exact { re: BigRational::zero(), im: root }));
            }
        }
        let value = rational_to_f64(x);
        if value < 0.0 && n % 2 == 1 {
            return approx(-(-value).powf(1.0 / f64::from(n)), 0.0);
        }
    }
    power(radicand, &recip(index)?)
}

fn factorial(value: &Value) -> Eval {
    let n = value.exact_real().filter(|q| q.is_integer() && !q.is_negative()).ok_or(EvalError::Undefined)?;
    let n = n.numer().to_u64().ok_or(EvalError::TooLarge)?;
    // log2(n!) < n·log2(n): refuse before computing anything too large.
    let estimate = n.saturating_mul(64 - n.leading_zeros() as u64);
    if estimate > MAX_BITS * 2 {
        return Err(EvalError::TooLarge);
    }
    let mut result = BigInt::one();
    for k in 2..=n {
        result *= k;
    }
    checked(Exact::real(BigRational::from_integer(result)))
}

fn binomial(n: &Value, k: &Value) -> Eval {
    let (Some(n), Some(k)) = (n.exact_real(), k.exact_real()) else {
        return Err(EvalError::Undefined);
    };
    if !k.is_integer() {
        return Err(EvalError::Undefined);
    }
    let k = k.to_integer();
    if k.is_negative() || (n.is_integer() && !n.is_negative() && BigRational::from_integer(k.clone()) > *n) {
        return Ok(Value::Exact(Exact::real(BigRational::zero())));
    }
    let k = k.to_u64().filter(|&k| k < 100_000).ok_or(EvalError::TooLarge)?;
    let mut result = BigRational::one();
    for idx in 0..k {
        let idx_rational = BigRational::from_integer(BigInt::from(idx));
        result = result * (n - idx_rational) / BigRational::from_integer(BigInt::from(idx + 1));
        if result.numer().bits() > MAX_BITS {
            return Err(EvalError::TooLarge);
        }
    }
    Ok(Value::Exact(Exact::real(result)))
}

fn exact_log(argument: &Value, base: &Value) -> Option<Value> {
    let (x, b) = (argument.exact_real()?, base.exact_real()?);
    if !x.is_positive() || !b.is_positive() || b.is_one() {
        return None;
    }
    if x.is_one() {
        return Some(Value::Exact(Exact::real(BigRational::zero())));
    }
    let (big, inverted) = if (x > &BigRational::one()) == (b > &BigRational::one()) { (x.clone(), false) } else { (x.recip(), true) };
    let mut power = b.clone();
    for k in 1..=256i64 {
        if power == big {
            return Some(Value::Exact(Exact::real(rational(if inverted { -k } else { k }))));
        }
        if power.numer().bits() > big.numer().bits() + 1 && power.denom().bits() > big.denom().bits() + 1 {
            return None;
        }
        power = &power * b;
    }
    None
}

fn apply(function: Function, value: &Value) -> Eval {
    if let Value::Exact(x) = value {
        match function {
            Function::Sqrt => return nth_root(value, &Value::Exact(Exact::real(rational(2)))),
            Function::Abs if x.is_real() => return Ok(Value::Exact(Exact::real(x.re.abs()))),
            Function::Floor if x.is_real() => return Ok(Value::Exact(Exact::real(x.re.floor()))),
            Function::Ceil if x.is_real() => return Ok(Value::Exact(Exact::real(x.re.ceil()))),
            Function::Sin | Function::Tan | Function::Asin | Function::Atan | Function::Sinh | Function::Tanh if x.re.is_zero() && x.im.is_zero() => {
                return Ok(value.clone());
            }
            Function::Cos | Function::Cosh | Function::Exp if x.re.is_zero() && x.im.is_zero() => {
                return Ok(Value::Exact(Exact::real(BigRational::one())));
            }
            Function::Ln if x.is_real() && x.re.is_one() => return Ok(Value::Exact(Exact::real(BigRational::zero()))),
            _ => {}
        }
    }
    let (re, im) = value.approx();
    if im != 0.0 {
        let result = match function {
            Function::Exp => c_exp(re, im),
            Function::Ln => c_ln(re, im),
            Function::Sqrt => {
                let (lr, li) = c_ln(re, im);
                c_exp(lr / 2.0, li / 2.0)
            }
            Function::Abs => (re.hypot(im), 0.0),
            Function::Sin => (re.sin() * im.cosh(), re.cos() * im.sinh()),
            Function::Cos => (re.cos() * im.cosh(), -re.sin() * im.sinh()),
            _ => return Err(EvalError::Undefined),
        };
        return approx(result.0, result.1);
    }
    let x = re;
    let real = match function {
        Function::Sin => x.sin(),
        Function::Cos => x.cos(),
        Function::Tan => x.tan(),
        Function::Sec => 1.0 / x.cos(),
        Function::Csc => 1.0 / x.sin(),
        Function::Cot => 1.0 / x.tan(),
        Function::Asin => x.asin(),
        Function::Acos => x.acos(),
        Function::Atan => x.atan(),
        Function::Sinh => x.sinh(),
        Function::Cosh => x.cosh(),
        Function::Tanh => x.tanh(),
        Function::Exp => x.exp(),
        Function::Abs => x.abs(),
        Function::Floor => x.floor(),
        Function::Ceil => x.ceil(),
        Function::Ln => {
            if x == 0.0 {
                return Err(EvalError::Undefined);
            }
            if x < 0.0 {
                return approx((-x).ln(), std::f64::consts::PI);
            }
            x.ln()
        }
        Function::Sqrt => {
            if x < 0.0 {
                return approx(0.0, (-x).sqrt());
            }
            x.sqrt()
        }
    };
    if real.is_infinite() && !x.is_infinite() {
        return Err(EvalError::Undefined);
    }
    approx(real, 0.0)
}

impl Evaluator<'_> {
    /// Evaluates a scalar expression.
    pub fn eval(&mut self, expr: &Expr) -> Eval {
        if self.budget.steps == 0 {
            return Err(EvalError::TooLarge);
        }
        self.budget.steps -= 1;
        match expr {
            Expr::Int(n) => checked(Exact::real(BigRational::from_integer(n.clone()))),
            Expr::Decimal(value, _) => {
                self.inexact = true;
                checked(Exact::real(value.clone()))
            }
            Expr::Based(digits, base) => {
                let value = BigInt::parse_bytes(digits.as_bytes(), *base).ok_or(EvalError::Undefined)?;
                checked(Exact::real(BigRational::from_integer(value)))
            }
            Expr::Symbol(name) => match self.point.get(name) {
                Some(value) => Ok(Value::Exact(Exact::real(value.clone()))),
                None => Err(EvalError::Undefined),
            },
            Expr::Const(Constant::Pi) => Ok(Value::Approx(std::f64::consts::PI, 0.0)),
            Expr::Const(Constant::E) => Ok(Value::Approx(std::f64::consts::E, 0.0)),
            Expr::Const(Constant::I) => Ok(Value::Exact(Exact { re: BigRational::zero(), im: BigRational::one() })),
            Expr::Const(Constant::Infinity) => Ok(Value::Approx(f64::INFINITY, 0.0)),
            Expr::Add(terms) => {
                let mut total = Value::Exact(Exact::real(BigRational::zero()));
                for term in terms {
                    total = add(&total, &self.eval(term)?)?;
                }
                Ok(total)
            }
            Expr::Mul(factors) => {
                let mut total = Value::Exact(Exact::real(BigRational::one()));
                for factor in factors {
                    total = mul(&total, &self.eval(factor)?)?;
                }
                Ok(total)
            }
            Expr::Neg(inner) => Ok(neg(&self.eval(inner)?)),
            Expr::Div(num, den) => {
                let n = self.eval(num)?;
                let d = self.eval(den)?;
                if let (Value::Approx(..), _) | (_, Value::Approx(..)) = (&n, &d) {
                    let (q0, q1) = c_div(n.approx(), d.approx());
                    return if d.approx() == (0.0, 0.0) { Err(EvalError::Undefined) } else { approx(q0, q1) };
                }
                mul(&n, &recip(&d)?)
            }
            Expr::Pow(base, exponent) => {
                let b = self.eval(base)?;
                let e = self.eval(exponent)?;
                if let Some(b0) = b.exact_real()
                    && b0.is_zero()
                    && e.exact_real().is_some_and(|q| !q.is_positive())
                {
                    return Err(EvalError::Undefined);
                }
                power(&b, &e)
            }
            Expr::Root(radicand, index) => {
                let r = self.eval(radicand)?;
                let n = self.eval(index)?;
                nth_root(&r, &n)
            }
            Expr::Log(argument, base) => {
                let x = self.eval(argument)?;
                match base {
                    None => apply(Function::Ln, &x),
                    Some(base) => {
                        let b = self.eval(base)?;
                        if let Some(exact) = exact_log(&x, &b) {
                            return Ok(exact);
                        }
                        let (lx, lb) = (apply(Function::Ln, &x)?, apply(Function::Ln, &b)?);
                        let (q0, q1) = c_div(lx.approx(), lb.approx());
                        approx(q0, q1)
                    }
                }
            }
            Expr::Func(function, argument) => {
                let x = self.eval(argument)?;
                apply(*function, &x)
            }
            Expr::Factorial(inner) => factorial(&self.eval(inner)?),
            Expr::Binom(n, k) => {
                let n = self.eval(n)?;
                let k = self.eval(k)?;
                binomial(&n, &k)
            }
            Expr::Apply(name, args) => {
                // An unknown function: evaluate as a fixed mix of its name and arguments, so the same
                // application is equal on both sides and different ones differ.
                let mut total = self.eval(&Expr::Symbol(name.clone()))?;
                for (idx, arg) in args.iter().enumerate() {
                    let weight = Value::Exact(Exact::real(rational(i64::try_from(idx).unwrap_or(0) + 3)));
                    total = add(&total, &mul(&weight, &self.eval(arg)?)?)?;
                    total = mul(&total, &total)?;
                }
                Ok(total)
            }
            Expr::Percent(inner) => mul(&self.eval(inner)?, &Value::Exact(Exact::real(BigRational::new(BigInt::one(), BigInt::from(100))))),
            Expr::Degree(inner) => {
                let x = self.eval(inner)?;
                mul(&x, &Value::Approx(std::f64::consts::PI / 180.0, 0.0))
            }
            Expr::PlusMinus(..)
            | Expr::Tuple(_)
            | Expr::List(_)
            | Expr::Set(_)
            | Expr::Interval(..)
            | Expr::Union(_)
            | Expr::Matrix(_)
            | Expr::Relation(..)
            | Expr::Text(_) => Err(EvalError::NotScalar),
        }
    }
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
    use crate::parse::parse;

    fn eval(text: &str) -> Eval {
        let point = BTreeMap::new();
        let mut budget = Budget::default();
        let mut evaluator = Evaluator { point: &point, budget: &mut budget, inexact: false };
        evaluator.eval(&parse(text).expect("parses"))
    }

    fn exact(text: &str) -> BigRational {
        eval(text).expect("evaluates").exact_real().cloned().expect("exact real")
    }

    #[test]
    fn keeps_rationals_exact() {
        assert_eq!(exact("\\frac{1}{3}+\\frac{1}{6}"), BigRational::new(1.into(), 2.into()));
        assert_eq!(exact("\\sqrt{\\frac{9}{4}}"), BigRational::new(3.into(), 2.into()));
        assert_eq!(exact("\\log_2 8"), rational(3));
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
        assert!(!values_equal(&third, &eval("0.33").expect("evaluates"), true, 1e-6, 1e-9));
        assert_eq!(tolerance_rational(1e-6), BigRational::new(1.into(), 1_000_000.into()));
    }
}
