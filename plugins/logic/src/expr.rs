//! Exact arithmetic expressions (countdown, 24 game): parse, evaluate as rationals, list numbers.

/// A rational number with a positive denominator, kept in lowest terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    pub num: i128,
    pub den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

impl Ratio {
    pub fn int(value: i64) -> Self {
        Self {
            num: i128::from(value),
            den: 1,
        }
    }

    fn new(num: i128, den: i128) -> Result<Self, String> {
        if den == 0 {
            return Err("division by zero".into());
        }
        let divisor = gcd(num, den).max(1);
        let sign = if den < 0 { -1 } else { 1 };
        Ok(Self {
            num: sign * num / divisor,
            den: sign * den / divisor,
        })
    }

    pub fn apply(self, op: char, rhs: Self) -> Result<Self, String> {
        let overflow = || "number too large".to_string();
        let (a, b, c, d) = (self.num, self.den, rhs.num, rhs.den);
        match op {
            '+' => Self::new(
                a.checked_mul(d)
                    .and_then(|x| c.checked_mul(b).and_then(|y| x.checked_add(y)))
                    .ok_or_else(overflow)?,
                b.checked_mul(d).ok_or_else(overflow)?,
            ),
            '-' => Self::new(
                a.checked_mul(d)
                    .and_then(|x| c.checked_mul(b).and_then(|y| x.checked_sub(y)))
                    .ok_or_else(overflow)?,
                b.checked_mul(d).ok_or_else(overflow)?,
            ),
            '*' => Self::new(
                a.checked_mul(c).ok_or_else(overflow)?,
                b.checked_mul(d).ok_or_else(overflow)?,
            ),
            '/' => Self::new(
                a.checked_mul(d).ok_or_else(overflow)?,
                b.checked_mul(c).ok_or_else(overflow)?,
            ),
            _ => Err(format!("unknown operator `{op}`")),
        }
    }

    pub fn is_int(self, value: i64) -> bool {
        self.den == 1 && self.num == i128::from(value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Num(i64),
    Op(char),
    Open,
    Close,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut idx = 0;
    while idx < chars.len() {
        let c = chars[idx];
        match c {
            ' ' | '\t' | '\n' | '\r' | '`' | '$' => {}
            '0'..='9' => {
                let mut value: i64 = 0;
                while idx < chars.len() && chars[idx].is_ascii_digit() {
                    let digit = i64::from(chars[idx] as u8 - b'0');
                    value = value
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(digit))
                        .ok_or("number too large")?;
                    idx += 1;
                }
                tokens.push(Token::Num(value));
                continue;
            }
            '+' => tokens.push(Token::Op('+')),
            '-' | '−' | '–' => tokens.push(Token::Op('-')),
            '*' | '×' | '·' | '⋅' | 'x' | 'X' | '∗' => tokens.push(Token::Op('*')),
            '/' | '÷' | ':' => tokens.push(Token::Op('/')),
            '(' | '[' | '{' => tokens.push(Token::Open),
            ')' | ']' | '}' => tokens.push(Token::Close),
            '\\' if text[..].contains("\\times") || text.contains("\\div") => {
                let rest: String = chars[idx..].iter().collect();
                if rest.starts_with("\\times") {
                    tokens.push(Token::Op('*'));
                    idx += "\\times".len();
                    continue;
                } else if rest.starts_with("\\div") {
                    tokens.push(Token::Op('/'));
                    idx += "\\div".len();
                    continue;
                }
                return Err("unexpected `\\`".into());
            }
            other => return Err(format!("unexpected character `{other}` in expression")),
        }
        idx += 1;
    }
    Ok(tokens)
}

/// A parsed expression: its exact value and the numbers it uses, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    pub value: Ratio,
    pub numbers: Vec<i64>,
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    numbers: Vec<i64>,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.pos).copied()
    }

    fn sum(&mut self) -> Result<Ratio, String> {
        let mut value = self.product()?;
        while let Some(Token::Op(op @ ('+' | '-'))) = self.peek() {
            self.pos += 1;
            value = value.apply(op, self.product()?)?;
        }
        Ok(value)
    }

    fn product(&mut self) -> Result<Ratio, String> {
        let mut value = self.atom()?;
        while let Some(Token::Op(op @ ('*' | '/'))) = self.peek() {
            self.pos += 1;
            value = value.apply(op, self.atom()?)?;
        }
        Ok(value)
    }

    fn atom(&mut self) -> Result<Ratio, String> {
        match self.peek() {
            Some(Token::Num(value)) => {
                self.pos += 1;
                self.numbers.push(value);
                Ok(Ratio::int(value))
            }
            Some(Token::Open) => {
                self.depth += 1;
                if self.depth > 64 {
                    return Err("parentheses nested too deeply".into());
                }
                self.pos += 1;
                let value = self.sum()?;
                if self.peek() != Some(Token::Close) {
                    return Err("missing `)`".into());
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(value)
            }
            Some(Token::Op(op)) => Err(format!(
                "operator `{op}` where a number was expected (unary signs are not allowed)"
            )),
            Some(Token::Close) => Err("unexpected `)`".into()),
            None => Err("expression ends too early".into()),
        }
    }
}

