//! Hall layout: halls, topic zones and booth placements in metres, the rules a layout must
//! keep, and the automatic arrangement that places exhibitors by topic on a grid with aisles.
//!
//! Coordinates are hall-local: `x` runs along the entrance wall, `z` from the entrance wall
//! (z = 0) into the hall. A hall's `origin` places it in the world.

use std::collections::BTreeMap;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::topic::{BoothTier, Topic};

/// An axis-aligned rectangle on the floor: corner `(x, z)` and its size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    pub x: f32,
    pub z: f32,
    pub width: f32,
    pub depth: f32,
}

/// Floor-plan tolerance: placements are computed in metres, so a millimetre is "touching".
const EPSILON: f32 = 1e-3;

impl Rect {
    pub const fn new(x: f32, z: f32, width: f32, depth: f32) -> Rect {
        Rect { x, z, width, depth }
    }

    /// The rectangle of the given size centred on a point.
    pub fn centred(centre: [f32; 2], width: f32, depth: f32) -> Rect {
        Rect::new(
            centre[0] - width / 2.0,
            centre[1] - depth / 2.0,
            width,
            depth,
        )
    }

    pub fn max_x(&self) -> f32 {
        self.x + self.width
    }

    pub fn max_z(&self) -> f32 {
        self.z + self.depth
    }

    pub fn centre(&self) -> [f32; 2] {
        [self.x + self.width / 2.0, self.z + self.depth / 2.0]
    }

    /// True when the two rectangles share floor area (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.max_x() - EPSILON
            && other.x < self.max_x() - EPSILON
            && self.z < other.max_z() - EPSILON
            && other.z < self.max_z() - EPSILON
    }

    /// True when `other` lies wholly inside this rectangle.
    pub fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x - EPSILON
            && other.z >= self.z - EPSILON
            && other.max_x() <= self.max_x() + EPSILON
            && other.max_z() <= self.max_z() + EPSILON
    }

    pub fn contains_point(&self, point: [f32; 2]) -> bool {
        point[0] >= self.x
            && point[0] <= self.max_x()
            && point[1] >= self.z
            && point[1] <= self.max_z()
    }

    /// The rectangle grown by `margin` on every side.
    pub fn expanded(&self, margin: f32) -> Rect {
        Rect::new(
            self.x - margin,
            self.z - margin,
            self.width + 2.0 * margin,
            self.depth + 2.0 * margin,
        )
    }

    pub fn area(&self) -> f32 {
        self.width * self.depth
    }
}

/// A booth's size before rotation: `width` along its open front, `depth` front to back.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Footprint {
    pub width: f32,
    pub depth: f32,
}

impl Footprint {
    pub const fn new(width: f32, depth: f32) -> Footprint {
        Footprint { width, depth }
    }

    pub fn area(&self) -> f32 {
        self.width * self.depth
    }
}

/// Which way a booth's open front faces, in quarter turns about the vertical axis.
/// Serialised as the number of quarter turns (0 to 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Rotation {
    /// Front towards the entrance wall (-z).
    FacingEntrance,
    /// Front towards the wall at x = 0 (-x).
    FacingLeftWall,
    /// Front towards the back wall (+z).
    FacingBackWall,
    /// Front towards the wall at x = width (+x).
    FacingRightWall,
}

impl Rotation {
    pub fn quarter_turns(self) -> u8 {
        match self {
            Rotation::FacingEntrance => 0,
            Rotation::FacingLeftWall => 1,
            Rotation::FacingBackWall => 2,
            Rotation::FacingRightWall => 3,
        }
    }

    /// The angle about +y (counter-clockwise seen from above) in radians.
    pub fn radians(self) -> f32 {
        f32::from(self.quarter_turns()) * std::f32::consts::FRAC_PI_2
    }

    /// Unit vector on the floor `[x, z]` pointing out of the booth's open front.
    pub fn front_direction(self) -> [f32; 2] {
        match self {
            Rotation::FacingEntrance => [0.0, -1.0],
            Rotation::FacingLeftWall => [-1.0, 0.0],
            Rotation::FacingBackWall => [0.0, 1.0],
            Rotation::FacingRightWall => [1.0, 0.0],
        }
    }
}

impl TryFrom<u8> for Rotation {
    type Error = String;

    fn try_from(turns: u8) -> Result<Self, Self::Error> {
        match turns {
            0 => Ok(Rotation::FacingEntrance),
            1 => Ok(Rotation::FacingLeftWall),
            2 => Ok(Rotation::FacingBackWall),
            3 => Ok(Rotation::FacingRightWall),
            other => Err(format!(
                "rotation must be 0 to 3 quarter turns, not {other}"
            )),
        }
    }
}

impl From<Rotation> for u8 {
    fn from(rotation: Rotation) -> u8 {
        rotation.quarter_turns()
    }
}

