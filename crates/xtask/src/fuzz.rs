//! `cargo xtask fuzz [--short]`: the stable-Rust fuzzer of `crates/pavilion-fuzz` over the
//! media checks (sniffing, images, PDF, GLB, SVG), profile parsing and layout validation. The
//! full run is a million executions per target in release; `--short` is the test CI runs.

use anyhow::Result;

use crate::{cmd, project_root};

pub fn run(args: &[String]) -> Result<()> {
    let root = project_root();
    let cargo = cmd::cargo();
    if args.iter().any(|a| a == "--short") {
        return cmd::run(&root, &cargo, &["test", "--package", "pavilion-fuzz"]);
    }
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|at| args.get(at + 1))
        .map_or("1000000", String::as_str);
    cmd::run(
        &root,
        &cargo,
        &[
            "run",
            "--release",
            "--package",
            "pavilion-fuzz",
            "--",
            "all",
            "--runs",
            runs,
        ],
    )
}
