//! Scenario files: raw types, loading with positioned errors, validation.
//!
//! [`load`] reads a `.ron` file, parses it into [`raw::Scenario`] (the file as written) and
//! validates it into a [`crate::model::Config`] (names resolved to ids, defaults filled in).
//! Every problem becomes a [`Diagnostic`] with a position where one can be found, the
//! logical path of the value (`pools[1].backup_pool`) and a suggestion. Parsing stops at
//! the first syntax error; validation reports every error at once, with the warnings.
//! Optional fields may be written `Some(x)` or just `x` (see [`parse`]).
//!
//! The rooms: [`assumptions`] (the table of the model's assumptions, for `sensitivity`), [`raw`] (the file's serde types) and [`duration`] (durations and timings as
//! written); `scan` (the one reader of RON text below the parser: tokens, values, their
//! positions), used by `diagnostic` (placing errors), [`edit`] (`sweep --set`) and the nesting
//! check; [`limits`] (every resource limit and its check); [`validate`] (raw file to
//! [`crate::model::Config`], one file per part of a scenario); `format` (values as written,
//! for messages).

pub mod assumptions;
mod diagnostic;
pub mod duration;
pub mod edit;
mod format;
pub mod limits;
pub mod raw;
mod scan;
pub mod validate;

use std::fmt;
use std::path::Path;

pub(crate) use diagnostic::did_you_mean;
pub use diagnostic::{Diagnostic, Severity};

/// A scenario that passed validation.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The resolved scenario the model runs.
    pub config: crate::model::Config,
    /// Warnings found while validating (none are errors).
    pub warnings: Vec<Diagnostic>,
    /// The file's text.
    pub source: String,
    /// How the file is named in messages (the path as given).
    pub label: String,
}

impl Loaded {
    /// Every warning rendered (see [`Diagnostic::render`]), separated by blank lines; empty
    /// when there are none.
    pub fn render_warnings(&self) -> String {
        render_all(&self.warnings, &self.label, &self.source)
    }
}

/// A scenario that could not be loaded: unreadable, unparsable, or invalid.
#[derive(Debug, Clone)]
pub struct Failed {
    /// How the file is named in messages (the path as given).
    pub label: String,
    /// The file's text (empty when it could not be read).
    pub source: String,
    /// Errors and warnings, in the order they were found; at least one error.
    pub diagnostics: Vec<Diagnostic>,
}

impl Failed {
    /// Every diagnostic, errors and warnings, rendered in order and separated by blank lines.
    pub fn render(&self) -> String {
        render_all(&self.diagnostics, &self.label, &self.source)
    }

    /// How many diagnostics are errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Failed {}

fn render_all(diagnostics: &[Diagnostic], label: &str, source: &str) -> String {
    diagnostics.iter().map(|d| d.render(label, source)).collect::<Vec<_>>().join("\n")
}

/// Reads and validates a file. `label` used in messages is the path as given
/// (`path.display()`). A file that cannot be read, is larger than
/// [`limits::MAX_FILE_BYTES`] or is not UTF-8 gives one diagnostic naming the path and the
/// cause, without position. A UTF-8 byte-order mark is skipped.
pub fn load(path: &Path) -> Result<Loaded, Failed> {
    use std::io::Read;
    let label = path.display().to_string();
    let unreadable = |message: String, help: Option<String>| Failed {
        label: label.clone(),
        source: String::new(),
        diagnostics: vec![match help {
            Some(help) => Diagnostic::error(message).with_help(help),
            None => Diagnostic::error(message),
        }],
    };
    let io = |e: std::io::Error| {
        unreadable(format!("cannot read {label}: {}", diagnostic::lowercase_first(&e.to_string())), None)
    };
    let too_large = |size: u64| {
        let e = limits::file_too_large(&label, size);
        unreadable(e.message, Some(e.help))
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limits::MAX_FILE_BYTES {
        return Err(too_large(size));
    }
    // Read one byte more than the limit: a file that grows while it is read, or a device
    // without a size, is caught too.
    let mut bytes = Vec::new();
    file.take(limits::MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        return Err(too_large(0));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(unreadable(
            format!("cannot read {label}: it is UTF-16 text (it starts with a UTF-16 byte-order mark)"),
            Some("save it as UTF-8".into()),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    let source = String::from_utf8(bytes).map_err(|e| {
        unreadable(
            format!("cannot read {label}: it is not UTF-8 text ({})", e.utf8_error()),
            Some("save it as UTF-8".into()),
        )
    })?;
    load_str(&label, &source)
}

/// Same as [`load`], from text already in memory; `label` names it in messages.
pub fn load_str(label: &str, source: &str) -> Result<Loaded, Failed> {
    let failed = |diagnostics| Failed { label: label.to_string(), source: source.to_string(), diagnostics };
    let scenario = parse(source).map_err(|d| failed(vec![d]))?;
    match validate::validate(&scenario, source) {
        (Some(mut config), warnings) => {
            config.file = label.to_string();
            Ok(Loaded { config, warnings, source: source.to_string(), label: label.to_string() })
        }
        (None, diagnostics) => Err(failed(diagnostics)),
    }
}

/// Parses the text into the raw scenario (no semantic checks); the first syntax or type
/// error becomes a positioned [`Diagnostic`].
///
/// RON's `implicit_some` extension is on: an optional field may be written `Some(x)` or
/// just `x` (`routing_groups: 3`, as in the specification's example); `None` is `None`.
pub fn parse(source: &str) -> Result<raw::Scenario, Diagnostic> {
    if source.trim().is_empty() {
        return Err(Diagnostic::error("the file is empty").with_help(
            "a scenario is Scenario(name: \"...\", horizon: \"...\", sites: [...], pools: [...])",
        ));
    }
    if let Some(at) = scan::too_deep(source, limits::MAX_NESTING) {
        let e = limits::too_deep();
        let position = scan::Lines::new(source).position(at);
        return Err(Diagnostic::error(e.message).with_position(Some(position)).with_help(e.help));
    }
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str::<raw::Scenario>(source)
        .map_err(|e| Diagnostic::from_ron(&e, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_files_name_the_path() {
        let f = load(std::path::Path::new("no/such/scenario.ron")).unwrap_err();
        assert_eq!(f.diagnostics.len(), 1);
        let text = f.render();
        assert!(text.starts_with("error: cannot read no/such/scenario.ron: "), "{text}");
        assert!(text.ends_with("\n  --> no/such/scenario.ron\n"), "{text}");
    }
}
