//! Staff curation: sign-in and roles, who may call staff routes, layout edits refused with
//! every problem, publish, versions, rollback to the exact earlier bytes, publish atomicity
//! under concurrent readers, and the audit log.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use pavilion_model::{Hall, HallSnapshot};
use pavilion_server::cli::{StaffCommand, run_staff_command};
use pavilion_server::secret::token_digest;
use pavilion_server::staff::accounts::{self as staff, Role};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use tower::ServiceExt as _;

use crate::{KESTREL, Reply, TestApp, spawn_app};

pub(crate) const PASSWORD: &str = "a long enough password";

/// Sends a request with an optional bearer token and JSON body (through the shared helpers).
pub(crate) async fn send(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    match body {
        Some(json) => crate::me_support::send_json(app, method, uri, token, &json).await,
        None => crate::me_support::send(app, method, uri, token, Body::empty()).await,
    }
}

/// Creates an account and signs it in; returns the bearer token.
pub(crate) async fn staff_token(app: &TestApp, name: &str, role: Role) -> String {
    staff::create_account(app.state.store(), name, role, PASSWORD)
        .await
        .unwrap();
    let reply = send(
        app,
        "POST",
        "/api/v1/staff/sessions",
        None,
        Some(json!({ "name": name, "password": PASSWORD })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let token = reply.json()["token"].as_str().unwrap().to_owned();
    assert!(
        token.starts_with("pst_") && token.len() == 4 + 64,
        "{token}"
    );
    token
}

async fn layout(app: &TestApp, token: &str) -> Value {
    let reply = send(app, "GET", "/api/v1/staff/layout", Some(token), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.json()
}

fn booth<'a>(layout: &'a Value, slug: &str) -> &'a Value {
    layout["halls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["booths"].as_array().unwrap())
        .find(|b| b["exhibitor"] == slug)
        .unwrap_or_else(|| panic!("{slug} is not placed"))
}

/// Every staff route this issue adds, with a harmless body where one is needed.
fn staff_routes() -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("GET", "/api/v1/staff/me".into(), None),
        ("DELETE", "/api/v1/staff/sessions".into(), None),
        ("GET", "/api/v1/staff/accounts".into(), None),
        (
            "POST",
            "/api/v1/staff/accounts".into(),
            Some(json!({ "name": "x", "role": "admin", "password": PASSWORD })),
        ),
        ("GET", "/api/v1/staff/layout".into(), None),
        (
            "PUT",
            "/api/v1/staff/layout".into(),
            Some(json!({ "halls": [] })),
        ),
        (
            "POST",
            "/api/v1/staff/layout/check".into(),
            Some(json!({ "halls": [] })),
        ),
        ("POST", "/api/v1/staff/layout/arrange".into(), None),
        (
            "PATCH",
            format!("/api/v1/staff/layout/booths/{KESTREL}"),
            Some(json!({ "turn": 1 })),
        ),
        (
            "DELETE",
            format!("/api/v1/staff/layout/booths/{KESTREL}"),
            None,
        ),
        (
            "POST",
            "/api/v1/staff/layout/halls".into(),
            Some(json!({ "name": "New" })),
        ),
        ("DELETE", "/api/v1/staff/layout/halls/hall-1".into(), None),
        ("POST", "/api/v1/staff/publish".into(), None),
        ("POST", "/api/v1/staff/import".into(), None),
        ("GET", "/api/v1/staff/versions".into(), None),
        ("GET", "/api/v1/staff/versions/1".into(), None),
        ("POST", "/api/v1/staff/versions/1/rollback".into(), None),
        ("GET", "/api/v1/staff/audit".into(), None),
        (
            "PATCH",
            "/api/v1/staff/accounts/nobody".into(),
            Some(json!({ "disabled": true })),
        ),
        ("DELETE", "/api/v1/staff/accounts/nobody".into(), None),
        (
            "PUT",
            "/api/v1/staff/accounts/nobody/password".into(),
            Some(json!({ "password": PASSWORD })),
        ),
        (
            "DELETE",
            "/api/v1/staff/accounts/nobody/sessions".into(),
            None,
        ),
    ]
}

