//! Packing a mesh as binary glTF (GLB): the vertex and index buffers and the JSON that
//! describes them, one node, one mesh, one primitive and one brand-coloured material.

use std::io;

use anyhow::{Context, Result};
use serde::Serialize;

use super::mesh::{MeshBuilder, Vec3};

/// glTF's `target` of a buffer view holding vertex attributes.
const ARRAY_BUFFER: u32 = 34962;
/// glTF's `target` of a buffer view holding indices.
const ELEMENT_ARRAY_BUFFER: u32 = 34963;
/// glTF's `componentType`s used here.
const FLOAT: u32 = 5126;
const UNSIGNED_SHORT: u32 = 5123;
const UNSIGNED_INT: u32 = 5125;

/// Packs a mesh into a GLB: one node, one mesh, one primitive, one material.
pub(super) fn mesh_glb(mesh: &MeshBuilder, colour: Vec3, name: &str) -> Result<Vec<u8>> {
    let mut bin = Vec::new();
    let mut views = Vec::new();
    let mut push_view = |bin: &mut Vec<u8>, bytes: Vec<u8>, target: u32| {
        while !bin.len().is_multiple_of(4) {
            bin.push(0);
        }
        views.push(BufferView {
            buffer: 0,
            byte_offset: bin.len(),
            byte_length: bytes.len(),
            target,
        });
        bin.extend_from_slice(&bytes);
    };
    let floats = |values: &mut dyn Iterator<Item = f32>| {
        values.flat_map(f32::to_le_bytes).collect::<Vec<u8>>()
    };
    push_view(
        &mut bin,
        floats(&mut mesh.positions.iter().flatten().copied()),
        ARRAY_BUFFER,
    );
    push_view(
        &mut bin,
        floats(&mut mesh.normals.iter().flatten().copied()),
        ARRAY_BUFFER,
    );
    push_view(
        &mut bin,
        floats(&mut mesh.shades.iter().flat_map(|s| [*s, *s, *s, 1.0])),
        ARRAY_BUFFER,
    );
    let wide = mesh.positions.len() > usize::from(u16::MAX);
    let index_bytes: Vec<u8> = if wide {
        mesh.indices.iter().flat_map(|i| i.to_le_bytes()).collect()
    } else {
        mesh.indices
            .iter()
            .flat_map(|i| (*i as u16).to_le_bytes())
            .collect()
    };
    push_view(&mut bin, index_bytes, ELEMENT_ARRAY_BUFFER);
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }

    let mut min = [f32::MAX; 3];
    let mut max = [f32::MIN; 3];
    for p in &mesh.positions {
        for axis in 0..3 {
            min[axis] = min[axis].min(p[axis]);
            max[axis] = max[axis].max(p[axis]);
        }
    }
    let count = mesh.positions.len();
    let vertex_accessor = |buffer_view, kind| Accessor {
        buffer_view,
        component_type: FLOAT,
        count,
        kind,
        min: None,
        max: None,
    };
    let gltf = Gltf {
        asset: Asset {
            version: "2.0",
            generator: "Pavilion cargo xtask catalogue",
        },
        scene: 0,
        scenes: [Scene { nodes: [0] }],
        nodes: [Node { mesh: 0, name }],
        meshes: [Mesh {
            name,
            primitives: [Primitive {
                attributes: Attributes {
                    position: 0,
                    normal: 1,
                    color: 2,
                },
                indices: 3,
                material: 0,
            }],
        }],
        materials: [Material {
            name: "brand",
            pbr_metallic_roughness: PbrMetallicRoughness {
                base_color_factor: (colour[0], colour[1], colour[2], 1.0),
                metallic_factor: 0.2,
                roughness_factor: 0.45,
            },
        }],
        accessors: [
            Accessor {
                min: Some(min),
                max: Some(max),
                ..vertex_accessor(0, "VEC3")
            },
            vertex_accessor(1, "VEC3"),
            vertex_accessor(2, "VEC4"),
            Accessor {
                buffer_view: 3,
                component_type: if wide { UNSIGNED_INT } else { UNSIGNED_SHORT },
                count: mesh.indices.len(),
                kind: "SCALAR",
                min: None,
                max: None,
            },
        ],
        buffer_views: views,
        buffers: [Buffer {
            byte_length: bin.len(),
        }],
    };
    let mut json = Vec::new();
    gltf.serialize(&mut serde_json::Serializer::with_formatter(
        &mut json, DisplayF32,
    ))
    .context("writing the glTF JSON")?;
    Ok(pavilion_media::write_glb(&json, &bin))
}

/// Compact JSON in which f32 numbers are written as Rust's `Display` writes them (`0`,
/// `0.30448887`, never an exponent) rather than as serde_json does (`0.0`, `3e-5`): the
/// catalogue's models were first written that way, and this keeps their bytes.
struct DisplayF32;

