//! The seed catalogue under `exhibitors/`: reading and checking its folders (`read`) and
//! importing them into the store (`import`).

pub mod import;
pub mod read;

pub use import::{ImportReport, arrange_layout_if_needed, import_catalogue};
pub use read::{LOGO_FILE, read_catalogue};
