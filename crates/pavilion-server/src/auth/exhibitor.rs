//! Exhibitor API tokens: issued by staff (CLI or staff API) for one exhibitor, 256 random
//! bits shown once, stored only as a SHA-256 hash, compared in constant time and revocable
//! with immediate effect (every request looks the token up). [`ExhibitorAuth`] is the
//! extractor every `/api/v1/me/*` route takes.
//!
//! A request proves it speaks for an exhibitor with `Authorization: Bearer pex_<64 hex>`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use sqlx::Row as _;
use utoipa::ToSchema;

use crate::auth::staff::bearer_token;
use crate::auth::{digest_matches, random_bytes, token_digest};
use crate::error::Error;
use crate::state::AppState;
use crate::store::Store;
use crate::time::now_rfc3339;

/// Every exhibitor token starts with this, so a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "pex_";
/// Random bytes in a token: 256 bits.
const TOKEN_BYTES: usize = 32;
/// Longest label a token may carry.
const MAX_LABEL_CHARS: usize = 80;

/// The exhibitor a request speaks for. Taking it as a handler argument makes the route
/// refuse anyone else with 401; the handler then only ever touches `slug`'s booth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExhibitorAuth {
    pub slug: String,
    pub token_id: i64,
}

impl FromRequestParts<AppState> for ExhibitorAuth {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let token = bearer_token(parts).map_err(|_| {
            Error::Unauthorized("send your exhibitor token as Authorization: Bearer pex_...".into())
        })?;
        exhibitor_for_token(state.store(), token).await
    }
}

/// A token as issued: the secret appears here once and nowhere else, ever.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedToken {
    pub id: i64,
    pub exhibitor: String,
    /// The bearer token; store it now, it cannot be shown again.
    pub token: String,
    pub label: String,
    pub created_at: String,
}

/// A token as listed: never its secret, not even its hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub exhibitor: String,
    pub label: String,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
}

/// Finds the live (not revoked) token's exhibitor.
pub async fn exhibitor_for_token(store: &Store, token: &str) -> Result<ExhibitorAuth, Error> {
    let refused = || Error::Unauthorized("the exhibitor token is unknown or revoked".into());
    if !is_well_formed(token) {
        return Err(refused());
    }
    let digest = token_digest(token);
    let row = sqlx::query(
        "SELECT id, exhibitor, token_sha256 FROM exhibitor_tokens
         WHERE token_sha256 = ? AND revoked_at IS NULL",
    )
    .bind(&digest)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(refused)?;
    let stored: String = row.get("token_sha256");
    if !digest_matches(&stored, &digest) {
        return Err(refused());
    }
    Ok(ExhibitorAuth {
        slug: row.get("exhibitor"),
        token_id: row.get("id"),
    })
}

fn is_well_formed(token: &str) -> bool {
    super::is_well_formed(token, TOKEN_PREFIX, TOKEN_BYTES)
}

fn new_secret() -> Result<String, Error> {
    Ok(format!(
        "{TOKEN_PREFIX}{}",
        hex::encode(random_bytes::<TOKEN_BYTES>()?)
    ))
}

fn check_label(label: &str) -> Result<(), Error> {
    if label.chars().count() > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
        return Err(Error::BadRequest(format!(
            "a token label is one line of at most {MAX_LABEL_CHARS} characters"
        )));
    }
    Ok(())
}

/// Issues a token for an exhibitor; 404 when there is no such exhibitor.
pub async fn create_token(
    store: &Store,
    exhibitor: &str,
    label: &str,
    created_by: &str,
) -> Result<IssuedToken, Error> {
    check_label(label)?;
    let known: Option<String> = sqlx::query_scalar("SELECT slug FROM exhibitors WHERE slug = ?")
        .bind(exhibitor)
        .fetch_optional(store.pool())
        .await?;
    if known.is_none() {
        let shown: String = exhibitor.chars().take(60).collect();
        return Err(Error::not_found(format!(
            "no exhibitor has the slug {shown:?}"
        )));
    }
    let token = new_secret()?;
    let created_at = now_rfc3339();
    let inserted = sqlx::query(
        "INSERT INTO exhibitor_tokens (exhibitor, token_sha256, label, created_at, created_by)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(exhibitor)
    .bind(token_digest(&token))
    .bind(label)
    .bind(&created_at)
    .bind(created_by)
    .execute(store.pool())
    .await?;
    Ok(IssuedToken {
        id: inserted.last_insert_rowid(),
        exhibitor: exhibitor.to_owned(),
        token,
        label: label.to_owned(),
        created_at,
    })
}

/// Revokes a token by id; from the next request on it is refused. Revoking twice is fine.
pub async fn revoke_token(store: &Store, id: i64) -> Result<TokenInfo, Error> {
    sqlx::query("UPDATE exhibitor_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(now_rfc3339())
        .bind(id)
        .execute(store.pool())
        .await?;
    list_tokens(store, None)
        .await?
        .into_iter()
        .find(|token| token.id == id)
        .ok_or_else(|| Error::not_found(format!("there is no exhibitor token {id}")))
}

/// Every token, or one exhibitor's, newest first.
pub async fn list_tokens(store: &Store, exhibitor: Option<&str>) -> Result<Vec<TokenInfo>, Error> {
    let rows = sqlx::query(
        "SELECT id, exhibitor, label, created_at, created_by, revoked_at FROM exhibitor_tokens
         WHERE ?1 IS NULL OR exhibitor = ?1 ORDER BY id DESC",
    )
    .bind(exhibitor)
    .fetch_all(store.pool())
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
        })
        .collect())
}

/// `pavilion token ...`: exhibitor tokens from the command line.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum TokenCommand {
    /// Issue a token for an exhibitor and print it (only the token, on the last line).
    Create {
        /// The exhibitor's slug.
        #[arg(long)]
        exhibitor: String,
        /// A note on who holds it.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a token by its id.
    Revoke { id: i64 },
    /// List tokens (never their secrets).
    List {
        #[arg(long)]
        exhibitor: Option<String>,
    },
}

/// Runs a `pavilion token` command and returns what to print.
pub async fn run_command(store: &Store, command: &TokenCommand) -> Result<String, Error> {
    match command {
        TokenCommand::Create { exhibitor, label } => {
            let issued = create_token(store, exhibitor, label, "cli").await?;
            Ok(format!(
                "token {} for {} (shown once, store it now):\n{}",
                issued.id, issued.exhibitor, issued.token
            ))
        }
        TokenCommand::Revoke { id } => {
            let info = revoke_token(store, *id).await?;
            Ok(format!(
                "token {} of {} revoked at {}",
                info.id,
                info.exhibitor,
                info.revoked_at.unwrap_or_default()
            ))
        }
        TokenCommand::List { exhibitor } => Ok(list_tokens(store, exhibitor.as_deref())
            .await?
            .iter()
            .map(|t| {
                format!(
                    "{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.exhibitor,
                    t.created_at,
                    t.revoked_at.as_deref().unwrap_or("live"),
                    t.label
                )
            })
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_256_bits_of_hex_with_a_prefix() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert!(is_well_formed(&a), "{a}");
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 64);
        assert!(!is_well_formed(&a.replace(TOKEN_PREFIX, "pst_")));
        assert!(!is_well_formed(&a[..a.len() - 2]));
    }

    #[test]
    fn labels_are_one_short_line() {
        assert!(check_label("Kestrel Ward press office").is_ok());
        assert!(check_label("two\nlines").is_err());
        assert!(check_label(&"x".repeat(81)).is_err());
    }
}
