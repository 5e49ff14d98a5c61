//! The programme: the seed imported on first start, the staff draft (every rule answered 422
//! with its code, nothing saved; If-Match versions; audit), who may read and write it,
//! publishing it with the hall (served read-only with an ETag at `/api/v1/programme`),
//! rollback restoring the programme of that version, and refused bodies.

use axum::body::Body;
use axum::http::StatusCode;
use pavilion_model::{Programme, ProgrammeRule};
use pavilion_server::staff::accounts::Role;
use serde_json::{Value, json};

use crate::me_support::{exhibitor_token, send_with};
use crate::staff::{send, staff_token};
use crate::{KESTREL, TestApp, spawn_app, spawn_app_configured};

const DRAFT: &str = "/api/v1/staff/programme";

async fn draft(app: &TestApp, token: &str) -> (Value, String) {
    let reply = send(app, "GET", DRAFT, Some(token), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    (reply.json(), reply.header("etag").to_owned())
}

async fn put(
    app: &TestApp,
    token: &str,
    programme: &Value,
    if_match: Option<&str>,
) -> crate::Reply {
    let mut headers = vec![("content-type", "application/json")];
    if let Some(tag) = if_match {
        headers.push(("if-match", tag));
    }
    send_with(
        app,
        "PUT",
        DRAFT,
        Some(token),
        &headers,
        Body::from(programme.to_string()),
    )
    .await
}

fn rules_of(reply: &crate::Reply) -> Vec<(String, String)> {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        reply.body
    );
    assert_eq!(reply.error_code(), "invalid_programme");
    reply.json()["problems"]
        .as_array()
        .expect("problems listed")
        .iter()
        .map(|p| {
            (
                p["rule"].as_str().unwrap().to_owned(),
                p["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn rule_code(rule: ProgrammeRule) -> String {
    serde_json::to_value(rule)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_seed_is_the_draft_and_the_first_version_publishes_it() {
    let app = spawn_app().await;
    let token = staff_token(&app, "planner", Role::Curator).await;
    let (view, etag) = draft(&app, &token).await;
    assert_eq!(etag, "\"1\"");
    assert_eq!(view["revision"], 1);
    assert_eq!(view["problems"], json!([]));
    let seed: Programme = serde_json::from_value(view["programme"].clone()).unwrap();
    assert_eq!(seed.week.first_day.to_string(), "2020-09-14");
    assert!(seed.sessions.len() > 30);

    // Visitors read the published one, with caching like the hall.
    let reply = app.get("/api/v1/programme").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("cache-control"), "no-cache");
    let published: Programme = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(published, seed);
    let etag = reply.header("etag").to_owned();
    let again = app
        .get_with("/api/v1/programme", &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let brotli = app
        .get_with("/api/v1/programme", &[("accept-encoding", "br")])
        .await;
    assert_eq!(brotli.header("content-encoding"), "br");
    assert!(brotli.body.len() < reply.body.len());

    // A restart imports nothing again: the draft stays at its revision.
    let app = app.restart().await;
    let (_, etag) = draft(&app, &token).await;
    assert_eq!(etag, "\"1\"");
}

#[tokio::test]
async fn every_rule_is_answered_with_its_code_and_nothing_is_saved() {
    let app = spawn_app().await;
    let token = staff_token(&app, "planner", Role::Curator).await;
    let (view, etag) = draft(&app, &token).await;
    let good = view["programme"].clone();
    let sessions = good["sessions"].as_array().unwrap();
    let first = sessions[0].clone();

    let mut bad = good.clone();
    // overlap: the second session moved onto the first's time and stage
    bad["sessions"][1]["start"] = first["start"].clone();
    bad["sessions"][1]["end"] = first["end"].clone();
    bad["sessions"][1]["stage"] = first["stage"].clone();
    bad["sessions"][1]["day"] = first["day"].clone();
    // times
    bad["sessions"][2]["end"] = bad["sessions"][2]["start"].clone();
    // outside the week
    bad["sessions"][3]["day"] = json!("2020-09-25");
    // unknown references
    bad["sessions"][4]["stage"] = json!("the-moon");
    bad["sessions"][5]["forum"] = json!("no-such-forum");
    // speakers and text
    bad["sessions"][6]["speakers"] = json!([]);
    bad["sessions"][7]["speakers"][0]["name"] = json!("");
    // ids
    bad["sessions"][8]["id"] = first["id"].clone();
    bad["stages"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": "Main Hall!", "name": "A stage with a bad id" }));
    // recording
    bad["sessions"][9]["recording_url"] = json!("https://elsewhere.example/v.mp4");
    let reply = put(&app, &token, &bad, Some(&etag)).await;
    let found = rules_of(&reply);
    for (rule, field) in [
        (ProgrammeRule::Overlap, "sessions[1].start"),
        (ProgrammeRule::Times, "sessions[2].end"),
        (ProgrammeRule::OutsideWeek, "sessions[3].day"),
        (ProgrammeRule::UnknownReference, "sessions[4].stage"),
        (ProgrammeRule::UnknownReference, "sessions[5].forum"),
        (ProgrammeRule::Speakers, "sessions[6].speakers"),
        (ProgrammeRule::Text, "sessions[7].speakers[0].name"),
        (ProgrammeRule::Duplicate, "sessions[8].id"),
        (ProgrammeRule::Id, "stages[6].id"),
        (ProgrammeRule::Recording, "sessions[9].recording_url"),
    ] {
        assert!(
            found.contains(&(rule_code(rule), field.to_owned())),
            "{rule:?} at {field} not in {found:?}"
        );
    }
    // Nothing was saved.
    let (after, after_etag) = draft(&app, &token).await;
    assert_eq!(after_etag, etag);
    assert_eq!(after["programme"], good);

    // Too many sessions is one problem, answered without checking the rest.
    let mut huge = good.clone();
    huge["sessions"] = Value::Array(
        (0..2001)
            .map(|i| {
                let mut s = first.clone();
                s["id"] = json!(format!("s-{i}"));
                s
            })
            .collect(),
    );
    let found = rules_of(&put(&app, &token, &huge, None).await);
    assert_eq!(
        found,
        vec![(rule_code(ProgrammeRule::TooMany), "sessions".into())]
    );
}

#[tokio::test]
async fn a_valid_edit_is_saved_versioned_and_audited() {
    let app = spawn_app().await;
    let token = staff_token(&app, "planner", Role::Curator).await;
    let (view, etag) = draft(&app, &token).await;
    let mut edited = view["programme"].clone();
    edited["sessions"][0]["title"] = json!("Opening of the week, moved indoors");
    let reply = put(&app, &token, &edited, Some(&etag)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.header("etag"), "\"2\"");
    assert_eq!(reply.json()["programme"], edited);

    // An edit of the old version is refused, with the current version.
    let reply = put(&app, &token, &view["programme"], Some(&etag)).await;
    assert_eq!(reply.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(reply.error_code(), "stale_version");
    assert_eq!(reply.header("etag"), "\"2\"");
    let reply = put(&app, &token, &edited, Some("not a tag")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);

    let audit = send(&app, "GET", "/api/v1/staff/audit", Some(&token), None).await;
    let entries = audit.json();
    let entry = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "replace_programme")
        .expect("the save is audited");
    assert_eq!(entry["staff"], "planner");
    assert_eq!(entry["target"], "programme");
}

#[tokio::test]
async fn only_staff_read_and_write_the_draft() {
    let app = spawn_app().await;
    let curator = staff_token(&app, "carl", Role::Curator).await;
    let admin = staff_token(&app, "ada", Role::Admin).await;
    let exhibitor = exhibitor_token(&app, KESTREL).await;
    let (view, _) = draft(&app, &curator).await;
    let body = view["programme"].clone();
    for token in [None, Some(exhibitor.as_str()), Some("pst_0000")] {
        for method in ["GET", "PUT"] {
            let reply = send(&app, method, DRAFT, token, Some(body.clone())).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} as {token:?}"
            );
            assert_eq!(reply.error_code(), "unauthorized");
        }
    }
    for token in [&curator, &admin] {
        let reply = put(&app, token, &body, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    }
    // The published programme is public.
    assert_eq!(app.get("/api/v1/programme").await.status, StatusCode::OK);
}

#[tokio::test]
async fn publish_includes_the_programme_and_rollback_restores_it() {
    let app = spawn_app().await;
    let token = staff_token(&app, "publisher", Role::Curator).await;
    let first = app.get("/api/v1/programme").await;
    let (view, etag) = draft(&app, &token).await;
    let mut edited = view["programme"].clone();
    edited["sessions"][0]["title"] = json!("A new opening title");
    assert_eq!(
        put(&app, &token, &edited, Some(&etag)).await.status,
        StatusCode::OK
    );

    // Saved but not published: visitors still see version 1's programme.
    assert_eq!(app.get("/api/v1/programme").await.body, first.body);
    let reply = send(&app, "POST", "/api/v1/staff/publish", Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.json()["version"], 2);
    let second = app.get("/api/v1/programme").await;
    assert_eq!(second.json()["sessions"][0]["title"], "A new opening title");
    assert_ne!(second.header("etag"), first.header("etag"));

    let reply = send(
        &app,
        "POST",
        "/api/v1/staff/versions/1/rollback",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let rolled_back = app.get("/api/v1/programme").await;
    assert_eq!(rolled_back.body, first.body);
    assert_eq!(rolled_back.header("etag"), first.header("etag"));
    // The draft keeps the edit; the rollback survives a restart.
    let app = app.restart().await;
    assert_eq!(app.get("/api/v1/programme").await.body, first.body);
    let (view, _) = draft(&app, &token).await;
    assert_eq!(view["programme"], edited);
}

#[tokio::test]
async fn bad_bodies_are_refused_with_the_usual_limits() {
    let app = spawn_app().await;
    let token = staff_token(&app, "planner", Role::Curator).await;
    let (view, _) = draft(&app, &token).await;
    let auth = format!("Bearer {token}");
    let json_headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    // Not JSON, and a malformed time, both 400 naming what is wrong.
    let reply = app
        .request_with_body("PUT", DRAFT, &json_headers, Body::from("{not json"))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_code(), "bad_request");
    let mut bad_time = view["programme"].clone();
    bad_time["sessions"][0]["start"] = json!("9 o'clock");
    let reply = put(&app, &token, &bad_time, None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let message = reply.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("sessions[0].start"), "{message}");
    // Not sent as JSON.
    let reply = app
        .request_with_body(
            "PUT",
            DRAFT,
            &[("authorization", auth.as_str())],
            Body::from(view["programme"].to_string()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Larger than the JSON limit: refused before it is parsed.
    let oversize = format!(
        "{{\"week\":\"{}\"}}",
        "x".repeat(pavilion_server::http::extract::MAX_JSON_BYTES)
    );
    let reply = app
        .request_with_body("PUT", DRAFT, &json_headers, Body::from(oversize))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("larger than")
    );
    // Nothing was saved by any of them.
    let (after, etag) = draft(&app, &token).await;
    assert_eq!(etag, "\"1\"");
    assert_eq!(after["programme"], view["programme"]);
}

#[tokio::test]
async fn without_a_seed_there_is_no_programme_until_staff_save_one() {
    let app = spawn_app_configured(|config| {
        config.programme_file = config.data_dir.join("no-such-programme.toml");
    })
    .await;
    let token = staff_token(&app, "planner", Role::Curator).await;
    let (view, etag) = draft(&app, &token).await;
    assert_eq!(view["programme"], Value::Null);
    assert_eq!(etag, "\"0\"");
    let reply = app.get("/api/v1/programme").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), "not_found");
    let seed: Programme =
        toml::from_str(&std::fs::read_to_string(crate::seed_programme()).unwrap()).unwrap();
    let reply = put(
        &app,
        &token,
        &serde_json::to_value(&seed).unwrap(),
        Some("\"0\""),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.header("etag"), "\"1\"");
    let reply = send(&app, "POST", "/api/v1/staff/publish", Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let published: Programme =
        serde_json::from_slice(&app.get("/api/v1/programme").await.body).unwrap();
    assert_eq!(published, seed);
}

/// The sessions on now and next per stage, as `(stage, now, next)` ids.
fn board(reply: &crate::Reply) -> Vec<(String, Option<String>, Option<String>)> {
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let id = |session: &Value| session["id"].as_str().map(str::to_owned);
    reply.json()["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_owned(),
                id(&s["now"]),
                id(&s["next"]),
            )
        })
        .collect()
}

fn on(
    stage: &str,
    now: Option<&str>,
    next: Option<&str>,
) -> (String, Option<String>, Option<String>) {
    (stage.into(), now.map(Into::into), next.map(Into::into))
}

#[tokio::test]
async fn the_clock_stands_on_a_day_of_the_week_and_now_and_next_follow_it() {
    // Telecommunications Day, 10:00 in Zhengzhou.
    let app = spawn_app_configured(|config| {
        config.clock =
            Some(pavilion_server::time::parse_rfc3339("2020-09-16T10:00:00+08:00").unwrap());
    })
    .await;
    let reply = app.get("/api/v1/programme/now").await;
    assert_eq!(reply.header("cache-control"), "public, max-age=30");
    let body = reply.json();
    assert!(
        body["now"]
            .as_str()
            .unwrap()
            .starts_with("2020-09-16T02:00:0"),
        "{body}"
    );
    assert_eq!(body["day"]["theme"], "telecommunications-day");
    assert_eq!(
        board(&reply),
        vec![
            on("main-hall", Some("fraud-patterns"), Some("fraud-panel")),
            on("room-a", None, Some("standards-overview")),
            on("room-b", None, None),
            on("evening-stage", None, Some("youth-evening-show")),
            on("webcast-room", None, Some("webcast-scam-calls")),
            on("virtual-classroom", None, Some("micro-sim-swap")),
        ]
    );

    // The opening minute of the summit, stood on with a UTC instant.
    let app = spawn_app_configured(|config| {
        config.clock = Some(pavilion_server::time::parse_rfc3339("2020-09-14T01:00:00Z").unwrap());
    })
    .await;
    let reply = app.get("/api/v1/programme/now").await;
    let stages = board(&reply);
    assert_eq!(
        stages[0],
        on(
            "main-hall",
            Some("summit-opening"),
            Some("summit-keynote-talent")
        )
    );
    assert_eq!(reply.json()["day"]["date"], "2020-09-14");

    // By the system clock (years after the week) nothing is on and nothing is next.
    let app = spawn_app().await;
    let reply = app.get("/api/v1/programme/now").await;
    assert_eq!(reply.json()["day"], Value::Null);
    assert!(
        board(&reply)
            .iter()
            .all(|(_, now, next)| now.is_none() && next.is_none())
    );
}

/// A tiny WebM file: an EBML header whose DocType is `webm`, an empty Segment and padding.
fn tiny_webm() -> Vec<u8> {
    let mut webm = vec![0x1a, 0x45, 0xdf, 0xa3, 0x9f];
    webm.extend_from_slice(b"\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08");
    webm.extend_from_slice(b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02");
    webm.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0x80]);
    // A Void element of 100 bytes.
    webm.extend_from_slice(&[0xec, 0x80 | 100]);
    webm.extend(std::iter::repeat_n(0u8, 100));
    webm
}

#[tokio::test]
async fn recordings_beside_the_seed_are_ingested_on_first_start_and_served() {
    let folder = tempfile::tempdir().unwrap();
    let seed = folder.path().join("programme.toml");
    std::fs::copy(crate::seed_programme(), &seed).unwrap();
    let programme: Programme = toml::from_str(&std::fs::read_to_string(&seed).unwrap()).unwrap();
    let (first, second, third) = (
        &programme.sessions[0].id,
        &programme.sessions[1].id,
        &programme.sessions[2].id,
    );
    let recordings = folder.path().join("recordings");
    std::fs::create_dir_all(&recordings).unwrap();
    let webm = tiny_webm();
    std::fs::write(recordings.join(format!("{first}.webm")), &webm).unwrap();
    // Not a video whatever its name says: left out, the start goes on.
    std::fs::write(recordings.join(format!("{second}.mp4")), "not a video").unwrap();
    // A recording for no session is ignored.
    std::fs::write(recordings.join("no-such-session.webm"), &webm).unwrap();

    let app = spawn_app_configured(|config| config.programme_file = seed.clone()).await;
    let reply = app.get("/api/v1/programme").await;
    let published: Programme = serde_json::from_slice(&reply.body).unwrap();
    let url = published.sessions[0]
        .recording_url
        .clone()
        .expect("the first session has its recording");
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&webm));
    assert_eq!(url, format!("/media/{sha256}.webm"));
    for session in &published.sessions[1..] {
        assert_eq!(session.recording_url, None, "{}", session.id);
    }
    assert_eq!(&published.sessions[2].id, third);

    // Served to anyone, with byte ranges.
    let video = app.get(&url).await;
    assert_eq!(video.status, StatusCode::OK);
    assert_eq!(video.header("content-type"), "video/webm");
    assert_eq!(&video.body[..], &webm[..]);
    let range = app.get_with(&url, &[("range", "bytes=0-3")]).await;
    assert_eq!(range.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(&range.body[..], &webm[..4]);

    // Something refers to it, so the storage sweep keeps it, and a restart imports nothing.
    let report = pavilion_server::storage::sweep_orphans(
        app.state.store(),
        app.state.media(),
        std::time::SystemTime::now() + std::time::Duration::from_secs(3600),
    )
    .await
    .unwrap();
    assert_eq!(report.media_files, 0, "{report}");
    let app = app.restart().await;
    assert_eq!(app.get(&url).await.status, StatusCode::OK);
}
