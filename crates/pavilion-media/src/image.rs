//! PNG and JPEG images: the header is read and checked against [`ImageLimits`] before any
//! pixel memory is allocated, the pixels are decoded, and a fresh PNG is encoded from them,
//! so nothing but pixels survives (no trailing data, no metadata chunks, no polyglot payload).

use std::io::Cursor;

use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use crate::limits::{CheckLimits, Meter};
use crate::{FileFormat, JPEG_SIGNATURE, MediaError, PNG_SIGNATURE, sniff};

/// How big an image may be, in bytes and in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    pub max_bytes: u64,
    pub max_width: u32,
    pub max_height: u32,
    /// Width times height.
    pub max_pixels: u64,
}

impl ImageLimits {
    /// The limits for booth images: 8 MiB, at most 4096 x 4096 and 16 million pixels.
    pub const BOOTH: ImageLimits = ImageLimits {
        max_bytes: 8 * 1024 * 1024,
        max_width: 4096,
        max_height: 4096,
        max_pixels: 16 * 1024 * 1024,
    };
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits::BOOTH
    }
}

/// A decoded image that passed the checks, re-encoded as PNG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedImage {
    pub width: u32,
    pub height: u32,
    /// What the file was: [`FileFormat::Png`] or [`FileFormat::Jpeg`].
    pub source: FileFormat,
    /// A PNG encoded here from the decoded pixels; serve this, not the original bytes.
    pub png_bytes: Vec<u8>,
}

const EXPECTED: &str = "a PNG or JPEG image";

/// Checks a PNG or JPEG image and re-encodes it as PNG.
///
/// The byte size is checked first, then the dimensions from the header, and only then are
/// pixels decoded; an image that claims 100000 x 100000 pixels costs nothing to refuse.
pub fn check_image(bytes: &[u8], limits: ImageLimits) -> Result<CheckedImage, MediaError> {
    // The default allowance must not be tighter than the pixel limits the caller chose.
    let check = CheckLimits {
        max_decoded_bytes: CheckLimits::DEFAULT_MAX_DECODED_BYTES
            .max(limits.max_pixels.saturating_mul(4)),
        ..CheckLimits::default()
    };
    check_image_within(bytes, limits, &check)
}

/// Checks a PNG or JPEG image and re-encodes it as PNG, like [`check_image`], under a
/// deadline and a decoded-data allowance: the pixel buffer (4 bytes a pixel at most) is
/// charged to `check` before decoding, and the deadline is looked at between the stages.
pub fn check_image_within(
    bytes: &[u8],
    limits: ImageLimits,
    check: &CheckLimits,
) -> Result<CheckedImage, MediaError> {
    let mut meter = Meter::new(check);
    meter.check_clock()?;
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    let kind = sniff(bytes);
    if bytes.len() as u64 > limits.max_bytes {
        return Err(MediaError::TooLarge {
            expected: EXPECTED,
            size: bytes.len() as u64,
            limit: limits.max_bytes,
        });
    }
    let (width, height, rgb) = match kind {
        Some(FileFormat::Png) => decode_png(bytes, &limits, &mut meter)?,
        Some(FileFormat::Jpeg) => decode_jpeg(bytes, &limits, &mut meter)?,
        found => {
            return Err(MediaError::WrongKind {
                expected: EXPECTED,
                found,
            });
        }
    };
    meter.check_clock()?;
    let png_bytes = encode_png(width, height, &rgb)?;
    meter.check_clock()?;
    Ok(CheckedImage {
        width,
        height,
        source: kind.unwrap_or(FileFormat::Png),
        png_bytes,
    })
}

/// Pixels ready for encoding: 8-bit samples of one of the PNG colour types.
struct Pixels {
    colour: png::ColorType,
    data: Vec<u8>,
}

