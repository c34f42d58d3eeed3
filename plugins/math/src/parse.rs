//! Recursive-descent parser from answer tokens to an [`Expr`] tree, with bounded depth and size.

use crate::Error;
use crate::clean::{bracket_depth, clean_tokens, text_answer};
use crate::expr::{Constant, Expr, Function, RelOp};
use crate::lex::{Token, tokenize};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};

/// Deepest nesting of groups and prefix operators the parser accepts.
pub const MAX_DEPTH: usize = 120;
/// Most tokens one answer may have.
pub const MAX_TOKENS: usize = 20_000;
/// Most digits in one number literal.
const MAX_LITERAL_DIGITS: usize = 5_000;

/// Longest answer text parsed, in bytes.
pub const MAX_ANSWER_BYTES: usize = 50_000;

/// Parses one answer (LaTeX or plain text) into an expression tree.
pub fn parse(text: &str) -> Result<Expr, Error> {
    if text.len() > MAX_ANSWER_BYTES {
        return Err(Error::TooLarge("answer text is too long".into()));
    }
    if bracket_depth(text) > MAX_DEPTH {
        return Err(Error::TooLarge("answer is nested too deeply".into()));
    }
    let tokens = tokenize(text).ok_or_else(|| Error::Parse("unexpected character".into()))?;
    if tokens.len() > MAX_TOKENS {
        return Err(Error::TooLarge("answer has too many tokens".into()));
    }
    if tokens.is_empty() {
        return Err(Error::Parse("empty answer".into()));
    }
    if let Some(text_answer) = text_answer(&tokens) {
        return Ok(Expr::Text(text_answer));
    }
    let tokens = clean_tokens(tokens);
    if tokens.is_empty() {
        return Err(Error::Parse("no math in answer".into()));
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let expr = parser.top()?;
    if parser.pos < parser.tokens.len() {
        return Err(Error::Parse(format!(
            "unexpected {:?}",
            parser.tokens[parser.pos]
        )));
    }
    Ok(expr)
}

pub(crate) struct Parser {
    pub(crate) tokens: Vec<Token>,
    pub(crate) pos: usize,
    pub(crate) depth: usize,
}

/// Result of parsing one piece of an answer.
pub(crate) type Parsed = Result<Expr, Error>;

impl Parser {
    pub(crate) fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    pub(crate) fn peek_at(&self, offset: usize) -> Option<&Token> {
        self.tokens.get(self.pos + offset)
    }

    pub(crate) fn eat(&mut self, token: &Token) -> bool {
        if self.peek() == Some(token) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn expect(&mut self, token: &Token) -> Result<(), Error> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(Error::Parse(format!("expected {token:?}")))
        }
    }

    pub(crate) fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Error::TooLarge("answer is nested too deeply".into()))
        } else {
            Ok(())
        }
    }

    /// Whole answer: a comma list; `n = 2, 3, 4` becomes `n = (list)`.
    pub(crate) fn top(&mut self) -> Parsed {
        let mut items = vec![self.relation()?];
        while self.eat(&Token::Comma) {
            if self.peek().is_none() {
                break;
            }
            items.push(self.relation()?);
        }
        if items.len() == 1 {
            return Ok(items.pop().expect("one item"));
        }
        let rest_plain = items[1..]
            .iter()
            .all(|item| !matches!(item, Expr::Relation(..)));
        if let Expr::Relation(operands, ops) = &items[0]
            && rest_plain
            && ops.len() == 1
            && ops[0] == RelOp::Eq
        {
            let (name, first) = (operands[0].clone(), operands[1].clone());
            let mut values = vec![first];
            values.extend(items.drain(1..));
            return Ok(Expr::Relation(
                vec![name, Expr::List(values)],
                vec![RelOp::Eq],
            ));
        }
        Ok(Expr::List(items))
    }

    pub(crate) fn comma_items(&mut self, closers: &[Token]) -> Result<(Vec<Expr>, Token), Error> {
        let mut items = Vec::new();
        loop {
            if let Some(token) = self.peek()
                && closers.contains(token)
            {
                let closer = token.clone();
                self.pos += 1;
                return Ok((items, closer));
            }
            if self.peek().is_none() {
                return Err(Error::Parse("unclosed bracket".into()));
            }
            items.push(self.relation()?);
            if !self.eat(&Token::Comma) {
                let Some(token) = self.peek().filter(|t| closers.contains(t)).cloned() else {
                    return Err(Error::Parse("expected a closing bracket".into()));
                };
                self.pos += 1;
                return Ok((items, token));
            }
        }
    }

    pub(crate) fn relation(&mut self) -> Parsed {
        self.enter()?;
        let mut operands = vec![self.union()?];
        let mut ops = Vec::new();
        loop {
            let op = match self.peek() {
                Some(Token::Rel(op)) => *op,
                Some(Token::In) => RelOp::Eq,
                // `x \approx 11` gives x's value; in `\frac{70}{9} \approx 7.78` the exact value comes first.
                Some(Token::Approx)
                    if operands.len() == 1
                        && matches!(operands[0], Expr::Symbol(_) | Expr::Apply(..)) =>
                {
                    RelOp::Eq
                }
                Some(Token::Approx) => {
                    self.pos += 1;
                    self.union()?;
                    continue;
                }
                _ => break,
            };
            self.pos += 1;
            ops.push(op);
            operands.push(self.union()?);
        }
        self.depth -= 1;
        Ok(if ops.is_empty() {
            operands.pop().expect("one operand")
        } else {
            Expr::Relation(operands, ops)
        })
    }

    pub(crate) fn union(&mut self) -> Parsed {
        let mut parts = vec![self.additive()?];
        while self.eat(&Token::Cup) {
            parts.push(self.additive()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().expect("one part")
        } else {
            Expr::Union(parts)
        })
    }

    pub(crate) fn additive(&mut self) -> Parsed {
        let mut terms = vec![self.term()?];
        loop {
            match self.peek() {
                Some(Token::Plus) => {
                    self.pos += 1;
                    terms.push(self.term()?);
                }
                Some(Token::Minus) => {
                    self.pos += 1;
                    terms.push(Expr::Neg(Box::new(self.term()?)));
                }
                Some(Token::PlusMinus) => {
                    self.pos += 1;
                    let left = collapse_sum(std::mem::take(&mut terms));
                    terms.push(Expr::PlusMinus(Box::new(left), Box::new(self.term()?)));
                }
                _ => break,
            }
        }
        Ok(collapse_sum(terms))
    }

    pub(crate) fn starts_atom(&self) -> bool {
        match self.peek() {
            Some(
                Token::Num(_)
                | Token::Ident(_)
                | Token::LParen
                | Token::LBrace
                | Token::LSet
                | Token::Begin(_),
            ) => true,
            Some(Token::Cmd(name)) => !matches!(name.as_str(), "rfloor" | "rceil"),
            _ => false,
        }
    }

    pub(crate) fn term(&mut self) -> Parsed {
        let mut factors = vec![self.unary()?];
        loop {
            match self.peek() {
                Some(Token::Star) => {
                    self.pos += 1;
                    factors.push(self.unary()?);
                }
                Some(Token::Slash) => {
                    self.pos += 1;
                    let divisor = self.unary()?;
                    let numerator = collapse_product(std::mem::take(&mut factors));
                    factors.push(Expr::Div(Box::new(numerator), Box::new(divisor)));
                }
                _ if self.starts_atom() => {
                    if let Some(mixed) = self.mixed_number(&factors)? {
                        factors = vec![mixed];
                        continue;
                    }
                    factors.push(self.power()?);
                }
                _ => break,
            }
        }
        Ok(collapse_product(factors))
    }

    /// `2\frac{1}{2}` and `2 1/2` are mixed numbers (a sum), not products.
    pub(crate) fn mixed_number(&mut self, factors: &[Expr]) -> Result<Option<Expr>, Error> {
        let [Expr::Int(whole)] = factors else {
            return Ok(None);
        };
        let is_int = |t: Option<&Token>| matches!(t, Some(Token::Num(n)) if n.chars().all(|c| c.is_ascii_digit()));
        let fraction = if self.peek() == Some(&Token::Cmd("frac".into())) {
            let save = self.pos;
            self.pos += 1;
            let numerator = self.argument(true)?;
            let denominator = self.argument(true)?;
            if matches!((&numerator, &denominator), (Expr::Int(_), Expr::Int(_)))
                && !matches!(self.peek(), Some(Token::Caret))
            {
                Expr::Div(Box::new(numerator), Box::new(denominator))
            } else {
                self.pos = save;
                return Ok(None);
            }
        } else if is_int(self.peek())
            && self.peek_at(1) == Some(&Token::Slash)
            && is_int(self.peek_at(2))
            && !matches!(self.peek_at(3), Some(Token::Caret))
        {
            let numerator = self.atom()?;
            self.pos += 1;
            let denominator = self.atom()?;
            Expr::Div(Box::new(numerator), Box::new(denominator))
        } else {
            return Ok(None);
        };
        let whole = Expr::Int(whole.clone());
        Ok(Some(if whole_is_negative(&whole) {
            Expr::Add(vec![whole, Expr::Neg(Box::new(fraction))])
        } else {
            Expr::Add(vec![whole, fraction])
        }))
    }

    pub(crate) fn unary(&mut self) -> Parsed {
        self.enter()?;
        let result = match self.peek() {
            Some(Token::Minus) => {
                // A leading minus covers the whole term: `-2 1/2` is a negative mixed number.
                self.pos += 1;
                Expr::Neg(Box::new(self.term()?))
            }
            Some(Token::Plus) => {
                self.pos += 1;
                self.unary()?
            }
            Some(Token::PlusMinus) => {
                self.pos += 1;
                Expr::PlusMinus(Box::new(Expr::int(0)), Box::new(self.term()?))
            }
            _ => self.power()?,
        };
        self.depth -= 1;
        Ok(result)
    }

    pub(crate) fn power(&mut self) -> Parsed {
        let base = self.postfix()?;
        if !self.eat(&Token::Caret) {
            return Ok(base);
        }
        if self.eat(&Token::Degree) {
            return self.postfix_ops(Expr::Degree(Box::new(base)));
        }
        if self.peek() == Some(&Token::LBrace)
            && self.peek_at(1) == Some(&Token::Degree)
            && self.peek_at(2) == Some(&Token::RBrace)
        {
            self.pos += 3;
            return self.postfix_ops(Expr::Degree(Box::new(base)));
        }
        let exponent = self.script()?;
        let result = Expr::Pow(Box::new(base), Box::new(exponent));
        if self.peek() == Some(&Token::Caret) {
            // Tower `a^b^c` reads right to left.
            self.pos += 1;
            let top = self.script()?;
            if let Expr::Pow(base, exponent) = result {
                return self.postfix_ops(Expr::Pow(
                    base,
                    Box::new(Expr::Pow(exponent, Box::new(top))),
                ));
            }
        }
        self.postfix_ops(result)
    }

    /// Argument of `^` or `_`: a braced group, a signed atom, or one token.
    pub(crate) fn script(&mut self) -> Parsed {
        self.enter()?;
        let result = match self.peek() {
            Some(Token::Minus) => {
                self.pos += 1;
                Expr::Neg(Box::new(self.script()?))
            }
            Some(Token::Plus) => {
                self.pos += 1;
                self.script()?
            }
            _ => self.postfix()?,
        };
        self.depth -= 1;
        Ok(result)
    }

    pub(crate) fn postfix(&mut self) -> Parsed {
        let atom = self.atom()?;
        self.postfix_ops(atom)
    }

    pub(crate) fn postfix_ops(&mut self, mut expr: Expr) -> Parsed {
        loop {
            match self.peek() {
                Some(Token::Bang) => {
                    self.pos += 1;
                    expr = Expr::Factorial(Box::new(expr));
                }
                Some(Token::Percent) => {
                    self.pos += 1;
                    expr = Expr::Percent(Box::new(expr));
                }
                Some(Token::Degree) => {
                    self.pos += 1;
                    expr = Expr::Degree(Box::new(expr));
                }
                Some(Token::Underscore) => {
                    self.pos += 1;
                    let sub = self.script()?;
                    expr = subscript(expr, &sub);
                }
                _ => return Ok(expr),
            }
        }
    }

    /// Argument of `\frac`, `\sqrt`, `\binom`: a braced group or one token (`\frac12` splits digits).
    pub(crate) fn argument(&mut self, single_digit: bool) -> Parsed {
        if let Some(Token::Num(text)) = self.peek()
            && single_digit
            && text.len() > 1
            && text.chars().all(|c| c.is_ascii_digit())
        {
            let (head, tail) = text.split_at(1);
            let (head, tail) = (head.to_string(), tail.to_string());
            self.tokens[self.pos] = Token::Num(tail);
            return number(&head);
        }
        if self.eat(&Token::LBrace) {
            self.enter()?;
            let inner = self.group_content(&Token::RBrace)?;
            self.depth -= 1;
            return Ok(inner);
        }
        self.postfix()
    }

    pub(crate) fn group_content(&mut self, closer: &Token) -> Parsed {
        let (mut items, _) = self.comma_items(std::slice::from_ref(closer))?;
        match items.len() {
            0 => Err(Error::Parse("empty group".into())),
            1 => Ok(items.pop().expect("one item")),
            _ => Ok(Expr::List(items)),
        }
    }

    pub(crate) fn atom(&mut self) -> Parsed {
        self.enter()?;
        let result = self.atom_inner();
        self.depth -= 1;
        result
    }

    pub(crate) fn atom_inner(&mut self) -> Parsed {
        let Some(token) = self.peek().cloned() else {
            return Err(Error::Parse("answer ends too early".into()));
        };
        self.pos += 1;
        match token {
            Token::Num(text) => number(&text),
            Token::Ident(name) => self.identifier(name),
            Token::LParen => {
                let (mut items, closer) = self.comma_items(&[Token::RParen, Token::RBrack])?;
                match (items.len(), closer) {
                    (0, _) => Err(Error::Parse("empty parentheses".into())),
                    (1, Token::RParen) => Ok(items.pop().expect("one item")),
                    (2, Token::RBrack) => interval(false, items, true),
                    (_, Token::RParen) => Ok(Expr::Tuple(items)),
                    _ => Err(Error::Parse("bad interval".into())),
                }
            }
            Token::LBrack => {
                let (mut items, closer) = self.comma_items(&[Token::RBrack, Token::RParen])?;
                match (items.len(), closer) {
                    (0, _) => Err(Error::Parse("empty brackets".into())),
                    (1, Token::RBrack) => Ok(items.pop().expect("one item")),
                    (2, Token::RBrack) => interval(true, items, true),
                    (2, Token::RParen) => interval(true, items, false),
                    (_, Token::RBrack) => Ok(Expr::Tuple(items)),
                    _ => Err(Error::Parse("bad interval".into())),
                }
            }
            Token::LBrace => {
                // Plain braces only group: `{1,3}` is the sequence 1, 3 (a set needs `\{ \}`).
                let (mut items, _) = self.comma_items(&[Token::RBrace])?;
                match items.len() {
                    0 => Err(Error::Parse("empty braces".into())),
                    1 => Ok(items.pop().expect("one item")),
                    _ => Ok(Expr::List(items)),
                }
            }
            Token::LSet => {
                if let Some(condition) = self.set_builder()? {
                    return Ok(condition);
                }
                let (items, _) = self.comma_items(&[Token::RSet])?;
                Ok(Expr::Set(items))
            }
            Token::Pipe => {
                let inner = self.additive()?;
                self.expect(&Token::Pipe)?;
                Ok(Expr::Func(Function::Abs, Box::new(inner)))
            }
            Token::Begin(env) => self.environment(&env),
            Token::Cmd(name) => self.command(&name),
            other => Err(Error::Parse(format!("unexpected {other:?}"))),
        }
    }

    /// `\{x \mid x > 2\}`: the set is what its condition says about the variable.
    pub(crate) fn set_builder(&mut self) -> Result<Option<Expr>, Error> {
        let is_variable = matches!(self.peek(), Some(Token::Ident(_)));
        if !(is_variable && self.peek_at(1) == Some(&Token::Pipe)) {
            return Ok(None);
        }
        self.pos += 2;
        let condition = self.relation()?;
        self.expect(&Token::RSet)?;
        Ok(Some(condition))
    }

    pub(crate) fn identifier(&mut self, name: String) -> Parsed {
        if matches!(name.as_str(), "f" | "g" | "h" | "F" | "G" | "H" | "P" | "Q")
            && self.peek() == Some(&Token::LParen)
        {
            self.pos += 1;
            let (items, _) = self.comma_items(&[Token::RParen])?;
            return Ok(Expr::Apply(name, items));
        }
        Ok(match name.as_str() {
            "e" => Expr::Const(Constant::E),
            "i" => Expr::Const(Constant::I),
            _ => Expr::Symbol(name),
        })
    }
}

