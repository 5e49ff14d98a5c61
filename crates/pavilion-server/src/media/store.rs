//! Content-addressed media behind one interface with two backends: the local folder (the
//! default: `<root>/<first two hex>/<sha256>.<ext>`, written through a temp file that is
//! fsynced and renamed, so a crash never leaves a half file under its name) and an
//! S3-compatible bucket (objects `<sha256>.<ext>`, each written by one PUT, which S3 makes
//! visible only once complete). Either way uploads stream into the local `.incoming` folder
//! and are checked there before they are stored.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use sha2::{Digest as _, Sha256};

use super::hot::{self, HotMedia, MediaBytes, RemoteMedia};
use super::s3::{self, S3Bucket};

/// The media kinds the store accepts, by file extension. SVG is never among them: it is
/// rasterised on the way in.
const KINDS: [(&str, &str); 7] = [
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("webp", "image/webp"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("pdf", "application/pdf"),
    ("glb", "model/gltf-binary"),
];

/// Where uploads stream to before they are checked; inside the media root so the final
/// rename stays on one file system.
const INCOMING_FOLDER: &str = ".incoming";
/// How the temp file of a store write inside a shard folder starts.
const TEMP_PREFIX: &str = ".incoming-";

/// A stored file: what the database records and what the URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMedia {
    pub sha256: String,
    pub extension: &'static str,
    pub content_type: &'static str,
    pub byte_size: u64,
}

impl StoredMedia {
    /// The public URL the media is served under.
    pub fn url(&self) -> String {
        format!("/media/{}.{}", self.sha256, self.extension)
    }
}

/// A validated media file name from a URL: 64 lowercase hex digits, a dot and a known extension.
/// Nothing else parses, so a name can never walk out of the media folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaName {
    pub sha256: String,
    pub extension: &'static str,
    pub content_type: &'static str,
}

impl MediaName {
    pub fn parse(name: &str) -> Option<MediaName> {
        let (sha256, extension) = name.split_once('.')?;
        let is_hash = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !is_hash {
            return None;
        }
        let (extension, content_type) = kind_of(extension)?;
        Some(MediaName {
            sha256: sha256.to_owned(),
            extension,
            content_type,
        })
    }

    /// The strong ETag: the content hash, since the bytes can never change.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.sha256)
    }
}

/// The media store, with the hot files it serves kept in memory. `root` is the local media
/// folder: the store itself for the local backend, only the `.incoming` uploads for S3.
///
/// Every method but `open_for_serving` and `in_bucket` blocks (file IO, or a request to the
/// bucket run through [`s3::block_on`]): call them off the runtime, in `spawn_blocking`, as
/// every caller does.
#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
    hot: Arc<HotMedia>,
    backend: Backend,
}

/// Where stored media live.
#[derive(Debug, Clone)]
enum Backend {
    /// Files under the root folder.
    Local,
    /// Objects in an S3-compatible bucket.
    S3(Arc<S3Bucket>),
}

/// How many objects one listing page asks for (S3's own maximum).
const LIST_PAGE: u32 = 1000;

impl MediaStore {
    pub fn new(root: PathBuf) -> MediaStore {
        MediaStore::with_hot_cache(root, hot::DEFAULT_CAPACITY, hot::DEFAULT_MAX_FILE)
    }

    /// A store whose served files are cached up to `capacity` bytes, files of up to
    /// `max_file` bytes each.
    pub fn with_hot_cache(root: PathBuf, capacity: u64, max_file: u64) -> MediaStore {
        MediaStore {
            root,
            hot: Arc::new(HotMedia::new(capacity, max_file)),
            backend: Backend::Local,
        }
    }

    /// A store keeping media in an S3-compatible bucket, uploads streaming into
    /// `<root>/.incoming` first. Checks the bucket is there and the credentials are
    /// accepted.
    pub async fn in_bucket(root: PathBuf, bucket: S3Bucket) -> io::Result<MediaStore> {
        bucket.check().await?;
        Ok(MediaStore {
            backend: Backend::S3(Arc::new(bucket)),
            ..MediaStore::new(root)
        })
    }

