//! `cargo xtask load [--duration SECS] [--visitors N] [--short] [--binary PATH]`: a load test
//! of a release server on a fresh data folder holding the catalogue. Phase A runs only visitors
//! (the hall with and without `If-None-Match`, exhibitor details, media whole and by `Range`);
//! phase B, as long, adds exhibitors uploading pictures, editing their profile and submitting,
//! and staff approving and publishing about once a second. The phases alternate in 10 s
//! slices (A, B, A, B, ...) so other load on the machine falls on both alike. It reports requests, errors and
//! p50/p99/max latency per kind and phase, and fails on any error or when the visitors' p99 in
//! B is over 1.5 times A's (`--short`, the CI run on the debug build, fails only on errors).
//!
//! Every client sends `X-Forwarded-For` from 198.18.0.0/15 (the benchmarking range) and the
//! server trusts 127.0.0.1 as its proxy, so each visitor counts as its own address for the
//! server's per-address guards; the upload slots are set above the number of uploaders.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use hyper::body::Bytes;
use hyper::header::{self, HeaderName};
use hyper::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use crate::e2e::{create_exhibitor_token, create_staff_account, start_server, wait_until_healthy};
use crate::http_client::{Answer, Client};
use crate::{build_web, project_root};

/// Exhibitors that upload, edit and submit in phase B (the server allows 4 uploads at once).
const UPLOADERS: usize = 3;
/// Staff approve what is waiting and publish this often in phase B.
const PUBLISH_EVERY: Duration = Duration::from_secs(1);
/// Pictures an uploader keeps in its draft; older ones are deleted (a booth holds 30).
const KEEP_UPLOADS: usize = 5;
/// The largest byte range a visitor asks for.
const MAX_RANGE: u64 = 64 * 1024;
/// Phases A and B alternate in slices of about this many seconds.
const SLICE_SECONDS: u64 = 10;
/// Phase B's visitor p99 may be at most this many times phase A's.
const P99_RATIO_LIMIT: f64 = 1.5;
/// Error messages kept per kind, to show.
const MESSAGES_KEPT: usize = 5;
/// What a browser sends.
const BROWSER_ENCODINGS: &str = "gzip, deflate, br, zstd";

#[derive(Debug, Clone, PartialEq, Eq)]
struct Options {
    /// Length of each of the two phases.
    duration: Duration,
    visitors: usize,
    short: bool,
    binary: Option<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut duration = None;
    let mut visitors = None;
    let mut short = false;
    let mut binary = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--duration" => duration = Some(positive(args.next(), "--duration", "seconds")?),
            "--visitors" => visitors = Some(positive(args.next(), "--visitors", "visitors")?),
            "--short" => short = true,
            "--binary" => {
                binary = Some(PathBuf::from(
                    args.next().context("--binary needs the server's path")?,
                ));
            }
            other => bail!(
                "load: unknown argument {other:?} (try --duration SECS, --visitors N, --short, \
                 --binary PATH)"
            ),
        }
    }
    let seconds = duration.unwrap_or(if short { 5 } else { 60 });
    Ok(Options {
        duration: Duration::from_secs(u64::try_from(seconds)?),
        visitors: visitors.unwrap_or(if short { 8 } else { 64 }),
        short,
        binary,
    })
}