#[tokio::test]
async fn staff_routes_refuse_anonymous_and_exhibitor_callers() {
    let app = spawn_app().await;
    let exhibitor = pavilion_server::exhibitor::tokens::create_token(
        app.state.store(),
        KESTREL,
        "test",
        "test",
        None,
    )
    .await
    .unwrap()
    .token;
    let forged = format!("pst_{}", "0".repeat(64));
    let callers: [(&str, Option<&str>); 4] = [
        ("anonymous", None),
        ("exhibitor", Some(&exhibitor)),
        ("forged", Some(&forged)),
        ("garbage", Some("not-a-token")),
    ];
    for (method, uri, body) in staff_routes() {
        for (who, token) in callers {
            let reply = send(&app, method, &uri, token, body.clone()).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{who} {method} {uri}"
            );
            assert_eq!(reply.error_code(), "unauthorized", "{who} {method} {uri}");
            assert_eq!(reply.header("www-authenticate"), "Bearer");
        }
    }
    // nothing changed: still version 1, the audit log is empty
    assert_eq!(app.state.published().version, 1);
    let audit = pavilion_server::staff::audit::list(app.state.store(), 10, None)
        .await
        .unwrap();
    assert!(audit.is_empty(), "{audit:?}");
}

#[tokio::test]
async fn sign_in_roles_sign_out_and_expiry() {
    let app = spawn_app().await;
    let curator = staff_token(&app, "curator.one", Role::Curator).await;
    let admin = staff_token(&app, "admin.one", Role::Admin).await;

    let me = send(&app, "GET", "/api/v1/staff/me", Some(&curator), None).await;
    assert_eq!(me.json()["name"], "curator.one");
    assert_eq!(me.json()["role"], "curator");

    // curators may not manage staff; admins may
    let reply = send(&app, "GET", "/api/v1/staff/accounts", Some(&curator), None).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_code(), "forbidden");
    let reply = send(&app, "GET", "/api/v1/staff/accounts", Some(&admin), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json().as_array().unwrap().len(), 2);
    assert!(!String::from_utf8_lossy(&reply.body).contains("argon2"));
    let new_account = json!({ "name": "curator.two", "role": "curator", "password": PASSWORD });
    let reply = send(
        &app,
        "POST",
        "/api/v1/staff/accounts",
        Some(&admin),
        Some(new_account.clone()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let reply = send(
        &app,
        "POST",
        "/api/v1/staff/accounts",
        Some(&admin),
        Some(new_account),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);

    // a wrong password and an unknown name get the same answer
    for (name, password) in [("curator.one", "wrong password!!"), ("nobody", PASSWORD)] {
        let reply = send(
            &app,
            "POST",
            "/api/v1/staff/sessions",
            None,
            Some(json!({ "name": name, "password": password })),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.json()["message"], "the name or password is wrong");
    }

    // only the hash is stored
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_sha256 FROM staff_sessions")
        .fetch_all(app.state.store().pool())
        .await
        .unwrap();
    assert!(stored.contains(&token_digest(&curator)));
    assert!(
        !stored
            .iter()
            .any(|s| s == &curator || s.contains(&curator[4..]))
    );
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM staff WHERE name = 'admin.one'")
            .fetch_one(app.state.store().pool())
            .await
            .unwrap();
    assert!(hash.starts_with("$argon2id$"));

    // signing out ends the session
    let reply = send(
        &app,
        "DELETE",
        "/api/v1/staff/sessions",
        Some(&curator),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = send(&app, "GET", "/api/v1/staff/me", Some(&curator), None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

    // an expired session is refused
    sqlx::query("UPDATE staff_sessions SET expires_at = 0")
        .execute(app.state.store().pool())
        .await
        .unwrap();
    let reply = send(&app, "GET", "/api/v1/staff/me", Some(&admin), None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_cli_creates_accounts_from_a_password_file() {
    let app = spawn_app().await;
    let file = app.data.path().join("password.txt");
    std::fs::write(&file, format!("{PASSWORD}\n")).unwrap();
    let create = StaffCommand::Create {
        name: "ada".into(),
        role: Role::Admin,
        password_file: Some(file.clone()),
    };
    let out = run_staff_command(app.state.store(), &create).await.unwrap();
    assert!(out.contains("created staff account ada (admin)"), "{out}");
    assert!(run_staff_command(app.state.store(), &create).await.is_err());
    std::fs::write(&file, "short\n").unwrap();
    let short = StaffCommand::Create {
        name: "bob".into(),
        role: Role::Curator,
        password_file: Some(file),
    };
    assert!(run_staff_command(app.state.store(), &short).await.is_err());
    let listed = run_staff_command(app.state.store(), &StaffCommand::List)
        .await
        .unwrap();
    assert!(listed.starts_with("ada\tadmin\t"), "{listed}");
    let hashes = &app.state.guard().sign_in.hashes;
    let issued = staff::sign_in(app.state.store(), hashes, "ada", PASSWORD)
        .await
        .unwrap();
    assert_eq!(issued.staff.role, Role::Admin);
}

#[tokio::test]
async fn layout_edits_are_checked_saved_and_audited() {
    let app = spawn_app().await;
    let token = staff_token(&app, "curator", Role::Curator).await;
    let before = layout(&app, &token).await;
    assert_eq!(before["problems"], json!([]));
    assert_eq!(
        before["exhibitors"].as_array().unwrap().len(),
        crate::FIXTURE_SIZE
    );
    // The editor's list: topic, tier and the tier's footprint of every exhibitor.
    let kestrel = before["exhibitors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["slug"] == crate::KESTREL)
        .unwrap();
    assert_eq!(kestrel["topic"], "network-security");
    assert_eq!(kestrel["tier"], "premium");
    assert_eq!(kestrel["footprint"], json!({"width": 6.0, "depth": 3.0}));
    let slugs: Vec<String> = before["exhibitors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["slug"].as_str().unwrap().to_owned())
        .collect();

    // an empty hall to work in
    let reply = send(
        &app,
        "POST",
        "/api/v1/staff/layout/halls",
        Some(&token),
        Some(json!({ "name": "Annex", "width": 30, "depth": 30 })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let annex = reply.json()["halls"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // move a booth there and turn it
    let reply = send(
        &app,
        "PATCH",
        &format!("/api/v1/staff/layout/booths/{}", slugs[0]),
        Some(&token),
        Some(json!({ "hall": annex, "position": [10.0, 20.0], "rotation": 0 })),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let saved = layout(&app, &token).await;
    let moved = booth(&saved, &slugs[0]);
    assert_eq!(moved["position"], json!([10.0, 20.0]));

    // onto another booth: 422, every problem named, nothing saved
    let reply = send(
        &app,
        "PATCH",
        &format!("/api/v1/staff/layout/booths/{}", slugs[1]),
        Some(&token),
        Some(json!({ "hall": annex, "position": [10.5, 20.5] })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_code(), "invalid_layout");
    let problems = reply.json()["problems"].as_array().unwrap().clone();
    assert!(
        problems.iter().any(|p| p["rule"] == "overlap"
            && p["exhibitor"] == slugs[1].as_str()
            && p["message"].as_str().unwrap().contains(&slugs[0])),
        "{problems:?}"
    );
    assert_eq!(layout(&app, &token).await["halls"], saved["halls"]);

    // a whole invalid layout: 422 and nothing saved
    let mut halls: Vec<Hall> = serde_json::from_value(saved["halls"].clone()).unwrap();
    halls[0].booths[0].position = [-50.0, 5.0];
    let reply = send(
        &app,
        "PUT",
        "/api/v1/staff/layout",
        Some(&token),
        Some(json!({ "halls": halls })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.json()["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["rule"] == "outside_hall")
    );
    assert_eq!(layout(&app, &token).await["halls"], saved["halls"]);
    let check = send(
        &app,
        "POST",
        "/api/v1/staff/layout/check",
        Some(&token),
        Some(json!({ "halls": halls })),
    )
    .await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(!check.json().as_array().unwrap().is_empty());

    // a footprint that is not the tier's is refused
    let mut halls: Vec<Hall> = serde_json::from_value(saved["halls"].clone()).unwrap();
    halls[0].booths[0].footprint.width = 1.0;
    let reply = send(
        &app,
        "PUT",
        "/api/v1/staff/layout",
        Some(&token),
        Some(json!({ "halls": halls })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);

    // a hall with booths cannot be removed; an empty one can
    let reply = send(
        &app,
        "DELETE",
        &format!("/api/v1/staff/layout/halls/{annex}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    let reply = send(
        &app,
        "POST",
        "/api/v1/staff/layout/arrange",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["problems"], json!([]));
    // one exhibition hall for the fixture's exhibitors, and the seeded forum hall kept with
    // its stage areas (the arrangement places booths, not stages)
    let halls = reply.json()["halls"].as_array().unwrap().clone();
    assert_eq!(halls.len(), 2);
    assert_eq!(halls[1]["id"], "forum");
    assert_eq!(halls[1]["stages"].as_array().unwrap().len(), 7);

    let audit = send(&app, "GET", "/api/v1/staff/audit", Some(&token), None).await;
    let actions: Vec<String> = audit
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["staff"], "curator");
            assert!(e["at"].as_str().unwrap().ends_with('Z'));
            e["action"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        actions,
        ["arrange_layout", "move_booth", "add_hall", "sign_in"],
        "newest first, refused changes not logged"
    );
}

#[tokio::test]
async fn publish_versions_and_rollback_restore_the_exact_bytes() {
    let app = spawn_app().await;
    let token = staff_token(&app, "publisher", Role::Curator).await;
    let original = app.get("/api/v1/hall").await;
    let original_etag = original.header("etag").to_owned();

    let reply = send(
        &app,
        "PATCH",
        &format!("/api/v1/staff/layout/booths/{KESTREL}"),
        Some(&token),
        Some(json!({ "turn": 0 })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = send(&app, "POST", "/api/v1/staff/publish", Some(&token), None).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.json()["version"], 2);
    let second = app.get("/api/v1/hall").await;
    let snapshot: HallSnapshot = serde_json::from_slice(&second.body).unwrap();
    assert_eq!(snapshot.version, 2);
    assert_ne!(second.header("etag"), original_etag);

    let versions = send(&app, "GET", "/api/v1/staff/versions", Some(&token), None)
        .await
        .json();
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["live"], true);
    assert_eq!(versions[0]["published_by"], "publisher");
    assert_eq!(versions[0]["booths"], crate::FIXTURE_SIZE);
    assert_eq!(versions[1]["version"], 1);
    assert_eq!(versions[1]["live"], false);
    assert_eq!(versions[1]["published_by"], Value::Null);
    let stored_v1 = send(&app, "GET", "/api/v1/staff/versions/1", Some(&token), None).await;
    assert_eq!(stored_v1.body, original.body);

    let reply = send(
        &app,
        "POST",
        "/api/v1/staff/versions/1/rollback",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let rolled_back = app.get("/api/v1/hall").await;
    assert_eq!(
        rolled_back.body, original.body,
        "byte for byte the first snapshot"
    );
    assert_eq!(rolled_back.header("etag"), original_etag);
    for encoding in ["br", "gzip"] {
        let coded = app
            .get_with("/api/v1/hall", &[("accept-encoding", encoding)])
            .await;
        assert!(
            coded
                .header("etag")
                .starts_with(&original_etag[..original_etag.len() - 1])
        );
    }
    let reply = send(
        &app,
        "POST",
        "/api/v1/staff/versions/9/rollback",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    // the rollback outlives a restart, and the next publish is a new version
    let app = app.restart().await;
    assert_eq!(app.get("/api/v1/hall").await.body, original.body);
    let token = send(
        &app,
        "POST",
        "/api/v1/staff/sessions",
        None,
        Some(json!({ "name": "publisher", "password": PASSWORD })),
    )
    .await
    .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = send(&app, "POST", "/api/v1/staff/publish", Some(&token), None).await;
    assert_eq!(reply.json()["version"], 3);
    let audit = pavilion_server::staff::audit::list(app.state.store(), 20, None)
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "publish",
            "sign_in",
            "rollback",
            "publish",
            "move_booth",
            "sign_in"
        ]
    );
    assert_eq!(audit[2].detail, json!({ "from": 2, "to": 1 }));
}

#[tokio::test]
async fn an_invalid_draft_is_not_published() {
    let app = spawn_app().await;
    let token = staff_token(&app, "publisher", Role::Curator).await;
    let mut halls = app.state.store().layout_draft().await.unwrap().unwrap();
    let first = halls[0].booths[0].clone();
    halls[0].booths[1].position = first.position;
    app.state
        .store()
        .save_layout_draft(&halls, None, None)
        .await
        .unwrap();
    let reply = send(&app, "POST", "/api/v1/staff/publish", Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = reply.json()["problems"].as_array().unwrap().clone();
    assert!(
        problems.iter().any(|p| p["rule"] == "overlap"),
        "{problems:?}"
    );
    assert_eq!(app.state.published().version, 1);
    assert_eq!(app.state.store().latest_version().await.unwrap(), 1);
}

/// The ETag names the version and the first 16 hex digits of the body's SHA-256.
fn etag_matches(etag: &str, body: &[u8], version: u64) -> bool {
    let digest = hex::encode(Sha256::digest(body));
    etag == format!("\"v{version}-{}\"", &digest[..16])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_see_the_old_or_the_new_snapshot_never_a_mix() {
    let app = spawn_app().await;
    let token = staff_token(&app, "publisher", Role::Curator).await;
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..6 {
        let router = app.router.clone();
        let stop = Arc::clone(&stop);
        readers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let response = router
                    .clone()
                    .oneshot(Request::get("/api/v1/hall").body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                let etag = response.headers()["etag"].to_str().unwrap().to_owned();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                let snapshot: HallSnapshot =
                    serde_json::from_slice(&body).expect("a complete snapshot");
                assert!(
                    etag_matches(&etag, &body, snapshot.version),
                    "{etag} vs v{}",
                    snapshot.version
                );
                if seen.last() != Some(&snapshot.version) {
                    seen.push(snapshot.version);
                }
                tokio::task::yield_now().await;
            }
            seen
        }));
    }
    const PUBLISHES: u64 = 4;
    for _ in 0..PUBLISHES {
        let reply = send(&app, "POST", "/api/v1/staff/publish", Some(&token), None).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    stop.store(true, Ordering::Relaxed);
    let mut all = BTreeSet::new();
    for reader in readers {
        let seen = reader.await.unwrap();
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "versions only go forward: {seen:?}"
        );
        all.extend(seen);
    }
    assert!(
        all.iter().all(|v| (1..=1 + PUBLISHES).contains(v)),
        "{all:?}"
    );
    assert!(all.len() >= 2, "readers saw publishes happen: {all:?}");
    let last = app.get("/api/v1/hall").await;
    assert!(etag_matches(last.header("etag"), &last.body, 1 + PUBLISHES));
}
