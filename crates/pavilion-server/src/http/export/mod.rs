//! `pavilion export <dir>`: the published hall as static files any static host, CDN or object
//! store can serve: the visitor pages, the viewer, the snapshot, every exhibitor's details, the
//! programme with its calendars and stage screens, and the media the hall names, each text file
//! beside its gzip and brotli forms, plus `_headers` and `nginx.conf` for caching.
//!
//! The API's read paths become files with a `.json` suffix (`/api/v1/hall.json`,
//! `/api/v1/exhibitors/<slug>.json`, ...): a folder cannot hold both `exhibitors` and
//! `exhibitors/<slug>`. The pages learn from a `<meta name="pavilion-export">` tag that they
//! run from an export; what needs the server (analytics, leads, the contest) goes to the API
//! origin named by `--api-origin`, or says that it is not available here.
//!
//! The export is written into a hidden folder beside `<dir>` and renamed into place at the end,
//! so a crash or an error never leaves a half-written export under the name a host serves.

mod hosting;

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use pavilion_model::Programme;
use serde::Serialize;

use crate::cli::Config;
use crate::db::Store;
use crate::error::Error;
use crate::hall::publish::{Encoding, PreparedDocument, PublishedHall, brotli, gzip};
use crate::http::routes::web::{PAGE_EXTENSIONS, VIEWER_FOLDER, is_plain_segment};
use crate::media::MediaStore;
use crate::media::render::{Renderer, ScreenBlock, ScreenText};
use crate::media::store::StoredFile;
use crate::origin::WebOrigin;

/// Page files of the staff console, the exhibitor portal and the API reference: they need the
/// server, so they stay out of an export (matched on the name up to its first `.` or `-`).
const SERVER_ONLY_PAGES: [&str; 3] = ["staff", "portal", "api"];
/// Extensions whose files are worth a gzip and a brotli form.
const COMPRESSIBLE: [&str; 9] = [
    "html", "js", "css", "svg", "json", "ics", "wasm", "glb", "txt",
];
/// Smaller files are not compressed: the saving does not pay for a second request path.
const MIN_COMPRESSED_SIZE: usize = 512;
/// The file naming what was exported, for people and scripts.
pub const EXPORT_MANIFEST: &str = "export.json";

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    /// The published hall version exported.
    pub version: u64,
    pub folder: String,
    /// Files written, precompressed forms included.
    pub files: u64,
    pub bytes: u64,
    pub exhibitors: usize,
    pub media: usize,
    pub api_origin: Option<String>,
}

impl fmt::Display for ExportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "exported version {} of the hall into {}: {} files ({:.1} MB), {} exhibitors, {} media files",
            self.version,
            self.folder,
            self.files,
            self.bytes as f64 / 1e6,
            self.exhibitors,
            self.media
        )?;
        match &self.api_origin {
            Some(origin) => writeln!(
                f,
                "analytics, leads and the contest call {origin}: start that server with --cors-origin <the export's origin>"
            )?,
            None => writeln!(
                f,
                "no --api-origin: analytics, leads and the contest say they are not available in this copy"
            )?,
        }
        write!(
            f,
            "serve the folder with any static host (_headers sets caching), or nginx: include {}/nginx.conf in a server block",
            self.folder
        )
    }
}

/// Writes the published hall of `config`'s data folder into `to` (a new or empty folder), for
/// pages that call `api_origin` for what needs the server. Safe beside a running server: it
/// reads the database read-only.
pub async fn export(
    config: &Config,
    to: &Path,
    api_origin: Option<WebOrigin>,
) -> Result<ExportReport, Error> {
    if fs::read_dir(to).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(Error::Conflict(format!(
            "{} is not empty; export into a new folder",
            to.display()
        )));
    }
    let store = Store::open_for_reading(&config.database()).await?;
    let stored = store.published().await;
    store.close().await;
    let stored = stored?.ok_or_else(|| {
        Error::NotFound("nothing is published yet: publish the hall, then export it".into())
    })?;
    let sources = Sources {
        web_dir: config.web_dir.clone(),
        assets_dir: config.assets_dir.clone(),
        media: config.media_store().await?,
    };
    let to = to.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let published = PublishedHall::prepare(&stored)?;
        write_export(&sources, &published, &to, api_origin.as_ref())
    })
    .await?
}

/// Where the files come from.
struct Sources {
    web_dir: PathBuf,
    assets_dir: PathBuf,
    media: MediaStore,
}

