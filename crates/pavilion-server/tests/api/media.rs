//! Content-addressed media: immutable caching and refusal of malformed names.

use axum::http::StatusCode;
use pavilion_model::HallSnapshot;

use crate::{KESTREL, spawn_app};

#[tokio::test]
async fn media_is_immutable_png_with_nosniff() {
    let app = spawn_app().await;
    let snapshot: HallSnapshot =
        serde_json::from_slice(&app.get("/api/v1/hall").await.body).unwrap();
    let url = &snapshot.exhibitor(KESTREL).unwrap().fascia_url;
    let reply = app.get(url).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "image/png");
    assert_eq!(
        reply.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(reply.header("x-content-type-options"), "nosniff");
    assert!(reply.body.starts_with(b"\x89PNG\r\n\x1a\n"));
    let sha = url.trim_start_matches("/media/").trim_end_matches(".png");
    assert_eq!(reply.header("etag"), format!("\"{sha}\""));

    let again = app
        .get_with(url, &[("if-none-match", &format!("\"{sha}\""))])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
}

#[tokio::test]
async fn malformed_or_unknown_names_are_json_404s() {
    let app = spawn_app().await;
    let unknown = "0".repeat(64);
    let bad_hex = format!("{}g", "a".repeat(63));
    for uri in [
        "/media/../pavilion.db".to_owned(),
        "/media/..%2Fpavilion.db".to_owned(),
        "/media/%2e%2e/%2e%2e/etc/passwd".to_owned(),
        format!("/media/{bad_hex}.png"),
        format!("/media/{}.png", "A".repeat(64)),
        format!("/media/{unknown}.svg"),
        format!("/media/{unknown}.png"),
        format!("/media/00/{unknown}.png"),
        "/media/".to_owned(),
        "/media".to_owned(),
    ] {
        let reply = app.get(&uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(reply.error_code(), "not_found", "{uri}");
    }
}
