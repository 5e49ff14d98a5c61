//! Booth signage rendered to PNG with resvg: logos from untrusted SVG, fascia boards, name
//! plates and hall and zone signs. Text is laid out by usvg with the fonts loaded once at start.
//!
//! Untrusted SVG is first checked by `pavilion-media` (`check_svg_within`: no external
//! reference, no script, a bounded number of elements once `<use>` and patterns are expanded,
//! under a deadline), then parsed with no image resolution at all (no `data:` and no file
//! images); compressed SVG is refused and the source size is capped; only PNG ever leaves
//! this module.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pavilion_media::{CheckLimits, MediaError, SvgLimits};
use pavilion_model::Colour;
use resvg::tiny_skia::{self, Color, Paint, Pixmap, Transform};
use resvg::usvg::{self, fontdb};

/// Bumped whenever the look of rendered media changes, so an import re-renders everyone.
pub const RENDER_VERSION: u32 = 1;
/// The largest logo SVG accepted.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;
/// What the SVG check allows a logo or uploaded SVG picture: its elements and nesting as for
/// any logo, its size as [`MAX_LOGO_BYTES`].
const LOGO_SVG_LIMITS: SvgLimits = SvgLimits {
    max_bytes: MAX_LOGO_BYTES as u64,
    ..SvgLimits::LOGO
};

pub const LOGO_SIZE: (u32, u32) = (640, 160);
pub const FASCIA_SIZE: (u32, u32) = (1280, 256);
pub const NAME_PLATE_SIZE: (u32, u32) = (1024, 256);
pub const SIGN_SIZE: (u32, u32) = (1024, 256);
/// A stage's big screen (and the contest desk's): 16:9.
pub const SCREEN_SIZE: (u32, u32) = (1024, 576);

const PREFERRED_FAMILY: &str = "DejaVu Sans";
const FALLBACK_FONT_DIR: &str = "/usr/share/fonts/truetype/dejavu";
const DARK_TEXT: [u8; 3] = [0x14, 0x18, 0x22];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
const SIGN_BOARD: [u8; 3] = [0x16, 0x22, 0x44];
const ZONE_ACCENT: [u8; 3] = [0xf2, 0xb1, 0x34];
const HALL_ACCENT: [u8; 3] = [0x2e, 0xc4, 0xb6];
const SCREEN_ACCENT: [u8; 3] = [0xe8, 0x5d, 0x75];
const SCREEN_MUTED: [u8; 3] = [0xb8, 0xc4, 0xdc];

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the SVG is {size} bytes; the limit is {MAX_LOGO_BYTES} bytes")]
    TooLarge { size: usize },
    #[error("compressed SVG (svgz) is not accepted; send plain SVG text")]
    Compressed,
    /// Refused by the SVG check before resvg saw it (external reference, script, a `<use>`
    /// bomb, out of time, ...); keeps the check's stable code.
    #[error("{0}")]
    Check(#[from] MediaError),
    #[error("the SVG cannot be read: {0}")]
    Svg(#[from] usvg::Error),
    #[error("the SVG draws nothing visible")]
    NothingVisible,
    #[error("cannot encode the PNG: {0}")]
    Png(String),
}

/// Which sign a board is for; each kind has its own accent colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignKind {
    Hall,
    Zone,
}

/// One part of a screen: a label ("Now", "Next"), a title in large type and a line of
/// detail under it (speakers, time); empty strings are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScreenBlock {
    pub label: String,
    pub title: String,
    pub detail: String,
}

/// What a screen shows: a heading (the stage's name) over two blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScreenText {
    pub heading: String,
    pub first: ScreenBlock,
    pub second: ScreenBlock,
}

/// Renders signage; cheap to clone (the font database is shared).
#[derive(Clone)]
pub struct Renderer {
    fonts: Arc<fontdb::Database>,
    /// Atlas pages made by this process, shared by every clone.
    atlas: Arc<super::atlas::AtlasCache>,
}

impl fmt::Debug for Renderer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Renderer")
            .field("font_faces", &self.fonts.len())
            .finish()
    }
}

/// A parsed logo, ready to draw at any size.
pub struct Logo(usvg::Tree);

/// A floor rectangle on the canvas, in pixels.
#[derive(Debug, Clone, Copy)]
struct Area {
    x: f32,
    y: f32,
    width: f32,
    height: f32,
}

