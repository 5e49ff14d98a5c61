//! The catalogue as a seed: a re-import keeps content approved through the API (reporting
//! the conflict), updates exhibitors nobody changed, places newcomers without moving any
//! booth (curated ones included), is refused on the command line while a server holds the
//! data folder, and runs through the server for admins only, audited.

use std::collections::BTreeMap;
use std::fs;

use axum::http::StatusCode;
use pavilion_server::Error;
use pavilion_server::app::run_import_with_renderer;
use pavilion_server::catalogue::ImportActor;
use pavilion_server::data_lock::DataLock;
use serde_json::{Value, json};

use crate::me_support::{exhibitor_token, send, send_json, staff_token};
use crate::{FIXTURE_SIZE, KESTREL, TestApp, spawn_app, write_profile};

/// Rewrites the `tagline = ...` line of a catalogue profile.
fn set_catalogue_tagline(app: &TestApp, slug: &str, tagline: &str) {
    let path = app.catalogue.path().join(slug).join("profile.toml");
    let text = fs::read_to_string(&path).unwrap();
    let edited: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with("tagline = ") {
                format!("tagline = {tagline:?}")
            } else {
                line.to_owned()
            }
        })
        .collect();
    fs::write(&path, edited.join("\n") + "\n").unwrap();
}

/// A fixture exhibitor other than kestrel-ward.
fn other_slug(app: &TestApp) -> String {
    let mut names: Vec<String> = fs::read_dir(app.catalogue.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != KESTREL)
        .collect();
    names.sort();
    names.remove(0)
}

async fn approved_tagline(app: &TestApp, slug: &str) -> String {
    app.state
        .store()
        .approved_profile(slug)
        .await
        .unwrap()
        .unwrap()
        .tagline()
        .to_owned()
}

/// Every booth of the draft: slug -> (hall, position, rotation).
async fn booths(app: &TestApp, token: &str) -> BTreeMap<String, (String, Value, Value)> {
    let reply = send(app, "GET", "/api/v1/staff/layout", Some(token), "").await;
    assert_eq!(reply.status, StatusCode::OK);
    let layout = reply.json();
    assert_eq!(layout["problems"], json!([]), "{layout}");
    let mut found = BTreeMap::new();
    for hall in layout["halls"].as_array().unwrap() {
        for booth in hall["booths"].as_array().unwrap() {
            found.insert(
                booth["exhibitor"].as_str().unwrap().to_owned(),
                (
                    hall["id"].as_str().unwrap().to_owned(),
                    booth["position"].clone(),
                    booth["rotation"].clone(),
                ),
            );
        }
    }
    found
}

