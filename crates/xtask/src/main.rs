//! Project automation for Pavilion, run as `cargo xtask <command>`:
//! `serve` builds the viewer for the web and runs the hall, `test` runs every check and test,
//! `build-web` only builds the viewer, `catalogue` generates the catalogue's media,
//! `api-fuzz` tests the HTTP API against its OpenAPI document, `chaos` kills a busy server
//! at random moments and checks that nothing acknowledged was lost, `load` puts visitors,
//! uploads and publishes on a release server at once, `bench` measures serving against nginx
//! and the viewer against a bare scene (`bench-viewer` is its viewer half).

mod api_fuzz;
mod bench;
mod bench_upload;
mod bench_viewer;
mod benchmarks_md;
mod build_web;
mod catalogue;
mod chaos;
mod cmd;
mod e2e;
mod fuzz;
mod http_client;
mod load;
mod nginx;
mod postgres;
mod s3rver;
mod serve;
mod test;

use std::path::PathBuf;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve       build the viewer for the web, start the server on ./data, print the URL
  test        every check and test: fmt, clippy (native and wasm32), unit and API tests,
              headless Bevy tests, the web build, chaos --short, and the browser end-to-end test
  bench       every figure against its baseline in the same run, written into BENCHMARKS.md
              (--short: 120 exhibitors, prints only; --binary PATH; --only serving|viewer).
              Serving: nginx serving the same bytes on loopback, alternating: the hall
              manifest (identity, gzip, brotli) at 120, 500 and 1,000 exhibitors (synthetic
              catalogues), media small, large and by Range, at 64 and 256 connections
              (--seconds S, --rounds N). Viewer: headless Chromium against the bare scene
              (camera, light, cube) from the same wasm at 120, 500 and 1,000 exhibitors: first
              frame, frame time, requests before the first frame, draw calls at the start and
              along the walking path, the download size (--sizes N,M); measures the viewer
              last built into web/pkg
  bench-viewer  bench --only viewer
  bench-upload  upload 100 MB (--megabytes N) as a video to a release server on a fresh data
              folder and report the server's RSS before, during and after
  build-web   build the viewer for the web into web/pkg (wasm-bindgen, wasm-opt, .br/.gz);
              --quick skips wasm-opt and compresses fast, for trying changes
  catalogue   generate exhibitors/<slug>/media/ (product images, PDF brochures, GLB models
              and media.toml) deterministically from the profiles; a second run changes nothing
  api-fuzz    property-based tests of the API from its OpenAPI document (schemathesis, in a
              venv under the target dir) as an anonymous caller, an exhibitor and a staff admin:
              no 5xx, no undocumented status code; --short for CI; `-- <args>` go to `st run`
  load        visitors (hall, exhibitor details, media whole and by Range) against a release
              server on a fresh data folder, alone and then while exhibitors upload and staff
              publish; reports requests, errors and p50/p99 per kind; fails on any error or a
              visitor p99 over 1.5x; --duration SECS (per phase, 60; the phases alternate in
              10 s slices), --visitors N (64), --binary PATH, --short (debug build, 5 s
              phases, only errors fail)
  e2e         only the browser tests, against the viewer last built into web/pkg
  test-postgres  the API tests against a throwaway PostgreSQL server from Debian (initdb on a
              free loopback port, each test app in its own schema); `-- <filter>` narrows them
  chaos       crash consistency: rounds of concurrent uploads, deletes, profile edits,
              approvals and publishes against a release server killed with SIGKILL at a random
              moment, then restarted and checked (acknowledged writes present, check-data clean);
              --rounds N (default 200), --short (3 rounds, debug binary, for CI), --binary PATH,
              --seed S
  fuzz        fuzz the media checks, profile parsing and layout rules: a million executions
              per target in release (--short: the 2,000-per-target test CI runs)
";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => serve::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("build-web") => {
            let quick = args[1..].iter().any(|a| a == "--quick");
            let finish = if quick {
                build_web::Finish::Quick
            } else {
                build_web::Finish::Release
            };
            build_web::run(finish).map(|_| ())
        }
        Some("catalogue") => catalogue::run(&project_root()),
        Some("bench") => bench::run_all(&args[1..]),
        Some("bench-upload") => bench_upload::run(&args[1..]),
        Some("bench-viewer") => {
            let mut viewer = vec!["--only".to_owned(), "viewer".to_owned()];
            viewer.extend_from_slice(&args[1..]);
            bench::run_all(&viewer)
        }
        Some("api-fuzz") => api_fuzz::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("chaos") => chaos::run(&args[1..]),
        Some("load") => load::run(&args[1..]),
        Some("e2e") => e2e::run(&project_root()),
        Some("test-postgres") => postgres::run_api_tests(&project_root(), &args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}

/// The workspace root (the directory holding the root Cargo.toml).
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("xtask lives two levels below the root")
        .to_path_buf()
}
