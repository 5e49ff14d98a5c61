//! Media in an S3-compatible bucket, against a real object store started here: s3rver (npm,
//! file-backed, checks AWS Signature V4), installed by `npm ci` in `web/` (`cargo xtask test`
//! and CI do that; without it these tests fail when `CI` or `PAVILION_TEST_S3` is set and are
//! skipped with a note otherwise). Each test starts its own server on a port it picks, with
//! its own folder, and stops it when done.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime};

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use pavilion_server::cli::Config;
use pavilion_server::media::s3::{S3Bucket, S3Config, S3Credentials};
use tempfile::TempDir;

use crate::me_support::{exhibitor_token, mp4, png, send, send_with};
use crate::{KESTREL, TestApp, spawn_app_configured};

const BUCKET: &str = "pavilion-test";
/// s3rver's fixed credentials.
const KEY: &str = "S3RVER";

/// A running s3rver, killed on drop.
struct S3Server {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl S3Server {
    fn media_url(&self) -> String {
        format!(
            "s3://{BUCKET}?endpoint=http://127.0.0.1:{}&region=us-east-1",
            self.port
        )
    }

    fn bucket(&self) -> S3Bucket {
        S3Bucket::new(S3Config::parse(&self.media_url(), KEY, KEY).unwrap())
    }

    /// An app whose media live in this server's bucket.
    async fn app(&self) -> TestApp {
        let url = self.media_url();
        spawn_app_configured(move |config: &mut Config| {
            config.media_url = Some(url);
            config.s3_credentials = Some(S3Credentials {
                access_key: KEY.into(),
                secret_key: KEY.into(),
            });
        })
        .await
    }

    /// The bucket's keys, sorted.
    async fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .bucket()
            .list_all(1000)
            .await
            .unwrap()
            .into_iter()
            .map(|object| object.key)
            .collect();
        keys.sort();
        keys
    }
}

fn s3rver_binary() -> PathBuf {
    std::env::var_os("PAVILION_S3RVER").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/node_modules/.bin/s3rver"),
        PathBuf::from,
    )
}

/// Starts s3rver with one empty bucket; `None` (a skip) only where S3 tests are not required.
fn start() -> Option<S3Server> {
    let binary = s3rver_binary();
    if !binary.is_file() {
        let required = std::env::var_os("CI").is_some_and(|v| !v.is_empty())
            || std::env::var_os("PAVILION_TEST_S3").is_some_and(|v| !v.is_empty());
        assert!(
            !required,
            "the S3 tests need s3rver at {}: run `npm ci` in web/ (cargo xtask test does)",
            binary.display()
        );
        eprintln!(
            "skipped: no s3rver at {} (run `npm ci` in web/)",
            binary.display()
        );
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(&binary)
        .args(["-d"])
        .arg(dir.path())
        .args(["-a", "127.0.0.1", "-p", "0", "--configure-bucket", BUCKET])
        // s3rver makes its continuation tokens with DES, which OpenSSL 3 (Node 17 and later)
        // keeps in its legacy provider.
        .env("NODE_OPTIONS", "--openssl-legacy-provider")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    // Reads the port from the first line, then drains the log so the pipe never fills.
    std::thread::spawn(move || {
        let mut sender = Some(sender);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(port) = line
                .split("listening on 127.0.0.1:")
                .nth(1)
                .and_then(|rest| rest.trim().parse::<u16>().ok())
                && let Some(sender) = sender.take()
            {
                let _ = sender.send(port);
            }
        }
    });
    let Ok(port) = receiver.recv_timeout(Duration::from_secs(30)) else {
        let _ = child.kill();
        panic!("s3rver did not say it was listening within 30 s");
    };
    Some(S3Server {
        child,
        port,
        _dir: dir,
    })
}

