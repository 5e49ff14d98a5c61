//! Synthetic catalogues for `cargo xtask bench`: N exhibitor folders made deterministically
//! from a seed. The first ones are the real catalogue's folders as they are (profile, logo,
//! generated media), so 120 is the real catalogue; the rest are its profiles under new slugs
//! and names, each with a tier and tagline drawn from the seed, and its logo, without media.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::load::Rng;

/// Longest slug the catalogue accepts.
const MAX_SLUG: usize = 48;
/// Longest name the catalogue accepts.
const MAX_NAME: usize = 60;

/// Writes `count` exhibitor folders into `into` (emptied first) from the catalogue at
/// `source`; the same arguments always give the same bytes.
pub fn generate(source: &Path, into: &Path, count: usize, seed: u64) -> Result<()> {
    let mut bases: Vec<String> = fs::read_dir(source)?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("profile.toml").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    bases.sort();
    if bases.is_empty() {
        bail!("no exhibitor folders in {}", source.display());
    }
    if into.exists() {
        fs::remove_dir_all(into)?;
    }
    fs::create_dir_all(into)?;
    let mut rng = Rng::new(seed);
    for n in 0..count {
        let base = &bases[n % bases.len()];
        let round = n / bases.len();
        let from = source.join(base);
        if round == 0 {
            copy_dir(&from, &into.join(base))?;
            continue;
        }
        let text = fs::read_to_string(from.join("profile.toml"))?;
        let mut profile: toml::Table =
            toml::from_str(&text).with_context(|| format!("{base}/profile.toml"))?;
        let slug = synthetic_slug(base, round + 1);
        let name = profile
            .get("name")
            .and_then(toml::Value::as_str)
            .unwrap_or(base)
            .to_owned();
        let suffix = format!(" {}", round + 1);
        let name: String = name
            .chars()
            .take(MAX_NAME - suffix.len())
            .collect::<String>()
            .trim_end()
            .to_owned()
            + &suffix;
        let tier = match rng.below(10) {
            0 => "flagship",
            1..=2 => "premium",
            _ => "standard",
        };
        let tagline = TAGLINES[rng.below(TAGLINES.len() as u64) as usize];
        let set = |profile: &mut toml::Table, key: &str, value: String| {
            profile.insert(key.to_owned(), toml::Value::String(value));
        };
        set(&mut profile, "slug", slug.clone());
        set(&mut profile, "name", name);
        set(&mut profile, "tier", tier.to_owned());
        set(&mut profile, "tagline", tagline.to_owned());
        set(&mut profile, "website", format!("https://{slug}.example"));
        set(&mut profile, "email", format!("hello@{slug}.example"));
        let folder = into.join(&slug);
        fs::create_dir_all(&folder)?;
        fs::write(folder.join("profile.toml"), toml::to_string(&profile)?)?;
        fs::copy(from.join("logo.svg"), folder.join("logo.svg"))?;
    }
    Ok(())
}

/// `<base>-<round>`, the base cut so the whole stays a valid slug.
fn synthetic_slug(base: &str, round: usize) -> String {
    let suffix = format!("-{round}");
    let cut = base[..base.len().min(MAX_SLUG - suffix.len())].trim_end_matches('-');
    format!("{cut}{suffix}")
}

const TAGLINES: [&str; 6] = [
    "Security tooling for teams that would rather ship than fill in forms",
    "Evidence, controls and audits in one place, kept current by machines",
    "Protecting the data people trust you with, from the first byte",
    "Calm incident response for busy operations teams",
    "Keys, identities and access, managed without spreadsheets",
    "Training that makes the secure way the easy way",
];

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_stay_valid() {
        assert_eq!(synthetic_slug("abacus-tern", 2), "abacus-tern-2");
        let long = "a".repeat(47) + "b";
        assert_eq!(synthetic_slug(&long, 10).len(), MAX_SLUG);
        assert_eq!(synthetic_slug("abc-defg", 2), "abc-defg-2");
    }

    #[test]
    fn the_same_seed_gives_the_same_folders() {
        let source = crate::project_root().join("exhibitors");
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (a, b) = (a.path().join("c"), b.path().join("c"));
        generate(&source, &a, 130, 7).unwrap();
        generate(&source, &b, 130, 7).unwrap();
        let mut names: Vec<_> = fs::read_dir(&a)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names.len(), 130);
        for name in names {
            let profile = |root: &Path| fs::read(root.join(&name).join("profile.toml")).unwrap();
            assert_eq!(profile(&a), profile(&b));
            let text = String::from_utf8(profile(&a)).unwrap();
            let parsed: pavilion_model::ExhibitorProfile = toml::from_str(&text).unwrap();
            assert!(parsed.validate().is_ok(), "{name:?}");
        }
    }
}
