//! Reading the seed catalogue: `<catalogue>/<slug>/profile.toml` and `logo.svg`, checked
//! folder by folder with every problem collected into one report.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use pavilion_model::ExhibitorProfile;
use sha2::{Digest as _, Sha256};

use crate::render::{MAX_LOGO_BYTES, RENDER_VERSION};

pub const PROFILE_FILE: &str = "profile.toml";
pub const LOGO_FILE: &str = "logo.svg";

/// One exhibitor folder that passed every check.
#[derive(Debug, Clone)]
pub struct CatalogueEntry {
    pub profile: ExhibitorProfile,
    pub logo_svg: Vec<u8>,
    /// Hash of the folder's files and the render version: equal hashes need no new import.
    pub source_hash: String,
}

/// One thing wrong in one folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueProblem {
    pub folder: String,
    /// The profile field, or the file name when the problem concerns a whole file.
    pub field: String,
    pub message: String,
}

/// Every problem found in a catalogue; a catalogue with any problem is not imported at all.
#[derive(Debug, Clone, thiserror::Error)]
pub struct CatalogueProblems {
    pub catalogue: PathBuf,
    pub problems: Vec<CatalogueProblem>,
}

impl fmt::Display for CatalogueProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        let folders: std::collections::BTreeSet<&str> =
            self.problems.iter().map(|p| p.folder.as_str()).collect();
        write!(
            f,
            "the catalogue in {} has {count} problem{} in {} folder{}; nothing was imported:",
            self.catalogue.display(),
            if count == 1 { "" } else { "s" },
            folders.len(),
            if folders.len() == 1 { "" } else { "s" },
        )?;
        for problem in &self.problems {
            write!(
                f,
                "\n  {}: {}: {}",
                problem.folder, problem.field, problem.message
            )?;
        }
        Ok(())
    }
}

/// How to stand in for a missing field so the rest of a profile can still be checked.
#[derive(Debug, Clone, Copy)]
enum Placeholder {
    Text,
    Year,
}

/// The profile fields without a default; kept in step with [`ExhibitorProfile`] by a test.
const REQUIRED_FIELDS: [(&str, Placeholder); 11] = [
    ("name", Placeholder::Text),
    ("slug", Placeholder::Text),
    ("tagline", Placeholder::Text),
    ("topic", Placeholder::Text),
    ("tier", Placeholder::Text),
    ("founded", Placeholder::Year),
    ("headquarters", Placeholder::Text),
    ("website", Placeholder::Text),
    ("email", Placeholder::Text),
    ("colour", Placeholder::Text),
    ("description", Placeholder::Text),
];

/// Reads and checks every exhibitor folder. Files at the top level (a README) and hidden
/// folders are skipped. Returns the entries sorted by slug, or every problem found.
pub fn read_catalogue(catalogue: &Path) -> Result<Vec<CatalogueEntry>, CatalogueProblems> {
    let fail = |problems| CatalogueProblems {
        catalogue: catalogue.to_path_buf(),
        problems,
    };
    let folders = list_folders(catalogue).map_err(|error| {
        fail(vec![CatalogueProblem {
            folder: catalogue.display().to_string(),
            field: "catalogue".into(),
            message: format!("cannot be read: {error}"),
        }])
    })?;

    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut slugs: HashMap<String, String> = HashMap::new();
    for folder in folders {
        match read_folder(&catalogue.join(&folder), &folder) {
            Ok(entry) => {
                if let Some(first) = slugs.insert(entry.profile.slug.clone(), folder.clone()) {
                    problems.push(CatalogueProblem {
                        folder: folder.clone(),
                        field: "slug".into(),
                        message: format!(
                            "{:?} is already used by folder {first}",
                            entry.profile.slug
                        ),
                    });
                }
                entries.push(entry);
            }
            Err(mut found) => problems.append(&mut found),
        }
    }
    if !problems.is_empty() {
        return Err(fail(problems));
    }
    entries.sort_by(|a, b| a.profile.slug.cmp(&b.profile.slug));
    Ok(entries)
}

