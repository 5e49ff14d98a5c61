//! `cargo xtask bench`: every figure of issue 11 against its baseline in the same run: the
//! serving figures here, then the viewer's (`bench_viewer.rs`, against a bare scene). `--only
//! serving` or `--only viewer` runs one half; `cargo xtask bench-viewer` is `--only viewer`.
//!
//! Serving: Pavilion against nginx serving the same bytes from files on loopback, both measured in the same run with the same client, alternating in
//! slices so load from elsewhere on the machine weighs on both alike. Figures: the hall
//! manifest (`/api/v1/hall`) in identity, gzip and brotli at 120, 500 and 1,000 exhibitors
//! (synthetic catalogues, `catalogue.rs`), and media at 120 (a small picture whole, the
//! largest file whole and by 64 KiB Range), each at 64 and 256 connections.

pub(crate) mod catalogue;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use hyper::StatusCode;
use hyper::header::{self, HeaderName};
use serde_json::Value;

use crate::benchmarks_md::{Section, command_line};
use crate::e2e::start_healthy_server;
use crate::http_client::Client;
use crate::nginx::Nginx;
use crate::{build_web, project_root};

/// The seed of the synthetic catalogues.
pub(crate) const SEED: u64 = 20_261_130;
/// Size of the ranges asked of the large file.
const RANGE_BYTES: u64 = 64 * 1024;
/// Where the generated section goes in BENCHMARKS.md.
const SECTION: Section = Section {
    begin: "<!-- cargo xtask bench: begin -->",
    end: "<!-- cargo xtask bench: end -->",
    heading: "## Serving",
};

struct Options {
    /// The command line, as the report shows it.
    command: String,
    short: bool,
    binary: Option<PathBuf>,
    /// Length of one slice of one server.
    slice: Duration,
    /// Slices per server and figure.
    rounds: u32,
    sizes: Vec<usize>,
    connections: Vec<usize>,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let short = args.iter().any(|a| a == "--short");
    let mut options = Options {
        command: command_line("bench", args),
        short,
        binary: None,
        slice: Duration::from_secs(if short { 2 } else { 5 }),
        rounds: if short { 1 } else { 2 },
        sizes: if short {
            vec![120]
        } else {
            vec![120, 500, 1000]
        },
        connections: vec![64, 256],
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--short" => {}
            "--binary" => options.binary = Some(rest.next().context("--binary PATH")?.into()),
            "--seconds" => {
                let seconds: f64 = rest.next().context("--seconds S")?.parse()?;
                options.slice = Duration::from_secs_f64(seconds);
            }
            "--rounds" => options.rounds = rest.next().context("--rounds N")?.parse()?,
            "--sizes" => options.sizes = parse_sizes(rest.next())?,
            other => bail!(
                "unknown argument {other:?} (--short, --binary PATH, --seconds S, --rounds N, \
                 --sizes N,M)"
            ),
        }
    }
    Ok(options)
}

/// The value of `--sizes`: catalogue sizes, comma-separated.
pub fn parse_sizes(value: Option<&String>) -> Result<Vec<usize>> {
    value
        .context("--sizes N,M")?
        .split(',')
        .map(|n| n.trim().parse().context("--sizes takes numbers"))
        .collect()
}

/// One figure: what is asked of both servers.
struct Figure {
    name: String,
    /// The path at Pavilion and at nginx.
    pavilion: String,
    nginx: String,
    headers: Vec<(HeaderName, String)>,
    /// What a correct answer is.
    status: StatusCode,
    length: usize,
    /// A different `Range` per request: the file's length.
    ranges_of: Option<u64>,
}

/// What one server did for one figure.
#[derive(Default, Clone)]
struct Measure {
    requests: u64,
    errors: u64,
    seconds: f64,
    latencies: Vec<u64>,
}

impl Measure {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }

    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1] as f64 / 1000.0
    }

    fn merge(&mut self, other: Measure) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.seconds += other.seconds;
        self.latencies.extend(other.latencies);
    }
}

struct Row {
    figure: String,
    connections: usize,
    pavilion: Measure,
    nginx: Measure,
}

/// Flags only the serving half takes (with their values) and only the viewer half takes.
const SERVING_FLAGS: [&str; 2] = ["--seconds", "--rounds"];
/// Flags only the viewer half takes (`--sizes` goes to both).
const VIEWER_FLAGS: [&str; 0] = [];

