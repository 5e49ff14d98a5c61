//! Authentication: who is calling. One module per kind of caller (`staff` for the curation
//! team's sign-in sessions); each provides the axum extractors its routes use.

pub mod exhibitor;
pub mod staff;
