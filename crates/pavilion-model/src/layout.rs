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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

    /// The area the two rectangles share (zero when they do not overlap).
    pub fn intersection_area(&self, other: &Rect) -> f32 {
        let w = self.max_x().min(other.max_x()) - self.x.max(other.x);
        let d = self.max_z().min(other.max_z()) - self.z.max(other.z);
        w.max(0.0) * d.max(0.0)
    }
}

/// A booth's size before rotation: `width` along its open front, `depth` front to back.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

    /// The rotation after `turns` more quarter turns (negative turns go the other way).
    pub fn turned(self, turns: i32) -> Rotation {
        let quarter = (i32::from(self.quarter_turns()) + turns).rem_euclid(4);
        match quarter {
            0 => Rotation::FacingEntrance,
            1 => Rotation::FacingLeftWall,
            2 => Rotation::FacingBackWall,
            _ => Rotation::FacingRightWall,
        }
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoothPlacement {
    /// The exhibitor's slug.
    pub exhibitor: String,
    /// Centre of the booth, hall-local `[x, z]` in metres.
    pub position: [f32; 2],
    /// Quarter turns counter-clockwise from facing the entrance wall: 0 to 3.
    #[cfg_attr(feature = "openapi", schema(value_type = u8, minimum = 0, maximum = 3))]
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

    /// The floor strip `depth` metres deep in front of the booth's open front, as wide as
    /// the front.
    pub fn front_strip(&self, depth: f32) -> Rect {
        let r = self.floor_rect();
        match self.rotation {
            Rotation::FacingEntrance => Rect::new(r.x, r.z - depth, r.width, depth),
            Rotation::FacingBackWall => Rect::new(r.x, r.max_z(), r.width, depth),
            Rotation::FacingLeftWall => Rect::new(r.x - depth, r.z, depth, r.depth),
            Rotation::FacingRightWall => Rect::new(r.max_x(), r.z, depth, r.depth),
        }
    }
}

/// A doorway in a hall's entrance wall (z = 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entrance {
    /// Centre of the doorway along the entrance wall, hall-local.
    pub x: f32,
    pub width: f32,
}

/// The part of a hall given to one topic, with the sign that hangs over it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopicZone {
    pub topic: Topic,
    /// Hall-local floor area of the zone.
    pub area: Rect,
    /// Content-addressed PNG of the hanging sign, when one has been rendered.
    pub sign_url: Option<String>,
}

/// What a [`StageArea`] is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StageAreaKind {
    /// A programme stage: a raised platform with a big screen showing what is on now and next.
    #[default]
    Stage,
    /// The knowledge contest's desk: a screen that opens the contest.
    Contest,
}

/// A stage in a hall: a raised platform with a big screen at its back, facing an audience
/// floor ([`StageArea::audience_rect`]) that booths and other stages must leave free.
/// The contest desk is a stage area of kind [`StageAreaKind::Contest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageArea {
    /// The id of the programme stage shown here ([`crate::programme::Stage::id`]); for the
    /// contest desk, [`CONTEST_DESK`].
    pub stage: String,
    #[serde(default)]
    pub kind: StageAreaKind,
    /// Centre of the platform, hall-local `[x, z]` in metres.
    pub position: [f32; 2],
    /// Which way the platform faces its audience, as for booths.
    #[cfg_attr(feature = "openapi", schema(value_type = u8, minimum = 0, maximum = 3))]
    pub rotation: Rotation,
    /// The platform's size before rotation: `width` along the audience side.
    pub footprint: Footprint,
    /// The stage's name, filled in from the programme when the hall is published.
    #[serde(default)]
    pub name: String,
    /// Where the screen's picture comes from: for a stage, the server's live sign of what is
    /// on now and next; for the contest desk, a content-addressed PNG rendered at publish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_url: Option<String>,
}

/// The `stage` of the contest desk's [`StageArea`].
pub const CONTEST_DESK: &str = "contest";
/// Depth of the free floor in front of a stage where its audience stands.
pub const STAGE_AUDIENCE: f32 = 8.0;
/// Depth of the free floor in front of the contest desk.
pub const CONTEST_AUDIENCE: f32 = AISLE;

impl StageArea {
    /// The platform as a booth-like placement, for the geometry shared with booths.
    fn platform(&self) -> BoothPlacement {
        BoothPlacement {
            exhibitor: self.stage.clone(),
            position: self.position,
            rotation: self.rotation,
            footprint: self.footprint,
        }
    }

    /// The floor the platform covers after rotation, hall-local.
    pub fn floor_rect(&self) -> Rect {
        self.platform().floor_rect()
    }

    /// How deep the free floor in front of the platform is.
    pub fn audience_depth(&self) -> f32 {
        match self.kind {
            StageAreaKind::Stage => STAGE_AUDIENCE,
            StageAreaKind::Contest => CONTEST_AUDIENCE,
        }
    }

    /// The free floor in front of the platform where the audience stands, hall-local.
    pub fn audience_rect(&self) -> Rect {
        self.platform().front_strip(self.audience_depth())
    }

    /// Unit vector on the floor `[x, z]` pointing from the screen towards the audience.
    pub fn front_direction(&self) -> [f32; 2] {
        self.rotation.front_direction()
    }
}

/// One exhibition hall: its walls, doorways, topic zones and booths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The stages (and the contest desk) that stand in this hall.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageArea>,
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

/// Which rule a [`LayoutProblem`] breaks; a stable code for clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LayoutRule {
    /// The hall itself is malformed: empty or repeated id, size out of range, no doorway.
    Hall,
    /// A doorway is narrower than a walker or lies outside the entrance wall.
    Doorway,
    /// A booth's numbers are not finite or its footprint is not a sensible size.
    Booth,
    /// An exhibitor has more than one booth.
    Duplicate,
    /// A booth reaches outside its hall's floor.
    OutsideHall,
    /// Two booths share floor.
    Overlap,
    /// Two booths neither stand edge to edge nor leave an aisle of [`AISLE`] metres.
    Aisle,
    /// A booth stands in the clear area inside a doorway.
    DoorwayBlocked,
    /// The floor in front of a booth's open front is a wall or another booth.
    FrontBlocked,
    /// No walk leads from a doorway to the booth's open front.
    Unreachable,
    /// A stage area is malformed: no stage id, placed twice, the wrong kind, or a platform
    /// outside the size limits.
    Stage,
}

/// A rule a layout breaks, with the hall and booth it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LayoutProblem {
    pub hall: String,
    /// The exhibitor whose booth breaks the rule, when the rule concerns one booth.
    pub exhibitor: Option<String>,
    /// The stage id of the stage area that breaks the rule, when the rule concerns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    pub rule: LayoutRule,
    pub message: String,
}

/// Side of the square cells of the walking raster used for reachability.
pub const RASTER: f32 = 0.5;
/// Width of a walker, in raster cells: a visitor needs a 1 m wide way.
pub const WALKER_CELLS: usize = 2;
/// The smallest and largest side a hall may have.
pub const MIN_HALL_SIDE: f32 = 8.0;
pub const MAX_HALL_SIDE: f32 = 400.0;
/// The narrowest doorway.
pub const MIN_DOORWAY: f32 = 2.0;
/// The largest side a booth footprint may have.
pub const MAX_BOOTH_SIDE: f32 = 30.0;
/// The narrowest and widest stage platform (along its audience side).
pub const MIN_STAGE_WIDTH: f32 = 6.0;
pub const MAX_STAGE_WIDTH: f32 = 30.0;
/// The shallowest and deepest stage platform (front to back).
pub const MIN_STAGE_DEPTH: f32 = 3.0;
pub const MAX_STAGE_DEPTH: f32 = 15.0;
/// The smallest and largest side of the contest desk.
pub const MIN_CONTEST_SIDE: f32 = 3.0;
pub const MAX_CONTEST_SIDE: f32 = 10.0;

impl StageArea {
    /// The platform and its audience floor together, as one booth-like placement whose open
    /// front is the audience floor's far edge: what the layout rules see of a stage area.
    pub fn obstacle(&self) -> BoothPlacement {
        let audience = self.audience_depth();
        let [fx, fz] = self.rotation.front_direction();
        BoothPlacement {
            exhibitor: self.stage.clone(),
            position: [
                self.position[0] + fx * audience / 2.0,
                self.position[1] + fz * audience / 2.0,
            ],
            rotation: self.rotation,
            footprint: Footprint::new(self.footprint.width, self.footprint.depth + audience),
        }
    }

