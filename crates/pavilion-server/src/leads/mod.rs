//! Leads with consent: a visitor leaves a name, an e-mail address and a message for a booth
//! after ticking an explicit consent box (`intake`); the exhibitor reads them, exports them as
//! CSV safe to open in a spreadsheet (`export`) and deletes them on request; staff set how
//! long they are kept, and a sweep deletes older ones (`retention`).

pub mod export;
pub mod intake;
pub mod retention;

pub use export::leads_csv;
pub use intake::{
    Lead, LeadReceipt, MAX_LEADS_PER_BOOTH, NewLead, booth_leads, delete_lead, leave_lead,
};
pub use retention::{
    DEFAULT_RETENTION_DAYS, LeadPolicy, MAX_RETENTION_DAYS, policy, retention_days, set_retention,
    sweep_expired,
};
