//! RFC 3339 timestamps and `YYYY-MM-DD` days in UTC, without pulling in a calendar crate for
//! these formats (days are counted from 1970-01-01, day 0), and the [`Clock`] the programme's
//! "now" is read from, which a setting can stand on any day.

use std::time::{SystemTime, UNIX_EPOCH};

/// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_rfc3339() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339_from_unix(seconds)
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Formats seconds since the Unix epoch as an RFC 3339 UTC timestamp.
pub fn rfc3339_from_unix(seconds: u64) -> String {
    let days = i64::try_from(seconds / 86_400).unwrap_or(i64::MAX / 2);
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Parses an RFC 3339 instant (`2020-09-16T10:00:00+08:00`, `...Z`, fractions of a second
/// ignored) into seconds since the Unix epoch. Years 1970 to 9999.
pub fn parse_rfc3339(raw: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "{raw:?} is not an RFC 3339 instant such as 2020-09-16T10:00:00+08:00 or 2020-09-16T02:00:00Z"
        )
    };
    let bytes = raw.as_bytes();
    if bytes.len() < 20 || bytes.len() > 40 || !raw.is_ascii() {
        return Err(bad());
    }
    let number = |from: usize, to: usize| -> Result<i64, String> {
        let part = &raw[from..to];
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, c)| bytes[at] != c) || !matches!(bytes[10], b'T' | b't' | b' ')
    {
        return Err(bad());
    }
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    let mut rest = &raw[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        rest = &fraction[digits..];
    }
    let offset_seconds = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && &rest[3..4] == ":" =>
        {
            let base = raw.len() - 6;
            let (hours, minutes) = (number(base + 1, base + 3)?, number(base + 4, base + 6)?);
            if hours > 23 || minutes > 59 {
                return Err(bad());
            }
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (hours * 3600 + minutes * 60)
        }
        _ => return Err(bad()),
    };
    let days_in_month = match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return Err(bad()),
    };
    if !(1970..=9999).contains(&year)
        || !(1..=days_in_month).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(bad());
    }
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_seconds)
}

/// The UTC day (from 1970-01-01) of a Unix time.
pub fn day_of_unix(seconds: i64) -> i64 {
    seconds.div_euclid(86_400)
}

/// A day as `YYYY-MM-DD`.
pub fn format_day(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The day written `YYYY-MM-DD` (a real calendar date between 1970 and 9999), if it is one.
pub fn parse_day(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = &text[range];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if year < 1970 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // 31 February and the like come back as another date.
    (format_day(days) == text).then_some(days)
}

/// Howard Hinnant's `days_from_civil`: the day count from 1970-01-01 of a Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Where the programme's "now" comes from: the system clock, or (with `--clock`) a clock
/// that started at a given instant when the server started and runs on from there, so tests
/// and demonstrations can stand on any day of the week. Only the programme reads it: sign-in
/// expiry, tokens, the audit log and media always use the system clock, so a clock setting
/// can never stretch a credential's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    /// Seconds added to the system clock.
    offset_seconds: i64,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that reads `start` (seconds since the epoch) now and runs on from there.
    pub fn starting_at(start: i64) -> Clock {
        Clock {
            offset_seconds: start.saturating_sub(unix_now()),
        }
    }

    /// Seconds since the epoch by this clock.
    pub fn now_unix(&self) -> i64 {
        unix_now().saturating_add(self.offset_seconds)
    }

    /// The time by this clock as `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn now_rfc3339(&self) -> String {
        rfc3339_from_unix(u64::try_from(self.now_unix()).unwrap_or(0))
    }
}

/// Howard Hinnant's `civil_from_days`: proleptic Gregorian date of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_correctly() {
        assert_eq!(rfc3339_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_from_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_from_unix(1_795_860_000), "2026-11-28T10:00:00Z");
        assert_eq!(rfc3339_from_unix(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn days_round_trip_and_only_real_dates_parse() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2000-02-29"), Some(951_782_400 / 86_400));
        assert_eq!(day_of_unix(1_795_860_000), parse_day("2026-11-28").unwrap());
        assert_eq!(day_of_unix(-1), -1);
        for days in (0..200_000).step_by(37) {
            assert_eq!(parse_day(&format_day(days)), Some(days), "{days}");
        }
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "1969-12-31",
            "2026-11-3x",
            "+026-11-30",
            "2026/11/30",
            "",
            "2026-11-30T00:00:00Z",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn rfc3339_instants_parse_with_their_offset() {
        for (text, unix) in [
            ("1970-01-01T00:00:00Z", 0),
            ("2000-02-29T00:00:00Z", 951_782_400),
            ("2026-11-28T10:00:00Z", 1_795_860_000),
            ("2026-11-28T18:00:00+08:00", 1_795_860_000),
            ("2026-11-28T05:30:00.250-04:30", 1_795_860_000),
            ("2099-12-31T23:59:59z", 4_102_444_799),
        ] {
            assert_eq!(parse_rfc3339(text), Ok(unix), "{text}");
            if text.ends_with('Z') {
                assert_eq!(rfc3339_from_unix(unix as u64), text);
            }
        }
        for bad in [
            "2026-11-28",
            "2026-11-28T10:00:00",
            "2026-02-30T10:00:00Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T10:00:00+8:00",
            "2026-11-28T10:00:00+24:00",
            "2026-11-28T10:00:00.Z",
            "1969-12-31T23:59:59Z",
            "２026-11-28T10:00:00Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_set_clock_starts_at_its_instant_and_runs_on() {
        let start = parse_rfc3339("2020-09-16T10:00:00+08:00").unwrap();
        let clock = Clock::starting_at(start);
        let read = clock.now_unix();
        assert!((start..start + 5).contains(&read), "{read} vs {start}");
        assert!(clock.now_rfc3339().starts_with("2020-09-16T02:00:0"));
        assert!((Clock::system().now_unix() - unix_now()).abs() <= 1);
    }
}