impl Area {
    const fn new(x: f32, y: f32, width: f32, height: f32) -> Area {
        Area {
            x,
            y,
            width,
            height,
        }
    }
}

impl Renderer {
    /// Loads the system's fonts (slow: call once and clone). Logs a warning when none is found,
    /// because text would then silently vanish from every sign.
    pub fn with_system_fonts() -> Renderer {
        let mut found = fontdb::Database::new();
        found.load_system_fonts();
        if !has_family(&found, PREFERRED_FAMILY) && Path::new(FALLBACK_FONT_DIR).is_dir() {
            found.load_fonts_dir(FALLBACK_FONT_DIR);
        }
        let mut fonts = in_memory(&found);
        if fonts.is_empty() {
            tracing::warn!(
                "no fonts found: signs will be rendered without text (install fonts-dejavu-core)"
            );
        } else if has_family(&fonts, PREFERRED_FAMILY) {
            fonts.set_sans_serif_family(PREFERRED_FAMILY);
        } else {
            tracing::warn!(
                "font {PREFERRED_FAMILY} not found; signs use whatever sans-serif font exists"
            );
        }
        tracing::debug!(faces = fonts.len(), "fonts loaded");
        Renderer {
            fonts: Arc::new(fonts),
            atlas: Arc::default(),
        }
    }

    /// The atlas pages this process made, by their inputs (see [`super::atlas`]).
    pub fn atlas_cache(&self) -> &super::atlas::AtlasCache {
        &self.atlas
    }

