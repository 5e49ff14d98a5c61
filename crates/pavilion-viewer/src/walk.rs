//! The visitor: a first-person camera that walks with WASD or the arrow keys (left and right
//! arrows turn) or the page's thumb stick, looks around while the mouse or a finger is
//! dragged, stays on the floor and out of
//! walls and counters, and glides to a booth or a floor point when the page asks for one.
//! It tells the page where it stands and which way it looks (`pavilion:pose`), a few times a
//! second and only when that changed.

use bevy::core_pipeline::tonemapping::Tonemapping;
use bevy::input::mouse::AccumulatedMouseMotion;
use bevy::prelude::*;

use crate::bridge::{Outbox, PageEvent, PageRequest};
use crate::hall::{BuildHall, StartPoint, WalkableFloor};
use crate::screen::Screen;

/// The visitor's camera, with its heading and tilt.
#[derive(Component, Debug, Default, Clone, Copy, PartialEq)]
pub struct Visitor {
    /// Turn about the vertical axis; 0 looks along -z.
    pub yaw: f32,
    /// Tilt up (positive) or down.
    pub pitch: f32,
}

impl Visitor {
    /// The heading and tilt that look from `from` towards `to`.
    pub fn looking(from: Vec3, to: Vec3) -> Visitor {
        let d = (to - from).normalize_or(Vec3::NEG_Z);
        Visitor {
            yaw: (-d.x).atan2(-d.z),
            pitch: d.y.clamp(-1.0, 1.0).asin(),
        }
    }

    pub fn rotation(&self) -> Quat {
        Quat::from_euler(EulerRot::YXZ, self.yaw, self.pitch, 0.0)
    }
}

/// How far the pointer has moved since the primary button went down (in pixels).
#[derive(Resource, Debug, Default)]
pub struct LookDrag {
    pub travelled: f32,
}

/// The touch controls as the page last reported them: the thumb stick's deflection (`x`
/// sideways to the right, `y` forward, each -1 to 1) and finger drags not yet looked by (CSS
/// pixels).
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub struct TouchControls {
    pub stick: Vec2,
    pub look: Vec2,
}

/// Asks the visitor to glide to a place and look at a point.
#[derive(Message, Debug, Clone, Copy, PartialEq)]
pub struct WalkTo {
    pub position: Vec3,
    pub look_at: Vec3,
}

/// A glide in progress.
#[derive(Resource, Debug, Clone, Copy)]
struct Glide {
    from: Transform,
    to: Transform,
    target: Visitor,
    progress: f32,
}

const WALK_SPEED: f32 = 3.2;
const RUN_FACTOR: f32 = 2.2;
const TURN_SPEED: f32 = 1.8;
const LOOK_SENSITIVITY: f32 = 0.0045;
const PITCH_LIMIT: f32 = 1.2;
const GLIDE_SECONDS: f32 = 0.9;
/// Half the visitor's width, for keeping out of walls.
const BODY_RADIUS: f32 = 0.3;
/// The page hears the pose at most this often (seconds)...
const POSE_INTERVAL: f32 = 0.2;
/// ...and only once the visitor moved or turned at least this much (metres, radians).
const POSE_MOVE: f32 = 0.05;
const POSE_TURN: f32 = 0.02;
/// How far from an asked-for point the visitor may end up when the point itself is inside a
/// booth or a wall (metres).
const STANDING_SEARCH_RADIUS: f32 = 12.0;

/// The pose last sent to the page, and the time since.
#[derive(Resource, Debug, Default)]
struct PoseReport {
    sent: Option<(Vec2, f32)>,
    since: f32,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<LookDrag>()
        .init_resource::<PoseReport>()
        .init_resource::<TouchControls>()
        .add_message::<WalkTo>()
        .add_systems(Startup, spawn_visitor)
        .add_systems(OnEnter(Screen::Hall), stand_at_start.after(BuildHall))
        .add_systems(
            Update,
            (
                walk_to_requested_points,
                take_touch_controls,
                start_glides,
                glide,
                walk_and_look,
                report_pose,
            )
                .chain()
                .run_if(in_state(Screen::Hall)),
        );
}

fn spawn_visitor(mut commands: Commands) {
    commands.spawn((
        Visitor::default(),
        Camera3d::default(),
        Tonemapping::AcesFitted,
        Projection::Perspective(PerspectiveProjection {
            fov: 62f32.to_radians(),
            ..default()
        }),
        Transform::from_xyz(0.0, crate::hall::structure::EYE_HEIGHT, -10.0),
    ));
}

