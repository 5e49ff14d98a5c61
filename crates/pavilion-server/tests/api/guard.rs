//! Sign-in and token abuse: failed sign-ins throttled per name and per client address (429
//! with Retry-After), bad bearer tokens throttled per address, `X-Forwarded-For` believed
//! only from trusted proxies, long passwords refused before hashing, full sign-in and upload
//! slots answered 503, and every failed sign-in audited with the name tried and the address.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use pavilion_server::limits::IpRange;
use pavilion_server::staff::accounts::{self as staff, Role};
use serde_json::json;
use tower::ServiceExt as _;

use crate::me_support::{exhibitor_token, staff_token};
use crate::{KESTREL, Reply, TestApp, spawn_app_configured};

const PASSWORD: &str = "a long enough password";

/// Sends a request as if it came from `peer` over TCP (the accept loop's `ConnectInfo`).
pub async fn send_from(
    app: &TestApp,
    peer: &str,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Body,
) -> Reply {
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(body).unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body,
    }
}

async fn sign_in_from(app: &TestApp, peer: &str, name: &str, password: &str) -> Reply {
    sign_in_via(app, peer, &[], name, password).await
}

async fn sign_in_via(
    app: &TestApp,
    peer: &str,
    headers: &[(&str, &str)],
    name: &str,
    password: &str,
) -> Reply {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    send_from(
        app,
        peer,
        "POST",
        "/api/v1/staff/sessions",
        &all,
        Body::from(json!({ "name": name, "password": password }).to_string()),
    )
    .await
}

fn assert_throttled(reply: &Reply) {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        reply.body
    );
    assert_eq!(reply.error_code(), "too_many_requests");
    let wait: u64 = reply.header("retry-after").parse().unwrap();
    assert!(wait >= 1, "{wait}");
}

