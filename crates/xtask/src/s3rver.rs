//! s3rver (npm, a devDependency of `web/`) as a throwaway S3-compatible object store for
//! harnesses: one bucket, files under a temporary folder, a free loopback port, killed on drop.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// s3rver's fixed credentials (access key and secret alike).
pub const KEY: &str = "S3RVER";
const BUCKET: &str = "pavilion-media";

pub struct S3rver {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl S3rver {
    /// Starts `web/node_modules/.bin/s3rver` (installed by `npm ci` in `web/`) with one empty
    /// bucket; waits until it accepts connections.
    pub fn start(root: &Path) -> Result<S3rver> {
        let binary = root.join("web/node_modules/.bin/s3rver");
        if !binary.is_file() {
            bail!("no s3rver at {}: run `npm ci` in web/", binary.display());
        }
        let dir = tempfile::Builder::new().prefix("pavilion-s3-").tempdir()?;
        let port = crate::e2e::free_port()?;
        let child = Command::new(&binary)
            .arg("-d")
            .arg(dir.path())
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .args(["--configure-bucket", BUCKET])
            // s3rver makes its continuation tokens with DES, in OpenSSL 3's legacy provider.
            .env("NODE_OPTIONS", "--openssl-legacy-provider")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut server = S3rver {
            child,
            port,
            _dir: dir,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait()? {
                bail!("s3rver stopped with {status}");
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("s3rver did not listen on port {port} within 30 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    /// The `--media-url` of its bucket.
    pub fn media_url(&self) -> String {
        format!(
            "s3://{BUCKET}?endpoint=http://127.0.0.1:{}&region=us-east-1",
            self.port
        )
    }
}

impl Drop for S3rver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