fn positive(value: Option<&String>, flag: &str, what: &str) -> Result<usize> {
    let value = value.with_context(|| format!("{flag} needs a number of {what}"))?;
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => bail!("{flag} needs a positive number of {what}, not {value:?}"),
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let options = parse_args(args)?;
    let root = project_root();
    let target = build_web::target_dir(&root)?;
    let binary = match &options.binary {
        Some(binary) => binary.clone(),
        None => crate::e2e::build_server(&root, !options.short)?,
    };
    let work = target.join("load");
    let data = work.join("data");
    if data.exists() {
        fs::remove_dir_all(&data)?;
    }
    fs::create_dir_all(&work)?;

    // Tokens for a few exhibitors (the first one imports the catalogue) and a staff admin.
    let uploaders = uploader_slugs(&root.join("exhibitors"))?;
    let mut tokens = Vec::new();
    for slug in &uploaders {
        tokens.push((
            slug.clone(),
            create_exhibitor_token(&binary, &data, &root, slug)?,
        ));
    }
    let (staff_name, staff_password) = create_staff_account(&binary, &data, &root, &work)?;

    let address = crate::e2e::free_address()?;
    let log_path = work.join("server.log");
    let log = fs::File::create(&log_path)?;
    let max_uploads = (UPLOADERS + 2).to_string();
    let _server = start_server(
        &binary,
        &data,
        &address,
        &root,
        log,
        &[
            ("PAVILION_TRUSTED_PROXIES", "127.0.0.1"),
            ("PAVILION_MAX_UPLOADS", &max_uploads),
        ],
    )?;
    wait_until_healthy(&address, Duration::from_secs(240))
        .with_context(|| format!("see {}", log_path.display()))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(async {
        let site = Arc::new(Site::discover(&address, &uploaders).await?);
        let staff_token = sign_in(&address, &staff_name, &staff_password).await?;
        eprintln!(
            "load: {} exhibitors, {} public media files; {} visitors, {} s per phase, \
             uploaders {}",
            site.slugs.len(),
            site.media.len(),
            options.visitors,
            options.duration.as_secs(),
            uploaders.join(", ")
        );
        // The phases alternate in slices, so load from elsewhere on the machine that comes
        // and goes over minutes weighs on both alike.
        let slices = slices(options.duration);
        let (slice, visitors) = (options.duration / slices, options.visitors);
        let writers = Some((&tokens[..], staff_token.as_str()));
        let (mut a, mut b) = (Recorder::default(), Recorder::default());
        for n in 0..slices {
            eprintln!(
                "slice {}/{slices}: {} s of visitors only (A), then {} s with uploads, profile \
                 edits, approvals and publishes (B)",
                n + 1,
                slice.as_secs_f64(),
                slice.as_secs_f64()
            );
            a.merge(run_phase(&site, slice, visitors, None, n).await);
            b.merge(run_phase(&site, slice, visitors, writers, n).await);
        }
        a.sort();
        b.sort();
        anyhow::Ok((a, b))
    });
    let (a, b) = outcome.with_context(|| format!("server log: {}", log_path.display()))?;

    let mut report = String::new();
    write_phase(&mut report, "A (visitors only)", &a);
    write_phase(&mut report, "B (visitors + uploads + publishes)", &b);
    let (p99_a, p99_b) = (a.visitor_p99(), b.visitor_p99());
    let ratio = p99_b as f64 / p99_a.max(1) as f64;
    let _ = writeln!(
        report,
        "visitor p99: A {} ms, B {} ms, ratio B/A {ratio:.2} (limit {P99_RATIO_LIMIT})",
        ms(p99_a),
        ms(p99_b)
    );
    print!("{report}");

    let errors = a.errors() + b.errors();
    if errors > 0 {
        bail!(
            "{errors} request(s) failed under load; server log: {}",
            log_path.display()
        );
    }
    if !options.short && ratio > P99_RATIO_LIMIT {
        bail!(
            "the visitors' p99 grew {ratio:.2} times while publishes ran (limit {P99_RATIO_LIMIT})"
        );
    }
    Ok(())
}

/// How many A/B slices a phase of `duration` is cut into: one per 10 s, at least one.
fn slices(duration: Duration) -> u32 {
    u32::try_from(duration.as_secs() / SLICE_SECONDS)
        .unwrap_or(u32::MAX)
        .max(1)
}

/// The first catalogue folders (by name) that hold a profile: they upload in phase B.
fn uploader_slugs(catalogue: &std::path::Path) -> Result<Vec<String>> {
    let mut slugs: Vec<String> = fs::read_dir(catalogue)
        .with_context(|| format!("reading {}", catalogue.display()))?
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("profile.toml").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    slugs.sort();
    slugs.truncate(UPLOADERS);
    if slugs.len() < UPLOADERS {
        bail!("the catalogue has fewer than {UPLOADERS} exhibitors");
    }
    Ok(slugs)
}