fn stand_at_start(start: Res<StartPoint>, mut visitor: Query<(&mut Transform, &mut Visitor)>) {
    for (mut transform, mut heading) in &mut visitor {
        *heading = Visitor::looking(start.position, start.look_at);
        *transform = Transform::from_translation(start.position).with_rotation(heading.rotation());
    }
}

/// Turns the page's "walk to this point" into a glide to the nearest place to stand.
fn walk_to_requested_points(
    mut requests: MessageReader<PageRequest>,
    floor: Res<WalkableFloor>,
    visitor: Query<&Transform, With<Visitor>>,
    mut walk_to: MessageWriter<WalkTo>,
) {
    for request in requests.read() {
        let PageRequest::WalkTo { x, z, look } = *request else {
            continue;
        };
        let Ok(from) = visitor.single() else { continue };
        match walk_target(&floor, from, [x, z], look) {
            Some(target) => {
                walk_to.write(target);
            }
            None => warn!("the page asked to walk to ({x}, {z}), where nobody can stand"),
        }
    }
}

/// A glide from `from` to the place nearest `point` (world x/z) where the visitor can stand,
/// looking towards `look` or, without one, on in the direction walked.
pub fn walk_target(
    floor: &WalkableFloor,
    from: &Transform,
    point: [f32; 2],
    look: Option<[f32; 2]>,
) -> Option<WalkTo> {
    let [x, z] = nearest_standing(floor, point, STANDING_SEARCH_RADIUS)?;
    let position = Vec3::new(x, crate::hall::structure::EYE_HEIGHT, z);
    let look_at = match look {
        Some([lx, lz]) => Vec3::new(lx, crate::hall::structure::EYE_HEIGHT, lz),
        None => {
            let travel = (position - from.translation).with_y(0.0);
            let direction = if travel.length() > 0.5 {
                travel.normalize()
            } else {
                from.forward().as_vec3().with_y(0.0).normalize_or(Vec3::Z)
            };
            position + direction * 10.0
        }
    };
    Some(WalkTo { position, look_at })
}

/// Keeps the thumb stick's last deflection and adds up finger drags for the next frame.
fn take_touch_controls(mut requests: MessageReader<PageRequest>, mut touch: ResMut<TouchControls>) {
    for request in requests.read() {
        match *request {
            PageRequest::Stick { forward, sideways } => {
                touch.stick = Vec2::new(sideways, forward).clamp(Vec2::NEG_ONE, Vec2::ONE);
            }
            PageRequest::Look { dx, dy } => touch.look += Vec2::new(dx, dy),
            _ => {}
        }
    }
}

/// The point nearest `point` (world x/z) where the visitor can stand, searching rings up to
/// `radius` metres out; `None` when there is none.
pub fn nearest_standing(floor: &WalkableFloor, point: [f32; 2], radius: f32) -> Option<[f32; 2]> {
    const RING_STEP: f32 = 0.5;
    const DIRECTIONS: usize = 24;
    if floor.areas.is_empty() || floor.allows(point, BODY_RADIUS) {
        return Some(point);
    }
    let rings = (radius / RING_STEP).ceil() as usize;
    (1..=rings).find_map(|ring| {
        let distance = ring as f32 * RING_STEP;
        (0..DIRECTIONS).find_map(|i| {
            let angle = i as f32 * std::f32::consts::TAU / DIRECTIONS as f32;
            let candidate = [
                point[0] + distance * angle.cos(),
                point[1] + distance * angle.sin(),
            ];
            floor.allows(candidate, BODY_RADIUS).then_some(candidate)
        })
    })
}

/// The heading of a rotation, as [`PageEvent::Pose`] gives it.
fn heading_of(rotation: Quat) -> f32 {
    let forward = rotation * Vec3::NEG_Z;
    (-forward.x).atan2(-forward.z)
}

