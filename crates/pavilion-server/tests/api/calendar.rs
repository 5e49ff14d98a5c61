//! The programme for calendars: `GET /api/v1/programme/calendar.ics` (the week) and
//! `.../sessions/{id}/calendar.ics` (one session) as iCalendar: `text/calendar`, CRLF line
//! endings, lines folded at 75 octets, text escaped, times in UTC; an unknown session is 404.

use axum::http::StatusCode;

use crate::{Reply, spawn_app};

fn physical_lines(reply: &Reply) -> Vec<String> {
    let text = String::from_utf8(reply.body.to_vec()).expect("UTF-8");
    assert!(text.ends_with("\r\n"));
    assert!(
        !text.replace("\r\n", "").contains(['\n', '\r']),
        "every line ends in CRLF"
    );
    text.split_terminator("\r\n").map(str::to_owned).collect()
}

/// The content lines, continuations joined back (RFC 5545 section 3.1).
fn unfolded(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        match line.strip_prefix(' ') {
            Some(rest) => out.last_mut().expect("a first line").push_str(rest),
            None => out.push(line.clone()),
        }
    }
    out
}

#[tokio::test]
async fn the_week_is_one_calendar_with_every_session() {
    let app = spawn_app().await;
    let programme = app.get("/api/v1/programme").await.json();
    let sessions = programme["sessions"].as_array().unwrap().len();
    let reply = app.get("/api/v1/programme/calendar.ics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "text/calendar; charset=utf-8");
    assert!(
        reply
            .header("content-disposition")
            .starts_with("attachment")
    );
    let lines = physical_lines(&reply);
    for line in &lines {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    let content = unfolded(&lines);
    assert_eq!(content.first().unwrap(), "BEGIN:VCALENDAR");
    assert_eq!(content.last().unwrap(), "END:VCALENDAR");
    assert!(content.contains(&"VERSION:2.0".to_owned()));
    assert_eq!(
        content.iter().filter(|l| *l == "BEGIN:VEVENT").count(),
        sessions
    );
    // The opening: 09:00 to 09:40 on 14 September at UTC+08:00.
    let opening = content
        .iter()
        .position(|l| l == "UID:summit-opening@pavilion.programme")
        .expect("the opening's event");
    assert_eq!(content[opening + 2], "DTSTART:20200914T010000Z");
    assert_eq!(content[opening + 3], "DTEND:20200914T014000Z");
    // Commas in text are escaped.
    assert!(
        content
            .contains(&"SUMMARY:Talent\\, technology and industry: a healthy ecosystem".to_owned()),
        "{content:?}"
    );
    assert!(
        content
            .iter()
            .any(|l| l.starts_with("DESCRIPTION:") && l.contains("\\n\\nSpeakers: "))
    );
}

#[tokio::test]
async fn one_session_is_a_calendar_of_its_own() {
    let app = spawn_app().await;
    let reply = app
        .get("/api/v1/programme/sessions/summit-opening/calendar.ics")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("content-type").starts_with("text/calendar"));
    assert_eq!(
        reply.header("content-disposition"),
        "attachment; filename=\"summit-opening.ics\""
    );
    let content = unfolded(&physical_lines(&reply));
    assert_eq!(content.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 1);
    // The stage's name, with its comma escaped.
    assert!(
        content.contains(
            &"LOCATION:Zhengzhou International Convention Centre\\, Main Hall".to_owned()
        ),
        "{content:?}"
    );

    let missing = app
        .get("/api/v1/programme/sessions/no-such-session/calendar.ics")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error_code(), "not_found");
}