/// `cargo xtask bench [--only serving|viewer] [--short] [--binary PATH] [--seconds S]
/// [--rounds N] [--sizes N,M]`: both halves with one release server build.
pub fn run_all(args: &[String]) -> Result<()> {
    let mut only = None;
    let mut rest = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--only" {
            only = Some(iter.next().context("--only serving|viewer")?.clone());
        } else {
            rest.push(arg.clone());
        }
    }
    let (serving, viewer) = match only.as_deref() {
        None => (true, true),
        Some("serving") => (true, false),
        Some("viewer") => (false, true),
        Some(other) => bail!("--only takes serving or viewer, not {other:?}"),
    };
    if !rest.iter().any(|a| a == "--binary") {
        let binary = crate::e2e::build_server(&project_root(), true)?;
        rest.extend(["--binary".to_owned(), binary.to_string_lossy().into_owned()]);
    }
    if serving {
        run(&without_flags(&rest, &VIEWER_FLAGS))?;
    }
    if viewer {
        crate::bench_viewer::run(&without_flags(&rest, &SERVING_FLAGS))?;
    }
    Ok(())
}

/// `args` without the given flags and the value after each.
fn without_flags(args: &[String], flags: &[&str]) -> Vec<String> {
    let mut kept = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if flags.contains(&arg.as_str()) {
            iter.next();
        } else {
            kept.push(arg.clone());
        }
    }
    kept
}

/// The baseline's server: the files `prepare` wrote, types by extension, and the
/// precompressed forms fetched under their own names with their coding.
const BASELINE_SERVER: &str = r#"        root {prefix}/root;
        types {
            application/json json;
            image/png png;
            model/gltf-binary glb;
            application/pdf pdf;
        }
        location ~ \.json\.gz$ {
            types { }
            default_type application/json;
            add_header Content-Encoding gzip;
        }
        location ~ \.json\.br$ {
            types { }
            default_type application/json;
            add_header Content-Encoding br;
        }"#;

