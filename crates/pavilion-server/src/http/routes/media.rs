//! `GET /media/{sha256}.{ext}`: content-addressed, immutable media from the media store,
//! with single byte-range support (video seeking); PDFs as attachments. Small files come
//! from the store's memory cache of hot files (ranges sliced from it), big ones stream from
//! disk or, with S3 media, from the bucket (the range passed on as a ranged GET).
//!
//! Only files the published hall names are public (decided from memory, no database query);
//! any other file is served, privately, to the exhibitor whose content names it and to staff,
//! and is a 404 like a missing file for everyone else.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};
use tokio_util::io::ReaderStream;

use crate::app::AppState;
use crate::error::Error;
use crate::exhibitor::visibility::may_see_unpublished;
use crate::http::cache::if_none_match_hits;
use crate::http::extract::bearer_token;
use crate::media::{MediaBytes, MediaName};

pub fn router() -> Router<AppState> {
    // A catch-all, so names with slashes get the same JSON 404 instead of reaching the page files.
    Router::new()
        .route("/media", get(no_name))
        .route("/media/", get(no_name))
        .route("/media/{*name}", get(media))
}

async fn no_name() -> Error {
    Error::not_found("name a media file: /media/<sha256>.<ext>")
}

#[utoipa::path(get, path = "/media/{name}", tag = "visitors",
    params(("name" = String, Path, description = "`<sha256>.<ext>`: 64 lowercase hex digits and png, jpg, webp, mp4, webm, pdf or glb"),
        ("Range" = Option<String>, Header, description = "One byte range, such as `bytes=0-1023`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag (the content hash)")),
    responses((status = 200, description = "The file, `Cache-Control: public, max-age=31536000, immutable`; PDFs as attachments"),
        (status = 206, description = "The requested byte range"),
        (status = 304, description = "Unchanged (it never changes)"),
        (status = 404, description = "No such media file", body = crate::http::error::ErrorBody),
        (status = 416, description = "The range lies outside the file")))]
pub(crate) async fn media(
    State(state): State<AppState>,
    Path(name): Path<String>,
    request: Request,
) -> Result<Response, Error> {
    // The request's own headers, not a copy (as the `HeaderMap` extractor would make).
    let headers = request.headers();
    let Some(name) = MediaName::parse(&name) else {
        return Ok(hidden());
    };
    let cache_control = if state.published().shows_media(&name.sha256) {
        "public, max-age=31536000, immutable"
    } else {
        let Ok(token) = bearer_token(headers) else {
            return Ok(hidden());
        };
        if !may_see_unpublished(state.store(), token, &name.sha256).await? {
            return Ok(hidden());
        }
        // Not for shared caches, and asked again each time, so a revoked token stops working.
        "private, no-cache"
    };
    let etag = name.etag();
    let Some(file) = state.media().open_for_serving(&name).await? else {
        return Ok(hidden());
    };
    // Room for every header of the answer, the security headers included, so the map is
    // allocated once.
    let mut answer_headers = HeaderMap::with_capacity(16);
    answer_headers.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("a hex ETag is a valid header value"),
    );
    answer_headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    answer_headers.insert(header::VARY, HeaderValue::from_static("authorization"));
    answer_headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    answer_headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if name.extension == "pdf" {
        // Brochures download; a browser never renders an uploaded PDF inside our origin.
        answer_headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&format!(
                "attachment; filename=\"brochure-{}.pdf\"",
                &name.sha256[..12]
            ))
            .expect("a hex file name is a valid header value"),
        );
    }
    let revalidating = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|value| if_none_match_hits(value, &[&etag]));
    if revalidating {
        return Ok(answer(
            StatusCode::NOT_MODIFIED,
            answer_headers,
            Body::empty(),
        ));
    }
    let length = file.len();
    // A Range applies unless If-Range names another representation.
    let if_range_ok = headers
        .get(header::IF_RANGE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|value| value == etag);
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .filter(|_| if_range_ok)
        .map(|value| parse_range(value, length));
    let content_type = HeaderValue::from_static(name.content_type);
    match range {
        None | Some(RangeRequest::Ignored) => {
            let body = match file {
                MediaBytes::Memory(bytes) => Body::from(bytes),
                MediaBytes::File(file, _) => {
                    Body::from_stream(ReaderStream::with_capacity(file, STREAM_CHUNK))
                }
                MediaBytes::Remote(remote, _) if length == 0 => {
                    drop(remote);
                    Body::empty()
                }
                MediaBytes::Remote(remote, _) => {
                    Body::from_stream(remote.range(0, length - 1).await?)
                }
            };
            answer_headers.insert(header::CONTENT_TYPE, content_type);
            answer_headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
            Ok(answer(StatusCode::OK, answer_headers, body))
        }
        Some(RangeRequest::Unsatisfiable) => {
            answer_headers.insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes */{length}"))
                    .expect("digits are a valid header value"),
            );
            Ok(answer(
                StatusCode::RANGE_NOT_SATISFIABLE,
                answer_headers,
                Body::empty(),
            ))
        }
        Some(RangeRequest::Bytes { start, end }) => {
            let count = end - start + 1;
            let body = match file {
                MediaBytes::Memory(bytes) => {
                    // In range by construction: end < length, which fits in memory.
                    Body::from(bytes.slice(start as usize..=end as usize))
                }
                MediaBytes::File(mut file, _) => {
                    file.seek(std::io::SeekFrom::Start(start)).await?;
                    Body::from_stream(ReaderStream::with_capacity(file.take(count), STREAM_CHUNK))
                }
                // The range is passed on to the bucket.
                MediaBytes::Remote(remote, _) => Body::from_stream(remote.range(start, end).await?),
            };
            answer_headers.insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes {start}-{end}/{length}"))
                    .expect("digits are a valid header value"),
            );
            answer_headers.insert(header::CONTENT_TYPE, content_type);
            answer_headers.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
            Ok(answer(StatusCode::PARTIAL_CONTENT, answer_headers, body))
        }
    }
}

