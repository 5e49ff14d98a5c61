//! The browser end-to-end tests: starts the real server on a fresh data directory with the
//! full catalogue (and an exhibitor token made through the CLI), then runs web/tests/e2e.mjs,
//! web/tests/agenda.mjs (the week's agenda and calendar files), web/tests/portal.mjs,
//! web/tests/visitor-insights.mjs (analytics and the lead form) and, with a staff account made
//! through the CLI, web/tests/staff.mjs and web/tests/contest.mjs (a full contest round)
//! (after web/tests/csp-static.mjs, a server-less check that the pages use no inline code)
//! (Playwright driving Debian's Chromium). Then web/tests/tour.mjs: hall and topic links, the
//! minimap, the 2D plan, touch, and axe-core on every page. Last (it publishes, so nothing
//! after it sees a changed hall), web/tests/booth-panel.mjs: the panel's video, gallery,
//! brochure and model turntable, visited and saved booths. Then the static exports
//! (`pavilion export`) served by nginx: e2e.mjs and web/tests/export.mjs against one with no
//! API origin, export.mjs against one naming the running server (CORS across origins).

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::cmd;

/// Stops the server when the test ends, however it ends.
pub(crate) struct Server(pub(crate) Child);

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first so the server shuts down gracefully; then make sure it is gone.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
    }
}

/// Builds the debug server, then runs the browser tests against it.
pub fn run(root: &Path) -> Result<()> {
    build_server(root, false)?;
    run_prebuilt(root)
}

/// A loopback address with a port that was free a moment ago, for a server to bind.
pub(crate) fn free_address() -> Result<String> {
    Ok(format!("127.0.0.1:{}", free_port()?))
}

/// A loopback port that was free a moment ago, for a helper server (PostgreSQL, s3rver).
pub(crate) fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Builds the `pavilion` binary (release or debug) and returns its path.
pub(crate) fn build_server(root: &Path, release: bool) -> Result<PathBuf> {
    let mut args = vec!["build", "--package", "pavilion-server", "--bin", "pavilion"];
    if release {
        args.insert(1, "--release");
    }
    cmd::run(root, &cmd::cargo(), &args)?;
    server_binary(root, release)
}

/// Where cargo puts the `pavilion` binary of a release or debug build.
pub(crate) fn server_binary(root: &Path, release: bool) -> Result<PathBuf> {
    let profile = if release { "release" } else { "debug" };
    Ok(crate::build_web::target_dir(root)?
        .join(profile)
        .join("pavilion"))
}

/// Runs the browser tests against the debug server already in the target directory (for
/// `cargo xtask test`, where `cargo test --workspace` has just built it: a `cargo build` of
/// the one package resolves features differently and would compile it again).
pub fn run_prebuilt(root: &Path) -> Result<()> {
    let web = root.join("web");
    let modules = web.join("node_modules");
    if !modules.join("playwright-core").exists() || !modules.join("axe-core").exists() {
        cmd::run(&web, "npm", &["ci", "--no-audit", "--no-fund"])?;
    }
    // The pages stay ready for the Content-Security-Policy the server sends (no inline code).
    cmd::run(root, "node", &["web/tests/csp-static.mjs"])?;

    let target = crate::build_web::target_dir(root)?;
    let work = target.join("e2e");
    let data = work.join("data");
    if data.exists() {
        fs::remove_dir_all(&data)?;
    }
    fs::create_dir_all(&work)?;
    let address = free_address()?;
    let log = fs::File::create(work.join("server.log"))?;

    let binary = server_binary(root, false)?;
    // The portal test signs in as an exhibitor: issue its token the way staff would.
    let token = create_exhibitor_token(&binary, &data, root, "kestrel-ward")?;
    // The staff console test signs in as staff: make the account through the CLI.
    let (staff_name, staff_password) = create_staff_account(&binary, &data, root, &work)?;
    // The static exports made below are served at `export_address`: the server lets their
    // pages call it across origins.
    let export_address = free_address()?;
    let export_origin = format!("http://{export_address}");
    let _server = start_server(
        &binary,
        &data,
        &address,
        root,
        log,
        &[("PAVILION_CORS_ORIGINS", export_origin.as_str())],
    )?;
    wait_until_healthy(&address, Duration::from_secs(240))
        .with_context(|| format!("see {}", work.join("server.log").display()))?;

    // Every test gets the same environment (each reads only what it needs), in this order:
    // booth-panel.mjs publishes, so it goes last, where nothing after it sees a changed hall.
    let url = format!("http://{address}/");
    let artifacts = work.to_string_lossy();
    let env = [
        ("PAVILION_URL", url.as_str()),
        ("PAVILION_EXHIBITOR_TOKEN", token.as_str()),
        ("PAVILION_STAFF_NAME", staff_name.as_str()),
        ("PAVILION_STAFF_PASSWORD", staff_password.as_str()),
        ("PAVILION_ARTIFACTS", &artifacts),
    ];
    for test in BROWSER_TESTS {
        cmd::run_with_env(root, "node", &[test], &env)?;
    }
    run_export_tests(root, &binary, &data, &work, &export_address, &address)?;
    run_stage_test(root, &binary, &work)
}

