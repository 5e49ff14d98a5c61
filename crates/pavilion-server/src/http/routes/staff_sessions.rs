//! Staff sign-in and accounts: `POST /api/v1/staff/sessions` (name and password -> bearer
//! token), `DELETE /api/v1/staff/sessions` (sign out), `GET /api/v1/staff/me`, and for admins
//! `GET`/`POST /api/v1/staff/accounts`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::error::Error;
use crate::http::client_address::ClientAddress;
use crate::http::extract::{JsonBody, RequireAdmin, bearer_token};
use crate::http::limits::SignInSlot;
use crate::staff::accounts::{self as staff, Role, StaffSession};
use crate::staff::{audit, sign_in as guarded};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/staff/sessions", post(sign_in).delete(sign_out))
        .route("/api/v1/staff/me", get(me))
        .route(
            "/api/v1/staff/accounts",
            get(list_accounts).post(create_account),
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    name: String,
    password: String,
}

async fn sign_in(
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

async fn sign_out(
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
