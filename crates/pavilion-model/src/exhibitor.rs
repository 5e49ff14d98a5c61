//! Exhibitor profiles: the booth text an exhibitor writes, its validation rules, and the
//! detail document the public API serves for one booth.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::colour::Colour;
use crate::layout::ArrangeEntry;
use crate::media::BoothMedia;
use crate::topic::{BoothTier, Topic};

/// A validated exhibitor slug: 3 to 48 characters of `a-z`, `0-9` and single inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Slug, String> {
        let len = raw.chars().count();
        if !(3..=48).contains(&len) {
            return Err(format!("must be 3 to 48 characters long, not {len}"));
        }
        if let Some(bad) = raw
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(format!("may hold only a-z, 0-9 and '-', not {bad:?}"));
        }
        if raw.starts_with('-') || raw.ends_with('-') || raw.contains("--") {
            return Err("hyphens must sit between letters or digits, one at a time".into());
        }
        Ok(Slug(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Slug::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// One product shown at a booth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub name: String,
    pub category: String,
    pub summary: String,
}

/// The booth text an exhibitor maintains: the catalogue's `profile.toml` and the body of
/// the exhibitor API's profile endpoints share this type and its [`validate`](Self::validate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExhibitorProfile {
    pub name: String,
    pub slug: String,
    pub tagline: String,
    pub topic: String,
    pub tier: String,
    pub founded: i32,
    pub headquarters: String,
    pub website: String,
    pub email: String,
    pub colour: String,
    pub description: String,
    #[serde(default)]
    pub products: Vec<Product>,
}

/// A problem with one field, phrased so the author knows what to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's path, such as `tagline` or `products[1].summary`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// The oldest founding year a profile may give.
pub const EARLIEST_FOUNDED: i32 = 1950;
/// The latest founding year a profile may give.
pub const LATEST_FOUNDED: i32 = 2026;

impl ExhibitorProfile {
    /// A valid profile (Kestrel Ward, a premium booth in network security), for tests and
    /// examples.
    pub fn example() -> ExhibitorProfile {
        ExhibitorProfile {
            name: "Kestrel Ward".into(),
            slug: "kestrel-ward".into(),
            tagline: "Network detection in plain language".into(),
            topic: "network-security".into(),
            tier: "premium".into(),
            founded: 2013,
            headquarters: "Rotterdam".into(),
            website: "https://kestrel-ward.example".into(),
            email: "booth@kestrel-ward.example".into(),
            colour: "#1f6f8b".into(),
            description: format!(
                "{}\n\n{}",
                "First paragraph. ".repeat(8),
                "Second one. ".repeat(8)
            ),
            products: vec![
                Product {
                    name: "Ward Sensor".into(),
                    category: "Network detection".into(),
                    summary: "A passive sensor that learns each host's normal traffic.".into(),
                },
                Product {
                    name: "Ward Narratives".into(),
                    category: "Alert triage".into(),
                    summary: "Turns findings into plain-language incident stories.".into(),
                },
            ],
        }
    }

    /// Checks every rule. Returns the profile with its slug, topic, tier and colour parsed,
    /// or every problem found, in field order.
    pub fn validate(&self) -> Result<ValidProfile, Vec<FieldError>> {
        self.clone().into_valid()
    }

