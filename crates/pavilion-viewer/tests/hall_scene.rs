//! Headless tests of the hall scene: a real Bevy `App` with the scene plugin, fed a snapshot
//! through the same inbox the browser fetches deliver into, stepped with `app.update()`.

use std::time::Duration;

use bevy::asset::AssetPlugin;
use bevy::input::InputPlugin;
use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use bevy::time::TimeUpdateStrategy;
use pavilion_model::layout::{ArrangeEntry, arrange};
use pavilion_model::{BoothTier, ExhibitorSummary, HallSnapshot, Topic};
use pavilion_viewer::HallScenePlugin;
use pavilion_viewer::bridge::{Outbox, PageEvent, PageRequest, RequestQueue};
use pavilion_viewer::hall::model::{BoothModel, ModelScene, Plinth};
use pavilion_viewer::hall::{Booth, BoothIndex, WalkableFloor};
use pavilion_viewer::remote::{Delivery, Inbox, RemoteTextures};
use pavilion_viewer::screen::Screen;
use pavilion_viewer::selection::{Selected, SelectionMarker};
use pavilion_viewer::walk::Visitor;

const RED_PNG: &[u8] = include_bytes!("fixtures/red-4x2.png");

fn exhibitor(slug: &str, topic: Topic, tier: BoothTier) -> ExhibitorSummary {
    ExhibitorSummary {
        slug: slug.into(),
        name: format!("Company {slug}"),
        tagline: "We protect things".into(),
        topic,
        topic_label: topic.label().into(),
        tier,
        colour: "#336699".into(),
        logo_url: format!("/media/{slug}-logo.png"),
        fascia_url: format!("/media/{slug}-fascia.png"),
        name_plate_url: format!("/media/{slug}-plate.png"),
        model_url: None,
    }
}

/// The content hash in the model URL of beta-walls, the one booth with a model.
const MODEL_SHA: &str = "5d41402abc4b2a76b9719d911017c592aaf0f2fa7e2b5ecf2b0c2ff95f0b7ab1";

fn snapshot() -> HallSnapshot {
    let mut with_model = exhibitor("beta-walls", Topic::NetworkSecurity, BoothTier::Premium);
    with_model.model_url = Some(format!("/media/{MODEL_SHA}.glb"));
    let exhibitors = vec![
        exhibitor("alpha-keys", Topic::Cryptography, BoothTier::Flagship),
        with_model,
        exhibitor("gamma-eyes", Topic::NetworkSecurity, BoothTier::Standard),
        exhibitor("delta-vault", Topic::DataSecurity, BoothTier::Standard),
    ];
    let entries: Vec<ArrangeEntry> = exhibitors
        .iter()
        .map(|e| ArrangeEntry {
            slug: e.slug.clone(),
            topic: e.topic,
            tier: e.tier,
        })
        .collect();
    let mut halls = arrange(&entries);
    for hall in &mut halls {
        hall.sign_url = Some(format!("/media/{}-sign.png", hall.id));
        for zone in &mut hall.zones {
            zone.sign_url = Some(format!("/media/{}-sign.png", zone.topic.slug()));
        }
    }
    HallSnapshot {
        version: 1,
        published_at: "2026-11-28T12:00:00Z".into(),
        halls,
        exhibitors,
    }
}

fn headless_app() -> App {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        AssetPlugin::default(),
        InputPlugin,
        StatesPlugin,
    ))
    .init_asset::<Mesh>()
    .init_asset::<StandardMaterial>()
    .init_asset::<Image>()
    .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
        100,
    )))
    .add_plugins(HallScenePlugin);
    app
}

fn app_with_hall() -> (App, HallSnapshot) {
    let mut app = headless_app();
    let snapshot = snapshot();
    app.update();
    app.world()
        .resource::<Inbox>()
        .deliver(Delivery::Snapshot(Ok(snapshot.clone())));
    for _ in 0..5 {
        app.update();
    }
    (app, snapshot)
}

