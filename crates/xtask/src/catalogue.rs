//! `cargo xtask catalogue`: the deterministic generator of the catalogue's media. For chosen
//! companies it writes `exhibitors/<slug>/media/`: product pictures (PNG, drawn from shapes and
//! gradients in the brand colour), a PDF brochure (a small hand-written PDF 1.4 writer with
//! Helvetica) and a GLB product model (boxes and cylinders with normals, one material), plus
//! `media.toml` listing them. Everything is seeded from the slug, never from the clock, and
//! files are only written when their bytes change, so a second run changes nothing.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use pavilion_media::write_pdf;
use pavilion_model::{BoothTier, ExhibitorProfile, Topic};

pub const MEDIA_DIR: &str = "media";
pub const MANIFEST: &str = "media.toml";

const IMAGE_WIDTH: usize = 960;
const IMAGE_HEIGHT: usize = 540;
/// How many standard booths get pictures (every premium and flagship booth has them).
const STANDARD_WITH_IMAGES: usize = 26;
/// How many premium booths get a model (every flagship booth has one).
const PREMIUM_WITH_MODEL: usize = 12;

pub fn run(root: &Path) -> Result<()> {
    let started = Instant::now();
    let report = generate(&root.join("exhibitors"))?;
    println!(
        "catalogue media in {:.2} s: {} companies with pictures ({} images), {} brochures, {} models; \
         {} files written, {} unchanged, {} removed; {:.1} MB in all",
        started.elapsed().as_secs_f64(),
        report.with_images,
        report.images,
        report.brochures,
        report.models,
        report.written,
        report.unchanged,
        report.removed,
        report.total_bytes as f64 / 1_000_000.0
    );
    Ok(())
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub with_images: usize,
    pub images: usize,
    pub brochures: usize,
    pub models: usize,
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub total_bytes: u64,
}

/// One company as the generator needs it.
struct Company {
    profile: ExhibitorProfile,
    tier: BoothTier,
    topic: Topic,
    colour: [u8; 3],
    seed: u64,
}

/// What to make for one company.
#[derive(Debug, Default, Clone, Copy)]
struct Plan {
    images: usize,
    brochure: bool,
    model: bool,
}

/// Generates the media of every company folder in `catalogue`.
pub fn generate(catalogue: &Path) -> Result<Report> {
    let companies = read_companies(catalogue)?;
    let plans = plan(&companies);
    let mut report = Report::default();
    for (company, plan) in companies.iter().zip(&plans) {
        let dir = catalogue.join(&company.profile.slug).join(MEDIA_DIR);
        let files = company_media(company, *plan)?;
        if files.is_empty() {
            if dir.exists() {
                fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
                report.removed += 1;
            }
            continue;
        }
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        for (name, bytes) in &files {
            report.total_bytes += bytes.len() as u64;
            if write_if_changed(&dir.join(name), bytes)? {
                report.written += 1;
            } else {
                report.unchanged += 1;
            }
        }
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !files.iter().any(|(file, _)| *file == name) {
                let path = entry.path();
                if path.is_dir() {
                    fs::remove_dir_all(&path)?;
                } else {
                    fs::remove_file(&path)?;
                }
                report.removed += 1;
            }
        }
        report.with_images += usize::from(plan.images > 0);
        report.images += plan.images;
        report.brochures += usize::from(plan.brochure);
        report.models += usize::from(plan.model);
    }
    Ok(report)
}