    fn options(&self) -> usvg::Options<'static> {
        usvg::Options {
            resources_dir: None,
            font_family: PREFERRED_FAMILY.to_owned(),
            fontdb: Arc::clone(&self.fonts),
            // Resolve no image at all: an untrusted SVG must not read local files or
            // smuggle in raster data we have not checked.
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: Box::new(|_, _, _| None),
                resolve_string: Box::new(|_, _| None),
            },
            ..usvg::Options::default()
        }
    }

    /// Parses an untrusted logo SVG once `check_svg_within` has passed it within `limits`:
    /// resvg never sees an SVG whose expansion or references were not bounded first.
    pub fn parse_logo(&self, svg: &[u8], limits: &CheckLimits) -> Result<Logo, RenderError> {
        if svg.len() > MAX_LOGO_BYTES {
            return Err(RenderError::TooLarge { size: svg.len() });
        }
        // usvg would inflate gzip data itself, unbounded: refuse it instead.
        if svg.starts_with(&[0x1f, 0x8b]) {
            return Err(RenderError::Compressed);
        }
        pavilion_media::check_svg_within(svg, LOGO_SVG_LIMITS, limits)?;
        let tree = usvg::Tree::from_data(svg, &self.options())?;
        let visible = tree.root().abs_bounding_box();
        if !tree.root().has_children() || visible.width() <= 0.0 || visible.height() <= 0.0 {
            return Err(RenderError::NothingVisible);
        }
        Ok(Logo(tree))
    }

    /// The logo alone, fitted into 640x160 on transparency.
    pub fn logo_png(&self, logo: &Logo) -> Result<Vec<u8>, RenderError> {
        let (width, height) = LOGO_SIZE;
        let mut pixmap = canvas(width, height);
        draw_logo(
            &mut pixmap,
            logo,
            Area::new(0.0, 0.0, width as f32, height as f32),
        );
        encode(&pixmap)
    }

    /// An uploaded SVG picture rasterised at its own aspect ratio, its longer side
    /// `longest_side` pixels, on transparency. Returns the PNG and its pixel size.
    pub fn picture_png(
        &self,
        logo: &Logo,
        longest_side: u32,
    ) -> Result<(Vec<u8>, u32, u32), RenderError> {
        let size = logo.0.size();
        let scale = longest_side as f32 / size.width().max(size.height());
        let width = ((size.width() * scale).round() as u32).clamp(1, longest_side);
        let height = ((size.height() * scale).round() as u32).clamp(1, longest_side);
        let mut pixmap = Pixmap::new(width, height).ok_or(RenderError::NothingVisible)?;
        draw_logo(
            &mut pixmap,
            logo,
            Area::new(0.0, 0.0, width as f32, height as f32),
        );
        Ok((encode(&pixmap)?, width, height))
    }

    /// The booth's fascia board: the logo on white, a band in the brand colour with the tagline.
    pub fn fascia_png(
        &self,
        logo: &Logo,
        tagline: &str,
        colour: Colour,
    ) -> Result<Vec<u8>, RenderError> {
        let colour = colour.rgb();
        let (width, height) = FASCIA_SIZE;
        let (w, h) = (width as f32, height as f32);
        let band_top = (h * 0.7).round();
        let mut pixmap = canvas(width, height);
        pixmap.fill(Color::WHITE);
        fill_rect(
            &mut pixmap,
            Area::new(0.0, band_top, w, h - band_top),
            colour,
        );
        draw_logo(
            &mut pixmap,
            logo,
            Area::new(48.0, 16.0, w - 96.0, band_top - 32.0),
        );
        self.draw_text(
            &mut pixmap,
            tagline,
            Area::new(36.0, band_top + 8.0, w - 72.0, h - band_top - 16.0),
            34.0,
            false,
            contrasting_text(colour),
        );
        encode(&pixmap)
    }

    /// The counter's name plate: the company name, large and bold, on the brand colour.
    pub fn name_plate_png(&self, name: &str, colour: Colour) -> Result<Vec<u8>, RenderError> {
        let colour = colour.rgb();
        let (width, height) = NAME_PLATE_SIZE;
        let (w, h) = (width as f32, height as f32);
        let mut pixmap = canvas(width, height);
        fill_rect(&mut pixmap, Area::new(0.0, 0.0, w, h), colour);
        self.draw_text(
            &mut pixmap,
            name,
            Area::new(56.0, 40.0, w - 112.0, h - 80.0),
            120.0,
            true,
            contrasting_text(colour),
        );
        encode(&pixmap)
    }

    /// A hanging sign: white text on a dark navy board with an accent stripe.
    pub fn sign_png(&self, text: &str, kind: SignKind) -> Result<Vec<u8>, RenderError> {
        let (width, height) = SIGN_SIZE;
        let (w, h) = (width as f32, height as f32);
        let accent = match kind {
            SignKind::Hall => HALL_ACCENT,
            SignKind::Zone => ZONE_ACCENT,
        };
        let mut pixmap = canvas(width, height);
        fill_rect(&mut pixmap, Area::new(0.0, 0.0, w, h), SIGN_BOARD);
        fill_rect(&mut pixmap, Area::new(0.0, h - 20.0, w, 20.0), accent);
        fill_rect(&mut pixmap, Area::new(0.0, 0.0, 20.0, h - 20.0), accent);
        self.draw_text(
            &mut pixmap,
            text,
            Area::new(64.0, 28.0, w - 112.0, h - 76.0),
            88.0,
            true,
            WHITE,
        );
        encode(&pixmap)
    }

    /// A 16:9 screen ([`SCREEN_SIZE`]): the heading on an accent band, then two blocks, each
    /// a small accent label, a large bold title and a muted line of detail.
    pub fn screen_png(&self, text: &ScreenText) -> Result<Vec<u8>, RenderError> {
        let (width, height) = SCREEN_SIZE;
        let (w, h) = (width as f32, height as f32);
        let mut pixmap = canvas(width, height);
        fill_rect(&mut pixmap, Area::new(0.0, 0.0, w, h), SIGN_BOARD);
        fill_rect(&mut pixmap, Area::new(0.0, 0.0, w, 96.0), SCREEN_ACCENT);
        self.draw_text(
            &mut pixmap,
            &text.heading,
            Area::new(40.0, 14.0, w - 80.0, 68.0),
            52.0,
            true,
            contrasting_text(SCREEN_ACCENT),
        );
        for (block, top) in [(&text.first, 116.0), (&text.second, 346.0)] {
            self.draw_text(
                &mut pixmap,
                &block.label,
                Area::new(40.0, top, w - 80.0, 40.0),
                34.0,
                true,
                SCREEN_ACCENT,
            );
            self.draw_text(
                &mut pixmap,
                &block.title,
                Area::new(40.0, top + 44.0, w - 80.0, 112.0),
                56.0,
                true,
                WHITE,
            );
            self.draw_text(
                &mut pixmap,
                &block.detail,
                Area::new(40.0, top + 160.0, w - 80.0, 44.0),
                30.0,
                false,
                SCREEN_MUTED,
            );
        }
        encode(&pixmap)
    }

    /// Draws text centred in `area` at up to `max_font_px`, shrinking it to fit; long text is
    /// split over two lines when that gives a larger type size than one line.
    fn draw_text(
        &self,
        pixmap: &mut Pixmap,
        text: &str,
        area: Area,
        max_font_px: f32,
        bold: bool,
        fill: [u8; 3],
    ) {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return;
        }
        let mut layouts = vec![vec![text.clone()]];
        if let Some((first, second)) = split_in_two(&text) {
            layouts.push(vec![first.to_owned(), second.to_owned()]);
        }
        let best = layouts
            .iter()
            .filter_map(|lines| self.layout_text(lines, area, max_font_px, bold, fill))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((tree, _, transform)) = best {
            resvg::render(&tree, transform, &mut pixmap.as_mut());
        }
    }

    /// Lays out the lines at a reference size and returns the tree, the resulting type size
    /// and the transform that fits it into `area`.
    fn layout_text(
        &self,
        lines: &[String],
        area: Area,
        max_font_px: f32,
        bold: bool,
        fill: [u8; 3],
    ) -> Option<(usvg::Tree, f32, Transform)> {
        const REFERENCE_PX: f32 = 100.0;
        const LINE_HEIGHT: f32 = 1.2;
        let weight = if bold { "bold" } else { "normal" };
        let mut svg =
            String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">"#);
        for (i, line) in lines.iter().enumerate() {
            svg.push_str(&format!(
                r#"<text x="0" y="{}" text-anchor="middle" font-family="{PREFERRED_FAMILY}, sans-serif" font-size="{REFERENCE_PX}" font-weight="{weight}" fill="{}">{}</text>"#,
                i as f32 * REFERENCE_PX * LINE_HEIGHT,
                hex_colour(fill),
                escape_xml(line)
            ));
        }
        svg.push_str("</svg>");
        let tree = usvg::Tree::from_str(&svg, &self.options()).ok()?;
        let ink = tree.root().abs_bounding_box();
        if ink.width() <= 0.0 || ink.height() <= 0.0 {
            return None;
        }
        // Fit by the line box, not the ink, so every name gets the same type size for the
        // same length whether or not it has descenders.
        let box_height = REFERENCE_PX * (LINE_HEIGHT * (lines.len() as f32 - 1.0) + 1.0);
        let scale = (max_font_px / REFERENCE_PX)
            .min(area.width / ink.width())
            .min(area.height / box_height.max(ink.height()));
        let centre_x = area.x + area.width / 2.0;
        let centre_y = area.y + area.height / 2.0;
        let ink_centre_x = ink.x() + ink.width() / 2.0;
        let ink_centre_y = ink.y() + ink.height() / 2.0;
        let transform = Transform::from_row(
            scale,
            0.0,
            0.0,
            scale,
            centre_x - ink_centre_x * scale,
            centre_y - ink_centre_y * scale,
        );
        Some((tree, scale * REFERENCE_PX, transform))
    }
}