fn delivered(app: &App) -> Vec<PageEvent> {
    app.world().resource::<Outbox>().delivered.clone()
}

fn visitor(app: &mut App) -> Transform {
    *app.world_mut()
        .query_filtered::<&Transform, With<Visitor>>()
        .single(app.world())
        .unwrap()
}

#[test]
fn every_placement_becomes_a_booth_where_the_snapshot_puts_it() {
    let (mut app, snapshot) = app_with_hall();
    assert_eq!(*app.world().resource::<State<Screen>>().get(), Screen::Hall);

    let mut booths: Vec<(String, Vec3, usize)> = app
        .world_mut()
        .query::<(&Booth, &Transform, &Children)>()
        .iter(app.world())
        .map(|(booth, transform, children)| {
            (booth.slug.clone(), transform.translation, children.len())
        })
        .collect();
    booths.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(booths.len(), snapshot.booth_count());

    for hall in &snapshot.halls {
        for placement in &hall.booths {
            let (_, at, parts) = booths.iter().find(|b| b.0 == placement.exhibitor).unwrap();
            let centre = placement.floor_rect().centre();
            assert!(
                (at.x - (hall.origin[0] + centre[0])).abs() < 1e-4,
                "{}",
                placement.exhibitor
            );
            assert!(
                (at.z - (hall.origin[1] + centre[1])).abs() < 1e-4,
                "{}",
                placement.exhibitor
            );
            // Floor, shell, fascia, counter, name plate, screen...: a booth, not a cube.
            assert!(
                *parts >= 10,
                "{} has only {parts} parts",
                placement.exhibitor
            );
        }
    }
    let index = app.world().resource::<BoothIndex>();
    assert_eq!(index.0.len(), snapshot.booth_count());
}

#[test]
fn each_booth_requests_its_fascia_name_plate_and_logo() {
    let (app, snapshot) = app_with_hall();
    let textures = app.world().resource::<RemoteTextures>();
    for exhibitor in &snapshot.exhibitors {
        for url in [
            &exhibitor.fascia_url,
            &exhibitor.name_plate_url,
            &exhibitor.logo_url,
        ] {
            assert!(textures.get(url).is_some(), "{url} was not requested");
        }
    }
    for zone in snapshot.halls.iter().flat_map(|h| &h.zones) {
        assert!(textures.get(zone.sign_url.as_ref().unwrap()).is_some());
    }
}

#[test]
fn arriving_textures_replace_their_placeholders_and_settle() {
    let (mut app, snapshot) = app_with_hall();
    let urls: Vec<String> = {
        let textures = app.world().resource::<RemoteTextures>();
        assert!(textures.waiting() > 0);
        let mut urls: Vec<String> = snapshot
            .exhibitors
            .iter()
            .flat_map(|e| {
                [
                    e.fascia_url.clone(),
                    e.name_plate_url.clone(),
                    e.logo_url.clone(),
                ]
            })
            .collect();
        urls.extend(snapshot.halls.iter().filter_map(|h| h.sign_url.clone()));
        urls.extend(
            snapshot
                .halls
                .iter()
                .flat_map(|h| h.zones.iter().filter_map(|z| z.sign_url.clone())),
        );
        urls
    };
    let inbox = app.world().resource::<Inbox>().clone();
    app.world_mut()
        .resource_mut::<Messages<AssetEvent<StandardMaterial>>>()
        .clear();
    let broken = urls[0].clone();
    inbox.deliver(Delivery::Texture {
        url: broken.clone(),
        bytes: Ok(b"<svg/>".to_vec()),
    });
    for url in &urls[1..] {
        inbox.deliver(Delivery::Texture {
            url: url.clone(),
            bytes: Ok(RED_PNG.to_vec()),
        });
    }
    app.update();

    let textures = app.world().resource::<RemoteTextures>();
    assert_eq!(textures.waiting(), 0);
    let images = app.world().resource::<Assets<Image>>();
    let size = |url: &str| images.get(textures.get(url).unwrap()).unwrap().size();
    assert_eq!(
        size(&urls[1]),
        UVec2::new(4, 2),
        "decoded image replaces the placeholder"
    );
    assert_eq!(
        size(&broken),
        UVec2::new(1, 1),
        "a bad image keeps the placeholder"
    );
    // Materials showing a replaced texture are re-prepared, or the GPU keeps the placeholder.
    let modified = app
        .world()
        .resource::<Messages<AssetEvent<StandardMaterial>>>()
        .iter_current_update_messages()
        .filter(|event| matches!(event, AssetEvent::Modified { .. }))
        .count();
    assert!(
        modified >= snapshot.exhibitors.len() * 3,
        "{modified} materials refreshed"
    );
    assert!(delivered(&app).contains(&PageEvent::TexturesSettled {
        loaded: urls.len() - 1,
        failed: 1
    }));
}

