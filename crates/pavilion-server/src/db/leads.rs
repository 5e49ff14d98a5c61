//! SQL of the `leads` table (visitors' messages for booths, with the consent they gave) and
//! of `settings` (values staff set, such as how long leads are kept).

use sqlx::Row as _;

use super::{NewAudit, Store};
use crate::error::Error;

/// A lead as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadRow {
    pub id: i64,
    pub exhibitor: String,
    pub name: String,
    pub email: String,
    pub message: String,
    pub consent_statement: String,
    /// Seconds since the Unix epoch.
    pub received_at: i64,
}

/// A lead to store.
#[derive(Debug, Clone, Copy)]
pub struct NewLeadRow<'a> {
    pub exhibitor: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub message: &'a str,
    pub consent_statement: &'a str,
    pub received_at: i64,
}

impl Store {
    /// Stores a lead unless its booth already holds `cap`; returns its id, or `None` at the cap.
    pub async fn insert_lead(&self, lead: NewLeadRow<'_>, cap: i64) -> Result<Option<i64>, Error> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO leads (exhibitor, name, email, message, consent_statement, received_at)
             SELECT $1, $2, $3, $4, $5, $6
             WHERE (SELECT count(*) FROM leads WHERE exhibitor = $1) < $7
             RETURNING id",
        )
        .bind(lead.exhibitor)
        .bind(lead.name)
        .bind(lead.email)
        .bind(lead.message)
        .bind(lead.consent_statement)
        .bind(lead.received_at)
        .bind(cap)
        .fetch_optional(&self.pool)
        .await?;
        Ok(id)
    }

    /// One booth's leads, newest first.
    pub async fn leads(&self, exhibitor: &str) -> Result<Vec<LeadRow>, Error> {
        let rows = sqlx::query(
            "SELECT id, exhibitor, name, email, message, consent_statement, received_at
             FROM leads WHERE exhibitor = $1 ORDER BY id DESC",
        )
        .bind(exhibitor)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| LeadRow {
                id: row.get("id"),
                exhibitor: row.get("exhibitor"),
                name: row.get("name"),
                email: row.get("email"),
                message: row.get("message"),
                consent_statement: row.get("consent_statement"),
                received_at: row.get("received_at"),
            })
            .collect())
    }

    /// Deletes lead `id` if it belongs to `exhibitor`; false when there is no such lead.
    pub async fn delete_lead(&self, exhibitor: &str, id: i64) -> Result<bool, Error> {
        let deleted = sqlx::query("DELETE FROM leads WHERE id = $1 AND exhibitor = $2")
            .bind(id)
            .bind(exhibitor)
            .execute(&self.pool)
            .await?;
        Ok(deleted.rows_affected() == 1)
    }

    /// Deletes every lead received before `cutoff` (seconds since the Unix epoch); returns
    /// how many.
    pub async fn delete_leads_before(&self, cutoff: i64) -> Result<u64, Error> {
        let deleted = sqlx::query("DELETE FROM leads WHERE received_at < $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await?;
        Ok(deleted.rows_affected())
    }

    /// The value of a setting, if it was ever set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Sets a setting and records the audit entry, in one transaction.
    pub async fn set_setting(
        &self,
        key: &str,
        value: &str,
        audit: &NewAudit<'_>,
    ) -> Result<(), Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
        super::audit::insert(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
