//! Large bodies kept in memory with an unnamed file of the same bytes (in the system's
//! temporary folder, deleted at creation), so that the connection writer
//! (`http/zero_copy.rs`) can send them with `sendfile` from the file's page cache instead of
//! copying them from our memory into the socket. Not a `memfd`: sending from shared memory
//! takes a reference per 4 KiB page, which cost as much as the copy (BENCHMARKS.md). Used for
//! the published documents; media are copied, which measured as fast for ranges and faster
//! for whole files of a megabyte (BENCHMARKS.md).
//!
//! A registration maps the body's memory addresses to its file and holds the body alive, so
//! its addresses cannot be reused while it is registered; once the last owner drops it, the
//! registration goes and slices of the old body still in flight are simply written.
//! Elsewhere than Linux nothing is mirrored.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use axum::body::Bytes;

/// Bodies and slices shorter than this are not sent from files by default: for them the
/// `sendfile` set-up (and the head sent on its own) costs more than the copy. Measured with
/// the serving bench at 1,000 exhibitors: from 16 KiB the 24 and 30 KB compressed manifests
/// lost about 5% against one copying write; the 90 and 127 KB ones gained 10 to 25%.
pub const MIN_MIRRORED: usize = 64 * 1024;

/// The length from which bodies are mirrored, [`MIN_MIRRORED`] unless changed.
static MIRROR_FROM: AtomicUsize = AtomicUsize::new(MIN_MIRRORED);

/// Mirrors bodies of at least `len` bytes from now on, and sends slices of at least `len`
/// from their files (at least one byte). Bodies made before keep what they had. For tests,
/// whose documents are small, and for tuning.
pub fn mirror_from(len: usize) {
    MIRROR_FROM.store(len.max(1), Ordering::Relaxed);
}

fn long_enough(len: usize) -> bool {
    len >= MIRROR_FROM.load(Ordering::Relaxed)
}

/// A body in memory with, on Linux, a file of the same bytes registered while this value
/// lives. Clone the body with [`MirroredBytes::bytes`].
#[derive(Debug)]
pub struct MirroredBytes {
    bytes: Bytes,
    /// The registered file (to remove the registration on drop), if one was made.
    registered: Option<Arc<MirrorFile>>,
}

impl MirroredBytes {
    /// Mirrors `bytes` into a new unnamed file when they are at least [`mirror_from`] long
    /// and the system has `sendfile`; otherwise (or if making the file fails) keeps them
    /// unmirrored, which only costs speed. Writes the file: call it off the async threads
    /// for big bodies.
    pub fn new(bytes: Bytes) -> MirroredBytes {
        let registered = long_enough(bytes.len())
            .then(|| platform::file_of(&bytes))
            .and_then(|made| {
                made.inspect_err(|error| {
                    tracing::warn!(%error, "cannot mirror a body into a file; it will be copied");
                })
                .ok()
            })
            .and_then(|file| {
                let file = Arc::new(file);
                let mut mirrors = mirrors_mut();
                let start = bytes.as_ptr() as usize;
                // The same memory mirrored twice (clones of one body) keeps its first file.
                if mirrors.contains_key(&start) {
                    return None;
                }
                let mirror = Mirror {
                    len: bytes.len(),
                    file: Arc::clone(&file),
                };
                mirrors.insert(start, mirror);
                Some(file)
            });
        MirroredBytes { bytes, registered }
    }

    /// The body, sharing its memory (so that writes of it are recognised).
    pub fn bytes(&self) -> Bytes {
        self.bytes.clone()
    }

    /// Whether the body has a file registered now (false off Linux and for short bodies).
    pub fn is_mirrored(&self) -> bool {
        self.registered.is_some()
    }
}

impl Drop for MirroredBytes {
    fn drop(&mut self) {
        if let Some(file) = &self.registered {
            let start = self.bytes.as_ptr() as usize;
            let mut mirrors = mirrors_mut();
            if mirrors
                .get(&start)
                .is_some_and(|mirror| Arc::ptr_eq(&mirror.file, file))
            {
                mirrors.remove(&start);
            }
        }
    }
}

