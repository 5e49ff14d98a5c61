//! Who is calling, by network address: the TCP peer (`ConnectInfo`, which the server's
//! accept loop attaches to every request), or, only when that peer is one of the configured
//! trusted proxies, the address the proxies forwarded in `X-Forwarded-For`. Sign-in and
//! token throttling count failures against this address.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::app::AppState;
use crate::limits::{TrustedProxies, canonical};

/// Hops of `X-Forwarded-For` looked at, from the right, at most.
const MAX_FORWARDED_HOPS: usize = 16;

/// The client's address; `None` when the request did not come through the server's accept
/// loop (as in tests that call the router directly) and carries no `ConnectInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

/// The client address of a request from `peer` with `headers`. `X-Forwarded-For` is read
/// right to left, the order proxies append in, and only while each hop is a trusted proxy:
/// the first untrusted address is the client. Anything a client wrote further left is
/// ignored, and an unreadable hop ends the walk at the last address believed.
pub fn client_address(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let peer = canonical(peer?);
    if !trusted.contains(peer) {
        return Some(peer);
    }
    let values: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    let mut client = peer;
    for hop in values
        .iter()
        .rev()
        .flat_map(|value| value.rsplit(','))
        .take(MAX_FORWARDED_HOPS)
    {
        let Some(address) = parse_hop(hop.trim()) else {
            break;
        };
        client = canonical(address);
        if !trusted.contains(client) {
            break;
        }
    }
    Some(client)
}

/// An address as proxies write it: `192.0.2.1`, `2001:db8::1`, `192.0.2.1:4711` or
/// `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .ok()
            .map(|ConnectInfo(peer)| peer.ip());
        Ok(ClientAddress(client_address(
            peer,
            &parts.headers,
            &state.guard().trusted_proxies,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::IpRange;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let headers = forwarded(&["203.0.113.7"]);
        let none = TrustedProxies::default();
        assert_eq!(
            client_address(Some(ip("192.0.2.1")), &headers, &none),
            Some(ip("192.0.2.1"))
        );
        assert_eq!(client_address(None, &headers, &none), None);
    }

    #[test]
    fn a_trusted_proxy_is_believed_from_the_right() {
        let trusted = TrustedProxies(vec![
            IpRange::parse("10.0.0.0/8").unwrap(),
            IpRange::parse("127.0.0.1").unwrap(),
        ]);
        let peer = Some(ip("127.0.0.1"));
        // The client forged the leftmost entry; the proxy appended the real one.
        let headers = forwarded(&["1.1.1.1, 203.0.113.7, 10.0.0.5"]);
        assert_eq!(
            client_address(peer, &headers, &trusted),
            Some(ip("203.0.113.7"))
        );
        // Several header lines count as one list, in order.
        let headers = forwarded(&["1.1.1.1", "203.0.113.8:5000", "10.0.0.5"]);
        assert_eq!(
            client_address(peer, &headers, &trusted),
            Some(ip("203.0.113.8"))
        );
        let headers = forwarded(&["[2001:db8::7]:443"]);
        assert_eq!(
            client_address(peer, &headers, &trusted),
            Some(ip("2001:db8::7"))
        );
        // Garbage stops the walk at the last address believed.
        let headers = forwarded(&["203.0.113.7, garbage, 10.0.0.5"]);
        assert_eq!(
            client_address(peer, &headers, &trusted),
            Some(ip("10.0.0.5"))
        );
        assert_eq!(
            client_address(peer, &HeaderMap::new(), &trusted),
            Some(ip("127.0.0.1"))
        );
        // An untrusted peer's header is ignored.
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(
            client_address(Some(ip("192.0.2.9")), &headers, &trusted),
            Some(ip("192.0.2.9"))
        );
    }
}