fn whole_is_negative(expr: &Expr) -> bool {
    matches!(expr, Expr::Int(n) if n < &BigInt::zero())
}

fn interval(left_closed: bool, mut items: Vec<Expr>, right_closed: bool) -> Parsed {
    let high = items.pop().expect("two items");
    let low = items.pop().expect("two items");
    Ok(Expr::Interval(
        left_closed,
        Box::new(low),
        Box::new(high),
        right_closed,
    ))
}

fn collapse_sum(mut terms: Vec<Expr>) -> Expr {
    if terms.len() == 1 {
        terms.pop().expect("one term")
    } else {
        Expr::Add(terms)
    }
}

pub(crate) fn collapse_product(mut factors: Vec<Expr>) -> Expr {
    if factors.len() == 1 {
        factors.pop().expect("one factor")
    } else {
        Expr::Mul(factors)
    }
}

/// Applies a subscript: a base for digit strings (`1011_2`), part of the name for symbols.
fn subscript(expr: Expr, sub: &Expr) -> Expr {
    match (&expr, sub) {
        (Expr::Int(digits), Expr::Int(base)) => match u32::try_from(base) {
            Ok(base) if (2..=36).contains(&base) => Expr::Based(digits.to_string(), base),
            _ => expr,
        },
        (Expr::Symbol(name), _) => Expr::Symbol(format!("{name}_{{{}}}", sub.to_latex())),
        _ => expr,
    }
}

