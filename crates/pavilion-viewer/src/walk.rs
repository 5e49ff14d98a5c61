//! The visitor: a first-person camera that walks with WASD or the arrow keys (left and right
//! arrows turn), looks around while the mouse is dragged, stays on the floor and out of
//! walls and counters, and glides to a booth when the page asks for one.

use bevy::core_pipeline::tonemapping::Tonemapping;
use bevy::input::mouse::AccumulatedMouseMotion;
use bevy::prelude::*;

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

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<LookDrag>()
        .add_message::<WalkTo>()
        .add_systems(Startup, spawn_visitor)
        .add_systems(OnEnter(Screen::Hall), stand_at_start.after(BuildHall))
        .add_systems(
            Update,
            (start_glides, glide, walk_and_look)
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
    let moving = forward != 0.0 || sideways != 0.0;
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
        let direction =
            (flat * Vec3::NEG_Z * forward + flat * Vec3::X * sideways).normalize_or_zero();
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
