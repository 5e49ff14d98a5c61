//! The audit log as staff read it: one entry per staff write (who, what, on what, when, with
//! particulars). Writes record their entry in their own transaction through `db::NewAudit`;
//! actions that change nothing else in the database (sign-in, token issue) use [`record`].

pub use crate::db::{AuditEntry, NewAudit};
use crate::db::{StaffSession, Store};
use crate::error::Error;

/// Records that `who` did `action` to `target`.
pub async fn record(
    store: &Store,
    who: &StaffSession,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> Result<(), Error> {
    store
        .record_audit(&NewAudit::new(who, action, target, detail))
        .await
}

/// The newest entries first, at most `limit`, older than `before` when given.
pub async fn list(
    store: &Store,
    limit: u32,
    before: Option<i64>,
) -> Result<Vec<AuditEntry>, Error> {
    store.audit_entries(limit, before).await
}
