//! The knowledge contest for visitors, no account needed: `GET /api/v1/contest` (the sets
//! published with the live version, never their questions), `POST /api/v1/contest/visitors` (a nickname and its secret),
//! `POST`/`GET /api/v1/contest/sets/{set}/attempt` (start the one attempt, or see where it
//! stands), `POST .../attempt/answers` (answer the question asked: the verdict, the answer
//! and its explanation, and the next question) and the leaderboards per set and for the
//! week. Play requests send the secret as `X-Contest-Visitor` and are rate-limited per
//! client address; nickname registrations more strictly.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use pavilion_model::QuestionSet;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::contest::play::{self, AnswerSent, AttemptView, BoardLine, NewVisitor, Verdict};
use crate::contest::{self, SetSummary};
use crate::db::ContestVisitor;
use crate::error::Error;
use crate::http::client_address::ClientAddress;
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, PathParams};

/// The header a visitor's secret travels in.
pub const VISITOR_HEADER: &str = "x-contest-visitor";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/contest", get(list))
        .route("/api/v1/contest/visitors", post(register))
        .route(
            "/api/v1/contest/sets/{set}/attempt",
            post(start).get(current),
        )
        .route("/api/v1/contest/sets/{set}/attempt/answers", post(answer))
        .route("/api/v1/contest/sets/{set}/leaderboard", get(set_board))
        .route("/api/v1/contest/leaderboard", get(week_board))
}

/// A visitor playing, known by their secret; every play request counts against the
/// caller's address first.
pub(crate) struct Player(ContestVisitor);

impl FromRequestParts<AppState> for Player {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let Ok(ClientAddress(address)) = ClientAddress::from_request_parts(parts, state).await;
        state.guard().contest.play(address).await?;
        let token = parts
            .headers
            .get(VISITOR_HEADER)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| {
                Error::Unauthorized(
                    "choose a nickname first and send its secret as X-Contest-Visitor".into(),
                )
            })?;
        Ok(Player(
            play::visitor_for_token(state.store(), token.trim()).await?,
        ))
    }
}

/// A set of the live version (see `contest::offered`), or 404.
async fn played_set(state: &AppState, id: &str) -> Result<QuestionSet, Error> {
    let published = state.published();
    contest::offered_set(state.store(), published.contest.as_deref(), id).await
}

/// The sets to play.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContestSets {
    pub sets: Vec<SetSummary>,
}

#[utoipa::path(get, path = "/api/v1/contest", tag = "contest",
    responses((status = 200, description = "Every question set published with the live version: title, theme day, number of questions, seconds per question (no question)", body = ContestSets)))]
pub(crate) async fn list(State(state): State<AppState>) -> Result<Json<ContestSets>, Error> {
    let published = state.published();
    Ok(Json(ContestSets {
        sets: contest::summaries(state.store(), published.contest.as_deref()).await?,
    }))
}

/// A nickname to play under.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NicknameSent {
    /// 2 to 24 letters, digits, spaces, `-`, `_` or `.`; unique regardless of case.
    pub nickname: String,
}

#[utoipa::path(post, path = "/api/v1/contest/visitors", tag = "contest",
    request_body = NicknameSent,
    responses((status = 201, description = "The nickname is yours; keep the secret to play", body = NewVisitor),
        (status = 400, description = "Not a nickname, or not the JSON expected", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        (status = 409, description = "`nickname_taken`", body = ErrorBody),
        (status = 429, description = "Too many nicknames from this address", body = ErrorBody)))]
pub(crate) async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    JsonBody(sent): JsonBody<NicknameSent>,
) -> Result<Response, Error> {
    // Checked before counting, so a typo does not use up the hour's registrations.
    play::parse_nickname(&sent.nickname)?;
    state.guard().contest.register(address).await?;
    let visitor = play::register(state.store(), &sent.nickname).await?;
    Ok((StatusCode::CREATED, Json(visitor)).into_response())
}

#[utoipa::path(post, path = "/api/v1/contest/sets/{set}/attempt", tag = "contest",
    params(("set" = String, Path), ("X-Contest-Visitor" = String, Header, description = "The visitor's secret")),
    responses((status = 201, description = "Started: the first question, without its answer, and the time left", body = AttemptView),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such set", body = ErrorBody),
        (status = 409, description = "`already_played`: one attempt per set", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub(crate) async fn start(
    State(state): State<AppState>,
    Player(visitor): Player,
    PathParams(set): PathParams<String>,
) -> Result<Response, Error> {
    let set = played_set(&state, &set).await?;
    let view = play::start(state.store(), state.contest_clock(), &set, &visitor).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[utoipa::path(get, path = "/api/v1/contest/sets/{set}/attempt", tag = "contest",
    params(("set" = String, Path), ("X-Contest-Visitor" = String, Header, description = "The visitor's secret")),
    responses((status = 200, description = "The attempt as it stands: the question asked (its clock keeps running) or the final score", body = AttemptView),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such set, or not started", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub(crate) async fn current(
    State(state): State<AppState>,
    Player(visitor): Player,
    PathParams(set): PathParams<String>,
) -> Result<Json<AttemptView>, Error> {
    let set = played_set(&state, &set).await?;
    Ok(Json(
        play::current(state.store(), state.contest_clock(), &set, &visitor).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/contest/sets/{set}/attempt/answers", tag = "contest",
    params(("set" = String, Path), ("X-Contest-Visitor" = String, Header, description = "The visitor's secret")),
    request_body = AnswerSent,
    responses((status = 200, description = "The verdict (late answers count as wrong), the answer and its explanation, and the next question", body = Verdict),
        (status = 400, description = "A choice the question does not have, or not the JSON expected", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such set, or not started", body = ErrorBody),
        (status = 409, description = "`already_answered` (a replay), `not_asked` (a question ahead) or `attempt_finished`", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub(crate) async fn answer(
    State(state): State<AppState>,
    Player(visitor): Player,
    PathParams(set): PathParams<String>,
    JsonBody(sent): JsonBody<AnswerSent>,
) -> Result<Json<Verdict>, Error> {
    let set = played_set(&state, &set).await?;
    Ok(Json(
        play::answer(state.store(), state.contest_clock(), &set, &visitor, &sent).await?,
    ))
}

/// A leaderboard: the best 20, finished attempts only.
#[derive(Debug, Serialize, ToSchema)]
pub struct Leaderboard {
    pub lines: Vec<BoardLine>,
}

#[utoipa::path(get, path = "/api/v1/contest/sets/{set}/leaderboard", tag = "contest",
    params(("set" = String, Path)),
    responses((status = 200, description = "The set's best: score, then least time", body = Leaderboard),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn set_board(
    State(state): State<AppState>,
    PathParams(set): PathParams<String>,
) -> Result<Response, Error> {
    let set = played_set(&state, &set).await?;
    let lines = play::set_board(state.store(), &set).await?;
    Ok(shared_briefly(Json(Leaderboard { lines })))
}

/// How long shared caches may keep a leaderboard: anyone may read it, as often as they like,
/// so a proxy in front can answer the crowd.
const BOARD_MAX_AGE: HeaderValue = HeaderValue::from_static("public, max-age=5");

fn shared_briefly(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, BOARD_MAX_AGE);
    response
}

#[utoipa::path(get, path = "/api/v1/contest/leaderboard", tag = "contest",
    responses((status = 200, description = "The week's best: every finished set of a visitor summed", body = Leaderboard)))]
pub(crate) async fn week_board(State(state): State<AppState>) -> Result<Response, Error> {
    let lines = play::week_board(state.store()).await?;
    Ok(shared_briefly(Json(Leaderboard { lines })))
}
