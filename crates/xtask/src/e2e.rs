//! The browser end-to-end test: starts the real server on a fresh data directory with the
//! full catalogue, then runs web/tests/e2e.mjs (Playwright driving Debian's Chromium).

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::cmd;

/// Stops the server when the test ends, however it ends.
struct Server(Child);

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

pub fn run(root: &Path) -> Result<()> {
    let web = root.join("web");
    if !web.join("node_modules").join("playwright-core").exists() {
        cmd::run(&web, "npm", &["ci", "--no-audit", "--no-fund"])?;
    }
    cmd::run(
        root,
        &cmd::cargo(),
        &["build", "--package", "pavilion-server", "--bin", "pavilion"],
    )?;

    let target = crate::build_web::target_dir(root)?;
    let work = target.join("e2e");
    let data = work.join("data");
    if data.exists() {
        fs::remove_dir_all(&data)?;
    }
    fs::create_dir_all(&work)?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let address = format!("127.0.0.1:{port}");
    let log = fs::File::create(work.join("server.log"))?;

    let binary = target.join("debug").join("pavilion");
    let child = Command::new(&binary)
        .args([
            "--data-dir",
            &data.to_string_lossy(),
            "--bind",
            &address,
            "serve",
        ])
        .current_dir(root)
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let _server = Server(child);
    wait_until_healthy(&address, Duration::from_secs(240))
        .with_context(|| format!("see {}", work.join("server.log").display()))?;

    cmd::run_with_env(
        root,
        "node",
        &["web/tests/e2e.mjs"],
        &[
            ("PAVILION_URL", &format!("http://{address}/")),
            ("PAVILION_ARTIFACTS", &work.to_string_lossy()),
        ],
    )
}

fn wait_until_healthy(address: &str, limit: Duration) -> Result<()> {
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
