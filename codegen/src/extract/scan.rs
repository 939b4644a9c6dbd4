//! A small C scanner: enough of C to find calls, their arguments and string
//! constants in Asterisk's sources, without a compiler or a preprocessor.
//!
//! Rules (each covered by `codegen/tests/extract_csource.rs`):
//! - Comments (`/* … */`, `// …`) are dropped; string and character literals are
//!   read with their escapes (`\r`, `\n`, `\t`, `\"`, `\\`, octal, `\x`).
//! - Adjacent string literals are one literal (`"A: %s\r\n" "B: %s\r\n"`), also
//!   across preprocessor lines between them.
//! - Preprocessor: `#if 0` and `#ifdef TEST_FRAMEWORK` (or `#if defined(TEST_FRAMEWORK)`)
//!   are false, every other condition is true; so the first branch of an ordinary
//!   `#if…#else` is kept and the `#else`/`#elif` branches are dropped (keeping
//!   brackets balanced). `#define NAME "text"` records a string constant.
//! - `static const char NAME[] = "…";`, `static char *NAME = "…";` and the like at
//!   file level are string constants too.
//! - A function definition is `name ( params ) { body }` at file level; `static`
//!   before it marks it file-local. Parameters are named by their last identifier.
//! - A call is `identifier (` inside a body; its arguments are split at the
//!   top-level commas of the bracket-matched argument list.

use std::collections::BTreeMap;

/// One token of C source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword.
    Ident(String),
    /// A string literal, adjacent literals joined, escapes decoded.
    Str(String),
    /// A single punctuation character.
    Punct(char),
    /// A number, as written.
    Num(String),
    /// A character literal.
    Other,
}

/// A token and the line it starts on.
#[derive(Debug, Clone)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// 1-based line number.
    pub line: u32,
}

/// A function definition.
#[derive(Debug, Clone)]
pub struct Function {
    /// Its name.
    pub name: String,
    /// Whether it is declared `static` (file-local).
    pub is_static: bool,
    /// Parameter names, in order.
    pub params: Vec<String>,
    /// Token index of the body's `{`.
    pub open: usize,
    /// Token index of the body's `}`.
    pub close: usize,
}

/// A call found in a body.
#[derive(Debug, Clone)]
pub struct Call {
    /// The called name.
    pub name: String,
    /// Token index of the name.
    pub at: usize,
    /// Token index of the closing `)`.
    pub close: usize,
    /// Token ranges of the arguments (start, end exclusive).
    pub args: Vec<(usize, usize)>,
}

/// One scanned C file.
#[derive(Debug, Clone, Default)]
pub struct CFile {
    /// Path relative to the tree root, with `/`.
    pub path: String,
    /// Its tokens.
    pub tokens: Vec<Token>,
    /// Index of the matching bracket for every bracket token.
    pub pair: Vec<Option<usize>>,
    /// String constants (`#define` and file-level `static` strings).
    pub constants: BTreeMap<String, String>,
    /// Function definitions in source order.
    pub functions: Vec<Function>,
    /// Function name → index in `functions` (first definition).
    by_name: std::collections::HashMap<String, usize>,
}

const KEYWORDS: [&str; 8] = [
    "if", "while", "for", "switch", "return", "sizeof", "defined", "do",
];

impl CFile {
    /// Scan `text` (the file at `path`).
    pub fn parse(path: &str, text: &str) -> CFile {
        let (tokens, constants) = tokenize(text);
        let pair = pair_brackets(&tokens);
        let mut file = CFile {
            path: path.to_string(),
            tokens,
            pair,
            constants,
            functions: Vec::new(),
            by_name: Default::default(),
        };
        file.find_top_level();
        for (i, f) in file.functions.iter().enumerate() {
            file.by_name.entry(f.name.clone()).or_insert(i);
        }
        file
    }

    /// The identifier at `i`, if that token is one.
    pub fn ident(&self, i: usize) -> Option<&str> {
        match self.tokens.get(i).map(|t| &t.tok) {
            Some(Tok::Ident(s)) => Some(s),
            _ => None,
        }
    }

    /// Whether token `i` is the punctuation `c`.
    pub fn is_punct(&self, i: usize, c: char) -> bool {
        matches!(self.tokens.get(i).map(|t| &t.tok), Some(Tok::Punct(p)) if *p == c)
    }

