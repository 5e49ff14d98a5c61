//! Builds the viewer for the browser: cargo (wasm32, size-optimised `web` profile), then
//! wasm-bindgen as a library at the exact version in Cargo.lock, then wasm-opt when the npm
//! `binaryen` package is installed, then pre-compressed `.br` and `.gz` copies.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::cmd;
use crate::project_root;

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "web";
const CRATE_FILE: &str = "pavilion_viewer";

/// Sizes of the wasm at each stage, in bytes.
#[derive(Debug)]
pub struct WasmSizes {
    pub rustc: u64,
    pub bindgen: u64,
    pub optimised: Option<u64>,
    pub brotli: u64,
    pub gzip: u64,
}

/// How much post-processing the web build gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// wasm-opt and brotli at maximum: what visitors get.
    Release,
    /// Skip wasm-opt and compress quickly: for trying a change in the browser.
    Quick,
}

pub fn run(finish: Finish) -> Result<WasmSizes> {
    compile()?;
    post_process(finish)
}

/// Compiles the viewer to wasm32 with the `web` profile.
pub fn compile() -> Result<()> {
    let root = project_root();
    ensure_wasm_target(&root)?;
    wasm_cargo(
        &root,
        &[
            "build",
            "--package",
            "pavilion-viewer",
            "--lib",
            "--target",
            TARGET,
            "--profile",
            PROFILE,
        ],
    )
}

/// Clippy (warnings are errors) on the crates that build for the browser, for wasm32. It
/// runs in the workspace's own target directory, where the native clippy has already built
/// the proc-macros and build scripts it needs.
pub fn clippy() -> Result<()> {
    let root = project_root();
    ensure_wasm_target(&root)?;
    cmd::run(
        &root,
        &cmd::cargo(),
        &[
            "clippy",
            "--package",
            "pavilion-model",
            "--package",
            "pavilion-viewer",
            "--lib",
            "--target",
            TARGET,
            "--",
            "-D",
            "warnings",
        ],
    )
}

/// The target directory of the viewer's web builds: `<target>/viewer`. Wasm builds share no
/// artefacts with native ones, and a directory of their own lets cargo build both at once
/// (two cargo processes on one directory wait for each other's lock).
pub fn viewer_target_dir(root: &Path) -> Result<PathBuf> {
    Ok(target_dir(root)?.join("viewer"))
}

/// Runs cargo with the viewer's target directory.
fn wasm_cargo(root: &Path, args: &[&str]) -> Result<()> {
    let dir = viewer_target_dir(root)?;
    cmd::run_with_env(
        root,
        &cmd::cargo(),
        args,
        &[("CARGO_TARGET_DIR", &dir.to_string_lossy())],
    )
}

/// Where the compiled viewer is and where its post-processed files go.
struct Paths {
    root: PathBuf,
    /// The wasm cargo made.
    raw: PathBuf,
    /// `web/pkg`.
    out: PathBuf,
}

fn paths() -> Result<Paths> {
    let root = project_root();
    let raw = viewer_target_dir(&root)?
        .join(TARGET)
        .join(PROFILE)
        .join(format!("{CRATE_FILE}.wasm"));
    let out = root.join("web").join("pkg");
    Ok(Paths { root, raw, out })
}

/// The sizes recorded in `web/pkg` when it was made from the wasm cargo has now, with this
/// kind of finish, and all its files are still there; `None` when it must be made again.
fn up_to_date_sizes(paths: &Paths, source: &str) -> Option<WasmSizes> {
    if !OUTPUTS.iter().all(|name| paths.out.join(name).exists()) {
        return None;
    }
    fs::read_to_string(paths.out.join(STAMP_FILE))
        .ok()
        .and_then(|stamp| parse_stamp(&stamp, source))
}

/// Whether `web/pkg` is up to date with the compiled viewer for this kind of finish.
pub fn is_up_to_date(finish: Finish) -> Result<bool> {
    let paths = paths()?;
    let source = source_fingerprint(&paths.raw, finish)?;
    Ok(up_to_date_sizes(&paths, &source).is_some())
}

/// Turns the compiled viewer into `web/pkg`: wasm-bindgen, wasm-opt (Release only; single
/// threaded, so `cargo xtask test` runs it beside the Rust tests), `.br` and `.gz` copies.
/// Post-processing takes minutes: it is skipped when `web/pkg` is up to date.
pub fn post_process(finish: Finish) -> Result<WasmSizes> {
    let paths = paths()?;
    let source = source_fingerprint(&paths.raw, finish)?;
    if let Some(sizes) = up_to_date_sizes(&paths, &source) {
        eprintln!("web/pkg is up to date with the compiled viewer; nothing to post-process");
        return Ok(sizes);
    }
    // Everything is made in a hidden staging folder (never served) and then renamed into
    // place file by file, so a running server never sends a half-written file, and a server
    // started on a quick build picks up the optimised viewer when it is ready.
    let staging = paths.out.join(".staging");
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    fs::create_dir_all(&staging)?;
    let sizes = make_outputs(&paths.root, &paths.raw, &staging, finish)?;
    let stamp = paths.out.join(STAMP_FILE);
    let _ = fs::remove_file(&stamp);
    publish(&staging, &paths.out)?;
    fs::write(&stamp, format_stamp(&source, &sizes))?;
    Ok(sizes)
}

