//! Conditional requests and content negotiation for pre-compressed documents:
//! `Accept-Encoding` parsing (with q-values) and `If-None-Match` matching.

pub use crate::hall::Encoding;

/// Picks the best coding the client accepts: brotli, then gzip, then identity.
/// Codings with `q=0` are refused; `*` stands for any coding not named.
pub fn negotiate_encoding(accept_encoding: Option<&str>) -> Encoding {
    let Some(header) = accept_encoding else {
        return Encoding::Identity;
    };
    let (mut brotli, mut gzip, mut any) = (None, None, None);
    for item in header.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut quality = Some(1.0_f32);
        for parameter in parts {
            if let Some((name, value)) = parameter.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                // An unreadable weight makes the entry meaningless: ignore it.
                quality = value
                    .trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|q| (0.0..=1.0).contains(q));
            }
        }
        let Some(quality) = quality else { continue };
        match coding.as_str() {
            "br" => brotli = Some(quality),
            "gzip" | "x-gzip" => gzip = Some(quality),
            "*" => any = Some(quality),
            _ => {}
        }
    }
    let brotli = brotli.or(any).unwrap_or(0.0);
    let gzip = gzip.or(any).unwrap_or(0.0);
    if brotli > 0.0 && brotli >= gzip {
        Encoding::Brotli
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// True when `If-None-Match` names one of `current_tags` (weak comparison, as RFC 9110
/// requires for this header) or is `*`. Tags are given with their quotes.
pub fn if_none_match_hits(if_none_match: &str, current_tags: &[&str]) -> bool {
    if_none_match.split(',').map(str::trim).any(|candidate| {
        let opaque = candidate.strip_prefix("W/").unwrap_or(candidate);
        candidate == "*"
            || current_tags
                .iter()
                .any(|tag| opaque == tag.strip_prefix("W/").unwrap_or(tag))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brotli_wins_when_accepted() {
        assert_eq!(
            negotiate_encoding(Some("gzip, deflate, br, zstd")),
            Encoding::Brotli
        );
        assert_eq!(
            negotiate_encoding(Some("br;q=1.0, gzip;q=0.8")),
            Encoding::Brotli
        );
        assert_eq!(negotiate_encoding(Some("*")), Encoding::Brotli);
    }

    #[test]
    fn q_values_are_respected() {
        assert_eq!(negotiate_encoding(Some("br;q=0, gzip")), Encoding::Gzip);
        assert_eq!(
            negotiate_encoding(Some("br;q=0.5, gzip;q=0.9")),
            Encoding::Gzip
        );
        assert_eq!(
            negotiate_encoding(Some("gzip;q=0, br;q=0")),
            Encoding::Identity
        );
        assert_eq!(negotiate_encoding(Some("*;q=0, gzip")), Encoding::Gzip);
        assert_eq!(negotiate_encoding(Some("br;q=abc, gzip")), Encoding::Gzip);
        assert_eq!(negotiate_encoding(Some("BR ; Q=0.3")), Encoding::Brotli);
    }

    #[test]
    fn no_header_or_unknown_codings_mean_identity() {
        assert_eq!(negotiate_encoding(None), Encoding::Identity);
        assert_eq!(negotiate_encoding(Some("")), Encoding::Identity);
        assert_eq!(
            negotiate_encoding(Some("deflate, identity")),
            Encoding::Identity
        );
    }

    #[test]
    fn etags_match_in_lists_and_weak_forms() {
        let tags = ["\"v3-abc\"", "\"v3-abc-br\""];
        assert!(if_none_match_hits("\"v3-abc\"", &tags));
        assert!(if_none_match_hits("W/\"v3-abc-br\"", &tags));
        assert!(if_none_match_hits("\"old\", W/\"v3-abc\"", &tags));
        assert!(if_none_match_hits("*", &tags));
        assert!(!if_none_match_hits("\"v2-abc\"", &tags));
        assert!(!if_none_match_hits("v3-abc", &tags));
        assert!(!if_none_match_hits("", &tags));
    }
}
