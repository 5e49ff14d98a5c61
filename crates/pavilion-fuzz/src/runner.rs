//! The fuzz loop: mutate a seed, run the target under `catch_unwind`, time it, keep inputs
//! with new outcomes, save panics and slow inputs, and let a watchdog save and abort a hang.

use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::mutate::mutate;
use crate::rng::Rng;
use crate::targets::Target;

/// How a run is set up.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub runs: u64,
    pub seed: u64,
    /// Where inputs that panicked, ran slow or hung are written.
    pub crash_dir: PathBuf,
    /// An execution longer than this is reported and saved.
    pub slow: Duration,
    /// An execution longer than this is saved and the process aborts (a hang).
    pub hang: Duration,
    /// The most inputs kept in memory as seeds (the corpus plus new outcomes).
    pub max_pool: usize,
}

impl RunOptions {
    pub fn new(runs: u64, seed: u64, crash_dir: PathBuf) -> RunOptions {
        RunOptions {
            runs,
            seed,
            crash_dir,
            slow: Duration::from_secs(1),
            hang: Duration::from_secs(60),
            max_pool: 512,
        }
    }
}

/// What one target's run found.
#[derive(Debug, Clone)]
pub struct Report {
    pub target: Target,
    pub executions: u64,
    pub elapsed: Duration,
    pub slowest: Duration,
    pub slowest_len: usize,
    /// Slow inputs: where each was saved and how long it took.
    pub slow: Vec<(PathBuf, Duration)>,
    /// Panics: the message and where the input was saved.
    pub panics: Vec<(String, PathBuf)>,
    /// Distinct outcomes seen.
    pub outcomes: usize,
}

impl Report {
    pub fn executions_per_second(&self) -> f64 {
        self.executions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<8} {:>10} execs {:>10.0} exec/s  slowest {:>9.3} ms ({} bytes)  outcomes {:>4}  slow(>1s) {}  panics {}",
            self.target.name(),
            self.executions,
            self.executions_per_second(),
            self.slowest.as_secs_f64() * 1000.0,
            self.slowest_len,
            self.outcomes,
            self.slow.len(),
            self.panics.len()
        )
    }
}

/// The message of the last panic, captured by a quiet hook.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

thread_local! {
    /// True while this thread runs a fuzz input: its panics are captured, not printed.
    static FUZZING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn install_quiet_panic_hook() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !FUZZING.with(|f| f.get()) {
                return default(info);
            }
            let location = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(format!("{payload}{location}"));
        }));
    });
}

/// Writes `input` under `dir` with a name made of `kind`, the target and a hash.
pub fn save(dir: &Path, kind: &str, target: Target, input: &[u8]) -> PathBuf {
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let path = dir.join(format!("{kind}-{}-{hash:016x}", target.name()));
    let _ = std::fs::create_dir_all(dir);
    if let Err(error) = std::fs::write(&path, input) {
        eprintln!("could not save {}: {error}", path.display());
    }
    path
}

/// Fuzzes one target from `corpus` (at least one seed; an empty input is used otherwise).
pub fn fuzz(target: Target, corpus: &[Vec<u8>], options: &RunOptions) -> Report {
    install_quiet_panic_hook();
    let mut rng = Rng::new(options.seed ^ (target as u64).wrapping_mul(0x9e37_79b9));
    let mut pool: Vec<Vec<u8>> = if corpus.is_empty() {
        vec![Vec::new()]
    } else {
        corpus.to_vec()
    };
    let mut outcomes = HashSet::new();
    let watchdog = Watchdog::start(target, options.crash_dir.clone(), options.hang);
    let mut report = Report {
        target,
        executions: 0,
        elapsed: Duration::ZERO,
        slowest: Duration::ZERO,
        slowest_len: 0,
        slow: Vec::new(),
        panics: Vec::new(),
        outcomes: 0,
    };
    let started = Instant::now();
    for run in 0..options.runs {
        let mut input = pool[rng.below(pool.len())].clone();
        // A few runs use the seeds untouched, so every seed is also run as it is.
        if run >= pool.len() as u64 {
            let other = &pool[rng.below(pool.len())];
            mutate(
                &mut input,
                other,
                target.dictionary(),
                target.max_len(),
                &mut rng,
            );
        }
        let input = Arc::new(input);
        let began = watchdog.begin(&input);
        FUZZING.with(|f| f.set(true));
        let result = panic::catch_unwind(AssertUnwindSafe(|| target.run(&input)));
        FUZZING.with(|f| f.set(false));
        let took = began.elapsed();
        watchdog.end();
        report.executions += 1;
        if took > report.slowest {
            report.slowest = took;
            report.slowest_len = input.len();
        }
        match result {
            Ok(outcome) => {
                if took > options.slow {
                    let path = save(&options.crash_dir, "slow", target, &input);
                    report.slow.push((path, took));
                }
                if outcomes.insert(outcome) && pool.len() < options.max_pool {
                    pool.push(input.to_vec());
                }
            }
            Err(_) => {
                let message = LAST_PANIC
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                    .unwrap_or_default();
                let path = save(&options.crash_dir, "panic", target, &input);
                report.panics.push((message, path));
            }
        }
    }
    report.elapsed = started.elapsed();
    report.outcomes = outcomes.len();
    watchdog.stop();
    report
}

/// A thread that saves the running input and aborts the process when an execution hangs.
struct Watchdog {
    /// Nanoseconds since `epoch` when the running execution began; 0 when idle; u64::MAX
    /// to stop the thread.
    began: Arc<AtomicU64>,
    current: Arc<Mutex<Arc<Vec<u8>>>>,
    epoch: Instant,
}

impl Watchdog {
    fn start(target: Target, crash_dir: PathBuf, hang: Duration) -> Watchdog {
        let began = Arc::new(AtomicU64::new(0));
        let current = Arc::new(Mutex::new(Arc::new(Vec::new())));
        let epoch = Instant::now();
        let (watched, input) = (Arc::clone(&began), Arc::clone(&current));
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(200));
                let start = watched.load(Ordering::Relaxed);
                if start == u64::MAX {
                    return;
                }
                let now = epoch.elapsed().as_nanos() as u64;
                if start != 0 && now.saturating_sub(start) > hang.as_nanos() as u64 {
                    let input = input.lock().unwrap_or_else(|e| e.into_inner());
                    let path = save(&crash_dir, "hang", target, &input);
                    eprintln!(
                        "{}: an execution ran over {:?}; input saved to {}",
                        target.name(),
                        hang,
                        path.display()
                    );
                    std::process::exit(3);
                }
            }
        });
        Watchdog {
            began,
            current,
            epoch,
        }
    }

    /// Shares the input with the watchdog (a reference count, not a copy) and starts the
    /// clock.
    fn begin(&self, input: &Arc<Vec<u8>>) -> Instant {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Arc::clone(input);
        let now = Instant::now();
        self.began.store(
            (now - self.epoch).as_nanos().max(1) as u64,
            Ordering::Relaxed,
        );
        now
    }

    fn end(&self) {
        self.began.store(0, Ordering::Relaxed);
    }

    fn stop(self) {
        self.began.store(u64::MAX, Ordering::Relaxed);
    }
}
