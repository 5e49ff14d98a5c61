//! The organisers' team: staff accounts, sign-in sessions and roles (`accounts`), the
//! audit log of everything staff change (`audit`), and sign-in as the API offers it
//! (`sign_in`), throttled per name and address (`throttle`).

pub mod accounts;
pub mod audit;
pub mod sign_in;
pub mod throttle;

pub use accounts::{Role, StaffAccount, StaffSession};
