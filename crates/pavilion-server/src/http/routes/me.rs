//! The exhibitor API under `/api/v1/me/`: the booth profile draft, its products, media
//! uploads, submission for review, the review status and visit statistics. Every route
//! takes [`ExhibitorAuth`], so it only ever reads or writes the token's own booth.
//!
//! The draft (profile and products) is versioned: reads and saves answer with its `ETag`, and
//! every write to it may send `If-Match` to be saved only over that version (412
//! `stale_version` otherwise; see `http::versions`). Media are rows of their own and do not
//! change the draft's version.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use pavilion_model::{BoothMedia, ExhibitorProfile, Product};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::analytics::{BoothStats, booth_stats};
use crate::app::AppState;
use crate::error::Error;
use crate::exhibitor::content::{self, Draft, Submission, SubmissionStatus, Upload};
use crate::exhibitor::tokens::ExhibitorAuth;
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, PathParams, QueryParams};
use crate::http::limits::{UploadSlot, min_rate_body};
use crate::http::routes::analytics::PeriodQuery;
use crate::http::versions::{IfMatchHeader, Precondition, StaleVersion, Versioned};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route(
            "/api/v1/me/profile",
            get(get_profile).put(put_profile).patch(patch_profile),
        )
        .route(
            "/api/v1/me/products",
            get(list_products).put(put_products).post(add_product),
        )
        .route(
            "/api/v1/me/products/{index}",
            put(put_product).delete(delete_product),
        )
        .route("/api/v1/me/media", get(list_media).post(upload_media))
        .route("/api/v1/me/media/{sha256}", delete(delete_media))
        .route("/api/v1/me/submission", post(submit))
        .route("/api/v1/me/review", get(review))
        .route("/api/v1/me/stats", get(stats))
}

/// Who the token speaks for.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub slug: String,
    pub name: String,
    pub topic: String,
    pub tier: String,
    /// The visitor page, opened at this booth (shows the published booth).
    pub preview_url: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub(crate) async fn me(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
) -> Result<Json<Me>, Error> {
    let profile = content::approved_profile(state.store(), &auth.slug).await?;
    Ok(Json(Me {
        preview_url: format!("/?booth={}", profile.slug()),
        slug: profile.slug().to_string(),
        name: profile.name().to_owned(),
        topic: profile.topic().slug().to_owned(),
        tier: profile.tier().slug().to_owned(),
    }))
}

#[utoipa::path(get, path = "/api/v1/me/profile", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    responses((status = 200, description = "The draft, or the approved profile while there is no draft (version 0)", body = Draft,
            headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 401, body = ErrorBody)))]
pub(crate) async fn get_profile(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
) -> Result<Versioned<Json<Draft>>, Error> {
    let draft = content::draft(state.store(), &auth.slug).await?;
    Ok(Versioned::ok(draft.revision, Json(draft)))
}

