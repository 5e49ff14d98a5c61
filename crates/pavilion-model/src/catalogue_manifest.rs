//! The list of a catalogue folder's media, `<slug>/media/media.toml`: written by
//! `cargo xtask catalogue`, read by the server's catalogue import. One type for both, so the
//! writer cannot produce a file the reader refuses.

use serde::{Deserialize, Serialize};

use crate::MediaKind;

/// The folder of generated media inside an exhibitor folder of the catalogue.
pub const MEDIA_DIR: &str = "media";
/// The manifest's file name inside [`MEDIA_DIR`].
pub const MEDIA_MANIFEST: &str = "media.toml";

/// Every media file of one exhibitor folder, in the order the booth shows them.
///
/// In TOML, one `[[files]]` table per file:
///
/// ```toml
/// [[files]]
/// file = "product-1.png"
/// kind = "image"
/// title = "Thimbleroot Agent"
/// product = "Thimbleroot Agent"
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaManifest {
    #[serde(default)]
    pub files: Vec<ManifestEntry>,
}

/// One file listed in a manifest, as written: the reader still checks the name, the kind,
/// the title and the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    /// The file's name inside [`MEDIA_DIR`].
    pub file: String,
    /// A [`MediaKind`] by name. Kept as text so that a reader can report an unknown kind
    /// against its file, with the rest of the manifest still read; see [`Self::media_kind`].
    pub kind: String,
    /// Plain-text caption.
    pub title: String,
    /// The product shown, by its name in the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
}

impl ManifestEntry {
    pub fn new(
        file: impl Into<String>,
        kind: MediaKind,
        title: impl Into<String>,
        product: Option<String>,
    ) -> ManifestEntry {
        ManifestEntry {
            file: file.into(),
            kind: kind.as_str().to_owned(),
            title: title.into(),
            product,
        }
    }

    /// The kind, when `kind` names one.
    pub fn media_kind(&self) -> Option<MediaKind> {
        MediaKind::parse(&self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_read_as_the_catalogue_writes_them() {
        let text = r#"
[[files]]
file = "product-1.png"
kind = "image"
title = "Agent"
product = "Agent"

[[files]]
file = "brochure.pdf"
kind = "brochure"
title = "Works brochure"
"#;
        let manifest: MediaManifest = toml::from_str(text).unwrap();
        assert_eq!(
            manifest.files,
            [
                ManifestEntry::new(
                    "product-1.png",
                    MediaKind::Image,
                    "Agent",
                    Some("Agent".into())
                ),
                ManifestEntry::new("brochure.pdf", MediaKind::Brochure, "Works brochure", None),
            ]
        );
        assert_eq!(manifest.files[1].media_kind(), Some(MediaKind::Brochure));
        let written = toml::to_string(&manifest).unwrap();
        assert_eq!(toml::from_str::<MediaManifest>(&written).unwrap(), manifest);
    }

    #[test]
    fn unknown_fields_and_kinds_are_told_apart() {
        let misspelt = "[[files]]\nfile = \"a.png\"\nkind = \"image\"\ntitel = \"A\"\n";
        assert!(toml::from_str::<MediaManifest>(misspelt).is_err());

        // An unknown kind still reads, so the reader can name the file it belongs to.
        let movie = "[[files]]\nfile = \"a.mp4\"\nkind = \"movie\"\ntitle = \"A\"\n";
        let manifest: MediaManifest = toml::from_str(movie).unwrap();
        assert_eq!(manifest.files[0].media_kind(), None);

        assert_eq!(toml::from_str::<MediaManifest>("").unwrap().files, []);
    }
}
