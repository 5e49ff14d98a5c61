//! Stages and the contest desk: a raised platform with a big screen at its back, a lectern,
//! steps and rows of benches on the audience floor; the contest desk is a counter under an
//! upright screen. A stage's screen shows the server's live sign of what is on now and next
//! and is fetched again every minute; clicking a screen tells the page which stage it is.

use std::f32::consts::PI;

use bevy::picking::Pickable;
use bevy::picking::events::{Click, Pointer};
use bevy::picking::pointer::PointerButton;
use bevy::prelude::*;
use pavilion_model::{Hall, StageArea, StageAreaKind};

use super::WalkableFloor;
use super::kit::Kit;
use crate::bridge::{Outbox, PageEvent};
use crate::screen::Screen;
use crate::selection::CLICK_TRAVEL_LIMIT;
use crate::textures::{RemoteTextures, SIGN_REACH};
use crate::walk::LookDrag;

/// Marks the root of a stage area; clicks on its screen bubble up to it.
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct StageScreen {
    pub stage: String,
    pub kind: StageAreaKind,
    /// The screen picture's URL; a stage's is fetched again every [`SCREEN_REFRESH_SECONDS`].
    pub url: Option<String>,
}

/// How often a stage's live screen is fetched again (the server renders a new picture when
/// a session starts or ends; unchanged, the browser's revalidation costs a 304).
pub const SCREEN_REFRESH_SECONDS: f32 = 60.0;

/// Height of a stage's platform.
pub const PLATFORM_HEIGHT: f32 = 0.6;
const BACK_WALL_HEIGHT: f32 = 5.8;
const BACK_WALL_THICKNESS: f32 = 0.3;
/// The widest a stage screen gets; it is 16:9 like the picture the server renders.
const MAX_SCREEN_WIDTH: f32 = 8.0;
/// Width of the aisle left free down the middle of the benches.
pub const CENTRE_AISLE: f32 = 2.2;
const BENCH_DEPTH: f32 = 0.45;
const BENCH_HEIGHT: f32 = 0.45;
const BENCH_ROWS: [f32; 3] = [2.6, 4.4, 6.2];

const PLATFORM: [u8; 3] = [74, 56, 48];
const STAGE_WALL: [u8; 3] = [38, 44, 58];
const SCREEN_FRAME: [u8; 3] = [18, 20, 24];
const AUDIENCE_CARPET: [u8; 3] = [62, 78, 120];
const BENCH: [u8; 3] = [176, 150, 118];
const LECTERN: [u8; 3] = [120, 92, 70];
const CONTEST_DESK: [u8; 3] = [232, 168, 52];
const CONTEST_PANEL: [u8; 3] = [40, 52, 84];

