//! `cargo xtask chaos [--rounds N] [--short] [--binary PATH] [--seed S]`: crash-consistency
//! rounds against the real server. Each round starts the server on the same data folder,
//! checks that every write the previous round got a 2xx for is still there (uploads listed
//! and their bytes served with the right SHA-256, deletes gone, the last profile edit or the
//! one in flight, submissions, approvals, the published version acknowledged or in flight),
//! runs `pavilion check-data` (integrity_check, no partial, missing, unreferenced or temp
//! media file after the start-up sweep), then drives concurrent uploads, deletes, profile
//! edits, submissions, approvals and publishes and `kill -9`s the server at a random moment.
//! Exits non-zero on any loss. `--short` is three rounds with the debug binary, for CI.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::e2e::{Server, wait_until_healthy};
use crate::{build_web, project_root};

/// How many catalogue exhibitors the chaos catalogue copies (each gets a token and a worker).
const BOOTHS: usize = 4;
/// Keep a booth below the server's 30 media files: delete the oldest upload past this.
const MEDIA_KEPT: usize = 24;
const STAFF_NAME: &str = "chaos-admin";

struct Options {
    rounds: usize,
    short: bool,
    binary: Option<PathBuf>,
    seed: u64,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut options = Options {
        rounds: 200,
        short: false,
        binary: None,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1,
    };
    let mut rounds = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--short" => options.short = true,
            "--rounds" => rounds = Some(args.next().context("--rounds needs a number")?.parse()?),
            "--binary" => {
                options.binary = Some(args.next().context("--binary needs a path")?.into())
            }
            "--seed" => {
                options.seed = args
                    .next()
                    .context("--seed needs a number")?
                    .parse::<u64>()?
                    | 1
            }
            other => bail!("unknown chaos option {other:?}"),
        }
    }
    options.rounds = rounds.unwrap_or(if options.short { 3 } else { 200 });
    Ok(options)
}

/// What one exhibitor worker has had acknowledged.
#[derive(Debug, Default, Clone)]
struct Booth {
    slug: String,
    token: String,
    /// Acknowledged uploads not (acknowledged) deleted since, oldest first: must be listed.
    uploads: Vec<String>,
    /// Acknowledged this round, checked (listed, served, hashed) after the crash.
    new_uploads: Vec<(String, String)>,
    /// Acknowledged deletes of this round: must stay gone.
    new_deletes: Vec<String>,
    /// A delete sent without an answer: the file may or may not be listed.
    delete_in_flight: Option<String>,
    /// An upload sent without an answer: an unknown file may be listed.
    upload_in_flight: bool,
    /// The last acknowledged tagline, and one sent after it without an answer.
    tagline: Option<String>,
    tagline_in_flight: Option<String>,
    new_submissions: Vec<i64>,
    /// Profile edits acknowledged this round.
    new_edits: u64,
    /// The server refused an upload for the booth's file count: delete one first.
    full: bool,
    edits: u64,
    pixels: u64,
}

/// What the staff worker has had acknowledged.
#[derive(Debug, Default, Clone)]
struct Staff {
    token: String,
    approved: BTreeSet<i64>,
    new_approvals: Vec<i64>,
    /// Every version a publish acknowledged (and the one served at the start).
    versions: BTreeSet<u64>,
    last_version: u64,
    publish_in_flight: bool,
    /// Publishes acknowledged this round.
    new_publishes: u64,
}

/// Checks done and losses found.
#[derive(Debug, Default)]
struct Tally {
    checked: BTreeMap<&'static str, u64>,
    losses: Vec<String>,
}

