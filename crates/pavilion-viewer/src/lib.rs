//! Pavilion's 3D walk-through hall: a Bevy app that builds the exhibition hall from the
//! published snapshot, lets the visitor walk it, and talks to the page around the canvas.
//!
//! The app is assembled from one plugin per concern (see [`plugin`]); [`HallScenePlugin`]
//! holds the parts that need no window or GPU so that tests can run them headless.

use bevy::prelude::*;

pub mod bare;
pub mod bridge;
pub mod drawn;
pub mod flat;
pub mod glb;
pub mod hall;
pub mod quality;
pub mod remote;
pub mod screen;
pub mod selection;
pub mod textures;
pub mod walk;

#[cfg(target_arch = "wasm32")]
mod web;

/// Everything that turns a snapshot into a walkable, selectable hall, without rendering:
/// the screen states, the page bridge, the hall builder, selection and walking.
#[derive(Debug, Default)]
pub struct HallScenePlugin;

impl Plugin for HallScenePlugin {
    fn build(&self, app: &mut App) {
        flat::register_asset(app);
        app.add_plugins((
            screen::plugin,
            bridge::plugin,
            remote::plugin,
            textures::plugin,
            hall::plugin,
            selection::plugin,
            walk::plugin,
        ));
    }
}

/// What the browser app shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SceneKind {
    /// The exhibition hall.
    Hall,
    /// A camera, a light and a cube: the baseline for the hall's figures.
    Bare,
}

/// The complete browser app: Bevy's default plugins drawing into the page's canvas, and the
/// hall scene with mesh picking (or the bare scene).
#[cfg(target_arch = "wasm32")]
pub fn browser_app(canvas_selector: &str, scene: SceneKind) -> App {
    use bevy::asset::AssetMetaCheck;
    use bevy::picking::mesh_picking::MeshPickingPlugin;

    let mut app = App::new();
    app.add_plugins((
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: "Pavilion".into(),
                    canvas: Some(canvas_selector.to_owned()),
                    fit_canvas_to_parent: true,
                    // Let the page keep its own keyboard shortcuts and text fields.
                    prevent_default_event_handling: false,
                    ..default()
                }),
                ..default()
            })
            .set(AssetPlugin {
                meta_check: AssetMetaCheck::Never,
                // The page is served at `/`: asset paths resolve under `/media/`, so a booth
                // model `/media/<sha>.glb` loads as `<sha>.glb` (by the viewer's own loader).
                file_path: "media".into(),
                ..default()
            }),
        glb::plugin,
        flat::plugin,
        drawn::plugin,
        web::plugin,
        quality::plugin,
    ));
    match scene {
        SceneKind::Hall => app.add_plugins((MeshPickingPlugin, HallScenePlugin)),
        SceneKind::Bare => app.add_plugins(bare::BareScenePlugin),
    };
    app
}
