//! SQL of the `media` table: every stored file the database refers to, by content hash.

use sqlx::{Sqlite, Transaction};

use crate::error::Error;
use crate::media::StoredMedia;

/// Records stored files inside the caller's transaction; a file recorded already is kept.
pub(super) async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    media: &[StoredMedia],
    now: &str,
) -> Result<(), Error> {
    for item in media {
        sqlx::query(
            "INSERT INTO media (sha256, content_type, byte_size, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&item.sha256)
        .bind(item.content_type)
        .bind(i64::try_from(item.byte_size).unwrap_or(i64::MAX))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
