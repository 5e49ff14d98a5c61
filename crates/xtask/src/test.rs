//! `cargo xtask test`: every check and test, in the order that fails fastest: formatting,
//! clippy on native and wasm32, unit/API/headless Bevy tests, the web build, and the
//! browser end-to-end test in headless Chromium.

use std::time::Instant;

use anyhow::Result;

use crate::{build_web, cmd, e2e, project_root};

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
    cmd::run(&root, &cargo, &["test", "--workspace"])?;
    if !skip_browser {
        let sizes = build_web::run(build_web::Finish::Release)?;
        e2e::run(&root)?;
        eprintln!("\nwasm: {sizes:?}");
    }
    eprintln!(
        "\nAll checks and tests passed in {:.0} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
