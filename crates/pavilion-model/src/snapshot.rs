//! The published hall snapshot: the one immutable document a visitor's viewer builds the hall from.

use serde::{Deserialize, Serialize};

use crate::atlas::BoothArt;
use crate::layout::Hall;
use crate::topic::{BoothTier, Topic};

/// Everything a visitor sees, as one versioned, immutable document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HallSnapshot {
    /// Increases by one with every publish.
    pub version: u64,
    /// RFC 3339 time of the publish.
    pub published_at: String,
    pub halls: Vec<Hall>,
    /// One entry per exhibitor placed in a hall.
    pub exhibitors: Vec<ExhibitorSummary>,
}

impl HallSnapshot {
    /// The summary of the exhibitor with this slug.
    pub fn exhibitor(&self, slug: &str) -> Option<&ExhibitorSummary> {
        self.exhibitors.iter().find(|e| e.slug == slug)
    }

    /// Number of booths over all halls.
    pub fn booth_count(&self) -> usize {
        self.halls.iter().map(|h| h.booths.len()).sum()
    }
}

/// What the hall needs to draw one exhibitor's booth and list it in the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExhibitorSummary {
    pub slug: String,
    pub name: String,
    pub tagline: String,
    pub topic: Topic,
    /// The topic's display label, so clients need no copy of the topic list.
    #[serde(default)]
    pub topic_label: String,
    pub tier: BoothTier,
    /// Brand colour as `#rrggbb`.
    pub colour: String,
    /// Content-addressed PNG of the logo.
    pub logo_url: String,
    /// Content-addressed PNG for the booth's fascia board (logo and tagline).
    pub fascia_url: String,
    /// Content-addressed PNG for the counter's name plate.
    pub name_plate_url: String,
    /// Content-addressed GLB of the product model shown on a plinth in the booth, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_url: Option<String>,
    /// The fascia, name plate and logo packed in a shared atlas page with nearby booths'
    /// (the viewer draws them from it); absent in snapshots published before atlases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub art: Option<BoothArt>,
}

/// Parses `#rrggbb` into sRGB bytes (the viewer reads [`ExhibitorSummary::colour`] with it).
pub fn parse_hex_colour(colour: &str) -> Option<[u8; 3]> {
    crate::colour::Colour::parse(colour).ok().map(|c| c.rgb())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{BoothPlacement, Entrance, Footprint, Rect, Rotation, TopicZone};

    fn sample() -> HallSnapshot {
        HallSnapshot {
            version: 3,
            published_at: "2026-11-28T10:00:00Z".into(),
            halls: vec![Hall {
                id: "hall-1".into(),
                name: "Hall 1".into(),
                origin: [0.0, 0.0],
                width: 44.0,
                depth: 30.0,
                entrances: vec![Entrance {
                    x: 22.0,
                    width: 8.0,
                }],
                sign_url: None,
                zones: vec![TopicZone {
                    topic: Topic::Cryptography,
                    area: Rect::new(4.0, 10.0, 36.0, 10.0),
                    sign_url: Some("/media/abc.png".into()),
                }],
                stages: Vec::new(),
                booths: vec![BoothPlacement {
                    exhibitor: "kestrel-ward".into(),
                    position: [5.5, 11.5],
                    rotation: Rotation::FacingEntrance,
                    footprint: Footprint::new(3.0, 3.0),
                }],
            }],
            exhibitors: vec![ExhibitorSummary {
                slug: "kestrel-ward".into(),
                name: "Kestrel Ward".into(),
                tagline: "Network detection".into(),
                topic: Topic::NetworkSecurity,
                topic_label: Topic::NetworkSecurity.label().into(),
                tier: BoothTier::Standard,
                colour: "#1f6f8b".into(),
                logo_url: "/media/1.png".into(),
                fascia_url: "/media/2.png".into(),
                name_plate_url: "/media/3.png".into(),
                model_url: Some("/media/4.glb".into()),
                art: Some(BoothArt {
                    page_url: "/media/5.png".into(),
                    fascia: [0.0, 0.0, 0.3125, 0.0625],
                    name_plate: [0.3125, 0.0, 0.25, 0.0625],
                    logo: [0.5625, 0.0, 0.15625, 0.0390625],
                }),
            }],
        }
    }

    #[test]
    fn snapshot_round_trips_through_json() {
        let snapshot = sample();
        let json = serde_json::to_string(&snapshot).unwrap();
        let back: HallSnapshot = serde_json::from_str(&json).unwrap();
        assert_eq!(back, snapshot);
        assert!(json.contains("\"rotation\":0"), "{json}");
        assert!(json.contains("\"topic\":\"network-security\""), "{json}");
        // Snapshots published before models existed still read.
        let older = json.replace(",\"model_url\":\"/media/4.glb\"", "");
        assert_ne!(older, json);
        let older: HallSnapshot = serde_json::from_str(&older).unwrap();
        assert_eq!(older.exhibitors[0].model_url, None);
        // ... and so do those published before atlases.
        let start = json.find(",\"art\":").expect("art is written");
        let end = start + json[start..].find('}').expect("art ends") + 1;
        let older: HallSnapshot =
            serde_json::from_str(&format!("{}{}", &json[..start], &json[end..])).unwrap();
        assert_eq!(older.exhibitors[0].art, None);
        assert_eq!(older.exhibitors[0].fascia_url, "/media/2.png");
    }

    #[test]
    fn snapshot_finds_exhibitors_and_counts_booths() {
        let snapshot = sample();
        assert_eq!(snapshot.booth_count(), 1);
        assert_eq!(
            snapshot.exhibitor("kestrel-ward").unwrap().name,
            "Kestrel Ward"
        );
        assert!(snapshot.exhibitor("nobody").is_none());
    }

    #[test]
    fn hex_colours_parse_strictly() {
        assert_eq!(parse_hex_colour("#1f6F8b"), Some([0x1f, 0x6f, 0x8b]));
        assert_eq!(parse_hex_colour("1f6f8b"), None);
        assert_eq!(parse_hex_colour("#1f6f8"), None);
        assert_eq!(parse_hex_colour("#1g6f8b"), None);
        assert_eq!(parse_hex_colour("#ééé"), None);
    }
}