fn report_pose(
    time: Res<Time>,
    mut report: ResMut<PoseReport>,
    visitor: Query<&Transform, With<Visitor>>,
    mut outbox: ResMut<Outbox>,
) {
    report.since += time.delta_secs();
    let Ok(transform) = visitor.single() else {
        return;
    };
    let place = transform.translation.xz();
    let heading = heading_of(transform.rotation);
    let changed = report.sent.is_none_or(|(was, turned)| {
        let turn = (heading - turned + std::f32::consts::PI).rem_euclid(std::f32::consts::TAU)
            - std::f32::consts::PI;
        was.distance(place) >= POSE_MOVE || turn.abs() >= POSE_TURN
    });
    if !changed || (report.sent.is_some() && report.since < POSE_INTERVAL) {
        return;
    }
    report.sent = Some((place, heading));
    report.since = 0.0;
    outbox.send(PageEvent::Pose {
        x: place.x,
        z: place.y,
        heading,
    });
}

fn start_glides(
    mut requests: MessageReader<WalkTo>,
    mut commands: Commands,
    visitor: Query<&Transform, With<Visitor>>,
) {
    let Some(request) = requests.read().last() else {
        return;
    };
    let Ok(from) = visitor.single() else { return };
    let target = Visitor::looking(request.position, request.look_at);
    commands.insert_resource(Glide {
        from: *from,
        to: Transform::from_translation(request.position).with_rotation(target.rotation()),
        target,
        progress: 0.0,
    });
}

fn glide(
    mut commands: Commands,
    time: Res<Time>,
    glide: Option<ResMut<Glide>>,
    mut visitor: Query<(&mut Transform, &mut Visitor)>,
) {
    let Some(mut glide) = glide else { return };
    let Ok((mut transform, mut heading)) = visitor.single_mut() else {
        return;
    };
    glide.progress = (glide.progress + time.delta_secs() / GLIDE_SECONDS).min(1.0);
    let t = glide.progress * glide.progress * (3.0 - 2.0 * glide.progress);
    transform.translation = glide.from.translation.lerp(glide.to.translation, t);
    transform.rotation = glide.from.rotation.slerp(glide.to.rotation, t);
    if glide.progress >= 1.0 {
        *heading = glide.target;
        commands.remove_resource::<Glide>();
    }
}

fn walk_and_look(
    mut commands: Commands,
    time: Res<Time>,
    keys: Res<ButtonInput<KeyCode>>,
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    mut drag: ResMut<LookDrag>,
    mut touch: ResMut<TouchControls>,
    floor: Res<WalkableFloor>,
    gliding: Option<Res<Glide>>,
    mut visitor: Query<(&mut Transform, &mut Visitor)>,
) {
    let Ok((mut transform, mut heading)) = visitor.single_mut() else {
        return;
    };
    let dt = time.delta_secs();

    if buttons.just_pressed(MouseButton::Left) {
        drag.travelled = 0.0;
    }
    let mut turned = false;
    if buttons.pressed(MouseButton::Left) && motion.delta != Vec2::ZERO {
        drag.travelled += motion.delta.length();
        heading.yaw -= motion.delta.x * LOOK_SENSITIVITY;
        heading.pitch =
            (heading.pitch - motion.delta.y * LOOK_SENSITIVITY).clamp(-PITCH_LIMIT, PITCH_LIMIT);
        turned = true;
    }
    let finger = std::mem::take(&mut touch.look);
    if finger != Vec2::ZERO {
        heading.yaw -= finger.x * LOOK_SENSITIVITY;
        heading.pitch =
            (heading.pitch - finger.y * LOOK_SENSITIVITY).clamp(-PITCH_LIMIT, PITCH_LIMIT);
        turned = true;
    }
    let turn = axis(
        &keys,
        &[KeyCode::ArrowLeft, KeyCode::KeyQ],
        &[KeyCode::ArrowRight, KeyCode::KeyE],
    );
    if turn != 0.0 {
        heading.yaw -= turn * TURN_SPEED * dt;
        turned = true;
    }

    let forward = axis(
        &keys,
        &[KeyCode::KeyS, KeyCode::ArrowDown],
        &[KeyCode::KeyW, KeyCode::ArrowUp],
    );
    let sideways = axis(&keys, &[KeyCode::KeyA], &[KeyCode::KeyD]);
    // Keys and the thumb stick add up; a stick pushed half way walks at half speed.
    let input = (Vec2::new(sideways, forward) + touch.stick).clamp_length_max(1.0);
    let moving = input != Vec2::ZERO;
    if gliding.is_some() {
        if !(moving || turned) {
            return;
        }
        // The visitor took over: stop gliding from where they are.
        commands.remove_resource::<Glide>();
        *heading = Visitor::looking(
            transform.translation,
            transform.translation + transform.forward().as_vec3(),
        );
    }

    if moving {
        let flat = Quat::from_rotation_y(heading.yaw);
        let direction = flat * Vec3::NEG_Z * input.y + flat * Vec3::X * input.x;
        let run = if keys.pressed(KeyCode::ShiftLeft) || keys.pressed(KeyCode::ShiftRight) {
            RUN_FACTOR
        } else {
            1.0
        };
        let step = direction * WALK_SPEED * run * dt;
        transform.translation = step_within(&floor, transform.translation, step);
    }
    transform.rotation = heading.rotation();
}

