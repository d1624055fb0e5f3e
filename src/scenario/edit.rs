//! Editing a scenario's text by path (`lyncsim sweep --set PATH=VALUE`).
//!
//! Paths are those of diagnostics: root fields by name (`horizon`), list elements by index
//! (`pools[1]`), struct fields with a dot (`pools[1].registrations_per_sec`,
//! `backup_service.sync_interval`, `administrator.failover_after`); `Some(x)` is
//! transparent. A value that is written is replaced in place; a field that is not written
//! (a default) is inserted into its closest written struct, with anonymous structs for the
//! missing levels (`backup_service: (sync_interval: "5m"),`), which RON reads like named
//! ones. The rest of the text, comments included, is kept, so diagnostics still point into
//! a text the user recognises.

use std::collections::BTreeMap;

use super::scan::{self, Key};

/// A value's bytes in the text, and for `( ... )` groups where a field can be inserted.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    /// Just after the `(` of a struct value.
    insert_at: Option<usize>,
}

/// Set the value at `path` to `value` (RON text); the new text, or why not.
pub fn set(source: &str, path: &str, value: &str) -> Result<String, String> {
    let spans = spans(source).ok_or_else(|| "the scenario text could not be read".to_string())?;
    // An event `At(time, Action(field: ..))` is positional in the text: its time is `.0` and
    // its action's fields are under `.1`, while diagnostics say `events[i].time` and
    // `events[i].pool`.
    let event_alias = event_path(path);
    if let Some(span) = spans.get(path).or_else(|| event_alias.as_ref().and_then(|p| spans.get(p))) {
        return Ok(format!("{}{}{}", &source[..span.start], value, &source[span.end..]));
    }
    // Insert into the closest written ancestor struct.
    let segments = split_path(path)?;
    for keep in (0..segments.len()).rev() {
        let ancestor = join_segments(&segments[..keep]);
        let Some(span) = spans.get(&ancestor) else { continue };
        let missing = &segments[keep..];
        if missing.iter().any(|s| s.index.is_some()) {
            return Err(format!("{path}: there is no {}", join_segments(&segments[..=keep])));
        }
        let Some(at) = span.insert_at else {
            return Err(format!("{path}: {} is not a struct a field can be added to", display(&ancestor)));
        };
        let mut text = value.to_string();
        for s in missing.iter().skip(1).rev() {
            text = format!("({}: {text})", s.name);
        }
        return Ok(format!("{}{}: {text}, {}", &source[..at], missing[0].name, &source[at..]));
    }
    Err(format!("{path}: not found in the scenario"))
}

/// Every path written in the scenario text (not the root), in path order: the candidates of
/// a "did you mean" when a path given on the command line does not exist. An event's
/// positional parts are named as diagnostics name them (`events[i].time`,
/// `events[i].pool`).
pub fn paths(source: &str) -> Vec<String> {
    let Some(spans) = spans(source) else { return Vec::new() };
    spans
        .into_keys()
        .filter(|p| !p.is_empty())
        .map(|p| match p.strip_prefix("events[").and_then(|r| r.split_once("].")) {
            Some((i, "0")) => format!("events[{i}].time"),
            Some((i, rest)) => match rest.strip_prefix("1.") {
                Some(field) => format!("events[{i}].{field}"),
                None => p,
            },
            None => p,
        })
        .collect()
}

/// `events[i].time` -> `events[i].0`; `events[i].field` -> `events[i].1.field`.
fn event_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix("events[")?;
    let (index, field) = rest.split_once("].")?;
    index.parse::<usize>().ok()?;
    Some(match field {
        "time" => format!("events[{index}].0"),
        field => format!("events[{index}].1.{field}"),
    })
}

fn display(path: &str) -> &str {
    if path.is_empty() {
        "the scenario"
    } else {
        path
    }
}

#[derive(Debug, Clone)]
struct Segment {
    name: String,
    index: Option<usize>,
}

fn split_path(path: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => {
                let i = rest
                    .strip_suffix(']')
                    .and_then(|i| i.parse::<usize>().ok())
                    .ok_or_else(|| format!("{path}: write list elements as name[index], e.g. pools[1]"))?;
                (name, Some(i))
            }
            None => (part, None),
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("{path}: {part:?} is not a field name"));
        }
        out.push(Segment { name: name.to_string(), index });
    }
    Ok(out)
}

