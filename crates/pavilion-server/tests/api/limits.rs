//! Limits on connections and requests, tested through the real accept loop where they live
//! there: request headers must arrive within the header read timeout, connections over the
//! cap are closed, requests past their deadline get 408, an upload slower than the minimum
//! rate is cut with `upload_too_slow` and leaves nothing, and the `pavilion` binary exits
//! within its shutdown grace after SIGTERM even with an upload stuck mid-body.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::me_support::{exhibitor_token, png, send_with, stored};
use crate::{KESTREL, TestApp, fixture_catalogue, spawn_app_configured};

/// Serves `app` through the server's accept loop on a free port until the sender is dropped.
pub async fn serve(app: &TestApp) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = app.router.clone();
    let limits = app.config.limits.clone();
    tokio::spawn(async move {
        pavilion_server::http::server::serve(listener, router, &limits, async {
            let _ = stopped.await;
        })
        .await;
    });
    (address, stop)
}

/// Reads until the peer closes; how long that took, or `None` if it stayed open for `wait`.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    tokio::time::timeout(wait, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

async fn get_health(address: SocketAddr) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: pavilion\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    reply
}

#[tokio::test]
async fn request_headers_must_arrive_within_the_header_read_timeout() {
    let app = spawn_app_configured(|config| {
        config.limits.header_read_timeout = Duration::from_millis(300);
    })
    .await;
    let (address, _stop) = serve(&app).await;
    assert!(get_health(address).await.starts_with("HTTP/1.1 200"));

    let mut slow = TcpStream::connect(address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: pav")
        .await
        .unwrap();
    let took = closed_within(&mut slow, Duration::from_secs(5))
        .await
        .expect("a connection with half a header is closed");
    assert!(took < Duration::from_secs(2), "{took:?}");
    // An idle connection is closed the same way.
    let mut idle = TcpStream::connect(address).await.unwrap();
    assert!(
        closed_within(&mut idle, Duration::from_secs(5))
            .await
            .is_some()
    );
}

#[tokio::test]
async fn connections_over_the_cap_wait_briefly_then_are_closed() {
    let app = spawn_app_configured(|config| {
        config.limits.max_connections = 2;
        config.limits.connection_wait = Duration::from_millis(200);
    })
    .await;
    let (address, _stop) = serve(&app).await;
    let first = TcpStream::connect(address).await.unwrap();
    let _second = TcpStream::connect(address).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(address).await.unwrap();
    let took = closed_within(&mut third, Duration::from_secs(5))
        .await
        .expect("the connection over the cap is closed");
    assert!(took < Duration::from_secs(2), "{took:?}");
    drop(first);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(get_health(address).await.starts_with("HTTP/1.1 200"));
}

/// A body that sends `first`, then `chunk` bytes every `every`, forever.
fn trickle(first: Vec<u8>, chunk: usize, every: Duration) -> Body {
    let stream = futures_util::stream::unfold(Some(first), move |first| async move {
        let bytes = match first {
            Some(first) => first,
            None => {
                tokio::time::sleep(every).await;
                vec![0u8; chunk]
            }
        };
        Some((Ok::<_, std::convert::Infallible>(Bytes::from(bytes)), None))
    });
    Body::from_stream(stream)
}

#[tokio::test]
async fn an_upload_slower_than_the_minimum_rate_is_cut_and_leaves_nothing() {
    let app = spawn_app_configured(|config| {
        config.limits.min_upload_rate = 16 * 1024;
        config.limits.upload_rate_window = Duration::from_millis(500);
    })
    .await;
    let token = exhibitor_token(&app, KESTREL).await;
    let before = stored(&app).await;
    let head = png(256, 256, [200, 10, 10]);
    // 1 KiB every 100 ms is 10 KiB/s.
    let body = trickle(head[..2048].to_vec(), 1024, Duration::from_millis(100));
    let started = Instant::now();
    let reply = send_with(
        &app,
        "POST",
        "/api/v1/me/media?title=slow",
        Some(&token),
        &[("content-length", "1000000")],
        body,
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::REQUEST_TIMEOUT,
        "{:?}",
        reply.body
    );
    assert_eq!(reply.error_code(), "upload_too_slow");
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("16 KiB/s")
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn a_request_past_its_deadline_gets_408() {
    let app = spawn_app_configured(|config| {
        config.limits.request_timeout = Duration::from_millis(300);
    })
    .await;
    let token = exhibitor_token(&app, KESTREL).await;
    let started = Instant::now();
    let reply = send_with(
        &app,
        "PUT",
        "/api/v1/me/profile",
        Some(&token),
        &[("content-type", "application/json")],
        trickle(b"{\"name\": ".to_vec(), 0, Duration::from_secs(3600)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(reply.error_code(), "request_timeout");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// Runs the `pavilion` binary over the app's folders with `args`.
fn pavilion(app_dirs: &[(&str, &std::path::Path)], args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pavilion"));
    for (flag, path) in app_dirs {
        command.arg(flag).arg(path);
    }
    command
        .args(args)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("PAVILION_BIND");
    command
}

#[tokio::test]
async fn the_server_exits_within_its_grace_with_an_upload_stuck_mid_body() {
    let data = tempfile::tempdir().unwrap();
    let catalogue = fixture_catalogue();
    let web = data.path().join("web");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(web.join("index.html"), "<!doctype html>").unwrap();
    let dirs = [
        ("--data-dir", data.path()),
        ("--catalogue-dir", catalogue.path()),
        ("--web-dir", web.as_path()),
        ("--assets-dir", web.as_path()),
    ];
    let issued = pavilion(&dirs, &["token", "create", "--exhibitor", KESTREL])
        .output()
        .unwrap();
    assert!(issued.status.success(), "{issued:?}");
    let token = String::from_utf8(issued.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_owned();
    let grace = Duration::from_secs(2);
    let mut server = pavilion(&dirs, &["--bind", "127.0.0.1:0", "--shutdown-grace", "2s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines, address) = std::sync::mpsc::channel::<String>();
    let stdout = server.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.find("open at http://") {
                let rest = &line[at + "open at http://".len()..];
                let _ = lines.send(rest.trim_end_matches('/').to_owned());
            }
        }
    });
    let address: SocketAddr = address
        .recv_timeout(Duration::from_secs(60))
        .expect("the server starts")
        .parse()
        .unwrap();

    let mut upload = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/v1/me/media?title=stuck HTTP/1.1\r\nHost: pavilion\r\nAuthorization: Bearer {token}\r\nContent-Length: 1000000\r\n\r\n"
    );
    upload.write_all(head.as_bytes()).await.unwrap();
    upload
        .write_all(&png(256, 256, [1, 2, 3])[..2048])
        .await
        .unwrap();
    let mut early = [0u8; 512];
    let answered = tokio::time::timeout(Duration::from_millis(500), upload.read(&mut early)).await;
    assert!(
        answered.is_err(),
        "the upload must still be in flight, not answered: {:?}",
        String::from_utf8_lossy(&early)
    );

    let signalled = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        TcpStream::connect(address).await.is_err(),
        "no new connections after SIGTERM"
    );
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        if signalled.elapsed() > grace + Duration::from_secs(8) {
            server.kill().unwrap();
            panic!("the server did not exit within {:?}", signalled.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let took = signalled.elapsed();
    assert!(status.success(), "{status:?}");
    // It waited for the stuck upload, but no longer than the grace (plus start of exit).
    assert!(took >= grace - Duration::from_millis(200), "{took:?}");
    assert!(took < grace + Duration::from_secs(2), "{took:?}");
    println!("exit {took:?} after SIGTERM with an upload stuck mid-body (grace {grace:?})");
    // The stuck upload's connection was closed without storing anything.
    assert!(
        closed_within(&mut upload, Duration::from_secs(1))
            .await
            .is_some()
    );
}

#[test]
fn a_taken_address_is_reported_at_once_and_before_any_import() {
    let data = tempfile::tempdir().unwrap();
    let catalogue = fixture_catalogue();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let dirs = [
        ("--data-dir", data.path()),
        ("--catalogue-dir", catalogue.path()),
    ];
    let started = Instant::now();
    let output = pavilion(&dirs, &["--bind", &address, "serve"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        said.contains(&format!("could not listen on {address}")),
        "{said}"
    );
    assert!(!said.contains("importing the catalogue"), "{said}");
    assert!(started.elapsed() < Duration::from_secs(30));
}