fn check_dimensions(width: u64, height: u64, limits: &ImageLimits) -> Result<(), MediaError> {
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt {
            kind: FileFormat::Png,
            detail: format!("it says it is {width} x {height} pixels"),
        });
    }
    check_sides(width, height, limits)?;
    if width * height > limits.max_pixels {
        return Err(MediaError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    Ok(())
}

/// Refuses an image wider or taller than the limits allow.
pub(crate) fn check_sides(width: u64, height: u64, limits: &ImageLimits) -> Result<(), MediaError> {
    if width > u64::from(limits.max_width) || height > u64::from(limits.max_height) {
        return Err(MediaError::Dimensions {
            width,
            height,
            max_width: limits.max_width,
            max_height: limits.max_height,
        });
    }
    Ok(())
}

/// The width and height in a PNG's IHDR chunk, which must come first.
pub(crate) fn png_header(bytes: &[u8]) -> Result<(u64, u64), MediaError> {
    // Signature (8), chunk length (4), "IHDR" (4), width (4), height (4), five bytes, CRC (4).
    const HEADER_END: usize = 8 + 4 + 4 + 13 + 4;
    if bytes.len() < HEADER_END {
        return Err(MediaError::Truncated {
            kind: FileFormat::Png,
            detail: format!("it ends after {} bytes, inside its header", bytes.len()),
        });
    }
    if &bytes[12..16] != b"IHDR" {
        return Err(MediaError::Corrupt {
            kind: FileFormat::Png,
            detail: "its first chunk is not the IHDR header".into(),
        });
    }
    let word = |at: usize| {
        u64::from(u32::from_be_bytes([
            bytes[at],
            bytes[at + 1],
            bytes[at + 2],
            bytes[at + 3],
        ]))
    };
    Ok((word(16), word(20)))
}

fn decode_png(
    bytes: &[u8],
    limits: &ImageLimits,
    meter: &mut Meter,
) -> Result<(u32, u32, Pixels), MediaError> {
    debug_assert!(bytes.starts_with(PNG_SIGNATURE));
    let (width, height) = png_header(bytes)?;
    check_dimensions(width, height, limits)?;
    meter.charge(width * height * 4)?;

    let corrupt = |error: png::DecodingError| png_error(error);
    // The pixel budget bounds what the decoder may allocate: 4 bytes a pixel plus slack for
    // its line buffers, so a lying header cannot make it reserve more.
    let budget = (width * height * 4 + 1024 * 1024).min(usize::MAX as u64) as usize;
    let mut decoder =
        png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: budget });
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    decoder.set_ignore_text_chunk(true);
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let mut data = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut data).map_err(corrupt)?;
    data.truncate(frame.buffer_size());
    if frame.bit_depth != png::BitDepth::Eight {
        return Err(MediaError::Corrupt {
            kind: FileFormat::Png,
            detail: format!("its samples are {:?} after expansion", frame.bit_depth),
        });
    }
    let colour = match frame.color_type {
        png::ColorType::Indexed => {
            return Err(MediaError::Corrupt {
                kind: FileFormat::Png,
                detail: "its palette could not be expanded".into(),
            });
        }
        other => other,
    };
    Ok((frame.width, frame.height, Pixels { colour, data }))
}

fn png_error(error: png::DecodingError) -> MediaError {
    let detail = error.to_string();
    let truncated = match &error {
        png::DecodingError::IoError(io) => io.kind() == std::io::ErrorKind::UnexpectedEof,
        png::DecodingError::Format(_) => {
            let lower = detail.to_lowercase();
            lower.contains("eof") || lower.contains("unexpected end")
        }
        _ => false,
    };
    if truncated {
        MediaError::Truncated {
            kind: FileFormat::Png,
            detail: "its image data ends early".into(),
        }
    } else {
        MediaError::Corrupt {
            kind: FileFormat::Png,
            detail,
        }
    }
}

fn decode_jpeg(
    bytes: &[u8],
    limits: &ImageLimits,
    meter: &mut Meter,
) -> Result<(u32, u32, Pixels), MediaError> {
    debug_assert!(bytes.starts_with(JPEG_SIGNATURE));
    let options = DecoderOptions::default()
        // JPEG headers hold 16-bit sizes: let the decoder read any, and judge them here.
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX))
        .jpeg_set_out_colorspace(ColorSpace::RGB);
    let (width, height) = jpeg_header(bytes)?;
    check_dimensions(width, height, limits).map_err(|error| match error {
        MediaError::Corrupt { detail, .. } => MediaError::Corrupt {
            kind: FileFormat::Jpeg,
            detail,
        },
        other => other,
    })?;
    meter.charge(width * height * 3)?;
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder
        .decode_headers()
        .map_err(|e| jpeg_error(&e.to_string()))?;
    let info = decoder
        .info()
        .ok_or_else(|| jpeg_error("it has no frame header"))?;
    if (u64::from(info.width), u64::from(info.height)) != (width, height) {
        return Err(jpeg_error("it has more than one frame size"));
    }
    let data = decoder.decode().map_err(|e| jpeg_error(&e.to_string()))?;
    let expected = (width * height * 3) as usize;
    if data.len() != expected {
        return Err(jpeg_error(&format!(
            "it decoded to {} bytes instead of {expected}",
            data.len()
        )));
    }
    Ok((
        width as u32,
        height as u32,
        Pixels {
            colour: png::ColorType::Rgb,
            data,
        },
    ))
}

