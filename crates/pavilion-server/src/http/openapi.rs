//! `GET /api/v1/openapi.json`: the OpenAPI 3 document of every route the server answers,
//! generated from the handlers' annotations and the body types (utoipa). The readable page
//! that renders it is `web/api.html`.

use std::sync::OnceLock;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use pavilion_model::layout::{LayoutProblem, LayoutRule, StageArea, StageAreaKind};
use pavilion_model::programme as model_programme;
use pavilion_model::{AskedQuestion, ContestProblem, ContestRule, Question, QuestionSet};
use pavilion_model::{
    BoothMedia, BoothPlacement, BoothTier, Entrance, ExhibitorDetail, ExhibitorProfile,
    ExhibitorSummary, FieldError, Footprint, Hall, HallSnapshot, MediaKind, Product, Rect, Topic,
    TopicZone,
};
use pavilion_model::{Programme, ProgrammeProblem, ProgrammeRule, StageNowNext};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::{ErrorBody, Problems};
use super::routes::{
    analytics, contest, exhibitors, hall, health, leads, me, media, programme, staff_contest,
    staff_import, staff_layout, staff_programme, staff_publish, staff_review, staff_sessions,
};
use crate::analytics::{
    BoothStats, BoothTotal, DayStats, Event, EventBatch, EventKind, HallStats, Recorded,
};
use crate::app::AppState;
use crate::catalogue::{ImportConflict, ImportReport, PlacedBooth};
use crate::db::{
    AuditEntry, Counts, Draft, Role, StaffAccount, StaffSession, Submission, SubmissionStatus,
    TokenInfo, VersionInfo,
};
use crate::exhibitor::tokens::IssuedToken;
use crate::leads::{Lead, LeadPolicy, LeadReceipt, NewLead};
use crate::staff::accounts::IssuedSession;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(document))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pavilion API",
        description = "Every route the Pavilion server answers besides the page files. Visitors read \
the published hall, its exhibitors and media; exhibitors keep their booth up to date (profile draft, \
products, media, submission for review); staff sign in, arrange the hall, review submissions, \
publish, roll back and read the audit log. Every error is `{\"code\", \"message\"}` with a stable \
code (the `ErrorBody` schema); validation errors add `errors` (one per field) or `problems` (layout \
or programme rules). JSON bodies must be sent as `Content-Type: application/json` (415 otherwise). \
The exhibitor's draft and the staff's layout draft are versioned: reads and saves answer with \
`ETag: \"<revision>\"`; writes may send it back as `If-Match` and get 412 `stale_version` (with the \
current `ETag`) when the draft changed since. \
See docs/exhibitor-guide.md for a walk-through with curl.",
        version = "1"
    ),
    paths(
        health::health,
        document,
        hall::hall,
        programme::programme,
        programme::now_and_next,
        programme::week_calendar,
        programme::session_calendar,
        programme::stage_screen,
        staff_programme::read,
        staff_programme::replace,
        contest::list,
        contest::register,
        contest::start,
        contest::current,
        contest::answer,
        contest::set_board,
        contest::week_board,
        staff_contest::list,
        staff_contest::save,
        staff_contest::delete,
        staff_contest::results,
        exhibitors::list,
        exhibitors::detail,
        media::media,
        staff_sessions::sign_in,
        staff_sessions::sign_out,
        staff_sessions::me,
        staff_sessions::list_accounts,
        staff_sessions::create_account,
        staff_sessions::change_account,
        staff_sessions::delete_account,
        staff_sessions::reset_password,
        staff_sessions::end_sessions,
        staff_layout::read,
        staff_layout::replace,
        staff_layout::check,
        staff_layout::auto_arrange,
        staff_layout::place_booth,
        staff_layout::remove_booth,
        staff_layout::add_hall,
        staff_layout::remove_hall,
        staff_publish::publish,
        staff_publish::versions,
        staff_publish::version,
        staff_publish::rollback,
        staff_publish::audit_log,
        staff_import::import,
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
        analytics::events,
        analytics::staff_stats,
        leads::leave,
        leads::read_policy,
        leads::list,
        leads::export,
        leads::remove,
        leads::change_retention,
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
        Counts,
        DayStats,
        BoothStats,
        BoothTotal,
        HallStats,
        EventBatch,
        Event,
        EventKind,
        Recorded,
        NewLead,
        Lead,
        LeadReceipt,
        LeadPolicy,
        leads::RetentionChange,
        leads::RetentionSet,
        Problems,
        LayoutProblem,
        model_programme::Week,
        model_programme::Day,
        model_programme::ThemeDay,
        model_programme::Forum,
        model_programme::ForumKind,
        model_programme::Stage,
        model_programme::Speaker,
        model_programme::Session,
        model_programme::SessionKind,
        Programme,
        ProgrammeProblem,
        ProgrammeRule,
        staff_programme::ProgrammeView,
        programme::ProgrammeNow,
        QuestionSet,
        Question,
        AskedQuestion,
        ContestProblem,
        ContestRule,
        contest::ContestSets,
        contest::NicknameSent,
        contest::Leaderboard,
        crate::contest::SetSummary,
        crate::contest::play::NewVisitor,
        crate::contest::play::AttemptView,
        crate::contest::play::AnswerSent,
        crate::contest::play::Verdict,
        crate::contest::play::BoardLine,
        staff_contest::StaffSet,
        staff_contest::StaffSets,
        StageNowNext,
        LayoutRule,
        HallSnapshot,
        Hall,
        Rect,
        Footprint,
        BoothPlacement,
        StageArea,
        StageAreaKind,
        Entrance,
        TopicZone,
        Topic,
        BoothTier,
        ExhibitorSummary,
        ExhibitorDetail,
        Role,
        StaffSession,
        StaffAccount,
        IssuedSession,
        VersionInfo,
        AuditEntry,
        staff_sessions::SignIn,
        staff_sessions::NewAccount,
        staff_sessions::AccountChange,
        staff_sessions::NewPassword,
        staff_layout::LayoutView,
        staff_layout::ExhibitorEntry,
        staff_layout::StageEntry,
        staff_layout::LayoutBody,
        staff_layout::BoothChange,
        staff_layout::NewHall,
        staff_publish::LiveVersion,
        ImportReport,
        ImportConflict,
        PlacedBooth,
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
        staff_review::Rejection,
        staff_review::NewToken,
    )),
    modifiers(&BearerSchemes, &GuardResponses),
    tags(
        (name = "visitors", description = "The published hall, its exhibitors and their media: public, cached"),
        (name = "operations", description = "Health and this document"),
        (name = "staff", description = "Staff sign-in, accounts, catalogue import, publishing, versions and the audit log: `Authorization: Bearer pst_...`"),
        (name = "staff layout", description = "The layout draft staff arrange: `Authorization: Bearer pst_...`"),
        (name = "staff programme", description = "The programme draft staff edit (days, theme days, forums, stages, sessions), published with the hall: `Authorization: Bearer pst_...`"),
        (name = "contest", description = "The knowledge contest for visitors: a nickname, one attempt per set, one question at a time, checked on the server; leaderboards. Play requests send `X-Contest-Visitor: pcv_...`"),
        (name = "staff contest", description = "The contest's question sets and results export: `Authorization: Bearer pst_...`"),
        (name = "exhibitor", description = "An exhibitor's own booth, with its token: `Authorization: Bearer pex_...`"),
        (name = "staff review", description = "The review queue, for signed-in staff: `Authorization: Bearer pst_...`"),
        (name = "exhibitor tokens", description = "Issuing and revoking exhibitor tokens, for staff admins"),
    )
)]
pub struct ApiDoc;

