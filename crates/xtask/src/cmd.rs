//! Running external commands with their output passed through and a readable failure.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// Runs `program args...` in `dir`, streaming its output; fails if it exits unsuccessfully.
pub fn run(dir: &Path, program: &str, args: &[&str]) -> Result<()> {
    run_with_env(dir, program, args, &[])
}

pub fn run_with_env(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let shown = format!("{program} {}", args.join(" "));
    eprintln!("\n==> {shown}");
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .status()
        .with_context(|| format!("could not start `{shown}`; is {program} installed?"))?;
    eprintln!("<== {shown} ({:.1} s)", started.elapsed().as_secs_f64());
    if !status.success() {
        bail!("`{shown}` failed with {status}");
    }
    Ok(())
}

/// True when `program` can be started (it answers `--version`).
pub fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// The path of the cargo that runs this xtask.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}
