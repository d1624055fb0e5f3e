//! The one reader of RON text short of the parser: its tokens, with their byte spans, and the
//! tree of values they spell, each with its span, its name and the way it is reached from the
//! value around it. Diagnostics place semantic errors with it ([`super::diagnostic`]),
//! `sweep --set` edits a value in place with it ([`super::edit`]), and the nesting limit is
//! checked with it before the parser recurses ([`too_deep`]).
//!
//! It knows what RON's own lexer knows: whitespace, `//` comments and nested `/* */` ones,
//! strings with their escapes, raw strings (`r#"..."#`), characters, numbers, identifiers
//! (raw ones too) and punctuation. It never fails: a byte it does not know is an
//! [`Kind::Other`] token, and [`read`] keeps the values it read before anything it could not.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind<'a> {
    /// A name: `Pool`, `fqdn`, `Some`, `Local` (`r#` taken off a raw identifier).
    Ident(&'a str),
    /// One of `( ) [ ] { } , : # !`.
    Punct(u8),
    /// A string, raw string, byte string or character, or `true`, `false`, `inf`, `NaN`.
    Literal,
    /// A number, as far as digits, letters, `_`, `.` and an exponent's sign go: `2500`,
    /// `-1.5e+3`, `0x1F`.
    Number,
    /// A character RON does not allow outside strings and comments.
    Other,
}

/// A token and the bytes it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// What it is.
    pub kind: Kind<'a>,
    /// Byte offset of its first byte.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
}

/// The tokens of `source`, in order; whitespace and comments are skipped. An unterminated
/// string or comment runs to the end of the text.
pub(crate) fn tokens(source: &str) -> Tokens<'_> {
    Tokens { source, at: 0 }
}

/// The iterator of [`tokens`].
pub(crate) struct Tokens<'a> {
    source: &'a str,
    at: usize,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let bytes = self.source.as_bytes();
        while self.at < bytes.len() {
            let i = self.at;
            let (kind, end) = match bytes[i] {
                b'\n' | b' ' | b'\t' | b'\r' => (None, i + 1),
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    (None, bytes[i..].iter().position(|&c| c == b'\n').map_or(bytes.len(), |n| i + n))
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => (None, block_comment_end(bytes, i)),
                b'"' | b'\'' => (Some(Kind::Literal), quoted_end(bytes, i).unwrap_or(bytes.len())),
                b'b' if bytes.get(i + 1) == Some(&b'"') => {
                    (Some(Kind::Literal), quoted_end(bytes, i + 1).unwrap_or(bytes.len()))
                }
                b'r' if raw_string_hashes(bytes, i).is_some() => {
                    (Some(Kind::Literal), raw_string_end(bytes, i).unwrap_or(bytes.len()))
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    let raw =
                        bytes[i..].starts_with(b"r#") && bytes.get(i + 2).is_some_and(|&c| is_ident_byte(c));
                    let from = if raw { i + 2 } else { i };
                    let end = from + bytes[from..].iter().take_while(|&&c| is_ident_byte(c)).count();
                    let kind = match &self.source[from..end] {
                        "true" | "false" | "inf" | "NaN" if !raw => Kind::Literal,
                        word => Kind::Ident(word),
                    };
                    (Some(kind), end)
                }
                c if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.') => {
                    let mut j = i + 1;
                    while let Some(&c) = bytes.get(j) {
                        let exponent_sign = matches!(c, b'+' | b'-') && matches!(bytes[j - 1], b'e' | b'E');
                        if !(is_ident_byte(c) || c == b'.' || exponent_sign) {
                            break;
                        }
                        j += 1;
                    }
                    (Some(Kind::Number), j)
                }
                c @ (b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' | b':' | b'#' | b'!') => {
                    (Some(Kind::Punct(c)), i + 1)
                }
                _ => {
                    let width = self.source[i..].chars().next().map_or(1, char::len_utf8);
                    (Some(Kind::Other), i + width)
                }
            };
            self.at = end.min(bytes.len());
            if let Some(kind) = kind {
                return Some(Token { kind, start: i, end: self.at });
            }
        }
        None
    }
}

