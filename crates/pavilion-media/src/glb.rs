//! GLB (binary glTF 2.0) models: self-contained (no URIs of any kind), structurally sound
//! (every accessor and view inside its buffer, every index inside its vertices), using only
//! extensions the viewer supports, and within the triangle and texture budget of a booth tier.
//!
//! Every step is linear in the size of the file: the node hierarchy must be a forest (a node
//! with two parents or inside a loop is refused, so no walk can revisit a node), each accessor
//! is read at most once, and the triangle budget (counting every mesh instance) is judged
//! before any index data is read.

use gltf::buffer::Source as BufferSource;
use gltf::image::Source as ImageSource;
use gltf::mesh::Mode;
use pavilion_model::BoothTier;

use crate::image::{ImageLimits, check_sides};
use crate::limits::{CheckLimits, Meter};
use crate::{FileFormat, MediaError, sniff};

/// The largest model accepted: 8 MiB.
pub const MAX_GLB_BYTES: u64 = 8 * 1024 * 1024;
/// The most nodes a model may have (a booth model needs a few hundred at most).
pub const MAX_GLB_NODES: usize = 65_536;

/// Extensions a model may require: those the viewer can draw a model with (its loader applies
/// unlit and emissive strength; the others' effects are left out, the model still drawn).
const SUPPORTED_REQUIRED_EXTENSIONS: [&str; 7] = [
    "KHR_materials_unlit",
    "KHR_texture_transform",
    "KHR_materials_emissive_strength",
    "KHR_materials_ior",
    "KHR_materials_transmission",
    "KHR_materials_volume",
    "KHR_lights_punctual",
];

/// What a booth's model may cost to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelBudget {
    /// Triangles over every mesh instance.
    pub triangles: u64,
    /// Width times height, summed over every texture image.
    pub texture_pixels: u64,
    /// The tier's name, for messages.
    pub tier: &'static str,
}

impl ModelBudget {
    pub const STANDARD: ModelBudget = ModelBudget {
        triangles: 20_000,
        texture_pixels: 1024 * 1024,
        tier: "standard",
    };
    pub const PREMIUM: ModelBudget = ModelBudget {
        triangles: 50_000,
        texture_pixels: 2 * 1024 * 1024,
        tier: "premium",
    };
    pub const FLAGSHIP: ModelBudget = ModelBudget {
        triangles: 100_000,
        texture_pixels: 4 * 1024 * 1024,
        tier: "flagship",
    };

    /// The budget of a booth tier.
    pub fn for_tier(tier: BoothTier) -> ModelBudget {
        match tier {
            BoothTier::Standard => ModelBudget::STANDARD,
            BoothTier::Premium => ModelBudget::PREMIUM,
            BoothTier::Flagship => ModelBudget::FLAGSHIP,
        }
    }
}

/// What a model that passed the checks holds.
#[derive(Debug, Clone, PartialEq)]
pub struct GlbSummary {
    pub triangles: u64,
    pub vertices: u64,
    pub meshes: usize,
    pub materials: usize,
    /// Embedded images.
    pub textures: usize,
    pub texture_pixels: u64,
    /// The axis-aligned bounds of the default scene in its own units (normally metres):
    /// `[min, max]`, or `None` when the scene has no positioned geometry.
    pub bounds: Option<[[f32; 3]; 2]>,
}

/// Checks a GLB model against [`MAX_GLB_BYTES`] and `budget`, with the default
/// [`CheckLimits`] (no deadline).
pub fn check_glb(bytes: &[u8], budget: ModelBudget) -> Result<GlbSummary, MediaError> {
    check_glb_within(bytes, budget, &CheckLimits::default())
}

