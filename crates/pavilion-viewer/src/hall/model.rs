//! Product models on plinths: a booth whose exhibitor has a `model_url` gets a white plinth
//! near its open side, and once the visitor comes near, the GLB is loaded through the asset
//! server by the viewer's own loader ([`crate::glb`]; `/media/<sha>.glb` is `<sha>.glb` with
//! the browser's asset root at `media/`) and its parts are spawned onto the plinth. They are
//! scaled to fit [`MODEL_SIZE`] and stood on the plinth, whatever units the model was made in,
//! and turn slowly.

use bevy::asset::LoadState;
use bevy::camera::primitives::Aabb;
use bevy::mesh::VertexAttributeValues;
use bevy::prelude::*;

use crate::glb::GlbModel;
use crate::screen::Screen;
use crate::walk::Visitor;

/// The largest side of a model once fitted onto its plinth, in metres.
pub const MODEL_SIZE: f32 = 0.8;
/// The plinth: an upright cylinder.
pub const PLINTH_RADIUS: f32 = 0.3;
pub const PLINTH_HEIGHT: f32 = 0.9;
/// Turns per second of a model on show.
const SPIN: f32 = 0.35;
/// How near the visitor comes before a booth's model is loaded, in metres.
pub const MODEL_REACH: f32 = 30.0;
/// Models loading at once.
pub const MAX_MODELS_LOADING: usize = 2;

/// Marks a booth's plinth.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plinth;

/// The model standing on a plinth: `path` is the asset path requested (`<sha>.glb`).
/// The entity carrying it sits on the plinth's top and turns; its one child holds the parts.
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct BoothModel {
    pub path: String,
    pub fitted: bool,
}

/// The child of a [`BoothModel`] that the model's parts are spawned under and that is scaled
/// to fit.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelScene;

/// On a [`ModelScene`]: the model requested for it, and whether its parts have been spawned.
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct ModelSource {
    pub handle: Handle<GlbModel>,
    pub spawned: bool,
}

/// The asset path for a model URL from the snapshot: `/media/<name>.glb` becomes
/// `<name>.glb`. Other URLs are not models the viewer can load.
pub fn model_asset_path(url: &str) -> Option<String> {
    let name = url.strip_prefix("/media/")?;
    let valid = name.ends_with(".glb")
        && name.len() > 4
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
    valid.then(|| name.to_owned())
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (
            load_near_models.run_if(resource_exists::<super::HallOnScreen>),
            spawn_models,
            fit_models,
            spin_models,
        )
            .chain()
            .run_if(in_state(Screen::Hall)),
    );
}

/// Starts loading the models near the visitor, nearest first, a couple at a time, once the
/// hall is on screen: a model is only worth its download once the visitor is close enough to
/// see it. Without the model asset (headless tests) the request is left as a path on the
/// [`BoothModel`].
fn load_near_models(
    mut commands: Commands,
    visitor: Query<&Transform, With<Visitor>>,
    holders: Query<(&GlobalTransform, &BoothModel, &Children)>,
    scenes: Query<Option<&ModelSource>, With<ModelScene>>,
    asset_server: Option<Res<AssetServer>>,
    models: Option<Res<Assets<GlbModel>>>,
) {
    let (Some(asset_server), Some(_), Ok(visitor)) = (asset_server, models, visitor.single())
    else {
        return;
    };
    let mut loading = 0;
    let mut near: Vec<(f32, Entity, &str)> = Vec::new();
    for (global, model, children) in &holders {
        for child in children.iter() {
            match scenes.get(child) {
                Ok(Some(source)) => {
                    if matches!(asset_server.load_state(&source.handle), LoadState::Loading) {
                        loading += 1;
                    }
                }
                Ok(None) => {
                    let distance = global.translation().xz().distance(visitor.translation.xz());
                    if distance <= MODEL_REACH {
                        near.push((distance, child, &model.path));
                    }
                }
                Err(_) => {}
            }
        }
    }
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, scene, path) in near
        .into_iter()
        .take(MAX_MODELS_LOADING.saturating_sub(loading))
    {
        let handle: Handle<GlbModel> = asset_server.load(path.to_owned());
        commands.entity(scene).insert(ModelSource {
            handle,
            spawned: false,
        });
    }
}