/// The most font data kept in memory; past it, fonts are read from disk on each use.
const FONT_MEMORY_BUDGET: u64 = 64 * 1024 * 1024;

/// Rebuilds the database with font files read into memory, preferred family first. fontdb
/// maps a file-backed font anew for every text run, which made rendering mostly page faults.
fn in_memory(found: &fontdb::Database) -> fontdb::Database {
    let mut files: Vec<(bool, PathBuf)> = found
        .faces()
        .filter_map(|face| match &face.source {
            fontdb::Source::File(path) => {
                let preferred = face
                    .families
                    .iter()
                    .any(|(name, _)| name == PREFERRED_FAMILY);
                Some((!preferred, path.clone()))
            }
            _ => None,
        })
        .collect();
    files.sort();
    files.dedup_by(|a, b| a.1 == b.1);
    let mut fonts = fontdb::Database::new();
    let mut budget = FONT_MEMORY_BUDGET;
    for (_, path) in files {
        let size = std::fs::metadata(&path).map_or(u64::MAX, |m| m.len());
        let loaded = if size <= budget {
            budget -= size;
            std::fs::read(&path).map(|data| fonts.load_font_data(data))
        } else {
            fonts.load_font_file(&path)
        };
        if let Err(error) = loaded {
            tracing::warn!(path = %path.display(), %error, "cannot load font");
        }
    }
    fonts
}

fn has_family(fonts: &fontdb::Database, family: &str) -> bool {
    fonts
        .faces()
        .any(|face| face.families.iter().any(|(name, _)| name == family))
}