fn read_companies(catalogue: &Path) -> Result<Vec<Company>> {
    let mut companies = Vec::new();
    let mut folders: Vec<PathBuf> = fs::read_dir(catalogue)
        .with_context(|| format!("reading {}", catalogue.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("profile.toml").is_file())
        .collect();
    folders.sort();
    for folder in folders {
        let path = folder.join("profile.toml");
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let profile: ExhibitorProfile =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let (Some(tier), Some(topic), Some(colour)) = (
            profile.tier(),
            profile.topic(),
            pavilion_model::snapshot::parse_hex_colour(&profile.colour),
        ) else {
            anyhow::bail!("{} has an unknown tier, topic or colour", path.display());
        };
        let seed = fnv1a(profile.slug.as_bytes());
        companies.push(Company {
            profile,
            tier,
            topic,
            colour,
            seed,
        });
    }
    Ok(companies)
}

/// FNV-1a: a stable 64-bit hash (the standard library's hasher may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Chooses who gets what: every flagship and premium booth gets pictures and a brochure,
/// every flagship booth and some premium ones a model, and some standard booths pictures.
fn plan(companies: &[Company]) -> Vec<Plan> {
    let ranked = |tier: BoothTier, salt: &str| -> Vec<usize> {
        let mut members: Vec<usize> = (0..companies.len())
            .filter(|&i| companies[i].tier == tier)
            .collect();
        members.sort_by_key(|&i| fnv1a(format!("{salt}:{}", companies[i].profile.slug).as_bytes()));
        members
    };
    let mut plans = vec![Plan::default(); companies.len()];
    for (i, company) in companies.iter().enumerate() {
        let products = company.profile.products.len();
        match company.tier {
            BoothTier::Flagship => {
                plans[i] = Plan {
                    images: products.min(4),
                    brochure: true,
                    model: true,
                }
            }
            BoothTier::Premium => {
                plans[i] = Plan {
                    images: products.min(3),
                    brochure: true,
                    model: false,
                }
            }
            BoothTier::Standard => {}
        }
    }
    for &i in ranked(BoothTier::Standard, "images")
        .iter()
        .take(STANDARD_WITH_IMAGES)
    {
        plans[i].images = companies[i].profile.products.len().min(2);
    }
    for &i in ranked(BoothTier::Premium, "model")
        .iter()
        .take(PREMIUM_WITH_MODEL)
    {
        plans[i].model = true;
    }
    plans
}

/// The files of one company's media folder, manifest included, by file name.
fn company_media(company: &Company, plan: Plan) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    let mut manifest = String::from(
        "# Made by `cargo xtask catalogue`: do not edit by hand (the next run overwrites it).\n",
    );
    let quote = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let products = &company.profile.products;
    for index in 0..plan.images {
        let product = &products[index % products.len()];
        let name = format!("product-{}.png", index + 1);
        files.push((name.clone(), product_image(company, index)?));
        let _ = write!(
            manifest,
            "\n[[files]]\nfile = {}\nkind = \"image\"\ntitle = {}\nproduct = {}\n",
            quote(&name),
            quote(&product.name),
            quote(&product.name)
        );
    }
    if plan.brochure {
        files.push(("brochure.pdf".to_owned(), brochure(company)?));
        let _ = write!(
            manifest,
            "\n[[files]]\nfile = \"brochure.pdf\"\nkind = \"brochure\"\ntitle = {}\n",
            quote(&format!("{} brochure", company.profile.name))
        );
    }
    if plan.model {
        let shape = model_shape(company);
        let product = &products[0];
        files.push(("model.glb".to_owned(), product_model(company, shape)));
        let _ = write!(
            manifest,
            "\n[[files]]\nfile = \"model.glb\"\nkind = \"model\"\ntitle = {}\nproduct = {}\n",
            quote(&format!("{} ({})", product.name, shape.label())),
            quote(&product.name)
        );
    }
    if !files.is_empty() {
        files.push((MANIFEST.to_owned(), manifest.into_bytes()));
    }
    Ok(files)
}

/// Writes `bytes` to `path` unless the file already holds exactly them; true when written.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

/// SplitMix64: small, fast and fully determined by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A float in [lo, hi).
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next() >> 40) as f32 / (1u64 << 24) as f32)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    [0, 1, 2].map(|i| (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * t).round() as u8)
}

const WHITE: [u8; 3] = [255, 255, 255];
const BLACK: [u8; 3] = [0, 0, 0];
const INK: [u8; 3] = [18, 24, 33];

// ---------------------------------------------------------------------------------------
// Pictures

/// An RGB canvas with anti-aliased shapes drawn from signed distances.
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![0; width * height * 3],
        }
    }

    fn vertical_gradient(&mut self, top: [u8; 3], bottom: [u8; 3]) {
        for y in 0..self.height {
            let colour = mix(top, bottom, y as f32 / (self.height - 1) as f32);
            for x in 0..self.width {
                self.pixels[(y * self.width + x) * 3..][..3].copy_from_slice(&colour);
            }
        }
    }

    /// Blends `colour` into every pixel of the box by the coverage `distance` gives: the
    /// signed distance in pixels from the pixel centre to the shape's edge (negative inside).
    fn fill(
        &mut self,
        bounds: [f32; 4],
        colour: [u8; 3],
        alpha: f32,
        distance: impl Fn(f32, f32) -> f32,
    ) {
        let x0 = (bounds[0].floor().max(0.0)) as usize;
        let y0 = (bounds[1].floor().max(0.0)) as usize;
        let x1 = (bounds[2].ceil().max(0.0) as usize).min(self.width);
        let y1 = (bounds[3].ceil().max(0.0) as usize).min(self.height);
        for y in y0..y1 {
            for x in x0..x1 {
                let coverage =
                    (0.5 - distance(x as f32 + 0.5, y as f32 + 0.5)).clamp(0.0, 1.0) * alpha;
                if coverage <= 0.0 {
                    continue;
                }
                let pixel = &mut self.pixels[(y * self.width + x) * 3..][..3];
                for (channel, target) in pixel.iter_mut().zip(colour) {
                    *channel = (f32::from(*channel)
                        + (f32::from(target) - f32::from(*channel)) * coverage)
                        .round() as u8;
                }
            }
        }
    }

    fn round_rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        radius: f32,
        colour: [u8; 3],
        alpha: f32,
    ) {
        let (cx, cy, hx, hy) = (x + w / 2.0, y + h / 2.0, w / 2.0, h / 2.0);
        let r = radius.min(hx).min(hy);
        self.fill(
            [x - 1.0, y - 1.0, x + w + 1.0, y + h + 1.0],
            colour,
            alpha,
            |px, py| {
                let qx = (px - cx).abs() - hx + r;
                let qy = (py - cy).abs() - hy + r;
                let outside = (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt();
                outside + qx.max(qy).min(0.0) - r
            },
        );
    }

    fn circle(&mut self, cx: f32, cy: f32, r: f32, colour: [u8; 3], alpha: f32) {
        self.fill(
            [cx - r - 1.0, cy - r - 1.0, cx + r + 1.0, cy + r + 1.0],
            colour,
            alpha,
            |px, py| ((px - cx).powi(2) + (py - cy).powi(2)).sqrt() - r,
        );
    }

    fn ring(&mut self, cx: f32, cy: f32, r: f32, thickness: f32, colour: [u8; 3], alpha: f32) {
        let reach = r + thickness;
        self.fill(
            [
                cx - reach - 1.0,
                cy - reach - 1.0,
                cx + reach + 1.0,
                cy + reach + 1.0,
            ],
            colour,
            alpha,
            |px, py| (((px - cx).powi(2) + (py - cy).powi(2)).sqrt() - r).abs() - thickness / 2.0,
        );
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32, colour: [u8; 3], alpha: f32) {
        let (ax, ay) = from;
        let (dx, dy) = (to.0 - ax, to.1 - ay);
        let length2 = (dx * dx + dy * dy).max(1e-6);
        let pad = width + 1.0;
        let bounds = [
            ax.min(to.0) - pad,
            ay.min(to.1) - pad,
            ax.max(to.0) + pad,
            ay.max(to.1) + pad,
        ];
        self.fill(bounds, colour, alpha, |px, py| {
            let t = (((px - ax) * dx + (py - ay) * dy) / length2).clamp(0.0, 1.0);
            ((px - ax - dx * t).powi(2) + (py - ay - dy * t).powi(2)).sqrt() - width / 2.0
        });
    }

    fn encode_png(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels)?;
        writer.finish()?;
        Ok(out)
    }
}