/// End (exclusive) of a value read as a run of bytes (see [`read`]): up to a delimiter
/// `, ) ] }`, whitespace or a comment.
fn run_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start;
    while j < bytes.len()
        && !matches!(bytes[j], b',' | b')' | b']' | b'}')
        && !bytes[j].is_ascii_whitespace()
        && !bytes[j..].starts_with(b"//")
        && !bytes[j..].starts_with(b"/*")
    {
        j += 1;
    }
    j
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// End (exclusive) of the `/* ... */` comment at `start`, nested ones included.
fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let (mut j, mut depth) = (start + 2, 1);
    while depth > 0 && j < bytes.len() {
        if bytes[j..].starts_with(b"/*") {
            depth += 1;
            j += 2;
        } else if bytes[j..].starts_with(b"*/") {
            depth -= 1;
            j += 2;
        } else {
            j += 1;
        }
    }
    j
}

/// End (exclusive) of the string or character quoted by the byte at `start`, escapes
/// skipped; `None` when it is not closed.
fn quoted_end(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = bytes[start];
    let mut j = start + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            c if c == quote => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// The number of `#` of the raw string `r#"...`, `r"...` at `start`, if it is one.
fn raw_string_hashes(bytes: &[u8], start: usize) -> Option<usize> {
    let hashes = bytes[start + 1..].iter().take_while(|&&c| c == b'#').count();
    (bytes.get(start + 1 + hashes) == Some(&b'"')).then_some(hashes)
}

/// End (exclusive) of the raw string at `start`; `None` when it is not closed.
fn raw_string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let hashes = raw_string_hashes(bytes, start)?;
    let body = start + 2 + hashes;
    let close = [b"\"".as_slice(), &b"#".repeat(hashes)].concat();
    let found = bytes.get(body..)?.windows(close.len()).position(|w| w == close)?;
    Some(body + found + close.len())
}

/// Byte offset of the opening quote of the closed string literal that `text` ends with.
pub(crate) fn last_string(text: &str) -> Option<usize> {
    let last = tokens(text).last()?;
    let bytes = text.as_bytes();
    let closed = bytes[last.start] == b'"' && quoted_end(bytes, last.start) == Some(text.len());
    (last.kind == Kind::Literal && closed).then_some(last.start)
}

