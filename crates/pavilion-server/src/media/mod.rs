//! Media: the booth art atlas pages (`atlas`), the content-addressed store (`store`: the local folder or an S3-compatible bucket, `s3`; hot files in memory: `hot`), the upload pipeline that checks every
//! file before it is stored (`ingest`), the renderer of logos and signage (`render`) and the
//! time and memory every check may use (`budget`).

pub mod atlas;
pub mod budget;
pub mod hot;
pub mod ingest;
pub mod render;
pub mod s3;
pub mod store;

pub use budget::CheckBudget;
pub use hot::{HotMedia, MediaBytes, RemoteMedia};
pub use render::{RenderError, Renderer, SignKind};
pub use store::{MediaName, MediaStore, StoredMedia};
