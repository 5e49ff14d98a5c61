//! Packing a mesh as binary glTF (GLB): the vertex and index buffers and the JSON that
//! describes them, one node, one mesh, one primitive and one brand-coloured material.

use std::fmt::Write as _;

use super::mesh::{MeshBuilder, Vec3};

/// Packs a mesh into a GLB: one node, one mesh, one primitive, one material.
pub(super) fn mesh_glb(mesh: &MeshBuilder, colour: Vec3, name: &str) -> Vec<u8> {
    let mut bin = Vec::new();
    let mut views = Vec::new();
    let mut push_view = |bin: &mut Vec<u8>, bytes: Vec<u8>, target: u32| {
        while !bin.len().is_multiple_of(4) {
            bin.push(0);
        }
        views.push(format!(
            r#"{{"buffer":0,"byteOffset":{},"byteLength":{},"target":{target}}}"#,
            bin.len(),
            bytes.len()
        ));
        bin.extend_from_slice(&bytes);
    };
    let floats = |values: &mut dyn Iterator<Item = f32>| {
        values.flat_map(f32::to_le_bytes).collect::<Vec<u8>>()
    };
    push_view(
        &mut bin,
        floats(&mut mesh.positions.iter().flatten().copied()),
        34962,
    );
    push_view(
        &mut bin,
        floats(&mut mesh.normals.iter().flatten().copied()),
        34962,
    );
    push_view(
        &mut bin,
        floats(&mut mesh.shades.iter().flat_map(|s| [*s, *s, *s, 1.0])),
        34962,
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
    push_view(&mut bin, index_bytes, 34963);
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
    let json = format!(
        concat!(
            r#"{{"asset":{{"version":"2.0","generator":"Pavilion cargo xtask catalogue"}},"scene":0,"scenes":[{{"nodes":[0]}}],"#,
            r#""nodes":[{{"mesh":0,"name":{name}}}],"#,
            r#""meshes":[{{"name":{name},"primitives":[{{"attributes":{{"POSITION":0,"NORMAL":1,"COLOR_0":2}},"indices":3,"material":0}}]}}],"#,
            r#""materials":[{{"name":"brand","pbrMetallicRoughness":{{"baseColorFactor":[{r},{g},{b},1.0],"metallicFactor":0.2,"roughnessFactor":0.45}}}}],"#,
            r#""accessors":[{{"bufferView":0,"componentType":5126,"count":{count},"type":"VEC3","min":[{min0},{min1},{min2}],"max":[{max0},{max1},{max2}]}},"#,
            r#"{{"bufferView":1,"componentType":5126,"count":{count},"type":"VEC3"}},"#,
            r#"{{"bufferView":2,"componentType":5126,"count":{count},"type":"VEC4"}},"#,
            r#"{{"bufferView":3,"componentType":{index_type},"count":{indices},"type":"SCALAR"}}],"#,
            r#""bufferViews":[{views}],"buffers":[{{"byteLength":{bin_len}}}]}}"#
        ),
        name = json_string(name),
        r = colour[0],
        g = colour[1],
        b = colour[2],
        count = count,
        min0 = min[0],
        min1 = min[1],
        min2 = min[2],
        max0 = max[0],
        max1 = max[1],
        max2 = max[2],
        index_type = if wide { 5125 } else { 5123 },
        indices = mesh.indices.len(),
        views = views.join(","),
        bin_len = bin.len(),
    );
    pavilion_media::write_glb(json.as_bytes(), &bin)
}

/// A JSON string literal for plain text.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