/// Parses and evaluates `+ - * /` with parentheses; `×`, `÷`, `x` and LaTeX `\times`/`\div` are
/// accepted. If the text has an `=`, the side that is not just `target` is used.
pub fn evaluate(text: &str, target: Option<i64>) -> Result<Evaluated, String> {
    let mut body = text.trim();
    if body.contains('=') {
        let sides: Vec<&str> = body
            .split('=')
            .map(str::trim)
            .filter(|side| !side.is_empty())
            .collect();
        let target_text = target.map(|t| t.to_string());
        let kept: Vec<&str> = sides
            .iter()
            .copied()
            .filter(|side| Some(side.to_string()) != target_text)
            .collect();
        if kept.len() != 1 {
            return Err("answer must be one expression".into());
        }
        body = kept[0];
    }
    let tokens = tokenize(body)?;
    if tokens.is_empty() {
        return Err("empty expression".into());
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        numbers: Vec::new(),
        depth: 0,
    };
    let value = parser.sum()?;
    if parser.pos != parser.tokens.len() {
        return Err("trailing tokens after the expression".into());
    }
    Ok(Evaluated {
        value,
        numbers: parser.numbers,
    })
}

/// True when `used` is a sub-multiset of `available`.
pub fn uses_only(used: &[i64], available: &[i64]) -> bool {
    let mut pool = available.to_vec();
    used.iter()
        .all(|number| match pool.iter().position(|x| x == number) {
            Some(idx) => {
                pool.swap_remove(idx);
                true
            }
            None => false,
        })
}

/// Depth-first search for an expression over a subset (or, with `use_all`, all) of
/// `numbers` whose value is `target`; a second, independent solver for tests and generation.
pub fn solve(numbers: &[i64], target: i64, use_all: bool) -> Option<String> {
    let items: Vec<(Ratio, String)> = numbers
        .iter()
        .map(|&n| (Ratio::int(n), n.to_string()))
        .collect();
    search(&items, target, use_all)
}

fn search(items: &[(Ratio, String)], target: i64, use_all: bool) -> Option<String> {
    for (value, text) in items {
        if value.is_int(target) && (!use_all || items.len() == 1) {
            return Some(text.clone());
        }
    }
    for i in 0..items.len() {
        for j in 0..items.len() {
            if i == j {
                continue;
            }
            let (a, ta) = &items[i];
            let (b, tb) = &items[j];
            for op in ['+', '-', '*', '/'] {
                if (op == '+' || op == '*') && i > j {
                    continue;
                }
                let Ok(value) = a.apply(op, *b) else { continue };
                if value.num.abs() > 1_000_000_000 {
                    continue;
                }
                let mut rest: Vec<(Ratio, String)> = items
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != i && *k != j)
                    .map(|(_, item)| item.clone())
                    .collect();
                rest.push((value, format!("({ta} {op} {tb})")));
                if let Some(found) = search(&rest, target, use_all) {
                    return Some(found);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_with_precedence_and_fractions() {
        let result = evaluate("8 / (3 - 8 / 3)", None).expect("valid expression");
        assert!(result.value.is_int(24));
        assert_eq!(result.numbers, vec![8, 3, 8, 3]);
        assert!(
            evaluate("2 × 3 + 4 = 10", Some(10))
                .expect("valid")
                .value
                .is_int(10)
        );
        assert!(evaluate("1 / 0", None).is_err());
        assert!(evaluate("-3 + 5", None).is_err());
        assert!(evaluate("(1 + 2", None).is_err());
    }

    #[test]
    fn solver_finds_classic_24() {
        let found = solve(&[3, 3, 8, 8], 24, true).expect("3 3 8 8 makes 24");
        let checked = evaluate(&found, None).expect("solver output parses");
        assert!(checked.value.is_int(24));
    }

    #[test]
    fn multiset_check() {
        assert!(uses_only(&[3, 3], &[3, 8, 3]));
        assert!(!uses_only(&[3, 3], &[3, 8]));
    }
}
