//! Booths drawn by cells. The hall floor is cut into square cells; each cell gets one
//! vertex-coloured mesh holding the solid parts of all its booths (floors, walls, fascia
//! boards, counters in their colours): one draw for a dozen booths. The booths' pictures
//! (fascia, name plate, logo, screen) are merged per material over the whole cell, so booths
//! whose art shares an atlas page cost two draws together (the page opaque, and its logos
//! blended), and a booth's own entity carries only its model; both are shown while the
//! visitor is near the cell and hidden beyond, where they would be too small to read. A hall
//! of a thousand booths then costs a draw per cell in view plus a few per cell close by.
//! Clicks on a cell's block select the booth whose floor was hit.

use std::collections::BTreeMap;

use bevy::picking::Pickable;
use bevy::prelude::*;
use pavilion_model::Rect;

use super::kit::{Kit, Part};
use crate::screen::Screen;
use crate::walk::Visitor;

/// The side of a cell, in metres.
pub const CELL_SIZE: f32 = 16.0;
/// A cell shows its booths' pictures while the visitor is within this distance of the cell's
/// booths (measured to the nearest point of their floors).
pub const DETAIL_DISTANCE: f32 = 34.0;
/// Cells farther than this from the visitor are not drawn at all: at that distance a booth is
/// a few pixels wide, and a hall of a thousand booths would otherwise draw every cell in the
/// view, including those behind the halls' walls.
pub const DRAW_DISTANCE: f32 = 90.0;
/// Once shown, a cell's pictures stay until the visitor is this much farther, so that walking
/// along the edge does not flip it back and forth.
const HYSTERESIS: f32 = 3.0;

/// A solid part of a booth as the far block shows it, in the booth's own coordinates.
#[derive(Debug, Clone)]
pub struct FarPart {
    pub mesh: Handle<Mesh>,
    pub transform: Transform,
    pub colour: [u8; 3],
}

/// One booth as its cell's block needs it.
#[derive(Debug, Clone)]
pub struct FarBooth {
    /// The booth's root entity, shown in detail or hidden.
    pub entity: Entity,
    /// The booth root's placement in the world.
    pub transform: Transform,
    /// The booth's floor in world x/z.
    pub floor: Rect,
    pub parts: Vec<FarPart>,
    /// The booth's pictures, in the booth's own coordinates.
    pub pictures: Vec<Part>,
}

/// A cell's block: the solid parts of its booths, always drawn; the booths' pictures are
/// shown while the visitor is near.
#[derive(Component, Debug, Clone)]
pub struct FarBlock {
    /// The cell's booths.
    pub booths: Vec<Entity>,
    /// Each booth's floor (world x/z), in the order of `booths`.
    pub floors: Vec<Rect>,
    /// The cell's pictures, one entity per material (children of the block, so a click on
    /// one selects the booth under it like a click on the block).
    pub pictures: Vec<Entity>,
    /// The smallest rectangle around the booths' floors (world x/z).
    pub area: Rect,
    /// Whether the booths' pictures are shown now; `None` until first decided.
    pub detailed: Option<bool>,
    /// Whether the cell is drawn at all now (within [`DRAW_DISTANCE`]); `None` until decided.
    pub drawn: Option<bool>,
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, switch_detail.run_if(in_state(Screen::Hall)));
}

/// Groups the booths by cell and spawns one block per cell. The booths' pictures start hidden;
/// [`switch_detail`] shows those near the visitor before the first frame is drawn.
pub fn spawn_far_blocks(commands: &mut Commands, kit: &mut Kit, booths: Vec<FarBooth>) {
    let mut cells: BTreeMap<(i32, i32), Vec<FarBooth>> = BTreeMap::new();
    for booth in booths {
        let [x, z] = booth.floor.centre();
        let key = (
            (x / CELL_SIZE).floor() as i32,
            (z / CELL_SIZE).floor() as i32,
        );
        cells.entry(key).or_default().push(booth);
    }
    let material = kit.baked();
    for cell in cells.into_values() {
        let parts: Vec<(Handle<Mesh>, Transform, [u8; 3])> = cell
            .iter()
            .flat_map(|booth| {
                booth
                    .parts
                    .iter()
                    .map(|p| (p.mesh.clone(), booth.transform * p.transform, p.colour))
            })
            .collect();
        let pictures: Vec<Part> = cell
            .iter()
            .flat_map(|booth| {
                booth.pictures.iter().map(|p| Part {
                    mesh: p.mesh.clone(),
                    material: p.material.clone(),
                    transform: booth.transform * p.transform,
                })
            })
            .collect();
        let pictures = kit.merge_by_material(pictures);
        let area = cell
            .iter()
            .map(|b| b.floor)
            .reduce(|a, b| union(&a, &b))
            .expect("a cell has a booth");
        let mut block = commands.spawn((
            Name::new("booth cell"),
            Transform::IDENTITY,
            Visibility::default(),
            Pickable::default(),
            DespawnOnExit(Screen::Hall),
        ));
        if let Some(mesh) = kit.baked_merge(&parts) {
            block.insert((Mesh3d(mesh), MeshMaterial3d(material.clone())));
        }
        let mut spawned = Vec::with_capacity(pictures.len());
        block.with_children(|cell| {
            for part in pictures {
                let picture = cell.spawn((
                    Mesh3d(part.mesh),
                    MeshMaterial3d(part.material),
                    part.transform,
                    // Shown while the visitor is near (see `switch_detail`).
                    Visibility::Hidden,
                    Pickable::default(),
                ));
                spawned.push(picture.id());
            }
        });
        block.insert(FarBlock {
            booths: cell.iter().map(|b| b.entity).collect(),
            floors: cell.iter().map(|b| b.floor).collect(),
            pictures: spawned,
            area,
            detailed: None,
            drawn: None,
        });
    }
}

