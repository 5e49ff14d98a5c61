//! The OpenAPI document against the router: every route the server declares is documented
//! (and nothing else), staff and exhibitor operations name their security scheme, and every
//! operation that reads a JSON body lists the 400 and 415 it answers for a bad one.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value;

/// Routes that are deliberately not API operations, with the reason.
const NOT_DOCUMENTED: [(&str, &str); 4] = [
    ("/media", "always 404: names the shape of a media address"),
    ("/media/", "always 404: names the shape of a media address"),
    (
        "/{file}",
        "the page files of web/ (an allow-list), not an API",
    ),
    (
        "/pkg/{rest}",
        "the built viewer (wasm and its loader), not an API",
    ),
];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// `(METHOD, path)` of every `.route("...", ...)` declared in `src/http/routes/*.rs`, with
/// axum's `{*rest}` wildcards written as OpenAPI parameters.
fn declared_routes() -> BTreeSet<(String, String)> {
    let http = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut files: Vec<_> = fs::read_dir(http.join("routes"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.push(http.join("openapi.rs"));
    let mut routes = BTreeSet::new();
    for file in files {
        let text = fs::read_to_string(file).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = rest[at + ".route(".len()..].trim_start();
            let Some(quoted) = rest.strip_prefix('"') else {
                continue;
            };
            rest = quoted;
            let end = rest.find('"').unwrap();
            let path = rest[..end].replace("{*", "{");
            // The method routers follow the path up to the call's closing parenthesis.
            let mut depth = 1;
            let mut close = end;
            for (index, c) in rest[end..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            close = end + index;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let handlers = &rest[end..close];
            for method in METHODS {
                let called = handlers.match_indices(&format!("{method}(")).any(|(i, _)| {
                    i == 0 || !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                });
                if called && !NOT_DOCUMENTED.iter().any(|(p, _)| *p == path) {
                    routes.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
    }
    routes
}

fn document() -> Value {
    serde_json::from_str(pavilion_server::http::openapi::document_json()).unwrap()
}

fn documented_operations(document: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            if item.get(method).is_some() {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

#[test]
fn every_route_is_documented_and_nothing_else() {
    let declared = declared_routes();
    assert!(declared.len() > 40, "{declared:?}");
    let documented = documented_operations(&document());
    let missing: Vec<_> = declared.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&declared).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "routes without documentation: {missing:?}\ndocumented operations without a route: {extra:?}"
    );
}

#[test]
fn protected_operations_name_their_security_scheme() {
    let document = document();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let signs_in = path == "/api/v1/staff/sessions" && method == "post";
            let expected = if path.starts_with("/api/v1/me") {
                Some("exhibitor_token")
            } else if path.starts_with("/api/v1/staff/") && !signs_in {
                Some("staff_session")
            } else {
                None
            };
            let schemes: Vec<String> = operation["security"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|requirement| requirement.as_object().unwrap().keys().cloned())
                .collect();
            match expected {
                Some(scheme) => {
                    assert_eq!(schemes, [scheme], "{method} {path}");
                    assert!(
                        operation["responses"].get("401").is_some(),
                        "{method} {path} needs a credential but does not list 401"
                    );
                }
                None => assert!(schemes.is_empty(), "{method} {path} is public: {schemes:?}"),
            }
        }
    }
}

#[test]
fn json_bodies_list_their_refusals() {
    let document = document();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let json_body = operation["requestBody"]["content"]
                .as_object()
                .is_some_and(|content| content.keys().any(|k| k.ends_with("json")));
            if json_body {
                for status in ["400", "415"] {
                    assert!(
                        operation["responses"].get(status).is_some(),
                        "{method} {path} reads JSON but does not list {status}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_error_response_uses_the_one_error_body() {
    let document = document();
    assert!(document["components"]["schemas"]["ErrorBody"].is_object());
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('4') && status != "416" {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}

/// The versioned drafts: every read answers with an `ETag`; every write takes `If-Match`,
/// answers with the new `ETag`, and lists 400 (a malformed `If-Match`) and 412 (a stale one)
/// with the current `ETag`.
#[test]
fn versioned_drafts_document_etag_if_match_and_412() {
    let document = document();
    let draft_paths = [
        "/api/v1/me/profile",
        "/api/v1/me/products",
        "/api/v1/me/products/{index}",
        "/api/v1/staff/layout",
        "/api/v1/staff/layout/arrange",
        "/api/v1/staff/layout/booths/{slug}",
        "/api/v1/staff/layout/halls",
        "/api/v1/staff/layout/halls/{id}",
    ];
    let mut writes = 0;
    for path in draft_paths {
        let item = &document["paths"][path];
        assert!(item.is_object(), "{path} is not documented");
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let responses = operation["responses"].as_object().unwrap();
            let success = responses
                .iter()
                .find(|(status, _)| status.starts_with('2'))
                .unwrap_or_else(|| panic!("{method} {path} lists no success"));
            assert!(
                success.1["headers"]["ETag"].is_object(),
                "{method} {path} {} does not document its ETag",
                success.0
            );
            if method == "get" {
                continue;
            }
            writes += 1;
            let if_match = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["name"] == "If-Match")
                .unwrap_or_else(|| panic!("{method} {path} does not take If-Match"));
            assert_eq!(if_match["in"], "header", "{method} {path}");
            assert_ne!(if_match["required"], true, "{method} {path}");
            assert_eq!(if_match["schema"]["type"], "string", "{method} {path}");
            assert!(responses.contains_key("400"), "{method} {path} lacks 400");
            let stale = responses
                .get("412")
                .unwrap_or_else(|| panic!("{method} {path} lacks 412"));
            assert!(stale["headers"]["ETag"].is_object(), "{method} {path} 412");
        }
    }
    assert_eq!(writes, 12, "every write to a draft is checked");
    // Submitting and publishing send the draft as read: they take If-Match too.
    for path in ["/api/v1/me/submission", "/api/v1/staff/publish"] {
        let operation = &document["paths"][path]["post"];
        assert!(
            operation["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "If-Match"),
            "{path}"
        );
        assert!(
            operation["responses"]["412"]["headers"]["ETag"].is_object(),
            "{path}"
        );
    }
    let body = &document["components"]["schemas"]["ErrorBody"]["properties"];
    assert!(body["current_revision"].is_object(), "{body}");
    for schema in ["Draft", "LayoutView"] {
        let revision = &document["components"]["schemas"][schema]["properties"]["revision"];
        assert!(revision.is_object(), "{schema} has no revision");
    }
}
