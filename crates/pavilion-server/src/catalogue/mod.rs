//! The seed catalogue under `exhibitors/`: reading and checking its folders (`read`) and
//! importing them into the store (`import`).

pub mod import;
pub mod read;

pub use import::{
    ImportActor, ImportConflict, ImportReport, PlacedBooth, arrange_layout_if_missing,
    audit_import, import_catalogue,
};
pub use read::{LOGO_FILE, read_catalogue};
