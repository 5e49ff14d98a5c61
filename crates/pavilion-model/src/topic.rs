//! The hall's topics (from the brief) and the booth tiers that set a booth's footprint.

use serde::{Deserialize, Serialize};

use crate::layout::Footprint;

/// A subject area of the exhibition; halls and their signage are grouped by topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Topic {
    AppPrivacy,
    SecurityStandards,
    IndustryInnovation,
    CyberLiteracy,
    YouthSecurity,
    Finance,
    Telecoms,
    RuleOfLaw,
    NetworkSecurity,
    DataSecurity,
    Identity,
    CloudSecurity,
    EndpointSecurity,
    IndustrialControl,
    Cryptography,
    ThreatIntelligence,
}

impl Topic {
    /// Every topic, in the order halls present them.
    pub const ALL: [Topic; 16] = [
        Topic::NetworkSecurity,
        Topic::DataSecurity,
        Topic::Identity,
        Topic::CloudSecurity,
        Topic::EndpointSecurity,
        Topic::IndustrialControl,
        Topic::Cryptography,
        Topic::ThreatIntelligence,
        Topic::AppPrivacy,
        Topic::SecurityStandards,
        Topic::IndustryInnovation,
        Topic::CyberLiteracy,
        Topic::YouthSecurity,
        Topic::Finance,
        Topic::Telecoms,
        Topic::RuleOfLaw,
    ];

    /// The slug used in profiles, URLs and JSON.
    pub fn slug(self) -> &'static str {
        match self {
            Topic::AppPrivacy => "app-privacy",
            Topic::SecurityStandards => "security-standards",
            Topic::IndustryInnovation => "industry-innovation",
            Topic::CyberLiteracy => "cyber-literacy",
            Topic::YouthSecurity => "youth-security",
            Topic::Finance => "finance",
            Topic::Telecoms => "telecoms",
            Topic::RuleOfLaw => "rule-of-law",
            Topic::NetworkSecurity => "network-security",
            Topic::DataSecurity => "data-security",
            Topic::Identity => "identity",
            Topic::CloudSecurity => "cloud-security",
            Topic::EndpointSecurity => "endpoint-security",
            Topic::IndustrialControl => "industrial-control",
            Topic::Cryptography => "cryptography",
            Topic::ThreatIntelligence => "threat-intelligence",
        }
    }

    /// The label shown on signs and in the directory.
    pub fn label(self) -> &'static str {
        match self {
            Topic::AppPrivacy => "Personal Information Protection in Apps",
            Topic::SecurityStandards => "Security Standards",
            Topic::IndustryInnovation => "Industry Innovation",
            Topic::CyberLiteracy => "Cyber Literacy Education",
            Topic::YouthSecurity => "Youth Cyber Security",
            Topic::Finance => "Financial Security",
            Topic::Telecoms => "Telecom Security",
            Topic::RuleOfLaw => "Rule of Law",
            Topic::NetworkSecurity => "Network Security",
            Topic::DataSecurity => "Data Security",
            Topic::Identity => "Identity and Access",
            Topic::CloudSecurity => "Cloud Security",
            Topic::EndpointSecurity => "Endpoint Security",
            Topic::IndustrialControl => "Industrial Control Systems",
            Topic::Cryptography => "Cryptography",
            Topic::ThreatIntelligence => "Threat Intelligence",
        }
    }

    /// Parses a topic slug.
    pub fn from_slug(slug: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.slug() == slug)
    }
}

/// The size class an exhibitor booked; it decides the booth's footprint and shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum BoothTier {
    /// An inline booth, 3 m wide and 3 m deep.
    Standard,
    /// An inline booth, 6 m wide and 3 m deep.
    Premium,
    /// An island booth, 6 m by 6 m, open on all four sides.
    Flagship,
}

impl BoothTier {
    pub const ALL: [BoothTier; 3] = [BoothTier::Standard, BoothTier::Premium, BoothTier::Flagship];

    /// The booth's footprint before rotation (width along its front, depth front to back).
    pub fn footprint(self) -> Footprint {
        match self {
            BoothTier::Standard => Footprint::new(3.0, 3.0),
            BoothTier::Premium => Footprint::new(6.0, 3.0),
            BoothTier::Flagship => Footprint::new(6.0, 6.0),
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            BoothTier::Standard => "standard",
            BoothTier::Premium => "premium",
            BoothTier::Flagship => "flagship",
        }
    }

    pub fn from_slug(slug: &str) -> Option<BoothTier> {
        BoothTier::ALL.into_iter().find(|t| t.slug() == slug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_slugs_round_trip_through_serde_and_from_slug() {
        for topic in Topic::ALL {
            let json = serde_json::to_string(&topic).unwrap();
            assert_eq!(json, format!("\"{}\"", topic.slug()));
            assert_eq!(Topic::from_slug(topic.slug()), Some(topic));
        }
        assert_eq!(Topic::from_slug("gardening"), None);
    }

    #[test]
    fn every_topic_is_listed_once() {
        let mut all = Topic::ALL.to_vec();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), Topic::ALL.len());
    }

    #[test]
    fn tiers_grow_in_area() {
        let areas: Vec<f32> = BoothTier::ALL
            .iter()
            .map(|t| t.footprint().area())
            .collect();
        assert!(areas.windows(2).all(|w| w[0] < w[1]), "{areas:?}");
        assert_eq!(BoothTier::from_slug("premium"), Some(BoothTier::Premium));
    }
}
