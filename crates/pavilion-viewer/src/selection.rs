//! Choosing a booth: a click on any part of a booth selects it, and the page can ask for a
//! booth by slug, which walks the visitor to stand in front of it. A tap the page passes on
//! (touch screens) selects the booth under the finger, or walks to the floor there. The
//! selection is shown as a glowing outline on the booth's floor and reported to the page.

use bevy::picking::events::{Click, Pointer};
use bevy::picking::mesh_picking::ray_cast::{MeshRayCast, MeshRayCastSettings};
use bevy::picking::pointer::PointerButton;
use bevy::prelude::*;

use crate::bridge::{Outbox, PageEvent, PageRequest};
use crate::flat::FlatMaterial;
use crate::hall::lod::FarBlock;
use crate::hall::{Booth, BoothIndex, WalkableFloor};
use crate::screen::Screen;
use crate::walk::{LookDrag, Visitor, WalkTo, walk_target};

/// The booth the visitor has selected, if any.
#[derive(Resource, Debug, Default, Clone, PartialEq, Eq)]
pub struct Selected(pub Option<String>);

/// The glowing outline under the selected booth.
#[derive(Component, Debug)]
pub struct SelectionMarker;

/// How far in front of a booth's open side the visitor stops when walking to it.
const STANDING_DISTANCE: f32 = 4.5;

/// A pointer that moved further than this while pressed was looking around, not clicking.
pub const CLICK_TRAVEL_LIMIT: f32 = 6.0;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Selected>()
        .add_observer(select_clicked_booth)
        .add_systems(OnEnter(Screen::Hall), spawn_marker)
        .add_systems(
            Update,
            (focus_requested_booths, act_on_taps, show_marker)
                .chain()
                .run_if(in_state(Screen::Hall)),
        );
}

fn spawn_marker(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<FlatMaterial>>,
) {
    commands.spawn((
        SelectionMarker,
        Mesh3d(meshes.add(Cuboid::new(1.0, 0.02, 1.0))),
        MeshMaterial3d(materials.add(FlatMaterial {
            colour: Color::srgba(0.2, 0.85, 1.0, 0.35).into(),
            picture: None,
            alpha_mode: AlphaMode::Blend,
        })),
        Transform::default(),
        Visibility::Hidden,
        bevy::picking::Pickable::IGNORE,
        DespawnOnExit(Screen::Hall),
    ));
}

/// How far outside a booth's floor a click on its cell's block still counts for the booth
/// (its fascia board and walls stand on the floor's edge).
const CLICK_MARGIN: f32 = 0.3;

/// Runs for every click on any entity; clicks bubble from a booth's model up to its root and
/// from a cell's pictures up to the cell's block. A click on a cell's block (the booths'
/// walls, counters and floors, and its pictures) selects the booth whose floor was hit.
fn select_clicked_booth(
    click: On<Pointer<Click>>,
    booths: Query<&Booth>,
    blocks: Query<&FarBlock>,
    drag: Res<LookDrag>,
    mut selected: ResMut<Selected>,
    mut outbox: ResMut<Outbox>,
) {
    if click.event.button != PointerButton::Primary || drag.travelled > CLICK_TRAVEL_LIMIT {
        return;
    }
    let target = click.event_target();
    let booth = match blocks.get(target) {
        Ok(block) => click
            .event
            .hit
            .position
            .and_then(|hit| block.booth_at(hit.xz(), CLICK_MARGIN))
            .and_then(|entity| booths.get(entity).ok()),
        Err(_) => booths.get(target).ok(),
    };
    if let Some(booth) = booth {
        select(&booth.slug, &mut selected, &mut outbox);
    }
}

fn select(slug: &str, selected: &mut Selected, outbox: &mut Outbox) {
    selected.0 = Some(slug.to_owned());
    outbox.send(PageEvent::Selected {
        slug: slug.to_owned(),
    });
}