fn canvas(width: u32, height: u32) -> Pixmap {
    Pixmap::new(width, height).expect("signage sizes are non-zero constants")
}

fn fill_rect(pixmap: &mut Pixmap, area: Area, colour: [u8; 3]) {
    let Some(rect) = tiny_skia::Rect::from_xywh(area.x, area.y, area.width, area.height) else {
        return;
    };
    let mut paint = Paint::default();
    paint.set_color_rgba8(colour[0], colour[1], colour[2], 255);
    pixmap.fill_rect(rect, &paint, Transform::identity(), None);
}

/// Draws the logo's whole canvas (its view box) scaled to fit `area`, centred.
fn draw_logo(pixmap: &mut Pixmap, logo: &Logo, area: Area) {
    let size = logo.0.size();
    let scale = (area.width / size.width()).min(area.height / size.height());
    let transform = Transform::from_row(
        scale,
        0.0,
        0.0,
        scale,
        area.x + (area.width - size.width() * scale) / 2.0,
        area.y + (area.height - size.height() * scale) / 2.0,
    );
    resvg::render(&logo.0, transform, &mut pixmap.as_mut());
}

/// Encodes to PNG with fast compression: signage is encoded hundreds of times per import,
/// and the default level costs several times the render itself for ~20% smaller files.
fn encode(pixmap: &Pixmap) -> Result<Vec<u8>, RenderError> {
    let png_error = |error: png::EncodingError| RenderError::Png(error.to_string());
    // Opaque and fully transparent pixels (nearly all of a sign) are the same premultiplied
    // or not: only the edges need dividing by alpha.
    let mut straight_alpha = pixmap.data().to_vec();
    for (pixel, premultiplied) in straight_alpha.chunks_exact_mut(4).zip(pixmap.pixels()) {
        if pixel[3] != u8::MAX && pixel[3] != 0 {
            let colour = premultiplied.demultiply();
            pixel.copy_from_slice(&[colour.red(), colour.green(), colour.blue(), colour.alpha()]);
        }
    }
    let mut output = Vec::new();
    let mut encoder = png::Encoder::new(&mut output, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer
        .write_image_data(&straight_alpha)
        .map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(output)
}

/// Splits text at the space nearest its middle.
fn split_in_two(text: &str) -> Option<(&str, &str)> {
    let middle = text.len() / 2;
    let split = text
        .match_indices(' ')
        .map(|(i, _)| i)
        .min_by_key(|i| i.abs_diff(middle))?;
    Some((&text[..split], &text[split + 1..]))
}

/// White or near-black, whichever contrasts more with the background (WCAG luminance).
pub fn contrasting_text(background: [u8; 3]) -> [u8; 3] {
    let background = relative_luminance(background);
    let with_white = 1.05 / (background + 0.05);
    let with_dark = (background + 0.05) / (relative_luminance(DARK_TEXT) + 0.05);
    if with_white >= with_dark {
        WHITE
    } else {
        DARK_TEXT
    }
}

fn relative_luminance(colour: [u8; 3]) -> f32 {
    let linear = |channel: u8| {
        let c = f32::from(channel) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(colour[0]) + 0.7152 * linear(colour[1]) + 0.0722 * linear(colour[2])
}

fn hex_colour(colour: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", colour[0], colour[1], colour[2])
}

/// Escapes text for an SVG text node or attribute.
pub fn escape_xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renderer() -> Renderer {
        Renderer::with_system_fonts()
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_xml(r#"A & B <C> "d" 'e'"#),
            "A &amp; B &lt;C&gt; &quot;d&quot; &apos;e&apos;"
        );
    }

    #[test]
    fn text_contrasts_with_its_background() {
        assert_eq!(contrasting_text([0x1f, 0x6f, 0x8b]), WHITE);
        assert_eq!(contrasting_text([0xf4, 0xb9, 0x42]), DARK_TEXT);
        assert_eq!(contrasting_text([0xff, 0xff, 0xff]), DARK_TEXT);
        assert_eq!(contrasting_text([0, 0, 0]), WHITE);
    }

    #[test]
    fn long_text_splits_near_the_middle() {
        assert_eq!(
            split_in_two("one two three four"),
            Some(("one two", "three four"))
        );
        assert_eq!(split_in_two("single"), None);
    }

    #[test]
    fn signage_has_the_promised_sizes_and_is_png() {
        let renderer = renderer();
        let logo = renderer
            .parse_logo(br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 160"><rect x="10" y="10" width="100" height="100" fill="#123456"/></svg>"##, &CheckLimits::default())
            .unwrap();
        let cases = [
            (renderer.logo_png(&logo).unwrap(), LOGO_SIZE),
            (
                renderer
                    .fascia_png(&logo, "A tagline & more <b>", Colour([0x1f, 0x6f, 0x8b]))
                    .unwrap(),
                FASCIA_SIZE,
            ),
            (
                renderer
                    .name_plate_png("Kestrel Ward", Colour([0xf4, 0xb9, 0x42]))
                    .unwrap(),
                NAME_PLATE_SIZE,
            ),
            (
                renderer
                    .sign_png("Network Security", SignKind::Zone)
                    .unwrap(),
                SIGN_SIZE,
            ),
            (
                renderer
                    .screen_png(&ScreenText {
                        heading: "Convention Centre, Forum Room A".into(),
                        first: ScreenBlock {
                            label: "Now".into(),
                            title: "Zero trust in practice: what the audits found".into(),
                            detail: "Li Wei, Anna Novak · 10:00–10:45".into(),
                        },
                        second: ScreenBlock::default(),
                    })
                    .unwrap(),
                SCREEN_SIZE,
            ),
        ];
        for (png, (width, height)) in cases {
            let pixmap = Pixmap::decode_png(&png).unwrap();
            assert_eq!((pixmap.width(), pixmap.height()), (width, height));
        }
    }

    #[test]
    fn text_leaves_ink_on_the_board() {
        let renderer = renderer();
        if renderer.fonts.is_empty() {
            return;
        }
        let png = renderer.sign_png("Cryptography", SignKind::Zone).unwrap();
        let pixmap = Pixmap::decode_png(&png).unwrap();
        let white = pixmap
            .pixels()
            .iter()
            .filter(|p| p.red() > 200 && p.green() > 200 && p.blue() > 200)
            .count();
        assert!(
            white > 2000,
            "only {white} white pixels: the text is missing"
        );
    }

    #[test]
    fn hostile_svg_is_refused_or_defanged() {
        let renderer = renderer();
        let huge = vec![b' '; MAX_LOGO_BYTES + 1];
        assert!(matches!(
            renderer.parse_logo(&huge, &CheckLimits::default()),
            Err(RenderError::TooLarge { .. })
        ));
        assert!(matches!(
            renderer.parse_logo(&[0x1f, 0x8b, 8, 0], &CheckLimits::default()),
            Err(RenderError::Compressed)
        ));
        assert!(
            renderer
                .parse_logo(b"<html>", &CheckLimits::default())
                .is_err()
        );
        let local_file = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><image href="/etc/hosts" width="10" height="10"/></svg>"#;
        let refused = renderer.parse_logo(local_file, &CheckLimits::default());
        assert!(
            matches!(&refused, Err(RenderError::Check(e)) if e.code() == "svg_external_reference"),
            "{:?}",
            refused.err()
        );
        let only_image = br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="10" height="10"/></svg>"#;
        assert!(matches!(
            renderer.parse_logo(only_image, &CheckLimits::default()),
            Err(RenderError::NothingVisible) | Err(RenderError::Check(_))
        ));
        let bomb = use_bomb(12);
        let started = std::time::Instant::now();
        let refused = renderer.parse_logo(&bomb, &CheckLimits::default());
        assert!(
            matches!(&refused, Err(RenderError::Check(e)) if e.code() == "svg_too_many_elements"),
            "{:?}",
            refused.err()
        );
        assert!(
            started.elapsed().as_secs() < 2,
            "refused before resvg expands it"
        );
    }

    /// `levels` groups, each using the one below ten times: 10^levels rectangles once expanded.
    fn use_bomb(levels: usize) -> Vec<u8> {
        let mut svg = String::from(
            r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><defs><g id="l0"><rect width="1" height="1"/></g>"##,
        );
        for level in 1..=levels {
            svg.push_str(&format!(r#"<g id="l{level}">"#));
            for _ in 0..10 {
                svg.push_str(&format!(r##"<use xlink:href="#l{}"/>"##, level - 1));
            }
            svg.push_str("</g>");
        }
        svg.push_str(&format!(r##"</defs><use xlink:href="#l{levels}"/></svg>"##));
        svg.into_bytes()
    }
}
