//! Exhibitors' side of the hall: their API tokens (`tokens`), their booth content drafts,
//! media and submissions (`content`), and staff review of submissions (`review`).

pub mod content;
pub mod review;
pub mod tokens;
