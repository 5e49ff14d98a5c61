//! The contest's results as CSV for staff (RFC 4180: CRLF lines, quoted fields). A cell that
//! a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR) is prefixed with `'`,
//! since nicknames are written by visitors.

use crate::db::ResultRow;

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

/// The CSV document of `rows`, header first.
pub fn results_csv(rows: &[ResultRow]) -> String {
    let mut out = String::new();
    line(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    for row in rows {
        line(
            &mut out,
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
    out
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