/// The width and height in a JPEG's first start-of-frame segment, found by walking the
/// marker segments that precede it.
pub(crate) fn jpeg_header(bytes: &[u8]) -> Result<(u64, u64), MediaError> {
    let cut_short = || MediaError::Truncated {
        kind: FileFormat::Jpeg,
        detail: "it ends before its frame header".into(),
    };
    let mut at = 2;
    loop {
        // Markers are 0xFF followed by a code; extra 0xFF bytes are fill.
        if *bytes.get(at).ok_or_else(cut_short)? != 0xff {
            return Err(jpeg_error("its marker segments are out of step"));
        }
        while bytes.get(at + 1) == Some(&0xff) {
            at += 1;
        }
        let marker = *bytes.get(at + 1).ok_or_else(cut_short)?;
        at += 2;
        if marker == 0x01 || (0xd0..=0xd7).contains(&marker) {
            continue;
        }
        if marker == 0xda || marker == 0xd9 {
            return Err(jpeg_error("it has no frame header before its image data"));
        }
        let length = bytes.get(at..at + 2).ok_or_else(cut_short)?;
        let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
        let is_frame = (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker);
        if is_frame {
            let frame = bytes.get(at..at + 7).ok_or_else(cut_short)?;
            let height = u64::from(u16::from_be_bytes([frame[3], frame[4]]));
            let width = u64::from(u16::from_be_bytes([frame[5], frame[6]]));
            return Ok((width, height));
        }
        if length < 2 {
            return Err(jpeg_error("a marker segment has an impossible length"));
        }
        at += length;
    }
}

fn jpeg_error(detail: &str) -> MediaError {
    let lower = detail.to_lowercase();
    if lower.contains("eof")
        || lower.contains("end of")
        || lower.contains("no more bytes")
        || lower.contains("exhausted")
    {
        MediaError::Truncated {
            kind: FileFormat::Jpeg,
            detail: "its image data ends early".into(),
        }
    } else {
        MediaError::Corrupt {
            kind: FileFormat::Jpeg,
            detail: detail.trim().to_owned(),
        }
    }
}

