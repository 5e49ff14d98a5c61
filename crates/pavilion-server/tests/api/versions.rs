//! Versioned drafts: the exhibitor's profile draft and the staff's layout draft answer with an
//! `ETag`, take `If-Match` on every write, refuse a stale version with 412 and the current one
//! (saving nothing), and of two writes made over one version exactly one is saved. Writes
//! without `If-Match` still work, and concurrent ones are all applied, none lost. A
//! submission can name the version it sends.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::me_support::{exhibitor_token, png, send, send_with, staff_token};
use crate::{KESTREL, Reply, TestApp, spawn_app};

/// Sends a JSON request with a bearer token and extra headers.
async fn send_json_with(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: &str,
    headers: &[(&str, &str)],
    json: &Value,
) -> Reply {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    send_with(
        app,
        method,
        uri,
        Some(token),
        &all,
        Body::from(json.to_string()),
    )
    .await
}

/// The revision an answer's `ETag` names, checked to be a strong, quoted number.
fn etag_revision(reply: &Reply) -> u64 {
    let etag = reply.header("etag");
    let number = etag
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or_else(|| panic!("not a strong quoted ETag: {etag}"));
    number.parse().unwrap()
}

/// Asserts a 412 `stale_version` naming `current` in its body and its `ETag`.
fn assert_stale(reply: &Reply, current: u64) {
    assert_eq!(
        reply.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.error_code(), "stale_version");
    let body = reply.json();
    assert_eq!(body["current_revision"], current, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&format!("version {current}")),
        "{body}"
    );
    assert_eq!(reply.header("etag"), format!("\"{current}\""));
}

