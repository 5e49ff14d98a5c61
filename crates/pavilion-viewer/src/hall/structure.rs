//! The building around the booths: the plaza and concourse, each hall's floor, walls and
//! doorways, the signs over entrances and topic zones, and the light.

use bevy::prelude::*;
use pavilion_model::{Hall, HallSnapshot, Rect};

use super::kit::Kit;
use super::{StartPoint, WalkableFloor};
use crate::flat::FlatMaterial;
use crate::screen::Screen;
use crate::textures::SIGN_REACH;

/// Height of the halls' walls.
pub const WALL_HEIGHT: f32 = 6.0;
const WALL_THICKNESS: f32 = 0.3;
/// Height of the top of doorways; the wall above is the lintel that carries the hall sign.
const DOOR_HEIGHT: f32 = 3.8;
/// Depth of the concourse in front of the halls' entrance walls.
const CONCOURSE_DEPTH: f32 = 14.0;
/// How close the visitor's eye may come to a wall.
const WALL_CLEARANCE: f32 = 0.4;
/// The visitor's eye height.
pub const EYE_HEIGHT: f32 = 1.65;

const PLAZA: [u8; 3] = [196, 200, 204];
const CONCOURSE: [u8; 3] = [120, 128, 140];
const HALL_FLOOR: [u8; 3] = [226, 222, 214];
const WALL_INSIDE: [u8; 3] = [244, 243, 240];
const FACADE: [u8; 3] = [58, 82, 112];
const RUNNER: [u8; 3] = [150, 38, 52];
const ROD: [u8; 3] = [60, 60, 64];

/// Spawns everything but the booths and returns where the visitor starts.
pub fn spawn_structure(
    commands: &mut Commands,
    kit: &mut Kit,
    snapshot: &HallSnapshot,
    floor: &mut WalkableFloor,
    fetch: &mut impl FnMut(&str, Vec3, f32) -> Handle<Image>,
) -> StartPoint {
    super::light::spawn_light(commands);

    let (min_x, max_x) = snapshot
        .halls
        .iter()
        .fold((0.0_f32, 0.0_f32), |(lo, hi), h| {
            (lo.min(h.origin[0]), hi.max(h.origin[0] + h.width))
        });
    let min_z = snapshot
        .halls
        .iter()
        .map(|h| h.origin[1])
        .fold(0.0_f32, f32::min);
    let concourse = Rect::new(
        min_x - 8.0,
        min_z - CONCOURSE_DEPTH,
        max_x - min_x + 16.0,
        CONCOURSE_DEPTH,
    );
    floor.areas.push(concourse);

    let plaza = kit.cuboid(concourse.width + 80.0, 0.1, 400.0);
    let concourse_mesh = kit.cuboid(concourse.width, 0.02, concourse.depth);
    let outside = [
        (
            plaza,
            Transform::from_xyz(concourse.centre()[0], -0.06, concourse.z + 160.0),
            PLAZA,
        ),
        (
            concourse_mesh,
            Transform::from_xyz(concourse.centre()[0], 0.0, concourse.centre()[1]),
            CONCOURSE,
        ),
    ];
    spawn_baked(commands, kit, &outside);

    for hall in &snapshot.halls {
        let mut solids = Vec::new();
        spawn_hall(commands, kit, hall, floor, fetch, &mut solids);
        spawn_baked(commands, kit, &solids);
    }

    let first = snapshot.halls.first();
    let door_x = first
        .map(|h| h.origin[0] + h.entrances.first().map_or(h.width / 2.0, |e| e.x))
        .unwrap_or(0.0);
    let door_z = first.map_or(0.0, |h| h.origin[1]);
    // Just inside the first hall's doorway, looking down the central aisle past the first
    // booth fronts.
    StartPoint {
        position: Vec3::new(door_x, EYE_HEIGHT, door_z + 1.5),
        look_at: Vec3::new(door_x + 2.5, 1.3, door_z + 16.0),
    }
}

