//! `cargo xtask bench-viewer [--short] [--binary PATH] [--sizes 120,1000]`: the viewer in
//! headless Chromium (SwiftShader) against its baseline in the same run, the bare scene (a
//! camera, a light and one cube from the same wasm, `?scene=bare`), for catalogues of 120
//! (the real one) and 1,000 exhibitors (synthetic, `bench/catalogue.rs`): first frame after
//! navigation, frame time at the start point, requests before the first frame, and WebGL2 draw
//! calls per frame at the start point and at booths along the walking path. The browser half is
//! `web/tests/viewer-bench.mjs`; the full run writes its table into BENCHMARKS.md.
//!
//! It measures the viewer last built into `web/pkg` (`cargo xtask build-web`; a `--quick`
//! build is measured as it is, without wasm-opt).

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::bench::{SEED, catalogue};
use crate::benchmarks_md::{Section, command_line};
use crate::e2e::start_healthy_server;
use crate::{build_web, cmd, project_root};

const SECTION: Section = Section {
    begin: "<!-- cargo xtask bench-viewer: begin -->",
    end: "<!-- cargo xtask bench-viewer: end -->",
    heading: "## Viewer against a bare scene",
};
/// The goals of issue 11: draw calls on the walking path at 1,000 booths, and the hall's first
/// frame and frame time against the bare scene's.
const DRAW_CALL_GOAL: f64 = 400.0;
const FIRST_FRAME_GOAL: f64 = 1.3;
const FRAME_TIME_GOAL: f64 = 1.5;
/// The viewer's download, brotli, in MB.
const VIEWER_SIZE_GOAL_MB: f64 = 3.0;

struct Options {
    command: String,
    short: bool,
    binary: Option<PathBuf>,
    sizes: Vec<usize>,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let short = args.iter().any(|a| a == "--short");
    let mut options = Options {
        command: command_line("bench --only viewer", args),
        short,
        binary: None,
        sizes: if short {
            vec![120]
        } else {
            vec![120, 500, 1000]
        },
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--short" => {}
            "--binary" => options.binary = Some(rest.next().context("--binary PATH")?.into()),
            "--sizes" => options.sizes = crate::bench::parse_sizes(rest.next())?,
            other => bail!("unknown argument {other:?} (--short, --binary PATH, --sizes N,M)"),
        }
    }
    Ok(options)
}

pub fn run(args: &[String]) -> Result<()> {
    let options = parse_args(args)?;
    let root = project_root();
    if !root.join("web/pkg/pavilion_viewer_bg.wasm").is_file() {
        bail!("no viewer in web/pkg: run `cargo xtask build-web` first");
    }
    let target = build_web::target_dir(&root)?;
    let binary = match &options.binary {
        Some(binary) => binary.clone(),
        None => crate::e2e::build_server(&root, true)?,
    };
    let work = target.join("bench-viewer");
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    fs::create_dir_all(&work)?;

    let mut rows = Vec::new();
    for &size in &options.sizes {
        let catalogue = work.join(format!("catalogue-{size}"));
        catalogue::generate(&root.join("exhibitors"), &catalogue, size, SEED)?;
        let data = work.join(format!("data-{size}"));
        let (_server, address) = start_healthy_server(
            &binary,
            &data,
            &root,
            &work.join(format!("server-{size}.log")),
            &[("PAVILION_CATALOGUE_DIR", &catalogue.to_string_lossy())],
            Duration::from_secs(900),
        )?;
        let out = work.join(format!("viewer-{size}.json"));
        let started = Instant::now();
        let stops = if options.short { "1" } else { "6" };
        let frames = if options.short { "4" } else { "20" };
        cmd::run_with_env(
            &root,
            "node",
            &["web/tests/viewer-bench.mjs"],
            &[
                ("PAVILION_URL", &format!("http://{address}/")),
                ("PAVILION_BENCH_OUT", &out.to_string_lossy()),
                ("PAVILION_BENCH_STOPS", stops),
                ("PAVILION_BENCH_FRAMES", frames),
            ],
        )?;
        eprintln!(
            "bench-viewer: {size} exhibitors measured in {:.0} s",
            started.elapsed().as_secs_f64()
        );
        let measured: Value = serde_json::from_str(&fs::read_to_string(&out)?)?;
        rows.push(Row::from_json(size, &measured)?);
    }

    let mut report = report(&rows, &options.command);
    report.push_str(&size_line(build_web::built_sizes(&root)));
    print!("{report}");
    fs::write(work.join("report.md"), &report)?;
    if !options.short {
        let path = root.join("BENCHMARKS.md");
        let text = fs::read_to_string(&path)?;
        fs::write(&path, SECTION.replace(&text, &report))?;
        eprintln!("bench-viewer: wrote the figures into {}", path.display());
    }
    Ok(())
}

/// One catalogue's figures.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    size: usize,
    bare_first_frame_ms: f64,
    hall_first_frame_ms: f64,
    bare_frame_ms: f64,
    hall_frame_ms: f64,
    requests_before_first_frame: f64,
    start_draw_calls: f64,
    path_draw_calls: f64,
    path_stops: usize,
}