fn write_export(
    sources: &Sources,
    published: &PublishedHall,
    to: &Path,
    api_origin: Option<&WebOrigin>,
) -> Result<ExportReport, Error> {
    // `<parent>/.<name>.exporting-<pid>`, on the same file system as `to`.
    let staging = crate::storage::backup::sibling(to, "exporting")?;
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    fs::create_dir_all(&staging)?;
    let mut site = Site {
        root: staging.clone(),
        files: 0,
        bytes: 0,
    };
    let outcome = fill(&mut site, sources, published, api_origin).and_then(|media| {
        let report = ExportReport {
            version: published.version,
            folder: to.display().to_string(),
            files: site.files + 1,
            bytes: site.bytes,
            exhibitors: published.details.len(),
            media,
            api_origin: api_origin.map(ToString::to_string),
        };
        site.write(EXPORT_MANIFEST, &serde_json::to_vec_pretty(&report)?, false)?;
        Ok(report)
    });
    let report = match outcome {
        Ok(report) => report,
        Err(error) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(error);
        }
    };
    if to.exists() {
        // Checked empty above: an empty folder may stand where the export goes.
        fs::remove_dir(to)?;
    }
    fs::rename(&staging, to)?;
    Ok(report)
}

/// Writes everything but the manifest; returns how many media files were copied.
fn fill(
    site: &mut Site,
    sources: &Sources,
    published: &PublishedHall,
    api_origin: Option<&WebOrigin>,
) -> Result<usize, Error> {
    write_pages(site, &sources.web_dir, api_origin)?;
    site.copy_tree(&sources.web_dir.join(VIEWER_FOLDER), VIEWER_FOLDER)?;
    if sources.assets_dir.is_dir() {
        site.copy_tree(&sources.assets_dir, "assets")?;
    }
    site.write_prepared("api/v1/hall.json", &published.document)?;
    site.write("api/v1/exhibitors.json", &published.exhibitors_json, true)?;
    for (slug, detail) in &published.details {
        site.write(
            &format!("api/v1/exhibitors/{}.json", plain(slug)?),
            detail,
            true,
        )?;
    }
    if let Some(programme) = &published.programme {
        site.write_prepared("api/v1/programme.json", &programme.document)?;
        write_programme_files(site, &programme.programme)?;
    }
    let media = copy_media(site, &sources.media, published)?;
    let policy = hosting::content_security_policy(api_origin);
    site.write("_headers", hosting::headers_file(&policy).as_bytes(), false)?;
    site.write("nginx.conf", hosting::nginx_conf(&policy).as_bytes(), false)?;
    Ok(media)
}

/// The visitor pages and their scripts, styles and pictures; each HTML page marked as an
/// export (and given the API origin).
fn write_pages(
    site: &mut Site,
    web_dir: &Path,
    api_origin: Option<&WebOrigin>,
) -> Result<(), Error> {
    let mut pages = 0;
    for entry in fs::read_dir(web_dir).map_err(|error| {
        Error::NotFound(format!(
            "cannot read the page files in {}: {error}",
            web_dir.display()
        ))
    })? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((stem, extension)) = name.rsplit_once('.') else {
            continue;
        };
        let page_stem = stem.split(['.', '-']).next().unwrap_or(stem);
        if !is_plain_segment(&name)
            || !PAGE_EXTENSIONS.contains(&extension)
            || !entry.file_type()?.is_file()
            || SERVER_ONLY_PAGES.contains(&page_stem)
        {
            continue;
        }
        if extension == "html" {
            let page = fs::read_to_string(entry.path())?;
            let marked = mark_page(&page, api_origin).ok_or_else(|| {
                Error::Internal(format!("{} has no <head> to mark as an export", name))
            })?;
            site.write(&name, marked.as_bytes(), true)?;
            pages += 1;
        } else {
            site.copy(&entry.path(), &name)?;
        }
    }
    if pages == 0 {
        return Err(Error::NotFound(format!(
            "{} holds no page (index.html): point --web-dir at the page shell",
            web_dir.display()
        )));
    }
    if !web_dir
        .join(VIEWER_FOLDER)
        .join("pavilion_viewer_bg.wasm")
        .is_file()
    {
        return Err(Error::NotFound(format!(
            "{} holds no built viewer: run `cargo xtask build-web` first",
            web_dir.join(VIEWER_FOLDER).display()
        )));
    }
    Ok(())
}