/// Spawns the parts of each loaded model under its [`ModelScene`], placed as in the model.
/// They are picked like the rest of the booth.
fn spawn_models(
    mut commands: Commands,
    mut scenes: Query<(Entity, &mut ModelSource), With<ModelScene>>,
    models: Option<Res<Assets<GlbModel>>>,
) {
    let Some(models) = models else {
        return;
    };
    for (scene, mut source) in &mut scenes {
        if source.spawned {
            continue;
        }
        let Some(model) = models.get(&source.handle) else {
            continue;
        };
        source.spawned = true;
        commands.entity(scene).with_children(|parent| {
            for part in &model.parts {
                parent.spawn((
                    Mesh3d(part.mesh.clone()),
                    MeshMaterial3d(part.material.clone()),
                    part.transform,
                ));
            }
        });
    }
}

/// Scales each spawned model so its largest side is [`MODEL_SIZE`] and stands it, centred,
/// on the plinth top (its holder's origin). Waits until the scene's meshes exist. Parts are
/// placed in the scene by their own transforms (not their global ones, which are only
/// propagated at the end of the frame they were spawned in).
fn fit_models(
    mut holders: Query<(&mut BoothModel, &Children, &mut Visibility)>,
    mut scenes: Query<&mut Transform, With<ModelScene>>,
    children: Query<&Children>,
    parts: Query<(&Mesh3d, Option<&Aabb>)>,
    placements: Query<(&Transform, &ChildOf), Without<ModelScene>>,
    meshes: Res<Assets<Mesh>>,
) {
    for (mut model, holder_children, mut visibility) in &mut holders {
        if model.fitted {
            continue;
        }
        for scene in holder_children.iter() {
            if !scenes.contains(scene) {
                continue;
            }
            let mut bounds: Option<(Vec3, Vec3)> = None;
            let mut pending = false;
            for part in children.iter_descendants(scene) {
                let Ok((mesh, aabb)) = parts.get(part) else {
                    continue;
                };
                let local_box = match aabb {
                    Some(aabb) => Some((
                        Vec3::from(aabb.center - aabb.half_extents),
                        Vec3::from(aabb.center + aabb.half_extents),
                    )),
                    None => meshes.get(&mesh.0).and_then(mesh_box),
                };
                let Some((min, max)) = local_box else {
                    pending = true;
                    continue;
                };
                // The part's placement in the scene: its transforms up to the scene.
                let mut to_local = bevy::math::Affine3A::IDENTITY;
                let mut current = part;
                while current != scene {
                    let Ok((transform, parent)) = placements.get(current) else {
                        break;
                    };
                    to_local = transform.compute_affine() * to_local;
                    current = parent.parent();
                }
                for corner in 0..8 {
                    let point = Vec3::new(
                        if corner & 1 == 0 { min.x } else { max.x },
                        if corner & 2 == 0 { min.y } else { max.y },
                        if corner & 4 == 0 { min.z } else { max.z },
                    );
                    let p = to_local.transform_point3(point);
                    let b = bounds.get_or_insert((p, p));
                    b.0 = b.0.min(p);
                    b.1 = b.1.max(p);
                }
            }
            let Some((min, max)) = bounds.filter(|_| !pending) else {
                continue;
            };
            let largest = (max - min).max_element();
            if largest <= f32::EPSILON {
                continue;
            }
            let scale = MODEL_SIZE / largest;
            let bottom_centre = Vec3::new((min.x + max.x) / 2.0, min.y, (min.z + max.z) / 2.0);
            if let Ok(mut transform) = scenes.get_mut(scene) {
                *transform = Transform::from_translation(-bottom_centre * scale)
                    .with_scale(Vec3::splat(scale));
            }
            model.fitted = true;
            *visibility = Visibility::Inherited;
        }
    }
}

fn mesh_box(mesh: &Mesh) -> Option<(Vec3, Vec3)> {
    let Some(VertexAttributeValues::Float32x3(positions)) =
        mesh.attribute(Mesh::ATTRIBUTE_POSITION)
    else {
        return None;
    };
    positions.iter().fold(None, |bounds, p| {
        let p = Vec3::from_array(*p);
        Some(bounds.map_or((p, p), |(min, max): (Vec3, Vec3)| (min.min(p), max.max(p))))
    })
}

fn spin_models(time: Res<Time>, mut models: Query<(&BoothModel, &mut Transform)>) {
    for (model, mut transform) in &mut models {
        if model.fitted {
            transform.rotate_y(SPIN * std::f32::consts::TAU * time.delta_secs());
        }
    }
}
