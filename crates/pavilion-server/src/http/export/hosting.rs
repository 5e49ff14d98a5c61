//! What an export tells its host about caching and security: `_headers` (the format of
//! Netlify, Cloudflare Pages and others) and `nginx.conf` (a snippet for a `server` block).
//! Both say the same: media are immutable for a year (their names are their hashes), the
//! assets for a day, everything else is revalidated on each visit; every answer carries the
//! Content-Security-Policy and the other security headers the server sends.

use crate::http::headers::{HALL_PAGE_CONTENT_SECURITY_POLICY, REFERRER_POLICY};
use crate::origin::WebOrigin;

/// Media names are content hashes: a name never changes what it serves.
const MEDIA_CACHE: &str = "public, max-age=31536000, immutable";
/// The 3D assets change only with a new build.
const ASSETS_CACHE: &str = "public, max-age=86400";
/// Pages, viewer and documents: kept, but asked again (ETag) on every visit.
const REVALIDATE: &str = "no-cache";

/// The server's policy for the hall page, with the API origin (if any) added to what scripts
/// may call.
pub fn content_security_policy(api_origin: Option<&WebOrigin>) -> String {
    let policy = HALL_PAGE_CONTENT_SECURITY_POLICY.to_owned();
    match api_origin {
        Some(origin) => policy.replacen(
            "connect-src 'self'",
            &format!("connect-src 'self' {origin}"),
            1,
        ),
        None => policy,
    }
}

/// The security headers of every answer.
fn security_headers(policy: &str) -> [(&'static str, String); 4] {
    [
        ("Content-Security-Policy", policy.to_owned()),
        ("Referrer-Policy", REFERRER_POLICY.to_owned()),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        ("X-Frame-Options", "SAMEORIGIN".to_owned()),
    ]
}

/// `_headers`: one block per path pattern. Hosts merge every matching block, so the caching
/// rule of each path is in exactly one of them.
pub fn headers_file(policy: &str) -> String {
    let mut file = String::from(
        "# Pavilion static export: caching and security headers for hosts that read _headers.\n/*\n",
    );
    for (name, value) in security_headers(policy) {
        file.push_str(&format!("  {name}: {value}\n"));
    }
    for (pattern, cache) in [
        ("/", REVALIDATE),
        ("/*.html", REVALIDATE),
        ("/*.js", REVALIDATE),
        ("/*.css", REVALIDATE),
        ("/api/*", REVALIDATE),
        ("/pkg/*", REVALIDATE),
        ("/assets/*", ASSETS_CACHE),
        ("/media/*", MEDIA_CACHE),
    ] {
        file.push_str(&format!("{pattern}\n  Cache-Control: {cache}\n"));
    }
    file.push_str("/media/*.pdf\n  Content-Disposition: attachment\n");
    file
}

/// `nginx.conf`: include it in a `server` block whose `root` is the export. Serves the gzip
/// forms (`gzip_static`), types by extension, and the same caching and security headers.
pub fn nginx_conf(policy: &str) -> String {
    let headers = |cache: &str, extra: &str| {
        let mut lines: String = security_headers(policy)
            .iter()
            .map(|(name, value)| format!("    add_header {name} \"{value}\" always;\n"))
            .collect();
        lines.push_str(&format!(
            "    add_header Cache-Control \"{cache}\" always;\n"
        ));
        lines.push_str(extra);
        lines
    };
    format!(
        "# Pavilion static export for nginx. Include this file in a server block whose root is\n\
         # this folder, for example:\n\
         #   server {{ listen 80; server_name expo.example.org; root /srv/pavilion; include /srv/pavilion/nginx.conf; }}\n\
         index index.html;\n\
         charset utf-8;\n\
         gzip_static on;\n\
         gzip_vary on;\n\
         default_type application/octet-stream;\n\
         types {{\n\
         \x20   text/html html;\n\
         \x20   text/css css;\n\
         \x20   text/javascript js;\n\
         \x20   application/json json;\n\
         \x20   application/wasm wasm;\n\
         \x20   image/svg+xml svg;\n\
         \x20   image/png png;\n\
         \x20   image/jpeg jpg jpeg;\n\
         \x20   image/webp webp;\n\
         \x20   image/x-icon ico;\n\
         \x20   model/gltf-binary glb;\n\
         \x20   video/webm webm;\n\
         \x20   video/mp4 mp4;\n\
         \x20   application/pdf pdf;\n\
         \x20   text/calendar ics;\n\
         }}\n\
         location / {{\n{}    try_files $uri $uri/ =404;\n}}\n\
         location /assets/ {{\n{}}}\n\
         location /media/ {{\n{}    location ~ \\.pdf$ {{\n{}    }}\n}}\n",
        headers(REVALIDATE, ""),
        headers(ASSETS_CACHE, ""),
        headers(MEDIA_CACHE, ""),
        headers(
            MEDIA_CACHE,
            "    add_header Content-Disposition \"attachment\" always;\n"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_origin_is_the_one_other_place_scripts_may_call() {
        assert!(content_security_policy(None).contains("connect-src 'self';"));
        let origin: WebOrigin = "https://api.example.org".parse().unwrap();
        let policy = content_security_policy(Some(&origin));
        assert!(
            policy.contains("connect-src 'self' https://api.example.org;"),
            "{policy}"
        );
    }

    #[test]
    fn each_path_has_one_caching_rule() {
        let file = headers_file("default-src 'self'");
        assert_eq!(file.matches("Cache-Control").count(), 8);
        assert!(file.contains("/media/*\n  Cache-Control: public, max-age=31536000, immutable"));
        let conf = nginx_conf("default-src 'self'");
        assert!(conf.contains("gzip_static on;"));
        assert_eq!(conf.matches("location").count(), 4);
        assert_eq!(conf.matches('{').count(), conf.matches('}').count());
    }
}