    /// The platform's size limits for its kind: `(min width, max width, min depth, max depth)`.
    pub fn size_limits(&self) -> (f32, f32, f32, f32) {
        match self.kind {
            StageAreaKind::Stage => (
                MIN_STAGE_WIDTH,
                MAX_STAGE_WIDTH,
                MIN_STAGE_DEPTH,
                MAX_STAGE_DEPTH,
            ),
            StageAreaKind::Contest => (
                MIN_CONTEST_SIDE,
                MAX_CONTEST_SIDE,
                MIN_CONTEST_SIDE,
                MAX_CONTEST_SIDE,
            ),
        }
    }

    /// How problems name the area: "stage room-a" or "the contest desk".
    pub fn label(&self) -> String {
        match self.kind {
            StageAreaKind::Stage => format!("stage {}", self.stage),
            StageAreaKind::Contest => "the contest desk".into(),
        }
    }
}

/// What the geometric rules check: a booth, or a stage area as its platform plus audience
/// floor ([`StageArea::obstacle`]).
struct Obstacle<'a> {
    placement: BoothPlacement,
    stage: Option<&'a StageArea>,
}

impl Obstacle<'_> {
    /// Who a problem is about, as `(exhibitor, stage)`.
    fn who(&self) -> (Option<&str>, Option<&str>) {
        match self.stage {
            None => (Some(self.placement.exhibitor.as_str()), None),
            Some(area) => (None, Some(area.stage.as_str())),
        }
    }

    /// The start of a problem's message: "acme" or "stage room-a".
    fn subject(&self) -> String {
        match self.stage {
            None => self.placement.exhibitor.clone(),
            Some(area) => area.label(),
        }
    }

    /// What it is, after "the": "booth" or "stage with its audience floor".
    fn noun(&self) -> &'static str {
        match self.stage {
            None => "booth",
            Some(area) if area.kind == StageAreaKind::Contest => "desk with its audience floor",
            Some(_) => "stage with its audience floor",
        }
    }

    /// How another problem's message names it: "the booth of acme" or "stage room-a".
    fn reference(&self) -> String {
        match self.stage {
            None => format!("the booth of {}", self.placement.exhibitor),
            Some(area) => area.label(),
        }
    }

    /// What a walker must reach: "the booth's open front" or "the far side of its audience floor".
    fn front(&self) -> &'static str {
        match self.stage {
            None => "the open front",
            Some(_) => "the far side of the audience floor",
        }
    }

    fn same(&self, other: &Obstacle) -> bool {
        self.stage.is_some() == other.stage.is_some()
            && self.placement.exhibitor == other.placement.exhibitor
    }
}