/// Moves every file made in `staging` into `out`, replacing what is there.
fn publish(staging: &Path, out: &Path) -> Result<()> {
    for entry in fs::read_dir(staging)? {
        let entry = entry?;
        let target = out.join(entry.file_name());
        if entry.file_type()?.is_dir() && target.exists() {
            fs::remove_dir_all(&target)?;
        }
        fs::rename(entry.path(), &target)
            .with_context(|| format!("moving {} into place", target.display()))?;
    }
    fs::remove_dir(staging)?;
    Ok(())
}

/// wasm-bindgen, wasm-opt (Release only) and the compressed copies, written into `out`.
fn make_outputs(root: &Path, raw: &Path, out: &Path, finish: Finish) -> Result<WasmSizes> {
    let started = Instant::now();
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(raw)
        .web(true)
        .map_err(|e| anyhow::anyhow!("{e:#}"))?
        .typescript(false)
        .omit_default_module_path(false)
        .generate(out)
        .map_err(|e| anyhow::anyhow!("wasm-bindgen failed: {e:#}"))?;
    eprintln!(
        "wasm-bindgen done in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let wasm = out.join(format!("{CRATE_FILE}_bg.wasm"));
    let bindgen_size = fs::metadata(&wasm)?.len();
    let optimised = match finish {
        Finish::Release => optimise(root, &wasm)?,
        Finish::Quick => None,
    };

    let started = Instant::now();
    let mut brotli = 0;
    let mut gzip = 0;
    for file in [wasm.clone(), out.join(format!("{CRATE_FILE}.js"))] {
        let (br, gz) = precompress(&file, finish)?;
        if file == wasm {
            (brotli, gzip) = (br, gz);
        }
    }
    eprintln!("pre-compressed in {:.1} s", started.elapsed().as_secs_f64());

    let sizes = WasmSizes {
        rustc: fs::metadata(raw)?.len(),
        bindgen: bindgen_size,
        optimised,
        brotli,
        gzip,
    };
    eprintln!(
        "wasm sizes: rustc {} B, after wasm-bindgen {} B, after wasm-opt {}, brotli {} B, gzip {} B",
        sizes.rustc,
        sizes.bindgen,
        sizes
            .optimised
            .map_or("(not run)".into(), |s| format!("{s} B")),
        sizes.brotli,
        sizes.gzip
    );
    let wasm_size = fs::metadata(&wasm)?.len();
    fs::write(out.join(SIZES_FILE), sizes_json(wasm_size, &sizes))?;
    Ok(sizes)
}

/// What a finished `web/pkg` holds (besides the stamp).
const OUTPUTS: [&str; 5] = [
    "pavilion_viewer_bg.wasm",
    "pavilion_viewer_bg.wasm.br",
    "pavilion_viewer_bg.wasm.gz",
    "pavilion_viewer.js",
    SIZES_FILE,
];
/// Records which compiled wasm, and which kind of finish, `web/pkg` was made from.
const STAMP_FILE: &str = ".build-stamp";

/// What the page reads to show the viewer's download as a progress bar of real bytes: the
/// browser's stream gives decoded bytes, while `Content-Length` counts compressed ones.
const SIZES_FILE: &str = "viewer-sizes.json";

fn sizes_json(wasm: u64, sizes: &WasmSizes) -> String {
    serde_json::json!({
        "wasm": wasm,
        "wasm_brotli": sizes.brotli,
        "wasm_gzip": sizes.gzip,
    })
    .to_string()
}

/// Identifies a compiled wasm (size and modification time) and the kind of finish asked for.
fn source_fingerprint(raw: &Path, finish: Finish) -> Result<String> {
    let meta = fs::metadata(raw).with_context(|| format!("reading {}", raw.display()))?;
    let modified = meta
        .modified()?
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    Ok(format!("{finish:?}:{}:{modified}", meta.len()))
}

fn format_stamp(source: &str, sizes: &WasmSizes) -> String {
    let optimised = sizes.optimised.map_or("-".into(), |s| s.to_string());
    format!(
        "{source} {} {} {optimised} {} {}\n",
        sizes.rustc, sizes.bindgen, sizes.brotli, sizes.gzip
    )
}

/// The sizes of the viewer now in `web/pkg`, as its build recorded them (`optimised` is `None`
/// for a quick build), whatever it was built from.
pub fn built_sizes(root: &Path) -> Option<WasmSizes> {
    let stamp = fs::read_to_string(root.join("web").join("pkg").join(STAMP_FILE)).ok()?;
    let source = stamp.split_whitespace().next()?.to_owned();
    parse_stamp(&stamp, &source)
}

/// The sizes recorded by the last build, if it was made from the same source.
fn parse_stamp(stamp: &str, source: &str) -> Option<WasmSizes> {
    let mut fields = stamp.split_whitespace();
    if fields.next()? != source {
        return None;
    }
    let mut number = || fields.next().map(str::to_owned);
    let rustc = number()?.parse().ok()?;
    let bindgen = number()?.parse().ok()?;
    let optimised = number()?;
    Some(WasmSizes {
        rustc,
        bindgen,
        optimised: optimised.parse().ok(),
        brotli: number()?.parse().ok()?,
        gzip: number()?.parse().ok()?,
    })
}

fn ensure_wasm_target(root: &Path) -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|out| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.trim() == TARGET)
        })
        .unwrap_or(false);
    if !installed {
        cmd::run(root, "rustup", &["target", "add", TARGET])?;
    }
    Ok(())
}