/// One exhibitor's booth in a hall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoothPlacement {
    /// The exhibitor's slug.
    pub exhibitor: String,
    /// Centre of the booth, hall-local `[x, z]` in metres.
    pub position: [f32; 2],
    pub rotation: Rotation,
    pub footprint: Footprint,
}

impl BoothPlacement {
    /// The floor area the booth covers after rotation, hall-local.
    pub fn floor_rect(&self) -> Rect {
        let (w, d) = match self.rotation.quarter_turns() % 2 {
            0 => (self.footprint.width, self.footprint.depth),
            _ => (self.footprint.depth, self.footprint.width),
        };
        Rect::centred(self.position, w, d)
    }
}

/// A doorway in a hall's entrance wall (z = 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entrance {
    /// Centre of the doorway along the entrance wall, hall-local.
    pub x: f32,
    pub width: f32,
}

/// The part of a hall given to one topic, with the sign that hangs over it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicZone {
    pub topic: Topic,
    /// Hall-local floor area of the zone.
    pub area: Rect,
    /// Content-addressed PNG of the hanging sign, when one has been rendered.
    pub sign_url: Option<String>,
}

/// One exhibition hall: its walls, doorways, topic zones and booths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hall {
    pub id: String,
    pub name: String,
    /// World position `[x, z]` of the hall's corner at local (0, 0).
    pub origin: [f32; 2],
    pub width: f32,
    pub depth: f32,
    pub entrances: Vec<Entrance>,
    /// Content-addressed PNG of the sign above the entrance, when one has been rendered.
    pub sign_url: Option<String>,
    pub zones: Vec<TopicZone>,
    pub booths: Vec<BoothPlacement>,
}

impl Hall {
    pub fn floor(&self) -> Rect {
        Rect::new(0.0, 0.0, self.width, self.depth)
    }

    /// The floor in front of each doorway (inside the hall) that booths must leave free.
    pub fn entrance_clearances(&self) -> Vec<Rect> {
        self.entrances
            .iter()
            .map(|e| Rect::new(e.x - e.width / 2.0, 0.0, e.width, ENTRANCE_CLEARANCE))
            .collect()
    }
}

/// The width of every aisle the automatic arrangement leaves, and the least a layout may have.
pub const AISLE: f32 = 4.0;
/// Depth of the free area inside each doorway.
pub const ENTRANCE_CLEARANCE: f32 = 8.0;
/// Width of a hall made by the automatic arrangement.
pub const HALL_WIDTH: f32 = 44.0;
/// The most booths the automatic arrangement puts in one hall.
pub const MAX_BOOTHS_PER_HALL: usize = 36;
/// Space between neighbouring halls.
pub const HALL_GAP: f32 = 12.0;

/// A rule a layout breaks, with the hall and booth it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayoutProblem {
    pub hall: String,
    /// The exhibitor whose booth breaks the rule, when the rule concerns one booth.
    pub exhibitor: Option<String>,
    pub message: String,
}

/// Checks a whole layout and returns every problem (empty when valid).
pub fn validate(halls: &[Hall]) -> Vec<LayoutProblem> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for hall in halls {
        let problem = |exhibitor: Option<&str>, message: String| LayoutProblem {
            hall: hall.id.clone(),
            exhibitor: exhibitor.map(str::to_owned),
            message,
        };
        let floor = hall.floor();
        let clearances = hall.entrance_clearances();
        for entrance in &hall.entrances {
            if entrance.x - entrance.width / 2.0 < 0.0
                || entrance.x + entrance.width / 2.0 > hall.width
            {
                problems.push(problem(
                    None,
                    format!(
                        "the doorway at x = {} m lies outside the entrance wall",
                        entrance.x
                    ),
                ));
            }
        }
        for (i, booth) in hall.booths.iter().enumerate() {
            let rect = booth.floor_rect();
            let who = Some(booth.exhibitor.as_str());
            if !seen.insert(booth.exhibitor.as_str()) {
                problems.push(problem(
                    who,
                    format!("{} is placed more than once", booth.exhibitor),
                ));
            }
            if !floor.contains(&rect) {
                problems.push(problem(
                    who,
                    format!(
                        "the booth at ({:.1}, {:.1}) reaches outside the hall's {} m x {} m floor",
                        booth.position[0], booth.position[1], hall.width, hall.depth
                    ),
                ));
            }
            if clearances.iter().any(|c| c.overlaps(&rect)) {
                problems.push(problem(
                    who,
                    "the booth blocks the space inside a doorway".into(),
                ));
            }
            for other in &hall.booths[..i] {
                if other.floor_rect().overlaps(&rect) {
                    problems.push(problem(
                        who,
                        format!("the booth overlaps the booth of {}", other.exhibitor),
                    ));
                }
            }
        }
    }
    problems
}

