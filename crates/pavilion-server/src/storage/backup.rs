//! Online backups and their restore. `pavilion backup --to DIR` works beside a running
//! server: `VACUUM INTO` writes one consistent copy of the database, then every media file
//! the copy has a row for is copied (hashed on the way, so a damaged source file stops the
//! backup) and a `manifest.json` records the counts, the database's hash and every media
//! file's hash and size. Everything is fsynced and the folder appears under its name by one
//! rename at the end. `pavilion restore --from DIR` takes the data folder's lock (so never
//! under a running server), copies the backup into a staging folder inside the data folder
//! checking every hash and the database's integrity, and only then moves the current
//! database and media aside (into `.pre-restore-<time>`) and the staged ones into place.

use std::fmt;
use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::data_lock::DataLock;
use crate::db::{BackupCounts, DATABASE_FILE, Store};
use crate::error::Error;
use crate::media::MediaStore;
use crate::media::store::{create_dir_durably, extension_of, sync_dir};
use crate::storage::MEDIA_FOLDER;
use crate::storage::check::file_digest;
use crate::time::rfc3339_from_unix;

/// The manifest's file name inside a backup folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The manifest format this build writes and reads.
const FORMAT: u32 = 1;

/// What a backup holds, written last so a folder with a manifest is a finished backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub created_at: String,
    /// The data folder the backup was taken from.
    pub source: String,
    pub database: FileEntry,
    pub counts: BackupCounts,
    pub media: Vec<MediaEntry>,
}

/// The database file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub file: String,
    pub byte_size: u64,
    pub sha256: String,
}

/// One media file of a backup, stored as `media/<xx>/<sha256>.<extension>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaEntry {
    pub sha256: String,
    pub extension: String,
    pub byte_size: u64,
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub folder: PathBuf,
    pub counts: BackupCounts,
    pub media_files: usize,
    pub media_bytes: u64,
    /// Unreferenced files the sweep deleted while the backup ran (their rows were dropped
    /// from the copy).
    pub vanished: usize,
}

impl fmt::Display for BackupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        write!(
            f,
            "backup in {}: {} exhibitors, {} drafts, {} submissions, {} snapshots (version {} published), {} media files ({} bytes){}",
            self.folder.display(),
            c.exhibitors,
            c.drafts,
            c.submissions,
            c.snapshots,
            c.published_version,
            self.media_files,
            self.media_bytes,
            if self.vanished > 0 {
                format!(
                    ", {} unreferenced file(s) swept meanwhile left out",
                    self.vanished
                )
            } else {
                String::new()
            }
        )
    }
}

/// What a restore put in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    pub counts: BackupCounts,
    pub media_files: usize,
    /// Where the data that was replaced now is, when there was any.
    pub set_aside: Option<PathBuf>,
}

impl fmt::Display for RestoreReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        write!(
            f,
            "restored {} exhibitors, {} drafts, {} submissions, {} snapshots (version {} published), {} media files",
            c.exhibitors,
            c.drafts,
            c.submissions,
            c.snapshots,
            c.published_version,
            self.media_files
        )?;
        if let Some(aside) = &self.set_aside {
            write!(
                f,
                "; the data it replaced is in {} (delete it when satisfied)",
                aside.display()
            )?;
        }
        Ok(())
    }
}

/// Backs up the data folder `data_dir` into the new folder `to` (which must not exist or be
/// empty), while a server may be using `data_dir`.
pub async fn backup(data_dir: &Path, to: &Path) -> Result<BackupReport, Error> {
    if fs::read_dir(to).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(Error::Conflict(format!(
            "{} is not empty; back up into a new folder",
            to.display()
        )));
    }
    let staging = sibling(to, "partial")?;
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    create_dir_durably(&staging)?;
    let outcome = write_backup(data_dir, to, &staging).await;
    if outcome.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    outcome
}