/// The page with the export's marks after `<head>`: `pavilion-export` (the pages then read the
/// `.json` files and reckon "now" from the programme with the browser's clock) and, when
/// given, `pavilion-api-origin`.
pub fn mark_page(page: &str, api_origin: Option<&WebOrigin>) -> Option<String> {
    let at = page.find("<head>")? + "<head>".len();
    let mut marks = String::from("\n  <meta name=\"pavilion-export\" content=\"static\">");
    if let Some(origin) = api_origin {
        // An origin is letters, digits and `:/.-[]` only: nothing to escape.
        marks.push_str(&format!(
            "\n  <meta name=\"pavilion-api-origin\" content=\"{origin}\">"
        ));
    }
    Some(format!("{}{marks}{}", &page[..at], &page[at..]))
}

/// The week's calendar, one calendar per session, and one picture per stage for its screen (a
/// static host cannot say what is on now: the picture names the stage and points at its panel,
/// which reckons now and next in the browser).
fn write_programme_files(site: &mut Site, programme: &Programme) -> Result<(), Error> {
    let stamp = crate::time::unix_now();
    site.write(
        "api/v1/programme/calendar.ics",
        crate::programme::ics::week_calendar(programme, stamp).as_bytes(),
        true,
    )?;
    for session in &programme.sessions {
        if let Some(calendar) =
            crate::programme::ics::session_calendar(programme, &session.id, stamp)
        {
            site.write(
                &format!(
                    "api/v1/programme/sessions/{}/calendar.ics",
                    plain(&session.id)?
                ),
                calendar.as_bytes(),
                true,
            )?;
        }
    }
    let renderer = Renderer::with_system_fonts();
    let mut sessions_per_stage: HashMap<&str, usize> = HashMap::new();
    for session in &programme.sessions {
        *sessions_per_stage
            .entry(session.stage.as_str())
            .or_default() += 1;
    }
    let (first_day, last_day) = (
        programme.days.first().map(|d| d.date.to_string()),
        programme.days.last().map(|d| d.date.to_string()),
    );
    for stage in &programme.stages {
        let sessions = sessions_per_stage
            .get(stage.id.as_str())
            .copied()
            .unwrap_or(0);
        let text = ScreenText {
            heading: stage.name.clone(),
            first: ScreenBlock {
                label: "Programme".into(),
                title: "Click the screen for what is on".into(),
                detail: "Now, next, and the recordings".into(),
            },
            second: ScreenBlock {
                label: "This week".into(),
                title: format!(
                    "{sessions} session{} on this stage",
                    if sessions == 1 { "" } else { "s" }
                ),
                detail: match (&first_day, &last_day) {
                    (Some(first), Some(last)) => format!("{first} to {last}"),
                    _ => String::new(),
                },
            },
        };
        let png = renderer.screen_png(&text).map_err(|source| Error::Render {
            what: format!("the screen of stage {}", stage.id),
            source: source.into(),
        })?;
        site.write(
            &format!("api/v1/programme/stages/{}/screen.png", plain(&stage.id)?),
            &png,
            false,
        )?;
    }
    Ok(())
}

/// Copies every media file the published hall names; returns how many.
fn copy_media(
    site: &mut Site,
    media: &MediaStore,
    published: &PublishedHall,
) -> Result<usize, Error> {
    let mut copied = 0;
    let mut found = std::collections::HashSet::new();
    for file in media.stored_files()? {
        if !published.shows_media(&file.sha256) || !found.insert(file.sha256.clone()) {
            continue;
        }
        site.copy_media(media, &file)?;
        copied += 1;
    }
    if let Some(missing) = published.media.iter().find(|sha| !found.contains(*sha)) {
        return Err(Error::NotFound(format!(
            "the published hall names media {missing} that the media folder lacks; run `pavilion check-data`"
        )));
    }
    Ok(copied)
}

/// A path segment from the snapshot (a slug or an id), refused if it could leave its folder.
fn plain(segment: &str) -> Result<&str, Error> {
    if is_plain_segment(segment) && !segment.contains("..") {
        Ok(segment)
    } else {
        Err(Error::Internal(format!(
            "{segment:?} cannot name an exported file"
        )))
    }
}

/// The export being written: counts what it writes.
struct Site {
    root: PathBuf,
    files: u64,
    bytes: u64,
}

impl Site {
    /// Writes `bytes` at `relative`, with `.gz` and `.br` forms when `compress` and they pay.
    fn write(&mut self, relative: &str, bytes: &[u8], compress: bool) -> Result<(), Error> {
        self.put(relative, bytes)?;
        if compress && bytes.len() >= MIN_COMPRESSED_SIZE {
            let gzip = gzip(bytes)?;
            if gzip.len() * 10 < bytes.len() * 9 {
                self.put(&format!("{relative}.gz"), &gzip)?;
                self.put(&format!("{relative}.br"), &brotli(bytes)?)?;
            }
        }
        Ok(())
    }

