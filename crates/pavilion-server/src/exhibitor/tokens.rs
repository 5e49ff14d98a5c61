//! Exhibitor API tokens: issued by staff (CLI or staff API) for one exhibitor, 256 random
//! bits shown once, stored only as a SHA-256 hash, compared in constant time and revocable
//! with immediate effect (every request looks the token up).
//!
//! A request proves it speaks for an exhibitor with `Authorization: Bearer pex_<64 hex>`.

use pavilion_model::text::{FORMAT_CHARACTER_MESSAGE, find_format_character};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Store;
pub use crate::db::TokenInfo;
use crate::error::Error;
use crate::secret::{digest_matches, is_well_formed_token, random_bytes, token_digest};
use crate::time::{rfc3339_from_unix, unix_now};

/// Every exhibitor token starts with this, so a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "pex_";
/// Random bytes in a token: 256 bits.
const TOKEN_BYTES: usize = 32;
/// Longest label a token may carry.
const MAX_LABEL_CHARS: usize = 80;

/// The exhibitor a request speaks for; the caller then only ever touches `slug`'s booth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExhibitorAuth {
    pub slug: String,
    pub token_id: i64,
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
    /// When the token stops working; `None` until revoked.
    pub expires_at: Option<String>,
}

/// Finds the live (not revoked) token's exhibitor.
pub async fn exhibitor_for_token(store: &Store, token: &str) -> Result<ExhibitorAuth, Error> {
    let refused =
        || Error::Unauthorized("the exhibitor token is unknown, expired or revoked".into());
    if !is_well_formed(token) {
        return Err(refused());
    }
    let digest = token_digest(token);
    let owner = store.live_token(&digest).await?.ok_or_else(refused)?;
    if !digest_matches(&owner.token_sha256, &digest) {
        return Err(refused());
    }
    store.touch_token(owner.token_id).await?;
    Ok(ExhibitorAuth {
        slug: owner.exhibitor,
        token_id: owner.token_id,
    })
}

fn is_well_formed(token: &str) -> bool {
    is_well_formed_token(token, TOKEN_PREFIX, TOKEN_BYTES)
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
    if find_format_character(label).is_some() {
        return Err(Error::BadRequest(format!(
            "a token label {FORMAT_CHARACTER_MESSAGE}"
        )));
    }
    Ok(())
}

/// The longest a token may be issued for.
pub const MAX_TOKEN_DAYS: u32 = 400;

/// Issues a token for an exhibitor, valid for `valid_days` days (or until revoked when
/// `None`); 404 when there is no such exhibitor.
pub async fn create_token(
    store: &Store,
    exhibitor: &str,
    label: &str,
    created_by: &str,
    valid_days: Option<u32>,
) -> Result<IssuedToken, Error> {
    check_label(label)?;
    if valid_days.is_some_and(|days| days == 0 || days > MAX_TOKEN_DAYS) {
        return Err(Error::BadRequest(format!(
            "a token is valid for 1 to {MAX_TOKEN_DAYS} days"
        )));
    }
    let expires_at = valid_days.map(|days| unix_now() + i64::from(days) * 86_400);
    if !store.exhibitor_exists(exhibitor).await? {
        let shown: String = exhibitor.chars().take(60).collect();
        return Err(Error::not_found(format!(
            "no exhibitor has the slug {shown:?}"
        )));
    }
    let token = new_secret()?;
    let (id, created_at) = store
        .insert_token(
            exhibitor,
            &token_digest(&token),
            label,
            created_by,
            expires_at,
        )
        .await?;
    Ok(IssuedToken {
        id,
        exhibitor: exhibitor.to_owned(),
        token,
        label: label.to_owned(),
        created_at,
        expires_at: expires_at.map(|at| rfc3339_from_unix(u64::try_from(at).unwrap_or(0))),
    })
}

/// Revokes a token by id; from the next request on it is refused. Revoking twice is fine.
pub async fn revoke_token(store: &Store, id: i64) -> Result<TokenInfo, Error> {
    store.revoke_token(id).await?;
    store
        .token(id)
        .await?
        .ok_or_else(|| Error::not_found(format!("there is no exhibitor token {id}")))
}

/// Every token, or one exhibitor's, newest first.
pub async fn list_tokens(store: &Store, exhibitor: Option<&str>) -> Result<Vec<TokenInfo>, Error> {
    store.tokens(exhibitor).await
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
