//! Online backup and restore: a backup taken while the app is busy with uploads and profile
//! edits restores into a fresh folder with the exhibitors, drafts, media and published
//! snapshot it had when the backup began (and a running app serves it); a damaged backup is
//! refused with a clear message and replaces nothing; a folder in use is never restored into;
//! check-data finds a partial media file and a leftover temp file.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use pavilion_server::Config;
use pavilion_server::app as router_for;
use pavilion_server::data_lock::DataLock;
use pavilion_server::db::Store;
use pavilion_server::storage::backup::{MANIFEST_FILE, backup, read_manifest, restore};
use pavilion_server::storage::check::check_data;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::me_support::{exhibitor_token, png, send, send_json, staff_token};
use crate::{KESTREL, TestApp, fixture_catalogue, open, spawn_app};

/// One acknowledged write of the busy writer and when its answer came.
#[derive(Debug, Clone)]
enum Ack {
    Upload(String),
    Tagline(String),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_a_busy_app_restores_what_was_acknowledged_before_it_began() {
    if crate::on_postgres() {
        eprintln!("backups are of the SQLite store: skipped on PostgreSQL");
        return;
    }
    let app = spawn_app().await;
    let token = exhibitor_token(&app, KESTREL).await;
    let staff = staff_token(&app, "ada", "admin").await;
    // Something approved and published first, so the snapshot is not the start-up one.
    let reply = send_json(
        &app,
        "PATCH",
        "/api/v1/me/profile",
        Some(&token),
        &json!({ "tagline": "Approved before the backup began" }),
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let submission = send(
        &app,
        "POST",
        "/api/v1/me/submission",
        Some(&token),
        Body::empty(),
    )
    .await;
    assert_eq!(submission.status, 201);
    let id = submission.json()["id"].as_i64().unwrap();
    let approve = send(
        &app,
        "POST",
        &format!("/api/v1/staff/submissions/{id}/approve"),
        Some(&staff),
        Body::empty(),
    )
    .await;
    assert_eq!(approve.status, 200);
    let publish = send(
        &app,
        "POST",
        "/api/v1/staff/publish",
        Some(&staff),
        Body::empty(),
    )
    .await;
    assert_eq!(publish.status, 200);

    let acks: Mutex<Vec<(Instant, Ack)>> = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    let target = tempfile::tempdir().unwrap();
    let folder = target.path().join("backup");
    let writer = async {
        let mut i = 0u32;
        while !stop.load(Ordering::SeqCst) {
            i += 1;
            if i <= 24 {
                let bytes = png(8, 8, [i as u8, (i * 7) as u8, 200]);
                let reply = send(
                    &app,
                    "POST",
                    "/api/v1/me/media?title=Busy",
                    Some(&token),
                    bytes,
                )
                .await;
                assert!(reply.status.is_success(), "{:?}", reply.body);
                let sha = reply.json()["sha256"].as_str().unwrap().to_owned();
                acks.lock()
                    .unwrap()
                    .push((Instant::now(), Ack::Upload(sha)));
            }
            let tagline = format!("Busy edit number {i} of the draft");
            let reply = send_json(
                &app,
                "PATCH",
                "/api/v1/me/profile",
                Some(&token),
                &json!({ "tagline": tagline }),
            )
            .await;
            assert_eq!(reply.status, 200);
            acks.lock()
                .unwrap()
                .push((Instant::now(), Ack::Tagline(tagline)));
            tokio::task::yield_now().await;
        }
    };
    let backing_up = async {
        // Let the writer get going, so the backup runs among writes.
        while acks.lock().unwrap().len() < 6 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let began = Instant::now();
        let report = backup(&app.config.data_dir, &folder).await;
        // A few more writes after it, which the backup must not need.
        tokio::time::sleep(Duration::from_millis(50)).await;
        stop.store(true, Ordering::SeqCst);
        (began, report)
    };
    let ((), (began, report)) = tokio::join!(writer, backing_up);
    let report = report.expect("the backup succeeds while the app is busy");
    let acks = acks.into_inner().unwrap();
    let before: Vec<&Ack> = acks
        .iter()
        .filter(|(at, _)| *at < began)
        .map(|(_, a)| a)
        .collect();
    assert!(before.len() >= 6, "{before:?}");
    assert!(
        acks.len() > before.len(),
        "writes went on during and after the backup"
    );
    assert!(report.media_files > 0, "{report}");

    // Restore into a fresh folder and compare with the source.
    let fresh = tempfile::tempdir().unwrap();
    let restored_report = restore(&folder, fresh.path())
        .await
        .expect("the restore succeeds");
    assert!(
        restored_report.set_aside.is_none(),
        "nothing to set aside in a fresh folder"
    );
    assert_eq!(restored_report.counts, report.counts);
    let check = check_data(fresh.path()).await.unwrap();
    assert!(check.ok(), "{check:?}");
    assert_eq!(check.media_rows, report.media_files);

    let source = app.state.store();
    let restored = Store::open(fresh.path()).await.unwrap();
    assert_eq!(
        restored.exhibitors().await.unwrap(),
        source.exhibitors().await.unwrap()
    );
    let published = restored.published().await.unwrap().unwrap();
    let live = source.published().await.unwrap().unwrap();
    assert_eq!(
        (published.version, &published.document),
        (live.version, &live.document)
    );
    assert_eq!(
        published.version,
        publish.json()["version"].as_u64().unwrap()
    );

    let media: Vec<String> = restored
        .draft_media(KESTREL)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.sha256)
        .collect();
    let uploads_before: Vec<&String> = before
        .iter()
        .filter_map(|a| match a {
            Ack::Upload(sha) => Some(sha),
            _ => None,
        })
        .collect();
    for sha in &uploads_before {
        assert!(
            media.contains(sha),
            "upload {sha} acknowledged before the backup is missing"
        );
    }
    let all_uploads: Vec<&String> = acks
        .iter()
        .filter_map(|(_, a)| match a {
            Ack::Upload(sha) => Some(sha),
            _ => None,
        })
        .collect();
    for sha in &media {
        assert!(all_uploads.contains(&sha), "{sha} was never uploaded");
    }
    let taglines: Vec<&String> = acks
        .iter()
        .filter_map(|(_, a)| match a {
            Ack::Tagline(t) => Some(t),
            _ => None,
        })
        .collect();
    let last_before = before
        .iter()
        .rev()
        .find_map(|a| match a {
            Ack::Tagline(t) => Some(t),
            _ => None,
        })
        .unwrap();
    let draft = restored
        .draft(KESTREL)
        .await
        .unwrap()
        .expect("the draft is restored");
    let at = taglines
        .iter()
        .position(|t| **t == draft.profile.tagline)
        .unwrap_or_else(|| {
            panic!(
                "restored tagline {:?} was never sent",
                draft.profile.tagline
            )
        });
    let floor = taglines.iter().position(|t| *t == last_before).unwrap();
    assert!(
        at >= floor,
        "the restored draft is older than the backup's start"
    );
    restored.close().await;

    // A server opened on the restored folder serves the restored hall and files.
    let config = Config::for_data_dir(fresh.path().to_path_buf(), app.config.catalogue_dir.clone());
    let state = open(&config).await.expect("the restored folder opens");
    let served = TestApp {
        router: router_for(state.clone()),
        state,
        config,
        data: fresh,
        catalogue: fixture_catalogue(),
    };
    let hall = served.get("/api/v1/hall").await;
    assert_eq!(hall.status, 200);
    assert_eq!(hall.json()["version"], publish.json()["version"]);
    let sha = uploads_before[0];
    let file = send(
        &served,
        "GET",
        &format!("/media/{sha}.png"),
        Some(&token),
        Body::empty(),
    )
    .await;
    assert_eq!(file.status, 200);
    assert_eq!(hex::encode(Sha256::digest(&file.body)), *sha);
}

/// Every file under `dir` but the lock file, with its content's hash.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, found);
            } else if !path.ends_with("pavilion.lock") {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                found.insert(name, hex::encode(Sha256::digest(fs::read(&path).unwrap())));
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(dir, dir, &mut found);
    found
}

