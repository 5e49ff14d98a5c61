//! A small client for S3-compatible object storage, the media store's second backend: path-style
//! requests over plain HTTP/1.1 (hyper), signed with AWS Signature Version 4 (HMAC-SHA256 from
//! `sha2`), and only the calls the store needs: PUT, GET (whole or one byte range), HEAD,
//! DELETE, ListObjectsV2 (paginated) and HEAD of the bucket at start-up.
//!
//! Objects are named `<sha256>.<ext>` at the bucket's root. A PUT is atomic in S3: the object
//! becomes visible only once the whole body has arrived, so an interrupted upload never leaves
//! a visible partial object. Every PUT sends the body's SHA-256 as `x-amz-content-sha256`, so
//! the object store also refuses a body that is not the bytes we checked.

use std::fmt;
use std::future::Future;
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, Request, Response, StatusCode, header};
use futures_util::{Stream, StreamExt as _, TryStreamExt as _};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use sha2::{Digest as _, Sha256};

use crate::time::{parse_rfc3339, rfc3339_from_unix};

/// The SHA-256 of no bytes: the payload hash of a request without a body.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// How long connecting to the object store may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request without a streamed body may take, answer included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest answer read whole (listings, error documents, small objects are bounded by
/// their callers).
const MAX_DOCUMENT: usize = 16 * 1024 * 1024;

/// Where the bucket is and how to sign for it. The secret never appears in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    /// `host:port` of the endpoint.
    pub authority: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("authority", &self.authority)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key", &self.access_key)
            .field("secret_key", &"<hidden>")
            .finish()
    }
}

impl S3Config {
    /// Parses `s3://<bucket>?endpoint=http://<host>[:<port>]&region=<region>` (region
    /// `us-east-1` when absent) with the credentials given apart.
    pub fn parse(url: &str, access_key: &str, secret_key: &str) -> Result<S3Config, String> {
        let shape = "use s3://<bucket>?endpoint=http://<host>:<port>&region=<region>";
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{url:?} is not an s3:// media URL: {shape}"))?;
        let (bucket, query) = rest.split_once('?').unwrap_or((rest, ""));
        let bucket = bucket.trim_end_matches('/');
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && !bucket.starts_with(['-', '.'])
            && !bucket.ends_with(['-', '.']);
        if !bucket_ok {
            return Err(format!(
                "{bucket:?} is not a bucket name (3 to 63 lowercase letters, digits, dots and hyphens): {shape}"
            ));
        }
        let mut endpoint = None;
        let mut region = "us-east-1".to_owned();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            match pair.split_once('=') {
                Some(("endpoint", value)) => endpoint = Some(value.to_owned()),
                Some(("region", value)) if !value.is_empty() => region = value.to_owned(),
                _ => {
                    return Err(format!(
                        "{pair:?} is not a setting of the media URL: {shape}"
                    ));
                }
            }
        }
        let endpoint =
            endpoint.ok_or_else(|| format!("the media URL names no endpoint: {shape}"))?;
        if endpoint.starts_with("https://") {
            return Err(format!(
                "the endpoint {endpoint} is HTTPS, which this build does not speak yet: reach the object store over http:// on a private network (or through a local TLS proxy)"
            ));
        }
        let authority = endpoint
            .strip_prefix("http://")
            .map(|rest| rest.trim_end_matches('/'))
            .filter(|authority| {
                !authority.is_empty()
                    && !authority.contains(['/', '@', '?', '#', ' '])
                    && authority.is_ascii()
            })
            .ok_or_else(|| {
                format!("{endpoint:?} is not an endpoint such as http://127.0.0.1:9000")
            })?;
        let authority = if authority
            .rsplit_once(':')
            .is_some_and(|(_, port)| port.parse::<u16>().is_ok())
        {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        if access_key.is_empty() || secret_key.is_empty() {
            return Err(
                "S3 media need credentials: set PAVILION_S3_ACCESS_KEY and PAVILION_S3_SECRET_KEY"
                    .to_owned(),
            );
        }
        Ok(S3Config {
            authority,
            bucket: bucket.to_owned(),
            region,
            access_key: access_key.to_owned(),
            secret_key: secret_key.to_owned(),
        })
    }
}

