//! One exhibitor's booth, built from the kit: a raised floor, shell walls in the brand
//! colour, a fascia board carrying the logo and tagline, a counter with a name plate and
//! a screen. Flagship islands get a central tower, a square header and counters facing out.
//! A booth with a product model gets a plinth near its open side (see [`super::model`]).

use std::f32::consts::PI;

use bevy::picking::Pickable;
use bevy::prelude::*;
use pavilion_model::snapshot::parse_hex_colour;
use pavilion_model::{BoothPlacement, BoothTier, ExhibitorSummary, Hall, Rect};

use super::kit::{Kit, Part, shade, tint};
use super::lod::{FarBooth, FarPart};
use super::model::{
    BoothModel, ModelScene, PLINTH_HEIGHT, PLINTH_RADIUS, Plinth, model_asset_path,
};
use super::{Booth, BoothAnchor, WalkableFloor};
use crate::flat::FlatMaterial;
use crate::screen::Screen;
use crate::textures::BOOTH_ART_REACH;

const SHELL_HEIGHT: f32 = 2.6;
const FASCIA_HEIGHT: f32 = 0.62;
/// The fascia picture is 5:1, like the 1280 x 256 image the server renders.
const FASCIA_PICTURE: Vec2 = Vec2::new(3.0, 0.6);
/// The name plate picture is 4:1, like the 1024 x 256 image the server renders.
const NAME_PLATE: Vec2 = Vec2::new(1.2, 0.3);
const COUNTER: Vec3 = Vec3::new(1.3, 1.0, 0.55);
const WHITE: [u8; 3] = [248, 248, 246];
const METAL: [u8; 3] = [150, 154, 160];

/// The parts of one booth, in booth-local coordinates (the open front faces -z, the floor is
/// at y = 0), collected and then split: the solid parts go to the cell's block (see
/// [`super::lod`]), the pictures to the cell's pictures, merged there into one mesh per
/// material with the other booths' of the cell.
struct Builder<'k, 'a, 'c, 'w> {
    kit: &'k mut Kit<'a>,
    parent: &'c mut ChildSpawnerCommands<'w>,
    parts: Vec<Part>,
}

impl Builder<'_, '_, '_, '_> {
    fn part(&mut self, mesh: Handle<Mesh>, material: Handle<FlatMaterial>, transform: Transform) {
        self.parts.push(Part {
            mesh,
            material,
            transform,
        });
    }

    /// Splits the parts: the solid ones (those whose material is in `solid_colours`) for the
    /// cell's block, which draws them for every booth of the cell at once, and the rest (the
    /// pictures and screens), which the cell merges per material with its other booths'.
    fn finish(
        mut self,
        solid_colours: &[(Handle<FlatMaterial>, [u8; 3])],
    ) -> (Vec<FarPart>, Vec<Part>) {
        let mut solid = Vec::new();
        let mut pictures = Vec::new();
        for part in std::mem::take(&mut self.parts) {
            match solid_colours.iter().find(|(m, _)| *m == part.material) {
                Some((_, colour)) => solid.push(FarPart {
                    mesh: part.mesh,
                    transform: part.transform,
                    colour: *colour,
                }),
                None => pictures.push(part),
            }
        }
        (solid, pictures)
    }

    fn block(&mut self, size: Vec3, material: Handle<FlatMaterial>, centre: Vec3) {
        let mesh = self.kit.cuboid(size.x, size.y, size.z);
        self.part(mesh, material, Transform::from_translation(centre));
    }

    /// A picture facing `facing` (a turn about y; 0 faces +z, PI faces -z): the whole
    /// texture of `picture`'s material, or its rectangle in an atlas page.
    fn picture(&mut self, size: Vec2, picture: &Picture, centre: Vec3, facing: f32) {
        let material = picture.material.clone();
        let mesh = match picture.uv {
            Some(uv) => self.kit.panel_uv(size.x, size.y, uv),
            None => self.kit.panel(size.x, size.y),
        };
        self.part(
            mesh,
            material,
            Transform::from_translation(centre).with_rotation(Quat::from_rotation_y(facing)),
        );
    }
}

