//! Hostile uploads: each is refused with its own 4xx and a message, and leaves nothing in
//! the media folder or the tables. Also: limits enforced while the body streams (413 before
//! it is all read), and what accepted media look like when served (ranges, attachments).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::{Body, Bytes};
use axum::http::StatusCode;

use crate::me_support::{
    exhibitor_token, glb, mp4, pdf, png, png_claiming, send, send_with, stored,
};
use crate::{KESTREL, TestApp, spawn_app};

struct Hostile {
    name: &'static str,
    bytes: Vec<u8>,
    /// Sent as the upload's Content-Type, to show it is not believed.
    claimed_type: &'static str,
    status: StatusCode,
    code: &'static str,
    /// A piece of the message the exhibitor reads.
    message: &'static str,
}

fn corpus() -> Vec<Hostile> {
    let html = b"<html><body><script>alert(document.cookie)</script></body></html>".to_vec();
    let mut png_then_html = b"\x89PNG\r\n\x1a\n".to_vec();
    png_then_html.extend_from_slice(&html);
    let mut pdf_with_script = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\nendobj\n".to_vec();
    pdf_with_script.extend_from_slice(b"<html><script>alert(1)</script></html>\n");
    let whole_png = png(64, 64, [10, 120, 200]);
    let whole_pdf = pdf();
    let whole_glb = glb(2, |_| {});
    let too_many_triangles = glb(60_000, |_| {});
    vec![
        Hostile {
            name: "an executable sent as a PNG",
            bytes:
                b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0 this program cannot be run in DOS mode"
                    .to_vec(),
            claimed_type: "image/png",
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported_type",
            message: "not a kind Pavilion accepts",
        },
        Hostile {
            name: "HTML sent as a JPEG",
            bytes: html.clone(),
            claimed_type: "image/jpeg",
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported_type",
            message: "not a kind Pavilion accepts",
        },
        Hostile {
            name: "a polyglot: PNG signature, then HTML with a script",
            bytes: png_then_html,
            claimed_type: "text/html",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "",
            message: "PNG",
        },
        Hostile {
            name: "a polyglot: PDF header, JavaScript action and HTML",
            bytes: pdf_with_script,
            claimed_type: "application/pdf",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "",
            message: "PDF",
        },
        Hostile {
            name: "an SVG that is only a script",
            bytes: br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#
                .to_vec(),
            claimed_type: "image/svg+xml",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "svg_active_content",
            message: "active content",
        },
        Hostile {
            name: "a PNG declaring 100000 x 100000 pixels",
            bytes: png_claiming(100_000, 100_000),
            claimed_type: "image/png",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "dimensions",
            message: "100000 x 100000",
        },
        Hostile {
            name: "a truncated PNG",
            bytes: whole_png[..whole_png.len() / 2].to_vec(),
            claimed_type: "image/png",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "",
            message: "PNG",
        },
        Hostile {
            name: "a truncated PDF",
            bytes: whole_pdf[..whole_pdf.len() - 30].to_vec(),
            claimed_type: "application/pdf",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "",
            message: "PDF",
        },
        Hostile {
            name: "a truncated GLB",
            bytes: whole_glb[..whole_glb.len() - 20].to_vec(),
            claimed_type: "model/gltf-binary",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "",
            message: "",
        },
        Hostile {
            name: "a truncated MP4 header",
            bytes: b"\0\0\0\x18ftypisom\0\0".to_vec(),
            claimed_type: "video/mp4",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_video",
            message: "MP4",
        },
        Hostile {
            name: "a GLB whose buffer is an external URI",
            bytes: glb(2, |json| {
                json["buffers"][0]["uri"] = serde_json::json!("https://evil.example/steal.bin");
            }),
            claimed_type: "model/gltf-binary",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "external_uri",
            message: "evil.example",
        },
        Hostile {
            name: "a GLB whose accessor reads past its buffer view",
            bytes: glb(2, |json| {
                json["accessors"][0]["count"] = serde_json::json!(100_000);
            }),
            claimed_type: "model/gltf-binary",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "",
            message: "accessor",
        },
        Hostile {
            name: "a GLB that requires an unknown extension",
            bytes: glb(2, |json| {
                json["extensionsRequired"] = serde_json::json!(["EXT_mind_control"]);
                json["extensionsUsed"] = serde_json::json!(["EXT_mind_control"]);
            }),
            claimed_type: "model/gltf-binary",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "unsupported_extension",
            message: "EXT_mind_control",
        },
        Hostile {
            name: "a GLB with 120000 triangles",
            bytes: too_many_triangles,
            claimed_type: "model/gltf-binary",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "too_many_triangles",
            message: "120000 triangles",
        },
        Hostile {
            name: "an empty body",
            bytes: Vec::new(),
            claimed_type: "image/png",
            status: StatusCode::BAD_REQUEST,
            code: "empty_upload",
            message: "empty",
        },
    ]
}