/// The palette of one company's pictures.
struct Palette {
    brand: [u8; 3],
    light: [u8; 3],
    dark: [u8; 3],
    accent: [u8; 3],
}

impl Palette {
    fn of(colour: [u8; 3]) -> Palette {
        Palette {
            brand: colour,
            light: mix(colour, WHITE, 0.7),
            dark: mix(colour, BLACK, 0.72),
            // The channels turned round: a related but distinct second colour.
            accent: mix([colour[2], colour[0], colour[1]], WHITE, 0.35),
        }
    }
}

/// One product picture: a backdrop in the brand's colours and one of four illustrations.
fn product_image(company: &Company, index: usize) -> Result<Vec<u8>> {
    let mut rng = Rng(company.seed ^ (index as u64 + 1).wrapping_mul(0x9e37_79b9));
    let p = Palette::of(company.colour);
    let mut c = Canvas::new(IMAGE_WIDTH, IMAGE_HEIGHT);
    c.vertical_gradient(mix(p.dark, p.brand, 0.25), mix(p.dark, BLACK, 0.45));
    // Soft glows and a floor line give the scene depth.
    c.circle(
        rng.range(200.0, 760.0),
        rng.range(120.0, 300.0),
        300.0,
        p.brand,
        0.12,
    );
    c.circle(rng.range(100.0, 860.0), 420.0, 220.0, p.accent, 0.06);
    c.round_rect(0.0, 430.0, 960.0, 110.0, 0.0, BLACK, 0.18);
    match (company.seed as usize + index) % 4 {
        0 => draw_appliance(&mut c, &p, &mut rng),
        1 => draw_dashboard(&mut c, &p, &mut rng),
        2 => draw_network(&mut c, &p, &mut rng),
        _ => draw_phone(&mut c, &p, &mut rng),
    }
    // A brand stripe along the bottom, like a booth's own fascia.
    c.round_rect(0.0, 528.0, 960.0, 12.0, 0.0, p.brand, 1.0);
    c.encode_png()
}

fn draw_appliance(c: &mut Canvas, p: &Palette, rng: &mut Rng) {
    let units = 1 + rng.below(3);
    let width = rng.range(520.0, 640.0);
    let unit_height = 70.0;
    let x = (960.0 - width) / 2.0;
    let bottom = 420.0;
    // Shadow on the floor.
    c.round_rect(
        x - 20.0,
        bottom - 6.0,
        width + 40.0,
        22.0,
        11.0,
        BLACK,
        0.35,
    );
    for unit in 0..units {
        let y = bottom - (unit + 1) as f32 * (unit_height + 8.0);
        c.round_rect(
            x,
            y,
            width,
            unit_height,
            10.0,
            mix(p.light, p.brand, 0.35),
            1.0,
        );
        c.round_rect(
            x + 14.0,
            y + 12.0,
            width * 0.55,
            unit_height - 24.0,
            6.0,
            INK,
            0.92,
        );
        // Vents on the bezel.
        for v in 0..10 {
            let vx = x + 30.0 + v as f32 * (width * 0.5 / 10.0);
            c.line(
                (vx, y + 22.0),
                (vx, y + unit_height - 22.0),
                4.0,
                p.dark,
                0.8,
            );
        }
        // Status lights and ports.
        for led in 0..4 {
            let on = rng.below(4) != 0;
            let colour = if on { [80, 230, 140] } else { p.accent };
            c.circle(
                x + width * 0.62 + led as f32 * 22.0,
                y + unit_height / 2.0,
                6.0,
                colour,
                1.0,
            );
        }
        for port in 0..3 {
            c.round_rect(
                x + width * 0.8 + port as f32 * 34.0 - 20.0,
                y + 22.0,
                26.0,
                24.0,
                3.0,
                p.dark,
                1.0,
            );
        }
    }
    // A badge with the brand colour.
    c.circle(
        x + width - 40.0,
        bottom - units as f32 * (unit_height + 8.0) - 40.0,
        26.0,
        p.brand,
        1.0,
    );
    c.ring(
        x + width - 40.0,
        bottom - units as f32 * (unit_height + 8.0) - 40.0,
        34.0,
        4.0,
        p.light,
        0.9,
    );
}

