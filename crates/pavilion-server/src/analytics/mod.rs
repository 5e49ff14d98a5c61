//! First-party visitor analytics: what the visitor page reports (booth visits, time spent,
//! media plays, brochure downloads, model views; `events`) and what exhibitors and staff read
//! back (`report`). Counts are kept per booth and UTC day only: nothing identifies a visitor,
//! and the caller's address is used for rate limiting in memory, never stored.

pub mod events;
pub mod report;

pub use events::{Event, EventBatch, EventKind, Recorded, record_events};
pub use report::{BoothStats, BoothTotal, DayStats, HallStats, Period, booth_stats, hall_stats};