/// The access key and secret, from `PAVILION_S3_ACCESS_KEY` and `PAVILION_S3_SECRET_KEY`
/// (never a flag, so never in a process list); the secret never appears in `Debug` output.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct S3Credentials {
    pub access_key: String,
    pub secret_key: String,
}

impl S3Credentials {
    /// The credentials in the environment (empty when unset).
    pub fn from_env() -> S3Credentials {
        let read = |name: &str| std::env::var(name).unwrap_or_default();
        S3Credentials {
            access_key: read("PAVILION_S3_ACCESS_KEY"),
            secret_key: read("PAVILION_S3_SECRET_KEY"),
        }
    }
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<hidden>")
            .finish()
    }
}

/// An object as a listing or HEAD describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    pub modified: SystemTime,
}

/// One page of a listing and the token of the next, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    pub objects: Vec<ObjectInfo>,
    pub next: Option<String>,
}

/// The client for one bucket.
#[derive(Debug, Clone)]
pub struct S3Bucket {
    config: S3Config,
}

/// A body to send.
enum Payload {
    Empty,
    Bytes(Bytes),
    /// A file streamed from disk, with its length.
    File(tokio::fs::File, u64),
}

impl S3Bucket {
    pub fn new(config: S3Config) -> S3Bucket {
        S3Bucket { config }
    }

    pub fn config(&self) -> &S3Config {
        &self.config
    }

    /// Where the bucket is, for messages (never the credentials).
    pub fn describe(&self) -> String {
        format!(
            "s3://{} at http://{}",
            self.config.bucket, self.config.authority
        )
    }

    /// Checks that the bucket exists and the credentials are accepted, by listing one
    /// object (a HEAD of the bucket is not checked by every S3-compatible store).
    pub async fn check(&self) -> io::Result<()> {
        self.list_page(None, 1).await.map(drop)
    }

    /// Stores `bytes` under `key` (their hex SHA-256 is `sha256`).
    pub async fn put_bytes(&self, key: &str, bytes: Bytes, sha256: &str) -> io::Result<()> {
        let response = self
            .send(
                Method::PUT,
                Some(key),
                &[],
                None,
                Payload::Bytes(bytes),
                sha256,
            )
            .await?;
        self.expect_success(response, key).await.map(drop)
    }

    /// Streams the file at `path` (whose hex SHA-256 is `sha256`) into `key` in one PUT.
    pub async fn put_file(&self, key: &str, path: &Path, sha256: &str) -> io::Result<()> {
        let file = tokio::fs::File::open(path).await?;
        let length = file.metadata().await?.len();
        let response = self
            .send(
                Method::PUT,
                Some(key),
                &[],
                None,
                Payload::File(file, length),
                sha256,
            )
            .await?;
        self.expect_success(response, key).await.map(drop)
    }