/// Exports the published hall twice and serves each export with nginx (not Pavilion) at
/// `export_address`: with no API origin, the visitor test `e2e.mjs` and `export.mjs`; then
/// naming the running server at `server_address`, `export.mjs` again (CORS, analytics, the
/// contest across origins).
fn run_export_tests(
    root: &Path,
    binary: &Path,
    data: &Path,
    work: &Path,
    export_address: &str,
    server_address: &str,
) -> Result<()> {
    let nginx = crate::nginx::binary()?;
    let api_origin = format!("http://{server_address}");
    for (mode, origin) in [("static", None), ("api", Some(api_origin.as_str()))] {
        let site = work.join(format!("export-{mode}"));
        if site.exists() {
            fs::remove_dir_all(&site)?;
        }
        let mut command = Command::new(binary);
        command
            .args(["--data-dir", &data.to_string_lossy(), "export"])
            .arg(&site)
            .current_dir(root);
        if let Some(origin) = origin {
            command.args(["--api-origin", origin]);
        }
        let status = command
            .status()
            .with_context(|| format!("running {} export", binary.display()))?;
        if !status.success() {
            bail!("`pavilion export` failed with {status}");
        }
        let site = site.canonicalize()?;
        let _nginx = crate::nginx::Nginx::start(
            &nginx,
            &work.join(format!("nginx-{mode}")),
            export_address,
            &format!(
                "        root {0};\n        include {0}/nginx.conf;",
                site.display()
            ),
        )?;
        let url = format!("http://{export_address}/");
        let artifacts = work.join(format!("export-{mode}-artifacts"));
        let artifacts = artifacts.to_string_lossy();
        let mut env = vec![
            ("PAVILION_URL", url.as_str()),
            ("PAVILION_EXPORT", mode),
            ("PAVILION_ARTIFACTS", &artifacts),
        ];
        if let Some(origin) = origin {
            env.push(("PAVILION_API_ORIGIN", origin));
        } else {
            env.push(("PAVILION_STATIC", "1"));
            cmd::run_with_env(root, "node", &["web/tests/e2e.mjs"], &env)?;
        }
        cmd::run_with_env(root, "node", &["web/tests/export.mjs"], &env)?;
    }
    Ok(())
}

/// Where the stage test stands the programme clock when its server starts: five minutes into
/// the seed week's first keynote, which has a recording, so it plays as a premiere.
const STAGE_CLOCK: &str = "2020-09-14T09:45:00+08:00";

/// Runs `web/tests/stage.mjs` against a server of its own, started on a fresh data folder
/// with the programme clock in the first keynote (the clock is set when a server starts).
fn run_stage_test(root: &Path, binary: &Path, work: &Path) -> Result<()> {
    let data = work.join("stage-data");
    if data.exists() {
        fs::remove_dir_all(&data)?;
    }
    let address = free_address()?;
    let log = fs::File::create(work.join("stage-server.log"))?;
    let _server = start_server(
        binary,
        &data,
        &address,
        root,
        log,
        &[("PAVILION_CLOCK", STAGE_CLOCK)],
    )?;
    wait_until_healthy(&address, Duration::from_secs(240))
        .with_context(|| format!("see {}", work.join("stage-server.log").display()))?;
    let url = format!("http://{address}/");
    let artifacts = work.to_string_lossy();
    cmd::run_with_env(
        root,
        "node",
        &["web/tests/stage.mjs"],
        &[
            ("PAVILION_URL", url.as_str()),
            ("PAVILION_ARTIFACTS", &artifacts),
        ],
    )
}

