//! The week's programme: days and their theme days, forums and sub-forums, stages and the
//! sessions on them, with the rules a programme keeps ([`Programme::validate`]).
//!
//! Times are wall-clock times on a date in the week's one time zone ([`Week::utc_offset_minutes`]):
//! a session gives its `day` (`YYYY-MM-DD`) and its `start` and `end` (`HH:MM`, `24:00` for
//! midnight at the day's end). A session never runs past midnight, so each is one interval of
//! minutes on one date; [`Programme::minute_of_week`] turns it into minutes since the first
//! day's midnight, which is what the overlap rule and "now" compare.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::exhibitor::Slug;
use crate::topic::Topic;

/// The most days a programme's week may span.
pub const MAX_WEEK_DAYS: i64 = 14;
/// The most sessions a programme may hold.
pub const MAX_SESSIONS: usize = 2_000;
/// The most stages, forums and theme days a programme may hold (each).
pub const MAX_STAGES: usize = 50;
pub const MAX_FORUMS: usize = 200;
pub const MAX_THEME_DAYS: usize = 31;
/// The most speakers one session may name.
pub const MAX_SPEAKERS: usize = 20;
/// The shortest and longest session, in minutes.
pub const MIN_SESSION_MINUTES: u16 = 5;
pub const MAX_SESSION_MINUTES: u16 = 6 * 60;
/// The furthest a time zone may be from UTC, in minutes (UTC-12:00 to UTC+14:00).
pub const MIN_UTC_OFFSET: i32 = -12 * 60;
pub const MAX_UTC_OFFSET: i32 = 14 * 60;
/// Minutes in a day.
pub const DAY_MINUTES: i64 = 24 * 60;