/// The failed sign-ins audited: (staff_id, staff_name, detail) oldest first.
async fn failed_sign_ins(app: &TestApp) -> Vec<(Option<i64>, String, serde_json::Value)> {
    let rows: Vec<(Option<i64>, String, String)> = sqlx::query_as(
        "SELECT staff_id, staff_name, detail FROM audit_log
         WHERE action = 'sign_in_failed' ORDER BY id",
    )
    .fetch_all(app.state.store().pool())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(id, name, detail)| (id, name, serde_json::from_str(&detail).unwrap()))
        .collect()
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_name_and_audited() {
    let app = spawn_app_configured(|config| {
        config.limits.failures_per_name = 3;
        config.limits.failures_per_address = 100;
    })
    .await;
    let ada = staff::create_account(app.state.store(), "ada", Role::Admin, PASSWORD)
        .await
        .unwrap();
    for (i, peer) in ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
        .into_iter()
        .enumerate()
    {
        let reply = sign_in_from(&app, peer, "ada", &format!("wrong password {i}")).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password from a fresh address waits now.
    let reply = sign_in_from(&app, "192.0.2.4", "ada", PASSWORD).await;
    assert_throttled(&reply);
    // Other names are not affected.
    let reply = sign_in_from(&app, "192.0.2.1", "bob", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

    let audited = failed_sign_ins(&app).await;
    assert_eq!(audited.len(), 4, "{audited:?}");
    for (i, (staff_id, name, detail)) in audited[..3].iter().enumerate() {
        assert_eq!(*staff_id, Some(ada.id));
        assert_eq!(name, "ada");
        assert_eq!(detail["address"], format!("192.0.2.{}", i + 1));
        assert_eq!(detail["reason"], "wrong_password");
    }
    // An unknown name has no staff id.
    assert_eq!(audited[3].0, None);
    assert_eq!(audited[3].1, "bob");
    assert_eq!(audited[3].2["reason"], "unknown_name");
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_address_and_a_success_still_works_elsewhere() {
    let app = spawn_app_configured(|config| {
        config.limits.failures_per_name = 100;
        config.limits.failures_per_address = 3;
    })
    .await;
    staff::create_account(app.state.store(), "ada", Role::Curator, PASSWORD)
        .await
        .unwrap();
    for name in ["x1", "x2", "x3"] {
        let reply = sign_in_from(&app, "198.51.100.7", name, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_throttled(&sign_in_from(&app, "198.51.100.7", "ada", PASSWORD).await);
    // The same /64 of IPv6 is one client; another address signs in.
    let reply = sign_in_from(&app, "198.51.100.8", "ada", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    for host in ["1", "2", "3"] {
        let peer = format!("[2001:db8:7:7::{host}]");
        let reply = sign_in_from(&app, &peer, "nobody", PASSWORD).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_throttled(&sign_in_from(&app, "[2001:db8:7:7:ffff::9]", "ada", PASSWORD).await);
}

#[tokio::test]
async fn bad_bearer_tokens_are_throttled_per_address() {
    let app = spawn_app_configured(|config| config.limits.failures_per_address = 3).await;
    let curator = staff_token(&app, "curator.one", "curator").await;
    let exhibitor = exhibitor_token(&app, KESTREL).await;
    let bogus_staff = format!("pst_{}", "0".repeat(64));
    let bogus_exhibitor = format!("pex_{}", "0".repeat(64));
    let attacker = "203.0.113.66";
    for (uri, token) in [
        ("/api/v1/staff/me", bogus_staff.as_str()),
        ("/api/v1/me", bogus_exhibitor.as_str()),
        ("/api/v1/staff/me", "not even a token"),
    ] {
        let header = format!("Bearer {token}");
        let reply = send_from(
            &app,
            attacker,
            "GET",
            uri,
            &[("authorization", &header)],
            Body::empty(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{uri}");
    }
    // The address is blocked now, for either kind of token, valid ones included.
    for (uri, token) in [
        ("/api/v1/staff/me", bogus_staff.as_str()),
        ("/api/v1/me", exhibitor.as_str()),
    ] {
        let header = format!("Bearer {token}");
        let reply = send_from(
            &app,
            attacker,
            "GET",
            uri,
            &[("authorization", &header)],
            Body::empty(),
        )
        .await;
        assert_throttled(&reply);
    }
    assert_throttled(&sign_in_from(&app, attacker, "curator.one", PASSWORD).await);
    // Other addresses carry on; visitors without a token are never throttled.
    let header = format!("Bearer {curator}");
    let reply = send_from(
        &app,
        "203.0.113.67",
        "GET",
        "/api/v1/staff/me",
        &[("authorization", &header)],
        Body::empty(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = send_from(&app, attacker, "GET", "/api/v1/hall", &[], Body::empty()).await;
    assert_eq!(reply.status, StatusCode::OK);
    // A missing token is not a guess: anonymous calls get 401, not 429.
    let reply = send_from(
        &app,
        attacker,
        "GET",
        "/api/v1/staff/me",
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn x_forwarded_for_is_believed_only_from_a_trusted_proxy() {
    let app = spawn_app_configured(|config| {
        config.limits.failures_per_address = 2;
        config.limits.failures_per_name = 100;
        config.trusted_proxies = vec![IpRange::parse("127.0.0.0/8").unwrap()];
    })
    .await;
    let proxy = "127.0.0.1";
    let behind = |client: &'static str| [("x-forwarded-for", client)];
    for _ in 0..2 {
        let reply = sign_in_via(&app, proxy, &behind("203.0.113.1"), "nobody", PASSWORD).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_throttled(&sign_in_via(&app, proxy, &behind("203.0.113.1"), "nobody", PASSWORD).await);
    // Another client behind the same proxy is its own address; a forged left entry is ignored.
    let reply = sign_in_via(
        &app,
        proxy,
        &behind("203.0.113.1, 203.0.113.2"),
        "nobody",
        PASSWORD,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

    // From an untrusted peer the header is ignored: the peer is the client.
    let direct = "192.0.2.50";
    for client in ["203.0.113.3", "203.0.113.4"] {
        let reply = sign_in_via(&app, direct, &behind(client), "nobody", PASSWORD).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_throttled(&sign_in_via(&app, direct, &behind("203.0.113.5"), "nobody", PASSWORD).await);
    let audited = failed_sign_ins(&app).await;
    assert_eq!(audited[0].2["address"], "203.0.113.1");
    assert_eq!(audited[3].2["address"], direct);
}

#[tokio::test]
async fn long_passwords_are_refused_before_any_hash_and_audited() {
    let app = spawn_app_configured(|_| {}).await;
    staff::create_account(app.state.store(), "ada", Role::Curator, PASSWORD)
        .await
        .unwrap();
    // No hash slot is free: a long password must be refused without waiting for one.
    let hashes = &app.state.guard().sign_in.hashes;
    let mut held = Vec::new();
    while hashes.available() > 0 {
        held.push(hashes.enter().await.unwrap());
    }
    let started = std::time::Instant::now();
    let reply = sign_in_from(&app, "192.0.2.1", "ada", &"x".repeat(1025)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.json()["message"].as_str().unwrap().contains("1024"));
    assert!(started.elapsed() < app.config.limits.sign_in_wait);
    // With the slots still taken, a normal attempt waits, then gets 503 with Retry-After.
    let reply = sign_in_from(&app, "192.0.2.1", "ada", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.error_code(), "busy");
    assert!(reply.header("retry-after").parse::<u64>().unwrap() >= 1);
    drop(held);
    let reply = sign_in_from(&app, "192.0.2.1", "ada", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let audited = failed_sign_ins(&app).await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].2["reason"], "password_too_long");
}

#[tokio::test]
async fn full_sign_in_and_upload_slots_answer_503_with_retry_after() {
    let app = spawn_app_configured(|config| {
        config.limits.max_sign_ins = 1;
        config.limits.max_uploads = 1;
        config.limits.sign_in_wait = std::time::Duration::from_millis(100);
    })
    .await;
    let token = exhibitor_token(&app, KESTREL).await;
    let guard = app.state.guard();
    let sign_in_slot = guard.sign_ins.enter().await.unwrap();
    let upload_slot = guard.uploads.enter().await.unwrap();

    let reply = sign_in_from(&app, "192.0.2.1", "ada", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.error_code(), "busy");
    assert_eq!(reply.header("retry-after"), "1");

    let header = format!("Bearer {token}");
    let headers = [("authorization", header.as_str())];
    let upload = |body: &'static [u8]| {
        send_from(
            &app,
            "192.0.2.1",
            "POST",
            "/api/v1/me/media?title=x",
            &headers,
            Body::from(body),
        )
    };
    let reply = upload(b"\x89PNG").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.error_code(), "busy");
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("uploads")
    );
    assert!(reply.headers.contains_key("retry-after"));

    drop((sign_in_slot, upload_slot));
    let reply = sign_in_from(&app, "192.0.2.1", "ada", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = upload(b"not media at all, but a free slot lets it be checked").await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
