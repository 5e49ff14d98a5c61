//! `cargo xtask test`: every check and test: formatting, then two lines of work side by side
//! (clippy native and wasm32, unit/API/headless Bevy tests, the API tests again on
//! PostgreSQL, `chaos --short`, `load --short` and `api-fuzz --short`, `bench --short --only
//! serving`; the viewer's web build), then the browser tests in headless Chromium and
//! `bench --short --only viewer`. The S3 media tests' server (s3rver, npm) is installed first
//! and required.

use std::time::Instant;

use anyhow::Result;

use crate::{api_fuzz, bench, build_web, chaos, cmd, e2e, load, postgres, project_root};

pub fn run(args: &[String]) -> Result<()> {
    let root = project_root();
    let skip_browser = args.iter().any(|a| a == "--no-browser");
    let started = Instant::now();
    let cargo = cmd::cargo();

    cmd::run(&root, &cargo, &["fmt", "--all", "--", "--check"])?;
    // The S3 media tests run against s3rver, an npm package in web/: installed here, before
    // the two lines start, and required (PAVILION_TEST_S3) so a missing server fails them.
    let web = root.join("web");
    if !web.join("node_modules/.bin/s3rver").exists() {
        cmd::run(&web, "npm", &["ci", "--no-audit", "--no-fund"])?;
    }
    let native = || -> Result<()> {
        cmd::run(
            &root,
            &cargo,
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        )?;
        build_web::clippy()?;
        cmd::run_with_env(
            &root,
            &cargo,
            &["test", "--workspace"],
            &[("PAVILION_TEST_S3", "1")],
        )?;
        // The API tests again, on PostgreSQL (a throwaway cluster from Debian's package).
        postgres::run_api_tests(&root, &[])?;
        // The short forms of the long harnesses, against the debug server: three kill -9
        // rounds (`cargo xtask chaos` runs 200), two 5 s load phases (`cargo xtask load`) and
        // schemathesis with 10 examples per operation (`cargo xtask api-fuzz` runs 100), and
        // one 2 s slice per serving figure against nginx at 120 exhibitors (`cargo xtask bench`
        // runs 120, 500 and 1,000 with the release server). All take the debug server
        // `cargo test` has just built.
        let server = e2e::server_binary(&root, false)?
            .to_string_lossy()
            .into_owned();
        let short = ["--short".to_owned(), "--binary".to_owned(), server];
        chaos::run(&short)?;
        load::run(&short)?;
        api_fuzz::run(&short)?;
        bench::run_all(&with_only(&short, "serving"))
    };
    if skip_browser {
        native()?;
    } else {
        // The viewer's web build (with its single-threaded LTO, then the single-threaded
        // wasm-opt) runs beside the native line, in its own target directory, so neither
        // leaves the second core idle. Output interleaves; each command's start and end lines
        // name it.
        let web = std::thread::spawn(|| build_web::run(build_web::Finish::Release));
        let native = native();
        let web = web
            .join()
            .map_err(|_| anyhow::anyhow!("the web build thread panicked"))?;
        native?;
        let sizes = web?;
        e2e::run_prebuilt(&root)?;
        let server = e2e::server_binary(&root, false)?
            .to_string_lossy()
            .into_owned();
        bench::run_all(&with_only(
            &["--short".to_owned(), "--binary".to_owned(), server],
            "viewer",
        ))?;
        eprintln!("\nwasm: {sizes:?}");
    }
    eprintln!(
        "\nAll checks and tests passed in {:.0} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The short harness flags plus `--only <half>` for `bench`.
fn with_only(short: &[String], half: &str) -> Vec<String> {
    let mut args = short.to_vec();
    args.extend(["--only".to_owned(), half.to_owned()]);
    args
}
