//! The fuzz targets: each takes arbitrary bytes and runs one of Pavilion's checks on them,
//! and each has the token dictionary its mutations draw on and the largest input it is fed.

use pavilion_media::{CheckLimits, ImageLimits, ModelBudget, SvgLimits};
use pavilion_model::layout::{self, BoothPlacement, Entrance, Footprint, Hall, Rect, TopicZone};
use pavilion_model::{ExhibitorProfile, Rotation, Topic};

/// Something the fuzzer can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Sniff,
    Image,
    Pdf,
    Glb,
    Svg,
    Profile,
    Layout,
}

impl Target {
    pub const ALL: [Target; 7] = [
        Target::Sniff,
        Target::Image,
        Target::Pdf,
        Target::Glb,
        Target::Svg,
        Target::Profile,
        Target::Layout,
    ];

    /// The name used on the command line and for the corpus directory.
    pub fn name(self) -> &'static str {
        match self {
            Target::Sniff => "sniff",
            Target::Image => "image",
            Target::Pdf => "pdf",
            Target::Glb => "glb",
            Target::Svg => "svg",
            Target::Profile => "profile",
            Target::Layout => "layout",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The largest input a mutation may produce for this target: small inputs run fast, and
    /// the repetition mutations still reach sizes where a quadratic path shows.
    pub fn max_len(self) -> usize {
        match self {
            Target::Sniff => 4 * 1024,
            Target::Layout => 2 * 1024,
            Target::Profile => 16 * 1024,
            Target::Image => 64 * 1024,
            Target::Pdf | Target::Glb | Target::Svg => 256 * 1024,
        }
    }

    /// Tokens of the format, spliced in by the mutator.
    pub fn dictionary(self) -> &'static [&'static [u8]] {
        match self {
            Target::Sniff => &[
                b"%PDF-",
                b"glTF\x02\0\0\0",
                b"\x89PNG\r\n\x1a\n",
                b"<svg",
                b"<!--",
                b"<?",
                b"ftyp",
            ],
            Target::Image => &[
                b"IHDR",
                b"IDAT",
                b"IEND",
                b"PLTE",
                b"tRNS",
                b"\xff\xc0",
                b"\xff\xda",
                b"\xff\xd9",
                b"\xff\xc4",
                b"\xff\xdb",
            ],
            Target::Pdf => &[
                b"stream\n",
                b"endstream",
                b" obj ",
                b"endobj",
                b"<<",
                b">>",
                b"[",
                b"]",
                b"(",
                b")",
                b"\\",
                b"%",
                b"/Filter",
                b"/FlateDecode",
                b"/ASCIIHexDecode",
                b"/ASCII85Decode",
                b"/LZWDecode",
                b"/RunLengthDecode",
                b"/DCTDecode",
                b"/Crypt",
                b"/DecodeParms",
                b"<< /Predictor 12 /Columns 4 >>",
                b"/Type /ObjStm",
                b"/N 1 /First 4",
                b"/Length 10",
                b"/Subtype /Image",
                b"/Java#53cript",
                b"/OpenAction",
                b"xref",
                b"trailer",
                b"startxref",
                b"%%EOF",
                b"5 0 R",
                b"1 0 obj",
            ],
            Target::Glb => &[
                br#""children":[0]"#,
                br#""nodes":[0,0]"#,
                br#""mesh":0"#,
                br#""indices":1"#,
                br#""count":65535"#,
                br#""byteOffset":4"#,
                br#""extensionsRequired":["KHR_x"]"#,
                br#"{"uri":"a.bin","byteLength":4}"#,
                br#""mimeType":"image/png""#,
                br#""scene":0"#,
            ],
            Target::Svg => &[
                br##"<use href="#a"/>"##,
                br#"<g id="a">"#,
                b"</g>",
                br##"fill="url(#a)""##,
                br#" id="a" "#,
                br#"<pattern id="a">"#,
                b"</pattern>",
                b"<defs>",
                b"</defs>",
                br##"xlink:href="#a""##,
                b"<style>rect{fill:url(#a)}</style>",
                b"<!ENTITY e \"xx\">",
                b"&e;",
                b"<![CDATA[",
                b"]]>",
                b"<script>",
                b"onload=",
                br#"href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB""#,
            ],
            Target::Profile => &[
                b"[[products]]\n",
                b"name = \"",
                b"\"\"\"",
                b"slug = \"a-b\"\n",
                b"founded = 2026\n",
                b"tier = \"premium\"\n",
                b"topic = \"finance\"\n",
                b"colour = \"#ffffff\"\n",
                b"\\u0000",
                b"'''",
                b"email = \"a@b.example\"\n",
                b"website = \"https://x.example\"\n",
            ],
            Target::Layout => &[],
        }
    }

