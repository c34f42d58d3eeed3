//! Evaluation of scalar expressions at one point: exact complex rationals while possible, floats after.

use crate::expr::{Constant, Expr, Function};
use crate::value::{
    Budget, Eval, EvalError, Exact, MAX_BITS, Value, add, approx, c_div, c_exp, c_ln, checked, mul,
    neg, nth_root, power, recip,
};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::collections::BTreeMap;

/// Evaluates scalar expressions at one assignment of the variables.
pub struct Evaluator<'a> {
    /// Value of each variable.
    pub point: &'a BTreeMap<String, BigRational>,
    /// Shared work budget.
    pub budget: &'a mut Budget,
    /// Set when a decimal literal (possibly rounded) took part.
    pub inexact: bool,
}

pub(crate) fn rational(value: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(value))
}

fn factorial(value: &Value) -> Eval {
    let n = value
        .exact_real()
        .filter(|q| q.is_integer() && !q.is_negative())
        .ok_or(EvalError::Undefined)?;
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
    if k.is_negative()
        || (n.is_integer() && !n.is_negative() && BigRational::from_integer(k.clone()) > *n)
    {
        return Ok(Value::Exact(Exact::real(BigRational::zero())));
    }
    let k = k
        .to_u64()
        .filter(|&k| k < 100_000)
        .ok_or(EvalError::TooLarge)?;
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
    let (big, inverted) = if (x > &BigRational::one()) == (b > &BigRational::one()) {
        (x.clone(), false)
    } else {
        (x.recip(), true)
    };
    let mut power = b.clone();
    for k in 1..=256i64 {
        if power == big {
            return Some(Value::Exact(Exact::real(rational(if inverted {
                -k
            } else {
                k
            }))));
        }
        if power.numer().bits() > big.numer().bits() + 1
            && power.denom().bits() > big.denom().bits() + 1
        {
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
            Function::Sin
            | Function::Tan
            | Function::Asin
            | Function::Atan
            | Function::Sinh
            | Function::Tanh
                if x.re.is_zero() && x.im.is_zero() =>
            {
                return Ok(value.clone());
            }
            Function::Cos | Function::Cosh | Function::Exp if x.re.is_zero() && x.im.is_zero() => {
                return Ok(Value::Exact(Exact::real(BigRational::one())));
            }
            Function::Ln if x.is_real() && x.re.is_one() => {
                return Ok(Value::Exact(Exact::real(BigRational::zero())));
            }
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
                let value =
                    BigInt::parse_bytes(digits.as_bytes(), *base).ok_or(EvalError::Undefined)?;
                checked(Exact::real(BigRational::from_integer(value)))
            }
            Expr::Symbol(name) => match self.point.get(name) {
                Some(value) => Ok(Value::Exact(Exact::real(value.clone()))),
                None => Err(EvalError::Undefined),
            },
            Expr::Const(Constant::Pi) => Ok(Value::Approx(std::f64::consts::PI, 0.0)),
            Expr::Const(Constant::E) => Ok(Value::Approx(std::f64::consts::E, 0.0)),
            Expr::Const(Constant::I) => Ok(Value::Exact(Exact {
                re: BigRational::zero(),
                im: BigRational::one(),
            })),
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
                    return if d.approx() == (0.0, 0.0) {
                        Err(EvalError::Undefined)
                    } else {
                        approx(q0, q1)
                    };
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
                    let weight =
                        Value::Exact(Exact::real(rational(i64::try_from(idx).unwrap_or(0) + 3)));
                    total = add(&total, &mul(&weight, &self.eval(arg)?)?)?;
                    total = mul(&total, &total)?;
                }
                Ok(total)
            }
            Expr::Percent(inner) => mul(
                &self.eval(inner)?,
                &Value::Exact(Exact::real(BigRational::new(
                    BigInt::one(),
                    BigInt::from(100),
                ))),
            ),
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