/// Where brackets and parentheses first nest deeper than `max` (outside strings, characters
/// and comments): the byte offset of the bracket that goes too deep. Reads only as far as
/// that bracket, so a huge file of brackets costs nothing.
pub(crate) fn too_deep(source: &str, max: usize) -> Option<usize> {
    let mut depth = 0usize;
    for token in tokens(source) {
        match token.kind {
            Kind::Punct(b'(' | b'[' | b'{') => {
                depth += 1;
                if depth > max {
                    return Some(token.start);
                }
            }
            Kind::Punct(b')' | b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// 1-based line and byte column of the byte offsets of one text, as diagnostics show them.
pub(crate) struct Lines {
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl Lines {
    /// The lines of `source`, split at `\n`.
    pub(crate) fn new(source: &str) -> Self {
        let breaks = source.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1);
        Lines { starts: std::iter::once(0).chain(breaks).collect() }
    }

    /// Line and column of the byte at `offset`.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        (line, offset - self.starts[line - 1] + 1)
    }
}

/// How a value is reached from the value around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key<'a> {
    /// The whole text's value.
    Root,
    /// `name: value` in a struct.
    Field(&'a str),
    /// The k-th element of a tuple or of a `Name(a, b)` group.
    Position(usize),
    /// The k-th element of a `[ ... ]` list.
    Element(usize),
}

/// One value of a RON text. `Some(x)` is transparent: it is read as `x`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Value<'a> {
    /// The index of the value this one is inside; `None` for the root.
    pub parent: Option<usize>,
    /// How it is reached from there.
    pub key: Key<'a>,
    /// Byte offset of its first token.
    pub start: usize,
    /// Byte offset just past it; `None` when the reading stopped inside it.
    pub end: Option<usize>,
    /// The name written before its `(`: `Pool` in `Pool(fqdn: "a")`.
    pub name: Option<&'a str>,
    /// For a `( ... )` group, named or anonymous: just after the `(`, where a field can be
    /// inserted.
    pub open: Option<usize>,
}

/// The values of a RON text, each before the values inside it (so a value's parent is
/// always before it), as far as they could be read.
#[derive(Debug, Clone)]
pub(crate) struct Tree<'a> {
    /// The values in the order they start.
    pub values: Vec<Value<'a>>,
    /// Whether the root value was read to its end.
    pub complete: bool,
}

impl<'a> Tree<'a> {
    /// Visit each value, in order, with the value it is in and its path, which `path` makes
    /// from the path of the value it is in, that value and itself (the root's path is empty).
    /// Only the paths of the values around the one visited are kept meanwhile.
    pub(crate) fn walk(
        &self,
        path: impl Fn(&str, &Value<'a>, &Value<'a>) -> String,
        mut visit: impl FnMut(&Value<'a>, Option<&Value<'a>>, String),
    ) {
        // The values around the current one that hold others, with their paths.
        let mut around: Vec<(usize, String)> = Vec::new();
        for (id, value) in self.values.iter().enumerate() {
            while around.last().is_some_and(|(open, _)| Some(*open) != value.parent) {
                around.pop();
            }
            let parent = value.parent.map(|p| &self.values[p]);
            let this = match (around.last(), parent) {
                (Some((_, above)), Some(parent)) => path(above, parent, value),
                _ => String::new(),
            };
            if self.values.get(id + 1).is_some_and(|next| next.parent == Some(id)) {
                around.push((id, this.clone()));
            }
            visit(value, parent, this);
        }
    }
}

/// Read the values of `source`, after its `#![enable(...)]` attributes. Reading stops at the
/// first thing that cannot be read, or at a value nested deeper than [`DEEPEST`]; what was
/// read before is kept. A value that is not a string, a name, a group or a list (a number,
/// or anything unexpected, a `{ ... }` map included: scenarios have none) is the run of
/// bytes up to the next delimiter, whitespace or comment, quotes included, so that a
/// mistyped value (`5%`, `1:2`, `2"`) is still one value; a missing one (`users: ,`) is an
/// empty value.
pub(crate) fn read(source: &str) -> Tree<'_> {
    let mut reader =
        Reader { source, tokens: tokens(source).collect(), next: 0, values: Vec::new(), depth: 0 };
    let complete = reader.root().is_some();
    Tree { values: reader.values, complete }
}

/// Deepest nesting [`read`] follows (a scenario that loads nests at most
/// `limits::MAX_NESTING` deep), so that reading a text never exhausts the stack.
pub(crate) const DEEPEST: usize = 1_000;

struct Reader<'a> {
    source: &'a str,
    tokens: Vec<Token<'a>>,
    next: usize,
    values: Vec<Value<'a>>,
    /// Values open around the one being read.
    depth: usize,
}

