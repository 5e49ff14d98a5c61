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

#[tokio::test]
async fn hot_media_come_from_memory_with_ranges_sliced_from_it() {
    let app = spawn_app().await;
    let snapshot: HallSnapshot =
        serde_json::from_slice(&app.get("/api/v1/hall").await.body).unwrap();
    let url = &snapshot.exhibitor(KESTREL).unwrap().fascia_url;
    let whole = app.get(url).await;
    assert_eq!(whole.status, StatusCode::OK);
    let cached = app.state.media().hot().bytes();
    assert!(cached >= whole.body.len() as u64, "{cached}");

    // The file gone from disk: a cached file is still served, whole and by range.
    let name = url.trim_start_matches("/media/");
    let path = app.state.media().root().join(&name[..2]).join(name);
    std::fs::remove_file(&path).unwrap();
    let again = app.get(url).await;
    assert_eq!(again.body, whole.body);
    let length = whole.body.len();
    let part = app.get_with(url, &[("range", "bytes=10-19")]).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.header("content-range"),
        format!("bytes 10-19/{length}")
    );
    assert_eq!(part.header("content-length"), "10");
    assert_eq!(part.body.as_ref(), &whole.body[10..20]);
    let tail = app.get_with(url, &[("range", "bytes=-5")]).await;
    assert_eq!(tail.body.as_ref(), &whole.body[length - 5..]);
    let beyond = app
        .get_with(url, &[("range", &format!("bytes={length}-"))])
        .await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.header("content-range"), format!("bytes */{length}"));
    // The security headers are on cached answers too.
    assert!(!part.header("content-security-policy").is_empty());
}
