//! Booth art atlas pages: the fascias, name plates and logos of up to a page's worth of
//! neighbouring booths, scaled into the slots `pavilion_model::atlas` lays out, each picture
//! framed by a gutter repeating its edge pixels, encoded as one RGBA PNG and stored like any
//! other media. Pages are made one at a time (one 16 MiB canvas in memory), off the runtime;
//! a page whose inputs (the sources' hashes, the slots) were made before by this process is
//! taken from [`AtlasCache`] without decoding anything.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Mutex;

use pavilion_model::atlas::{BoothSlots, GUTTER, PAGE_SIZE, PixelRect};
use sha2::{Digest as _, Sha256};

use super::store::{MediaStore, StoredMedia};
use crate::error::Error;

/// Bumped whenever the way pages are drawn changes, so no cached page outlives it.
const ATLAS_VERSION: u32 = 1;
/// Pages remembered by their inputs; far more than a hall of a thousand booths needs.
const CACHE_CAPACITY: usize = 1024;

/// The SHA-256 of one booth's source PNGs, each stored as `<sha256>.png`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BoothSources {
    pub fascia: String,
    pub name_plate: String,
    pub logo: String,
}

/// One page to make: the booths' sources and their slots, in the same order.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub booths: Vec<(BoothSources, BoothSlots)>,
}

impl PageRequest {
    /// What the page is made from, as one digest: equal inputs make equal pages.
    fn key(&self) -> [u8; 32] {
        let mut digest = Sha256::new();
        digest.update(format!("atlas {ATLAS_VERSION} {PAGE_SIZE} {GUTTER}\n"));
        for (sources, slots) in &self.booths {
            for (sha256, rect) in [
                (&sources.fascia, slots.fascia),
                (&sources.name_plate, slots.name_plate),
                (&sources.logo, slots.logo),
            ] {
                digest.update(format!(
                    "{sha256} {} {} {} {}\n",
                    rect.x, rect.y, rect.width, rect.height
                ));
            }
        }
        digest.finalize().into()
    }
}

/// Pages made by this process, by the digest of their inputs.
#[derive(Debug, Default)]
pub struct AtlasCache {
    pages: Mutex<HashMap<[u8; 32], StoredMedia>>,
}

impl AtlasCache {
    fn get(&self, key: &[u8; 32]) -> Option<StoredMedia> {
        self.pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    fn insert(&self, key: [u8; 32], page: StoredMedia) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= CACHE_CAPACITY {
            pages.clear();
        }
        pages.insert(key, page);
    }
}

/// Makes (or finds) each page and returns the stored PNGs in the order asked. Blocking: call
/// it off the runtime.
pub fn make_pages(
    media: &MediaStore,
    cache: &AtlasCache,
    requests: &[PageRequest],
) -> Result<Vec<StoredMedia>, Error> {
    let mut made = Vec::with_capacity(requests.len());
    for request in requests {
        let key = request.key();
        if let Some(page) = cache.get(&key)
            && media.contains(&page.sha256, page.extension)?
        {
            made.push(page);
            continue;
        }
        let png = render_page(media, request)?;
        let page = media.put(&png, "png")?;
        cache.insert(key, page.clone());
        made.push(page);
    }
    Ok(made)
}

/// Draws one page and encodes it.
fn render_page(media: &MediaStore, request: &PageRequest) -> Result<Vec<u8>, Error> {
    let mut page = Canvas::new(PAGE_SIZE, PAGE_SIZE);
    for (sources, slots) in &request.booths {
        for (sha256, rect) in [
            (&sources.fascia, slots.fascia),
            (&sources.name_plate, slots.name_plate),
            (&sources.logo, slots.logo),
        ] {
            let bytes = media.read(sha256, "png")?;
            let source = decode(&bytes).map_err(|source| Error::Render {
                what: format!("the atlas source {sha256}.png"),
                source: source.into(),
            })?;
            let scaled = source.scaled(rect.width, rect.height);
            page.paste_with_gutter(&scaled, rect);
        }
    }
    page.encode().map_err(|source| Error::Render {
        what: "an atlas page".into(),
        source: source.into(),
    })
}

