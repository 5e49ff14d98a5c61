//! [`MediaError`]: why a file was refused, phrased for the person who sent it.

use crate::{FileFormat, human_bytes};

/// Why a media file was refused. `Display` gives one sentence an exhibitor can act on;
/// [`code`](MediaError::code) gives a stable identifier for API error bodies.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MediaError {
    #[error("the file is empty")]
    Empty,

    #[error("the file is {}; {} may be at most {}", human_bytes(*size), expected, human_bytes(*limit))]
    TooLarge {
        expected: &'static str,
        size: u64,
        limit: u64,
    },

    #[error("expected {expected}, but the file is {}", found.map_or("of a format Pavilion does not accept", FileFormat::described))]
    WrongKind {
        expected: &'static str,
        found: Option<FileFormat>,
    },

    #[error("{} is cut short: {detail}", kind.described())]
    Truncated { kind: FileFormat, detail: String },

    #[error("{} cannot be read: {detail}", kind.described())]
    Corrupt { kind: FileFormat, detail: String },

    #[error(
        "the file says it is {width} x {height} pixels; the limit is {max_width} x {max_height}"
    )]
    Dimensions {
        width: u64,
        height: u64,
        max_width: u32,
        max_height: u32,
    },

    #[error("the image is {width} x {height} = {} pixels; the limit is {} pixels", megapixels(*width * *height), megapixels(*limit))]
    TooManyPixels { width: u64, height: u64, limit: u64 },

    #[error("the PDF has no %%EOF marker near its end; it may be cut short")]
    PdfNoEof,

    #[error("the PDF has no cross-reference table or stream (xref) and no trailer")]
    PdfNoXref,

    #[error(
        "the PDF contains {name} (active content); brochures may hold only text, pictures and links within the document"
    )]
    PdfActiveContent { name: String },

    #[error("the PDF is encrypted; send it without a password or usage restrictions")]
    PdfEncrypted,

    #[error("the model's {what} points at {uri:?}; a GLB must carry all its data inside the file")]
    ExternalUri { what: String, uri: String },

    #[error("the model requires the glTF extension {name}, which the viewer does not support")]
    UnsupportedExtension { name: String },

    #[error("the model's {what}")]
    OutOfBounds { what: String },

    #[error("the model is not valid glTF: {detail}")]
    InvalidGltf { detail: String },

    #[error("the model has {triangles} triangles; a {tier} booth allows {limit}")]
    TooManyTriangles {
        triangles: u64,
        limit: u64,
        tier: &'static str,
    },

    #[error("the model's textures hold {} pixels; a {tier} booth allows {}", megapixels(*pixels), megapixels(*limit))]
    TooManyTexturePixels {
        pixels: u64,
        limit: u64,
        tier: &'static str,
    },

    #[error("checking the file took longer than Pavilion allows; send a simpler or smaller file")]
    TimeLimit,

    #[error("checking the file would unpack more than {} of data (it may be a compression bomb); send a file that is not so heavily compressed", human_bytes(*limit))]
    MemoryLimit { limit: u64 },

    #[error(
        "the model's node {node} is listed as a child twice (by node {first_parent} and node {second_parent}); in glTF a node has at most one parent"
    )]
    GltfNodeTwoParents {
        node: usize,
        first_parent: usize,
        second_parent: usize,
    },

    #[error(
        "the model's node {node} is its own ancestor (its children lead back to it); a glTF node tree may not loop"
    )]
    GltfNodeCycle { node: usize },

    #[error("the model has {nodes} nodes; a booth model may have at most {limit}")]
    TooManyNodes { nodes: usize, limit: usize },

    #[error("the PDF has a stream encoded with /{filter}, which Pavilion cannot inspect{}; export the brochure again with standard (Flate) compression", if *image_only { " outside an image" } else { "" })]
    PdfUnsupportedFilter { filter: String, image_only: bool },

    #[error(
        "the SVG refers to {reference:?} outside the file; a logo must carry everything it shows"
    )]
    SvgExternalReference { reference: String },

    #[error(
        "the SVG contains {what} (active content); a logo may hold only shapes, text and pictures"
    )]
    SvgActiveContent { what: String },

    #[error(
        "the SVG draws {elements} elements once its <use> references and patterns are expanded; a logo may draw at most {limit}"
    )]
    SvgTooManyElements { elements: u64, limit: u64 },

    #[error("the SVG's element {id:?} refers back to itself through <use> or url() references")]
    SvgReferenceCycle { id: String },

    #[error("the SVG nests elements and references more than {limit} levels deep")]
    SvgTooDeep { limit: usize },
}

