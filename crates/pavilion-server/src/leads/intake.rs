//! A visitor's message for a booth: checked field by field (a name, a plausible e-mail address,
//! a message of bounded length, and the consent box ticked), stored with the consent statement
//! agreed to and the time; read back and deleted only by the booth's own exhibitor.

use pavilion_model::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::retention::{consent_statement, expires_at, retention_days};
use crate::db::{LeadRow, NewLeadRow, Store};
use crate::error::Error;
use crate::hall::PublishedHall;
use crate::time::rfc3339_from_unix;

/// Characters a name may have.
pub const MAX_NAME_CHARS: usize = 100;
/// Characters a message may have.
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// The longest e-mail address (RFC 5321's path limit less the brackets).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Leads one booth holds at most; the exhibitor deletes old ones (or the retention does) to
/// make room. Bounds what a flood of messages can take.
pub const MAX_LEADS_PER_BOOTH: i64 = 5000;
/// The largest lead body read, in bytes.
pub const MAX_LEAD_BYTES: usize = 16 * 1024;

/// What the visitor sends.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLead {
    /// 1 to 100 characters.
    pub name: String,
    /// Where the exhibitor can answer.
    pub email: String,
    /// 1 to 2,000 characters.
    pub message: String,
    /// Must be `true`: the visitor ticked the box agreeing to the consent statement of
    /// `GET /api/v1/leads/policy`.
    #[serde(default)]
    pub consent: bool,
}

/// A lead as the exhibitor reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Lead {
    pub id: i64,
    /// When it was sent (RFC 3339, UTC).
    pub received_at: String,
    pub name: String,
    pub email: String,
    pub message: String,
    /// What the visitor agreed to by ticking the consent box.
    pub consent_statement: String,
    /// When it will be deleted unless deleted sooner (RFC 3339, UTC).
    pub expires_at: String,
}

/// What the visitor is told once the message is stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeadReceipt {
    pub received_at: String,
    /// Days the message is kept at most.
    pub retention_days: u32,
}

/// True for something shaped like `local@domain.tld`: no spaces or control characters, one
/// `@`, a domain of dot-separated labels of letters, digits and inner hyphens ending in a
/// top-level label of letters. Deliverability is for the exhibitor's answer to find out.
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = (1..=64).contains(&local.chars().count())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.chars().count())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let top_ok = labels
        .last()
        .is_some_and(|top| top.chars().count() >= 2 && top.chars().all(char::is_alphabetic));
    local_ok && labels.len() >= 2 && labels.iter().all(label_ok) && top_ok
}

/// Characters other than line breaks and tabs that have no place in text a person typed.
fn has_control(text: &str, allow_lines: bool) -> bool {
    text.chars()
        .any(|c| c.is_control() && !(allow_lines && matches!(c, '\n' | '\r' | '\t')))
}

/// The lead with its text trimmed, or every field that needs attention.
fn check(lead: &NewLead, days: u32) -> Result<NewLead, Error> {
    let name = lead.name.trim();
    let email = lead.email.trim();
    let message = lead.message.trim();
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| {
        problems.push(FieldError {
            field: field.into(),
            message,
        });
    };
    let name_chars = name.chars().count();
    if name_chars == 0 {
        problem(
            "name",
            "say who you are, so the exhibitor can address you".into(),
        );
    } else if name_chars > MAX_NAME_CHARS || has_control(name, false) {
        problem(
            "name",
            format!("a name is one line of at most {MAX_NAME_CHARS} characters"),
        );
    }
    if email.chars().count() > MAX_EMAIL_CHARS || !plausible_email(email) {
        problem(
            "email",
            "this is not an e-mail address the exhibitor could answer (name@example.org)".into(),
        );
    }
    let message_chars = message.chars().count();
    if message_chars == 0 {
        problem("message", "write a message for the exhibitor".into());
    } else if message_chars > MAX_MESSAGE_CHARS {
        problem(
            "message",
            format!(
                "a message may be {MAX_MESSAGE_CHARS} characters long; this one has {message_chars}"
            ),
        );
    } else if has_control(message, true) {
        problem(
            "message",
            "the message has characters that are not text".into(),
        );
    }
    if !lead.consent {
        problem(
            "consent",
            format!(
                "tick the consent box to send this: it agrees that the exhibitor receives your name, e-mail address and message to answer you, kept for {days} days at most; nothing was sent"
            ),
        );
    }
    if problems.is_empty() {
        Ok(NewLead {
            name: name.to_owned(),
            email: email.to_owned(),
            message: message.to_owned(),
            consent: true,
        })
    } else {
        Err(Error::InvalidFields(problems))
    }
}

