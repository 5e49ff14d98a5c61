//! The embedded SQLite store: connection set-up, embedded migrations and the queries the
//! import and publish steps need. Queries are runtime strings (sqlx without macros).

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr as _;
use std::time::Duration;

use pavilion_model::{ExhibitorProfile, Hall};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Row as _, Sqlite, Transaction};

use crate::error::Error;
use crate::media::StoredMedia;
use crate::time::now_rfc3339;

/// Schema changes in the order they apply; each runs once, in its own transaction.
const MIGRATIONS: [(i64, &str, &str); 3] = [
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "exhibitor_content",
        include_str!("../migrations/0002_exhibitor_content.sql"),
    ),
    (3, "staff", include_str!("../migrations/0003_staff.sql")),
];

pub const DATABASE_FILE: &str = "pavilion.db";

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// An exhibitor as stored: its profile and the hashes of its rendered media.
#[derive(Debug, Clone, PartialEq)]
pub struct ExhibitorRecord {
    pub profile: ExhibitorProfile,
    pub logo_sha256: String,
    pub fascia_sha256: String,
    pub name_plate_sha256: String,
    pub source_hash: String,
}

/// The live snapshot as stored.
#[derive(Debug, Clone)]
pub struct StoredSnapshot {
    pub version: u64,
    pub document: String,
    pub details: String,
}

/// Row counts of every table, for checks that a step changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowCounts {
    pub exhibitors: i64,
    pub media: i64,
    pub snapshots: i64,
    pub layout_drafts: i64,
}

impl Store {
    /// Opens (creating if needed) `<data_dir>/pavilion.db` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Store, Error> {
        tokio::fs::create_dir_all(data_dir).await?;
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(data_dir.join(DATABASE_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL with NORMAL stays consistent after a crash and avoids an fsync per commit.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let store = Store { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), Error> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )",
        )
        .execute(&self.pool)
        .await?;
        for (version, name, sql) in MIGRATIONS {
            let mut tx = self.pool.begin().await?;
            let applied: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = ?")
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
            if applied.is_some() {
                continue;
            }
            tracing::info!(version, name, "applying database migration");
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            )
            .bind(version)
            .bind(name)
            .bind(now_rfc3339())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The connection pool, for modules that keep their own queries (staff, curation).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn exhibitor_count(&self) -> Result<i64, Error> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM exhibitors")
            .fetch_one(&self.pool)
            .await?)
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
        let rows = sqlx::query(
            "SELECT profile, logo_sha256, fascia_sha256, name_plate_sha256, source_hash
             FROM exhibitors ORDER BY slug",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(ExhibitorRecord {
                    profile: serde_json::from_str(row.get("profile"))?,
                    logo_sha256: row.get("logo_sha256"),
                    fascia_sha256: row.get("fascia_sha256"),
                    name_plate_sha256: row.get("name_plate_sha256"),
                    source_hash: row.get("source_hash"),
                })
            })
            .collect()
    }

    /// Records media and inserts or replaces exhibitors, all or nothing.
    pub async fn save_exhibitors(
        &self,
        media: &[StoredMedia],
        exhibitors: &[ExhibitorRecord],
    ) -> Result<(), Error> {
        let now = now_rfc3339();
        let mut tx = self.pool.begin().await?;
        insert_media(&mut tx, media, &now).await?;
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
            .bind(&exhibitor.profile.slug)
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

    pub async fn layout_draft(&self) -> Result<Option<Vec<Hall>>, Error> {
        let halls: Option<String> =
            sqlx::query_scalar("SELECT halls FROM layout_draft WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(halls.map(|json| serde_json::from_str(&json)).transpose()?)
    }

    pub async fn save_layout_draft(&self, halls: &[Hall]) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO layout_draft (id, halls, updated_at) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET halls = excluded.halls, updated_at = excluded.updated_at",
        )
        .bind(serde_json::to_string(halls)?)
        .bind(now_rfc3339())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The highest snapshot version ever written (0 when none).
    pub async fn latest_version(&self) -> Result<u64, Error> {
        let version: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM snapshots")
            .fetch_one(&self.pool)
            .await?;
        Ok(version.unwrap_or(0).try_into().unwrap_or(0))
    }

    /// Writes a snapshot and points `published` at it in one transaction, so readers see
    /// either the old hall or the new one, never a mix.
    pub async fn publish(
        &self,
        media: &[StoredMedia],
        version: u64,
        published_at: &str,
        document: &str,
        details: &str,
    ) -> Result<(), Error> {
        let version = i64::try_from(version)
            .map_err(|_| Error::InvalidLayout("snapshot version overflow".into()))?;
        let mut tx = self.pool.begin().await?;
        insert_media(&mut tx, media, published_at).await?;
        sqlx::query(
            "INSERT INTO snapshots (version, published_at, document, details) VALUES (?, ?, ?, ?)",
        )
        .bind(version)
        .bind(published_at)
        .bind(document)
        .bind(details)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO published (id, version) VALUES (1, ?)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version",
        )
        .bind(version)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The snapshot the `published` pointer names, if any.
    pub async fn published(&self) -> Result<Option<StoredSnapshot>, Error> {
        let row = sqlx::query(
            "SELECT s.version, s.document, s.details
             FROM published p JOIN snapshots s ON s.version = p.version
             WHERE p.id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| StoredSnapshot {
            version: row.get::<i64, _>("version").try_into().unwrap_or(0),
            document: row.get("document"),
            details: row.get("details"),
        }))
    }

    pub async fn row_counts(&self) -> Result<RowCounts, Error> {
        let count = |table: &'static str| {
            let pool = self.pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}"))
                    .fetch_one(&pool)
                    .await
            }
        };
        Ok(RowCounts {
            exhibitors: count("exhibitors").await?,
            media: count("media").await?,
            snapshots: count("snapshots").await?,
            layout_drafts: count("layout_draft").await?,
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn insert_media(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn migrations_run_once_and_settings_hold() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.close().await;
        let store = Store::open(dir.path()).await.unwrap();
        let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM schema_migrations")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(applied, MIGRATIONS.len() as i64);
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(keys, 1);
        assert_eq!(store.latest_version().await.unwrap(), 0);
        assert!(store.published().await.unwrap().is_none());
    }
}
