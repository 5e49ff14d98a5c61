//! Storage housekeeping: each booth's byte quota and one upload at a time per token
//! (`quota`), and the sweep that deletes media nothing refers to and the temp files of
//! uploads that never finished (`sweep`), the read-only data check (`check`), and online
//! backups with their restore (`backup`).

pub mod backup;
pub mod check;
pub mod quota;
pub mod sweep;

use std::time::Duration;

/// The media store's folder inside the data folder.
pub const MEDIA_FOLDER: &str = "media";

pub use quota::{UploadGate, UploadPermit};
pub use sweep::{SweepReport, sweep_orphans, sweep_temp_files};

/// The storage rules, from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageRules {
    /// Bytes of media one booth may store: its draft media plus uploads under way.
    pub booth_quota_bytes: u64,
    /// How long a file nothing refers to is kept before the sweep deletes it.
    pub orphan_grace: Duration,
    /// Time between two sweeps.
    pub sweep_interval: Duration,
}