    /// The call whose name is at token `i` (`name (` … `)`), if any.
    pub fn call_at(&self, i: usize) -> Option<Call> {
        let name = self.ident(i)?;
        if KEYWORDS.contains(&name) || !self.is_punct(i + 1, '(') {
            return None;
        }
        let close = self.pair.get(i + 1).copied().flatten()?;
        let mut args = Vec::new();
        let mut start = i + 2;
        let mut j = i + 2;
        while j < close {
            match &self.tokens[j].tok {
                Tok::Punct('(' | '[' | '{') => {
                    j = self.pair[j].map_or(j + 1, |p| p + 1);
                    continue;
                }
                Tok::Punct(',') => {
                    args.push((start, j));
                    start = j + 1;
                }
                _ => {}
            }
            j += 1;
        }
        if start < close || !args.is_empty() {
            args.push((start, close));
        }
        Some(Call {
            name: name.to_string(),
            at: i,
            close,
            args,
        })
    }

    /// The string literal an argument range is made of, if it is exactly one literal.
    pub fn literal(&self, range: (usize, usize)) -> Option<&str> {
        let toks = &self.tokens[range.0..range.1];
        // Allow a wrapping pair of parentheses.
        let toks = match toks {
            [first, inner @ .., last]
                if first.tok == Tok::Punct('(') && last.tok == Tok::Punct(')') =>
            {
                inner
            }
            t => t,
        };
        match toks {
            [
                Token {
                    tok: Tok::Str(s), ..
                },
            ] => Some(s),
            _ => None,
        }
    }

    /// The identifiers of an argument range, in order.
    pub fn idents(&self, range: (usize, usize)) -> Vec<&str> {
        (range.0..range.1).filter_map(|i| self.ident(i)).collect()
    }

    /// The function whose body holds token `i`.
    pub fn function_at(&self, i: usize) -> Option<&Function> {
        self.functions.iter().find(|f| f.open <= i && i <= f.close)
    }

