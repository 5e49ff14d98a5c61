//! The contest's results as CSV for staff (RFC 4180: CRLF lines, quoted fields). A cell that
//! a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR) is prefixed with `'`,
//! since nicknames are written by visitors.

use axum::body::Bytes;
use futures_util::Stream;

use crate::db::{ResultKey, ResultRow, Store};

/// The header line's fields.
const HEADER: [&str; 9] = [
    "set",
    "nickname",
    "score",
    "correct",
    "questions",
    "answered",
    "time_ms",
    "started_at",
    "finished_at",
];

/// Attempts read from the store per page of the export (one chunk of the response).
const PAGE: i64 = 500;

/// The CSV document of `rows`, header first.
#[cfg(test)]
fn results_csv(rows: &[ResultRow]) -> String {
    let mut out = header_line();
    rows_csv(&mut out, rows);
    out
}

fn header_line() -> String {
    let mut out = String::new();
    line(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    out
}

fn rows_csv(out: &mut String, rows: &[ResultRow]) {
    for row in rows {
        line(
            out,
            [
                row.set_id.clone(),
                row.nickname.clone(),
                row.score.to_string(),
                row.correct.to_string(),
                row.questions.to_string(),
                row.answered.to_string(),
                row.time_ms.to_string(),
                row.started_at.clone(),
                row.finished_at.clone().unwrap_or_default(),
            ]
            .into_iter(),
        );
    }
}

/// Every attempt as CSV, set by set and best first within a set, read from the store a page
/// at a time and sent as it is read, so the export's memory does not grow with the number of
/// attempts. A store error ends the body early (the download is then visibly incomplete).
pub fn results_stream(store: Store) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    enum Next {
        Header,
        Sets,
        Page {
            sets: Vec<String>,
            after: Option<ResultKey>,
        },
        Done,
    }
    futures_util::stream::unfold(Next::Header, move |next| {
        let store = store.clone();
        async move {
            let (chunk, next) = match next {
                Next::Done => return None,
                Next::Header => (header_line(), Next::Sets),
                Next::Sets => match store.contest_result_sets().await {
                    Ok(mut sets) => {
                        sets.reverse();
                        (String::new(), Next::Page { sets, after: None })
                    }
                    Err(error) => return Some((Err(export_error(&error)), Next::Done)),
                },
                Next::Page { mut sets, after } => {
                    let set = sets.last().cloned()?;
                    match store.contest_results_page(&set, after, PAGE).await {
                        Ok(page) => {
                            let last = page.last().map(|(key, _)| *key);
                            let rows: Vec<ResultRow> =
                                page.into_iter().map(|(_, row)| row).collect();
                            let mut out = String::new();
                            rows_csv(&mut out, &rows);
                            let after = match last {
                                Some(key) if rows.len() as i64 == PAGE => Some(key),
                                _ => {
                                    sets.pop();
                                    None
                                }
                            };
                            (out, Next::Page { sets, after })
                        }
                        Err(error) => return Some((Err(export_error(&error)), Next::Done)),
                    }
                }
            };
            Some((Ok(Bytes::from(chunk)), next))
        }
    })
}

fn export_error(error: &crate::error::Error) -> std::io::Error {
    tracing::warn!(%error, "the contest results export stopped");
    std::io::Error::other("the contest results could not be read")
}

fn line(out: &mut String, fields: impl Iterator<Item = String>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&cell(&field));
    }
    out.push_str("\r\n");
}

/// One field: neutralised if a formula, quoted when it holds a comma, quote or line break.
fn cell(field: &str) -> String {
    let safe = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if safe.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
    }

    #[test]
    fn lines_end_in_crlf() {
        let csv = results_csv(&[ResultRow {
            set_id: "campus-quiz".into(),
            nickname: "Ada".into(),
            score: 20,
            correct: 2,
            questions: 3,
            answered: 3,
            time_ms: 4200,
            started_at: "2020-09-15T01:00:00Z".into(),
            finished_at: Some("2020-09-15T01:01:00Z".into()),
        }]);
        assert_eq!(
            csv,
            "set,nickname,score,correct,questions,answered,time_ms,started_at,finished_at\r\n\
             campus-quiz,Ada,20,2,3,3,4200,2020-09-15T01:00:00Z,2020-09-15T01:01:00Z\r\n"
        );
    }
}
