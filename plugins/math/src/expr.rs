//! The answer tree that parsing produces, and its canonical LaTeX printing.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::fmt::Write as _;

/// Named constants that evaluate to fixed numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constant {
    /// π.
    Pi,
    /// Euler's number e.
    E,
    /// The imaginary unit i.
    I,
    /// Positive infinity (negate it for −∞).
    Infinity,
}

/// Elementary one-argument functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Sin,
    Cos,
    Tan,
    Sec,
    Csc,
    Cot,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Ln,
    Exp,
    Sqrt,
    Abs,
    Floor,
    Ceil,
}

impl Function {
    /// The LaTeX spelling used when printing.
    pub fn latex(self) -> &'static str {
        match self {
            Function::Sin => "\\sin",
            Function::Cos => "\\cos",
            Function::Tan => "\\tan",
            Function::Sec => "\\sec",
            Function::Csc => "\\csc",
            Function::Cot => "\\cot",
            Function::Asin => "\\arcsin",
            Function::Acos => "\\arccos",
            Function::Atan => "\\arctan",
            Function::Sinh => "\\sinh",
            Function::Cosh => "\\cosh",
            Function::Tanh => "\\tanh",
            Function::Ln => "\\ln",
            Function::Exp => "\\exp",
            Function::Sqrt => "\\sqrt",
            Function::Abs => "\\abs",
            Function::Floor => "\\floor",
            Function::Ceil => "\\ceil",
        }
    }
}

/// Relation symbols of equations and inequalities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl RelOp {
    /// The LaTeX spelling used when printing.
    pub fn latex(self) -> &'static str {
        match self {
            RelOp::Eq => "=",
            RelOp::Ne => "\\ne",
            RelOp::Lt => "<",
            RelOp::Le => "\\le",
            RelOp::Gt => ">",
            RelOp::Ge => "\\ge",
        }
    }
}

/// A parsed answer: a number, an expression, or a structure of them.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// An exact number written as an integer (or produced exactly).
    Int(BigInt),
    /// A number written with a decimal point or exponent: exact value, but possibly rounded.
    Decimal(BigRational, String),
    /// A number written in another base, `1011_2`: digits and base.
    Based(String, u32),
    /// A variable name (`x`, `x_1`, `\alpha`).
    Symbol(String),
    /// A named constant.
    Const(Constant),
    /// Sum of terms.
    Add(Vec<Expr>),
    /// Product of factors.
    Mul(Vec<Expr>),
    /// Negation.
    Neg(Box<Expr>),
    /// Quotient.
    Div(Box<Expr>, Box<Expr>),
    /// Power.
    Pow(Box<Expr>, Box<Expr>),
    /// n-th root: radicand, index.
    Root(Box<Expr>, Box<Expr>),
    /// Logarithm: argument, base (None: natural log written `\log`).
    Log(Box<Expr>, Option<Box<Expr>>),
    /// One-argument function.
    Func(Function, Box<Expr>),
    /// Factorial.
    Factorial(Box<Expr>),
    /// Binomial coefficient.
    Binom(Box<Expr>, Box<Expr>),
    /// A function applied to arguments, `f(x)` (only kept for its name).
    Apply(String, Vec<Expr>),
    /// `x%`.
    Percent(Box<Expr>),
    /// `x°`.
    Degree(Box<Expr>),
    /// `a ± b` (a is zero for a leading ±).
    PlusMinus(Box<Expr>, Box<Expr>),
    /// Parenthesised comma list `(a, b)`: ordered (also an open interval when of length 2).
    Tuple(Vec<Expr>),
    /// Bare comma list `a, b, c`: compared order-free, like a set of solutions.
    List(Vec<Expr>),
    /// Braced set `\{a, b\}`.
    Set(Vec<Expr>),
    /// Interval with its end kinds: closed left, low, high, closed right.
    Interval(bool, Box<Expr>, Box<Expr>, bool),
    /// Union of sets or intervals.
    Union(Vec<Expr>),
    /// Matrix rows.
    Matrix(Vec<Vec<Expr>>),
    /// Relation chain: operands and the operators between them.
    Relation(Vec<Expr>, Vec<RelOp>),
    /// Plain text answer.
    Text(String),
}

impl Expr {
    /// Builds an integer literal.
    pub fn int(value: i64) -> Expr {
        Expr::Int(BigInt::from(value))
    }

    /// Prints the tree as LaTeX that [`crate::parse`] reads back to an equivalent tree.
    pub fn to_latex(&self) -> String {
        let mut out = String::new();
        self.write_latex(&mut out);
        out
    }

