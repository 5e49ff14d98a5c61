//! The published programme as iCalendar (RFC 5545) for visitors' calendars: the whole week,
//! or one session. Lines end in CRLF and are folded at 75 octets (never inside a UTF-8
//! character); text values escape `\`, `;`, `,` and line breaks; times are UTC
//! (`DTSTART:20200915T013000Z`), converted from the week's wall-clock times with its offset,
//! so no `VTIMEZONE` is needed.

use pavilion_model::Programme;
use pavilion_model::programme::Session;

use crate::time::rfc3339_from_unix;

/// The longest line, in octets, before it is folded (RFC 5545 section 3.1).
const FOLD_OCTETS: usize = 75;

/// The calendar of every session of the week; `stamp_unix` is the `DTSTAMP` of each event
/// (when the calendar was made).
pub fn week_calendar(programme: &Programme, stamp_unix: i64) -> String {
    calendar(
        programme,
        programme.sessions.iter(),
        "National Cyber Security Week",
        stamp_unix,
    )
}

/// The calendar of one session, if the programme has it.
pub fn session_calendar(programme: &Programme, id: &str, stamp_unix: i64) -> Option<String> {
    let session = programme.sessions.iter().find(|s| s.id == id)?;
    Some(calendar(
        programme,
        std::iter::once(session),
        &session.title,
        stamp_unix,
    ))
}

fn calendar<'a>(
    programme: &Programme,
    sessions: impl Iterator<Item = &'a Session>,
    name: &str,
    stamp_unix: i64,
) -> String {
    let mut out = String::new();
    let stamp = utc_stamp(stamp_unix);
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Pavilion//Programme//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push_line(&mut out, line);
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    for session in sessions {
        let start = session_unix(programme, session, session.start.minutes());
        let end = session_unix(programme, session, session.end.minutes());
        let stage = programme
            .stage(&session.stage)
            .map_or(session.stage.as_str(), |stage| stage.name.as_str());
        let mut description = session.summary.clone();
        if !session.speakers.is_empty() {
            let speakers: Vec<String> = session
                .speakers
                .iter()
                .map(|speaker| match &speaker.affiliation {
                    Some(affiliation) => format!("{} ({affiliation})", speaker.name),
                    None => speaker.name.clone(),
                })
                .collect();
            description.push_str(&format!("\n\nSpeakers: {}", speakers.join(", ")));
        }
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}@pavilion.programme", session.id));
        push_line(&mut out, &format!("DTSTAMP:{stamp}"));
        push_line(&mut out, &format!("DTSTART:{}", utc_stamp(start)));
        push_line(&mut out, &format!("DTEND:{}", utc_stamp(end)));
        push_line(&mut out, &format!("SUMMARY:{}", escape(&session.title)));
        push_line(&mut out, &format!("LOCATION:{}", escape(stage)));
        push_line(&mut out, &format!("DESCRIPTION:{}", escape(&description)));
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

/// Seconds since the epoch of `minutes` past midnight of the session's day, in the week's
/// time zone.
fn session_unix(programme: &Programme, session: &Session, minutes: u16) -> i64 {
    (session.day.days_since_epoch() * 1440 + i64::from(minutes)
        - i64::from(programme.week.utc_offset_minutes))
        * 60
}

/// `YYYYMMDDTHHMMSSZ`.
fn utc_stamp(unix: i64) -> String {
    rfc3339_from_unix(u64::try_from(unix).unwrap_or(0)).replace(['-', ':'], "")
}

/// A TEXT value escaped (RFC 5545 section 3.3.11); carriage returns are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets (continuations start with a space, which
/// counts towards their 75) and ended by CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let width = c.len_utf8();
        if used + width > FOLD_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += width;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a; b, c\\d\r\ne"), "a\\; b\\, c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", "网络安全".repeat(20));
        push_line(&mut out, &line);
        let physical: Vec<&str> = out.split_terminator("\r\n").collect();
        assert!(physical.len() > 1);
        for (i, part) in physical.iter().enumerate() {
            assert!(part.len() <= FOLD_OCTETS, "{i}: {} octets", part.len());
            assert_eq!(part.starts_with(' '), i > 0);
        }
        let unfolded: String = physical
            .iter()
            .enumerate()
            .map(|(i, part)| if i > 0 { &part[1..] } else { part })
            .collect();
        assert_eq!(unfolded, line);
    }

    #[test]
    fn stamps_are_utc() {
        assert_eq!(utc_stamp(1_600_133_400), "20200915T013000Z");
    }
}
