//! Large bodies kept in memory with a copy in an unnamed file (deleted at creation, in the
//! system's temporary folder), so that the connection writer (`http/zero_copy.rs`) can send
//! them with `sendfile` from the file's page cache instead of copying them from our memory
//! into the socket. A disk-backed file, not a `memfd`: sending from shared memory takes a
//! reference per 4 KiB page, which cost as much as the copy (BENCHMARKS.md).
//!
//! A registration maps the body's memory addresses to its file and holds the body alive, so
//! its addresses cannot be reused while it is registered; once the last owner drops it, the
//! registration goes and slices of the old body still in flight are simply written.
//! Elsewhere than Linux nothing is mirrored.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use axum::body::Bytes;

/// Bodies shorter than this are not mirrored by default: for them the `sendfile` set-up
/// (and the head sent on its own) costs more than the copy. Measured with the serving bench
/// at 1,000 exhibitors: from 16 KiB the 24 and 30 KB compressed manifests lost about 5%
/// against one copying write; the 90 and 127 KB ones gained 10 to 25%.
pub const MIN_MIRRORED: usize = 64 * 1024;

/// The length from which bodies are mirrored, [`MIN_MIRRORED`] unless changed.
static MIRROR_FROM: AtomicUsize = AtomicUsize::new(MIN_MIRRORED);

/// Mirrors bodies of at least `len` bytes from now on (at least one byte). Bodies made
/// before keep what they had. For tests, whose documents are small, and for tuning.
pub fn mirror_from(len: usize) {
    MIRROR_FROM.store(len.max(1), Ordering::Relaxed);
}

/// A body in memory with, on Linux, a file of the same bytes registered while this value
/// lives. Clone the body with [`MirroredBytes::bytes`].
#[derive(Debug)]
pub struct MirroredBytes {
    bytes: Bytes,
    /// Whether a registration was made (and must be removed on drop).
    registered: bool,
}

impl MirroredBytes {
    /// Mirrors `bytes` when they are at least [`mirror_from`] long and the system has
    /// `sendfile`; otherwise (or if making the file fails) keeps them unmirrored, which
    /// only costs speed.
    pub fn new(bytes: Bytes) -> MirroredBytes {
        let registered = bytes.len() >= MIRROR_FROM.load(Ordering::Relaxed)
            && match platform::file_of(&bytes) {
                Ok(file) => {
                    let mirror = Mirror {
                        start: bytes.as_ptr() as usize,
                        len: bytes.len(),
                        file: Arc::new(file),
                    };
                    mirrors_mut().push(mirror);
                    true
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot mirror a body into a file; it will be copied");
                    false
                }
            };
        MirroredBytes { bytes, registered }
    }

    /// The body, sharing its memory (so that writes of it are recognised).
    pub fn bytes(&self) -> Bytes {
        self.bytes.clone()
    }
}

impl Drop for MirroredBytes {
    fn drop(&mut self) {
        if self.registered {
            let start = self.bytes.as_ptr() as usize;
            mirrors_mut().retain(|mirror| mirror.start != start);
        }
    }
}

/// The file holding a body: an unnamed file on Linux, nothing elsewhere.
pub type MirrorFile = platform::File;

/// Where a slice of a mirrored body is in its file.
pub struct FileSlice {
    pub file: Arc<MirrorFile>,
    pub offset: u64,
    /// How many of the slice's bytes the file holds from `offset` (all of them, unless the
    /// slice runs past the body's end).
    pub len: usize,
}

/// One registered body: where its memory starts, its length and its file.
struct Mirror {
    start: usize,
    len: usize,
    file: Arc<MirrorFile>,
}

/// The registered bodies: a few published documents, so a list scanned per write is cheap.
static MIRRORS: RwLock<Vec<Mirror>> = RwLock::new(Vec::new());

fn mirrors_mut() -> std::sync::RwLockWriteGuard<'static, Vec<Mirror>> {
    MIRRORS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Where `slice` is in a file, when it lies in a registered body.
pub fn lookup(slice: &[u8]) -> Option<FileSlice> {
    if slice.is_empty() {
        return None;
    }
    let address = slice.as_ptr() as usize;
    let mirrors = MIRRORS
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    mirrors
        .iter()
        .find(|m| address >= m.start && address < m.start + m.len)
        .map(|m| {
            let offset = address - m.start;
            FileSlice {
                file: Arc::clone(&m.file),
                offset: offset as u64,
                len: slice.len().min(m.len - offset),
            }
        })
}

#[cfg(target_os = "linux")]
mod platform {
    //! Linux: an unnamed temporary file.

    use std::io::{self, Write as _};
    use std::os::fd::OwnedFd;

    pub type File = OwnedFd;

    /// An unnamed file holding `bytes`.
    pub fn file_of(bytes: &[u8]) -> io::Result<File> {
        let mut file = tempfile::tempfile()?;
        file.write_all(bytes)?;
        Ok(OwnedFd::from(file))
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    //! Elsewhere: no `sendfile` here, so nothing is mirrored.

    use std::io;

    pub enum File {}

    pub fn file_of(_bytes: &[u8]) -> io::Result<File> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "zero-copy sending is Linux only",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_of_a_mirrored_body_are_found_until_it_is_dropped() {
        let body = Bytes::from(vec![7u8; MIN_MIRRORED * 2]);
        let mirrored = MirroredBytes::new(body.clone());
        if cfg!(target_os = "linux") {
            let found = lookup(&body[100..200]).expect("inside the body");
            assert_eq!((found.offset, found.len), (100, 100));
            let found = lookup(&body[MIN_MIRRORED..]).expect("its tail");
            assert_eq!(
                (found.offset, found.len),
                (MIN_MIRRORED as u64, MIN_MIRRORED)
            );
        }
        assert!(lookup(&[1, 2, 3]).is_none());
        assert!(lookup(&body[..0]).is_none());
        drop(mirrored);
        assert!(lookup(&body[100..200]).is_none());
    }

    #[test]
    fn short_bodies_are_not_mirrored() {
        let body = Bytes::from(vec![1u8; MIN_MIRRORED - 1]);
        let _mirrored = MirroredBytes::new(body.clone());
        assert!(lookup(&body).is_none());
    }
}
