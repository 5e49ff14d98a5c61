//! Several servers on one PostgreSQL database (issue 14, item 4), as two apps in this
//! process that share nothing but the database: started together, one imports and the other
//! finds it done; a staff session made on one works on the other; failed sign-ins on one
//! count on the other; a publish or rollback on
//! one is served by the other within a bounded time; the curation lock held on one keeps the
//! other's curation waiting. Runs under `cargo xtask test-postgres` (skipped on SQLite, where
//! one server owns its data folder).

use std::path::Path;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use pavilion_server::hall::live::FOLLOW_POLL;

use crate::me_support::{send, staff_token};
use crate::{FIXTURE_SIZE, TestApp, on_postgres, spawn_app_configured, test_database};

/// An app on the database `url` whose media folder is `media_home`'s (the servers of a
/// shared store share their media, as they would one bucket).
async fn app_on(url: &str, media_home: &Path) -> TestApp {
    let url = url.to_owned();
    let media_home = media_home.to_path_buf();
    spawn_app_configured(move |config| {
        config.database_url = Some(url);
        config.data_dir = media_home;
        config.limits.failures_per_name = 2;
    })
    .await
}

async fn live_version(app: &TestApp) -> u64 {
    let reply = app.get("/api/v1/hall").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.json()["version"].as_u64().unwrap()
}

/// Waits until `app` serves `version`; returns how long that took.
async fn served_within(app: &TestApp, version: u64, bound: Duration) -> Duration {
    let started = Instant::now();
    while live_version(app).await != version {
        assert!(
            started.elapsed() < bound,
            "version {version} not served within {bound:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_publishes_sessions_and_the_curation_lock() {
    if !on_postgres() {
        eprintln!("needs PostgreSQL: runs under cargo xtask test-postgres");
        return;
    }
    let url = test_database().await.unwrap();
    // Started together on an empty database: one imports and publishes, the other waits
    // for it (the start-up takes the shared curation lock) and imports nothing twice.
    let media_home = tempfile::tempdir().unwrap();
    let (first, second) = tokio::join!(
        app_on(&url, media_home.path()),
        app_on(&url, media_home.path())
    );
    assert_eq!(
        first.state.store().exhibitor_count().await.unwrap(),
        FIXTURE_SIZE as i64
    );
    assert_eq!(first.state.store().latest_version().await.unwrap(), 1);
    assert_eq!(live_version(&first).await, 1);
    assert_eq!(live_version(&second).await, 1);

    // A session made through one server is good on the other.
    let admin = staff_token(&first, "two-servers-admin", "admin").await;
    let layout = send(&second, "GET", "/api/v1/staff/layout", Some(&admin), "").await;
    assert_eq!(layout.status, StatusCode::OK);

    // Failed sign-ins count across the servers: two on the first, and the second refuses
    // the third attempt at that name.
    for _ in 0..2 {
        let refused = sign_in(&first, "guessed-name").await;
        assert_eq!(refused, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        sign_in(&second, "guessed-name").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // A publish on the first is served by the second within the bound: at once through
    // LISTEN/NOTIFY, at worst at the next poll.
    let bound = FOLLOW_POLL + Duration::from_secs(2);
    let published = send(&first, "POST", "/api/v1/staff/publish", Some(&admin), "").await;
    assert!(published.status.is_success(), "{:?}", published.body);
    assert_eq!(live_version(&first).await, 2);
    let took = served_within(&second, 2, bound).await;
    eprintln!("a publish on one server was served by the other after {took:?}");
    assert!(took < Duration::from_secs(1), "notice took {took:?}");

    // A rollback on the second is served by the first.
    let rolled = send(
        &second,
        "POST",
        "/api/v1/staff/versions/1/rollback",
        Some(&admin),
        "",
    )
    .await;
    assert!(rolled.status.is_success(), "{:?}", rolled.body);
    assert_eq!(live_version(&second).await, 1);
    served_within(&first, 1, bound).await;

    // While the first holds the curation lock, a publish on the second waits for it.
    let held = first.state.live().curation_lock().await.unwrap();
    let waiting = {
        let second = second.state.clone();
        let router = second_router(&second);
        let admin = admin.clone();
        tokio::spawn(async move { publish_via(router, &admin).await })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        !waiting.is_finished(),
        "the publish did not wait for the lock"
    );
    assert_eq!(first.state.store().latest_version().await.unwrap(), 2);
    drop(held);
    let status = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the publish went ahead once the lock was released")
        .unwrap();
    assert!(status.is_success(), "{status}");
    assert_eq!(first.state.store().latest_version().await.unwrap(), 3);
    served_within(&first, 3, bound).await;
}

async fn sign_in(app: &TestApp, name: &str) -> StatusCode {
    let body = serde_json::json!({ "name": name, "password": "not the password at all" });
    crate::me_support::send_json(app, "POST", "/api/v1/staff/sessions", None, &body)
        .await
        .status
}

fn second_router(state: &pavilion_server::AppState) -> axum::Router {
    pavilion_server::app(state.clone())
}

async fn publish_via(router: axum::Router, token: &str) -> StatusCode {
    use tower::ServiceExt as _;
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/staff/publish")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    router.oneshot(request).await.unwrap().status()
}
