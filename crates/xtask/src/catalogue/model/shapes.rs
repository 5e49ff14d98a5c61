//! The product models' shapes: which one a company's model shows, by its topic, and the
//! geometry of each, built from boxes and cylinders shaded by grey level.

use pavilion_model::Topic;

use super::mesh::{MeshBuilder, Turn};
use crate::catalogue::company::Company;
use crate::catalogue::seed::Rng;

/// What a product model shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::catalogue) enum Shape {
    RackServer,
    Appliance,
    Camera,
    HardwareKey,
    Sensor,
    Terminal,
}

impl Shape {
    /// The shape in words, for the model's title and name.
    pub(in crate::catalogue) fn label(self) -> &'static str {
        match self {
            Shape::RackServer => "rack server",
            Shape::Appliance => "security appliance",
            Shape::Camera => "camera",
            Shape::HardwareKey => "hardware key",
            Shape::Sensor => "sensor",
            Shape::Terminal => "payment terminal",
        }
    }
}

/// The shape of a company's model: one that suits its topic, picked by its seed.
pub(in crate::catalogue) fn model_shape(company: &Company) -> Shape {
    let pick = |options: &[Shape]| options[(company.seed >> 8) as usize % options.len()];
    match company.topic {
        Topic::NetworkSecurity
        | Topic::CloudSecurity
        | Topic::DataSecurity
        | Topic::ThreatIntelligence => pick(&[Shape::RackServer, Shape::Appliance]),
        Topic::IndustrialControl => pick(&[Shape::Sensor, Shape::Camera]),
        Topic::Identity | Topic::Cryptography => Shape::HardwareKey,
        Topic::Finance => pick(&[Shape::Terminal, Shape::HardwareKey]),
        Topic::Telecoms | Topic::EndpointSecurity => pick(&[Shape::Appliance, Shape::RackServer]),
        _ => pick(&[Shape::Camera, Shape::Sensor, Shape::Appliance]),
    }
}

/// The mesh of `shape`; `rng` varies the details (unit counts, tilts, lights).
pub(super) fn shape_mesh(shape: Shape, rng: &mut Rng) -> MeshBuilder {
    let mut m = MeshBuilder::default();
    match shape {
        Shape::RackServer => rack_server(&mut m, rng),
        Shape::Appliance => appliance(&mut m, rng),
        Shape::Camera => camera(&mut m, rng),
        Shape::HardwareKey => hardware_key(&mut m),
        Shape::Sensor => sensor(&mut m, rng),
        Shape::Terminal => terminal(&mut m),
    }
    m
}

/// A rack of 4 to 6 server units between four posts, with bezels, lights and handles.
fn rack_server(m: &mut MeshBuilder, rng: &mut Rng) {
    let none = Turn::NONE;
    let units = 4 + rng.below(3);
    let (w, d, unit) = (0.56f32, 0.6f32, 0.1f32);
    let height = units as f32 * (unit + 0.02) + 0.1;
    for x in [-w / 2.0 - 0.02, w / 2.0 + 0.02] {
        for z in [-d / 2.0, d / 2.0] {
            m.cuboid([x, height / 2.0, z], [0.04, height, 0.04], none, 0.35);
        }
    }
    m.cuboid([0.0, 0.02, 0.0], [w + 0.08, 0.04, d + 0.04], none, 0.3);
    m.cuboid(
        [0.0, height - 0.01, 0.0],
        [w + 0.08, 0.02, d + 0.04],
        none,
        0.3,
    );
    for u in 0..units {
        let y = 0.07 + u as f32 * (unit + 0.02) + unit / 2.0;
        m.cuboid([0.0, y, 0.0], [w, unit, d - 0.04], none, 0.85);
        m.cuboid(
            [-0.06, y, d / 2.0 - 0.015],
            [w * 0.6, unit * 0.7, 0.012],
            none,
            0.2,
        );
        for led in 0..4 {
            let lit = if rng.below(3) == 0 { 0.6 } else { 1.0 };
            m.cuboid(
                [w / 2.0 - 0.05 - led as f32 * 0.03, y, d / 2.0 - 0.014],
                [0.014, 0.014, 0.01],
                none,
                lit,
            );
        }
        for x in [-w / 2.0 + 0.02, w / 2.0 - 0.02] {
            m.cylinder([x, y, d / 2.0 - 0.005], 0.008, unit * 0.6, none, 0.5);
        }
    }
}