fn encode_png(width: u32, height: u32, pixels: &Pixels) -> Result<Vec<u8>, MediaError> {
    let encoding = |error: png::EncodingError| MediaError::Corrupt {
        kind: FileFormat::Png,
        detail: format!("its pixels could not be re-encoded: {error}"),
    };
    let mut out = Vec::with_capacity(pixels.data.len() / 4);
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(pixels.colour);
        encoder.set_depth(png::BitDepth::Eight);
        // Fast deflate: a quarter of the time of the default level for about a third more
        // bytes, which keeps a full catalogue import (some 200 pictures) well under 2 s.
        encoder.set_compression(png::Compression::Fast);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = encoder.write_header().map_err(encoding)?;
        writer.write_image_data(&pixels.data).map_err(encoding)?;
        writer.finish().map_err(encoding)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = include_bytes!("../tests/fixtures/gradient-24x16.jpg");

    fn png_of(width: u32, height: u32, colour: png::ColorType, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(colour);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(data).unwrap();
        writer.finish().unwrap();
        out
    }

    fn red_png() -> Vec<u8> {
        png_of(4, 2, png::ColorType::Rgb, &[255, 0, 0].repeat(8))
    }

    /// A PNG whose header claims the given size, with a correct CRC and no pixel data.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut png = red_png();
        png[16..20].copy_from_slice(&width.to_be_bytes());
        png[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        png
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut reader = png::Decoder::new(png_bytes).read_info().unwrap();
        let mut data = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut data).unwrap();
        data.truncate(info.buffer_size());
        (info.width, info.height, data)
    }

    #[test]
    fn a_png_is_decoded_and_re_encoded() {
        let checked = check_image(&red_png(), ImageLimits::BOOTH).unwrap();
        assert_eq!((checked.width, checked.height), (4, 2));
        assert_eq!(checked.source, FileFormat::Png);
        assert_eq!(decode(&checked.png_bytes), (4, 2, [255, 0, 0].repeat(8)));
    }

    #[test]
    fn palettes_and_grey_with_alpha_are_expanded() {
        let grey = png_of(2, 1, png::ColorType::GrayscaleAlpha, &[10, 255, 200, 128]);
        let checked = check_image(&grey, ImageLimits::BOOTH).unwrap();
        assert_eq!(decode(&checked.png_bytes).2, [10, 255, 200, 128]);

        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, 2, 1);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_palette(vec![0, 0, 255, 0, 255, 0]);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[1, 0]).unwrap();
        writer.finish().unwrap();
        let checked = check_image(&out, ImageLimits::BOOTH).unwrap();
        assert_eq!(decode(&checked.png_bytes).2, [0, 255, 0, 0, 0, 255]);
    }

    #[test]
    fn a_jpeg_is_decoded_to_a_png() {
        let checked = check_image(JPEG, ImageLimits::BOOTH).unwrap();
        assert_eq!((checked.width, checked.height), (24, 16));
        assert_eq!(checked.source, FileFormat::Jpeg);
        let (_, _, rgb) = decode(&checked.png_bytes);
        assert_eq!(rgb.len(), 24 * 16 * 3);
        // The fixture's blue channel is 128 everywhere; JPEG keeps it close.
        assert!(
            rgb.chunks(3).all(|p| p[2].abs_diff(128) < 24),
            "{:?}",
            &rgb[..12]
        );
    }

    #[test]
    fn huge_dimensions_are_refused_from_the_header() {
        let error = check_image(&png_claiming(100_000, 100_000), ImageLimits::BOOTH).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the file says it is 100000 x 100000 pixels; the limit is 4096 x 4096"
        );
        let error = check_image(&png_claiming(4096, 4097), ImageLimits::BOOTH).unwrap_err();
        assert_eq!(error.code(), "dimensions");

        let small = ImageLimits {
            max_pixels: 100,
            ..ImageLimits::BOOTH
        };
        let error = check_image(&png_claiming(20, 20), small).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the image is 20 x 20 = 400 pixels; the limit is 100 pixels"
        );

        // A JPEG header claiming 60000 x 60000 pixels: SOI, then SOF0 straight away.
        let mut jpeg = vec![0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08];
        jpeg.extend_from_slice(&60000u16.to_be_bytes());
        jpeg.extend_from_slice(&60000u16.to_be_bytes());
        jpeg.extend_from_slice(&[3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
        jpeg.extend_from_slice(&[0xff, 0xd9]);
        let error = check_image(&jpeg, ImageLimits::BOOTH).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the file says it is 60000 x 60000 pixels; the limit is 4096 x 4096"
        );
    }

    #[test]
    fn zero_sizes_are_corrupt() {
        assert_eq!(
            check_image(&png_claiming(0, 10), ImageLimits::BOOTH)
                .unwrap_err()
                .code(),
            "corrupt"
        );
    }

    #[test]
    fn truncated_images_are_refused() {
        let png = red_png();
        let error = check_image(&png[..20], ImageLimits::BOOTH).unwrap_err();
        assert_eq!(error.code(), "truncated", "{error}");
        assert!(
            error.to_string().starts_with("a PNG image is cut short"),
            "{error}"
        );
        let error = check_image(&png[..png.len() - 20], ImageLimits::BOOTH).unwrap_err();
        assert!(matches!(error.code(), "truncated" | "corrupt"), "{error}");
        let error = check_image(&JPEG[..JPEG.len() / 2], ImageLimits::BOOTH);
        // A JPEG cut in the scan may still decode (the decoder fills in grey); it must not
        // panic, and a cut in the headers is refused.
        drop(error);
        let error = check_image(&JPEG[..40], ImageLimits::BOOTH).unwrap_err();
        assert!(matches!(error.code(), "truncated" | "corrupt"), "{error}");
    }

    #[test]
    fn wrong_magic_is_refused() {
        let error = check_image(b"%PDF-1.4 not an image", ImageLimits::BOOTH).unwrap_err();
        assert_eq!(
            error.to_string(),
            "expected a PNG or JPEG image, but the file is a PDF document"
        );
        let error = check_image(b"GIF89a....", ImageLimits::BOOTH).unwrap_err();
        assert_eq!(
            error.to_string(),
            "expected a PNG or JPEG image, but the file is of a format Pavilion does not accept"
        );
        let error = check_image(
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            ImageLimits::BOOTH,
        )
        .unwrap_err();
        assert_eq!(error.code(), "wrong_kind");
        assert_eq!(
            check_image(b"", ImageLimits::BOOTH).unwrap_err(),
            MediaError::Empty
        );
    }

    #[test]
    fn a_polyglot_loses_everything_but_its_pixels() {
        // A PNG followed by a PDF and an HTML script: valid as a PNG, dangerous as the others.
        let mut polyglot = red_png();
        polyglot.extend_from_slice(b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n<script>alert(1)</script>");
        let checked = check_image(&polyglot, ImageLimits::BOOTH).unwrap();
        for payload in [&b"%PDF"[..], b"<script", b"JavaScript"] {
            assert!(
                !checked
                    .png_bytes
                    .windows(payload.len())
                    .any(|w| w == payload),
                "{} survived",
                String::from_utf8_lossy(payload)
            );
        }
        assert_eq!(decode(&checked.png_bytes).2, [255, 0, 0].repeat(8));
    }

    #[test]
    fn oversized_files_are_refused_before_decoding() {
        let limits = ImageLimits {
            max_bytes: 10,
            ..ImageLimits::BOOTH
        };
        let error = check_image(&red_png(), limits).unwrap_err();
        assert!(error.to_string().starts_with("the file is "), "{error}");
        assert!(
            error
                .to_string()
                .ends_with("a PNG or JPEG image may be at most 10 bytes"),
            "{error}"
        );
    }
}
