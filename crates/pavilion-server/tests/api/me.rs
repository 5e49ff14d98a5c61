//! The exhibitor API end to end: profile drafts with per-field errors, products, uploads,
//! submission, staff review (reject with a reason, approve) and the publish that shows the
//! approved content to visitors; tokens that are revoked stop working at once.

use axum::http::StatusCode;
use pavilion_model::{ExhibitorDetail, ExhibitorProfile, HallSnapshot};
use serde_json::json;

use crate::me_support::{exhibitor_token, png, send, send_json, staff_token, stored};
use crate::{KESTREL, spawn_app};

#[tokio::test]
async fn me_names_the_booth_with_its_topic_and_tier_slugs() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let reply = send(&app, "GET", "/api/v1/me", Some(&token), "").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        std::str::from_utf8(&reply.body).unwrap(),
        r#"{"slug":"kestrel-ward","name":"Kestrel Ward","topic":"network-security","tier":"premium","preview_url":"/?booth=kestrel-ward"}"#
    );
}

#[tokio::test]
async fn the_draft_starts_as_the_approved_profile_and_validates_every_field() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let reply = send(&app, "GET", "/api/v1/me/profile", Some(&token), "").await;
    assert_eq!(reply.status, StatusCode::OK);
    let draft = reply.json();
    assert!(draft["updated_at"].is_null());
    let mut profile: ExhibitorProfile = serde_json::from_value(draft["profile"].clone()).unwrap();
    assert_eq!(profile.slug, KESTREL);

    profile.tagline = "short".into();
    profile.website = "http://kestrel.com".into();
    profile.tier = "flagship".into();
    let reply = send_json(
        &app,
        "PUT",
        "/api/v1/me/profile",
        Some(&token),
        &serde_json::to_value(&profile).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_code(), "invalid_fields");
    let fields: Vec<String> = reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["tagline", "website", "tier"]);
    let unchanged = send(&app, "GET", "/api/v1/me/profile", Some(&token), "").await;
    assert!(unchanged.json()["updated_at"].is_null(), "nothing saved");

    let reply = send_json(
        &app,
        "PATCH",
        "/api/v1/me/profile",
        Some(&token),
        &json!({ "tagline": "Network detection for the rest of us" }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    assert_eq!(
        reply.json()["profile"]["tagline"],
        "Network detection for the rest of us"
    );
    assert!(reply.json()["updated_at"].is_string());

    let reply = send_json(
        &app,
        "PATCH",
        "/api/v1/me/profile",
        Some(&token),
        &json!({ "favourite_colour": "blue" }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("favourite_colour")
    );
}

#[tokio::test]
async fn products_are_added_replaced_and_removed_within_the_rules() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let products = send(&app, "GET", "/api/v1/me/products", Some(&token), "")
        .await
        .json();
    let count = products.as_array().unwrap().len();

    let product = json!({
        "name": "Ward Replay",
        "category": "Forensics",
        "summary": "Replays a week of captured traffic against new detection rules in minutes."
    });
    let reply = send_json(&app, "POST", "/api/v1/me/products", Some(&token), &product).await;
    if count < 5 {
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.json());
        assert_eq!(reply.json().as_array().unwrap().len(), count + 1);
        let last = count;
        let mut changed = product.clone();
        changed["summary"] = json!("too short");
        let reply = send_json(
            &app,
            "PUT",
            &format!("/api/v1/me/products/{last}"),
            Some(&token),
            &changed,
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            reply.json()["errors"][0]["field"],
            format!("products[{last}].summary")
        );
        let reply = send(
            &app,
            "DELETE",
            &format!("/api/v1/me/products/{last}"),
            Some(&token),
            "",
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.json().as_array().unwrap().len(), count);
    }
    let reply = send(&app, "DELETE", "/api/v1/me/products/99", Some(&token), "").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = send_json(&app, "PUT", "/api/v1/me/products", Some(&token), &json!([])).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["errors"][0]["field"], "products");
}