/// Stores `lead` for the published booth `slug` as received at `now` (seconds since the Unix
/// epoch).
pub async fn leave_lead(
    store: &Store,
    hall: &PublishedHall,
    slug: &str,
    lead: &NewLead,
    now: i64,
) -> Result<LeadReceipt, Error> {
    if !hall.shows_booth(slug) {
        return Err(Error::not_found(format!(
            "there is no booth {:?} in the hall",
            slug.chars().take(64).collect::<String>()
        )));
    }
    let days = retention_days(store).await?;
    let lead = check(lead, days)?;
    let row = NewLeadRow {
        exhibitor: slug,
        name: &lead.name,
        email: &lead.email,
        message: &lead.message,
        consent_statement: &consent_statement(days),
        received_at: now,
    };
    if store.insert_lead(row, MAX_LEADS_PER_BOOTH).await?.is_none() {
        return Err(Error::Conflict(
            "this booth cannot take more messages right now; write to its e-mail address instead"
                .into(),
        ));
    }
    Ok(LeadReceipt {
        received_at: rfc3339_from_unix(u64::try_from(now).unwrap_or(0)),
        retention_days: days,
    })
}

fn lead_of(row: LeadRow, days: u32) -> Lead {
    let at = |seconds: i64| rfc3339_from_unix(u64::try_from(seconds).unwrap_or(0));
    Lead {
        id: row.id,
        received_at: at(row.received_at),
        expires_at: at(expires_at(row.received_at, days)),
        name: row.name,
        email: row.email,
        message: row.message,
        consent_statement: row.consent_statement,
    }
}

/// The booth's leads, newest first.
pub async fn booth_leads(store: &Store, slug: &str) -> Result<Vec<Lead>, Error> {
    let days = retention_days(store).await?;
    Ok(store
        .leads(slug)
        .await?
        .into_iter()
        .map(|row| lead_of(row, days))
        .collect())
}

/// Deletes the booth's lead `id`; 404 when the booth has no such lead (another booth's lead
/// is no lead of this booth).
pub async fn delete_lead(store: &Store, slug: &str, id: i64) -> Result<(), Error> {
    if store.delete_lead(slug, id).await? {
        Ok(())
    } else {
        Err(Error::not_found(format!("your booth has no lead {id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_addresses_pass_and_others_do_not() {
        for good in [
            "ada@example.org",
            "a.b+tag@mail.example.co.uk",
            "zoë@bücher.de",
            "x@a-b.io",
        ] {
            assert!(plausible_email(good), "{good}");
        }
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "ada@@example.org",
            "ada @example.org",
            "ada@exa mple.org",
            "ada@-example.org",
            "ada@example.o",
            "ada@example.123",
            "<ada>@example.org",
            ".ada@example.org",
            "a..b@example.org",
            "ada@example..org",
            "ada@example.org\n",
        ] {
            assert!(!plausible_email(bad), "{bad:?}");
        }
    }

    fn lead(name: &str, email: &str, message: &str, consent: bool) -> NewLead {
        NewLead {
            name: name.into(),
            email: email.into(),
            message: message.into(),
            consent,
        }
    }

    #[test]
    fn every_field_is_checked_and_named() {
        let good = check(&lead("  Ada  ", " ada@example.org ", " Hello ", true), 90).unwrap();
        assert_eq!(
            (
                good.name.as_str(),
                good.email.as_str(),
                good.message.as_str()
            ),
            ("Ada", "ada@example.org", "Hello")
        );
        let Err(Error::InvalidFields(problems)) = check(
            &lead("", "nope", &"x".repeat(MAX_MESSAGE_CHARS + 1), false),
            30,
        ) else {
            panic!("refused");
        };
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "message", "consent"]);
        assert!(problems[3].message.contains("tick the consent box"));
        assert!(problems[3].message.contains("30 days"));
        assert!(check(&lead("Ada\u{7}", "ada@example.org", "hi", true), 1).is_err());
        assert!(check(&lead("Ada", "ada@example.org", "line\nline", true), 1).is_ok());
        assert!(check(&lead("Ada", "ada@example.org", "bell\u{7}", true), 1).is_err());
    }
}
