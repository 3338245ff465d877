//! The figure as a manuscript file: PNG at a chosen resolution (resvg) and
//! vector PDF (svg2pdf; text is kept as text with embedded subsets of the
//! system font, DejaVu Sans on Debian). Both are pure Rust and parse the
//! SVG with the same usvg tree, so the PNG and the PDF show the same
//! figure. Pure functions (no file I/O); the fonts come from the system
//! font database.

use resvg::{tiny_skia, usvg};

/// CSS pixels per inch: the figure's pixel sizes are CSS pixels.
pub const CSS_DPI: f32 = 96.0;
/// Smallest resolution accepted for PNG export.
pub const MIN_DPI: u32 = 72;
/// Largest resolution accepted for PNG export (a 1 200-px-wide figure is
/// 7 500 px wide at 600 dpi).
pub const MAX_DPI: u32 = 600;
/// Most pixels a PNG export may have (bounds memory: 4 bytes each).
pub const MAX_PIXELS: u64 = 120_000_000;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The resolution is outside [`MIN_DPI`]..=[`MAX_DPI`].
    #[error("--dpi {0}: expected a resolution from {MIN_DPI} to {MAX_DPI} dots per inch")]
    Dpi(u32),
    /// The image would be too large.
    #[error(
        "a {w} x {h} pixel image is larger than the {MAX_PIXELS}-pixel limit: use a lower --dpi"
    )]
    TooLarge {
        /// Width.
        w: u32,
        /// Height.
        h: u32,
    },
    /// The SVG could not be parsed (an internal error: the SVG is ours).
    #[error("parsing the figure SVG: {0}")]
    Svg(String),
    /// Rasterising or encoding failed.
    #[error("rendering the figure: {0}")]
    Render(String),
}

fn tree(svg: &str) -> Result<usvg::Tree, ExportError> {
    let mut opt = usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    usvg::Tree::from_str(svg, &opt).map_err(|e| ExportError::Svg(e.to_string()))
}

/// Rasterises an SVG document to PNG at `dpi` dots per inch (the figure's
/// CSS pixels are 1/96 inch) on a white background.
pub fn svg_to_png(svg: &str, dpi: u32) -> Result<Vec<u8>, ExportError> {
    if !(MIN_DPI..=MAX_DPI).contains(&dpi) {
        return Err(ExportError::Dpi(dpi));
    }
    let tree = tree(svg)?;
    let scale = dpi as f32 / CSS_DPI;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).ceil() as u32,
        (size.height() * scale).ceil() as u32,
    );
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(ExportError::TooLarge { w, h });
    }
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| ExportError::Render(format!("cannot allocate a {w}x{h} image")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| ExportError::Render(e.to_string()))
}

/// Converts an SVG document to a one-page vector PDF, the page the size of
/// the figure (its CSS pixels at 96 per inch).
pub fn svg_to_pdf(svg: &str) -> Result<Vec<u8>, ExportError> {
    let tree = tree(svg)?;
    svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions { dpi: CSS_DPI },
    )
    .map_err(|e| ExportError::Render(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="96" height="48" viewBox="0 0 96 48"><rect x="0" y="0" width="48" height="48" fill="#0072B2"/><text x="50" y="30" font-family="DejaVu Sans" font-size="12">ANC</text></svg>"##;

    #[test]
    fn png_size_follows_the_dpi() {
        let png = svg_to_png(SVG, 192).expect("png");
        // IHDR width and height (big-endian) at bytes 16..24
        let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        assert_eq!((w, h), (192, 96));
        let png = svg_to_png(SVG, 300).expect("png");
        let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        assert_eq!(w, 300);
    }

    #[test]
    fn dpi_outside_the_range_is_refused() {
        assert!(matches!(svg_to_png(SVG, 71), Err(ExportError::Dpi(71))));
        assert!(matches!(svg_to_png(SVG, 601), Err(ExportError::Dpi(601))));
        assert!(svg_to_png(SVG, 72).is_ok() && svg_to_png(SVG, 600).is_ok());
    }

    #[test]
    fn pdf_is_one_vector_page_of_the_figure_size() {
        let pdf = svg_to_pdf(SVG).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
        assert_eq!(pages, 1);
        // 96 CSS px = 1 inch = 72 pt
        assert!(text.contains("[0 0 72 36]"), "media box");
        // no raster image: the figure stays vector
        assert!(!text.contains("/Subtype /Image"));
    }
}
