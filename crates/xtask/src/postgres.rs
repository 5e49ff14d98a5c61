//! PostgreSQL from Debian as a throwaway server of our own: a new cluster in a temporary
//! folder (`initdb`, C locale, trust authentication on loopback only), listening on a free
//! loopback port, stopped and deleted on drop. The API tests and the two-instance test run
//! against it. PostgreSQL refuses to run as root, so under root the cluster belongs to the
//! `postgres` account the Debian package creates and its programs run as that account.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The account the Debian package creates; used only when we run as root.
const SERVICE_ACCOUNT: &str = "postgres";
/// The database role the tests connect as (a superuser of the throwaway cluster).
const ROLE: &str = "pavilion";

/// The folder of the newest PostgreSQL server programs Debian installed.
pub fn bin_dir() -> Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL is not installed (apt-get install postgresql)")?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("postgres").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .context("no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)")
}

/// A running throwaway PostgreSQL server.
pub struct Postgres {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

/// True when this process runs as root (its effective user id, from `/proc/self/status`).
fn is_root() -> bool {
    fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            == Some("0")
    })
}

/// `program args…`, as the service account when we are root (`setpriv` executes the
/// program in its own place, so the child's pid is the program's and signals reach it).
fn command(program: &Path, dir: &Path) -> Command {
    let mut command = if is_root() {
        let mut command = Command::new("setpriv");
        command
            .args([
                "--reuid",
                SERVICE_ACCOUNT,
                "--regid",
                SERVICE_ACCOUNT,
                "--clear-groups",
            ])
            .arg(program);
        command
    } else {
        Command::new(program)
    };
    command.current_dir(dir);
    command
}

impl Postgres {
    /// Creates a cluster and starts it on a free loopback port; waits until it accepts
    /// connections.
    pub fn start() -> Result<Postgres> {
        let bin = bin_dir()?;
        let dir = tempfile::Builder::new().prefix("pavilion-pg-").tempdir()?;
        let data = dir.path().join("data");
        if is_root() {
            // The service account must own the cluster (and reach it through the folder).
            fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755))?;
            let status = Command::new("chown")
                .args([
                    &format!("{SERVICE_ACCOUNT}:"),
                    &dir.path().display().to_string(),
                ])
                .status()?;
            if !status.success() {
                bail!("chown {SERVICE_ACCOUNT} {} failed", dir.path().display());
            }
        }
        let output = command(&bin.join("initdb"), dir.path())
            .arg("--pgdata")
            .arg(&data)
            .args(["--username", ROLE, "--auth", "trust", "--no-locale"])
            .args(["--encoding", "UTF8", "--no-sync"])
            .output()
            .context("running initdb")?;
        if !output.status.success() {
            bail!(
                "initdb failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let log = fs::File::create(dir.path().join("server.log"))?;
        if is_root() {
            let _ = Command::new("chown")
                .args([
                    &format!("{SERVICE_ACCOUNT}:"),
                    &dir.path().join("server.log").display().to_string(),
                ])
                .status();
        }
        // Durability settings off: a test cluster is thrown away, and fsync on every commit
        // of hundreds of tests costs minutes here. Production keeps PostgreSQL's defaults.
        let child = command(&bin.join("postgres"), dir.path())
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
            .arg("-c")
            .arg(format!("unix_socket_directories={}", dir.path().display()))
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=300"])
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .context("starting postgres")?;
        let mut server = Postgres { child, dir, port };
        let started = Instant::now();
        loop {
            let ready = command(&bin.join("pg_isready"), server.dir.path())
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", ROLE, "-q"])
                .status()?;
            if ready.success() {
                break;
            }
            if let Some(status) = server.child.try_wait()? {
                bail!(
                    "postgres stopped with {status}: {}",
                    fs::read_to_string(server.dir.path().join("server.log")).unwrap_or_default()
                );
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("postgres did not accept connections on port {port} within 30 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!(
            "PostgreSQL ({}) on 127.0.0.1:{port}, cluster {}",
            bin.display(),
            server.dir.path().display()
        );
        Ok(server)
    }

    /// The URL of the cluster's `postgres` database as the test role.
    pub fn url(&self) -> String {
        format!("postgres://{ROLE}@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGINT: PostgreSQL's "fast" shutdown (ends sessions, then stops cleanly).
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `cargo xtask test-postgres`: the API test suite (`crates/pavilion-server/tests/api`)
/// against a throwaway PostgreSQL server, each test app in a schema of its own. Extra
/// arguments go to the test binary (a name filter, say).
pub fn run_api_tests(root: &Path, args: &[String]) -> Result<()> {
    let server = Postgres::start()?;
    let url = server.url();
    let mut cargo_args = vec!["test", "-p", "pavilion-server", "--test", "api", "--"];
    cargo_args.extend(args.iter().map(String::as_str));
    crate::cmd::run_with_env(
        root,
        &crate::cmd::cargo(),
        &cargo_args,
        &[("PAVILION_TEST_DATABASE_URL", &url)],
    )
}
