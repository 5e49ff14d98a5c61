//! The mesh builder of the product models: triangles with normals and a grey level per
//! vertex, added as boxes and cylinders that may be turned about their centre.

pub(super) type Vec3 = [f32; 3];

/// Rounds to a fixed grid so that tiny differences between maths libraries cannot change
/// the bytes written.
pub(super) fn q(v: f64) -> f32 {
    ((v * 100_000.0).round() / 100_000.0) as f32
}

/// A rotation as three column vectors.
#[derive(Clone, Copy)]
pub(super) struct Turn([Vec3; 3]);

impl Turn {
    pub(super) const NONE: Turn = Turn([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);

    /// About the x axis by `degrees`.
    pub(super) fn x(degrees: f64) -> Turn {
        let (s, c) = degrees.to_radians().sin_cos();
        Turn([[1.0, 0.0, 0.0], [0.0, q(c), q(s)], [0.0, q(-s), q(c)]])
    }

    /// About the z axis by `degrees`.
    pub(super) fn z(degrees: f64) -> Turn {
        let (s, c) = degrees.to_radians().sin_cos();
        Turn([[q(c), q(s), 0.0], [q(-s), q(c), 0.0], [0.0, 0.0, 1.0]])
    }

    fn apply(&self, v: Vec3) -> Vec3 {
        let m = &self.0;
        [0, 1, 2].map(|r| m[0][r] * v[0] + m[1][r] * v[1] + m[2][r] * v[2])
    }
}

/// Triangles with positions, normals and a grey level per vertex (`COLOR_0`), which shades
/// the one brand-coloured material: bezels dark, bodies bright.
#[derive(Default)]
pub(super) struct MeshBuilder {
    pub(super) positions: Vec<Vec3>,
    pub(super) normals: Vec<Vec3>,
    pub(super) shades: Vec<f32>,
    pub(super) indices: Vec<u32>,
}

impl MeshBuilder {
    fn quad(&mut self, corners: [Vec3; 4], normal: Vec3, shade: f32) {
        let base = self.positions.len() as u32;
        for corner in corners {
            self.positions.push(corner);
            self.normals.push(normal);
            self.shades.push(shade);
        }
        self.indices
            .extend_from_slice(&[base, base + 1, base + 2, base, base + 2, base + 3]);
    }

    /// A box of `size` centred on `centre`, turned by `turn` about its centre.
    pub(super) fn cuboid(&mut self, centre: Vec3, size: Vec3, turn: Turn, shade: f32) {
        let h = size.map(|s| s / 2.0);
        let place = |v: Vec3| {
            let r = turn.apply(v);
            [centre[0] + r[0], centre[1] + r[1], centre[2] + r[2]]
        };
        // Each face: its normal axis and sign; corners counter-clockwise seen from outside.
        for axis in 0..3 {
            for sign in [-1.0f32, 1.0] {
                let (u, v) = ((axis + 1) % 3, (axis + 2) % 3);
                let mut corners = [[0.0; 3]; 4];
                let steps = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)];
                for (corner, (su, sv)) in corners.iter_mut().zip(steps) {
                    corner[axis] = sign * h[axis];
                    corner[u] = su * h[u];
                    corner[v] = sv * h[v] * sign;
                }
                let mut normal = [0.0; 3];
                normal[axis] = sign;
                self.quad(corners.map(place), turn.apply(normal), shade);
            }
        }
    }

    /// An upright cylinder (axis along y before turning) with caps.
    pub(super) fn cylinder(
        &mut self,
        centre: Vec3,
        radius: f32,
        height: f32,
        turn: Turn,
        shade: f32,
    ) {
        const SEGMENTS: usize = 24;
        let place = |v: Vec3| {
            let r = turn.apply(v);
            [centre[0] + r[0], centre[1] + r[1], centre[2] + r[2]]
        };
        let ring: Vec<(f32, f32)> = (0..=SEGMENTS)
            .map(|i| {
                let angle = i as f64 / SEGMENTS as f64 * std::f64::consts::TAU;
                (q(angle.cos()), q(angle.sin()))
            })
            .collect();
        let half = height / 2.0;
        for pair in ring.windows(2) {
            let ((c0, s0), (c1, s1)) = (pair[0], pair[1]);
            let base = self.positions.len() as u32;
            for (c, s, y) in [
                (c0, s0, -half),
                (c1, s1, -half),
                (c1, s1, half),
                (c0, s0, half),
            ] {
                self.positions.push(place([c * radius, y, s * radius]));
                self.normals.push(turn.apply([c, 0.0, s]));
                self.shades.push(shade);
            }
            self.indices
                .extend_from_slice(&[base, base + 2, base + 1, base, base + 3, base + 2]);
        }
        for (y, up) in [(half, 1.0f32), (-half, -1.0)] {
            let centre_index = self.positions.len() as u32;
            self.positions.push(place([0.0, y, 0.0]));
            self.normals.push(turn.apply([0.0, up, 0.0]));
            self.shades.push(shade);
            for &(c, s) in &ring {
                self.positions.push(place([c * radius, y, s * radius]));
                self.normals.push(turn.apply([0.0, up, 0.0]));
                self.shades.push(shade);
            }
            for i in 0..SEGMENTS as u32 {
                let (a, b) = (centre_index + 1 + i, centre_index + 2 + i);
                if up > 0.0 {
                    self.indices.extend_from_slice(&[centre_index, b, a]);
                } else {
                    self.indices.extend_from_slice(&[centre_index, a, b]);
                }
            }
        }
    }
}