    fn write_latex(&self, out: &mut String) {
        match self {
            Expr::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Expr::Decimal(_, text) => out.push_str(text),
            Expr::Based(digits, base) => {
                let _ = write!(out, "{digits}_{{{base}}}");
            }
            Expr::Symbol(name) => out.push_str(name),
            Expr::Const(c) => out.push_str(match c {
                Constant::Pi => "\\pi",
                Constant::E => "e",
                Constant::I => "i",
                Constant::Infinity => "\\infty",
            }),
            Expr::Add(terms) => {
                for (idx, term) in terms.iter().enumerate() {
                    match term {
                        // `a - b` reads back as a sum with a negated term, exactly what it came from.
                        Expr::Neg(inner) if idx > 0 => {
                            out.push_str(" - ");
                            let wrap = matches!(
                                **inner,
                                Expr::Add(_) | Expr::Neg(_) | Expr::PlusMinus(..)
                            ) || inner.is_negative_literal();
                            inner.write_wrapped(out, wrap);
                        }
                        _ => {
                            if idx > 0 {
                                out.push_str(" + ");
                            }
                            term.write_wrapped(
                                out,
                                matches!(term, Expr::Add(_))
                                    || (idx > 0 && term.is_negative_literal()),
                            );
                        }
                    }
                }
            }
            Expr::Mul(factors) => {
                for (idx, factor) in factors.iter().enumerate() {
                    if idx > 0 {
                        out.push_str(" \\cdot ");
                    }
                    let wrap = matches!(
                        factor,
                        Expr::Add(_) | Expr::Neg(_) | Expr::Mul(_) | Expr::PlusMinus(..)
                    ) || (idx > 0 && factor.is_negative_literal());
                    factor.write_wrapped(out, wrap);
                }
            }
            Expr::Neg(inner) => {
                out.push('-');
                let wrap = matches!(**inner, Expr::Add(_) | Expr::Neg(_) | Expr::PlusMinus(..))
                    || inner.is_negative_literal();
                inner.write_wrapped(out, wrap);
            }
            Expr::Div(num, den) => {
                out.push_str("\\frac{");
                num.write_latex(out);
                out.push_str("}{");
                den.write_latex(out);
                out.push('}');
            }
            Expr::Pow(base, exp) => {
                let wrap = !base.is_atom() || base.is_negative_literal();
                base.write_wrapped(out, wrap);
                out.push_str("^{");
                exp.write_latex(out);
                out.push('}');
            }
            Expr::Root(radicand, index) => {
                if **index == Expr::int(2) {
                    out.push_str("\\sqrt{");
                } else {
                    out.push_str("\\sqrt[");
                    index.write_latex(out);
                    out.push_str("]{");
                }
                radicand.write_latex(out);
                out.push('}');
            }
            Expr::Log(arg, base) => {
                match base {
                    None => out.push_str("\\log"),
                    Some(b) => {
                        out.push_str("\\log_{");
                        b.write_latex(out);
                        out.push('}');
                    }
                }
                out.push_str("\\left(");
                arg.write_latex(out);
                out.push_str("\\right)");
            }
            Expr::Func(f, arg) => match f {
                Function::Sqrt => {
                    out.push_str("\\sqrt{");
                    arg.write_latex(out);
                    out.push('}');
                }
                Function::Abs => {
                    out.push_str("\\left|");
                    arg.write_latex(out);
                    out.push_str("\\right|");
                }
                Function::Floor => {
                    out.push_str("\\lfloor ");
                    arg.write_latex(out);
                    out.push_str("\\rfloor ");
                }
                Function::Ceil => {
                    out.push_str("\\lceil ");
                    arg.write_latex(out);
                    out.push_str("\\rceil ");
                }
                _ => {
                    out.push_str(f.latex());
                    out.push_str("\\left(");
                    arg.write_latex(out);
                    out.push_str("\\right)");
                }
            },
            Expr::Factorial(inner) => {
                inner.write_wrapped(out, !inner.is_atom() || inner.is_negative_literal());
                out.push('!');
            }
            Expr::Binom(n, k) => {
                out.push_str("\\binom{");
                n.write_latex(out);
                out.push_str("}{");
                k.write_latex(out);
                out.push('}');
            }
            Expr::Apply(name, args) => {
                out.push_str(name);
                out.push('(');
                write_joined(out, args, ", ");
                out.push(')');
            }
            Expr::Percent(inner) => {
                inner.write_wrapped(out, !inner.is_atom());
                out.push_str("\\%");
            }
            Expr::Degree(inner) => {
                inner.write_wrapped(out, !inner.is_atom());
                out.push_str("^\\circ");
            }
            Expr::PlusMinus(a, b) => {
                if !a.is_zero_literal() {
                    a.write_latex(out);
                    out.push(' ');
                }
                out.push_str("\\pm ");
                b.write_wrapped(
                    out,
                    matches!(**b, Expr::Add(_) | Expr::Neg(_) | Expr::PlusMinus(..)),
                );
            }
            Expr::Tuple(items) => {
                out.push_str("\\left(");
                write_joined(out, items, ", ");
                out.push_str("\\right)");
            }
            Expr::List(items) => write_joined(out, items, ", "),
            Expr::Set(items) => {
                out.push_str("\\{");
                write_joined(out, items, ", ");
                out.push_str("\\}");
            }
            Expr::Interval(left_closed, low, high, right_closed) => {
                out.push_str(if *left_closed { "\\left[" } else { "\\left(" });
                low.write_latex(out);
                out.push_str(", ");
                high.write_latex(out);
                out.push_str(if *right_closed {
                    "\\right]"
                } else {
                    "\\right)"
                });
            }
            Expr::Union(parts) => write_joined(out, parts, " \\cup "),
            Expr::Matrix(rows) => {
                out.push_str("\\begin{pmatrix}");
                for (row_idx, row) in rows.iter().enumerate() {
                    if row_idx > 0 {
                        out.push_str(" \\\\ ");
                    }
                    write_joined(out, row, " & ");
                }
                out.push_str("\\end{pmatrix}");
            }
            Expr::Relation(operands, ops) => {
                for (idx, operand) in operands.iter().enumerate() {
                    if idx > 0 {
                        let _ = write!(out, " {} ", ops[idx - 1].latex());
                    }
                    operand.write_latex(out);
                }
            }
            Expr::Text(text) => {
                out.push_str("\\text{");
                out.push_str(text);
                out.push('}');
            }
        }
    }

