//! Staff curation of the hall: the layout draft's server-side rules (booths belong to known
//! exhibitors and have their tier's footprint), draft edits saved together with their audit
//! entry, publishing with an audit entry, the version list and rollback to an older snapshot.

use std::collections::HashMap;

use pavilion_model::layout::{self, ArrangeEntry, LayoutProblem, LayoutRule};
use pavilion_model::{BoothTier, Hall};
use serde::Serialize;
use sqlx::Row as _;

use crate::audit;
use crate::auth::staff::StaffSession;
use crate::error::Error;
use crate::publish::{PublishedHall, publish};
use crate::state::AppState;
use crate::store::{ExhibitorRecord, Store, StoredSnapshot};
use crate::time::now_rfc3339;

/// Every problem of a layout: the model's rules plus the ones that need the exhibitors
/// (each booth belongs to a known exhibitor and has the footprint of its tier).
pub fn layout_problems(
    halls: &[Hall],
    exhibitors: &HashMap<String, ExhibitorRecord>,
) -> Vec<LayoutProblem> {
    let mut problems = layout::validate(halls);
    for hall in halls {
        for booth in &hall.booths {
            let problem = |rule, message| LayoutProblem {
                hall: hall.id.clone(),
                exhibitor: Some(booth.exhibitor.clone()),
                rule,
                message,
            };
            match exhibitors.get(&booth.exhibitor) {
                None => problems.push(problem(
                    LayoutRule::Booth,
                    format!("{}: there is no exhibitor of that name", booth.exhibitor),
                )),
                Some(record) => {
                    let tier = record.profile.tier();
                    if tier.map(BoothTier::footprint) != Some(booth.footprint) {
                        problems.push(problem(
                            LayoutRule::Booth,
                            format!(
                                "{}: a {} booth is {} m x {} m, not {} m x {} m",
                                booth.exhibitor,
                                record.profile.tier,
                                tier.map_or(0.0, |t| t.footprint().width),
                                tier.map_or(0.0, |t| t.footprint().depth),
                                booth.footprint.width,
                                booth.footprint.depth
                            ),
                        ));
                    }
                }
            }
        }
    }
    problems
}

/// Exhibitors by slug.
pub async fn exhibitors_by_slug(store: &Store) -> Result<HashMap<String, ExhibitorRecord>, Error> {
    Ok(store
        .exhibitors()
        .await?
        .into_iter()
        .map(|record| (record.profile.slug.clone(), record))
        .collect())
}

/// The draft with when it was last saved.
pub async fn draft(store: &Store) -> Result<(Vec<Hall>, String), Error> {
    let row = sqlx::query("SELECT halls, updated_at FROM layout_draft WHERE id = 1")
        .fetch_optional(store.pool())
        .await?;
    match row {
        Some(row) => Ok((
            serde_json::from_str(row.get("halls"))?,
            row.get("updated_at"),
        )),
        None => Ok((Vec::new(), String::new())),
    }
}

