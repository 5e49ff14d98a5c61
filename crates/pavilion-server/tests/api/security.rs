//! Headers and files: every response carries the Content-Security-Policy and the other
//! security headers; only page files and the viewer leave the web folder; JSON endpoints
//! refuse other content types; names, taglines, products, media titles and token labels
//! refuse Unicode format characters.

use std::fs;

use axum::body::Body;
use axum::http::StatusCode;
use serde_json::json;

use crate::me_support::{exhibitor_token, send, send_json, send_with, staff_token};
use crate::{KESTREL, spawn_app};

/// Every response but the hall page: nothing may frame it.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// The hall page: our own pages (the portal's preview) may frame it, no other site.
const HALL_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let hall = app.get("/api/v1/hall").await;
    let logo = hall.json()["exhibitors"][0]["logo_url"]
        .as_str()
        .map(str::to_owned);
    let mut uris = vec![
        ("GET", "/".to_owned()),
        ("GET", "/index.html".to_owned()),
        ("GET", "/portal.html".to_owned()),
        ("GET", "/staff.html".to_owned()),
        ("GET", "/api.html".to_owned()),
        ("GET", "/pkg/pavilion_viewer_bg.wasm".to_owned()),
        ("GET", "/assets/hall.gltf".to_owned()),
        ("GET", "/healthz".to_owned()),
        ("GET", "/api/v1/hall".to_owned()),
        ("GET", "/api/v1/openapi.json".to_owned()),
        ("GET", "/api/v1/nothing".to_owned()),
        ("GET", "/package.json".to_owned()),
        ("GET", "/media/0000".to_owned()),
        ("GET", "/api/v1/staff/me".to_owned()),
        ("POST", "/api/v1/hall".to_owned()),
    ];
    uris.extend(logo.map(|logo| ("GET", logo)));
    for (method, uri) in uris {
        let reply = app.request(method, &uri, &[]).await;
        let hall_page = uri == "/" || uri == "/index.html";
        assert_eq!(
            reply.header("content-security-policy"),
            if hall_page { HALL_CSP } else { CSP },
            "{method} {uri}"
        );
        assert_eq!(
            reply.header("referrer-policy"),
            "no-referrer",
            "{method} {uri}"
        );
        assert_eq!(
            reply.header("x-frame-options"),
            if hall_page { "SAMEORIGIN" } else { "DENY" },
            "{method} {uri}"
        );
        assert_eq!(
            reply.header("x-content-type-options"),
            "nosniff",
            "{method} {uri}"
        );
    }
}

#[tokio::test]
async fn only_page_files_and_the_viewer_leave_the_web_folder() {
    let app = spawn_app().await;
    let web = &app.config.web_dir;
    for (path, text) in [
        ("package.json", "{}"),
        ("package-lock.json", "{}"),
        ("tests/e2e.mjs", "secret test"),
        ("node_modules/x", "module"),
        ("node_modules/x.js", "module"),
        (".git/config", "[core]"),
        (".env", "SECRET=1"),
        ("pkg/.gitignore", "*"),
        ("pkg/package.json", "{}"),
        ("notes.md", "internal"),
        ("app.js", "export {};"),
        ("style.css", "body {}"),
        ("favicon.svg", "<svg/>"),
        ("staff.html", "<!doctype html>"),
    ] {
        let file = web.join(path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, text).unwrap();
    }
    fs::write(web.parent().unwrap().join("outside.html"), "outside").unwrap();

    for allowed in [
        "/",
        "/index.html",
        "/staff.html",
        "/app.js",
        "/style.css",
        "/favicon.svg",
        "/pkg/pavilion_viewer_bg.wasm",
        // the viewer folder is served whole, hidden files aside
        "/pkg/package.json",
    ] {
        assert_eq!(app.get(allowed).await.status, StatusCode::OK, "{allowed}");
    }
    for refused in [
        "/package.json",
        "/package-lock.json",
        "/tests/e2e.mjs",
        "/node_modules/x",
        "/node_modules/x.js",
        "/.git/config",
        "/.env",
        "/notes.md",
        "/pkg/.gitignore",
        "/pkg/",
        "/tests/",
        "/../outside.html",
        "/%2e%2e/outside.html",
        "/pkg/..%2f..%2foutside.html",
        "/pkg/%2e%2e/%2e%2e/outside.html",
        "/pkg/../package.json",
        "/%2e%2e%2foutside.html",
        "/..%5coutside.html",
        "/index.html%00.js",
    ] {
        let reply = app.get(refused).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{refused}");
        assert!(
            !String::from_utf8_lossy(&reply.body).contains("outside")
                || reply.error_code() == "not_found",
            "{refused}"
        );
    }
}

