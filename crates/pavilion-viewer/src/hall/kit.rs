//! The building kit: shared meshes by size and materials by colour or picture, so a hall
//! of a hundred booths reuses a few dozen GPU resources instead of thousands, and the merging
//! of an object's parts into one mesh per material, so it costs a few draws, not dozens.

use std::collections::HashMap;

use bevy::mesh::VertexAttributeValues;
use bevy::prelude::*;

use super::light::baked_colour;
use crate::flat::FlatMaterial;

pub struct Kit<'a> {
    meshes: &'a mut Assets<Mesh>,
    materials: &'a mut Assets<FlatMaterial>,
    cuboids: HashMap<[i32; 3], Handle<Mesh>>,
    panels: HashMap<[i32; 2], Handle<Mesh>>,
    /// Panels showing a rectangle of an atlas page, by size and the rectangle's bits.
    atlas_panels: HashMap<([i32; 2], [u32; 4]), Handle<Mesh>>,
    cylinders: HashMap<[i32; 2], Handle<Mesh>>,
    solids: HashMap<[u8; 3], Handle<FlatMaterial>>,
    textured: HashMap<(AssetId<Image>, bool), Handle<FlatMaterial>>,
    baked: Option<Handle<FlatMaterial>>,
}

/// One mesh with its material and placement.
#[derive(Debug, Clone)]
pub struct Part {
    pub mesh: Handle<Mesh>,
    pub material: Handle<FlatMaterial>,
    pub transform: Transform,
}

fn millimetres(metres: f32) -> i32 {
    (metres * 1000.0).round() as i32
}

impl<'a> Kit<'a> {
    pub fn new(meshes: &'a mut Assets<Mesh>, materials: &'a mut Assets<FlatMaterial>) -> Self {
        Kit {
            meshes,
            materials,
            cuboids: HashMap::new(),
            panels: HashMap::new(),
            atlas_panels: HashMap::new(),
            cylinders: HashMap::new(),
            solids: HashMap::new(),
            textured: HashMap::new(),
            baked: None,
        }
    }

    /// A box of the given size, centred on its origin.
    pub fn cuboid(&mut self, width: f32, height: f32, depth: f32) -> Handle<Mesh> {
        let key = [millimetres(width), millimetres(height), millimetres(depth)];
        self.cuboids
            .entry(key)
            .or_insert_with(|| self.meshes.add(Cuboid::new(width, height, depth)))
            .clone()
    }

    /// A flat rectangle facing +z, centred on its origin.
    pub fn panel(&mut self, width: f32, height: f32) -> Handle<Mesh> {
        let key = [millimetres(width), millimetres(height)];
        self.panels
            .entry(key)
            .or_insert_with(|| self.meshes.add(Rectangle::new(width, height)))
            .clone()
    }

    /// A flat rectangle facing +z like [`Kit::panel`], showing only the rectangle `uv`
    /// (`[u, v, width, height]`, from the top left, 0 to 1) of its texture: a picture in an
    /// atlas page. One mesh per size and rectangle.
    pub fn panel_uv(&mut self, width: f32, height: f32, uv: [f32; 4]) -> Handle<Mesh> {
        let key = (
            [millimetres(width), millimetres(height)],
            uv.map(f32::to_bits),
        );
        self.atlas_panels
            .entry(key)
            .or_insert_with(|| {
                let mut mesh = Mesh::from(Rectangle::new(width, height));
                remap_uvs(&mut mesh, uv);
                self.meshes.add(mesh)
            })
            .clone()
    }

    /// An upright cylinder centred on its origin.
    pub fn cylinder(&mut self, radius: f32, height: f32) -> Handle<Mesh> {
        let key = [millimetres(radius), millimetres(height)];
        self.cylinders
            .entry(key)
            .or_insert_with(|| self.meshes.add(Cylinder::new(radius, height)))
            .clone()
    }

    /// The parts of one object merged into one mesh per material, in the object's own
    /// coordinates: a booth of thirty boxes and panels becomes a handful of draws. Parts whose
    /// meshes cannot be merged (different vertex attributes) stay as they are.
    pub fn merge_by_material(&mut self, parts: Vec<Part>) -> Vec<Part> {
        let mut groups: Vec<(Handle<FlatMaterial>, Vec<(Handle<Mesh>, Transform)>)> = Vec::new();
        for part in parts {
            match groups.iter_mut().find(|(m, _)| *m == part.material) {
                Some((_, meshes)) => meshes.push((part.mesh, part.transform)),
                None => groups.push((part.material, vec![(part.mesh, part.transform)])),
            }
        }
        let mut merged = Vec::with_capacity(groups.len());
        for (material, meshes) in groups {
            if let [(mesh, transform)] = meshes.as_slice() {
                merged.push(Part {
                    mesh: mesh.clone(),
                    material,
                    transform: *transform,
                });
                continue;
            }
            let mut combined: Option<Mesh> = None;
            let mut unmerged = Vec::new();
            for (mesh, transform) in meshes {
                let Some(placed) = self
                    .meshes
                    .get(&mesh)
                    .map(|m| m.clone().transformed_by(transform))
                else {
                    unmerged.push((mesh, transform));
                    continue;
                };
                match combined.as_mut() {
                    None => combined = Some(placed),
                    Some(all) => {
                        if all.merge(&placed).is_err() {
                            unmerged.push((mesh, transform));
                        }
                    }
                }
            }
            if let Some(combined) = combined {
                merged.push(Part {
                    mesh: self.meshes.add(combined),
                    material: material.clone(),
                    transform: Transform::IDENTITY,
                });
            }
            merged.extend(unmerged.into_iter().map(|(mesh, transform)| Part {
                mesh,
                material: material.clone(),
                transform,
            }));
        }
        merged
    }

