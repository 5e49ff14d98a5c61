//! SQL of the `exhibitor_tokens` table: the SHA-256 digests of exhibitors' API tokens.

use serde::Serialize;
use sqlx::Row as _;
use utoipa::ToSchema;

use super::Store;
use crate::error::Error;
use crate::time::{now_rfc3339, rfc3339_from_unix, unix_now};

/// A token as listed: never its secret, not even its hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub exhibitor: String,
    pub label: String,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
    /// When the token stops working, if it was issued with an expiry.
    pub expires_at: Option<String>,
    /// When the token was last used (to the minute).
    pub last_used_at: Option<String>,
}

/// The exhibitor a live token belongs to, with the digest as stored.
#[derive(Debug, Clone)]
pub struct TokenOwner {
    pub token_id: i64,
    pub exhibitor: String,
    pub token_sha256: String,
}

impl Store {
    /// The live (not revoked, not expired) token with this digest.
    pub async fn live_token(&self, token_sha256: &str) -> Result<Option<TokenOwner>, Error> {
        let row = sqlx::query(
            "SELECT id, exhibitor, token_sha256 FROM exhibitor_tokens
             WHERE token_sha256 = $1 AND revoked_at IS NULL
               AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(token_sha256)
        .bind(unix_now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| TokenOwner {
            token_id: row.get("id"),
            exhibitor: row.get("exhibitor"),
            token_sha256: row.get("token_sha256"),
        }))
    }

    /// Records that a token was used now, at most once a minute (so a busy token does not
    /// write on every request).
    pub async fn touch_token(&self, id: i64) -> Result<(), Error> {
        let now = now_rfc3339();
        let a_minute_ago = rfc3339_from_unix(u64::try_from(unix_now() - 60).unwrap_or(0));
        sqlx::query(
            "UPDATE exhibitor_tokens SET last_used_at = $1
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(now)
        .bind(id)
        .bind(a_minute_ago)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a new token's digest; returns its id and creation time.
    pub async fn insert_token(
        &self,
        exhibitor: &str,
        token_sha256: &str,
        label: &str,
        created_by: &str,
        expires_at: Option<i64>,
    ) -> Result<(i64, String), Error> {
        let created_at = now_rfc3339();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO exhibitor_tokens
                (exhibitor, token_sha256, label, created_at, created_by, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(exhibitor)
        .bind(token_sha256)
        .bind(label)
        .bind(&created_at)
        .bind(created_by)
        .bind(expires_at)
        .fetch_one(&self.pool)
        .await?;
        Ok((id, created_at))
    }

    /// Marks a token revoked (revoking twice keeps the first time).
    pub async fn revoke_token(&self, id: i64) -> Result<(), Error> {
        sqlx::query(
            "UPDATE exhibitor_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now_rfc3339())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every token, or one exhibitor's, newest first.
    pub async fn tokens(&self, exhibitor: Option<&str>) -> Result<Vec<TokenInfo>, Error> {
        self.tokens_where(exhibitor, None).await
    }

    pub async fn token(&self, id: i64) -> Result<Option<TokenInfo>, Error> {
        Ok(self.tokens_where(None, Some(id)).await?.into_iter().next())
    }

    async fn tokens_where(
        &self,
        exhibitor: Option<&str>,
        id: Option<i64>,
    ) -> Result<Vec<TokenInfo>, Error> {
        let rows = sqlx::query(
            "SELECT id, exhibitor, label, created_at, created_by, revoked_at, expires_at,
                    last_used_at FROM exhibitor_tokens
             WHERE ($1 IS NULL OR exhibitor = $1) AND ($2 IS NULL OR id = $2) ORDER BY id DESC",
        )
        .bind(exhibitor)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| TokenInfo {
                id: row.get("id"),
                exhibitor: row.get("exhibitor"),
                label: row.get("label"),
                created_at: row.get("created_at"),
                created_by: row.get("created_by"),
                revoked_at: row.get("revoked_at"),
                expires_at: row
                    .get::<Option<i64>, _>("expires_at")
                    .map(|at| rfc3339_from_unix(u64::try_from(at).unwrap_or(0))),
                last_used_at: row.get("last_used_at"),
            })
            .collect())
    }
}
