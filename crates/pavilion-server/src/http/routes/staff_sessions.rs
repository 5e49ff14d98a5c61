//! Staff sign-in and accounts: `POST /api/v1/staff/sessions` (name and password -> bearer
//! token), `DELETE /api/v1/staff/sessions` (sign out), `GET /api/v1/staff/me`, and for admins
//! `GET`/`POST /api/v1/staff/accounts`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::Error;
use crate::http::client_address::ClientAddress;
use crate::http::error::{AdminOnly, ErrorBody, JsonRefusals, SignedIn};
use crate::http::extract::{JsonBody, PathParams, RequireAdmin, bearer_token};
use crate::http::limits::SignInSlot;
use crate::staff::accounts::{
    self as staff, AccountAction, IssuedSession, Role, StaffAccount, StaffSession,
};
use crate::staff::{audit, sign_in as guarded};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/staff/sessions", post(sign_in).delete(sign_out))
        .route("/api/v1/staff/me", get(me))
        .route(
            "/api/v1/staff/accounts",
            get(list_accounts).post(create_account),
        )
        .route(
            "/api/v1/staff/accounts/{name}",
            patch(change_account).delete(delete_account),
        )
        .route(
            "/api/v1/staff/accounts/{name}/password",
            put(reset_password),
        )
        .route(
            "/api/v1/staff/accounts/{name}/sessions",
            delete(end_sessions),
        )
}

/// A staff sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub name: String,
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/staff/sessions", tag = "staff",
    request_body = SignIn,
    responses((status = 201, description = "Signed in: the bearer token, shown once", body = IssuedSession),
        (status = 401, description = "The name or password is wrong", body = ErrorBody),
        JsonRefusals))]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    _slot: SignInSlot,
    JsonBody(request): JsonBody<SignIn>,
) -> Result<Response, Error> {
    let issued = guarded::sign_in(
        state.store(),
        &state.guard().sign_in,
        &request.name,
        &request.password,
        address,
    )
    .await?;
    audit::record(
        state.store(),
        &issued.staff,
        "sign_in",
        &issued.staff.name,
        json!({ "expires_at": issued.expires_at }),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/staff/sessions", tag = "staff",
    security(("staff_session" = [])),
    responses((status = 204, description = "Signed out; the token no longer works"), SignedIn))]
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
) -> Result<StatusCode, Error> {
    let token = bearer_token(&headers)?;
    staff::sign_out(state.store(), token).await?;
    audit::record(
        state.store(),
        &session,
        "sign_out",
        &session.name,
        json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/staff/me", tag = "staff",
    security(("staff_session" = [])),
    responses((status = 200, description = "Who the token belongs to", body = StaffSession), SignedIn))]
pub(crate) async fn me(session: StaffSession) -> Json<StaffSession> {
    Json(session)
}

#[utoipa::path(get, path = "/api/v1/staff/accounts", tag = "staff",
    security(("staff_session" = [])),
    responses((status = 200, body = Vec<StaffAccount>), AdminOnly))]
pub(crate) async fn list_accounts(
    State(state): State<AppState>,
    _admin: RequireAdmin,
) -> Result<Json<Vec<StaffAccount>>, Error> {
    Ok(Json(staff::list_accounts(state.store()).await?))
}

/// A new staff account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit.
    pub name: String,
    pub role: Role,
    /// At least 12 characters.
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/staff/accounts", tag = "staff",
    security(("staff_session" = [])),
    request_body = NewAccount,
    responses((status = 201, body = StaffAccount),
        (status = 400, description = "A name or password that breaks the rules, or a body that is not the JSON expected", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody)))]
pub(crate) async fn create_account(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    JsonBody(request): JsonBody<NewAccount>,
) -> Result<Response, Error> {
    let account = staff::create_account(
        state.store(),
        &request.name,
        request.role,
        &request.password,
    )
    .await?;
    audit::record(
        state.store(),
        &admin,
        "create_staff",
        &account.name,
        json!({ "role": account.role }),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(account)).into_response())
}

/// A change to a staff account: any field left out stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    pub role: Option<Role>,
    /// `true` disables the account (it cannot sign in; its sessions end), `false` enables it.
    pub disabled: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/staff/accounts/{name}", tag = "staff",
    security(("staff_session" = [])),
    params(("name" = String, Path, description = "The account")),
    request_body = AccountChange,
    responses((status = 200, description = "The account after the change", body = StaffAccount),
        (status = 400, description = "Not the JSON expected", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "It would leave no admin who can sign in, or change your own admin account", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody)))]
pub(crate) async fn change_account(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    PathParams(name): PathParams<String>,
    JsonBody(change): JsonBody<AccountChange>,
) -> Result<Json<StaffAccount>, Error> {
    let mut actions = Vec::new();
    if let Some(role) = change.role {
        actions.push(AccountAction::SetRole(role));
    }
    match change.disabled {
        Some(true) => actions.push(AccountAction::Disable),
        Some(false) => actions.push(AccountAction::Enable),
        None => {}
    }
    let mut account = None;
    for action in actions {
        account = staff::manage_account(state.store(), &admin, &name, action).await?;
    }
    let account = match account {
        Some(account) => account,
        None => staff::account(state.store(), &name).await?,
    };
    Ok(Json(account))
}

#[utoipa::path(delete, path = "/api/v1/staff/accounts/{name}", tag = "staff",
    security(("staff_session" = [])),
    params(("name" = String, Path, description = "The account")),
    responses((status = 204, description = "Deleted; its sessions ended (the audit log keeps its name)"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "It would leave no admin who can sign in, or delete your own admin account", body = ErrorBody)))]
pub(crate) async fn delete_account(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    PathParams(name): PathParams<String>,
) -> Result<StatusCode, Error> {
    staff::manage_account(state.store(), &admin, &name, AccountAction::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    /// At least 12 characters.
    pub password: String,
}

#[utoipa::path(put, path = "/api/v1/staff/accounts/{name}/password", tag = "staff",
    security(("staff_session" = [])),
    params(("name" = String, Path, description = "The account")),
    request_body = NewPassword,
    responses((status = 204, description = "Set; every session of the account ended"),
        (status = 400, description = "A password that breaks the rules, or not the JSON expected", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody)))]
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    PathParams(name): PathParams<String>,
    JsonBody(request): JsonBody<NewPassword>,
) -> Result<StatusCode, Error> {
    staff::manage_account(
        state.store(),
        &admin,
        &name,
        AccountAction::ResetPassword(request.password),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/staff/accounts/{name}/sessions", tag = "staff",
    security(("staff_session" = [])),
    params(("name" = String, Path, description = "The account")),
    responses((status = 204, description = "Every session of the account ended"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody)))]
pub(crate) async fn end_sessions(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    PathParams(name): PathParams<String>,
) -> Result<StatusCode, Error> {
    staff::manage_account(state.store(), &admin, &name, AccountAction::EndSessions).await?;
    Ok(StatusCode::NO_CONTENT)
}
