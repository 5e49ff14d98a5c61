//! The media checks Pavilion applies to every file it will serve: the catalogue import, the
//! catalogue tests and the exhibitor upload API all call these, so a file is judged the same
//! way wherever it comes from.
//!
//! - [`sniff`] names a file's format from its magic bytes only (never from a name or a
//!   declared content type).
//! - [`check_image`] decodes a PNG or JPEG within [`ImageLimits`], reading the header before
//!   allocating anything, and re-encodes the pixels as a fresh PNG: what is served is what was
//!   decoded, never the uploaded bytes.
//! - [`check_pdf`] accepts a plain PDF brochure and refuses active content.
//! - [`check_glb`] accepts a self-contained binary glTF model within a [`ModelBudget`].
//! - [`check_svg`] accepts a self-contained, script-free SVG logo that draws a bounded number
//!   of elements once its references are expanded.
//!
//! Every check runs in time and memory linear in the size of its input. The `*_within`
//! variants also take [`CheckLimits`]: a deadline and an allowance of decoded bytes, checked
//! cooperatively, so a check that runs out stops with [`MediaError::TimeLimit`] or
//! [`MediaError::MemoryLimit`] and frees its thread. The plain functions use
//! [`CheckLimits::default`] (no deadline).
//!
//! [`write_glb`] and [`write_pdf`] frame well-formed files from their parts; the tests here and
//! the catalogue generator (`cargo xtask catalogue`) build their fixtures with them.
//!
//! Every refusal is a [`MediaError`] whose `Display` is a sentence an exhibitor can act on.
//! The crate does no IO, no networking and nothing async: callers pass bytes in.

mod error;
mod glb;
mod image;
mod limits;
mod pdf;
mod svg;

pub use error::MediaError;
pub use glb::{
    GlbSummary, MAX_GLB_BYTES, MAX_GLB_NODES, ModelBudget, check_glb, check_glb_within, write_glb,
};
pub use image::{CheckedImage, ImageLimits, check_image, check_image_within};
pub use limits::CheckLimits;
pub use pdf::{MAX_PDF_BYTES, PdfSummary, check_pdf, check_pdf_within, write_pdf};
pub use svg::{SvgLimits, SvgSummary, check_svg, check_svg_within};

use std::fmt;

/// A file format recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    Png,
    Jpeg,
    Pdf,
    Glb,
    Mp4,
    WebM,
    /// SVG text (possibly after an XML declaration, comments or a doctype).
    Svg,
}

impl FileFormat {
    /// The MIME type the file is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Png => "image/png",
            FileFormat::Jpeg => "image/jpeg",
            FileFormat::Pdf => "application/pdf",
            FileFormat::Glb => "model/gltf-binary",
            FileFormat::Mp4 => "video/mp4",
            FileFormat::WebM => "video/webm",
            FileFormat::Svg => "image/svg+xml",
        }
    }

    /// The usual file extension, without a dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Png => "png",
            FileFormat::Jpeg => "jpg",
            FileFormat::Pdf => "pdf",
            FileFormat::Glb => "glb",
            FileFormat::Mp4 => "mp4",
            FileFormat::WebM => "webm",
            FileFormat::Svg => "svg",
        }
    }

    /// How the kind is named in messages: "a PNG image", "a PDF document".
    pub fn described(self) -> &'static str {
        match self {
            FileFormat::Png => "a PNG image",
            FileFormat::Jpeg => "a JPEG image",
            FileFormat::Pdf => "a PDF document",
            FileFormat::Glb => "a GLB (binary glTF) model",
            FileFormat::Mp4 => "an MP4 video",
            FileFormat::WebM => "a WebM video",
            FileFormat::Svg => "an SVG drawing",
        }
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.described())
    }
}

pub(crate) const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
pub(crate) const JPEG_SIGNATURE: &[u8; 3] = &[0xff, 0xd8, 0xff];
const EBML_SIGNATURE: &[u8; 4] = &[0x1a, 0x45, 0xdf, 0xa3];
/// How far into a text file the `<svg` root element may start.
const SVG_SNIFF_WINDOW: usize = 1024;

