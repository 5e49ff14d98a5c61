//! The GLB product models: a shape chosen by topic, built as a mesh, coloured with the brand
//! colour in linear light and packed as binary glTF.

mod glb;
mod mesh;
mod shapes;

use anyhow::Result;
use glb::mesh_glb;
use mesh::q;
use shapes::shape_mesh;

pub(super) use shapes::{Shape, model_shape};

use super::company::Company;
use super::seed::Rng;

/// A company's model of `shape` as GLB bytes, named after the company and the shape.
pub(super) fn product_model(company: &Company, shape: Shape) -> Result<Vec<u8>> {
    let mut rng = Rng(company.seed ^ 0x5eed_0f3d);
    let m = shape_mesh(shape, &mut rng);
    let linear = company.colour.map(|c| {
        let c = f64::from(c) / 255.0;
        let l = if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        };
        q(l)
    });
    mesh_glb(
        &m,
        linear,
        &format!("{} {}", company.profile.name, shape.label()),
    )
}