/// One request through a clone of the router, for requests sent at the same time.
async fn send_owned(
    router: Router,
    method: &'static str,
    uri: String,
    headers: Vec<(&'static str, String)>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = router
        .oneshot(request.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn profile(app: &TestApp, token: &str) -> Reply {
    let reply = send(app, "GET", "/api/v1/me/profile", Some(token), "").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply
}

#[tokio::test]
async fn the_profile_draft_carries_its_version_and_refuses_a_stale_write() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let path = "/api/v1/me/profile";

    // Never saved: version 0, the approved profile.
    let first = profile(&app, &token).await;
    assert_eq!(etag_revision(&first), 0);
    assert_eq!(first.json()["revision"], 0);
    assert_eq!(first.header("cache-control"), "no-store");

    // A write naming the current version is saved and answers with the next one.
    let patch = json!({ "tagline": "Network detection for the rest of us" });
    let saved = send_json_with(
        &app,
        "PATCH",
        path,
        &token,
        &[("if-match", "\"0\"")],
        &patch,
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.json());
    assert_eq!(etag_revision(&saved), 1);
    assert_eq!(saved.json()["revision"], 1);

    // A write naming the version it edited, now stale: 412 with the current one, nothing saved.
    let stale = json!({ "tagline": "An older idea of the tagline, typed in another tab" });
    let refused = send_json_with(
        &app,
        "PATCH",
        path,
        &token,
        &[("if-match", "\"0\"")],
        &stale,
    )
    .await;
    assert_stale(&refused, 1);
    let now = profile(&app, &token).await;
    assert_eq!(etag_revision(&now), 1);
    assert_eq!(now.json()["profile"]["tagline"], patch["tagline"]);

    // PUT the whole profile over the current version.
    let mut whole = now.json()["profile"].clone();
    whole["headquarters"] = json!("Utrecht");
    let reply = send_json_with(&app, "PUT", path, &token, &[("if-match", "\"1\"")], &whole).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    assert_eq!(etag_revision(&reply), 2);

    // Comparison is strong: a weak tag of the current version does not match.
    let reply = send_json_with(
        &app,
        "PUT",
        path,
        &token,
        &[("if-match", "W/\"2\"")],
        &whole,
    )
    .await;
    assert_stale(&reply, 2);
    // `*` and a list holding the current version do.
    let reply = send_json_with(&app, "PUT", path, &token, &[("if-match", "*")], &whole).await;
    assert_eq!(etag_revision(&reply), 3);
    let reply = send_json_with(
        &app,
        "PUT",
        path,
        &token,
        &[("if-match", "\"9\", \"3\"")],
        &whole,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(etag_revision(&reply), 4);

    // A malformed If-Match is a bad request, and saves nothing.
    for malformed in ["4", "\"4", "\"4\" junk", "*, \"4\""] {
        let reply = send_json_with(
            &app,
            "PUT",
            path,
            &token,
            &[("if-match", malformed)],
            &whole,
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{malformed}");
        assert_eq!(reply.error_code(), "bad_request");
        assert!(
            reply.json()["message"]
                .as_str()
                .unwrap()
                .contains("If-Match")
        );
    }
    assert_eq!(etag_revision(&profile(&app, &token).await), 4);

    // Without If-Match a write is applied to whatever is current (older clients).
    let reply = send_json_with(&app, "PUT", path, &token, &[], &whole).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(etag_revision(&reply), 5);

    // An invalid profile over the current version: 422 and the version stays.
    let mut invalid = whole.clone();
    invalid["tagline"] = json!("short");
    let reply = send_json_with(
        &app,
        "PUT",
        path,
        &token,
        &[("if-match", "\"5\"")],
        &invalid,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(etag_revision(&profile(&app, &token).await), 5);
}

#[tokio::test]
async fn product_edits_and_submission_name_the_draft_version() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let list = send(&app, "GET", "/api/v1/me/products", Some(&token), "").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(etag_revision(&list), 0);
    let products = list.json();
    let first = products[0].clone();

    let reply = send_json_with(
        &app,
        "PUT",
        "/api/v1/me/products/0",
        &token,
        &[("if-match", "\"0\"")],
        &first,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    assert_eq!(etag_revision(&reply), 1);

    // Index-based edits are where a stale view does damage: each one is refused.
    let reply = send_with(
        &app,
        "DELETE",
        "/api/v1/me/products/0",
        Some(&token),
        &[("if-match", "\"0\"")],
        Body::empty(),
    )
    .await;
    assert_stale(&reply, 1);
    let product = json!({
        "name": "Ward Replay",
        "category": "Forensics",
        "summary": "Replays a week of captured traffic against new detection rules in minutes."
    });
    let reply = send_json_with(
        &app,
        "POST",
        "/api/v1/me/products",
        &token,
        &[("if-match", "\"0\"")],
        &product,
    )
    .await;
    assert_stale(&reply, 1);
    let reply = send_json_with(
        &app,
        "PUT",
        "/api/v1/me/products",
        &token,
        &[("if-match", "\"0\"")],
        &products,
    )
    .await;
    assert_stale(&reply, 1);
    let after = send(&app, "GET", "/api/v1/me/products", Some(&token), "").await;
    assert_eq!(after.json(), products, "nothing changed");
    assert_eq!(etag_revision(&after), 1);

    // Media are a list of their own (each upload or delete one row, nothing read and
    // rewritten): they leave the draft's version alone.
    let reply = send(
        &app,
        "POST",
        "/api/v1/me/media?title=Booth",
        Some(&token),
        png(64, 64, [10, 120, 200]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(etag_revision(&profile(&app, &token).await), 1);

    // Submitting a version that is no longer the draft sends nothing; the current one goes.
    let reply = send_with(
        &app,
        "POST",
        "/api/v1/me/submission",
        Some(&token),
        &[("if-match", "\"0\"")],
        Body::empty(),
    )
    .await;
    assert_stale(&reply, 1);
    let status = send(&app, "GET", "/api/v1/me/review", Some(&token), "").await;
    assert_eq!(status.json()["status"], "none");
    let reply = send_with(
        &app,
        "POST",
        "/api/v1/me/submission",
        Some(&token),
        &[("if-match", "\"1\"")],
        Body::empty(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.json());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_draft_writes_over_one_version_exactly_one_is_saved() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let bearer = format!("Bearer {token}");
    let base = etag_revision(&profile(&app, &token).await);
    assert_eq!(base, 0);

    let taglines = [
        "Network detection for the rest of us",
        "Network detection that tells you plainly",
        "Quiet network detection for busy teams",
        "Network detection with the lights on",
    ];
    let writers: Vec<_> = taglines
        .iter()
        .map(|tagline| {
            tokio::spawn(send_owned(
                app.router.clone(),
                "PATCH",
                "/api/v1/me/profile".into(),
                vec![
                    ("authorization", bearer.clone()),
                    ("if-match", format!("\"{base}\"")),
                ],
                json!({ "tagline": tagline }),
            ))
        })
        .collect();
    let mut saved = Vec::new();
    for (writer, tagline) in writers.into_iter().zip(taglines) {
        let (status, body) = writer.await.unwrap();
        match status {
            StatusCode::OK => saved.push(tagline),
            StatusCode::PRECONDITION_FAILED => {
                assert_eq!(body["code"], "stale_version");
                assert_eq!(body["current_revision"], 1);
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(saved.len(), 1, "exactly one write wins: {saved:?}");
    let now = profile(&app, &token).await;
    assert_eq!(etag_revision(&now), 1);
    assert_eq!(now.json()["profile"]["tagline"], saved[0]);

    // Without If-Match, writes made at once to different fields are all applied: none is
    // lost to another that read the draft before it was saved.
    let changes = [
        json!({ "tagline": "Network detection, one field at a time" }),
        json!({ "headquarters": "Utrecht" }),
        json!({ "founded": 2011 }),
        json!({ "colour": "#2a6f97" }),
    ];
    let writers: Vec<_> = changes
        .iter()
        .map(|change| {
            tokio::spawn(send_owned(
                app.router.clone(),
                "PATCH",
                "/api/v1/me/profile".into(),
                vec![("authorization", bearer.clone())],
                change.clone(),
            ))
        })
        .collect();
    for writer in writers {
        let (status, body) = writer.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let now = profile(&app, &token).await;
    assert_eq!(etag_revision(&now), 1 + changes.len() as u64);
    let draft = &now.json()["profile"];
    for change in &changes {
        let (field, value) = change.as_object().unwrap().iter().next().unwrap();
        assert_eq!(&draft[field], value, "{field} was lost");
    }
}

async fn layout(app: &TestApp, token: &str) -> Reply {
    let reply = send(app, "GET", "/api/v1/staff/layout", Some(token), "").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply
}

#[tokio::test]
async fn the_layout_draft_carries_its_version_and_refuses_a_stale_write() {
    let app = spawn_app().await;
    let token = staff_token(&app, "curator", "curator").await;
    let start = layout(&app, &token).await;
    let base = etag_revision(&start);
    assert!(base >= 1, "the import saved the draft");
    assert_eq!(start.json()["revision"], base);
    assert_eq!(start.header("cache-control"), "no-store");
    let halls = json!({ "halls": start.json()["halls"] });
    let tag = |revision: u64| format!("\"{revision}\"");

    // Add a hall over the current version.
    let reply = send_json_with(
        &app,
        "POST",
        "/api/v1/staff/layout/halls",
        &token,
        &[("if-match", &tag(base))],
        &json!({ "name": "Annex", "width": 30, "depth": 30 }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.json());
    assert_eq!(etag_revision(&reply), base + 1);
    let annex = reply.json()["halls"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let audit_entries = |app: &TestApp| {
        let pool = app.state.store().pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_log")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let audited = audit_entries(&app).await;

    // Every write over the older version is refused, and nothing changes (not even the log).
    let reply = send_json_with(
        &app,
        "PUT",
        "/api/v1/staff/layout",
        &token,
        &[("if-match", &tag(base))],
        &halls,
    )
    .await;
    assert_stale(&reply, base + 1);
    let reply = send_with(
        &app,
        "DELETE",
        &format!("/api/v1/staff/layout/halls/{annex}"),
        Some(&token),
        &[("if-match", &tag(base))],
        Body::empty(),
    )
    .await;
    assert_stale(&reply, base + 1);
    let reply = send_json_with(
        &app,
        "PATCH",
        &format!("/api/v1/staff/layout/booths/{KESTREL}"),
        &token,
        &[("if-match", &tag(base))],
        &json!({ "turn": 1 }),
    )
    .await;
    assert_stale(&reply, base + 1);
    let reply = send_with(
        &app,
        "POST",
        "/api/v1/staff/layout/arrange",
        Some(&token),
        &[("if-match", &tag(base))],
        Body::empty(),
    )
    .await;
    assert_stale(&reply, base + 1);
    let now = layout(&app, &token).await;
    assert_eq!(etag_revision(&now), base + 1);
    assert!(
        now.json()["halls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == annex.as_str())
    );
    assert_eq!(
        audit_entries(&app).await,
        audited,
        "a refused write is not audited"
    );

    // A malformed If-Match is a bad request.
    let reply = send_with(
        &app,
        "DELETE",
        &format!("/api/v1/staff/layout/halls/{annex}"),
        Some(&token),
        &[("if-match", "latest")],
        Body::empty(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);

    // Over the current version: saved.
    let reply = send_with(
        &app,
        "DELETE",
        &format!("/api/v1/staff/layout/halls/{annex}"),
        Some(&token),
        &[("if-match", &tag(base + 1))],
        Body::empty(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    assert_eq!(etag_revision(&reply), base + 2);

    // Without If-Match: applied to the current version.
    let reply = send_json_with(&app, "PUT", "/api/v1/staff/layout", &token, &[], &halls).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    assert_eq!(etag_revision(&reply), base + 3);
    assert_eq!(reply.json()["revision"], base + 3);

    // Publishing can name the version it publishes: an older one publishes nothing.
    let live = app.state.live().published().version;
    let reply = send_with(
        &app,
        "POST",
        "/api/v1/staff/publish",
        Some(&token),
        &[("if-match", &tag(base + 2))],
        Body::empty(),
    )
    .await;
    assert_stale(&reply, base + 3);
    assert_eq!(app.state.live().published().version, live);
    let reply = send_with(
        &app,
        "POST",
        "/api/v1/staff/publish",
        Some(&token),
        &[("if-match", &tag(base + 3))],
        Body::empty(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    assert!(app.state.live().published().version > live);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_layout_saves_over_one_version_exactly_one_is_saved() {
    let app = spawn_app().await;
    let token = staff_token(&app, "curator", "curator").await;
    let start = layout(&app, &token).await;
    let base = etag_revision(&start);
    let halls = json!({ "halls": start.json()["halls"] });
    let writers: Vec<_> = (0..2)
        .map(|_| {
            tokio::spawn(send_owned(
                app.router.clone(),
                "PUT",
                "/api/v1/staff/layout".into(),
                vec![
                    ("authorization", format!("Bearer {token}")),
                    ("if-match", format!("\"{base}\"")),
                ],
                halls.clone(),
            ))
        })
        .collect();
    let mut statuses = Vec::new();
    for writer in writers {
        let (status, body) = writer.await.unwrap();
        if status == StatusCode::PRECONDITION_FAILED {
            assert_eq!(body["current_revision"], base + 1);
        }
        statuses.push(status);
    }
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::PRECONDITION_FAILED],
        "exactly one save wins"
    );
    assert_eq!(etag_revision(&layout(&app, &token).await), base + 1);
}

/// The store's compare-and-set itself, below the curation lock that serialises layout edits
/// in one process: a save over a revision that is no longer current writes nothing.
#[tokio::test]
async fn a_save_over_an_old_revision_writes_nothing() {
    use pavilion_server::revision::Revision;

    let app = spawn_app().await;
    let store = app.state.store();
    let draft = store.layout_draft_with_time().await.unwrap().unwrap();
    let mut halls = draft.halls.clone();
    halls.pop();
    let stale = Revision(draft.revision.0 - 1);
    assert_eq!(
        store
            .save_layout_draft(&halls, None, Some(stale))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .save_layout_draft(&halls, None, Some(Revision::UNSAVED))
            .await
            .unwrap(),
        None,
        "a draft that exists is not created again"
    );
    let unchanged = store.layout_draft_with_time().await.unwrap().unwrap();
    assert_eq!(unchanged.revision, draft.revision);
    assert_eq!(unchanged.halls.len(), draft.halls.len());
    let saved = store
        .save_layout_draft(&halls, None, Some(draft.revision))
        .await
        .unwrap();
    assert_eq!(saved, Some(Revision(draft.revision.0 + 1)));

    // The exhibitor's draft: created once from revision 0, then only over the current one.
    let profile: pavilion_model::ExhibitorProfile = store
        .approved_profile(KESTREL)
        .await
        .unwrap()
        .unwrap()
        .into();
    let (first, _) = store
        .save_draft(KESTREL, &profile, Revision::UNSAVED)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first, Revision(1));
    assert!(
        store
            .save_draft(KESTREL, &profile, Revision::UNSAVED)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .save_draft(KESTREL, &profile, Revision(7))
            .await
            .unwrap()
            .is_none()
    );
    let (second, _) = store
        .save_draft(KESTREL, &profile, first)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second, Revision(2));
}