fn list_folders(catalogue: &Path) -> io::Result<Vec<String>> {
    let mut folders = Vec::new();
    for entry in fs::read_dir(catalogue)? {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') {
            folders.push(name);
        }
    }
    folders.sort();
    Ok(folders)
}

/// Checks one folder, collecting every problem rather than stopping at the first.
fn read_folder(dir: &Path, folder: &str) -> Result<CatalogueEntry, Vec<CatalogueProblem>> {
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| {
        problems.push(CatalogueProblem {
            folder: folder.to_owned(),
            field: field.to_owned(),
            message,
        });
    };

    let profile_bytes = read_file(&dir.join(PROFILE_FILE), PROFILE_FILE, &mut problem);
    let logo_svg = read_file(&dir.join(LOGO_FILE), LOGO_FILE, &mut problem);
    if let Some(logo) = &logo_svg
        && logo.len() > MAX_LOGO_BYTES
    {
        problem(
            LOGO_FILE,
            format!(
                "is {} bytes; the limit is {MAX_LOGO_BYTES} bytes",
                logo.len()
            ),
        );
    }

    let profile = profile_bytes.as_deref().and_then(|bytes| {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                problem(PROFILE_FILE, format!("is not UTF-8 text: {error}"));
                return None;
            }
        };
        parse_profile(text, folder, &mut problem)
    });

    match (profile, profile_bytes, logo_svg) {
        (Some(profile), Some(profile_bytes), Some(logo_svg)) if problems.is_empty() => {
            let source_hash = source_hash(&profile_bytes, &logo_svg);
            Ok(CatalogueEntry {
                profile,
                logo_svg,
                source_hash,
            })
        }
        _ => Err(problems),
    }
}

fn read_file(path: &Path, name: &str, problem: &mut impl FnMut(&str, String)) -> Option<Vec<u8>> {
    match fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            problem(name, "is missing".into());
            None
        }
        Err(error) => {
            problem(name, format!("cannot be read: {error}"));
            None
        }
    }
}

/// Parses and validates a profile. Missing fields are reported and then stood in for, so
/// the other fields are still checked and the author sees every problem at once.
fn parse_profile(
    text: &str,
    folder: &str,
    problem: &mut impl FnMut(&str, String),
) -> Option<ExhibitorProfile> {
    let mut table: toml::Table = match toml::from_str(text) {
        Ok(table) => table,
        Err(error) => {
            let (field, message) = describe_toml_error(&error, text);
            problem(&field, message);
            return None;
        }
    };
    let mut missing = Vec::new();
    for (field, placeholder) in REQUIRED_FIELDS {
        if !table.contains_key(field) {
            problem(field, "is missing".into());
            missing.push(field);
            let value = match placeholder {
                Placeholder::Text => toml::Value::String(String::new()),
                Placeholder::Year => toml::Value::Integer(0),
            };
            table.insert(field.to_owned(), value);
        }
    }
    let profile = if missing.is_empty() {
        // Parse the text itself so errors can point at a line.
        toml::from_str::<ExhibitorProfile>(text).map_err(|error| describe_toml_error(&error, text))
    } else {
        toml::Value::Table(table)
            .try_into::<ExhibitorProfile>()
            .map_err(|error| describe_toml_error(&error, text))
    };
    let profile = match profile {
        Ok(profile) => profile,
        Err((field, message)) => {
            problem(&field, message);
            return None;
        }
    };
    for error in profile.validate() {
        if !missing.contains(&error.field.as_str()) {
            problem(&error.field, error.message);
        }
    }
    if !missing.contains(&"slug") && profile.slug != folder {
        problem(
            "slug",
            format!(
                "must equal the folder name {folder:?}, not {:?}",
                profile.slug
            ),
        );
    }
    Some(profile)
}