/// The file holding a body: a file descriptor on Linux, nothing elsewhere.
pub type MirrorFile = platform::File;

/// Where a slice of a mirrored body is in its file.
pub struct FileSlice {
    pub file: Arc<MirrorFile>,
    pub offset: u64,
    /// How many of the slice's bytes the file holds from `offset` (all of them, unless the
    /// slice runs past the body's end).
    pub len: usize,
}

/// One registered body, under the address where its memory starts: its length and file.
struct Mirror {
    len: usize,
    file: Arc<MirrorFile>,
}

/// The registered bodies by start address (the published documents in every coding, and
/// earlier ones while answers of them are in flight).
static MIRRORS: RwLock<BTreeMap<usize, Mirror>> = RwLock::new(BTreeMap::new());

fn mirrors_mut() -> std::sync::RwLockWriteGuard<'static, BTreeMap<usize, Mirror>> {
    MIRRORS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Where `slice` is in a file, when it lies in a registered body and is long enough to be
/// worth sending from there (see [`MIN_MIRRORED`]).
pub fn lookup(slice: &[u8]) -> Option<FileSlice> {
    if !long_enough(slice.len()) {
        return None;
    }
    let address = slice.as_ptr() as usize;
    let mirrors = MIRRORS
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let (&start, mirror) = mirrors.range(..=address).next_back()?;
    let offset = address - start;
    (offset < mirror.len).then(|| FileSlice {
        file: Arc::clone(&mirror.file),
        offset: offset as u64,
        len: slice.len().min(mirror.len - offset),
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

    #[derive(Debug)]
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
    fn long_slices_of_a_mirrored_body_are_found_until_it_is_dropped() {
        let body = Bytes::from(vec![7u8; MIN_MIRRORED * 3]);
        let mirrored = MirroredBytes::new(body.clone());
        assert_eq!(mirrored.is_mirrored(), cfg!(target_os = "linux"));
        if cfg!(target_os = "linux") {
            let found = lookup(&body[100..100 + MIN_MIRRORED]).expect("inside the body");
            assert_eq!((found.offset, found.len), (100, MIN_MIRRORED));
            let found = lookup(&body[MIN_MIRRORED..]).expect("its tail");
            assert_eq!(
                (found.offset, found.len),
                (MIN_MIRRORED as u64, 2 * MIN_MIRRORED)
            );
        }
        // Short slices are cheaper copied, even from a mirrored body.
        assert!(lookup(&body[100..200]).is_none());
        assert!(lookup(&[1, 2, 3]).is_none());
        assert!(lookup(&body[..0]).is_none());
        drop(mirrored);
        assert!(lookup(&body[100..100 + MIN_MIRRORED]).is_none());
    }

    #[test]
    fn short_bodies_are_not_mirrored() {
        let body = Bytes::from(vec![1u8; MIN_MIRRORED - 1]);
        let mirrored = MirroredBytes::new(body.clone());
        assert!(!mirrored.is_mirrored());
        assert!(lookup(&body).is_none());
    }

    #[test]
    fn the_same_memory_is_registered_once() {
        let body = Bytes::from((0..MIN_MIRRORED * 2).map(|n| n as u8).collect::<Vec<_>>());
        let mirrored = MirroredBytes::new(body.clone());
        assert_eq!(mirrored.is_mirrored(), cfg!(target_os = "linux"));
        // A clone of the same memory is not registered again, and dropping it leaves the
        // first registration in place.
        let again = MirroredBytes::new(body.clone());
        assert!(!again.is_mirrored());
        drop(again);
        assert_eq!(lookup(&body[5..]).is_some(), cfg!(target_os = "linux"));
        drop(mirrored);
        assert!(lookup(&body[5..]).is_none());
    }
}
