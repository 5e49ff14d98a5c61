//! Stages in the hall: stage areas staff place through the layout API, checked against the
//! programme draft; the seeded forum hall published with the stages' names and screens; a
//! stage's live screen (now and next by the programme clock, cached, ETag and 304, 404).

use axum::http::StatusCode;
use pavilion_model::layout::{CONTEST_DESK, HALL_GAP, StageArea, StageAreaKind};
use pavilion_model::{Entrance, Footprint, Hall, HallSnapshot, Rotation};
use pavilion_server::staff::accounts::Role;
use serde_json::{Value, json};

use crate::staff::{send, staff_token};
use crate::{TestApp, spawn_app, spawn_app_configured};

async fn layout(app: &TestApp, token: &str) -> Value {
    let reply = send(app, "GET", "/api/v1/staff/layout", Some(token), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.json()
}

fn area(stage: &str, kind: StageAreaKind, position: [f32; 2], footprint: Footprint) -> StageArea {
    StageArea {
        stage: stage.into(),
        kind,
        position,
        rotation: Rotation::FacingEntrance,
        footprint,
        name: String::new(),
        screen_url: None,
    }
}

/// An empty 40 m x 40 m hall far to the right of the others, with the given stage areas.
fn stage_hall(halls: &[Hall], stages: Vec<StageArea>) -> Hall {
    let right = halls
        .iter()
        .map(|h| h.origin[0] + h.width)
        .fold(0.0_f32, f32::max);
    Hall {
        id: "stage-test".into(),
        name: "Stage test".into(),
        origin: [right + 12.0, 0.0],
        width: 40.0,
        depth: 40.0,
        entrances: vec![Entrance {
            x: 20.0,
            width: 8.0,
        }],
        sign_url: None,
        zones: Vec::new(),
        booths: Vec::new(),
        stages,
    }
}

#[tokio::test]
async fn stage_areas_are_saved_with_the_layout_and_checked_against_the_programme() {
    let app = spawn_app().await;
    let token = staff_token(&app, "stage-manager", Role::Curator).await;
    let view = layout(&app, &token).await;
    // The editor is offered every stage of the programme draft and the contest desk.
    let offered: Vec<&str> = view["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        offered,
        [
            "main-hall",
            "room-a",
            "room-b",
            "evening-stage",
            "webcast-room",
            "virtual-classroom",
            CONTEST_DESK
        ]
    );
    let mut halls: Vec<Hall> = serde_json::from_value(view["halls"].clone()).unwrap();
    for hall in &mut halls {
        hall.stages.clear();
    }

    // A stage the programme does not have is a layout problem: 422, nothing saved.
    let mut with_unknown = halls.clone();
    with_unknown.push(stage_hall(
        &halls,
        vec![area(
            "no-such-stage",
            StageAreaKind::Stage,
            [20.0, 36.0],
            Footprint::new(12.0, 5.0),
        )],
    ));
    let reply = send(
        &app,
        "PUT",
        "/api/v1/staff/layout",
        Some(&token),
        Some(json!({ "halls": with_unknown })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_code(), "invalid_layout");
    let problems = reply.json()["problems"].clone();
    assert_eq!(
        problems,
        json!([{
            "hall": "stage-test",
            "exhibitor": null,
            "stage": "no-such-stage",
            "rule": "stage",
            "message": "stage no-such-stage: the programme has no stage no-such-stage; add it to the programme or remove the stage area",
        }])
    );
    assert_eq!(layout(&app, &token).await["halls"], view["halls"]);

    // A desk on the audience floor: the model's rules, naming the stage.
    let mut crowded = halls.clone();
    crowded.push(stage_hall(
        &halls,
        vec![
            area(
                "room-a",
                StageAreaKind::Stage,
                [20.0, 36.0],
                Footprint::new(12.0, 5.0),
            ),
            area(
                CONTEST_DESK,
                StageAreaKind::Contest,
                [20.0, 30.0],
                Footprint::new(4.0, 3.0),
            ),
        ],
    ));
    let check = send(
        &app,
        "POST",
        "/api/v1/staff/layout/check",
        Some(&token),
        Some(json!({ "halls": crowded })),
    )
    .await;
    assert_eq!(check.status, StatusCode::OK);
    let messages: Vec<String> = check
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        messages.contains(
            &"stage room-a: the stage with its audience floor overlaps the contest desk".into()
        ),
        "{messages:?}"
    );

    // A programme stage and the contest desk, apart: saved, and the editor sees them placed.
    let mut good = halls.clone();
    good.push(stage_hall(
        &halls,
        vec![
            area(
                "room-a",
                StageAreaKind::Stage,
                [20.0, 36.0],
                Footprint::new(12.0, 5.0),
            ),
            area(
                CONTEST_DESK,
                StageAreaKind::Contest,
                [6.0, 20.0],
                Footprint::new(4.0, 3.0),
            ),
        ],
    ));
    let reply = send(
        &app,
        "PUT",
        "/api/v1/staff/layout",
        Some(&token),
        Some(json!({ "halls": good })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let view = reply.json();
    let saved: Vec<Hall> = serde_json::from_value(view["halls"].clone()).unwrap();
    assert_eq!(saved.last().unwrap().stages, good.last().unwrap().stages);
    let placed: Vec<&str> = view["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["placed"] == true)
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(placed, ["room-a", CONTEST_DESK]);

    // A hall with stage areas is not removed under them.
    let reply = send(
        &app,
        "DELETE",
        "/api/v1/staff/layout/halls/stage-test",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);

    // Removing the stage from the programme draft makes the layout's stage area a problem
    // that refuses publishing.
    let programme = send(&app, "GET", "/api/v1/staff/programme", Some(&token), None).await;
    let mut programme = programme.json()["programme"].clone();
    let sessions = programme["sessions"].as_array().unwrap().clone();
    programme["sessions"] = Value::Array(
        sessions
            .into_iter()
            .filter(|s| s["stage"] != "room-a")
            .collect(),
    );
    let stages = programme["stages"].as_array().unwrap().clone();
    programme["stages"] =
        Value::Array(stages.into_iter().filter(|s| s["id"] != "room-a").collect());
    let reply = send(
        &app,
        "PUT",
        "/api/v1/staff/programme",
        Some(&token),
        Some(programme),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let view = layout(&app, &token).await;
    assert_eq!(
        view["problems"][0]["stage"], "room-a",
        "{}",
        view["problems"]
    );
    let reply = send(&app, "POST", "/api/v1/staff/publish", Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_code(), "invalid_layout");
}

/// The width and height in a PNG's IHDR.
pub(crate) fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

#[tokio::test]
async fn the_seeded_forum_hall_is_published_with_names_and_screens() {
    let app = spawn_app().await;
    let reply = app.get("/api/v1/hall").await;
    assert_eq!(reply.status, StatusCode::OK);
    let snapshot: HallSnapshot = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(snapshot.halls.len(), 2);
    let (exhibition, forum) = (&snapshot.halls[0], &snapshot.halls[1]);
    assert_eq!(forum.id, "forum");
    assert_eq!(forum.name, "Forum hall");
    assert!(forum.booths.is_empty());
    assert_eq!(
        forum.origin,
        [exhibition.origin[0] + exhibition.width + HALL_GAP, 0.0]
    );
    let names: Vec<(&str, &str)> = forum
        .stages
        .iter()
        .map(|s| (s.stage.as_str(), s.name.as_str()))
        .collect();
    for expected in [
        (
            "main-hall",
            "Zhengzhou International Convention Centre, Main Hall",
        ),
        ("room-a", "Convention Centre, Forum Room A"),
        ("room-b", "Convention Centre, Forum Room B"),
        ("evening-stage", "Zhengzhou Grand Theatre"),
        ("webcast-room", "Webcast room (online)"),
        ("virtual-classroom", "Virtual classroom (online)"),
        (CONTEST_DESK, "Knowledge contest"),
    ] {
        assert!(names.contains(&expected), "{expected:?} in {names:?}");
    }
    for area in &forum.stages {
        let url = area.screen_url.as_deref().expect("a screen");
        match area.kind {
            StageAreaKind::Stage => assert_eq!(
                url,
                format!("/api/v1/programme/stages/{}/screen.png", area.stage)
            ),
            StageAreaKind::Contest => {
                assert!(url.starts_with("/media/") && url.ends_with(".png"), "{url}");
                let sign = app.get(url).await;
                assert_eq!(sign.status, StatusCode::OK);
                assert_eq!(sign.header("content-type"), "image/png");
                assert_eq!(png_size(&sign.body), (1024, 576));
            }
        }
    }
}

const MAIN_HALL_SCREEN: &str = "/api/v1/programme/stages/main-hall/screen.png";

/// What a screen says it shows: (on now, next), empty when none.
fn shows(reply: &crate::Reply) -> (String, String) {
    (
        reply.header("x-pavilion-session").to_owned(),
        reply.header("x-pavilion-next").to_owned(),
    )
}

#[tokio::test]
async fn a_stage_screen_shows_what_is_on_now_and_next_and_revalidates() {
    // Telecommunications Day, 10:00 in Zhengzhou.
    let app = spawn_app_configured(|config| {
        config.clock =
            Some(pavilion_server::time::parse_rfc3339("2020-09-16T10:00:00+08:00").unwrap());
    })
    .await;
    let reply = app.get(MAIN_HALL_SCREEN).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "image/png");
    assert_eq!(reply.header("cache-control"), "no-cache");
    assert_eq!(png_size(&reply.body), (1024, 576));
    assert_eq!(
        shows(&reply),
        ("fraud-patterns".to_owned(), "fraud-panel".to_owned())
    );
    let etag = reply.header("etag").to_owned();
    assert!(etag.starts_with("\"s1-"), "{etag}");

    // Asked again: the same picture from the cache; with its ETag: 304 and no body.
    let again = app.get(MAIN_HALL_SCREEN).await;
    assert_eq!(again.header("etag"), etag);
    assert_eq!(again.body, reply.body);
    let unchanged = app
        .get_with(MAIN_HALL_SCREEN, &[("if-none-match", &etag)])
        .await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.header("etag"), etag);
    assert_eq!(shows(&unchanged), shows(&reply));
    assert_eq!(app.state.stage_screens().len(), 1);

    // Nothing on now in room A: the screen names the next session.
    let room_a = app.get("/api/v1/programme/stages/room-a/screen.png").await;
    assert_eq!(room_a.status, StatusCode::OK);
    assert_eq!(
        shows(&room_a),
        (String::new(), "standards-overview".to_owned())
    );
    assert_ne!(room_a.header("etag"), etag);
    let stale = app
        .get_with(
            "/api/v1/programme/stages/room-a/screen.png",
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(app.state.stage_screens().len(), 2);

    // An unknown stage is a 404 with the standard error body.
    let unknown = app
        .get("/api/v1/programme/stages/no-such-stage/screen.png")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.error_code(), "not_found");
    assert!(
        unknown.json()["message"]
            .as_str()
            .unwrap()
            .contains("no-such-stage")
    );

    // A new version of the programme is a new picture.
    let token = staff_token(&app, "stage-manager", Role::Curator).await;
    let reply = send(&app, "POST", "/api/v1/staff/publish", Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let republished = app
        .get_with(MAIN_HALL_SCREEN, &[("if-none-match", &etag)])
        .await;
    assert_eq!(republished.status, StatusCode::OK);
    assert!(republished.header("etag").starts_with("\"s2-"));
    assert_eq!(shows(&republished), shows(&again));
}

#[tokio::test]
async fn at_another_time_the_screen_shows_another_session() {
    // The opening minute of the summit.
    let app = spawn_app_configured(|config| {
        config.clock = Some(pavilion_server::time::parse_rfc3339("2020-09-14T01:00:00Z").unwrap());
    })
    .await;
    let reply = app.get(MAIN_HALL_SCREEN).await;
    assert_eq!(
        shows(&reply),
        (
            "summit-opening".to_owned(),
            "summit-keynote-talent".to_owned()
        )
    );
    // By the system clock, years after the week, nothing is on and nothing is next.
    let app = spawn_app().await;
    let reply = app.get(MAIN_HALL_SCREEN).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(shows(&reply), (String::new(), String::new()));
    assert_eq!(png_size(&reply.body), (1024, 576));
}
