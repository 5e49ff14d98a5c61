//! The text of `media.toml`: the shared [`MediaManifest`] serialised as TOML under a line
//! that tells people not to edit it.

use anyhow::{Context, Result};
use pavilion_model::MediaManifest;

/// The first line of every manifest the generator writes.
const HEADER: &str =
    "# Made by `cargo xtask catalogue`: do not edit by hand (the next run overwrites it).\n";

/// The manifest's bytes: the header, a blank line, then one `[[files]]` table per file.
pub(super) fn manifest_bytes(manifest: &MediaManifest) -> Result<Vec<u8>> {
    let body = toml::to_string(manifest).context("serialising media.toml")?;
    Ok(format!("{HEADER}\n{body}").into_bytes())
}

#[cfg(test)]
mod tests {
    use pavilion_model::{ManifestEntry, MediaKind};

    use super::*;

    #[test]
    fn manifests_keep_their_layout() {
        let manifest = MediaManifest {
            files: vec![
                ManifestEntry::new(
                    "product-1.png",
                    MediaKind::Image,
                    "Petrel \"Edge\" Proxy",
                    Some("Petrel \"Edge\" Proxy".into()),
                ),
                ManifestEntry::new("brochure.pdf", MediaKind::Brochure, "Petrel brochure", None),
            ],
        };
        let text = String::from_utf8(manifest_bytes(&manifest).unwrap()).unwrap();
        assert_eq!(
            text,
            "# Made by `cargo xtask catalogue`: do not edit by hand (the next run overwrites it).\n\
             \n\
             [[files]]\n\
             file = \"product-1.png\"\n\
             kind = \"image\"\n\
             title = 'Petrel \"Edge\" Proxy'\n\
             product = 'Petrel \"Edge\" Proxy'\n\
             \n\
             [[files]]\n\
             file = \"brochure.pdf\"\n\
             kind = \"brochure\"\n\
             title = \"Petrel brochure\"\n"
        );
        assert_eq!(toml::from_str::<MediaManifest>(&text).unwrap(), manifest);
    }
}
