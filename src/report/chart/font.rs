//! The embedded font, DejaVu Sans: registered with plotters once per process (never a system
//! font), and its glyph metrics, read with `ab_glyph`, for setting text on bitmaps glyph by
//! glyph.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId};
use plotters::prelude::*;
use plotters::style::register_font;

use super::error::ChartError;

/// Family name the embedded font is registered under; plotters asks for it by default.
const FONT: &str = "sans-serif";

static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Register the embedded font with plotters (once per process) and read its metrics.
pub(crate) fn ensure_font() -> Result<&'static Metrics, ChartError> {
    static METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
    METRICS
        .get_or_init(|| {
            register_font(FONT, FontStyle::Normal, DEJAVU_SANS).ok()?;
            Metrics::parse(DEJAVU_SANS)
        })
        .as_ref()
        .ok_or(ChartError::Font)
}

/// Horizontal metrics of the embedded font, read with `ab_glyph` (the crate plotters sets
/// text with).
///
/// plotters' ab_glyph text drops each glyph's left side bearing and truncates the pen to
/// whole pixels, so letters dance at small sizes ("presen ce"). On bitmaps this module sets
/// text itself, one glyph per plotters call at the position these metrics give; the
/// scale is ab_glyph's (pixel size / (ascender - descender)).
#[derive(Debug)]
pub(crate) struct Metrics {
    font: FontRef<'static>,
    /// Ascender minus descender, font units: the unit of ab_glyph's pixel size.
    height: f64,
}

impl Metrics {
    fn parse(data: &'static [u8]) -> Option<Self> {
        let font = FontRef::try_from_slice(data).ok()?;
        let height = f64::from(font.height_unscaled());
        (height > 0.0).then_some(Metrics { font, height })
    }

    /// The glyph of `c`. Characters beyond the Basic Multilingual Plane are measured as the
    /// missing glyph (0), as lyncsim's charts always have: their layout stays as it was.
    fn glyph(&self, c: char) -> GlyphId {
        if u32::from(c) > 0xFFFF {
            return GlyphId(0);
        }
        self.font.glyph_id(c)
    }

    /// Each character with its pen position and the whole-pixel offset of its outline's
    /// left edge, plus the string's width; pixels at `size`.
    pub(crate) fn layout(&self, text: &str, size: f64) -> (Vec<(char, f64, i32)>, f64) {
        let scale = size / self.height;
        let mut pen = 0.0;
        let mut prev = None;
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            let g = self.glyph(c);
            if let Some(p) = prev {
                pen += f64::from(self.font.kern_unscaled(p, g)) * scale;
            }
            let lsb = f64::from(self.font.h_side_bearing_unscaled(g));
            out.push((c, pen, (lsb * scale).floor() as i32));
            pen += f64::from(self.font.h_advance_unscaled(g)) * scale;
            prev = Some(g);
        }
        (out, pen)
    }

    /// The width of `text` at `size`, pixels.
    pub(crate) fn width(&self, text: &str, size: f64) -> f64 {
        self.layout(text, size).1
    }
}

/// The embedded font at `size` pixels, for the text plotters sets itself (tick labels, SVG
/// text).
pub(crate) fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_metrics_agree_with_plotters() {
        let metrics = ensure_font().unwrap();
        let style = TextStyle::from(font(13.0));
        let mut pixel = [0u8; 3];
        let area = BitMapBackend::with_buffer(&mut pixel, (1, 1)).into_drawing_area();
        for text in
            ["response_groups", "call_forwarding_changes", "Invoke-CsPoolFailover: AV Te", "0123456789"]
        {
            let (w, _) = area.estimate_text_size(text, &style).unwrap();
            let ours = metrics.width(text, 13.0);
            assert!((ours - w as f64).abs() <= 1.0, "{text}: {ours} vs {w}");
        }
        assert_ne!(metrics.glyph('a'), GlyphId(0));
        assert_eq!(metrics.glyph('\u{10FFFF}'), GlyphId(0));
    }

    #[test]
    fn text_is_laid_out_as_the_former_truetype_reader_did() {
        // Widths and glyph offsets measured by lyncsim's own TrueType reader (hhea, hmtx,
        // format-4 cmap, kern) before ab_glyph replaced it: bitmaps stay byte-identical.
        let metrics = ensure_font().unwrap();
        let widths = [
            ("response_groups", 13.0, 94.560822147651),
            ("call_forwarding_changes", 13.0, 137.36157718120805),
            ("Invoke-CsPoolFailover: AV Te", 12.0, 145.73657718120808),
            ("0123456789", 11.0, 60.12164429530202),
            ("pool-failure-lab \u{2014} mean of 40 replications", 24.0, 432.91610738255025),
            ("AVAWTo y.,", 13.0, 59.34521812080537),
            ("users with feature (%)", 15.0, 143.26761744966444),
            ("\u{e9}\u{2026}\u{fc}\u{1d400}", 13.0, 31.818372483221477),
        ];
        for (text, size, width) in widths {
            assert_eq!(metrics.width(text, size), width, "{text}");
        }
        let layout = |text: &str, size: f64| -> Vec<(f64, i32)> {
            metrics.layout(text, size).0.iter().map(|&(_, pen, left)| (pen, left)).collect()
        };
        assert_eq!(
            layout("AVAWTo y.,", 13.0),
            [
                (0.0, 0),
                (6.925335570469798, 0),
                (13.850671140939596, 0),
                (20.87961409395973, 0),
                (31.92197986577181, -1),
                (36.846057046979865, 0),
                (43.678691275167786, 0),
                (47.22860738255034, 0),
                (52.24538590604027, 1),
                (55.79530201342282, 0),
            ]
        );
        assert_eq!(
            layout("response_groups", 13.0)[..6],
            [
                (0.0, 1),
                (4.346057046979866, 0),
                (11.216862416107382, 0),
                (17.03523489932886, 1),
                (24.124161073825505, 0),
                (30.956795302013425, 1),
            ]
        );
        assert_eq!(
            layout("\u{e9}\u{2026}\u{fc}\u{1d400}", 13.0),
            [(0.0, 0), (6.870805369127517, 1), (18.038590604026844, 0), (25.116610738255034, 0)]
        );
    }
}
