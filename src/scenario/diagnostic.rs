//! Diagnostics: what is wrong with a scenario file, where, and how to fix it.
//!
//! A [`Diagnostic`] renders like `just`'s and `rustc`'s errors: the message, `file:line:col`,
//! the source line with a caret, the logical path (`pools[1].backup_pool`) and a help line.
//! Positions are 1-based; the column counts bytes, as RON's parser does.
//!
//! This module also turns RON parse errors into diagnostics ([`Diagnostic::from_ron`]) and
//! maps logical paths back to positions in the text ([`Locations`]) for semantic errors,
//! which the parser cannot place.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ron::error::{Error as RonError, SpannedError};

use super::scan::{self, Key};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The scenario cannot run.
    Error,
    /// The scenario runs, but probably not as intended.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as printed.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding about a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Lowercase, names the thing and says what would be valid.
    pub message: String,
    /// Logical path of the offending value, like `pools[1].backup_pool`.
    pub path: Option<String>,
    /// 1-based line and column (in bytes) in the source, when known.
    pub position: Option<(usize, usize)>,
    /// A suggestion, like `did you mean "lyncfe04.thelab.info"?`.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error without path, position or help.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            path: None,
            position: None,
            help: None,
        }
    }

    /// A new warning without path, position or help.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(message) }
    }

    /// With a logical path.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// With a position (1-based line and byte column), if known.
    pub fn with_position(mut self, position: Option<(usize, usize)>) -> Self {
        self.position = position;
        self
    }

    /// With a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this is an error (the scenario cannot run).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Render for a terminal, ending with a newline:
    ///
    /// ```text
    /// error: unknown pool "lyncfe05.thelab.info"
    ///   --> scenarios/x.ron:12:27
    ///    |
    /// 12 |             backup_pool: Some("lyncfe05.thelab.info"),
    ///    |                           ^
    ///    = at pools[0].backup_pool
    ///    = help: did you mean "lyncfe04.thelab.info"?
    /// ```
    ///
    /// The gutter is as wide as the line number; without a position only the `-->` line
    /// (two spaces wide) and the `= at` and `= help` lines follow the message.
    pub fn render(&self, label: &str, source: &str) -> String {
        let mut out = format!("{}: {}\n", self.severity.label(), self.message);
        let pad = match self.position {
            Some((line, col)) => {
                let number = line.to_string();
                let w = number.len();
                let text = source.lines().nth(line.saturating_sub(1)).unwrap_or("");
                let (shown, caret) = caret_line(text, col);
                let _ = writeln!(out, "{:w$}--> {label}:{line}:{col}", "");
                let _ = writeln!(out, "{:w$} |", "");
                if shown.is_empty() {
                    let _ = writeln!(out, "{number} |");
                } else {
                    let _ = writeln!(out, "{number} | {shown}");
                }
                let _ = writeln!(out, "{:w$} | {:caret$}^", "", "");
                w
            }
            None => {
                let _ = writeln!(out, "  --> {label}");
                2
            }
        };
        if let Some(path) = &self.path {
            let _ = writeln!(out, "{:pad$} = at {path}", "");
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{:pad$} = help: {help}", "");
        }
        out
    }

    /// A RON parse error as a diagnostic, placed where the parser stopped (moved back to the
    /// start of the offending identifier or value when the parser stopped just after it).
    pub fn from_ron(error: &SpannedError, source: &str) -> Self {
        let position = match error.position {
            ron::error::Position { line: 0, .. } => None,
            p => Some((p.line, p.col)),
        };
        match &error.code {
            RonError::NoSuchStructField { expected, found, outer } => {
                let position = position.map(|p| back_to_token(source, p, Some(found)));
                // A timing's distribution is read field by field (see `TimeValue`): RON then
                // names the struct around it, which would mislead.
                let distribution = expected.contains(&"mean") && expected.contains(&"sigma");
                let outer = if distribution { Some("a distribution") } else { outer.as_deref() };
                let d = unknown_name("field", found, outer, expected).with_position(position);
                if distribution {
                    d.with_help(
                        "a distribution is Exponential(mean), Weibull(shape, scale), LogNormal(median, sigma), \
                         Uniform(min, max) or Fixed(d)",
                    )
                } else {
                    d
                }
            }
            RonError::NoSuchEnumVariant { expected, found, outer } => {
                let position = position.map(|p| back_to_token(source, p, Some(found)));
                unknown_name("variant", found, outer.as_deref(), expected).with_position(position)
            }
            RonError::MissingStructField { field, outer } => {
                let message = match outer {
                    Some(outer) => format!("missing field \"{field}\" in {outer}"),
                    None => format!("missing field \"{field}\""),
                };
                Diagnostic::error(message)
                    .with_position(position)
                    .with_help(format!("add `{field}: ...`; it has no default"))
            }
            RonError::DuplicateStructField { field, outer } => {
                let message = match outer {
                    Some(outer) => format!("field \"{field}\" is given twice in {outer}"),
                    None => format!("field \"{field}\" is given twice"),
                };
                let position = position.map(|p| back_to_token(source, p, None));
                Diagnostic::error(message).with_position(position)
            }
            RonError::ExpectedDifferentStructName { expected, found } => {
                let position = position.map(|p| back_to_token(source, p, Some(found)));
                Diagnostic::error(format!("expected {expected}(...) here, not {found}(...)"))
                    .with_position(position)
            }
            RonError::ExpectedOption => {
                Diagnostic::error("expected an optional value: Some(...) or None").with_position(position)
            }
            RonError::ExpectedComma
            | RonError::ExpectedOptionEnd
            | RonError::ExpectedArrayEnd
            | RonError::ExpectedStructLikeEnd
            | RonError::ExpectedInteger => {
                match position.and_then(|p| number_problem(&error.code, source, p)) {
                    Some((message, help)) => {
                        let d = Diagnostic::error(message).with_position(position);
                        match help {
                            Some(help) => d.with_help(help),
                            None => d,
                        }
                    }
                    None => {
                        Diagnostic::error(lowercase_first(&error.code.to_string())).with_position(position)
                    }
                }
            }
            code @ (RonError::Message(_)
            | RonError::InvalidValueForType { .. }
            | RonError::ExpectedDifferentLength { .. }
            | RonError::IntegerOutOfBounds) => {
                let position = position.map(|p| back_to_token(source, p, None));
                Diagnostic::error(lowercase_first(&code.to_string())).with_position(position)
            }
            code => Diagnostic::error(lowercase_first(&code.to_string())).with_position(position),
        }
    }
}

