//! Reading the seed catalogue: `<catalogue>/<slug>/profile.toml`, `logo.svg` and the optional
//! `media/` folder (listed by `media/media.toml`), checked folder by folder with every problem
//! collected into one report. The media files themselves are judged by `pavilion-media`, the
//! same checks exhibitor uploads go through ([`check_media`]).

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;

use pavilion_media::{CheckLimits, ImageLimits, MediaError, ModelBudget};
use pavilion_model::{BoothTier, ExhibitorProfile, MediaKind, MediaManifest, Slug, ValidProfile};
use sha2::{Digest as _, Sha256};

use crate::error::{CatalogueProblem, CatalogueProblems};
use crate::media::render::{MAX_LOGO_BYTES, RENDER_VERSION};

pub const PROFILE_FILE: &str = "profile.toml";
pub const LOGO_FILE: &str = "logo.svg";
/// The media folder inside an exhibitor folder and its manifest: one type shared with the
/// generator (`cargo xtask catalogue`), [`MediaManifest`].
pub use pavilion_model::catalogue_manifest::{MEDIA_DIR, MEDIA_MANIFEST};
/// At most this many pictures per booth.
pub const MAX_CATALOGUE_IMAGES: usize = 8;

/// One file listed in a folder's `media/media.toml`, read but not yet checked.
#[derive(Debug, Clone)]
pub struct CatalogueMedia {
    pub file: String,
    pub kind: MediaKind,
    pub title: String,
    /// The product shown, by its name in the profile.
    pub product: Option<String>,
    pub bytes: Vec<u8>,
}

