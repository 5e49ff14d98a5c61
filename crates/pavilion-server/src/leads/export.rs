//! Leads as CSV (RFC 4180: every field quoted, quotes doubled, CRLF line ends, a UTF-8 byte
//! order mark so spreadsheets read accents right). A cell a spreadsheet would take for a
//! formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is written with a
//! leading `'`, so a visitor's text can never run as a formula on the exhibitor's machine.

use super::intake::Lead;

const HEADER: [&str; 5] = ["id", "received_at", "name", "email", "message"];

/// One field, quoted, defused if it could be a formula.
fn cell(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

/// The CSV of `leads`, a header line first.
pub fn leads_csv(leads: &[Lead]) -> String {
    let mut out = String::from("\u{feff}");
    let mut line = |fields: &[&str]| {
        let cells: Vec<String> = fields.iter().map(|field| cell(field)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(&HEADER);
    for lead in leads {
        line(&[
            &lead.id.to_string(),
            &lead.received_at,
            &lead.name,
            &lead.email,
            &lead.message,
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "\"plain\"");
        assert_eq!(
            cell("say \"hi\", then\r\nleave"),
            "\"say \"\"hi\"\", then\r\nleave\""
        );
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for start in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(cell(start).starts_with("\"'"), "{start:?}");
        }
        assert_eq!(cell("a=b"), "\"a=b\"");
        assert_eq!(cell(""), "\"\"");
    }
}
