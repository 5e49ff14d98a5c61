//! The data folder's owner lock: one process at a time may serve or rewrite a data folder
//! (serve, import, restore). The lock is an OS file lock on `<data>/pavilion.lock`, so it is
//! released when its process ends however it ends (even `kill -9`); the file also names the
//! holder (pid and what it is doing) for the message another process gets.
//! Commands that only add rows (staff, tokens, backups) do not take it: SQLite serialises them.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The lock file's name inside the data folder.
pub const LOCK_FILE: &str = "pavilion.lock";

/// Held while this process owns the data folder; dropping it releases the lock.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
    path: PathBuf,
}

impl DataLock {
    /// Takes the lock for `purpose` (for example "serve" or "import"), or says who holds it.
    pub fn acquire(data_dir: &Path, purpose: &str) -> Result<DataLock, Error> {
        fs::create_dir_all(data_dir)?;
        let path = data_dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let holder = if holder.is_empty() {
                    "another process".to_owned()
                } else {
                    holder.to_owned()
                };
                return Err(Error::Conflict(format!(
                    "the data folder {} is in use by {holder}; stop it first{}",
                    data_dir.display(),
                    if purpose == "import" {
                        ", or import through the running server (POST /api/v1/staff/import)"
                    } else {
                        ""
                    }
                )));
            }
            Err(TryLockError::Error(error)) => return Err(error.into()),
        }
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        writeln!(file, "`pavilion {purpose}` (pid {})", std::process::id())?;
        file.sync_all()?;
        Ok(DataLock { _file: file, path })
    }

    /// Where the lock file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_owner_is_refused_with_the_holder_named_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataLock::acquire(dir.path(), "serve").unwrap();
        let refused = DataLock::acquire(dir.path(), "import").unwrap_err();
        let message = refused.to_string();
        assert!(message.contains("`pavilion serve`"), "{message}");
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );
        assert!(message.contains("POST /api/v1/staff/import"), "{message}");
        drop(first);
        let again = DataLock::acquire(dir.path(), "import").unwrap();
        assert!(again.path().ends_with(LOCK_FILE));
    }
}
