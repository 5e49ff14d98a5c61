//! The viewer's own loader for exhibitors' GLB models: an asset loader for `.glb` that turns
//! the default scene into a flat list of parts (mesh, material, placement in the model).
//!
//! It replaces Bevy's glTF support, which brought a scene format, reflection of every
//! component and a full glTF importer into the download. The server only accepts models that
//! are self-contained, well-formed and within budget (`pavilion-media`), so the subset read
//! here is what a booth model needs: triangle meshes with positions, normals, UVs and vertex
//! colours; materials with their base colour (factor and embedded PNG/JPEG texture),
//! metallic and roughness factors, emission, alpha mode, double sidedness and
//! `KHR_materials_unlit`. Other textures and extensions are left out.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use bevy::asset::io::Reader;
use bevy::asset::{AssetLoader, LoadContext, RenderAssetUsages};
use bevy::image::{
    CompressedImageFormats, ImageAddressMode, ImageSampler, ImageSamplerDescriptor, ImageType,
};
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use gltf::buffer::Source as BufferSource;
use gltf::image::Source as ImageSource;
use gltf::mesh::Mode;
use gltf::texture::WrappingMode;

/// A loaded model: its parts, each placed relative to the model's origin.
#[derive(Asset, TypePath, Debug, Clone, Default)]
pub struct GlbModel {
    pub parts: Vec<ModelPart>,
}

/// One triangle mesh of a model with its material and placement.
#[derive(Debug, Clone)]
pub struct ModelPart {
    pub mesh: Handle<Mesh>,
    pub material: Handle<StandardMaterial>,
    pub transform: Transform,
}

/// Why a model could not be loaded.
#[derive(Debug)]
pub struct GlbError(String);

impl fmt::Display for GlbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GLB model: {}", self.0)
    }
}

impl std::error::Error for GlbError {}

/// Loads `.glb` files as [`GlbModel`]s.
#[derive(Debug, Default, TypePath)]
pub struct GlbLoader;

/// Registers the model asset and its loader.
pub fn plugin(app: &mut App) {
    app.init_asset::<GlbModel>()
        .register_asset_loader(GlbLoader);
}

impl AssetLoader for GlbLoader {
    type Asset = GlbModel;
    type Settings = ();
    type Error = GlbError;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        load_context: &mut LoadContext<'_>,
    ) -> Result<GlbModel, GlbError> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| GlbError(format!("could not be read: {e}")))?;
        build_model(&bytes, load_context)
    }

    fn extensions(&self) -> &[&str] {
        &["glb"]
    }
}

/// Parses the file and adds its meshes, materials and images as labelled assets.
fn build_model(bytes: &[u8], load_context: &mut LoadContext<'_>) -> Result<GlbModel, GlbError> {
    let gltf = gltf::Gltf::from_slice(bytes).map_err(|e| GlbError(e.to_string()))?;
    let blob: &[u8] = gltf.blob.as_deref().unwrap_or_default();
    let document = &gltf.document;
    let scene = document
        .default_scene()
        .or_else(|| document.scenes().next())
        .ok_or_else(|| GlbError("it has no scene".into()))?;

    let mut images: HashMap<usize, Option<Handle<Image>>> = HashMap::new();
    let mut materials: HashMap<Option<usize>, Handle<StandardMaterial>> = HashMap::new();
    let mut meshes: HashMap<usize, Vec<(Handle<Mesh>, gltf::Material)>> = HashMap::new();
    let mut parts = Vec::new();

    // Walk the scene's node forest, each node with its transform in the model.
    let mut stack: Vec<(gltf::Node, Mat4)> =
        scene.nodes().map(|node| (node, Mat4::IDENTITY)).collect();
    let mut visited = 0;
    while let Some((node, parent)) = stack.pop() {
        visited += 1;
        if visited > document.nodes().len() {
            return Err(GlbError("its nodes do not form a tree".into()));
        }
        let placed = parent * Mat4::from_cols_array_2d(&node.transform().matrix());
        stack.extend(node.children().map(|child| (child, placed)));
        let Some(mesh) = node.mesh() else {
            continue;
        };
        if let Entry::Vacant(entry) = meshes.entry(mesh.index()) {
            let built = mesh
                .primitives()
                .filter(|primitive| primitive.mode() == Mode::Triangles)
                .filter_map(|primitive| {
                    let built = primitive_mesh(&primitive, blob)?;
                    let label = format!("Mesh{}/Primitive{}", mesh.index(), primitive.index());
                    Some((
                        load_context.add_labeled_asset(label, built),
                        primitive.material(),
                    ))
                })
                .collect();
            entry.insert(built);
        }
        let transform = Transform::from_matrix(placed);
        for (mesh, material) in &meshes[&mesh.index()] {
            let material = match materials.get(&material.index()) {
                Some(handle) => handle.clone(),
                None => {
                    let built = standard_material(material, blob, &mut images, load_context);
                    let label = match material.index() {
                        Some(index) => format!("Material{index}"),
                        None => "MaterialDefault".to_owned(),
                    };
                    let handle = load_context.add_labeled_asset(label, built);
                    materials.insert(material.index(), handle.clone());
                    handle
                }
            };
            parts.push(ModelPart {
                mesh: mesh.clone(),
                material,
                transform,
            });
        }
    }
    Ok(GlbModel { parts })
}