    /// One mesh of `parts` (mesh, placement, sRGB colour) with the hall's light baked into
    /// its vertex colours ([`baked_colour`] of the albedo and each vertex's normal), for drawing many
    /// differently coloured things with one unlit material and one draw. Parts whose meshes
    /// are missing are left out; `None` when nothing is left.
    pub fn baked_merge(
        &mut self,
        parts: &[(Handle<Mesh>, Transform, [u8; 3])],
    ) -> Option<Handle<Mesh>> {
        let mut combined: Option<Mesh> = None;
        for (mesh, transform, colour) in parts {
            let Some(mesh) = self.meshes.get(mesh) else {
                continue;
            };
            let albedo = Vec3::from_slice(
                &Color::srgb_u8(colour[0], colour[1], colour[2])
                    .to_linear()
                    .to_f32_array()[..3],
            );
            let mut placed = mesh.clone().transformed_by(*transform);
            let colours: Vec<[f32; 4]> = match placed.attribute(Mesh::ATTRIBUTE_NORMAL) {
                Some(VertexAttributeValues::Float32x3(normals)) => normals
                    .iter()
                    .map(|n| {
                        baked_colour(albedo, Vec3::from_array(*n))
                            .extend(1.0)
                            .to_array()
                    })
                    .collect(),
                _ => vec![
                    baked_colour(albedo, Vec3::Y).extend(1.0).to_array();
                    placed.count_vertices()
                ],
            };
            placed.insert_attribute(Mesh::ATTRIBUTE_COLOR, colours);
            match combined.as_mut() {
                None => combined = Some(placed),
                Some(all) => {
                    if let Err(e) = all.merge(&placed) {
                        warn!("a part of a baked mesh was left out: {e}");
                    }
                }
            }
        }
        combined.map(|mesh| self.meshes.add(mesh))
    }

    /// The material of meshes made by [`Kit::baked_merge`]: unlit, the colour (light
    /// included) from the vertices.
    pub fn baked(&mut self) -> Handle<FlatMaterial> {
        self.baked
            .get_or_insert_with(|| self.materials.add(FlatMaterial::vertex_coloured()))
            .clone()
    }

    /// The solid material of an sRGB colour: it names the colour among an object's parts,
    /// which are drawn through [`Kit::baked_merge`] in that colour with the hall's light (drawn
    /// itself, it shows the plain colour, flat).
    pub fn solid(&mut self, srgb: [u8; 3]) -> Handle<FlatMaterial> {
        self.solids
            .entry(srgb)
            .or_insert_with(|| {
                self.materials.add(FlatMaterial {
                    colour: Color::srgb_u8(srgb[0], srgb[1], srgb[2]).into(),
                    ..FlatMaterial::vertex_coloured()
                })
            })
            .clone()
    }

    /// A texture shown as it is, unaffected by light (signs, fascias, name plates).
    pub fn picture(&mut self, image: &Handle<Image>, transparent: bool) -> Handle<FlatMaterial> {
        self.textured
            .entry((image.id(), transparent))
            .or_insert_with(|| {
                self.materials
                    .add(FlatMaterial::picture(image.clone(), transparent))
            })
            .clone()
    }
}

/// Moves a mesh's texture coordinates (0 to 1 over the whole texture) into the rectangle
/// `uv` (`[u, v, width, height]`) of the texture.
pub fn remap_uvs(mesh: &mut Mesh, uv: [f32; 4]) {
    let [u, v, width, height] = uv;
    if let Some(VertexAttributeValues::Float32x2(coordinates)) =
        mesh.attribute_mut(Mesh::ATTRIBUTE_UV_0)
    {
        for [s, t] in coordinates.iter_mut() {
            *s = u + *s * width;
            *t = v + *t * height;
        }
    }
}

/// A lighter tint of a colour, for large surfaces such as booth walls.
pub fn tint(srgb: [u8; 3], towards_white: f32) -> [u8; 3] {
    srgb.map(|c| (f32::from(c) + (255.0 - f32::from(c)) * towards_white).round() as u8)
}