/// Spawns one stage area (its solid parts go to `solids`, baked with the hall) and records
/// what blocks the way.
pub fn spawn_stage(
    commands: &mut Commands,
    kit: &mut Kit,
    hall: &Hall,
    area: &StageArea,
    floor: &mut WalkableFloor,
    fetch: &mut impl FnMut(&str, Vec3, f32) -> Handle<Image>,
    solids: &mut Vec<(Handle<Mesh>, Transform, [u8; 3])>,
) {
    let rect = area.floor_rect();
    let centre = Vec3::new(
        hall.origin[0] + rect.centre()[0],
        0.0,
        hall.origin[1] + rect.centre()[1],
    );
    let rotation = Quat::from_rotation_y(area.rotation.radians());
    let place = |local: Vec3| Transform::from_translation(centre + rotation * local);
    let (width, depth) = (area.footprint.width, area.footprint.depth);

    let mut blocks: Vec<(Vec3, Vec3, [u8; 3])> = Vec::new();
    let screen_size;
    let screen_centre;
    match area.kind {
        StageAreaKind::Stage => {
            blocks.push((
                Vec3::new(0.0, PLATFORM_HEIGHT / 2.0, 0.0),
                Vec3::new(width, PLATFORM_HEIGHT, depth),
                PLATFORM,
            ));
            blocks.push((
                Vec3::new(
                    0.0,
                    BACK_WALL_HEIGHT / 2.0,
                    depth / 2.0 - BACK_WALL_THICKNESS / 2.0,
                ),
                Vec3::new(width, BACK_WALL_HEIGHT, BACK_WALL_THICKNESS),
                STAGE_WALL,
            ));
            let screen_width = (width - 1.2).min(MAX_SCREEN_WIDTH);
            screen_size = Vec2::new(screen_width, screen_width * 9.0 / 16.0);
            screen_centre = Vec3::new(
                0.0,
                (PLATFORM_HEIGHT + 0.9 + screen_size.y / 2.0)
                    .min(BACK_WALL_HEIGHT - screen_size.y / 2.0 - 0.2),
                depth / 2.0 - BACK_WALL_THICKNESS - 0.02,
            );
            blocks.push((
                // Behind the screen, so a click there hits the screen.
                screen_centre + Vec3::Z * 0.04,
                Vec3::new(screen_size.x + 0.24, screen_size.y + 0.24, 0.02),
                SCREEN_FRAME,
            ));
            // The lectern, stage left of the screen, and steps at the front.
            blocks.push((
                Vec3::new(
                    width / 2.0 - 1.3,
                    PLATFORM_HEIGHT + 0.55,
                    -depth / 2.0 + 1.2,
                ),
                Vec3::new(0.7, 1.1, 0.5),
                LECTERN,
            ));
            blocks.push((
                Vec3::new(0.0, PLATFORM_HEIGHT / 4.0, -depth / 2.0 - 0.25),
                Vec3::new(1.8, PLATFORM_HEIGHT / 2.0, 0.5),
                PLATFORM,
            ));
            // The audience floor: a carpet and rows of benches either side of a centre aisle.
            let audience = area.audience_depth();
            blocks.push((
                Vec3::new(0.0, 0.012, -depth / 2.0 - audience / 2.0),
                Vec3::new(width, 0.024, audience),
                AUDIENCE_CARPET,
            ));
            let bench_width = (width - CENTRE_AISLE) / 2.0 - 0.6;
            if bench_width > 0.8 {
                for row in BENCH_ROWS {
                    for side in [-1.0, 1.0] {
                        let x = side * (CENTRE_AISLE / 2.0 + bench_width / 2.0);
                        let local = Vec3::new(x, BENCH_HEIGHT / 2.0, -depth / 2.0 - row);
                        let size = Vec3::new(bench_width, BENCH_HEIGHT, BENCH_DEPTH);
                        blocks.push((local, size, BENCH));
                        floor.block(centre, rotation, local, size);
                    }
                }
            }
            floor.block(
                centre,
                rotation,
                Vec3::ZERO,
                Vec3::new(width, 1.0, depth + 1.0),
            );
        }
        StageAreaKind::Contest => {
            blocks.push((
                Vec3::new(0.0, 1.6, depth / 2.0 - 0.15),
                Vec3::new(width, 3.2, 0.3),
                CONTEST_PANEL,
            ));
            blocks.push((
                Vec3::new(0.0, 0.5, -depth / 2.0 + 0.5),
                Vec3::new(width - 0.4, 1.0, 0.8),
                CONTEST_DESK,
            ));
            let screen_width = (width - 0.6).min(4.0);
            screen_size = Vec2::new(screen_width, screen_width / 2.0);
            screen_centre = Vec3::new(0.0, 1.3 + screen_size.y / 2.0, depth / 2.0 - 0.32);
            floor.block(centre, rotation, Vec3::ZERO, Vec3::new(width, 1.0, depth));
        }
    }
    for (local, size, colour) in blocks {
        solids.push((kit.cuboid(size.x, size.y, size.z), place(local), colour));
    }

    let screen_world = centre + rotation * screen_centre;
    let picture = match &area.screen_url {
        Some(url) => fetch(url, screen_world, SIGN_REACH),
        None => Handle::default(),
    };
    let material = kit.picture(&picture, false);
    let panel = kit.panel(screen_size.x, screen_size.y);
    commands
        .spawn((
            StageScreen {
                stage: area.stage.clone(),
                kind: area.kind,
                url: area.screen_url.clone(),
            },
            Transform::IDENTITY,
            Visibility::default(),
            DespawnOnExit(Screen::Hall),
        ))
        .with_children(|parent| {
            parent.spawn((
                Mesh3d(panel),
                MeshMaterial3d(material),
                // Panels face +z; the screen faces the audience (local -z).
                place(screen_centre).with_rotation(rotation * Quat::from_rotation_y(PI)),
                Pickable::default(),
            ));
        });
}

/// Counts down to the next fetch of the live stage screens.
#[derive(Resource, Debug)]
pub struct ScreenRefresh(Timer);

impl Default for ScreenRefresh {
    fn default() -> Self {
        ScreenRefresh(Timer::from_seconds(
            SCREEN_REFRESH_SECONDS,
            TimerMode::Repeating,
        ))
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ScreenRefresh>()
        .add_observer(tell_page_of_clicked_screen)
        .add_systems(Update, refresh_live_screens.run_if(in_state(Screen::Hall)));
}

/// Runs for every click on any entity (clicks bubble from the screen up to the stage's root).
fn tell_page_of_clicked_screen(
    click: On<Pointer<Click>>,
    screens: Query<&StageScreen>,
    drag: Res<LookDrag>,
    mut outbox: ResMut<Outbox>,
) {
    if click.event.button != PointerButton::Primary || drag.travelled > CLICK_TRAVEL_LIMIT {
        return;
    }
    if let Ok(screen) = screens.get(click.event_target()) {
        outbox.send(PageEvent::StageChosen {
            stage: screen.stage.clone(),
            kind: match screen.kind {
                StageAreaKind::Stage => "stage",
                StageAreaKind::Contest => "contest",
            },
        });
    }
}

/// Every minute, asks for the stages' live screens again (the ones within reach are fetched
/// by the texture streaming; the old picture stays until the new one arrives).
fn refresh_live_screens(
    time: Res<Time>,
    mut timer: ResMut<ScreenRefresh>,
    screens: Query<&StageScreen>,
    mut textures: ResMut<RemoteTextures>,
) {
    if !timer.0.tick(time.delta()).just_finished() {
        return;
    }
    for screen in &screens {
        if let (StageAreaKind::Stage, Some(url)) = (screen.kind, &screen.url) {
            textures.refresh(url);
        }
    }
}