/// Checks a whole layout and returns every problem (empty when valid).
///
/// The rules, for each hall, each booth (its floor rect is the footprint turned by its
/// rotation and centred on its position) and each stage area:
///
/// 1. **Hall**: a non-empty id used once; width and depth finite, from [`MIN_HALL_SIDE`] to
///    [`MAX_HALL_SIDE`] metres; at least one doorway, each at least [`MIN_DOORWAY`] wide and
///    wholly on the entrance wall. Rules 8 and 9 are skipped in a malformed hall.
/// 2. **Booth**: position finite; footprint sides finite, above zero, at most
///    [`MAX_BOOTH_SIDE`].
/// 3. **Each exhibitor at most once** across all halls.
/// 4. **Stage**: a non-empty stage id placed at most once across all halls, of kind
///    [`StageAreaKind::Contest`] exactly when it is [`CONTEST_DESK`]; position finite; a
///    stage platform [`MIN_STAGE_WIDTH`] to [`MAX_STAGE_WIDTH`] wide and [`MIN_STAGE_DEPTH`]
///    to [`MAX_STAGE_DEPTH`] deep, the contest desk [`MIN_CONTEST_SIDE`] to
///    [`MAX_CONTEST_SIDE`] on each side.
///
/// For rules 5 to 10 a stage area counts as a booth whose floor rect is its platform plus
/// its audience floor ([`StageArea::obstacle`]) and whose open front is the audience floor's
/// far edge; its problems name the stage ([`LayoutProblem::stage`]) instead of an exhibitor.
///
/// 5. **Inside the hall**: the floor rect lies within the floor (to a millimetre).
/// 6. **No overlaps**: no two floor rects share area (touching edges do not count).
/// 7. **Aisles**: for two booths that do not overlap, let `dx` and `dz` be the distances
///    between their rects along x and z (negative when their ranges overlap by that much).
///    There is floor *between* them when they face each other across a corridor (apart on
///    one axis by more than a millimetre, sharing a range longer than a millimetre on the
///    other) or stand diagonally apart (apart on both axes): that floor is the rect spanning
///    the gap on each axis where they are apart and the shared range where they overlap, and
///    its width is `max(dx, dz)`. That width must be at least [`AISLE`], unless the floor
///    between them is wholly taken by other booths (booths further along the same row).
///    Booths that touch (side-by-side neighbours in a row, back-to-back rows, corners of a
///    block) or that are apart on one axis while flush on the other (offset rows, which have
///    no floor between them) keep the rule.
/// 8. **Doorways kept clear**: no floor rect overlaps the [`ENTRANCE_CLEARANCE`]-deep area
///    inside a doorway ([`Hall::entrance_clearances`]).
/// 9. **Open front**: the strip [`AISLE`] deep in front of the booth's open front (as wide
///    as the front) lies inside the hall and overlaps no other booth.
/// 10. **Reachable on foot**: the floor is rasterised in [`RASTER`] cells; a cell is free
///     when it lies wholly on the floor and overlaps no booth. A walker is a square of
///     [`WALKER_CELLS`] x [`WALKER_CELLS`] free cells; it starts wherever it stands on the
///     entrance wall within a doorway and moves one cell at a time along x or z. A booth is
///     reachable when a walker can stand on a cell touching its open front (the row of cells
///     within one [`RASTER`] of the front edge, across the front's width).
pub fn validate(halls: &[Hall]) -> Vec<LayoutProblem> {
    let mut problems = Vec::new();
    let mut placed_in: BTreeMap<&str, &str> = BTreeMap::new();
    let mut staged_in: BTreeMap<&str, &str> = BTreeMap::new();
    let mut hall_ids = HashSet::new();
    for hall in halls {
        let problem = |(exhibitor, stage): (Option<&str>, Option<&str>),
                       rule: LayoutRule,
                       message: String| LayoutProblem {
            hall: hall.id.clone(),
            exhibitor: exhibitor.map(str::to_owned),
            stage: stage.map(str::to_owned),
            rule,
            message,
        };
        let nobody = (None, None);
        let hall_problems_before = problems.len();
        if hall.id.trim().is_empty() {
            problems.push(problem(nobody, LayoutRule::Hall, "a hall has no id".into()));
        } else if !hall_ids.insert(hall.id.as_str()) {
            problems.push(problem(
                nobody,
                LayoutRule::Hall,
                format!("the hall id {} is used twice", hall.id),
            ));
        }
        for (side, size) in [("width", hall.width), ("depth", hall.depth)] {
            if !(MIN_HALL_SIDE..=MAX_HALL_SIDE).contains(&size) {
                problems.push(problem(
                    nobody,
                    LayoutRule::Hall,
                    format!(
                        "{}: the {side} of {size} m is outside {MIN_HALL_SIDE} to {MAX_HALL_SIDE} m",
                        hall.id
                    ),
                ));
            }
        }
        if hall.entrances.is_empty() {
            problems.push(problem(
                nobody,
                LayoutRule::Hall,
                format!("{} has no doorway, so no booth can be reached", hall.id),
            ));
        }
        for entrance in &hall.entrances {
            let (lo, hi) = (
                entrance.x - entrance.width / 2.0,
                entrance.x + entrance.width / 2.0,
            );
            if !(entrance.width >= MIN_DOORWAY && entrance.width.is_finite()) {
                problems.push(problem(
                    nobody,
                    LayoutRule::Doorway,
                    format!(
                        "the doorway at x = {} m is {} m wide; doorways are at least {MIN_DOORWAY} m",
                        entrance.x, entrance.width
                    ),
                ));
            } else if !(lo >= -EPSILON && hi <= hall.width + EPSILON) {
                problems.push(problem(
                    nobody,
                    LayoutRule::Doorway,
                    format!(
                        "the doorway at x = {} m lies outside the entrance wall",
                        entrance.x
                    ),
                ));
            }
        }
        let hall_is_sound = problems.len() == hall_problems_before;

        let floor = hall.floor();
        let clearances = hall.entrance_clearances();
        let mut sound: Vec<Obstacle> = Vec::new();
        // Rules 5 and 8 for one booth or stage area.
        let place = |obstacle: &Obstacle<'_>, problems: &mut Vec<LayoutProblem>| {
            let rect = obstacle.placement.floor_rect();
            let [x, z] = match obstacle.stage {
                Some(area) => area.position,
                None => obstacle.placement.position,
            };
            if !floor.contains(&rect) {
                problems.push(problem(
                    obstacle.who(),
                    LayoutRule::OutsideHall,
                    format!(
                        "{}: the {} at ({x:.1}, {z:.1}) reaches outside the hall's {} m x {} m floor",
                        obstacle.subject(),
                        obstacle.noun(),
                        hall.width,
                        hall.depth
                    ),
                ));
            }
            if clearances.iter().any(|c| c.overlaps(&rect)) {
                problems.push(problem(
                    obstacle.who(),
                    LayoutRule::DoorwayBlocked,
                    format!(
                        "{}: the {} blocks the space inside a doorway ({ENTRANCE_CLEARANCE} m deep)",
                        obstacle.subject(),
                        obstacle.noun()
                    ),
                ));
            }
        };
        for booth in &hall.booths {
            let who = (Some(booth.exhibitor.as_str()), None);
            let name = &booth.exhibitor;
            if let Some(first_hall) = placed_in.insert(name.as_str(), hall.id.as_str()) {
                placed_in.insert(name.as_str(), first_hall);
                problems.push(problem(
                    who,
                    LayoutRule::Duplicate,
                    format!("{name} is placed more than once (first in {first_hall})"),
                ));
            }
            let size_ok = |side: f32| side.is_finite() && side > 0.0 && side <= MAX_BOOTH_SIDE;
            if !booth.position.iter().all(|v| v.is_finite())
                || !size_ok(booth.footprint.width)
                || !size_ok(booth.footprint.depth)
            {
                problems.push(problem(
                    who,
                    LayoutRule::Booth,
                    format!(
                        "{name}: the booth's position or footprint is not a usable number of metres"
                    ),
                ));
                continue;
            }
            let obstacle = Obstacle {
                placement: booth.clone(),
                stage: None,
            };
            place(&obstacle, &mut problems);
            sound.push(obstacle);
        }
        for area in &hall.stages {
            let who = (None, Some(area.stage.as_str()));
            let label = area.label();
            let before = problems.len();
            if area.stage.trim().is_empty() {
                problems.push(problem(
                    who,
                    LayoutRule::Stage,
                    "a stage area has no stage id".into(),
                ));
            } else if let Some(first_hall) = staged_in.insert(area.stage.as_str(), hall.id.as_str())
            {
                staged_in.insert(area.stage.as_str(), first_hall);
                problems.push(problem(
                    who,
                    LayoutRule::Stage,
                    format!("{label} is placed more than once (first in {first_hall})"),
                ));
            }
            let is_desk = area.stage == CONTEST_DESK;
            if is_desk != (area.kind == StageAreaKind::Contest) {
                problems.push(problem(
                    who,
                    LayoutRule::Stage,
                    format!(
                        "{label}: only the stage id {CONTEST_DESK} is the contest desk, and the contest desk has the kind contest"
                    ),
                ));
            }
            let (min_width, max_width, min_depth, max_depth) = area.size_limits();
            let Footprint { width, depth } = area.footprint;
            if !area.position.iter().all(|v| v.is_finite()) {
                problems.push(problem(
                    who,
                    LayoutRule::Stage,
                    format!("{label}: the position is not a usable number of metres"),
                ));
            }
            if !(min_width..=max_width).contains(&width)
                || !(min_depth..=max_depth).contains(&depth)
            {
                problems.push(problem(
                    who,
                    LayoutRule::Stage,
                    format!(
                        "{label}: the platform is {width} m x {depth} m; it must be {min_width} to {max_width} m wide and {min_depth} to {max_depth} m deep"
                    ),
                ));
            }
            if problems.len() > before {
                continue;
            }
            let obstacle = Obstacle {
                placement: area.obstacle(),
                stage: Some(area),
            };
            place(&obstacle, &mut problems);
            sound.push(obstacle);
        }

        // An obstacle whose front is blocked is not also reported as unreachable.
        let mut front_blocked = vec![false; sound.len()];
        for (i, this) in sound.iter().enumerate() {
            let rect = this.placement.floor_rect();
            for other in &sound[..i] {
                let other_rect = other.placement.floor_rect();
                let both = [(this, other), (other, this)];
                match spacing(&rect, &other_rect) {
                    Spacing::Overlapping => {
                        for (a, b) in both {
                            problems.push(problem(
                                a.who(),
                                LayoutRule::Overlap,
                                format!(
                                    "{}: the {} overlaps {}",
                                    a.subject(),
                                    a.noun(),
                                    b.reference()
                                ),
                            ));
                        }
                    }
                    Spacing::Narrow { gap, between } => {
                        let filled: f32 = sound
                            .iter()
                            .filter(|c| !c.same(this) && !c.same(other))
                            .map(|c| c.placement.floor_rect().intersection_area(&between))
                            .sum();
                        if filled < between.area() * (1.0 - 1e-3) {
                            for (a, b) in both {
                                problems.push(problem(
                                    a.who(),
                                    LayoutRule::Aisle,
                                    format!(
                                        "{}: the aisle to {} is {gap:.1} m wide; booths and stages stand edge to edge or at least {AISLE} m apart",
                                        a.subject(),
                                        b.reference()
                                    ),
                                ));
                            }
                        }
                    }
                    Spacing::Touching | Spacing::Apart => {}
                }
            }
            let front = this.placement.front_strip(AISLE);
            let blocker = sound
                .iter()
                .find(|other| !other.same(this) && other.placement.floor_rect().overlaps(&front));
            if !floor.contains(&front) {
                front_blocked[i] = true;
                problems.push(problem(
                    this.who(),
                    LayoutRule::FrontBlocked,
                    format!(
                        "{}: {} faces the hall wall; leave {AISLE} m of floor in front of it",
                        this.subject(),
                        this.front()
                    ),
                ));
            } else if let Some(blocker) = blocker {
                front_blocked[i] = true;
                problems.push(problem(
                    this.who(),
                    LayoutRule::FrontBlocked,
                    format!(
                        "{}: {} faces {}; leave {AISLE} m of floor in front of it",
                        this.subject(),
                        this.front(),
                        blocker.reference()
                    ),
                ));
            }
        }

        if hall_is_sound {
            let placements: Vec<&BoothPlacement> = sound.iter().map(|o| &o.placement).collect();
            let grid = WalkGrid::new(hall, &placements);
            let reached = grid.reached_cells(hall);
            for (i, this) in sound.iter().enumerate() {
                if front_blocked[i] {
                    continue;
                }
                if !grid
                    .front_cells(&this.placement)
                    .iter()
                    .any(|&cell| reached[cell])
                {
                    let goal = match this.stage {
                        None => "the booth's open front",
                        Some(_) => "the far side of its audience floor",
                    };
                    problems.push(problem(
                        this.who(),
                        LayoutRule::Unreachable,
                        format!(
                            "{}: no walk of at least {} m wide leads from a doorway to {goal}",
                            this.subject(),
                            WALKER_CELLS as f32 * RASTER
                        ),
                    ));
                }
            }
        }
    }
    problems
}

/// How two booth rects stand to each other (see rule 6 of [`validate`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spacing {
    Overlapping,
    /// Touching, or flush on one axis so that no floor lies between them.
    Touching,
    /// Apart by `gap` metres, less than [`AISLE`], with `between` the floor between them.
    Narrow {
        gap: f32,
        between: Rect,
    },
    /// At least [`AISLE`] apart.
    Apart,
}

/// Classifies two rects by rule 6 of [`validate`].
pub fn spacing(a: &Rect, b: &Rect) -> Spacing {
    if a.overlaps(b) {
        return Spacing::Overlapping;
    }
    let dx = (b.x - a.max_x()).max(a.x - b.max_x());
    let dz = (b.z - a.max_z()).max(a.z - b.max_z());
    let gap = dx.max(dz);
    let apart = |d: f32| d > EPSILON;
    let sharing = |d: f32| d < -EPSILON;
    let facing = (apart(dx) && sharing(dz)) || (apart(dz) && sharing(dx));
    let diagonal = apart(dx) && apart(dz);
    if !(facing || diagonal) {
        return Spacing::Touching;
    }
    if gap >= AISLE - EPSILON {
        return Spacing::Apart;
    }
    // On each axis: the gap where they are apart, else the range they share.
    let range = |d: f32, a_lo: f32, a_hi: f32, b_lo: f32, b_hi: f32| {
        if apart(d) {
            if a_hi <= b_lo {
                (a_hi, b_lo)
            } else {
                (b_hi, a_lo)
            }
        } else {
            (a_lo.max(b_lo), a_hi.min(b_hi))
        }
    };
    let (x0, x1) = range(dx, a.x, a.max_x(), b.x, b.max_x());
    let (z0, z1) = range(dz, a.z, a.max_z(), b.z, b.max_z());
    Spacing::Narrow {
        gap,
        between: Rect::new(x0, z0, x1 - x0, z1 - z0),
    }
}