fn join_segments(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| match s.index {
            Some(i) => format!("{}[{i}]", s.name),
            None => s.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Every value's span by path ("" is the root struct); tuple elements are `.0`, `.1`, so an
/// event is `events[i].0` (its time) and `events[i].1` (its action). `None` when the text
/// cannot be read to its end.
fn spans(source: &str) -> Option<BTreeMap<String, Span>> {
    let tree = scan::read(source);
    if !tree.complete {
        return None;
    }
    let path = |above: &str, _: &scan::Value, value: &scan::Value| match value.key {
        Key::Root => String::new(),
        Key::Field(field) if above.is_empty() => field.to_string(),
        Key::Field(field) => format!("{above}.{field}"),
        Key::Position(k) => format!("{above}.{k}"),
        Key::Element(k) => format!("{above}[{k}]"),
    };
    let mut spans = BTreeMap::new();
    tree.walk(path, |value, _, path| {
        let end = value.end.expect("a complete tree has every value's end");
        spans.entry(path).or_insert(Span { start: value.start, end, insert_at: value.open });
    });
    Some(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"// a comment (with parens)
Scenario(
    name: "x", /* block */ horizon: "6h",
    pools: [
        Pool(fqdn: "a", site: "dc1", users: 10, backup_pool: Some("b")),
        Pool(fqdn: "b", site: "dc2", users: 20, registrations_per_sec: 20.0),
    ],
    administrator: Some(Administrator(failover_after: Some(Exponential(mean: "30m")), disaster_mode: true)),
)"#;

    #[test]
    fn written_values_are_replaced_in_place() {
        let t = set(TEXT, "pools[1].registrations_per_sec", "40.0").unwrap();
        assert!(t.contains("users: 20, registrations_per_sec: 40.0)"), "{t}");
        let t = set(TEXT, "administrator.failover_after", r#"Exponential(mean: "10m")"#).unwrap();
        assert!(t.contains(r#"failover_after: Some(Exponential(mean: "10m")), disaster_mode"#), "{t}");
        let t = set(TEXT, "horizon", r#""12h""#).unwrap();
        assert!(t.contains(r#"horizon: "12h","#) && t.starts_with("// a comment (with parens)"), "{t}");
        let t = set(TEXT, "pools[0].backup_pool", r#""c""#).unwrap();
        assert!(t.contains(r#"backup_pool: Some("c")"#), "{t}");
    }

    #[test]
    fn unwritten_fields_are_inserted_into_their_struct() {
        let t = set(TEXT, "pools[0].registrations_per_sec", "5.0").unwrap();
        assert!(t.contains(r#"Pool(registrations_per_sec: 5.0, fqdn: "a""#), "{t}");
        let t = set(TEXT, "backup_service.sync_interval", r#""5m""#).unwrap();
        assert!(t.contains(r#"Scenario(backup_service: (sync_interval: "5m"), "#), "{t}");
        let t = set(TEXT, "administrator.failback_after", r#""2h""#).unwrap();
        assert!(t.contains(r#"Administrator(failback_after: "2h", failover_after"#), "{t}");
    }

    #[test]
    fn written_paths_are_listed_as_diagnostics_name_them() {
        let p = paths(TEXT);
        for want in ["name", "pools[1].registrations_per_sec", "administrator.failover_after"] {
            assert!(p.iter().any(|x| x == want), "{want} in {p:?}");
        }
        let p = paths(r#"Scenario(events: [ At("1h", PoolDown(pool: "a")) ])"#);
        assert!(
            p.contains(&"events[0].time".to_string()) && p.contains(&"events[0].pool".to_string()),
            "{p:?}"
        );
        assert!(paths("Scenario(").is_empty());
    }

    #[test]
    fn event_times_and_fields_are_reached_by_their_diagnostic_paths() {
        let text = r#"Scenario(events: [ At("1h", PoolDown(pool: "a")), At("3h", PoolUp(pool: "a")) ])"#;
        let t = set(text, "events[1].time", r#""2h""#).unwrap();
        assert!(t.contains(r#"At("2h", PoolUp(pool: "a"))"#), "{t}");
        let t = set(text, "events[0].pool", r#""b""#).unwrap();
        assert!(t.contains(r#"At("1h", PoolDown(pool: "b"))"#), "{t}");
    }

    #[test]
    fn comments_and_blanks_around_a_value_are_kept() {
        let text = "Scenario(\n    /* a /* nested */ comment */ product: Lync2013 // the product\n)";
        let t = set(text, "product", "SfB2019").unwrap();
        assert_eq!(t, "Scenario(\n    /* a /* nested */ comment */ product: SfB2019 // the product\n)");
        let t = set("(users: 10/* ten */, seed: r#\"x\"#)", "users", "20").unwrap();
        assert_eq!(t, "(users: 20/* ten */, seed: r#\"x\"#)");
    }

    #[test]
    fn a_mistyped_value_is_still_one_value() {
        // The name is set after the swept values: a typo must reach the parser, which
        // places it, rather than stop the edit.
        for typo in ["5%", "1:2", "2\"", "", "-", "{"] {
            let text = set("Scenario(name: \"a\", users: 1)", "users", typo).unwrap();
            let t = set(&text, "name", "\"b\"").unwrap();
            assert_eq!(t, format!("Scenario(name: \"b\", users: {typo})"));
        }
    }

    #[test]
    fn impossible_paths_say_why() {
        assert_eq!(set(TEXT, "pools[7].users", "1").unwrap_err(), "pools[7].users: there is no pools[7]");
        assert!(set(TEXT, "pools[x].users", "1").unwrap_err().contains("name[index]"));
        assert!(set(TEXT, "name.x", "1").unwrap_err().contains("is not a struct"));
    }
}
