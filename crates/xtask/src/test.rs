//! `cargo xtask test`: every check and test, in the order that fails fastest: formatting,
//! clippy on native and wasm32, the viewer's wasm build, unit/API/headless Bevy tests (with
//! the viewer's single-threaded wasm-opt beside them), three `chaos --short` crash rounds, and
//! the browser tests in headless Chromium.

use std::time::Instant;

use anyhow::Result;

use crate::{build_web, chaos, cmd, e2e, project_root};

pub fn run(args: &[String]) -> Result<()> {
    let root = project_root();
    let skip_browser = args.iter().any(|a| a == "--no-browser");
    let started = Instant::now();
    let cargo = cmd::cargo();

    cmd::run(&root, &cargo, &["fmt", "--all", "--", "--check"])?;
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
    cmd::run(
        &root,
        &cargo,
        &[
            "clippy",
            "--package",
            "pavilion-model",
            "--package",
            "pavilion-viewer",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    if skip_browser {
        cmd::run(&root, &cargo, &["test", "--workspace"])?;
        chaos::run(&["--short".to_owned()])?;
    } else {
        // wasm-opt (npm binaryen) uses one core for about nine minutes: run it while the
        // Rust tests compile and run, instead of leaving the second core idle afterwards.
        build_web::compile()?;
        let web = std::thread::spawn(|| build_web::post_process(build_web::Finish::Release));
        let tests = cmd::run(&root, &cargo, &["test", "--workspace"]);
        let web = web
            .join()
            .map_err(|_| anyhow::anyhow!("the web post-processing thread panicked"))?;
        tests?;
        let sizes = web?;
        chaos::run(&["--short".to_owned()])?;
        e2e::run(&root)?;
        eprintln!("\nwasm: {sizes:?}");
    }
    eprintln!(
        "\nAll checks and tests passed in {:.0} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