#[test]
fn the_page_hears_ready_once_after_the_hall_is_drawn() {
    let (mut app, snapshot) = app_with_hall();
    for _ in 0..5 {
        app.update();
    }
    let ready: Vec<PageEvent> = delivered(&app)
        .into_iter()
        .filter(|e| matches!(e, PageEvent::Ready { .. }))
        .collect();
    assert_eq!(
        ready,
        vec![PageEvent::Ready {
            booths: snapshot.booth_count(),
            halls: snapshot.halls.len()
        }]
    );
}

#[test]
fn a_failed_snapshot_fetch_reaches_the_page_and_builds_nothing() {
    let mut app = headless_app();
    app.update();
    app.world()
        .resource::<Inbox>()
        .deliver(Delivery::Snapshot(Err("the server answered 503".into())));
    for _ in 0..3 {
        app.update();
    }
    assert_eq!(
        *app.world().resource::<State<Screen>>().get(),
        Screen::Failed
    );
    assert!(delivered(&app).contains(&PageEvent::Failed {
        message: "the server answered 503".into()
    }));
    let booths = app.world_mut().query::<&Booth>().iter(app.world()).count();
    assert_eq!(booths, 0);
}

#[test]
fn the_page_can_focus_a_booth_by_slug() {
    let (mut app, _) = app_with_hall();
    let queue = app.world().resource::<RequestQueue>().clone();
    queue.push(PageRequest::FocusBooth {
        slug: "gamma-eyes".into(),
    });
    for _ in 0..15 {
        app.update();
    }
    assert_eq!(
        app.world().resource::<Selected>().0.as_deref(),
        Some("gamma-eyes")
    );
    assert!(delivered(&app).contains(&PageEvent::Selected {
        slug: "gamma-eyes".into()
    }));

    let anchor = app.world().resource::<BoothIndex>().0["gamma-eyes"];
    let eye = visitor(&mut app);
    let to_booth = (anchor.centre - eye.translation).with_y(0.0);
    assert!(
        to_booth.length() < 7.0,
        "visitor stands near the booth: {}",
        to_booth.length()
    );
    let looking = eye.forward().as_vec3().with_y(0.0).normalize();
    assert!(
        looking.dot(to_booth.normalize()) > 0.95,
        "visitor faces the booth"
    );

    let marker = app
        .world_mut()
        .query_filtered::<&Visibility, With<SelectionMarker>>()
        .single(app.world())
        .unwrap();
    assert_eq!(*marker, Visibility::Visible);

    // An unknown slug changes nothing.
    queue.push(PageRequest::FocusBooth {
        slug: "nobody".into(),
    });
    app.update();
    assert_eq!(
        app.world().resource::<Selected>().0.as_deref(),
        Some("gamma-eyes")
    );
}

