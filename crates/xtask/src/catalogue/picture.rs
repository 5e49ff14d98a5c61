//! The product pictures: a backdrop in the brand's colours with one of the four
//! [`illustrations`](super::illustrations) drawn on it, 960 by 540 pixels, as PNG.

use anyhow::Result;

use super::colour::{BLACK, WHITE, mix};
use super::company::Company;
use super::illustrations::{draw_appliance, draw_dashboard, draw_network, draw_phone};
use super::raster::Canvas;
use super::seed::Rng;

const IMAGE_WIDTH: usize = 960;
const IMAGE_HEIGHT: usize = 540;

/// The palette of one company's pictures.
pub(super) struct Palette {
    pub(super) brand: [u8; 3],
    pub(super) light: [u8; 3],
    pub(super) dark: [u8; 3],
    pub(super) accent: [u8; 3],
}

impl Palette {
    fn of(colour: [u8; 3]) -> Palette {
        Palette {
            brand: colour,
            light: mix(colour, WHITE, 0.7),
            dark: mix(colour, BLACK, 0.72),
            // The channels turned round: a related but distinct second colour.
            accent: mix([colour[2], colour[0], colour[1]], WHITE, 0.35),
        }
    }
}

/// One product picture: a backdrop in the brand's colours and one of four illustrations.
pub(super) fn product_image(company: &Company, index: usize) -> Result<Vec<u8>> {
    let mut rng = Rng(company.seed ^ (index as u64 + 1).wrapping_mul(0x9e37_79b9));
    let p = Palette::of(company.colour);
    let mut c = Canvas::new(IMAGE_WIDTH, IMAGE_HEIGHT);
    c.vertical_gradient(mix(p.dark, p.brand, 0.25), mix(p.dark, BLACK, 0.45));
    // Soft glows and a floor line give the scene depth.
    c.circle(
        rng.range(200.0, 760.0),
        rng.range(120.0, 300.0),
        300.0,
        p.brand,
        0.12,
    );
    c.circle(rng.range(100.0, 860.0), 420.0, 220.0, p.accent, 0.06);
    c.round_rect(0.0, 430.0, 960.0, 110.0, 0.0, BLACK, 0.18);
    match (company.seed as usize + index) % 4 {
        0 => draw_appliance(&mut c, &p, &mut rng),
        1 => draw_dashboard(&mut c, &p, &mut rng),
        2 => draw_network(&mut c, &p, &mut rng),
        _ => draw_phone(&mut c, &p, &mut rng),
    }
    // A brand stripe along the bottom, like a booth's own fascia.
    c.round_rect(0.0, 528.0, 960.0, 12.0, 0.0, p.brand, 1.0);
    c.encode_png()
}
