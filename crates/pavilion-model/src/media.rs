//! Media on a booth beyond its logo: pictures, a video, a brochure and a 3D model, as the
//! public booth detail lists them once staff have approved them.

use serde::{Deserialize, Serialize};

/// What a media file is, decided by the server from its content (never from its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    /// A picture, re-encoded by the server (SVG is rasterised).
    Image,
    /// MP4 or WebM, served with range requests.
    Video,
    /// A PDF, served as an attachment.
    Brochure,
    /// A binary glTF (GLB) model within the booth tier's budget.
    Model,
}

impl MediaKind {
    pub const ALL: [MediaKind; 4] = [
        MediaKind::Image,
        MediaKind::Video,
        MediaKind::Brochure,
        MediaKind::Model,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Brochure => "brochure",
            MediaKind::Model => "model",
        }
    }

    pub fn parse(raw: &str) -> Option<MediaKind> {
        MediaKind::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// One checked, content-addressed media file of a booth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoothMedia {
    /// The SHA-256 of the stored bytes, hex; also the media's id.
    pub sha256: String,
    pub kind: MediaKind,
    /// `/media/<sha256>.<ext>`: immutable, cacheable for a year.
    pub url: String,
    pub content_type: String,
    /// Plain-text caption given by the exhibitor.
    pub title: String,
    pub byte_size: u64,
    /// Pixel size, for images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// The product the picture or model shows, by its name in the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_by_name() {
        for kind in MediaKind::ALL {
            assert_eq!(MediaKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(MediaKind::parse("svg"), None);
    }
}
