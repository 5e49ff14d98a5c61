//! The flat material: everything the hall draws (its baked solid parts and its pictures) is
//! unlit, so it gets a material whose shader does nothing else: a vertex colour or a picture,
//! times a colour, then the camera's tonemapping. Bevy's `StandardMaterial` with `unlit` set
//! still compiles and runs its whole lighting shader; on a software renderer (SwiftShader)
//! that shader takes most of each frame's time and a long compile before the first one.

use bevy::asset::embedded_asset;
use bevy::mesh::MeshVertexBufferLayoutRef;
use bevy::pbr::{MaterialPipeline, MaterialPipelineKey};
use bevy::prelude::*;
use bevy::render::render_resource::{
    AsBindGroup, RenderPipelineDescriptor, SpecializedMeshPipelineError,
};
use bevy::shader::ShaderRef;

/// An unlit material: the mesh's vertex colours when it has them, else `picture` (white when
/// there is none), times `colour`.
#[derive(Asset, TypePath, AsBindGroup, Debug, Clone, PartialEq)]
#[bind_group_data(FlatKey)]
pub struct FlatMaterial {
    #[uniform(0)]
    pub colour: LinearRgba,
    #[texture(1)]
    #[sampler(2)]
    pub picture: Option<Handle<Image>>,
    /// `Opaque` or `Blend`: whether the picture's transparent pixels show what is behind.
    pub alpha_mode: AlphaMode,
}

impl FlatMaterial {
    /// The material of meshes whose vertex colours carry their colour, light included.
    pub fn vertex_coloured() -> Self {
        FlatMaterial {
            colour: LinearRgba::WHITE,
            picture: None,
            alpha_mode: AlphaMode::Opaque,
        }
    }

    /// A picture as it is, drawn over what is behind its transparent pixels when
    /// `transparent`, else on black.
    pub fn picture(picture: Handle<Image>, transparent: bool) -> Self {
        FlatMaterial {
            colour: LinearRgba::WHITE,
            picture: Some(picture),
            alpha_mode: if transparent {
                AlphaMode::Blend
            } else {
                AlphaMode::Opaque
            },
        }
    }
}

/// What of a [`FlatMaterial`] changes its shader: opaque materials write full alpha.
#[repr(C)]
#[derive(Debug, Eq, PartialEq, Hash, Copy, Clone)]
pub struct FlatKey {
    opaque: bool,
}

impl From<&FlatMaterial> for FlatKey {
    fn from(material: &FlatMaterial) -> Self {
        FlatKey {
            opaque: material.alpha_mode == AlphaMode::Opaque,
        }
    }
}

impl Material for FlatMaterial {
    fn fragment_shader() -> ShaderRef {
        "embedded://pavilion_viewer/flat.wgsl".into()
    }

    fn alpha_mode(&self) -> AlphaMode {
        self.alpha_mode
    }

    fn enable_prepass() -> bool {
        false
    }

    fn enable_shadows() -> bool {
        false
    }

    fn specialize(
        _pipeline: &MaterialPipeline,
        descriptor: &mut RenderPipelineDescriptor,
        _layout: &MeshVertexBufferLayoutRef,
        key: MaterialPipelineKey<Self>,
    ) -> Result<(), SpecializedMeshPipelineError> {
        if key.bind_group_data.opaque
            && let Some(fragment) = descriptor.fragment.as_mut()
        {
            fragment.shader_defs.push("FLAT_OPAQUE".into());
        }
        Ok(())
    }
}

/// Draws flat materials: the shader (built into the wasm) and Bevy's material plugin. Needs
/// the render plugins; headless apps register the asset alone ([`register_asset`]).
pub fn plugin(app: &mut App) {
    embedded_asset!(app, "flat.wgsl");
    app.add_plugins(MaterialPlugin::<FlatMaterial>::default());
}

/// Makes `Assets<FlatMaterial>` available without drawing them (headless apps and tests),
/// unless [`plugin`] already has.
pub fn register_asset(app: &mut App) {
    if !app.world().contains_resource::<Assets<FlatMaterial>>() {
        app.init_asset::<FlatMaterial>();
    }
}
