//! Staff accounts and their sessions: Argon2id password hashes, sign-in that issues a random
//! bearer token (256 bits, only its SHA-256 is stored, sessions expire), and the
//! [`StaffSession`] / [`RequireAdmin`] extractors every staff route takes.
//!
//! A request proves it is staff with `Authorization: Bearer pst_<64 hex digits>`. A missing,
//! malformed, unknown, expired or signed-out token (an exhibitor's token included) is 401;
//! a curator calling an admin-only route is 403.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

pub use crate::auth::token_digest;
use crate::auth::{digest_matches, random_bytes};
use crate::error::Error;
use crate::state::AppState;
use crate::store::Store;
use crate::time::{now_rfc3339, rfc3339_from_unix};

/// How long a sign-in lasts.
pub const SESSION_LIFETIME_SECONDS: u64 = 12 * 60 * 60;
/// Every staff token starts with this, so a leaked one is recognisable (and scannable).
pub const TOKEN_PREFIX: &str = "pst_";
/// Random bytes in a token: 256 bits.
const TOKEN_BYTES: usize = 32;
/// Shortest password an account may have.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// What a staff member may do: curators arrange, review and publish; admins also manage
/// staff accounts and exhibitor tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Curator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Curator => "curator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "curator" => Some(Role::Curator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The signed-in staff member making a request. Taking it as a handler argument makes the
/// route refuse anyone else with 401.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffSession {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// A signed-in admin; curators get 403.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequireAdmin(pub StaffSession);

/// A staff account as listed (never with its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffAccount {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: String,
}

/// What a successful sign-in returns: the token, shown once.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedSession {
    pub token: String,
    pub expires_at: String,
    pub staff: StaffSession,
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let token = bearer_token(parts)?;
        session_for_token(state.store(), token).await
    }
}

impl FromRequestParts<AppState> for RequireAdmin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let session = StaffSession::from_request_parts(parts, state).await?;
        if session.role == Role::Admin {
            Ok(RequireAdmin(session))
        } else {
            Err(Error::Forbidden("this needs a staff admin".into()))
        }
    }
}

/// The token of the request's `Authorization: Bearer ...` header.
pub fn bearer_token(parts: &Parts) -> Result<&str, Error> {
    bearer_token_in(&parts.headers)
}

/// The token of an `Authorization: Bearer ...` header.
pub fn bearer_token_in(headers: &HeaderMap) -> Result<&str, Error> {
    let header = headers
        .get(AUTHORIZATION)
        .ok_or_else(|| Error::Unauthorized("sign in as staff first".into()))?;
    let value = header
        .to_str()
        .map_err(|_| Error::Unauthorized("the Authorization header is not readable".into()))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| Error::Unauthorized("use Authorization: Bearer <token>".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(Error::Unauthorized(
            "use Authorization: Bearer <token>".into(),
        ));
    }
    Ok(token.trim())
}

/// Looks a bearer token up among live sessions.
pub async fn session_for_token(store: &Store, token: &str) -> Result<StaffSession, Error> {
    let refused = || Error::Unauthorized("the staff session is unknown or has expired".into());
    if !is_well_formed(token) {
        return Err(refused());
    }
    let digest = token_digest(token);
    let row = sqlx::query(
        "SELECT s.token_sha256, s.expires_at, st.id, st.name, st.role
         FROM staff_sessions s JOIN staff st ON st.id = s.staff_id
         WHERE s.token_sha256 = ?",
    )
    .bind(&digest)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(refused)?;
    let stored: String = row.get("token_sha256");
    if !digest_matches(&stored, &digest) {
        return Err(refused());
    }
    let expires_at: i64 = row.get("expires_at");
    if expires_at <= unix_now() {
        return Err(refused());
    }
    let role: String = row.get("role");
    Ok(StaffSession {
        id: row.get("id"),
        name: row.get("name"),
        role: Role::parse(&role).ok_or_else(refused)?,
    })
}

fn is_well_formed(token: &str) -> bool {
    super::is_well_formed(token, TOKEN_PREFIX, TOKEN_BYTES)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Hashes a password with Argon2id (the crate's defaults: m = 19 MiB, t = 2, p = 1, the
/// OWASP recommendation) and a random 128-bit salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| Error::Io(std::io::Error::other(format!("salt: {e}"))))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Io(std::io::Error::other(format!("argon2: {e}"))))
}

/// True when `password` matches the PHC string (in constant time, by the argon2 crate).
pub fn verify_password(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A hash no password matches, checked when the name is unknown so that sign-in takes as
/// long for a wrong name as for a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let password = hex::encode(random_bytes::<32>().unwrap_or([7; 32]));
        hash_password(&password).unwrap_or_default()
    })
}

/// Checks a staff name: 1 to 64 of `a-z 0-9 . _ -`, starting with a letter or digit.
pub fn check_name(name: &str) -> Result<(), Error> {
    let ok = (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest(
            "a staff name is 1 to 64 characters of a-z, 0-9, '.', '_' and '-'".into(),
        ))
    }
}

fn check_password(password: &str) -> Result<(), Error> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::BadRequest(format!(
            "a staff password has at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.len() > 1024 {
        return Err(Error::BadRequest("the password is too long".into()));
    }
    Ok(())
}

