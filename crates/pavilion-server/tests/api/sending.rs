//! The published documents as a client reads them over TCP, through the real accept loop and
//! its zero-copy writer: every coding arrives byte for byte and goes out from its mirror
//! file (so hyper hands the writer the body unflattened), and a slow reader with a small
//! window gets several pipelined answers whole and in order. (`http/zero_copy.rs` tests the
//! writer's partial sends with a body of megabytes.)

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Bytes;
use pavilion_server::hall::Encoding;
use pavilion_server::http::zero_copy::bytes_sent_from_files;
use pavilion_server::mirrored;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpSocket, TcpStream};

use crate::limits::serve;
use crate::{TestApp, spawn_app};

/// One answer read off the connection: its status line, headers (lower-case names) and body.
struct Answer {
    status_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one answer with a `Content-Length` body, `chunk` bytes at a time, pausing after
/// each read when `pause` is given.
async fn read_answer(
    reader: &mut BufReader<TcpStream>,
    chunk: usize,
    pause: Option<Duration>,
) -> Answer {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).await.unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').expect("a header line");
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .expect("a Content-Length")
        .1
        .parse()
        .unwrap();
    let mut body = vec![0; length];
    let mut filled = 0;
    while filled < length {
        let end = (filled + chunk).min(length);
        let read = reader.read(&mut body[filled..end]).await.unwrap();
        assert!(
            read > 0,
            "the connection closed {filled} bytes into the body"
        );
        filled += read;
        if let Some(pause) = pause {
            tokio::time::sleep(pause).await;
        }
    }
    Answer {
        status_line: status_line.trim_end().to_owned(),
        headers,
        body,
    }
}

/// The fixture app served through the accept loop, its documents mirrored however small (the
/// fixture hall is a few KB; the hall of a real fair is hundreds).
async fn served_app() -> (TestApp, SocketAddr, tokio::sync::oneshot::Sender<()>) {
    mirrored::mirror_from(1);
    let app = spawn_app().await;
    let (address, stop) = serve(&app).await;
    (app, address, stop)
}

/// Writes `requests` on the reader's connection.
async fn send(reader: &mut BufReader<TcpStream>, requests: &str) {
    reader
        .get_mut()
        .write_all(requests.as_bytes())
        .await
        .unwrap();
}

fn request(accept_encoding: &str) -> String {
    format!(
        "GET /api/v1/hall HTTP/1.1\r\nHost: pavilion\r\nAccept-Encoding: {accept_encoding}\r\n\r\n"
    )
}

#[tokio::test]
async fn every_coding_of_the_manifest_arrives_whole_from_its_mirror_file() {
    let (app, address, _stop) = served_app().await;
    let published = app.state.published();
    let mut reader = BufReader::new(TcpStream::connect(address).await.unwrap());
    for (accept, encoding, coding) in [
        ("identity", Encoding::Identity, None),
        ("gzip", Encoding::Gzip, Some("gzip")),
        ("br", Encoding::Brotli, Some("br")),
    ] {
        let expected: Bytes = published.document.body(encoding);
        let sent_before = bytes_sent_from_files();
        send(&mut reader, &request(accept)).await;
        let answer = read_answer(&mut reader, 64 * 1024, None).await;
        assert_eq!(answer.status_line, "HTTP/1.1 200 OK", "{accept}");
        assert_eq!(answer.header("content-encoding"), coding, "{accept}");
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert!(answer.header("content-security-policy").is_some());
        assert!(answer.body == expected[..], "the {accept} body differs");
        sent_from_files_since(sent_before, expected.len(), accept).await;
    }
}

/// Waits until at least `len` more bytes than `before` went out from files. Other tests
/// may send from files at the same time, so the counter only tells that it grew enough; the
/// server counts after `sendfile` returns, which may be after the bytes arrived here.
async fn sent_from_files_since(before: u64, len: usize, what: &str) {
    let mut waited = Duration::ZERO;
    while bytes_sent_from_files() - before < len as u64 {
        assert!(
            waited < Duration::from_secs(2),
            "the {what} body was copied, not sent from its file"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += Duration::from_millis(10);
    }
}

#[tokio::test]
async fn a_slow_reader_gets_every_byte_of_pipelined_answers_in_order() {
    let (app, address, _stop) = served_app().await;
    let published = app.state.published();
    // A small receive window, so the answers queue up behind the reader.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(address).await.unwrap();
    let mut reader = BufReader::with_capacity(1024, stream);
    let codings = ["identity", "br", "identity", "gzip"];
    let pipelined: String = codings.iter().map(|coding| request(coding)).collect();
    send(&mut reader, &pipelined).await;
    for coding in codings {
        let encoding = match coding {
            "br" => Encoding::Brotli,
            "gzip" => Encoding::Gzip,
            _ => Encoding::Identity,
        };
        let answer = read_answer(&mut reader, 1000, Some(Duration::from_micros(200))).await;
        assert_eq!(answer.status_line, "HTTP/1.1 200 OK", "{coding}");
        assert!(
            answer.body == published.document.body(encoding)[..],
            "the {coding} body differs"
        );
    }
    // The connection is still good for another request.
    send(&mut reader, &request("br")).await;
    let answer = read_answer(&mut reader, 64 * 1024, None).await;
    assert!(answer.body == published.document.body(Encoding::Brotli)[..]);
}
