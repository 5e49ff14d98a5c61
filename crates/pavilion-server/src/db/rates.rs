//! SQL of `rate_buckets`: leaky buckets kept in the database so that several servers on one
//! PostgreSQL store count a caller's failures and writes together (`buckets::SharedBuckets`).
//! Each statement updates one row atomically, whichever server runs it.

use sqlx::Row as _;

use super::Store;
use crate::error::Error;

impl Store {
    /// A bucket's level and when it was computed (ms since the epoch), if it exists.
    pub async fn rate_bucket(&self, scope: &str, key: &str) -> Result<Option<(f64, i64)>, Error> {
        let row =
            sqlx::query("SELECT level, updated_ms FROM rate_buckets WHERE scope = $1 AND key = $2")
                .bind(scope)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|row| (row.get("level"), row.get("updated_ms"))))
    }

    /// Drains a bucket by `drain_per_ms` for the time since it was last updated, then adds
    /// one, in one statement (a bucket that does not exist yet starts at one).
    pub async fn add_to_rate_bucket(
        &self,
        scope: &str,
        key: &str,
        drain_per_ms: f64,
        now_ms: i64,
    ) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO rate_buckets (scope, key, level, updated_ms) VALUES ($1, $2, 1.0, $4)
             ON CONFLICT (scope, key) DO UPDATE SET
                level = CASE
                    WHEN rate_buckets.level - ($4 - rate_buckets.updated_ms) * $3 > 0
                    THEN rate_buckets.level - ($4 - rate_buckets.updated_ms) * $3
                    ELSE 0 END + 1.0,
                updated_ms = $4",
        )
        .bind(scope)
        .bind(key)
        .bind(drain_per_ms)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets a bucket (a successful sign-in clears its name).
    pub async fn forget_rate_bucket(&self, scope: &str, key: &str) -> Result<(), Error> {
        sqlx::query("DELETE FROM rate_buckets WHERE scope = $1 AND key = $2")
            .bind(scope)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The secret every server on this store keys its buckets with (made on first use), so
    /// the table holds keyed digests, never a caller's address or a name.
    pub async fn rate_bucket_secret(&self, fresh: &str) -> Result<String, Error> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('rate_bucket_secret', $1)
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(fresh)
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'rate_bucket_secret'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Deletes the buckets of `scope` not updated since `before_ms` (drained empty by then).
    pub async fn sweep_rate_buckets(&self, scope: &str, before_ms: i64) -> Result<u64, Error> {
        let done = sqlx::query("DELETE FROM rate_buckets WHERE scope = $1 AND updated_ms < $2")
            .bind(scope)
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statements work on SQLite too (only PostgreSQL stores use them in a server).
    #[tokio::test]
    async fn a_bucket_drains_adds_forgets_and_is_swept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        assert_eq!(store.rate_bucket("s", "k").await.unwrap(), None);
        store
            .add_to_rate_bucket("s", "k", 0.001, 1_000)
            .await
            .unwrap();
        store
            .add_to_rate_bucket("s", "k", 0.001, 1_000)
            .await
            .unwrap();
        assert_eq!(
            store.rate_bucket("s", "k").await.unwrap(),
            Some((2.0, 1_000))
        );
        // 500 ms at 0.001 per ms drains 0.5 before the third count.
        store
            .add_to_rate_bucket("s", "k", 0.001, 1_500)
            .await
            .unwrap();
        assert_eq!(
            store.rate_bucket("s", "k").await.unwrap(),
            Some((2.5, 1_500))
        );
        // Never below empty: a long quiet spell leaves just the new count.
        store
            .add_to_rate_bucket("s", "k", 0.001, 100_000)
            .await
            .unwrap();
        assert_eq!(
            store.rate_bucket("s", "k").await.unwrap(),
            Some((1.0, 100_000))
        );
        store
            .add_to_rate_bucket("s", "other", 0.001, 10)
            .await
            .unwrap();
        assert_eq!(store.sweep_rate_buckets("s", 50_000).await.unwrap(), 1);
        store.forget_rate_bucket("s", "k").await.unwrap();
        assert_eq!(store.rate_bucket("s", "k").await.unwrap(), None);
    }
}
