//! The hall's light, defined once: the ambient and directional lights spawned for the few lit
//! surfaces (product models, screens, plinths), and the same light baked into the vertex
//! colours of the booths and the building, which are drawn unlit. A software renderer (or a
//! phone) then shades most of the screen with a colour lookup instead of the full PBR model.

use bevy::light::GlobalAmbientLight;
use bevy::prelude::*;

use crate::screen::Screen;

/// The sky seen through the doorways and above the open-topped halls.
const SKY: Color = Color::srgb(0.70, 0.80, 0.90);
/// Ambient light: its colour and brightness (cd/m²).
const AMBIENT_COLOUR: Color = Color::srgb(1.0, 0.97, 0.92);
const AMBIENT_BRIGHTNESS: f32 = 900.0;

/// What the ambient light gives a matte surface, as a factor of its albedo, in the baked
/// colours (see [`baked_light`]).
const AMBIENT_BAKED: f32 = 0.57;
/// The faint, colourless sheen every lit surface had (the ambient light's specular part),
/// added to the baked colours whatever the albedo.
const SHEEN_BAKED: f32 = 0.025;

/// A directional light: it shines in the direction from `from` to `towards`, with its
/// illuminance (lux) and colour; `baked` is what it gives a matte surface facing it squarely,
/// as a factor of its albedo, in the baked colours.
struct Sun {
    from: Vec3,
    towards: Vec3,
    illuminance: f32,
    colour: Color,
    baked: f32,
}

/// The key light from high up and behind the entrance, and a cool fill from the other side.
const SUNS: [Sun; 2] = [
    Sun {
        from: Vec3::new(0.0, 20.0, 0.0),
        towards: Vec3::new(-6.0, 0.0, 14.0),
        illuminance: 7_000.0,
        colour: Color::WHITE,
        baked: 0.134,
    },
    Sun {
        from: Vec3::new(0.0, 10.0, 0.0),
        towards: Vec3::new(8.0, 0.0, -10.0),
        illuminance: 1_500.0,
        colour: Color::srgb(0.85, 0.9, 1.0),
        baked: 0.029,
    },
];

impl Sun {
    fn transform(&self) -> Transform {
        Transform::from_translation(self.from).looking_at(self.towards, Vec3::Y)
    }

    /// The unit vector from a surface towards the light.
    fn to_light(&self) -> Vec3 {
        (self.from - self.towards).normalize()
    }
}

/// Spawns the lights and sets the sky colour.
pub fn spawn_light(commands: &mut Commands) {
    commands.insert_resource(ClearColor(SKY));
    commands.insert_resource(GlobalAmbientLight {
        color: AMBIENT_COLOUR,
        brightness: AMBIENT_BRIGHTNESS,
        ..default()
    });
    for sun in &SUNS {
        commands.spawn((
            DirectionalLight {
                illuminance: sun.illuminance,
                color: sun.colour,
                shadow_maps_enabled: false,
                ..default()
            },
            sun.transform(),
            DespawnOnExit(Screen::Hall),
        ));
    }
}

/// What the lights above add up to on a matte surface facing `normal`, as a linear RGB factor
/// of its albedo: the ambient light (neutral: the lit surfaces' warm ambient and cool fill came
/// out neutral) plus each sun's Lambert term (cos θ). Unlit vertex colours of
/// [`baked_colour`] then look like the lit surfaces did. The shares were calibrated against Bevy's PBR rendering of the same
/// hall (the lights above, default exposure, ACES tonemapping): screenshots of the floor, the
/// carpet and the walls before and after agree within a few sRGB levels.
pub fn baked_light(normal: Vec3) -> Vec3 {
    let linear = |colour: Color| Vec3::from_slice(&LinearRgba::from(colour).to_f32_array()[..3]);
    let direct = SUNS.iter().fold(Vec3::ZERO, |sum, sun| {
        let cos = normal.normalize_or_zero().dot(sun.to_light()).max(0.0);
        sum + linear(sun.colour) * sun.baked * cos
    });
    Vec3::splat(AMBIENT_BAKED) + direct
}

/// The baked colour (linear RGB) of a matte surface of linear `albedo` facing `normal`.
pub fn baked_colour(albedo: Vec3, normal: Vec3) -> Vec3 {
    albedo * baked_light(normal) + Vec3::splat(SHEEN_BAKED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surfaces_facing_the_key_light_are_brightest_and_shade_never_goes_black() {
        let top = baked_light(Vec3::Y);
        let under = baked_light(Vec3::NEG_Y);
        let towards_key = baked_light(SUNS[0].to_light());
        assert!(towards_key.x > top.x && top.x > under.x);
        // From below only the ambient light reaches.
        assert!((under.x - AMBIENT_BAKED).abs() < 1e-4, "{under}");
        assert!(
            (towards_key.x - under.x - SUNS[0].baked).abs() < 0.05,
            "{towards_key}"
        );
        // The fill light is cool: a surface facing it gets more blue than red from it.
        let fill = baked_light(SUNS[1].to_light()) - under;
        assert!(fill.z > fill.x);
    }
}