#[tokio::test]
async fn hostile_uploads_are_refused_and_leave_nothing_behind() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    // One accepted upload first, so the media folder and tables are not trivially empty.
    let accepted = send(
        &app,
        "POST",
        "/api/v1/me/media",
        Some(&token),
        png(8, 8, [1, 2, 3]),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::CREATED);
    let before = stored(&app).await;
    let mut failures = Vec::new();
    for case in corpus() {
        let reply = send_with(
            &app,
            "POST",
            "/api/v1/me/media?title=hostile",
            Some(&token),
            &[("content-type", case.claimed_type)],
            Body::from(case.bytes.clone()),
        )
        .await;
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_default();
        let code = body["code"].as_str().unwrap_or("");
        let message = body["message"].as_str().unwrap_or("");
        println!("{}: {} {code}: {message}", case.name, reply.status);
        if reply.status != case.status
            || (!case.code.is_empty() && code != case.code)
            || message.is_empty()
            || !message.contains(case.message)
        {
            failures.push(format!(
                "{}: expected {} {} ~{:?}, got {} {code}: {message}",
                case.name, case.status, case.code, case.message, reply.status
            ));
        }
        let after = stored(&app).await;
        if after != before {
            failures.push(format!("{}: something was stored: {after:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A body that yields `total` bytes in 64 KiB chunks (starting with `head`) and counts how
/// many bytes the server pulled.
fn counted_body(head: &[u8], total: u64) -> (Body, Arc<AtomicU64>) {
    const CHUNK: usize = 64 * 1024;
    let pulled = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&pulled);
    let head = head.to_vec();
    let stream = futures_util::stream::unfold(0u64, move |sent| {
        let counter = Arc::clone(&counter);
        let head = head.clone();
        async move {
            if sent >= total {
                return None;
            }
            let size = CHUNK.min((total - sent) as usize);
            let mut chunk = vec![0x5au8; size];
            if sent == 0 {
                let n = head.len().min(size);
                chunk[..n].copy_from_slice(&head[..n]);
            }
            counter.fetch_add(size as u64, Ordering::SeqCst);
            Some((
                Ok::<_, std::io::Error>(Bytes::from(chunk)),
                sent + size as u64,
            ))
        }
    });
    (Body::from_stream(stream), pulled)
}

async fn upload_counted(
    app: &TestApp,
    token: &str,
    body: Body,
    length: Option<u64>,
) -> crate::Reply {
    let length = length.map(|l| l.to_string());
    let headers: Vec<(&str, &str)> = length
        .iter()
        .map(|l| ("content-length", l.as_str()))
        .collect();
    send_with(app, "POST", "/api/v1/me/media", Some(token), &headers, body).await
}

#[tokio::test]
async fn oversized_bodies_get_413_before_they_are_read() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let before = stored(&app).await;
    let image_limit = pavilion_server::media::ingest::LIMITS.image;
    let largest = pavilion_server::media::ingest::LIMITS.largest();
    let png_head = png(4, 4, [0, 0, 0]);

    // Declared longer than anything accepted: refused unread.
    let (body, pulled) = counted_body(&png_head, 4 * 1024 * 1024);
    let reply = upload_counted(&app, &token, body, Some(largest + 1)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error_code(), "too_large");
    assert_eq!(pulled.load(Ordering::SeqCst), 0, "not a byte read");

    // Declared longer than an image may be: refused after the first bytes named the kind.
    let (body, pulled) = counted_body(&png_head, 4 * 1024 * 1024);
    let reply = upload_counted(&app, &token, body, Some(image_limit + 1)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        reply.json()["message"].as_str().unwrap().contains("PNG"),
        "{:?}",
        reply.json()
    );
    assert!(
        pulled.load(Ordering::SeqCst) <= 64 * 1024,
        "only the first chunk read"
    );

    // No length declared (chunked): refused as soon as the count passes the limit.
    let (body, pulled) = counted_body(&png_head, image_limit * 3);
    let reply = upload_counted(&app, &token, body, None).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    let read = pulled.load(Ordering::SeqCst);
    assert!(
        read <= image_limit + 64 * 1024,
        "read {read} of {}",
        image_limit * 3
    );

    assert_eq!(stored(&app).await, before, "nothing stored");
}

#[tokio::test]
async fn accepted_kinds_are_served_safely() {
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    // Not published yet: served only with the booth's token.
    let authorization = format!("Bearer {token}");
    let own = ("authorization", authorization.as_str());
    let upload = |bytes: Vec<u8>| {
        let app = &app;
        let token = token.clone();
        async move { send(app, "POST", "/api/v1/me/media", Some(&token), bytes).await }
    };

    // Video: stored as sent, served with byte ranges.
    let video = mp4(300_000);
    let reply = upload(video.clone()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.json());
    let item = reply.json();
    assert_eq!(item["kind"], "video");
    let url = item["url"].as_str().unwrap().to_owned();
    assert!(url.ends_with(".mp4"));
    let whole = app.get_with(&url, &[own]).await;
    assert_eq!(whole.header("content-type"), "video/mp4");
    assert_eq!(whole.header("accept-ranges"), "bytes");
    assert_eq!(whole.body.as_ref(), video.as_slice());
    let part = app.get_with(&url, &[own, ("range", "bytes=100-199")]).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.header("content-range"),
        format!("bytes 100-199/{}", video.len())
    );
    assert_eq!(part.body.as_ref(), &video[100..200]);
    let tail = app.get_with(&url, &[own, ("range", "bytes=-10")]).await;
    assert_eq!(tail.body.as_ref(), &video[video.len() - 10..]);
    let beyond = app
        .get_with(&url, &[own, ("range", &format!("bytes={}-", video.len()))])
        .await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);

    // Brochure: a real PDF, served as an attachment.
    let reply = upload(pdf()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.json());
    assert_eq!(reply.json()["kind"], "brochure");
    let served = app
        .get_with(reply.json()["url"].as_str().unwrap(), &[own])
        .await;
    assert_eq!(served.header("content-type"), "application/pdf");
    assert!(
        served
            .header("content-disposition")
            .starts_with("attachment")
    );

    // Model: a small, self-contained GLB.
    let reply = upload(glb(4, |_| {})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.json());
    assert_eq!(reply.json()["kind"], "model");
    let served = app
        .get_with(reply.json()["url"].as_str().unwrap(), &[own])
        .await;
    assert_eq!(served.header("content-type"), "model/gltf-binary");

    // SVG: a script is refused outright; a clean drawing is rasterised and no SVG is served.
    let scripted = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100"><script>alert(1)</script><rect width="200" height="100" fill="#c03"/></svg>"##;
    let reply = upload(scripted.to_vec()).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_code(), "svg_active_content");
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100"><rect width="200" height="100" fill="#c03"/></svg>"##;
    let reply = upload(svg.to_vec()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.json());
    let item = reply.json();
    assert_eq!(item["content_type"], "image/png");
    assert_eq!(
        (item["width"].as_u64(), item["height"].as_u64()),
        (Some(2048), Some(1024))
    );
    let served = app.get_with(item["url"].as_str().unwrap(), &[own]).await;
    assert!(served.body.starts_with(b"\x89PNG"));

    // An image is re-encoded: extra bytes after the picture do not survive.
    let mut png_then_zip = png(16, 16, [40, 80, 120]);
    png_then_zip.extend_from_slice(b"PK\x03\x04 a zip archive hiding after the image");
    let reply = upload(png_then_zip).await;
    if reply.status == StatusCode::CREATED {
        let served = app
            .get_with(reply.json()["url"].as_str().unwrap(), &[own])
            .await;
        assert!(
            !served.body.windows(4).any(|w| w == b"PK\x03\x04"),
            "the trailer is dropped"
        );
    } else {
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{:?}",
            reply.json()
        );
    }

    let files = stored(&app).await.files;
    assert!(
        files
            .iter()
            .all(|f| !f.to_string_lossy().contains(".incoming/")),
        "no temp files left: {files:?}"
    );
}
