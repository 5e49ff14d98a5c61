//! Staff accounts and their sessions: Argon2id password hashes, sign-in that issues a random
//! bearer token (256 bits, only its SHA-256 is stored, sessions expire), and the lookup that
//! turns a token back into the [`StaffSession`] every staff route needs.
//!
//! A request proves it is staff with `Authorization: Bearer pst_<64 hex digits>`. A missing,
//! malformed, unknown, expired or signed-out token (an exhibitor's token included) is 401;
//! a curator calling an admin-only route is 403.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use serde::Serialize;

use crate::db::{NewAudit, StaffChange, Store};
pub use crate::db::{Role, StaffAccount, StaffSession};
use crate::error::Error;
use crate::limits::Gate;
use crate::secret::{digest_matches, is_well_formed_token, random_bytes, token_digest};
use crate::time::{rfc3339_from_unix, unix_now};

/// How long a sign-in lasts.
pub const SESSION_LIFETIME_SECONDS: u64 = 12 * 60 * 60;
/// Every staff token starts with this, so a leaked one is recognisable (and scannable).
pub const TOKEN_PREFIX: &str = "pst_";
/// Random bytes in a token: 256 bits.
const TOKEN_BYTES: usize = 32;
/// Shortest password an account may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, when an account is made and at sign-in (before any hashing).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// What a successful sign-in returns: the token, shown once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedSession {
    pub token: String,
    pub expires_at: String,
    pub staff: StaffSession,
}

/// Looks a bearer token up among live sessions.
pub async fn session_for_token(store: &Store, token: &str) -> Result<StaffSession, Error> {
    let refused = || Error::Unauthorized("the staff session is unknown or has expired".into());
    if !is_well_formed(token) {
        return Err(refused());
    }
    let digest = token_digest(token);
    let row = store.staff_session(&digest).await?.ok_or_else(refused)?;
    if !digest_matches(&row.token_sha256, &digest) || row.expires_at <= unix_now() {
        return Err(refused());
    }
    Ok(row.staff)
}

fn is_well_formed(token: &str) -> bool {
    is_well_formed_token(token, TOKEN_PREFIX, TOKEN_BYTES)
}

/// Hashes a password with Argon2id (the crate's defaults: m = 19 MiB, t = 2, p = 1, the
/// OWASP recommendation) and a random 128-bit salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| Error::Internal(format!("password salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
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
    if password.len() > MAX_PASSWORD_BYTES {
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
    store
        .insert_staff(name, role, &phc)
        .await?
        .ok_or_else(|| Error::Conflict(format!("a staff account named {name} exists already")))
}

/// One account by name; 404 when there is none.
pub async fn account(store: &Store, name: &str) -> Result<StaffAccount, Error> {
    store
        .staff_account(name)
        .await?
        .ok_or_else(|| Error::not_found(format!("there is no staff account named {name}")))
}

pub async fn list_accounts(store: &Store) -> Result<Vec<StaffAccount>, Error> {
    store.staff_accounts().await
}

/// What checking a name and password found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Match(StaffSession),
    WrongPassword(StaffSession),
    UnknownName,
}

/// The one answer to a wrong name or password.
pub fn wrong_credentials() -> Error {
    Error::Unauthorized("the name or password is wrong".into())
}

/// Checks a name and password. The hash runs under `hashes` (Argon2id holds 19 MiB while it
/// runs, so a flood must not run many at once); its slot is held until the hash is done,
/// even when the request is dropped meanwhile. An unknown name is hashed too (a decoy), so
/// it takes as long as a wrong password.
pub async fn check_credentials(
    store: &Store,
    hashes: &Gate,
    name: &str,
    password: &str,
) -> Result<Verdict, Error> {
    let found = store.staff_credentials(name).await?;
    let phc = found
        .as_ref()
        .map_or_else(|| decoy_hash().to_owned(), |c| c.password_hash.clone());
    let attempt = password.to_owned();
    let slot = hashes.enter().await?;
    let matches = tokio::task::spawn_blocking(move || {
        let matches = verify_password(&phc, &attempt);
        drop(slot);
        matches
    })
    .await?;
    Ok(match found {
        Some(credentials) if matches => Verdict::Match(credentials.staff),
        Some(credentials) => Verdict::WrongPassword(credentials.staff),
        None => Verdict::UnknownName,
    })
}

