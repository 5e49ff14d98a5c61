//! Visitor analytics: event batches counted per booth and UTC day and read back by the
//! exhibitor (its own booth only) and by staff (totals, busiest booths); bad batches refused
//! whole (unknown kinds and booths, wrong types, dwell below 0, too many events, too many
//! bytes, not JSON); huge dwell clamped; `DNT`/`Sec-GPC` honoured; 429 per address; and
//! nothing that could identify a visitor stored anywhere in the database.

use axum::body::Body;
use axum::http::StatusCode;
use pavilion_server::time::{day_of_unix, format_day, unix_now};
use serde_json::{Value, json};

use crate::guard::send_from;
use crate::me_support::{exhibitor_token, other_exhibitor, send, send_json, staff_token};
use crate::{KESTREL, Reply, TestApp, spawn_app, spawn_app_configured};

async fn post_events(app: &TestApp, events: Value) -> Reply {
    send_json(
        app,
        "POST",
        "/api/v1/events",
        None,
        &json!({ "events": events }),
    )
    .await
}

/// How many rows the counts table holds.
async fn stored_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM booth_daily_stats")
        .fetch_one(app.state.store().pool())
        .await
        .unwrap()
}

fn today() -> String {
    format_day(day_of_unix(unix_now()))
}

#[tokio::test]
async fn events_are_counted_per_booth_and_day_and_read_back_by_their_owners() {
    let app = spawn_app().await;
    let other = other_exhibitor(&app, KESTREL).await;
    let day = today();
    let reply = post_events(
        &app,
        json!([
            {"booth": KESTREL, "kind": "visit"},
            {"booth": KESTREL, "kind": "visit"},
            {"booth": KESTREL, "kind": "dwell", "seconds": 41.6},
            {"booth": KESTREL, "kind": "media_play"},
            {"booth": KESTREL, "kind": "brochure_download"},
            {"booth": KESTREL, "kind": "model_view"},
            {"booth": other, "kind": "visit"},
        ]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    assert_eq!(reply.json()["recorded"], 7);
    // A second batch adds to the same day's row.
    let reply = post_events(
        &app,
        json!([{"booth": KESTREL, "kind": "visit"}, {"booth": KESTREL, "kind": "dwell", "seconds": 10}]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(stored_rows(&app).await, 2, "one row per booth and day");

    let token = exhibitor_token(&app, KESTREL).await;
    let stats = send(&app, "GET", "/api/v1/me/stats", Some(&token), "")
        .await
        .json();
    assert_eq!(stats["booth"], KESTREL);
    assert_eq!(stats["to"], day.as_str());
    let days = stats["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(days[0]["day"], stats["from"]);
    let expected = json!({"visits": 3, "dwell_seconds": 52, "media_plays": 1,
        "brochure_downloads": 1, "model_views": 1});
    assert_eq!(days[29]["day"], day.as_str());
    assert_eq!(days[29]["counts"], expected);
    assert_eq!(stats["totals"], expected);
    assert!(days[..29].iter().all(|d| d["counts"]["visits"] == 0));

    // The other exhibitor sees its own booth only.
    let other_token = exhibitor_token(&app, &other).await;
    let theirs = send(&app, "GET", "/api/v1/me/stats", Some(&other_token), "")
        .await
        .json();
    assert_eq!(theirs["booth"], other.as_str());
    assert_eq!(theirs["totals"]["visits"], 1);
    assert_eq!(theirs["totals"]["dwell_seconds"], 0);

    // A period without today has nothing in it.
    let before = send(
        &app,
        "GET",
        "/api/v1/me/stats?from=2025-01-01&to=2025-01-07",
        Some(&token),
        "",
    )
    .await
    .json();
    assert_eq!(before["days"].as_array().unwrap().len(), 7);
    assert_eq!(before["totals"]["visits"], 0);

    // Staff see the hall's totals and the busiest booths, most visits first.
    let staff = staff_token(&app, "carl", "curator").await;
    let hall = send(&app, "GET", "/api/v1/staff/stats", Some(&staff), "")
        .await
        .json();
    assert_eq!(hall["totals"]["visits"], 4);
    assert_eq!(hall["totals"]["dwell_seconds"], 52);
    assert_eq!(hall["days"][29]["counts"]["visits"], 4);
    let busiest: Vec<(&str, i64)> = hall["busiest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["booth"].as_str().unwrap(),
                b["counts"]["visits"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(busiest, [(KESTREL, 3), (other.as_str(), 1)]);
    let top = send(
        &app,
        "GET",
        "/api/v1/staff/stats?busiest=1",
        Some(&staff),
        "",
    )
    .await
    .json();
    assert_eq!(top["busiest"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn periods_that_do_not_read_are_refused() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let staff = staff_token(&app, "carl", "curator").await;
    for query in [
        "from=2026-02-30",
        "to=tomorrow",
        "from=2026-11-10&to=2026-11-01",
        "from=2020-01-01&to=2026-01-01",
    ] {
        for (uri, who) in [
            ("/api/v1/me/stats", &token),
            ("/api/v1/staff/stats", &staff),
        ] {
            let reply = send(&app, "GET", &format!("{uri}?{query}"), Some(who), "").await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}?{query}");
            assert_eq!(reply.error_code(), "bad_request");
        }
    }
    let reply = send(
        &app,
        "GET",
        "/api/v1/staff/stats?busiest=-1",
        Some(&staff),
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bad_batches_are_refused_whole_and_count_nothing() {
    let app = spawn_app().await;
    let visit = json!({"booth": KESTREL, "kind": "visit"});
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!([visit, {"booth": KESTREL, "kind": "hover"}]),
            StatusCode::BAD_REQUEST,
            "events[1].kind",
        ),
        (
            json!([{"booth": KESTREL, "kind": "dwell", "seconds": "ten"}]),
            StatusCode::BAD_REQUEST,
            "events[0].seconds",
        ),
        (
            json!([{"booth": 7, "kind": "visit"}]),
            StatusCode::BAD_REQUEST,
            "events[0].booth",
        ),
        (
            json!([{"booth": KESTREL, "kind": "visit", "visitor": "abc"}]),
            StatusCode::BAD_REQUEST,
            "visitor",
        ),
        (json!([{"kind": "visit"}]), StatusCode::BAD_REQUEST, "booth"),
        (
            json!([visit, {"booth": "no-such-booth", "kind": "visit"}]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "events[1].booth",
        ),
        (
            json!([{"booth": KESTREL, "kind": "dwell", "seconds": -5}]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "events[0].seconds",
        ),
        (
            json!([{"booth": KESTREL, "kind": "dwell"}]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "events[0].seconds",
        ),
        (
            json!([{"booth": KESTREL, "kind": "visit", "seconds": 3}]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "events[0].seconds",
        ),
        (
            Value::Array(vec![visit.clone(); 101]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "events",
        ),
    ];
    for (events, status, field) in cases {
        let reply = post_events(&app, events.clone()).await;
        assert_eq!(reply.status, status, "{events}: {:?}", reply.body);
        let body = reply.json();
        let named = body["message"].as_str().unwrap().contains(field)
            || body["errors"]
                .as_array()
                .is_some_and(|errors| errors.iter().any(|e| e["field"] == field));
        assert!(named, "{field} is named in {body}");
    }
    // Over 16 KiB in under 100 events: 413 before parsing, declared or not.
    let long = json!({"booth": "x".repeat(400), "kind": "visit"});
    let big = json!({ "events": vec![long; 60] }).to_string();
    assert!(big.len() > 16 * 1024);
    let reply = send_json_raw(&app, big.clone(), true).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error_code(), "too_large");
    let reply = send_json_raw(&app, big, false).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Not JSON, or not said to be.
    let reply = send(&app, "POST", "/api/v1/events", None, "events=1").await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let reply = send_json_raw(&app, "{\"events\": [".into(), true).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        stored_rows(&app).await,
        0,
        "nothing of a refused batch is counted"
    );
    // An empty batch is fine and writes nothing.
    assert_eq!(
        post_events(&app, json!([])).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(stored_rows(&app).await, 0);
}

/// Sends `body` as JSON, with or without its Content-Length (a streamed body has none).
async fn send_json_raw(app: &TestApp, body: String, declared: bool) -> Reply {
    let body = if declared {
        Body::from(body)
    } else {
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body
            .into_bytes()
            .chunks(1024)
            .map(|chunk| Ok(chunk.to_vec()))
            .collect();
        Body::from_stream(futures_util::stream::iter(chunks))
    };
    crate::me_support::send_with(
        app,
        "POST",
        "/api/v1/events",
        None,
        &[("content-type", "application/json")],
        body,
    )
    .await
}

#[tokio::test]
async fn huge_dwell_is_clamped_and_do_not_track_is_honoured() {
    let app = spawn_app().await;
    let reply = post_events(
        &app,
        json!([{"booth": KESTREL, "kind": "dwell", "seconds": 1e12},
               {"booth": KESTREL, "kind": "dwell", "seconds": 86400}]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    let dwell: i64 = sqlx::query_scalar("SELECT dwell_seconds FROM booth_daily_stats")
        .fetch_one(app.state.store().pool())
        .await
        .unwrap();
    assert_eq!(dwell, 1200, "each dwell counts 600 s at most");

    for header in ["dnt", "sec-gpc"] {
        let reply = crate::me_support::send_with(
            &app,
            "POST",
            "/api/v1/events",
            None,
            &[("content-type", "application/json"), (header, "1")],
            Body::from(json!({"events": [{"booth": KESTREL, "kind": "visit"}]}).to_string()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
        assert_eq!(reply.json()["recorded"], 0, "{header}");
    }
    let visits: i64 = sqlx::query_scalar("SELECT visits FROM booth_daily_stats")
        .fetch_one(app.state.store().pool())
        .await
        .unwrap();
    assert_eq!(
        visits, 0,
        "a browser that asks not to be tracked is not counted"
    );
}

#[tokio::test]
async fn batches_are_limited_per_address_and_no_address_is_stored() {
    let app = spawn_app_configured(|config| config.limits.event_batches_per_minute = 3).await;
    let visitor = "203.0.113.77";
    let batch = json!({"events": [{"booth": KESTREL, "kind": "visit"}]}).to_string();
    let send_batch = |peer: &'static str| {
        let body = batch.clone();
        let app = &app;
        async move {
            send_from(
                app,
                peer,
                "POST",
                "/api/v1/events",
                &[
                    ("content-type", "application/json"),
                    ("user-agent", "Mozilla/5.0 (Analytics Test Agent 42)"),
                ],
                Body::from(body),
            )
            .await
        }
    };
    for _ in 0..3 {
        assert_eq!(send_batch(visitor).await.status, StatusCode::ACCEPTED);
    }
    let refused = send_batch(visitor).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.error_code(), "too_many_requests");
    let wait: u64 = refused.header("retry-after").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Another address is not held back by this one.
    assert_eq!(
        send_batch("198.51.100.9").await.status,
        StatusCode::ACCEPTED
    );

    // The counts table has counts and nothing else...
    let columns_sql = if crate::on_postgres() {
        "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
         WHERE table_name = 'booth_daily_stats' AND table_schema = current_schema()
         ORDER BY ordinal_position"
    } else {
        "SELECT name FROM pragma_table_info('booth_daily_stats')"
    };
    let columns: Vec<String> = sqlx::query_scalar(columns_sql)
        .fetch_all(app.state.store().pool())
        .await
        .unwrap();
    assert_eq!(
        columns,
        [
            "exhibitor",
            "day",
            "visits",
            "dwell_seconds",
            "media_plays",
            "brochure_downloads",
            "model_views"
        ]
    );
    let visits: i64 = sqlx::query_scalar("SELECT visits FROM booth_daily_stats")
        .fetch_one(app.state.store().pool())
        .await
        .unwrap();
    assert_eq!(visits, 4);
    // ...and neither the address nor the browser appears anywhere in the database's files.
    let mut bytes = Vec::new();
    if crate::on_postgres() {
        // The database lives in PostgreSQL's files: read every row of every table instead.
        let pool = app.state.store().pool();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
             WHERE table_schema = current_schema()",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        for table in tables {
            let rows: Vec<String> =
                sqlx::query_scalar(&format!("SELECT CAST(t AS TEXT) FROM {table} t"))
                    .fetch_all(pool)
                    .await
                    .unwrap();
            bytes.extend(rows.concat().into_bytes());
        }
    } else {
        for entry in std::fs::read_dir(&app.config.data_dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                bytes.extend(std::fs::read(&path).unwrap());
            }
        }
    }
    assert!(bytes.len() > 4096);
    for needle in [visitor, "198.51.100.9", "Analytics Test Agent"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} is stored"
        );
    }
}