impl Row {
    fn from_json(size: usize, measured: &Value) -> Result<Row> {
        let number = |pointer: &str| -> Result<f64> {
            measured
                .pointer(pointer)
                .and_then(Value::as_f64)
                .with_context(|| format!("the browser half reported no {pointer}"))
        };
        Ok(Row {
            size,
            bare_first_frame_ms: number("/bare/firstFrameMs")?,
            hall_first_frame_ms: number("/hall/firstFrameMs")?,
            bare_frame_ms: number("/bare/start/frameMs")?,
            hall_frame_ms: number("/hall/start/frameMs")?,
            requests_before_first_frame: number("/hall/requestsBeforeFirstFrame")?,
            start_draw_calls: number("/hall/start/max")?,
            path_draw_calls: number("/hall/pathMax")?,
            path_stops: measured
                .pointer("/hall/path")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
        })
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::INFINITY }
}

fn report(rows: &[Row], command: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Command: `{command}`, on {} ({} cores), headless Chromium (SwiftShader) at 1280x720, \
         the viewer in `web/pkg` as last built. Baseline: the bare scene from the same wasm.\n\n",
        today_utc(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    ));
    out.push_str(
        "| exhibitors | first frame, hall / bare (ms) | ratio (goal ≤ 1.3) | frame time, hall / bare (ms) | ratio | requests before first frame | draw calls: start / max on path (stops) |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {:.0} / {:.0} | {:.2}{} | {:.0} / {:.0} | {:.2} | {:.0} | {:.0} / {:.0} ({}){} |\n",
            r.size,
            r.hall_first_frame_ms,
            r.bare_first_frame_ms,
            ratio(r.hall_first_frame_ms, r.bare_first_frame_ms),
            if ratio(r.hall_first_frame_ms, r.bare_first_frame_ms) <= FIRST_FRAME_GOAL {
                ""
            } else {
                " (above)"
            },
            r.hall_frame_ms,
            r.bare_frame_ms,
            ratio(r.hall_frame_ms, r.bare_frame_ms),
            r.requests_before_first_frame,
            r.start_draw_calls,
            r.path_draw_calls,
            r.path_stops,
            if r.path_draw_calls <= DRAW_CALL_GOAL {
                ""
            } else {
                " (above 400)"
            },
        ));
    }
    if let (Some(small), Some(large)) = (
        rows.iter().find(|r| r.size == 120),
        rows.iter().find(|r| r.size == 1000),
    ) {
        let scaling = ratio(large.hall_frame_ms, small.hall_frame_ms);
        out.push_str(&format!(
            "\nFrame time at 1,000 booths against 120: {scaling:.2}x (goal ≤ {FRAME_TIME_GOAL}).\n"
        ));
    }
    out
}

/// The viewer's download size against the goal of issue 11 (3.0 MB brotli).
fn size_line(sizes: Option<build_web::WasmSizes>) -> String {
    let Some(sizes) = sizes else {
        return "\nThe viewer's size is unknown (no build stamp in web/pkg).\n".to_owned();
    };
    let megabytes = sizes.brotli as f64 / 1e6;
    let build = match sizes.optimised {
        Some(_) => "the release build (wasm-opt -Oz)",
        None => "a quick build (no wasm-opt; the release build is smaller)",
    };
    format!(
        "\nViewer download: {megabytes:.2} MB brotli ({} bytes; {} MB gzip), {build}; goal ≤ {VIEWER_SIZE_GOAL_MB} MB: {}.\n",
        sizes.brotli,
        format_args!("{:.2}", sizes.gzip as f64 / 1e6),
        if megabytes <= VIEWER_SIZE_GOAL_MB {
            "met"
        } else {
            "not met"
        },
    )
}

/// Today's date (UTC) from the system clock, as YYYY-MM-DD.
fn today_utc() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_half_s_json_becomes_a_row() {
        let json = serde_json::json!({
            "bare": { "firstFrameMs": 1000, "start": { "frameMs": 50, "max": 3 } },
            "hall": {
                "firstFrameMs": 1200, "requestsBeforeFirstFrame": 10, "booths": 120,
                "start": { "frameMs": 70, "max": 300 }, "pathMax": 350,
                "path": [{ "slug": "a", "max": 350 }],
            },
        });
        let row = Row::from_json(120, &json).unwrap();
        assert_eq!(row.hall_first_frame_ms, 1200.0);
        assert_eq!(row.path_draw_calls, 350.0);
        assert_eq!(row.path_stops, 1);
        assert!(Row::from_json(120, &serde_json::json!({})).is_err());
        let report = report(&[row], "cargo xtask bench-viewer");
        assert!(report.contains("| 120 | 1200 / 1000 | 1.20 |"), "{report}");
    }

    #[test]
    fn days_since_the_epoch_become_a_civil_date() {
        assert_eq!(today_utc().len(), 10);
    }
}