/// The hall floor as a raster of [`RASTER`] cells for the reachability rule.
struct WalkGrid {
    columns: usize,
    rows: usize,
    /// Row-major: `blocked[row * columns + column]`.
    blocked: Vec<bool>,
}

impl WalkGrid {
    /// Only for halls that passed the hall rules (so the raster has a bounded size).
    fn new(hall: &Hall, booths: &[&BoothPlacement]) -> WalkGrid {
        // Only whole cells: a sliver of floor along a wall is no use to a walker.
        let columns = ((hall.width + EPSILON) / RASTER).floor() as usize;
        let rows = ((hall.depth + EPSILON) / RASTER).floor() as usize;
        let mut grid = WalkGrid {
            columns,
            rows,
            blocked: vec![false; columns * rows],
        };
        for booth in booths {
            let (columns, rows) = grid.cells_overlapping(&booth.floor_rect());
            for row in rows {
                for column in columns.clone() {
                    grid.blocked[row * grid.columns + column] = true;
                }
            }
        }
        grid
    }

    /// The column and row ranges of the cells sharing area with `rect`.
    fn cells_overlapping(&self, rect: &Rect) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let span = |lo: f32, hi: f32, count: usize| {
            let first = ((lo + EPSILON) / RASTER).floor().max(0.0) as usize;
            let end = ((hi - EPSILON) / RASTER).ceil().max(0.0) as usize;
            first.min(count)..end.min(count)
        };
        (
            span(rect.x, rect.max_x(), self.columns),
            span(rect.z, rect.max_z(), self.rows),
        )
    }

    fn walker_fits(&self, column: usize, row: usize) -> bool {
        column + WALKER_CELLS <= self.columns
            && row + WALKER_CELLS <= self.rows
            && (row..row + WALKER_CELLS).all(|r| {
                (column..column + WALKER_CELLS).all(|c| !self.blocked[r * self.columns + c])
            })
    }

    /// Every cell a walker coming in through a doorway can stand on.
    fn reached_cells(&self, hall: &Hall) -> Vec<bool> {
        let mut visited = vec![false; self.columns * self.rows];
        let mut reached = vec![false; self.columns * self.rows];
        let mut queue = std::collections::VecDeque::new();
        for entrance in &hall.entrances {
            let (lo, hi) = (
                entrance.x - entrance.width / 2.0,
                entrance.x + entrance.width / 2.0,
            );
            // Row 0 of `visited` holds the walker positions along the entrance wall.
            for (column, seen) in visited[..self.columns].iter_mut().enumerate() {
                let x = column as f32 * RASTER;
                let inside = x >= lo - EPSILON && x + WALKER_CELLS as f32 * RASTER <= hi + EPSILON;
                if inside && !*seen && self.walker_fits(column, 0) {
                    *seen = true;
                    queue.push_back((column, 0));
                }
            }
        }
        while let Some((column, row)) = queue.pop_front() {
            for r in row..row + WALKER_CELLS {
                for c in column..column + WALKER_CELLS {
                    reached[r * self.columns + c] = true;
                }
            }
            let neighbours = [
                (column.checked_sub(1), Some(row)),
                (Some(column + 1), Some(row)),
                (Some(column), row.checked_sub(1)),
                (Some(column), Some(row + 1)),
            ];
            for (c, r) in neighbours {
                let (Some(c), Some(r)) = (c, r) else { continue };
                if c < self.columns && r < self.rows {
                    let index = r * self.columns + c;
                    if !visited[index] && self.walker_fits(c, r) {
                        visited[index] = true;
                        queue.push_back((c, r));
                    }
                }
            }
        }
        reached
    }

    /// Indices of the cells within one cell of the booth's open front, across its width.
    fn front_cells(&self, booth: &BoothPlacement) -> Vec<usize> {
        let (columns, rows) = self.cells_overlapping(&booth.front_strip(RASTER));
        rows.flat_map(|row| columns.clone().map(move |column| (row, column)))
            .map(|(row, column)| row * self.columns + column)
            .collect()
    }
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
        stages: Vec::new(),
        booths,
    }
}

/// How big a stage's platform is in [`forum_hall`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StageSize {
    /// A plenary stage (a thousand seats or more): 18 m x 6 m.
    Large,
    /// A forum room's stage: 12 m x 5 m.
    Medium,
    /// An online stage or a small room: 8 m x 4 m.
    Small,
}

impl StageSize {
    /// The platform, before rotation.
    pub fn footprint(self) -> Footprint {
        match self {
            StageSize::Large => Footprint::new(18.0, 6.0),
            StageSize::Medium => Footprint::new(12.0, 5.0),
            StageSize::Small => Footprint::new(8.0, 4.0),
        }
    }

    /// The size for a stage with this many seats (none: an online stage).
    pub fn for_capacity(capacity: Option<u32>) -> StageSize {
        match capacity {
            Some(seats) if seats >= 1000 => StageSize::Large,
            Some(_) => StageSize::Medium,
            None => StageSize::Small,
        }
    }
}

/// The contest desk's platform in [`forum_hall`].
pub const CONTEST_DESK_FOOTPRINT: Footprint = Footprint::new(4.0, 3.0);
/// The id of the hall [`forum_hall`] makes.
pub const FORUM_HALL: &str = "forum";
/// Width of the forum hall's doorway.
const FORUM_DOORWAY: f32 = 8.0;

/// A hall for the week's stages, `origin_x` metres along the row of halls: a stage area for
/// each of `stages` (programme stage id and size, in the order given) and the contest desk.
/// Stages stand in two rows whose audiences face each other across an [`AISLE`]: the back
/// row with its platforms against the back wall, the front row with its platforms against
/// the entrance wall left and right of the doorway's clear area (the contest desk last in
/// it). Neighbours in a row and the rows' ends stand an aisle apart, so every rule of
/// [`validate`] holds (the tests check it). Biggest stages are placed first, each in the
/// row that is shorter so far. Names and screens are filled in at publish.
pub fn forum_hall(stages: &[(&str, StageSize)], origin_x: f32) -> Hall {
    struct Item {
        stage: String,
        kind: StageAreaKind,
        footprint: Footprint,
    }
    let item = |stage: &str, kind, footprint| Item {
        stage: stage.to_owned(),
        kind,
        footprint,
    };
    let row_length = |row: &[Item], extra: f32| -> f32 {
        row.iter().map(|i| i.footprint.width + AISLE).sum::<f32>() + extra
    };
    let mut sorted: Vec<&(&str, StageSize)> = stages.iter().collect();
    // Stable: equal sizes keep the order given.
    sorted.sort_by_key(|(_, size)| match size {
        StageSize::Large => 0,
        StageSize::Medium => 1,
        StageSize::Small => 2,
    });
    let (mut back, mut front): (Vec<Item>, Vec<Item>) = (Vec::new(), Vec::new());
    for (id, size) in sorted {
        let stage = item(id, StageAreaKind::Stage, size.footprint());
        if row_length(&back, 0.0) <= row_length(&front, FORUM_DOORWAY + AISLE) {
            back.push(stage);
        } else {
            front.push(stage);
        }
    }
    front.push(item(
        CONTEST_DESK,
        StageAreaKind::Contest,
        CONTEST_DESK_FOOTPRINT,
    ));
    let taken = |row: &[Item]| {
        row.iter()
            .map(|i| {
                let area = StageArea {
                    stage: i.stage.clone(),
                    kind: i.kind,
                    position: [0.0, 0.0],
                    rotation: Rotation::FacingEntrance,
                    footprint: i.footprint,
                    name: String::new(),
                    screen_url: None,
                };
                i.footprint.depth + area.audience_depth()
            })
            .fold(0.0_f32, f32::max)
    };
    let (front_depth, back_depth) = (taken(&front), taken(&back));
    let depth = (front_depth + AISLE + back_depth).max(MIN_HALL_SIDE);

    let mut areas = Vec::new();
    let place = |item: &Item, x: f32, rotation: Rotation, z: f32| StageArea {
        stage: item.stage.clone(),
        kind: item.kind,
        position: [x + item.footprint.width / 2.0, z],
        rotation,
        footprint: item.footprint,
        name: String::new(),
        screen_url: None,
    };
    // Back row: platforms against the back wall, facing the entrance.
    let mut x = AISLE;
    for item in &back {
        areas.push(place(
            item,
            x,
            Rotation::FacingEntrance,
            depth - item.footprint.depth / 2.0,
        ));
        x += item.footprint.width + AISLE;
    }
    let back_end = x;
    // Front row: the first half left of the doorway, the rest right of it, facing the back.
    let left = front.len() / 2;
    let mut x = AISLE;
    let mut doorway = AISLE + FORUM_DOORWAY / 2.0;
    for (index, item) in front.iter().enumerate() {
        if index == left {
            doorway = x + FORUM_DOORWAY / 2.0;
            x += FORUM_DOORWAY + AISLE;
        }
        areas.push(place(
            item,
            x,
            Rotation::FacingBackWall,
            item.footprint.depth / 2.0,
        ));
        x += item.footprint.width + AISLE;
    }
    let width = back_end.max(x).max(MIN_HALL_SIDE);
    Hall {
        id: FORUM_HALL.into(),
        name: "Forum hall".into(),
        origin: [origin_x, 0.0],
        width,
        depth,
        entrances: vec![Entrance {
            x: doorway,
            width: FORUM_DOORWAY,
        }],
        sign_url: None,
        zones: Vec::new(),
        booths: Vec::new(),
        stages: areas,
    }
}