/// Straight-alpha RGBA pixels, row by row from the top.
#[derive(Debug, Clone, PartialEq)]
pub struct Canvas {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Canvas {
    /// A transparent canvas.
    pub fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            rgba: vec![0; width as usize * height as usize * 4],
        }
    }

    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let at = (y as usize * self.width as usize + x as usize) * 4;
        [
            self.rgba[at],
            self.rgba[at + 1],
            self.rgba[at + 2],
            self.rgba[at + 3],
        ]
    }

    fn set(&mut self, x: u32, y: u32, pixel: [u8; 4]) {
        let at = (y as usize * self.width as usize + x as usize) * 4;
        self.rgba[at..at + 4].copy_from_slice(&pixel);
    }

    /// The picture resized to `width` x `height` by averaging the source pixels each target
    /// pixel covers, weighted by alpha so transparent pixels lend no colour to the edges.
    pub fn scaled(&self, width: u32, height: u32) -> Canvas {
        if (width, height) == (self.width, self.height) {
            return self.clone();
        }
        let mut out = Canvas::new(width, height);
        let span = |i: u32, to: u32, from: u32| {
            let start = (u64::from(i) * u64::from(from) / u64::from(to)) as u32;
            let end = ((u64::from(i) + 1) * u64::from(from) / u64::from(to)) as u32;
            (start.min(from - 1), end.max(start + 1).min(from))
        };
        for y in 0..height {
            let (y0, y1) = span(y, height, self.height);
            for x in 0..width {
                let (x0, x1) = span(x, width, self.width);
                let mut sum = [0u64; 4];
                let mut count = 0u64;
                for sy in y0..y1 {
                    for sx in x0..x1 {
                        let [r, g, b, a] = self.pixel(sx, sy);
                        let a64 = u64::from(a);
                        sum[0] += u64::from(r) * a64;
                        sum[1] += u64::from(g) * a64;
                        sum[2] += u64::from(b) * a64;
                        sum[3] += a64;
                        count += 1;
                    }
                }
                let pixel = if sum[3] == 0 {
                    [0, 0, 0, 0]
                } else {
                    let colour = |c: u64| ((c + sum[3] / 2) / sum[3]) as u8;
                    [
                        colour(sum[0]),
                        colour(sum[1]),
                        colour(sum[2]),
                        ((sum[3] + count / 2) / count) as u8,
                    ]
                };
                out.set(x, y, pixel);
            }
        }
        out
    }

    /// Copies `picture` (exactly `rect`'s size) into `rect` and fills the gutter around it
    /// with the nearest edge pixel.
    pub fn paste_with_gutter(&mut self, picture: &Canvas, rect: PixelRect) {
        let outer = rect.with_gutter();
        for y in outer.y..outer.y + outer.height {
            let sy = y.clamp(rect.y, rect.y + rect.height - 1) - rect.y;
            for x in outer.x..outer.x + outer.width {
                let sx = x.clamp(rect.x, rect.x + rect.width - 1) - rect.x;
                self.set(x, y, picture.pixel(sx, sy));
            }
        }
    }

    /// Encodes as an RGBA PNG, fast compression (like the signage), deterministically.
    pub fn encode(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut output = Vec::new();
        let mut encoder = png::Encoder::new(&mut output, self.width, self.height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.rgba)?;
        writer.finish()?;
        Ok(output)
    }
}

/// Decodes a PNG of any 8- or 16-bit colour type into RGBA.
pub fn decode(bytes: &[u8]) -> Result<Canvas, png::DecodingError> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer)?;
    let (width, height) = (info.width, info.height);
    let pixels = width as usize * height as usize;
    let rgba = match info.color_type {
        png::ColorType::Rgba => {
            buffer.truncate(pixels * 4);
            buffer
        }
        png::ColorType::Rgb => buffer[..pixels * 3]
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => buffer[..pixels * 2]
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        // Grayscale; indexed images are expanded to RGB(A) by the transformation.
        _ => buffer[..pixels]
            .iter()
            .flat_map(|&g| [g, g, g, 255])
            .collect(),
    };
    Ok(Canvas {
        width,
        height,
        rgba,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(width: u32, height: u32, pixel: [u8; 4]) -> Canvas {
        let mut canvas = Canvas::new(width, height);
        for y in 0..height {
            for x in 0..width {
                canvas.set(x, y, pixel);
            }
        }
        canvas
    }

    #[test]
    fn halving_averages_and_transparent_pixels_lend_no_colour() {
        let mut source = filled(4, 2, [200, 100, 50, 255]);
        // The right half: one opaque blue pixel among transparent black ones.
        for y in 0..2 {
            for x in 2..4 {
                source.set(x, y, [0, 0, 0, 0]);
            }
        }
        source.set(3, 1, [0, 0, 255, 255]);
        let half = source.scaled(2, 1);
        assert_eq!(half.pixel(0, 0), [200, 100, 50, 255]);
        assert_eq!(half.pixel(1, 0), [0, 0, 255, 64]);
    }

    #[test]
    fn the_gutter_repeats_the_edge_pixels() {
        let mut picture = filled(3, 2, [10, 20, 30, 255]);
        picture.set(0, 0, [1, 2, 3, 255]);
        picture.set(2, 1, [7, 8, 9, 255]);
        let mut page = Canvas::new(16, 16);
        let rect = PixelRect {
            x: 4,
            y: 5,
            width: 3,
            height: 2,
        };
        page.paste_with_gutter(&picture, rect);
        assert_eq!(page.pixel(4, 5), [1, 2, 3, 255]);
        // Above and left of the top-left corner: the corner pixel.
        assert_eq!(page.pixel(4 - GUTTER, 5 - GUTTER), [1, 2, 3, 255]);
        // Below and right of the bottom-right corner.
        assert_eq!(page.pixel(6 + GUTTER, 6 + GUTTER), [7, 8, 9, 255]);
        // Outside the gutter nothing is drawn.
        assert_eq!(page.pixel(6 + GUTTER + 1, 6), [0, 0, 0, 0]);
        assert_eq!(page.pixel(4, 5 - GUTTER - 1), [0, 0, 0, 0]);
    }

    #[test]
    fn pages_round_trip_through_png_identically() {
        let mut canvas = filled(5, 3, [9, 8, 7, 128]);
        canvas.set(4, 2, [255, 0, 0, 255]);
        let png = canvas.encode().expect("encodes");
        assert_eq!(decode(&png).expect("decodes"), canvas);
        assert_eq!(canvas.encode().expect("encodes"), png, "deterministic");
    }
}