    /// The bucket, when media live in one.
    pub fn bucket(&self) -> Option<&S3Bucket> {
        match &self.backend {
            Backend::Local => None,
            Backend::S3(bucket) => Some(bucket),
        }
    }

    /// Where media live, for messages.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Local => format!("the folder {}", self.root.display()),
            Backend::S3(bucket) => format!("the bucket {}", bucket.describe()),
        }
    }

    /// The memory cache of served files.
    pub fn hot(&self) -> &HotMedia {
        &self.hot
    }

    /// A file to serve: from memory when small (read and cached on first use), otherwise
    /// opened for streaming; `None` when it is not in the store. Callers decide beforehand
    /// whether the caller may see it.
    pub async fn open_for_serving(&self, name: &MediaName) -> io::Result<Option<MediaBytes>> {
        let key = format!("{}.{}", name.sha256, name.extension);
        if let Some(bytes) = self.hot.get(&key) {
            return Ok(Some(MediaBytes::Memory(bytes)));
        }
        let bucket = match &self.backend {
            Backend::Local => {
                return self
                    .hot
                    .open(&key, &self.path_of(&name.sha256, name.extension))
                    .await;
            }
            Backend::S3(bucket) => bucket,
        };
        let Some(info) = bucket.head(&key).await? else {
            return Ok(None);
        };
        if info.size > self.hot.max_file() {
            let remote = RemoteMedia {
                bucket: Arc::clone(bucket),
                key,
            };
            return Ok(Some(MediaBytes::Remote(remote, info.size)));
        }
        let Some(bytes) = bucket.get(&key).await? else {
            return Ok(None);
        };
        self.hot.insert(&key, bytes.clone());
        Ok(Some(MediaBytes::Memory(bytes)))
    }

    /// The local media folder (for S3, where uploads stream before they are stored).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether the store holds this file.
    pub fn contains(&self, sha256: &str, extension: &str) -> io::Result<bool> {
        match &self.backend {
            Backend::Local => Ok(self.path_of(sha256, extension).is_file()),
            Backend::S3(bucket) => {
                let key = format!("{sha256}.{extension}");
                Ok(s3::block_on(bucket.head(&key))??.is_some())
            }
        }
    }

    /// A stored file's bytes (blocking). A missing file is a `NotFound` error.
    pub fn read(&self, sha256: &str, extension: &str) -> io::Result<Vec<u8>> {
        match &self.backend {
            Backend::Local => fs::read(self.path_of(sha256, extension)),
            Backend::S3(bucket) => {
                let key = format!("{sha256}.{extension}");
                s3::block_on(bucket.get(&key))??
                    .map(|bytes| bytes.to_vec())
                    .ok_or_else(|| {
                        io::Error::new(
                            io::ErrorKind::NotFound,
                            format!("{key} is not in {}", bucket.describe()),
                        )
                    })
            }
        }
    }

    /// Copies a stored file to `to` (blocking, streamed); returns its size.
    pub fn copy_to(&self, sha256: &str, extension: &str, to: &Path) -> io::Result<u64> {
        match &self.backend {
            Backend::Local => fs::copy(self.path_of(sha256, extension), to),
            Backend::S3(bucket) => {
                let key = format!("{sha256}.{extension}");
                s3::block_on(bucket.download(&key, to))?
            }
        }
    }

    /// Deletes a stored file; `None` when it was gone already, else its size.
    pub fn remove(&self, file: &StoredFile) -> io::Result<Option<u64>> {
        match &self.backend {
            Backend::Local => remove_file(&self.path_of(&file.sha256, file.extension)),
            Backend::S3(bucket) => {
                let key = format!("{}.{}", file.sha256, file.extension);
                s3::block_on(bucket.delete(&key))??;
                Ok(Some(file.byte_size))
            }
        }
    }

    /// When the stored file was last written (or stored again), looked up afresh; `None`
    /// when it is gone.
    pub fn modified(&self, file: &StoredFile) -> io::Result<Option<SystemTime>> {
        match &self.backend {
            Backend::Local => match fs::metadata(self.path_of(&file.sha256, file.extension)) {
                Ok(metadata) => Ok(Some(metadata.modified()?)),
                Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(error) => Err(error),
            },
            Backend::S3(bucket) => {
                let key = format!("{}.{}", file.sha256, file.extension);
                Ok(s3::block_on(bucket.head(&key))??.map(|info| info.modified))
            }
        }
    }

    /// The local path of a file (the local backend's layout).
    pub fn path_of(&self, sha256: &str, extension: &str) -> PathBuf {
        self.root
            .join(&sha256[..2])
            .join(format!("{sha256}.{extension}"))
    }

    /// The folder uploads stream into (created on demand).
    pub fn incoming_dir(&self) -> PathBuf {
        self.root.join(INCOMING_FOLDER)
    }

    /// The content type the store serves files of this extension with.
    pub fn content_type_of(extension: &str) -> Option<&'static str> {
        kind_of(extension).map(|(_, content_type)| content_type)
    }

    /// Moves a finished upload (already written and synced, its hash computed while it
    /// streamed) under its hash; when the same bytes are stored already, the upload is
    /// simply dropped.
    pub fn put_file(
        &self,
        upload: tempfile::NamedTempFile,
        sha256: &str,
        extension: &str,
    ) -> io::Result<StoredMedia> {
        let (extension, content_type) = stored_kind(extension)?;
        let stored = StoredMedia {
            sha256: sha256.to_owned(),
            extension,
            content_type,
            byte_size: upload.as_file().metadata()?.len(),
        };
        if let Backend::S3(bucket) = &self.backend {
            // Stored again even when present: the PUT refreshes the object's time, as `touch`
            // does for a file, so a sweep deciding on old objects leaves it alone. The temp
            // file is removed when `upload` drops.
            let key = format!("{sha256}.{extension}");
            s3::block_on(bucket.put_file(&key, upload.path(), sha256))??;
            return Ok(stored);
        }
        let path = self.path_of(sha256, extension);
        if path.is_file() {
            touch(&path);
            return Ok(stored);
        }
        let folder = path.parent().expect("media paths have a folder");
        create_dir_durably(folder)?;
        upload.as_file().sync_all()?;
        upload.persist(&path).map_err(|error| error.error)?;
        // Make the rename itself durable.
        sync_dir(folder)?;
        Ok(stored)
    }

    /// Stores the bytes under their hash; storing the same bytes again writes nothing.
    pub fn put(&self, bytes: &[u8], extension: &str) -> io::Result<StoredMedia> {
        let (extension, content_type) = stored_kind(extension)?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        let stored = StoredMedia {
            byte_size: bytes.len() as u64,
            sha256,
            extension,
            content_type,
        };
        if let Backend::S3(bucket) = &self.backend {
            let key = format!("{}.{extension}", stored.sha256);
            let body = axum::body::Bytes::copy_from_slice(bytes);
            s3::block_on(bucket.put_bytes(&key, body, &stored.sha256))??;
            return Ok(stored);
        }
        let path = self.path_of(&stored.sha256, extension);
        if path.is_file() {
            touch(&path);
            return Ok(stored);
        }
        let folder = path.parent().expect("media paths have a folder");
        create_dir_durably(folder)?;
        // The temp file lives in the target folder so the rename is atomic; it is removed on
        // drop if anything fails before the rename.
        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(folder)?;
        temp.write_all(bytes)?;
        temp.as_file().sync_all()?;
        temp.persist(&path).map_err(|error| error.error)?;
        // Make the rename itself durable.
        sync_dir(folder)?;
        Ok(stored)
    }
}