/// A desktop security appliance with ports, lights, feet and two or three antennas.
fn appliance(m: &mut MeshBuilder, rng: &mut Rng) {
    let none = Turn::NONE;
    let (w, h, d) = (0.44f32, 0.09f32, 0.32f32);
    m.cuboid([0.0, 0.015 + h / 2.0, 0.0], [w, h, d], none, 0.9);
    m.cuboid(
        [0.0, 0.015 + h / 2.0, d / 2.0 + 0.003],
        [w - 0.03, h - 0.025, 0.006],
        none,
        0.22,
    );
    for port in 0..6 {
        m.cuboid(
            [
                -0.15 + port as f32 * 0.045,
                0.015 + h / 2.0,
                d / 2.0 + 0.007,
            ],
            [0.03, 0.026, 0.006],
            none,
            0.05,
        );
    }
    for led in 0..3 {
        m.cylinder(
            [0.14 + led as f32 * 0.025, 0.015 + h / 2.0, d / 2.0 + 0.008],
            0.006,
            0.006,
            Turn::x(90.0),
            1.0,
        );
    }
    for x in [-w / 2.0 + 0.04, w / 2.0 - 0.04] {
        for z in [-d / 2.0 + 0.04, d / 2.0 - 0.04] {
            m.cylinder([x, 0.0075, z], 0.015, 0.015, none, 0.2);
        }
    }
    let antennas = 2 + rng.below(2);
    for a in 0..antennas {
        let x = -0.14 + a as f32 * 0.28 / (antennas - 1) as f32;
        let tilt = [-12.0, 0.0, 12.0][rng.below(3)];
        m.cylinder(
            [x, 0.015 + h + 0.01, -d / 2.0 + 0.03],
            0.012,
            0.02,
            none,
            0.3,
        );
        m.cylinder(
            [x, 0.015 + h + 0.11, -d / 2.0 + 0.03],
            0.007,
            0.18,
            Turn::z(tilt),
            0.25,
        );
    }
}

/// A surveillance camera on a pole, tilted down, with a sun hood.
fn camera(m: &mut MeshBuilder, rng: &mut Rng) {
    let none = Turn::NONE;
    m.cylinder([0.0, 0.01, 0.0], 0.09, 0.02, none, 0.3);
    m.cylinder([0.0, 0.16, 0.0], 0.015, 0.28, none, 0.5);
    m.cuboid([0.0, 0.31, 0.0], [0.05, 0.04, 0.05], none, 0.4);
    let body = Turn::x(90.0 - f64::from(rng.range(5.0, 15.0)));
    m.cylinder([0.0, 0.37, 0.03], 0.055, 0.26, body, 0.92);
    m.cylinder([0.0, 0.37, 0.165], 0.04, 0.02, body, 0.08);
    m.cuboid(
        [0.0, 0.435, 0.05],
        [0.13, 0.008, 0.3],
        Turn::x(-f64::from(rng.range(5.0, 15.0))),
        0.7,
    );
    m.cylinder([0.045, 0.33, 0.1], 0.006, 0.006, Turn::x(90.0), 1.0);
}

/// A hardware security key leaning on a small display stand.
fn hardware_key(m: &mut MeshBuilder) {
    let none = Turn::NONE;
    // A key on a small display stand.
    m.cuboid([0.0, 0.01, 0.0], [0.12, 0.02, 0.07], none, 0.25);
    let lean = Turn::x(-20.0);
    m.cuboid([0.0, 0.045, 0.0], [0.03, 0.05, 0.03], none, 0.3);
    m.cuboid([0.0, 0.08, 0.0], [0.065, 0.012, 0.022], lean, 0.9);
    m.cuboid([0.045, 0.08, 0.0], [0.025, 0.005, 0.013], lean, 0.6);
    m.cylinder([-0.032, 0.08, 0.0], 0.011, 0.012, lean, 0.9);
    m.cylinder([0.0, 0.0866, -0.0022], 0.007, 0.003, lean, 1.0);
}

/// A round industrial sensor on a post, with vents.
fn sensor(m: &mut MeshBuilder, rng: &mut Rng) {
    let none = Turn::NONE;
    m.cylinder([0.0, 0.01, 0.0], 0.1, 0.02, none, 0.3);
    m.cylinder([0.0, 0.1, 0.0], 0.012, 0.16, none, 0.5);
    m.cylinder([0.0, 0.2, 0.0], 0.1, 0.045, none, 0.9);
    m.cylinder([0.0, 0.2, 0.0], 0.102, 0.008, none, 1.0);
    m.cylinder([0.0, 0.228, 0.0], 0.06, 0.012, none, 0.2);
    let vents = 3 + rng.below(3);
    for v in 0..vents {
        m.cuboid(
            [-0.04 + v as f32 * 0.08 / (vents - 1) as f32, 0.2, 0.1],
            [0.008, 0.02, 0.006],
            none,
            0.25,
        );
    }
}

/// A payment terminal with a tilted screen and keypad.
fn terminal(m: &mut MeshBuilder) {
    let none = Turn::NONE;
    m.cuboid([0.0, 0.02, 0.0], [0.1, 0.04, 0.2], none, 0.85);
    let tilt = Turn::x(-25.0);
    m.cuboid([0.0, 0.06, 0.01], [0.09, 0.03, 0.17], tilt, 0.9);
    m.cuboid([0.0, 0.09, -0.035], [0.07, 0.004, 0.06], tilt, 0.08);
    for key in 0..12 {
        let (col, row) = ((key % 3) as f32, (key / 3) as f32);
        let z = 0.02 + row * 0.018;
        m.cuboid(
            [-0.022 + col * 0.022, 0.078 - z * 0.47, z + 0.012],
            [0.016, 0.006, 0.012],
            tilt,
            if key == 11 { 1.0 } else { 0.3 },
        );
    }
    m.cuboid([0.0, 0.05, -0.1], [0.07, 0.01, 0.01], none, 0.2);
}