/// Checks a GLB model against [`MAX_GLB_BYTES`] and `budget`, giving up with
/// [`MediaError::TimeLimit`] once `limits.deadline` has passed.
///
/// In order: the framing, the JSON, required extensions, buffers and views, accessors (from
/// their declarations only), the node hierarchy (a forest of at most [`MAX_GLB_NODES`]),
/// the triangle budget over every mesh instance, the embedded images' headers and the
/// texture budget, and last the index data, each index accessor scanned once.
pub fn check_glb_within(
    bytes: &[u8],
    budget: ModelBudget,
    limits: &CheckLimits,
) -> Result<GlbSummary, MediaError> {
    const EXPECTED: &str = "a GLB model";
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    if bytes.len() as u64 > MAX_GLB_BYTES {
        return Err(MediaError::TooLarge {
            expected: EXPECTED,
            size: bytes.len() as u64,
            limit: MAX_GLB_BYTES,
        });
    }
    let found = sniff(bytes);
    if found != Some(FileFormat::Glb) {
        return Err(MediaError::WrongKind {
            expected: EXPECTED,
            found,
        });
    }
    let declared = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    if declared > bytes.len() {
        return Err(truncated(format!(
            "its header says {declared} bytes, but the file has {}",
            bytes.len()
        )));
    }

    let parsed = gltf::Gltf::from_slice_without_validation(&bytes[..declared]).map_err(
        |error| match error {
            gltf::Error::Binary(error) => match error {
                gltf::binary::Error::ChunkLength { .. } | gltf::binary::Error::Length { .. } => {
                    truncated(format!("a chunk ends past the end of the file ({error})"))
                }
                other => invalid(other.to_string()),
            },
            other => invalid(other.to_string()),
        },
    )?;
    let mut meter = Meter::new(limits);
    meter.check_clock()?;
    let blob = parsed.blob.unwrap_or_default();
    let root = parsed.document.into_json();
    if let Some(name) = root
        .extensions_required
        .iter()
        .find(|name| !SUPPORTED_REQUIRED_EXTENSIONS.contains(&name.as_str()))
    {
        return Err(MediaError::UnsupportedExtension { name: name.clone() });
    }
    // gltf-json's validation reads the POSITION accessor of every primitive before it has
    // checked that the accessor exists, and panics on a dangling index: check that first.
    for (m, mesh) in root.meshes.iter().enumerate() {
        for primitive in &mesh.primitives {
            let positions = gltf::json::validation::Checked::Valid(gltf::Semantic::Positions);
            if let Some(index) = primitive.attributes.get(&positions)
                && index.value() >= root.accessors.len()
            {
                return Err(invalid(format!(
                    "mesh {m} takes its positions from accessor {}, which does not exist",
                    index.value()
                )));
            }
        }
    }
    let document = gltf::Document::from_json(root).map_err(|error| match error {
        gltf::Error::Validation(problems) => invalid(
            problems
                .iter()
                .take(3)
                .map(|(path, problem)| format!("{path}: {problem}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => invalid(other.to_string()),
    })?;

    meter.check_clock()?;
    check_buffers(&document, blob.len())?;
    check_accessors(&document, &mut meter)?;
    check_node_forest(&document, &mut meter)?;

    if document.scenes().len() == 0 {
        return Err(invalid("it has no scene to show".into()));
    }
    let triangles = count_triangles(&document, &mut meter)?;
    if triangles > budget.triangles {
        return Err(MediaError::TooManyTriangles {
            triangles,
            limit: budget.triangles,
            tier: budget.tier,
        });
    }
    let (textures, texture_pixels) = check_images(&document, &blob, &mut meter)?;
    if texture_pixels > budget.texture_pixels {
        return Err(MediaError::TooManyTexturePixels {
            pixels: texture_pixels,
            limit: budget.texture_pixels,
            tier: budget.tier,
        });
    }
    check_indices(&document, &blob, &mut meter)?;
    let vertices = document
        .meshes()
        .flat_map(|mesh| mesh.primitives())
        .filter_map(|p| p.get(&gltf::Semantic::Positions))
        .map(|a| a.count() as u64)
        .sum();
    Ok(GlbSummary {
        triangles,
        vertices,
        meshes: document.meshes().len(),
        materials: document.materials().len(),
        textures,
        texture_pixels,
        bounds: scene_bounds(&document, &mut meter)?,
    })
}

fn invalid(detail: String) -> MediaError {
    MediaError::InvalidGltf { detail }
}

fn truncated(detail: String) -> MediaError {
    MediaError::Truncated {
        kind: FileFormat::Glb,
        detail,
    }
}

fn out_of_bounds(what: String) -> MediaError {
    MediaError::OutOfBounds { what }
}

/// Shortens a URI for a message (data URIs can be megabytes long).
fn shown_uri(uri: &str) -> String {
    match uri.char_indices().nth(48) {
        Some((cut, _)) => format!("{}...", &uri[..cut]),
        None => uri.to_owned(),
    }
}

fn check_buffers(document: &gltf::Document, blob_len: usize) -> Result<(), MediaError> {
    for buffer in document.buffers() {
        match buffer.source() {
            BufferSource::Uri(uri) => {
                return Err(MediaError::ExternalUri {
                    what: format!("buffer {}", buffer.index()),
                    uri: shown_uri(uri),
                });
            }
            BufferSource::Bin if buffer.length() > blob_len => {
                return Err(out_of_bounds(format!(
                    "buffer {} is {} bytes long, but the file's binary chunk holds {blob_len}",
                    buffer.index(),
                    buffer.length()
                )));
            }
            BufferSource::Bin => {}
        }
    }
    for view in document.views() {
        let end = view.offset().checked_add(view.length());
        if end.is_none_or(|end| end > view.buffer().length()) {
            return Err(out_of_bounds(format!(
                "buffer view {} reaches byte {} of buffer {}, which has {}",
                view.index(),
                view.offset().saturating_add(view.length()),
                view.buffer().index(),
                view.buffer().length()
            )));
        }
    }
    Ok(())
}

fn check_accessors(document: &gltf::Document, meter: &mut Meter) -> Result<(), MediaError> {
    for accessor in document.accessors() {
        meter.tick()?;
        if accessor.sparse().is_some() {
            return Err(invalid(format!(
                "accessor {} is sparse, which Pavilion does not accept",
                accessor.index()
            )));
        }
        let Some(view) = accessor.view() else {
            continue;
        };
        let count = accessor.count();
        if count == 0 {
            continue;
        }
        let size = accessor.size();
        let stride = view.stride().unwrap_or(size);
        let end = (count - 1)
            .checked_mul(stride)
            .and_then(|n| n.checked_add(accessor.offset()))
            .and_then(|n| n.checked_add(size));
        if end.is_none_or(|end| end > view.length()) {
            return Err(out_of_bounds(format!(
                "accessor {} reads {count} elements of {size} bytes up to byte {} of buffer view {}, which has {}",
                accessor.index(),
                end.map_or("(overflow)".to_owned(), |e| e.to_string()),
                view.index(),
                view.length()
            )));
        }
    }
    Ok(())
}

/// The bytes of an accessor's view inside the binary chunk.
fn view_bytes<'b>(view: &gltf::buffer::View, blob: &'b [u8]) -> &'b [u8] {
    // Buffers and views were checked to lie inside the blob.
    &blob[view.offset()..view.offset() + view.length()]
}

/// Every index of every primitive must name a vertex that exists.
///
/// Each index accessor is scanned once for its largest value, which is then compared with the
/// vertex count of every primitive that uses it: a model that shares one big index accessor
/// between many primitives costs no more than one that does not.
fn check_indices(
    document: &gltf::Document,
    blob: &[u8],
    meter: &mut Meter,
) -> Result<(), MediaError> {
    let mut largest_index: Vec<Option<u64>> = vec![None; document.accessors().len()];
    for mesh in document.meshes() {
        for primitive in mesh.primitives() {
            meter.tick()?;
            let (Some(indices), Some(positions)) = (
                primitive.indices(),
                primitive.get(&gltf::Semantic::Positions),
            ) else {
                continue;
            };
            let largest = match largest_index[indices.index()] {
                Some(largest) => largest,
                None => {
                    let largest = scan_largest_index(&indices, blob, meter)?;
                    largest_index[indices.index()] = Some(largest);
                    largest
                }
            };
            let vertices = positions.count() as u64;
            if indices.count() > 0 && largest >= vertices {
                return Err(out_of_bounds(format!(
                    "mesh {} uses vertex {largest}, but it has only {vertices} vertices",
                    mesh.index()
                )));
            }
        }
    }
    Ok(())
}

/// The largest value in an index accessor (0 when it is empty or has no view).
fn scan_largest_index(
    indices: &gltf::Accessor,
    blob: &[u8],
    meter: &mut Meter,
) -> Result<u64, MediaError> {
    let Some(view) = indices.view() else {
        return Ok(0);
    };
    let data = view_bytes(&view, blob);
    let size = indices.size();
    if ![1, 2, 4].contains(&size) {
        return Err(invalid(format!(
            "accessor {} holds indices of {size} bytes",
            indices.index()
        )));
    }
    let stride = view.stride().unwrap_or(size);
    let mut largest = 0;
    for i in 0..indices.count() {
        meter.tick()?;
        // The accessor was checked to lie inside its view.
        let at = indices.offset() + i * stride;
        let value = match size {
            1 => u64::from(data[at]),
            2 => u64::from(u16::from_le_bytes([data[at], data[at + 1]])),
            _ => u64::from(u32::from_le_bytes([
                data[at],
                data[at + 1],
                data[at + 2],
                data[at + 3],
            ])),
        };
        largest = largest.max(value);
    }
    Ok(largest)
}

/// Refuses a node hierarchy that is not a forest: a node listed as a child twice (two
/// parents, or the same parent twice) or a node that is its own ancestor. Every later walk
/// over the nodes then visits each node at most once per scene.
fn check_node_forest(document: &gltf::Document, meter: &mut Meter) -> Result<(), MediaError> {
    let count = document.nodes().len();
    if count > MAX_GLB_NODES {
        return Err(MediaError::TooManyNodes {
            nodes: count,
            limit: MAX_GLB_NODES,
        });
    }
    let mut parent: Vec<Option<usize>> = vec![None; count];
    for node in document.nodes() {
        for child in node.children() {
            meter.tick()?;
            let child = child.index();
            if child == node.index() {
                return Err(MediaError::GltfNodeCycle { node: child });
            }
            if let Some(first_parent) = parent[child] {
                return Err(MediaError::GltfNodeTwoParents {
                    node: child,
                    first_parent,
                    second_parent: node.index(),
                });
            }
            parent[child] = Some(node.index());
        }
    }
    // With one parent each, a loop is a walk up the parents that comes back to where it
    // started. Each walk stops at a node an earlier walk finished, so every node is passed
    // once over all the walks.
    const UNSEEN: usize = usize::MAX;
    let mut walk_of = vec![UNSEEN; count];
    for start in 0..count {
        let mut at = start;
        loop {
            meter.tick()?;
            if walk_of[at] == start {
                return Err(MediaError::GltfNodeCycle { node: at });
            }
            if walk_of[at] != UNSEEN {
                break;
            }
            walk_of[at] = start;
            match parent[at] {
                Some(up) => at = up,
                None => break,
            }
        }
    }
    Ok(())
}

/// Checks the embedded images and returns how many there are and their total pixels.
fn check_images(
    document: &gltf::Document,
    blob: &[u8],
    meter: &mut Meter,
) -> Result<(usize, u64), MediaError> {
    let mut pixels = 0u64;
    // Images may share a view; each view's header is read once.
    let mut sizes: Vec<Option<(u64, u64)>> = vec![None; document.views().len()];
    for image in document.images() {
        meter.tick()?;
        let view = match image.source() {
            ImageSource::Uri { uri, .. } => {
                return Err(MediaError::ExternalUri {
                    what: format!("image {}", image.index()),
                    uri: shown_uri(uri),
                });
            }
            ImageSource::View { view, .. } => view,
        };
        if view.buffer().index() != 0 || !matches!(view.buffer().source(), BufferSource::Bin) {
            return Err(invalid(format!(
                "image {} is not in the binary chunk",
                image.index()
            )));
        }
        let (width, height) = match sizes[view.index()] {
            Some(size) => size,
            None => {
                let size = image_size(view_bytes(&view, blob))
                    .map_err(|detail| invalid(format!("image {} {detail}", image.index())))?;
                sizes[view.index()] = Some(size);
                size
            }
        };
        check_sides(width, height, &ImageLimits::BOOTH)?;
        pixels = pixels.saturating_add(width * height);
    }
    Ok((document.images().len(), pixels))
}

/// Width and height from a PNG or JPEG header, without decoding pixels.
fn image_size(bytes: &[u8]) -> Result<(u64, u64), String> {
    let header = match sniff(bytes) {
        Some(FileFormat::Png) => crate::image::png_header(bytes),
        Some(FileFormat::Jpeg) => crate::image::jpeg_header(bytes),
        _ => return Err("is not a PNG or JPEG image".into()),
    };
    header.map_err(|error| format!("cannot be read: {error}"))
}

fn primitive_triangles(primitive: &gltf::Primitive) -> u64 {
    let count = primitive
        .indices()
        .or_else(|| primitive.get(&gltf::Semantic::Positions))
        .map_or(0, |a| a.count() as u64);
    match primitive.mode() {
        Mode::Triangles => count / 3,
        Mode::TriangleStrip | Mode::TriangleFan => count.saturating_sub(2),
        Mode::Points | Mode::Lines | Mode::LineLoop | Mode::LineStrip => 0,
    }
}

/// Triangles drawn: each mesh counts once per node that shows it (an instance), and a mesh
/// no node uses counts once. The node hierarchy is a forest by now, so this is the number
/// a renderer would draw for any one scene, or more.
fn count_triangles(document: &gltf::Document, meter: &mut Meter) -> Result<u64, MediaError> {
    let mut mesh_triangles = Vec::with_capacity(document.meshes().len());
    for mesh in document.meshes() {
        let mut triangles = 0u64;
        for primitive in mesh.primitives() {
            meter.tick()?;
            triangles = triangles.saturating_add(primitive_triangles(&primitive));
        }
        mesh_triangles.push(triangles);
    }
    let mut used = vec![false; mesh_triangles.len()];
    let mut total = 0u64;
    for node in document.nodes() {
        meter.tick()?;
        if let Some(mesh) = node.mesh() {
            used[mesh.index()] = true;
            total = total.saturating_add(mesh_triangles[mesh.index()]);
        }
    }
    let unused: u64 = mesh_triangles
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .fold(0u64, |sum, (t, _)| sum.saturating_add(*t));
    Ok(total.saturating_add(unused))
}

type Matrix = [[f32; 4]; 4];

fn multiply(a: &Matrix, b: &Matrix) -> Matrix {
    // Column-major: result column c = a * (b column c).
    let mut out = [[0.0; 4]; 4];
    for (c, column) in b.iter().enumerate() {
        for (r, cell) in out[c].iter_mut().enumerate() {
            *cell = (0..4).map(|k| a[k][r] * column[k]).sum();
        }
    }
    out
}

fn transform_point(m: &Matrix, p: [f32; 3]) -> [f32; 3] {
    let mut out = [0.0; 3];
    for (r, cell) in out.iter_mut().enumerate() {
        *cell = m[0][r] * p[0] + m[1][r] * p[1] + m[2][r] * p[2] + m[3][r];
    }
    out
}

fn vector3(value: Option<gltf::json::Value>) -> Option<[f32; 3]> {
    let array = value?;
    let array = array.as_array()?;
    Some([
        array.first()?.as_f64()? as f32,
        array.get(1)?.as_f64()? as f32,
        array.get(2)?.as_f64()? as f32,
    ])
}

/// The bounds of the default (or first) scene from the POSITION accessors' min and max.
///
/// The hierarchy was checked to be a forest, and a node listed twice among the scene's roots
/// is walked once, so no node is visited twice.
fn scene_bounds(
    document: &gltf::Document,
    meter: &mut Meter,
) -> Result<Option<[[f32; 3]; 2]>, MediaError> {
    let Some(scene) = document
        .default_scene()
        .or_else(|| document.scenes().next())
    else {
        return Ok(None);
    };
    let identity: Matrix = [
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 0.0, 1.0],
    ];
    let mut bounds: Option<[[f32; 3]; 2]> = None;
    let mut visited = vec![false; document.nodes().len()];
    let mut stack: Vec<(gltf::Node, Matrix)> = scene.nodes().map(|n| (n, identity)).collect();
    while let Some((node, parent)) = stack.pop() {
        meter.tick()?;
        if std::mem::replace(&mut visited[node.index()], true) {
            continue;
        }
        let world = multiply(&parent, &node.transform().matrix());
        if let Some(mesh) = node.mesh() {
            for primitive in mesh.primitives() {
                let Some(positions) = primitive.get(&gltf::Semantic::Positions) else {
                    continue;
                };
                let (Some(min), Some(max)) = (vector3(positions.min()), vector3(positions.max()))
                else {
                    continue;
                };
                for corner in 0..8 {
                    let local = [
                        if corner & 1 == 0 { min[0] } else { max[0] },
                        if corner & 2 == 0 { min[1] } else { max[1] },
                        if corner & 4 == 0 { min[2] } else { max[2] },
                    ];
                    let point = transform_point(&world, local);
                    let b = bounds.get_or_insert([point, point]);
                    for axis in 0..3 {
                        b[0][axis] = b[0][axis].min(point[axis]);
                        b[1][axis] = b[1][axis].max(point[axis]);
                    }
                }
            }
        }
        stack.extend(node.children().map(|child| (child, world)));
    }
    Ok(bounds)
}