impl serde_json::ser::Formatter for DisplayF32 {
    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        write!(writer, "{value}")
    }
}

/// The glTF document; the fields are declared in the order they are written.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Gltf<'a> {
    asset: Asset,
    scene: u32,
    scenes: [Scene; 1],
    nodes: [Node<'a>; 1],
    meshes: [Mesh<'a>; 1],
    materials: [Material; 1],
    accessors: [Accessor; 4],
    buffer_views: Vec<BufferView>,
    buffers: [Buffer; 1],
}

#[derive(Serialize)]
struct Asset {
    version: &'static str,
    generator: &'static str,
}

#[derive(Serialize)]
struct Scene {
    nodes: [u32; 1],
}

#[derive(Serialize)]
struct Node<'a> {
    mesh: u32,
    name: &'a str,
}

#[derive(Serialize)]
struct Mesh<'a> {
    name: &'a str,
    primitives: [Primitive; 1],
}

#[derive(Serialize)]
struct Primitive {
    attributes: Attributes,
    indices: u32,
    material: u32,
}

/// The accessor of each vertex attribute.
#[derive(Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct Attributes {
    position: u32,
    normal: u32,
    #[serde(rename = "COLOR_0")]
    color: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Material {
    name: &'static str,
    pbr_metallic_roughness: PbrMetallicRoughness,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PbrMetallicRoughness {
    /// Red, green, blue and alpha. The alpha is an f64 so that it is written `1.0` beside
    /// the f32 channels, as in the models first written (see [`DisplayF32`]).
    base_color_factor: (f32, f32, f32, f64),
    metallic_factor: f32,
    roughness_factor: f32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Accessor {
    buffer_view: u32,
    component_type: u32,
    count: usize,
    #[serde(rename = "type")]
    kind: &'static str,
    /// The bounds, which glTF requires of positions only.
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<Vec3>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<Vec3>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BufferView {
    buffer: u32,
    byte_offset: usize,
    byte_length: usize,
    target: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Buffer {
    byte_length: usize,
}

#[cfg(test)]
mod tests {
    use super::super::mesh::Turn;
    use super::*;

    /// The JSON chunk of a GLB (it starts after the 12-byte header and 8-byte chunk header).
    fn json_chunk(glb: &[u8]) -> &str {
        let length = u32::from_le_bytes(glb[12..16].try_into().unwrap()) as usize;
        std::str::from_utf8(&glb[20..20 + length])
            .unwrap()
            .trim_end()
    }

    #[test]
    fn the_json_describes_the_buffers_in_glb_order() {
        let mut mesh = MeshBuilder::default();
        mesh.cuboid([0.0, 0.5, 0.0], [1.0, 1.0, 0.25], Turn::NONE, 0.5);
        let glb = mesh_glb(&mesh, [0.0, 0.5, 1.0], "A \"quoted\" box").unwrap();
        assert_eq!(
            json_chunk(&glb),
            concat!(
                r#"{"asset":{"version":"2.0","generator":"Pavilion cargo xtask catalogue"},"scene":0,"scenes":[{"nodes":[0]}],"#,
                r#""nodes":[{"mesh":0,"name":"A \"quoted\" box"}],"#,
                r#""meshes":[{"name":"A \"quoted\" box","primitives":[{"attributes":{"POSITION":0,"NORMAL":1,"COLOR_0":2},"indices":3,"material":0}]}],"#,
                r#""materials":[{"name":"brand","pbrMetallicRoughness":{"baseColorFactor":[0,0.5,1,1.0],"metallicFactor":0.2,"roughnessFactor":0.45}}],"#,
                r#""accessors":[{"bufferView":0,"componentType":5126,"count":24,"type":"VEC3","min":[-0.5,0,-0.125],"max":[0.5,1,0.125]},"#,
                r#"{"bufferView":1,"componentType":5126,"count":24,"type":"VEC3"},"#,
                r#"{"bufferView":2,"componentType":5126,"count":24,"type":"VEC4"},"#,
                r#"{"bufferView":3,"componentType":5123,"count":36,"type":"SCALAR"}],"#,
                r#""bufferViews":[{"buffer":0,"byteOffset":0,"byteLength":288,"target":34962},"#,
                r#"{"buffer":0,"byteOffset":288,"byteLength":288,"target":34962},"#,
                r#"{"buffer":0,"byteOffset":576,"byteLength":384,"target":34962},"#,
                r#"{"buffer":0,"byteOffset":960,"byteLength":72,"target":34963}],"#,
                r#""buffers":[{"byteLength":1032}]}"#
            )
        );
        let model = pavilion_media::check_glb(&glb, pavilion_media::ModelBudget::STANDARD).unwrap();
        assert_eq!(model.triangles, 12);
    }
}