fn axis(keys: &ButtonInput<KeyCode>, negative: &[KeyCode], positive: &[KeyCode]) -> f32 {
    let held = |set: &[KeyCode]| set.iter().any(|k| keys.pressed(*k));
    f32::from(u8::from(held(positive))) - f32::from(u8::from(held(negative)))
}

/// Moves by `step` if the floor allows it, else slides along whichever axis it allows.
pub fn step_within(floor: &WalkableFloor, from: Vec3, step: Vec3) -> Vec3 {
    if floor.areas.is_empty() {
        return from + step;
    }
    for candidate in [
        step,
        Vec3::new(step.x, 0.0, 0.0),
        Vec3::new(0.0, 0.0, step.z),
    ] {
        let to = from + candidate;
        if floor.allows([to.x, to.z], BODY_RADIUS) {
            return to;
        }
    }
    from
}

#[cfg(test)]
mod tests {
    use super::*;
    use pavilion_model::Rect;

    #[test]
    fn looking_round_trips_through_rotation() {
        let from = Vec3::new(1.0, 1.6, 2.0);
        for to in [
            Vec3::new(1.0, 1.6, 10.0),
            Vec3::new(-5.0, 3.0, 2.0),
            Vec3::new(4.0, 0.5, -7.0),
        ] {
            let heading = Visitor::looking(from, to);
            let seen = heading.rotation() * Vec3::NEG_Z;
            assert!(
                seen.distance((to - from).normalize()) < 1e-4,
                "{to}: {seen}"
            );
        }
    }

    #[test]
    fn the_heading_matches_the_visitor_yaw() {
        for yaw in [0.0, 0.7, -2.5, 3.0] {
            let heading = Visitor { yaw, pitch: 0.3 };
            assert!((heading_of(heading.rotation()) - yaw).abs() < 1e-4, "{yaw}");
        }
    }

    #[test]
    fn a_point_inside_an_obstacle_moves_to_the_nearest_free_floor() {
        let floor = WalkableFloor {
            areas: vec![Rect::new(0.0, 0.0, 20.0, 10.0)],
            obstacles: vec![Rect::new(4.0, 4.0, 2.0, 2.0)],
        };
        // Free floor stays as asked.
        assert_eq!(nearest_standing(&floor, [1.0, 1.0], 5.0), Some([1.0, 1.0]));
        // Inside the obstacle: out to the nearest place a body fits, within a metre and a half.
        let moved = nearest_standing(&floor, [5.0, 5.0], 5.0).unwrap();
        assert!(floor.allows(moved, BODY_RADIUS), "{moved:?}");
        assert!(
            Vec2::from(moved).distance(Vec2::new(5.0, 5.0)) <= 1.5,
            "{moved:?}"
        );
        // Far off the floor, beyond the search: nothing.
        assert_eq!(nearest_standing(&floor, [60.0, 60.0], 5.0), None);
    }

    #[test]
    fn walls_stop_the_visitor_but_let_them_slide() {
        let floor = WalkableFloor {
            areas: vec![Rect::new(0.0, 0.0, 10.0, 10.0)],
            obstacles: vec![Rect::new(4.0, 4.0, 2.0, 2.0)],
        };
        let start = Vec3::new(5.0, 1.6, 2.0);
        // Straight into the obstacle: no movement.
        assert_eq!(step_within(&floor, start, Vec3::new(0.0, 0.0, 1.9)), start);
        // Diagonally into it: slides along x.
        assert_eq!(
            step_within(&floor, start, Vec3::new(0.5, 0.0, 1.9)),
            Vec3::new(5.5, 1.6, 2.0)
        );
        // Off the floor: refused.
        assert_eq!(
            step_within(&floor, Vec3::new(0.5, 1.6, 5.0), Vec3::new(-1.0, 0.0, 0.0)),
            Vec3::new(0.5, 1.6, 5.0)
        );
    }
}
