// The flat material's fragment shader (see flat.rs): the colour comes from the vertices (the
// hall's light baked in) or from a picture, times the material's colour, with no lighting;
// then the camera's tonemapping and debanding as Bevy's own materials apply them when the
// camera is not HDR, so flat surfaces match the lit ones they stand beside.

#import bevy_pbr::forward_io::VertexOutput
#import bevy_pbr::mesh_view_bindings::view
#import bevy_core_pipeline::tonemapping::{tone_mapping, screen_space_dither}
#import bevy_render::maths::powsafe

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> colour: vec4<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var picture: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(2) var picture_sampler: sampler;

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
    var out = colour;
#ifdef VERTEX_COLORS
    out = out * in.color;
#else
#ifdef VERTEX_UVS_A
    out = out * textureSample(picture, picture_sampler, in.uv);
#endif
#endif
#ifdef FLAT_OPAQUE
    out.a = 1.0;
#endif
#ifdef TONEMAP_IN_SHADER
    out = tone_mapping(out, view.color_grading);
#ifdef DEBAND_DITHER
    var rgb = powsafe(out.rgb, 1.0 / 2.2);
    rgb += screen_space_dither(in.position.xy);
    out = vec4(powsafe(rgb, 2.2), out.a);
#endif
#endif
    return out;
}
