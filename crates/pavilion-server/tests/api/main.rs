//! Black-box tests of the HTTP API: each test gets a throwaway data folder and a small
//! catalogue copied from the repository's `exhibitors/`, and calls the app with `oneshot`.

mod analytics;
mod atlas;
mod authz;
mod backup;
mod calendar;
mod catalogue;
mod contest;
mod database;
mod exhibitors;
mod guard;
mod hall;
mod instances;
mod leads;
mod limits;
mod me;
mod me_support;
mod media;
mod openapi;
mod programme;
mod s3;
mod security;
mod seed_import;
mod sending;
mod staff;
mod staff_accounts;
mod stages;
mod storage;
mod tidy;
mod uploads;
mod versions;
mod web;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt as _;
use pavilion_server::media::Renderer;
use pavilion_server::{AppState, Config, Error, app};
use tempfile::TempDir;
use tower::ServiceExt as _;

/// The exhibitor every fixture catalogue contains.
pub const KESTREL: &str = "kestrel-ward";
/// How many exhibitors a fixture catalogue holds.
pub const FIXTURE_SIZE: usize = 3;

/// Loading fonts is the slowest part of start-up: do it once for all tests.
fn renderer() -> Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(Renderer::with_system_fonts).clone()
}

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The repository's seed programme, which every test app imports on first start.
pub fn seed_programme() -> PathBuf {
    repository_root().join("programme/programme.toml")
}

/// A running app over its own data folder and catalogue.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub config: Config,
    // Held so the folders live as long as the app.
    pub data: TempDir,
    pub catalogue: TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
            .to_str()
            .unwrap()
    }

    /// Asserts the standard JSON error body and returns its code.
    pub fn error_code(&self) -> String {
        let body = self.json();
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        body["code"].as_str().expect("an error code").to_owned()
    }
}

/// Copies kestrel-ward and two other valid folders of the real catalogue, writing a fixture
/// profile of our own when the catalogue has too few.
pub fn fixture_catalogue() -> TempDir {
    let catalogue = tempfile::tempdir().unwrap();
    let source = repository_root().join("exhibitors");
    let mut names: Vec<String> = fs::read_dir(&source)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names.retain(|name| name != KESTREL);
    names.insert(0, KESTREL.to_owned());
    let mut copied = 0;
    for name in names {
        if copied == FIXTURE_SIZE {
            break;
        }
        // Others may be editing the catalogue: take only folders that are valid on their own.
        let trial = tempfile::tempdir().unwrap();
        copy_folder(&source.join(&name), &trial.path().join(&name));
        if pavilion_server::catalogue::read_catalogue(trial.path()).is_ok() {
            copy_folder(&source.join(&name), &catalogue.path().join(&name));
            copied += 1;
        }
    }
    for i in copied..FIXTURE_SIZE {
        write_profile(
            catalogue.path(),
            &format!("fixture-works-{i}"),
            "Fixture Works",
            None,
        );
    }
    catalogue
}

fn copy_folder(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for file in ["profile.toml", "logo.svg"] {
        if from.join(file).is_file() {
            fs::copy(from.join(file), to.join(file)).unwrap();
        }
    }
}

/// Writes a valid profile (and a simple logo unless one is given) into `<catalogue>/<slug>/`.
pub fn write_profile(catalogue: &Path, slug: &str, name: &str, logo: Option<&str>) {
    let dir = catalogue.join(slug);
    fs::create_dir_all(&dir).unwrap();
    let profile = format!(
        r##"name = "{name}"
slug = "{slug}"
tagline = "Fixtures that hold their shape under any test"
topic = "cryptography"
tier = "standard"
founded = 2004
headquarters = "Leiden"
website = "https://{slug}.example"
email = "booth@{slug}.example"
colour = "#f4b942"
description = """
{name} makes test fixtures for security products: key stores that can be reset in a second, certificate chains with every flaw a validator should catch, and traffic captures for replay.

Its customers are the teams who build the products shown elsewhere in this hall, which is why the company stands at the back of the cryptography zone with a kettle on.
"""

[[products]]
name = "Chain Gang"
category = "Test certificates"
summary = "Certificate chains with expired, revoked, misnamed and mis-signed links, generated on demand."

[[products]]
name = "Keybox"
category = "Test key store"
summary = "A key store that resets to a known state between tests, with an audit log to compare runs."
"##
    );
    fs::write(dir.join("profile.toml"), profile).unwrap();
    let default_logo = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 160"><rect x="10" y="20" width="120" height="120" fill="#224466"/><text x="150" y="100" font-family="DejaVu Sans" font-size="56">Fixture</text></svg>"##;
    fs::write(dir.join("logo.svg"), logo.unwrap_or(default_logo)).unwrap();
}

