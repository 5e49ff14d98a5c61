//! The organisers' team: staff accounts, sign-in sessions and roles (`accounts`), and the
//! audit log of everything staff change (`audit`).

pub mod accounts;
pub mod audit;

pub use accounts::{Role, StaffAccount, StaffSession};
