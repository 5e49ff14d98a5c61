//! The authorization matrix of the exhibitor content API: every endpoint against anonymous,
//! exhibitor A, exhibitor B, a curator, an admin, A's revoked token and a malformed token.
//! Exhibitor B may call the `/me` routes but only ever reaches its own booth: A's draft and
//! media are unchanged after B has called everything.

use axum::body::Body;
use axum::http::StatusCode;
use serde_json::json;

use crate::me_support::{exhibitor_token, other_exhibitor, png, send, send_with, staff_token};
use crate::{KESTREL, spawn_app};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    ExhibitorA,
    ExhibitorB,
    Curator,
    Admin,
    Revoked,
    Malformed,
}

/// What a caller may expect from an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Reaches the handler: any status but 401 and 403.
    Allowed,
    Unauthorized,
    Forbidden,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Me,
    Review,
    Tokens,
}

struct Endpoint {
    method: &'static str,
    uri: String,
    body: Vec<u8>,
    area: Area,
}

fn expectation(area: Area, caller: Caller) -> Expect {
    use Caller::*;
    match (area, caller) {
        (_, Anonymous | Revoked | Malformed) => Expect::Unauthorized,
        (Area::Me, ExhibitorA | ExhibitorB) => Expect::Allowed,
        // A staff session is not an exhibitor token.
        (Area::Me, Curator | Admin) => Expect::Unauthorized,
        (Area::Review | Area::Tokens, ExhibitorA | ExhibitorB) => Expect::Unauthorized,
        (Area::Review, Curator | Admin) => Expect::Allowed,
        (Area::Tokens, Curator) => Expect::Forbidden,
        (Area::Tokens, Admin) => Expect::Allowed,
    }
}

