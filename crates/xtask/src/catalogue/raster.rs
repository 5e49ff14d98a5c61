//! The rasteriser of the product pictures: an RGB canvas, anti-aliased shapes drawn from
//! signed distances, and the PNG encoding (best compression, so the files stay small).

use anyhow::Result;

use super::colour::mix;

/// An RGB canvas with anti-aliased shapes drawn from signed distances.
pub(super) struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Canvas {
    pub(super) fn new(width: usize, height: usize) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![0; width * height * 3],
        }
    }

    pub(super) fn vertical_gradient(&mut self, top: [u8; 3], bottom: [u8; 3]) {
        for y in 0..self.height {
            let colour = mix(top, bottom, y as f32 / (self.height - 1) as f32);
            for x in 0..self.width {
                self.pixels[(y * self.width + x) * 3..][..3].copy_from_slice(&colour);
            }
        }
    }

    /// Blends `colour` into every pixel of the box by the coverage `distance` gives: the
    /// signed distance in pixels from the pixel centre to the shape's edge (negative inside).
    fn fill(
        &mut self,
        bounds: [f32; 4],
        colour: [u8; 3],
        alpha: f32,
        distance: impl Fn(f32, f32) -> f32,
    ) {
        let x0 = (bounds[0].floor().max(0.0)) as usize;
        let y0 = (bounds[1].floor().max(0.0)) as usize;
        let x1 = (bounds[2].ceil().max(0.0) as usize).min(self.width);
        let y1 = (bounds[3].ceil().max(0.0) as usize).min(self.height);
        for y in y0..y1 {
            for x in x0..x1 {
                let coverage =
                    (0.5 - distance(x as f32 + 0.5, y as f32 + 0.5)).clamp(0.0, 1.0) * alpha;
                if coverage <= 0.0 {
                    continue;
                }
                let pixel = &mut self.pixels[(y * self.width + x) * 3..][..3];
                for (channel, target) in pixel.iter_mut().zip(colour) {
                    *channel = (f32::from(*channel)
                        + (f32::from(target) - f32::from(*channel)) * coverage)
                        .round() as u8;
                }
            }
        }
    }

    pub(super) fn round_rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        radius: f32,
        colour: [u8; 3],
        alpha: f32,
    ) {
        let (cx, cy, hx, hy) = (x + w / 2.0, y + h / 2.0, w / 2.0, h / 2.0);
        let r = radius.min(hx).min(hy);
        self.fill(
            [x - 1.0, y - 1.0, x + w + 1.0, y + h + 1.0],
            colour,
            alpha,
            |px, py| {
                let qx = (px - cx).abs() - hx + r;
                let qy = (py - cy).abs() - hy + r;
                let outside = (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt();
                outside + qx.max(qy).min(0.0) - r
            },
        );
    }

    pub(super) fn circle(&mut self, cx: f32, cy: f32, r: f32, colour: [u8; 3], alpha: f32) {
        self.fill(
            [cx - r - 1.0, cy - r - 1.0, cx + r + 1.0, cy + r + 1.0],
            colour,
            alpha,
            |px, py| ((px - cx).powi(2) + (py - cy).powi(2)).sqrt() - r,
        );
    }

    pub(super) fn ring(
        &mut self,
        cx: f32,
        cy: f32,
        r: f32,
        thickness: f32,
        colour: [u8; 3],
        alpha: f32,
    ) {
        let reach = r + thickness;
        self.fill(
            [
                cx - reach - 1.0,
                cy - reach - 1.0,
                cx + reach + 1.0,
                cy + reach + 1.0,
            ],
            colour,
            alpha,
            |px, py| (((px - cx).powi(2) + (py - cy).powi(2)).sqrt() - r).abs() - thickness / 2.0,
        );
    }

    pub(super) fn line(
        &mut self,
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        colour: [u8; 3],
        alpha: f32,
    ) {
        let (ax, ay) = from;
        let (dx, dy) = (to.0 - ax, to.1 - ay);
        let length2 = (dx * dx + dy * dy).max(1e-6);
        let pad = width + 1.0;
        let bounds = [
            ax.min(to.0) - pad,
            ay.min(to.1) - pad,
            ax.max(to.0) + pad,
            ay.max(to.1) + pad,
        ];
        self.fill(bounds, colour, alpha, |px, py| {
            let t = (((px - ax) * dx + (py - ay) * dy) / length2).clamp(0.0, 1.0);
            ((px - ax - dx * t).powi(2) + (py - ay - dy * t).powi(2)).sqrt() - width / 2.0
        });
    }

    pub(super) fn encode_png(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels)?;
        writer.finish()?;
        Ok(out)
    }
}