/// Frames a binary glTF 2.0 file: the 12-byte header, then a `JSON` chunk holding `json`
/// padded with spaces to a multiple of 4 bytes, then a `BIN\0` chunk holding `bin` as given.
///
/// `bin` is written unchanged, so the caller pads it (with zeros) if the result is to be a
/// well-formed GLB; tests use that to build malformed files too. Used by the media tests and
/// by the catalogue generator (`cargo xtask catalogue`), so a GLB is framed one way only.
pub fn write_glb(json: &[u8], bin: &[u8]) -> Vec<u8> {
    let mut json = json.to_vec();
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let total = 12 + 8 + json.len() + 8 + bin.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&json);
    out.extend_from_slice(&(bin.len() as u32).to_le_bytes());
    out.extend_from_slice(b"BIN\0");
    out.extend_from_slice(bin);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GLB of `quads` unit squares (two triangles each) side by side, one material; `json`
    /// lets a test edit the JSON before it is packed.
    fn glb_with(quads: usize, edit: impl FnOnce(&mut String)) -> Vec<u8> {
        let mut positions = Vec::new();
        let mut indices: Vec<u16> = Vec::new();
        for q in 0..quads {
            let x = q as f32;
            for (dx, y) in [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)] {
                positions.extend_from_slice(&[x + dx, y, 0.0f32]);
            }
            let base = (q * 4) as u16;
            indices.extend_from_slice(&[base, base + 1, base + 2, base, base + 2, base + 3]);
        }
        let mut bin: Vec<u8> = positions.iter().flat_map(|f| f.to_le_bytes()).collect();
        let positions_len = bin.len();
        bin.extend(indices.iter().flat_map(|i| i.to_le_bytes()));
        let indices_len = bin.len() - positions_len;
        while !bin.len().is_multiple_of(4) {
            bin.push(0);
        }
        let vertices = quads * 4;
        let mut json = format!(
            r#"{{"asset":{{"version":"2.0"}},"scene":0,"scenes":[{{"nodes":[0]}}],"nodes":[{{"mesh":0}}],
"meshes":[{{"primitives":[{{"attributes":{{"POSITION":0}},"indices":1,"material":0}}]}}],
"materials":[{{"pbrMetallicRoughness":{{"baseColorFactor":[0.2,0.4,0.6,1.0]}}}}],
"accessors":[{{"bufferView":0,"componentType":5126,"count":{vertices},"type":"VEC3","min":[0,0,0],"max":[{quads},1,0]}},
{{"bufferView":1,"componentType":5123,"count":{},"type":"SCALAR"}}],
"bufferViews":[{{"buffer":0,"byteOffset":0,"byteLength":{positions_len}}},{{"buffer":0,"byteOffset":{positions_len},"byteLength":{indices_len}}}],
"buffers":[{{"byteLength":{}}}]}}"#,
            indices.len(),
            bin.len()
        );
        edit(&mut json);
        write_glb(json.as_bytes(), &bin)
    }

    #[test]
    fn a_small_model_passes_with_a_summary() {
        let summary = check_glb(&glb_with(3, |_| {}), ModelBudget::STANDARD).unwrap();
        assert_eq!(summary.triangles, 6);
        assert_eq!(summary.vertices, 12);
        assert_eq!(
            (summary.meshes, summary.materials, summary.textures),
            (1, 1, 0)
        );
        assert_eq!(summary.bounds, Some([[0.0, 0.0, 0.0], [3.0, 1.0, 0.0]]));
    }

    #[test]
    fn node_transforms_move_the_bounds() {
        let glb = glb_with(1, |json| {
            *json = json.replace(
                r#""nodes":[{"mesh":0}]"#,
                r#""nodes":[{"children":[1],"translation":[0,2,0]},{"mesh":0,"scale":[2,2,2]}]"#,
            );
        });
        let summary = check_glb(&glb, ModelBudget::STANDARD).unwrap();
        assert_eq!(summary.bounds, Some([[0.0, 2.0, 0.0], [2.0, 4.0, 0.0]]));
    }

    #[test]
    fn too_many_triangles_for_the_tier_are_refused() {
        // 10001 quads are 20002 triangles: over the standard budget, within premium.
        let glb = glb_with(10_001, |_| {});
        let error = check_glb(&glb, ModelBudget::STANDARD).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model has 20002 triangles; a standard booth allows 20000"
        );
        assert_eq!(
            check_glb(&glb, ModelBudget::for_tier(BoothTier::Premium))
                .unwrap()
                .triangles,
            20_002
        );
    }

    #[test]
    fn external_and_data_uris_are_refused() {
        let glb = glb_with(1, |json| {
            *json = json.replace(
                r#""buffers":[{"#,
                r#""buffers":[{"uri":"https://evil.example/payload.bin","#,
            );
        });
        let error = check_glb(&glb, ModelBudget::STANDARD).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model's buffer 0 points at \"https://evil.example/payload.bin\"; a GLB must carry all its data inside the file"
        );
        let glb = glb_with(1, |json| {
            *json = json.replace(
                r#""buffers":"#,
                r#""images":[{"uri":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="}],"buffers":"#,
            );
        });
        let error = check_glb(&glb, ModelBudget::STANDARD).unwrap_err();
        assert_eq!(error.code(), "external_uri");
        assert!(
            error
                .to_string()
                .contains("image 0 points at \"data:image/png;base64,"),
            "{error}"
        );
    }

    #[test]
    fn accessors_outside_their_views_are_refused() {
        // Twelve vertices claimed where the view holds four.
        let glb = glb_with(1, |json| {
            *json = json.replace(r#""count":4,"#, r#""count":12,"#);
        });
        let error = check_glb(&glb, ModelBudget::STANDARD).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model's accessor 0 reads 12 elements of 12 bytes up to byte 144 of buffer view 0, which has 48"
        );
        let glb = glb_with(1, |json| {
            *json = json.replace(
                r#""byteOffset":48,"byteLength":12"#,
                r#""byteOffset":48,"byteLength":4000"#,
            );
        });
        assert_eq!(
            check_glb(&glb, ModelBudget::STANDARD).unwrap_err().code(),
            "out_of_bounds"
        );
    }

    #[test]
    fn indices_past_the_vertices_are_refused() {
        let mut glb = glb_with(1, |_| {});
        // The index data follows the 48 bytes of positions in the BIN chunk: make one index 9.
        let bin_start = glb.windows(4).position(|w| w == b"BIN\0").unwrap() + 4;
        glb[bin_start + 48] = 9;
        let error = check_glb(&glb, ModelBudget::STANDARD).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model's mesh 0 uses vertex 9, but it has only 4 vertices"
        );
    }

    #[test]
    fn unknown_required_extensions_are_refused() {
        let glb = glb_with(1, |json| {
            *json = json.replacen('{', r#"{"extensionsUsed":["EXT_meshopt_compression"],"extensionsRequired":["EXT_meshopt_compression"],"#, 1);
        });
        assert_eq!(
            check_glb(&glb, ModelBudget::STANDARD).unwrap_err(),
            MediaError::UnsupportedExtension {
                name: "EXT_meshopt_compression".into()
            }
        );
    }

    #[test]
    fn truncated_and_wrong_files_are_refused() {
        let glb = glb_with(2, |_| {});
        let error = check_glb(&glb[..glb.len() - 10], ModelBudget::STANDARD).unwrap_err();
        assert_eq!(error.code(), "truncated", "{error}");
        let error = check_glb(&glb[..30], ModelBudget::STANDARD).unwrap_err();
        assert_eq!(error.code(), "truncated", "{error}");
        let error =
            check_glb(b"{\"asset\":{\"version\":\"2.0\"}}", ModelBudget::STANDARD).unwrap_err();
        assert_eq!(
            error.to_string(),
            "expected a GLB model, but the file is of a format Pavilion does not accept"
        );
        let error = check_glb(
            &write_glb(b"{\"asset\":{\"version\":\"2.0\"}}", &[]),
            ModelBudget::STANDARD,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model is not valid glTF: it has no scene to show"
        );
        let error = check_glb(&write_glb(b"{ not json", &[]), ModelBudget::STANDARD).unwrap_err();
        assert_eq!(error.code(), "invalid_gltf");
        let error = check_glb(
            &glb_with(1, |json| {
                *json = json.replace(r#""indices":1"#, r#""indices":7"#)
            }),
            ModelBudget::STANDARD,
        )
        .unwrap_err();
        assert_eq!(error.code(), "invalid_gltf", "{error}");
    }

    #[test]
    fn a_polyglot_glb_is_judged_by_its_chunks() {
        // Bytes appended after the declared length (a zip, a script) are not part of the model;
        // the checks read only what the header declares.
        let mut glb = glb_with(1, |_| {});
        glb.extend_from_slice(b"PK\x03\x04<script>alert(1)</script>");
        assert!(check_glb(&glb, ModelBudget::STANDARD).is_ok());
        // A PNG is not a model, whatever it contains.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&glb_with(1, |_| {}));
        assert_eq!(
            check_glb(&png, ModelBudget::STANDARD).unwrap_err().code(),
            "wrong_kind"
        );
    }

    #[test]
    fn texture_pixels_count_against_the_budget() {
        // An embedded PNG header claiming 2048 x 1024 pixels (2 Mpx), past the standard 1 Mpx.
        let glb = glb_with(1, |json| {
            *json = json
                .replace(
                    r#""bufferViews":["#,
                    r#""bufferViews":[{"buffer":0,"byteOffset":60,"byteLength":33},"#,
                )
                .replace(r#""bufferView":0,"#, r#""bufferView":1,"#)
                .replace(
                    r#""bufferView":1,"componentType":5123"#,
                    r#""bufferView":2,"componentType":5123"#,
                )
                .replace(
                    r#""buffers":"#,
                    r#""images":[{"bufferView":0,"mimeType":"image/png"}],"buffers":"#,
                )
                .replace(r#""byteLength":60}]"#, r#""byteLength":96}]"#);
        });
        // Append the fake image header to the BIN chunk.
        let json_len = u32::from_le_bytes(glb[12..16].try_into().unwrap()) as usize;
        let json = &glb[20..20 + json_len];
        let bin_start = 20 + json_len + 8;
        let mut bin = glb[bin_start..].to_vec();
        bin.extend_from_slice(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR");
        bin.extend_from_slice(&2048u32.to_be_bytes());
        bin.extend_from_slice(&1024u32.to_be_bytes());
        bin.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let glb = write_glb(json, &bin);
        let error = check_glb(&glb, ModelBudget::STANDARD).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model's textures hold 2.1 million pixels; a standard booth allows 1.0 million"
        );
        let summary = check_glb(&glb, ModelBudget::PREMIUM).unwrap();
        assert_eq!((summary.textures, summary.texture_pixels), (1, 2048 * 1024));
    }

    /// A model whose node list is `nodes` (JSON objects), all showing mesh 0 when they say
    /// so, with scene 0 listing `roots`.
    fn glb_with_nodes(nodes: &str, roots: &str) -> Vec<u8> {
        glb_with(1, |json| {
            *json = json
                .replace(r#""nodes":[{"mesh":0}]"#, &format!(r#""nodes":[{nodes}]"#))
                .replace(
                    r#""scenes":[{"nodes":[0]}]"#,
                    &format!(r#""scenes":[{{"nodes":[{roots}]}}]"#),
                );
        })
    }

    #[test]
    fn a_node_with_two_parents_is_refused() {
        // A diamond lattice: 40 levels of two nodes, each pointing at both nodes below, would
        // be 2^40 visits if walked as a tree.
        let mut nodes = Vec::new();
        for level in 0..40 {
            let below = 2 * (level + 1);
            nodes.push(format!(r#"{{"children":[{below},{}]}}"#, below + 1));
            nodes.push(format!(r#"{{"children":[{below},{}]}}"#, below + 1));
        }
        nodes.push(r#"{"mesh":0}"#.into());
        nodes.push(r#"{"mesh":0}"#.into());
        let glb = glb_with_nodes(&nodes.join(","), "0,1");
        let error = check_glb(&glb, ModelBudget::STANDARD).unwrap_err();
        assert_eq!(
            error,
            MediaError::GltfNodeTwoParents {
                node: 2,
                first_parent: 0,
                second_parent: 1
            }
        );
        assert_eq!(
            error.to_string(),
            "the model's node 2 is listed as a child twice (by node 0 and node 1); in glTF a node has at most one parent"
        );
        assert_eq!(error.code(), "gltf_node_two_parents");
    }

    #[test]
    fn a_node_in_a_cycle_is_refused() {
        let glb = glb_with_nodes(r#"{"mesh":0,"children":[0]}"#, "0");
        let error = check_glb(&glb, ModelBudget::STANDARD).unwrap_err();
        assert_eq!(error, MediaError::GltfNodeCycle { node: 0 });
        assert_eq!(error.code(), "gltf_node_cycle");
        let glb = glb_with_nodes(
            r#"{"children":[1]},{"children":[2]},{"mesh":0,"children":[1]}"#,
            "0",
        );
        assert_eq!(
            check_glb(&glb, ModelBudget::STANDARD).unwrap_err().code(),
            "gltf_node_two_parents"
        );
        // A loop no scene reaches is still a loop.
        let glb = glb_with_nodes(r#"{"mesh":0},{"children":[2]},{"children":[1]}"#, "0");
        assert_eq!(
            check_glb(&glb, ModelBudget::STANDARD).unwrap_err().code(),
            "gltf_node_cycle"
        );
    }

    #[test]
    fn instances_count_against_the_triangle_budget_before_indices_are_read() {
        // 5,000 nodes showing a two-triangle mesh are 10,000 triangles: within standard.
        let nodes = vec![r#"{"mesh":0}"#; 5_000].join(",");
        let roots: Vec<String> = (0..5_000).map(|i| i.to_string()).collect();
        let glb = glb_with_nodes(&nodes, &roots.join(","));
        assert_eq!(
            check_glb(&glb, ModelBudget::STANDARD).unwrap().triangles,
            10_000
        );
        // A wide fan-out: one root with 20,001 children each showing the mesh.
        let mut nodes = vec![format!(
            r#"{{"children":[{}]}}"#,
            (1..=20_001)
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        )];
        nodes.extend(std::iter::repeat_n(r#"{"mesh":0}"#.to_owned(), 20_001));
        let mut glb = glb_with_nodes(&nodes.join(","), "0");
        // A bad index would be found by the index scan: the budget is judged first.
        let bin_start = glb.windows(4).position(|w| w == b"BIN\0").unwrap() + 4;
        glb[bin_start + 48] = 9;
        let error = check_glb(&glb, ModelBudget::STANDARD).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model has 40002 triangles; a standard booth allows 20000"
        );
        assert_eq!(
            check_glb(&glb, ModelBudget::FLAGSHIP).unwrap_err().code(),
            "out_of_bounds"
        );
    }

    #[test]
    fn too_many_nodes_are_refused() {
        let nodes = vec!["{}"; MAX_GLB_NODES + 1].join(",");
        let error = check_glb(&glb_with_nodes(&nodes, "0"), ModelBudget::FLAGSHIP).unwrap_err();
        assert_eq!(
            error,
            MediaError::TooManyNodes {
                nodes: MAX_GLB_NODES + 1,
                limit: MAX_GLB_NODES
            }
        );
    }

    #[test]
    fn a_shared_index_accessor_is_scanned_once() {
        // 2,000 primitives share one index accessor; the check stays within a deadline
        // counted in ticks, not seconds.
        let primitives =
            vec![r#"{"attributes":{"POSITION":0},"indices":1,"material":0}"#; 2_000].join(",");
        let glb = glb_with(1, |json| {
            *json = json.replace(
                r#""primitives":[{"attributes":{"POSITION":0},"indices":1,"material":0}]"#,
                &format!(r#""primitives":[{primitives}]"#),
            );
        });
        let summary = check_glb(&glb, ModelBudget::STANDARD).unwrap();
        assert_eq!(summary.triangles, 4_000);
    }

    #[test]
    fn a_past_deadline_stops_the_check() {
        let limits = CheckLimits {
            deadline: Some(std::time::Instant::now()),
            ..CheckLimits::default()
        };
        assert_eq!(
            check_glb_within(&glb_with(1, |_| {}), ModelBudget::STANDARD, &limits).unwrap_err(),
            MediaError::TimeLimit
        );
    }

    #[test]
    fn a_dangling_position_accessor_is_refused_without_a_panic() {
        // Found by pavilion-fuzz: gltf-json indexed the accessor list before validating.
        let glb = glb_with(1, |json| {
            *json = json.replace(r#""POSITION":0"#, r#""POSITION":7"#)
        });
        assert_eq!(
            check_glb(&glb, ModelBudget::STANDARD)
                .unwrap_err()
                .to_string(),
            "the model is not valid glTF: mesh 0 takes its positions from accessor 7, which does not exist"
        );
    }
}
