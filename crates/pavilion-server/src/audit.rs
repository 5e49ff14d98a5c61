//! The audit log: one row per staff write (who, what, on what, when, with particulars),
//! written in the same transaction as the change it describes.

use serde::Serialize;
use sqlx::{Row as _, SqliteExecutor};

use crate::auth::staff::StaffSession;
use crate::error::Error;
use crate::store::Store;
use crate::time::now_rfc3339;

/// One audit entry as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub staff: String,
    pub action: String,
    pub target: String,
    pub detail: serde_json::Value,
}

/// Records that `who` did `action` to `target`.
pub async fn record<'e>(
    executor: impl SqliteExecutor<'e>,
    who: &StaffSession,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, staff_id, staff_name, action, target, detail)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(now_rfc3339())
    .bind(who.id)
    .bind(&who.name)
    .bind(action)
    .bind(target)
    .bind(detail.to_string())
    .execute(executor)
    .await?;
    Ok(())
}

/// The newest entries first, at most `limit`, older than `before` when given.
pub async fn list(
    store: &Store,
    limit: u32,
    before: Option<i64>,
) -> Result<Vec<AuditEntry>, Error> {
    let rows = sqlx::query(
        "SELECT id, at, staff_name, action, target, detail FROM audit_log
         WHERE id < ? ORDER BY id DESC LIMIT ?",
    )
    .bind(before.unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| AuditEntry {
            id: row.get("id"),
            at: row.get("at"),
            staff: row.get("staff_name"),
            action: row.get("action"),
            target: row.get("target"),
            detail: serde_json::from_str(row.get("detail")).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}