/// An answer with `headers` as they are (moved in, not merged into another map).
fn answer(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// The answer for a file that is missing or not the caller's to see, the same in both cases;
/// never stored by a cache, since the file may be published later.
fn hidden() -> Response {
    let mut response = Error::not_found("there is no such media file").into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Read size for streamed media: large enough for video, small enough to keep memory flat.
const STREAM_CHUNK: usize = 64 * 1024;

/// What a `Range` header asks of a file of a given length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeRequest {
    /// One satisfiable byte range, both ends inclusive.
    Bytes { start: u64, end: u64 },
    /// No byte range overlaps the file: 416.
    Unsatisfiable,
    /// Not a single byte range we serve (other units, several ranges, garbage): send it all.
    Ignored,
}

fn parse_range(value: &str, length: u64) -> RangeRequest {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeRequest::Ignored;
    };
    if spec.contains(',') {
        return RangeRequest::Ignored;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeRequest::Ignored;
    };
    let (first, last) = (first.trim(), last.trim());
    let parse = |text: &str| text.parse::<u64>().ok();
    let (start, end) = match (first.is_empty(), last.is_empty()) {
        // bytes=-N: the last N bytes.
        (true, false) => match parse(last) {
            Some(0) => return RangeRequest::Unsatisfiable,
            Some(suffix) => (length.saturating_sub(suffix), length.saturating_sub(1)),
            None => return RangeRequest::Ignored,
        },
        (false, true) => match parse(first) {
            Some(start) => (start, length.saturating_sub(1)),
            None => return RangeRequest::Ignored,
        },
        (false, false) => match (parse(first), parse(last)) {
            (Some(start), Some(end)) if start <= end => (start, end.min(length.saturating_sub(1))),
            _ => return RangeRequest::Ignored,
        },
        (true, true) => return RangeRequest::Ignored,
    };
    if length == 0 || start >= length {
        return RangeRequest::Unsatisfiable;
    }
    RangeRequest::Bytes { start, end }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_like_rfc_9110_says() {
        use RangeRequest::*;
        assert_eq!(parse_range("bytes=0-99", 1000), Bytes { start: 0, end: 99 });
        assert_eq!(
            parse_range("bytes=900-", 1000),
            Bytes {
                start: 900,
                end: 999
            }
        );
        assert_eq!(
            parse_range("bytes=-100", 1000),
            Bytes {
                start: 900,
                end: 999
            }
        );
        assert_eq!(
            parse_range("bytes=-5000", 1000),
            Bytes { start: 0, end: 999 }
        );
        assert_eq!(
            parse_range("bytes=990-5000", 1000),
            Bytes {
                start: 990,
                end: 999
            }
        );
        assert_eq!(parse_range("bytes=1000-", 1000), Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 1000), Unsatisfiable);
        assert_eq!(parse_range("bytes=5-2", 1000), Ignored);
        assert_eq!(parse_range("bytes=0-1,5-6", 1000), Ignored);
        assert_eq!(parse_range("items=0-1", 1000), Ignored);
        assert_eq!(parse_range("bytes=a-b", 1000), Ignored);
    }
}