/// A clearer message for RON's `expected comma` (or closing bracket) right after a whole
/// number followed by `.` (`users: 2500.0`) and `expected integer` at a `-` (`users: -1`): every integer of a
/// scenario is unsigned, so these are a fraction or a negative number where a whole number
/// of 0 or more is expected. Names the field when the number follows `field:` (or
/// `field: Some(`) on its line.
/// With a help line `write 2500` when the fraction is zero.
fn number_problem(
    code: &RonError,
    source: &str,
    (line, col): (usize, usize),
) -> Option<(String, Option<String>)> {
    let text = source.lines().nth(line.checked_sub(1)?)?;
    let at = col.checked_sub(1)?;
    if at >= text.len() || !text.is_char_boundary(at) {
        return None;
    }
    let number_end = |from: usize| {
        text[from..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_')))
            .map_or(text.len(), |n| from + n)
    };
    let (start, what) = match code {
        RonError::ExpectedComma
        | RonError::ExpectedOptionEnd
        | RonError::ExpectedArrayEnd
        | RonError::ExpectedStructLikeEnd
            if text[at..].starts_with('.') =>
        {
            let start = text[..at].trim_end_matches(|c: char| c.is_ascii_digit() || c == '_').len();
            let start = if text[..start].ends_with('+') { start - 1 } else { start };
            if start == at || text[..start].ends_with(is_ident_char) {
                return None;
            }
            (start, "whole")
        }
        RonError::ExpectedInteger if text[at..].starts_with('-') => (at, "negative"),
        _ => return None,
    };
    let written = &text[start..number_end(at + 1)];
    let before = text[..start].trim_end();
    let before = before.strip_suffix("Some(").map_or(before, str::trim_end);
    let field = before.strip_suffix(':').map(str::trim_end).and_then(|b| {
        let name = &b[b.trim_end_matches(is_ident_char).len()..];
        (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
    });
    let message = match (what, field) {
        ("whole", Some(field)) => format!("{field} must be a whole number, not {written}"),
        ("whole", None) => format!("expected a whole number, not {written}"),
        (_, Some(field)) => format!("{field} cannot be negative"),
        (_, None) => format!("expected a whole number of 0 or more, not {written}"),
    };
    let whole = written.replace('_', "").parse::<f64>().ok().filter(|v| what == "whole" && v.fract() == 0.0);
    let help = whole.filter(|v| *v < 1e15).map(|v| format!("write {v}"));
    Some((message, help))
}

/// `unknown field "fqdnn" in Pool` with a suggestion and the valid names.
fn unknown_name(kind: &str, found: &str, outer: Option<&str>, expected: &[&str]) -> Diagnostic {
    let message = match outer {
        Some(outer) => format!("unknown {kind} \"{found}\" in {outer}"),
        None => format!("unknown {kind} \"{found}\""),
    };
    let mut help = String::new();
    if let Some(close) = did_you_mean(found, expected.iter().copied()) {
        let _ = write!(help, "did you mean \"{close}\"? ");
    }
    if expected.is_empty() {
        let _ = write!(help, "{} takes no {kind}s", outer.unwrap_or("this"));
    } else {
        let _ = write!(help, "expected one of: {}", expected.join(", "));
    }
    Diagnostic::error(message).with_help(help)
}

/// The candidate closest to `name`, if it is close enough to be a likely typo
/// (Jaro-Winkler similarity of the lowercased names at least 0.8; ties go to the first).
pub(crate) fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(&name, &candidate.to_lowercase());
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// "Expected comma" -> "expected comma"; leaves acronyms ("UTF-8 ...") alone.
pub(crate) fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_string(),
    }
}