#[utoipa::path(put, path = "/api/v1/me/profile", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    params(IfMatchHeader),
    request_body = ExhibitorProfile,
    responses((status = 200, body = Draft, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 400, description = "Not the profile JSON, or a malformed If-Match", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "Fields break rules; `errors` lists each", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn put_profile(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
    precondition: Precondition,
    JsonBody(profile): JsonBody<ExhibitorProfile>,
) -> Result<Versioned<Json<Draft>>, Error> {
    let draft =
        content::save_draft(state.store(), &auth.slug, precondition.as_ref(), &profile).await?;
    Ok(Versioned::ok(draft.revision, Json(draft)))
}

#[utoipa::path(patch, path = "/api/v1/me/profile", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    params(IfMatchHeader),
    request_body(content = Object, description = "A JSON merge patch (RFC 7396): the fields to change", content_type = "application/merge-patch+json"),
    responses((status = 200, body = Draft, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 400, description = "Not a JSON object, a patched profile that does not read, or a malformed If-Match", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn patch_profile(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
    precondition: Precondition,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> Result<Versioned<Json<Draft>>, Error> {
    let draft =
        content::patch_draft(state.store(), &auth.slug, precondition.as_ref(), patch).await?;
    Ok(Versioned::ok(draft.revision, Json(draft)))
}

#[utoipa::path(get, path = "/api/v1/me/products", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    responses((status = 200, description = "The draft's products; the ETag is the draft's version", body = Vec<Product>,
            headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 401, body = ErrorBody)))]
pub(crate) async fn list_products(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
) -> Result<Versioned<Json<Vec<Product>>>, Error> {
    let draft = content::draft(state.store(), &auth.slug).await?;
    Ok(Versioned::ok(draft.revision, Json(draft.profile.products)))
}

/// Saves the draft with its product list changed by `change` (called again when another save
/// lands first and there is no precondition), answering with the list and the new version.
async fn change_products(
    state: &AppState,
    slug: &str,
    precondition: &Precondition,
    status: StatusCode,
    mut change: impl FnMut(&mut Vec<Product>) -> Result<(), Error>,
) -> Result<Versioned<Json<Vec<Product>>>, Error> {
    let saved = content::edit_draft(state.store(), slug, precondition.as_ref(), |profile| {
        change(&mut profile.products)
    })
    .await?;
    Ok(Versioned {
        status,
        revision: saved.revision,
        body: Json(saved.profile.products),
    })
}

#[utoipa::path(put, path = "/api/v1/me/products", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    params(IfMatchHeader),
    request_body = Vec<Product>,
    responses((status = 200, body = Vec<Product>, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse (the message names the field), or a malformed If-Match", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn put_products(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
    precondition: Precondition,
    JsonBody(products): JsonBody<Vec<Product>>,
) -> Result<Versioned<Json<Vec<Product>>>, Error> {
    change_products(&state, &auth.slug, &precondition, StatusCode::OK, |list| {
        list.clone_from(&products);
        Ok(())
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/me/products", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    params(IfMatchHeader),
    request_body = Product,
    responses((status = 201, body = Vec<Product>, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse (the message names the field), or a malformed If-Match", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn add_product(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
    precondition: Precondition,
    JsonBody(product): JsonBody<Product>,
) -> Result<Versioned<Json<Vec<Product>>>, Error> {
    change_products(
        &state,
        &auth.slug,
        &precondition,
        StatusCode::CREATED,
        |list| {
            list.push(product.clone());
            Ok(())
        },
    )
    .await
}

fn product_slot(list: &mut [Product], index: usize) -> Result<&mut Product, Error> {
    let count = list.len();
    list.get_mut(index).ok_or_else(|| {
        Error::not_found(format!(
            "there is no product {index}; the draft has {count}, numbered from 0"
        ))
    })
}

#[utoipa::path(put, path = "/api/v1/me/products/{index}", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    params(("index" = usize, Path, description = "Position in the list, from 0"), IfMatchHeader),
    request_body = Product,
    responses((status = 200, body = Vec<Product>, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse (the message names the field), or a malformed If-Match", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn put_product(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
    PathParams(index): PathParams<usize>,
    precondition: Precondition,
    JsonBody(product): JsonBody<Product>,
) -> Result<Versioned<Json<Vec<Product>>>, Error> {
    change_products(&state, &auth.slug, &precondition, StatusCode::OK, |list| {
        product_slot(list, index)?.clone_from(&product);
        Ok(())
    })
    .await
}

#[utoipa::path(delete, path = "/api/v1/me/products/{index}", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    params(("index" = usize, Path, description = "Position in the list, from 0"), IfMatchHeader),
    responses((status = 200, body = Vec<Product>, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "A booth lists 2 to 5 products", body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse (the message names the field), or a malformed If-Match", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn delete_product(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
    PathParams(index): PathParams<usize>,
    precondition: Precondition,
) -> Result<Versioned<Json<Vec<Product>>>, Error> {
    change_products(&state, &auth.slug, &precondition, StatusCode::OK, |list| {
        product_slot(list, index)?;
        list.remove(index);
        Ok(())
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/me/media", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    responses((status = 200, body = Vec<BoothMedia>), (status = 401, body = ErrorBody)))]
pub(crate) async fn list_media(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
) -> Result<Json<Vec<BoothMedia>>, Error> {
    Ok(Json(content::list_media(state.store(), &auth.slug).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// A caption: one line of plain text, at most 120 characters.
    pub title: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/me/media", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    params(UploadQuery),
    request_body(content = String, content_type = "application/octet-stream",
        description = "The file's bytes, as they are, as the whole body (binary). The kind is decided from the content: PNG, JPEG or SVG (rasterised) image up to 8 MiB and 4096 x 4096 (SVG 256 KiB), MP4 or WebM video up to 256 MiB, PDF brochure up to 10 MiB, GLB model up to 8 MiB within the booth tier's budget."),
    responses(
        (status = 201, description = "Stored", body = BoothMedia),
        (status = 200, description = "The same bytes were uploaded before", body = BoothMedia),
        (status = 401, body = ErrorBody),
        (status = 409, description = "The booth holds as many media files (`conflict`) or bytes (`booth_quota_exceeded`) as it may", body = ErrorBody),
        (status = 413, description = "Larger than the kind's limit (refused while streaming)", body = ErrorBody),
        (status = 415, description = "Not a kind Pavilion accepts", body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse; the message names the field", body = ErrorBody),
        (status = 422, description = "The content fails its checks (truncated, too many pixels, active content, external URIs, over budget, `time_limit`, `memory_limit`, ...)", body = ErrorBody),
        (status = 429, description = "Another upload with this token is under way (`upload_in_progress`)", body = ErrorBody),
        (status = 507, description = "The server's disk is full (`insufficient_storage`); nothing was stored", body = ErrorBody)))]
pub(crate) async fn upload_media(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
    QueryParams(query): QueryParams<UploadQuery>,
    _slot: UploadSlot,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Error> {
    let limits = &state.guard().limits;
    let body = min_rate_body(body, limits.min_upload_rate, limits.upload_rate_window);
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let upload = Upload {
        title: query.title.as_deref().unwrap_or(""),
        body,
        declared_length,
    };
    let (item, created) = content::upload_media(
        state.store(),
        state.media(),
        state.renderer(),
        state.upload_policy(),
        &auth,
        upload,
    )
    .await?;
    tracing::info!(exhibitor = %auth.slug, sha256 = %item.sha256, kind = item.kind.as_str(), bytes = item.byte_size, created, "media uploaded");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(item)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/me/media/{sha256}", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    params(("sha256" = String, Path, description = "The media's id (its SHA-256)")),
    responses((status = 204, description = "Removed from the draft"),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse; the message names the field", body = ErrorBody)))]
pub(crate) async fn delete_media(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
    PathParams(sha256): PathParams<String>,
) -> Result<StatusCode, Error> {
    content::delete_media(state.store(), &auth.slug, &sha256).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/me/submission", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    params(IfMatchHeader),
    responses((status = 201, description = "Waiting for review; an earlier waiting submission is superseded", body = Submission),
        (status = 400, description = "A malformed If-Match", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
        StaleVersion))]
pub(crate) async fn submit(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
    precondition: Precondition,
) -> Result<Response, Error> {
    let submission = content::submit(state.store(), &auth.slug, precondition.as_ref()).await?;
    Ok((StatusCode::CREATED, Json(submission)).into_response())
}

/// Where the booth's newest submission stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewStatus {
    /// `none` until the first submission.
    pub status: String,
    /// Why staff rejected it, when they did.
    pub reason: Option<String>,
    pub submission: Option<Submission>,
}

#[utoipa::path(get, path = "/api/v1/me/review", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    responses((status = 200, body = ReviewStatus), (status = 401, body = ErrorBody)))]
pub(crate) async fn review(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
) -> Result<Json<ReviewStatus>, Error> {
    let latest = content::latest_submission(state.store(), &auth.slug).await?;
    let status = match latest.as_ref().map(|s| s.status) {
        None => "none",
        Some(SubmissionStatus::Pending) => "pending",
        Some(SubmissionStatus::Approved) => "approved",
        Some(SubmissionStatus::Rejected) => "rejected",
        Some(SubmissionStatus::Superseded) => "superseded",
    };
    Ok(Json(ReviewStatus {
        status: status.to_owned(),
        reason: latest.as_ref().and_then(|s| s.reason.clone()),
        submission: latest,
    }))
}

/// The booth's figures per day over a period (the last 30 days unless asked otherwise), with
/// totals: visits, time spent, media plays, brochure downloads and model views, as counted
/// from the visitor page (visitors who ask not to be tracked are not counted).
#[utoipa::path(get, path = "/api/v1/me/stats", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    params(PeriodQuery),
    responses((status = 200, description = "Every day of the period, oldest first, days without visitors as zeros", body = BoothStats),
        (status = 400, description = "A day that does not read, from after to, or over 366 days", body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub(crate) async fn stats(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
    QueryParams(query): QueryParams<PeriodQuery>,
) -> Result<Json<BoothStats>, Error> {
    Ok(Json(
        booth_stats(state.store(), &auth.slug, query.period()?).await?,
    ))
}
