//! The knowledge contest: question sets checked by their rules (422 with every problem),
//! frozen once played, published with the hall (visitors play the live version's sets;
//! rollback restores them); who may read and write what; a round played under a nickname; every
//! cheating path (a second attempt, a replayed answer, an answer ahead, an answer after the
//! time limit, fetching answers before answering) refused or scored as wrong; rate limits;
//! the leaderboards and the staff's CSV export.

use std::time::Duration;

use axum::body::Body;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::me_support::{exhibitor_token, send_json, send_with, staff_token};
use crate::{KESTREL, Reply, TestApp, spawn_app, spawn_app_configured};

const SET: &str = "campus-quiz";
const SETS: &str = "/api/v1/staff/contest/sets";

fn question_set() -> Value {
    json!({
        "id": SET,
        "title": "Campus Day quiz",
        "theme_day": "campus-day",
        "seconds_per_question": 20,
        "questions": [
            { "prompt": "Which password is the strongest?",
              "choices": ["123456", "Password1", "a long random passphrase"],
              "answer": 2, "explanation": "EXPLAIN-LENGTH: length beats complexity." },
            { "prompt": "A message asks for your bank code. What do you do?",
              "choices": ["Reply at once", "Ignore it and report it"],
              "answer": 1, "explanation": "EXPLAIN-REPORT: banks never ask for codes." },
            { "prompt": "Public Wi-Fi is safe for banking.",
              "choices": ["True", "False"],
              "answer": 1, "explanation": "EXPLAIN-WIFI: use mobile data or a VPN." }
        ]
    })
}

async fn put_set(app: &TestApp, token: &str, set: &Value) -> Reply {
    let id = set["id"].as_str().unwrap_or("x");
    send_json(app, "PUT", &format!("{SETS}/{id}"), Some(token), set).await
}