/// Cargo's target directory for this workspace (honours `CARGO_TARGET_DIR`).
pub fn target_dir(root: &Path) -> Result<PathBuf> {
    if let Ok(dir) = std::env::var("CARGO_TARGET_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let out = Command::new(cmd::cargo())
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .output()
        .context("cargo metadata")?;
    let text = String::from_utf8(out.stdout)?;
    let key = "\"target_directory\":\"";
    let start = text
        .find(key)
        .context("cargo metadata has no target_directory")?
        + key.len();
    let end = start
        + text[start..]
            .find('"')
            .context("unterminated target_directory")?;
    Ok(PathBuf::from(&text[start..end]))
}

/// Runs the npm `binaryen` wasm-opt (Debian's older wasm-opt breaks wasm-bindgen output).
fn optimise(root: &Path, wasm: &Path) -> Result<Option<u64>> {
    let web = root.join("web");
    if !web.join("node_modules").exists() && cmd::available("npm") {
        cmd::run(&web, "npm", &["ci", "--no-audit", "--no-fund"])?;
    }
    let tool = web.join("node_modules").join(".bin").join("wasm-opt");
    if !tool.exists() {
        eprintln!("wasm-opt not found (npm package binaryen in web/); the wasm stays unoptimised");
        return Ok(None);
    }
    let optimised = wasm.with_extension("opt.wasm");
    let wasm_arg = wasm.to_string_lossy().into_owned();
    let out_arg = optimised.to_string_lossy().into_owned();
    cmd::run(
        &web,
        &tool.to_string_lossy(),
        &[
            "-Oz",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
            &wasm_arg,
            "-o",
            &out_arg,
        ],
    )?;
    fs::rename(&optimised, wasm)?;
    Ok(Some(fs::metadata(wasm)?.len()))
}

/// Writes `<file>.br` (brotli, quality 11, or 5 for quick builds) and `<file>.gz` (gzip, level 9); returns their sizes.
fn precompress(file: &Path, finish: Finish) -> Result<(u64, u64)> {
    let bytes = fs::read(file).with_context(|| format!("reading {}", file.display()))?;

    let br_path = PathBuf::from(format!("{}.br", file.display()));
    let mut br = Vec::new();
    {
        let params = brotli::enc::BrotliEncoderParams {
            quality: if finish == Finish::Release { 11 } else { 5 },
            lgwin: 24,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut bytes.as_slice(), &mut br, &params)?;
    }
    fs::write(&br_path, &br)?;

    let gz_path = PathBuf::from(format!("{}.gz", file.display()));
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&bytes)?;
    let gz = encoder.finish()?;
    fs::write(&gz_path, &gz)?;
    Ok((br.len() as u64, gz.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_round_trip_and_only_match_their_source() {
        let sizes = WasmSizes {
            rustc: 40,
            bindgen: 35,
            optimised: Some(17),
            brotli: 3,
            gzip: 5,
        };
        let stamp = format_stamp("Release:40:123", &sizes);
        let back = parse_stamp(&stamp, "Release:40:123").unwrap();
        assert_eq!(
            (
                back.rustc,
                back.bindgen,
                back.optimised,
                back.brotli,
                back.gzip
            ),
            (40, 35, Some(17), 3, 5)
        );
        assert!(parse_stamp(&stamp, "Release:40:124").is_none());
        assert!(parse_stamp(&stamp, "Quick:40:123").is_none());
        let quick = format_stamp(
            "Quick:1:2",
            &WasmSizes {
                optimised: None,
                ..sizes
            },
        );
        assert_eq!(parse_stamp(&quick, "Quick:1:2").unwrap().optimised, None);
    }
}