    /// The object's size and time, `None` when there is no such object.
    pub async fn head(&self, key: &str) -> io::Result<Option<ObjectInfo>> {
        let response = self
            .send(
                Method::HEAD,
                Some(key),
                &[],
                None,
                Payload::Empty,
                EMPTY_SHA256,
            )
            .await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let response = self.expect_success(response, key).await?;
        let size = response
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| {
                io::Error::other(format!("the object store gave no length for {key}"))
            })?;
        let modified = response
            .headers()
            .get(header::LAST_MODIFIED)
            .and_then(|value| value.to_str().ok())
            .and_then(parse_http_date)
            .unwrap_or(UNIX_EPOCH);
        Ok(Some(ObjectInfo {
            key: key.to_owned(),
            size,
            modified,
        }))
    }

    /// The whole object, read into memory; `None` when there is no such object.
    pub async fn get(&self, key: &str) -> io::Result<Option<Bytes>> {
        let response = self
            .send(
                Method::GET,
                Some(key),
                &[],
                None,
                Payload::Empty,
                EMPTY_SHA256,
            )
            .await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let response = self.expect_success(response, key).await?;
        let body = tokio::time::timeout(
            REQUEST_TIMEOUT,
            axum::body::to_bytes(Body::new(response.into_body()), usize::MAX),
        )
        .await
        .map_err(|_| {
            io::Error::new(
                io::ErrorKind::TimedOut,
                format!("reading {key} from the object store took too long"),
            )
        })?
        .map_err(io::Error::other)?;
        Ok(Some(body))
    }

    /// Bytes `start..=end` of the object, streamed.
    pub async fn get_range(
        &self,
        key: &str,
        start: u64,
        end: u64,
    ) -> io::Result<impl Stream<Item = io::Result<Bytes>> + Send + use<>> {
        let range = format!("bytes={start}-{end}");
        let response = self
            .send(
                Method::GET,
                Some(key),
                &[],
                Some(&range),
                Payload::Empty,
                EMPTY_SHA256,
            )
            .await?;
        let response = self.expect_success(response, key).await?;
        let length = response
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if length.is_some_and(|length| length != end - start + 1) {
            return Err(io::Error::other(format!(
                "the object store answered the range {range} of {key} with {length:?} bytes"
            )));
        }
        Ok(Body::new(response.into_body())
            .into_data_stream()
            .map_err(io::Error::other))
    }

    /// Streams the whole object into a new file at `to`; returns its size.
    pub async fn download(&self, key: &str, to: &Path) -> io::Result<u64> {
        use tokio::io::AsyncWriteExt as _;
        let response = self
            .send(
                Method::GET,
                Some(key),
                &[],
                None,
                Payload::Empty,
                EMPTY_SHA256,
            )
            .await?;
        let response = self.expect_success(response, key).await?;
        let mut stream = Body::new(response.into_body()).into_data_stream();
        let mut file = tokio::fs::File::create(to).await?;
        let mut written = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(io::Error::other)?;
            file.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        file.flush().await?;
        Ok(written)
    }

    /// Deletes the object (deleting a missing object succeeds, as in S3).
    pub async fn delete(&self, key: &str) -> io::Result<()> {
        let response = self
            .send(
                Method::DELETE,
                Some(key),
                &[],
                None,
                Payload::Empty,
                EMPTY_SHA256,
            )
            .await?;
        self.expect_success(response, key).await.map(drop)
    }

    /// One page of ListObjectsV2 of at most `max_keys` objects, after the continuation token
    /// `after` of the page before.
    pub async fn list_page(&self, after: Option<&str>, max_keys: u32) -> io::Result<ListPage> {
        let max_keys = max_keys.to_string();
        let mut query = vec![("list-type", "2"), ("max-keys", max_keys.as_str())];
        if let Some(token) = after {
            query.push(("continuation-token", token));
        }
        let response = self
            .send(
                Method::GET,
                None,
                &query,
                None,
                Payload::Empty,
                EMPTY_SHA256,
            )
            .await?;
        let response = self.expect_success(response, "the bucket listing").await?;
        let body = read_document(response).await?;
        let text = String::from_utf8_lossy(&body);
        parse_list(&text)
    }

    /// Every object, page by page.
    pub async fn list_all(&self, page_size: u32) -> io::Result<Vec<ObjectInfo>> {
        let mut objects = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self.list_page(after.as_deref(), page_size).await?;
            objects.extend(page.objects);
            match page.next {
                Some(next) if Some(&next) != after.as_ref() => after = Some(next),
                _ => return Ok(objects),
            }
        }
    }

    /// The response when it is a success, otherwise an error naming what the store said.
    async fn expect_success(
        &self,
        response: Response<Incoming>,
        what: &str,
    ) -> io::Result<Response<Incoming>> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = read_document(response).await.unwrap_or_default();
        let text = String::from_utf8_lossy(&body);
        let code = tag_text(&text, "Code").unwrap_or_default();
        let message = tag_text(&text, "Message").unwrap_or_default();
        let kind = match (status, code.as_str()) {
            (_, "NoSuchBucket") => {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!(
                        "the bucket {} does not exist: create it first",
                        self.describe()
                    ),
                ));
            }
            (_, "InvalidAccessKeyId" | "SignatureDoesNotMatch" | "AccessDenied")
            | (StatusCode::FORBIDDEN, _) => {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!(
                        "the object store refused the credentials for {} ({code}; check PAVILION_S3_ACCESS_KEY and PAVILION_S3_SECRET_KEY)",
                        self.describe()
                    ),
                ));
            }
            (StatusCode::NOT_FOUND, _) => io::ErrorKind::NotFound,
            _ => io::ErrorKind::Other,
        };
        Err(io::Error::new(
            kind,
            format!(
                "the object store answered {status} for {what} in {}: {code} {message}",
                self.describe()
            ),
        ))
    }

    /// Signs and sends one request on a new connection.
    async fn send(
        &self,
        method: Method,
        key: Option<&str>,
        query: &[(&str, &str)],
        range: Option<&str>,
        payload: Payload,
        payload_sha256: &str,
    ) -> io::Result<Response<Incoming>> {
        let config = &self.config;
        let mut path = format!("/{}", uri_encode(&config.bucket));
        if let Some(key) = key {
            path.push('/');
            path.push_str(&uri_encode(key));
        }
        let mut pairs: Vec<(String, String)> = query
            .iter()
            .map(|(name, value)| (uri_encode(name), uri_encode(value)))
            .collect();
        pairs.sort();
        let canonical_query = pairs
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("&");
        let amz_date = amz_date(SystemTime::now());
        let authorization = sign(
            config,
            method.as_str(),
            &path,
            &canonical_query,
            payload_sha256,
            &amz_date,
        );
        let target = if canonical_query.is_empty() {
            path
        } else {
            format!("{path}?{canonical_query}")
        };
        let (body, length) = match payload {
            Payload::Empty => (Body::empty(), None),
            Payload::Bytes(bytes) => {
                let length = bytes.len() as u64;
                (Body::from(bytes), Some(length))
            }
            Payload::File(file, length) => (
                Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
                    file,
                    256 * 1024,
                )),
                Some(length),
            ),
        };
        let mut request = Request::builder()
            .method(method)
            .uri(target)
            .header(header::HOST, &config.authority)
            .header("x-amz-date", &amz_date)
            .header("x-amz-content-sha256", payload_sha256)
            .header(header::AUTHORIZATION, authorization);
        if let Some(range) = range {
            request = request.header(header::RANGE, range);
        }
        if let Some(length) = length {
            request = request.header(header::CONTENT_LENGTH, HeaderValue::from(length));
        }
        let request = request.body(body).map_err(io::Error::other)?;
        let unreachable = |error: &dyn fmt::Display| {
            io::Error::new(
                io::ErrorKind::ConnectionRefused,
                format!(
                    "cannot reach the object store at http://{}: {error}",
                    config.authority
                ),
            )
        };
        let stream = tokio::time::timeout(
            CONNECT_TIMEOUT,
            tokio::net::TcpStream::connect(config.authority.as_str()),
        )
        .await
        .map_err(|_| unreachable(&"connecting took longer than 10 s"))?
        .map_err(|error| unreachable(&error))?;
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|error| unreachable(&error))?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "object store connection ended");
            }
        });
        // An upload gets a second more for each MiB it sends (at least 1 MiB/s).
        let limit = REQUEST_TIMEOUT + Duration::from_secs(length.unwrap_or(0) / (1024 * 1024));
        let response = tokio::time::timeout(limit, sender.send_request(request))
            .await
            .map_err(|_| {
                io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "the object store at http://{} did not answer in {} s",
                        config.authority,
                        limit.as_secs()
                    ),
                )
            })?;
        response.map_err(|error| {
            io::Error::other(format!(
                "the object store at http://{} failed the request: {error}",
                config.authority
            ))
        })
    }
}

