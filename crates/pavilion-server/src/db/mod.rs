//! The relational store: the SQLite pool, its migrations (`sqlx::migrate!` over
//! `migrations/`) and every SQL statement the server runs, one file per group of tables.
//! Nothing outside this module writes SQL; domain modules call the methods here.

mod analytics;
mod audit;
mod backup;
mod content;
mod contest;
mod exhibitors;
mod instances;
mod layout;
mod leads;
mod media;
mod programme;
mod rates;
mod snapshots;
mod staff;
mod tokens;

use std::path::Path;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{ConnectOptions as _, Executor as _};

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
pub use instances::{PUBLISHED_CHANNEL, SharedLock};
pub use layout::LayoutDraft;
pub use leads::{LeadRow, NewLeadRow};
pub use media::MediaRow;
pub use programme::ProgrammeDraft;
pub use snapshots::{PublishInputs, StoredSnapshot, VersionInfo};
pub use staff::{Role, SessionRow, StaffAccount, StaffChange, StaffCredentials, StaffSession};
pub use tokens::{TokenInfo, TokenOwner};

/// The SQLite schema, embedded at build time from `crates/pavilion-server/migrations`.
static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
/// The same schema for PostgreSQL, one file per SQLite migration with the same version and
/// name (`crates/pavilion-server/migrations-postgres`), so both stores pass the same steps.
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-postgres");

pub const DATABASE_FILE: &str = "pavilion.db";

/// The database engine behind a [`Store`]. Every statement in this module is written once,
/// in the SQL both engines accept (`$N` parameters, `ON CONFLICT`, `RETURNING`); the few
/// functions SQLite has and PostgreSQL lacks (`instr`, `json_array_length` with a path) are
/// defined by the PostgreSQL migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the store lives: the data folder's SQLite file (the default) or a PostgreSQL
/// database named by its URL (`postgres://user:password@host:port/name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database<'a> {
    Sqlite(&'a Path),
    Postgres(&'a str),
}

impl<'a> Database<'a> {
    /// The PostgreSQL database when a URL is configured, else the SQLite file in `data_dir`.
    pub fn chosen(database_url: Option<&'a str>, data_dir: &'a Path) -> Database<'a> {
        match database_url {
            Some(url) => Database::Postgres(url),
            None => Database::Sqlite(data_dir),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The PostgreSQL URL, for the connection that listens for other servers' publishes.
    url: Option<std::sync::Arc<str>>,
}

/// Row counts of every table, for checks that a step changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowCounts {
    pub exhibitors: i64,
    pub media: i64,
    pub snapshots: i64,
    pub layout_drafts: i64,
}

/// How a SQLite file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SqliteMode {
    /// Write-ahead log, shared by a server's connections.
    Wal,
    /// A rollback journal, so once closed the database is one self-contained file.
    Standalone,
    /// Reading only: no migration, no journal change.
    ReadOnly,
}

/// `sqlite://` URL of a file (percent-encoded, so any path works).
fn sqlite_url(path: &Path, mode: SqliteMode) -> Result<String, Error> {
    let text = path
        .to_str()
        .ok_or_else(|| Error::BadRequest(format!("{} is not a UTF-8 path", path.display())))?;
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-_.~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    let access = if mode == SqliteMode::ReadOnly {
        "ro"
    } else {
        "rwc"
    };
    Ok(format!("sqlite://{encoded}?mode={access}"))
}

/// A pool over one SQLite file. The settings are set on every new connection:
/// FULL synchronous, so a commit is on disk (the WAL fsynced) before the request that made it
/// is answered, and an acknowledged write survives power loss, not only a crash
/// (ARCHITECTURE.md, "Durability"); foreign keys; a 5 s wait for a busy writer.
async fn sqlite_pool(path: &Path, mode: SqliteMode, connections: u32) -> Result<AnyPool, Error> {
    sqlx::any::install_default_drivers();
    let options: AnyConnectOptions = sqlite_url(path, mode)?.parse()?;
    let options = options.disable_statement_logging();
    let pool = AnyPoolOptions::new()
        .max_connections(connections)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                let journal = match mode {
                    SqliteMode::Wal => "PRAGMA journal_mode = WAL; ",
                    SqliteMode::Standalone => "PRAGMA journal_mode = DELETE; ",
                    SqliteMode::ReadOnly => "",
                };
                conn.execute(
                    format!(
                        "{journal}PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                         PRAGMA busy_timeout = 5000;"
                    )
                    .as_str(),
                )
                .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    Ok(pool)
}

impl Store {
    /// Opens the configured database and brings its schema up to date.
    pub async fn connect(database: &Database<'_>) -> Result<Store, Error> {
        match database {
            Database::Sqlite(data_dir) => Store::open(data_dir).await,
            Database::Postgres(url) => Store::open_postgres(url).await,
        }
    }