/// The files under the local media folder (uploads' temp files included).
fn local_files(app: &TestApp) -> Vec<PathBuf> {
    fn walk(dir: &std::path::Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(&app.config.data_dir.join("media"), &mut found);
    found
}

#[tokio::test]
async fn uploads_go_to_the_bucket_and_are_served_back_with_ranges() {
    let Some(server) = start() else { return };
    let app = server.app().await;
    // The start-up import and publish stored the catalogue's media and signage there.
    let at_start = server.keys().await;
    assert!(!at_start.is_empty(), "the first publish stored nothing");
    assert!(local_files(&app).is_empty(), "{:?}", local_files(&app));
    let hall = app.get("/api/v1/hall").await.json();
    let logo = hall["exhibitors"][0]["logo_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let served = app.get(&logo).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.header("content-type"), "image/png");

    let token = exhibitor_token(&app, KESTREL).await;
    let authorization = format!("Bearer {token}");
    let own = ("authorization", authorization.as_str());
    // Bigger than the hot cache's largest file: served by ranged GETs on the bucket.
    let video = mp4(9 * 1024 * 1024);
    let reply = send(
        &app,
        "POST",
        "/api/v1/me/media",
        Some(&token),
        video.clone(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.json());
    let item = reply.json();
    let sha256 = item["sha256"].as_str().unwrap().to_owned();
    let key = format!("{sha256}.mp4");
    assert!(server.keys().await.contains(&key));
    let object = server.bucket().get(&key).await.unwrap().unwrap();
    assert!(object == video, "the object is the upload's bytes");
    assert!(local_files(&app).is_empty(), "{:?}", local_files(&app));

    let url = item["url"].as_str().unwrap().to_owned();
    let whole = app.get_with(&url, &[own]).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.header("content-length"), video.len().to_string());
    assert!(whole.body.as_ref() == video.as_slice());
    let part = app
        .get_with(&url, &[own, ("range", "bytes=1000000-1000099")])
        .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.header("content-range"),
        format!("bytes 1000000-1000099/{}", video.len())
    );
    assert_eq!(part.body.as_ref(), &video[1_000_000..1_000_100]);
    let tail = app.get_with(&url, &[own, ("range", "bytes=-10")]).await;
    assert_eq!(tail.body.as_ref(), &video[video.len() - 10..]);

    // A small picture: from the bucket once, then from memory, ranges sliced from it.
    let picture = send(
        &app,
        "POST",
        "/api/v1/me/media",
        Some(&token),
        png(8, 8, [9, 8, 7]),
    )
    .await
    .json();
    let url = picture["url"].as_str().unwrap();
    let first = app.get_with(url, &[own]).await;
    assert_eq!(first.status, StatusCode::OK);
    let part = app.get_with(url, &[own, ("range", "bytes=0-7")]).await;
    assert_eq!(part.body.as_ref(), &first.body[..8]);
    assert!(
        server
            .keys()
            .await
            .contains(&format!("{}.png", picture["sha256"].as_str().unwrap()))
    );
    // Hidden from others as with the folder.
    assert_eq!(app.get(url).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn refused_and_interrupted_uploads_leave_no_object() {
    let Some(server) = start() else { return };
    let app = server.app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let before = server.keys().await;

    let html = b"<html><body><script>alert(1)</script></body></html>".to_vec();
    let reply = send(&app, "POST", "/api/v1/me/media", Some(&token), html).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mut broken_png = png(8, 8, [1, 2, 3]);
    broken_png.truncate(40);
    let reply = send(&app, "POST", "/api/v1/me/media", Some(&token), broken_png).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A body that stops halfway, as when the client is killed mid-upload.
    let video = mp4(2 * 1024 * 1024);
    let half = Bytes::copy_from_slice(&video[..video.len() / 2]);
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(half),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "the client went away",
        )),
    ];
    let length = video.len().to_string();
    let reply = send_with(
        &app,
        "POST",
        "/api/v1/me/media",
        Some(&token),
        &[("content-length", &length)],
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
    .await;
    assert!(reply.status.is_client_error(), "{}", reply.status);

    assert_eq!(server.keys().await, before, "no object was stored");
    assert!(local_files(&app).is_empty(), "{:?}", local_files(&app));
}

#[tokio::test]
async fn the_sweep_deletes_unreferenced_objects() {
    let Some(server) = start() else { return };
    let app = server.app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let kept = send(
        &app,
        "POST",
        "/api/v1/me/media",
        Some(&token),
        png(6, 6, [1, 1, 1]),
    )
    .await
    .json();
    let dropped = send(
        &app,
        "POST",
        "/api/v1/me/media",
        Some(&token),
        png(6, 6, [2, 2, 2]),
    )
    .await
    .json();
    let uri = format!("/api/v1/me/media/{}", dropped["sha256"].as_str().unwrap());
    assert_eq!(
        send(&app, "DELETE", &uri, Some(&token), "").await.status,
        StatusCode::NO_CONTENT
    );
    let key = |item: &serde_json::Value| format!("{}.png", item["sha256"].as_str().unwrap());
    // An object nothing records at all (left by a crash between PUT and row).
    let stray_bytes = b"stray".to_vec();
    let stray = format!("{}.png", hex_sha256(&stray_bytes));
    server
        .bucket()
        .put_bytes(
            &stray,
            Bytes::from(stray_bytes.clone()),
            &hex_sha256(&stray_bytes),
        )
        .await
        .unwrap();

    let now = SystemTime::now();
    let report = app.state.sweep_storage(now, false).await.unwrap();
    assert_eq!(report.media_files, 0, "within the grace period: {report}");
    assert!(server.keys().await.contains(&key(&dropped)));

    let later = now + Duration::from_secs(25 * 3600);
    let report = app.state.sweep_storage(later, false).await.unwrap();
    assert_eq!(report.media_rows, 1, "{report}");
    assert_eq!(report.media_files, 2, "{report}");
    let keys = server.keys().await;
    assert!(!keys.contains(&key(&dropped)) && !keys.contains(&stray));
    assert!(keys.contains(&key(&kept)));
    let hall = app.get("/api/v1/hall").await.json();
    let sign = hall["halls"][0]["sign_url"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&sign).await.status, StatusCode::OK);
}

