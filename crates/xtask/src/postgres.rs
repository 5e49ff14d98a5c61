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
        let port = crate::e2e::free_port()?;
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
/// against a throwaway PostgreSQL server, each test app in a schema of its own, then (with no
/// arguments) two server processes on one database of it ([`run_two_servers`]). Extra
/// arguments go to the test binary (a name filter, say) and skip the two servers.
pub fn run_api_tests(root: &Path, args: &[String]) -> Result<()> {
    let server = Postgres::start()?;
    let url = server.url();
    // `--workspace`, as in `cargo xtask test`'s `cargo test --workspace`: the same features,
    // so the same test binary and server (`-p pavilion-server` resolves features without the
    // other members and compiled both again, 80 s in CI).
    let mut cargo_args = vec!["test", "--workspace", "--test", "api", "--"];
    cargo_args.extend(args.iter().map(String::as_str));
    crate::cmd::run_with_env(
        root,
        &crate::cmd::cargo(),
        &cargo_args,
        &[
            ("PAVILION_TEST_DATABASE_URL", &url),
            ("PAVILION_TEST_S3", "1"),
        ],
    )?;
    if args.is_empty() {
        // Built by the `cargo test` above (cargo builds a package's binaries for its
        // integration tests).
        let binary = crate::e2e::server_binary(root, false)?;
        run_two_servers(root, &binary, &server, 6)?;
    }
    Ok(())
}

/// Runs `psql` as the test role on `server`'s `postgres` database with one statement.
fn psql(server: &Postgres, statement: &str) -> Result<()> {
    let bin = bin_dir()?;
    let psql = ["/usr/bin/psql", &bin.join("psql").to_string_lossy()]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
        .context("psql is not installed (apt-get install postgresql-client)")?;
    let output = command(&psql, server.dir.path())
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &server.port.to_string(),
            "-U",
            ROLE,
        ])
        .args([
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-c",
            statement,
        ])
        .output()?;
    if !output.status.success() {
        bail!("psql: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

/// Two `pavilion serve` processes (the debug `binary`) on one new database of `server` and
/// one bucket (s3rver), each with a data folder of its own, started together. Both come up
/// serving version 1 (one imported, the other waited for it); a staff session made on one is
/// good on the other; then `publishes` publishes alternate between them, the other must serve
/// each new version, and each serves the signage the other rendered. Prints how long each
/// took to reach the other server, and fails past 7 s (the poll interval plus margin).
pub fn run_two_servers(
    root: &Path,
    binary: &Path,
    server: &Postgres,
    publishes: usize,
) -> Result<()> {
    use crate::e2e::{create_staff_account_with, start_server, wait_until_healthy};
    psql(server, "CREATE DATABASE two_servers")?;
    let url = format!("postgres://{ROLE}@127.0.0.1:{}/two_servers", server.port);
    let work = tempfile::Builder::new().prefix("pavilion-two-").tempdir()?;
    // The servers share the media too: one bucket.
    let bucket = crate::s3rver::S3rver::start(root)?;
    let media_url = bucket.media_url();
    let env = [
        ("PAVILION_DATABASE_URL", url.as_str()),
        ("PAVILION_MEDIA_URL", media_url.as_str()),
        ("PAVILION_S3_ACCESS_KEY", crate::s3rver::KEY),
        ("PAVILION_S3_SECRET_KEY", crate::s3rver::KEY),
    ];
    let names = ["a", "b"];
    let mut servers = Vec::new();
    for name in names {
        let data = work.path().join(name);
        fs::create_dir_all(&data)?;
        let address = crate::e2e::free_address()?;
        let log = fs::File::create(work.path().join(format!("{name}.log")))?;
        servers.push((
            start_server(binary, &data, &address, root, log, &env)?,
            address,
        ));
    }
    for (name, (_, address)) in names.iter().zip(&servers) {
        wait_until_healthy(address, Duration::from_secs(180))
            .with_context(|| format!("server {name}: see {}/{name}.log", work.path().display()))?;
    }
    // The account is made through the first server's data folder (the database is shared).
    let data_a = work.path().join("a");
    let (name, password) = create_staff_account_with(binary, &data_a, root, work.path(), &env)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut clients = [&servers[0].1, &servers[1].1]
            .map(|address| crate::http_client::Client::plain(address));
        for client in &mut clients {
            let version = served_version(client).await?;
            anyhow::ensure!(version == 1, "a server serves version {version}, not 1");
        }
        let body = serde_json::json!({ "name": name, "password": password }).to_string();
        let json = (hyper::header::CONTENT_TYPE, "application/json");
        let session = clients[1]
            .send(
                hyper::Method::POST,
                "/api/v1/staff/sessions",
                &[json],
                body.into(),
            )
            .await?;
        anyhow::ensure!(
            session.status == 201,
            "sign-in on b: {}",
            session.describe()
        );
        let token: serde_json::Value = serde_json::from_slice(&session.body)?;
        let bearer = format!("Bearer {}", token["token"].as_str().unwrap_or_default());
        let mut took = Vec::new();
        for round in 0..publishes {
            let (from, to) = if round % 2 == 0 { (0, 1) } else { (1, 0) };
            let auth = (hyper::header::AUTHORIZATION, bearer.as_str());
            let publish = "/api/v1/staff/publish";
            let published = clients[from]
                .send(hyper::Method::POST, publish, &[auth], Default::default())
                .await?;
            let started = Instant::now();
            anyhow::ensure!(
                published.status.is_success(),
                "publish: {}",
                published.describe()
            );
            // The publish answers with the version it made live.
            let answer: serde_json::Value = serde_json::from_slice(&published.body)?;
            let version = answer["version"]
                .as_u64()
                .context("the publish names no version")?;
            while served_version(&mut clients[to]).await? != version {
                anyhow::ensure!(
                    started.elapsed() < Duration::from_secs(7),
                    "version {version}, published on one server, was not served by the other \
                     within 7 s"
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            took.push(started.elapsed());
        }
        // The newest signage was rendered and stored by whichever server published last;
        // both serve it from the bucket.
        for client in &mut clients {
            let hall = client.get("/api/v1/hall", &[]).await?;
            let hall: serde_json::Value = serde_json::from_slice(&hall.body)?;
            let sign = hall["halls"][0]["sign_url"]
                .as_str()
                .context("a hall sign")?;
            let answer = client.get(sign, &[]).await?;
            anyhow::ensure!(answer.status == 200, "{sign}: {}", answer.describe());
        }
        took.sort();
        if let (Some(first), Some(last)) = (took.first(), took.last()) {
            eprintln!(
                "two servers on one PostgreSQL database: {} publishes, each served by the other \
                 server after {:.0} ms (median), {:.0} to {:.0} ms",
                took.len(),
                took[took.len() / 2].as_secs_f64() * 1000.0,
                first.as_secs_f64() * 1000.0,
                last.as_secs_f64() * 1000.0
            );
        }
        Ok(())
    })?;
    drop(servers);
    Ok(())
}

async fn served_version(client: &mut crate::http_client::Client) -> Result<u64> {
    let answer = client.get("/api/v1/hall", &[]).await?;
    anyhow::ensure!(
        answer.status == 200,
        "GET /api/v1/hall: {}",
        answer.describe()
    );
    let hall: serde_json::Value = serde_json::from_slice(&answer.body)?;
    hall["version"].as_u64().context("the hall has no version")
}
