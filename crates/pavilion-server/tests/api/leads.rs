//! Leads with consent: a visitor's message is stored only with the consent box ticked and
//! every field sound; the exhibitor lists, exports (CSV, quoted, formulas defused) and deletes
//! its own leads and no other booth's; messages are rate-limited per address and bounded per
//! booth; staff admins set the retention, and the sweep (on change, at start-up) deletes
//! expired leads only.

use axum::body::Body;
use axum::http::StatusCode;
use pavilion_server::leads::{NewLead, leave_lead, sweep_expired};
use pavilion_server::time::unix_now;
use serde_json::{Value, json};

use crate::guard::send_from;
use crate::me_support::{
    exhibitor_token, other_exhibitor, send, send_json, send_with, staff_token,
};
use crate::{KESTREL, Reply, TestApp, spawn_app, spawn_app_configured};

const DAY: i64 = 86_400;

async fn leave(app: &TestApp, slug: &str, lead: &Value) -> Reply {
    send_json(
        app,
        "POST",
        &format!("/api/v1/booths/{slug}/leads"),
        None,
        lead,
    )
    .await
}

fn lead(name: &str, message: &str) -> Value {
    json!({"name": name, "email": "ada@example.org", "message": message, "consent": true})
}

async fn lead_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM leads")
        .fetch_one(app.state.store().pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_lead_is_left_read_exported_and_deleted_by_its_booth() {
    let app = spawn_app().await;
    let policy = app.get("/api/v1/leads/policy").await.json();
    assert_eq!(policy["retention_days"], 90);
    assert!(
        policy["consent_statement"]
            .as_str()
            .unwrap()
            .contains("90 days")
    );

    let reply = leave(
        &app,
        KESTREL,
        &lead("  Ada Lovelace ", "Do you sell\nhardware keys?"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(reply.json()["retention_days"], 90);
    let hostile = json!({
        "name": "=HYPERLINK(\"http://evil.example\",\"click\")",
        "email": "mallory@example.org",
        "message": "+1, \"quoted\", and @SUM(A1)\r\n-2",
        "consent": true
    });
    assert_eq!(
        leave(&app, KESTREL, &hostile).await.status,
        StatusCode::CREATED
    );

    let token = exhibitor_token(&app, KESTREL).await;
    let reply = send(&app, "GET", "/api/v1/me/leads", Some(&token), "").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("cache-control"), "no-store");
    let leads = reply.json();
    let leads = leads.as_array().unwrap();
    assert_eq!(leads.len(), 2);
    assert_eq!(leads[1]["name"], "Ada Lovelace", "trimmed, newest first");
    assert_eq!(leads[1]["message"], "Do you sell\nhardware keys?");
    assert!(
        leads[1]["consent_statement"]
            .as_str()
            .unwrap()
            .contains("kept for 90 days")
    );
    let received = leads[1]["received_at"].as_str().unwrap();
    let expires = leads[1]["expires_at"].as_str().unwrap();
    assert!(
        received.ends_with('Z') && expires > received,
        "{received} {expires}"
    );

    let csv = send(&app, "GET", "/api/v1/me/leads.csv", Some(&token), "").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(
        csv.header("content-disposition")
            .starts_with(&format!("attachment; filename=\"leads-{KESTREL}-"))
    );
    assert_eq!(csv.header("cache-control"), "no-store");
    let text = String::from_utf8(csv.body.to_vec()).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte order mark");
    let hostile_id = leads[0]["id"].as_i64().unwrap();
    let ada_id = leads[1]["id"].as_i64().unwrap();
    let ada_at = leads[1]["received_at"].as_str().unwrap();
    let hostile_at = leads[0]["received_at"].as_str().unwrap();
    assert_eq!(
        text,
        format!(
            "\"id\",\"received_at\",\"name\",\"email\",\"message\"\r\n\
             \"{hostile_id}\",\"{hostile_at}\",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",\"mallory@example.org\",\"'+1, \"\"quoted\"\", and @SUM(A1)\r\n-2\"\r\n\
             \"{ada_id}\",\"{ada_at}\",\"Ada Lovelace\",\"ada@example.org\",\"Do you sell\nhardware keys?\"\r\n"
        )
    );

    let reply = send(
        &app,
        "DELETE",
        &format!("/api/v1/me/leads/{ada_id}"),
        Some(&token),
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = send(
        &app,
        "DELETE",
        &format!("/api/v1/me/leads/{ada_id}"),
        Some(&token),
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), "not_found");
    let reply = send(&app, "DELETE", "/api/v1/me/leads/abc", Some(&token), "").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(lead_count(&app).await, 1);
}

#[tokio::test]
async fn a_lead_without_consent_or_with_bad_fields_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let mut no_consent = lead("Ada", "Hello");
    no_consent.as_object_mut().unwrap().remove("consent");
    let mut unticked = lead("Ada", "Hello");
    unticked["consent"] = json!(false);
    let cases: Vec<(Value, &str)> = vec![
        (no_consent, "consent"),
        (unticked, "consent"),
        (
            json!({"name": "Ada", "email": "ada at example.org", "message": "Hi", "consent": true}),
            "email",
        ),
        (
            json!({"name": "Ada", "email": "ada@example", "message": "Hi", "consent": true}),
            "email",
        ),
        (lead("Ada", &"é".repeat(2001)), "message"),
        (lead("Ada", "   "), "message"),
        (lead("", "Hello"), "name"),
        (lead(&"n".repeat(101), "Hello"), "name"),
    ];
    for (body, field) in cases {
        let reply = leave(&app, KESTREL, &body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let errors = reply.json()["errors"].clone();
        let named = errors
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field);
        let message = named.unwrap_or_else(|| panic!("{field} in {errors}"))["message"]
            .as_str()
            .unwrap();
        if field == "consent" {
            assert!(message.contains("tick the consent box"), "{message}");
        }
    }
    // A message of exactly 2,000 characters is fine (counted in characters, not bytes).
    assert_eq!(
        leave(&app, KESTREL, &lead("Ada", &"é".repeat(2000)))
            .await
            .status,
        StatusCode::CREATED
    );
    sqlx::query("DELETE FROM leads")
        .execute(app.state.store().pool())
        .await
        .unwrap();

    for (body, status) in [
        (
            json!({"name": "Ada", "email": "ada@example.org", "message": "Hi", "consent": "yes"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "Ada", "email": "ada@example.org", "message": "Hi", "consent": true, "ip": "1.2.3.4"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": 5, "email": "ada@example.org", "message": "Hi", "consent": true}),
            StatusCode::BAD_REQUEST,
        ),
        (
            lead("Ada", &"x".repeat(17 * 1024)),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ] {
        assert_eq!(leave(&app, KESTREL, &body).await.status, status, "{body}");
    }
    assert_eq!(
        leave(&app, "no-such-booth", &lead("Ada", "Hi"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let form = send_with(
        &app,
        "POST",
        &format!("/api/v1/booths/{KESTREL}/leads"),
        None,
        &[("content-type", "application/x-www-form-urlencoded")],
        Body::from("name=Ada"),
    )
    .await;
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(lead_count(&app).await, 0, "nothing refused is stored");
}

#[tokio::test]
async fn another_exhibitor_can_neither_read_nor_delete_a_booths_leads() {
    let app = spawn_app().await;
    let other = other_exhibitor(&app, KESTREL).await;
    leave(&app, KESTREL, &lead("Ada", "For kestrel only")).await;
    leave(&app, &other, &lead("Bob", "For the other booth")).await;
    let token_a = exhibitor_token(&app, KESTREL).await;
    let token_b = exhibitor_token(&app, &other).await;
    let a_id = send(&app, "GET", "/api/v1/me/leads", Some(&token_a), "")
        .await
        .json()[0]["id"]
        .as_i64()
        .unwrap();

    let theirs = send(&app, "GET", "/api/v1/me/leads", Some(&token_b), "")
        .await
        .json();
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    assert_eq!(theirs[0]["message"], "For the other booth");
    let csv = send(&app, "GET", "/api/v1/me/leads.csv", Some(&token_b), "").await;
    assert!(!String::from_utf8_lossy(&csv.body).contains("For kestrel only"));
    let reply = send(
        &app,
        "DELETE",
        &format!("/api/v1/me/leads/{a_id}"),
        Some(&token_b),
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(lead_count(&app).await, 2, "A's lead survives B's delete");

    let staff = staff_token(&app, "ada", "admin").await;
    for uri in ["/api/v1/me/leads", "/api/v1/me/leads.csv"] {
        assert_eq!(
            send(&app, "GET", uri, None, "").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            send(&app, "GET", uri, Some(&staff), "").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn leads_are_limited_per_address() {
    let app = spawn_app_configured(|config| config.limits.leads_per_hour = 2).await;
    let body = lead("Ada", "Hello").to_string();
    let uri = format!("/api/v1/booths/{KESTREL}/leads");
    let from = |peer: &'static str| {
        let body = body.clone();
        let uri = uri.clone();
        let app = &app;
        async move {
            send_from(
                app,
                peer,
                "POST",
                &uri,
                &[("content-type", "application/json")],
                Body::from(body),
            )
            .await
        }
    };
    assert_eq!(from("203.0.113.5").await.status, StatusCode::CREATED);
    assert_eq!(from("203.0.113.5").await.status, StatusCode::CREATED);
    let refused = from("203.0.113.5").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.header("retry-after").parse::<u64>().unwrap() >= 1);
    assert_eq!(from("198.51.100.5").await.status, StatusCode::CREATED);
    assert_eq!(lead_count(&app).await, 3);
}

#[tokio::test]
async fn the_retention_staff_set_deletes_expired_leads_only() {
    let app = spawn_app().await;
    let now = unix_now();
    let store = app.state.store();
    let hall = app.state.published();
    for (name, age_days) in [("hundred", 100), ("ten", 10), ("one", 1), ("fresh", 0)] {
        let lead = NewLead {
            name: name.into(),
            email: "ada@example.org".into(),
            message: format!("sent {age_days} days ago"),
            consent: true,
        };
        leave_lead(store, &hall, KESTREL, &lead, now - age_days * DAY - 60)
            .await
            .unwrap();
    }
    let names = || async {
        sqlx::query_scalar::<_, String>("SELECT name FROM leads ORDER BY received_at")
            .fetch_all(app.state.store().pool())
            .await
            .unwrap()
    };
    // The default 90 days: only the 100-day-old lead goes; a second sweep finds nothing.
    assert_eq!(sweep_expired(store, now).await.unwrap(), 1);
    assert_eq!(sweep_expired(store, now).await.unwrap(), 0);
    assert_eq!(names().await, ["ten", "one", "fresh"]);

    let curator = staff_token(&app, "carl", "curator").await;
    let admin = staff_token(&app, "ada", "admin").await;
    let uri = "/api/v1/staff/leads/retention";
    let set = |token: &str, days: Value| {
        let token = token.to_owned();
        let app = &app;
        async move {
            send_json(
                app,
                "PUT",
                uri,
                Some(&token),
                &json!({"retention_days": days}),
            )
            .await
        }
    };
    assert_eq!(set(&curator, json!(5)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        send_json(&app, "PUT", uri, None, &json!({"retention_days": 5}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    for bad in [json!(0), json!(731)] {
        let reply = set(&admin, bad.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    assert_eq!(set(&admin, json!(-3)).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(names().await.len(), 3, "refused changes delete nothing");

    let reply = set(&admin, json!(5)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"retention_days": 5, "deleted": 1}));
    assert_eq!(names().await, ["one", "fresh"]);
    let policy = app.get("/api/v1/leads/policy").await.json();
    assert_eq!(policy["retention_days"], 5);
    assert!(
        policy["consent_statement"]
            .as_str()
            .unwrap()
            .contains("5 days")
    );
    let audit = send(&app, "GET", "/api/v1/staff/audit", Some(&admin), "")
        .await
        .json();
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "set_lead_retention" && e["detail"]["retention_days"] == 5),
        "{audit}"
    );

    // At start-up the sweep runs too: a lead that expired while the server was down is gone.
    leave_lead(
        store,
        &hall,
        KESTREL,
        &NewLead {
            name: "stale".into(),
            email: "ada@example.org".into(),
            message: "six days old".into(),
            consent: true,
        },
        now - 6 * DAY,
    )
    .await
    .unwrap();
    assert_eq!(names().await.len(), 3);
    let app = app.restart().await;
    let left: Vec<String> = sqlx::query_scalar("SELECT name FROM leads ORDER BY received_at")
        .fetch_all(app.state.store().pool())
        .await
        .unwrap();
    assert_eq!(left, ["one", "fresh"]);
}