#[tokio::test]
async fn an_upload_is_stored_once_and_served_immutable() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let picture = png(64, 48, [200, 30, 30]);
    let reply = send(
        &app,
        "POST",
        "/api/v1/me/media?title=Our%20booth",
        Some(&token),
        picture.clone(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.json());
    let item = reply.json();
    assert_eq!(item["kind"], "image");
    assert_eq!(item["title"], "Our booth");
    assert_eq!(item["width"], 64);
    assert_eq!(item["content_type"], "image/png");
    let before = stored(&app).await;

    let again = send(&app, "POST", "/api/v1/me/media", Some(&token), picture).await;
    assert_eq!(again.status, StatusCode::OK, "the same bytes again");
    assert_eq!(again.json()["sha256"], item["sha256"]);
    assert_eq!(stored(&app).await, before, "stored once");

    // A draft's media are the booth's own until published: private to its token.
    let url = item["url"].as_str().unwrap();
    assert_eq!(app.get(url).await.status, StatusCode::NOT_FOUND);
    let served = app
        .get_with(url, &[("authorization", &format!("Bearer {token}"))])
        .await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.header("content-type"), "image/png");
    assert_eq!(served.header("x-content-type-options"), "nosniff");
    assert_eq!(served.header("cache-control"), "private, no-cache");
    assert_eq!(
        served.header("etag"),
        format!("\"{}\"", item["sha256"].as_str().unwrap())
    );
    // Served once, its bytes are in the memory cache: still nobody else's to see.
    assert!(!app.state.media().hot().is_empty());
    assert_eq!(app.get(url).await.status, StatusCode::NOT_FOUND);

    let list = send(&app, "GET", "/api/v1/me/media", Some(&token), "").await;
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    let sha = item["sha256"].as_str().unwrap();
    let reply = send(
        &app,
        "DELETE",
        &format!("/api/v1/me/media/{sha}"),
        Some(&token),
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let list = send(&app, "GET", "/api/v1/me/media", Some(&token), "").await;
    assert!(list.json().as_array().unwrap().is_empty());
    let reply = send(
        &app,
        "DELETE",
        &format!("/api/v1/me/media/{sha}"),
        Some(&token),
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn review_rejects_with_a_reason_then_approval_reaches_visitors_at_publish() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let staff = staff_token(&app, "rita", "curator").await;

    let status = send(&app, "GET", "/api/v1/me/review", Some(&token), "").await;
    assert_eq!(status.json()["status"], "none");

    let tagline = "Network detection, reviewed and approved";
    send_json(
        &app,
        "PATCH",
        "/api/v1/me/profile",
        Some(&token),
        &json!({ "tagline": tagline }),
    )
    .await;
    let upload = send(
        &app,
        "POST",
        "/api/v1/me/media?title=Stand",
        Some(&token),
        png(32, 32, [1, 2, 3]),
    )
    .await;
    assert_eq!(upload.status, StatusCode::CREATED);
    let first = send(&app, "POST", "/api/v1/me/submission", Some(&token), "").await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.json());
    assert_eq!(first.json()["status"], "pending");

    let queue = send(&app, "GET", "/api/v1/staff/submissions", Some(&staff), "").await;
    assert_eq!(queue.status, StatusCode::OK);
    let queue = queue.json();
    assert_eq!(queue.as_array().unwrap().len(), 1);
    let id = queue[0]["id"].as_i64().unwrap();
    assert_eq!(queue[0]["exhibitor"], KESTREL);
    assert_eq!(queue[0]["media"].as_array().unwrap().len(), 1);

    let no_reason = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/submissions/{id}/reject"),
        Some(&staff),
        &json!({ "reason": " " }),
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reason = "The stand photo is blurry; please send a sharper one.";
    let rejected = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/submissions/{id}/reject"),
        Some(&staff),
        &json!({ "reason": reason }),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::OK, "{:?}", rejected.json());
    let status = send(&app, "GET", "/api/v1/me/review", Some(&token), "")
        .await
        .json();
    assert_eq!(status["status"], "rejected");
    assert_eq!(status["reason"], reason);
    let twice = send(
        &app,
        "POST",
        &format!("/api/v1/staff/submissions/{id}/approve"),
        Some(&staff),
        "",
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    let second = send(&app, "POST", "/api/v1/me/submission", Some(&token), "")
        .await
        .json();
    let id = second["id"].as_i64().unwrap();
    let approved = send(
        &app,
        "POST",
        &format!("/api/v1/staff/submissions/{id}/approve"),
        Some(&staff),
        "",
    )
    .await;
    assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.json());
    assert_eq!(approved.json()["decided_by"], "rita");
    let status = send(&app, "GET", "/api/v1/me/review", Some(&token), "")
        .await
        .json();
    assert_eq!(status["status"], "approved");

    // Visitors still see the published booth until the next publish.
    let detail =
        |reply: crate::Reply| serde_json::from_slice::<ExhibitorDetail>(&reply.body).unwrap();
    let before = detail(app.get(&format!("/api/v1/exhibitors/{KESTREL}")).await);
    assert_ne!(before.tagline, tagline);
    assert!(before.media.is_empty());

    let fascia = |app_reply: crate::Reply| {
        let snapshot: HallSnapshot = serde_json::from_slice(&app_reply.body).unwrap();
        snapshot.exhibitor(KESTREL).unwrap().fascia_url.clone()
    };
    let fascia_before = fascia(app.get("/api/v1/hall").await);
    let published = send(&app, "POST", "/api/v1/staff/publish", Some(&staff), "").await;
    assert_eq!(published.status, StatusCode::OK, "{:?}", published.json());
    let after = detail(app.get(&format!("/api/v1/exhibitors/{KESTREL}")).await);
    assert_eq!(after.tagline, tagline);
    assert_eq!(after.media.len(), 1);
    assert_eq!(after.media[0].title, "Stand");
    assert_ne!(
        fascia(app.get("/api/v1/hall").await),
        fascia_before,
        "the fascia is re-rendered with the new tagline"
    );
}

