//! Hot media in memory: the bytes of recently served media files up to a size, bounded in
//! total bytes and evicting the least recently used. Files are content-addressed, so an
//! entry can never be stale; the cache decides nothing about who may see a file (the caller
//! checks that first).

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use tokio::io::AsyncReadExt as _;

use super::s3::S3Bucket;

/// Default bound on the bytes kept.
pub const DEFAULT_CAPACITY: u64 = 64 * 1024 * 1024;
/// Default largest file kept; bigger ones are streamed from disk.
pub const DEFAULT_MAX_FILE: u64 = 8 * 1024 * 1024;

/// A media file opened for serving.
#[derive(Debug)]
pub enum MediaBytes {
    /// The whole file, from memory (cheap to clone and slice).
    Memory(Bytes),
    /// A file too big for the cache, to stream, with its length.
    File(tokio::fs::File, u64),
    /// An object in the bucket too big for the cache, to stream by range, with its length.
    Remote(RemoteMedia, u64),
}

/// A stored object to stream from the bucket.
#[derive(Debug, Clone)]
pub struct RemoteMedia {
    pub(super) bucket: Arc<S3Bucket>,
    pub(super) key: String,
}

impl RemoteMedia {
    /// Bytes `start..=end`, streamed from the bucket (a ranged GET).
    pub async fn range(
        &self,
        start: u64,
        end: u64,
    ) -> io::Result<impl futures_util::Stream<Item = io::Result<Bytes>> + Send + use<>> {
        self.bucket.get_range(&self.key, start, end).await
    }
}

impl MediaBytes {
    pub fn len(&self) -> u64 {
        match self {
            MediaBytes::Memory(bytes) => bytes.len() as u64,
            MediaBytes::File(_, length) | MediaBytes::Remote(_, length) => *length,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The cache: a byte-bounded LRU of whole files, keyed by file name (`<sha256>.<ext>`).
#[derive(Debug)]
pub struct HotMedia {
    capacity: u64,
    max_file: u64,
    inner: Mutex<Lru>,
}

#[derive(Debug, Default)]
struct Lru {
    entries: HashMap<String, (Bytes, u64)>,
    /// Last use (a counter) to key, oldest first.
    order: BTreeMap<u64, String>,
    clock: u64,
    bytes: u64,
}

impl HotMedia {
    /// A cache keeping at most `capacity` bytes, of files of at most `max_file` bytes each
    /// (a capacity of 0 keeps nothing).
    pub fn new(capacity: u64, max_file: u64) -> HotMedia {
        HotMedia {
            capacity,
            max_file: max_file.min(capacity),
            inner: Mutex::new(Lru::default()),
        }
    }

    /// The largest file kept.
    pub fn max_file(&self) -> u64 {
        self.max_file
    }

    /// The bytes kept now.
    pub fn bytes(&self) -> u64 {
        self.lock().bytes
    }

    /// How many files are kept now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        // The map stays consistent at every step, so a panic elsewhere leaves it usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached bytes of `key`, marking them used.
    pub fn get(&self, key: &str) -> Option<Bytes> {
        let mut lru = self.lock();
        lru.clock += 1;
        let now = lru.clock;
        let (bytes, used) = lru.entries.get_mut(key)?;
        let bytes = bytes.clone();
        let before = std::mem::replace(used, now);
        if let Some(name) = lru.order.remove(&before) {
            lru.order.insert(now, name);
        }
        Some(bytes)
    }

    /// Keeps `bytes` under `key` when they fit, evicting the least recently used.
    pub fn insert(&self, key: &str, bytes: Bytes) {
        let size = bytes.len() as u64;
        if size > self.max_file {
            return;
        }
        let mut lru = self.lock();
        if lru.entries.contains_key(key) {
            return;
        }
        while lru.bytes + size > self.capacity {
            let Some((_, oldest)) = lru.order.pop_first() else {
                break;
            };
            if let Some((evicted, _)) = lru.entries.remove(&oldest) {
                lru.bytes -= evicted.len() as u64;
            }
        }
        lru.clock += 1;
        let now = lru.clock;
        lru.order.insert(now, key.to_owned());
        lru.entries.insert(key.to_owned(), (bytes, now));
        lru.bytes += size;
    }

    /// The file at `path` (named `key`): from memory when cached, otherwise read and cached
    /// when small enough, otherwise opened for streaming. `None` when there is no such file.
    pub async fn open(&self, key: &str, path: &Path) -> io::Result<Option<MediaBytes>> {
        if let Some(bytes) = self.get(key) {
            return Ok(Some(MediaBytes::Memory(bytes)));
        }
        let mut file = match tokio::fs::File::open(path).await {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let length = file.metadata().await?.len();
        if length > self.max_file {
            return Ok(Some(MediaBytes::File(file, length)));
        }
        let mut buffer = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
        file.read_to_end(&mut buffer).await?;
        let bytes = Bytes::from(buffer);
        self.insert(key, bytes.clone());
        Ok(Some(MediaBytes::Memory(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: usize, fill: u8) -> Bytes {
        Bytes::from(vec![fill; n])
    }

    #[test]
    fn the_cache_stays_within_its_bytes_and_evicts_the_least_recently_used() {
        let hot = HotMedia::new(100, 60);
        hot.insert("a", bytes(40, 1));
        hot.insert("b", bytes(40, 2));
        assert_eq!(hot.bytes(), 80);
        // Using a makes b the oldest.
        assert_eq!(hot.get("a").unwrap()[0], 1);
        hot.insert("c", bytes(40, 3));
        assert!(hot.bytes() <= 100);
        assert!(hot.get("b").is_none());
        assert!(hot.get("a").is_some() && hot.get("c").is_some());
        // Too big for one entry: never kept, nothing evicted for it.
        hot.insert("d", bytes(61, 4));
        assert!(hot.get("d").is_none());
        assert_eq!(hot.len(), 2);
        for n in 0..50 {
            hot.insert(&format!("k{n}"), bytes(7 + n % 13, 5));
            assert!(hot.bytes() <= 100, "{}", hot.bytes());
        }
    }

    #[test]
    fn a_capacity_of_zero_keeps_nothing() {
        let hot = HotMedia::new(0, DEFAULT_MAX_FILE);
        hot.insert("a", bytes(1, 1));
        assert!(hot.is_empty());
    }

    #[tokio::test]
    async fn small_files_are_read_once_and_big_ones_streamed() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small");
        let big = dir.path().join("big");
        std::fs::write(&small, vec![7u8; 10]).unwrap();
        std::fs::write(&big, vec![8u8; 100]).unwrap();
        let hot = HotMedia::new(1000, 50);
        let Some(MediaBytes::Memory(first)) = hot.open("small", &small).await.unwrap() else {
            panic!("a small file comes from memory");
        };
        assert_eq!(&first[..], &[7u8; 10]);
        // Served from memory once cached, even if the file is gone.
        std::fs::remove_file(&small).unwrap();
        assert!(matches!(
            hot.open("small", &small).await.unwrap(),
            Some(MediaBytes::Memory(_))
        ));
        let Some(MediaBytes::File(_, length)) = hot.open("big", &big).await.unwrap() else {
            panic!("a big file is streamed");
        };
        assert_eq!(length, 100);
        assert!(hot.get("big").is_none());
        assert!(
            hot.open("missing", &dir.path().join("missing"))
                .await
                .unwrap()
                .is_none()
        );
    }
}