/// An exhibitor to be placed by [`arrange`].
#[derive(Debug, Clone, PartialEq)]
pub struct ArrangeEntry {
    pub slug: String,
    pub topic: Topic,
    pub tier: BoothTier,
}

/// Places every exhibitor: halls of at most [`MAX_BOOTHS_PER_HALL`] booths, topics kept
/// together in zones, flagship islands first, inline booths back to back in double rows,
/// aisles of [`AISLE`] metres between rows and along the walls. Deterministic: the same
/// entries in any order give the same layout.
pub fn arrange(entries: &[ArrangeEntry]) -> Vec<Hall> {
    let mut by_topic: BTreeMap<usize, Vec<&ArrangeEntry>> = BTreeMap::new();
    for entry in entries {
        let order = Topic::ALL
            .iter()
            .position(|t| *t == entry.topic)
            .unwrap_or(usize::MAX);
        by_topic.entry(order).or_default().push(entry);
    }
    for group in by_topic.values_mut() {
        // Flagships first, then bigger booths, then by slug, so rows pack well and the order is stable.
        group.sort_by(|a, b| b.tier.cmp(&a.tier).then_with(|| a.slug.cmp(&b.slug)));
    }

    let hall_count = entries.len().div_ceil(MAX_BOOTHS_PER_HALL).max(1);
    let target = entries.len().div_ceil(hall_count).max(1);

    let mut groups: Vec<Vec<Vec<&ArrangeEntry>>> = vec![Vec::new()];
    let mut in_current = 0;
    for group in by_topic.into_values() {
        if in_current >= target {
            groups.push(Vec::new());
            in_current = 0;
        }
        in_current += group.len();
        groups.last_mut().expect("one group exists").push(group);
    }

    groups
        .into_iter()
        .filter(|topics| !topics.is_empty())
        .enumerate()
        .map(|(i, topics)| arrange_hall(i, &topics))
        .collect()
}

fn arrange_hall(index: usize, topics: &[Vec<&ArrangeEntry>]) -> Hall {
    const ROW_DEPTH: f32 = 3.0;
    let block = (HALL_WIDTH - 3.0 * AISLE) / 2.0;
    let blocks = [AISLE, AISLE + block + AISLE];

    let mut booths = Vec::new();
    let mut zones = Vec::new();
    let mut z = ENTRANCE_CLEARANCE + AISLE;
    for group in topics {
        let zone_start = z;
        let (islands, inline): (Vec<&&ArrangeEntry>, Vec<&&ArrangeEntry>) =
            group.iter().partition(|e| e.tier == BoothTier::Flagship);

        if !islands.is_empty() {
            let size = BoothTier::Flagship.footprint();
            let mut x = AISLE;
            for entry in islands {
                if x + size.width > HALL_WIDTH - AISLE {
                    x = AISLE;
                    z += size.depth + AISLE;
                }
                booths.push(BoothPlacement {
                    exhibitor: entry.slug.clone(),
                    position: [x + size.width / 2.0, z + size.depth / 2.0],
                    rotation: Rotation::FacingEntrance,
                    footprint: size,
                });
                x += size.width + AISLE;
            }
            z += size.depth + AISLE;
        }

        if !inline.is_empty() {
            // Rows of one band: front rows of both blocks first, then the back rows.
            let rows = [
                (blocks[0], 0.0, Rotation::FacingEntrance),
                (blocks[1], 0.0, Rotation::FacingEntrance),
                (blocks[0], ROW_DEPTH, Rotation::FacingBackWall),
                (blocks[1], ROW_DEPTH, Rotation::FacingBackWall),
            ];
            let mut row = 0;
            let mut x = rows[0].0;
            for entry in inline {
                let size = entry.tier.footprint();
                if x + size.width > rows[row].0 + block + EPSILON {
                    row += 1;
                    if row == rows.len() {
                        row = 0;
                        z += 2.0 * ROW_DEPTH + AISLE;
                    }
                    x = rows[row].0;
                }
                let (_, row_z, rotation) = rows[row];
                booths.push(BoothPlacement {
                    exhibitor: entry.slug.clone(),
                    position: [x + size.width / 2.0, z + row_z + size.depth / 2.0],
                    rotation,
                    footprint: size,
                });
                x += size.width;
            }
            z += 2.0 * ROW_DEPTH + AISLE;
        }

        zones.push(TopicZone {
            topic: group[0].topic,
            area: Rect::new(
                AISLE,
                zone_start,
                HALL_WIDTH - 2.0 * AISLE,
                z - AISLE - zone_start,
            ),
            sign_url: None,
        });
    }

    let topic_names: Vec<&str> = zones.iter().map(|zone| zone.topic.label()).collect();
    Hall {
        id: format!("hall-{}", index + 1),
        name: format!("Hall {}: {}", index + 1, short_list(&topic_names)),
        origin: [index as f32 * (HALL_WIDTH + HALL_GAP), 0.0],
        width: HALL_WIDTH,
        depth: z.max(ENTRANCE_CLEARANCE + 2.0 * AISLE),
        entrances: vec![Entrance {
            x: HALL_WIDTH / 2.0,
            width: 8.0,
        }],
        sign_url: None,
        zones,
        booths,
    }
}

