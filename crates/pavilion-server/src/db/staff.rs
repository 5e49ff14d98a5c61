//! SQL of the `staff` and `staff_sessions` tables: accounts with their password hashes and
//! the SHA-256 digests of live sign-in tokens.

use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use super::{NewAudit, Store};
use crate::error::Error;
use crate::time::now_rfc3339;

/// What a staff member may do: curators arrange, review and publish; admins also manage
/// staff accounts and exhibitor tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// A signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StaffSession {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// A staff account as listed (never with its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StaffAccount {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: String,
    /// When an admin disabled the account; a disabled account cannot sign in.
    pub disabled_at: Option<String>,
    /// Sessions open now.
    pub sessions: i64,
}

const ACCOUNT_COLUMNS: &str = "id, name, role, created_at, disabled_at,
    (SELECT count(*) FROM staff_sessions s WHERE s.staff_id = staff.id) AS sessions";

fn account_from(row: &sqlx::any::AnyRow) -> Option<StaffAccount> {
    Some(StaffAccount {
        id: row.get("id"),
        name: row.get("name"),
        role: Role::parse(row.get("role"))?,
        created_at: row.get("created_at"),
        disabled_at: row.get("disabled_at"),
        sessions: row.get("sessions"),
    })
}

/// One change an admin makes to a staff account.
#[derive(Debug, Clone)]
pub enum StaffChange<'a> {
    Role(Role),
    /// `true` disables the account (and ends its sessions), `false` enables it again.
    Disabled(bool),
    /// A new Argon2id hash (the account's sessions end).
    PasswordHash(&'a str),
    /// Ends every session of the account.
    EndSessions,
    /// Deletes the account (its audit entries keep its name).
    Delete,
}

/// An account with its password hash, for checking a sign-in.
#[derive(Debug, Clone)]
pub struct StaffCredentials {
    pub staff: StaffSession,
    pub password_hash: String,
}

/// A live session found by its digest.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub token_sha256: String,
    pub expires_at: i64,
    pub staff: StaffSession,
}

fn staff_from(row: &sqlx::any::AnyRow) -> Option<StaffSession> {
    Some(StaffSession {
        id: row.get("id"),
        name: row.get("name"),
        role: Role::parse(row.get("role"))?,
    })
}

impl Store {
    /// Inserts an account; `None` when the name is taken.
    pub async fn insert_staff(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<Option<StaffAccount>, Error> {
        let created_at = now_rfc3339();
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO staff (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(&created_at)
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(|id| StaffAccount {
            id,
            name: name.to_owned(),
            role,
            created_at,
            disabled_at: None,
            sessions: 0,
        }))
    }

    pub async fn staff_accounts(&self) -> Result<Vec<StaffAccount>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM staff ORDER BY name"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().filter_map(account_from).collect())
    }

    pub async fn staff_account(&self, name: &str) -> Result<Option<StaffAccount>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM staff WHERE name = $1"
        ))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().and_then(account_from))
    }

    /// How many admins can sign in (not disabled).
    pub async fn active_admin_count(&self) -> Result<i64, Error> {
        Ok(sqlx::query_scalar(
            "SELECT count(*) FROM staff WHERE role = 'admin' AND disabled_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Applies an account change with its audit entry in one transaction; disabling,
    /// deleting and a new password also end every session of the account.
    pub async fn change_staff(
        &self,
        account_id: i64,
        change: &StaffChange<'_>,
        audit: &NewAudit<'_>,
    ) -> Result<(), Error> {
        let mut tx = self.pool.begin().await?;
        match change {
            StaffChange::Role(role) => {
                sqlx::query("UPDATE staff SET role = $1 WHERE id = $2")
                    .bind(role.as_str())
                    .bind(account_id)
                    .execute(&mut *tx)
                    .await?;
            }
            StaffChange::Disabled(disabled) => {
                sqlx::query("UPDATE staff SET disabled_at = $1 WHERE id = $2")
                    .bind(disabled.then(now_rfc3339))
                    .bind(account_id)
                    .execute(&mut *tx)
                    .await?;
            }
            StaffChange::PasswordHash(hash) => {
                sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
                    .bind(hash)
                    .bind(account_id)
                    .execute(&mut *tx)
                    .await?;
            }
            StaffChange::EndSessions => {}
            StaffChange::Delete => {
                sqlx::query("DELETE FROM staff WHERE id = $1")
                    .bind(account_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let ends_sessions = !matches!(change, StaffChange::Role(_) | StaffChange::Disabled(false));
        if ends_sessions {
            sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1")
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        super::audit::insert(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn staff_credentials(&self, name: &str) -> Result<Option<StaffCredentials>, Error> {
        let row = sqlx::query(
            "SELECT id, name, role, password_hash FROM staff
             WHERE name = $1 AND disabled_at IS NULL",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|row| {
            Some(StaffCredentials {
                password_hash: row.get("password_hash"),
                staff: staff_from(&row)?,
            })
        }))
    }

    /// Opens a session (dropping expired ones on the way).
    pub async fn insert_staff_session(
        &self,
        token_sha256: &str,
        staff_id: i64,
        now_unix: i64,
        expires_at: i64,
    ) -> Result<(), Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1")
            .bind(now_unix)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO staff_sessions (token_sha256, staff_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_sha256)
        .bind(staff_id)
        .bind(now_rfc3339())
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn staff_session(&self, token_sha256: &str) -> Result<Option<SessionRow>, Error> {
        let row = sqlx::query(
            "SELECT s.token_sha256, s.expires_at, st.id, st.name, st.role
             FROM staff_sessions s JOIN staff st ON st.id = s.staff_id
             WHERE s.token_sha256 = $1 AND st.disabled_at IS NULL",
        )
        .bind(token_sha256)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|row| {
            Some(SessionRow {
                token_sha256: row.get("token_sha256"),
                expires_at: row.get("expires_at"),
                staff: staff_from(&row)?,
            })
        }))
    }

    pub async fn delete_staff_session(&self, token_sha256: &str) -> Result<(), Error> {
        sqlx::query("DELETE FROM staff_sessions WHERE token_sha256 = $1")
            .bind(token_sha256)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
