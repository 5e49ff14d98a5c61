//! The companies of the catalogue as the generator reads them: each folder's profile, with its
//! tier, topic and brand colour parsed and the seed its media are drawn from.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pavilion_model::{BoothTier, Colour, ExhibitorProfile, Topic};

use super::seed::fnv1a;

/// One company as the generator needs it.
pub(super) struct Company {
    pub(super) profile: ExhibitorProfile,
    pub(super) tier: BoothTier,
    pub(super) topic: Topic,
    pub(super) colour: [u8; 3],
    pub(super) seed: u64,
}

/// Reads every folder of `catalogue` that holds a `profile.toml`, in folder-name order.
pub(super) fn read_companies(catalogue: &Path) -> Result<Vec<Company>> {
    let mut companies = Vec::new();
    let mut folders: Vec<PathBuf> = fs::read_dir(catalogue)
        .with_context(|| format!("reading {}", catalogue.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("profile.toml").is_file())
        .collect();
    folders.sort();
    for folder in folders {
        let path = folder.join("profile.toml");
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let profile: ExhibitorProfile =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        // Only the fields the media are drawn from must parse; the server's import checks
        // the rest of the profile.
        let (Some(tier), Some(topic), Ok(colour)) = (
            BoothTier::from_slug(&profile.tier),
            Topic::from_slug(&profile.topic),
            Colour::parse(&profile.colour),
        ) else {
            anyhow::bail!("{} has an unknown tier, topic or colour", path.display());
        };
        let seed = fnv1a(profile.slug.as_bytes());
        companies.push(Company {
            profile,
            tier,
            topic,
            colour: colour.rgb(),
            seed,
        });
    }
    Ok(companies)
}