/// The serving half: Pavilion against nginx.
pub fn run(args: &[String]) -> Result<()> {
    let options = parse_args(args)?;
    let root = project_root();
    let target = build_web::target_dir(&root)?;
    let binary = match &options.binary {
        Some(binary) => binary.clone(),
        None => crate::e2e::build_server(&root, true)?,
    };
    let nginx_binary = crate::nginx::binary()?;
    let work = target.join("bench");
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    fs::create_dir_all(&work)?;
    let nginx_root = work.join("nginx").join("root");
    fs::create_dir_all(&nginx_root)?;
    let nginx_address = crate::e2e::free_address()?;
    let _nginx = Nginx::start(
        &nginx_binary,
        &work.join("nginx"),
        &nginx_address,
        BASELINE_SERVER,
    )?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut rows = Vec::new();
    for &size in &options.sizes {
        let catalogue = work.join(format!("catalogue-{size}"));
        catalogue::generate(&root.join("exhibitors"), &catalogue, size, SEED)?;
        let data = work.join(format!("data-{size}"));
        let started = Instant::now();
        let (server, address) = start_healthy_server(
            &binary,
            &data,
            &root,
            &work.join(format!("server-{size}.log")),
            &[("PAVILION_CATALOGUE_DIR", &catalogue.to_string_lossy())],
            Duration::from_secs(900),
        )?;
        eprintln!(
            "bench: {size} exhibitors imported and published in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let figures = runtime.block_on(prepare(&address, &nginx_root, size))?;
        for figure in &figures {
            for &connections in &options.connections {
                let row = runtime.block_on(measure(
                    figure,
                    &address,
                    &nginx_address,
                    connections,
                    &options,
                ));
                eprintln!("{}", describe(&row));
                rows.push(row);
            }
        }
        drop(server);
    }

    let report = report(&rows, &options);
    print!("{report}");
    fs::write(work.join("report.md"), &report)?;
    let errors: u64 = rows
        .iter()
        .map(|r| r.pavilion.errors + r.nginx.errors)
        .sum();
    if !options.short {
        let path = root.join("BENCHMARKS.md");
        let text = fs::read_to_string(&path)?;
        fs::write(&path, SECTION.replace(&text, &report))?;
        eprintln!("bench: wrote the figures into {}", path.display());
    }
    if errors > 0 {
        bail!("{errors} request(s) failed; see {}", work.display());
    }
    Ok(())
}

/// Fetches what Pavilion serves, writes the same bytes into nginx's root and returns the
/// figures.
async fn prepare(address: &str, nginx_root: &Path, size: usize) -> Result<Vec<Figure>> {
    let folder = format!("size-{size}");
    fs::create_dir_all(nginx_root.join(&folder))?;
    let mut client = Client::plain(address);
    let mut figures = Vec::new();
    for (coding, suffix) in [("identity", ""), ("gzip", ".gz"), ("br", ".br")] {
        let answer = client
            .get("/api/v1/hall", &[(header::ACCEPT_ENCODING, coding)])
            .await?;
        if answer.status != StatusCode::OK {
            bail!("GET /api/v1/hall answered {}", answer.describe());
        }
        let sent = answer
            .headers
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("identity");
        if sent != coding {
            bail!("asked for {coding}, Pavilion sent {sent}");
        }
        let file = format!("{folder}/hall.json{suffix}");
        fs::write(nginx_root.join(&file), &answer.body)?;
        figures.push(Figure {
            name: format!(
                "manifest {coding}, {size} exhibitors ({} KB)",
                answer.body.len().div_ceil(1000)
            ),
            pavilion: "/api/v1/hall".to_owned(),
            nginx: format!("/{file}"),
            headers: vec![(header::ACCEPT_ENCODING, coding.to_owned())],
            status: StatusCode::OK,
            length: answer.body.len(),
            ranges_of: None,
        });
    }
    if size != 120 {
        return Ok(figures);
    }
    // Media: a product picture (small) and the largest file the hall shows.
    let hall = client.get("/api/v1/hall", &[]).await?;
    let hall: Value = serde_json::from_slice(&hall.body)?;
    let mut urls = std::collections::BTreeSet::new();
    collect_media(&hall, &mut urls);
    for slug in hall["exhibitors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["slug"].as_str())
    {
        let detail = client
            .get(&format!("/api/v1/exhibitors/{slug}"), &[])
            .await?;
        if let Ok(detail) = serde_json::from_slice::<Value>(&detail.body) {
            collect_media(&detail, &mut urls);
        }
    }
    let mut files = Vec::new();
    for url in &urls {
        let answer = client.get(url, &[]).await?;
        if answer.status == StatusCode::OK {
            files.push((url.clone(), answer.body));
        }
    }
    let small = files
        .iter()
        .filter(|(url, _)| url.ends_with(".png"))
        .min_by_key(|(_, body)| body.len().abs_diff(16 * 1024))
        .context("no PNG in the hall")?
        .clone();
    let large = files
        .iter()
        .max_by_key(|(_, body)| body.len())
        .context("no media in the hall")?
        .clone();
    for (url, body) in [&small, &large] {
        let path = nginx_root.join(url.trim_start_matches('/'));
        fs::create_dir_all(path.parent().expect("a media path has a folder"))?;
        fs::write(path, body)?;
    }
    let media = |name: String, (url, body): &(String, hyper::body::Bytes), ranges: bool| Figure {
        name,
        pavilion: url.clone(),
        nginx: url.clone(),
        headers: Vec::new(),
        status: if ranges {
            StatusCode::PARTIAL_CONTENT
        } else {
            StatusCode::OK
        },
        length: if ranges {
            RANGE_BYTES as usize
        } else {
            body.len()
        },
        ranges_of: ranges.then_some(body.len() as u64),
    };
    figures.push(media(
        format!(
            "media small, whole ({} KB png)",
            small.1.len().div_ceil(1000)
        ),
        &small,
        false,
    ));
    let extension = large.0.rsplit('.').next().unwrap_or("");
    figures.push(media(
        format!(
            "media largest, whole ({} KB {extension})",
            large.1.len().div_ceil(1000)
        ),
        &large,
        false,
    ));
    figures.push(media(
        format!(
            "media largest, 64 KiB Range ({} KB {extension})",
            large.1.len().div_ceil(1000)
        ),
        &large,
        true,
    ));
    Ok(figures)
}

/// Every `/media/...` URL anywhere in a JSON document.
fn collect_media(value: &Value, into: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::String(text) if text.starts_with("/media/") => {
            into.insert(text.clone());
        }
        Value::Array(items) => items.iter().for_each(|v| collect_media(v, into)),
        Value::Object(fields) => fields.values().for_each(|v| collect_media(v, into)),
        _ => {}
    }
}

/// Pavilion, then nginx, then again, `rounds` times.
async fn measure(
    figure: &Figure,
    pavilion: &str,
    nginx: &str,
    connections: usize,
    options: &Options,
) -> Row {
    let (mut p, mut n) = (Measure::default(), Measure::default());
    for _ in 0..options.rounds {
        p.merge(
            slice(
                figure,
                pavilion,
                &figure.pavilion,
                connections,
                options.slice,
            )
            .await,
        );
        n.merge(slice(figure, nginx, &figure.nginx, connections, options.slice).await);
    }
    p.latencies.sort_unstable();
    n.latencies.sort_unstable();
    Row {
        figure: figure.name.clone(),
        connections,
        pavilion: p,
        nginx: n,
    }
}

/// `connections` keep-alive clients asking `path` as fast as answers come for `duration`,
/// after one warm-up request each (which opens the connection).
async fn slice(
    figure: &Figure,
    address: &str,
    path: &str,
    connections: usize,
    duration: Duration,
) -> Measure {
    let barrier = Arc::new(tokio::sync::Barrier::new(connections));
    let start = Arc::new(std::sync::OnceLock::<Instant>::new());
    let mut tasks = Vec::new();
    for n in 0..connections {
        let barrier = Arc::clone(&barrier);
        let start = Arc::clone(&start);
        let (address, path) = (address.to_owned(), path.to_owned());
        let headers = figure.headers.clone();
        let (status, length, ranges_of) = (figure.status, figure.length, figure.ranges_of);
        tasks.push(tokio::spawn(async move {
            let mut client = Client::plain(&address);
            let mut rng = crate::load::Rng::new(n as u64 + 1);
            let mut measure = Measure::default();
            let request = Request {
                path: &path,
                headers: &headers,
                status,
                length,
                ranges_of,
            };
            let _ = request.ask(&mut client, &mut rng).await;
            barrier.wait().await;
            let until = *start.get_or_init(Instant::now) + duration;
            while Instant::now() < until {
                let began = Instant::now();
                let ok = request.ask(&mut client, &mut rng).await;
                measure.requests += 1;
                if !ok {
                    measure.errors += 1;
                }
                measure.latencies.push(began.elapsed().as_micros() as u64);
            }
            measure
        }));
    }
    let mut total = Measure::default();
    for task in tasks {
        if let Ok(measure) = task.await {
            total.merge(Measure {
                seconds: 0.0,
                ..measure
            });
        }
    }
    total.seconds = duration.as_secs_f64();
    total
}

/// One request of a figure, as a client task sends it.
struct Request<'a> {
    path: &'a str,
    headers: &'a [(HeaderName, String)],
    status: StatusCode,
    length: usize,
    ranges_of: Option<u64>,
}

