//! Versions of the drafts people edit (an exhibitor's profile draft, the staff's layout
//! draft): a revision number that every saved edit raises by one, its strong entity tag
//! (`"<revision>"`), and the `If-Match` precondition a write may carry (RFC 9110, 13.1.1).
//!
//! A draft that was never saved is at revision 0. Writes are compare-and-set on the revision
//! (`UPDATE ... WHERE revision = ?`), so of two writes made over the same revision exactly one
//! is saved; the other is refused (`Error::StaleVersion`, 412) when it named the revision it
//! edited, and read again and applied over the winner when it named none.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How many saves a draft has had; 0 for a draft never saved.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Revision(pub u64);

impl Revision {
    /// The revision of a draft that was never saved.
    pub const UNSAVED: Revision = Revision(0);

    /// The strong entity tag of this revision, with its quotes: `"3"`.
    pub fn etag(self) -> String {
        format!("\"{}\"", self.0)
    }

    /// The revision as SQLite stores it.
    pub fn as_i64(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }

    /// A stored revision (never negative; a negative number reads as 0).
    pub fn from_i64(value: i64) -> Revision {
        Revision(u64::try_from(value).unwrap_or(0))
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A parsed `If-Match` header: `*`, or a list of entity tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: any current version (a draft always has one, saved or not).
    Any,
    /// The tags listed, each with its quotes and, for weak tags, the `W/` prefix.
    Tags(Vec<String>),
}

impl IfMatch {
    /// Parses the header's value (several header lines joined with commas). `Err` names what
    /// is wrong, for a 400 answer.
    pub fn parse(value: &str) -> Result<IfMatch, String> {
        let trimmed = value.trim_matches(|c| c == ' ' || c == '\t');
        if trimmed == "*" {
            return Ok(IfMatch::Any);
        }
        let bytes = value.as_bytes();
        let mut tags = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            match bytes[at] {
                b' ' | b'\t' | b',' => at += 1,
                _ => {
                    let start = at;
                    if bytes[at..].starts_with(b"W/") {
                        at += 2;
                    }
                    if bytes.get(at) != Some(&b'"') {
                        return Err(expected_tags(value));
                    }
                    at += 1;
                    // etagc: %x21 / %x23-7E / obs-text
                    while let Some(&byte) = bytes.get(at) {
                        if byte == b'"' {
                            break;
                        }
                        if !(byte == 0x21 || (0x23..=0x7e).contains(&byte) || byte >= 0x80) {
                            return Err(expected_tags(value));
                        }
                        at += 1;
                    }
                    if bytes.get(at) != Some(&b'"') {
                        return Err(expected_tags(value));
                    }
                    at += 1;
                    tags.push(value[start..at].to_owned());
                    // Between tags: optional whitespace, then a comma or the end.
                    while matches!(bytes.get(at), Some(b' ' | b'\t')) {
                        at += 1;
                    }
                    if at < bytes.len() && bytes[at] != b',' {
                        return Err(expected_tags(value));
                    }
                }
            }
        }
        if tags.is_empty() {
            return Err(expected_tags(value));
        }
        Ok(IfMatch::Tags(tags))
    }

    /// True when the draft at `current` meets the precondition. Comparison is strong: a weak
    /// tag (`W/"3"`) never matches.
    pub fn matches(&self, current: Revision) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Tags(tags) => {
                let etag = current.etag();
                tags.contains(&etag)
            }
        }
    }
}

fn expected_tags(value: &str) -> String {
    let shown: String = value.chars().take(60).collect();
    format!(
        "If-Match must be \"*\" or entity tags in double quotes as the ETag header gives them, \
         such as If-Match: \"3\"; got {shown:?}"
    )
}

/// Refuses when a precondition was given and the draft at `current` does not meet it.
pub fn check(precondition: Option<&IfMatch>, current: Revision) -> Result<(), Revision> {
    match precondition {
        Some(precondition) if !precondition.matches(current) => Err(current),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_star_and_lists_parse() {
        assert_eq!(IfMatch::parse("*"), Ok(IfMatch::Any));
        assert_eq!(IfMatch::parse(" * "), Ok(IfMatch::Any));
        assert_eq!(
            IfMatch::parse("\"3\""),
            Ok(IfMatch::Tags(vec!["\"3\"".into()]))
        );
        assert_eq!(
            IfMatch::parse("\"3\", W/\"4\",\"a,b\""),
            Ok(IfMatch::Tags(vec![
                "\"3\"".into(),
                "W/\"4\"".into(),
                "\"a,b\"".into()
            ]))
        );
    }

    #[test]
    fn malformed_values_are_refused() {
        for bad in [
            "", " , ", "3", "\"3", "\"3\" x", "*, \"3\"", "W/3", "\"a b\"",
        ] {
            assert!(IfMatch::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn comparison_is_strong() {
        let current = Revision(3);
        assert!(IfMatch::parse("\"3\"").unwrap().matches(current));
        assert!(IfMatch::parse("\"1\", \"3\"").unwrap().matches(current));
        assert!(!IfMatch::parse("W/\"3\"").unwrap().matches(current));
        assert!(!IfMatch::parse("\"2\"").unwrap().matches(current));
        assert!(IfMatch::Any.matches(Revision::UNSAVED));
        assert_eq!(check(None, current), Ok(()));
        assert_eq!(
            check(Some(&IfMatch::parse("\"2\"").unwrap()), current),
            Err(current)
        );
    }
}