/// Spawns the booth and returns where it stands. Also records its solid parts as obstacles.
pub fn spawn_booth(
    commands: &mut Commands,
    kit: &mut Kit,
    hall: &Hall,
    placement: &BoothPlacement,
    exhibitor: &ExhibitorSummary,
    floor: &mut WalkableFloor,
    fetch: &mut impl FnMut(&str, Vec3, f32) -> Handle<Image>,
    far: &mut Vec<FarBooth>,
) -> BoothAnchor {
    let brand = parse_hex_colour(&exhibitor.colour).unwrap_or([70, 84, 104]);
    let rect = placement.floor_rect();
    let centre = Vec3::new(
        hall.origin[0] + rect.centre()[0],
        0.0,
        hall.origin[1] + rect.centre()[1],
    );
    let rotation = Quat::from_rotation_y(placement.rotation.radians());
    let size = placement.footprint;

    // From the booth's atlas page when the snapshot has one (one texture and two materials
    // for a neighbourhood of booths), else from the booth's own three pictures.
    let (fascia, name_plate, logo, uv) = match &exhibitor.art {
        Some(art) => {
            let page = fetch(&art.page_url, centre, BOOTH_ART_REACH);
            let uv = [Some(art.fascia), Some(art.name_plate), Some(art.logo)];
            (page.clone(), page.clone(), page, uv)
        }
        None => (
            fetch(&exhibitor.fascia_url, centre, BOOTH_ART_REACH),
            fetch(&exhibitor.name_plate_url, centre, BOOTH_ART_REACH),
            fetch(&exhibitor.logo_url, centre, BOOTH_ART_REACH),
            [None; 3],
        ),
    };
    let (floor_colour, shell_colour) = (shade(brand, 0.55), tint(brand, 0.78));
    let materials = BoothMaterials {
        floor: kit.solid(floor_colour),
        shell: kit.solid(shell_colour),
        brand: kit.solid(brand),
        white: kit.solid(WHITE),
        metal: kit.solid(METAL),
        fascia: Picture {
            material: kit.picture(&fascia, false),
            uv: uv[0],
        },
        name_plate: Picture {
            material: kit.picture(&name_plate, false),
            uv: uv[1],
        },
        logo: Picture {
            material: kit.picture(&logo, true),
            uv: uv[2],
        },
        // A screen shows the logo on black (its transparent pixels), unlit like the pictures.
        screen: Picture {
            material: kit.picture(&logo, false),
            uv: uv[2],
        },
    };

    let solid_colours = [
        (materials.floor.clone(), floor_colour),
        (materials.shell.clone(), shell_colour),
        (materials.brand.clone(), brand),
        (materials.white.clone(), WHITE),
        (materials.metal.clone(), METAL),
    ];
    let mut far_parts = Vec::new();
    let mut pictures = Vec::new();
    let mut solids: Vec<(Vec3, Vec3)> = Vec::new();
    let root = Transform::from_translation(centre).with_rotation(rotation);
    let entity = commands
        .spawn((
            Booth {
                slug: exhibitor.slug.clone(),
            },
            Name::new(format!("booth {}", exhibitor.slug)),
            root,
            // Its pictures are shown only while the visitor is near (see `lod`).
            Visibility::Hidden,
            DespawnOnExit(Screen::Hall),
        ))
        .with_children(|parent| {
            let mut builder = Builder {
                kit,
                parent,
                parts: Vec::new(),
            };
            builder.block(
                Vec3::new(size.width, 0.08, size.depth),
                materials.floor.clone(),
                Vec3::new(0.0, 0.04, 0.0),
            );
            if let Some(path) = exhibitor.model_url.as_deref().and_then(model_asset_path) {
                // Beside the counter, a step in from the open front.
                let at = if exhibitor.tier == BoothTier::Flagship {
                    Vec3::new(1.6, 0.08, -size.depth / 2.0 + 0.9)
                } else if size.width > 4.0 {
                    Vec3::new(0.3, 0.08, -size.depth / 2.0 + 0.8)
                } else {
                    Vec3::new(0.8, 0.08, -size.depth / 2.0 + 0.8)
                };
                plinth(&mut builder, at, path, &mut solids);
            }
            if exhibitor.tier == BoothTier::Flagship {
                build_island(
                    &mut builder,
                    &materials,
                    size.width,
                    size.depth,
                    &mut solids,
                );
            } else {
                build_inline(
                    &mut builder,
                    &materials,
                    size.width,
                    size.depth,
                    &mut solids,
                );
            }
            (far_parts, pictures) = builder.finish(&solid_colours);
        })
        .id();
    far.push(FarBooth {
        entity,
        transform: root,
        floor: Rect::new(
            hall.origin[0] + rect.x,
            hall.origin[1] + rect.z,
            rect.width,
            rect.depth,
        ),
        parts: far_parts,
        pictures,
    });

    for (local_centre, local_size) in solids {
        floor.block(centre, rotation, local_centre, local_size);
    }

    let front = placement.rotation.front_direction();
    BoothAnchor {
        centre,
        front: Vec3::new(front[0], 0.0, front[1]),
        extent: Vec2::new(rect.width, rect.depth),
        depth: size.depth,
    }
}

