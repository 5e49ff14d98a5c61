//! Staff sign-in and accounts: `POST /api/v1/staff/sessions` (name and password -> bearer
//! token), `DELETE /api/v1/staff/sessions` (sign out), `GET /api/v1/staff/me`, and for admins
//! `GET`/`POST /api/v1/staff/accounts`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::audit;
use crate::auth::staff::{self, RequireAdmin, Role, StaffSession};
use crate::error::Error;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/staff/sessions", post(sign_in).delete(sign_out))
        .route("/api/v1/staff/me", get(me))
        .route(
            "/api/v1/staff/accounts",
            get(list_accounts).post(create_account),
        )
}

/// Reads a JSON request body, answering 400 with the standard error body when it does not fit.
pub(super) fn json_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, Error> {
    serde_json::from_slice(body)
        .map_err(|e| Error::BadRequest(format!("the request body is not the expected JSON: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    name: String,
    password: String,
}

async fn sign_in(State(state): State<AppState>, body: Bytes) -> Result<Response, Error> {
    let request: SignIn = json_body(&body)?;
    let issued = staff::sign_in(state.store(), &request.name, &request.password).await?;
    audit::record(
        state.store().pool(),
        &issued.staff,
        "sign_in",
        &issued.staff.name,
        json!({ "expires_at": issued.expires_at }),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}

async fn sign_out(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
) -> Result<StatusCode, Error> {
    let token = staff::bearer_token_in(&headers)?;
    staff::sign_out(state.store(), token).await?;
    audit::record(
        state.store().pool(),
        &session,
        "sign_out",
        &session.name,
        json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(session: StaffSession) -> Json<StaffSession> {
    Json(session)
}

async fn list_accounts(
    State(state): State<AppState>,
    _admin: RequireAdmin,
) -> Result<Json<Vec<staff::StaffAccount>>, Error> {
    Ok(Json(staff::list_accounts(state.store()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAccount {
    name: String,
    role: Role,
    password: String,
}

async fn create_account(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    body: Bytes,
) -> Result<Response, Error> {
    let request: NewAccount = json_body(&body)?;
    let account = staff::create_account(
        state.store(),
        &request.name,
        request.role,
        &request.password,
    )
    .await?;
    audit::record(
        state.store().pool(),
        &admin,
        "create_staff",
        &account.name,
        json!({ "role": account.role }),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(account)).into_response())
}