fn draw_dashboard(c: &mut Canvas, p: &Palette, rng: &mut Rng) {
    // A monitor on a stand.
    let (x, y, w, h) = (170.0, 60.0, 620.0, 340.0);
    c.round_rect(
        430.0,
        395.0,
        100.0,
        30.0,
        4.0,
        mix(p.light, BLACK, 0.3),
        1.0,
    );
    c.round_rect(
        370.0,
        420.0,
        220.0,
        14.0,
        7.0,
        mix(p.light, BLACK, 0.2),
        1.0,
    );
    c.round_rect(x - 12.0, y - 12.0, w + 24.0, h + 24.0, 16.0, INK, 1.0);
    c.round_rect(x, y, w, h, 6.0, mix(INK, p.dark, 0.5), 1.0);
    // Side bar and header.
    c.round_rect(x, y, 120.0, h, 6.0, mix(INK, p.brand, 0.35), 1.0);
    for row in 0..6 {
        c.round_rect(
            x + 18.0,
            y + 30.0 + row as f32 * 44.0,
            84.0,
            12.0,
            6.0,
            p.light,
            if row == 1 { 0.95 } else { 0.35 },
        );
    }
    // Bar chart.
    let (bx, by) = (x + 150.0, y + 40.0);
    c.round_rect(bx, by, 260.0, 150.0, 8.0, WHITE, 0.06);
    for bar in 0..8 {
        let height = rng.range(30.0, 130.0);
        let colour = if bar % 3 == 2 { p.accent } else { p.brand };
        c.round_rect(
            bx + 16.0 + bar as f32 * 30.0,
            by + 140.0 - height,
            18.0,
            height,
            4.0,
            colour,
            1.0,
        );
    }
    // Line chart.
    let (lx, ly) = (x + 150.0, y + 210.0);
    c.round_rect(lx, ly, 260.0, 110.0, 8.0, WHITE, 0.06);
    let mut previous = (lx + 14.0, ly + rng.range(30.0, 90.0));
    for step in 1..10 {
        let next = (lx + 14.0 + step as f32 * 26.0, ly + rng.range(20.0, 95.0));
        c.line(previous, next, 4.0, p.accent, 1.0);
        previous = next;
    }
    // Gauge and alert list.
    let (gx, gy) = (x + 520.0, y + 110.0);
    c.ring(gx, gy, 58.0, 16.0, WHITE, 0.12);
    c.ring(gx, gy, 58.0, 16.0, p.brand, 0.9);
    c.circle(gx, gy, 34.0, p.light, 0.85);
    for row in 0..4 {
        let ry = y + 210.0 + row as f32 * 28.0;
        let alert = [[240, 90, 80], [250, 190, 70], [80, 210, 140]][rng.below(3)];
        c.circle(x + 450.0, ry + 9.0, 7.0, alert, 1.0);
        c.round_rect(
            x + 466.0,
            ry + 3.0,
            rng.range(70.0, 130.0),
            12.0,
            6.0,
            p.light,
            0.6,
        );
    }
}

fn draw_network(c: &mut Canvas, p: &Palette, rng: &mut Rng) {
    let centre = (480.0, 250.0);
    let count = 7 + rng.below(4);
    let mut nodes = Vec::new();
    for i in 0..count {
        // Points round the centre on a jittered ellipse, without trigonometry: a fixed table.
        const ROUND: [(f32, f32); 12] = [
            (1.0, 0.0),
            (0.87, 0.5),
            (0.5, 0.87),
            (0.0, 1.0),
            (-0.5, 0.87),
            (-0.87, 0.5),
            (-1.0, 0.0),
            (-0.87, -0.5),
            (-0.5, -0.87),
            (0.0, -1.0),
            (0.5, -0.87),
            (0.87, -0.5),
        ];
        let (dx, dy) = ROUND[(i * 12 / count) % 12];
        let reach = rng.range(0.75, 1.0);
        nodes.push((centre.0 + dx * 330.0 * reach, centre.1 + dy * 165.0 * reach));
    }
    for (i, node) in nodes.iter().enumerate() {
        c.line(centre, *node, 3.0, p.light, 0.5);
        let next = nodes[(i + 1) % nodes.len()];
        if rng.below(3) != 0 {
            c.line(*node, next, 2.0, p.accent, 0.45);
        }
    }
    for node in &nodes {
        let r = rng.range(16.0, 28.0);
        c.circle(node.0, node.1, r + 8.0, p.brand, 0.25);
        c.circle(node.0, node.1, r, mix(p.light, p.brand, 0.3), 1.0);
        c.circle(node.0, node.1, r * 0.4, p.dark, 0.9);
    }
    // The protected core: a shield-like badge.
    c.circle(centre.0, centre.1, 110.0, p.brand, 0.18);
    c.round_rect(
        centre.0 - 70.0,
        centre.1 - 80.0,
        140.0,
        120.0,
        24.0,
        p.brand,
        1.0,
    );
    c.circle(centre.0, centre.1 + 20.0, 70.0, p.brand, 1.0);
    c.ring(centre.0, centre.1, 40.0, 10.0, WHITE, 0.95);
    c.round_rect(centre.0 - 6.0, centre.1 - 6.0, 12.0, 46.0, 6.0, WHITE, 0.95);
}