    fn write_wrapped(&self, out: &mut String, wrap: bool) {
        if wrap {
            out.push_str("\\left(");
            self.write_latex(out);
            out.push_str("\\right)");
        } else {
            self.write_latex(out);
        }
    }

    fn is_atom(&self) -> bool {
        matches!(
            self,
            Expr::Int(_)
                | Expr::Decimal(..)
                | Expr::Symbol(_)
                | Expr::Const(_)
                | Expr::Tuple(_)
                | Expr::Apply(..)
        )
    }

    fn is_negative_literal(&self) -> bool {
        match self {
            Expr::Int(n) => n.is_negative(),
            Expr::Decimal(value, _) => value.is_negative(),
            _ => false,
        }
    }

    fn is_zero_literal(&self) -> bool {
        matches!(self, Expr::Int(n) if n.is_zero())
    }

    /// True when the value is the integer one (used to simplify printing and parsing).
    pub fn is_one(&self) -> bool {
        matches!(self, Expr::Int(n) if n.is_one())
    }

    /// Number of nodes in the tree (bounded work checks use it).
    pub fn size(&self) -> usize {
        1 + match self {
            Expr::Int(_)
            | Expr::Decimal(..)
            | Expr::Based(..)
            | Expr::Symbol(_)
            | Expr::Const(_)
            | Expr::Text(_) => 0,
            Expr::Add(items)
            | Expr::Mul(items)
            | Expr::Tuple(items)
            | Expr::List(items)
            | Expr::Set(items)
            | Expr::Union(items)
            | Expr::Apply(_, items) => items.iter().map(Expr::size).sum(),
            Expr::Relation(items, _) => items.iter().map(Expr::size).sum(),
            Expr::Neg(a)
            | Expr::Func(_, a)
            | Expr::Factorial(a)
            | Expr::Percent(a)
            | Expr::Degree(a) => a.size(),
            Expr::Log(a, b) => a.size() + b.as_ref().map_or(0, |b| b.size()),
            Expr::Div(a, b)
            | Expr::Pow(a, b)
            | Expr::Root(a, b)
            | Expr::Binom(a, b)
            | Expr::PlusMinus(a, b)
            | Expr::Interval(_, a, b, _) => a.size() + b.size(),
            Expr::Matrix(rows) => rows.iter().flatten().map(Expr::size).sum(),
        }
    }
}

fn write_joined(out: &mut String, items: &[Expr], separator: &str) {
    for (idx, item) in items.iter().enumerate() {
        if idx > 0 {
            out.push_str(separator);
        }
        item.write_latex(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_fractions_powers_and_sets() {
        let expr = Expr::Set(vec![
            Expr::Div(Box::new(Expr::int(1)), Box::new(Expr::int(2))),
            Expr::Pow(Box::new(Expr::int(-2)), Box::new(Expr::Symbol("x".into()))),
        ]);
        assert_eq!(expr.to_latex(), "\\{\\frac{1}{2}, \\left(-2\\right)^{x}\\}");
        assert_eq!(expr.size(), 7);
    }
}