#[tokio::test]
async fn every_endpoint_against_every_kind_of_caller() {
    let app = spawn_app().await;
    let other = other_exhibitor(&app, KESTREL).await;
    let token_a = exhibitor_token(&app, KESTREL).await;
    let token_b = exhibitor_token(&app, &other).await;
    let revoked = pavilion_server::exhibitor::tokens::create_token(
        app.state.store(),
        KESTREL,
        "soon revoked",
        "test",
        None,
    )
    .await
    .unwrap();
    pavilion_server::exhibitor::tokens::revoke_token(app.state.store(), revoked.id)
        .await
        .unwrap();
    let curator = staff_token(&app, "carl", "curator").await;
    let admin = staff_token(&app, "ada", "admin").await;

    // A's booth before anyone else acts: a saved draft, one picture, one submission.
    let tagline = json!({ "tagline": "Exhibitor A's own words, kept safe" });
    send_with(
        &app,
        "PATCH",
        "/api/v1/me/profile",
        Some(&token_a),
        &[],
        Body::from(tagline.to_string()),
    )
    .await;
    let picture = send(
        &app,
        "POST",
        "/api/v1/me/media",
        Some(&token_a),
        png(16, 16, [5, 6, 7]),
    )
    .await
    .json();
    let sha_a = picture["sha256"].as_str().unwrap().to_owned();
    let submission = send(&app, "POST", "/api/v1/me/submission", Some(&token_a), "")
        .await
        .json();
    let submission_id = submission["id"].as_i64().unwrap();
    let draft_a = send(&app, "GET", "/api/v1/me/profile", Some(&token_a), "")
        .await
        .body;
    let media_a = send(&app, "GET", "/api/v1/me/media", Some(&token_a), "")
        .await
        .body;

    let profile_b = send(&app, "GET", "/api/v1/me/profile", Some(&token_b), "")
        .await
        .json();
    let product = json!({
        "name": "Matrix Probe",
        "category": "Testing",
        "summary": "A product added by the authorization matrix to see who may write where."
    });
    let endpoint = |method: &'static str, uri: &str, body: Vec<u8>, area: Area| Endpoint {
        method,
        uri: uri.to_owned(),
        body,
        area,
    };
    let json_bytes = |value: &serde_json::Value| value.to_string().into_bytes();
    let endpoints = vec![
        endpoint("GET", "/api/v1/me", vec![], Area::Me),
        endpoint("GET", "/api/v1/me/profile", vec![], Area::Me),
        endpoint(
            "PUT",
            "/api/v1/me/profile",
            json_bytes(&profile_b["profile"]),
            Area::Me,
        ),
        endpoint(
            "PATCH",
            "/api/v1/me/profile",
            json_bytes(&json!({"tagline": "Patched by whoever may patch"})),
            Area::Me,
        ),
        endpoint("GET", "/api/v1/me/products", vec![], Area::Me),
        endpoint(
            "PUT",
            "/api/v1/me/products",
            json_bytes(&profile_b["profile"]["products"]),
            Area::Me,
        ),
        endpoint(
            "POST",
            "/api/v1/me/products",
            json_bytes(&product),
            Area::Me,
        ),
        endpoint(
            "PUT",
            "/api/v1/me/products/0",
            json_bytes(&product),
            Area::Me,
        ),
        endpoint("DELETE", "/api/v1/me/products/0", vec![], Area::Me),
        endpoint("GET", "/api/v1/me/media", vec![], Area::Me),
        endpoint("POST", "/api/v1/me/media", png(8, 8, [1, 1, 1]), Area::Me),
        endpoint(
            "DELETE",
            &format!("/api/v1/me/media/{}", "0".repeat(64)),
            vec![],
            Area::Me,
        ),
        endpoint("POST", "/api/v1/me/submission", vec![], Area::Me),
        endpoint("GET", "/api/v1/me/review", vec![], Area::Me),
        endpoint("GET", "/api/v1/me/stats", vec![], Area::Me),
        endpoint("GET", "/api/v1/me/leads", vec![], Area::Me),
        endpoint("GET", "/api/v1/me/leads.csv", vec![], Area::Me),
        endpoint("DELETE", "/api/v1/me/leads/1", vec![], Area::Me),
        endpoint("GET", "/api/v1/staff/submissions", vec![], Area::Review),
        endpoint("GET", "/api/v1/staff/stats", vec![], Area::Review),
        // Admins only, as token management is.
        endpoint(
            "PUT",
            "/api/v1/staff/leads/retention",
            json_bytes(&json!({"retention_days": 90})),
            Area::Tokens,
        ),
        endpoint(
            "GET",
            &format!("/api/v1/staff/submissions/{submission_id}"),
            vec![],
            Area::Review,
        ),
        endpoint(
            "POST",
            &format!("/api/v1/staff/submissions/{submission_id}/reject"),
            json_bytes(&json!({"reason": "matrix"})),
            Area::Review,
        ),
        endpoint(
            "POST",
            &format!("/api/v1/staff/submissions/{submission_id}/approve"),
            vec![],
            Area::Review,
        ),
        endpoint(
            "GET",
            &format!("/api/v1/staff/exhibitors/{KESTREL}/tokens"),
            vec![],
            Area::Tokens,
        ),
        endpoint(
            "POST",
            &format!("/api/v1/staff/exhibitors/{KESTREL}/tokens"),
            json_bytes(&json!({"label": "matrix"})),
            Area::Tokens,
        ),
        endpoint(
            "DELETE",
            &format!("/api/v1/staff/exhibitor-tokens/{}", revoked.id),
            vec![],
            Area::Tokens,
        ),
    ];

    let malformed = "pex_not-a-token";
    let callers = [
        (Caller::Anonymous, None),
        (Caller::Revoked, Some(revoked.token.as_str())),
        (Caller::Malformed, Some(malformed)),
        (Caller::Curator, Some(curator.as_str())),
        (Caller::ExhibitorB, Some(token_b.as_str())),
        (Caller::Admin, Some(admin.as_str())),
        (Caller::ExhibitorA, Some(token_a.as_str())),
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for (caller, token) in callers {
        // Exhibitor B first tries to delete A's picture: B only reaches its own booth.
        if caller == Caller::ExhibitorB {
            let reply = send(
                &app,
                "DELETE",
                &format!("/api/v1/me/media/{sha_a}"),
                token,
                "",
            )
            .await;
            if reply.status != StatusCode::NOT_FOUND {
                failures.push(format!("B deleting A's media: {}", reply.status));
            }
        }
        for endpoint in &endpoints {
            let expected = expectation(endpoint.area, caller);
            let reply = send_with(
                &app,
                endpoint.method,
                &endpoint.uri,
                token,
                &[("content-type", "application/json")],
                Body::from(endpoint.body.clone()),
            )
            .await;
            checked += 1;
            let status = reply.status;
            let fits = match expected {
                Expect::Allowed => {
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN
                }
                Expect::Unauthorized => status == StatusCode::UNAUTHORIZED,
                Expect::Forbidden => status == StatusCode::FORBIDDEN,
            };
            if !fits {
                failures.push(format!(
                    "{caller:?} {} {}: expected {expected:?}, got {status} {}",
                    endpoint.method,
                    endpoint.uri,
                    String::from_utf8_lossy(&reply.body)
                ));
            }
            if status.is_client_error() {
                let body: serde_json::Value =
                    serde_json::from_slice(&reply.body).unwrap_or_default();
                if !body["code"].is_string() || !body["message"].is_string() {
                    failures.push(format!(
                        "{caller:?} {} {}: error body {body}",
                        endpoint.method, endpoint.uri
                    ));
                }
            }
            if status == StatusCode::UNAUTHORIZED && reply.headers.get("www-authenticate").is_none()
            {
                failures.push(format!(
                    "{caller:?} {} {}: 401 without WWW-Authenticate",
                    endpoint.method, endpoint.uri
                ));
            }
        }
        // After B has called every exhibitor route, A's booth is as A left it.
        if caller == Caller::ExhibitorB {
            let draft = send(&app, "GET", "/api/v1/me/profile", Some(&token_a), "")
                .await
                .body;
            let media = send(&app, "GET", "/api/v1/me/media", Some(&token_a), "")
                .await
                .body;
            if draft != draft_a || media != media_a {
                failures.push("exhibitor B changed exhibitor A's booth".into());
            }
            let own = send(&app, "GET", "/api/v1/me", token, "").await.json();
            if own["slug"] != other.as_str() {
                failures.push(format!("B's token speaks for {}", own["slug"]));
            }
        }
    }
    assert_eq!(checked, endpoints.len() * callers.len());
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