/// Names the format of `bytes` from their magic bytes alone; `None` for anything else.
///
/// Only the start of the file is looked at, so a polyglot (a file that is also something else
/// further in) is sniffed as what it starts with; the `check_*` functions then make sure the
/// rest of it cannot be served.
pub fn sniff(bytes: &[u8]) -> Option<FileFormat> {
    if bytes.starts_with(PNG_SIGNATURE) {
        Some(FileFormat::Png)
    } else if bytes.starts_with(JPEG_SIGNATURE) {
        Some(FileFormat::Jpeg)
    } else if bytes.starts_with(b"%PDF-") {
        Some(FileFormat::Pdf)
    } else if bytes.len() >= 12 && bytes.starts_with(b"glTF") && bytes[4..8] == 2u32.to_le_bytes() {
        Some(FileFormat::Glb)
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        Some(FileFormat::Mp4)
    } else if bytes.starts_with(EBML_SIGNATURE) {
        Some(FileFormat::WebM)
    } else if looks_like_svg(bytes) {
        Some(FileFormat::Svg)
    } else {
        None
    }
}

/// True for UTF-8 text whose first element, after an optional BOM, XML declaration, comments
/// and doctype, is `<svg`.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let window = &bytes[..bytes.len().min(SVG_SNIFF_WINDOW)];
    let text = match std::str::from_utf8(window) {
        Ok(text) => text,
        // The window may cut a multi-byte character in half: keep the valid prefix.
        Err(error) => match std::str::from_utf8(&window[..error.valid_up_to()]) {
            Ok(text) => text,
            Err(_) => return false,
        },
    };
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<svg") {
            let after = after.chars().next();
            return after.is_none_or(|c| c.is_whitespace() || c == '>' || c == '/');
        }
        let skipped = [("<?", "?>"), ("<!--", "-->"), ("<!", ">")]
            .into_iter()
            .find(|(open, _)| rest.starts_with(open))
            .and_then(|(open, close)| {
                // A doctype may carry an internal subset in brackets, with `>` inside it.
                let subset = open == "<!"
                    && rest
                        .find('[')
                        .is_some_and(|b| rest.find('>').is_some_and(|g| b < g));
                let close = if subset { "]>" } else { close };
                rest.find(close).map(|end| end + close.len())
            });
        match skipped {
            Some(end) => rest = &rest[end..],
            None => return false,
        }
    }
}

/// Formats a byte count for messages: "812 bytes", "9.5 MiB".
pub(crate) fn human_bytes(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        if bytes.is_multiple_of(MIB) {
            format!("{} MiB", bytes / MIB)
        } else {
            format!("{:.1} MiB", bytes as f64 / MIB as f64)
        }
    } else if bytes >= KIB {
        if bytes.is_multiple_of(KIB) {
            format!("{} KiB", bytes / KIB)
        } else {
            format!("{:.1} KiB", bytes as f64 / KIB as f64)
        }
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_name_the_format() {
        let cases: [(&[u8], Option<FileFormat>); 15] = [
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some(FileFormat::Png)),
            (&[0xff, 0xd8, 0xff, 0xe0, 0, 0x10], Some(FileFormat::Jpeg)),
            (b"%PDF-1.4\n", Some(FileFormat::Pdf)),
            (b"glTF\x02\0\0\0\x10\0\0\0", Some(FileFormat::Glb)),
            (b"glTF\x01\0\0\0\x10\0\0\0", None),
            (b"\0\0\0\x18ftypmp42\0\0\0\0", Some(FileFormat::Mp4)),
            (&[0x1a, 0x45, 0xdf, 0xa3, 0x9f], Some(FileFormat::WebM)),
            (
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
                Some(FileFormat::Svg),
            ),
            (
                b"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- a logo -->\n<!DOCTYPE svg>\n<svg>",
                Some(FileFormat::Svg),
            ),
            (
                b"<!DOCTYPE svg [<!ENTITY a \"b\">\n]>\n<svg>",
                Some(FileFormat::Svg),
            ),
            (b"<svgfoo>", None),
            (b"<html><svg>", None),
            (b"PK\x03\x04", None),
            (b"", None),
            (b"%PD", None),
        ];
        for (bytes, kind) in cases {
            assert_eq!(sniff(bytes), kind, "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn kinds_know_their_types() {
        assert_eq!(FileFormat::Glb.content_type(), "model/gltf-binary");
        assert_eq!(FileFormat::Pdf.extension(), "pdf");
        assert_eq!(FileFormat::Jpeg.to_string(), "a JPEG image");
    }

    #[test]
    fn byte_counts_read_well() {
        assert_eq!(human_bytes(812), "812 bytes");
        assert_eq!(human_bytes(8 * 1024 * 1024), "8 MiB");
        assert_eq!(human_bytes(9_961_472), "9.5 MiB");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}