/// The data of the file's binary chunk for a buffer (the server refuses any other source).
fn buffer_data<'b>(buffer: &gltf::Buffer, blob: &'b [u8]) -> Option<&'b [u8]> {
    matches!(buffer.source(), BufferSource::Bin).then_some(blob)
}

/// A triangle list mesh from one primitive; `None` when it has no positions.
fn primitive_mesh(primitive: &gltf::Primitive, blob: &[u8]) -> Option<Mesh> {
    let reader = primitive.reader(|buffer| buffer_data(&buffer, blob));
    let positions: Vec<[f32; 3]> = reader.read_positions()?.collect();
    let mut mesh = Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::default(),
    );
    let vertices = positions.len();
    mesh.insert_attribute(Mesh::ATTRIBUTE_POSITION, positions);
    if let Some(normals) = reader.read_normals() {
        let normals: Vec<[f32; 3]> = normals.collect();
        if normals.len() == vertices {
            mesh.insert_attribute(Mesh::ATTRIBUTE_NORMAL, normals);
        }
    }
    if let Some(uvs) = reader.read_tex_coords(0) {
        let uvs: Vec<[f32; 2]> = uvs.into_f32().collect();
        if uvs.len() == vertices {
            mesh.insert_attribute(Mesh::ATTRIBUTE_UV_0, uvs);
        }
    }
    if let Some(colours) = reader.read_colors(0) {
        let colours: Vec<[f32; 4]> = colours.into_rgba_f32().collect();
        if colours.len() == vertices {
            mesh.insert_attribute(Mesh::ATTRIBUTE_COLOR, colours);
        }
    }
    if let Some(indices) = reader.read_indices() {
        let indices: Vec<u32> = indices.into_u32().collect();
        if indices.iter().any(|&i| i as usize >= vertices) {
            return None;
        }
        mesh.insert_indices(Indices::U32(indices));
    }
    if mesh.attribute(Mesh::ATTRIBUTE_NORMAL).is_none() {
        if mesh.indices().is_some() {
            mesh.compute_smooth_normals();
        } else {
            mesh.compute_flat_normals();
        }
    }
    Some(mesh)
}

/// The material a glTF material describes, as far as a booth model needs.
fn standard_material(
    material: &gltf::Material,
    blob: &[u8],
    images: &mut HashMap<usize, Option<Handle<Image>>>,
    load_context: &mut LoadContext<'_>,
) -> StandardMaterial {
    let pbr = material.pbr_metallic_roughness();
    let [r, g, b, a] = pbr.base_color_factor();
    let [er, eg, eb] = material.emissive_factor();
    let strength = material.emissive_strength().unwrap_or(1.0);
    let mut texture = |info: Option<gltf::texture::Info>| {
        let texture = info?.texture();
        images
            .entry(texture.source().index())
            .or_insert_with(|| {
                let image = embedded_image(&texture, blob)?;
                Some(
                    load_context
                        .add_labeled_asset(format!("Texture{}", texture.source().index()), image),
                )
            })
            .clone()
    };
    let base_color_texture = texture(pbr.base_color_texture());
    let emissive_texture = texture(material.emissive_texture());
    let alpha_mode = match material.alpha_mode() {
        gltf::material::AlphaMode::Opaque => AlphaMode::Opaque,
        gltf::material::AlphaMode::Mask => AlphaMode::Mask(material.alpha_cutoff().unwrap_or(0.5)),
        gltf::material::AlphaMode::Blend => AlphaMode::Blend,
    };
    StandardMaterial {
        base_color: Color::linear_rgba(r, g, b, a),
        base_color_texture,
        metallic: pbr.metallic_factor(),
        perceptual_roughness: pbr.roughness_factor(),
        emissive: LinearRgba::rgb(er * strength, eg * strength, eb * strength),
        emissive_texture,
        alpha_mode,
        double_sided: material.double_sided(),
        cull_mode: if material.double_sided() {
            None
        } else {
            Some(bevy::render::render_resource::Face::Back)
        },
        unlit: material.unlit(),
        ..default()
    }
}

/// A colour texture decoded from the PNG or JPEG embedded in the file; `None` (drawn without
/// it) when it cannot be read.
fn embedded_image(texture: &gltf::Texture, blob: &[u8]) -> Option<Image> {
    let ImageSource::View { view, mime_type } = texture.source().source() else {
        return None;
    };
    let data = buffer_data(&view.buffer(), blob)?;
    let bytes = data.get(view.offset()..view.offset().checked_add(view.length())?)?;
    let sampler = texture.sampler();
    let address = |mode: WrappingMode| match mode {
        WrappingMode::ClampToEdge => ImageAddressMode::ClampToEdge,
        WrappingMode::MirroredRepeat => ImageAddressMode::MirrorRepeat,
        WrappingMode::Repeat => ImageAddressMode::Repeat,
    };
    let descriptor = ImageSamplerDescriptor {
        address_mode_u: address(sampler.wrap_s()),
        address_mode_v: address(sampler.wrap_t()),
        ..ImageSamplerDescriptor::linear()
    };
    match Image::from_buffer(
        bytes,
        ImageType::MimeType(mime_type),
        CompressedImageFormats::NONE,
        true,
        ImageSampler::Descriptor(descriptor),
        RenderAssetUsages::default(),
    ) {
        Ok(image) => Some(image),
        Err(e) => {
            warn!("a model's texture could not be decoded: {e}");
            None
        }
    }
}
