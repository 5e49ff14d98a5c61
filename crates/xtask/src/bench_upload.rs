//! `cargo xtask bench-upload [--megabytes N]`: uploads N MB (default 100) as a video to a
//! release build of the server on a fresh data folder, sampling the server's resident memory
//! (VmRSS from /proc) before, during and after, to show an upload streams to disk instead of
//! being held in memory.

use std::fs;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::e2e::{create_exhibitor_token, start_server, wait_until_healthy};
use crate::{build_web, project_root};

const EXHIBITOR: &str = "kestrel-ward";
const CHUNK: usize = 256 * 1024;

pub fn run(args: &[String]) -> Result<()> {
    let megabytes: u64 = match args.iter().position(|a| a == "--megabytes") {
        Some(i) => args
            .get(i + 1)
            .context("--megabytes needs a number")?
            .parse()
            .context("--megabytes needs a number")?,
        None => 100,
    };
    let root = project_root();
    let binary = crate::e2e::build_server(&root, true)?;
    let target = build_web::target_dir(&root)?;
    let work = target.join("bench-upload");
    let data = work.join("data");
    if data.exists() {
        fs::remove_dir_all(&data)?;
    }
    fs::create_dir_all(&work)?;
    let token = create_exhibitor_token(&binary, &data, &root, EXHIBITOR)?;

    let address = crate::e2e::free_address()?;
    let log = fs::File::create(work.join("server.log"))?;
    let server = start_server(&binary, &data, &address, &root, log, &[])?;
    let pid = server.0.id();
    wait_until_healthy(&address, Duration::from_secs(120))?;

    // Warm the server up with one small authenticated request, then let it settle.
    request(&address, "GET", "/api/v1/me", &token, 0, |_| Ok(()))?;
    std::thread::sleep(Duration::from_millis(500));
    let before = rss_kib(pid)?;

    let peak = Arc::new(AtomicU64::new(before));
    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (peak, stop, samples) = (Arc::clone(&peak), Arc::clone(&stop), Arc::clone(&samples));
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Ok(rss) = rss_kib(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                    samples.fetch_add(1, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };

    let total = megabytes * 1_000_000;
    let started = Instant::now();
    let (status, body) = request(
        &address,
        "POST",
        "/api/v1/me/media?title=Benchmark%20video",
        &token,
        total,
        |stream| write_video(stream, total),
    )?;
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    sampler.join().ok();
    std::thread::sleep(Duration::from_millis(500));
    let after = rss_kib(pid)?;
    let peak = peak.load(Ordering::Relaxed);

    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "upload: {megabytes} MB video in {:.2} s ({:.0} MB/s), answered {status}",
        elapsed.as_secs_f64(),
        megabytes as f64 / elapsed.as_secs_f64()
    );
    println!(
        "server RSS: before {:.1} MiB, peak during {:.1} MiB ({} samples), after {:.1} MiB",
        mib(before),
        mib(peak),
        samples.load(Ordering::Relaxed),
        mib(after)
    );
    println!(
        "RSS growth: peak {:+.1} MiB, after {:+.1} MiB, for {megabytes} MB uploaded",
        mib(peak) - mib(before),
        mib(after) - mib(before)
    );
    if status != 201 {
        bail!("the upload was not stored: {status} {body}");
    }
    Ok(())
}

/// VmRSS of a process, in KiB.
fn rss_kib(pid: u32) -> Result<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .context("no VmRSS line")
}

/// One HTTP/1.1 request over a plain socket; `write_body` streams exactly `length` bytes.
fn request(
    address: &str,
    method: &str,
    path: &str,
    token: &str,
    length: u64,
    write_body: impl FnOnce(&mut TcpStream) -> Result<()>,
) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(300)))?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes())?;
    write_body(&mut stream)?;
    stream.flush()?;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("no HTTP status in {status_line:?}"))?;
    let mut rest = String::new();
    reader.read_to_string(&mut rest)?;
    let body = rest.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    Ok((status, body))
}

/// An MP4 `ftyp` box and an `mdat` box filled with pseudo-random bytes (so nothing about the
/// content is compressible or repeated), `total` bytes in all.
fn write_video(stream: &mut TcpStream, total: u64) -> Result<()> {
    let mut header = vec![0, 0, 0, 24];
    header.extend_from_slice(b"ftypisom\0\0\x02\0isomiso2");
    let mdat = u32::try_from(total - header.len() as u64).unwrap_or(u32::MAX);
    header.extend_from_slice(&mdat.to_be_bytes());
    header.extend_from_slice(b"mdat");
    stream.write_all(&header)?;
    let mut remaining = total - header.len() as u64;
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ u64::from(std::process::id());
    let mut chunk = vec![0u8; CHUNK];
    while remaining > 0 {
        for bytes in chunk.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.copy_from_slice(&state.to_le_bytes());
        }
        let n = usize::try_from(remaining).unwrap_or(CHUNK).min(CHUNK);
        stream.write_all(&chunk[..n])?;
        remaining -= n as u64;
    }
    Ok(())
}