/// A file in the store, as the sweep sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub extension: &'static str,
    /// Where it is, for messages: a path, or `s3://<bucket>/<key>`.
    pub location: String,
    pub byte_size: u64,
    pub modified: SystemTime,
}

impl MediaStore {
    /// Temp files of uploads and writes that never finished: everything in the incoming
    /// folder, and `.incoming-*` files in the shard folders, with when each was last written.
    pub fn temp_files(&self) -> io::Result<Vec<(PathBuf, SystemTime)>> {
        let mut found = Vec::new();
        let mut add = |entry: fs::DirEntry| -> io::Result<()> {
            let metadata = entry.metadata()?;
            if metadata.is_file() {
                found.push((entry.path(), metadata.modified()?));
            }
            Ok(())
        };
        for entry in read_dir_if_any(&self.incoming_dir())? {
            add(entry?)?;
        }
        for shard in self.shards()? {
            for entry in fs::read_dir(shard)? {
                let entry = entry?;
                if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                    add(entry)?;
                }
            }
        }
        Ok(found)
    }

    /// Every stored file whose name is a media name (`<sha256>.<ext>`) (blocking: a bucket
    /// is listed page by page).
    pub fn stored_files(&self) -> io::Result<Vec<StoredFile>> {
        if let Backend::S3(bucket) = &self.backend {
            let objects = s3::block_on(bucket.list_all(LIST_PAGE))??;
            return Ok(objects
                .into_iter()
                .filter_map(|object| {
                    let name = MediaName::parse(&object.key)?;
                    Some(StoredFile {
                        sha256: name.sha256,
                        extension: name.extension,
                        location: format!("s3://{}/{}", bucket.config().bucket, object.key),
                        byte_size: object.size,
                        modified: object.modified,
                    })
                })
                .collect());
        }
        let mut found = Vec::new();
        for shard in self.shards()? {
            for entry in fs::read_dir(shard)? {
                let entry = entry?;
                let Some(name) = MediaName::parse(&entry.file_name().to_string_lossy()) else {
                    continue;
                };
                let metadata = entry.metadata()?;
                found.push(StoredFile {
                    sha256: name.sha256,
                    extension: name.extension,
                    location: entry.path().display().to_string(),
                    byte_size: metadata.len(),
                    modified: metadata.modified()?,
                });
            }
        }
        Ok(found)
    }

    /// The two-hex-digit shard folders.
    fn shards(&self) -> io::Result<Vec<PathBuf>> {
        let mut shards = Vec::new();
        for entry in read_dir_if_any(&self.root)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.len() == 2
                && name.bytes().all(|b| b.is_ascii_hexdigit())
                && entry.file_type()?.is_dir()
            {
                shards.push(entry.path());
            }
        }
        Ok(shards)
    }
}

