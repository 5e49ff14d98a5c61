//! Staff account management and exhibitor token lifetimes: admins disable, enable, delete,
//! re-role and reset accounts and end their sessions (API and CLI), each audited; the team is
//! never left without an admin; tokens can expire and record when they were last used.

use axum::http::StatusCode;
use pavilion_server::cli::{StaffCommand, run_staff_command};
use pavilion_server::staff::accounts::{self as staff, Role};
use serde_json::json;

use crate::staff::{PASSWORD, send, staff_token};
use crate::{KESTREL, TestApp, spawn_app};

async fn audit_actions(app: &TestApp) -> Vec<(String, String)> {
    pavilion_server::staff::audit::list(app.state.store(), 50, None)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| (entry.action, entry.target))
        .collect()
}

async fn sign_in(app: &TestApp, name: &str, password: &str) -> StatusCode {
    send(
        app,
        "POST",
        "/api/v1/staff/sessions",
        None,
        Some(json!({ "name": name, "password": password })),
    )
    .await
    .status
}

async fn me(app: &TestApp, token: &str) -> StatusCode {
    send(app, "GET", "/api/v1/staff/me", Some(token), None)
        .await
        .status
}

#[tokio::test]
async fn admins_disable_enable_reset_and_sign_out_accounts() {
    let app = spawn_app().await;
    let admin = staff_token(&app, "ada", Role::Admin).await;
    let curator = staff_token(&app, "cy", Role::Curator).await;

    // A curator may not manage accounts.
    let reply = send(
        &app,
        "PATCH",
        "/api/v1/staff/accounts/ada",
        Some(&curator),
        Some(json!({ "disabled": true })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    // Disabled: the open session stops working and sign-in is refused like a wrong password.
    let reply = send(
        &app,
        "PATCH",
        "/api/v1/staff/accounts/cy",
        Some(&admin),
        Some(json!({ "disabled": true })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert!(reply.json()["disabled_at"].is_string());
    assert_eq!(me(&app, &curator).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        sign_in(&app, "cy", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );

    // Enabled again, and promoted.
    let reply = send(
        &app,
        "PATCH",
        "/api/v1/staff/accounts/cy",
        Some(&admin),
        Some(json!({ "disabled": false, "role": "admin" })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["role"], "admin");
    assert!(reply.json()["disabled_at"].is_null());
    assert_eq!(sign_in(&app, "cy", PASSWORD).await, StatusCode::CREATED);

    // A new password ends the sessions; the old password no longer works.
    let new_password = "another long password";
    let reply = send(
        &app,
        "PUT",
        "/api/v1/staff/accounts/cy/password",
        Some(&admin),
        Some(json!({ "password": "short" })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let cy = staff_token_for_existing(&app, "cy", PASSWORD).await;
    let reply = send(
        &app,
        "PUT",
        "/api/v1/staff/accounts/cy/password",
        Some(&admin),
        Some(json!({ "password": new_password })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(me(&app, &cy).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        sign_in(&app, "cy", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    let cy = staff_token_for_existing(&app, "cy", new_password).await;

    // Signed out everywhere.
    let reply = send(
        &app,
        "DELETE",
        "/api/v1/staff/accounts/cy/sessions",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(me(&app, &cy).await, StatusCode::UNAUTHORIZED);

    // Deleted; unknown names are 404.
    let reply = send(
        &app,
        "DELETE",
        "/api/v1/staff/accounts/cy",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = send(
        &app,
        "DELETE",
        "/api/v1/staff/accounts/cy",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    let actions = audit_actions(&app).await;
    for action in [
        "disable_staff",
        "enable_staff",
        "set_staff_role",
        "reset_staff_password",
        "end_staff_sessions",
        "delete_staff",
    ] {
        assert!(
            actions
                .iter()
                .any(|(a, target)| a == action && target == "cy"),
            "{action} not audited: {actions:?}"
        );
    }
}

async fn staff_token_for_existing(app: &TestApp, name: &str, password: &str) -> String {
    let reply = send(
        app,
        "POST",
        "/api/v1/staff/sessions",
        None,
        Some(json!({ "name": name, "password": password })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.json()["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_team_keeps_an_admin_who_can_sign_in() {
    let app = spawn_app().await;
    let admin = staff_token(&app, "ada", Role::Admin).await;
    for (method, uri, body) in [
        (
            "PATCH",
            "/api/v1/staff/accounts/ada",
            Some(json!({ "disabled": true })),
        ),
        (
            "PATCH",
            "/api/v1/staff/accounts/ada",
            Some(json!({ "role": "curator" })),
        ),
        ("DELETE", "/api/v1/staff/accounts/ada", None),
    ] {
        let reply = send(&app, method, uri, Some(&admin), body).await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{method} {uri}");
        assert_eq!(reply.json()["code"], "conflict");
    }
    // Not even through the console.
    let refused = run_staff_command(
        app.state.store(),
        &StaffCommand::Disable { name: "ada".into() },
    )
    .await;
    assert!(refused.is_err());
    // With a second admin, the first can be disabled (by the other one).
    staff::create_account(app.state.store(), "bo", Role::Admin, PASSWORD)
        .await
        .unwrap();
    let out = run_staff_command(
        app.state.store(),
        &StaffCommand::Disable { name: "ada".into() },
    )
    .await
    .unwrap();
    assert!(out.contains("disabled"), "{out}");
    assert_eq!(me(&app, &admin).await, StatusCode::UNAUTHORIZED);
    let listed = run_staff_command(app.state.store(), &StaffCommand::List)
        .await
        .unwrap();
    assert!(
        listed.contains("ada\tadmin") && listed.contains("disabled"),
        "{listed}"
    );
}

#[tokio::test]
async fn exhibitor_tokens_expire_and_record_their_last_use() {
    let app = spawn_app().await;
    let admin = staff_token(&app, "ada", Role::Admin).await;
    let uri = format!("/api/v1/staff/exhibitors/{KESTREL}/tokens");
    for days in [0, 401] {
        let reply = send(
            &app,
            "POST",
            &uri,
            Some(&admin),
            Some(json!({ "valid_days": days })),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{days}");
    }
    let reply = send(
        &app,
        "POST",
        &uri,
        Some(&admin),
        Some(json!({ "label": "press office", "valid_days": 30 })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let issued = reply.json();
    let token = issued["token"].as_str().unwrap().to_owned();
    assert!(issued["expires_at"].is_string());

    let listed = send(&app, "GET", &uri, Some(&admin), None).await.json();
    assert!(listed[0]["last_used_at"].is_null());
    let reply = send(&app, "GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let listed = send(&app, "GET", &uri, Some(&admin), None).await.json();
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");

    // Once its time is up, the token is refused like a revoked one.
    sqlx::query("UPDATE exhibitor_tokens SET expires_at = 1 WHERE id = $1")
        .bind(issued["id"].as_i64().unwrap())
        .execute(app.state.store().pool())
        .await
        .unwrap();
    let reply = send(&app, "GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}