impl Tally {
    fn check(&mut self, kind: &'static str, ok: bool, loss: impl FnOnce() -> String) {
        *self.checked.entry(kind).or_default() += 1;
        if !ok {
            let loss = loss();
            eprintln!("LOSS: {loss}");
            self.losses.push(loss);
        }
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let options = parse(args)?;
    let root = project_root();
    let target = build_web::target_dir(&root)?;
    let binary = match &options.binary {
        Some(binary) => binary.clone(),
        None => crate::e2e::build_server(&root, !options.short)?,
    };
    let work = target.join("chaos");
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    let data = work.join("data");
    let catalogue = work.join("catalogue");
    fs::create_dir_all(&work)?;
    let slugs = small_catalogue(&root.join("exhibitors"), &catalogue)?;
    let started = Instant::now();
    eprintln!(
        "chaos: {} rounds, seed {}, binary {}, booths {}",
        options.rounds,
        options.seed,
        binary.display(),
        slugs.join(", ")
    );
    let pavilion = Pavilion {
        binary,
        data: data.clone(),
        catalogue,
        root: root.clone(),
    };
    let mut booths = Vec::new();
    for slug in &slugs {
        let token = pavilion.create_token(slug)?;
        booths.push(Booth {
            slug: slug.clone(),
            token,
            ..Booth::default()
        });
    }
    let password = format!("chaos-{}-{}", options.seed, std::process::id());
    pavilion.create_admin(&work, &password)?;

    let mut random = Random(options.seed);
    let mut staff = Staff::default();
    let mut tally = Tally::default();
    let log_path = work.join("server.log");
    let mut killed_at: Option<Instant> = None;
    let mut acked: BTreeMap<&'static str, u64> = BTreeMap::new();
    for round in 0..=options.rounds {
        // A row is swept only when created before the start-up second: start in a later one.
        if let Some(at) = killed_at
            && let Some(wait) = Duration::from_millis(1100).checked_sub(at.elapsed())
        {
            thread::sleep(wait);
        }
        let address = crate::e2e::free_address()?;
        let server = pavilion.start(&address, &log_path)?;
        wait_until_healthy(&address, Duration::from_secs(120))
            .with_context(|| format!("round {round}: see {}", log_path.display()))?;
        let before = tally.losses.len();
        if round == 0 {
            staff.token = sign_in(&address, &password)?;
            let version = served_version(&address)?;
            staff.versions.insert(version);
            staff.last_version = version;
        } else {
            verify(&address, &mut booths, &mut staff, &mut tally)?;
        }
        let check = pavilion.check_data()?;
        tally.check("data checks", check["ok"] == json!(true), || {
            format!("round {round}: check-data found problems: {check}")
        });
        *tally.checked.entry("media files hashed").or_default() +=
            check["media_rows"].as_u64().unwrap_or(0);
        if round == options.rounds {
            drop(server);
            eprintln!(
                "round {round}: final checks, {} loss(es)",
                tally.losses.len() - before
            );
            break;
        }
        let delay = Duration::from_millis(200 + random.below(2800));
        let (returned, returned_staff) = load(&address, booths, staff, round, delay, server.0.id());
        booths = returned;
        staff = returned_staff;
        killed_at = Some(Instant::now());
        drop(server);
        let mut add = |kind: &'static str, n: usize| *acked.entry(kind).or_default() += n as u64;
        add("uploads", booths.iter().map(|b| b.new_uploads.len()).sum());
        add("deletes", booths.iter().map(|b| b.new_deletes.len()).sum());
        add(
            "profile edits",
            booths.iter().map(|b| b.new_edits as usize).sum(),
        );
        add(
            "submissions",
            booths.iter().map(|b| b.new_submissions.len()).sum(),
        );
        add("approvals", staff.new_approvals.len());
        add("publishes", staff.new_publishes as usize);
        for booth in &mut booths {
            booth.new_edits = 0;
        }
        staff.new_publishes = 0;
        eprintln!(
            "round {round}: checked, {} loss(es); then load for {} ms and kill -9 ({} uploads, {} deletes, {} submissions, {} approvals acknowledged; publish {} in flight)",
            tally.losses.len() - before,
            delay.as_millis(),
            booths.iter().map(|b| b.new_uploads.len()).sum::<usize>(),
            booths.iter().map(|b| b.new_deletes.len()).sum::<usize>(),
            booths
                .iter()
                .map(|b| b.new_submissions.len())
                .sum::<usize>(),
            staff.new_approvals.len(),
            if staff.publish_in_flight {
                "was"
            } else {
                "not"
            },
        );
    }

    println!(
        "chaos: {} rounds in {:.0} s (seed {}), binary {}",
        options.rounds,
        started.elapsed().as_secs_f64(),
        options.seed,
        pavilion.binary.display()
    );
    println!("  acknowledged writes (each checked after the kill that followed it):");
    for (kind, count) in &acked {
        println!("    {kind:<22} {count}");
    }
    println!("    total                  {}", acked.values().sum::<u64>());
    println!("  checks made after restarts (cumulative state is re-checked every round):");
    for (kind, count) in &tally.checked {
        println!("    {kind:<22} {count}");
    }
    println!("  losses: {}", tally.losses.len());
    if !tally.losses.is_empty() {
        for loss in &tally.losses {
            println!("  LOSS: {loss}");
        }
        bail!(
            "{} loss(es) in {} rounds",
            tally.losses.len(),
            options.rounds
        );
    }
    Ok(())
}

/// Checks that the writes acknowledged before the last kill are all there.
fn verify(address: &str, booths: &mut [Booth], staff: &mut Staff, tally: &mut Tally) -> Result<()> {
    for booth in booths.iter_mut() {
        let listed_in_order: Vec<String> = get_json(address, "/api/v1/me/media", &booth.token)?
            .as_array()
            .context("the media list is an array")?
            .iter()
            .filter_map(|item| item["sha256"].as_str().map(str::to_owned))
            .collect();
        let listed: BTreeSet<String> = listed_in_order.iter().cloned().collect();
        for sha in &booth.uploads {
            if booth.delete_in_flight.as_deref() == Some(sha.as_str()) {
                continue;
            }
            tally.check("uploads listed", listed.contains(sha), || {
                format!("{}: acknowledged upload {sha} is not listed", booth.slug)
            });
        }
        for (sha, url) in &booth.new_uploads {
            // Staff see every file, published or not.
            let reply = http(
                address,
                "GET",
                url,
                &[("Authorization", &bearer(&staff.token))],
                &[],
            )?;
            let digest = hex::encode(Sha256::digest(&reply.body));
            tally.check(
                "uploads served",
                reply.status == 200 && digest == *sha,
                || {
                    format!(
                        "{}: {url} answered {} with bytes hashing to {digest}",
                        booth.slug, reply.status
                    )
                },
            );
        }
        for sha in &booth.new_deletes {
            tally.check("deletes", !listed.contains(sha), || {
                format!("{}: acknowledged delete of {sha} undone", booth.slug)
            });
        }
        if let Some(tagline) = &booth.tagline {
            let draft = get_json(address, "/api/v1/me/profile", &booth.token)?;
            let now = draft["profile"]["tagline"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            let ok = now == *tagline || booth.tagline_in_flight.as_deref() == Some(now.as_str());
            tally.check("profile edits", ok, || {
                format!(
                    "{}: draft tagline is {now:?}, last acknowledged {tagline:?}",
                    booth.slug
                )
            });
            booth.tagline = Some(now);
        }
        for id in &booth.new_submissions {
            let reply = http(
                address,
                "GET",
                &format!("/api/v1/staff/submissions/{id}"),
                &[("Authorization", &bearer(&staff.token))],
                &[],
            )?;
            tally.check("submissions", reply.status == 200, || {
                format!(
                    "{}: acknowledged submission {id} answers {}",
                    booth.slug, reply.status
                )
            });
        }
        // Whatever the list says now is the truth the next round builds on.
        booth.uploads = listed_in_order;
        booth.new_uploads.clear();
        booth.new_deletes.clear();
        booth.new_submissions.clear();
        booth.delete_in_flight = None;
        booth.upload_in_flight = false;
        booth.tagline_in_flight = None;
    }
    let approved: BTreeSet<i64> = get_json(
        address,
        "/api/v1/staff/submissions?status=approved",
        &staff.token,
    )?
    .as_array()
    .context("the submission list is an array")?
    .iter()
    .filter_map(|s| s["id"].as_i64())
    .collect();
    for id in &staff.approved {
        tally.check("approvals", approved.contains(id), || {
            format!("acknowledged approval of submission {id} is not in the approved list")
        });
    }
    staff.new_approvals.clear();
    let served = served_version(address)?;
    let acknowledged = staff.versions.contains(&served);
    let in_flight =
        staff.publish_in_flight && served == staff.versions.last().copied().unwrap_or(0) + 1;
    tally.check(
        "publishes",
        served >= staff.last_version && (acknowledged || in_flight),
        || {
            format!(
                "served version {served}, last acknowledged {}, publish in flight: {}",
                staff.last_version, staff.publish_in_flight
            )
        },
    );
    staff.versions.insert(served);
    staff.last_version = served;
    staff.publish_in_flight = false;
    Ok(())
}

/// Drives the writers for `delay`, then kills the server with SIGKILL while they run.
fn load(
    address: &str,
    booths: Vec<Booth>,
    staff: Staff,
    round: usize,
    delay: Duration,
    pid: u32,
) -> (Vec<Booth>, Staff) {
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = booths
        .into_iter()
        .map(|booth| {
            let (stop, address) = (Arc::clone(&stop), address.to_owned());
            thread::spawn(move || exhibitor_worker(&address, booth, round, &stop))
        })
        .collect();
    let staff_worker = {
        let (stop, address) = (Arc::clone(&stop), address.to_owned());
        thread::spawn(move || staff_worker(&address, staff, &stop))
    };
    thread::sleep(delay);
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status();
    stop.store(true, Ordering::SeqCst);
    let booths = workers
        .into_iter()
        .map(|w| w.join().expect("worker"))
        .collect();
    (booths, staff_worker.join().expect("staff worker"))
}

fn exhibitor_worker(address: &str, mut booth: Booth, round: usize, stop: &AtomicBool) -> Booth {
    let auth = bearer(&booth.token);
    let Ok(reply) = http(
        address,
        "GET",
        "/api/v1/me/profile",
        &[("Authorization", &auth)],
        &[],
    ) else {
        return booth;
    };
    let Ok(mut profile) =
        serde_json::from_slice::<Value>(&reply.body).map(|d| d["profile"].clone())
    else {
        return booth;
    };
    let mut step = 0u64;
    while !stop.load(Ordering::SeqCst) {
        step += 1;
        let outcome = match step % 4 {
            0 | 2 => upload(address, &mut booth),
            1 => edit(address, &mut booth, &mut profile, round),
            _ => submit(address, &mut booth),
        };
        if outcome.is_err() {
            break; // the server is gone
        }
    }
    booth
}

fn upload(address: &str, booth: &mut Booth) -> Result<()> {
    let auth = bearer(&booth.token);
    if (booth.uploads.len() >= MEDIA_KEPT || booth.full) && !booth.uploads.is_empty() {
        booth.full = false;
        let oldest = booth.uploads[0].clone();
        booth.delete_in_flight = Some(oldest.clone());
        let reply = http(
            address,
            "DELETE",
            &format!("/api/v1/me/media/{oldest}"),
            &[("Authorization", &auth)],
            &[],
        )?;
        booth.delete_in_flight = None;
        if reply.status == 204 {
            booth.uploads.remove(0);
            booth.new_uploads.retain(|(sha, _)| *sha != oldest);
            booth.new_deletes.push(oldest);
        }
        return Ok(());
    }
    booth.pixels += 1;
    let png = picture(&booth.slug, booth.pixels)?;
    booth.upload_in_flight = true;
    let reply = http(
        address,
        "POST",
        "/api/v1/me/media?title=Chaos%20picture",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/octet-stream"),
        ],
        &png,
    )?;
    booth.upload_in_flight = false;
    if reply.status == 201 || reply.status == 200 {
        let item: Value = serde_json::from_slice(&reply.body)?;
        let sha = item["sha256"].as_str().context("sha256")?.to_owned();
        let url = item["url"].as_str().context("url")?.to_owned();
        if !booth.uploads.contains(&sha) {
            booth.uploads.push(sha.clone());
        }
        booth.new_uploads.push((sha, url));
    } else if reply.status == 409 {
        booth.full = true;
    }
    Ok(())
}

fn edit(address: &str, booth: &mut Booth, profile: &mut Value, round: usize) -> Result<()> {
    booth.edits += 1;
    let tagline = format!("Chaos round {round} edit {} of {}", booth.edits, booth.slug);
    let tagline: String = tagline.chars().take(100).collect();
    profile["tagline"] = json!(tagline);
    booth.tagline_in_flight = Some(tagline.clone());
    let reply = http(
        address,
        "PUT",
        "/api/v1/me/profile",
        &[
            ("Authorization", &bearer(&booth.token)),
            ("Content-Type", "application/json"),
        ],
        &serde_json::to_vec(profile)?,
    )?;
    if reply.status == 200 {
        booth.tagline = Some(tagline);
        booth.tagline_in_flight = None;
        booth.new_edits += 1;
    } else {
        bail!(
            "PUT /api/v1/me/profile answered {}: {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
    }
    Ok(())
}

fn submit(address: &str, booth: &mut Booth) -> Result<()> {
    let reply = http(
        address,
        "POST",
        "/api/v1/me/submission",
        &[("Authorization", &bearer(&booth.token))],
        &[],
    )?;
    if reply.status == 201 {
        let submission: Value = serde_json::from_slice(&reply.body)?;
        booth
            .new_submissions
            .push(submission["id"].as_i64().context("id")?);
    }
    Ok(())
}

fn staff_worker(address: &str, mut staff: Staff, stop: &AtomicBool) -> Staff {
    let auth = bearer(&staff.token);
    let mut turn = || -> Result<()> {
        let pending = get_json(address, "/api/v1/staff/submissions", &staff.token)?;
        for submission in pending.as_array().into_iter().flatten() {
            let Some(id) = submission["id"].as_i64() else {
                continue;
            };
            let reply = http(
                address,
                "POST",
                &format!("/api/v1/staff/submissions/{id}/approve"),
                &[("Authorization", &auth)],
                &[],
            )?;
            if reply.status == 200 {
                staff.approved.insert(id);
                staff.new_approvals.push(id);
            }
        }
        staff.publish_in_flight = true;
        let reply = http(
            address,
            "POST",
            "/api/v1/staff/publish",
            &[("Authorization", &auth)],
            &[],
        )?;
        staff.publish_in_flight = false;
        if reply.status == 200 {
            let version = serde_json::from_slice::<Value>(&reply.body)?["version"]
                .as_u64()
                .context("version")?;
            staff.versions.insert(version);
            staff.last_version = staff.last_version.max(version);
            staff.new_publishes += 1;
        }
        thread::sleep(Duration::from_millis(50));
        Ok(())
    };
    while !stop.load(Ordering::SeqCst) {
        if turn().is_err() {
            break;
        }
    }
    staff
}

/// A 24 x 24 PNG whose pixels spell out the booth and a counter, so each upload differs.
fn picture(slug: &str, counter: u64) -> Result<Vec<u8>> {
    let mut state = counter.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ slug
            .bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let mut pixels = vec![0u8; 24 * 24 * 3];
    for byte in &mut pixels {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *byte = state as u8;
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 24, 24);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header()?.write_image_data(&pixels)?;
    }
    Ok(out)
}

/// The data folder and how to run the binary on it.
struct Pavilion {
    binary: PathBuf,
    data: PathBuf,
    catalogue: PathBuf,
    root: PathBuf,
}

impl Pavilion {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .args(["--data-dir", &self.data.to_string_lossy()])
            .args(["--catalogue-dir", &self.catalogue.to_string_lossy()])
            // Everything nothing refers to goes at start-up, so check-data can demand none.
            .args(["--orphan-grace-hours", "0"])
            .current_dir(&self.root)
            .env("RUST_BACKTRACE", "0");
        command
    }