fn focus_requested_booths(
    mut requests: MessageReader<PageRequest>,
    index: Res<BoothIndex>,
    mut selected: ResMut<Selected>,
    mut outbox: ResMut<Outbox>,
    mut walk_to: MessageWriter<WalkTo>,
) {
    for request in requests.read() {
        let PageRequest::FocusBooth { slug } = request else {
            continue;
        };
        let Some(anchor) = index.0.get(slug) else {
            warn!("the page asked for booth {slug:?}, which is not in this hall");
            continue;
        };
        let stand = anchor.centre + anchor.front * (anchor.depth / 2.0 + STANDING_DISTANCE);
        walk_to.write(WalkTo {
            position: Vec3::new(stand.x, crate::hall::structure::EYE_HEIGHT, stand.z),
            look_at: anchor.centre + Vec3::Y * 1.6,
        });
        select(slug, &mut selected, &mut outbox);
    }
}

/// A tap on floor further than this above the ground is not on the floor (metres).
const FLOOR_HEIGHT: f32 = 0.3;

/// What is under a tap: the booth of a far block's floor, a booth part's booth, or a floor point.
fn act_on_taps(
    mut requests: MessageReader<PageRequest>,
    camera: Query<(&Camera, &GlobalTransform, &Transform), With<Visitor>>,
    mut ray_cast: MeshRayCast,
    booths: Query<&Booth>,
    blocks: Query<&FarBlock>,
    parents: Query<&ChildOf>,
    markers: Query<(), With<SelectionMarker>>,
    floor: Res<WalkableFloor>,
    mut selected: ResMut<Selected>,
    mut outbox: ResMut<Outbox>,
    mut walk_to: MessageWriter<WalkTo>,
) {
    for request in requests.read() {
        let PageRequest::Tap { x, y } = *request else {
            continue;
        };
        let Ok((camera, eye, standing)) = camera.single() else {
            continue;
        };
        let Ok(ray) = camera.viewport_to_world(eye, Vec2::new(x, y)) else {
            continue;
        };
        let not_marker = |entity: Entity| !markers.contains(entity);
        let settings = MeshRayCastSettings::default()
            .with_filter(&not_marker)
            .always_early_exit();
        let Some((entity, hit)) = ray_cast.cast_ray(ray, &settings).first().cloned() else {
            continue;
        };
        // A booth's own parts (its model) sit somewhere below its root, a cell's pictures
        // below the cell's block, where the booth is the one whose floor is under the hit.
        let booth = std::iter::once(entity)
            .chain(parents.iter_ancestors(entity))
            .find_map(|ancestor| match blocks.get(ancestor) {
                Ok(block) => Some(
                    block
                        .booth_at(hit.point.xz(), CLICK_MARGIN)
                        .and_then(|entity| booths.get(entity).ok()),
                ),
                Err(_) => booths.get(ancestor).ok().map(Some),
            })
            .flatten();
        if let Some(booth) = booth {
            select(&booth.slug, &mut selected, &mut outbox);
        } else if hit.point.y < FLOOR_HEIGHT
            && let Some(target) = walk_target(&floor, standing, [hit.point.x, hit.point.z], None)
        {
            walk_to.write(target);
        }
    }
}

fn show_marker(
    selected: Res<Selected>,
    index: Res<BoothIndex>,
    mut marker: Query<(&mut Transform, &mut Visibility), With<SelectionMarker>>,
) {
    if !selected.is_changed() {
        return;
    }
    let Ok((mut transform, mut visibility)) = marker.single_mut() else {
        return;
    };
    match selected.0.as_ref().and_then(|slug| index.0.get(slug)) {
        Some(anchor) => {
            *transform = Transform::from_translation(anchor.centre + Vec3::Y * 0.1)
                .with_scale(Vec3::new(anchor.extent.x + 0.3, 1.0, anchor.extent.y + 0.3));
            *visibility = Visibility::Visible;
        }
        None => *visibility = Visibility::Hidden,
    }
}
