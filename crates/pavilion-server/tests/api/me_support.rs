//! Helpers for the exhibitor API tests: tokens for exhibitors and staff, requests with
//! bodies, media fixtures made on the spot (PNG, SVG, MP4, PDF, GLB), and a fingerprint of
//! everything stored so a refused upload can be shown to leave nothing behind.

use std::fs;
use std::path::{Path, PathBuf};

use axum::body::Body;
use pavilion_server::exhibitor::tokens as exhibitor;
use pavilion_server::secret::token_digest;
use resvg::tiny_skia::{Color, Pixmap};

use crate::{Reply, TestApp};

/// Issues a live token for `slug`.
pub async fn exhibitor_token(app: &TestApp, slug: &str) -> String {
    exhibitor::create_token(app.state.store(), slug, "test", "test", None)
        .await
        .unwrap()
        .token
}

/// A signed-in staff member: inserts an account and a session straight into the staff
/// tables (no Argon2 in the test path) and returns the bearer token.
pub async fn staff_token(app: &TestApp, name: &str, role: &str) -> String {
    let pool = app.state.store().pool();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO staff (name, role, password_hash, created_at)
         VALUES ($1, $2, 'not-a-hash', '2026-01-01T00:00:00Z') RETURNING id",
    )
    .bind(name)
    .bind(role)
    .fetch_one(pool)
    .await
    .unwrap();
    let token = format!("pst_{}", hex_of(name.as_bytes(), 32));
    sqlx::query(
        "INSERT INTO staff_sessions (token_sha256, staff_id, created_at, expires_at)
         VALUES ($1, $2, '2026-01-01T00:00:00Z', $3)",
    )
    .bind(token_digest(&token))
    .bind(id)
    .bind(i64::MAX / 2)
    .execute(pool)
    .await
    .unwrap();
    token
}

/// `len` bytes of hex made from `seed`, enough to shape a well-formed token.
fn hex_of(seed: &[u8], len: usize) -> String {
    let mut out = String::new();
    let mut i = 0usize;
    while out.len() < len * 2 {
        let byte = seed[i % seed.len()].wrapping_add(i as u8);
        out.push_str(&format!("{byte:02x}"));
        i += 1;
    }
    out
}

/// Sends a request with a body and an optional bearer token.
pub async fn send(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: impl Into<Body>,
) -> Reply {
    send_with(app, method, uri, token, &[], body.into()).await
}

pub async fn send_with(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Body,
) -> Reply {
    let authorization = token.map(|token| format!("Bearer {token}"));
    let mut all: Vec<(&str, &str)> = authorization
        .as_deref()
        .map(|value| ("authorization", value))
        .into_iter()
        .collect();
    all.extend_from_slice(headers);
    app.request_with_body(method, uri, &all, body).await
}

pub async fn send_json(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: Option<&str>,
    json: &serde_json::Value,
) -> Reply {
    send_with(
        app,
        method,
        uri,
        token,
        &[("content-type", "application/json")],
        Body::from(json.to_string()),
    )
    .await
}

/// Everything an upload could leave behind: every file under the media folder (temp files
/// included) and the rows of the media tables.
#[derive(Debug, PartialEq, Eq)]
pub struct Stored {
    pub files: Vec<PathBuf>,
    pub media_rows: i64,
    pub exhibitor_media_rows: i64,
}

pub async fn stored(app: &TestApp) -> Stored {
    let mut files = Vec::new();
    collect_files(&app.config.data_dir.join("media"), &mut files);
    files.sort();
    let count = |table: &str| {
        let pool = app.state.store().pool().clone();
        let sql = format!("SELECT count(*) FROM {table}");
        async move {
            sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    Stored {
        files,
        media_rows: count("media").await,
        exhibitor_media_rows: count("exhibitor_media").await,
    }
}

fn collect_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(&path, found);
        } else {
            found.push(path);
        }
    }
}

/// A PNG of one colour.
pub fn png(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let mut pixmap = Pixmap::new(width, height).unwrap();
    pixmap.fill(Color::from_rgba8(rgb[0], rgb[1], rgb[2], 255));
    pixmap.encode_png().unwrap()
}

/// A PNG whose header claims `width` x `height` pixels but carries almost no data.
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png(4, 4, [9, 9, 9]);
    // IHDR data starts at 16: width, height (big-endian); then fix the chunk's CRC.
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

/// The start of an MP4 (an `ftyp` box and an empty `mdat`) followed by `payload` bytes.
pub fn mp4(payload: usize) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0, 24];
    bytes.extend_from_slice(b"ftypisom\0\0\x02\0isomiso2");
    bytes.extend_from_slice(&u32::try_from(payload + 8).unwrap().to_be_bytes());
    bytes.extend_from_slice(b"mdat");
    bytes.extend((0..payload).map(|i| (i % 251) as u8));
    bytes
}

/// A small, well-formed PDF with one empty page and a correct cross-reference table.
pub fn pdf() -> Vec<u8> {
    pavilion_media::write_pdf(
        &[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ],
        None,
    )
}

/// A GLB of `quads` flat squares (two triangles each); `edit` may change its JSON.
pub fn glb(quads: usize, edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut bin = Vec::new();
    for q in 0..quads {
        let x = q as f32;
        for [px, pz] in [[x, 0.0], [x + 1.0, 0.0], [x + 1.0, 1.0], [x, 1.0]] {
            for value in [px, 0.0f32, pz] {
                bin.extend_from_slice(&value.to_le_bytes());
            }
        }
    }
    let positions_len = bin.len();
    for q in 0..quads as u32 {
        for index in [0, 1, 2, 0, 2, 3] {
            bin.extend_from_slice(&(q * 4 + index).to_le_bytes());
        }
    }
    let indices_len = bin.len() - positions_len;
    let mut json = serde_json::json!({
        "asset": {"version": "2.0"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "buffers": [{"byteLength": bin.len()}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": positions_len},
            {"buffer": 0, "byteOffset": positions_len, "byteLength": indices_len}
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": quads * 4, "type": "VEC3",
             "min": [0.0, 0.0, 0.0], "max": [quads as f32, 0.0, 1.0]},
            {"bufferView": 1, "componentType": 5125, "count": quads * 6, "type": "SCALAR"}
        ]
    });
    edit(&mut json);
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    pavilion_media::write_glb(json.to_string().as_bytes(), &bin)
}

/// The slugs of the fixture catalogue other than `except`.
pub async fn other_exhibitor(app: &TestApp, except: &str) -> String {
    app.state
        .store()
        .exhibitors()
        .await
        .unwrap()
        .into_iter()
        .map(|record| record.profile.slug().to_string())
        .find(|slug| slug != except)
        .expect("the fixture catalogue has more than one exhibitor")
}