fn draw_phone(c: &mut Canvas, p: &Palette, rng: &mut Rng) {
    let (x, y, w, h) = (370.0, 40.0, 220.0, 400.0);
    // A card behind the phone.
    c.round_rect(x - 190.0, 120.0, 240.0, 200.0, 18.0, p.light, 0.9);
    for row in 0..4 {
        c.round_rect(
            x - 165.0,
            150.0 + row as f32 * 38.0,
            rng.range(120.0, 190.0),
            14.0,
            7.0,
            p.dark,
            0.55,
        );
    }
    c.round_rect(x + w - 30.0, 170.0, 250.0, 150.0, 18.0, p.accent, 0.9);
    c.circle(x + w + 40.0, 245.0, 36.0, WHITE, 0.85);
    c.round_rect(x + w + 90.0, 220.0, 100.0, 14.0, 7.0, WHITE, 0.8);
    c.round_rect(x + w + 90.0, 250.0, 70.0, 14.0, 7.0, WHITE, 0.6);
    // The phone.
    c.round_rect(x - 10.0, y - 10.0, w + 20.0, h + 20.0, 40.0, INK, 1.0);
    c.round_rect(x, y, w, h, 32.0, mix(p.dark, INK, 0.4), 1.0);
    c.round_rect(x + 80.0, y + 14.0, 60.0, 12.0, 6.0, INK, 1.0);
    // A lock on the screen and app tiles below it.
    let (lx, ly) = (x + w / 2.0, y + 120.0);
    c.ring(lx, ly - 28.0, 26.0, 10.0, p.light, 1.0);
    c.round_rect(lx - 44.0, ly - 20.0, 88.0, 72.0, 12.0, p.brand, 1.0);
    c.circle(lx, ly + 10.0, 9.0, INK, 0.9);
    for tile in 0..6 {
        let tx = x + 28.0 + (tile % 3) as f32 * 58.0;
        let ty = y + 230.0 + (tile / 3) as f32 * 66.0;
        let colour = if tile == rng.below(6) {
            p.accent
        } else {
            p.light
        };
        c.round_rect(tx, ty, 46.0, 46.0, 12.0, colour, 0.9);
    }
}

// ---------------------------------------------------------------------------------------
// Brochures

/// Text in a PDF string literal in WinAnsiEncoding: ASCII as it is, a few typographic marks
/// mapped, Latin-1 letters as octal escapes, anything else as `?`.
fn pdf_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let code: u32 = match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
                continue;
            }
            ' '..='~' => {
                out.push(c);
                continue;
            }
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{2026}' => 0x85,
            '\u{20ac}' => 0x80,
            '\u{2122}' => 0x99,
            '\u{a0}'..='\u{ff}' => c as u32,
            _ => u32::from(b'?'),
        };
        let _ = write!(out, "\\{code:03o}");
    }
    out
}