async fn write_backup(data_dir: &Path, to: &Path, staging: &Path) -> Result<BackupReport, Error> {
    let live = Store::open_read_only(data_dir).await?;
    let copied = live.vacuum_into(&staging.join(DATABASE_FILE)).await;
    live.close().await;
    copied?;

    // The copy is ours: open it to read what it refers to (and to drop the rows of
    // unreferenced files the live sweep may delete before we copy them).
    let copy = Store::open_standalone(staging).await?;
    let outcome = copy_media(&copy, data_dir, staging).await;
    let counts = match outcome {
        Ok(_) => copy.backup_counts().await,
        Err(_) => Ok(BackupCounts::default()),
    };
    copy.close().await;
    let (media, vanished) = outcome?;
    let counts = counts?;
    for leftover in ["-wal", "-shm"] {
        let path = staging.join(format!("{DATABASE_FILE}{leftover}"));
        if path.exists() {
            return Err(Error::Internal(format!(
                "{} is still there after closing the copy",
                path.display()
            )));
        }
    }

    let database = blocking_digest(staging.join(DATABASE_FILE)).await?;
    let manifest = Manifest {
        format: FORMAT,
        created_at: now_text(),
        source: data_dir.display().to_string(),
        database: FileEntry {
            file: DATABASE_FILE.to_owned(),
            byte_size: database.0,
            sha256: database.1,
        },
        counts: counts.clone(),
        media,
    };
    let staging_owned = staging.to_path_buf();
    let to_owned = to.to_path_buf();
    let manifest_owned = manifest.clone();
    tokio::task::spawn_blocking(move || -> Result<(), Error> {
        write_durably(
            &staging_owned.join(MANIFEST_FILE),
            &serde_json::to_vec_pretty(&manifest_owned)?,
        )?;
        let database = fs::File::open(staging_owned.join(DATABASE_FILE))?;
        database.sync_all()?;
        sync_dir(&staging_owned)?;
        if to_owned.is_dir() {
            fs::remove_dir(&to_owned)?;
        }
        fs::rename(&staging_owned, &to_owned)?;
        sync_dir(parent_of(&to_owned))?;
        Ok(())
    })
    .await??;
    Ok(BackupReport {
        folder: to.to_path_buf(),
        counts,
        media_files: manifest.media.len(),
        media_bytes: manifest.media.iter().map(|m| m.byte_size).sum(),
        vanished,
    })
}

/// Copies every file the copied database has a row for into `<staging>/media`, checking its
/// hash; returns the entries and how many unreferenced files had vanished.
async fn copy_media(
    copy: &Store,
    data_dir: &Path,
    staging: &Path,
) -> Result<(Vec<MediaEntry>, usize), Error> {
    let rows = copy.media_inventory().await?;
    let source = MediaStore::new(data_dir.join(MEDIA_FOLDER));
    let target = MediaStore::new(staging.join(MEDIA_FOLDER));
    let mut entries = Vec::with_capacity(rows.len());
    let mut vanished = 0;
    for row in rows {
        let extension = extension_of(&row.content_type).ok_or_else(|| {
            Error::Internal(format!(
                "media {} has an unknown content type {:?}",
                row.sha256, row.content_type
            ))
        })?;
        let from = source.path_of(&row.sha256, extension);
        let to = target.path_of(&row.sha256, extension);
        let copied = tokio::task::spawn_blocking(move || copy_checked(&from, &to)).await??;
        match copied {
            Some((size, digest)) if digest == row.sha256 && size == row.byte_size => {
                entries.push(MediaEntry {
                    sha256: row.sha256,
                    extension: extension.to_owned(),
                    byte_size: size,
                });
            }
            Some((size, digest)) => {
                return Err(Error::Internal(format!(
                    "the stored file {} is damaged ({size} bytes hashing to {digest}, recorded {} bytes); nothing was backed up",
                    source.path_of(&row.sha256, extension).display(),
                    row.byte_size
                )));
            }
            None if copy.forget_unreferenced_media(&row.sha256).await? => vanished += 1,
            None => {
                return Err(Error::Internal(format!(
                    "the stored file {} is missing though the data refers to it; nothing was backed up",
                    source.path_of(&row.sha256, extension).display()
                )));
            }
        }
    }
    let target_root = target.root().to_path_buf();
    tokio::task::spawn_blocking(move || sync_tree(&target_root)).await??;
    Ok((entries, vanished))
}