fn spawn_hall(
    commands: &mut Commands,
    kit: &mut Kit,
    hall: &Hall,
    floor: &mut WalkableFloor,
    fetch: &mut impl FnMut(&str, Vec3, f32) -> Handle<Image>,
    solids: &mut Vec<(Handle<Mesh>, Transform, [u8; 3])>,
) {
    let [ox, oz] = hall.origin;
    let world = |x: f32, y: f32, z: f32| Vec3::new(ox + x, y, oz + z);
    let spawn = |commands: &mut Commands,
                 mesh: Handle<Mesh>,
                 material: Handle<FlatMaterial>,
                 transform: Transform| {
        commands.spawn((
            Mesh3d(mesh),
            MeshMaterial3d(material),
            transform,
            DespawnOnExit(Screen::Hall),
        ));
    };

    floor.areas.push(Rect::new(
        ox + WALL_CLEARANCE,
        oz + WALL_CLEARANCE,
        hall.width - 2.0 * WALL_CLEARANCE,
        hall.depth - 2.0 * WALL_CLEARANCE,
    ));

    // Floor and a carpet runner down the central aisle.
    let hall_floor = kit.cuboid(hall.width, 0.04, hall.depth);
    solids.push((
        hall_floor,
        Transform::from_translation(world(hall.width / 2.0, 0.0, hall.depth / 2.0)),
        HALL_FLOOR,
    ));
    let runner = kit.cuboid(3.2, 0.05, hall.depth - 1.0);
    solids.push((
        runner,
        Transform::from_translation(world(hall.width / 2.0, 0.0, hall.depth / 2.0 + 0.5)),
        RUNNER,
    ));

    // Back and side walls.
    let back = kit.cuboid(
        hall.width + WALL_THICKNESS * 2.0,
        WALL_HEIGHT,
        WALL_THICKNESS,
    );
    solids.push((
        back,
        Transform::from_translation(world(
            hall.width / 2.0,
            WALL_HEIGHT / 2.0,
            hall.depth + WALL_THICKNESS / 2.0,
        )),
        WALL_INSIDE,
    ));
    let side = kit.cuboid(WALL_THICKNESS, WALL_HEIGHT, hall.depth);
    for x in [-WALL_THICKNESS / 2.0, hall.width + WALL_THICKNESS / 2.0] {
        solids.push((
            side.clone(),
            Transform::from_translation(world(x, WALL_HEIGHT / 2.0, hall.depth / 2.0)),
            WALL_INSIDE,
        ));
    }

    // Entrance wall: segments between doorways, and a lintel over each doorway.
    let mut doors: Vec<(f32, f32)> = hall
        .entrances
        .iter()
        .map(|e| (e.x - e.width / 2.0, e.x + e.width / 2.0))
        .collect();
    doors.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut from = -WALL_THICKNESS;
    for &(start, end) in doors.iter().chain(std::iter::once(&(
        hall.width + WALL_THICKNESS,
        hall.width + WALL_THICKNESS,
    ))) {
        if start > from {
            let segment = kit.cuboid(start - from, WALL_HEIGHT, WALL_THICKNESS);
            solids.push((
                segment,
                Transform::from_translation(world(
                    (from + start) / 2.0,
                    WALL_HEIGHT / 2.0,
                    -WALL_THICKNESS / 2.0,
                )),
                FACADE,
            ));
        }
        from = from.max(end);
    }
    for &(start, end) in &doors {
        let lintel = kit.cuboid(end - start, WALL_HEIGHT - DOOR_HEIGHT, WALL_THICKNESS);
        solids.push((
            lintel,
            Transform::from_translation(world(
                (start + end) / 2.0,
                (WALL_HEIGHT + DOOR_HEIGHT) / 2.0,
                -WALL_THICKNESS / 2.0,
            )),
            FACADE,
        ));
        floor.areas.push(Rect::new(
            ox + start + WALL_CLEARANCE,
            oz - 1.0,
            end - start - 2.0 * WALL_CLEARANCE,
            2.0,
        ));
    }

    // The hall's name over each doorway, outside.
    if let Some(url) = &hall.sign_url {
        let mut picture = Handle::default();
        for &(start, end) in &doors {
            picture = fetch(url, world((start + end) / 2.0, 0.0, 0.0), SIGN_REACH);
        }
        let material = kit.picture(&picture, false);
        let board = kit.panel(7.2, 1.8);
        for &(start, end) in &doors {
            spawn(
                commands,
                board.clone(),
                material.clone(),
                Transform::from_translation(world(
                    (start + end) / 2.0,
                    (WALL_HEIGHT + DOOR_HEIGHT) / 2.0,
                    -WALL_THICKNESS - 0.02,
                ))
                .with_rotation(Quat::from_rotation_y(std::f32::consts::PI)),
            );
        }
    }

    // A double-sided sign hanging over the aisle in front of each topic zone.
    let rod = kit.cuboid(0.03, WALL_HEIGHT - 4.4, 0.03);
    for zone in &hall.zones {
        let Some(url) = &zone.sign_url else { continue };
        let centre = world(zone.area.x + zone.area.width / 2.0, 3.8, zone.area.z - 2.0);
        let picture = fetch(url, centre, SIGN_REACH);
        let material = kit.picture(&picture, false);
        let board = kit.panel(4.8, 1.2);
        for turn in [0.0, std::f32::consts::PI] {
            spawn(
                commands,
                board.clone(),
                material.clone(),
                Transform::from_translation(
                    centre + Vec3::Z * if turn == 0.0 { 0.01 } else { -0.01 },
                )
                .with_rotation(Quat::from_rotation_y(turn)),
            );
        }
        for dx in [-2.2, 2.2] {
            solids.push((
                rod.clone(),
                Transform::from_translation(
                    centre + Vec3::new(dx, 0.6 + (WALL_HEIGHT - 4.4) / 2.0, 0.0),
                ),
                ROD,
            ));
        }
    }
}

/// Spawns `parts` (mesh, placement, colour) as one mesh with the hall's light baked in.
pub(super) fn spawn_baked(
    commands: &mut Commands,
    kit: &mut Kit,
    parts: &[(Handle<Mesh>, Transform, [u8; 3])],
) {
    if let Some(mesh) = kit.baked_merge(parts) {
        let material = kit.baked();
        commands.spawn((
            Mesh3d(mesh),
            MeshMaterial3d(material),
            Transform::IDENTITY,
            DespawnOnExit(Screen::Hall),
        ));
    }
}