/// Splits text into lines of at most `max_chars` characters (Helvetica averages about half
/// an em per character, which is all the precision a brochure needs).
fn wrap(text: &str, max_chars: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max_chars {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A page's content stream being written.
struct Page {
    ops: String,
    y: f32,
}

impl Page {
    fn new() -> Page {
        Page {
            ops: String::new(),
            y: 0.0,
        }
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, rgb: [u8; 3]) {
        let [r, g, b] = rgb.map(|c| f32::from(c) / 255.0);
        let _ = writeln!(
            self.ops,
            "{r:.3} {g:.3} {b:.3} rg {x:.1} {y:.1} {w:.1} {h:.1} re f"
        );
    }

    fn text(&mut self, font: &str, size: f32, x: f32, y: f32, rgb: [u8; 3], text: &str) {
        let [r, g, b] = rgb.map(|c| f32::from(c) / 255.0);
        let _ = writeln!(
            self.ops,
            "BT /{font} {size:.1} Tf {r:.3} {g:.3} {b:.3} rg {x:.1} {y:.1} Td ({}) Tj ET",
            pdf_text(text)
        );
    }

    /// Writes wrapped lines downwards from the current position.
    fn paragraph(&mut self, font: &str, size: f32, x: f32, width: f32, rgb: [u8; 3], text: &str) {
        let max_chars = (width / (size * 0.5)) as usize;
        for line in wrap(text, max_chars) {
            self.text(font, size, x, self.y, rgb, &line);
            self.y -= size * 1.38;
        }
    }
}

/// A two-page A4 brochure: the company and its story, then its products.
fn brochure(company: &Company) -> Result<Vec<u8>> {
    let profile = &company.profile;
    let brand = company.colour;
    let grey = [88, 96, 108];
    let (left, width) = (56.0, 483.0);

    let mut first = Page::new();
    first.rect(0.0, 702.0, 595.0, 140.0, brand);
    first.rect(0.0, 696.0, 595.0, 6.0, mix(brand, BLACK, 0.4));
    first.text("F2", 30.0, left, 780.0, WHITE, &profile.name);
    first.y = 752.0;
    first.paragraph("F1", 13.0, left, width, WHITE, &profile.tagline);
    first.text("F2", 15.0, left, 660.0, INK, "About us");
    first.y = 636.0;
    for paragraph in profile.paragraphs() {
        first.paragraph("F1", 10.5, left, width, INK, &paragraph);
        first.y -= 8.0;
    }
    first.y -= 10.0;
    first.text("F2", 15.0, left, first.y, INK, "Visit the booth");
    first.y -= 22.0;
    let topic = company.topic.label();
    for line in [
        format!("Zone: {topic}"),
        format!("Founded {} in {}", profile.founded, profile.headquarters),
        format!("Web: {}", profile.website),
        format!("E-mail: {}", profile.email),
    ] {
        first.text("F1", 10.5, left, first.y, grey, &line);
        first.y -= 15.0;
    }
    first.rect(left, 60.0, width, 0.8, grey);
    first.text(
        "F1",
        8.5,
        left,
        46.0,
        grey,
        "National Cyber Security Week \u{b7} Digital Exhibition Hall \u{b7} page 1 of 2",
    );

    let mut second = Page::new();
    second.rect(0.0, 782.0, 595.0, 60.0, brand);
    second.text(
        "F2",
        18.0,
        left,
        805.0,
        WHITE,
        &format!("{} \u{2013} products", profile.name),
    );
    second.y = 740.0;
    for product in &profile.products {
        second.rect(left, second.y - 2.0, 10.0, 10.0, brand);
        second.text("F2", 14.0, left + 18.0, second.y - 2.0, INK, &product.name);
        second.y -= 18.0;
        second.text("F1", 10.0, left + 18.0, second.y, grey, &product.category);
        second.y -= 18.0;
        second.paragraph("F1", 10.5, left + 18.0, width - 18.0, INK, &product.summary);
        second.y -= 16.0;
    }
    second.rect(left, 60.0, width, 0.8, grey);
    second.text(
        "F1",
        8.5,
        left,
        46.0,
        grey,
        "National Cyber Security Week \u{b7} Digital Exhibition Hall \u{b7} page 2 of 2",
    );

    let deflate = |ops: &str| -> Result<Vec<u8>> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(ops.as_bytes())?;
        Ok(encoder.finish()?)
    };
    let stream = |data: Vec<u8>| -> Vec<u8> {
        let mut object = format!(
            "<< /Length {} /Filter /FlateDecode >>\nstream\n",
            data.len()
        )
        .into_bytes();
        object.extend_from_slice(&data);
        object.extend_from_slice(b"\nendstream");
        object
    };
    let page = |content: usize| {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {content} 0 R >>"
        )
        .into_bytes()
    };
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [5 0 R 7 0 R] /Count 2 >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        page(6),
        stream(deflate(&first.ops)?),
        page(8),
        stream(deflate(&second.ops)?),
        format!(
            "<< /Title ({}) /Subject ({}) /Producer (Pavilion catalogue generator) >>",
            pdf_text(&format!("{} brochure", profile.name)),
            pdf_text(&profile.tagline)
        )
        .into_bytes(),
    ];
    Ok(write_pdf(&objects, Some(9)))
}

// ---------------------------------------------------------------------------------------
// Models

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    RackServer,
    Appliance,
    Camera,
    HardwareKey,
    Sensor,
    Terminal,
}

