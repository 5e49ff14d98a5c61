//! The seed corpus: small valid and tricky files for each target, generated here (so the
//! committed files can be rebuilt with `pavilion-fuzz seed-corpus`) and loaded from
//! `corpus/<target>/`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use pavilion_media::{write_glb, write_pdf};

use crate::targets::Target;

/// The committed corpus directory of this crate.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Reads every file in `dir/<target>/`, sorted by name; empty when there is none.
pub fn load(dir: &Path, target: Target) -> std::io::Result<Vec<Vec<u8>>> {
    let dir = dir.join(target.name());
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.sort();
    paths.into_iter().map(std::fs::read).collect()
}

/// Writes the generated seeds of every target under `dir`.
pub fn write_all(dir: &Path) -> std::io::Result<usize> {
    let mut written = 0;
    for target in Target::ALL {
        let target_dir = dir.join(target.name());
        std::fs::create_dir_all(&target_dir)?;
        for (name, bytes) in seeds(target) {
            std::fs::write(target_dir.join(name), bytes)?;
            written += 1;
        }
    }
    Ok(written)
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

fn png(width: u32, height: u32, colour: png::ColorType, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(colour);
    encoder.set_depth(png::BitDepth::Eight);
    if colour == png::ColorType::Indexed {
        encoder.set_palette(vec![255, 0, 0, 0, 0, 255]);
    }
    let mut writer = encoder.write_header().expect("writing to memory");
    writer.write_image_data(data).expect("writing to memory");
    writer.finish().expect("writing to memory");
    out
}

/// A GLB of one quad, with `nodes` and `roots` as its node list and scene.
fn glb(nodes: &str, roots: &str) -> Vec<u8> {
    let positions: [f32; 12] = [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0];
    let indices: [u16; 6] = [0, 1, 2, 0, 2, 3];
    let mut bin: Vec<u8> = positions.iter().flat_map(|f| f.to_le_bytes()).collect();
    bin.extend(indices.iter().flat_map(|i| i.to_le_bytes()));
    let json = format!(
        r#"{{"asset":{{"version":"2.0"}},"scene":0,"scenes":[{{"nodes":[{roots}]}}],"nodes":[{nodes}],"meshes":[{{"primitives":[{{"attributes":{{"POSITION":0}},"indices":1,"material":0}}]}}],"materials":[{{}}],"accessors":[{{"bufferView":0,"componentType":5126,"count":4,"type":"VEC3","min":[0,0,0],"max":[1,1,0]}},{{"bufferView":1,"componentType":5123,"count":6,"type":"SCALAR"}}],"bufferViews":[{{"buffer":0,"byteOffset":0,"byteLength":48}},{{"buffer":0,"byteOffset":48,"byteLength":12}}],"buffers":[{{"byteLength":60}}]}}"#
    );
    write_glb(json.as_bytes(), &bin)
}

fn pdf(extra_objects: &[Vec<u8>]) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
    ];
    objects.extend_from_slice(extra_objects);
    write_pdf(&objects, None)
}