/// Turns a TOML error into the field it concerns (when it names one) and a one-line message.
fn describe_toml_error(error: &toml::de::Error, text: &str) -> (String, String) {
    let message = error.message().trim().replace('\n', " ");
    let field = message
        .split('`')
        .nth(1)
        .filter(|name| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .unwrap_or(PROFILE_FILE)
        .to_owned();
    let message = match error.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("{message} (line {line})")
        }
        None => message,
    };
    (field, message)
}

/// The hash that decides whether a folder needs importing again.
pub fn source_hash(profile: &[u8], logo: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("pavilion-render-v{RENDER_VERSION}\0").as_bytes());
    hasher.update((profile.len() as u64).to_le_bytes());
    hasher.update(profile);
    hasher.update(logo);
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: &str = r##"
name = "Test Works"
slug = "test-works"
tagline = "Testing everything twice, then once more"
topic = "cryptography"
tier = "standard"
founded = 2001
headquarters = "Utrecht"
website = "https://test-works.example"
email = "booth@test-works.example"
colour = "#336699"
description = """
Test Works writes tests for other people's code, which is harder than it sounds and more fun than it looks. The company has done this for a long time.

Its second paragraph exists to satisfy the rule that descriptions have at least two paragraphs and enough characters to be useful to a visitor.
"""

[[products]]
name = "Twice"
category = "Testing"
summary = "Runs every test twice and reports the ones that disagree with themselves."

[[products]]
name = "Once More"
category = "Testing"
summary = "Runs the failing tests once more, just to be sure that they really fail."
"##;

    fn folder_with(profile: &str) -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("test-works");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join(PROFILE_FILE), profile).unwrap();
        fs::write(dir.join(LOGO_FILE), "<svg/>").unwrap();
        fs::write(root.path().join("README.md"), "not a folder").unwrap();
        let path = root.path().to_path_buf();
        (root, path)
    }

    #[test]
    fn a_good_folder_reads() {
        let (_guard, root) = folder_with(PROFILE);
        let entries = read_catalogue(&root).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].profile.slug, "test-works");
        assert_eq!(entries[0].source_hash.len(), 64);
    }

    #[test]
    fn every_problem_is_reported_with_folder_and_field() {
        let broken = PROFILE
            .replace("topic = \"cryptography\"", "topic = \"gardening\"")
            .replace(
                "tagline = \"Testing everything twice, then once more\"\n",
                "",
            )
            .replace("slug = \"test-works\"", "slug = \"other-works\"");
        let (_guard, root) = folder_with(&broken);
        let report = read_catalogue(&root).unwrap_err();
        let fields: Vec<&str> = report.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["tagline", "topic", "slug"], "{report}");
        let text = report.to_string();
        assert!(text.contains("test-works: tagline: is missing"), "{text}");
        assert!(text.contains("nothing was imported"), "{text}");
    }

    #[test]
    fn syntax_and_unknown_fields_point_at_a_line() {
        let (_guard, root) = folder_with(&format!("{PROFILE}\nlogo_colour = \"red\"\n"));
        let report = read_catalogue(&root).unwrap_err();
        assert_eq!(report.problems[0].field, "logo_colour", "{report}");
        let (_guard, root) = folder_with("name = ");
        let report = read_catalogue(&root).unwrap_err();
        assert!(report.problems[0].message.contains("line 1"), "{report}");
    }

    #[test]
    fn required_fields_match_the_model() {
        let (_guard, root) = folder_with(PROFILE);
        let profile = read_catalogue(&root).unwrap().remove(0).profile;
        let toml::Value::Table(table) = toml::Value::try_from(&profile).unwrap() else {
            panic!("a profile serialises to a table");
        };
        let mut model: Vec<&str> = table
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "products")
            .collect();
        let mut ours: Vec<&str> = REQUIRED_FIELDS.iter().map(|(name, _)| *name).collect();
        model.sort_unstable();
        ours.sort_unstable();
        assert_eq!(model, ours);
    }
}