/// Reads a bounded answer whole.
async fn read_document(response: Response<Incoming>) -> io::Result<Bytes> {
    tokio::time::timeout(
        REQUEST_TIMEOUT,
        axum::body::to_bytes(Body::new(response.into_body()), MAX_DOCUMENT),
    )
    .await
    .map_err(|_| {
        io::Error::new(
            io::ErrorKind::TimedOut,
            "the object store's answer took too long",
        )
    })?
    .map_err(io::Error::other)
}

/// The `Authorization` header of AWS Signature Version 4 for a request whose only signed
/// headers are `host`, `x-amz-content-sha256` and `x-amz-date`.
fn sign(
    config: &S3Config,
    method: &str,
    path: &str,
    canonical_query: &str,
    payload_sha256: &str,
    amz_date: &str,
) -> String {
    let day = &amz_date[..8];
    let signed_headers = "host;x-amz-content-sha256;x-amz-date";
    let canonical_request = format!(
        "{method}\n{path}\n{canonical_query}\nhost:{}\nx-amz-content-sha256:{payload_sha256}\nx-amz-date:{amz_date}\n\n{signed_headers}\n{payload_sha256}",
        config.authority
    );
    let scope = format!("{day}/{}/s3/aws4_request", config.region);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let key = hmac_sha256(
        format!("AWS4{}", config.secret_key).as_bytes(),
        day.as_bytes(),
    );
    let key = hmac_sha256(&key, config.region.as_bytes());
    let key = hmac_sha256(&key, b"s3");
    let key = hmac_sha256(&key, b"aws4_request");
    let signature = hex::encode(hmac_sha256(&key, string_to_sign.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        config.access_key
    )
}

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// `YYYYMMDDTHHMMSSZ`.
fn amz_date(now: SystemTime) -> String {
    let seconds = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    rfc3339_from_unix(seconds).replace(['-', ':'], "")
}

/// Percent-encodes everything but the unreserved characters, as SigV4 wants.
fn uri_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The text of the first `<tag>...</tag>` in `xml`, entities decoded.
fn tag_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&close)?;
    Some(unescape(&xml[start..end]))
}

