//! Picture quality for the machine: on a software renderer (SwiftShader, llvmpipe: what a
//! browser falls back to without a usable GPU) every pixel is shaded by the CPU, so cameras
//! there draw without multisampling, which costs four samples per pixel for smoother edges.
//! Both the hall and the bare scene use this, so the viewer benchmark compares like with like.

use bevy::prelude::*;
use bevy::render::renderer::RenderAdapterInfo;

/// How the GPU draws, as far as quality choices go.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renderer {
    /// A hardware GPU: full quality.
    Hardware,
    /// The CPU draws every pixel: cheaper settings.
    Software,
}

impl Renderer {
    /// The anti-aliasing a camera gets on this renderer.
    pub fn msaa(self) -> Msaa {
        match self {
            Renderer::Hardware => Msaa::Sample4,
            Renderer::Software => Msaa::Off,
        }
    }
}

/// Tells software from hardware rendering from wgpu's adapter description: its device type
/// (as wgpu prints it; Bevy does not re-export the type) or, where the browser reports no
/// type, the renderer's name.
pub fn renderer_of(name: &str, device_type: &str) -> Renderer {
    let name = name.to_ascii_lowercase();
    let software_names = ["swiftshader", "llvmpipe", "softpipe", "software"];
    if device_type == "Cpu" || software_names.iter().any(|s| name.contains(s)) {
        Renderer::Software
    } else {
        Renderer::Hardware
    }
}

pub fn plugin(app: &mut App) {
    app.add_systems(Update, choose_camera_quality);
}

/// Gives every 3D camera the anti-aliasing the renderer affords, once the render adapter is
/// known (on the web it arrives a few frames after start, before anything is drawn).
fn choose_camera_quality(
    mut commands: Commands,
    adapter: Option<Res<RenderAdapterInfo>>,
    renderer: Option<Res<Renderer>>,
    cameras: Query<(Entity, Option<&Msaa>), With<Camera3d>>,
) {
    let renderer = match (renderer, adapter) {
        (Some(renderer), _) => *renderer,
        (None, Some(adapter)) => {
            let renderer = renderer_of(&adapter.name, &format!("{:?}", adapter.device_type));
            info!("renderer: {} ({renderer:?})", adapter.name);
            commands.insert_resource(renderer);
            renderer
        }
        (None, None) => return,
    };
    let msaa = renderer.msaa();
    for (camera, current) in &cameras {
        if current != Some(&msaa) {
            commands.entity(camera).insert(msaa);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_renderers_are_told_from_gpus_by_type_or_name() {
        let swiftshader = "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)";
        assert_eq!(renderer_of(swiftshader, "Other"), Renderer::Software);
        assert_eq!(
            renderer_of("llvmpipe (LLVM 15.0.6, 256 bits)", "Other"),
            Renderer::Software
        );
        assert_eq!(renderer_of("whatever", "Cpu"), Renderer::Software);
        assert_eq!(
            renderer_of(
                "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11)",
                "DiscreteGpu"
            ),
            Renderer::Hardware
        );
        assert_eq!(Renderer::Software.msaa(), Msaa::Off);
        assert_eq!(Renderer::Hardware.msaa(), Msaa::Sample4);
    }

    #[test]
    fn new_cameras_get_the_renderers_anti_aliasing() {
        let mut app = App::new();
        app.add_plugins(plugin).insert_resource(Renderer::Software);
        let camera = app.world_mut().spawn(Camera3d::default()).id();
        app.update();
        assert_eq!(app.world().get::<Msaa>(camera), Some(&Msaa::Off));
    }
}
