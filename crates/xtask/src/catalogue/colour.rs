//! Colours in 8-bit sRGB shared by the pictures and the brochures: the fixed ones and a blend.

/// Blends `a` towards `b` by `t` (0 is `a`, 1 is `b`), channel by channel.
pub(super) fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    [0, 1, 2].map(|i| (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * t).round() as u8)
}

pub(super) const WHITE: [u8; 3] = [255, 255, 255];
pub(super) const BLACK: [u8; 3] = [0, 0, 0];
/// The near-black of text and screens.
pub(super) const INK: [u8; 3] = [18, 24, 33];
