//! A web origin (`https://host[:port]`) as staff name it: the API origin a static export's
//! pages call for what needs the server, and the export origins the server lets call it
//! across origins (CORS). Parsed strictly, so a typo is refused with what to fix instead of
//! quietly opening or breaking cross-origin calls.

use std::fmt;
use std::str::FromStr;

/// `scheme://host[:port]`, lowercase, with no path, query, fragment or credentials.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebOrigin(String);

impl WebOrigin {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WebOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for WebOrigin {
    type Err = String;

    fn from_str(raw: &str) -> Result<WebOrigin, String> {
        let explain = |why: &str| {
            let shown: String = raw.chars().take(80).collect();
            format!(
                "{shown:?} is not a web origin ({why}); write it as https://host or https://host:port"
            )
        };
        let trimmed = raw.trim();
        let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
        let (scheme, rest) = trimmed
            .split_once("://")
            .ok_or_else(|| explain("no scheme"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(explain("the scheme must be http or https"));
        }
        if rest.is_empty() || rest.len() > 253 + 6 {
            return Err(explain("no host, or one too long"));
        }
        if rest.contains(['/', '?', '#', '@', ' ', '\\']) {
            return Err(explain(
                "an origin has no path, query, fragment or user name",
            ));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || rest.starts_with('[') => {
                if port.is_empty()
                    || port.len() > 5
                    || !port.bytes().all(|b| b.is_ascii_digit())
                    || port.parse::<u32>().map_or(true, |p| p == 0 || p > 65_535)
                {
                    return Err(explain("the port must be a number from 1 to 65535"));
                }
                (host, Some(port))
            }
            _ => (rest, None),
        };
        let host_ok = !host.is_empty()
            && host.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':')
            });
        if !host_ok {
            return Err(explain(
                "the host may hold letters, digits, dots and hyphens",
            ));
        }
        let host = host.to_ascii_lowercase();
        Ok(WebOrigin(match port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised() {
        for (raw, origin) in [
            ("https://Expo.Example.org", "https://expo.example.org"),
            ("https://expo.example.org/", "https://expo.example.org"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("HTTPS://api.example:443", "https://api.example:443"),
        ] {
            assert_eq!(raw.parse::<WebOrigin>().unwrap().as_str(), origin, "{raw}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_what_to_write() {
        for raw in [
            "",
            "expo.example.org",
            "ftp://expo.example.org",
            "https://",
            "https://expo.example.org/api",
            "https://expo.example.org?x=1",
            "https://user@expo.example.org",
            "https://expo.example.org:0",
            "https://expo.example.org:99999",
            "https://expo.example.org:http",
            "https://ex ample.org",
            "javascript://alert(1)",
        ] {
            let error = raw.parse::<WebOrigin>().unwrap_err();
            assert!(error.contains("https://host"), "{raw}: {error}");
        }
    }
}