struct BearerSchemes;

/// The answers of the request guard (`http/limits.rs`, `staff/throttle.rs`), which can come
/// from any route: 408 past a deadline on every operation; 429 where a bearer token or a
/// sign-in is checked (too many failures from the address or for the name); 503 where a
/// bounded number of sign-ins or uploads run at once.
struct GuardResponses;

impl Modify for GuardResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder};
        let error = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                (&mut item.get, "get"),
                (&mut item.put, "put"),
                (&mut item.post, "post"),
                (&mut item.delete, "delete"),
                (&mut item.patch, "patch"),
            ];
            for (operation, method) in operations {
                let Some(operation) = operation.as_mut() else {
                    continue;
                };
                let responses = &mut operation.responses.responses;
                responses.entry("408".into()).or_insert_with(|| {
                    error("The request (or an upload slower than the minimum rate) ran past its deadline")
                });
                let signs_in = path == "/api/v1/staff/sessions" && method == "post";
                let checks_token = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                if signs_in || checks_token {
                    responses.entry("429".into()).or_insert_with(|| {
                        error("Too many failed sign-ins or bad tokens from this address or for this name: wait `Retry-After` seconds")
                    });
                }
                if signs_in || (path == "/api/v1/me/media" && method == "post") {
                    responses.entry("503".into()).or_insert_with(|| {
                        error("As many sign-ins or uploads as the server runs at once are under way: retry after `Retry-After` seconds")
                    });
                }
            }
        }
    }
}

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

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "This document (OpenAPI 3.1)", body = Object)))]
pub(crate) async fn document() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        document_json(),
    )
}
