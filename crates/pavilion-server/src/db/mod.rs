//! The relational store: the SQLite pool, its migrations (`sqlx::migrate!` over
//! `migrations/`) and every SQL statement the server runs, one file per group of tables.
//! Nothing outside this module writes SQL; domain modules call the methods here.

mod analytics;
mod audit;
mod backup;
mod content;
mod contest;
mod exhibitors;
mod layout;
mod leads;
mod media;
mod programme;
mod snapshots;
mod staff;
mod tokens;

use std::path::Path;
use std::str::FromStr as _;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::Error;

pub use analytics::{BoothDay, Counts};
pub use audit::{AuditEntry, FAILED_SIGN_IN, FailedSignIn, NewAudit};
pub use backup::{BackupCounts, MediaItem};
pub use content::{Draft, NewMediaRow, Submission, SubmissionStatus};
pub use contest::{
    AnswerRecord, Attempt, BoardRow, ContestVisitor, ResultKey, ResultRow, StoredSet,
};
pub use exhibitors::{
    ApprovedSignage, CatalogueSeed, ContentOrigin, ExhibitorRecord, SeedState, SeededExhibitor,
};
pub use layout::LayoutDraft;
pub use leads::{LeadRow, NewLeadRow};
pub use media::MediaRow;
pub use programme::ProgrammeDraft;
pub use snapshots::{PublishInputs, StoredSnapshot, VersionInfo};
pub use staff::{Role, SessionRow, StaffAccount, StaffChange, StaffCredentials, StaffSession};
pub use tokens::{TokenInfo, TokenOwner};

/// The schema, embedded at build time from `crates/pavilion-server/migrations`.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub const DATABASE_FILE: &str = "pavilion.db";

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
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
        Store::open_with(data_dir, SqliteJournalMode::Wal, 4).await
    }

    /// Opens (and migrates) `<dir>/pavilion.db` that no server uses, such as a backup's copy,
    /// with a rollback journal and one connection, so that once closed it is one
    /// self-contained file.
    pub async fn open_standalone(dir: &Path) -> Result<Store, Error> {
        Store::open_with(dir, SqliteJournalMode::Delete, 1).await
    }

    async fn open_with(
        data_dir: &Path,
        journal: SqliteJournalMode,
        connections: u32,
    ) -> Result<Store, Error> {
        tokio::fs::create_dir_all(data_dir).await?;
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(data_dir.join(DATABASE_FILE))
            .create_if_missing(true)
            .journal_mode(journal)
            // FULL: a commit is on disk (the WAL fsynced) before the request that made it is
            // answered, so an acknowledged write survives power loss, not only a crash
            // (ARCHITECTURE.md, "Durability").
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(connections)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Store { pool })
    }

    /// Opens `<data_dir>/pavilion.db` for reading only (no migration, no journal change),
    /// so checks and backups can look at a data folder a server is using.
    pub async fn open_read_only(data_dir: &Path) -> Result<Store, Error> {
        let path = data_dir.join(DATABASE_FILE);
        if !path.is_file() {
            return Err(Error::NotFound(format!(
                "no database at {}",
                path.display()
            )));
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .read_only(true)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        Ok(Store { pool })
    }

    /// The connection pool, for tests and tools that inspect the database directly. Server
    /// code goes through the methods of this module (the tidy test keeps SQL in `db/`).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
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

    /// Runs `PRAGMA integrity_check`; `Ok` when SQLite answers `ok`.
    pub async fn integrity_check(&self) -> Result<String, Error> {
        Ok(sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
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
        let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(applied, MIGRATOR.iter().count() as i64);
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
        // 2 = FULL: every commit fsyncs the WAL before it is acknowledged.
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(synchronous, 2);
        assert_eq!(store.latest_version().await.unwrap(), 0);
        assert!(store.published().await.unwrap().is_none());
        assert_eq!(store.integrity_check().await.unwrap(), "ok");
    }
}