/// Restores the backup in `from` into the data folder `data_dir`, which no server may be
/// using. Nothing in `data_dir` changes unless every check passes.
pub async fn restore(from: &Path, data_dir: &Path) -> Result<RestoreReport, Error> {
    let _owner = DataLock::acquire(data_dir, "restore")?;
    let manifest = read_manifest(from)?;
    let staging = data_dir.join(format!(".restore-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    create_dir_durably(&staging)?;
    let outcome = stage(from, &manifest, &staging).await;
    if let Err(error) = outcome {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }
    let data_dir = data_dir.to_path_buf();
    let set_aside = tokio::task::spawn_blocking(move || swap_in(&data_dir, &staging)).await??;
    Ok(RestoreReport {
        counts: manifest.counts.clone(),
        media_files: manifest.media.len(),
        set_aside,
    })
}

/// Reads and parses a backup's manifest.
pub fn read_manifest(from: &Path) -> Result<Manifest, Error> {
    let path = from.join(MANIFEST_FILE);
    let text = fs::read(&path).map_err(|error| {
        Error::BadRequest(format!(
            "{} is not a finished backup: cannot read {} ({error}); nothing was restored",
            from.display(),
            path.display()
        ))
    })?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|error| {
        Error::BadRequest(format!(
            "the backup manifest {} does not parse ({error}); nothing was restored",
            path.display()
        ))
    })?;
    if manifest.database.file != DATABASE_FILE {
        return Err(Error::BadRequest(format!(
            "the backup manifest {} names the database {:?}; a backup holds {DATABASE_FILE}",
            path.display(),
            manifest.database.file
        )));
    }
    if manifest.format != FORMAT {
        return Err(Error::BadRequest(format!(
            "the backup in {} has format {}; this build reads format {FORMAT}",
            from.display(),
            manifest.format
        )));
    }
    Ok(manifest)
}

/// Copies the backup into `staging`, checking every hash and size against the manifest,
/// then opens the staged database (bringing its schema up to date) and checks its integrity
/// and counts.
async fn stage(from: &Path, manifest: &Manifest, staging: &Path) -> Result<(), Error> {
    let mut problems = Vec::new();
    let database_from = from.join(&manifest.database.file);
    let database_to = staging.join(DATABASE_FILE);
    match tokio::task::spawn_blocking(move || copy_checked(&database_from, &database_to)).await?? {
        Some((size, digest))
            if size == manifest.database.byte_size && digest == manifest.database.sha256 => {}
        Some(_) => problems.push(format!(
            "the database {} does not match its hash",
            manifest.database.file
        )),
        None => problems.push(format!(
            "the database {} is missing",
            manifest.database.file
        )),
    }
    let source = MediaStore::new(from.join(MEDIA_FOLDER));
    let target = MediaStore::new(staging.join(MEDIA_FOLDER));
    for entry in &manifest.media {
        let valid = entry.sha256.len() == 64
            && entry.sha256.bytes().all(|b| b.is_ascii_hexdigit())
            && MediaStore::content_type_of(&entry.extension).is_some();
        if !valid {
            problems.push(format!("the manifest names a bad media file {entry:?}"));
            continue;
        }
        let from_path = source.path_of(&entry.sha256, &entry.extension);
        let to_path = target.path_of(&entry.sha256, &entry.extension);
        let shown = from_path.display().to_string();
        match tokio::task::spawn_blocking(move || copy_checked(&from_path, &to_path)).await?? {
            Some((size, digest)) if size == entry.byte_size && digest == entry.sha256 => {}
            Some((size, _)) => problems.push(format!(
                "{shown} does not match its hash ({size} bytes, {} expected)",
                entry.byte_size
            )),
            None => problems.push(format!("{shown} is missing")),
        }
    }
    if !problems.is_empty() {
        return Err(damaged(from, &problems));
    }

    let store = Store::open_standalone(staging).await?;
    let integrity = store.integrity_check().await;
    let counts = store.backup_counts().await;
    store.close().await;
    let integrity = integrity?;
    if integrity != "ok" {
        problems.push(format!(
            "the database fails its integrity check: {integrity}"
        ));
    }
    let counts = counts?;
    if counts != manifest.counts {
        problems.push(format!(
            "the database holds {counts:?}, the manifest says {:?}",
            manifest.counts
        ));
    }
    if !problems.is_empty() {
        return Err(damaged(from, &problems));
    }
    let root = staging.to_path_buf();
    tokio::task::spawn_blocking(move || sync_tree(&root)).await??;
    Ok(())
}

fn damaged(from: &Path, problems: &[String]) -> Error {
    const SHOWN: usize = 5;
    let mut message = format!(
        "the backup in {} is damaged, nothing was restored: {} problem(s): {}",
        from.display(),
        problems.len(),
        problems[..problems.len().min(SHOWN)].join("; ")
    );
    if problems.len() > SHOWN {
        message.push_str("; ...");
    }
    Error::BadRequest(message)
}

/// Moves the current database and media into `.pre-restore-<time>` (when there are any) and
/// the staged ones into their place, then removes the staging folder.
fn swap_in(data_dir: &Path, staging: &Path) -> Result<Option<PathBuf>, Error> {
    let current: Vec<PathBuf> = [
        DATABASE_FILE.to_owned(),
        format!("{DATABASE_FILE}-wal"),
        format!("{DATABASE_FILE}-shm"),
        MEDIA_FOLDER.to_owned(),
    ]
    .into_iter()
    .map(|name| data_dir.join(name))
    .filter(|path| path.exists())
    .collect();
    let set_aside = if current.is_empty() {
        None
    } else {
        let aside = data_dir.join(format!(".pre-restore-{}", compact_time()));
        create_dir_durably(&aside)?;
        for path in &current {
            let name = path.file_name().expect("named in the data folder");
            fs::rename(path, aside.join(name))?;
        }
        sync_dir(&aside)?;
        Some(aside)
    };
    for entry in fs::read_dir(staging)? {
        let entry = entry?;
        fs::rename(entry.path(), data_dir.join(entry.file_name()))?;
    }
    sync_dir(data_dir)?;
    fs::remove_dir(staging)?;
    sync_dir(data_dir)?;
    Ok(set_aside)
}

/// Copies `from` to `to` (creating its folder), hashing the bytes as they go and fsyncing
/// the copy; `None` when `from` does not exist. Returns the size and SHA-256 copied.
fn copy_checked(from: &Path, to: &Path) -> io::Result<Option<(u64, String)>> {
    let mut source = match fs::File::open(from) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    if let Some(folder) = to.parent() {
        create_dir_durably(folder)?;
    }
    let mut target = fs::File::create(to)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = source.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        target.write_all(&buffer[..n])?;
        size += n as u64;
    }
    target.sync_all()?;
    Ok(Some((size, hex::encode(hasher.finalize()))))
}

/// Fsyncs a folder and every folder below it.
fn sync_tree(root: &Path) -> io::Result<()> {
    if !root.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    sync_dir(root)
}

fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

async fn blocking_digest(path: PathBuf) -> Result<(u64, String), Error> {
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || file_digest(&path))
        .await??
        .ok_or_else(|| Error::Internal(format!("{shown} vanished")))
}

/// `<parent>/.<name>.<suffix>-<pid>`: a folder beside `path` on the same file system.
pub(crate) fn sibling(path: &Path, suffix: &str) -> Result<PathBuf, Error> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::BadRequest(format!("{} names no folder", path.display())))?;
    Ok(parent_of(path).join(format!(
        ".{}.{suffix}-{}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

fn now_text() -> String {
    rfc3339_from_unix(unix_now())
}

/// The time as `YYYYMMDDTHHMMSSZ`, for folder names.
fn compact_time() -> String {
    now_text().replace(['-', ':'], "")
}