/// A catalogue media file that passed the checks: what to store and serve.
#[derive(Debug, Clone)]
pub struct CheckedMedia {
    pub kind: MediaKind,
    pub title: String,
    pub product: Option<String>,
    /// For images the PNG re-encoded from the decoded pixels, otherwise the file itself.
    pub bytes: Vec<u8>,
    pub extension: &'static str,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Runs the upload checks of `pavilion-media` on one catalogue file: images are decoded
/// within the booth limits and re-encoded as PNG, brochures checked as PDF, models as GLB
/// within the budget of the booth's tier; every check within `limits` (deadline, decoded data).
pub fn check_media(
    item: &CatalogueMedia,
    tier: BoothTier,
    limits: &CheckLimits,
) -> Result<CheckedMedia, MediaError> {
    let checked = |bytes, extension, size: Option<(u32, u32)>| CheckedMedia {
        kind: item.kind,
        title: item.title.clone(),
        product: item.product.clone(),
        bytes,
        extension,
        width: size.map(|s| s.0),
        height: size.map(|s| s.1),
    };
    match item.kind {
        MediaKind::Image => {
            let image =
                pavilion_media::check_image_within(&item.bytes, ImageLimits::BOOTH, limits)?;
            let size = (image.width, image.height);
            Ok(checked(image.png_bytes, "png", Some(size)))
        }
        MediaKind::Brochure => {
            pavilion_media::check_pdf_within(&item.bytes, limits)?;
            Ok(checked(item.bytes.clone(), "pdf", None))
        }
        MediaKind::Model => {
            pavilion_media::check_glb_within(&item.bytes, ModelBudget::for_tier(tier), limits)?;
            Ok(checked(item.bytes.clone(), "glb", None))
        }
        MediaKind::Video => Err(MediaError::WrongKind {
            expected: "a picture, brochure or model (the catalogue has no videos)",
            found: pavilion_media::sniff(&item.bytes),
        }),
    }
}

/// One exhibitor folder that passed every check.
#[derive(Debug, Clone)]
pub struct CatalogueEntry {
    pub profile: ValidProfile,
    pub logo_svg: Vec<u8>,
    /// The files of `media/`, in the order `media.toml` lists them (not yet checked).
    pub media: Vec<CatalogueMedia>,
    /// Hash of the folder's files and the render version: equal hashes need no new import.
    pub source_hash: String,
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
    let mut slugs: HashMap<Slug, String> = HashMap::new();
    for folder in folders {
        match read_folder(&catalogue.join(&folder), &folder) {
            Ok(entry) => {
                if let Some(first) = slugs.insert(entry.profile.slug().clone(), folder.clone()) {
                    problems.push(CatalogueProblem {
                        folder: folder.clone(),
                        field: "slug".into(),
                        message: format!(
                            "{:?} is already used by folder {first}",
                            entry.profile.slug().as_str()
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
    entries.sort_by(|a, b| a.profile.slug().cmp(b.profile.slug()));
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

    let parsed = profile_bytes.as_deref().and_then(|bytes| {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                problem(PROFILE_FILE, format!("is not UTF-8 text: {error}"));
                return None;
            }
        };
        parse_profile(text, folder, &mut problem)
    });

    let (media, manifest) = match &parsed {
        Some(parsed) => read_media(&dir.join(MEDIA_DIR), &parsed.raw, &mut problem),
        None => (Vec::new(), None),
    };

    let profile = parsed.and_then(|parsed| parsed.valid);
    match (profile, profile_bytes, logo_svg) {
        (Some(profile), Some(profile_bytes), Some(logo_svg)) if problems.is_empty() => {
            let mut source_hash = source_hash(&profile_bytes, &logo_svg);
            if let Some(manifest) = manifest {
                source_hash = media_hash(&source_hash, &manifest, &media);
            }
            Ok(CatalogueEntry {
                profile,
                logo_svg,
                media,
                source_hash,
            })
        }
        _ => Err(problems),
    }
}

/// Reads `media/media.toml` and the files it lists, reporting unlisted or missing files,
/// unknown kinds, bad titles and products the profile does not have. Returns the files and
/// the manifest's bytes (`None` when the folder has no media).
fn read_media(
    dir: &Path,
    profile: &ExhibitorProfile,
    problem: &mut impl FnMut(&str, String),
) -> (Vec<CatalogueMedia>, Option<Vec<u8>>) {
    let manifest_field = format!("{MEDIA_DIR}/{MEDIA_MANIFEST}");
    if !dir.is_dir() {
        return (Vec::new(), None);
    }
    let Some(manifest_bytes) = read_file(&dir.join(MEDIA_MANIFEST), &manifest_field, problem)
    else {
        return (Vec::new(), None);
    };
    let manifest: MediaManifest = match std::str::from_utf8(&manifest_bytes)
        .map_err(|e| e.to_string())
        .and_then(|text| toml::from_str(text).map_err(|e| e.message().replace('\n', " ")))
    {
        Ok(manifest) => manifest,
        Err(message) => {
            problem(&manifest_field, message);
            return (Vec::new(), Some(manifest_bytes));
        }
    };

    let mut media = Vec::new();
    for entry in manifest.files {
        let field = format!("{MEDIA_DIR}/{}", entry.file);
        let safe_name = !entry.file.is_empty()
            && entry.file.len() <= 64
            && !entry.file.starts_with('.')
            && entry.file != MEDIA_MANIFEST
            && entry
                .file
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
        if !safe_name {
            problem(
                &manifest_field,
                format!(
                    "{:?} is not a plain file name of a-z, 0-9, '-', '_' and '.'",
                    entry.file
                ),
            );
            continue;
        }
        if media.iter().any(|m: &CatalogueMedia| m.file == entry.file) {
            problem(&field, "is listed twice".into());
        }
        let Some(kind) = entry.media_kind().filter(|k| *k != MediaKind::Video) else {
            problem(
                &field,
                format!("has kind {:?}; use image, brochure or model", entry.kind),
            );
            continue;
        };
        let title = entry.title.trim();
        if title != entry.title
            || !(2..=120).contains(&title.chars().count())
            || title.chars().any(char::is_control)
            || (title.contains('<') && title.contains('>'))
        {
            problem(
                &field,
                "needs a title of 2 to 120 characters of plain text on one line".into(),
            );
        }
        if let Some(product) = &entry.product
            && !profile.products.iter().any(|p| p.name == *product)
        {
            problem(
                &field,
                format!("shows the product {product:?}, which the profile does not list"),
            );
        }
        let Some(bytes) = read_file(&dir.join(&entry.file), &field, problem) else {
            continue;
        };
        media.push(CatalogueMedia {
            file: entry.file,
            kind,
            title: entry.title,
            product: entry.product,
            bytes,
        });
    }

    let count = |kind| media.iter().filter(|m| m.kind == kind).count();
    if count(MediaKind::Image) > MAX_CATALOGUE_IMAGES {
        problem(
            &manifest_field,
            format!(
                "lists {} pictures; a booth shows at most {MAX_CATALOGUE_IMAGES}",
                count(MediaKind::Image)
            ),
        );
    }
    if count(MediaKind::Model) > 1 {
        problem(
            &manifest_field,
            "lists more than one model; a booth shows one".into(),
        );
    }
    match list_files(dir) {
        Ok(files) => {
            for file in files {
                if file != MEDIA_MANIFEST && !media.iter().any(|m| m.file == file) {
                    problem(
                        &format!("{MEDIA_DIR}/{file}"),
                        format!("is not listed in {MEDIA_MANIFEST}"),
                    );
                }
            }
        }
        Err(error) => problem(MEDIA_DIR, format!("cannot be read: {error}")),
    }
    (media, Some(manifest_bytes))
}

fn list_files(dir: &Path) -> io::Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        files.push(entry?.file_name().to_string_lossy().into_owned());
    }
    files.sort();
    Ok(files)
}

/// Extends a folder's source hash with its media manifest and files.
fn media_hash(base: &str, manifest: &[u8], media: &[CatalogueMedia]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(base.as_bytes());
    hasher.update((manifest.len() as u64).to_le_bytes());
    hasher.update(manifest);
    for item in media {
        hasher.update(item.file.as_bytes());
        hasher.update((item.bytes.len() as u64).to_le_bytes());
        hasher.update(&item.bytes);
    }
    hex::encode(hasher.finalize())
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

/// A `profile.toml` that parsed: as written, and as validated when it passed every rule.
struct ParsedProfile {
    /// Read for the product names the media manifest may refer to, even when invalid.
    raw: ExhibitorProfile,
    valid: Option<ValidProfile>,
}

/// Parses and validates a profile. Missing fields are reported and then stood in for, so
/// the other fields are still checked and the author sees every problem at once.
fn parse_profile(
    text: &str,
    folder: &str,
    problem: &mut impl FnMut(&str, String),
) -> Option<ParsedProfile> {
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
    let valid = match profile.validate() {
        Ok(valid) => Some(valid),
        Err(errors) => {
            for error in errors {
                if !missing.contains(&error.field.as_str()) {
                    problem(&error.field, error.message);
                }
            }
            None
        }
    };
    if !missing.contains(&"slug") && profile.slug != folder {
        problem(
            "slug",
            format!(
                "must equal the folder name {folder:?}, not {:?}",
                profile.slug
            ),
        );
    }
    Some(ParsedProfile {
        raw: profile,
        valid,
    })
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
    use std::path::PathBuf;

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
        assert_eq!(entries[0].profile.slug().as_str(), "test-works");
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

    /// A catalogue folder with one picture, a brochure and a model, all made here.
    fn folder_with_media(
        manifest: &str,
        files: &[(&str, Vec<u8>)],
    ) -> (tempfile::TempDir, PathBuf) {
        let (guard, root) = folder_with(PROFILE);
        let media = root.join("test-works").join(MEDIA_DIR);
        fs::create_dir(&media).unwrap();
        fs::write(media.join(MEDIA_MANIFEST), manifest).unwrap();
        for (name, bytes) in files {
            fs::write(media.join(name), bytes).unwrap();
        }
        (guard, root)
    }

    fn tiny_png() -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, 2, 2);
        encoder.set_color(png::ColorType::Rgb);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[9; 12]).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn media_files_are_listed_read_and_checked() {
        let manifest = r#"
[[files]]
file = "picture.png"
kind = "image"
title = "Twice at work"
product = "Twice"
"#;
        let (_guard, root) = folder_with_media(manifest, &[("picture.png", tiny_png())]);
        let entries = read_catalogue(&root).unwrap();
        let media = &entries[0].media;
        assert_eq!(media.len(), 1);
        assert_eq!(media[0].product.as_deref(), Some("Twice"));
        let checked = check_media(&media[0], BoothTier::Standard, &CheckLimits::default()).unwrap();
        assert_eq!((checked.extension, checked.width), ("png", Some(2)));
        // Media count towards the source hash: a changed picture is a changed folder.
        let (_guard2, root2) = folder_with(PROFILE);
        assert_ne!(
            read_catalogue(&root2).unwrap()[0].source_hash,
            entries[0].source_hash
        );
    }

    #[test]
    fn media_problems_name_the_file() {
        let manifest = r#"
[[files]]
file = "picture.png"
kind = "image"
title = "Twice at work"
product = "Thrice"

[[files]]
file = "missing.pdf"
kind = "brochure"
title = "Brochure"

[[files]]
file = "clip.mp4"
kind = "movie"
title = "A clip"

[[files]]
file = "../escape.png"
kind = "image"
title = "Out of the folder"
"#;
        let (_guard, root) = folder_with_media(
            manifest,
            &[("picture.png", tiny_png()), ("stray.png", tiny_png())],
        );
        let report = read_catalogue(&root).unwrap_err().to_string();
        for expected in [
            "test-works: media/picture.png: shows the product \"Thrice\", which the profile does not list",
            "test-works: media/missing.pdf: is missing",
            "test-works: media/clip.mp4: has kind \"movie\"; use image, brochure or model",
            "test-works: media/media.toml: \"../escape.png\" is not a plain file name",
            "test-works: media/stray.png: is not listed in media.toml",
        ] {
            assert!(report.contains(expected), "{expected}\n{report}");
        }
    }

    #[test]
    fn a_picture_that_is_not_one_fails_its_check() {
        let item = CatalogueMedia {
            file: "fake.png".into(),
            kind: MediaKind::Image,
            title: "Fake".into(),
            product: None,
            bytes: b"%PDF-1.4 pretending".to_vec(),
        };
        let error = check_media(&item, BoothTier::Standard, &CheckLimits::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "expected a PNG or JPEG image, but the file is a PDF document"
        );
    }

    /// The repository's own catalogue: every profile valid, slugs unique and equal to their
    /// folders, every media file listed, present and passing the upload checks, every model
    /// within the standard budget, topics and tiers valid, and the tier and media mix the
    /// hall was planned for.
    #[test]
    fn the_real_catalogue_is_valid() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibitors");
        let entries = read_catalogue(&root).unwrap_or_else(|report| panic!("{report}"));
        assert!(entries.len() >= 120, "{} exhibitors", entries.len());
        let mut slugs = std::collections::HashSet::new();
        for entry in &entries {
            let slug = entry.profile.slug().as_str();
            assert!(slugs.insert(slug.to_owned()));
            let text = fs::read_to_string(root.join(slug).join(PROFILE_FILE)).unwrap();
            // Stored and served as it is, a checked profile must be the same JSON as the file.
            let raw: ExhibitorProfile = toml::from_str(&text).unwrap();
            assert_eq!(
                serde_json::to_string(&entry.profile).unwrap(),
                serde_json::to_string(&raw).unwrap(),
                "{slug}"
            );
        }

        let total = entries.len() as f64;
        let share = |tier: BoothTier| {
            entries.iter().filter(|e| e.profile.tier() == tier).count() as f64 / total
        };
        assert!(
            (0.07..=0.14).contains(&share(BoothTier::Flagship)),
            "{}",
            share(BoothTier::Flagship)
        );
        assert!(
            (0.20..=0.30).contains(&share(BoothTier::Premium)),
            "{}",
            share(BoothTier::Premium)
        );
        for topic in pavilion_model::Topic::ALL {
            assert!(
                entries.iter().any(|e| e.profile.topic() == topic),
                "nobody exhibits in {topic:?}"
            );
        }

        let mut with = std::collections::HashMap::<MediaKind, usize>::new();
        let mut bytes = 0;
        for entry in &entries {
            let tier = entry.profile.tier();
            for item in &entry.media {
                bytes += item.bytes.len();
                let checked =
                    check_media(item, tier, &CheckLimits::default()).unwrap_or_else(|error| {
                        panic!("{}/{}: {error}", entry.profile.slug(), item.file)
                    });
                if item.kind == MediaKind::Model {
                    let model = pavilion_media::check_glb(&item.bytes, ModelBudget::STANDARD)
                        .unwrap_or_else(|e| panic!("{}: {e}", entry.profile.slug()));
                    assert!(model.triangles > 0 && model.bounds.is_some());
                    assert_eq!(model.materials, 1);
                }
                if item.kind == MediaKind::Image {
                    assert!(checked.width.is_some() && item.product.is_some());
                }
            }
            let kinds: std::collections::HashSet<MediaKind> =
                entry.media.iter().map(|m| m.kind).collect();
            for kind in kinds {
                *with.entry(kind).or_default() += 1;
            }
        }
        let companies = |kind| with.get(&kind).copied().unwrap_or(0);
        assert!(companies(MediaKind::Image) * 2 >= entries.len(), "{with:?}");
        assert!(
            companies(MediaKind::Brochure) * 4 >= entries.len(),
            "{with:?}"
        );
        assert!(companies(MediaKind::Model) >= 20, "{with:?}");
        assert!(
            bytes < 25_000_000,
            "the catalogue's media are {bytes} bytes"
        );
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