/// Checks a new draft and, when it keeps every rule, saves it with its audit entry in one
/// transaction. Call with the curation lock held.
pub async fn save_draft(
    state: &AppState,
    who: &StaffSession,
    halls: &[Hall],
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> Result<(), Error> {
    let exhibitors = exhibitors_by_slug(state.store()).await?;
    let problems = layout_problems(halls, &exhibitors);
    if !problems.is_empty() {
        return Err(Error::LayoutProblems(problems));
    }
    let mut tx = state.store().pool().begin().await?;
    sqlx::query(
        "INSERT INTO layout_draft (id, halls, updated_at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET halls = excluded.halls, updated_at = excluded.updated_at",
    )
    .bind(serde_json::to_string(halls)?)
    .bind(now_rfc3339())
    .execute(&mut *tx)
    .await?;
    audit::record(&mut *tx, who, action, target, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// A fresh automatic arrangement of every exhibitor (topics grouped, flagships on islands).
pub fn arrange_all(exhibitors: &HashMap<String, ExhibitorRecord>) -> Result<Vec<Hall>, Error> {
    let entries = exhibitors
        .values()
        .map(|record| {
            let profile = &record.profile;
            Ok(ArrangeEntry {
                slug: profile.slug.clone(),
                topic: profile.topic().ok_or_else(|| unknown(profile, "topic"))?,
                tier: profile.tier().ok_or_else(|| unknown(profile, "tier"))?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(layout::arrange(&entries))
}

fn unknown(profile: &pavilion_model::ExhibitorProfile, what: &str) -> Error {
    Error::InvalidLayout(format!(
        "the stored profile of {} has an unknown {what}",
        profile.slug
    ))
}

/// Publishes the draft as a new version, records who did it, and makes it live.
pub async fn publish_draft(state: &AppState, who: &StaffSession) -> Result<u64, Error> {
    let _curation = state.curation_lock().await;
    let published = publish(state.store(), state.media(), state.renderer()).await?;
    let version = published.version;
    audit::record(
        state.store().pool(),
        who,
        "publish",
        &version_target(version),
        serde_json::json!({ "version": version, "bytes": published.json.len() }),
    )
    .await?;
    state.swap_published(published);
    Ok(version)
}

fn version_target(version: u64) -> String {
    format!("version {version}")
}

/// One published version as listed.
#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    pub version: u64,
    pub published_at: String,
    /// True for the version visitors see now.
    pub live: bool,
    pub halls: i64,
    pub booths: i64,
    /// Size of the snapshot document in bytes.
    pub bytes: i64,
    /// Who published it (absent for versions published at start-up or by an import).
    pub published_by: Option<String>,
}

/// Every version, newest first.
pub async fn versions(store: &Store) -> Result<Vec<VersionInfo>, Error> {
    let rows = sqlx::query(
        "SELECT s.version, s.published_at,
                s.version = (SELECT version FROM published WHERE id = 1) AS live,
                json_array_length(s.document, '$.halls') AS halls,
                json_array_length(s.document, '$.exhibitors') AS booths,
                length(CAST(s.document AS BLOB)) AS bytes,
                (SELECT staff_name FROM audit_log a
                 WHERE a.action = 'publish' AND a.target = 'version ' || s.version
                 ORDER BY a.id LIMIT 1) AS published_by
         FROM snapshots s ORDER BY s.version DESC",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| VersionInfo {
            version: row.get::<i64, _>("version").try_into().unwrap_or(0),
            published_at: row.get("published_at"),
            live: row.get::<Option<bool>, _>("live").unwrap_or(false),
            halls: row.get::<Option<i64>, _>("halls").unwrap_or(0),
            booths: row.get::<Option<i64>, _>("booths").unwrap_or(0),
            bytes: row.get("bytes"),
            published_by: row.get("published_by"),
        })
        .collect())
}

/// One stored snapshot document, byte for byte.
pub async fn snapshot(store: &Store, version: u64) -> Result<StoredSnapshot, Error> {
    let row = sqlx::query("SELECT document, details FROM snapshots WHERE version = ?")
        .bind(i64::try_from(version).unwrap_or(-1))
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| Error::not_found(format!("there is no version {version}")))?;
    Ok(StoredSnapshot {
        version,
        document: row.get("document"),
        details: row.get("details"),
    })
}

/// Points `published` back at an existing snapshot (which is never changed) and serves it.
/// The pointer and the audit entry are written in one transaction.
pub async fn rollback(state: &AppState, who: &StaffSession, version: u64) -> Result<u64, Error> {
    let _curation = state.curation_lock().await;
    let stored = snapshot(state.store(), version).await?;
    let previous = state.published().version;
    let prepared = tokio::task::spawn_blocking({
        let stored = stored.clone();
        move || PublishedHall::prepare(&stored)
    })
    .await??;
    let mut tx = state.store().pool().begin().await?;
    sqlx::query("UPDATE published SET version = ? WHERE id = 1")
        .bind(i64::try_from(version).unwrap_or(-1))
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        who,
        "rollback",
        &version_target(version),
        serde_json::json!({ "from": previous, "to": version }),
    )
    .await?;
    tx.commit().await?;
    state.swap_published(prepared);
    tracing::info!(version, previous, staff = %who.name, "rolled back");
    Ok(version)
}
