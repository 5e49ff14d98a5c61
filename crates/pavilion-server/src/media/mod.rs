//! Media: the content-addressed file store (`store`), the upload pipeline that checks every
//! file before it is stored (`ingest`), and the renderer of logos and signage (`render`).

pub mod ingest;
pub mod render;
pub mod store;

pub use render::{RenderError, Renderer, SignKind};
pub use store::{MediaName, MediaStore, StoredMedia};
