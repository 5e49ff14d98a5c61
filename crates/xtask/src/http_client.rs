//! A keep-alive HTTP/1.1 client on hyper's client connections, shared by `cargo xtask load`
//! and `cargo xtask bench`: one connection per client, opened again when the server closes it.

use std::time::Duration;

use anyhow::Result;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{self, HeaderMap, HeaderName};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;

/// How long one request may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// A short description for an error message.
    pub fn describe(&self) -> String {
        let body = String::from_utf8_lossy(&self.body[..self.body.len().min(200)]).into_owned();
        format!("{} {body}", self.status)
    }
}

/// One keep-alive HTTP/1.1 connection, as a browser tab holds, opened again when it closes.
pub struct Client {
    address: String,
    forwarded_for: Option<String>,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Client {
    /// A client sending `X-Forwarded-For: forwarded_for` with every request.
    pub fn new(address: &str, forwarded_for: String) -> Client {
        Client {
            address: address.to_owned(),
            forwarded_for: Some(forwarded_for),
            sender: None,
        }
    }

    /// A client sending no `X-Forwarded-For`.
    pub fn plain(address: &str) -> Client {
        Client {
            address: address.to_owned(),
            forwarded_for: None,
            sender: None,
        }
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>> {
        let stream = tokio::net::TcpStream::connect(&self.address).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(sender)
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(HeaderName, &str)],
        body: Bytes,
    ) -> Result<Answer> {
        tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(method, path, headers, body))
            .await
            .map_err(|_| anyhow::anyhow!("no answer within {REQUEST_TIMEOUT:?}"))
            .and_then(|answer| answer)
    }

    async fn exchange(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(HeaderName, &str)],
        body: Bytes,
    ) -> Result<Answer> {
        let mut reused = self.sender.take();
        if let Some(sender) = &mut reused
            && sender.ready().await.is_err()
        {
            reused = None;
        }
        let mut sender = match reused {
            Some(sender) => sender,
            None => self.connect().await?,
        };
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, &self.address);
        if let Some(forwarded_for) = &self.forwarded_for {
            request = request.header("x-forwarded-for", forwarded_for);
        }
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        let response = sender.send_request(request.body(Full::new(body))?).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        let closes = parts
            .headers
            .get(header::CONNECTION)
            .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"close"));
        if !closes {
            self.sender = Some(sender);
        }
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    pub async fn get(&mut self, path: &str, headers: &[(HeaderName, &str)]) -> Result<Answer> {
        self.send(Method::GET, path, headers, Bytes::new()).await
    }
}