#[tokio::test]
async fn a_damaged_backup_is_refused_and_nothing_is_replaced() {
    if crate::on_postgres() {
        eprintln!("backups are of the SQLite store: skipped on PostgreSQL");
        return;
    }
    let app = spawn_app().await;
    let target = tempfile::tempdir().unwrap();
    let folder = target.path().join("backup");
    backup(&app.config.data_dir, &folder).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    restore(&folder, data.path())
        .await
        .expect("an intact backup restores");
    let before = tree(data.path());
    assert!(
        before.keys().any(|name| name.starts_with("media/")),
        "{before:?}"
    );

    // Change one byte of one media file in the backup.
    let manifest = read_manifest(&folder).unwrap();
    let entry = &manifest.media[manifest.media.len() / 2];
    let path = folder
        .join("media")
        .join(&entry.sha256[..2])
        .join(format!("{}.{}", entry.sha256, entry.extension));
    let mut bytes = fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    fs::write(&path, bytes).unwrap();

    let refused = restore(&folder, data.path())
        .await
        .expect_err("a damaged backup is refused");
    let message = refused.to_string();
    assert!(
        message.contains("damaged") && message.contains("nothing was restored"),
        "{message}"
    );
    assert!(
        message.contains(&entry.sha256),
        "the message names the file: {message}"
    );
    assert_eq!(
        tree(data.path()),
        before,
        "nothing in the data folder changed"
    );
    let leftovers: Vec<_> = fs::read_dir(data.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no staging folder is left: {leftovers:?}"
    );

    // A folder without a manifest is not a backup.
    fs::remove_file(folder.join(MANIFEST_FILE)).unwrap();
    let message = restore(&folder, data.path()).await.unwrap_err().to_string();
    assert!(message.contains("not a finished backup"), "{message}");
    assert_eq!(tree(data.path()), before);

    // check-data finds a partial file and a temp file left behind in the data folder.
    assert!(check_data(data.path()).await.unwrap().ok());
    let shard = data.path().join("media").join(&entry.sha256[..2]);
    fs::write(
        shard.join(format!("{}.{}", entry.sha256, entry.extension)),
        b"partial",
    )
    .unwrap();
    fs::write(shard.join(".incoming-left-behind"), b"half").unwrap();
    let check = check_data(data.path()).await.unwrap();
    assert!(!check.ok());
    assert_eq!(check.integrity, "ok");
    assert_eq!(check.damaged_files, vec![entry.sha256.clone()]);
    assert_eq!(check.temp_files.len(), 1, "{check:?}");
}

#[tokio::test]
async fn restore_is_refused_while_a_server_holds_the_data_folder() {
    if crate::on_postgres() {
        eprintln!("backups are of the SQLite store: skipped on PostgreSQL");
        return;
    }
    let app = spawn_app().await;
    let target = tempfile::tempdir().unwrap();
    let folder = target.path().join("backup");
    backup(&app.config.data_dir, &folder).await.unwrap();
    // Backing up into a folder that has something in it is refused too.
    let message = backup(&app.config.data_dir, &folder)
        .await
        .unwrap_err()
        .to_string();
    assert!(message.contains("not empty"), "{message}");

    let data = tempfile::tempdir().unwrap();
    let _server = DataLock::acquire(data.path(), "serve").unwrap();
    let message = restore(&folder, data.path()).await.unwrap_err().to_string();
    assert!(message.contains("in use by `pavilion serve`"), "{message}");
    assert!(
        !data.path().join("pavilion.db").exists(),
        "nothing was written"
    );
}
