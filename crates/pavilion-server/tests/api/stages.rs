//! Stages in the hall: stage areas staff place through the layout API, checked against the
//! programme draft; the seeded forum hall published with the stages' names and screens.

use axum::http::StatusCode;
use pavilion_model::layout::{CONTEST_DESK, HALL_GAP, StageArea, StageAreaKind};
use pavilion_model::{Entrance, Footprint, Hall, HallSnapshot, Rotation};
use pavilion_server::staff::accounts::Role;
use serde_json::{Value, json};

use crate::staff::{send, staff_token};
use crate::{TestApp, spawn_app};

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
