//! Storage and visibility: hostile files refused quickly under the check deadline, the booth
//! byte quota and one upload at a time per token, the sweep of unreferenced media and
//! abandoned temp files, and media that only their exhibitor and staff see before publish.

use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use pavilion_media::write_glb;
use tower::ServiceExt as _;

use crate::me_support::{
    exhibitor_token, glb, mp4, other_exhibitor, png, send, send_with, staff_token,
};
use crate::{KESTREL, TestApp, spawn_app, spawn_app_configured};

/// A GLB of one quad whose node list is `nodes` and whose scene holds `roots`.
fn glb_with_nodes(nodes: &str, roots: &str) -> Vec<u8> {
    let positions: [f32; 12] = [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0];
    let indices: [u16; 6] = [0, 1, 2, 0, 2, 3];
    let mut bin: Vec<u8> = positions.iter().flat_map(|f| f.to_le_bytes()).collect();
    bin.extend(indices.iter().flat_map(|i| i.to_le_bytes()));
    let json = format!(
        r#"{{"asset":{{"version":"2.0"}},"scene":0,"scenes":[{{"nodes":[{roots}]}}],"nodes":[{nodes}],"meshes":[{{"primitives":[{{"attributes":{{"POSITION":0}},"indices":1}}]}}],"accessors":[{{"bufferView":0,"componentType":5126,"count":4,"type":"VEC3","min":[0,0,0],"max":[1,1,0]}},{{"bufferView":1,"componentType":5123,"count":6,"type":"SCALAR"}}],"bufferViews":[{{"buffer":0,"byteOffset":0,"byteLength":48}},{{"buffer":0,"byteOffset":48,"byteLength":12}}],"buffers":[{{"byteLength":60}}]}}"#
    );
    write_glb(json.as_bytes(), &bin)
}

