//! SQL of the `layout_draft` table: the one layout draft staff edit and publish.

use pavilion_model::Hall;
use sqlx::Row as _;

use super::{NewAudit, Store};
use crate::error::Error;
use crate::time::now_rfc3339;

impl Store {
    pub async fn layout_draft(&self) -> Result<Option<Vec<Hall>>, Error> {
        Ok(self.layout_draft_with_time().await?.map(|(halls, _)| halls))
    }

    /// The draft with when it was last saved.
    pub async fn layout_draft_with_time(&self) -> Result<Option<(Vec<Hall>, String)>, Error> {
        let row = sqlx::query("SELECT halls, updated_at FROM layout_draft WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok((
                serde_json::from_str(row.get("halls"))?,
                row.get("updated_at"),
            ))
        })
        .transpose()
    }

    /// Saves the draft, with its audit entry in the same transaction when staff changed it.
    pub async fn save_layout_draft(
        &self,
        halls: &[Hall],
        audit: Option<&NewAudit<'_>>,
    ) -> Result<(), Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO layout_draft (id, halls, updated_at) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET halls = excluded.halls, updated_at = excluded.updated_at",
        )
        .bind(serde_json::to_string(halls)?)
        .bind(now_rfc3339())
        .execute(&mut *tx)
        .await?;
        if let Some(entry) = audit {
            super::audit::insert(&mut *tx, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
