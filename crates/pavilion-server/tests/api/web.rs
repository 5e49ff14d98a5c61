//! Health, JSON errors for unknown API paths and wrong methods, and the page files.

use axum::http::StatusCode;

use crate::spawn_app;

#[tokio::test]
async fn health_reports_the_published_version() {
    let app = spawn_app().await;
    let reply = app.get("/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        serde_json::json!({ "status": "ok", "published_version": 1 })
    );
}

#[tokio::test]
async fn unknown_api_paths_and_wrong_methods_are_json_errors() {
    let app = spawn_app().await;
    for uri in ["/api/v2/hall", "/api/v1/nothing", "/api"] {
        let reply = app.get(uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(reply.error_code(), "not_found");
    }
    let reply = app.request("POST", "/api/v1/hall", &[]).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.error_code(), "method_not_allowed");
    let reply = app
        .request("DELETE", "/api/v1/exhibitors/kestrel-ward", &[])
        .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.error_code(), "method_not_allowed");
}

#[tokio::test]
async fn page_viewer_and_assets_are_served() {
    let app = spawn_app().await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(String::from_utf8_lossy(&page.body).contains("<title>Pavilion</title>"));

    let wasm = app.get("/pkg/pavilion_viewer_bg.wasm").await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert_eq!(wasm.header("content-type"), "application/wasm");

    // A precompressed sibling is preferred when the client accepts it.
    let pkg = app.config.web_dir.join("pkg");
    let mut compressed = Vec::new();
    brotli::BrotliCompress(
        &mut &b"\0asm\x01\0\0\0"[..],
        &mut compressed,
        &Default::default(),
    )
    .unwrap();
    std::fs::write(pkg.join("pavilion_viewer_bg.wasm.br"), compressed).unwrap();
    let wasm = app
        .get_with("/pkg/pavilion_viewer_bg.wasm", &[("accept-encoding", "br")])
        .await;
    assert_eq!(wasm.header("content-encoding"), "br");
    assert_eq!(wasm.header("content-type"), "application/wasm");

    let asset = app.get("/assets/hall.gltf").await;
    assert_eq!(asset.status, StatusCode::OK);
    assert_eq!(app.get("/missing.html").await.status, StatusCode::NOT_FOUND);
}
