//! Exhibitors' side of the hall: their API tokens (`tokens`), their booth content drafts,
//! media and submissions (`content`), staff review of submissions (`review`), and who may see
//! media not yet published (`visibility`).

pub mod content;
pub mod review;
pub mod tokens;
pub mod visibility;
