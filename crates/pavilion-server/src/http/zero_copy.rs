//! The connection's writer: slices of mirrored bodies (`crate::mirrored`) go out with
//! `sendfile` from their file, so the kernel hands its own pages to TCP (as nginx
//! does for its files) instead of copying our memory into the socket; everything else is
//! written as `TokioIo` writes it. The bytes on the wire are the same either way.
//!
//! hyper gives the writer the body's own memory (the `Bytes` a handler answered with, not
//! flattened into hyper's buffer, because the writer takes vectored writes), which is how a
//! slice is recognised as a mirrored body's.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};

use hyper::rt::Write as _;
use hyper_util::rt::TokioIo;
use tokio::io::Interest;
use tokio::net::TcpStream;

use crate::mirrored;

/// Body bytes sent from files since start, for tests and diagnostics.
static SENT_FROM_FILES: AtomicU64 = AtomicU64::new(0);

/// How many body bytes went out through `sendfile` so far, over all connections.
pub fn bytes_sent_from_files() -> u64 {
    SENT_FROM_FILES.load(Ordering::Relaxed)
}

/// A server connection's TCP stream, for hyper.
pub struct ZeroCopyStream(TokioIo<TcpStream>);

impl ZeroCopyStream {
    pub fn new(stream: TcpStream) -> ZeroCopyStream {
        ZeroCopyStream(TokioIo::new(stream))
    }

    /// Writes from `bufs`. When one of them is a mirrored body's, the ordinary slices before
    /// it (the response head) go out alone and a later call sends the mirrored slice from
    /// its file. Like any write, this may write less than asked.
    ///
    /// The head is not held back for the body (`MSG_MORE`, as one may think): measured on
    /// loopback, that made each `sendfile` dearer than the small segment it saved, and the
    /// manifest at 256 connections fell from 0.9x to 0.6x nginx's rate, which sends its head
    /// the same way (`tcp_nopush off`).
    fn poll_write_from(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let Some((first, found)) = bufs
            .iter()
            .enumerate()
            .find_map(|(index, slice)| mirrored::lookup(slice).map(|found| (index, found)))
        else {
            return Pin::new(&mut self.0).poll_write_vectored(cx, bufs);
        };
        if first > 0 {
            return Pin::new(&mut self.0).poll_write_vectored(cx, &bufs[..first]);
        }
        let stream = self.0.inner();
        loop {
            ready!(stream.poll_write_ready(cx))?;
            match stream.try_io(Interest::WRITABLE, || platform::send_file(stream, &found)) {
                Ok(written) => {
                    SENT_FROM_FILES.fetch_add(written as u64, Ordering::Relaxed);
                    return Poll::Ready(Ok(written));
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
                Err(error) => return Poll::Ready(Err(error)),
            }
        }
    }
}

impl hyper::rt::Read for ZeroCopyStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for ZeroCopyStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_from(cx, &[IoSlice::new(buf)])
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_from(cx, bufs)
    }

    /// True, so that hyper queues bodies as they are instead of copying them into its buffer.
    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(target_os = "linux")]
mod platform {
    //! Linux: `sendfile`.

    use std::io;

    use tokio::net::TcpStream;

    use crate::mirrored::FileSlice;

    pub fn send_file(stream: &TcpStream, slice: &FileSlice) -> io::Result<usize> {
        let mut offset = slice.offset;
        Ok(rustix::fs::sendfile(
            stream,
            &*slice.file,
            Some(&mut offset),
            slice.len,
        )?)
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    //! Elsewhere nothing is mirrored, so there is never a file to send from.

    use std::io;

    use tokio::net::TcpStream;

    use crate::mirrored::FileSlice;

    pub fn send_file(_: &TcpStream, slice: &FileSlice) -> io::Result<usize> {
        match *slice.file {}
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;
    use std::time::Duration;

    use axum::body::Bytes;
    use tokio::io::AsyncReadExt as _;
    use tokio::net::{TcpListener, TcpSocket};

    use super::*;
    use crate::mirrored::MirroredBytes;

    /// Writes all of `parts` through `stream` as hyper would, advancing over partial writes.
    async fn write_all(stream: &mut ZeroCopyStream, parts: &[&[u8]]) {
        let mut parts: Vec<&[u8]> = parts.to_vec();
        while !parts.is_empty() {
            let slices: Vec<IoSlice<'_>> = parts.iter().map(|part| IoSlice::new(part)).collect();
            let mut written = poll_fn(|cx| {
                hyper::rt::Write::poll_write_vectored(Pin::new(&mut *stream), cx, &slices)
            })
            .await
            .unwrap();
            assert!(written > 0);
            while written > 0 {
                let take = written.min(parts[0].len());
                parts[0] = &parts[0][take..];
                written -= take;
                if parts[0].is_empty() {
                    parts.remove(0);
                }
            }
        }
    }

    #[tokio::test]
    async fn a_mirrored_body_reaches_a_slow_reader_whole_after_partial_sends() {
        let body: Bytes = (0..3 * 1024 * 1024u32)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<_>>()
            .into();
        let mirrored = MirroredBytes::new(body.clone());
        let head = b"HTTP/1.1 200 OK\r\ncontent-length: 3145728\r\n\r\n".to_vec();
        let tail = b"after".to_vec();

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let socket = TcpSocket::new_v4().unwrap();
        // A small window, so the writer's sends are partial and wait for the socket.
        socket.set_recv_buffer_size(4096).unwrap();
        let reader = tokio::spawn(async move {
            let mut stream = socket.connect(address).await.unwrap();
            let mut received = Vec::new();
            let mut buffer = [0u8; 8192];
            loop {
                let read = stream.read(&mut buffer).await.unwrap();
                if read == 0 {
                    return received;
                }
                received.extend_from_slice(&buffer[..read]);
                if received.len() % 7 == 0 {
                    tokio::time::sleep(Duration::from_micros(100)).await;
                }
            }
        });
        let (server_side, _) = listener.accept().await.unwrap();
        let mut stream = ZeroCopyStream::new(server_side);
        let sent_before = bytes_sent_from_files();
        write_all(&mut stream, &[&head, &body, &tail]).await;
        drop(stream);
        let received = reader.await.unwrap();

        assert_eq!(received.len(), head.len() + body.len() + tail.len());
        assert!(received[..head.len()] == head[..]);
        assert!(received[head.len()..head.len() + body.len()] == body[..]);
        assert!(received[head.len() + body.len()..] == tail[..]);
        if cfg!(target_os = "linux") {
            // All but perhaps a last short remainder after a partial send, which is copied.
            assert!(
                bytes_sent_from_files() - sent_before
                    >= (body.len() - mirrored::MIN_MIRRORED) as u64
            );
        }
        drop(mirrored);
    }

    #[tokio::test]
    async fn bodies_that_are_not_mirrored_are_written_as_usual() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let reader = tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
            let mut received = Vec::new();
            stream.read_to_end(&mut received).await.unwrap();
            received
        });
        let (server_side, _) = listener.accept().await.unwrap();
        let mut stream = ZeroCopyStream::new(server_side);
        let body = vec![9u8; 100_000];
        write_all(&mut stream, &[b"head ", &body]).await;
        drop(stream);
        let received = reader.await.unwrap();
        assert_eq!(received.len(), 5 + body.len());
        assert!(received[5..] == body[..]);
    }
}
