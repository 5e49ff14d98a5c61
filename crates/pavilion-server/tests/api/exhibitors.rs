//! The exhibitor directory and booth details.

use axum::http::StatusCode;
use pavilion_model::{ExhibitorDetail, ExhibitorSummary};

use crate::{FIXTURE_SIZE, KESTREL, spawn_app};

#[tokio::test]
async fn directory_lists_everyone_sorted_by_name() {
    let app = spawn_app().await;
    let reply = app.get("/api/v1/exhibitors").await;
    assert_eq!(reply.status, StatusCode::OK);
    let list: Vec<ExhibitorSummary> = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(list.len(), FIXTURE_SIZE);
    let names: Vec<String> = list.iter().map(|e| e.name.to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(
        list.iter()
            .all(|e| e.logo_url.starts_with("/media/") && e.logo_url.ends_with(".png"))
    );
    assert!(list.iter().all(|e| e.topic_label == e.topic.label()));
}

#[tokio::test]
async fn detail_has_paragraphs_and_products() {
    let app = spawn_app().await;
    let reply = app.get(&format!("/api/v1/exhibitors/{KESTREL}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "application/json");
    let detail: ExhibitorDetail = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(detail.slug, KESTREL);
    assert_eq!(detail.topic_label, detail.topic.label());
    assert!(detail.description.len() >= 2, "{:?}", detail.description);
    assert!(detail.description.iter().all(|p| !p.contains('\n')));
    assert!(detail.products.len() >= 2);
}

#[tokio::test]
async fn unknown_slug_is_a_json_404() {
    let app = spawn_app().await;
    let reply = app.get("/api/v1/exhibitors/nobody-here").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.header("content-type"), "application/json");
    assert_eq!(reply.error_code(), "not_found");
}
