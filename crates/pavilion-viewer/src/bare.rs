//! The bare scene: a camera, a light and one cube, made by the same wasm (same profile, same
//! features) as the hall. The page opens it with `?scene=bare`; the viewer benchmark compares
//! the hall's first frame and frame time with it, so the figures say what the hall costs on top
//! of the engine itself.

use bevy::core_pipeline::tonemapping::Tonemapping;
use bevy::prelude::*;

use crate::bridge::{Outbox, PageEvent};
use crate::drawn::{DrawnWatch, RenderProgress};

/// The camera, light and cube, and "ready" once they are drawn.
#[derive(Debug, Default)]
pub struct BareScenePlugin;

impl Plugin for BareScenePlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins(crate::bridge::plugin)
            .add_systems(Startup, spawn_scene)
            .add_systems(Update, announce_ready);
    }
}

/// Watches the frames after the spawn (as the hall does) to say "ready" once the cube is drawn.
#[derive(Resource, Debug)]
struct CubeDrawn(DrawnWatch);

fn spawn_scene(
    mut commands: Commands,
    progress: Option<Res<RenderProgress>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    commands.spawn((
        Camera3d::default(),
        Tonemapping::AcesFitted,
        Transform::from_xyz(0.0, 1.6, 4.0).looking_at(Vec3::new(0.0, 0.5, 0.0), Vec3::Y),
    ));
    commands.spawn((
        DirectionalLight {
            illuminance: 8_000.0,
            shadow_maps_enabled: false,
            ..default()
        },
        Transform::from_xyz(3.0, 6.0, 2.0).looking_at(Vec3::ZERO, Vec3::Y),
    ));
    commands.spawn((
        Mesh3d(meshes.add(Cuboid::new(1.0, 1.0, 1.0))),
        MeshMaterial3d(materials.add(StandardMaterial {
            base_color: Color::srgb(0.2, 0.45, 0.8),
            ..default()
        })),
        Transform::from_xyz(0.0, 0.5, 0.0),
    ));
    commands.insert_resource(CubeDrawn(DrawnWatch::start(progress.as_deref())));
}

fn announce_ready(watch: Option<ResMut<CubeDrawn>>, mut outbox: ResMut<Outbox>) {
    let Some(mut watch) = watch else { return };
    if watch.0.drawn() {
        outbox.send(PageEvent::Ready {
            booths: 0,
            halls: 0,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bare_scene_is_a_camera_a_light_and_one_cube_and_says_ready_once() {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, AssetPlugin::default()))
            .init_asset::<Mesh>()
            .init_asset::<StandardMaterial>()
            .add_plugins(BareScenePlugin);
        for _ in 0..6 {
            app.update();
        }
        let world = app.world_mut();
        assert_eq!(world.query::<&Camera3d>().iter(world).count(), 1);
        assert_eq!(world.query::<&DirectionalLight>().iter(world).count(), 1);
        assert_eq!(world.query::<&Mesh3d>().iter(world).count(), 1);
        let ready = world
            .resource::<Outbox>()
            .delivered
            .iter()
            .filter(|e| matches!(e, PageEvent::Ready { .. }))
            .count();
        assert_eq!(ready, 1);
    }
}
