//! Where a chart is drawn. One set-up for every chart: the embedded font, a white page on
//! an SVG or bitmap backend, a PNG without timestamps ([`svg()`], [`png()`] of a [`Picture`]);
//! the page's title block and plotting column ([`Canvas::page`]); and [`Canvas`], which sets
//! text glyph by glyph on bitmaps and cuts thick lines at sharp turns.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::error::{draw_err, ChartError};
use super::font::{ensure_font, font, Metrics};
use super::geometry::{split_sharp, Px};
use super::palette::{INK, MUTED};

/// A picture: a size, and how it is drawn on a white page of that size.
pub(crate) trait Picture {
    /// Width and height, pixels.
    fn size(&self) -> (u32, u32);

    /// Draw on `c`, whose page is white.
    fn draw<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> Result<(), ChartError>;
}

/// `picture` as an SVG document.
pub(crate) fn svg(picture: &impl Picture) -> Result<String, ChartError> {
    let metrics = ensure_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, picture.size()).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        picture.draw(&Canvas { root: &root, metrics, bitmap: false })?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// `picture` as an encoded PNG file (8-bit RGB).
pub(crate) fn png(picture: &impl Picture) -> Result<Vec<u8>, ChartError> {
    let metrics = ensure_font()?;
    let (width, height) = picture.size();
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        picture.draw(&Canvas { root: &root, metrics, bitmap: true })?;
        root.present().map_err(draw_err)?;
    }
    encode_png(width, height, &rgb)
}

/// Encode 8-bit RGB pixels, row-major, as a PNG file (the `png` crate; no timestamps or
/// other ancillary chunks, so the bytes depend only on the pixels).
fn encode_png(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder.write_header().map_err(|e| ChartError::Draw(format!("png: {e}")))?;
    writer.write_image_data(rgb).map_err(|e| ChartError::Draw(format!("png: {e}")))?;
    writer.finish().map_err(|e| ChartError::Draw(format!("png: {e}")))?;
    Ok(out)
}

/// Height of the title block.
pub(crate) const HEADER_HEIGHT: u32 = 58;

/// Where a chart's title block goes ([`Canvas::page`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header {
    /// Width of the plotting column; the legends take the rest of the page.
    pub(crate) plot_width: u32,
    /// Left edge of the title, pixels.
    pub(crate) left: i32,
    /// Size of the title, pixels.
    pub(crate) title_size: f64,
    /// Top of the subtitle, pixels.
    pub(crate) subtitle_top: i32,
}

/// A panel: time against a value.
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// plotters' text style: the embedded font at `size`, in `color`, anchored at (`h`, `v`).
fn text_style<'a>(size: f64, color: &'a RGBColor, h: HPos, v: VPos) -> TextStyle<'a> {
    TextStyle::from(font(size)).color(color).pos(Pos::new(h, v))
}

/// Where drawing goes, and how text is set. Everything is drawn on the root area in backend
/// pixels.
pub(crate) struct Canvas<'a, DB: DrawingBackend> {
    pub(crate) root: &'a DrawingArea<DB, Shift>,
    pub(crate) metrics: &'a Metrics,
    /// A bitmap: text is set glyph by glyph (SVG keeps whole strings for the viewer to set),
    /// and thick lines are cut at sharp turns, where plotters' polygon outline of a thick
    /// line would shoot a spike far off (an SVG viewer limits its miters itself).
    pub(crate) bitmap: bool,
}

impl<DB: DrawingBackend> Canvas<'_, DB> {
    pub(crate) fn path(&self, points: Vec<Px>, style: ShapeStyle) -> Result<(), ChartError> {
        self.root.draw(&PathElement::new(points, style)).map_err(draw_err)
    }

    /// A thick line (cut at sharp turns on bitmaps, see [`Canvas::bitmap`]).
    pub(crate) fn thick_path(&self, points: Vec<Px>, style: ShapeStyle) -> Result<(), ChartError> {
        if !self.bitmap {
            return self.path(points, style);
        }
        for piece in split_sharp(&points) {
            self.path(piece, style)?;
        }
        Ok(())
    }

    pub(crate) fn rect(&self, a: Px, b: Px, style: ShapeStyle) -> Result<(), ChartError> {
        self.root.draw(&Rectangle::new([a, b], style)).map_err(draw_err)
    }

    pub(crate) fn text_width(&self, text: &str, size: f64) -> i32 {
        self.metrics.width(text, size).ceil() as i32
    }

    /// Horizontal text anchored at `at`.
    pub(crate) fn text(
        &self,
        text: &str,
        at: Px,
        size: f64,
        color: &RGBColor,
        h: HPos,
        v: VPos,
    ) -> Result<(), ChartError> {
        if !self.bitmap {
            let style = text_style(size, color, h, v);
            return self.root.draw(&Text::new(text.to_string(), at, style)).map_err(draw_err);
        }
        let (glyphs, width) = self.metrics.layout(text, size);
        let origin = match h {
            HPos::Left => at.0 as f64,
            HPos::Center => at.0 as f64 - width / 2.0,
            HPos::Right => at.0 as f64 - width,
        };
        let style = text_style(size, color, HPos::Left, v);
        for (c, pen, left) in glyphs {
            if !c.is_whitespace() {
                let x = (origin + pen).round() as i32 + left;
                self.root.draw(&Text::new(c.to_string(), (x, at.1), style.clone())).map_err(draw_err)?;
            }
        }
        Ok(())
    }

    /// Text reading upwards, centred on `at`.
    pub(crate) fn text_up(&self, text: &str, at: Px, size: f64, color: &RGBColor) -> Result<(), ChartError> {
        if !self.bitmap {
            let style =
                text_style(size, color, HPos::Center, VPos::Center).transform(FontTransform::Rotate270);
            return self.root.draw(&Text::new(text.to_string(), at, style)).map_err(draw_err);
        }
        let (glyphs, width) = self.metrics.layout(text, size);
        let start = at.1 as f64 + width / 2.0;
        let style = text_style(size, color, HPos::Left, VPos::Center).transform(FontTransform::Rotate270);
        for (c, pen, left) in glyphs {
            if !c.is_whitespace() {
                let y = (start - pen).round() as i32 - left;
                self.root.draw(&Text::new(c.to_string(), (at.0, y), style.clone())).map_err(draw_err)?;
            }
        }
        Ok(())
    }

    /// The page's header and plotting column: the title and subtitle top left, and the
    /// area under them, left of the legends (`header.plot_width` wide).
    pub(crate) fn page(
        &self,
        header: &Header,
        title: &str,
        subtitle: &str,
    ) -> Result<DrawingArea<DB, Shift>, ChartError> {
        let (left, _) = self.root.split_horizontally(header.plot_width);
        self.text(title, (header.left, 12), header.title_size, &INK, HPos::Left, VPos::Top)?;
        self.text(subtitle, (header.left + 1, header.subtitle_top), 13.0, &MUTED, HPos::Left, VPos::Top)?;
        Ok(left.margin(HEADER_HEIGHT, 8, 8, 0))
    }
}
