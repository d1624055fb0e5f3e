//! Names as written: a pool's fqdn is a DNS host name, a site's name is a label for people,
//! and a rejected name gets a suggestion that keeps its letters.
//!
//! A pool fqdn follows RFC 1123's host names (docs/scenario-reference.md#pool): labels of
//! ASCII letters, digits and `-`, 1 to 63 characters, not starting or ending with `-`,
//! separated by dots, at most 253 characters in all. Letters may be of either case, as DNS
//! ignores it; so two fqdns that differ only in case name one pool (a duplicate). A trailing
//! dot (the root of an absolute name) is refused: Topology Builder writes fqdns without one,
//! and `a.b.` and `a.b` would otherwise be two pools (assumption).
//!
//! Suggestions strip diacritics by Unicode canonical decomposition (NFD, then drop the
//! combining marks: `Zürich` becomes `zurich`) and turn every other character that is not
//! allowed into one `-`.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Most characters of a DNS name (RFC 1123 2.1, RFC 1035 2.3.4).
pub(super) const MAX_FQDN_LEN: usize = 253;
/// Most characters of one label of a DNS name (RFC 1035 2.3.4).
pub(super) const MAX_LABEL_LEN: usize = 63;

/// Why `fqdn` is not a DNS host name, if it is not; `None` for an empty fqdn, which has an
/// error of its own.
pub(super) fn fqdn_problem(fqdn: &str) -> Option<String> {
    if fqdn.is_empty() {
        return None;
    }
    if let Some(c) = fqdn.chars().find(|c| c.is_whitespace() || c.is_control()) {
        let what = if c.is_control() { "a control character" } else { "white space" };
        return Some(format!("it holds {what} '{}'", c.escape_debug()));
    }
    if fqdn.ends_with('.') {
        return Some("it ends with a dot".to_string());
    }
    if fqdn.len() > MAX_FQDN_LEN {
        return Some(format!("it is {} characters long, more than {MAX_FQDN_LEN}", fqdn.len()));
    }
    for label in fqdn.split('.') {
        if label.is_empty() {
            return Some("it has an empty label (two dots in a row, or a dot first)".to_string());
        }
        if let Some(c) = label.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
            return Some(format!(
                "it holds '{}', which is not a letter, digit, '-' or '.'",
                c.escape_debug()
            ));
        }
        if label.len() > MAX_LABEL_LEN {
            return Some(format!(
                "its label \"{label}\" is {} characters long, more than {MAX_LABEL_LEN}",
                label.len()
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some(format!("its label \"{label}\" starts or ends with '-'"));
        }
    }
    None
}

/// A DNS host name derived from a rejected fqdn, lowercase; empty when nothing is left.
pub(super) fn fqdn_suggestion(fqdn: &str) -> String {
    let mut out = String::new();
    for label in fqdn.split('.') {
        let label = slug(label, |c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let label = label.chars().take(MAX_LABEL_LEN).collect::<String>();
        let label = label.trim_matches('-');
        if label.is_empty() {
            continue;
        }
        if out.len() + 1 + label.len() > MAX_FQDN_LEN {
            break;
        }
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(label);
    }
    out
}

/// Why a site name cannot be used, if it cannot: blank, or holding a control character
/// (it is shown in messages, events and reports on one line). Site names are labels for
/// people, as in Topology Builder (spaces allowed), not DNS names; `None` for an empty
/// name, which has an error of its own.
pub(super) fn site_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        None
    } else if name.trim().is_empty() {
        Some("it is blank".to_string())
    } else {
        name.chars()
            .find(|c| c.is_control())
            .map(|c| format!("it holds a control character '{}'", c.escape_debug()))
    }
}

/// `text` in lowercase with diacritics stripped, every run of characters that `keep`
/// refuses made one `-`, and no `-` first or last.
pub(super) fn slug(text: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::new();
    for c in text.trim().nfd().flat_map(char::to_lowercase) {
        if keep(c) || c == '-' {
            if !(c == '-' && out.ends_with('-')) {
                out.push(c);
            }
        } else if is_combining_mark(c) {
            // A diacritic of the letter before it.
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names_per_rfc_1123() {
        for good in ["fe03", "lyncfe03.thelab.info", "Pool-1.Contoso.COM", "9a.b", &"a".repeat(63)] {
            assert_eq!(fqdn_problem(good), None, "{good}");
        }
        let long = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(62)].join(".");
        assert_eq!(long.len(), 254);
        let cases = [
            (" ", "it holds white space ' '"),
            ("fe03\nfe04", "it holds a control character '\\n'"),
            ("fe03.thelab.info.", "it ends with a dot"),
            ("fe03..info", "it has an empty label (two dots in a row, or a dot first)"),
            (".fe03", "it has an empty label (two dots in a row, or a dot first)"),
            ("Lync-Zürich-✓", "it holds 'ü', which is not a letter, digit, '-' or '.'"),
            ("fe_03", "it holds '_', which is not a letter, digit, '-' or '.'"),
            ("-fe03.info", "its label \"-fe03\" starts or ends with '-'"),
            ("fe03-.info", "its label \"fe03-\" starts or ends with '-'"),
        ];
        for (bad, why) in cases {
            assert_eq!(fqdn_problem(bad).as_deref(), Some(why), "{bad:?}");
        }
        assert_eq!(fqdn_problem(&long).unwrap(), "it is 254 characters long, more than 253");
        let label = "a".repeat(64);
        assert!(fqdn_problem(&format!("{label}.b")).unwrap().contains("64 characters long, more than 63"));
        assert_eq!(fqdn_problem(""), None);
    }

    #[test]
    fn suggestions_keep_the_letters() {
        assert_eq!(fqdn_suggestion("Lync-Zürich-✓"), "lync-zurich");
        assert_eq!(fqdn_suggestion("fe03.thelab.info."), "fe03.thelab.info");
        assert_eq!(fqdn_suggestion("Pool Å.Société.fr"), "pool-a.societe.fr");
        assert_eq!(fqdn_suggestion("fe03..info"), "fe03.info");
        assert_eq!(fqdn_suggestion(" "), "");
        assert_eq!(fqdn_suggestion(&"x".repeat(100)).len(), 63);
        let name = |n: &str| slug(n, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        assert_eq!(name("Lync-Zürich-✓"), "lync-zurich");
        assert_eq!(name("SE Pair"), "se-pair");
        assert_eq!(name("Ærø_2"), "r-_2");
    }

    #[test]
    fn site_names_are_labels_on_one_line() {
        assert_eq!(site_name_problem("Redmond DC"), None);
        assert_eq!(site_name_problem("   ").as_deref(), Some("it is blank"));
        assert_eq!(site_name_problem("dc\n1").as_deref(), Some("it holds a control character '\\n'"));
    }
}
