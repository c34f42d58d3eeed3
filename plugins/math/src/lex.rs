//! Normalises answer text (LaTeX or plain) and splits it into tokens for the parser.

use crate::expr::RelOp;

/// One lexical unit of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// A number literal with separators removed (`1000`, `0.5`, `1.5e-3`).
    Num(String),
    /// A one-letter variable (or a Greek letter command such as `\alpha`).
    Ident(String),
    /// A word of text (from `\text{}` or a run of letters that is no math name).
    Word(String),
    /// A backslash command or a known function name, without the backslash.
    Cmd(String),
    /// `\begin{name}`.
    Begin(String),
    /// `\end{name}`.
    End(String),
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBrack,
    RBrack,
    LSet,
    RSet,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    Underscore,
    Bang,
    Comma,
    Pipe,
    Amp,
    RowSep,
    PlusMinus,
    Percent,
    Degree,
    Rel(RelOp),
    /// `\in`: membership, read like an assignment.
    In,
    /// `\approx`: what follows is an approximation of what precedes.
    Approx,
    Cup,
}

/// Function names recognised without a backslash as well as with one.
const FUNCTION_NAMES: &[&str] = &[
    "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
    "ln", "log", "exp", "sqrt", "det", "gcd", "lcm", "max", "min",
];

/// Two-letter runs that are words, not products of two variables.
const SHORT_WORDS: &[&str] = &[
    "or", "of", "is", "to", "in", "at", "on", "no", "be", "if", "as", "by", "so", "it", "an", "cm",
    "mm", "km", "kg", "mg", "ml", "ft", "yd", "oz", "lb", "hr", "mi", "am", "pm",
];

/// Commands recognised after a doubled backslash (`\\frac` written with an escaped backslash).
const KNOWN_COMMANDS: &[&str] = &[
    "frac", "dfrac", "tfrac", "cfrac", "sqrt", "boxed", "fbox", "begin", "end", "pi", "infty",
    "le", "leq", "ge", "geq", "ne", "neq", "cdot", "times", "div", "pm", "mp", "in", "cup", "circ",
    "binom", "dbinom", "sin", "cos", "tan", "log", "ln", "exp", "lt", "gt", "approx", "alpha",
    "beta", "gamma", "theta", "lambda", "mu", "sigma", "omega", "phi", "emptyset", "lfloor",
    "rfloor", "lceil", "rceil",
];

/// Spacing and sizing commands that carry no meaning for the value.
const IGNORED_COMMANDS: &[&str] = &[
    "left",
    "right",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "biggl",
    "biggr",
    "displaystyle",
    "textstyle",
    "limits",
    "quad",
    "qquad",
    "!",
    ",",
    ";",
    ":",
    " ",
    "hfill",
    "nonumber",
    "notag",
    "middle",
    "dots",
    "ldots",
    "cdots",
    "mathstrut",
    "strut",
    "boldsymbol",
];

/// Commands whose braced argument is text.
const TEXT_COMMANDS: &[&str] = &[
    "text",
    "textbf",
    "textit",
    "textrm",
    "textsf",
    "texttt",
    "mbox",
    "mathrm",
    "mathit",
    "mathbf",
    "mathsf",
    "mathtt",
    "textnormal",
    "operatorname",
    "emph",
    "hbox",
];

/// Replaces Unicode math symbols with their LaTeX spelling.
pub fn normalize_unicode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '−' | '–' | '—' => out.push('-'),
            '×' | '·' | '⋅' => out.push_str("\\cdot "),
            '÷' => out.push_str("\\div "),
            'π' => out.push_str("\\pi "),
            '√' => out.push_str("\\sqrt "),
            '≤' | '⩽' => out.push_str("\\le "),
            '≥' | '⩾' => out.push_str("\\ge "),
            '≠' => out.push_str("\\ne "),
            '∞' => out.push_str("\\infty "),
            '±' => out.push_str("\\pm "),
            '°' => out.push_str("^\\circ "),
            '∪' => out.push_str("\\cup "),
            '∈' => out.push_str("\\in "),
            '²' => out.push_str("^2"),
            '³' => out.push_str("^3"),
            '\u{a0}' | '\u{2009}' | '\u{202f}' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// Splits normalised answer text into tokens; `None` when it holds characters no answer uses.