/// Checks a name and password and opens a session; the same 401 for a wrong name or password.
/// The HTTP sign-in goes through [`super::sign_in::sign_in`], which adds throttling and audit.
pub async fn sign_in(
    store: &Store,
    hashes: &Gate,
    name: &str,
    password: &str,
) -> Result<IssuedSession, Error> {
    match check_credentials(store, hashes, name, password).await? {
        Verdict::Match(staff) => open_session(store, staff).await,
        Verdict::WrongPassword(_) | Verdict::UnknownName => Err(wrong_credentials()),
    }
}

/// Opens a session for a staff member whose password was checked.
pub async fn open_session(store: &Store, staff: StaffSession) -> Result<IssuedSession, Error> {
    let token = format!(
        "{TOKEN_PREFIX}{}",
        hex::encode(random_bytes::<TOKEN_BYTES>()?)
    );
    let now = unix_now();
    let expires = now.saturating_add(i64::try_from(SESSION_LIFETIME_SECONDS).unwrap_or(0));
    store
        .insert_staff_session(&token_digest(&token), staff.id, now, expires)
        .await?;
    Ok(IssuedSession {
        token,
        expires_at: rfc3339_from_unix(u64::try_from(expires).unwrap_or(0)),
        staff,
    })
}

/// Ends the session of this token (signing out twice is harmless).
pub async fn sign_out(store: &Store, token: &str) -> Result<(), Error> {
    store.delete_staff_session(&token_digest(token)).await
}

/// What an admin does to a staff account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountAction {
    SetRole(Role),
    Disable,
    Enable,
    /// Sets a new password (checked like a new account's) and ends the account's sessions.
    ResetPassword(String),
    /// Signs the account out everywhere.
    EndSessions,
    Delete,
}

impl AccountAction {
    /// The audit log's name for the action.
    pub fn audit_name(&self) -> &'static str {
        match self {
            AccountAction::SetRole(_) => "set_staff_role",
            AccountAction::Disable => "disable_staff",
            AccountAction::Enable => "enable_staff",
            AccountAction::ResetPassword(_) => "reset_staff_password",
            AccountAction::EndSessions => "end_staff_sessions",
            AccountAction::Delete => "delete_staff",
        }
    }
}

/// Applies an admin's action to the account `name`, audited in the same transaction.
/// Refuses to leave the team without an admin who can sign in, and an admin cannot disable,
/// delete or demote their own account (another admin must). Returns the account afterwards
/// (`None` once deleted).
pub async fn manage_account(
    store: &Store,
    by: &StaffSession,
    name: &str,
    action: AccountAction,
) -> Result<Option<StaffAccount>, Error> {
    let account = account(store, name).await?;
    let removes_admin = account.role == Role::Admin
        && account.disabled_at.is_none()
        && matches!(
            action,
            AccountAction::Disable | AccountAction::Delete | AccountAction::SetRole(Role::Curator)
        );
    if removes_admin && account.id == by.id {
        return Err(Error::Conflict(
            "you cannot disable, delete or demote your own account; ask another admin".into(),
        ));
    }
    if removes_admin && store.active_admin_count().await? <= 1 {
        return Err(Error::Conflict(format!(
            "{name} is the last admin who can sign in; make another admin first"
        )));
    }
    let hash;
    let change = match &action {
        AccountAction::SetRole(role) => StaffChange::Role(*role),
        AccountAction::Disable => StaffChange::Disabled(true),
        AccountAction::Enable => StaffChange::Disabled(false),
        AccountAction::ResetPassword(password) => {
            check_password(password)?;
            let password = password.clone();
            hash = tokio::task::spawn_blocking(move || hash_password(&password)).await??;
            StaffChange::PasswordHash(&hash)
        }
        AccountAction::EndSessions => StaffChange::EndSessions,
        AccountAction::Delete => StaffChange::Delete,
    };
    let detail = match &action {
        AccountAction::SetRole(role) => serde_json::json!({ "from": account.role, "to": role }),
        _ => serde_json::json!({ "sessions_ended": account.sessions }),
    };
    let audit = NewAudit::new(by, action.audit_name(), name, detail);
    store.change_staff(account.id, &change, &audit).await?;
    store.staff_account(name).await
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