    fn start(&self, address: &str, log: &Path) -> Result<Server> {
        let log = fs::OpenOptions::new().create(true).append(true).open(log)?;
        let child = self
            .command()
            .args(["--bind", address, "serve"])
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("starting {}", self.binary.display()))?;
        Ok(Server(child))
    }

    fn create_token(&self, slug: &str) -> Result<String> {
        let output = self
            .command()
            .args(["token", "create", "--exhibitor", slug, "--label", "chaos"])
            .stderr(Stdio::null())
            .output()?;
        let stdout = String::from_utf8(output.stdout)?;
        let token = stdout.lines().last().unwrap_or("").trim().to_owned();
        if !output.status.success() || !token.starts_with("pex_") {
            bail!("`pavilion token create --exhibitor {slug}` failed: {stdout}");
        }
        Ok(token)
    }

    fn create_admin(&self, work: &Path, password: &str) -> Result<()> {
        let file = work.join("staff-password.txt");
        fs::write(&file, format!("{password}\n"))?;
        let status = self
            .command()
            .args([
                "staff",
                "create",
                STAFF_NAME,
                "--role",
                "admin",
                "--password-file",
            ])
            .arg(&file)
            .stdout(Stdio::null())
            .status()?;
        if !status.success() {
            bail!("`pavilion staff create` failed with {status}");
        }
        Ok(())
    }

    /// `pavilion check-data`'s JSON, with `ok` added.
    fn check_data(&self) -> Result<Value> {
        let output = self
            .command()
            .arg("check-data")
            .stderr(Stdio::inherit())
            .output()?;
        let mut check: Value = serde_json::from_slice(&output.stdout).with_context(|| {
            format!(
                "check-data printed {:?}",
                String::from_utf8_lossy(&output.stdout)
            )
        })?;
        check["ok"] = json!(output.status.success());
        Ok(check)
    }
}