    /// Writes a document the publish already compressed, in its three forms.
    fn write_prepared(&mut self, relative: &str, document: &PreparedDocument) -> Result<(), Error> {
        self.put(relative, &document.body(Encoding::Identity))?;
        self.put(&format!("{relative}.gz"), &document.body(Encoding::Gzip))?;
        self.put(&format!("{relative}.br"), &document.body(Encoding::Brotli))?;
        Ok(())
    }

    /// Copies a file; a text-like one gets its compressed forms, copied when they lie beside
    /// it (the viewer's build makes them) and made otherwise.
    fn copy(&mut self, from: &Path, relative: &str) -> Result<(), Error> {
        let extension = relative.rsplit_once('.').map_or("", |(_, e)| e);
        if !COMPRESSIBLE.contains(&extension) {
            self.copy_one(from, relative)?;
            return Ok(());
        }
        let sibling = |suffix: &str| {
            let mut name = from.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        let (gz, br) = (sibling(".gz"), sibling(".br"));
        if gz.is_file() && br.is_file() {
            for (source, suffix) in [(from.to_path_buf(), ""), (gz, ".gz"), (br, ".br")] {
                self.copy_one(&source, &format!("{relative}{suffix}"))?;
            }
            return Ok(());
        }
        let bytes = fs::read(from)?;
        self.write(relative, &bytes, true)
    }

    /// Copies a folder's plain files and folders (hidden ones and compressed forms, which
    /// [`Site::copy`] handles, aside).
    fn copy_tree(&mut self, from: &Path, relative: &str) -> Result<(), Error> {
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !is_plain_segment(&name) || name.ends_with(".gz") || name.ends_with(".br") {
                continue;
            }
            let kind = entry.file_type()?;
            let target = format!("{relative}/{name}");
            if kind.is_dir() {
                self.copy_tree(&entry.path(), &target)?;
            } else if kind.is_file() {
                self.copy(&entry.path(), &target)?;
            }
        }
        Ok(())
    }

    /// Copies one file as it is. The copy is readable by all whatever the source's mode (the
    /// media store keeps its files private; an export is published).
    fn copy_one(&mut self, from: &Path, relative: &str) -> Result<(), Error> {
        let target = self.target(relative)?;
        self.bytes += fs::copy(from, &target)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(&target, fs::Permissions::from_mode(0o644))?;
        }
        self.files += 1;
        Ok(())
    }

    /// Copies a stored media file (from the folder or the bucket) as it is.
    fn copy_media(&mut self, media: &MediaStore, file: &StoredFile) -> Result<(), Error> {
        let target = self.target(&format!("media/{}.{}", file.sha256, file.extension))?;
        self.bytes += media.copy_to(&file.sha256, file.extension, &target)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(&target, fs::Permissions::from_mode(0o644))?;
        }
        self.files += 1;
        Ok(())
    }

    fn put(&mut self, relative: &str, bytes: &[u8]) -> Result<(), Error> {
        let target = self.target(relative)?;
        let mut file = fs::File::create(&target)?;
        file.write_all(bytes)?;
        self.files += 1;
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    /// The path of `relative` in the export, its folder made.
    fn target(&self, relative: &str) -> io::Result<PathBuf> {
        let target = self.root.join(relative);
        if let Some(folder) = target.parent() {
            fs::create_dir_all(folder)?;
        }
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_marked_after_their_head() {
        let page = "<!doctype html>\n<html><head>\n<title>x</title></head></html>";
        let marked = mark_page(page, None).unwrap();
        assert!(
            marked
                .contains("<head>\n  <meta name=\"pavilion-export\" content=\"static\">\n<title>")
        );
        assert!(!marked.contains("pavilion-api-origin"));
        let origin: WebOrigin = "https://api.example.org".parse().unwrap();
        let marked = mark_page(page, Some(&origin)).unwrap();
        assert!(
            marked.contains(
                "<meta name=\"pavilion-api-origin\" content=\"https://api.example.org\">"
            )
        );
        assert_eq!(mark_page("<html></html>", None), None);
    }

    #[test]
    fn only_plain_segments_name_files() {
        assert!(plain("acme-security").is_ok());
        for bad in ["", "..", "a/b", ".hidden", "a..b"] {
            assert!(plain(bad).is_err(), "{bad}");
        }
    }
}