    /// [`validate`](Self::validate), taking the profile so its text moves into the result.
    pub fn into_valid(self) -> Result<ValidProfile, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        };

        check_line(&self.name, 2, 60, "name", &mut fail);
        let slug = Slug::parse(&self.slug).map_err(|message| fail("slug", message));
        check_line(&self.tagline, 10, 100, "tagline", &mut fail);
        let topic = Topic::from_slug(&self.topic).ok_or_else(|| {
            let known: Vec<&str> = Topic::ALL.iter().map(|t| t.slug()).collect();
            fail(
                "topic",
                format!(
                    "unknown topic {:?}; use one of {}",
                    self.topic,
                    known.join(", ")
                ),
            );
        });
        let tier = BoothTier::from_slug(&self.tier).ok_or_else(|| {
            fail(
                "tier",
                format!(
                    "unknown tier {:?}; use standard, premium or flagship",
                    self.tier
                ),
            );
        });
        if !(EARLIEST_FOUNDED..=LATEST_FOUNDED).contains(&self.founded) {
            fail(
                "founded",
                format!(
                    "must be a year from {EARLIEST_FOUNDED} to {LATEST_FOUNDED}, not {}",
                    self.founded
                ),
            );
        }
        check_line(&self.headquarters, 2, 60, "headquarters", &mut fail);
        check_website(&self.website, &mut fail);
        check_email(&self.email, &mut fail);
        let colour = Colour::parse(&self.colour).map_err(|message| fail("colour", message));
        check_description(&self.description, &mut fail);

        if !(2..=5).contains(&self.products.len()) {
            fail(
                "products",
                format!("list 2 to 5 products, not {}", self.products.len()),
            );
        }
        for (i, product) in self.products.iter().enumerate() {
            check_line(
                &product.name,
                2,
                60,
                &format!("products[{i}].name"),
                &mut fail,
            );
            check_line(
                &product.category,
                2,
                40,
                &format!("products[{i}].category"),
                &mut fail,
            );
            check_line(
                &product.summary,
                40,
                600,
                &format!("products[{i}].summary"),
                &mut fail,
            );
            if self.products[..i].iter().any(|p| p.name == product.name) {
                fail(
                    &format!("products[{i}].name"),
                    format!("{:?} is listed twice", product.name),
                );
            }
        }

        match (slug, topic, tier, colour) {
            (Ok(slug), Ok(topic), Ok(tier), Ok(colour)) if errors.is_empty() => Ok(ValidProfile {
                name: self.name,
                slug,
                tagline: self.tagline,
                topic,
                tier,
                founded: self.founded,
                headquarters: self.headquarters,
                website: self.website,
                email: self.email,
                colour,
                description: self.description,
                products: self.products,
            }),
            _ => Err(errors),
        }
    }

    /// The description split into its paragraphs.
    pub fn paragraphs(&self) -> Vec<String> {
        split_paragraphs(&self.description)
    }
}

/// A profile that passed [`ExhibitorProfile::validate`]: its slug, topic, tier and colour are
/// parsed once, so code holding one never parses them again nor handles their errors.
///
/// The fields are private, so the only ways to get one are validation and deserialising
/// (which validates); it serialises to the same JSON as the [`ExhibitorProfile`] it came from
/// (the colour as lowercase `#rrggbb`), so it can be stored and sent as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "ExhibitorProfile", try_from = "ExhibitorProfile")]
pub struct ValidProfile {
    name: String,
    slug: Slug,
    tagline: String,
    topic: Topic,
    tier: BoothTier,
    founded: i32,
    headquarters: String,
    website: String,
    email: String,
    colour: Colour,
    description: String,
    products: Vec<Product>,
}

impl ValidProfile {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn slug(&self) -> &Slug {
        &self.slug
    }

    pub fn tagline(&self) -> &str {
        &self.tagline
    }

    pub fn topic(&self) -> Topic {
        self.topic
    }

    pub fn tier(&self) -> BoothTier {
        self.tier
    }

    pub fn founded(&self) -> i32 {
        self.founded
    }

    pub fn headquarters(&self) -> &str {
        &self.headquarters
    }

    pub fn website(&self) -> &str {
        &self.website
    }

    pub fn email(&self) -> &str {
        &self.email
    }

    pub fn colour(&self) -> Colour {
        self.colour
    }

    /// The description as written; see [`paragraphs`](Self::paragraphs) for display.
    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// The description split into its paragraphs.
    pub fn paragraphs(&self) -> Vec<String> {
        split_paragraphs(&self.description)
    }

    /// What the automatic layout needs to place this exhibitor.
    pub fn arrange_entry(&self) -> ArrangeEntry {
        ArrangeEntry {
            slug: self.slug.to_string(),
            topic: self.topic,
            tier: self.tier,
        }
    }
}

impl From<ValidProfile> for ExhibitorProfile {
    fn from(valid: ValidProfile) -> ExhibitorProfile {
        ExhibitorProfile {
            name: valid.name,
            slug: valid.slug.to_string(),
            tagline: valid.tagline,
            topic: valid.topic.slug().to_owned(),
            tier: valid.tier.slug().to_owned(),
            founded: valid.founded,
            headquarters: valid.headquarters,
            website: valid.website,
            email: valid.email,
            colour: valid.colour.to_string(),
            description: valid.description,
            products: valid.products,
        }
    }
}

impl TryFrom<ExhibitorProfile> for ValidProfile {
    type Error = InvalidProfile;

    fn try_from(raw: ExhibitorProfile) -> Result<ValidProfile, InvalidProfile> {
        raw.into_valid().map_err(InvalidProfile)
    }
}

/// Every rule a profile breaks, as one error (for `TryFrom` and deserialising).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the profile breaks {} rule(s): {}", .0.len(), join_errors(.0))]
pub struct InvalidProfile(pub Vec<FieldError>);