impl TestApp {
    pub async fn get(&self, uri: &str) -> Reply {
        self.request("GET", uri, &[]).await
    }

    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Reply {
        self.request("GET", uri, headers).await
    }

    pub async fn request(&self, method: &str, uri: &str, headers: &[(&str, &str)]) -> Reply {
        self.request_with_body(method, uri, headers, Body::empty())
            .await
    }

    /// Sends one request with a body through the router and collects the whole reply.
    pub async fn request_with_body(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Body,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Starts a second app over the same folders, as a restart would.
    pub async fn restart(self) -> TestApp {
        self.state.store().close().await;
        let state = open(&self.config).await.expect("restart");
        TestApp {
            router: app(state.clone()),
            state,
            ..self
        }
    }
}

/// The environment variable naming a PostgreSQL server (`cargo xtask test` starts one) on
/// which the API tests run instead of SQLite: each app gets a schema of its own there.
pub const TEST_DATABASE_VARIABLE: &str = "PAVILION_TEST_DATABASE_URL";

/// A fresh, empty PostgreSQL schema for one app when the tests run against PostgreSQL
/// (`PAVILION_TEST_DATABASE_URL`), as a database URL whose connections use it; `None` for
/// the default SQLite store in the app's data folder.
pub async fn test_database() -> Option<String> {
    use sqlx::Connection as _;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let server = std::env::var(TEST_DATABASE_VARIABLE).ok()?;
    let schema = format!(
        "t{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    sqlx::any::install_default_drivers();
    let mut admin = sqlx::AnyConnection::connect(&server)
        .await
        .expect("the test PostgreSQL server accepts connections");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .expect("a test schema is created");
    admin.close().await.ok();
    let separator = if server.contains('?') { '&' } else { '?' };
    Some(format!("{server}{separator}options[search_path]={schema}"))
}

/// True when the API tests run against PostgreSQL; tests of SQLite-only tools (backup,
/// restore, the data check) return early then.
pub fn on_postgres() -> bool {
    std::env::var_os(TEST_DATABASE_VARIABLE).is_some()
}

pub async fn open(config: &Config) -> Result<AppState, Error> {
    AppState::open_with_renderer(config, renderer()).await
}

/// A fresh app over the fixture catalogue and a page folder with an index and a viewer wasm.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(fixture_catalogue())
        .await
        .expect("the fixture catalogue imports")
}

pub async fn spawn_app_with(catalogue: TempDir) -> Result<TestApp, (Error, TempDir)> {
    spawn_app_with_config(catalogue, |_| {}).await
}

/// A fresh app over the fixture catalogue, its configuration (limits, proxies) changed by
/// `edit` first.
pub async fn spawn_app_configured(edit: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_with_config(fixture_catalogue(), edit)
        .await
        .expect("the fixture catalogue imports")
}

async fn spawn_app_with_config(
    catalogue: TempDir,
    edit: impl FnOnce(&mut Config),
) -> Result<TestApp, (Error, TempDir)> {
    let data = tempfile::tempdir().unwrap();
    let mut config =
        Config::for_data_dir(data.path().to_path_buf(), catalogue.path().to_path_buf());
    config.programme_file = seed_programme();
    config.database_url = test_database().await;
    edit(&mut config);
    let pkg = config.web_dir.join("pkg");
    fs::create_dir_all(&pkg).unwrap();
    fs::write(
        config.web_dir.join("index.html"),
        "<!doctype html><title>Pavilion</title>",
    )
    .unwrap();
    fs::write(pkg.join("pavilion_viewer_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    fs::create_dir_all(&config.assets_dir).unwrap();
    fs::write(config.assets_dir.join("hall.gltf"), "{}").unwrap();
    match open(&config).await {
        Ok(state) => Ok(TestApp {
            router: app(state.clone()),
            state,
            config,
            data,
            catalogue,
        }),
        Err(error) => Err((error, data)),
    }
}