/// Creates a staff account; 409 when the name is taken.
pub async fn create_account(
    store: &Store,
    name: &str,
    role: Role,
    password: &str,
) -> Result<StaffAccount, Error> {
    check_name(name)?;
    check_password(password)?;
    let password = password.to_owned();
    let phc = tokio::task::spawn_blocking(move || hash_password(&password)).await??;
    let created_at = now_rfc3339();
    let inserted = sqlx::query(
        "INSERT INTO staff (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(role.as_str())
    .bind(&phc)
    .bind(&created_at)
    .execute(store.pool())
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(Error::Conflict(format!(
            "a staff account named {name} exists already"
        )));
    }
    Ok(StaffAccount {
        id: inserted.last_insert_rowid(),
        name: name.to_owned(),
        role,
        created_at,
    })
}

pub async fn list_accounts(store: &Store) -> Result<Vec<StaffAccount>, Error> {
    let rows = sqlx::query("SELECT id, name, role, created_at FROM staff ORDER BY name")
        .fetch_all(store.pool())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(StaffAccount {
                id: row.get("id"),
                name: row.get("name"),
                role: Role::parse(row.get("role"))?,
                created_at: row.get("created_at"),
            })
        })
        .collect())
}

/// Checks a name and password and opens a session; the same 401 for a wrong name or password.
pub async fn sign_in(store: &Store, name: &str, password: &str) -> Result<IssuedSession, Error> {
    let row = sqlx::query("SELECT id, name, role, password_hash FROM staff WHERE name = ?")
        .bind(name)
        .fetch_optional(store.pool())
        .await?;
    let phc = row
        .as_ref()
        .map_or_else(|| decoy_hash().to_owned(), |r| r.get("password_hash"));
    let attempt = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || verify_password(&phc, &attempt)).await?;
    let refused = || Error::Unauthorized("the name or password is wrong".into());
    let row = row.filter(|_| matches).ok_or_else(refused)?;
    let role: String = row.get("role");
    let staff = StaffSession {
        id: row.get("id"),
        name: row.get("name"),
        role: Role::parse(&role).ok_or_else(refused)?,
    };

    let token = format!(
        "{TOKEN_PREFIX}{}",
        hex::encode(random_bytes::<TOKEN_BYTES>()?)
    );
    let now = unix_now();
    let expires = now.saturating_add(i64::try_from(SESSION_LIFETIME_SECONDS).unwrap_or(0));
    let mut tx = store.pool().begin().await?;
    sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= ?")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO staff_sessions (token_sha256, staff_id, created_at, expires_at)
         VALUES (?, ?, ?, ?)",
    )
    .bind(token_digest(&token))
    .bind(staff.id)
    .bind(now_rfc3339())
    .bind(expires)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(IssuedSession {
        token,
        expires_at: rfc3339_from_unix(u64::try_from(expires).unwrap_or(0)),
        staff,
    })
}

/// Ends the session of this token (signing out twice is harmless).
pub async fn sign_out(store: &Store, token: &str) -> Result<(), Error> {
    sqlx::query("DELETE FROM staff_sessions WHERE token_sha256 = ?")
        .bind(token_digest(token))
        .execute(store.pool())
        .await?;
    Ok(())
}

/// `pavilion staff ...`: account management from the command line.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum StaffCommand {
    /// Create a staff account. The password is read from --password-file or the first line
    /// of standard input.
    Create {
        name: String,
        #[arg(long, value_enum, default_value = "curator")]
        role: Role,
        /// A file whose first line is the password.
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// List the staff accounts.
    List,
}

/// Runs a `pavilion staff` command against the data folder and returns what to print.
pub async fn run_command(store: &Store, command: &StaffCommand) -> Result<String, Error> {
    match command {
        StaffCommand::Create {
            name,
            role,
            password_file,
        } => {
            let text = match password_file {
                Some(path) => tokio::fs::read_to_string(path).await?,
                None => {
                    tokio::task::spawn_blocking(|| {
                        let mut line = String::new();
                        std::io::stdin().read_line(&mut line).map(|_| line)
                    })
                    .await??
                }
            };
            let password = text.lines().next().unwrap_or("");
            let account = create_account(store, name, *role, password).await?;
            Ok(format!(
                "created staff account {} ({}), id {}",
                account.name,
                account.role.as_str(),
                account.id
            ))
        }
        StaffCommand::List => Ok(list_accounts(store)
            .await?
            .iter()
            .map(|a| format!("{}\t{}\t{}", a.name, a.role.as_str(), a.created_at))
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        assert!(verify_password(&phc, "correct horse battery"));
        assert!(!verify_password(&phc, "correct horse battery!"));
        assert!(!verify_password("not a hash", "x"));
        assert_ne!(phc, hash_password("correct horse battery").unwrap());
    }

    #[test]
    fn tokens_are_checked_for_shape_before_any_lookup() {
        let good = format!("{TOKEN_PREFIX}{}", "ab".repeat(32));
        assert!(is_well_formed(&good));
        assert!(!is_well_formed(&good[..good.len() - 1]));
        assert!(!is_well_formed(&"ab".repeat(32)));
        assert!(!is_well_formed(&format!(
            "{TOKEN_PREFIX}{}",
            "zz".repeat(32)
        )));
        assert_eq!(token_digest("x").len(), 64);
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("ada.lovelace-2").is_ok());
        for bad in ["", "Ada", "-ada", "a b", &"a".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