    /// Opens (creating if needed) `<data_dir>/pavilion.db` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Store, Error> {
        Store::open_sqlite(data_dir, SqliteMode::Wal, 4).await
    }

    /// Opens (and migrates) `<dir>/pavilion.db` that no server uses, such as a backup's copy,
    /// with a rollback journal and one connection, so that once closed it is one
    /// self-contained file.
    pub async fn open_standalone(dir: &Path) -> Result<Store, Error> {
        Store::open_sqlite(dir, SqliteMode::Standalone, 1).await
    }

    /// Connects to a PostgreSQL database (`postgres://…`) and brings its schema up to date.
    /// Several servers may share it: migrations take PostgreSQL's advisory lock, so only one
    /// applies them.
    pub async fn open_postgres(url: &str) -> Result<Store, Error> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(Error::BadRequest(format!(
                "the database URL must start with postgres:// (got {:?})",
                url.split(':').next().unwrap_or_default()
            )));
        }
        sqlx::any::install_default_drivers();
        let options: AnyConnectOptions = url.parse()?;
        let options = options.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        POSTGRES_MIGRATOR.run(&pool).await?;
        Ok(Store {
            pool,
            backend: Backend::Postgres,
            url: Some(url.into()),
        })
    }

    async fn open_sqlite(
        data_dir: &Path,
        mode: SqliteMode,
        connections: u32,
    ) -> Result<Store, Error> {
        tokio::fs::create_dir_all(data_dir).await?;
        let pool = sqlite_pool(&data_dir.join(DATABASE_FILE), mode, connections).await?;
        SQLITE_MIGRATOR.run(&pool).await?;
        Ok(Store {
            pool,
            backend: Backend::Sqlite,
            url: None,
        })
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
        let pool = sqlite_pool(&path, SqliteMode::ReadOnly, 2).await?;
        Ok(Store {
            pool,
            backend: Backend::Sqlite,
            url: None,
        })
    }

    /// Opens the configured database to read it beside a running server: the SQLite file
    /// read-only, a PostgreSQL database as any other client.
    pub async fn open_for_reading(database: &Database<'_>) -> Result<Store, Error> {
        match database {
            Database::Sqlite(data_dir) => Store::open_read_only(data_dir).await,
            Database::Postgres(url) => Store::open_postgres(url).await,
        }
    }

    /// The engine this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for tests and tools that inspect the database directly. Server
    /// code goes through the methods of this module (the tidy test keeps SQL in `db/`).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction whose reads all see one state of the store: SQLite's deferred
    /// transaction reads one WAL snapshot; PostgreSQL's default (read committed) would give
    /// each statement its own, so there it is repeatable read and read-only.
    pub(crate) async fn begin_read_snapshot(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, Error> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Fails with a clear message when a step only makes sense for the SQLite file.
    pub(crate) fn require_sqlite(&self, what: &str) -> Result<(), Error> {
        match self.backend {
            Backend::Sqlite => Ok(()),
            Backend::Postgres => Err(Error::BadRequest(format!(
                "{what} works on the SQLite store only; for PostgreSQL use its own tools \
                 (pg_dump, pg_restore, amcheck)"
            ))),
        }
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
        self.require_sqlite("the integrity check")?;
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
        assert_eq!(applied, SQLITE_MIGRATOR.iter().count() as i64);
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

#[cfg(test)]
mod migration_tests {
    use super::*;

    /// Every SQLite migration has a PostgreSQL form with the same version and name, in the
    /// same order, and no other: both stores pass the same steps.
    #[test]
    fn both_engines_have_the_same_migrations() {
        let steps = |migrator: &sqlx::migrate::Migrator| -> Vec<(i64, String)> {
            migrator
                .iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect()
        };
        assert_eq!(steps(&SQLITE_MIGRATOR), steps(&POSTGRES_MIGRATOR));
        assert!(SQLITE_MIGRATOR.iter().count() >= 11);
    }

    #[test]
    fn sqlite_urls_keep_any_path() {
        let url = sqlite_url(Path::new("/tmp/a b?c#d%/pavilion.db"), SqliteMode::Wal).unwrap();
        assert_eq!(url, "sqlite:///tmp/a%20b%3Fc%23d%25/pavilion.db?mode=rwc");
        let url = sqlite_url(Path::new("/data/pavilion.db"), SqliteMode::ReadOnly).unwrap();
        assert_eq!(url, "sqlite:///data/pavilion.db?mode=ro");
    }

    #[tokio::test]
    async fn a_database_url_that_is_not_postgres_is_refused_clearly() {
        let error = Store::open_postgres("mysql://x@localhost/db")
            .await
            .unwrap_err();
        assert!(error.to_string().contains("postgres://"), "{error}");
    }
}