// ---------------------------------------------------------------------------------------
// What is requested and how it is counted

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Hall,
    HallRevalidate,
    Exhibitor,
    Media,
    MediaRange,
    Upload,
    ProfileEdit,
    DeleteMedia,
    Submit,
    Approve,
    Publish,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Hall => "GET /api/v1/hall (br/gzip)",
            Kind::HallRevalidate => "GET /api/v1/hall If-None-Match",
            Kind::Exhibitor => "GET /api/v1/exhibitors/{slug}",
            Kind::Media => "GET /media/* whole",
            Kind::MediaRange => "GET /media/* Range",
            Kind::Upload => "POST /api/v1/me/media (PNG)",
            Kind::ProfileEdit => "PATCH /api/v1/me/profile",
            Kind::DeleteMedia => "DELETE /api/v1/me/media/*",
            Kind::Submit => "POST /api/v1/me/submission",
            Kind::Approve => "POST /staff/submissions/*/approve",
            Kind::Publish => "POST /api/v1/staff/publish",
        }
    }

    fn is_visitor(self) -> bool {
        matches!(
            self,
            Kind::Hall | Kind::HallRevalidate | Kind::Exhibitor | Kind::Media | Kind::MediaRange
        )
    }
}

#[derive(Debug, Default)]
struct KindStats {
    /// Microseconds, of every request (failed ones too).
    latencies: Vec<u64>,
    errors: u64,
    messages: Vec<String>,
}

/// Requests of one task, or of a phase once merged.
#[derive(Debug, Default)]
struct Recorder {
    kinds: BTreeMap<Kind, KindStats>,
    elapsed: Duration,
}

impl Recorder {
    fn record(&mut self, kind: Kind, latency: Duration, error: Option<String>) {
        let stats = self.kinds.entry(kind).or_default();
        stats
            .latencies
            .push(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX));
        if let Some(message) = error {
            stats.errors += 1;
            if stats.messages.len() < MESSAGES_KEPT {
                stats.messages.push(message);
            }
        }
    }

    fn merge(&mut self, other: Recorder) {
        self.elapsed += other.elapsed;
        for (kind, mut stats) in other.kinds {
            let into = self.kinds.entry(kind).or_default();
            into.latencies.append(&mut stats.latencies);
            into.errors += stats.errors;
            for message in stats.messages {
                if into.messages.len() < MESSAGES_KEPT {
                    into.messages.push(message);
                }
            }
        }
    }

    fn sort(&mut self) {
        for stats in self.kinds.values_mut() {
            stats.latencies.sort_unstable();
        }
    }

    fn errors(&self) -> u64 {
        self.kinds.values().map(|s| s.errors).sum()
    }

    /// The p99 of every visitor request together, in microseconds.
    fn visitor_p99(&self) -> u64 {
        let mut all: Vec<u64> = self
            .kinds
            .iter()
            .filter(|(kind, _)| kind.is_visitor())
            .flat_map(|(_, stats)| stats.latencies.iter().copied())
            .collect();
        all.sort_unstable();
        percentile(&all, 99.0).unwrap_or(0)
    }
}

/// The nearest-rank percentile of sorted values: the smallest value at least `p` per cent of
/// the values are less than or equal to.
fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn ms(micros: u64) -> String {
    format!("{:.1}", micros as f64 / 1000.0)
}