/// Sends a play request with the visitor's secret.
async fn play(app: &TestApp, method: &str, uri: &str, visitor: &str, body: Option<Value>) -> Reply {
    let mut headers = vec![("x-contest-visitor", visitor)];
    let body = match body {
        Some(json) => {
            headers.push(("content-type", "application/json"));
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    send_with(app, method, uri, None, &headers, body).await
}

async fn nickname(app: &TestApp, name: &str) -> Reply {
    send_json(
        app,
        "POST",
        "/api/v1/contest/visitors",
        None,
        &json!({ "nickname": name }),
    )
    .await
}

async fn visitor(app: &TestApp, name: &str) -> String {
    let reply = nickname(app, name).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.json()["token"].as_str().unwrap().to_owned()
}

const ATTEMPT: &str = "/api/v1/contest/sets/campus-quiz/attempt";
const ANSWERS: &str = "/api/v1/contest/sets/campus-quiz/attempt/answers";

async fn answer(app: &TestApp, visitor: &str, question: usize, choice: Option<usize>) -> Reply {
    play(
        app,
        "POST",
        ANSWERS,
        visitor,
        Some(json!({ "question": question, "choice": choice })),
    )
    .await
}

/// Publishes the drafts (layout, programme and question sets) as the next version.
async fn publish(app: &TestApp, token: &str) -> u64 {
    let reply = send_with(
        app,
        "POST",
        "/api/v1/staff/publish",
        Some(token),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.json()["version"].as_u64().unwrap()
}

/// The ids of the sets visitors are offered.
async fn offered(app: &TestApp) -> Vec<String> {
    send_with(app, "GET", "/api/v1/contest", None, &[], Body::empty())
        .await
        .json()["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|set| set["id"].as_str().unwrap().to_owned())
        .collect()
}

/// An app with the question set saved by a curator and published; returns the curator's
/// token.
async fn app_with_set() -> (TestApp, String) {
    app_with_set_configured(|_| {}).await
}

async fn app_with_set_configured(
    edit: impl FnOnce(&mut pavilion_server::Config),
) -> (TestApp, String) {
    let app = spawn_app_configured(edit).await;
    let token = staff_token(&app, "quizmaster", "curator").await;
    let reply = put_set(&app, &token, &question_set()).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    publish(&app, &token).await;
    (app, token)
}

#[tokio::test]
async fn question_sets_are_published_with_the_hall_and_rolled_back_with_it() {
    let app = spawn_app().await;
    let token = staff_token(&app, "quizmaster", "curator").await;
    let before = publish(&app, &token).await;
    assert_eq!(offered(&app).await, Vec::<String>::new());

    // Saved is not yet published: visitors neither see nor play it.
    let reply = put_set(&app, &token, &question_set()).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(offered(&app).await, Vec::<String>::new());
    let ada = visitor(&app, "Ada").await;
    let early = play(&app, "POST", ATTEMPT, &ada, None).await;
    assert_eq!(early.status, StatusCode::NOT_FOUND);
    let with_set = publish(&app, &token).await;
    assert_eq!(offered(&app).await, [SET]);

    // A change before anyone plays waits for the next publish.
    let mut shorter = question_set();
    shorter["questions"].as_array_mut().unwrap().pop();
    assert_eq!(put_set(&app, &token, &shorter).await.status, StatusCode::OK);
    let list = send_with(&app, "GET", "/api/v1/contest", None, &[], Body::empty()).await;
    assert_eq!(list.json()["sets"][0]["questions"], 3);

    // Rolling back to the version before the set takes it away, and forward brings it back.
    let rollback = |version: u64| {
        let app = &app;
        let token = token.clone();
        async move {
            let reply = send_with(
                app,
                "POST",
                &format!("/api/v1/staff/versions/{version}/rollback"),
                Some(&token),
                &[],
                Body::empty(),
            )
            .await;
            assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        }
    };
    rollback(before).await;
    assert_eq!(offered(&app).await, Vec::<String>::new());
    rollback(with_set).await;
    assert_eq!(offered(&app).await, [SET]);

    // Played as published (three questions): the set is frozen, and a later publish keeps
    // the questions the attempts were scored against rather than the unplayed change.
    let started = play(&app, "POST", ATTEMPT, &ada, None).await;
    assert_eq!(started.status, StatusCode::CREATED, "{:?}", started.body);
    assert_eq!(started.json()["questions"], 3);
    publish(&app, &token).await;
    let list = send_with(&app, "GET", "/api/v1/contest", None, &[], Body::empty()).await;
    assert_eq!(list.json()["sets"][0]["questions"], 3);

    // A published set staff delete (nobody played it) is withdrawn at once from play.
    let mut other = question_set();
    other["id"] = json!("evening-quiz");
    other["theme_day"] = Value::Null;
    assert_eq!(put_set(&app, &token, &other).await.status, StatusCode::OK);
    publish(&app, &token).await;
    let deleted = send_with(
        &app,
        "DELETE",
        &format!("{SETS}/evening-quiz"),
        Some(&token),
        &[],
        Body::empty(),
    )
    .await;
    assert!(deleted.status.is_success(), "{:?}", deleted.body);
    let withdrawn = play(
        &app,
        "POST",
        "/api/v1/contest/sets/evening-quiz/attempt",
        &ada,
        None,
    )
    .await;
    assert_eq!(withdrawn.status, StatusCode::NOT_FOUND);
    assert!(
        withdrawn.json()["message"]
            .as_str()
            .unwrap()
            .contains("withdrawn")
    );
}

/// Whether a reply's body holds any of the set's answers' explanations.
fn leaks_an_explanation(reply: &Reply) -> bool {
    let text = String::from_utf8_lossy(&reply.body);
    text.contains("EXPLAIN-") || text.contains("\"answer\"")
}

#[tokio::test]
async fn question_sets_keep_their_rules_and_nothing_broken_is_saved() {
    let app = spawn_app().await;
    let token = staff_token(&app, "quizmaster", "curator").await;
    let mut broken = question_set();
    broken["seconds_per_question"] = json!(2);
    broken["theme_day"] = json!("no-such-day");
    broken["questions"][0]["answer"] = json!(3);
    broken["questions"][1]["choices"] = json!(["only one"]);
    let reply = put_set(&app, &token, &broken).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_code(), "invalid_question_set");
    let rules: Vec<(String, String)> = reply.json()["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["rule"].as_str().unwrap().into(),
                p["field"].as_str().unwrap().into(),
            )
        })
        .collect();
    for expected in [
        ("seconds", "seconds_per_question"),
        ("answer", "questions[0].answer"),
        ("choices", "questions[1].choices"),
        ("theme_day", "theme_day"),
    ] {
        assert!(
            rules.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {rules:?}"
        );
    }
    let listed = send_with(&app, "GET", SETS, Some(&token), &[], Body::empty()).await;
    assert_eq!(listed.json()["sets"], json!([]), "nothing was saved");

    // The path names the set: a body for another id is refused.
    let reply = send_json(
        &app,
        "PUT",
        &format!("{SETS}/other-quiz"),
        Some(&token),
        &question_set(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);

    assert_eq!(
        put_set(&app, &token, &question_set()).await.status,
        StatusCode::OK
    );
    let listed = send_with(&app, "GET", SETS, Some(&token), &[], Body::empty())
        .await
        .json();
    assert_eq!(listed["sets"][0]["set"], question_set());
    assert_eq!(listed["sets"][0]["attempts"], 0);
    // The audit log has the save.
    let audit = send_with(
        &app,
        "GET",
        "/api/v1/staff/audit",
        Some(&token),
        &[],
        Body::empty(),
    )
    .await;
    assert!(String::from_utf8_lossy(&audit.body).contains("save_question_set"));
}

#[tokio::test]
async fn who_may_do_what() {
    let (app, staff) = app_with_set().await;
    let exhibitor = exhibitor_token(&app, KESTREL).await;
    let player = visitor(&app, "Ada").await;
    // Staff endpoints: staff only (a visitor's secret or an exhibitor token is no staff session).
    for (method, uri) in [
        ("GET", SETS.to_owned()),
        ("GET", "/api/v1/staff/contest/results.csv".to_owned()),
        ("DELETE", format!("{SETS}/{SET}")),
    ] {
        for token in [None, Some(exhibitor.as_str()), Some(player.as_str())] {
            let reply = send_with(&app, method, &uri, token, &[], Body::empty()).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {uri} with {token:?}"
            );
        }
    }
    let reply = send_json(
        &app,
        "PUT",
        &format!("{SETS}/{SET}"),
        Some(&player),
        &question_set(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // Play endpoints: a visitor's secret, not a staff token, not a forged one.
    for secret in [staff.as_str(), "pcv_00", &format!("pcv_{}", "0".repeat(64))] {
        let reply = play(&app, "POST", ATTEMPT, secret, None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{secret}");
    }
    let reply = send_with(&app, "POST", ATTEMPT, None, &[], Body::empty()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // Reading the sets and the leaderboards needs nothing.
    for uri in [
        "/api/v1/contest",
        "/api/v1/contest/leaderboard",
        "/api/v1/contest/sets/campus-quiz/leaderboard",
    ] {
        let reply = send_with(&app, "GET", uri, None, &[], Body::empty()).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
    }
}

#[tokio::test]
async fn a_round_ends_on_the_leaderboard_and_answers_never_leave_early() {
    let (app, staff) = app_with_set().await;
    let list = send_with(&app, "GET", "/api/v1/contest", None, &[], Body::empty()).await;
    assert!(
        !leaks_an_explanation(&list) && !String::from_utf8_lossy(&list.body).contains("prompt")
    );
    assert_eq!(list.json()["sets"][0]["questions"], 3);

    let ada = visitor(&app, "Ada").await;
    let started = play(&app, "POST", ATTEMPT, &ada, None).await;
    assert_eq!(started.status, StatusCode::CREATED, "{:?}", started.body);
    assert!(!leaks_an_explanation(&started), "{:?}", started.body);
    let first = started.json();
    assert_eq!(first["question"]["index"], 0);
    assert_eq!(first["question"]["of"], 3);
    assert_eq!(first["question"]["choices"].as_array().unwrap().len(), 3);
    assert!(first["ms_left"].as_i64().unwrap() > 19_000);
    // Reading the attempt again serves the same question, still without its answer.
    let again = play(&app, "GET", ATTEMPT, &ada, None).await;
    assert!(!leaks_an_explanation(&again));
    assert_eq!(again.json()["question"]["index"], 0);

    let verdict = answer(&app, &ada, 0, Some(2)).await;
    assert_eq!(verdict.status, StatusCode::OK, "{:?}", verdict.body);
    let verdict = verdict.json();
    assert_eq!(
        (verdict["correct"].as_bool(), verdict["answer"].as_u64()),
        (Some(true), Some(2))
    );
    assert!(
        verdict["explanation"]
            .as_str()
            .unwrap()
            .starts_with("EXPLAIN-LENGTH")
    );
    // The next question is served when asked for, not while the explanation is read.
    assert!(verdict["attempt"].get("question").is_none());
    let next = play(&app, "GET", ATTEMPT, &ada, None).await;
    assert!(!leaks_an_explanation(&next));
    assert_eq!(next.json()["question"]["index"], 1);

    let verdict = answer(&app, &ada, 1, Some(0)).await.json();
    assert_eq!(
        (verdict["correct"].as_bool(), verdict["points"].as_u64()),
        (Some(false), Some(0))
    );
    play(&app, "GET", ATTEMPT, &ada, None).await;
    let last = answer(&app, &ada, 2, Some(1)).await.json();
    assert_eq!(last["attempt"]["finished"], true);
    assert_eq!(last["attempt"]["score"], 20);
    assert!(last["attempt"].get("question").is_none());

    // Bob answers everything right: first on both boards.
    let bob = visitor(&app, "Bob").await;
    play(&app, "POST", ATTEMPT, &bob, None).await;
    for (question, choice) in [(0, 2), (1, 1), (2, 1)] {
        play(&app, "GET", ATTEMPT, &bob, None).await;
        assert_eq!(
            answer(&app, &bob, question, Some(choice)).await.status,
            StatusCode::OK
        );
    }
    let board = send_with(
        &app,
        "GET",
        "/api/v1/contest/sets/campus-quiz/leaderboard",
        None,
        &[],
        Body::empty(),
    )
    .await
    .json();
    let names: Vec<&str> = board["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["nickname"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bob", "Ada"]);
    assert_eq!(board["lines"][0]["score"], 30);
    assert_eq!(board["lines"][0]["rank"], 1);
    let week = send_with(
        &app,
        "GET",
        "/api/v1/contest/leaderboard",
        None,
        &[],
        Body::empty(),
    )
    .await
    .json();
    assert_eq!(week["lines"][1]["nickname"], "Ada");
    assert_eq!(week["lines"][1]["score"], 20);

    // Staff export every attempt as CSV.
    let csv = send_with(
        &app,
        "GET",
        "/api/v1/staff/contest/results.csv",
        Some(&staff),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let text = String::from_utf8(csv.body.to_vec()).unwrap();
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(
        lines[0],
        "set,nickname,score,correct,questions,answered,time_ms,started_at,finished_at"
    );
    assert!(lines[1].starts_with("campus-quiz,Bob,30,3,3,3,"), "{text}");
    assert!(lines[2].starts_with("campus-quiz,Ada,20,2,3,3,"), "{text}");
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
}

#[tokio::test]
async fn cheating_paths_are_refused_or_scored_as_wrong() {
    let (app, staff) = app_with_set().await;
    let eve = visitor(&app, "Eve").await;
    // An answer before starting: nothing to answer.
    assert_eq!(
        answer(&app, &eve, 0, Some(2)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        play(&app, "POST", ATTEMPT, &eve, None).await.status,
        StatusCode::CREATED
    );
    // A second attempt at the same set.
    let again = play(&app, "POST", ATTEMPT, &eve, None).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error_code(), "already_played");
    // Answering a question not asked yet (to see its answer early).
    let ahead = answer(&app, &eve, 1, Some(0)).await;
    assert_eq!(ahead.status, StatusCode::CONFLICT);
    assert_eq!(ahead.error_code(), "not_asked");
    assert!(!leaks_an_explanation(&ahead));
    // A choice the question does not have.
    assert_eq!(
        answer(&app, &eve, 0, Some(9)).await.status,
        StatusCode::BAD_REQUEST
    );
    // A wrong answer, then the right one replayed: refused, the score stays.
    assert_eq!(
        answer(&app, &eve, 0, Some(0)).await.json()["correct"],
        false
    );
    let replay = answer(&app, &eve, 0, Some(2)).await;
    assert_eq!(replay.status, StatusCode::CONFLICT);
    assert_eq!(replay.error_code(), "already_answered");
    // The next question cannot be answered before it is served.
    let unserved = answer(&app, &eve, 1, Some(1)).await;
    assert_eq!(unserved.error_code(), "not_asked");
    assert_eq!(
        play(&app, "GET", ATTEMPT, &eve, None).await.json()["question"]["index"],
        1
    );
    // The right answer after the time limit (and its grace) counts as wrong.
    app.state.contest_clock().advance(Duration::from_secs(22));
    let late = answer(&app, &eve, 1, Some(1)).await.json();
    assert_eq!(
        (
            late["late"].as_bool(),
            late["correct"].as_bool(),
            late["points"].as_u64()
        ),
        (Some(true), Some(false), Some(0))
    );
    // Reading the attempt again does not restart a question's clock.
    assert_eq!(
        play(&app, "GET", ATTEMPT, &eve, None).await.json()["question"]["index"],
        2
    );
    app.state.contest_clock().advance(Duration::from_secs(10));
    let left = play(&app, "GET", ATTEMPT, &eve, None).await.json()["ms_left"]
        .as_i64()
        .unwrap();
    assert!((9_000..=10_000).contains(&left), "{left} ms left");
    // Within the limit it counts.
    app.state.contest_clock().advance(Duration::from_secs(9));
    let in_time = answer(&app, &eve, 2, Some(1)).await.json();
    assert_eq!(
        (in_time["late"].as_bool(), in_time["correct"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(in_time["attempt"]["score"], 10);
    // Nothing more to answer.
    let over = answer(&app, &eve, 3, Some(0)).await;
    assert_eq!(over.status, StatusCode::CONFLICT);
    assert_eq!(over.error_code(), "attempt_finished");
    // The played set is frozen: its questions are what the scores mean.
    let mut changed = question_set();
    changed["questions"][0]["answer"] = json!(0);
    let frozen = put_set(&app, &staff, &changed).await;
    assert_eq!(frozen.status, StatusCode::CONFLICT);
    assert_eq!(frozen.error_code(), "set_in_play");
    let delete = send_with(
        &app,
        "DELETE",
        &format!("{SETS}/{SET}"),
        Some(&staff),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(delete.error_code(), "set_in_play");
}

#[tokio::test]
async fn nicknames_are_unique_checked_and_rate_limited() {
    let (app, _) = app_with_set_configured(|config| {
        config.limits.contest_nicknames_per_hour = 3;
        config.limits.contest_requests_per_minute = 4;
    })
    .await;
    let ada = visitor(&app, "Ada").await;
    let taken = nickname(&app, "  ADA ").await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.error_code(), "nickname_taken");
    // A nickname that is not one is refused before it counts.
    for bad in ["x", "<script>", "a\u{202e}b", &"n".repeat(25)] {
        assert_eq!(
            nickname(&app, bad).await.status,
            StatusCode::BAD_REQUEST,
            "{bad:?}"
        );
    }
    visitor(&app, "Bob").await;
    let limited = nickname(&app, "Carol").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.header("retry-after").parse::<u64>().unwrap() > 0);
    // Play requests have their own rate.
    for _ in 0..4 {
        assert_ne!(
            play(&app, "GET", ATTEMPT, &ada, None).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    assert_eq!(
        play(&app, "GET", ATTEMPT, &ada, None).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn the_export_neutralises_formulas() {
    let (app, staff) = app_with_set().await;
    let player = visitor(&app, "-2 cmd").await;
    play(&app, "POST", ATTEMPT, &player, None).await;
    let csv = send_with(
        &app,
        "GET",
        "/api/v1/staff/contest/results.csv",
        Some(&staff),
        &[],
        Body::empty(),
    )
    .await;
    let text = String::from_utf8(csv.body.to_vec()).unwrap();
    assert!(
        text.contains("\r\ncampus-quiz,'-2 cmd,0,0,3,0,0,"),
        "{text}"
    );
}

#[tokio::test]
async fn the_seed_sets_are_imported_on_first_start() {
    let seed =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../programme/contest.toml");
    // Imported before the first publish, so the first version has them.
    let app = spawn_app_configured(|config| config.contest_file = seed).await;
    let sets = send_with(&app, "GET", "/api/v1/contest", None, &[], Body::empty())
        .await
        .json();
    let ids: Vec<&str> = sets["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|set| set["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "campus-day-quiz",
            "finance-day-quiz",
            "personal-information-quiz"
        ]
    );
    // No answer in the public list.
    assert!(
        !String::from_utf8_lossy(
            &send_with(&app, "GET", "/api/v1/contest", None, &[], Body::empty())
                .await
                .body
        )
        .contains("explanation")
    );
}

#[tokio::test]
async fn two_answers_racing_for_one_question_count_once() {
    let (app, _) = app_with_set().await;
    let mallory = visitor(&app, "Mallory").await;
    play(&app, "POST", ATTEMPT, &mallory, None).await;
    let (first, second) = tokio::join!(
        answer(&app, &mallory, 0, Some(0)),
        answer(&app, &mallory, 0, Some(2)),
    );
    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let now = play(&app, "GET", ATTEMPT, &mallory, None).await.json();
    assert_eq!(now["answered"], 1);
    assert!(now["score"] == 0 || now["score"] == 10);
}
