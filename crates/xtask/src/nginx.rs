//! nginx from Debian as our own unprivileged process: a generated configuration under a
//! folder of ours, one `server` on a loopback address, stopped on drop. The baseline of the
//! serving benchmarks and the host of the static-export browser test.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The nginx binary Debian installs.
pub fn binary() -> Result<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
        .context("nginx is not installed (apt-get install nginx-light)")
}

/// A running nginx; SIGQUIT (a graceful stop) on drop.
pub struct Nginx(Child);

impl Nginx {
    /// Starts `binary` with its files under `dir`, listening on `address` with one server
    /// whose directives are `server` (`{prefix}` in it stands for `dir`, made absolute).
    pub fn start(binary: &Path, dir: &Path, address: &str, server: &str) -> Result<Nginx> {
        fs::create_dir_all(dir)?;
        let prefix = dir.canonicalize()?;
        let p = prefix.display();
        for folder in ["tmp", "logs"] {
            fs::create_dir_all(prefix.join(folder))?;
        }
        let server = server.replace("{prefix}", &p.to_string());
        let config = format!(
            r#"worker_processes auto;
pid {p}/nginx.pid;
error_log {p}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush off;
    tcp_nodelay on;
    keepalive_requests 100000000;
    keepalive_timeout 75s;
    client_body_temp_path {p}/tmp/body;
    proxy_temp_path {p}/tmp/proxy;
    fastcgi_temp_path {p}/tmp/fastcgi;
    uwsgi_temp_path {p}/tmp/uwsgi;
    scgi_temp_path {p}/tmp/scgi;
    server {{
        listen {address};
{server}
    }}
}}
"#
        );
        let path = prefix.join("nginx.conf");
        fs::write(&path, config)?;
        let child = Command::new(binary)
            .args(["-p", &p.to_string(), "-c", &path.to_string_lossy()])
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::from(fs::File::create(
                prefix.join("logs").join("stderr.log"),
            )?))
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut nginx = Nginx(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(address).is_err() {
            if let Some(status) = nginx.0.try_wait()? {
                bail!("nginx stopped with {status}; see {p}/logs/stderr.log");
            }
            if started.elapsed() > Duration::from_secs(10) {
                bail!("nginx did not listen on {address}; see {p}/logs");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(nginx)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-QUIT", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}