/// A calendar date, written `YYYY-MM-DD` (years 2000 to 2100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, String> {
        if !(2000..=2100).contains(&year) {
            return Err(format!("the year {year} is outside 2000 to 2100"));
        }
        if !(1..=12).contains(&month) {
            return Err(format!("the month {month} is not 1 to 12"));
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if !(1..=days_in_month).contains(&day) {
            return Err(format!("day {day} is not in month {month} of {year}"));
        }
        Ok(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD` exactly.
    pub fn parse(raw: &str) -> Result<Date, String> {
        let bytes = raw.as_bytes();
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            bytes
                .get(range.clone())
                .filter(|b| b.iter().all(u8::is_ascii_digit))
                .and_then(|_| raw[range].parse().ok())
        };
        let shaped = bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-';
        match (shaped, digits(0..4), digits(5..7), digits(8..10)) {
            (true, Some(year), Some(month), Some(day)) => {
                Date::new(year as i32, month as u8, day as u8)
            }
            _ => Err(format!("{raw:?} is not a date written YYYY-MM-DD")),
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days_since_epoch(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let month = i64::from(self.month);
        let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
            + i64::from(self.day)
            - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Date::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// A wall-clock time on a date, written `HH:MM` (`00:00` to `24:00`), kept as minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    pub fn from_minutes(minutes: u16) -> Result<TimeOfDay, String> {
        if i64::from(minutes) > DAY_MINUTES {
            return Err(format!("{minutes} minutes is past 24:00"));
        }
        Ok(TimeOfDay(minutes))
    }

    /// Parses `HH:MM` exactly.
    pub fn parse(raw: &str) -> Result<TimeOfDay, String> {
        let bad = || format!("{raw:?} is not a time written HH:MM (00:00 to 24:00)");
        let (hours, minutes) = raw.split_once(':').ok_or_else(bad)?;
        let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(hours) || !two_digits(minutes) {
            return Err(bad());
        }
        let (hours, minutes): (u16, u16) = (
            hours.parse().map_err(|_| bad())?,
            minutes.parse().map_err(|_| bad())?,
        );
        if minutes >= 60 || hours > 24 || (hours == 24 && minutes > 0) {
            return Err(bad());
        }
        Ok(TimeOfDay(hours * 60 + minutes))
    }

    /// Minutes since midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        TimeOfDay::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// The dates the programme runs and the time zone its times are in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Week {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub first_day: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub last_day: Date,
    /// Minutes east of UTC of every time in the programme (480 for UTC+08:00).
    pub utc_offset_minutes: i32,
}

/// One day of the week, with the theme day it is, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Day {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    /// The id of a theme day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
}

/// A theme day such as Campus Day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ThemeDay {
    pub id: String,
    pub name: String,
    pub description: String,
}

/// What a forum is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ForumKind {
    /// The summit forum that opens the week.
    Summit,
    /// One of the week's sub-forums on a topic.
    SubForum,
    /// An evening programme for the public.
    ThemeEvening,
    /// The online micro-class series.
    MicroClasses,
    /// The week's webcasts and online dialogues.
    Webcasts,
}

/// A forum: a group of sessions under one title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Forum {
    pub id: String,
    pub title: String,
    pub kind: ForumKind,
    /// The theme day the forum belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme_day: Option<String>,
    /// The forum this one is part of (one level only: a parent has no parent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// A place sessions happen: a room, or an online channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub id: String,
    pub name: String,
    /// Seats, for a room; none for an online stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
}

/// What a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Keynote,
    Talk,
    Panel,
    Webcast,
    MicroClass,
    Ceremony,
    Performance,
}

/// A person speaking at a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Speaker {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
}

/// One session on one stage, from `start` to `end` on `day`, in the week's time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub id: String,
    pub title: String,
    /// A paragraph or two of plain text saying what the session is about.
    #[serde(rename = "abstract")]
    pub summary: String,
    pub speakers: Vec<Speaker>,
    /// The id of a stage.
    pub stage: String,
    /// The id of a forum.
    pub forum: String,
    pub kind: SessionKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    /// `HH:MM` in the week's time zone.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "09:30"))]
    pub start: TimeOfDay,
    /// `HH:MM` in the week's time zone, after `start` on the same day (`24:00` at the latest).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "11:00"))]
    pub end: TimeOfDay,
    /// A served video (`/media/<sha256>.mp4` or `.webm`) of the session, once there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_url: Option<String>,
    /// The hall's topic the session is about, if one (the agenda filters by it and links to
    /// that topic's booths).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<Topic>,
}

/// The week's whole programme, as staff edit it and visitors read it once published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Programme {
    pub week: Week,
    pub days: Vec<Day>,
    #[serde(default)]
    pub theme_days: Vec<ThemeDay>,
    pub forums: Vec<Forum>,
    pub stages: Vec<Stage>,
    pub sessions: Vec<Session>,
}

/// What is on one stage at a moment, and what starts there next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageNowNext {
    /// The stage's id.
    pub stage: String,
    pub stage_name: String,
    /// The session under way: started, not yet ended.
    pub now: Option<Session>,
    /// The first session to start later on this stage, whatever the day.
    pub next: Option<Session>,
}

/// Which rule a [`ProgrammeProblem`] breaks; a stable code for clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeRule {
    /// A list holds more items than a programme may.
    TooMany,
    /// The week runs backwards, is too long, or its time zone does not exist.
    Week,
    /// An id is not slug-like (3 to 48 of `a-z`, `0-9`, inner `-`).
    Id,
    /// Two items of one kind share an id, or a date is listed twice.
    Duplicate,
    /// A name, title or text is empty, too long, or not plain text.
    Text,
    /// A day or session lies outside the week, or a session's day is not one of the days.
    OutsideWeek,
    /// A session ends before it starts, or is too short or too long.
    Times,
    /// Two sessions on one stage share time.
    Overlap,
    /// A stage, forum or theme day named by id does not exist, or a forum's parent is wrong.
    UnknownReference,
    /// A session names no speaker, or too many.
    Speakers,
    /// A recording is not a served video's media URL.
    Recording,
    /// A stage's capacity is zero or absurd.
    Capacity,
}

/// A rule a programme breaks, with where and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeProblem {
    pub rule: ProgrammeRule,
    /// The path of the value, such as `sessions[3].end`.
    pub field: String,
    /// The id of the item concerned, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The id of the other item the rule concerns: the session it overlaps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
    pub message: String,
}

impl fmt::Display for ProgrammeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// The largest capacity a stage may give.
pub const MAX_CAPACITY: u32 = 100_000;

struct Problems(Vec<ProgrammeProblem>);

impl Problems {
    fn push(&mut self, rule: ProgrammeRule, field: String, id: Option<&str>, message: String) {
        self.0.push(ProgrammeProblem {
            rule,
            field,
            id: id.map(str::to_owned),
            other: None,
            message,
        });
    }

    /// A one-line text from `min` to `max` characters, plain, without control or format
    /// characters.
    fn line(&mut self, value: &str, min: usize, max: usize, field: String, id: Option<&str>) {
        self.text(value, min, max, field, id, false);
    }

    fn text(
        &mut self,
        value: &str,
        min: usize,
        max: usize,
        field: String,
        id: Option<&str>,
        paragraphs: bool,
    ) {
        let len = value.trim().chars().count();
        let message = if len < min || value.chars().count() > max {
            Some(format!("must be {min} to {max} characters long, not {len}"))
        } else if value.trim() != value {
            Some("must not start or end with spaces".to_owned())
        } else if value
            .chars()
            .any(|c| c.is_control() && !(paragraphs && c == '\n'))
        {
            Some(if paragraphs {
                "must not hold control characters other than line breaks".to_owned()
            } else {
                "must be one line without control characters".to_owned()
            })
        } else if crate::text::find_format_character(value).is_some() {
            Some(crate::text::FORMAT_CHARACTER_MESSAGE.to_owned())
        } else if value.contains('<') && value.contains('>') {
            Some("must be plain text, without HTML tags".to_owned())
        } else {
            None
        };
        if let Some(message) = message {
            self.push(ProgrammeRule::Text, field, id, message);
        }
    }
}

/// Checks an id's shape and that no earlier item of the same kind used it.
fn check_id<'a>(
    problems: &mut Problems,
    seen: &mut HashSet<&'a str>,
    id: &'a str,
    field: String,
    kind: &str,
) {
    if let Err(reason) = Slug::parse(id) {
        problems.push(
            ProgrammeRule::Id,
            field,
            Some(id),
            format!("the {kind} id {id:?} {reason}"),
        );
    } else if !seen.insert(id) {
        problems.push(
            ProgrammeRule::Duplicate,
            field,
            Some(id),
            format!("the {kind} id {id:?} is used twice; give each {kind} its own id"),
        );
    }
}

fn known_list(ids: &HashSet<&str>) -> String {
    let mut ids: Vec<&str> = ids.iter().copied().collect();
    ids.sort_unstable();
    if ids.len() > 12 {
        format!("{}, ...", ids[..12].join(", "))
    } else if ids.is_empty() {
        "none is defined".to_owned()
    } else {
        ids.join(", ")
    }
}

/// True for a served video's media URL: `/media/<64 lowercase hex>.mp4` or `.webm`.
pub fn is_recording_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("/media/") else {
        return false;
    };
    let Some((hash, ext)) = rest.split_once('.') else {
        return false;
    };
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && matches!(ext, "mp4" | "webm")
}

impl Programme {
    /// Minutes from the first day's midnight to `time` on `date` (negative before the week).
    pub fn minute_of_week(&self, date: Date, time: TimeOfDay) -> i64 {
        (date.days_since_epoch() - self.week.first_day.days_since_epoch()) * DAY_MINUTES
            + i64::from(time.minutes())
    }

    /// The minute of the week (as [`minute_of_week`](Self::minute_of_week) counts) at an
    /// instant given in seconds since the Unix epoch, in the week's time zone.
    pub fn minute_at_unix(&self, unix_seconds: i64) -> i64 {
        let local = unix_seconds.div_euclid(60) + i64::from(self.week.utc_offset_minutes);
        local - self.week.first_day.days_since_epoch() * DAY_MINUTES
    }

    /// The programme's day that `minute` of the week falls on, if any.
    pub fn day_at(&self, minute: i64) -> Option<&Day> {
        self.days.iter().find(|day| {
            let midnight = self.minute_of_week(day.date, TimeOfDay(0));
            (midnight..midnight + DAY_MINUTES).contains(&minute)
        })
    }

    /// For every stage, in the order listed: the session under way at `minute` of the week
    /// (the earliest-starting one, should a programme that breaks the overlap rule hold
    /// two) and the next one to start after it. One pass over the sessions.
    pub fn now_and_next(&self, minute: i64) -> Vec<StageNowNext> {
        let index: HashMap<&str, usize> = self
            .stages
            .iter()
            .enumerate()
            .map(|(i, stage)| (stage.id.as_str(), i))
            .collect();
        let mut now: Vec<Option<(i64, usize)>> = vec![None; self.stages.len()];
        let mut next: Vec<Option<(i64, usize)>> = vec![None; self.stages.len()];
        for (i, session) in self.sessions.iter().enumerate() {
            let Some(&stage) = index.get(session.stage.as_str()) else {
                continue;
            };
            let start = self.minute_of_week(session.day, session.start);
            let end = self.minute_of_week(session.day, session.end);
            let slot = if start <= minute && minute < end {
                &mut now[stage]
            } else if start > minute {
                &mut next[stage]
            } else {
                continue;
            };
            if slot.is_none_or(|(best, _)| start < best) {
                *slot = Some((start, i));
            }
        }
        self.stages
            .iter()
            .enumerate()
            .map(|(i, stage)| StageNowNext {
                stage: stage.id.clone(),
                stage_name: stage.name.clone(),
                now: now[i].map(|(_, s)| self.sessions[s].clone()),
                next: next[i].map(|(_, s)| self.sessions[s].clone()),
            })
            .collect()
    }

    /// The stage with this id.
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// Checks every rule and returns every problem (empty when valid), in the order of the
    /// document.
    ///
    /// The rules:
    ///
    /// 1. **Bounded** (`too_many`): at most [`MAX_SESSIONS`] sessions, [`MAX_STAGES`] stages,
    ///    [`MAX_FORUMS`] forums, [`MAX_THEME_DAYS`] theme days, and no more days than the
    ///    week spans (at most [`MAX_WEEK_DAYS`]); a programme over a bound is answered with
    ///    that problem alone, so checking one costs at most O(n log n) over bounded lists.
    /// 2. **Week** (`week`): the first day is on or before the last, the week spans at most
    ///    [`MAX_WEEK_DAYS`] days, and the UTC offset is from [`MIN_UTC_OFFSET`] to
    ///    [`MAX_UTC_OFFSET`] minutes.
    /// 3. **Ids** (`id`, `duplicate`): theme days, forums, stages and sessions have slug-like
    ///    ids (3 to 48 of `a-z`, `0-9` and single inner hyphens), each used once in its list;
    ///    each day's date is listed once.
    /// 4. **Text** (`text`): names and titles 2 to 120 characters, descriptions and abstracts
    ///    20 to 2,000, speaker names 2 to 80 and affiliations 2 to 120; plain text without
    ///    control or format characters (abstracts and descriptions may break lines).
    /// 5. **Inside the week** (`outside_week`): every day's date is in the week; every
    ///    session is on one of the programme's days.
    /// 6. **Times** (`times`): a session starts before it ends, lasts from
    ///    [`MIN_SESSION_MINUTES`] to [`MAX_SESSION_MINUTES`] minutes, and ends by 24:00.
    /// 7. **References** (`unknown_reference`): a day's theme, a forum's theme day and
    ///    parent, a session's stage and forum all exist; a forum's parent is another forum
    ///    that has no parent itself.
    /// 8. **Speakers** (`speakers`): every session names 1 to [`MAX_SPEAKERS`] speakers.
    /// 9. **Recording** (`recording`): a recording URL is a served video,
    ///    `/media/<sha256>.mp4` or `.webm`.
    /// 10. **Capacity** (`capacity`): a room's capacity is 1 to [`MAX_CAPACITY`].
    /// 11. **No overlaps** (`overlap`): two sessions on one stage do not share a minute (one
    ///     may start when the other ends). Sessions are sorted by stage and start and swept
    ///     once, so each session that starts before an earlier one on its stage has ended is
    ///     reported once, naming that session as `other`.
    pub fn validate(&self) -> Vec<ProgrammeProblem> {
        let mut problems = Problems(Vec::new());
        let week_days =
            self.week.last_day.days_since_epoch() - self.week.first_day.days_since_epoch() + 1;
        for (field, count, max) in [
            ("sessions", self.sessions.len(), MAX_SESSIONS),
            ("stages", self.stages.len(), MAX_STAGES),
            ("forums", self.forums.len(), MAX_FORUMS),
            ("theme_days", self.theme_days.len(), MAX_THEME_DAYS),
            (
                "days",
                self.days.len(),
                usize::try_from(week_days.clamp(1, MAX_WEEK_DAYS)).unwrap_or(1),
            ),
        ] {
            if count > max {
                problems.push(
                    ProgrammeRule::TooMany,
                    field.to_owned(),
                    None,
                    format!("lists {count} {field}; a programme may hold at most {max}"),
                );
            }
        }
        if !problems.0.is_empty() {
            return problems.0;
        }

        // 2. The week.
        let week = &self.week;
        if week_days < 1 {
            problems.push(
                ProgrammeRule::Week,
                "week.last_day".into(),
                None,
                format!(
                    "the week ends on {} before it starts on {}; give a last day on or after the first",
                    week.last_day, week.first_day
                ),
            );
        } else if week_days > MAX_WEEK_DAYS {
            problems.push(
                ProgrammeRule::Week,
                "week.last_day".into(),
                None,
                format!("the week spans {week_days} days; it may span at most {MAX_WEEK_DAYS}"),
            );
        }
        if !(MIN_UTC_OFFSET..=MAX_UTC_OFFSET).contains(&week.utc_offset_minutes) {
            problems.push(
                ProgrammeRule::Week,
                "week.utc_offset_minutes".into(),
                None,
                format!(
                    "{} minutes is not a time zone; give {MIN_UTC_OFFSET} to {MAX_UTC_OFFSET} (480 for UTC+08:00)",
                    week.utc_offset_minutes
                ),
            );
        }
        let in_week = |date: Date| date >= week.first_day && date <= week.last_day;

        // 3 and 4 for the lists other items refer to.
        let mut theme_ids = HashSet::new();
        for (i, theme) in self.theme_days.iter().enumerate() {
            let id = Some(theme.id.as_str());
            check_id(
                &mut problems,
                &mut theme_ids,
                &theme.id,
                format!("theme_days[{i}].id"),
                "theme day",
            );
            problems.line(&theme.name, 2, 120, format!("theme_days[{i}].name"), id);
            problems.text(
                &theme.description,
                20,
                2000,
                format!("theme_days[{i}].description"),
                id,
                true,
            );
        }
        let mut stage_ids = HashSet::new();
        for (i, stage) in self.stages.iter().enumerate() {
            let id = Some(stage.id.as_str());
            check_id(
                &mut problems,
                &mut stage_ids,
                &stage.id,
                format!("stages[{i}].id"),
                "stage",
            );
            problems.line(&stage.name, 2, 120, format!("stages[{i}].name"), id);
            if let Some(capacity) = stage.capacity
                && !(1..=MAX_CAPACITY).contains(&capacity)
            {
                problems.push(
                    ProgrammeRule::Capacity,
                    format!("stages[{i}].capacity"),
                    id,
                    format!(
                        "a capacity of {capacity} seats is not 1 to {MAX_CAPACITY}; leave it out for an online stage"
                    ),
                );
            }
        }
        let mut forum_ids = HashSet::new();
        for (i, forum) in self.forums.iter().enumerate() {
            check_id(
                &mut problems,
                &mut forum_ids,
                &forum.id,
                format!("forums[{i}].id"),
                "forum",
            );
        }
        let parents: HashMap<&str, Option<&str>> = self
            .forums
            .iter()
            .map(|f| (f.id.as_str(), f.parent.as_deref()))
            .collect();
        for (i, forum) in self.forums.iter().enumerate() {
            let id = Some(forum.id.as_str());
            problems.line(&forum.title, 2, 120, format!("forums[{i}].title"), id);
            if let Some(theme) = &forum.theme_day
                && !theme_ids.contains(theme.as_str())
            {
                problems.push(
                    ProgrammeRule::UnknownReference,
                    format!("forums[{i}].theme_day"),
                    id,
                    format!(
                        "there is no theme day {theme:?}; use one of {}",
                        known_list(&theme_ids)
                    ),
                );
            }
            if let Some(parent) = &forum.parent {
                let message = match parents.get(parent.as_str()) {
                    _ if parent == &forum.id => Some("a forum cannot be its own parent".to_owned()),
                    None => Some(format!(
                        "there is no forum {parent:?}; use one of {}",
                        known_list(&forum_ids)
                    )),
                    Some(Some(grandparent)) => Some(format!(
                        "the forum {parent:?} is itself part of {grandparent:?}; a parent must be a top-level forum"
                    )),
                    Some(None) => None,
                };
                if let Some(message) = message {
                    problems.push(
                        ProgrammeRule::UnknownReference,
                        format!("forums[{i}].parent"),
                        id,
                        message,
                    );
                }
            }
        }

        // Days.
        let mut dates = HashSet::new();
        for (i, day) in self.days.iter().enumerate() {
            let field = format!("days[{i}].date");
            if !in_week(day.date) {
                problems.push(
                    ProgrammeRule::OutsideWeek,
                    field,
                    None,
                    format!(
                        "{} is outside the week, {} to {}",
                        day.date, week.first_day, week.last_day
                    ),
                );
            } else if !dates.insert(day.date) {
                problems.push(
                    ProgrammeRule::Duplicate,
                    field,
                    None,
                    format!("{} is listed twice; list each day once", day.date),
                );
            }
            if let Some(theme) = &day.theme
                && !theme_ids.contains(theme.as_str())
            {
                problems.push(
                    ProgrammeRule::UnknownReference,
                    format!("days[{i}].theme"),
                    None,
                    format!(
                        "there is no theme day {theme:?}; use one of {}",
                        known_list(&theme_ids)
                    ),
                );
            }
        }

        // Sessions, each on its own; those with sound times join the overlap sweep.
        let mut session_ids = HashSet::new();
        let mut timed: Vec<(&str, i64, i64, usize)> = Vec::with_capacity(self.sessions.len());
        for (i, session) in self.sessions.iter().enumerate() {
            let id = Some(session.id.as_str());
            check_id(
                &mut problems,
                &mut session_ids,
                &session.id,
                format!("sessions[{i}].id"),
                "session",
            );
            problems.line(&session.title, 2, 120, format!("sessions[{i}].title"), id);
            problems.text(
                &session.summary,
                20,
                2000,
                format!("sessions[{i}].abstract"),
                id,
                true,
            );
            if session.speakers.is_empty() || session.speakers.len() > MAX_SPEAKERS {
                problems.push(
                    ProgrammeRule::Speakers,
                    format!("sessions[{i}].speakers"),
                    id,
                    format!(
                        "names {} speakers; name 1 to {MAX_SPEAKERS}",
                        session.speakers.len()
                    ),
                );
            }
            for (j, speaker) in session.speakers.iter().take(MAX_SPEAKERS).enumerate() {
                problems.line(
                    &speaker.name,
                    2,
                    80,
                    format!("sessions[{i}].speakers[{j}].name"),
                    id,
                );
                if let Some(affiliation) = &speaker.affiliation {
                    problems.line(
                        affiliation,
                        2,
                        120,
                        format!("sessions[{i}].speakers[{j}].affiliation"),
                        id,
                    );
                }
            }
            let stage_known = stage_ids.contains(session.stage.as_str());
            if !stage_known {
                problems.push(
                    ProgrammeRule::UnknownReference,
                    format!("sessions[{i}].stage"),
                    id,
                    format!(
                        "there is no stage {:?}; use one of {}",
                        session.stage,
                        known_list(&stage_ids)
                    ),
                );
            }
            if !forum_ids.contains(session.forum.as_str()) {
                problems.push(
                    ProgrammeRule::UnknownReference,
                    format!("sessions[{i}].forum"),
                    id,
                    format!(
                        "there is no forum {:?}; use one of {}",
                        session.forum,
                        known_list(&forum_ids)
                    ),
                );
            }
            if let Some(url) = &session.recording_url
                && !is_recording_url(url)
            {
                problems.push(
                    ProgrammeRule::Recording,
                    format!("sessions[{i}].recording_url"),
                    id,
                    "must be a served video, /media/<sha256>.mp4 or .webm; upload it first"
                        .to_owned(),
                );
            }
            let on_a_day = in_week(session.day) && dates.contains(&session.day);
            if !on_a_day {
                problems.push(
                    ProgrammeRule::OutsideWeek,
                    format!("sessions[{i}].day"),
                    id,
                    if in_week(session.day) {
                        format!(
                            "{} is not one of the programme's days; add it to days or move the session",
                            session.day
                        )
                    } else {
                        format!(
                            "{} is outside the week, {} to {}",
                            session.day, week.first_day, week.last_day
                        )
                    },
                );
            }
            let (start, end) = (session.start.minutes(), session.end.minutes());
            let times_ok = if end <= start {
                problems.push(
                    ProgrammeRule::Times,
                    format!("sessions[{i}].end"),
                    id,
                    format!(
                        "ends at {} but starts at {}; end after the start on the same day",
                        session.end, session.start
                    ),
                );
                false
            } else if !(MIN_SESSION_MINUTES..=MAX_SESSION_MINUTES).contains(&(end - start)) {
                problems.push(
                    ProgrammeRule::Times,
                    format!("sessions[{i}].end"),
                    id,
                    format!(
                        "lasts {} minutes; a session lasts {MIN_SESSION_MINUTES} to {MAX_SESSION_MINUTES}",
                        end - start
                    ),
                );
                false
            } else {
                true
            };
            if times_ok && stage_known {
                timed.push((
                    session.stage.as_str(),
                    self.minute_of_week(session.day, session.start),
                    self.minute_of_week(session.day, session.end),
                    i,
                ));
            }
        }

        // 11. Overlaps: sort by stage and start, then sweep keeping the latest end so far.
        timed.sort_unstable_by(|a, b| (a.0, a.1, a.2, a.3).cmp(&(b.0, b.1, b.2, b.3)));
        let mut overlaps = Vec::new();
        let mut latest: Option<(&str, i64, usize)> = None;
        for &(stage, start, end, index) in &timed {
            match latest {
                Some((latest_stage, latest_end, holder))
                    if latest_stage == stage && start < latest_end =>
                {
                    overlaps.push((index, holder));
                    if end > latest_end {
                        latest = Some((stage, end, index));
                    }
                }
                _ => latest = Some((stage, end, index)),
            }
        }
        overlaps.sort_unstable();
        for (index, holder) in overlaps {
            let (session, other) = (&self.sessions[index], &self.sessions[holder]);
            problems.0.push(ProgrammeProblem {
                rule: ProgrammeRule::Overlap,
                field: format!("sessions[{index}].start"),
                id: Some(session.id.clone()),
                other: Some(other.id.clone()),
                message: format!(
                    "{} ({} {}-{}) starts before {} ({} {}-{}) ends on the stage {}; move one to another time or stage",
                    session.id,
                    session.day,
                    session.start,
                    session.end,
                    other.id,
                    other.day,
                    other.start,
                    other.end,
                    session.stage
                ),
            });
        }
        problems.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(raw: &str) -> Date {
        Date::parse(raw).unwrap()
    }

    fn time(raw: &str) -> TimeOfDay {
        TimeOfDay::parse(raw).unwrap()
    }

    fn session(id: &str, stage: &str, day: &str, start: &str, end: &str) -> Session {
        Session {
            id: id.into(),
            title: format!("Session {id}"),
            summary: "A session about keeping people safe online.".into(),
            speakers: vec![Speaker {
                name: "Lin Qiao".into(),
                affiliation: Some("Zhengzhou University".into()),
            }],
            stage: stage.into(),
            forum: "summit".into(),
            kind: SessionKind::Talk,
            day: date(day),
            start: time(start),
            end: time(end),
            recording_url: None,
            topic: None,
        }
    }

    fn small() -> Programme {
        Programme {
            week: Week {
                first_day: date("2020-09-14"),
                last_day: date("2020-09-20"),
                utc_offset_minutes: 480,
            },
            days: (14..=20)
                .map(|d| Day {
                    date: date(&format!("2020-09-{d}")),
                    theme: (d == 15).then(|| "campus-day".to_owned()),
                })
                .collect(),
            theme_days: vec![ThemeDay {
                id: "campus-day".into(),
                name: "Campus Day".into(),
                description: "Schools and universities take the stage.".into(),
            }],
            forums: vec![
                Forum {
                    id: "summit".into(),
                    title: "Summit forum".into(),
                    kind: ForumKind::Summit,
                    theme_day: None,
                    parent: None,
                },
                Forum {
                    id: "youth".into(),
                    title: "Youth cyber security".into(),
                    kind: ForumKind::SubForum,
                    theme_day: Some("campus-day".into()),
                    parent: Some("summit".into()),
                },
            ],
            stages: vec![
                Stage {
                    id: "main-hall".into(),
                    name: "Main hall".into(),
                    capacity: Some(1200),
                },
                Stage {
                    id: "room-b".into(),
                    name: "Room B".into(),
                    capacity: None,
                },
            ],
            sessions: vec![
                session("opening", "main-hall", "2020-09-14", "09:00", "10:00"),
                session("keynote", "main-hall", "2020-09-14", "10:00", "11:00"),
                session("parallel", "room-b", "2020-09-14", "09:30", "10:30"),
            ],
        }
    }

    fn rules(programme: &Programme) -> Vec<(ProgrammeRule, String)> {
        programme
            .validate()
            .into_iter()
            .map(|p| (p.rule, p.field))
            .collect()
    }

    #[test]
    fn a_sound_programme_keeps_every_rule() {
        assert_eq!(small().validate(), vec![]);
    }

    #[test]
    fn dates_and_times_parse_strictly_and_round_trip() {
        assert_eq!(date("2020-02-29").to_string(), "2020-02-29");
        for bad in [
            "2021-02-29",
            "2020-9-14",
            "2020-09-14T00:00",
            "2020-13-01",
            "1999-01-01",
            "２０２０-09-14",
            "",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(time("24:00").minutes(), 1440);
        assert_eq!(time("09:05").to_string(), "09:05");
        for bad in [
            "24:01", "9:05", "09:60", "0905", "+9:05", "09:05:00", "-1:00",
        ] {
            assert!(TimeOfDay::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(date("2000-01-01").days_since_epoch(), 10_957);
        assert_eq!(date("2020-09-14").days_since_epoch(), 18_519);
        assert_eq!(
            date("2021-03-01").days_since_epoch() - date("2021-02-28").days_since_epoch(),
            1
        );
        let json = serde_json::to_string(&small()).unwrap();
        assert!(json.contains("\"start\":\"09:00\""), "{json}");
        assert!(json.contains("\"abstract\":"), "{json}");
        let back: Programme = serde_json::from_str(&json).unwrap();
        assert_eq!(back, small());
        let broken = json.replace("\"09:00\"", "\"9 o'clock\"");
        assert!(serde_json::from_str::<Programme>(&broken).is_err());
    }

    #[test]
    fn times_must_run_forwards_inside_the_week_for_a_sane_length() {
        let mut p = small();
        p.sessions[0].end = time("08:00");
        p.sessions[1].end = time("18:00");
        p.sessions[2].end = time("09:32");
        assert_eq!(
            rules(&p),
            vec![
                (ProgrammeRule::Times, "sessions[0].end".into()),
                (ProgrammeRule::Times, "sessions[1].end".into()),
                (ProgrammeRule::Times, "sessions[2].end".into()),
            ]
        );
        let mut p = small();
        p.sessions[0].day = date("2020-09-21");
        p.days.retain(|d| d.date != date("2020-09-16"));
        p.sessions[1].day = date("2020-09-16");
        let problems = p.validate();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems
                .iter()
                .all(|p| p.rule == ProgrammeRule::OutsideWeek)
        );
        assert!(problems[0].message.contains("outside the week"));
        assert!(
            problems[1]
                .message
                .contains("not one of the programme's days")
        );
    }

    #[test]
    fn sessions_on_one_stage_may_not_share_time() {
        let mut p = small();
        p.sessions[1].start = time("09:59");
        let problems = p.validate();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].rule, ProgrammeRule::Overlap);
        assert_eq!(problems[0].id.as_deref(), Some("keynote"));
        assert_eq!(problems[0].other.as_deref(), Some("opening"));
        assert!(problems[0].message.contains("main-hall"), "{problems:?}");
        // The same times on different stages, or on different days, are fine.
        let mut p = small();
        p.sessions[2].start = time("09:00");
        p.sessions[1].day = date("2020-09-15");
        p.sessions[1].start = time("09:00");
        assert_eq!(p.validate(), vec![]);
    }

    #[test]
    fn references_must_exist() {
        let mut p = small();
        p.sessions[0].stage = "nowhere".into();
        p.sessions[1].forum = "no-forum".into();
        p.days[2].theme = Some("moon-day".into());
        p.forums[1].parent = Some("youth".into());
        p.forums[0].theme_day = Some("sun-day".into());
        let found = rules(&p);
        assert_eq!(
            found,
            vec![
                (
                    ProgrammeRule::UnknownReference,
                    "forums[0].theme_day".into()
                ),
                (ProgrammeRule::UnknownReference, "forums[1].parent".into()),
                (ProgrammeRule::UnknownReference, "days[2].theme".into()),
                (ProgrammeRule::UnknownReference, "sessions[0].stage".into()),
                (ProgrammeRule::UnknownReference, "sessions[1].forum".into()),
            ]
        );
        let problems = p.validate();
        assert!(
            problems[3].message.contains("main-hall, room-b"),
            "{problems:?}"
        );
        // A parent that has a parent itself is refused too.
        let mut p = small();
        p.forums.push(Forum {
            id: "grandchild".into(),
            title: "Nested".into(),
            kind: ForumKind::SubForum,
            theme_day: None,
            parent: Some("youth".into()),
        });
        assert_eq!(
            rules(&p),
            vec![(ProgrammeRule::UnknownReference, "forums[2].parent".into())]
        );
    }

    #[test]
    fn ids_are_slug_like_and_unique() {
        let mut p = small();
        p.sessions[1].id = "opening".into();
        p.stages[1].id = "Room B".into();
        p.sessions[2].stage = "Room B".into();
        p.forums[1].id = "x".into();
        p.days[1].date = p.days[0].date;
        let found = rules(&p);
        assert!(found.contains(&(ProgrammeRule::Duplicate, "sessions[1].id".into())));
        assert!(found.contains(&(ProgrammeRule::Id, "stages[1].id".into())));
        assert!(found.contains(&(ProgrammeRule::Id, "forums[1].id".into())));
        assert!(found.contains(&(ProgrammeRule::Duplicate, "days[1].date".into())));
    }

    #[test]
    fn speakers_are_named_and_text_is_plain_and_bounded() {
        let mut p = small();
        p.sessions[0].speakers.clear();
        p.sessions[1].speakers[0].name = " ".into();
        p.sessions[2].title = "<b>Loud</b>".into();
        p.theme_days[0].name = "Campus\u{202E}Day".into();
        p.sessions[2].summary = "x".repeat(2001);
        p.stages[0].capacity = Some(0);
        p.sessions[0].recording_url = Some("https://elsewhere.example/video.mp4".into());
        let found = rules(&p);
        for expected in [
            (ProgrammeRule::Text, "theme_days[0].name"),
            (ProgrammeRule::Capacity, "stages[0].capacity"),
            (ProgrammeRule::Speakers, "sessions[0].speakers"),
            (ProgrammeRule::Recording, "sessions[0].recording_url"),
            (ProgrammeRule::Text, "sessions[1].speakers[0].name"),
            (ProgrammeRule::Text, "sessions[2].title"),
            (ProgrammeRule::Text, "sessions[2].abstract"),
        ] {
            assert!(
                found.contains(&(expected.0, expected.1.to_owned())),
                "{expected:?} not in {found:?}"
            );
        }
        assert!(is_recording_url(&format!("/media/{}.mp4", "a".repeat(64))));
        assert!(!is_recording_url(&format!("/media/{}.mp4", "A".repeat(64))));
        assert!(!is_recording_url(&format!("/media/{}.png", "a".repeat(64))));
    }

    #[test]
    fn the_week_is_sane_and_lists_are_bounded() {
        let mut p = small();
        p.week.utc_offset_minutes = 15 * 60;
        p.week.last_day = date("2020-09-13");
        p.days.clear();
        p.sessions.clear();
        let found = rules(&p);
        assert_eq!(
            found,
            vec![
                (ProgrammeRule::Week, "week.last_day".into()),
                (ProgrammeRule::Week, "week.utc_offset_minutes".into()),
            ]
        );
        let mut p = small();
        let template = p.sessions[0].clone();
        p.sessions = (0..=MAX_SESSIONS)
            .map(|i| Session {
                id: format!("s-{i}"),
                ..template.clone()
            })
            .collect();
        let problems = p.validate();
        assert_eq!(problems.len(), 1, "only the bound is reported");
        assert_eq!(problems[0].rule, ProgrammeRule::TooMany);
        assert!(problems[0].message.contains("at most 2000"), "{problems:?}");
        // The full number of sessions, all on one stage at once, is checked quickly and
        // reported once each.
        p.sessions.pop();
        let problems = p.validate();
        assert_eq!(problems.len(), MAX_SESSIONS - 1);
    }

    #[test]
    fn now_and_next_per_stage() {
        let p = small();
        // 2020-09-14 09:45 in UTC+08:00 is 01:45 UTC.
        let unix = (date("2020-09-14").days_since_epoch() * DAY_MINUTES + 105) * 60;
        let minute = p.minute_at_unix(unix);
        assert_eq!(minute, 9 * 60 + 45);
        assert_eq!(p.day_at(minute).unwrap().date, date("2020-09-14"));
        let board = p.now_and_next(minute);
        assert_eq!(board.len(), 2);
        assert_eq!(board[0].stage, "main-hall");
        assert_eq!(board[0].now.as_ref().unwrap().id, "opening");
        assert_eq!(board[0].next.as_ref().unwrap().id, "keynote");
        assert_eq!(board[1].now.as_ref().unwrap().id, "parallel");
        assert_eq!(board[1].next, None);
        // At 10:00 the opening has ended and the keynote begun; the day after, nothing is
        // on or to come; before the week, the first sessions are next.
        let board = p.now_and_next(10 * 60);
        assert_eq!(board[0].now.as_ref().unwrap().id, "keynote");
        assert_eq!(board[0].next, None);
        let board = p.now_and_next(DAY_MINUTES + 9 * 60);
        assert!(board.iter().all(|s| s.now.is_none() && s.next.is_none()));
        let board = p.now_and_next(-DAY_MINUTES);
        assert_eq!(board[0].now, None);
        assert_eq!(board[0].next.as_ref().unwrap().id, "opening");
        assert_eq!(p.day_at(-DAY_MINUTES), None);
        assert_eq!(p.minute_at_unix(unix - 24 * 3600), minute - DAY_MINUTES);
    }

    /// Every pair of sessions that share time on one stage, by brute force.
    fn overlapping_pairs(p: &Programme) -> HashSet<(usize, usize)> {
        let mut pairs = HashSet::new();
        for (i, a) in p.sessions.iter().enumerate() {
            for (j, b) in p.sessions.iter().enumerate().skip(i + 1) {
                let (a0, a1) = (
                    p.minute_of_week(a.day, a.start),
                    p.minute_of_week(a.day, a.end),
                );
                let (b0, b1) = (
                    p.minute_of_week(b.day, b.start),
                    p.minute_of_week(b.day, b.end),
                );
                if a.stage == b.stage && a0 < b1 && b0 < a1 {
                    pairs.insert((i, j));
                }
            }
        }
        pairs
    }

    proptest! {
        /// The sweep reports only true overlaps, and every session that overlaps another is
        /// named in some overlap problem (as the session or as the other).
        #[test]
        fn the_overlap_sweep_agrees_with_brute_force(
            slots in proptest::collection::vec((0usize..3, 0u8..3, 0u16..40, 1u16..12), 0..40)
        ) {
            let mut p = small();
            let stages = ["main-hall", "room-b", "room-c"];
            p.stages.push(Stage { id: "room-c".into(), name: "Room C".into(), capacity: Some(40) });
            p.sessions = slots
                .iter()
                .enumerate()
                .map(|(i, &(stage, day, start, length))| {
                    let mut s = session(&format!("s-{i}"), stages[stage], "2020-09-14", "00:00", "00:05");
                    s.day = date(&format!("2020-09-{}", 14 + day));
                    s.start = TimeOfDay::from_minutes(start * 15).unwrap();
                    s.end = TimeOfDay::from_minutes(start * 15 + length * 15).unwrap();
                    s
                })
                .collect();
            let pairs = overlapping_pairs(&p);
            let problems = p.validate();
            prop_assert!(problems.iter().all(|q| q.rule == ProgrammeRule::Overlap), "{problems:?}");
            let index = |id: &str| p.sessions.iter().position(|s| s.id == id).unwrap();
            let mut named = HashSet::new();
            for problem in &problems {
                let (a, b) = (index(problem.id.as_deref().unwrap()), index(problem.other.as_deref().unwrap()));
                prop_assert!(pairs.contains(&(a.min(b), a.max(b))), "{a} and {b} do not overlap");
                named.insert(a);
                named.insert(b);
            }
            let overlapping: HashSet<usize> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
            prop_assert_eq!(named, overlapping);
        }
    }
}

#[cfg(test)]
mod seed_tests {
    use super::*;

    /// The repository's seed programme, `programme/programme.toml`.
    const SEED: &str = include_str!("../../../programme/programme.toml");

    #[test]
    fn the_seed_programme_keeps_every_rule_and_has_the_week_of_the_brief() {
        let programme: Programme = toml::from_str(SEED).expect("programme.toml parses");
        assert_eq!(programme.validate(), vec![]);
        assert_eq!(programme.week.first_day.to_string(), "2020-09-14");
        assert_eq!(programme.week.last_day.to_string(), "2020-09-20");
        assert_eq!(programme.days.len(), 7);
        let theme_names: Vec<&str> = programme
            .theme_days
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(
            theme_names,
            [
                "Campus Day",
                "Telecommunications Day",
                "Rule of Law Day",
                "Finance Day",
                "Youth Day",
                "Personal Information Protection Day"
            ]
        );
        let of_kind = |kind: ForumKind| programme.forums.iter().filter(|f| f.kind == kind).count();
        assert_eq!(of_kind(ForumKind::Summit), 1);
        assert_eq!(of_kind(ForumKind::SubForum), 11);
        assert!(of_kind(ForumKind::ThemeEvening) >= 1);
        let summit_days: HashSet<Date> = programme
            .sessions
            .iter()
            .filter(|s| s.forum == "summit")
            .map(|s| s.day)
            .collect();
        assert_eq!(summit_days, HashSet::from([programme.week.first_day]));
        for kind in [
            SessionKind::MicroClass,
            SessionKind::Webcast,
            SessionKind::Panel,
        ] {
            assert!(
                programme.sessions.iter().any(|s| s.kind == kind),
                "{kind:?}"
            );
        }
    }
}