fn join_errors(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(FieldError::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Splits text on blank lines into trimmed, non-empty paragraphs with single spaces.
pub fn split_paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

fn check_line(
    value: &str,
    min: usize,
    max: usize,
    field: &str,
    fail: &mut impl FnMut(&str, String),
) {
    let len = value.chars().count();
    if value.trim() != value {
        fail(field, "must not start or end with spaces".into());
    }
    if len < min || len > max {
        fail(
            field,
            format!("must be {min} to {max} characters long, not {len}"),
        );
    }
    if value.chars().any(char::is_control) {
        fail(field, "must be one line without control characters".into());
    }
    if crate::text::find_format_character(value).is_some() {
        fail(field, crate::text::FORMAT_CHARACTER_MESSAGE.into());
    }
    if value.contains('<') && value.contains('>') {
        fail(field, "must be plain text, without HTML tags".into());
    }
}

fn check_description(value: &str, fail: &mut impl FnMut(&str, String)) {
    let len = value.trim().chars().count();
    if !(200..=3000).contains(&len) {
        fail(
            "description",
            format!("must be 200 to 3000 characters long, not {len}"),
        );
    }
    let paragraphs = split_paragraphs(value).len();
    if !(2..=4).contains(&paragraphs) {
        fail(
            "description",
            format!("write 2 to 4 paragraphs separated by a blank line, not {paragraphs}"),
        );
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        fail(
            "description",
            "must not hold control characters other than line breaks".into(),
        );
    }
    if crate::text::find_format_character(value).is_some() {
        fail("description", crate::text::FORMAT_CHARACTER_MESSAGE.into());
    }
    if value.contains('<') && value.contains('>') {
        fail(
            "description",
            "must be plain text, without HTML tags".into(),
        );
    }
}

fn example_domain_ok(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.last() == Some(&"example")
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

fn check_website(value: &str, fail: &mut impl FnMut(&str, String)) {
    let host = value
        .strip_prefix("https://")
        .map(|rest| rest.split('/').next().unwrap_or(""));
    match host {
        None => fail(
            "website",
            format!("must start with https://, not {value:?}"),
        ),
        Some(host) if !example_domain_ok(host) => fail(
            "website",
            format!(
                "must be on a reserved example domain such as https://acme.example, not {value:?}"
            ),
        ),
        Some(_) if value.len() > 200 => fail("website", "must be at most 200 characters".into()),
        Some(_) => {}
    }
}

fn check_email(value: &str, fail: &mut impl FnMut(&str, String)) {
    let ok = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && local.len() <= 64
                && local
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-_+".contains(c))
                && example_domain_ok(domain)
        }
        None => false,
    };
    if !ok {
        fail(
            "email",
            format!(
                "must be an address on a reserved example domain such as hello@acme.example, not {value:?}"
            ),
        );
    }
}

/// One booth's full content as the public API serves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExhibitorDetail {
    pub slug: String,
    pub name: String,
    pub tagline: String,
    pub topic: Topic,
    pub topic_label: String,
    pub tier: BoothTier,
    pub colour: String,
    pub founded: i32,
    pub headquarters: String,
    pub website: String,
    pub email: String,
    pub description: Vec<String>,
    pub products: Vec<Product>,
    pub logo_url: String,
    /// Approved pictures, video, brochure and model (absent in older snapshots).
    #[serde(default)]
    pub media: Vec<BoothMedia>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ExhibitorProfile {
        ExhibitorProfile::example()
    }

    fn fields(profile: &ExhibitorProfile) -> Vec<String> {
        match profile.validate() {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
        }
    }

    #[test]
    fn a_valid_profile_has_no_errors() {
        let checked = valid().validate().unwrap();
        assert_eq!(checked.paragraphs().len(), 2);
        assert_eq!(checked.slug().as_str(), "kestrel-ward");
        assert_eq!(checked.topic(), Topic::NetworkSecurity);
        assert_eq!(checked.tier(), BoothTier::Premium);
        assert_eq!(checked.colour(), Colour([0x1f, 0x6f, 0x8b]));
    }

    #[test]
    fn every_broken_field_is_reported_by_name() {
        let mut p = valid();
        p.name = "K".into();
        p.slug = "Kestrel Ward".into();
        p.tagline = "short".into();
        p.topic = "gardening".into();
        p.tier = "gold".into();
        p.founded = 1800;
        p.headquarters = " Rotterdam".into();
        p.website = "http://kestrel.com".into();
        p.email = "booth@kestrel.com".into();
        p.colour = "blue".into();
        p.description = "One paragraph only.".into();
        p.products.truncate(1);
        assert_eq!(
            fields(&p),
            [
                "name",
                "slug",
                "tagline",
                "topic",
                "tier",
                "founded",
                "headquarters",
                "website",
                "email",
                "colour",
                "description",
                "description",
                "products"
            ]
        );
    }

    #[test]
    fn product_rules_name_the_product() {
        let mut p = valid();
        p.products[1].name = p.products[0].name.clone();
        p.products[0].summary = "too short".into();
        assert_eq!(fields(&p), ["products[0].summary", "products[1].name"]);
    }

    #[test]
    fn html_and_control_characters_are_refused() {
        let mut p = valid();
        p.tagline = "Best <script>alert(1)</script> security".into();
        p.name = "Kestrel\u{7}Ward".into();
        assert_eq!(fields(&p), ["name", "tagline"]);
    }

    #[test]
    fn slugs_follow_the_rules() {
        for good in ["abc", "kestrel-ward", "a1-b2-c3"] {
            assert!(Slug::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "ab",
            "-abc",
            "abc-",
            "a--b",
            "ABC",
            "a_b",
            "a b",
            &"x".repeat(49),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
        let parsed: Result<Slug, _> = serde_json::from_str("\"Bad Slug\"");
        assert!(parsed.is_err());
    }

    #[test]
    fn example_domains_only() {
        let mut p = valid();
        p.website = "https://kestrel.example/about".into();
        p.email = "a.b+booth@mail.kestrel.example".into();
        assert_eq!(fields(&p), Vec::<String>::new());
        p.website = "https://.example".into();
        p.email = "@kestrel.example".into();
        assert_eq!(fields(&p), ["website", "email"]);
    }

    #[test]
    fn a_valid_profile_serialises_as_the_profile_it_came_from() {
        let raw = valid();
        let checked = raw.validate().unwrap();
        let json = serde_json::to_string(&checked).unwrap();
        assert_eq!(json, serde_json::to_string(&raw).unwrap());
        let back: ValidProfile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, checked);
        assert_eq!(ExhibitorProfile::from(checked), raw);
        let toml = toml::to_string(&back).unwrap();
        assert_eq!(toml, toml::to_string(&raw).unwrap());
    }

    #[test]
    fn the_colour_is_stored_in_lowercase() {
        let mut raw = valid();
        raw.colour = "#1F6F8B".into();
        let checked = raw.validate().unwrap();
        assert_eq!(ExhibitorProfile::from(checked).colour, "#1f6f8b");
    }

    #[test]
    fn an_invalid_profile_does_not_deserialise_as_a_valid_one() {
        let mut raw = valid();
        raw.tier = "gold".into();
        raw.founded = 1800;
        let json = serde_json::to_string(&raw).unwrap();
        let error = serde_json::from_str::<ValidProfile>(&json).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("the profile breaks 2 rule(s): tier: unknown tier \"gold\""),
            "{error}"
        );
        let error = ValidProfile::try_from(raw).unwrap_err();
        assert_eq!(error.0.len(), 2);
    }

    #[test]
    fn known_field_errors_keep_their_wording() {
        let mut p = valid();
        p.topic = "gardening".into();
        p.tier = "gold".into();
        p.colour = "blue".into();
        let messages: Vec<String> = p
            .validate()
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            messages[0]
                .starts_with("topic: unknown topic \"gardening\"; use one of network-security, ")
        );
        assert_eq!(
            messages[1..],
            [
                "tier: unknown tier \"gold\"; use standard, premium or flagship",
                "colour: must look like #1f6f8b, not \"blue\""
            ]
        );
    }

    #[test]
    fn arrange_entries_come_from_the_parsed_fields() {
        let entry = valid().validate().unwrap().arrange_entry();
        assert_eq!(
            (entry.slug.as_str(), entry.topic, entry.tier),
            ("kestrel-ward", Topic::NetworkSecurity, BoothTier::Premium)
        );
    }

    proptest::proptest! {
        #[test]
        fn typed_fields_round_trip_through_the_raw_json(
            rgb in proptest::prelude::any::<[u8; 3]>(),
            topic in 0..Topic::ALL.len(),
            tier in 0..BoothTier::ALL.len(),
        ) {
            let mut raw = valid();
            raw.colour = Colour(rgb).to_string();
            raw.topic = Topic::ALL[topic].slug().into();
            raw.tier = BoothTier::ALL[tier].slug().into();
            let checked = raw.validate().unwrap();
            proptest::prop_assert_eq!(
                (checked.colour(), checked.topic(), checked.tier()),
                (Colour(rgb), Topic::ALL[topic], BoothTier::ALL[tier])
            );
            let json = serde_json::to_string(&checked).unwrap();
            proptest::prop_assert_eq!(&json, &serde_json::to_string(&raw).unwrap());
            let back: ValidProfile = serde_json::from_str(&json).unwrap();
            proptest::prop_assert_eq!(back, checked);
        }
    }
}