struct BoothMaterials {
    floor: Handle<FlatMaterial>,
    shell: Handle<FlatMaterial>,
    brand: Handle<FlatMaterial>,
    white: Handle<FlatMaterial>,
    metal: Handle<FlatMaterial>,
    fascia: Picture,
    name_plate: Picture,
    logo: Picture,
    screen: Picture,
}

/// A picture's material and, when it is drawn from an atlas page, its rectangle there.
struct Picture {
    material: Handle<FlatMaterial>,
    uv: Option<[f32; 4]>,
}

/// A white plinth standing at `at` (floor level) and the model holder on its top, hidden
/// until the model has loaded and been fitted.
fn plinth(builder: &mut Builder, at: Vec3, path: String, solids: &mut Vec<(Vec3, Vec3)>) {
    let cylinder = builder.kit.cylinder(PLINTH_RADIUS, PLINTH_HEIGHT);
    let mut plinth = builder.parent.spawn((
        Plinth,
        Transform::from_translation(at + Vec3::Y * PLINTH_HEIGHT / 2.0),
        Pickable::default(),
    ));
    // White, with the hall's light baked in like the booth's other solid parts.
    if let Some(mesh) = builder
        .kit
        .baked_merge(&[(cylinder, Transform::IDENTITY, WHITE)])
    {
        plinth.insert((Mesh3d(mesh), MeshMaterial3d(builder.kit.baked())));
    }
    builder
        .parent
        .spawn((
            BoothModel {
                path,
                fitted: false,
            },
            Name::new("booth model"),
            Transform::from_translation(at + Vec3::Y * (PLINTH_HEIGHT + 0.005)),
            Visibility::Hidden,
        ))
        .with_children(|holder| {
            holder.spawn((ModelScene, Transform::default(), Visibility::default()));
        });
    let side = PLINTH_RADIUS * 2.0;
    solids.push((at, Vec3::new(side, 1.0, side)));
}

/// A counter with the name plate on its front; `facing` turns it like a picture.
fn counter(
    builder: &mut Builder,
    m: &BoothMaterials,
    at: Vec3,
    facing: f32,
    solids: &mut Vec<(Vec3, Vec3)>,
) {
    let turn = Quat::from_rotation_y(facing);
    let body = builder.kit.cuboid(COUNTER.x, COUNTER.y, COUNTER.z);
    builder.part(
        body,
        m.white.clone(),
        Transform::from_translation(at + Vec3::Y * COUNTER.y / 2.0).with_rotation(turn),
    );
    let top = builder.kit.cuboid(COUNTER.x + 0.1, 0.05, COUNTER.z + 0.1);
    builder.part(
        top,
        m.brand.clone(),
        Transform::from_translation(at + Vec3::Y * (COUNTER.y + 0.025)).with_rotation(turn),
    );
    let plate_at = at + turn * Vec3::new(0.0, 0.68, COUNTER.z / 2.0 + 0.005);
    builder.picture(NAME_PLATE, &m.name_plate, plate_at, facing);
    solids.push((at, (turn * COUNTER).abs()));
}

