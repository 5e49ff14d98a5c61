//! SQL of the `exhibitors` table: the approved profile of each exhibitor, its rendered
//! signage, its approved booth media, the source hash of its catalogue folder, what the
//! catalogue last supplied (the seed) and where the live content came from since.

use std::collections::HashMap;

use pavilion_model::{BoothMedia, ExhibitorProfile, ValidProfile};
use sqlx::AnyConnection;
use sqlx::Row as _;

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

/// Where an exhibitor's live profile and media came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentOrigin {
    /// Still what the catalogue supplied at the last import that wrote it.
    Catalogue,
    /// Approved through the API since (staff approved the exhibitor's submission).
    Approval,
}

impl ContentOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            ContentOrigin::Catalogue => "catalogue",
            ContentOrigin::Approval => "approval",
        }
    }

    fn parse(text: &str) -> Result<ContentOrigin, Error> {
        match text {
            "catalogue" => Ok(ContentOrigin::Catalogue),
            "approval" => Ok(ContentOrigin::Approval),
            other => Err(Error::Internal(format!(
                "unknown content origin {other:?} in the database"
            ))),
        }
    }
}

/// What the catalogue supplied for one exhibitor: the profile and fingerprints of its files.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueSeed {
    /// The source hash of the whole folder (with the render version).
    pub source_hash: String,
    pub profile: ValidProfile,
    /// sha256 of `logo.svg`.
    pub logo: String,
    /// sha256 of the media folder: the manifest's entries and each file's bytes.
    pub media: String,
}

/// One exhibitor as a re-import sees it: the live profile, where it came from and what the
/// catalogue last supplied (parts of which are unknown for rows imported before the seed
/// was recorded).
#[derive(Debug, Clone)]
pub struct SeedState {
    pub source_hash: String,
    pub profile: ValidProfile,
    pub origin: ContentOrigin,
    pub changed_by: Option<String>,
    pub changed_at: Option<String>,
    pub seed_profile: Option<ValidProfile>,
    pub seed_logo: Option<String>,
    pub seed_media: Option<String>,
}

/// An exhibitor the catalogue supplies, ready to store: rendered signage, checked media, and
/// the seed to remember.
#[derive(Debug, Clone)]
pub struct SeededExhibitor {
    pub record: ExhibitorRecord,
    pub media: Vec<BoothMedia>,
    pub seed: CatalogueSeed,
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
            sqlx::query_scalar("SELECT slug FROM exhibitors WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Every stored exhibitor as a re-import sees it, by slug.
    pub async fn seed_states(&self) -> Result<HashMap<String, SeedState>, Error> {
        let rows = sqlx::query(
            "SELECT slug, source_hash, profile, content_origin, content_changed_by,
                content_changed_at, seed_profile, seed_logo, seed_media
             FROM exhibitors",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let seed_profile: Option<String> = row.get("seed_profile");
                Ok((
                    row.get::<String, _>("slug"),
                    SeedState {
                        source_hash: row.get("source_hash"),
                        profile: stored_profile(row.get("profile"))?,
                        origin: ContentOrigin::parse(row.get("content_origin"))?,
                        changed_by: row.get("content_changed_by"),
                        changed_at: row.get("content_changed_at"),
                        seed_profile: seed_profile.as_deref().map(stored_profile).transpose()?,
                        seed_logo: row.get("seed_logo"),
                        seed_media: row.get("seed_media"),
                    },
                ))
            })
            .collect()
    }

    pub async fn exhibitors(&self) -> Result<Vec<ExhibitorRecord>, Error> {
        read_all(&mut *self.pool.acquire().await?).await
    }

    /// The approved profile of one exhibitor, if there is such an exhibitor.
    pub async fn approved_profile(&self, slug: &str) -> Result<Option<ValidProfile>, Error> {
        let profile: Option<String> =
            sqlx::query_scalar("SELECT profile FROM exhibitors WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?;
        profile.as_deref().map(stored_profile).transpose()
    }

    /// The approved media of every booth, by slug.
    pub async fn approved_media(&self) -> Result<HashMap<String, Vec<BoothMedia>>, Error> {
        read_approved_media(&mut *self.pool.acquire().await?).await
    }

    /// Records media and writes what the catalogue supplies, all in one transaction: new
    /// exhibitors are inserted; an existing one is overwritten only while its live content is
    /// still the catalogue's (an approval that lands meanwhile wins). Returns the slugs of
    /// the existing exhibitors that were not overwritten for that reason.
    pub async fn save_seeded_exhibitors(
        &self,
        media: &[StoredMedia],
        exhibitors: &[SeededExhibitor],
    ) -> Result<Vec<String>, Error> {
        let now = now_rfc3339();
        let mut kept = Vec::new();
        let mut tx = self.pool.begin().await?;
        super::media::insert(&mut tx, media, &now).await?;
        for exhibitor in exhibitors {
            let record = &exhibitor.record;
            let seed = &exhibitor.seed;
            let written = sqlx::query(
                "INSERT INTO exhibitors
                    (slug, profile, logo_sha256, fascia_sha256, name_plate_sha256, media,
                     source_hash, imported_at, seed_profile, seed_logo, seed_media,
                     content_origin)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'catalogue')
                 ON CONFLICT (slug) DO UPDATE SET
                    profile = excluded.profile,
                    logo_sha256 = excluded.logo_sha256,
                    fascia_sha256 = excluded.fascia_sha256,
                    name_plate_sha256 = excluded.name_plate_sha256,
                    media = excluded.media,
                    source_hash = excluded.source_hash,
                    imported_at = excluded.imported_at,
                    seed_profile = excluded.seed_profile,
                    seed_logo = excluded.seed_logo,
                    seed_media = excluded.seed_media
                 WHERE exhibitors.content_origin = 'catalogue'",
            )
            .bind(record.profile.slug().as_str())
            .bind(serde_json::to_string(&record.profile)?)
            .bind(&record.logo_sha256)
            .bind(&record.fascia_sha256)
            .bind(&record.name_plate_sha256)
            .bind(serde_json::to_string(&exhibitor.media)?)
            .bind(&seed.source_hash)
            .bind(&now)
            .bind(serde_json::to_string(&seed.profile)?)
            .bind(&seed.logo)
            .bind(&seed.media)
            .execute(&mut *tx)
            .await?;
            if written.rows_affected() == 0 {
                kept.push(record.profile.slug().to_string());
            }
        }
        tx.commit().await?;
        Ok(kept)
    }

    /// Records what the catalogue now supplies for exhibitors whose live content is kept
    /// (approved since): the seed changes, the live profile, signage and media do not.
    pub async fn save_seeds(&self, seeds: &[CatalogueSeed]) -> Result<(), Error> {
        let mut tx = self.pool.begin().await?;
        for seed in seeds {
            sqlx::query(
                "UPDATE exhibitors SET source_hash = $1, seed_profile = $2, seed_logo = $3,
                    seed_media = $4
                 WHERE slug = $5",
            )
            .bind(&seed.source_hash)
            .bind(serde_json::to_string(&seed.profile)?)
            .bind(&seed.logo)
            .bind(&seed.media)
            .bind(seed.profile.slug().as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Every exhibitor, read on `conn` (so it can be part of a wider read transaction).
pub(super) async fn read_all(conn: &mut AnyConnection) -> Result<Vec<ExhibitorRecord>, Error> {
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
    conn: &mut AnyConnection,
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
