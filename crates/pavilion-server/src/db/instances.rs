//! What several servers sharing one PostgreSQL database need from it: the curation lock
//! (an advisory lock, so layout writes, publishes, rollbacks and first-start imports never
//! interleave across servers) and word of a publish (`NOTIFY` on the `published` channel,
//! sent in the publishing transaction). On SQLite one server owns the data folder, so
//! neither is needed and both are no-ops.

use sqlx::pool::PoolConnection;
use sqlx::postgres::PgListener;
use sqlx::{Any, AnyConnection};

use super::{Backend, Store};
use crate::error::Error;

/// The advisory lock key of the curation lock ("pavilion" in ASCII, as a number).
const CURATION_LOCK_KEY: i64 = 0x7061_7669_6c69_6f6e;
/// The channel a publish or rollback notifies, with the live version as payload.
pub const PUBLISHED_CHANNEL: &str = "pavilion_published";

/// The database side of the curation lock: held while it lives. Dropping it unlocks (on the
/// same connection, which then returns to the pool); if that fails the connection is closed,
/// which ends its session and so its lock.
#[derive(Debug)]
pub struct SharedLock {
    conn: Option<PoolConnection<Any>>,
}

impl Drop for SharedLock {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let unlocked = sqlx::query_scalar::<_, i64>(
                "SELECT 1 FROM (SELECT pg_advisory_unlock($1)) AS unlocked",
            )
            .bind(CURATION_LOCK_KEY)
            .fetch_one(&mut *conn)
            .await;
            if let Err(error) = unlocked {
                tracing::warn!(%error, "could not release the curation lock: closing its session");
                let _ = conn.close().await;
            }
        });
    }
}

impl Store {
    /// Takes the curation lock shared by every server on this database, waiting for another
    /// server's curation to finish. `None` on SQLite (the process's own lock suffices).
    pub async fn lock_curation(&self) -> Result<Option<SharedLock>, Error> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut conn = self.pool.acquire().await?;
        sqlx::query_scalar::<_, i64>("SELECT 1 FROM (SELECT pg_advisory_lock($1)) AS locked")
            .bind(CURATION_LOCK_KEY)
            .fetch_one(&mut *conn)
            .await?;
        Ok(Some(SharedLock { conn: Some(conn) }))
    }

    /// Inside a publishing transaction: tells every listening server that `version` is live
    /// (delivered when the transaction commits, not before). Nothing on SQLite.
    pub(super) async fn notify_published(
        &self,
        conn: &mut AnyConnection,
        version: i64,
    ) -> Result<(), Error> {
        if self.backend == Backend::Postgres {
            sqlx::query_scalar::<_, i64>("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS sent")
                .bind(PUBLISHED_CHANNEL)
                .bind(version.to_string())
                .fetch_one(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// A connection listening for publishes on other servers; `None` on SQLite.
    pub async fn listen_for_publishes(&self) -> Result<Option<PgListener>, Error> {
        let Some(url) = &self.url else {
            return Ok(None);
        };
        let mut listener = PgListener::connect(url).await?;
        listener.listen(PUBLISHED_CHANNEL).await?;
        Ok(Some(listener))
    }

    /// The version the `published` pointer names (0 when none).
    pub async fn published_version(&self) -> Result<u64, Error> {
        let version: Option<i64> = sqlx::query_scalar("SELECT version FROM published WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(version.unwrap_or(0).try_into().unwrap_or(0))
    }
}