fn union(a: &Rect, b: &Rect) -> Rect {
    let x = a.x.min(b.x);
    let z = a.z.min(b.z);
    Rect::new(
        x,
        z,
        (a.x + a.width).max(b.x + b.width) - x,
        (a.z + a.depth).max(b.z + b.depth) - z,
    )
}

/// Distance on the floor from `point` to the nearest point of `rect` (0 inside it).
pub fn distance_to(rect: &Rect, point: Vec2) -> f32 {
    let dx = (rect.x - point.x)
        .max(point.x - (rect.x + rect.width))
        .max(0.0);
    let dz = (rect.z - point.y)
        .max(point.y - (rect.z + rect.depth))
        .max(0.0);
    Vec2::new(dx, dz).length()
}

impl FarBlock {
    /// The booth whose floor holds `point` (world x/z), give or take `margin` metres.
    pub fn booth_at(&self, point: Vec2, margin: f32) -> Option<Entity> {
        self.floors
            .iter()
            .position(|floor| distance_to(floor, point) <= margin)
            .map(|i| self.booths[i])
    }
}

/// Shows the pictures of the booths in the cells near the visitor and hides the others', and
/// stops drawing the cells beyond [`DRAW_DISTANCE`].
fn switch_detail(
    visitor: Query<&Transform, With<Visitor>>,
    mut blocks: Query<(&mut FarBlock, &mut Visibility)>,
    mut booths: Query<&mut Visibility, Without<FarBlock>>,
) {
    let Ok(visitor) = visitor.single() else {
        return;
    };
    let at = visitor.translation.xz();
    for (mut block, mut block_visibility) in &mut blocks {
        let distance = distance_to(&block.area, at);
        let drawn = match block.drawn {
            Some(true) => distance <= DRAW_DISTANCE + HYSTERESIS,
            _ => distance <= DRAW_DISTANCE,
        };
        if block.drawn != Some(drawn) {
            block.drawn = Some(drawn);
            *block_visibility = if drawn {
                Visibility::Inherited
            } else {
                Visibility::Hidden
            };
        }
        let detailed = match block.detailed {
            Some(true) => distance <= DETAIL_DISTANCE + HYSTERESIS,
            _ => distance <= DETAIL_DISTANCE,
        };
        if block.detailed == Some(detailed) {
            continue;
        }
        block.detailed = Some(detailed);
        for &booth in block.booths.iter().chain(&block.pictures) {
            if let Ok(mut visibility) = booths.get_mut(booth) {
                *visibility = if detailed {
                    Visibility::Inherited
                } else {
                    Visibility::Hidden
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_to_a_rectangle_is_zero_inside_and_straight_or_diagonal_outside() {
        let rect = Rect::new(0.0, 0.0, 4.0, 2.0);
        assert_eq!(distance_to(&rect, Vec2::new(1.0, 1.0)), 0.0);
        assert_eq!(distance_to(&rect, Vec2::new(7.0, 1.0)), 3.0);
        assert_eq!(distance_to(&rect, Vec2::new(2.0, -5.0)), 5.0);
        assert_eq!(distance_to(&rect, Vec2::new(7.0, 6.0)), 5.0);
    }

    #[test]
    fn a_point_on_a_booth_floor_finds_that_booth_and_one_between_booths_none() {
        let mut world = World::new();
        let block = FarBlock {
            booths: vec![world.spawn_empty().id(), world.spawn_empty().id()],
            floors: vec![Rect::new(0.0, 0.0, 3.0, 3.0), Rect::new(6.0, 0.0, 3.0, 3.0)],
            pictures: Vec::new(),
            area: Rect::new(0.0, 0.0, 9.0, 3.0),
            detailed: None,
            drawn: None,
        };
        assert_eq!(
            block.booth_at(Vec2::new(1.0, 1.0), 0.3),
            Some(block.booths[0])
        );
        assert_eq!(
            block.booth_at(Vec2::new(9.2, 1.0), 0.3),
            Some(block.booths[1])
        );
        assert_eq!(block.booth_at(Vec2::new(4.5, 1.0), 0.3), None);
    }

    #[test]
    fn the_union_covers_both_rectangles() {
        let u = union(
            &Rect::new(0.0, 0.0, 2.0, 2.0),
            &Rect::new(5.0, -1.0, 1.0, 1.0),
        );
        assert_eq!((u.x, u.z, u.width, u.depth), (0.0, -1.0, 6.0, 3.0));
    }
}
