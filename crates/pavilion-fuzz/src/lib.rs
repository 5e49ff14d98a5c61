//! A mutation fuzzer for Pavilion's checks that runs on stable Rust: no nightly, no
//! `cargo fuzz`. It mutates seeds from the committed corpus (`corpus/<target>/`), runs each
//! input under `catch_unwind`, times every execution, and saves panics, slow inputs and
//! hangs (see `README.md`).
//!
//! Targets ([`Target`]): `sniff`, `image`, `pdf`, `glb`, `svg` (pavilion-media), `profile`
//! (`toml` into an `ExhibitorProfile`, then `validate`) and `layout` (halls built from bytes,
//! then `layout::validate`).

pub mod corpus;
pub mod mutate;
pub mod rng;
pub mod runner;
pub mod targets;

pub use runner::{Report, RunOptions, fuzz};
pub use targets::Target;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// The short run CI makes: a few thousand executions per target from the committed
    /// corpus. Fails on a panic; slow inputs are reported, and fail only past a bound
    /// generous enough for a debug build on a loaded machine.
    #[test]
    fn a_short_fuzz_run_finds_no_panic() {
        const RUNS: u64 = 2_000;
        const FAIL_AFTER: Duration = Duration::from_secs(10);
        let crash_dir = std::env::temp_dir().join("pavilion-fuzz-test-crashes");
        let mut options = RunOptions::new(RUNS, 0x5eed, crash_dir);
        options.hang = Duration::from_secs(120);
        let mut failures = Vec::new();
        for target in Target::ALL {
            let seeds = corpus::load(&corpus::default_dir(), target).unwrap();
            assert!(!seeds.is_empty(), "no corpus for {}", target.name());
            let report = fuzz(target, &seeds, &options);
            println!("{report}");
            for (path, took) in &report.slow {
                println!("  slow: {took:?} {}", path.display());
                if *took > FAIL_AFTER {
                    failures.push(format!(
                        "{} took {took:?}: {}",
                        target.name(),
                        path.display()
                    ));
                }
            }
            for (message, path) in &report.panics {
                failures.push(format!(
                    "{} panicked: {message} ({})",
                    target.name(),
                    path.display()
                ));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn the_committed_corpus_matches_the_generator() {
        for target in Target::ALL {
            let on_disk = corpus::load(&corpus::default_dir(), target).unwrap();
            let mut generated: Vec<(&str, Vec<u8>)> = corpus::seeds(target);
            generated.sort_by_key(|(name, _)| *name);
            let generated: Vec<Vec<u8>> = generated.into_iter().map(|(_, b)| b).collect();
            assert_eq!(
                on_disk,
                generated,
                "run `pavilion-fuzz seed-corpus` ({})",
                target.name()
            );
        }
    }

    #[test]
    fn mutations_stay_within_the_size_limit() {
        let mut rng = rng::Rng::new(7);
        let mut input = b"glTF".to_vec();
        for _ in 0..10_000 {
            mutate::mutate(
                &mut input,
                b"other input",
                Target::Pdf.dictionary(),
                300,
                &mut rng,
            );
            assert!(input.len() <= 300);
        }
    }
}
