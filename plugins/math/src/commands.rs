//! Parsing of backslash commands, named functions and matrix environments.

use crate::Error;
use crate::expr::{Constant, Expr, Function};
use crate::lex::Token;
use crate::parse::{Parsed, Parser, collapse_product};

fn is_matrix_env(env: &str) -> bool {
    matches!(
        env,
        "pmatrix"
            | "bmatrix"
            | "Bmatrix"
            | "matrix"
            | "vmatrix"
            | "Vmatrix"
            | "smallmatrix"
            | "array"
            | "cases"
    )
}

fn function_for(name: &str) -> Option<Function> {
    Some(match name {
        "sin" => Function::Sin,
        "cos" => Function::Cos,
        "tan" | "tg" => Function::Tan,
        "sec" => Function::Sec,
        "csc" | "cosec" => Function::Csc,
        "cot" | "ctg" => Function::Cot,
        "arcsin" | "asin" => Function::Asin,
        "arccos" | "acos" => Function::Acos,
        "arctan" | "atan" => Function::Atan,
        "sinh" => Function::Sinh,
        "cosh" => Function::Cosh,
        "tanh" => Function::Tanh,
        "ln" => Function::Ln,
        "exp" => Function::Exp,
        _ => return None,
    })
}

fn inverse(function: Function) -> Option<Function> {
    Some(match function {
        Function::Sin => Function::Asin,
        Function::Cos => Function::Acos,
        Function::Tan => Function::Atan,
        _ => return None,
    })
}

impl Parser {
    pub(crate) fn environment(&mut self, env: &str) -> Parsed {
        if !is_matrix_env(env) {
            return Err(Error::Parse(format!("unsupported environment {env}")));
        }
        if env == "array" && self.peek() == Some(&Token::LBrace) {
            while let Some(token) = self.peek().cloned() {
                self.pos += 1;
                if token == Token::RBrace {
                    break;
                }
            }
        }
        let mut rows: Vec<Vec<Expr>> = vec![Vec::new()];
        loop {
            match self.peek() {
                Some(Token::End(_)) => {
                    self.pos += 1;
                    break;
                }
                None => return Err(Error::Parse(format!("unclosed environment {env}"))),
                Some(Token::Amp) => self.pos += 1,
                Some(Token::RowSep) => {
                    self.pos += 1;
                    rows.push(Vec::new());
                }
                Some(_) => {
                    let cell = self.relation()?;
                    rows.last_mut().expect("a row").push(cell);
                }
            }
        }
        rows.retain(|row| !row.is_empty());
        if rows.is_empty() {
            return Err(Error::Parse("empty matrix".into()));
        }
        if env == "cases" {
            return Ok(Expr::List(rows.into_iter().flatten().collect()));
        }
        Ok(Expr::Matrix(rows))
    }

    pub(crate) fn command(&mut self, name: &str) -> Parsed {
        match name {
            "frac" => {
                let numerator = self.argument(true)?;
                let denominator = self.argument(true)?;
                Ok(Expr::Div(Box::new(numerator), Box::new(denominator)))
            }
            "binom" | "choose" => {
                let n = self.argument(true)?;
                let k = self.argument(true)?;
                Ok(Expr::Binom(Box::new(n), Box::new(k)))
            }
            "sqrt" => {
                let index = if self.eat(&Token::LBrack) {
                    let index = self.relation()?;
                    self.expect(&Token::RBrack)?;
                    Some(index)
                } else {
                    None
                };
                let radicand = self.argument(false)?;
                Ok(match index {
                    Some(index) => Expr::Root(Box::new(radicand), Box::new(index)),
                    None => Expr::Func(Function::Sqrt, Box::new(radicand)),
                })
            }
            "pi" => Ok(Expr::Const(Constant::Pi)),
            "infty" => Ok(Expr::Const(Constant::Infinity)),
            "lfloor" | "lceil" => {
                let inner = self.additive()?;
                let closer = if name == "lfloor" { "rfloor" } else { "rceil" };
                self.expect(&Token::Cmd(closer.into()))?;
                let function = if name == "lfloor" {
                    Function::Floor
                } else {
                    Function::Ceil
                };
                Ok(Expr::Func(function, Box::new(inner)))
            }
            "log" | "lg" | "ln" | "exp" | "sin" | "cos" | "tan" | "sec" | "csc" | "cot"
            | "arcsin" | "arccos" | "arctan" | "sinh" | "cosh" | "tanh" | "cosec" | "tg"
            | "ctg" => self.function(name),
            "boxed" | "fbox" | "overline" | "vec" | "hat" | "bar" | "widehat" | "tilde"
            | "underline" | "overrightarrow" | "mathring" | "dot" | "ddot" | "check" | "acute"
            | "grave" | "breve" => {
                if self.peek() == Some(&Token::LBrace) {
                    self.argument(false)
                } else {
                    self.postfix()
                }
            }
            _ => Ok(Expr::Symbol(format!("\\{name}"))),
        }
    }

    pub(crate) fn function(&mut self, name: &str) -> Parsed {
        let mut power = None;
        let mut base = match name {
            "lg" => Some(Expr::int(10)),
            _ => None,
        };
        loop {
            if self.eat(&Token::Caret) {
                power = Some(self.script()?);
            } else if name == "log" && self.eat(&Token::Underscore) {
                base = Some(self.script()?);
            } else {
                break;
            }
        }
        let argument = if self.peek() == Some(&Token::LParen) {
            self.postfix()?
        } else {
            let mut factors = vec![self.power()?];
            while self.starts_atom()
                && !matches!(self.peek(), Some(Token::Cmd(n)) if function_for(n).is_some() || n == "log")
            {
                factors.push(self.power()?);
            }
            collapse_product(factors)
        };
        let mut function = function_for(name);
        if let (Some(f), Some(Expr::Neg(inner))) = (function, &power)
            && inner.is_one()
            && let Some(inv) = inverse(f)
        {
            function = Some(inv);
            power = None;
        }
        let applied = match function {
            Some(f) => Expr::Func(f, Box::new(argument)),
            None => Expr::Log(Box::new(argument), base.map(Box::new)),
        };
        Ok(match power {
            Some(p) => Expr::Pow(Box::new(applied), Box::new(p)),
            None => applied,
        })
    }
}