/// Fsyncs a folder, so the names created, renamed or removed in it survive a power loss
/// (a file's own fsync does not cover its directory entry). A no-op off Unix.
pub fn sync_dir(folder: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(folder)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

/// Creates a folder and any missing parents like `create_dir_all`, fsyncing the parent of
/// each folder it creates, so a new shard folder (and so every file renamed into it) is still
/// there after a power loss.
pub fn create_dir_durably(folder: &Path) -> io::Result<()> {
    if folder.is_dir() {
        return Ok(());
    }
    let parent = folder.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        create_dir_durably(parent)?;
    }
    match fs::create_dir(folder) {
        Ok(()) => match parent {
            Some(parent) => sync_dir(parent),
            None => Ok(()),
        },
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists && folder.is_dir() => Ok(()),
        Err(error) => Err(error),
    }
}

/// The extension the store keeps a file of this content type under.
pub fn extension_of(content_type: &str) -> Option<&'static str> {
    KINDS
        .into_iter()
        .find(|(_, kind)| *kind == content_type)
        .map(|(ext, _)| ext)
}

/// The entries of a folder; none when it does not exist (yet).
fn read_dir_if_any(dir: &Path) -> io::Result<Box<dyn Iterator<Item = io::Result<fs::DirEntry>>>> {
    match fs::read_dir(dir) {
        Ok(entries) => Ok(Box::new(entries)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Box::new(std::iter::empty())),
        Err(error) => Err(error),
    }
}

