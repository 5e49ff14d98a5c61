//! How long leads are kept: a number of days staff set (the `lead_retention_days` setting,
//! 90 until set), the consent statement visitors agree to (which names it), and the sweep that
//! deletes leads older than that, run at start-up, periodically and whenever the period changes.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{NewAudit, StaffSession, Store};
use crate::error::Error;

const SETTING: &str = "lead_retention_days";
/// Days leads are kept until staff say otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
/// The longest retention staff may set (two years).
pub const MAX_RETENTION_DAYS: u32 = 730;
const DAY: i64 = 86_400;

/// What a visitor agrees to when leaving a message, and for how long it is kept.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeadPolicy {
    /// Days a lead is kept before it is deleted (unless the exhibitor deletes it sooner).
    pub retention_days: u32,
    /// The sentence the visitor's consent box stands for, naming the retention.
    pub consent_statement: String,
}

/// Days leads are kept now.
pub async fn retention_days(store: &Store) -> Result<u32, Error> {
    let Some(value) = store.setting(SETTING).await? else {
        return Ok(DEFAULT_RETENTION_DAYS);
    };
    value
        .parse()
        .map_err(|_| Error::Internal(format!("the stored {SETTING} {value:?} is not a number")))
}

/// The consent statement for a retention of `days`.
pub fn consent_statement(days: u32) -> String {
    format!(
        "I agree that my name, e-mail address and message are sent to this exhibitor so that they can answer me. They are kept for {days} days at most, then deleted; I can ask the exhibitor to delete them sooner. They are not used for anything else."
    )
}

/// The retention now and the statement a visitor agrees to.
pub async fn policy(store: &Store) -> Result<LeadPolicy, Error> {
    let days = retention_days(store).await?;
    Ok(LeadPolicy {
        retention_days: days,
        consent_statement: consent_statement(days),
    })
}

/// Sets the retention to `days` (1 to 730), audited as `who`, and deletes the leads it has
/// made too old as of `now`; returns how many were deleted.
pub async fn set_retention(
    store: &Store,
    days: u32,
    who: &StaffSession,
    now: i64,
) -> Result<u64, Error> {
    if !(1..=MAX_RETENTION_DAYS).contains(&days) {
        return Err(Error::InvalidFields(vec![pavilion_model::FieldError {
            field: "retention_days".into(),
            message: format!("keep leads for 1 to {MAX_RETENTION_DAYS} days, not {days}"),
        }]));
    }
    let audit = NewAudit::new(
        who,
        "set_lead_retention",
        "leads",
        serde_json::json!({ "retention_days": days }),
    );
    store
        .set_setting(SETTING, &days.to_string(), &audit)
        .await?;
    sweep_expired(store, now).await
}

/// Deletes the leads older than the retention as of `now` (seconds since the Unix epoch);
/// returns how many.
pub async fn sweep_expired(store: &Store, now: i64) -> Result<u64, Error> {
    let days = retention_days(store).await?;
    let deleted = store
        .delete_leads_before(now - i64::from(days) * DAY)
        .await?;
    if deleted > 0 {
        tracing::info!(deleted, days, "leads past their retention deleted");
    }
    Ok(deleted)
}

/// When a lead received at `received_at` will be deleted, for a retention of `days`.
pub fn expires_at(received_at: i64, days: u32) -> i64 {
    received_at + i64::from(days) * DAY
}
