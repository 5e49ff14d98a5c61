//! SQL of the `layout_draft` table: the one layout draft staff edit and publish, with its
//! revision (raised by one at every save; a save can be made conditional on it).

use pavilion_model::Hall;
use sqlx::AnyConnection;
use sqlx::Row as _;

use super::{NewAudit, Store};
use crate::error::Error;
use crate::revision::Revision;
use crate::time::now_rfc3339;

/// The saved layout draft.
#[derive(Debug, Clone)]
pub struct LayoutDraft {
    pub halls: Vec<Hall>,
    /// When it was last saved.
    pub updated_at: String,
    pub revision: Revision,
}

impl Store {
    pub async fn layout_draft(&self) -> Result<Option<Vec<Hall>>, Error> {
        Ok(self
            .layout_draft_with_time()
            .await?
            .map(|draft| draft.halls))
    }

    /// The draft with when it was last saved and its revision.
    pub async fn layout_draft_with_time(&self) -> Result<Option<LayoutDraft>, Error> {
        read_draft(&mut *self.pool.acquire().await?).await
    }

    /// Saves the draft, with its audit entry in the same transaction when staff changed it.
    ///
    /// With `base`, the save is a compare-and-set: the draft is written only while it is
    /// still at that revision (`Revision::UNSAVED`: while there is none), and `None` is
    /// returned, with nothing written, when someone else saved it since. Without `base` (the
    /// catalogue import) it is written whatever it holds. Returns the new revision.
    pub async fn save_layout_draft(
        &self,
        halls: &[Hall],
        audit: Option<&NewAudit<'_>>,
        base: Option<Revision>,
    ) -> Result<Option<Revision>, Error> {
        let halls = serde_json::to_string(halls)?;
        let now = now_rfc3339();
        let mut tx = self.pool.begin().await?;
        let saved: Option<i64> = match base {
            None => Some(
                sqlx::query_scalar(
                    "INSERT INTO layout_draft (id, halls, updated_at, revision) VALUES (1, $1, $2, 1)
                     ON CONFLICT (id) DO UPDATE SET halls = excluded.halls,
                        updated_at = excluded.updated_at, revision = layout_draft.revision + 1
                     RETURNING revision",
                )
                .bind(&halls)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?,
            ),
            Some(Revision::UNSAVED) => {
                sqlx::query_scalar(
                    "INSERT INTO layout_draft (id, halls, updated_at, revision) VALUES (1, $1, $2, 1)
                     ON CONFLICT (id) DO NOTHING
                     RETURNING revision",
                )
                .bind(&halls)
                .bind(&now)
                .fetch_optional(&mut *tx)
                .await?
            }
            Some(base) => {
                sqlx::query_scalar(
                    "UPDATE layout_draft SET halls = $1, updated_at = $2, revision = revision + 1
                     WHERE id = 1 AND revision = $3
                     RETURNING revision",
                )
                .bind(&halls)
                .bind(&now)
                .bind(base.as_i64())
                .fetch_optional(&mut *tx)
                .await?
            }
        };
        let Some(saved) = saved else {
            tx.rollback().await?;
            return Ok(None);
        };
        if let Some(entry) = audit {
            super::audit::insert(&mut *tx, entry).await?;
        }
        tx.commit().await?;
        Ok(Some(Revision::from_i64(saved)))
    }
}

/// The draft, read on `conn` (so it can be part of a wider read transaction).
pub(super) async fn read_draft(conn: &mut AnyConnection) -> Result<Option<LayoutDraft>, Error> {
    let row = sqlx::query("SELECT halls, updated_at, revision FROM layout_draft WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        Ok(LayoutDraft {
            halls: serde_json::from_str(row.get("halls"))?,
            updated_at: row.get("updated_at"),
            revision: Revision::from_i64(row.get("revision")),
        })
    })
    .transpose()
}
