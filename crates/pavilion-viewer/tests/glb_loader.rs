//! The viewer's GLB loader, run headless through a real asset server: an exhibitor's model
//! from the repository and a small hand-made file with a node hierarchy and a shared mesh.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bevy::asset::{AssetPlugin, LoadState};
use bevy::mesh::VertexAttributeValues;
use bevy::prelude::*;
use pavilion_viewer::glb::{self, GlbModel};

/// An app with an asset server reading `root` and the GLB loader.
fn app_reading(root: &Path) -> App {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        AssetPlugin {
            file_path: root.to_string_lossy().into_owned(),
            ..default()
        },
    ))
    .init_asset::<Mesh>()
    .init_asset::<StandardMaterial>()
    .init_asset::<Image>()
    .add_plugins(glb::plugin);
    app
}

/// Loads `name` under `root` and waits (up to 20 s) for the model.
fn load(root: &Path, name: &str) -> (App, GlbModel) {
    let mut app = app_reading(root);
    let handle: Handle<GlbModel> = app.world().resource::<AssetServer>().load(name.to_owned());
    let started = Instant::now();
    loop {
        app.update();
        if let Some(model) = app.world().resource::<Assets<GlbModel>>().get(&handle) {
            let model = model.clone();
            return (app, model);
        }
        let state = app.world().resource::<AssetServer>().load_state(&handle);
        assert!(
            !matches!(state, LoadState::Failed(_)),
            "{name} failed: {state:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{name} never loaded"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn an_exhibitor_model_loads_with_its_colours_and_material() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../exhibitors/plumbline-controls/media")
        .canonicalize()
        .unwrap();
    let (app, model) = load(&root, "model.glb");
    assert_eq!(model.parts.len(), 1);
    let part = &model.parts[0];
    assert_eq!(part.transform, Transform::IDENTITY);

    let meshes = app.world().resource::<Assets<Mesh>>();
    let mesh = meshes
        .get(&part.mesh)
        .expect("the mesh is loaded with the model");
    let vertices = mesh.count_vertices();
    assert!(vertices > 0);
    for attribute in [Mesh::ATTRIBUTE_NORMAL, Mesh::ATTRIBUTE_COLOR] {
        assert_eq!(
            mesh.attribute(attribute).map(VertexAttributeValues::len),
            Some(vertices),
            "{attribute:?}"
        );
    }
    let indices = mesh.indices().expect("indexed");
    assert!(indices.len().is_multiple_of(3));
    assert!(indices.iter().all(|i| i < vertices));

    let materials = app.world().resource::<Assets<StandardMaterial>>();
    let material = materials.get(&part.material).unwrap();
    let colour = material.base_color.to_linear();
    assert!((colour.red - 0.4452).abs() < 1e-4 && (colour.green - 0.04231).abs() < 1e-4);
    assert!((material.metallic - 0.2).abs() < 1e-6);
    assert!((material.perceptual_roughness - 0.45).abs() < 1e-6);
    assert!(!material.unlit);
}

/// A GLB of one triangle mesh drawn by two nodes: a root moved up by 2 and scaled by 3, and
/// its child moved along x by 1; and an unlit, double-sided material.
fn hand_made_glb() -> Vec<u8> {
    let mut bin: Vec<u8> = Vec::new();
    for p in [[0.0f32, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]] {
        for c in p {
            bin.extend_from_slice(&c.to_le_bytes());
        }
    }
    for i in [0u16, 1, 2, 0] {
        // three indices and two bytes of padding
        bin.extend_from_slice(&i.to_le_bytes());
    }
    let json = r#"{"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[0]}],
        "nodes":[{"mesh":0,"translation":[0,2,0],"scale":[3,3,3],"children":[1]},
                 {"mesh":0,"translation":[1,0,0]}],
        "meshes":[{"primitives":[{"attributes":{"POSITION":0},"indices":1,"material":0}]}],
        "materials":[{"pbrMetallicRoughness":{"baseColorFactor":[0.5,0.25,1,1]},
                      "doubleSided":true,"extensions":{"KHR_materials_unlit":{}}}],
        "extensionsUsed":["KHR_materials_unlit"],
        "buffers":[{"byteLength":44}],
        "bufferViews":[{"buffer":0,"byteOffset":0,"byteLength":36},
                       {"buffer":0,"byteOffset":36,"byteLength":6}],
        "accessors":[{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3",
                      "min":[0,0,0],"max":[1,1,0]},
                     {"bufferView":1,"componentType":5123,"count":3,"type":"SCALAR"}]}"#;
    let mut json = json.as_bytes().to_vec();
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let total = 12 + 8 + json.len() + 8 + bin.len();
    let mut glb = Vec::new();
    glb.extend_from_slice(b"glTF");
    glb.extend_from_slice(&2u32.to_le_bytes());
    glb.extend_from_slice(&(total as u32).to_le_bytes());
    glb.extend_from_slice(&(json.len() as u32).to_le_bytes());
    glb.extend_from_slice(b"JSON");
    glb.extend_from_slice(&json);
    glb.extend_from_slice(&(bin.len() as u32).to_le_bytes());
    glb.extend_from_slice(b"BIN\0");
    glb.extend_from_slice(&bin);
    glb
}

#[test]
fn nodes_place_their_meshes_in_the_model_and_share_them() {
    let dir = tempdir();
    std::fs::write(dir.join("made.glb"), hand_made_glb()).unwrap();
    let (app, model) = load(&dir, "made.glb");
    std::fs::remove_dir_all(&dir).unwrap();

    assert_eq!(model.parts.len(), 2);
    let mut translations: Vec<Vec3> = model
        .parts
        .iter()
        .map(|p| p.transform.translation)
        .collect();
    translations.sort_by(|a, b| a.x.total_cmp(&b.x));
    // The child's offset is scaled by its parent.
    assert!(translations[0].distance(Vec3::new(0.0, 2.0, 0.0)) < 1e-5);
    assert!(translations[1].distance(Vec3::new(3.0, 2.0, 0.0)) < 1e-5);
    assert!(
        model
            .parts
            .iter()
            .all(|p| p.transform.scale.distance(Vec3::splat(3.0)) < 1e-5)
    );
    assert_eq!(
        model.parts[0].mesh, model.parts[1].mesh,
        "one mesh, drawn twice"
    );
    assert_eq!(model.parts[0].material, model.parts[1].material);

    let mesh = app
        .world()
        .resource::<Assets<Mesh>>()
        .get(&model.parts[0].mesh)
        .unwrap();
    assert_eq!(mesh.count_vertices(), 3);
    assert!(
        mesh.attribute(Mesh::ATTRIBUTE_NORMAL).is_some(),
        "normals are computed when the file has none"
    );
    let material = app
        .world()
        .resource::<Assets<StandardMaterial>>()
        .get(&model.parts[0].material)
        .unwrap();
    assert!(material.unlit);
    assert!(material.double_sided && material.cull_mode.is_none());
    assert!((material.base_color.to_linear().blue - 1.0).abs() < 1e-6);
}

/// A fresh folder for one test.
fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "pavilion-glb-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