/// [`forum_hall`] for every stage of a programme (sized by its capacity), placed
/// [`HALL_GAP`] to the right of the rightmost of `halls`.
pub fn forum_hall_for(programme: &crate::programme::Programme, halls: &[Hall]) -> Hall {
    let stages: Vec<(&str, StageSize)> = programme
        .stages
        .iter()
        .map(|stage| (stage.id.as_str(), StageSize::for_capacity(stage.capacity)))
        .collect();
    let right = halls
        .iter()
        .map(|hall| hall.origin[0] + hall.width + HALL_GAP)
        .fold(0.0_f32, f32::max);
    forum_hall(&stages, right)
}

/// A booth [`place_newcomers`] added.
#[derive(Debug, Clone, PartialEq)]
pub struct NewcomerBooth {
    pub slug: String,
    /// The hall it stands in.
    pub hall: String,
    /// Its centre, hall-local `[x, z]`.
    pub position: [f32; 2],
    pub rotation: Rotation,
    /// True when it stands inside a zone of its topic.
    pub in_topic_zone: bool,
}

/// What [`place_newcomers`] did: the booths it added and who found no room.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewcomerPlacement {
    pub placed: Vec<NewcomerBooth>,
    /// Exhibitors no hall had room for (they stay without a booth).
    pub unplaced: Vec<String>,
}

/// How many candidate spots per hall get the full [`validate`] check before the hall counts
/// as full: bounds the work (a check floods the hall's raster once).
const MAX_FULL_CHECKS_PER_HALL: usize = 400;

/// Adds a booth for each entry without moving, turning or removing any booth already
/// placed, and without breaking a rule the halls kept before. An entry that already has a
/// booth is left as it is. Flagships go first, then bigger booths, then by slug (as in
/// [`arrange`]); each goes to the first hall with a zone of its topic that has room (inside
/// the zone if it can, else elsewhere in that hall), else to the first hall with room
/// (halls with stages last).
/// Among the free spots of a hall it prefers the zone, then spots touching another booth
/// (so rows grow), then the one nearest the entrance, then the leftmost. Spots are tried on
/// a [`RASTER`] grid in all four rotations. Deterministic.
pub fn place_newcomers(halls: &mut [Hall], entries: &[ArrangeEntry]) -> NewcomerPlacement {
    let mut entries: Vec<&ArrangeEntry> = entries.iter().collect();
    entries.sort_by(|a, b| b.tier.cmp(&a.tier).then_with(|| a.slug.cmp(&b.slug)));
    let mut outcome = NewcomerPlacement::default();
    for entry in entries {
        let already = halls
            .iter()
            .any(|hall| hall.booths.iter().any(|b| b.exhibitor == entry.slug));
        if already {
            continue;
        }
        let has_zone = |hall: &Hall| hall.zones.iter().any(|z| z.topic == entry.topic);
        let mut order: Vec<usize> = (0..halls.len()).filter(|&i| has_zone(&halls[i])).collect();
        order.extend(
            (0..halls.len()).filter(|&i| !has_zone(&halls[i]) && halls[i].stages.is_empty()),
        );
        // Halls with stages (the forum hall) only when no exhibition hall has room.
        order.extend(
            (0..halls.len()).filter(|&i| !has_zone(&halls[i]) && !halls[i].stages.is_empty()),
        );
        let found = order.into_iter().find_map(|index| {
            free_spot(&halls[index], entry).map(|(booth, in_zone)| (index, booth, in_zone))
        });
        match found {
            Some((index, booth, in_topic_zone)) => {
                outcome.placed.push(NewcomerBooth {
                    slug: entry.slug.clone(),
                    hall: halls[index].id.clone(),
                    position: booth.position,
                    rotation: booth.rotation,
                    in_topic_zone,
                });
                halls[index].booths.push(booth);
            }
            None => outcome.unplaced.push(entry.slug.clone()),
        }
    }
    outcome
}