/// A darker shade of a colour, for floors and trims.
pub fn shade(srgb: [u8; 3], towards_black: f32) -> [u8; 3] {
    srgb.map(|c| (f32::from(c) * (1.0 - towards_black)).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tints_and_shades_stay_in_range() {
        assert_eq!(tint([0, 100, 255], 1.0), [255, 255, 255]);
        assert_eq!(tint([0, 100, 255], 0.0), [0, 100, 255]);
        assert_eq!(shade([200, 100, 0], 0.5), [100, 50, 0]);
    }

    #[test]
    fn atlas_panels_show_their_rectangle_the_right_way_up() {
        let mut meshes = Assets::<Mesh>::default();
        let mut materials = Assets::<FlatMaterial>::default();
        let mut kit = Kit::new(&mut meshes, &mut materials);
        let rect = [0.25, 0.5, 0.5, 0.125];
        let panel = kit.panel_uv(3.0, 0.6, rect);
        assert_eq!(
            kit.panel_uv(3.0, 0.6, rect),
            panel,
            "one mesh per rectangle"
        );
        assert_ne!(kit.panel_uv(3.0, 0.6, [0.0, 0.0, 0.5, 0.125]), panel);
        let plain = kit.panel(3.0, 0.6);
        let mesh = meshes.get(&panel).expect("panel");
        let plain = meshes.get(&plain).expect("plain panel");
        let Some(VertexAttributeValues::Float32x3(positions)) =
            mesh.attribute(Mesh::ATTRIBUTE_POSITION)
        else {
            panic!("positions")
        };
        let Some(VertexAttributeValues::Float32x2(uvs)) = mesh.attribute(Mesh::ATTRIBUTE_UV_0)
        else {
            panic!("uvs")
        };
        let Some(VertexAttributeValues::Float32x2(plain_uvs)) =
            plain.attribute(Mesh::ATTRIBUTE_UV_0)
        else {
            panic!("uvs")
        };
        assert_eq!(uvs.len(), plain_uvs.len());
        for ((position, uv), plain) in positions.iter().zip(uvs).zip(plain_uvs) {
            // Inside the rectangle, and where the whole picture's corner maps to.
            assert!((rect[0]..=rect[0] + rect[2]).contains(&uv[0]), "{uv:?}");
            assert!((rect[1]..=rect[1] + rect[3]).contains(&uv[1]), "{uv:?}");
            assert_eq!(uv[0], rect[0] + plain[0] * rect[2]);
            assert_eq!(uv[1], rect[1] + plain[1] * rect[3]);
            // The picture's top (smaller v) is at the panel's top, its left at the left.
            let top = uv[1] < rect[1] + rect[3] / 2.0;
            assert_eq!(top, position[1] > 0.0, "{position:?} {uv:?}");
            let left = uv[0] < rect[0] + rect[2] / 2.0;
            assert_eq!(left, position[0] < 0.0, "{position:?} {uv:?}");
        }
    }

    #[test]
    fn baked_meshes_carry_the_light_in_their_vertex_colours_and_draw_unlit() {
        let mut meshes = Assets::<Mesh>::default();
        let mut materials = Assets::<FlatMaterial>::default();
        let mut kit = Kit::new(&mut meshes, &mut materials);
        let cube = kit.cuboid(1.0, 1.0, 1.0);
        let grey = [128, 128, 128];
        let red = [200, 30, 30];
        let merged = kit
            .baked_merge(&[
                (cube.clone(), Transform::IDENTITY, grey),
                (cube, Transform::from_xyz(3.0, 0.0, 0.0), red),
            ])
            .expect("two cubes merge");
        let material = kit.baked();
        assert_eq!(kit.baked(), material, "one baked material is shared");
        assert_eq!(
            materials.get(&material),
            Some(&FlatMaterial::vertex_coloured())
        );

        let mesh = meshes.get(&merged).expect("merged mesh");
        let Some(VertexAttributeValues::Float32x3(positions)) =
            mesh.attribute(Mesh::ATTRIBUTE_POSITION)
        else {
            panic!("positions")
        };
        let Some(VertexAttributeValues::Float32x3(normals)) =
            mesh.attribute(Mesh::ATTRIBUTE_NORMAL)
        else {
            panic!("normals")
        };
        let Some(VertexAttributeValues::Float32x4(colours)) = mesh.attribute(Mesh::ATTRIBUTE_COLOR)
        else {
            panic!("vertex colours")
        };
        assert_eq!(colours.len(), positions.len());
        let grey_albedo = Color::srgb_u8(128, 128, 128).to_linear().red;
        let colour_of = |x_sign: f32, normal: Vec3| {
            (0..positions.len())
                .find(|&i| {
                    (positions[i][0] - 1.5).signum() == x_sign
                        && Vec3::from_array(normals[i]).distance(normal) < 1e-3
                })
                .map(|i| Vec4::from_array(colours[i]))
                .expect("a vertex with that normal")
        };
        let top = colour_of(-1.0, Vec3::Y);
        let bottom = colour_of(-1.0, Vec3::NEG_Y);
        assert!(top.x > bottom.x, "the top is lit more than the underside");
        let expected = baked_colour(Vec3::splat(grey_albedo), Vec3::Y).x;
        assert!((top.x - expected).abs() < 1e-4);
        let red_top = colour_of(1.0, Vec3::Y);
        assert!(
            red_top.x > 3.0 * red_top.y,
            "the second cube keeps its own colour"
        );
    }
}