/// Every `<tag>...</tag>` block's inside.
fn blocks<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        let inside = &rest[at + open.len()..];
        let Some(end) = inside.find(&close) else {
            break;
        };
        found.push(&inside[..end]);
        rest = &inside[end + close.len()..];
    }
    found
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A ListObjectsV2 answer.
fn parse_list(xml: &str) -> io::Result<ListPage> {
    if !xml.contains("<ListBucketResult") {
        return Err(io::Error::other(
            "the object store's listing is not a ListBucketResult",
        ));
    }
    let mut objects = Vec::new();
    for block in blocks(xml, "Contents") {
        let key =
            tag_text(block, "Key").ok_or_else(|| io::Error::other("a listed object has no key"))?;
        let size = tag_text(block, "Size")
            .and_then(|size| size.trim().parse().ok())
            .ok_or_else(|| io::Error::other(format!("the listed object {key} has no size")))?;
        let modified = tag_text(block, "LastModified")
            .and_then(|text| parse_rfc3339(text.trim()).ok())
            .and_then(|seconds| u64::try_from(seconds).ok())
            .map_or(UNIX_EPOCH, |seconds| {
                UNIX_EPOCH + Duration::from_secs(seconds)
            });
        objects.push(ObjectInfo {
            key,
            size,
            modified,
        });
    }
    let truncated = tag_text(xml, "IsTruncated").is_some_and(|text| text.trim() == "true");
    let next = if truncated {
        Some(tag_text(xml, "NextContinuationToken").ok_or_else(|| {
            io::Error::other(
                "the object store's listing is truncated but gives no continuation token",
            )
        })?)
    } else {
        None
    };
    Ok(ListPage { objects, next })
}