    /// The first function definition named `name`.
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.by_name.get(name).map(|&i| &self.functions[i])
    }

    /// The index in `functions` of the first definition named `name`.
    pub fn function_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    fn find_top_level(&mut self) {
        let mut i = 0;
        let n = self.tokens.len();
        // Start of the current file-level declaration.
        let mut decl_start = 0;
        while i < n {
            match &self.tokens[i].tok {
                Tok::Punct(';') => decl_start = i + 1,
                Tok::Punct('{') => {
                    let close = self.pair[i].unwrap_or(n.saturating_sub(1));
                    if let Some(f) = self.function_header(decl_start, i, close) {
                        self.functions.push(f);
                    }
                    i = close + 1;
                    // `struct x { … } y;` continues to the `;`; a body ends the declaration.
                    decl_start = i;
                    continue;
                }
                Tok::Punct('=') => {
                    if let Some(Tok::Str(value)) = self.tokens.get(i + 1).map(|t| &t.tok)
                        && matches!(
                            self.tokens.get(i + 2).map(|t| &t.tok),
                            Some(Tok::Punct(';' | ','))
                        )
                        && let Some(name) = self.declared_name(i)
                    {
                        let value = value.clone();
                        self.constants.entry(name).or_insert(value);
                    }
                }
                Tok::Punct('(' | '[') => {
                    i = self.pair[i].map_or(i + 1, |p| p + 1);
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// The variable name declared just before the `=` at `eq` (skipping `[…]`).
    fn declared_name(&self, eq: usize) -> Option<String> {
        let mut j = eq.checked_sub(1)?;
        if self.is_punct(j, ']') {
            j = self.pair[j]?.checked_sub(1)?;
        }
        self.ident(j).map(str::to_string)
    }

    /// A function header between `start` and the `{` at `open`, if it is one.
    fn function_header(&self, start: usize, open: usize, close: usize) -> Option<Function> {
        let rparen = open.checked_sub(1)?;
        if !self.is_punct(rparen, ')') {
            return None;
        }
        let lparen = self.pair[rparen]?;
        if lparen <= start {
            return None;
        }
        let name = self.ident(lparen - 1)?;
        if KEYWORDS.contains(&name) {
            return None;
        }
        let is_static = (start..lparen).any(|k| self.ident(k) == Some("static"));
        let mut params = Vec::new();
        let mut part_start = lparen + 1;
        for k in lparen + 1..=rparen {
            let at_end = k == rparen;
            let comma = self.is_punct(k, ',') && !self.inside(k, lparen, rparen);
            if at_end || comma {
                let last = (part_start..k).rev().find_map(|m| {
                    self.ident(m)
                        .filter(|id| !matches!(*id, "void" | "const" | "struct" | "unsigned"))
                });
                params.push(last.unwrap_or("").to_string());
                part_start = k + 1;
            }
        }
        Some(Function {
            name: name.to_string(),
            is_static,
            params,
            open,
            close,
        })
    }

    /// Whether token `k` lies inside a nested bracket pair between `lo` and `hi`.
    fn inside(&self, k: usize, lo: usize, hi: usize) -> bool {
        let mut j = lo + 1;
        while j < hi {
            if matches!(self.tokens[j].tok, Tok::Punct('(' | '[' | '{'))
                && let Some(p) = self.pair[j]
            {
                if j < k && k < p {
                    return true;
                }
                j = p + 1;
                continue;
            }
            j += 1;
        }
        false
    }
}

fn pair_brackets(tokens: &[Token]) -> Vec<Option<usize>> {
    let mut pair = vec![None; tokens.len()];
    let mut stack: Vec<(char, usize)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if let Tok::Punct(c) = t.tok {
            match c {
                '(' | '[' | '{' => stack.push((c, i)),
                ')' | ']' | '}' => {
                    let want = match c {
                        ')' => '(',
                        ']' => '[',
                        _ => '{',
                    };
                    // Recover from unbalanced input: drop unmatched openers.
                    while let Some(&(open, j)) = stack.last() {
                        stack.pop();
                        if open == want {
                            pair[i] = Some(j);
                            pair[j] = Some(i);
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
    }
    pair
}

/// One open `#if…` frame of the preprocessor rules.
struct Cond {
    /// Whether the current branch is dropped.
    skipping: bool,
    /// Whether a branch of this conditional has been kept already.
    taken: bool,
    /// Whether the enclosing code is dropped.
    outer_skipping: bool,
}

fn tokenize(text: &str) -> (Vec<Token>, BTreeMap<String, String>) {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens: Vec<Token> = Vec::new();
    let mut constants = BTreeMap::new();
    let mut conds: Vec<Cond> = Vec::new();
    let mut line: u32 = 1;
    let mut line_start = true;
    let mut i = 0;
    let n = chars.len();
    // Whether the last kept token was a string (adjacent literals join).
    let mut last_was_str = false;
    while i < n {
        let c = chars[i];
        let skipping = conds.last().is_some_and(|f| f.skipping);
        if c == '\n' {
            line += 1;
            line_start = true;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < n && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                if chars[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 2;
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < n && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '#' && line_start {
            let (directive, next, lines) = read_directive(&chars, i + 1);
            line += lines;
            i = next;
            preprocess(&directive, &mut conds, &mut constants, skipping);
            continue;
        }
        line_start = false;
        if c == '"' {
            let (s, next, lines) = read_quoted(&chars, i + 1, '"');
            i = next;
            if !skipping {
                if last_was_str && let Some(Tok::Str(prev)) = tokens.last_mut().map(|t| &mut t.tok)
                {
                    prev.push_str(&s);
                } else {
                    tokens.push(Token {
                        tok: Tok::Str(s),
                        line,
                    });
                }
                last_was_str = true;
            }
            line += lines;
            continue;
        }
        let tok = if c == '\'' {
            let (_, next, lines) = read_quoted(&chars, i + 1, '\'');
            i = next;
            line += lines;
            Tok::Other
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < n && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            Tok::Ident(chars[start..i].iter().collect())
        } else if c.is_ascii_digit() {
            let start = i;
            while i < n && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            Tok::Num(chars[start..i].iter().collect())
        } else {
            i += 1;
            Tok::Punct(c)
        };
        if !skipping {
            tokens.push(Token { tok, line });
            last_was_str = false;
        }
    }
    (tokens, constants)
}

/// The text of a directive starting after `#` at `i` (continuations joined,
/// comments dropped), the index after it and the newlines it spans.
fn read_directive(chars: &[char], mut i: usize) -> (String, usize, u32) {
    let mut out = String::new();
    let mut lines = 0;
    let n = chars.len();
    while i < n {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1) == Some(&'\n') {
            i += 2;
            lines += 1;
            out.push(' ');
            continue;
        }
        if c == '\n' {
            break;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < n && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                if chars[i] == '\n' {
                    lines += 1;
                }
                i += 1;
            }
            i += 2;
            out.push(' ');
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < n && chars[i] != '\n' {
                i += 1;
            }
            break;
        }
        if c == '"' {
            let start = i;
            let (_, next, _) = read_quoted(chars, i + 1, '"');
            out.extend(&chars[start..next.min(n)]);
            i = next;
            continue;
        }
        out.push(c);
        i += 1;
    }
    (out, i, lines)
}

/// Apply one directive to the conditional stack and the constants.
fn preprocess(
    directive: &str,
    conds: &mut Vec<Cond>,
    constants: &mut BTreeMap<String, String>,
    skipping: bool,
) {
    let d = directive.trim();
    let (word, rest) = d
        .split_once(|c: char| c.is_whitespace() || c == '(')
        .map_or((d, ""), |(w, r)| (w, r.trim()));
    match word {
        "if" | "ifdef" | "ifndef" => {
            let subject = rest.replace(['(', ')'], " ");
            let subject: Vec<&str> = subject.split_whitespace().collect();
            let false_cond = match word {
                "ifdef" => subject.first() == Some(&"TEST_FRAMEWORK"),
                "if" => subject == ["0"] || subject == ["defined", "TEST_FRAMEWORK"],
                _ => false,
            };
            conds.push(Cond {
                skipping: skipping || false_cond,
                taken: !false_cond,
                outer_skipping: skipping,
            });
        }
        "else" | "elif" => {
            if let Some(f) = conds.last_mut() {
                f.skipping = f.outer_skipping || f.taken;
                f.taken = true;
            }
        }
        "endif" => {
            conds.pop();
        }
        "define" if !skipping => {
            let Some((name, value)) = rest.split_once(char::is_whitespace) else {
                return;
            };
            if name.contains('(') {
                return;
            }
            let (tokens, _) = tokenize(value);
            if let [
                Token {
                    tok: Tok::Str(s), ..
                },
            ] = tokens.as_slice()
            {
                constants.insert(name.to_string(), s.clone());
            }
        }
        _ => {}
    }
}

/// Read a quoted literal whose body starts at `i`; returns the decoded text,
/// the index after the closing quote and the newlines crossed.
fn read_quoted(chars: &[char], mut i: usize, quote: char) -> (String, usize, u32) {
    let mut out = String::new();
    let mut lines = 0;
    let n = chars.len();
    while i < n {
        let c = chars[i];
        if c == quote {
            return (out, i + 1, lines);
        }
        if c == '\n' {
            // Unterminated literal: stop at the line end.
            return (out, i, lines);
        }
        if c == '\\' {
            let Some(&e) = chars.get(i + 1) else {
                break;
            };
            i += 2;
            match e {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '\n' => lines += 1,
                'x' => {
                    let start = i;
                    while i < n && chars[i].is_ascii_hexdigit() {
                        i += 1;
                    }
                    let hex: String = chars[start..i].iter().collect();
                    if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        out.push(ch);
                    }
                }
                '0'..='7' => {
                    let start = i - 1;
                    while i < n && i < start + 3 && ('0'..='7').contains(&chars[i]) {
                        i += 1;
                    }
                    let oct: String = chars[start..i].iter().collect();
                    if let Some(ch) = u32::from_str_radix(&oct, 8).ok().and_then(char::from_u32) {
                        out.push(ch);
                    }
                }
                other => out.push(other),
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    (out, n, lines)
}

/// Every conversion of a printf format, in order: for each, the number of
/// arguments it consumes (`*` widths count) and its byte range in `fmt`.
pub fn conversions(fmt: &str) -> Vec<(usize, std::ops::Range<usize>)> {
    let b = fmt.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        if b.get(i) == Some(&b'%') {
            i += 1;
            continue;
        }
        let mut consumed = 1;
        while i < b.len() && !b[i].is_ascii_alphabetic() {
            if b[i] == b'*' {
                consumed += 1;
            }
            i += 1;
        }
        // Length modifiers.
        while i < b.len() && matches!(b[i], b'h' | b'l' | b'L' | b'q' | b'j' | b'z' | b't') {
            i += 1;
        }
        i = (i + 1).min(b.len());
        out.push((consumed, start..i));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(f: &CFile) -> Vec<&str> {
        f.tokens
            .iter()
            .filter_map(|t| match &t.tok {
                Tok::Str(s) => Some(s.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn literals_join_decode_and_skip_comments() {
        let f = CFile::parse(
            "x.c",
            "/* \"no\" */ f(\"A: %s\\r\\n\" // \"no\"\n#ifdef X\n \"B\\t\\\"q\\\"\\101\\x42\"\n#endif\n, 'x', 1);",
        );
        assert_eq!(strs(&f), ["A: %s\r\nB\t\"q\"AB"]);
    }

    #[test]
    fn preprocessor_keeps_first_branches_and_drops_tests() {
        let src = "#if 0\nint a;\n#else\nint b;\n#endif\n#ifdef TEST_FRAMEWORK\nint c;\n#else\nint d;\n#endif\n\
                   #ifdef HAVE_X\nint e;\n#elif 1\nint g;\n#else\nint h;\n#endif\n#if defined(TEST_FRAMEWORK)\nint i;\n#endif\n";
        let f = CFile::parse("x.c", src);
        let ids: Vec<&str> = (0..f.tokens.len())
            .filter_map(|i| f.ident(i))
            .filter(|s| *s != "int")
            .collect();
        assert_eq!(ids, ["b", "d", "e"]);
    }

    #[test]
    fn constants_functions_and_calls() {
        let src = "#define NAME \"Act\" \"ion\"\n#define F(x) \"no\"\nstatic const char list[] = \"List\";\n\
                   static char *p = \"P\", *q;\nint glob(int a, const char *b[]) { return 0; }\n\
                   static int run(struct s *s, const struct message *m)\n{\n\tcall(s, (a, b), \"x\", f(1, 2));\n\tif (x) { y(); }\n}\n";
        let f = CFile::parse("x.c", src);
        assert_eq!(f.constants["NAME"], "Action");
        assert_eq!(f.constants["list"], "List");
        assert_eq!(f.constants["p"], "P");
        assert!(!f.constants.contains_key("F"));
        let names: Vec<(&str, bool)> = f
            .functions
            .iter()
            .map(|x| (x.name.as_str(), x.is_static))
            .collect();
        assert_eq!(names, [("glob", false), ("run", true)]);
        assert_eq!(f.functions[0].params, ["a", "b"]);
        assert_eq!(f.functions[1].params, ["s", "m"]);
        let at = (0..f.tokens.len())
            .find(|&i| f.ident(i) == Some("call"))
            .unwrap_or_default();
        let call = f.call_at(at).map(|c| c.args.len());
        assert_eq!(call, Some(4));
        let c = f.call_at(at).unwrap_or_else(|| panic!("no call"));
        assert_eq!(f.literal(c.args[2]), Some("x"));
        assert_eq!(f.idents(c.args[3]), ["f"]);
        // `if (…)` is no call.
        let at_if = (0..f.tokens.len()).find(|&i| f.ident(i) == Some("if"));
        assert!(at_if.and_then(|i| f.call_at(i)).is_none());
    }

    #[test]
    fn printf_conversions_count_their_arguments() {
        let c: Vec<(usize, &str)> = conversions_of("a %s %% %-*d %ld.%06lu %c")
            .into_iter()
            .collect();
        assert_eq!(
            c,
            [(1, "%s"), (2, "%-*d"), (1, "%ld"), (1, "%06lu"), (1, "%c")]
        );
    }

    fn conversions_of(fmt: &str) -> Vec<(usize, &str)> {
        conversions(fmt)
            .into_iter()
            .map(|(n, r)| (n, &fmt[r]))
            .collect()
    }
}