/// Copies kestrel-ward and the next few catalogue folders (with their media) into `to`.
fn small_catalogue(from: &Path, to: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(from)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("profile.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.retain(|n| n != "kestrel-ward");
    names.insert(0, "kestrel-ward".to_owned());
    names.truncate(BOOTHS);
    for name in &names {
        copy_tree(&from.join(name), &to.join(name))?;
    }
    Ok(names)
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        } else {
            fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

fn sign_in(address: &str, password: &str) -> Result<String> {
    let body = serde_json::to_vec(&json!({ "name": STAFF_NAME, "password": password }))?;
    let reply = http(
        address,
        "POST",
        "/api/v1/staff/sessions",
        &[("Content-Type", "application/json")],
        &body,
    )?;
    if reply.status != 201 {
        bail!(
            "staff sign-in answered {}: {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
    }
    Ok(serde_json::from_slice::<Value>(&reply.body)?["token"]
        .as_str()
        .context("a session token")?
        .to_owned())
}

fn served_version(address: &str) -> Result<u64> {
    let reply = http(address, "GET", "/api/v1/hall", &[], &[])?;
    serde_json::from_slice::<Value>(&reply.body)?["version"]
        .as_u64()
        .with_context(|| format!("/api/v1/hall answered {} without a version", reply.status))
}

fn get_json(address: &str, path: &str, token: &str) -> Result<Value> {
    let reply = http(
        address,
        "GET",
        path,
        &[("Authorization", &bearer(token))],
        &[],
    )?;
    if reply.status != 200 {
        bail!(
            "GET {path} answered {}: {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
    }
    Ok(serde_json::from_slice(&reply.body)?)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

struct Reply {
    status: u16,
    body: Vec<u8>,
}

/// One HTTP/1.1 request on its own connection (`Connection: close`); reads the whole answer,
/// de-chunking it when needed.
fn http(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Reply> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("no HTTP status in {line:?}"))?;
    let mut chunked = false;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    let mut raw = Vec::new();
    reader.read_to_end(&mut raw)?;
    let body = if chunked { dechunk(&raw)? } else { raw };
    Ok(Reply { status, body })
}

fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let end = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .context("a chunk size line")?;
        let size_text = std::str::from_utf8(&raw[..end])?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)?;
        raw = &raw[end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if raw.len() < size + 2 {
            bail!("a chunk is cut short");
        }
        body.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

/// A xorshift generator: reproducible rounds from `--seed`.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}