pub fn tokenize(text: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = normalize_unicode(text).chars().collect();
    let mut lexer = Lexer {
        chars: &chars,
        pos: 0,
        tokens: Vec::new(),
        depth: 0,
    };
    lexer.run(false)?;
    Some(lexer.tokens)
}

struct Lexer<'a> {
    chars: &'a [char],
    pos: usize,
    tokens: Vec<Token>,
    depth: usize,
}

impl Lexer<'_> {
    fn peek(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn run(&mut self, in_text: bool) -> Option<()> {
        while let Some(ch) = self.peek(0) {
            match ch {
                c if c.is_whitespace() => self.pos += 1,
                '0'..='9' => self.number(),
                '.' if self.peek(1).is_some_and(|c| c.is_ascii_digit()) => self.number(),
                c if c.is_alphabetic() => self.letters(in_text),
                '\\' => self.command()?,
                '{' => self.open(Token::LBrace),
                '}' => self.close(Token::RBrace),
                '(' => self.open(Token::LParen),
                ')' => self.close(Token::RParen),
                '[' => self.open(Token::LBrack),
                ']' => self.close(Token::RBrack),
                '+' => self.push1(Token::Plus),
                '-' => self.push1(Token::Minus),
                '*' => {
                    if self.peek(1) == Some('*') {
                        self.pos += 2;
                        self.tokens.push(Token::Caret);
                    } else {
                        self.push1(Token::Star);
                    }
                }
                '/' => self.push1(Token::Slash),
                '^' => self.push1(Token::Caret),
                '_' => self.push1(Token::Underscore),
                '!' if self.peek(1) == Some('=') => self.push2(Token::Rel(RelOp::Ne)),
                '!' => self.push1(Token::Bang),
                ',' | ';' => self.push1(Token::Comma),
                '|' => self.push1(Token::Pipe),
                '&' => self.push1(Token::Amp),
                '%' => self.push1(Token::Percent),
                '=' => {
                    self.pos += 1;
                    if self.peek(0) == Some('=') {
                        self.pos += 1;
                    }
                    self.tokens.push(Token::Rel(RelOp::Eq));
                }
                '<' if self.peek(1) == Some('=') => self.push2(Token::Rel(RelOp::Le)),
                '>' if self.peek(1) == Some('=') => self.push2(Token::Rel(RelOp::Ge)),
                '<' => self.push1(Token::Rel(RelOp::Lt)),
                '>' => self.push1(Token::Rel(RelOp::Gt)),
                ':' if self.is_ratio_colon() => self.push1(Token::Slash),
                '$' | '€' | '£' | '¥' | '\'' | '"' | '`' | ':' | '?' => self.pos += 1,
                '.' => self.pos += 1,
                _ => return None,
            }
        }
        Some(())
    }

    /// `7:32` is a ratio (read as a quotient); a colon elsewhere is punctuation.
    fn is_ratio_colon(&self) -> bool {
        let before = matches!(
            self.tokens.last(),
            Some(Token::Num(_) | Token::Ident(_) | Token::RParen | Token::RBrace)
        );
        let after = self.chars[self.pos + 1..]
            .iter()
            .find(|c| !c.is_whitespace());
        before && after.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '(' | '\\' | '{'))
    }

    fn push1(&mut self, token: Token) {
        self.pos += 1;
        self.tokens.push(token);
    }

    fn push2(&mut self, token: Token) {
        self.pos += 2;
        self.tokens.push(token);
    }

    fn open(&mut self, token: Token) {
        self.depth += 1;
        self.push1(token);
    }

    fn close(&mut self, token: Token) {
        self.depth = self.depth.saturating_sub(1);
        self.push1(token);
    }

    fn digits_at(&self, start: usize) -> usize {
        self.chars[start.min(self.chars.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    }

    /// Reads a number, joining thousands separators (`7,425,000`, `1 000`, `14{,}916`, `1\,000`, `12,\!000`).
    fn number(&mut self) {
        let mut text = String::new();
        let first = self.digits_at(self.pos);
        text.extend(&self.chars[self.pos..self.pos + first]);
        self.pos += first;
        // `0,111` is not a thousands grouping.
        let mut group_ok =
            (1..=3).contains(&first) && !(first == 1 && self.chars[self.pos - 1] == '0');
        loop {
            let sep_len = self.thousands_separator_len();
            if !(group_ok && sep_len > 0) {
                break;
            }
            let after = self.pos + sep_len;
            if self.digits_at(after) != 3 {
                break;
            }
            // A plain comma or space only separates thousands outside brackets.
            let explicit = sep_len > 1;
            if !explicit && self.depth > 0 {
                break;
            }
            text.extend(&self.chars[after..after + 3]);
            self.pos = after + 3;
            group_ok = true;
        }
        if self.peek(0) == Some('.') && self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            text.push('.');
            self.pos += 1;
            let count = self.digits_at(self.pos);
            text.extend(&self.chars[self.pos..self.pos + count]);
            self.pos += count;
        } else if self.peek(0) == Some('.')
            && !self.peek(1).is_some_and(char::is_alphabetic)
            && !text.is_empty()
        {
            // `1000.` keeps its value.
            self.pos += 1;
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            let sign = matches!(self.peek(1), Some('+' | '-'));
            let digits_from = self.pos + 1 + usize::from(sign);
            let count = self.digits_at(digits_from);
            if count > 0
                && !self
                    .chars
                    .get(digits_from + count)
                    .is_some_and(|c| c.is_alphabetic())
            {
                text.push('e');
                if sign {
                    text.push(self.chars[self.pos + 1]);
                }
                text.extend(&self.chars[digits_from..digits_from + count]);
                self.pos = digits_from + count;
            }
        }
        if text.is_empty() || text.starts_with('.') {
            text.insert(0, '0');
        }
        self.tokens.push(Token::Num(text));
    }

    /// Length of a thousands separator at the cursor, or 0.
    fn thousands_separator_len(&self) -> usize {
        let rest: String = self.chars[self.pos..self.chars.len().min(self.pos + 5)]
            .iter()
            .collect();
        if rest.starts_with("{, }") {
            return 4;
        }
        if rest.starts_with(" {,") {
            // `14 {, }916`: a spaced-out `{,}`.
            let tail: String = self.chars[self.pos..self.chars.len().min(self.pos + 6)]
                .iter()
                .collect();
            for sep in [" {,}", " {, }"] {
                if tail.starts_with(sep) {
                    return sep.len();
                }
            }
        }
        for sep in ["{,}", ",\\!", "\\,", "\\ ", "\\!"] {
            if rest.starts_with(sep) {
                // `32,\! 349`: spaces may follow an explicit separator.
                let spaces = self.chars[self.pos + sep.len()..]
                    .iter()
                    .take_while(|c| **c == ' ')
                    .count();
                return sep.len() + spaces;
            }
        }
        if rest.starts_with(',') || (rest.starts_with(' ') && self.tokens.is_empty()) {
            return 1;
        }
        0
    }

    fn letters(&mut self, in_text: bool) {
        let start = self.pos;
        while self.peek(0).is_some_and(char::is_alphabetic) {
            self.pos += 1;
        }
        let run: String = self.chars[start..self.pos].iter().collect();
        if in_text {
            self.tokens.push(Token::Word(run));
            return;
        }
        // `S_{MBCN}`, `x_max`: letters in a subscript name the symbol, they are not words.
        let in_subscript = matches!(self.tokens.last(), Some(Token::Underscore))
            || (matches!(self.tokens.last(), Some(Token::LBrace))
                && matches!(self.tokens.iter().rev().nth(1), Some(Token::Underscore)));
        if in_subscript {
            self.tokens.push(Token::Ident(run));
            return;
        }
        let lower = run.to_lowercase();
        if FUNCTION_NAMES.contains(&run.as_str()) {
            self.tokens.push(Token::Cmd(run));
        } else if matches!(run.as_str(), "pi" | "infty" | "inf" | "infinity" | "oo") {
            self.tokens
                .push(Token::Cmd(if run == "pi" { run } else { "infty".into() }));
        } else if lower == "percent" {
            self.tokens.push(Token::Percent);
        } else if matches!(lower.as_str(), "degree" | "degrees") {
            self.tokens.push(Token::Degree);
        } else if run.chars().count() >= 3 || SHORT_WORDS.contains(&run.as_str()) {
            self.tokens.push(Token::Word(run));
        } else {
            for ch in run.chars() {
                self.tokens.push(Token::Ident(ch.to_string()));
            }
        }
    }

    fn command(&mut self) -> Option<()> {
        self.pos += 1;
        let Some(first) = self.peek(0) else {
            return Some(());
        };
        if !first.is_ascii_alphabetic() {
            match first {
                '{' => self.open(Token::LSet),
                '}' => self.close(Token::RSet),
                // `\\left`: a doubled backslash before a command name is an escaping artifact.
                '\\' if self.escaped_command() => {}
                '\\' => self.push1(Token::RowSep),
                '%' => self.push1(Token::Percent),
                '|' => self.push1(Token::Pipe),
                // Spacing (`\,`, `\!`) and escaped characters (`\$`, `\&`).
                _ => self.pos += 1,
            }
            return Some(());
        }
        let start = self.pos;
        while self.peek(0).is_some_and(|c| c.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        if name == "begin" || name == "end" {
            let env = self.braced_raw().unwrap_or_default();
            let env = env.trim_end_matches('*').to_string();
            self.tokens.push(if name == "begin" {
                Token::Begin(env)
            } else {
                Token::End(env)
            });
            return Some(());
        }
        if IGNORED_COMMANDS.contains(&name.as_str()) {
            return Some(());
        }
        if TEXT_COMMANDS.contains(&name.as_str()) {
            return self.text_argument(&name);
        }
        let token = match name.as_str() {
            "frac" | "dfrac" | "tfrac" | "cfrac" => Token::Cmd("frac".into()),
            "binom" | "dbinom" | "tbinom" => Token::Cmd("binom".into()),
            "cdot" | "times" | "ast" => Token::Star,
            "div" => Token::Slash,
            "pm" | "mp" => Token::PlusMinus,
            "le" | "leq" | "leqslant" | "leqq" => Token::Rel(RelOp::Le),
            "ge" | "geq" | "geqslant" | "geqq" => Token::Rel(RelOp::Ge),
            "lt" => Token::Rel(RelOp::Lt),
            "gt" => Token::Rel(RelOp::Gt),
            "ne" | "neq" => Token::Rel(RelOp::Ne),
            "approx" | "simeq" => Token::Approx,
            "equiv" | "cong" => Token::Rel(RelOp::Eq),
            "in" => Token::In,
            "cup" => Token::Cup,
            "circ" | "degree" => Token::Degree,
            "lbrace" => Token::LSet,
            "rbrace" => Token::RSet,
            "lvert" | "rvert" | "vert" | "mid" => Token::Pipe,
            "langle" => Token::LParen,
            "rangle" => Token::RParen,
            "infty" | "infinity" => Token::Cmd("infty".into()),
            "dollar" | "euro" | "pounds" | "textdollar" => return Some(()),
            _ => Token::Cmd(name),
        };
        match token {
            Token::LSet | Token::LParen => self.depth += 1,
            Token::RSet | Token::RParen => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        self.tokens.push(token);
        Some(())
    }

    /// At `\\name` (cursor on the second backslash): true when `name` is a command this lexer knows.
    fn escaped_command(&self) -> bool {
        let name: String = self.chars[self.pos + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        !name.is_empty()
            && (KNOWN_COMMANDS.contains(&name.as_str())
                || IGNORED_COMMANDS.contains(&name.as_str())
                || TEXT_COMMANDS.contains(&name.as_str()))
    }

    /// Reads `{...}` raw (balanced) after the cursor.
    fn braced_raw(&mut self) -> Option<String> {
        while self.peek(0).is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
        if self.peek(0) != Some('{') {
            return None;
        }
        let mut level = 0usize;
        let start = self.pos + 1;
        while let Some(ch) = self.peek(0) {
            self.pos += 1;
            match ch {
                '{' => level += 1,
                '}' => {
                    level -= 1;
                    if level == 0 {
                        return Some(self.chars[start..self.pos - 1].iter().collect());
                    }
                }
                '\\' => self.pos += 1,
                _ => {}
            }
        }
        Some(self.chars[start..].iter().collect())
    }

    /// `\text{...}` and friends: words become `Word` tokens; a single letter in a math font is a variable.
    fn text_argument(&mut self, name: &str) -> Option<()> {
        let Some(content) = self.braced_raw() else {
            return Some(());
        };
        let trimmed = content.trim();
        let math_font = name.starts_with("math") || name == "operatorname";
        if math_font && trimmed.chars().count() == 1 && trimmed.chars().all(char::is_alphabetic) {
            self.tokens.push(Token::Ident(trimmed.to_string()));
            return Some(());
        }
        if name == "operatorname" || (name == "mathrm" && FUNCTION_NAMES.contains(&trimmed)) {
            self.tokens.push(Token::Cmd(trimmed.to_string()));
            return Some(());
        }
        let inner: Vec<char> = content.chars().collect();
        let mut sub = Lexer {
            chars: &inner,
            pos: 0,
            tokens: Vec::new(),
            depth: self.depth,
        };
        sub.run(!math_font)?;
        self.tokens.extend(sub.tokens);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(text: &str) -> Vec<Token> {
        tokenize(text).expect("tokenizes")
    }

    #[test]
    fn joins_thousands_separators() {
        for text in [
            "7,425,000",
            "7{,}425{,}000",
            "7,\\!425,\\!000",
            "7 425 000",
            "7\\,425\\,000",
        ] {
            assert_eq!(nums(text), vec![Token::Num("7425000".into())], "{text}");
        }
        assert_eq!(
            nums("(1,000)"),
            vec![
                Token::LParen,
                Token::Num("1".into()),
                Token::Comma,
                Token::Num("000".into()),
                Token::RParen
            ]
        );
        assert_eq!(
            nums("2,3"),
            vec![Token::Num("2".into()), Token::Comma, Token::Num("3".into())]
        );
    }

    #[test]
    fn reads_decimals_and_scientific() {
        assert_eq!(nums(".5"), vec![Token::Num("0.5".into())]);
        assert_eq!(nums("1.5e-3"), vec![Token::Num("1.5e-3".into())]);
        assert_eq!(
            nums("2e"),
            vec![Token::Num("2".into()), Token::Ident("e".into())]
        );
    }

    #[test]
    fn reads_commands_and_text() {
        assert_eq!(
            nums("\\dfrac12"),
            vec![Token::Cmd("frac".into()), Token::Num("12".into())]
        );
        assert_eq!(nums("\\text{ and }"), vec![Token::Word("and".into())]);
        assert_eq!(
            nums("\\{1\\}"),
            vec![Token::LSet, Token::Num("1".into()), Token::RSet]
        );
        assert_eq!(
            nums("\\begin{pmatrix}1\\end{pmatrix}"),
            vec![
                Token::Begin("pmatrix".into()),
                Token::Num("1".into()),
                Token::End("pmatrix".into())
            ]
        );
    }
}
