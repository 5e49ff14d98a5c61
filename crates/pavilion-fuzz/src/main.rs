//! `pavilion-fuzz <target|all> --runs N [--seed S] [--corpus DIR] [--crashes DIR]`, and
//! `pavilion-fuzz seed-corpus [DIR]` to regenerate the committed seeds, and
//! `pavilion-fuzz replay <target> FILE...` to run saved inputs without catching panics.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use pavilion_fuzz::{RunOptions, Target, corpus, fuzz};

const USAGE: &str =
    "usage: pavilion-fuzz <target|all> --runs N [--seed S] [--corpus DIR] [--crashes DIR]
       pavilion-fuzz seed-corpus [DIR]
       pavilion-fuzz replay <target> FILE...
       pavilion-fuzz hostile DIR   (writes the three files that once hung the checks)
targets: sniff image pdf glb svg profile layout";

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(first) = args.next() else {
        bail!("{USAGE}");
    };
    if first == "seed-corpus" {
        let dir = args.next().map_or_else(corpus::default_dir, PathBuf::from);
        let written = corpus::write_all(&dir)?;
        println!("wrote {written} seeds under {}", dir.display());
        return Ok(());
    }
    if first == "hostile" {
        let dir = PathBuf::from(args.next().context(USAGE)?);
        std::fs::create_dir_all(&dir)?;
        for (name, bytes) in pavilion_fuzz::corpus::hostile() {
            std::fs::write(dir.join(name), &bytes)?;
            println!("{}: {} bytes", dir.join(name).display(), bytes.len());
        }
        return Ok(());
    }
    if first == "replay" {
        let name = args.next().context(USAGE)?;
        let target =
            Target::from_name(&name).with_context(|| format!("unknown target {name:?}"))?;
        for file in args {
            let input = std::fs::read(&file).with_context(|| format!("reading {file}"))?;
            let began = std::time::Instant::now();
            let outcome = target.run(&input);
            println!("{file}: {outcome} in {:?}", began.elapsed());
        }
        return Ok(());
    }
    let targets: Vec<Target> = if first == "all" {
        Target::ALL.to_vec()
    } else {
        vec![
            Target::from_name(&first)
                .with_context(|| format!("unknown target {first:?}\n{USAGE}"))?,
        ]
    };
    let mut runs = 100_000u64;
    let mut seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let mut corpus_dir = corpus::default_dir();
    let mut crash_dir = PathBuf::from("fuzz-crashes");
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--runs" => runs = value.replace('_', "").parse().context("--runs")?,
            "--seed" => seed = value.parse().context("--seed")?,
            "--corpus" => corpus_dir = PathBuf::from(value),
            "--crashes" => crash_dir = PathBuf::from(value),
            other => bail!("unknown option {other}\n{USAGE}"),
        }
    }
    println!(
        "seed {seed}, {runs} runs per target, corpus {}",
        corpus_dir.display()
    );
    let options = RunOptions::new(runs, seed, crash_dir);
    let mut bugs = 0;
    for target in targets {
        let seeds = corpus::load(&corpus_dir, target)?;
        let report = fuzz(target, &seeds, &options);
        println!("{report}");
        for (path, took) in &report.slow {
            println!("  slow {took:?}: {}", path.display());
        }
        for (message, path) in &report.panics {
            println!("  panic {message}: {}", path.display());
        }
        bugs += report.slow.len() + report.panics.len();
    }
    if bugs > 0 {
        bail!("{bugs} inputs panicked or ran over a second");
    }
    Ok(())
}