/// The browser tests against the running server, in the order they run.
const BROWSER_TESTS: [&str; 8] = [
    "web/tests/e2e.mjs",
    "web/tests/agenda.mjs",
    "web/tests/portal.mjs",
    "web/tests/visitor-insights.mjs",
    "web/tests/staff.mjs",
    "web/tests/contest.mjs",
    "web/tests/tour.mjs",
    "web/tests/booth-panel.mjs",
];

/// Starts `pavilion serve` on `data` at `address`, from `root`, logging to `log`.
pub(crate) fn start_server(
    binary: &Path,
    data: &Path,
    address: &str,
    root: &Path,
    log: fs::File,
    env: &[(&str, &str)],
) -> Result<Server> {
    let child = Command::new(binary)
        .envs(env.iter().copied())
        .args([
            "--data-dir",
            &data.to_string_lossy(),
            "--bind",
            address,
            "serve",
        ])
        .current_dir(root)
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    Ok(Server(child))
}

/// Creates an admin account with `pavilion staff create --password-file` and returns its
/// name and password (throwaway: the data folder is new for every run).
pub(crate) fn create_staff_account(
    binary: &Path,
    data: &Path,
    root: &Path,
    work: &Path,
) -> Result<(String, String)> {
    create_staff_account_with(binary, data, root, work, &[])
}

/// [`create_staff_account`] with extra environment for the command (a database URL, say).
pub(crate) fn create_staff_account_with(
    binary: &Path,
    data: &Path,
    root: &Path,
    work: &Path,
    env: &[(&str, &str)],
) -> Result<(String, String)> {
    let name = "e2e-curator".to_owned();
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let password = format!("e2e-{nonce}-{}", std::process::id());
    let file = work.join("staff-password.txt");
    fs::write(&file, format!("{password}\n"))?;
    let status = Command::new(binary)
        .envs(env.iter().copied())
        .args([
            "--data-dir",
            &data.to_string_lossy(),
            "staff",
            "create",
            &name,
        ])
        .args([
            "--role",
            "admin",
            "--password-file",
            &file.to_string_lossy(),
        ])
        .current_dir(root)
        .stdout(Stdio::null())
        .status()
        .with_context(|| format!("running {} staff create", binary.display()))?;
    if !status.success() {
        bail!("`pavilion staff create` failed with {status}");
    }
    Ok((name, password))
}

/// Issues an exhibitor token with `pavilion token create` (which imports the catalogue into
/// a fresh data folder first) and returns it: the last line the command prints.
pub(crate) fn create_exhibitor_token(
    binary: &Path,
    data: &Path,
    root: &Path,
    exhibitor: &str,
) -> Result<String> {
    let output = Command::new(binary)
        .args([
            "--data-dir",
            &data.to_string_lossy(),
            "token",
            "create",
            "--exhibitor",
            exhibitor,
        ])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {} token create", binary.display()))?;
    if !output.status.success() {
        bail!("`pavilion token create` failed with {}", output.status);
    }
    let stdout = String::from_utf8(output.stdout)?;
    let token = stdout.lines().last().unwrap_or("").trim().to_owned();
    if !token.starts_with("pex_") {
        bail!("`pavilion token create` printed no token: {stdout:?}");
    }
    Ok(token)
}

/// Starts `binary` on `data` at a free loopback address with its output in `log`, and waits
/// (up to `limit`) until it answers `/healthz`; returns the running server and its address.
pub(crate) fn start_healthy_server(
    binary: &Path,
    data: &Path,
    root: &Path,
    log: &Path,
    env: &[(&str, &str)],
    limit: Duration,
) -> Result<(Server, String)> {
    let address = free_address()?;
    let server = start_server(binary, data, &address, root, fs::File::create(log)?, env)?;
    wait_until_healthy(&address, limit).with_context(|| format!("see {}", log.display()))?;
    Ok((server, address))
}

pub(crate) fn wait_until_healthy(address: &str, limit: Duration) -> Result<()> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Ok(mut stream) = TcpStream::connect(address) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let request =
                format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.1 200") {
                    eprintln!(
                        "server healthy after {:.1} s",
                        started.elapsed().as_secs_f64()
                    );
                    return Ok(());
                }
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    bail!("the server at {address} did not become healthy within {limit:?}")
}