#[test]
fn the_visitor_walks_forward_and_is_stopped_by_walls() {
    let (mut app, _) = app_with_hall();
    let start = visitor(&mut app);
    app.world_mut()
        .resource_mut::<ButtonInput<KeyCode>>()
        .press(KeyCode::KeyW);
    for _ in 0..10 {
        app.update();
    }
    let walked = visitor(&mut app);
    assert!(
        walked.translation.distance(start.translation) > 2.0,
        "walked from {} to {}",
        start.translation,
        walked.translation
    );

    // Turn to face the entrance wall beside the doorway and keep walking: the wall holds.
    {
        let mut query = app.world_mut().query::<(&mut Transform, &mut Visitor)>();
        let (mut transform, mut heading) = query.single_mut(app.world_mut()).unwrap();
        transform.translation = Vec3::new(2.0, 1.65, -3.0);
        *heading = Visitor::looking(transform.translation, transform.translation + Vec3::Z);
    }
    for _ in 0..40 {
        app.update();
    }
    let stopped = visitor(&mut app);
    assert!(
        stopped.translation.z < 0.0,
        "walked through the wall to {}",
        stopped.translation
    );
    let floor = app.world().resource::<WalkableFloor>();
    assert!(floor.allows([stopped.translation.x, stopped.translation.z], 0.3));
}

#[test]
fn a_booth_with_a_model_gets_a_plinth_and_requests_the_glb() {
    let mut app = headless_app();
    // Register the scene asset type so the model load is requested (natively it then fails
    // to find the file, which is fine: the request is what is checked).
    app.init_asset::<WorldAsset>();
    app.update();
    app.world()
        .resource::<Inbox>()
        .deliver(Delivery::Snapshot(Ok(snapshot())));
    for _ in 0..5 {
        app.update();
    }

    let booth_of = |app: &mut App, entity: Entity| -> String {
        let mut current = entity;
        loop {
            if let Some(booth) = app.world().get::<Booth>(current) {
                return booth.slug.clone();
            }
            current = app.world().get::<ChildOf>(current).unwrap().parent();
        }
    };
    let plinths: Vec<Entity> = app
        .world_mut()
        .query_filtered::<Entity, With<Plinth>>()
        .iter(app.world())
        .collect();
    assert_eq!(plinths.len(), 1, "only beta-walls has a model");
    assert_eq!(booth_of(&mut app, plinths[0]), "beta-walls");

    let models: Vec<(Entity, BoothModel, Visibility)> = app
        .world_mut()
        .query::<(Entity, &BoothModel, &Visibility)>()
        .iter(app.world())
        .map(|(e, m, v)| (e, m.clone(), *v))
        .collect();
    assert_eq!(models.len(), 1);
    let (holder, model, visibility) = &models[0];
    assert_eq!(model.path, format!("{MODEL_SHA}.glb#Scene0"));
    assert_eq!(booth_of(&mut app, *holder), "beta-walls");
    assert!(!model.fitted);
    assert_eq!(
        *visibility,
        Visibility::Hidden,
        "hidden until the model is fitted"
    );

    // The model stands on the plinth: above its top, at the same spot.
    let plinth_at = app
        .world()
        .get::<Transform>(plinths[0])
        .unwrap()
        .translation;
    let model_at = app.world().get::<Transform>(*holder).unwrap().translation;
    assert!((plinth_at.xz() - model_at.xz()).length() < 1e-4);
    assert!(model_at.y > plinth_at.y + 0.4);

    // The scene under the holder was asked for through the asset server.
    let scene = app.world().get::<Children>(*holder).unwrap()[0];
    assert!(app.world().get::<ModelScene>(scene).is_some());
    let root = app
        .world()
        .get::<WorldAssetRoot>(scene)
        .expect("the GLB scene is requested");
    let path = root
        .0
        .path()
        .expect("a loaded asset has a path")
        .to_string();
    assert_eq!(path, format!("{MODEL_SHA}.glb#Scene0"));

    // Visitors cannot walk through the plinth.
    let booth_root = app.world().get::<ChildOf>(plinths[0]).unwrap().parent();
    let world_plinth = app
        .world()
        .get::<Transform>(booth_root)
        .unwrap()
        .transform_point(plinth_at);
    let floor = app.world().resource::<WalkableFloor>();
    assert!(!floor.allows([world_plinth.x, world_plinth.z], 0.3));
}