impl MediaError {
    /// A stable, machine-readable name for the kind of problem.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::Empty => "empty",
            MediaError::TooLarge { .. } => "too_large",
            MediaError::WrongKind { .. } => "wrong_kind",
            MediaError::Truncated { .. } => "truncated",
            MediaError::Corrupt { .. } => "corrupt",
            MediaError::Dimensions { .. } => "dimensions",
            MediaError::TooManyPixels { .. } => "too_many_pixels",
            MediaError::PdfNoEof => "pdf_no_eof",
            MediaError::PdfNoXref => "pdf_no_xref",
            MediaError::PdfActiveContent { .. } => "pdf_active_content",
            MediaError::PdfEncrypted => "pdf_encrypted",
            MediaError::ExternalUri { .. } => "external_uri",
            MediaError::UnsupportedExtension { .. } => "unsupported_extension",
            MediaError::OutOfBounds { .. } => "out_of_bounds",
            MediaError::InvalidGltf { .. } => "invalid_gltf",
            MediaError::TooManyTriangles { .. } => "too_many_triangles",
            MediaError::TooManyTexturePixels { .. } => "too_many_texture_pixels",
            MediaError::TimeLimit => "time_limit",
            MediaError::MemoryLimit { .. } => "memory_limit",
            MediaError::GltfNodeTwoParents { .. } => "gltf_node_two_parents",
            MediaError::GltfNodeCycle { .. } => "gltf_node_cycle",
            MediaError::TooManyNodes { .. } => "too_many_nodes",
            MediaError::PdfUnsupportedFilter { .. } => "pdf_unsupported_filter",
            MediaError::SvgExternalReference { .. } => "svg_external_reference",
            MediaError::SvgActiveContent { .. } => "svg_active_content",
            MediaError::SvgTooManyElements { .. } => "svg_too_many_elements",
            MediaError::SvgReferenceCycle { .. } => "svg_reference_cycle",
            MediaError::SvgTooDeep { .. } => "svg_too_deep",
        }
    }
}

/// "16 million", "2.1 million", "4096".
fn megapixels(pixels: u64) -> String {
    if pixels >= 1_000_000 {
        let millions = pixels as f64 / 1_000_000.0;
        if pixels.is_multiple_of(1_000_000) {
            format!("{} million", pixels / 1_000_000)
        } else {
            format!("{millions:.1} million")
        }
    } else {
        pixels.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_sentences_with_the_numbers() {
        let error = MediaError::Dimensions {
            width: 100_000,
            height: 100_000,
            max_width: 4096,
            max_height: 4096,
        };
        assert_eq!(
            error.to_string(),
            "the file says it is 100000 x 100000 pixels; the limit is 4096 x 4096"
        );
        let error = MediaError::TooLarge {
            expected: "a PDF brochure",
            size: 11 * 1024 * 1024,
            limit: 10 * 1024 * 1024,
        };
        assert_eq!(
            error.to_string(),
            "the file is 11 MiB; a PDF brochure may be at most 10 MiB"
        );
        let error = MediaError::WrongKind {
            expected: "a PNG or JPEG image",
            found: Some(FileFormat::Pdf),
        };
        assert_eq!(
            error.to_string(),
            "expected a PNG or JPEG image, but the file is a PDF document"
        );
        let error = MediaError::TooManyTriangles {
            triangles: 25_000,
            limit: 20_000,
            tier: "standard",
        };
        assert_eq!(
            error.to_string(),
            "the model has 25000 triangles; a standard booth allows 20000"
        );
        assert_eq!(error.code(), "too_many_triangles");
        assert_eq!(megapixels(2_100_000), "2.1 million");
    }
}