fn short_list(names: &[&str]) -> String {
    match names {
        [] => "Open floor".into(),
        [one] => (*one).into(),
        [first, second] => format!("{first} and {second}"),
        [first, second, ..] => format!("{first}, {second} and more"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(count: usize) -> Vec<ArrangeEntry> {
        (0..count)
            .map(|i| ArrangeEntry {
                slug: format!("company-{i:03}"),
                topic: Topic::ALL[i % Topic::ALL.len()],
                tier: match i % 10 {
                    0 => BoothTier::Flagship,
                    1..=3 => BoothTier::Premium,
                    _ => BoothTier::Standard,
                },
            })
            .collect()
    }

    #[test]
    fn arrangement_places_everyone_once_and_validly() {
        for count in [0, 1, 7, 40, 120, 300] {
            let halls = arrange(&entries(count));
            let placed: usize = halls.iter().map(|h| h.booths.len()).sum();
            assert_eq!(placed, count);
            assert_eq!(validate(&halls), vec![], "{count} exhibitors");
            for hall in &halls {
                assert!(hall.booths.len() <= MAX_BOOTHS_PER_HALL + Topic::ALL.len());
            }
        }
    }

    #[test]
    fn arrangement_keeps_topics_in_their_zone() {
        let list = entries(120);
        let halls = arrange(&list);
        for hall in &halls {
            for booth in &hall.booths {
                let topic = list
                    .iter()
                    .find(|e| e.slug == booth.exhibitor)
                    .unwrap()
                    .topic;
                let zone = hall
                    .zones
                    .iter()
                    .find(|z| z.topic == topic)
                    .expect("zone for topic");
                assert!(
                    zone.area.contains(&booth.floor_rect()),
                    "{} outside its zone",
                    booth.exhibitor
                );
            }
        }
    }

    #[test]
    fn flagships_stand_on_islands_with_aisles_all_round() {
        let halls = arrange(&entries(120));
        for hall in &halls {
            for island in hall
                .booths
                .iter()
                .filter(|b| b.footprint == BoothTier::Flagship.footprint())
            {
                let surround = island.floor_rect().expanded(AISLE - EPSILON * 2.0);
                for other in hall
                    .booths
                    .iter()
                    .filter(|b| b.exhibitor != island.exhibitor)
                {
                    assert!(
                        !surround.overlaps(&other.floor_rect()),
                        "{} crowds {}",
                        other.exhibitor,
                        island.exhibitor
                    );
                }
            }
        }
    }

    #[test]
    fn arrangement_does_not_depend_on_input_order() {
        let list = entries(60);
        let mut reversed = list.clone();
        reversed.reverse();
        assert_eq!(arrange(&list), arrange(&reversed));
    }

    #[test]
    fn validation_names_each_broken_rule() {
        let mut halls = arrange(&entries(10));
        let hall = &mut halls[0];
        let first = hall.booths[0].clone();
        let mut twin = hall.booths[1].clone();
        twin.position = first.position;
        hall.booths.push(twin.clone());
        let mut outside = first.clone();
        outside.exhibitor = "far-away".into();
        outside.position = [hall.width + 10.0, 5.0];
        hall.booths.push(outside);
        let mut door = first.clone();
        door.exhibitor = "door-blocker".into();
        door.position = [hall.width / 2.0, 1.5];
        hall.booths.push(door);

        let problems = validate(&halls);
        let messages: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.exhibitor.clone().unwrap_or_default(), p.message))
            .collect();
        let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
        assert!(has("is placed more than once"), "{messages:?}");
        assert!(has("overlaps the booth of"), "{messages:?}");
        assert!(has("far-away: the booth at"), "{messages:?}");
        assert!(
            has("door-blocker: the booth blocks the space inside a doorway"),
            "{messages:?}"
        );
    }

    #[test]
    fn rotated_booths_swap_their_footprint() {
        let booth = BoothPlacement {
            exhibitor: "a".into(),
            position: [10.0, 10.0],
            rotation: Rotation::FacingLeftWall,
            footprint: Footprint::new(6.0, 3.0),
        };
        assert_eq!(booth.floor_rect(), Rect::new(8.5, 7.0, 3.0, 6.0));
        assert!(Rotation::try_from(4).is_err());
    }
}