impl Shape {
    fn label(self) -> &'static str {
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

fn model_shape(company: &Company) -> Shape {
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

type Vec3 = [f32; 3];

/// Rounds to a fixed grid so that tiny differences between maths libraries cannot change
/// the bytes written.
fn q(v: f64) -> f32 {
    ((v * 100_000.0).round() / 100_000.0) as f32
}

/// A rotation as three column vectors.
#[derive(Clone, Copy)]
struct Turn([Vec3; 3]);

impl Turn {
    const NONE: Turn = Turn([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);

    /// About the x axis by `degrees`.
    fn x(degrees: f64) -> Turn {
        let (s, c) = degrees.to_radians().sin_cos();
        Turn([[1.0, 0.0, 0.0], [0.0, q(c), q(s)], [0.0, q(-s), q(c)]])
    }

    /// About the z axis by `degrees`.
    fn z(degrees: f64) -> Turn {
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
struct MeshBuilder {
    positions: Vec<Vec3>,
    normals: Vec<Vec3>,
    shades: Vec<f32>,
    indices: Vec<u32>,
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
    fn cuboid(&mut self, centre: Vec3, size: Vec3, turn: Turn, shade: f32) {
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
    fn cylinder(&mut self, centre: Vec3, radius: f32, height: f32, turn: Turn, shade: f32) {
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

fn product_model(company: &Company, shape: Shape) -> Vec<u8> {
    let mut rng = Rng(company.seed ^ 0x5eed_0f3d);
    let mut m = MeshBuilder::default();
    let none = Turn::NONE;
    match shape {
        Shape::RackServer => {
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
        Shape::Appliance => {
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
        Shape::Camera => {
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
        Shape::HardwareKey => {
            // A key on a small display stand.
            m.cuboid([0.0, 0.01, 0.0], [0.12, 0.02, 0.07], none, 0.25);
            let lean = Turn::x(-20.0);
            m.cuboid([0.0, 0.045, 0.0], [0.03, 0.05, 0.03], none, 0.3);
            m.cuboid([0.0, 0.08, 0.0], [0.065, 0.012, 0.022], lean, 0.9);
            m.cuboid([0.045, 0.08, 0.0], [0.025, 0.005, 0.013], lean, 0.6);
            m.cylinder([-0.032, 0.08, 0.0], 0.011, 0.012, lean, 0.9);
            m.cylinder([0.0, 0.0866, -0.0022], 0.007, 0.003, lean, 1.0);
        }
        Shape::Sensor => {
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
        Shape::Terminal => {
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
    }
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

/// Packs a mesh into a GLB: one node, one mesh, one primitive, one material.
fn mesh_glb(mesh: &MeshBuilder, colour: Vec3, name: &str) -> Vec<u8> {
    let mut bin = Vec::new();
    let mut views = Vec::new();
    let mut push_view = |bin: &mut Vec<u8>, bytes: Vec<u8>, target: u32| {
        while !bin.len().is_multiple_of(4) {
            bin.push(0);
        }
        views.push(format!(
            r#"{{"buffer":0,"byteOffset":{},"byteLength":{},"target":{target}}}"#,
            bin.len(),
            bytes.len()
        ));
        bin.extend_from_slice(&bytes);
    };
    let floats = |values: &mut dyn Iterator<Item = f32>| {
        values.flat_map(f32::to_le_bytes).collect::<Vec<u8>>()
    };
    push_view(
        &mut bin,
        floats(&mut mesh.positions.iter().flatten().copied()),
        34962,
    );
    push_view(
        &mut bin,
        floats(&mut mesh.normals.iter().flatten().copied()),
        34962,
    );
    push_view(
        &mut bin,
        floats(&mut mesh.shades.iter().flat_map(|s| [*s, *s, *s, 1.0])),
        34962,
    );
    let wide = mesh.positions.len() > usize::from(u16::MAX);
    let index_bytes: Vec<u8> = if wide {
        mesh.indices.iter().flat_map(|i| i.to_le_bytes()).collect()
    } else {
        mesh.indices
            .iter()
            .flat_map(|i| (*i as u16).to_le_bytes())
            .collect()
    };
    push_view(&mut bin, index_bytes, 34963);
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }

    let mut min = [f32::MAX; 3];
    let mut max = [f32::MIN; 3];
    for p in &mesh.positions {
        for axis in 0..3 {
            min[axis] = min[axis].min(p[axis]);
            max[axis] = max[axis].max(p[axis]);
        }
    }
    let count = mesh.positions.len();
    let json = format!(
        concat!(
            r#"{{"asset":{{"version":"2.0","generator":"Pavilion cargo xtask catalogue"}},"scene":0,"scenes":[{{"nodes":[0]}}],"#,
            r#""nodes":[{{"mesh":0,"name":{name}}}],"#,
            r#""meshes":[{{"name":{name},"primitives":[{{"attributes":{{"POSITION":0,"NORMAL":1,"COLOR_0":2}},"indices":3,"material":0}}]}}],"#,
            r#""materials":[{{"name":"brand","pbrMetallicRoughness":{{"baseColorFactor":[{r},{g},{b},1.0],"metallicFactor":0.2,"roughnessFactor":0.45}}}}],"#,
            r#""accessors":[{{"bufferView":0,"componentType":5126,"count":{count},"type":"VEC3","min":[{min0},{min1},{min2}],"max":[{max0},{max1},{max2}]}},"#,
            r#"{{"bufferView":1,"componentType":5126,"count":{count},"type":"VEC3"}},"#,
            r#"{{"bufferView":2,"componentType":5126,"count":{count},"type":"VEC4"}},"#,
            r#"{{"bufferView":3,"componentType":{index_type},"count":{indices},"type":"SCALAR"}}],"#,
            r#""bufferViews":[{views}],"buffers":[{{"byteLength":{bin_len}}}]}}"#
        ),
        name = json_string(name),
        r = colour[0],
        g = colour[1],
        b = colour[2],
        count = count,
        min0 = min[0],
        min1 = min[1],
        min2 = min[2],
        max0 = max[0],
        max1 = max[1],
        max2 = max[2],
        index_type = if wide { 5125 } else { 5123 },
        indices = mesh.indices.len(),
        views = views.join(","),
        bin_len = bin.len(),
    );
    pavilion_media::write_glb(json.as_bytes(), &bin)
}

/// A JSON string literal for plain text.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Copies a few real profiles, one of each tier at least, into a scratch catalogue.
    fn scratch_catalogue() -> tempfile::TempDir {
        let root = crate::project_root().join("exhibitors");
        let scratch = tempfile::tempdir().unwrap();
        let mut wanted = vec![("flagship", 1), ("premium", 2), ("standard", 3)];
        let mut folders: Vec<PathBuf> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("profile.toml").is_file())
            .collect();
        folders.sort();
        for folder in folders {
            let text = fs::read_to_string(folder.join("profile.toml")).unwrap();
            let tier = text
                .lines()
                .find(|l| l.starts_with("tier"))
                .unwrap_or_default()
                .to_owned();
            for (name, left) in &mut wanted {
                if *left > 0 && tier.contains(&format!("\"{name}\"")) {
                    *left -= 1;
                    let target = scratch.path().join(folder.file_name().unwrap());
                    fs::create_dir_all(&target).unwrap();
                    fs::copy(folder.join("profile.toml"), target.join("profile.toml")).unwrap();
                }
            }
        }
        scratch
    }

    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push((path.clone(), fs::read(&path).unwrap()));
                }
            }
        }
        files.sort();
        files
    }

    #[test]
    fn a_second_run_changes_nothing() {
        let catalogue = scratch_catalogue();
        let first = generate(catalogue.path()).unwrap();
        assert!(first.written > 0 && first.unchanged == 0, "{first:?}");
        let before = snapshot(catalogue.path());
        let second = generate(catalogue.path()).unwrap();
        assert_eq!(second.written, 0, "{second:?}");
        assert_eq!(second.unchanged, first.written);
        assert_eq!(snapshot(catalogue.path()), before);

        // A stray file in a media folder is removed: the folder is the generator's alone.
        let media = fs::read_dir(catalogue.path())
            .unwrap()
            .map(|e| e.unwrap().path().join(MEDIA_DIR))
            .find(|p| p.is_dir())
            .unwrap();
        fs::write(media.join("stray.txt"), "x").unwrap();
        assert_eq!(generate(catalogue.path()).unwrap().removed, 1);
        assert_eq!(snapshot(catalogue.path()), before);
    }

    #[test]
    fn generated_files_pass_the_media_checks() {
        let catalogue = scratch_catalogue();
        generate(catalogue.path()).unwrap();
        let mut kinds = std::collections::BTreeMap::new();
        for (path, bytes) in snapshot(catalogue.path()) {
            let ext = path.extension().unwrap().to_string_lossy().into_owned();
            match ext.as_str() {
                "png" => {
                    let image =
                        pavilion_media::check_image(&bytes, pavilion_media::ImageLimits::BOOTH)
                            .unwrap();
                    assert_eq!((image.width, image.height), (960, 540));
                    assert!(
                        bytes.len() < 150_000,
                        "{} is {} bytes",
                        path.display(),
                        bytes.len()
                    );
                }
                "pdf" => {
                    let pdf = pavilion_media::check_pdf(&bytes).unwrap();
                    assert_eq!(pdf.pages, 2, "{}", path.display());
                }
                "glb" => {
                    let model =
                        pavilion_media::check_glb(&bytes, pavilion_media::ModelBudget::STANDARD)
                            .unwrap();
                    assert!(model.triangles > 100, "{model:?}");
                    let bounds = model.bounds.unwrap();
                    assert!(
                        bounds[0][1].abs() < 0.01,
                        "models stand on y = 0: {bounds:?}"
                    );
                }
                "toml" | "" => {}
                other => panic!("unexpected file {other}"),
            }
            *kinds.entry(ext).or_insert(0) += 1;
        }
        assert!(
            kinds["png"] >= 4 && kinds["pdf"] >= 3 && kinds["glb"] >= 1,
            "{kinds:?}"
        );
    }

    #[test]
    fn brochure_offsets_point_at_their_objects() {
        let pdf = write_pdf(
            &[b"<< /Type /Catalog >>".to_vec(), b"(two)".to_vec()],
            Some(2),
        );
        let xref = pdf.windows(5).position(|w| w == b"xref\n").unwrap();
        let table = std::str::from_utf8(&pdf[xref..]).unwrap();
        let offsets: Vec<usize> = table
            .lines()
            .skip(3)
            .take(2)
            .map(|l| l[..10].parse().unwrap())
            .collect();
        assert!(pdf[offsets[0]..].starts_with(b"1 0 obj"));
        assert!(pdf[offsets[1]..].starts_with(b"2 0 obj"));
        let startxref: usize = table
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(startxref, xref);
    }

    #[test]
    fn pdf_text_is_escaped_and_encoded() {
        assert_eq!(pdf_text("a (b) \\ c"), "a \\(b\\) \\\\ c");
        assert_eq!(
            pdf_text("caf\u{e9} \u{2013} \u{2019}"),
            "caf\\351 \\226 \\222"
        );
        assert_eq!(pdf_text("\u{4e2d}"), "\\077");
    }
}