/// The best free spot for `entry` in `hall` (see [`place_newcomers`]), and whether it lies
/// in a zone of the entry's topic.
fn free_spot(hall: &Hall, entry: &ArrangeEntry) -> Option<(BoothPlacement, bool)> {
    let footprint = entry.tier.footprint();
    let floor = hall.floor();
    let clearances = hall.entrance_clearances();
    let zones: Vec<Rect> = hall
        .zones
        .iter()
        .filter(|z| z.topic == entry.topic)
        .map(|z| z.area)
        .collect();
    let rects: Vec<Rect> = hall.booths.iter().map(BoothPlacement::floor_rect).collect();
    let fronts: Vec<Rect> = hall.booths.iter().map(|b| b.front_strip(AISLE)).collect();
    let steps = |length: f32, side: f32| ((length - side + EPSILON) / RASTER).floor();

    // (not in zone, not touching, z, x, rotation) sorts the best spot first.
    let mut candidates: Vec<((bool, bool, i64, i64, u8), BoothPlacement)> = Vec::new();
    for rotation in [
        Rotation::FacingEntrance,
        Rotation::FacingBackWall,
        Rotation::FacingLeftWall,
        Rotation::FacingRightWall,
    ] {
        let (width, depth) = match rotation.quarter_turns() % 2 {
            0 => (footprint.width, footprint.depth),
            _ => (footprint.depth, footprint.width),
        };
        let (columns, rows) = (steps(hall.width, width), steps(hall.depth, depth));
        if !(columns >= 0.0 && rows >= 0.0) {
            continue;
        }
        for row in 0..=rows as i64 {
            for column in 0..=columns as i64 {
                let rect = Rect::new(column as f32 * RASTER, row as f32 * RASTER, width, depth);
                let booth = BoothPlacement {
                    exhibitor: entry.slug.clone(),
                    position: rect.centre(),
                    rotation,
                    footprint,
                };
                let front = booth.front_strip(AISLE);
                let fits = floor.contains(&rect)
                    && floor.contains(&front)
                    && !clearances.iter().any(|c| c.overlaps(&rect))
                    && !rects.iter().any(|other| {
                        other.overlaps(&front)
                            || matches!(
                                spacing(&rect, other),
                                Spacing::Overlapping | Spacing::Narrow { .. }
                            )
                    })
                    && !fronts.iter().any(|f| f.overlaps(&rect));
                if !fits {
                    continue;
                }
                let in_zone = zones.iter().any(|zone| zone.contains(&rect));
                let touching = rects
                    .iter()
                    .any(|other| rect.expanded(EPSILON * 10.0).overlaps(other));
                let key = (!in_zone, !touching, row, column, rotation.quarter_turns());
                candidates.push((key, booth));
            }
        }
    }
    candidates.sort_by_key(|a| a.0);

    let before = validate(std::slice::from_ref(hall));
    candidates
        .into_iter()
        .take(MAX_FULL_CHECKS_PER_HALL)
        .find_map(|(key, booth)| {
            let mut trial = hall.clone();
            trial.booths.push(booth.clone());
            let after = validate(std::slice::from_ref(&trial));
            after
                .iter()
                .all(|problem| before.contains(problem))
                .then_some((booth, !key.0))
        })
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

    /// A 24 m x 30 m hall with one 8 m doorway in the middle and the given booths.
    fn hall_with(booths: Vec<BoothPlacement>) -> Vec<Hall> {
        vec![Hall {
            id: "test-hall".into(),
            name: "Test hall".into(),
            origin: [0.0, 0.0],
            width: 24.0,
            depth: 30.0,
            entrances: vec![Entrance {
                x: 12.0,
                width: 8.0,
            }],
            sign_url: None,
            zones: vec![],
            stages: Vec::new(),
            booths,
        }]
    }

    fn standard(name: &str, x: f32, z: f32, rotation: Rotation) -> BoothPlacement {
        BoothPlacement {
            exhibitor: name.into(),
            position: [x, z],
            rotation,
            footprint: BoothTier::Standard.footprint(),
        }
    }

    fn rules_of(halls: &[Hall], who: &str) -> Vec<LayoutRule> {
        validate(halls)
            .into_iter()
            .filter(|p| p.exhibitor.as_deref() == Some(who))
            .map(|p| p.rule)
            .collect()
    }

    #[test]
    fn neighbours_in_a_row_and_back_to_back_rows_are_fine() {
        use Rotation::{FacingBackWall as Back, FacingEntrance as Front};
        let halls = hall_with(vec![
            standard("a", 5.5, 13.5, Front),
            standard("b", 8.5, 13.5, Front),
            standard("c", 11.5, 13.5, Front),
            standard("d", 5.5, 16.5, Back),
            // offset against c: flush on z, 3 m apart on x, no floor between them
            standard("e", 14.5, 16.5, Back),
        ]);
        assert_eq!(validate(&halls), vec![]);
    }

    #[test]
    fn narrow_aisles_are_named_for_both_booths() {
        use Rotation::FacingEntrance as Front;
        // facing each other across a 2 m corridor along x
        let halls = hall_with(vec![
            standard("a", 5.5, 13.5, Front),
            standard("b", 10.5, 13.5, Front),
        ]);
        let problems = validate(&halls);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().all(|p| p.rule == LayoutRule::Aisle));
        assert!(problems[0].message.contains("2.0 m wide"), "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.message.starts_with("b: the aisle to the booth of a"))
        );
        // diagonal, 2 m apart on both axes
        let halls = hall_with(vec![
            standard("a", 5.5, 13.5, Front),
            standard("b", 10.5, 18.5, Front),
        ]);
        assert!(rules_of(&halls, "a").contains(&LayoutRule::Aisle));
        // exactly an aisle apart
        let halls = hall_with(vec![
            standard("a", 5.5, 13.5, Front),
            standard("b", 12.5, 13.5, Front),
        ]);
        assert_eq!(validate(&halls), vec![]);
    }

    #[test]
    fn a_gap_filled_by_a_row_neighbour_is_no_aisle() {
        use Rotation::FacingEntrance as Front;
        let halls = hall_with(vec![
            standard("a", 5.5, 13.5, Front),
            standard("b", 8.5, 13.5, Front),
            standard("c", 11.5, 13.5, Front),
        ]);
        assert_eq!(validate(&halls), vec![]);
        // take b away and a and c stand 3 m apart
        let mut halls = halls;
        halls[0].booths.remove(1);
        assert_eq!(rules_of(&halls, "c"), vec![LayoutRule::Aisle]);
    }

    #[test]
    fn an_open_front_needs_floor_in_front_of_it() {
        use Rotation::{FacingBackWall as Back, FacingEntrance as Front};
        // b stands with its back to a's open front
        let halls = hall_with(vec![
            standard("a", 5.5, 16.5, Back),
            standard("b", 5.5, 19.5, Back),
        ]);
        assert_eq!(rules_of(&halls, "a"), vec![LayoutRule::FrontBlocked]);
        assert!(rules_of(&halls, "b").is_empty());
        // facing the back wall 2 m away
        let halls = hall_with(vec![standard("c", 5.5, 26.5, Back)]);
        let problems = validate(&halls);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].rule, LayoutRule::FrontBlocked);
        assert!(
            problems[0]
                .message
                .starts_with("c: the open front faces the hall wall")
        );
        // the same booth turned round is fine
        let halls = hall_with(vec![standard("c", 5.5, 26.5, Front)]);
        assert_eq!(validate(&halls), vec![]);
    }

    #[test]
    fn a_booth_behind_a_wall_of_booths_is_unreachable() {
        use Rotation::{FacingBackWall as Back, FacingEntrance as Front};
        let mut booths: Vec<BoothPlacement> = (0..8)
            .map(|i| standard(&format!("wall-{i}"), 1.5 + 3.0 * i as f32, 13.5, Front))
            .collect();
        booths.push(standard("hidden", 4.5, 16.5, Back));
        let halls = hall_with(booths);
        let problems = validate(&halls);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].rule, LayoutRule::Unreachable);
        assert_eq!(problems[0].exhibitor.as_deref(), Some("hidden"));
        assert!(problems[0].message.starts_with("hidden: no walk"));
        // open one gap of an aisle in the wall and it can be reached
        let mut halls = halls;
        halls[0]
            .booths
            .retain(|b| b.exhibitor != "wall-5" && b.exhibitor != "wall-6");
        assert_eq!(validate(&halls), vec![]);
    }

    #[test]
    fn halls_need_a_sane_size_and_a_doorway() {
        let mut halls = hall_with(vec![]);
        halls[0].entrances.clear();
        halls[0].width = 1.0e9;
        let rules: Vec<LayoutRule> = validate(&halls).into_iter().map(|p| p.rule).collect();
        assert_eq!(rules, vec![LayoutRule::Hall, LayoutRule::Hall]);
        let mut halls = hall_with(vec![standard(
            "a",
            f32::NAN,
            13.5,
            Rotation::FacingEntrance,
        )]);
        halls[0].entrances[0].width = 1.0;
        let rules: Vec<LayoutRule> = validate(&halls).into_iter().map(|p| p.rule).collect();
        assert_eq!(rules, vec![LayoutRule::Doorway, LayoutRule::Booth]);
        let twice = [hall_with(vec![]), hall_with(vec![])].concat();
        assert_eq!(
            validate(&twice)[0].message,
            "the hall id test-hall is used twice"
        );
    }

    fn stage_area(id: &str, x: f32, z: f32, rotation: Rotation, size: Footprint) -> StageArea {
        StageArea {
            stage: id.into(),
            kind: if id == CONTEST_DESK {
                StageAreaKind::Contest
            } else {
                StageAreaKind::Stage
            },
            position: [x, z],
            rotation,
            footprint: size,
            name: String::new(),
            screen_url: None,
        }
    }

    /// The test hall with a 10 m x 4 m stage at the back facing the doorway (audience floor
    /// z 17 to 25) and the contest desk by the left wall facing into the hall.
    fn hall_with_stages(booths: Vec<BoothPlacement>) -> Vec<Hall> {
        let mut halls = hall_with(booths);
        halls[0].stages = vec![
            stage_area(
                "room-a",
                12.0,
                27.0,
                Rotation::FacingEntrance,
                Footprint::new(10.0, 4.0),
            ),
            stage_area(
                CONTEST_DESK,
                2.0,
                11.0,
                Rotation::FacingRightWall,
                Footprint::new(3.0, 3.0),
            ),
        ];
        halls
    }

    fn stage_problems(halls: &[Hall], stage: &str) -> Vec<(LayoutRule, String)> {
        validate(halls)
            .into_iter()
            .filter(|p| p.stage.as_deref() == Some(stage))
            .map(|p| (p.rule, p.message))
            .collect()
    }

    #[test]
    fn stage_areas_with_their_audience_floor_are_fine() {
        let halls = hall_with_stages(vec![standard("a", 21.5, 10.5, Rotation::FacingEntrance)]);
        assert_eq!(validate(&halls), vec![]);
        let desk = &halls[0].stages[1];
        assert_eq!(desk.obstacle().floor_rect(), Rect::new(0.5, 9.5, 7.0, 3.0));
        let stage = &halls[0].stages[0];
        assert_eq!(
            stage.obstacle().floor_rect(),
            Rect::new(7.0, 17.0, 10.0, 12.0)
        );
        assert_eq!(
            stage.obstacle().front_strip(AISLE),
            Rect::new(7.0, 13.0, 10.0, 4.0)
        );
    }

    #[test]
    fn a_booth_on_the_audience_floor_overlaps_the_stage() {
        let halls = hall_with_stages(vec![standard("a", 12.0, 21.0, Rotation::FacingEntrance)]);
        let problems = validate(&halls);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages.contains(&"a: the booth overlaps stage room-a"),
            "{messages:?}"
        );
        assert!(
            messages.contains(
                &"stage room-a: the stage with its audience floor overlaps the booth of a"
            ),
            "{messages:?}"
        );
        let of_stage = problems
            .iter()
            .find(|p| p.stage.as_deref() == Some("room-a"))
            .unwrap();
        assert_eq!(of_stage.exhibitor, None);
        assert_eq!(of_stage.rule, LayoutRule::Overlap);
        // a booth 2 m beside the audience floor leaves too narrow an aisle
        let halls = hall_with_stages(vec![standard("b", 20.5, 21.0, Rotation::FacingRightWall)]);
        assert!(
            stage_problems(&halls, "room-a")
                .iter()
                .any(|(rule, message)| *rule == LayoutRule::Aisle
                    && message.starts_with("stage room-a: the aisle to the booth of b is 2.0 m")),
            "{:?}",
            validate(&halls)
        );
    }

    #[test]
    fn stage_ids_sizes_and_kinds_are_checked() {
        let mut halls = hall_with_stages(vec![]);
        let mut twice = halls[0].stages[0].clone();
        twice.position = [12.0, 40.0];
        halls[0].stages.push(twice);
        let problems = stage_problems(&halls, "room-a");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].0, LayoutRule::Stage);
        assert_eq!(
            problems[0].1,
            "stage room-a is placed more than once (first in test-hall)"
        );

        let mut halls = hall_with_stages(vec![]);
        halls[0].stages[0].stage = " ".into();
        halls[0].stages[1].footprint = Footprint::new(12.0, 3.0);
        let rules: Vec<LayoutRule> = validate(&halls).into_iter().map(|p| p.rule).collect();
        assert_eq!(rules, vec![LayoutRule::Stage, LayoutRule::Stage]);
        assert_eq!(
            stage_problems(&halls, CONTEST_DESK)[0].1,
            "the contest desk: the platform is 12 m x 3 m; it must be 3 to 10 m wide and 3 to 10 m deep"
        );

        for (width, depth) in [
            (5.0, 4.0),
            (31.0, 4.0),
            (10.0, 2.0),
            (10.0, 16.0),
            (f32::NAN, 4.0),
        ] {
            let mut halls = hall_with_stages(vec![]);
            halls[0].stages[0].footprint = Footprint::new(width, depth);
            let problems = stage_problems(&halls, "room-a");
            assert_eq!(problems.len(), 1, "{width} x {depth}: {problems:?}");
            assert_eq!(problems[0].0, LayoutRule::Stage);
        }
        let mut halls = hall_with_stages(vec![]);
        halls[0].stages[0].kind = StageAreaKind::Contest;
        halls[0].stages[0].footprint = Footprint::new(6.0, 4.0);
        halls[0].stages[1].kind = StageAreaKind::Stage;
        halls[0].stages[1].position = [f32::INFINITY, 0.0];
        let problems = validate(&halls);
        assert!(
            problems.iter().all(|p| p.rule == LayoutRule::Stage),
            "{problems:?}"
        );
        // the kinds swapped, the desk's position and its size as a stage
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].message.contains("only the stage id contest"));
    }

    #[test]
    fn stage_areas_keep_the_floor_rules() {
        use Rotation::{FacingBackWall as Back, FacingEntrance as Front};
        // the audience floor would reach through the back wall
        let mut halls = hall_with_stages(vec![]);
        halls[0].stages[0].rotation = Back;
        assert_eq!(
            stage_problems(&halls, "room-a"),
            vec![(
                LayoutRule::OutsideHall,
                "stage room-a: the stage with its audience floor at (12.0, 27.0) reaches outside the hall's 24 m x 30 m floor".to_string()
            ), (
                LayoutRule::FrontBlocked,
                "stage room-a: the far side of the audience floor faces the hall wall; leave 4 m of floor in front of it".to_string()
            )]
        );
        // in the doorway
        let mut halls = hall_with_stages(vec![]);
        halls[0].stages.truncate(1);
        halls[0].stages[0].position = [12.0, 5.0];
        halls[0].stages[0].rotation = Back;
        let rules: Vec<LayoutRule> = stage_problems(&halls, "room-a")
            .into_iter()
            .map(|(rule, _)| rule)
            .collect();
        assert_eq!(rules, vec![LayoutRule::DoorwayBlocked]);
        // a booth right behind the audience: the audience floor needs an aisle beyond it
        let halls = hall_with_stages(vec![standard("a", 12.0, 15.5, Front)]);
        assert_eq!(
            stage_problems(&halls, "room-a"),
            vec![(
                LayoutRule::FrontBlocked,
                "stage room-a: the far side of the audience floor faces the booth of a; leave 4 m of floor in front of it".to_string()
            )]
        );
        // the contest desk's own front
        let halls = hall_with_stages(vec![standard("b", 9.0, 11.0, Front)]);
        assert!(
            stage_problems(&halls, CONTEST_DESK)
                .iter()
                .any(|(rule, message)| *rule == LayoutRule::FrontBlocked
                    && message.starts_with("the contest desk: the far side")),
            "{:?}",
            validate(&halls)
        );
    }

    #[test]
    fn a_stage_behind_a_wall_of_booths_is_unreachable() {
        use Rotation::{FacingBackWall as Back, FacingEntrance as Front};
        let booths: Vec<BoothPlacement> = (0..8)
            .map(|i| standard(&format!("wall-{i}"), 1.5 + 3.0 * i as f32, 10.5, Front))
            .collect();
        let mut halls = hall_with(booths);
        halls[0].stages = vec![stage_area(
            "room-b",
            12.0,
            14.0,
            Back,
            Footprint::new(10.0, 4.0),
        )];
        assert_eq!(
            validate(&halls),
            vec![LayoutProblem {
                hall: "test-hall".into(),
                exhibitor: None,
                stage: Some("room-b".into()),
                rule: LayoutRule::Unreachable,
                message: "stage room-b: no walk of at least 1 m wide leads from a doorway to the far side of its audience floor".into(),
            }]
        );
        // two booths out of the wall open a way round
        halls[0]
            .booths
            .retain(|b| b.exhibitor != "wall-0" && b.exhibitor != "wall-1");
        assert_eq!(validate(&halls), vec![]);
    }

    #[test]
    fn the_forum_hall_keeps_every_rule() {
        use StageSize::{Large, Medium, Small};
        let seed = [
            ("main-hall", Large),
            ("room-a", Medium),
            ("room-b", Medium),
            ("evening-stage", Large),
            ("webcast-room", Small),
            ("virtual-classroom", Small),
        ];
        let hall = forum_hall(&seed, 100.0);
        assert_eq!(validate(std::slice::from_ref(&hall)), vec![]);
        assert_eq!(hall.id, FORUM_HALL);
        assert_eq!(hall.origin, [100.0, 0.0]);
        let ids: Vec<&str> = hall.stages.iter().map(|s| s.stage.as_str()).collect();
        assert_eq!(ids.len(), 7);
        for (id, _) in seed {
            assert!(ids.contains(&id), "{ids:?}");
        }
        let desk = hall
            .stages
            .iter()
            .find(|s| s.stage == CONTEST_DESK)
            .unwrap();
        assert_eq!(desk.kind, StageAreaKind::Contest);
        assert!(
            hall.width <= 80.0 && hall.depth <= 40.0,
            "{} x {}",
            hall.width,
            hall.depth
        );
        // beside the exhibition halls of an arrangement, the whole layout still holds
        let mut halls = arrange(&entries(50));
        let right = halls
            .iter()
            .map(|h| h.origin[0] + h.width)
            .fold(0.0, f32::max);
        halls.push(forum_hall(&seed, right + HALL_GAP));
        assert_eq!(validate(&halls), vec![]);
        // any number of stages of any sizes
        for count in 0..10 {
            let sizes = [Large, Medium, Small];
            let names: Vec<String> = (0..count).map(|i| format!("stage-{i}")).collect();
            let stages: Vec<(&str, StageSize)> = names
                .iter()
                .enumerate()
                .map(|(i, name)| (name.as_str(), sizes[(i * 7 + count) % 3]))
                .collect();
            let hall = forum_hall(&stages, 0.0);
            assert_eq!(validate(std::slice::from_ref(&hall)), vec![], "{count}");
            assert_eq!(hall.stages.len(), count + 1);
        }
    }

    #[test]
    fn rotation_turns_wrap_both_ways() {
        assert_eq!(Rotation::FacingEntrance.turned(1), Rotation::FacingLeftWall);
        assert_eq!(
            Rotation::FacingEntrance.turned(-1),
            Rotation::FacingRightWall
        );
        assert_eq!(
            Rotation::FacingRightWall.turned(1),
            Rotation::FacingEntrance
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn entries() -> impl Strategy<Value = Vec<ArrangeEntry>> {
        prop::collection::vec((0..Topic::ALL.len(), 0..BoothTier::ALL.len()), 0..160).prop_map(
            |picks| {
                picks
                    .into_iter()
                    .enumerate()
                    .map(|(i, (topic, tier))| ArrangeEntry {
                        slug: format!("exhibitor-{i}"),
                        topic: Topic::ALL[topic],
                        tier: BoothTier::ALL[tier],
                    })
                    .collect()
            },
        )
    }

    fn any_rotation() -> impl Strategy<Value = Rotation> {
        (0u8..4).prop_map(|turns| Rotation::try_from(turns).expect("0 to 3"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_arrangement_is_valid_and_complete(entries in entries()) {
            let halls = arrange(&entries);
            prop_assert_eq!(validate(&halls), vec![]);
            let placed: usize = halls.iter().map(|h| h.booths.len()).sum();
            prop_assert_eq!(placed, entries.len());
            for hall in &halls {
                for booth in &hall.booths {
                    let entry = entries.iter().find(|e| e.slug == booth.exhibitor).unwrap();
                    prop_assert_eq!(booth.footprint, entry.tier.footprint());
                    if entry.tier == BoothTier::Flagship {
                        // an island: nothing within an aisle on any side
                        let surround = booth.floor_rect().expanded(AISLE - 2.0 * EPSILON);
                        prop_assert!(hall.booths.iter().all(|other| other.exhibitor == booth.exhibitor
                            || !surround.overlaps(&other.floor_rect())));
                    }
                }
            }
        }

        #[test]
        fn moving_a_booth_onto_another_is_an_overlap(
            entries in entries().prop_filter("two booths", |e| e.len() >= 2),
            pick in any::<(prop::sample::Index, prop::sample::Index)>(),
            rotation in any_rotation(),
        ) {
            let mut halls = arrange(&entries);
            let all: Vec<(usize, usize)> = halls
                .iter()
                .enumerate()
                .flat_map(|(h, hall)| (0..hall.booths.len()).map(move |b| (h, b)))
                .collect();
            let moved = pick.0.get(&all);
            let target = pick.1.get(&all);
            prop_assume!(moved != target);
            let (target_hall, target_booth) = *target;
            let destination = halls[target_hall].booths[target_booth].clone();
            let mut booth = halls[moved.0].booths.remove(moved.1);
            booth.position = destination.position;
            booth.rotation = rotation;
            let name = booth.exhibitor.clone();
            halls[target_hall].booths.push(booth);
            let problems = validate(&halls);
            prop_assert!(problems.iter().any(|p| p.rule == LayoutRule::Overlap
                && p.exhibitor.as_deref() == Some(name.as_str())
                && p.message.contains(&destination.exhibitor)), "{:?}", problems);
        }

        #[test]
        fn rotation_round_trips(
            rotation in any_rotation(),
            turns in -12i32..12,
            x in 0.0f32..100.0,
            z in 0.0f32..100.0,
            tier in 0..BoothTier::ALL.len(),
        ) {
            prop_assert_eq!(rotation.turned(turns).turned(-turns), rotation);
            prop_assert_eq!(rotation.turned(4 * turns), rotation);
            prop_assert_eq!(Rotation::try_from(u8::from(rotation)), Ok(rotation));
            let json = serde_json::to_string(&rotation).unwrap();
            prop_assert_eq!(serde_json::from_str::<Rotation>(&json).unwrap(), rotation);

            let booth = BoothPlacement {
                exhibitor: "turning".into(),
                position: [x, z],
                rotation,
                footprint: BoothTier::ALL[tier].footprint(),
            };
            let rect = booth.floor_rect();
            let turned = BoothPlacement { rotation: rotation.turned(1), ..booth.clone() };
            let turned_rect = turned.floor_rect();
            prop_assert!((turned_rect.width - rect.depth).abs() < 1e-4);
            prop_assert!((turned_rect.depth - rect.width).abs() < 1e-4);
            prop_assert!((turned_rect.area() - rect.area()).abs() < 1e-3);
            let half = BoothPlacement { rotation: rotation.turned(2), ..booth.clone() };
            prop_assert_eq!(half.floor_rect(), rect);
            // the front strip always lies against the edge the front faces
            let front = booth.front_strip(AISLE);
            prop_assert!(!front.overlaps(&rect));
            let [fx, fz] = rotation.front_direction();
            let [cx, cz] = front.centre();
            let [bx, bz] = rect.centre();
            prop_assert!((cx - bx) * fx + (cz - bz) * fz > 0.0);
        }
    }
}

#[cfg(test)]
mod newcomer_tests {
    use super::*;

    fn entry(slug: &str, topic: Topic, tier: BoothTier) -> ArrangeEntry {
        ArrangeEntry {
            slug: slug.into(),
            topic,
            tier,
        }
    }

    fn some_exhibitors() -> Vec<ArrangeEntry> {
        (0..40)
            .map(|i| {
                entry(
                    &format!("company-{i:02}"),
                    Topic::ALL[i % 5],
                    BoothTier::ALL[i % 3],
                )
            })
            .collect()
    }

    #[test]
    fn newcomers_join_without_moving_anyone_and_keep_every_rule() {
        let mut halls = arrange(&some_exhibitors());
        let before = halls.clone();
        let newcomers = [
            entry("late-flagship", Topic::ALL[1], BoothTier::Flagship),
            entry("late-standard", Topic::ALL[2], BoothTier::Standard),
            entry("late-premium", Topic::ALL[15], BoothTier::Premium),
            // already placed: left alone
            entry("company-00", Topic::ALL[0], BoothTier::Standard),
        ];
        let outcome = place_newcomers(&mut halls, &newcomers);
        assert_eq!(outcome.unplaced, Vec::<String>::new());
        let slugs: Vec<&str> = outcome.placed.iter().map(|b| b.slug.as_str()).collect();
        assert_eq!(slugs, ["late-flagship", "late-premium", "late-standard"]);
        assert_eq!(validate(&halls), vec![]);
        for (old, new) in before.iter().zip(&halls) {
            assert_eq!(old.booths[..], new.booths[..old.booths.len()], "{}", old.id);
            assert_eq!(old.zones, new.zones);
        }
        let standard = outcome
            .placed
            .iter()
            .find(|b| b.slug == "late-standard")
            .unwrap();
        assert!(standard.in_topic_zone, "{standard:?}");
        // deterministic
        let mut again = before.clone();
        assert_eq!(place_newcomers(&mut again, &newcomers), outcome);
    }

    #[test]
    fn newcomers_go_to_the_forum_hall_only_when_no_exhibition_hall_has_room() {
        let mut halls = vec![forum_hall(&[("room-a", StageSize::Medium)], 0.0)];
        let forum_width = halls[0].width;
        halls[0].width += 40.0; // room for booths beside the stages
        halls.push(Hall {
            id: "hall-1".into(),
            name: "Hall 1".into(),
            origin: [forum_width + 40.0 + HALL_GAP, 0.0],
            width: 30.0,
            depth: 30.0,
            entrances: vec![Entrance {
                x: 15.0,
                width: 8.0,
            }],
            sign_url: None,
            zones: Vec::new(),
            stages: Vec::new(),
            booths: Vec::new(),
        });
        let outcome = place_newcomers(
            &mut halls,
            &[entry("newcomer", Topic::ALL[0], BoothTier::Standard)],
        );
        assert_eq!(outcome.placed[0].hall, "hall-1");
        assert_eq!(validate(&halls), vec![]);
        // with no exhibition hall, the forum hall takes it, clear of its stages
        halls.pop();
        let outcome = place_newcomers(
            &mut halls,
            &[entry("late", Topic::ALL[0], BoothTier::Standard)],
        );
        assert_eq!(outcome.placed[0].hall, FORUM_HALL);
        assert_eq!(validate(&halls), vec![]);
    }

    #[test]
    fn a_hall_without_room_leaves_the_newcomer_unplaced() {
        let mut halls = vec![Hall {
            id: "tiny".into(),
            name: "Tiny".into(),
            origin: [0.0, 0.0],
            width: 10.0,
            depth: 10.0,
            entrances: vec![Entrance { x: 5.0, width: 8.0 }],
            sign_url: None,
            zones: Vec::new(),
            stages: Vec::new(),
            booths: Vec::new(),
        }];
        let outcome = place_newcomers(
            &mut halls,
            &[entry("no-room", Topic::ALL[0], BoothTier::Flagship)],
        );
        assert_eq!(outcome.placed, vec![]);
        assert_eq!(outcome.unplaced, ["no-room"]);
        assert!(halls[0].booths.is_empty());
    }
}
