//! One module per area of the API, each exposing `router()`; `http::app` merges them.

pub mod analytics;
pub mod contest;
pub mod exhibitors;
pub mod hall;
pub mod health;
pub mod leads;
pub mod me;
pub mod media;
pub mod programme;
pub mod staff_contest;
pub mod staff_import;
pub mod staff_layout;
pub mod staff_programme;
pub mod staff_publish;
pub mod staff_review;
pub mod staff_sessions;
pub mod web;