#[tokio::test]
async fn json_endpoints_refuse_other_content_types() {
    let app = spawn_app().await;
    let exhibitor = exhibitor_token(&app, KESTREL).await;
    let curator = staff_token(&app, "curator.one", "curator").await;
    let cases = [
        (
            "PUT",
            "/api/v1/me/profile",
            Some(exhibitor.as_str()),
            Some("text/plain"),
        ),
        (
            "PATCH",
            "/api/v1/me/profile",
            Some(exhibitor.as_str()),
            Some("application/x-www-form-urlencoded"),
        ),
        (
            "POST",
            "/api/v1/me/products",
            Some(exhibitor.as_str()),
            None,
        ),
        (
            "POST",
            "/api/v1/staff/sessions",
            None,
            Some("application/x-www-form-urlencoded"),
        ),
        (
            "POST",
            "/api/v1/staff/sessions",
            None,
            Some("text/plain;charset=UTF-8"),
        ),
        (
            "PUT",
            "/api/v1/staff/layout",
            Some(curator.as_str()),
            Some("multipart/form-data; boundary=x"),
        ),
    ];
    for (method, uri, token, content_type) in cases {
        let headers: Vec<(&str, &str)> = content_type
            .map(|t| ("content-type", t))
            .into_iter()
            .collect();
        let body = Body::from(json!({ "name": "ada", "password": "x" }).to_string());
        let reply = send_with(&app, method, uri, token, &headers, body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{method} {uri} {content_type:?}"
        );
        assert_eq!(reply.error_code(), "unsupported_media_type");
    }
}

#[tokio::test]
async fn format_characters_are_refused_in_names_titles_and_labels() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    for (field, patch) in [
        ("name", json!({ "name": "Kestrel\u{202E}draW" })),
        (
            "tagline",
            json!({ "tagline": "Wardens of the\u{200B} perimeter since 2004" }),
        ),
        ("headquarters", json!({ "headquarters": "Leiden\u{2066}" })),
    ] {
        let reply = send_with(
            &app,
            "PATCH",
            "/api/v1/me/profile",
            Some(&token),
            &[("content-type", "application/merge-patch+json")],
            Body::from(patch.to_string()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let errors = reply.json()["errors"].clone();
        let error = errors
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .unwrap_or_else(|| panic!("no error for {field}: {errors}"));
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("format characters"),
            "{error}"
        );
    }

    let draft = send(
        &app,
        "GET",
        "/api/v1/me/profile",
        Some(&token),
        Body::empty(),
    )
    .await;
    let mut products = draft.json()["profile"]["products"].clone();
    products[0]["name"] = json!("Chain\u{FEFF}Gang");
    let reply = send_json(&app, "PUT", "/api/v1/me/products", Some(&token), &products).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.json()["errors"]
            .to_string()
            .contains("products[0].name")
    );

    let png = crate::me_support::png(64, 64, [10, 20, 30]);
    let reply = send(
        &app,
        "POST",
        "/api/v1/me/media?title=Booth%E2%80%AEnight",
        Some(&token),
        png,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["errors"][0]["field"], "title");

    let admin = staff_token(&app, "admin.one", "admin").await;
    let reply = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/exhibitors/{KESTREL}/tokens"),
        Some(&admin),
        &json!({ "label": "press\u{202A}office" }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("format characters")
    );
}