fn build_inline(
    builder: &mut Builder,
    m: &BoothMaterials,
    width: f32,
    depth: f32,
    solids: &mut Vec<(Vec3, Vec3)>,
) {
    let back_z = depth / 2.0 - 0.05;
    let front_z = -depth / 2.0;
    // Shell: back wall and two side walls.
    builder.block(
        Vec3::new(width, SHELL_HEIGHT, 0.1),
        m.shell.clone(),
        Vec3::new(0.0, SHELL_HEIGHT / 2.0, back_z),
    );
    solids.push((Vec3::new(0.0, 0.0, back_z), Vec3::new(width, 1.0, 0.1)));
    for x in [-width / 2.0 + 0.04, width / 2.0 - 0.04] {
        builder.block(
            Vec3::new(0.08, SHELL_HEIGHT, depth),
            m.shell.clone(),
            Vec3::new(x, SHELL_HEIGHT / 2.0, 0.0),
        );
        solids.push((Vec3::new(x, 0.0, 0.0), Vec3::new(0.08, 1.0, depth)));
    }
    // Fascia board across the open front, with the fascia picture facing the aisle.
    let fascia_y = SHELL_HEIGHT + FASCIA_HEIGHT / 2.0;
    builder.block(
        Vec3::new(width, FASCIA_HEIGHT, 0.08),
        m.brand.clone(),
        Vec3::new(0.0, fascia_y, front_z + 0.04),
    );
    builder.picture(
        FASCIA_PICTURE,
        &m.fascia,
        Vec3::new(0.0, fascia_y, front_z - 0.005),
        PI,
    );
    // Logo on the back wall, and a screen beside it.
    builder.picture(
        Vec2::new(1.8, 0.45),
        &m.logo,
        Vec3::new(-width / 4.0, 2.1, back_z - 0.06),
        PI,
    );
    builder.block(
        Vec3::new(1.3, 0.78, 0.05),
        m.metal.clone(),
        Vec3::new(width / 4.0 + 0.1, 1.45, back_z - 0.08),
    );
    builder.picture(
        Vec2::new(1.2, 0.68),
        &m.screen,
        Vec3::new(width / 4.0 + 0.1, 1.45, back_z - 0.106),
        PI,
    );
    // Counter near the front.
    counter(
        builder,
        m,
        Vec3::new(-width / 2.0 + 1.0, 0.08, front_z + 0.75),
        PI,
        solids,
    );
    if width > 4.0 {
        // Premium: a meeting corner with a round table and two stools.
        let table_at = Vec3::new(width / 4.0 + 0.2, 0.08, 0.1);
        let leg = builder.kit.cylinder(0.05, 0.72);
        builder.part(
            leg,
            m.metal.clone(),
            Transform::from_translation(table_at + Vec3::Y * 0.36),
        );
        let top = builder.kit.cylinder(0.45, 0.04);
        builder.part(
            top,
            m.white.clone(),
            Transform::from_translation(table_at + Vec3::Y * 0.74),
        );
        let stool = builder.kit.cylinder(0.2, 0.46);
        for dx in [-0.75, 0.75] {
            builder.part(
                stool.clone(),
                m.brand.clone(),
                Transform::from_translation(table_at + Vec3::new(dx, 0.23, 0.0)),
            );
        }
        solids.push((table_at, Vec3::new(2.0, 1.0, 0.9)));
    }
}

fn build_island(
    builder: &mut Builder,
    m: &BoothMaterials,
    width: f32,
    depth: f32,
    solids: &mut Vec<(Vec3, Vec3)>,
) {
    const TOWER: f32 = 1.4;
    const TOWER_HEIGHT: f32 = 3.9;
    builder.block(
        Vec3::new(TOWER, TOWER_HEIGHT, TOWER),
        m.shell.clone(),
        Vec3::new(0.0, TOWER_HEIGHT / 2.0, 0.0),
    );
    solids.push((Vec3::ZERO, Vec3::new(TOWER, 1.0, TOWER)));
    // A screen on each face of the tower.
    for quarter in 0..4 {
        let facing = quarter as f32 * PI / 2.0;
        let turn = Quat::from_rotation_y(facing);
        builder.picture(
            Vec2::new(1.1, 0.62),
            &m.screen,
            turn * Vec3::new(0.0, 1.7, TOWER / 2.0 + 0.005),
            facing,
        );
    }
    // A square header around the tower's top carrying the fascia on all four sides.
    let header_y = 3.45;
    let reach = width.min(depth) / 2.0 - 0.9;
    for quarter in 0..4 {
        let facing = quarter as f32 * PI / 2.0;
        let turn = Quat::from_rotation_y(facing);
        let board = builder.kit.cuboid(2.0 * reach + 0.08, FASCIA_HEIGHT, 0.08);
        builder.part(
            board,
            m.brand.clone(),
            Transform::from_translation(turn * Vec3::new(0.0, header_y, reach)).with_rotation(turn),
        );
        builder.picture(
            FASCIA_PICTURE,
            &m.fascia,
            turn * Vec3::new(0.0, header_y, reach + 0.045),
            facing,
        );
        let beam = builder.kit.cuboid(0.08, 0.08, reach - TOWER / 2.0);
        builder.part(
            beam,
            m.metal.clone(),
            Transform::from_translation(
                turn * Vec3::new(0.0, header_y + 0.2, (reach + TOWER / 2.0) / 2.0),
            )
            .with_rotation(turn),
        );
    }
    // Counters facing out at the front and the back, and the logo high on the tower.
    counter(
        builder,
        m,
        Vec3::new(-1.6, 0.08, -depth / 2.0 + 0.9),
        PI,
        solids,
    );
    counter(
        builder,
        m,
        Vec3::new(1.6, 0.08, depth / 2.0 - 0.9),
        0.0,
        solids,
    );
    for quarter in 0..4 {
        let facing = quarter as f32 * PI / 2.0;
        let turn = Quat::from_rotation_y(facing);
        builder.picture(
            Vec2::new(1.3, 0.33),
            &m.logo,
            turn * Vec3::new(0.0, 2.75, TOWER / 2.0 + 0.005),
            facing,
        );
    }
}