/// The source line as shown (tabs as four spaces, trailing space trimmed) and the caret's
/// offset in it for a 1-based byte column.
fn caret_line(text: &str, col: usize) -> (String, usize) {
    let text = text.trim_end();
    let mut cut = col.saturating_sub(1).min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let width = |s: &str| s.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum::<usize>();
    let caret = width(&text[..cut]) + col.saturating_sub(1).saturating_sub(text.len());
    let shown = text.replace('\t', "    ");
    // A very long line (a generated or minified file) is shown around the caret.
    let chars: Vec<char> = shown.chars().collect();
    if chars.len() <= LONGEST_SHOWN {
        return (shown, caret);
    }
    let start = caret.saturating_sub(LONGEST_SHOWN / 2).min(chars.len());
    let end = (start + LONGEST_SHOWN).min(chars.len());
    let mut out = if start > 0 { "...".to_string() } else { String::new() };
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push_str("...");
    }
    (out, caret - start + if start > 0 { 3 } else { 0 })
}

/// Longest source line shown whole under a diagnostic, in characters.
const LONGEST_SHOWN: usize = 160;

/// RON reports errors found after reading a token (an unknown field, a value its visitor
/// rejected) with the cursor just past it. Move back to the token's start when the text
/// right before the cursor, on the same line, is that token: an identifier (`expect`, when
/// given, must match it), a string or a number.
fn back_to_token(source: &str, (line, col): (usize, usize), expect: Option<&str>) -> (usize, usize) {
    let Some(text) = source.lines().nth(line.saturating_sub(1)) else { return (line, col) };
    let end = col.saturating_sub(1).min(text.len());
    if !text.is_char_boundary(end) {
        return (line, col);
    }
    let before = text[..end].trim_end_matches([' ', '\t']);
    let start = if let Some(word) = expect {
        match before.strip_suffix(word) {
            Some(rest) if !rest.ends_with(is_ident_char) => rest.len(),
            _ => return (line, col),
        }
    } else if before.ends_with('"') {
        match scan::last_string(before) {
            Some(start) => start,
            None => return (line, col),
        }
    } else {
        let rest = before.trim_end_matches(|c: char| is_ident_char(c) || matches!(c, '.' | '+' | '-'));
        if rest.len() == before.len() {
            return (line, col);
        }
        rest.len()
    };
    (line, start + 1)
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Where each value of a RON text starts, by logical path.
///
/// Paths are those of diagnostics: root fields by name (`horizon`), list elements by index
/// (`pools[1]`), struct fields with a dot (`pools[1].backup_pool`), tuple elements by index
/// (`.0`). Two shapes are transparent: `Some(x)` is located at `x`, and an event
/// `At(time, action)` puts its time at `events[i].time`, its action at `events[i].action`
/// and the action's fields directly under `events[i]` (`events[3].pool`). The scan is best
/// effort: it records what it read before anything it does not understand.
#[derive(Debug, Default)]
pub(crate) struct Locations {
    starts: BTreeMap<String, (usize, usize)>,
    /// The identifier written before `(` at a value, like `Exponential` in
    /// `Exponential(mean: "2m")` (not `Some`, which is transparent).
    names: BTreeMap<String, String>,
}

impl Locations {
    /// Scan `source` (already known to parse).
    pub(crate) fn scan(source: &str) -> Self {
        let lines = scan::Lines::new(source);
        let mut found = Locations::default();
        let event = |v: &scan::Value| v.name == Some("At");
        let path = |above: &str, parent: &scan::Value, value: &scan::Value| match value.key {
            Key::Field(field) => join(above, field),
            Key::Element(k) => format!("{above}[{k}]"),
            Key::Position(0) if event(parent) => join(above, "time"),
            // An event's action is located at `action`; its fields are the event's.
            Key::Position(_) if event(parent) => above.to_string(),
            Key::Position(k) => join(above, &k.to_string()),
            Key::Root => String::new(),
        };
        scan::read(source).walk(path, |value, parent, path| {
            let Some(parent) = parent else { return }; // the root is not a located value
            let at = lines.position(value.start);
            if event(parent) && matches!(value.key, Key::Position(k) if k > 0) {
                found.starts.entry(join(&path, "action")).or_insert(at);
            }
            if let Some(name) = value.name {
                found.names.entry(path.clone()).or_insert_with(|| name.to_string());
            }
            found.starts.entry(path).or_insert(at);
        });
        found
    }

    /// Where the value at `path` starts.
    pub(crate) fn get(&self, path: &str) -> Option<(usize, usize)> {
        self.starts.get(path).copied()
    }

    /// The name written before the `(` of the value at `path`: `Uniform` for
    /// `Uniform(min: 1, max: 2)`; `None` when the value is not written, or is not
    /// `Name(...)` (a literal, an anonymous `(...)`).
    pub(crate) fn name(&self, path: &str) -> Option<&str> {
        self.names.get(path).map(String::as_str)
    }

    /// Where the value at `path` starts or, when it is not written (a default), where its
    /// closest written ancestor starts.
    pub(crate) fn get_or_ancestor(&self, path: &str) -> Option<(usize, usize)> {
        let mut path = path;
        loop {
            if let Some(at) = self.get(path) {
                return Some(at);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_just_with_an_adaptive_gutter() {
        let source =
            "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n            backup_pool: Some(\"lyncfe05.thelab.info\"),\n";
        let d = Diagnostic::error("unknown pool \"lyncfe05.thelab.info\"")
            .with_path("pools[0].backup_pool")
            .with_position(Some((12, 31)))
            .with_help("did you mean \"lyncfe04.thelab.info\"?");
        assert_eq!(
            d.render("scenarios/x.ron", source),
            r#"error: unknown pool "lyncfe05.thelab.info"
  --> scenarios/x.ron:12:31
   |
12 |             backup_pool: Some("lyncfe05.thelab.info"),
   |                               ^
   = at pools[0].backup_pool
   = help: did you mean "lyncfe04.thelab.info"?
"#
        );
        let d = Diagnostic::warning("something odd").with_position(Some((2, 1)));
        assert_eq!(d.render("x.ron", source), "warning: something odd\n --> x.ron:2:1\n  |\n2 | b\n  | ^\n");
    }

    #[test]
    fn renders_without_a_position() {
        let d = Diagnostic::error("replications must be at least 1").with_path("replications");
        assert_eq!(
            d.render("scenarios/x.ron", ""),
            "error: replications must be at least 1\n  --> scenarios/x.ron\n   = at replications\n"
        );
    }

    #[test]
    fn carets_count_characters_and_tabs() {
        let source = "\tname: \"été\", x: 1\n";
        // Byte column of `x`: tab (1) + `name: "été", ` (15 bytes) + 1.
        let d = Diagnostic::error("e").with_position(Some((1, 17)));
        assert_eq!(
            d.render("f", source),
            "error: e\n --> f:1:17\n  |\n1 |     name: \"été\", x: 1\n  |                  ^\n"
        );
    }

    #[test]
    fn suggestions_only_when_close() {
        assert_eq!(did_you_mean("fqdnn", ["site", "fqdn"]), Some("fqdn"));
        assert_eq!(did_you_mean("DC1", ["dc1", "dc2"]), Some("dc1"));
        assert_eq!(did_you_mean("paris", ["dc1", "dc2"]), None);
    }

    #[test]
    fn locations_follow_logical_paths() {
        let source = r##"#![enable(implicit_some)]
Scenario( // comment
    name: "x", /* block /* nested */ */
    pools: [
        Pool(fqdn: "a", backup_pool: Some("b"), back_end: Mirrored(witness: true)),
        (fqdn: r#"b"#, users: -1.5e+3),
    ],
    events: [ At("1h", PoolDown(pool: "a")), At(5, SiteUp(site: "dc1")) ],
)"##;
        let l = Locations::scan(source);
        assert_eq!(l.get("name"), Some((3, 11)));
        assert_eq!(l.get("pools[0]"), Some((5, 9)));
        assert_eq!(l.get("pools[0].backup_pool"), Some((5, 43)));
        assert_eq!(l.get("pools[0].back_end.witness"), Some((5, 77)));
        assert_eq!(l.get("pools[1].fqdn"), Some((6, 16)));
        assert_eq!(l.get("pools[1].users"), Some((6, 31)));
        assert_eq!(l.get("events[0]"), Some((8, 15)));
        assert_eq!(l.get("events[0].time"), Some((8, 18)));
        assert_eq!(l.get("events[0].pool"), Some((8, 39)));
        assert_eq!(l.get("events[1].site"), Some((8, 65)));
        assert_eq!(l.get_or_ancestor("pools[1].front_ends"), Some((6, 9)));
        assert_eq!(l.get_or_ancestor("sample_every"), None);
        assert_eq!(l.name("pools[0]"), Some("Pool"));
        assert_eq!(l.name("pools[0].back_end"), Some("Mirrored"));
        assert_eq!(l.name("pools[0].backup_pool"), None, "Some is transparent");
        assert_eq!(l.name("pools[1]"), None, "anonymous");
        assert_eq!(l.name("events[0].action"), None);
    }

    fn ron_error(source: &str) -> Diagnostic {
        let e = ron::from_str::<Numbers>(source).unwrap_err();
        Diagnostic::from_ron(&e, source)
    }

    #[allow(dead_code)]
    #[derive(Debug, serde::Deserialize)]
    struct Numbers {
        users: u32,
        #[serde(default)]
        seed: Option<u64>,
        #[serde(default)]
        list: Vec<u32>,
    }

    #[test]
    fn fractions_and_negatives_where_a_whole_number_is_expected() {
        let d = ron_error("(users: 2500.0)");
        assert_eq!(
            (d.message.as_str(), d.position),
            ("users must be a whole number, not 2500.0", Some((1, 13)))
        );
        assert_eq!(d.help.as_deref(), Some("write 2500"));
        let d = ron_error("(users: 1,\n seed: Some(1.5))");
        assert_eq!((d.message.as_str(), d.position), ("seed must be a whole number, not 1.5", Some((2, 14))));
        assert_eq!(d.help, None);
        let d = ron_error("(users: -1)");
        assert_eq!((d.message.as_str(), d.position), ("users cannot be negative", Some((1, 9))));
        let d = ron_error("(users: 1, list: [3, 2.5])");
        assert_eq!(d.message, "expected a whole number, not 2.5");
        let d = ron_error("(users: 1, list: [-4])");
        assert_eq!(d.message, "expected a whole number of 0 or more, not -4");
        let d = ron_error("(users: 1, list: [2.5])");
        assert_eq!(d.message, "expected a whole number, not 2.5");
        // Other missing commas and brackets keep RON's message.
        assert_eq!(ron_error("(users: 1 seed: 2)").message, "expected comma");
        assert_eq!(ron_error("(users: 1, seed: Some(2 3))").message, "expected closing `)`");
    }

    #[test]
    fn lowercases_sentences_not_acronyms() {
        assert_eq!(lowercase_first("Expected comma"), "expected comma");
        assert_eq!(lowercase_first("UTF-8 error"), "UTF-8 error");
    }
}
