//! SQL of the `exhibitors` table: the approved profile of each exhibitor, its rendered
//! signage, its approved booth media and the source hash of its catalogue folder.

use std::collections::HashMap;

use pavilion_model::{BoothMedia, ExhibitorProfile, ValidProfile};
use sqlx::Row as _;
use sqlx::SqliteConnection;

use super::Store;
use crate::error::Error;
use crate::media::StoredMedia;
use crate::time::now_rfc3339;

/// An exhibitor as stored: its approved profile and the hashes of its rendered media.
#[derive(Debug, Clone, PartialEq)]
pub struct ExhibitorRecord {
    pub profile: ValidProfile,
    pub logo_sha256: String,
    pub fascia_sha256: String,
    pub name_plate_sha256: String,
    pub source_hash: String,
}

/// Signage re-rendered for an approved profile, to be recorded with the approval.
#[derive(Debug, Clone)]
pub struct ApprovedSignage {
    pub name_plate: String,
    /// `None` keeps the old fascia.
    pub fascia: Option<String>,
    pub stored: Vec<StoredMedia>,
}

/// Reads a stored approved profile. Only validated profiles are written (by the import and by
/// approval), so one that no longer validates is an internal error, not the caller's problem.
pub(super) fn stored_profile(json: &str) -> Result<ValidProfile, Error> {
    let raw: ExhibitorProfile = serde_json::from_str(json)?;
    let slug = raw.slug.clone();
    raw.into_valid().map_err(|errors| {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        Error::Internal(format!(
            "the stored profile of {slug} no longer validates: {}",
            errors.join("; ")
        ))
    })
}

impl Store {
    pub async fn exhibitor_count(&self) -> Result<i64, Error> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM exhibitors")
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn exhibitor_exists(&self, slug: &str) -> Result<bool, Error> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT slug FROM exhibitors WHERE slug = ?")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Source hash of every stored exhibitor, by slug.
    pub async fn source_hashes(&self) -> Result<HashMap<String, String>, Error> {
        let rows = sqlx::query("SELECT slug, source_hash FROM exhibitors")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| (row.get("slug"), row.get("source_hash")))
            .collect())
    }

    pub async fn exhibitors(&self) -> Result<Vec<ExhibitorRecord>, Error> {
        read_all(&mut *self.pool.acquire().await?).await
    }

    /// The approved profile of one exhibitor, if there is such an exhibitor.
    pub async fn approved_profile(&self, slug: &str) -> Result<Option<ValidProfile>, Error> {
        let profile: Option<String> =
            sqlx::query_scalar("SELECT profile FROM exhibitors WHERE slug = ?")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?;
        profile.as_deref().map(stored_profile).transpose()
    }

    /// The approved media of every booth, by slug.
    pub async fn approved_media(&self) -> Result<HashMap<String, Vec<BoothMedia>>, Error> {
        read_approved_media(&mut *self.pool.acquire().await?).await
    }

    /// Records media and inserts or replaces exhibitors, all or nothing.
    pub async fn save_exhibitors(
        &self,
        media: &[StoredMedia],
        exhibitors: &[ExhibitorRecord],
    ) -> Result<(), Error> {
        let now = now_rfc3339();
        let mut tx = self.pool.begin().await?;
        super::media::insert(&mut tx, media, &now).await?;
        for exhibitor in exhibitors {
            sqlx::query(
                "INSERT INTO exhibitors
                    (slug, profile, logo_sha256, fascia_sha256, name_plate_sha256, source_hash, imported_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (slug) DO UPDATE SET
                    profile = excluded.profile,
                    logo_sha256 = excluded.logo_sha256,
                    fascia_sha256 = excluded.fascia_sha256,
                    name_plate_sha256 = excluded.name_plate_sha256,
                    source_hash = excluded.source_hash,
                    imported_at = excluded.imported_at",
            )
            .bind(exhibitor.profile.slug().as_str())
            .bind(serde_json::to_string(&exhibitor.profile)?)
            .bind(&exhibitor.logo_sha256)
            .bind(&exhibitor.fascia_sha256)
            .bind(&exhibitor.name_plate_sha256)
            .bind(&exhibitor.source_hash)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets each booth's approved media and its source hash, in one transaction.
    pub async fn save_booth_media(
        &self,
        booths: &[(&str, &str, &[BoothMedia])],
    ) -> Result<(), Error> {
        let mut tx = self.pool.begin().await?;
        for (slug, source_hash, media) in booths {
            sqlx::query("UPDATE exhibitors SET media = ?, source_hash = ? WHERE slug = ?")
                .bind(serde_json::to_string(media)?)
                .bind(source_hash)
                .bind(slug)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Every exhibitor, read on `conn` (so it can be part of a wider read transaction).
pub(super) async fn read_all(conn: &mut SqliteConnection) -> Result<Vec<ExhibitorRecord>, Error> {
    let rows = sqlx::query(
        "SELECT profile, logo_sha256, fascia_sha256, name_plate_sha256, source_hash
         FROM exhibitors ORDER BY slug",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(ExhibitorRecord {
                profile: stored_profile(row.get("profile"))?,
                logo_sha256: row.get("logo_sha256"),
                fascia_sha256: row.get("fascia_sha256"),
                name_plate_sha256: row.get("name_plate_sha256"),
                source_hash: row.get("source_hash"),
            })
        })
        .collect()
}

/// Each exhibitor's approved booth media, read on `conn`.
pub(super) async fn read_approved_media(
    conn: &mut SqliteConnection,
) -> Result<HashMap<String, Vec<BoothMedia>>, Error> {
    let rows = sqlx::query("SELECT slug, media FROM exhibitors")
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|row| {
            let media: Vec<BoothMedia> = serde_json::from_str(row.get("media"))?;
            Ok((row.get::<String, _>("slug"), media))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_profile_reads_as_validated_and_writes_back_the_same_json() {
        // Rows hold the JSON of the raw profile, as written before profiles were typed.
        let row = serde_json::to_string(&ExhibitorProfile::example()).unwrap();
        let profile = stored_profile(&row).unwrap();
        assert_eq!(profile.tier(), pavilion_model::BoothTier::Premium);
        assert_eq!(serde_json::to_string(&profile).unwrap(), row);
    }

    #[test]
    fn a_stored_profile_that_no_longer_validates_is_an_internal_error() {
        let mut raw = ExhibitorProfile::example();
        raw.tier = "gold".into();
        let error = stored_profile(&serde_json::to_string(&raw).unwrap()).unwrap_err();
        let Error::Internal(message) = &error else {
            panic!("not an internal error: {error:?}")
        };
        assert!(
            message.starts_with(
                "the stored profile of kestrel-ward no longer validates: tier: unknown tier"
            ),
            "{message}"
        );
    }
}