/// The exhibitor changes its tagline through the API and staff approve it.
async fn approve_tagline(app: &TestApp, slug: &str, tagline: &str, reviewer: &str) {
    let token = exhibitor_token(app, slug).await;
    let reply = send_json(
        app,
        "PATCH",
        "/api/v1/me/profile",
        Some(&token),
        &json!({ "tagline": tagline }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    let submitted = send(app, "POST", "/api/v1/me/submission", Some(&token), "").await;
    assert_eq!(submitted.status, StatusCode::CREATED);
    let id = submitted.json()["id"].as_i64().unwrap();
    let approved = send(
        app,
        "POST",
        &format!("/api/v1/staff/submissions/{id}/approve"),
        Some(reviewer),
        "",
    )
    .await;
    assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.json());
}

#[tokio::test]
async fn a_reimport_keeps_approved_content_reports_the_conflict_and_updates_the_untouched() {
    let app = spawn_app().await;
    let other = other_slug(&app);
    let curator = staff_token(&app, "rita", "curator").await;
    let admin = staff_token(&app, "ada", "admin").await;
    let approved = "Approved through the API, not to be overwritten";
    approve_tagline(&app, KESTREL, approved, &curator).await;
    let layout_before = booths(&app, &admin).await;

    set_catalogue_tagline(&app, KESTREL, "The catalogue's newer tagline");
    set_catalogue_tagline(&app, &other, "An untouched exhibitor's new tagline");
    let reply = send(&app, "POST", "/api/v1/staff/import", Some(&admin), "").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    let report = reply.json();
    assert_eq!(report["added"], json!([]));
    assert_eq!(report["updated"], json!([other]));
    assert_eq!(report["unchanged"], FIXTURE_SIZE - 2);
    assert_eq!(report["conflicts"].as_array().unwrap().len(), 1, "{report}");
    let conflict = &report["conflicts"][0];
    assert_eq!(conflict["slug"], KESTREL);
    assert_eq!(conflict["differs"], json!(["tagline"]));
    assert_eq!(conflict["approved_by"], "rita");
    assert!(
        conflict["kept"].as_str().unwrap().contains("rita approved"),
        "{conflict}"
    );
    assert_eq!(report["not_in_catalogue"], json!([]));
    assert_eq!(report["placed"], json!([]));
    assert_eq!(report["published_version"], Value::Null);

    // The approval stands; the untouched exhibitor follows the catalogue; nobody moved.
    assert_eq!(approved_tagline(&app, KESTREL).await, approved);
    assert_eq!(
        approved_tagline(&app, &other).await,
        "An untouched exhibitor's new tagline"
    );
    assert_eq!(booths(&app, &admin).await, layout_before);
    assert_eq!(app.state.published().version, 1);

    // The conflict is reported by the import that brought the change, then it is settled.
    let again = app
        .state
        .reimport(app.catalogue.path(), ImportActor::Cli)
        .await
        .unwrap();
    assert!(again.conflicts.is_empty(), "{again}");
    assert_eq!(again.unchanged, FIXTURE_SIZE);
    assert_eq!(approved_tagline(&app, KESTREL).await, approved);

    // A later catalogue change to the approved exhibitor is a conflict again, and a folder
    // removed from the catalogue is kept, not deleted.
    set_catalogue_tagline(&app, KESTREL, "Yet another catalogue tagline");
    fs::remove_dir_all(app.catalogue.path().join(&other)).unwrap();
    let third = app
        .state
        .reimport(app.catalogue.path(), ImportActor::Cli)
        .await
        .unwrap();
    assert_eq!(third.conflicts.len(), 1, "{third}");
    assert_eq!(third.not_in_catalogue, [other.as_str()]);
    assert!(
        third.to_string().contains("conflict: kestrel-ward"),
        "{third}"
    );
    assert!(app.state.store().exhibitor_exists(&other).await.unwrap());
    assert_eq!(approved_tagline(&app, KESTREL).await, approved);
}

#[tokio::test]
async fn newcomers_are_placed_without_moving_any_booth_and_curated_booths_stay() {
    let app = spawn_app().await;
    let admin = staff_token(&app, "ada", "admin").await;
    // Staff curate the floor: a new hall, and a booth moved into it.
    let reply = send_json(
        &app,
        "POST",
        "/api/v1/staff/layout/halls",
        Some(&admin),
        &json!({ "name": "Annex", "width": 30, "depth": 30 }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let annex = reply.json()["halls"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = send_json(
        &app,
        "PATCH",
        &format!("/api/v1/staff/layout/booths/{KESTREL}"),
        Some(&admin),
        &json!({ "hall": annex, "position": [10.0, 20.0], "rotation": 0 }),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.json());
    let before = booths(&app, &admin).await;
    assert_eq!(before[KESTREL].0, annex);

    write_profile(app.catalogue.path(), "late-arrival", "Late Arrival", None);
    write_profile(app.catalogue.path(), "later-still", "Later Still", None);
    let report = app
        .state
        .reimport(app.catalogue.path(), ImportActor::Cli)
        .await
        .unwrap();
    assert_eq!(report.added, ["late-arrival", "later-still"]);
    assert!(
        !report.layout_arranged,
        "a curated draft is never re-arranged"
    );
    assert!(report.unplaced.is_empty(), "{report}");
    let placed: Vec<&str> = report.placed.iter().map(|b| b.slug.as_str()).collect();
    assert_eq!(placed, ["late-arrival", "later-still"]);

    // Every booth that was placed stands exactly where it stood, the moved one included.
    let after = booths(&app, &admin).await;
    for (slug, spot) in &before {
        assert_eq!(after.get(slug), Some(spot), "{slug} moved");
    }
    assert_eq!(after.len(), before.len() + 2);
    for booth in &report.placed {
        let (hall, position, _) = &after[&booth.slug];
        assert_eq!(*hall, booth.hall);
        assert_eq!(*position, json!(booth.position));
    }

    // The draft keeps every rule, so staff can publish it as it is.
    let published = send(&app, "POST", "/api/v1/staff/publish", Some(&admin), "").await;
    assert_eq!(published.status, StatusCode::OK, "{:?}", published.json());
    assert_eq!(
        app.state.published().version,
        2,
        "the import itself did not publish"
    );
}

#[tokio::test]
async fn the_cli_import_is_refused_while_a_server_holds_the_data_folder() {
    let app = spawn_app().await;
    let serving = DataLock::acquire(&app.config.data_dir, "serve").unwrap();
    write_profile(app.catalogue.path(), "late-arrival", "Late Arrival", None);
    let refused = run_import_with_renderer(&app.config, crate::renderer())
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Conflict(_)), "{refused:?}");
    let message = refused.to_string();
    assert!(message.contains("`pavilion serve`"), "{message}");
    assert!(message.contains("POST /api/v1/staff/import"), "{message}");
    assert!(
        !app.state
            .store()
            .exhibitor_exists("late-arrival")
            .await
            .unwrap(),
        "nothing imported"
    );

    drop(serving);
    let report = run_import_with_renderer(&app.config, crate::renderer())
        .await
        .unwrap();
    assert_eq!(report.added, ["late-arrival"]);
    let audit = pavilion_server::staff::audit::list(app.state.store(), 5, None)
        .await
        .unwrap();
    assert_eq!(audit[0].action, "import_catalogue");
    assert_eq!(audit[0].staff, "catalogue import (cli)");
    assert_eq!(audit[0].detail["added"], 1);
}

#[tokio::test]
async fn the_import_endpoint_is_for_admins_and_audited() {
    let app = spawn_app().await;
    let curator = staff_token(&app, "carl", "curator").await;
    let admin = staff_token(&app, "ada", "admin").await;

    let anonymous = send(&app, "POST", "/api/v1/staff/import", None, "").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let refused = send(&app, "POST", "/api/v1/staff/import", Some(&curator), "").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.error_code(), "forbidden");
    let audit = pavilion_server::staff::audit::list(app.state.store(), 5, None)
        .await
        .unwrap();
    assert!(audit.is_empty(), "{audit:?}");

    let reply = send(&app, "POST", "/api/v1/staff/import", Some(&admin), "").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    let report = reply.json();
    assert_eq!(report["unchanged"], FIXTURE_SIZE);
    for key in [
        "added",
        "updated",
        "conflicts",
        "not_in_catalogue",
        "placed",
        "unplaced",
    ] {
        assert_eq!(report[key], json!([]), "{key}: {report}");
    }
    assert_eq!(report["published_version"], Value::Null);

    let audit = send(&app, "GET", "/api/v1/staff/audit", Some(&admin), "")
        .await
        .json();
    assert_eq!(audit[0]["action"], "import_catalogue");
    assert_eq!(audit[0]["staff"], "ada");
    assert_eq!(audit[0]["target"], "catalogue");
    assert_eq!(audit[0]["detail"]["unchanged"], FIXTURE_SIZE);
    assert_eq!(audit[0]["detail"]["conflicts"], json!([]));
}

#[tokio::test]
async fn a_tier_change_places_only_that_booth_again() {
    let app = spawn_app().await;
    let admin = staff_token(&app, "ada", "admin").await;
    let before = booths(&app, &admin).await;
    // The organisers give an untouched exhibitor a different booth size in the catalogue.
    let resized = other_slug(&app);
    let path = app.catalogue.path().join(&resized).join("profile.toml");
    let profile = fs::read_to_string(&path).unwrap();
    let tier_line = profile
        .lines()
        .find(|line| line.starts_with("tier = "))
        .unwrap()
        .to_owned();
    let new_tier = if tier_line.contains("flagship") {
        "standard"
    } else {
        "flagship"
    };
    fs::write(
        &path,
        profile.replace(&tier_line, &format!("tier = {new_tier:?}")),
    )
    .unwrap();

    let report = app
        .state
        .reimport(app.catalogue.path(), ImportActor::Cli)
        .await
        .unwrap();
    assert_eq!(report.updated, [resized.as_str()]);
    assert_eq!(report.resized, [resized.as_str()]);
    assert!(report.unplaced.is_empty(), "{report}");
    assert_eq!(report.placed.len(), 1);
    assert_eq!(report.placed[0].slug, resized);
    let after = booths(&app, &admin).await;
    assert_eq!(after.len(), before.len());
    for (slug, spot) in &before {
        if *slug != resized {
            assert_eq!(after.get(slug), Some(spot), "{slug} moved");
        }
    }
    let published = send(&app, "POST", "/api/v1/staff/publish", Some(&admin), "").await;
    assert_eq!(published.status, StatusCode::OK, "{:?}", published.json());
}
