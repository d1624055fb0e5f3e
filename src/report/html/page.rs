//! The pieces every `report.html` page is made of: its inline style sheet, escaping, tables
//! whose numeric columns are right-aligned, and inline SVG figures.

use std::fmt::Write as _;

/// Escapes `&<>"'` for HTML text and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The inline style sheet.
pub(super) const CSS: &str = r#":root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --head: #f3f5f7; --accent: #0b5cad; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.75rem; margin: 0 0 4px; line-height: 1.2; }
h2 { font-size: 1.35rem; margin: 0 0 6px; line-height: 1.25; }
h3 { font-size: 1.02rem; margin: 22px 0 8px; }
header { border-bottom: 2px solid var(--fg); padding-bottom: 10px; margin-bottom: 20px; }
p { margin: 6px 0; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, "Cascadia Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.86em; }
.meta, .muted, .note { color: var(--muted); }
.note { font-size: 0.88rem; }
.toc { background: var(--head); border: 1px solid var(--line); border-radius: 6px; padding: 10px 18px; margin-bottom: 24px; }
.toc h2 { font-size: 1rem; margin: 0 0 4px; }
.toc ol { margin: 0; padding-left: 1.4em; }
section.scenario, section.assumptions { border-top: 1px solid var(--line); padding-top: 22px; margin-top: 30px; }
section.extra { margin-bottom: 22px; }
.desc { font-size: 1.02rem; margin-bottom: 12px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 0 0 6px; }
th, td { border: 1px solid var(--line); padding: 4px 9px; vertical-align: top; }
thead th { background: var(--head); text-align: left; font-weight: 600; }
tbody th { text-align: left; font-weight: 500; background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td .stat { display: block; font-size: 0.78rem; color: var(--muted); }
td.err { color: #a4262c; }
td.c, th.c { text-align: center; }
td.nw { white-space: nowrap; }
table.fo { font-size: 0.84rem; }
table.fo th, table.fo td { padding: 4px 7px; }
table.fo td:last-child { min-width: 10em; }
table.q tbody th { white-space: nowrap; }
table.defaults tbody th { width: 32%; }
table.defaults td:nth-child(2) { width: 23%; }
code.field { display: block; font-weight: 400; color: var(--muted); font-size: 0.78rem; }
.prov { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); border: 1px solid var(--line);
  border-radius: 6px; overflow: hidden; margin: 6px 0 10px; font-size: 0.9rem; background: #fafbfc; }
.prov > div { padding: 5px 10px; border-right: 1px solid var(--line); border-bottom: 1px solid var(--line); margin: 0 -1px -1px 0; }
.prov .k { display: block; font-size: 0.72rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; }
.prov .file { grid-column: span 2; }
.prov .full { grid-column: 1 / -1; }
.prov code.hash { word-break: break-all; }
table.wide { width: 100%; }
figure { margin: 12px 0 6px; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
figcaption { font-size: 0.88rem; color: var(--muted); margin-top: 4px; }
details { margin-top: 14px; border: 1px solid var(--line); border-radius: 6px; }
summary { cursor: pointer; padding: 6px 12px; background: var(--head); border-radius: 6px; }
details[open] summary { border-bottom: 1px solid var(--line); border-radius: 6px 6px 0 0; }
details pre { margin: 0; padding: 10px 12px; overflow-x: auto; white-space: pre; line-height: 1.4; }
footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid var(--line); font-size: 0.82rem; color: var(--muted); }
@media (max-width: 640px) { .prov { grid-template-columns: repeat(2, minmax(0, 1fr)); } main { padding: 16px 12px 32px; } }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; }
  .toc { background: none; }
  section.scenario { break-before: page; border-top: none; margin-top: 0; }
  table, figure, tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  summary { background: none; }
}
"#;

/// Whether a caller's table cell reads as a number (`12`, `-3.5 %`, `1,234`, `99.2 % ± 0.1`):
/// those are right-aligned.
fn looks_numeric(cell: &str) -> bool {
    let t = cell.trim();
    if t == "—" || t == "-" {
        return true;
    }
    let body = t.strip_prefix(['-', '+', '−']).unwrap_or(t);
    body.starts_with(|c: char| c.is_ascii_digit())
        && body.chars().all(|c| c.is_ascii_digit() || " .,%+-–−±()".contains(c) || c == '\u{a0}')
}

/// A table (in a horizontally scrolling box): a caption, a header row and rows of cells;
/// numeric cells, and the heading of an all-numeric column, are right-aligned.
pub(super) fn table(out: &mut String, caption: &str, header: &[String], rows: &[Vec<String>]) {
    out.push_str("<div class=\"scroll\"><table>\n");
    if !caption.is_empty() {
        let _ = writeln!(out, "<caption>{}</caption>", esc(caption));
    }
    if !header.is_empty() {
        out.push_str("<thead><tr>");
        for (i, h) in header.iter().enumerate() {
            // Align a column's heading with its cells: right when every cell is a number.
            let numeric = i > 0 && rows.iter().all(|r| r.get(i).is_none_or(|c| looks_numeric(c)));
            let class = if numeric { " class=\"num\"" } else { "" };
            let _ = write!(out, "<th{class}>{}</th>", esc(h));
        }
        out.push_str("</tr></thead>\n");
    }
    out.push_str("<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let class = if looks_numeric(cell) { " class=\"num\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", esc(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

/// The `<svg ...>...</svg>` part of an SVG document: any XML prolog, DOCTYPE or comment
/// before it is dropped. `None` when the text holds no `<svg` element.
fn svg_element(text: &str) -> Option<&str> {
    let start = text.find("<svg")?;
    let body = &text[start..];
    Some(match body.rfind("</svg>") {
        Some(end) => &body[..end + "</svg>".len()],
        None => body.trim_end(),
    })
}

/// An inline SVG figure with an optional caption.
pub(super) fn figure(out: &mut String, caption: &str, svg: &str) {
    out.push_str("<figure>\n");
    match svg_element(svg) {
        Some(svg) => {
            out.push_str(svg);
            out.push('\n');
        }
        None => out.push_str("<p class=\"note\">(the figure is not an SVG image)</p>\n"),
    }
    if !caption.is_empty() {
        let _ = writeln!(out, "<figcaption>{}</figcaption>", esc(caption));
    }
    out.push_str("</figure>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_cells() {
        assert!(
            looks_numeric("99.420 %") && looks_numeric("-3") && looks_numeric("1,234") && looks_numeric("—")
        );
        assert!(!looks_numeric("se-pair") && !looks_numeric("2 h") && !looks_numeric(""));
    }
}
