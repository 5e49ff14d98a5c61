//! SQL of the `audit_log` table: one row per staff write, written in the same transaction as
//! the change it describes (callers pass a [`NewAudit`] to the write).

use serde::Serialize;
use sqlx::{Any, Executor, Row as _};

use super::{StaffSession, Store};
use crate::error::Error;
use crate::time::now_rfc3339;

/// One audit entry as listed.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub staff: String,
    pub action: String,
    pub target: String,
    /// The particulars of the change, as recorded.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// An entry to record: who did what to which target, with particulars.
#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    pub who: &'a StaffSession,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: serde_json::Value,
}

impl<'a> NewAudit<'a> {
    pub fn new(
        who: &'a StaffSession,
        action: &'a str,
        target: &'a str,
        detail: serde_json::Value,
    ) -> NewAudit<'a> {
        NewAudit {
            who,
            action,
            target,
            detail,
        }
    }
}

/// Inserts the entry through `executor` (a transaction, or the pool for a lone entry).
pub(super) async fn insert<'e>(
    executor: impl Executor<'e, Database = Any>,
    entry: &NewAudit<'_>,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, staff_id, staff_name, action, target, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now_rfc3339())
    .bind(entry.who.id)
    .bind(&entry.who.name)
    .bind(entry.action)
    .bind(entry.target)
    .bind(entry.detail.to_string())
    .execute(executor)
    .await?;
    Ok(())
}

/// The action of an audit entry for a failed staff sign-in.
pub const FAILED_SIGN_IN: &str = "sign_in_failed";

/// A failed staff sign-in as audited: the name tried, the account's id when the name exists
/// (the column is nullable), the client address and why it failed.
#[derive(Debug, Clone)]
pub struct FailedSignIn<'a> {
    pub staff_id: Option<i64>,
    pub name: &'a str,
    pub address: Option<std::net::IpAddr>,
    pub reason: &'a str,
}

impl Store {
    /// Records a failed sign-in; the name is cut to 64 characters, the longest a name can be.
    pub async fn record_failed_sign_in(&self, attempt: &FailedSignIn<'_>) -> Result<(), Error> {
        let name: String = attempt.name.chars().take(64).collect();
        let address = attempt.address.map(|a| a.to_string());
        sqlx::query(
            "INSERT INTO audit_log (at, staff_id, staff_name, action, target, detail)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(now_rfc3339())
        .bind(attempt.staff_id)
        .bind(&name)
        .bind(FAILED_SIGN_IN)
        .bind(&name)
        .bind(serde_json::json!({ "address": address, "reason": attempt.reason }).to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records an entry for a write no signed-in staff member made (a command-line import):
    /// `actor` names what made it; there is no account behind it.
    pub async fn record_audit_without_account(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO audit_log (at, staff_id, staff_name, action, target, detail)
             VALUES ($1, NULL, $2, $3, $4, $5)",
        )
        .bind(now_rfc3339())
        .bind(actor)
        .bind(action)
        .bind(target)
        .bind(detail.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records an entry on its own (for actions that change nothing else in the database).
    pub async fn record_audit(&self, entry: &NewAudit<'_>) -> Result<(), Error> {
        insert(&self.pool, entry).await
    }

    /// The newest entries first, at most `limit`, older than `before` when given.
    pub async fn audit_entries(
        &self,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<AuditEntry>, Error> {
        let rows = sqlx::query(
            "SELECT id, at, staff_name, action, target, detail FROM audit_log
             WHERE id < $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
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
}