/// 40 levels of two nodes, each pointing at both nodes below: 2^40 paths to the leaves.
fn glb_dag() -> Vec<u8> {
    let mut nodes = Vec::new();
    for level in 0..40 {
        let below = 2 * (level + 1);
        for _ in 0..2 {
            nodes.push(format!(r#"{{"children":[{below},{}]}}"#, below + 1));
        }
    }
    nodes.extend([r#"{"mesh":0}"#.to_owned(), r#"{"mesh":0}"#.to_owned()]);
    glb_with_nodes(&nodes.join(","), "0,1")
}

/// A PDF of nothing but `stream` keywords, just under the brochure limit.
fn pdf_of_stream_keywords() -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n".to_vec();
    while pdf.len() < 9_000_000 {
        pdf.extend_from_slice(b"stream\n");
    }
    pdf.extend_from_slice(b"xref\ntrailer\n<< >>\nstartxref\n0\n%%EOF\n");
    pdf
}

/// `levels` groups, each using the one below ten times: 10^levels rectangles once expanded.
fn svg_use_bomb(levels: usize) -> Vec<u8> {
    let mut svg = String::from(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><defs><g id="l0"><rect width="1" height="1"/></g>"##,
    );
    for level in 1..=levels {
        svg.push_str(&format!(r#"<g id="l{level}">"#));
        for _ in 0..10 {
            svg.push_str(&format!(r##"<use xlink:href="#l{}"/>"##, level - 1));
        }
        svg.push_str("</g>");
    }
    svg.push_str(&format!(r##"</defs><use xlink:href="#l{levels}"/></svg>"##));
    svg.into_bytes()
}

/// Uploads `bytes` with their Content-Length, as browsers send them.
async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>) -> crate::Reply {
    let length = bytes.len().to_string();
    send_with(
        app,
        "POST",
        "/api/v1/me/media?title=test",
        Some(token),
        &[("content-length", &length)],
        Body::from(bytes),
    )
    .await
}

#[tokio::test]
async fn hostile_files_are_refused_quickly_with_their_code() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let cases: [(&str, Vec<u8>, &[&str]); 4] = [
        (
            "a GLB whose node lists itself as a child",
            glb_with_nodes(r#"{"mesh":0,"children":[0,0]}"#, "0"),
            &["gltf_node_cycle", "gltf_node_two_parents"],
        ),
        (
            "a GLB DAG of 2^40 paths",
            glb_dag(),
            &["gltf_node_two_parents"],
        ),
        (
            "a 9 MB PDF of repeated stream keywords",
            pdf_of_stream_keywords(),
            &[],
        ),
        (
            "an SVG use-bomb of 10^9 rectangles",
            svg_use_bomb(9),
            &["svg_too_many_elements"],
        ),
    ];
    for (name, bytes, codes) in cases {
        let size = bytes.len();
        let started = Instant::now();
        let reply = upload(&app, &token, bytes).await;
        let elapsed = started.elapsed();
        let code = reply.error_code();
        println!(
            "{name} ({size} bytes): {} {code} in {} ms: {}",
            reply.status,
            elapsed.as_millis(),
            reply.json()["message"]
        );
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(
            codes.is_empty() || codes.contains(&code.as_str()),
            "{name}: {code}"
        );
        assert!(
            elapsed < Duration::from_secs(5),
            "{name} took {elapsed:?}: the check must refuse it quickly"
        );
    }
    let listed = app
        .get_with(
            "/api/v1/me/media",
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
    assert_eq!(listed.json(), serde_json::json!([]), "nothing was stored");
}

#[tokio::test]
async fn a_check_past_its_deadline_is_a_422_time_limit() {
    // The catalogue imports under the usual budget; the restarted server has none to spare.
    let mut app = spawn_app().await;
    app.config.check_timeout_secs = 0;
    let app = app.restart().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let started = Instant::now();
    // A model within the budget of a standard booth, but with many indices to look at.
    let reply = upload(&app, &token, glb(9_000, |_| {})).await;
    println!(
        "{} in {} ms: {}",
        reply.status,
        started.elapsed().as_millis(),
        reply.json()
    );
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_code(), "time_limit");
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("0 s Pavilion allows"),
        "{}",
        reply.json()
    );
}

#[tokio::test]
async fn a_booth_stores_no_more_than_its_quota() {
    let app = spawn_app_configured(|config| config.booth_quota_mib = 1).await;
    let token = exhibitor_token(&app, KESTREL).await;
    let first = upload(&app, &token, mp4(600 * 1024)).await;
    assert_eq!(first.status, StatusCode::CREATED);
    // A refused upload releases its reservation: the next one is judged on its own.
    let hostile = upload(&app, &token, svg_use_bomb(6)).await;
    assert_eq!(hostile.status, StatusCode::UNPROCESSABLE_ENTITY);
    let second = upload(&app, &token, mp4(500 * 1024)).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(second.error_code(), "booth_quota_exceeded");
    assert!(
        second.json()["message"].as_str().unwrap().contains("1 MiB"),
        "{}",
        second.json()
    );
    // Without a Content-Length the largest upload is reserved, which a 1 MiB booth lacks.
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![Ok(Bytes::from(png(4, 4, [1, 2, 3])))];
    let chunked = send_with(
        &app,
        "POST",
        "/api/v1/me/media",
        Some(&token),
        &[],
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
    .await;
    assert_eq!(chunked.status, StatusCode::CONFLICT);
    assert_eq!(chunked.error_code(), "booth_quota_exceeded");
    // Room is made by deleting.
    let sha = first.json()["sha256"].as_str().unwrap().to_owned();
    let deleted = send(
        &app,
        "DELETE",
        &format!("/api/v1/me/media/{sha}"),
        Some(&token),
        "",
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        upload(&app, &token, mp4(500 * 1024)).await.status,
        StatusCode::CREATED
    );
    assert_eq!(app.state.upload_policy().gate.reserved(KESTREL), 0);
}

#[tokio::test]
async fn one_upload_at_a_time_per_token() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let second_token = exhibitor_token(&app, KESTREL).await;
    let body = mp4(64 * 1024);
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let slow = Request::post("/api/v1/me/media?title=slow")
        .header("authorization", format!("Bearer {token}"))
        .header("content-length", body.len().to_string())
        .body(Body::from_stream(tokio_stream_of(receiver)))
        .unwrap();
    let router = app.router.clone();
    let running = tokio::spawn(async move { router.oneshot(slow).await.unwrap() });
    sender
        .send(Ok(Bytes::copy_from_slice(&body[..4096])))
        .await
        .unwrap();
    let gate = app.state.upload_policy().gate;
    let admitted = Instant::now();
    while gate.reserved(KESTREL) == 0 {
        assert!(
            admitted.elapsed() < Duration::from_secs(10),
            "the slow upload never started"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let busy = upload(&app, &token, png(4, 4, [9, 9, 9])).await;
    assert_eq!(busy.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(busy.error_code(), "upload_in_progress");
    // Another token of the same booth is another uploader.
    assert_eq!(
        upload(&app, &second_token, png(4, 4, [9, 9, 9]))
            .await
            .status,
        StatusCode::CREATED
    );
    sender
        .send(Ok(Bytes::copy_from_slice(&body[4096..])))
        .await
        .unwrap();
    drop(sender);
    let finished = running.await.unwrap();
    assert_eq!(finished.status(), StatusCode::CREATED);
    assert_eq!(
        upload(&app, &token, png(4, 4, [8, 8, 8])).await.status,
        StatusCode::CREATED,
        "the token is free again"
    );
}

/// A body stream fed by a channel.
fn tokio_stream_of(
    mut receiver: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    futures_util::stream::poll_fn(move |context| receiver.poll_recv(context))
}

#[tokio::test]
async fn unreferenced_media_are_swept_after_the_grace_period() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let kept = upload(&app, &token, png(6, 6, [1, 1, 1])).await.json();
    let dropped = upload(&app, &token, png(6, 6, [2, 2, 2])).await.json();
    let submitted = upload(&app, &token, png(6, 6, [3, 3, 3])).await.json();
    let remove = |item: &serde_json::Value| {
        let uri = format!("/api/v1/me/media/{}", item["sha256"].as_str().unwrap());
        let (app, token) = (&app, &token);
        async move {
            let reply = send(app, "DELETE", &uri, Some(token), "").await;
            assert_eq!(reply.status, StatusCode::NO_CONTENT);
        }
    };
    remove(&dropped).await;
    let submission = send(&app, "POST", "/api/v1/me/submission", Some(&token), "").await;
    assert_eq!(submission.status, StatusCode::CREATED);
    remove(&submitted).await;
    // Only `dropped` is referenced by nothing now: `submitted` is in the submission.
    let path_of = |item: &serde_json::Value| {
        app.state
            .media()
            .path_of(item["sha256"].as_str().unwrap(), "png")
    };
    let media_before = app.state.store().row_counts().await.unwrap().media;

    let now = SystemTime::now();
    let report = app.state.sweep_storage(now, false).await.unwrap();
    assert_eq!(report.media_rows, 0, "within the grace period: {report}");
    assert!(path_of(&dropped).is_file());

    let later = now + Duration::from_secs(25 * 3600);
    let report = app.state.sweep_storage(later, false).await.unwrap();
    println!("{report}");
    assert_eq!(report.media_rows, 1, "{report}");
    assert_eq!(report.media_files, 1, "{report}");
    assert!(!path_of(&dropped).exists());
    assert!(path_of(&kept).is_file() && path_of(&submitted).is_file());
    assert_eq!(
        app.state.store().row_counts().await.unwrap().media,
        media_before - 1
    );
    // The published hall, its signage and the catalogue media are all still there.
    let hall = app.get("/api/v1/hall").await.json();
    let logo = hall["exhibitors"][0]["logo_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.get(&logo).await.status, StatusCode::OK);
    let sign = hall["halls"][0]["sign_url"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&sign).await.status, StatusCode::OK);
    // A file stored again later is fresh, and not swept.
    if !crate::on_postgres() {
        assert_eq!(app.state.store().integrity_check().await.unwrap(), "ok");
    }
}

#[tokio::test]
async fn abandoned_temp_files_are_swept_at_start_up_and_when_old() {
    let app = spawn_app().await;
    let media = app.state.media().clone();
    std::fs::create_dir_all(media.incoming_dir()).unwrap();
    let crashed_upload = media.incoming_dir().join("upload-crashed");
    std::fs::write(&crashed_upload, b"half an upload").unwrap();
    let shard = media.root().join("ab");
    std::fs::create_dir_all(&shard).unwrap();
    let crashed_write = shard.join(".incoming-crashed");
    std::fs::write(&crashed_write, b"half a file").unwrap();

    // Later on, a temp file written recently may belong to an upload under way.
    let report = app
        .state
        .sweep_storage(SystemTime::now(), false)
        .await
        .unwrap();
    assert_eq!(report.temp_files, 0);
    assert!(crashed_upload.exists() && crashed_write.exists());
    let report = app
        .state
        .sweep_storage(SystemTime::now() + Duration::from_secs(7200), false)
        .await
        .unwrap();
    assert_eq!(report.temp_files, 2, "{report}");

    std::fs::write(&crashed_upload, b"half an upload").unwrap();
    std::fs::write(&crashed_write, b"half a file").unwrap();
    let report = app
        .state
        .sweep_storage(SystemTime::now(), true)
        .await
        .unwrap();
    assert_eq!(
        report.temp_files, 2,
        "at start-up every temp file is abandoned: {report}"
    );
    assert!(!crashed_upload.exists() && !crashed_write.exists());
}

#[tokio::test]
async fn draft_media_are_seen_only_by_their_exhibitor_and_staff() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let other = other_exhibitor(&app, KESTREL).await;
    let other_token = exhibitor_token(&app, &other).await;
    let staff = staff_token(&app, "reviewer", "curator").await;
    let item = upload(&app, &token, png(12, 12, [200, 10, 10]))
        .await
        .json();
    let url = item["url"].as_str().unwrap().to_owned();
    let bearer = |token: &str| format!("Bearer {token}");

    let missing = format!("/media/{}.png", "0".repeat(64));
    let nobody = app.get(&url).await;
    let absent = app.get(&missing).await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    assert_eq!(
        nobody.body, absent.body,
        "the same answer as a missing file"
    );
    assert_eq!(nobody.header("cache-control"), "no-store");
    for refused in [
        bearer(&other_token),
        bearer("pex_0000000000000000000000000000000000000000000000000000000000000000"),
        bearer("pst_not-a-session"),
        "Basic a2VzdHJlbDpwdw==".to_owned(),
    ] {
        let reply = app.get_with(&url, &[("authorization", &refused)]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{refused}");
    }
    for allowed in [bearer(&token), bearer(&staff)] {
        let reply = app.get_with(&url, &[("authorization", &allowed)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{allowed}");
        assert_eq!(reply.header("cache-control"), "private, no-cache");
        assert_eq!(reply.header("content-type"), "image/png");
    }

    // Approved and published, it is public.
    let id = send(&app, "POST", "/api/v1/me/submission", Some(&token), "")
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let approve = format!("/api/v1/staff/submissions/{id}/approve");
    assert_eq!(
        send(&app, "POST", &approve, Some(&staff), "").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&url).await.status,
        StatusCode::NOT_FOUND,
        "approved is not yet published"
    );
    let published = send(&app, "POST", "/api/v1/staff/publish", Some(&staff), "").await;
    assert!(published.status.is_success(), "{}", published.status);
    let public = app.get(&url).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.header("cache-control").starts_with("public"));
}