impl<'a> Reader<'a> {
    fn peek_at(&self, ahead: usize) -> Option<Kind<'a>> {
        self.tokens.get(self.next + ahead).map(|t| t.kind)
    }

    fn eat(&mut self, p: u8) -> bool {
        let found = self.peek_at(0) == Some(Kind::Punct(p));
        if found {
            self.next += 1;
        }
        found
    }

    fn expect(&mut self, p: u8) -> Option<()> {
        self.eat(p).then_some(())
    }

    fn root(&mut self) -> Option<()> {
        while self.eat(b'#') {
            while !self.eat(b']') {
                self.tokens.get(self.next)?;
                self.next += 1;
            }
        }
        self.value(None, Key::Root)
    }

    /// One value, through its last token.
    fn value(&mut self, parent: Option<usize>, key: Key<'a>) -> Option<()> {
        if self.depth >= DEEPEST {
            return None;
        }
        self.depth += 1;
        let read = self.value_inside(parent, key);
        self.depth -= 1;
        read
    }

    fn value_inside(&mut self, parent: Option<usize>, key: Key<'a>) -> Option<()> {
        let first = *self.tokens.get(self.next)?;
        let id = self.values.len();
        let mut value = Value { parent, key, start: first.start, end: None, name: None, open: None };
        match first.kind {
            Kind::Ident(name) if self.peek_at(1) == Some(Kind::Punct(b'(')) => {
                self.next += 2;
                if name == "Some" {
                    self.value(parent, key)?;
                    self.eat(b',');
                    return self.expect(b')');
                }
                value.name = Some(name);
                value.open = Some(self.tokens[self.next - 1].end);
                self.values.push(value);
                self.group(id)?;
            }
            Kind::Punct(b'(') => {
                self.next += 1;
                value.open = Some(first.end);
                self.values.push(value);
                self.group(id)?;
            }
            Kind::Punct(b'[') => {
                self.next += 1;
                self.values.push(value);
                self.list(id)?;
            }
            Kind::Punct(b',' | b')' | b']' | b'}') => {
                value.end = Some(first.start);
                self.values.push(value);
                return Some(());
            }
            Kind::Ident(_) | Kind::Literal => {
                self.next += 1;
                self.values.push(value);
            }
            Kind::Number | Kind::Other | Kind::Punct(_) => {
                let end = run_end(self.source.as_bytes(), first.start);
                while self.tokens.get(self.next).is_some_and(|t| t.end <= end) {
                    self.next += 1;
                }
                // A token that runs past it (the quote of a mistyped `2"`) is read again
                // from the end of the run.
                if self.tokens.get(self.next).is_some_and(|t| t.start < end) {
                    self.tokens.truncate(self.next);
                    self.tokens.extend(Tokens { source: self.source, at: end });
                }
                value.end = Some(end);
                self.values.push(value);
                return Some(());
            }
        }
        self.values[id].end = Some(self.tokens[self.next - 1].end);
        Some(())
    }

    /// After `(`: named fields or positional elements, through `)`.
    fn group(&mut self, id: usize) -> Option<()> {
        let mut k = 0;
        loop {
            if self.eat(b')') {
                return Some(());
            }
            match (self.peek_at(0), self.peek_at(1)) {
                (Some(Kind::Ident(field)), Some(Kind::Punct(b':'))) => {
                    self.next += 2;
                    self.value(Some(id), Key::Field(field))?;
                }
                _ => self.value(Some(id), Key::Position(k))?,
            }
            k += 1;
            if !self.eat(b',') {
                return self.expect(b')');
            }
        }
    }

    /// After `[`: elements, through `]`.
    fn list(&mut self, id: usize) -> Option<()> {
        let mut k = 0;
        while !self.eat(b']') {
            self.value(Some(id), Key::Element(k))?;
            k += 1;
            if !self.eat(b',') {
                return self.expect(b']');
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(Kind<'_>, &str)> {
        tokens(source).map(|t| (t.kind, &source[t.start..t.end])).collect()
    }

    #[test]
    fn tokens_skip_comments_and_keep_literals_whole() {
        let source = "#![enable(x)] // a ( comment\nPool( /* a /* nested ( */ block */ a: \"s (\\\" )\", \
                      b: r#\"raw \"( \"#, c: 'c', d: -1.5e+3, e: r#type, f: true) é";
        use Kind::*;
        assert_eq!(
            kinds(source),
            vec![
                (Punct(b'#'), "#"),
                (Punct(b'!'), "!"),
                (Punct(b'['), "["),
                (Ident("enable"), "enable"),
                (Punct(b'('), "("),
                (Ident("x"), "x"),
                (Punct(b')'), ")"),
                (Punct(b']'), "]"),
                (Ident("Pool"), "Pool"),
                (Punct(b'('), "("),
                (Ident("a"), "a"),
                (Punct(b':'), ":"),
                (Literal, "\"s (\\\" )\""),
                (Punct(b','), ","),
                (Ident("b"), "b"),
                (Punct(b':'), ":"),
                (Literal, "r#\"raw \"( \"#"),
                (Punct(b','), ","),
                (Ident("c"), "c"),
                (Punct(b':'), ":"),
                (Literal, "'c'"),
                (Punct(b','), ","),
                (Ident("d"), "d"),
                (Punct(b':'), ":"),
                (Number, "-1.5e+3"),
                (Punct(b','), ","),
                (Ident("e"), "e"),
                (Punct(b':'), ":"),
                (Ident("type"), "r#type"),
                (Punct(b','), ","),
                (Ident("f"), "f"),
                (Punct(b':'), ":"),
                (Literal, "true"),
                (Punct(b')'), ")"),
                (Other, "é"),
            ]
        );
    }

    #[test]
    fn nesting_is_counted_outside_strings_and_comments() {
        assert_eq!(too_deep("((()))", 3), None);
        assert_eq!(too_deep("(([[x]]))", 3), Some(3));
        assert_eq!(too_deep("( \"(((\" /* (((( */ // ((((\n [ '(' ] )", 2), None);
        let source = "(\n  [ {";
        assert_eq!(too_deep(source, 2).map(|at| Lines::new(source).position(at)), Some((2, 5)));
    }

    #[test]
    fn lines_give_one_based_byte_columns() {
        let lines = Lines::new("ab\né\n\nx");
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(2), (1, 3));
        assert_eq!(lines.position(3), (2, 1));
        assert_eq!(lines.position(5), (2, 3));
        assert_eq!(lines.position(7), (4, 1));
    }

    #[test]
    fn strings_at_the_end_of_a_text() {
        assert_eq!(last_string(r#"name: "a\"b""#), Some(6));
        assert_eq!(last_string(r#"x: "a", y: "b""#), Some(11));
        assert_eq!(last_string(r#"x: "unclosed"#), None);
        assert_eq!(last_string("x: 12"), None);
    }

    fn shape(source: &str) -> (Vec<String>, bool) {
        let tree = read(source);
        let values = tree
            .values
            .iter()
            .map(|v| {
                let text = v.end.map_or("...", |end| &source[v.start..end]);
                format!("{:?} {:?} {:?} {text}", v.parent, v.key, v.name)
            })
            .collect();
        (values, tree.complete)
    }

    #[test]
    fn values_are_read_with_their_spans_names_and_keys() {
        let (values, complete) =
            shape("#![enable(implicit_some)]\nS(a: Some(1), b: [P(x: \"y\"), (2, 3)], c: 5%, d: 2\", e: )");
        assert!(complete);
        assert_eq!(
            values,
            [
                "None Root Some(\"S\") S(a: Some(1), b: [P(x: \"y\"), (2, 3)], c: 5%, d: 2\", e: )",
                "Some(0) Field(\"a\") None 1",
                "Some(0) Field(\"b\") None [P(x: \"y\"), (2, 3)]",
                "Some(2) Element(0) Some(\"P\") P(x: \"y\")",
                "Some(3) Field(\"x\") None \"y\"",
                "Some(2) Element(1) None (2, 3)",
                "Some(5) Position(0) None 2",
                "Some(5) Position(1) None 3",
                "Some(0) Field(\"c\") None 5%",
                "Some(0) Field(\"d\") None 2\"",
                "Some(0) Field(\"e\") None ",
            ]
        );
        let nested = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        assert!(read(&nested(DEEPEST - 1)).complete);
        assert!(!read(&nested(DEEPEST)).complete, "too deep to follow");
        let (values, complete) = shape("S(a: 1, b: (c: 2 d: 3))");
        assert!(!complete, "reading stops at the missing comma");
        assert_eq!(values.last().unwrap(), "Some(2) Field(\"c\") None 2");
        assert_eq!(values[2], "Some(0) Field(\"b\") None ...");
    }
}