/// A Markdown table of one phase, then the first error messages of each kind.
fn write_phase(out: &mut String, title: &str, phase: &Recorder) {
    let seconds = phase.elapsed.as_secs_f64().max(0.001);
    let _ = writeln!(out, "\nphase {title}, {seconds:.1} s\n");
    let _ = writeln!(
        out,
        "| kind | requests | req/s | errors | p50 ms | p99 ms | max ms |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    let mut visitors: Vec<u64> = Vec::new();
    let mut visitor_errors = 0;
    for (kind, stats) in &phase.kinds {
        write_row(out, kind.name(), &stats.latencies, stats.errors, seconds);
        if kind.is_visitor() {
            visitors.extend(&stats.latencies);
            visitor_errors += stats.errors;
        }
    }
    visitors.sort_unstable();
    write_row(
        out,
        "all visitor requests",
        &visitors,
        visitor_errors,
        seconds,
    );
    for (kind, stats) in &phase.kinds {
        for message in &stats.messages {
            let _ = writeln!(out, "  error, {}: {message}", kind.name());
        }
    }
    out.push('\n');
}

fn write_row(out: &mut String, name: &str, sorted: &[u64], errors: u64, seconds: f64) {
    let at = |p| percentile(sorted, p).map_or("-".to_owned(), ms);
    let _ = writeln!(
        out,
        "| {name} | {} | {:.0} | {errors} | {} | {} | {} |",
        sorted.len(),
        sorted.len() as f64 / seconds,
        at(50.0),
        at(99.0),
        at(100.0)
    );
}

// ---------------------------------------------------------------------------------------
// HTTP

/// Sends a request, times it and records it; returns the answer when its status is one of
/// `expected`.
async fn timed(
    recorder: &mut Recorder,
    client: &mut Client,
    kind: Kind,
    request: (Method, &str, &[(HeaderName, &str)], Bytes),
    expected: &[StatusCode],
) -> Option<Answer> {
    let (method, path, headers, body) = request;
    let started = Instant::now();
    let result = client.send(method.clone(), path, headers, body).await;
    let latency = started.elapsed();
    match result {
        Ok(answer) if expected.contains(&answer.status) => {
            recorder.record(kind, latency, None);
            Some(answer)
        }
        Ok(answer) => {
            recorder.record(
                kind,
                latency,
                Some(format!("{method} {path}: {}", answer.describe())),
            );
            None
        }
        Err(error) => {
            recorder.record(kind, latency, Some(format!("{method} {path}: {error:#}")));
            None
        }
    }
}

/// An address in 198.18.0.0/15 for client number `n`.
fn forwarded_for(n: usize) -> String {
    format!("198.18.{}.{}", (n / 250) % 256, n % 250 + 1)
}

/// xorshift64*: enough randomness to pick what to request.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (which must not be 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------
// The site as visitors see it

#[derive(Debug)]
struct Site {
    address: String,
    /// Every published exhibitor.
    slugs: Vec<String>,
    /// Public media that no phase-B writer changes, with their sizes.
    media: Vec<(String, u64)>,
}

impl Site {
    /// Reads the published hall and every exhibitor's detail, then fetches each media file
    /// once to learn its size. The uploaders' own media are left out: their approvals in
    /// phase B replace them, and a visitor asking for a replaced file gets a rightful 404.
    async fn discover(address: &str, uploaders: &[String]) -> Result<Site> {
        let mut client = Client::new(address, forwarded_for(60_000));
        let hall = client.get("/api/v1/hall", &[]).await?;
        if hall.status != StatusCode::OK {
            bail!("GET /api/v1/hall answered {}", hall.describe());
        }
        let hall: Value = serde_json::from_slice(&hall.body)?;
        let slugs: Vec<String> = hall["exhibitors"]
            .as_array()
            .context("the hall lists no exhibitors")?
            .iter()
            .filter_map(|e| e["slug"].as_str().map(str::to_owned))
            .collect();
        let mut paths = BTreeSet::new();
        media_paths(&hall, uploaders, &mut paths);
        for slug in slugs.iter().filter(|s| !uploaders.contains(s)) {
            let detail = client
                .get(&format!("/api/v1/exhibitors/{slug}"), &[])
                .await?;
            if detail.status != StatusCode::OK {
                bail!(
                    "GET /api/v1/exhibitors/{slug} answered {}",
                    detail.describe()
                );
            }
            media_paths(&serde_json::from_slice(&detail.body)?, &[], &mut paths);
        }
        let mut media = Vec::new();
        for path in paths {
            let answer = client.get(&path, &[]).await?;
            if answer.status != StatusCode::OK {
                bail!("GET {path} answered {}", answer.describe());
            }
            media.push((path, answer.body.len() as u64));
        }
        if slugs.is_empty() || media.is_empty() {
            bail!("the published hall has no exhibitors or no media");
        }
        Ok(Site {
            address: address.to_owned(),
            slugs,
            media,
        })
    }
}

/// Every `/media/...` string in a JSON document, skipping objects whose `slug` is in `skip`.
fn media_paths(value: &Value, skip: &[String], into: &mut BTreeSet<String>) {
    match value {
        Value::String(text) if text.starts_with("/media/") => {
            into.insert(text.clone());
        }
        Value::Array(items) => items.iter().for_each(|v| media_paths(v, skip, into)),
        Value::Object(fields) => {
            let skipped = fields
                .get("slug")
                .and_then(Value::as_str)
                .is_some_and(|slug| skip.iter().any(|s| s == slug));
            if !skipped {
                fields.values().for_each(|v| media_paths(v, skip, into));
            }
        }
        _ => {}
    }
}

async fn sign_in(address: &str, name: &str, password: &str) -> Result<String> {
    let mut client = Client::new(address, forwarded_for(60_001));
    let body = serde_json::to_vec(&serde_json::json!({ "name": name, "password": password }))?;
    let answer = client
        .send(
            Method::POST,
            "/api/v1/staff/sessions",
            &[(header::CONTENT_TYPE, "application/json")],
            body.into(),
        )
        .await?;
    if answer.status != StatusCode::CREATED {
        bail!("staff sign-in answered {}", answer.describe());
    }
    let session: Value = serde_json::from_slice(&answer.body)?;
    session["token"]
        .as_str()
        .map(str::to_owned)
        .context("the sign-in answer has no token")
}

// ---------------------------------------------------------------------------------------
// The phases

/// Runs visitors (and, with `writers`, exhibitors and staff) for the phase's duration.
async fn run_phase(
    site: &Arc<Site>,
    duration: Duration,
    visitors: usize,
    writers: Option<(&[(String, String)], &str)>,
    slice: u32,
) -> Recorder {
    let started = Instant::now();
    let until = started + duration;
    let mut tasks = Vec::new();
    for n in 0..visitors {
        tasks.push(tokio::spawn(visitor(Arc::clone(site), n, until)));
    }
    if let Some((tokens, staff_token)) = writers {
        let (queue, waiting) = mpsc::unbounded_channel();
        tasks.push(tokio::spawn(staff(
            Arc::clone(site),
            staff_token.to_owned(),
            waiting,
            until,
        )));
        for (n, (slug, token)) in tokens.iter().enumerate() {
            tasks.push(tokio::spawn(exhibitor(
                Arc::clone(site),
                n,
                slug.clone(),
                token.clone(),
                queue.clone(),
                slice,
                until,
            )));
        }
    }
    let mut phase = Recorder::default();
    for task in tasks {
        match task.await {
            Ok(recorder) => phase.merge(recorder),
            // A task that panicked: count it against the visitors so the run fails.
            Err(error) => phase.record(
                Kind::Hall,
                Duration::ZERO,
                Some(format!("a load task failed: {error}")),
            ),
        }
    }
    // Visitors stop at the deadline; a writer may finish a request after it, which should not
    // thin the visitors' rate.
    phase.elapsed = duration;
    if started.elapsed() > duration + Duration::from_secs(1) {
        eprintln!(
            "the last writer request ended {:.1} s after the phase",
            (started.elapsed() - duration).as_secs_f64()
        );
    }
    phase.sort();
    phase
}

async fn visitor(site: Arc<Site>, n: usize, until: Instant) -> Recorder {
    let mut recorder = Recorder::default();
    let mut client = Client::new(&site.address, forwarded_for(n));
    let mut rng = Rng::new(n as u64 + 1);
    let mut etag: Option<String> = None;
    while Instant::now() < until {
        let roll = rng.below(100);
        match (roll, &etag) {
            (0..15, _) | (15..35, None) => {
                let headers = [(header::ACCEPT_ENCODING, BROWSER_ENCODINGS)];
                let request = (Method::GET, "/api/v1/hall", &headers[..], Bytes::new());
                let ok = [StatusCode::OK];
                let answer = timed(&mut recorder, &mut client, Kind::Hall, request, &ok).await;
                if let Some(tag) = answer.as_ref().and_then(|a| a.headers.get(header::ETAG)) {
                    etag = tag.to_str().ok().map(str::to_owned);
                }
            }
            (15..35, Some(tag)) => {
                let headers = [
                    (header::ACCEPT_ENCODING, BROWSER_ENCODINGS),
                    (header::IF_NONE_MATCH, tag.as_str()),
                ];
                let request = (Method::GET, "/api/v1/hall", &headers[..], Bytes::new());
                // 200 after a publish changed the hall, 304 otherwise.
                let ok = [StatusCode::NOT_MODIFIED, StatusCode::OK];
                let kind = Kind::HallRevalidate;
                let answer = timed(&mut recorder, &mut client, kind, request, &ok).await;
                if let Some(tag) = answer.as_ref().and_then(|a| a.headers.get(header::ETAG)) {
                    etag = tag.to_str().ok().map(str::to_owned);
                }
            }
            (35..65, _) => {
                let path = format!("/api/v1/exhibitors/{}", rng.pick(&site.slugs));
                let request = (Method::GET, path.as_str(), &[][..], Bytes::new());
                let kind = Kind::Exhibitor;
                timed(&mut recorder, &mut client, kind, request, &[StatusCode::OK]).await;
            }
            (65..85, _) => {
                let (path, size) = rng.pick(&site.media);
                let request = (Method::GET, path.as_str(), &[][..], Bytes::new());
                let ok = [StatusCode::OK];
                let answer = timed(&mut recorder, &mut client, Kind::Media, request, &ok).await;
                check_length(&mut recorder, Kind::Media, path, answer, *size);
            }
            _ => {
                let (path, size) = rng.pick(&site.media);
                let start = rng.below(*size);
                let length = 1 + rng.below((size - start).min(MAX_RANGE));
                let range = format!("bytes={start}-{}", start + length - 1);
                let headers = [(header::RANGE, range.as_str())];
                let request = (Method::GET, path.as_str(), &headers[..], Bytes::new());
                let ok = [StatusCode::PARTIAL_CONTENT];
                let kind = Kind::MediaRange;
                let answer = timed(&mut recorder, &mut client, kind, request, &ok).await;
                check_length(&mut recorder, kind, path, answer, length);
            }
        }
    }
    recorder
}

/// Counts a body of the wrong length as an error (the request itself is already counted).
fn check_length(
    recorder: &mut Recorder,
    kind: Kind,
    path: &str,
    answer: Option<Answer>,
    length: u64,
) {
    if let Some(answer) = answer
        && answer.body.len() as u64 != length
    {
        let stats = recorder.kinds.entry(kind).or_default();
        stats.errors += 1;
        if stats.messages.len() < MESSAGES_KEPT {
            stats.messages.push(format!(
                "GET {path}: {} bytes instead of {length}",
                answer.body.len()
            ));
        }
    }
}

/// A submission waiting for staff, and how to tell its exhibitor it was decided.
type Waiting = (i64, oneshot::Sender<()>);

/// An exhibitor in a loop: upload a new picture, edit the tagline, drop old pictures, submit,
/// and wait for staff to approve and publish.
async fn exhibitor(
    site: Arc<Site>,
    n: usize,
    slug: String,
    token: String,
    queue: mpsc::UnboundedSender<Waiting>,
    slice: u32,
    until: Instant,
) -> Recorder {
    let mut recorder = Recorder::default();
    let mut client = Client::new(&site.address, forwarded_for(50_000 + n));
    let bearer = format!("Bearer {token}");
    let auth = (header::AUTHORIZATION, bearer.as_str());
    let mut uploaded = VecDeque::new();
    let mut round = 0u64;
    while Instant::now() < until {
        round += 1;
        let picture = match picture(n as u64, (u64::from(slice) << 32) | round) {
            Ok(bytes) => bytes,
            Err(error) => {
                recorder.record(Kind::Upload, Duration::ZERO, Some(format!("{error:#}")));
                break;
            }
        };
        let path = format!("/api/v1/me/media?title=Load%20test%20picture%20{round}");
        let headers = [
            auth.clone(),
            (header::CONTENT_TYPE, "application/octet-stream"),
        ];
        let request = (Method::POST, path.as_str(), &headers[..], picture);
        let ok = [StatusCode::CREATED];
        if let Some(answer) = timed(&mut recorder, &mut client, Kind::Upload, request, &ok).await
            && let Ok(item) = serde_json::from_slice::<Value>(&answer.body)
            && let Some(sha256) = item["sha256"].as_str()
        {
            uploaded.push_back(sha256.to_owned());
        }

        let patch = format!(r#"{{"tagline":"Load test edit number {round} of {slug}"}}"#);
        let headers = [
            auth.clone(),
            (header::CONTENT_TYPE, "application/merge-patch+json"),
        ];
        let request = (
            Method::PATCH,
            "/api/v1/me/profile",
            &headers[..],
            Bytes::from(patch),
        );
        let kind = Kind::ProfileEdit;
        timed(&mut recorder, &mut client, kind, request, &[StatusCode::OK]).await;

        while uploaded.len() > KEEP_UPLOADS {
            let Some(sha256) = uploaded.pop_front() else {
                break;
            };
            delete_media(&mut recorder, &mut client, auth.clone(), &sha256).await;
        }

        let headers = [auth.clone()];
        let request = (
            Method::POST,
            "/api/v1/me/submission",
            &headers[..],
            Bytes::new(),
        );
        let ok = [StatusCode::CREATED];
        let submitted = timed(&mut recorder, &mut client, Kind::Submit, request, &ok).await;
        let id = submitted
            .and_then(|answer| serde_json::from_slice::<Value>(&answer.body).ok())
            .and_then(|submission| submission["id"].as_i64());
        if let Some(id) = id {
            let (decided, wait) = oneshot::channel();
            if queue.send((id, decided)).is_err() {
                break;
            }
            // Staff end with the phase and drop what still waits, which ends this wait too.
            let _ = wait.await;
        }
    }
    // Leave the draft as found, so the next slice's uploads stay under the booth's limit.
    while let Some(sha256) = uploaded.pop_front() {
        delete_media(&mut recorder, &mut client, auth.clone(), &sha256).await;
    }
    recorder
}

async fn delete_media(
    recorder: &mut Recorder,
    client: &mut Client,
    auth: (HeaderName, &str),
    sha256: &str,
) {
    let path = format!("/api/v1/me/media/{sha256}");
    let headers = [auth];
    let request = (Method::DELETE, path.as_str(), &headers[..], Bytes::new());
    let ok = [StatusCode::NO_CONTENT];
    timed(recorder, client, Kind::DeleteMedia, request, &ok).await;
}

/// Staff in a loop: approve every waiting submission, publish, about once a second.
async fn staff(
    site: Arc<Site>,
    token: String,
    mut waiting: mpsc::UnboundedReceiver<Waiting>,
    until: Instant,
) -> Recorder {
    let mut recorder = Recorder::default();
    let mut client = Client::new(&site.address, forwarded_for(55_000));
    let bearer = format!("Bearer {token}");
    let headers = [(header::AUTHORIZATION, bearer.as_str())];
    while Instant::now() < until {
        let cycle = Instant::now();
        let mut decided = Vec::new();
        while let Ok(item) = waiting.try_recv() {
            decided.push(item);
        }
        for (id, _) in &decided {
            let path = format!("/api/v1/staff/submissions/{id}/approve");
            let request = (Method::POST, path.as_str(), &headers[..], Bytes::new());
            let kind = Kind::Approve;
            timed(&mut recorder, &mut client, kind, request, &[StatusCode::OK]).await;
        }
        let request = (
            Method::POST,
            "/api/v1/staff/publish",
            &headers[..],
            Bytes::new(),
        );
        timed(
            &mut recorder,
            &mut client,
            Kind::Publish,
            request,
            &[StatusCode::OK],
        )
        .await;
        for (_, tell) in decided {
            let _ = tell.send(());
        }
        let now = Instant::now();
        let pause = PUBLISH_EVERY
            .saturating_sub(cycle.elapsed())
            .min(until.saturating_duration_since(now));
        tokio::time::sleep(pause).await;
    }
    recorder
}

/// A small PNG of noise, different for every exhibitor and round, so each upload is a new file.
fn picture(exhibitor: u64, round: u64) -> Result<Bytes> {
    const WIDTH: u32 = 64;
    const HEIGHT: u32 = 48;
    let mut rng = Rng::new((exhibitor << 32) ^ round);
    let pixels: Vec<u8> = (0..WIDTH * HEIGHT * 3).map(|_| rng.next() as u8).collect();
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(Bytes::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[7], 0.0), Some(7));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        let values: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&values, 50.0), Some(50));
        assert_eq!(percentile(&values, 99.0), Some(99));
        assert_eq!(percentile(&values, 100.0), Some(100));
        assert_eq!(percentile(&values, 0.0), Some(1));
        let values: Vec<u64> = (1..=1000).collect();
        assert_eq!(percentile(&values, 99.0), Some(990));
        assert_eq!(percentile(&[1, 2, 3, 1000], 50.0), Some(2));
        assert_eq!(percentile(&[1, 2, 3, 1000], 99.0), Some(1000));
    }

    #[test]
    fn visitor_p99_pools_the_visitor_kinds_only() {
        let mut recorder = Recorder::default();
        for ms in 1..=100 {
            recorder.record(Kind::Hall, Duration::from_millis(ms), None);
        }
        recorder.record(Kind::Publish, Duration::from_secs(60), None);
        recorder.record(Kind::Media, Duration::from_millis(1), Some("x".into()));
        recorder.sort();
        assert_eq!(recorder.visitor_p99(), 99_000);
        assert_eq!(recorder.errors(), 1);
    }

    #[test]
    fn arguments_have_defaults_and_short_changes_them() {
        let full = parse_args(&[]).unwrap();
        assert_eq!(full.duration, Duration::from_secs(60));
        assert_eq!((full.visitors, full.short, full.binary), (64, false, None));
        let short = parse_args(&strings(&["--short"])).unwrap();
        assert_eq!(short.duration, Duration::from_secs(5));
        assert_eq!((short.visitors, short.short), (8, true));
        let given = parse_args(&strings(&[
            "--duration",
            "30",
            "--visitors",
            "16",
            "--binary",
            "/tmp/pavilion",
        ]))
        .unwrap();
        assert_eq!(given.duration, Duration::from_secs(30));
        assert_eq!(given.visitors, 16);
        assert_eq!(given.binary, Some(PathBuf::from("/tmp/pavilion")));
        for bad in [
            &["--duration"][..],
            &["--duration", "0"],
            &["--visitors", "many"],
            &["--binary"],
            &["--quick"],
        ] {
            assert!(parse_args(&strings(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn phases_are_cut_into_ten_second_slices() {
        assert_eq!(slices(Duration::from_secs(5)), 1);
        assert_eq!(slices(Duration::from_secs(10)), 1);
        assert_eq!(slices(Duration::from_secs(60)), 6);
        assert_eq!(slices(Duration::from_secs(65)), 6);
    }

    #[test]
    fn media_paths_are_found_anywhere_but_in_skipped_exhibitors() {
        let hall = serde_json::json!({ "exhibitors": [
            { "slug": "a", "logo_url": "/media/1.png", "more": ["/media/2.glb", "/other"] },
            { "slug": "b", "logo_url": "/media/3.png" },
        ], "sign": "/media/4.png" });
        let mut found = BTreeSet::new();
        media_paths(&hall, &["b".to_owned()], &mut found);
        let found: Vec<&str> = found.iter().map(String::as_str).collect();
        assert_eq!(found, ["/media/1.png", "/media/2.glb", "/media/4.png"]);
    }

    #[test]
    fn pictures_are_png_and_differ_by_round() {
        let one = picture(0, 1).unwrap();
        let two = picture(0, 2).unwrap();
        assert!(one.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_ne!(one, two);
        assert_ne!(picture(1, 1).unwrap(), one);
    }
}