/// An IMF-fixdate (`Tue, 01 Dec 2026 18:02:45 GMT`), as `Last-Modified` carries it.
fn parse_http_date(text: &str) -> Option<SystemTime> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? + 1;
    let day: u32 = day.parse().ok()?;
    let iso = format!("{year}-{month:02}-{day:02}T{time}Z");
    let seconds = u64::try_from(parse_rfc3339(&iso).ok()?).ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// Runs an object store call from blocking code: on the runtime's handle from a
/// `spawn_blocking` thread, or on a runtime of its own where there is none.
pub fn block_on<F: Future>(future: F) -> io::Result<F::Output> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => Ok(handle.block_on(future)),
        Err(_) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            Ok(runtime.block_on(future))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let long_key = [0xaau8; 131];
        let mac = hmac_sha256(
            &long_key,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    /// The worked example "GET Bucket (List Objects)" of Amazon's S3 documentation
    /// ("Signature Calculations for the Authorization Header"), which documents its signature.
    #[test]
    fn signatures_match_the_documented_example() {
        let config = S3Config {
            authority: "examplebucket.s3.amazonaws.com".into(),
            bucket: "examplebucket".into(),
            region: "us-east-1".into(),
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        };
        let authorization = sign(
            &config,
            "GET",
            "/",
            "max-keys=2&prefix=J",
            EMPTY_SHA256,
            "20130524T000000Z",
        );
        assert_eq!(
            authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
        );
    }

    #[test]
    fn media_urls_parse_strictly_and_hide_the_secret() {
        let config = S3Config::parse(
            "s3://pavilion-media?endpoint=http://127.0.0.1:9000&region=eu-west-1",
            "AK",
            "very-secret",
        )
        .unwrap();
        assert_eq!(config.authority, "127.0.0.1:9000");
        assert_eq!(config.bucket, "pavilion-media");
        assert_eq!(config.region, "eu-west-1");
        assert!(!format!("{config:?}").contains("very-secret"));
        let plain = S3Config::parse("s3://media?endpoint=http://store", "a", "b").unwrap();
        assert_eq!(
            (plain.authority.as_str(), plain.region.as_str()),
            ("store:80", "us-east-1")
        );
        for (url, says) in [
            ("http://x", "not an s3://"),
            ("s3://UPPER?endpoint=http://x:1", "bucket name"),
            ("s3://bucket", "no endpoint"),
            ("s3://bucket?endpoint=https://x:1", "HTTPS"),
            ("s3://bucket?endpoint=http://x/path", "not an endpoint"),
            (
                "s3://bucket?endpoint=http://x:1&colour=red",
                "not a setting",
            ),
        ] {
            let error = S3Config::parse(url, "a", "b").unwrap_err();
            assert!(error.contains(says), "{url}: {error}");
        }
        let error = S3Config::parse("s3://bucket?endpoint=http://x:1", "", "").unwrap_err();
        assert!(error.contains("PAVILION_S3_ACCESS_KEY"), "{error}");
    }

    #[test]
    fn listings_and_dates_parse() {
        let xml = r#"<?xml version="1.0"?><ListBucketResult><Name>b</Name><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>a&amp;b</NextContinuationToken><Contents><Key>x.png</Key><LastModified>2026-12-01T18:02:45.000Z</LastModified><Size>12</Size></Contents><Contents><Key>y.pdf</Key><LastModified>2026-12-01T18:02:46.000Z</LastModified><Size>3</Size></Contents></ListBucketResult>"#;
        let page = parse_list(xml).unwrap();
        assert_eq!(page.next.as_deref(), Some("a&b"));
        assert_eq!(page.objects.len(), 2);
        assert_eq!(page.objects[1].size, 3);
        assert_eq!(
            parse_http_date("Tue, 01 Dec 2026 18:02:45 GMT"),
            Some(page.objects[0].modified)
        );
        assert_eq!(amz_date(page.objects[0].modified), "20261201T180245Z");
        assert_eq!(uri_encode("a b/c~"), "a%20b%2Fc~");
    }
}