impl Request<'_> {
    /// Sends it (with a fresh random range when the figure asks ranges); true when the
    /// answer has the expected status and length.
    async fn ask(&self, client: &mut Client, rng: &mut crate::load::Rng) -> bool {
        let range = self.ranges_of.map(|file| {
            let first = rng.below(file.saturating_sub(RANGE_BYTES).max(1));
            format!("bytes={first}-{}", first + RANGE_BYTES - 1)
        });
        let mut headers: Vec<(HeaderName, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), value.as_str()))
            .collect();
        if let Some(range) = &range {
            headers.push((header::RANGE, range));
        }
        match client.get(self.path, &headers).await {
            Ok(answer) => answer.status == self.status && answer.body.len() == self.length,
            Err(_) => false,
        }
    }
}

fn describe(row: &Row) -> String {
    format!(
        "{} @ {}: Pavilion {:.0}/s p99 {:.1} ms, nginx {:.0}/s p99 {:.1} ms, ratio {:.2}",
        row.figure,
        row.connections,
        row.pavilion.rate(),
        row.pavilion.percentile(99.0),
        row.nginx.rate(),
        row.nginx.percentile(99.0),
        row.pavilion.rate() / row.nginx.rate().max(1e-9)
    )
}

fn report(rows: &[Row], options: &Options) -> String {
    let mut out = String::new();
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let command = &options.command;
    let build = match &options.binary {
        Some(binary) if !binary.components().any(|c| c.as_os_str() == "release") => {
            "a debug build: the ratios say nothing of release serving"
        }
        _ => "release",
    };
    let _ = writeln!(
        out,
        "`{command}` on {date}: {cores} cores ({cpu}), load average at the end {}; \
         Pavilion ({build}) and nginx (worker_processes auto, sendfile, tcp_nodelay, access log off) \
         alternate in {} s slices, {} per server and figure; the client (hyper, keep-alive \
         HTTP/1.1, 2 threads) runs on the same cores.\n",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        options.slice.as_secs_f64(),
        options.rounds
    );
    let _ = writeln!(
        out,
        "| figure | conns | Pavilion req/s | nginx req/s | ratio | Pavilion p50 / p99 ms | nginx p50 / p99 ms | p99 ratio | errors |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let (p, n) = (&row.pavilion, &row.nginx);
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {:.0} | **{:.2}** | {:.1} / {:.1} | {:.1} / {:.1} | {:.2} | {} |",
            row.figure,
            row.connections,
            p.rate(),
            n.rate(),
            p.rate() / n.rate().max(1e-9),
            p.percentile(50.0),
            p.percentile(99.0),
            n.percentile(50.0),
            n.percentile(99.0),
            p.percentile(99.0) / n.percentile(99.0).max(1e-9),
            p.errors + n.errors
        );
    }
    out
}
