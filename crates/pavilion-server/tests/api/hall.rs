//! The published hall: content, ETags and pre-compressed variants.

use std::io::Read as _;

use axum::http::StatusCode;
use pavilion_model::HallSnapshot;

use crate::{FIXTURE_SIZE, KESTREL, spawn_app};

#[tokio::test]
async fn hall_lists_every_fixture_booth_with_media_urls() {
    let app = spawn_app().await;
    let reply = app.get("/api/v1/hall").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "application/json");
    assert_eq!(reply.header("cache-control"), "no-cache");
    let snapshot: HallSnapshot = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(snapshot.version, 1);
    assert_eq!(snapshot.booth_count(), FIXTURE_SIZE);
    assert_eq!(snapshot.exhibitors.len(), FIXTURE_SIZE);
    assert!(snapshot.exhibitor(KESTREL).is_some());
    assert!(
        snapshot.published_at.ends_with('Z'),
        "{}",
        snapshot.published_at
    );

    let mut urls = Vec::new();
    for hall in &snapshot.halls {
        urls.push(hall.sign_url.clone().expect("every hall has a sign"));
        for zone in &hall.zones {
            urls.push(zone.sign_url.clone().expect("every zone has a sign"));
        }
    }
    for exhibitor in &snapshot.exhibitors {
        urls.extend([
            exhibitor.logo_url.clone(),
            exhibitor.fascia_url.clone(),
            exhibitor.name_plate_url.clone(),
        ]);
    }
    for url in urls {
        let media = app.get(&url).await;
        assert_eq!(media.status, StatusCode::OK, "{url}");
        assert!(media.body.starts_with(b"\x89PNG\r\n\x1a\n"), "{url}");
    }
}

#[tokio::test]
async fn hall_revalidates_with_its_etag() {
    let app = spawn_app().await;
    let first = app.get("/api/v1/hall").await;
    let etag = first.header("etag").to_owned();
    assert!(etag.starts_with("\"v1-"), "{etag}");

    for condition in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"stale\", {etag}"),
        "*".to_owned(),
    ] {
        let reply = app
            .get_with("/api/v1/hall", &[("if-none-match", &condition)])
            .await;
        assert_eq!(reply.status, StatusCode::NOT_MODIFIED, "{condition}");
        assert!(reply.body.is_empty());
        assert_eq!(reply.header("etag"), etag);
    }
    // The ETag of the brotli copy names the same snapshot.
    let brotli = app
        .get_with("/api/v1/hall", &[("accept-encoding", "br")])
        .await;
    let reply = app
        .get_with("/api/v1/hall", &[("if-none-match", brotli.header("etag"))])
        .await;
    assert_eq!(reply.status, StatusCode::NOT_MODIFIED);

    let stale = app
        .get_with("/api/v1/hall", &[("if-none-match", "\"v0-0000\"")])
        .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.body, first.body);
}

#[tokio::test]
async fn gzip_and_brotli_decode_to_the_same_json() {
    let app = spawn_app().await;
    let plain = app.get("/api/v1/hall").await;
    assert!(plain.headers.get("content-encoding").is_none());

    let gzip = app
        .get_with("/api/v1/hall", &[("accept-encoding", "br;q=0, gzip")])
        .await;
    assert_eq!(gzip.header("content-encoding"), "gzip");
    assert_eq!(gzip.header("vary"), "Accept-Encoding");
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gzip.body[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain.body);

    let brotli = app
        .get_with("/api/v1/hall", &[("accept-encoding", "gzip, deflate, br")])
        .await;
    assert_eq!(brotli.header("content-encoding"), "br");
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&brotli.body[..], 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain.body);
    assert!(brotli.body.len() < plain.body.len());
    assert_ne!(
        brotli.header("etag"),
        plain.header("etag"),
        "each coding has its own strong ETag"
    );
}
