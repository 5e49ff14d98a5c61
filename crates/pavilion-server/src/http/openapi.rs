//! `GET /api/v1/openapi.json`: the OpenAPI 3 document of the exhibitor and review API,
//! generated from the handlers' annotations and the body types (utoipa). The readable page
//! that renders it is `web/api.html`.

use std::sync::OnceLock;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use pavilion_model::layout::{LayoutProblem, LayoutRule};
use pavilion_model::{BoothMedia, ExhibitorProfile, FieldError, MediaKind, Product};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::ErrorBody;
use super::routes::{me, staff_review};
use crate::app::AppState;
use crate::db::{Draft, Submission, SubmissionStatus, TokenInfo};
use crate::exhibitor::tokens::IssuedToken;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(document))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pavilion exhibitor API",
        description = "Exhibitors keep their booth up to date: the profile draft, products, media, \
submission for review. Staff review submissions and issue exhibitor tokens. Every error is \
`{\"code\", \"message\"}` with a stable code; validation errors add `errors`, one per field. \
See docs/exhibitor-guide.md for a walk-through with curl.",
        version = "1"
    ),
    paths(
        me::me,
        me::get_profile,
        me::put_profile,
        me::patch_profile,
        me::list_products,
        me::put_products,
        me::add_product,
        me::put_product,
        me::delete_product,
        me::list_media,
        me::upload_media,
        me::delete_media,
        me::submit,
        me::review,
        me::stats,
        staff_review::list_submissions,
        staff_review::get_submission,
        staff_review::approve,
        staff_review::reject,
        staff_review::create_token,
        staff_review::list_tokens,
        staff_review::revoke_token,
    ),
    components(schemas(
        ErrorBody,
        LayoutProblem,
        LayoutRule,
        ExhibitorProfile,
        Product,
        FieldError,
        BoothMedia,
        MediaKind,
        Draft,
        Submission,
        SubmissionStatus,
        IssuedToken,
        TokenInfo,
        me::Me,
        me::ReviewStatus,
        me::Stats,
        staff_review::Rejection,
        staff_review::NewToken,
    )),
    modifiers(&BearerSchemes),
    tags(
        (name = "exhibitor", description = "An exhibitor's own booth, with its token: `Authorization: Bearer pex_...`"),
        (name = "staff review", description = "The review queue, for signed-in staff: `Authorization: Bearer pst_...`"),
        (name = "exhibitor tokens", description = "Issuing and revoking exhibitor tokens, for staff admins"),
    )
)]
pub struct ApiDoc;

struct BearerSchemes;

impl Modify for BearerSchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            let mut scheme = Http::new(HttpAuthScheme::Bearer);
            scheme.description = Some(description.to_owned());
            SecurityScheme::Http(scheme)
        };
        components.add_security_scheme(
            "exhibitor_token",
            bearer("An exhibitor token (pex_ and 64 hex digits) issued by staff"),
        );
        components.add_security_scheme(
            "staff_session",
            bearer("A staff session token (pst_...) from POST /api/v1/staff/sessions"),
        );
    }
}

/// The document, built once.
pub fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
    })
}

async fn document() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        document_json(),
    )
}
