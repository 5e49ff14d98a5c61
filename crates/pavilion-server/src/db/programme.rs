//! SQL of the `programme_draft` table: the one programme draft staff edit, stored as one JSON
//! document with its revision (raised by one at every save; a save can be made conditional
//! on it), like the layout draft.

use pavilion_model::Programme;
use sqlx::AnyConnection;
use sqlx::Row as _;

use super::{NewAudit, Store};
use crate::error::Error;
use crate::media::StoredMedia;
use crate::revision::Revision;
use crate::time::now_rfc3339;

/// The saved programme draft.
#[derive(Debug, Clone)]
pub struct ProgrammeDraft {
    pub programme: Programme,
    /// When it was last saved.
    pub updated_at: String,
    pub revision: Revision,
}

impl Store {
    /// The draft with when it was last saved and its revision, if there is one.
    pub async fn programme_draft(&self) -> Result<Option<ProgrammeDraft>, Error> {
        read_draft(&mut *self.pool.acquire().await?).await
    }

    /// Saves the draft (already validated), with its audit entry in the same transaction
    /// when staff changed it and the rows of the stored files it newly refers to (the seed's
    /// recordings), as a compare-and-set over `base`: written only while the draft is still
    /// at that revision (`Revision::UNSAVED`: while there is none); `None`, with nothing
    /// written, when someone saved it since. Returns the new revision.
    pub async fn save_programme_draft(
        &self,
        programme: &Programme,
        audit: Option<&NewAudit<'_>>,
        base: Revision,
        media: &[StoredMedia],
    ) -> Result<Option<Revision>, Error> {
        let document = serde_json::to_string(programme)?;
        let now = now_rfc3339();
        let mut tx = self.pool.begin().await?;
        let saved: Option<i64> = if base == Revision::UNSAVED {
            sqlx::query_scalar(
                "INSERT INTO programme_draft (id, document, updated_at, revision) VALUES (1, $1, $2, 1)
                 ON CONFLICT (id) DO NOTHING
                 RETURNING revision",
            )
            .bind(&document)
            .bind(&now)
            .fetch_optional(&mut *tx)
            .await?
        } else {
            sqlx::query_scalar(
                "UPDATE programme_draft SET document = $1, updated_at = $2, revision = revision + 1
                 WHERE id = 1 AND revision = $3
                 RETURNING revision",
            )
            .bind(&document)
            .bind(&now)
            .bind(base.as_i64())
            .fetch_optional(&mut *tx)
            .await?
        };
        let Some(saved) = saved else {
            tx.rollback().await?;
            return Ok(None);
        };
        if let Some(entry) = audit {
            super::audit::insert(&mut *tx, entry).await?;
        }
        super::media::insert(&mut tx, media, &now).await?;
        tx.commit().await?;
        Ok(Some(Revision::from_i64(saved)))
    }
}

/// The draft, read on `conn` (so it can be part of a wider read transaction). A stored
/// document that no longer parses is an internal error.
pub(super) async fn read_draft(conn: &mut AnyConnection) -> Result<Option<ProgrammeDraft>, Error> {
    let row =
        sqlx::query("SELECT document, updated_at, revision FROM programme_draft WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|row| {
        Ok(ProgrammeDraft {
            programme: serde_json::from_str(row.get("document"))?,
            updated_at: row.get("updated_at"),
            revision: Revision::from_i64(row.get("revision")),
        })
    })
    .transpose()
}