fn stream(dictionary: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dictionary} /Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// The three uploads that once hung the checks: a GLB whose nodes share children (40 levels
/// of two nodes each pointing at both below: 2^40 paths), a GLB whose node lists itself twice
/// as a child, and a ~9 MB PDF of `stream` keywords (each once searched to the end).
pub fn hostile() -> Vec<(&'static str, Vec<u8>)> {
    let mut nodes = Vec::new();
    for level in 0..40 {
        let below = 2 * (level + 1);
        for _ in 0..2 {
            nodes.push(format!(r#"{{"children":[{below},{}]}}"#, below + 1));
        }
    }
    nodes.extend([r#"{"mesh":0}"#.to_owned(), r#"{"mesh":0}"#.to_owned()]);
    let mut pdf = b"%PDF-1.4\n".to_vec();
    while pdf.len() < 9_000_000 {
        pdf.extend_from_slice(b"stream\n");
    }
    pdf.extend_from_slice(b"xref\ntrailer\n<< >>\nstartxref\n0\n%%EOF\n");
    vec![
        ("dag.glb", glb(&nodes.join(","), "0,1")),
        ("cycle.glb", glb(r#"{"mesh":0,"children":[0,0]}"#, "0")),
        ("streams.pdf", pdf),
    ]
}

/// The generated seeds of one target, named.
pub fn seeds(target: Target) -> Vec<(&'static str, Vec<u8>)> {
    match target {
        Target::Sniff => vec![
            ("png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
            ("pdf", b"%PDF-1.7\n".to_vec()),
            ("glb", b"glTF\x02\0\0\0\x10\0\0\0".to_vec()),
            ("svg-doctype", b"\xef\xbb\xbf<?xml version=\"1.0\"?><!-- x --><!DOCTYPE svg [<!ENTITY a \"b\">]><svg/>".to_vec()),
            ("mp4", b"\0\0\0\x18ftypmp42".to_vec()),
        ],
        Target::Image => vec![
            ("rgb.png", png(3, 2, png::ColorType::Rgb, &[200; 18])),
            ("palette.png", png(2, 2, png::ColorType::Indexed, &[0, 1, 1, 0])),
            ("grey-alpha.png", png(2, 1, png::ColorType::GrayscaleAlpha, &[9, 255, 90, 128])),
            ("gradient.jpg", include_bytes!("../../pavilion-media/tests/fixtures/gradient-24x16.jpg").to_vec()),
        ],
        Target::Pdf => {
            let script = b"5 0 << /S /JavaScript /JS (app.alert(1)) >>";
            let hex: Vec<u8> = zlib(b"5 0 << /Type /Page >>")
                .iter()
                .flat_map(|b| format!("{b:02x}").into_bytes())
                .chain(*b">")
                .collect();
            vec![
                ("plain.pdf", pdf(&[stream("", b"BT /F1 12 Tf (Hello) Tj ET")])),
                ("flate.pdf", pdf(&[stream("/Filter /FlateDecode", &zlib(b"BT (Hi) Tj ET"))])),
                ("objstm-chain.pdf", pdf(&[stream("/Type /ObjStm /N 1 /First 4 /Filter [/ASCIIHexDecode /FlateDecode]", &hex)])),
                ("objstm-script.pdf", pdf(&[stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", &zlib(script))])),
                ("image.pdf", pdf(&[stream("/Type /XObject /Subtype /Image /Width 1 /Height 1 /Filter /DCTDecode", b"\xff\xd8\xff\xd9")])),
                ("predictor.pdf", pdf(&[stream("/Type /XRef /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>", &zlib(&[2, 1, 0, 0, 9, 2, 0, 0, 0, 1]))])),
                ("streams.pdf", b"%PDF-1.4\n1 0 obj\n<< >>\nstream\nstream stream endstream\nendobj\nxref\ntrailer\n<< >>\nstartxref\n0\n%%EOF\n".to_vec()),
            ]
        }
        Target::Glb => vec![
            ("quad.glb", glb(r#"{"mesh":0}"#, "0")),
            ("tree.glb", glb(r#"{"children":[1,2]},{"mesh":0,"translation":[1,0,0]},{"mesh":0,"scale":[2,2,2]}"#, "0")),
            ("shared-child.glb", glb(r#"{"children":[2]},{"children":[2]},{"mesh":0}"#, "0,1")),
            ("cycle.glb", glb(r#"{"mesh":0,"children":[0]}"#, "0")),
            ("fan-out.glb", glb(&format!(r#"{{"children":[{}]}},{}"#, (1..=64).map(|i| i.to_string()).collect::<Vec<_>>().join(","), vec![r#"{"mesh":0}"#; 64].join(",")), "0")),
        ],
        Target::Svg => vec![
            ("logo.svg", br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g"><stop/></linearGradient></defs><circle id="c" r="4" fill="url(#g)"/><use href="#c"/></svg>"##.to_vec()),
            ("nested-use.svg", br##"<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><rect/><rect/></g><g id="b"><use href="#a"/><use href="#a"/></g><g id="c"><use href="#b"/><use href="#b"/></g><use href="#c"/></svg>"##.to_vec()),
            ("pattern-style.svg", br##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><style>.x{fill:url(#p)}</style><pattern id="p"><rect/></pattern><rect class="x" style="stroke:url(#p)"/><image xlink:href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="/></svg>"##.to_vec()),
            ("entities.svg", br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"><text>&a;&a;</text></svg>"#.to_vec()),
        ],
        Target::Profile => vec![
            ("valid.toml", br##"name = "Acme"
slug = "acme-labs"
tagline = "Locks for every door in the house"
topic = "finance"
tier = "premium"
founded = 2001
headquarters = "Oslo"
website = "https://acme.example"
email = "hello@acme.example"
colour = "#336699"
description = """
Acme makes locks. They are good locks.
"""

[[products]]
name = "Lock"
category = "Hardware"
summary = "A lock."
"##.to_vec()),
            ("invalid.toml", b"name = \"\"\nslug = \"--\"\ntagline = \"x\"\ntopic = \"?\"\ntier = \"gold\"\nfounded = 1\nheadquarters = \"\"\nwebsite = \"ftp://x\"\nemail = \"x\"\ncolour = \"red\"\ndescription = \"\"\n".to_vec()),
        ],
        Target::Layout => vec![
            ("one-hall", vec![1, 80, 80, 1, 100, 60, 0, 1, 20, 30, 30, 30, 4, 1, 40, 40, 0, 80, 80]),
            ("two-halls", (0..64u8).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect()),
            ("nan", vec![2, 0, 1, 3, 0, 0, 2, 5, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ],
    }
}