/// Removes a file; `None` when it was gone already, else its size.
pub fn remove_file(path: &Path) -> io::Result<Option<u64>> {
    let size = match fs::metadata(path) {
        Ok(metadata) => metadata.len(),
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    match fs::remove_file(path) {
        Ok(()) => Ok(Some(size)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// Marks a file stored again as fresh, so a sweep deciding on old files leaves it alone.
fn touch(path: &Path) {
    let touched = fs::File::options()
        .write(true)
        .open(path)
        .and_then(|file| file.set_modified(SystemTime::now()));
    if let Err(error) = touched {
        tracing::warn!(%error, path = %path.display(), "cannot refresh a stored file's time");
    }
}

/// The media hashes a text (a snapshot, a JSON list of booth media) names in `/media/<sha256>.`
/// URLs.
pub fn media_hashes_in(text: &str) -> impl Iterator<Item = &str> {
    const PREFIX: &str = "/media/";
    text.match_indices(PREFIX).filter_map(|(at, _)| {
        let hash = text.get(at + PREFIX.len()..at + PREFIX.len() + 64)?;
        let follows_dot = text.as_bytes().get(at + PREFIX.len() + 64) == Some(&b'.');
        (follows_dot
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then_some(hash)
    })
}

/// The canonical extension and content type of a kind the store keeps, by its extension.
fn kind_of(extension: &str) -> Option<(&'static str, &'static str)> {
    KINDS.into_iter().find(|(ext, _)| *ext == extension)
}

/// [`kind_of`], or the error the store's writers give for a kind it does not keep.
fn stored_kind(extension: &str) -> io::Result<(&'static str, &'static str)> {
    kind_of(extension)
        .ok_or_else(|| io::Error::other(format!("media of kind {extension:?} is not stored")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn names_parse_strictly() {
        let name = MediaName::parse(&format!("{HASH}.png")).unwrap();
        assert_eq!(name.content_type, "image/png");
        assert_eq!(name.etag(), format!("\"{HASH}\""));
        for bad in [
            format!("{HASH}.svg"),
            format!("{HASH}.html"),
            format!("{HASH}.png.png"),
            format!("{}.png", HASH.to_uppercase()),
            format!("{}.png", &HASH[..63]),
            format!("{}g.png", &HASH[..63]),
            format!("../{}.png", &HASH[3..]),
            "..%2F..%2Fetc%2Fpasswd".to_owned(),
            HASH.to_owned(),
            String::new(),
        ] {
            assert!(MediaName::parse(&bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn media_urls_are_found_in_any_text() {
        let text = format!(
            r#"{{"logo_url":"/media/{HASH}.png","x":"/media/{short}.png","y":"/media/{HASH}"}}"#,
            short = &HASH[..60]
        );
        assert_eq!(media_hashes_in(&text).collect::<Vec<_>>(), vec![HASH]);
    }

    #[test]
    fn temp_files_and_stored_files_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::new(dir.path().to_path_buf());
        assert!(store.temp_files().unwrap().is_empty(), "no folder yet");
        let stored = store.put(b"test", "png").unwrap();
        fs::create_dir_all(store.incoming_dir()).unwrap();
        fs::write(store.incoming_dir().join("upload-x"), b"half").unwrap();
        let shard = store.path_of(HASH, "png").parent().unwrap().to_path_buf();
        fs::write(shard.join(".incoming-y"), b"half").unwrap();
        assert_eq!(store.temp_files().unwrap().len(), 2);
        let files = store.stored_files().unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].sha256, stored.sha256);
        assert_eq!(files[0].byte_size, 4);
    }

    #[test]
    fn same_bytes_are_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::new(dir.path().to_path_buf());
        let first = store.put(b"test", "png").unwrap();
        let second = store.put(b"test", "png").unwrap();
        assert_eq!(first, second);
        assert_eq!(first.sha256, HASH);
        let path = store.path_of(HASH, "png");
        assert_eq!(fs::read(&path).unwrap(), b"test");
        let files: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(files.len(), 1, "no temp files left behind");
        assert!(store.put(b"x", "svg").is_err());
    }
}