#[tokio::test]
async fn bucket_listings_paginate_and_errors_say_what_is_wrong() {
    let Some(server) = start() else { return };
    let bucket = server.bucket();
    bucket.check().await.unwrap();
    for n in 0..5u8 {
        let bytes = vec![n; 10];
        let key = format!("{}.pdf", hex_sha256(&bytes));
        bucket
            .put_bytes(&key, Bytes::from(bytes.clone()), &hex_sha256(&bytes))
            .await
            .unwrap();
    }
    let first = bucket.list_page(None, 2).await.unwrap();
    assert_eq!(first.objects.len(), 2);
    let token = first.next.expect("a continuation token");
    let second = bucket.list_page(Some(&token), 2).await.unwrap();
    assert_eq!(second.objects.len(), 2);
    assert!(second.objects.iter().all(|o| !first.objects.contains(o)));
    let all = bucket.list_all(2).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|object| object.size == 10));
    assert_eq!(bucket.head("missing.pdf").await.unwrap(), None);

    // s3rver checks the access key and the request's time, not the V4 signature itself
    // (`signatures_match_the_documented_example` in `media/s3.rs` checks the signer).
    let with = |url: String, access_key: &str| {
        let mut config = Config::for_data_dir(PathBuf::from("/nonexistent"), PathBuf::new());
        config.media_url = Some(url);
        config.s3_credentials = Some(S3Credentials {
            access_key: access_key.into(),
            secret_key: "a-secret-never-shown".into(),
        });
        config
    };
    let error = |config: Config| async move { config.media_store().await.unwrap_err().to_string() };
    let wrong_key = error(with(server.media_url(), "NOT-A-KEY")).await;
    assert!(wrong_key.contains("refused the credentials"), "{wrong_key}");
    assert!(!wrong_key.contains("never-shown"), "{wrong_key}");
    let missing = error(with(
        server.media_url().replace(BUCKET, "no-such-bucket"),
        KEY,
    ))
    .await;
    assert!(missing.contains("does not exist"), "{missing}");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap().port();
    drop(listener);
    let unreachable = error(with(
        format!("s3://{BUCKET}?endpoint=http://127.0.0.1:{closed}"),
        KEY,
    ))
    .await;
    assert!(unreachable.contains("cannot reach"), "{unreachable}");
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn the_export_copies_media_from_the_bucket() {
    let Some(server) = start() else { return };
    let app = server.app().await;
    let hall = app.get("/api/v1/hall").await.json();
    let logo = hall["exhibitors"][0]["logo_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let served = app.get(&logo).await;
    std::fs::write(
        app.config.web_dir.join("index.html"),
        "<!doctype html><html><head><title>Pavilion</title></head><body></body></html>",
    )
    .unwrap();
    let to = tempfile::tempdir().unwrap();
    let folder = to.path().join("site");
    let report = pavilion_server::http::export::export(&app.config, &folder, None)
        .await
        .unwrap();
    assert!(report.media > 0, "{report:?}");
    let copied = std::fs::read(folder.join(logo.trim_start_matches('/'))).unwrap();
    assert!(
        copied == served.body.as_ref(),
        "the logo is copied as served"
    );
    assert!(local_files(&app).is_empty(), "{:?}", local_files(&app));
}