    /// Runs the target on one input and names the outcome (a refusal's code, the rules a
    /// layout breaks): the fuzzer keeps inputs with outcomes it has not seen as new seeds.
    /// Refusals are fine; only a panic or a hang is a bug.
    pub fn run(self, input: &[u8]) -> String {
        let limits = CheckLimits::default();
        fn verdict<T>(result: Result<T, pavilion_media::MediaError>) -> String {
            match result {
                Ok(_) => "ok".into(),
                Err(error) => {
                    let message = error.to_string();
                    let head: String = message.chars().take(40).collect();
                    format!("{}:{head}", error.code())
                }
            }
        }
        match self {
            Target::Sniff => format!("{:?}", pavilion_media::sniff(input)),
            Target::Image => verdict(pavilion_media::check_image_within(
                input,
                ImageLimits::BOOTH,
                &limits,
            )),
            Target::Pdf => verdict(pavilion_media::check_pdf_within(input, &limits)),
            Target::Glb => verdict(pavilion_media::check_glb_within(
                input,
                ModelBudget::STANDARD,
                &limits,
            )),
            Target::Svg => verdict(pavilion_media::check_svg_within(
                input,
                SvgLimits::LOGO,
                &limits,
            )),
            Target::Profile => {
                let text = String::from_utf8_lossy(input);
                match toml::from_str::<ExhibitorProfile>(&text) {
                    Ok(profile) => {
                        let fields: Vec<String> = match profile.validate() {
                            Ok(_) => Vec::new(),
                            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
                        };
                        fields.join(",")
                    }
                    Err(error) => error.message().chars().take(24).collect(),
                }
            }
            Target::Layout => {
                let halls = halls_from_bytes(input);
                let mut rules: Vec<String> = layout::validate(&halls)
                    .into_iter()
                    .map(|p| format!("{:?}", p.rule))
                    .collect();
                rules.sort();
                rules.dedup();
                rules.join(",")
            }
        }
    }
}

/// Reads choices from the input bytes; zeros once they run out, so every input is a layout.
struct Choices<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn below(&mut self, bound: usize) -> usize {
        usize::from(self.byte()) % bound.max(1)
    }

    /// A length in metres: mostly sensible, sometimes a boundary or not a number at all.
    fn metres(&mut self, typical: f32) -> f32 {
        match self.byte() {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => -1.0,
            3 => 0.0,
            4 => 1e30,
            5 => f32::MIN_POSITIVE,
            6 => 400.0,
            7 => 1e-3,
            b => typical * f32::from(b) / 128.0,
        }
    }

    fn name(&mut self) -> String {
        let names = ["", "a", "hall-1", "hall-2", "acme", "bolt", "acme", " "];
        names[self.below(names.len())].to_owned()
    }
}

/// Builds halls from bytes: each byte picks a count, a size or a name, so mutations of the
/// bytes explore layouts (including malformed numbers) without a parser in between.
pub fn halls_from_bytes(bytes: &[u8]) -> Vec<Hall> {
    let mut c = Choices { bytes, at: 0 };
    let hall_count = c.below(4);
    (0..hall_count)
        .map(|_| {
            let width = c.metres(60.0);
            let depth = c.metres(60.0);
            let entrances = (0..c.below(4))
                .map(|_| Entrance {
                    x: c.metres(width.clamp(0.0, 400.0)),
                    width: c.metres(6.0),
                })
                .collect();
            let zones = (0..c.below(3))
                .map(|_| TopicZone {
                    topic: Topic::ALL[c.below(Topic::ALL.len())],
                    area: Rect::new(
                        c.metres(30.0),
                        c.metres(30.0),
                        c.metres(30.0),
                        c.metres(30.0),
                    ),
                    sign_url: None,
                })
                .collect();
            let booths = (0..c.below(16))
                .map(|_| BoothPlacement {
                    exhibitor: c.name(),
                    position: [
                        c.metres(width.clamp(0.0, 400.0)),
                        c.metres(depth.clamp(0.0, 400.0)),
                    ],
                    rotation: Rotation::FacingEntrance.turned(c.below(4) as i32),
                    footprint: Footprint::new(c.metres(8.0), c.metres(8.0)),
                })
                .collect();
            Hall {
                id: c.name(),
                name: "Hall".into(),
                origin: [0.0, 0.0],
                width,
                depth,
                entrances,
                sign_url: None,
                zones,
                stages: Vec::new(),
                booths,
            }
        })
        .collect()
}