#[tokio::test]
async fn a_revoked_token_stops_at_once_and_a_new_submission_supersedes_a_waiting_one() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let admin = staff_token(&app, "ada", "admin").await;
    let first = send(&app, "POST", "/api/v1/me/submission", Some(&token), "")
        .await
        .json();
    let second = send(&app, "POST", "/api/v1/me/submission", Some(&token), "")
        .await
        .json();
    let superseded = send(
        &app,
        "GET",
        &format!("/api/v1/staff/submissions/{}", first["id"]),
        Some(&admin),
        "",
    )
    .await;
    assert_eq!(superseded.json()["status"], "superseded");
    assert_eq!(second["status"], "pending");

    let issued = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/exhibitors/{KESTREL}/tokens"),
        Some(&admin),
        &json!({ "label": "press office" }),
    )
    .await;
    assert_eq!(issued.status, StatusCode::CREATED);
    let issued = issued.json();
    let fresh = issued["token"].as_str().unwrap();
    assert!(fresh.starts_with("pex_") && fresh.len() == 68, "{fresh}");
    assert_eq!(
        send(&app, "GET", "/api/v1/me", Some(fresh), "")
            .await
            .status,
        StatusCode::OK
    );

    let listed = send(
        &app,
        "GET",
        &format!("/api/v1/staff/exhibitors/{KESTREL}/tokens"),
        Some(&admin),
        "",
    )
    .await;
    assert!(
        !String::from_utf8_lossy(&listed.body).contains(fresh),
        "secrets are never listed"
    );
    let revoked = send(
        &app,
        "DELETE",
        &format!("/api/v1/staff/exhibitor-tokens/{}", issued["id"]),
        Some(&admin),
        "",
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert!(revoked.json()["revoked_at"].is_string());
    let refused = send(&app, "GET", "/api/v1/me", Some(fresh), "").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.error_code(), "unauthorized");
    assert_eq!(
        send(&app, "GET", "/api/v1/me", Some(&token), "")
            .await
            .status,
        StatusCode::OK,
        "other tokens live on"
    );
}

#[tokio::test]
async fn stats_start_at_zero_and_the_openapi_document_lists_every_route() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let stats = send(&app, "GET", "/api/v1/me/stats", Some(&token), "")
        .await
        .json();
    assert_eq!(stats["booth"], KESTREL);
    assert_eq!(stats["days"].as_array().unwrap().len(), 30);
    assert_eq!(stats["totals"]["visits"], 0);

    let reply = app.get("/api/v1/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/me/profile",
        "/api/v1/me/products/{index}",
        "/api/v1/me/media",
        "/api/v1/me/submission",
        "/api/v1/me/review",
        "/api/v1/me/stats",
        "/api/v1/staff/submissions/{id}/reject",
        "/api/v1/staff/exhibitors/{slug}/tokens",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    assert!(doc["components"]["schemas"]["ExhibitorProfile"].is_object());
    assert!(doc["components"]["securitySchemes"]["exhibitor_token"].is_object());
}
