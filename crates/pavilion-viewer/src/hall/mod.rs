//! The hall built from the published snapshot: structure (floor, walls, signage, light),
//! booths, stages, and the facts other plugins need about them (where booths stand, what blocks
//! the way). Everything spawned here lives only while the hall screen is shown.

use std::collections::HashMap;

use bevy::prelude::*;
use pavilion_model::Rect;

use crate::bridge::{Outbox, PageEvent};
use crate::drawn::{DrawnWatch, RenderProgress};
use crate::flat::FlatMaterial;
use crate::remote::LoadedSnapshot;
use crate::screen::Screen;
use crate::textures::RemoteTextures;

pub mod booth;
pub mod kit;
pub mod light;
pub mod lod;
pub mod model;
pub mod stage;
pub mod structure;

/// Marks the root entity of one exhibitor's booth.
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct Booth {
    pub slug: String,
}

/// Where a booth stands in the world, for walking to it and highlighting it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoothAnchor {
    /// Centre of the booth's floor.
    pub centre: Vec3,
    /// Unit vector out of the booth's open front.
    pub front: Vec3,
    /// Floor size after rotation: world x and z extents.
    pub extent: Vec2,
    /// How deep the booth is from its front to its back.
    pub depth: f32,
}

/// The booths of the current hall by exhibitor slug.
#[derive(Resource, Debug, Default)]
pub struct BoothIndex(pub HashMap<String, BoothAnchor>);

/// Floor areas the visitor may stand on, and solid parts that block the way (world x/z).
#[derive(Resource, Debug, Default, Clone)]
pub struct WalkableFloor {
    pub areas: Vec<Rect>,
    pub obstacles: Vec<Rect>,
}

impl WalkableFloor {
    /// True when a visitor of the given radius can stand at `point`.
    pub fn allows(&self, point: [f32; 2], radius: f32) -> bool {
        let body = Rect::centred(point, radius * 2.0, radius * 2.0);
        self.areas.iter().any(|area| area.contains_point(point))
            && !self.obstacles.iter().any(|solid| solid.overlaps(&body))
    }

    /// Records a solid part as an obstacle: a box of `size` at `local` in the frame of an
    /// object standing at `centre` turned by `rotation` (a booth's or a stage's parts).
    pub fn block(&mut self, centre: Vec3, rotation: Quat, local: Vec3, size: Vec3) {
        let world_centre = centre + rotation * local;
        let world_size = (rotation * size).abs();
        self.obstacles.push(Rect::centred(
            [world_centre.x, world_centre.z],
            world_size.x,
            world_size.z,
        ));
    }
}

/// Where the visitor first stands, set when the hall is built.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct StartPoint {
    pub position: Vec3,
    pub look_at: Vec3,
}

/// The system set that spawns the hall on entering [`Screen::Hall`]; systems that need the
/// hall's resources on that same transition run after it.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct BuildHall;

/// Present once the page has heard that the hall is on screen. What can wait until then
/// (product models, whose lit pipeline takes long to compile on a software renderer) waits.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct HallOnScreen;

/// Watches the frames after the build so the page hears "ready" once the hall is on screen.
#[derive(Resource, Debug)]
struct HallDrawn(DrawnWatch);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<BoothIndex>()
        .init_resource::<WalkableFloor>()
        .add_systems(OnEnter(Screen::Hall), build_hall.in_set(BuildHall))
        .add_systems(Update, announce_ready.run_if(in_state(Screen::Hall)))
        .add_plugins((model::plugin, lod::plugin, stage::plugin));
}

fn build_hall(
    mut commands: Commands,
    snapshot: Res<LoadedSnapshot>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<FlatMaterial>>,
    mut images: ResMut<Assets<Image>>,
    mut textures: ResMut<RemoteTextures>,
    progress: Option<Res<RenderProgress>>,
) {
    let snapshot = &snapshot.0;
    let mut kit = kit::Kit::new(&mut meshes, &mut materials);
    let mut fetch =
        |url: &str, place: Vec3, reach: f32| textures.request(url, place, reach, &mut images);

    let mut floor = WalkableFloor::default();
    let start =
        structure::spawn_structure(&mut commands, &mut kit, snapshot, &mut floor, &mut fetch);

    let mut index = BoothIndex::default();
    let mut far = Vec::new();
    for hall in &snapshot.halls {
        for placement in &hall.booths {
            let Some(exhibitor) = snapshot.exhibitor(&placement.exhibitor) else {
                warn!("booth for unknown exhibitor {}", placement.exhibitor);
                continue;
            };
            let anchor = booth::spawn_booth(
                &mut commands,
                &mut kit,
                hall,
                placement,
                exhibitor,
                &mut floor,
                &mut fetch,
                &mut far,
            );
            index.0.insert(exhibitor.slug.clone(), anchor);
        }
    }
    lod::spawn_far_blocks(&mut commands, &mut kit, far);
    let mut stage_solids = Vec::new();
    for hall in &snapshot.halls {
        for area in &hall.stages {
            stage::spawn_stage(
                &mut commands,
                &mut kit,
                hall,
                area,
                &mut floor,
                &mut fetch,
                &mut stage_solids,
            );
        }
    }
    structure::spawn_baked(&mut commands, &mut kit, &stage_solids);
    commands.insert_resource(index);
    commands.insert_resource(floor);
    commands.insert_resource(start);
    commands.insert_resource(HallDrawn(DrawnWatch::start(progress.as_deref())));
    commands.remove_resource::<HallOnScreen>();
}

fn announce_ready(
    mut commands: Commands,
    watch: Option<ResMut<HallDrawn>>,
    snapshot: Res<LoadedSnapshot>,
    mut outbox: ResMut<Outbox>,
) {
    let Some(mut watch) = watch else { return };
    if watch.0.drawn() {
        outbox.send(PageEvent::Ready {
            booths: snapshot.0.booth_count(),
            halls: snapshot.0.halls.len(),
        });
        commands.insert_resource(HallOnScreen);
    }
}