/// Parses a number literal into an exact integer or decimal.
pub fn number(text: &str) -> Parsed {
    if text.len() > MAX_LITERAL_DIGITS {
        return Err(Error::TooLarge("number literal is too long".into()));
    }
    if text.chars().all(|c| c.is_ascii_digit()) {
        let value: BigInt = text
            .parse()
            .map_err(|_| Error::Parse(format!("bad number {text}")))?;
        return Ok(Expr::Int(value));
    }
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (
            m,
            e.parse::<i64>()
                .map_err(|_| Error::Parse(format!("bad exponent in {text}")))?,
        ),
        None => (text, 0),
    };
    if exponent.unsigned_abs() > MAX_LITERAL_DIGITS as u64 {
        return Err(Error::TooLarge("number exponent is too large".into()));
    }
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    let numerator: BigInt = digits
        .parse()
        .map_err(|_| Error::Parse(format!("bad number {text}")))?;
    let scale = exponent - i64::try_from(fraction.len()).unwrap_or(i64::MAX);
    let ten = BigInt::from(10);
    let power = num_traits::pow(ten, usize::try_from(scale.unsigned_abs()).unwrap_or(0));
    let value = if scale >= 0 {
        BigRational::from_integer(numerator * power)
    } else {
        BigRational::new(numerator, power)
    };
    if value.denom().is_one() && !text.contains(['.', 'e', 'E']) {
        return Ok(Expr::Int(value.to_integer()));
    }
    Ok(Expr::Decimal(value, text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latex(text: &str) -> String {
        parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .to_latex()
    }

    #[test]
    fn parses_fractions_and_roots() {
        assert_eq!(latex("\\frac12"), "\\frac{1}{2}");
        assert_eq!(latex("\\dfrac{1}{3}"), "\\frac{1}{3}");
        assert_eq!(latex("\\sqrt3"), "\\sqrt{3}");
        assert_eq!(latex("\\sqrt[3]{x}"), "\\sqrt[3]{x}");
        assert_eq!(latex("2\\frac{1}{2}"), "2 + \\frac{1}{2}");
        assert_eq!(latex("-2 1/2"), "-\\left(2 + \\frac{1}{2}\\right)");
    }

    #[test]
    fn parses_structures() {
        assert_eq!(latex("[0,1)"), "\\left[0, 1\\right)");
        assert_eq!(latex("n=2,3,4"), "n = 2, 3, 4");
        assert_eq!(latex("\\{1,2\\}"), "\\{1, 2\\}");
        assert_eq!(
            latex("(1,2)\\cup(3,4)"),
            "\\left(1, 2\\right) \\cup \\left(3, 4\\right)"
        );
        assert_eq!(
            latex("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}"),
            "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}"
        );
        assert_eq!(latex("1011_2"), "1011_{2}");
        assert_eq!(latex("\\text{Evelyn}"), "\\text{evelyn}");
    }

    #[test]
    fn parses_functions_and_postfix() {
        assert_eq!(
            latex("\\sin^2 x"),
            "\\left(\\sin\\left(x\\right)\\right)^{2}"
        );
        assert_eq!(latex("\\log_2 8"), "\\log_{2}\\left(8\\right)");
        assert_eq!(latex("5!"), "5!");
        assert_eq!(latex("50\\%"), "50\\%");
        assert_eq!(latex("90^\\circ"), "90^\\circ");
        assert_eq!(latex("\\pm 2"), "\\pm 2");
    }

    #[test]
    fn rejects_deep_nesting() {
        let deep = format!("{}1{}", "{".repeat(10_000), "}".repeat(10_000));
        assert!(matches!(parse(&deep), Err(Error::TooLarge(_))));
    }
}
