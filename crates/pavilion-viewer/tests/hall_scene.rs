//! Headless tests of the hall scene: a real Bevy `App` with the scene plugin, fed a snapshot
//! through the same inbox the browser fetches deliver into, stepped with `app.update()`.

use std::path::PathBuf;
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
use pavilion_viewer::flat::FlatMaterial;
use pavilion_viewer::glb::GlbModel;
use pavilion_viewer::hall::lod::{DETAIL_DISTANCE, DRAW_DISTANCE, FarBlock, distance_to};
use pavilion_viewer::hall::model::{BoothModel, MODEL_SIZE, ModelScene, ModelSource, Plinth};
use pavilion_viewer::hall::{Booth, BoothIndex, HallOnScreen, WalkableFloor};
use pavilion_viewer::remote::{Delivery, Inbox};
use pavilion_viewer::screen::Screen;
use pavilion_viewer::selection::{Selected, SelectionMarker};
use pavilion_viewer::textures::{MAX_FETCHES_IN_FLIGHT, RELEASE_FACTOR, RemoteTextures, Stage};
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
        art: None,
    }
}

/// The content hash in the model URL of beta-walls, the one booth with a model.
const MODEL_SHA: &str = "5d41402abc4b2a76b9719d911017c592aaf0f2fa7e2b5ecf2b0c2ff95f0b7ab1";

fn snapshot() -> HallSnapshot {
    small_snapshot()
}

/// `count` standard booths spread over every topic: several halls, far more than a visitor
/// sees from one spot.
fn big_snapshot(count: usize) -> HallSnapshot {
    let exhibitors: Vec<ExhibitorSummary> = (0..count)
        .map(|i| {
            exhibitor(
                &format!("company-{i:04}"),
                Topic::ALL[i % Topic::ALL.len()],
                BoothTier::Standard,
            )
        })
        .collect();
    with_signs(exhibitors)
}

fn with_signs(exhibitors: Vec<ExhibitorSummary>) -> HallSnapshot {
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
            zone.sign_url = Some(format!("/media/{}-{}-sign.png", hall.id, zone.topic.slug()));
        }
    }
    HallSnapshot {
        version: 1,
        published_at: "2026-11-28T12:00:00Z".into(),
        halls,
        exhibitors,
    }
}

fn small_snapshot() -> HallSnapshot {
    let mut with_model = exhibitor("beta-walls", Topic::NetworkSecurity, BoothTier::Premium);
    with_model.model_url = Some(format!("/media/{MODEL_SHA}.glb"));
    let exhibitors = vec![
        exhibitor("alpha-keys", Topic::Cryptography, BoothTier::Flagship),
        with_model,
        exhibitor("gamma-eyes", Topic::NetworkSecurity, BoothTier::Standard),
        exhibitor("delta-vault", Topic::DataSecurity, BoothTier::Standard),
    ];
    with_signs(exhibitors)
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
    app_with(snapshot())
}

fn app_with(snapshot: HallSnapshot) -> (App, HallSnapshot) {
    let mut app = headless_app();
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

    let mut booths: Vec<(String, Vec3)> = app
        .world_mut()
        .query::<(&Booth, &Transform)>()
        .iter(app.world())
        .map(|(booth, transform)| (booth.slug.clone(), transform.translation))
        .collect();
    booths.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(booths.len(), snapshot.booth_count());

    for hall in &snapshot.halls {
        for placement in &hall.booths {
            let (_, at) = booths.iter().find(|b| b.0 == placement.exhibitor).unwrap();
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
        }
    }
    let index = app.world().resource::<BoothIndex>();
    assert_eq!(index.0.len(), snapshot.booth_count());

    // Floor, shell, fascia board, counter...: a booth, not a cube. Its solid parts are in
    // its cell's block, as vertices of the booth's colours within its floor.
    let blocks: Vec<(Entity, FarBlock, Handle<Mesh>)> = app
        .world_mut()
        .query::<(Entity, &FarBlock, &Mesh3d)>()
        .iter(app.world())
        .map(|(e, b, m)| (e, b.clone(), m.0.clone()))
        .collect();
    let meshes = app.world().resource::<Assets<Mesh>>();
    for (entity, block, mesh) in &blocks {
        let mesh = meshes.get(mesh).unwrap();
        let positions = mesh
            .attribute(Mesh::ATTRIBUTE_POSITION)
            .unwrap()
            .as_float3()
            .unwrap();
        for floor in &block.floors {
            let inside = positions
                .iter()
                .filter(|p| distance_to(floor, Vec2::new(p[0], p[2])) < 0.01)
                .count();
            // A box is 24 vertices, and a booth is a floor, walls, a board, a counter...
            assert!(inside >= 24 * 4, "{inside} vertices on a booth's floor");
        }
        assert!(mesh.attribute(Mesh::ATTRIBUTE_COLOR).is_some());
        // The cell's pictures, merged per material: without atlases each booth has four
        // (fascia, name plate, logo, and the screen showing the logo opaque).
        assert_eq!(block.pictures.len(), 4 * block.booths.len());
        for &picture in &block.pictures {
            assert!(app.world().get::<Mesh3d>(picture).is_some());
            assert_eq!(
                app.world().get::<ChildOf>(picture).map(ChildOf::parent),
                Some(*entity),
                "a cell's pictures are children of its block"
            );
        }
    }
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

/// Answers every fetch in flight with `answer(url)` and steps a frame, until nothing is in
/// flight; checks the cap on every frame and returns the URLs fetched, in order.
fn serve_fetches(app: &mut App, answer: impl Fn(&str) -> Result<Vec<u8>, String>) -> Vec<String> {
    serve_fetches_counting_refreshes(app, answer).0
}

/// [`serve_fetches`], also counting the materials re-prepared on the way.
fn serve_fetches_counting_refreshes(
    app: &mut App,
    answer: impl Fn(&str) -> Result<Vec<u8>, String>,
) -> (Vec<String>, usize) {
    let inbox = app.world().resource::<Inbox>().clone();
    let mut served = Vec::new();
    let mut refreshed = 0;
    for _ in 0..10_000 {
        let fetching = app.world().resource::<RemoteTextures>().fetching_urls();
        assert!(fetching.len() <= MAX_FETCHES_IN_FLIGHT, "{fetching:?}");
        if fetching.is_empty() {
            return (served, refreshed);
        }
        for url in fetching {
            inbox.deliver(Delivery::Texture {
                bytes: answer(&url),
                url: url.clone(),
            });
            served.push(url);
        }
        app.update();
        refreshed += app
            .world()
            .resource::<Messages<AssetEvent<FlatMaterial>>>()
            .iter_current_update_messages()
            .filter(|event| matches!(event, AssetEvent::Modified { .. }))
            .count();
    }
    panic!("the fetches never settle");
}

fn move_visitor(app: &mut App, to: Vec3) {
    let mut query = app
        .world_mut()
        .query_filtered::<&mut Transform, With<Visitor>>();
    query.single_mut(app.world_mut()).unwrap().translation = to;
}

#[test]
fn arriving_textures_replace_their_placeholders_and_settle() {
    let (mut app, snapshot) = app_with_hall();
    let broken = app.world().resource::<RemoteTextures>().fetching_urls()[0].clone();
    let (served, refreshed) = serve_fetches_counting_refreshes(&mut app, |url| {
        Ok(if url == broken {
            b"<svg/>".to_vec()
        } else {
            RED_PNG.to_vec()
        })
    });

    // The small hall is all within reach: every booth's art and every sign is fetched once.
    let mut expected: Vec<String> = snapshot
        .exhibitors
        .iter()
        .flat_map(|e| [&e.fascia_url, &e.name_plate_url, &e.logo_url])
        .cloned()
        .collect();
    expected.extend(snapshot.halls.iter().filter_map(|h| h.sign_url.clone()));
    expected.extend(
        snapshot
            .halls
            .iter()
            .flat_map(|h| h.zones.iter().filter_map(|z| z.sign_url.clone())),
    );
    let (mut sorted_served, mut sorted_expected) = (served.clone(), expected.clone());
    sorted_served.sort();
    sorted_expected.sort();
    assert_eq!(sorted_served, sorted_expected);

    let textures = app.world().resource::<RemoteTextures>();
    assert_eq!(textures.fetching(), 0);
    assert_eq!(textures.stage(&broken), Some(Stage::Failed));
    let images = app.world().resource::<Assets<Image>>();
    let size = |url: &str| images.get(textures.get(url).unwrap()).unwrap().size();
    let good = served.iter().find(|u| **u != broken).unwrap();
    assert_eq!(
        size(good),
        UVec2::new(4, 2),
        "decoded image replaces the placeholder"
    );
    assert_eq!(
        size(&broken),
        UVec2::new(1, 1),
        "a bad image keeps the placeholder"
    );
    // Materials showing a replaced texture are re-prepared, or the GPU keeps the placeholder.
    assert!(
        refreshed >= snapshot.exhibitors.len() * 3,
        "{refreshed} materials refreshed"
    );
    assert!(delivered(&app).contains(&PageEvent::TexturesSettled {
        loaded: expected.len() - 1,
        failed: 1
    }));
}

#[test]
fn pictures_are_fetched_nearest_first_and_only_within_reach() {
    let (mut app, snapshot) = app_with(big_snapshot(300));
    let start = visitor(&mut app).translation;
    let textures = app.world().resource::<RemoteTextures>();
    let first = textures.fetching_urls();
    assert_eq!(
        first.len(),
        MAX_FETCHES_IN_FLIGHT,
        "the first frame fills the slots"
    );
    // Nothing still waiting within reach is nearer than what went first.
    let farthest_first = first
        .iter()
        .map(|u| textures.distance(u, start).unwrap())
        .fold(0.0, f32::max);
    for url in textures.urls_in(Stage::Waiting) {
        let distance = textures.distance(&url, start).unwrap();
        if distance <= textures.reach(&url).unwrap() {
            assert!(
                distance >= farthest_first - 1e-3,
                "{url} at {distance} m waited"
            );
        }
    }

    let served = serve_fetches(&mut app, |_| Ok(RED_PNG.to_vec()));
    let textures = app.world().resource::<RemoteTextures>();
    let all = snapshot.exhibitors.len() * 3;
    assert!(
        served.len() < all / 2,
        "{} of {all} booth pictures fetched from the entrance",
        served.len()
    );
    // Each frame's batch fills the free slots with the nearest pictures still waiting, so no
    // batch holds a picture farther than any of the next batch (a picture shown in several
    // places counts its nearest).
    let distances: Vec<f32> = served
        .iter()
        .map(|u| textures.distance(u, start).unwrap())
        .collect();
    let batches: Vec<&[f32]> = distances.chunks(MAX_FETCHES_IN_FLIGHT).collect();
    for pair in batches.windows(2) {
        let farthest = pair[0].iter().copied().fold(0.0, f32::max);
        let nearest = pair[1].iter().copied().fold(f32::INFINITY, f32::min);
        assert!(farthest <= nearest + 1e-3, "{distances:?}");
    }
    for url in &served {
        assert!(textures.distance(url, start).unwrap() <= textures.reach(url).unwrap());
    }
    assert_eq!(textures.missing_within_reach(start), 0);
    assert!(matches!(
        delivered(&app).last(),
        Some(PageEvent::TexturesSettled { failed: 0, .. })
    ));
}

#[test]
fn pictures_left_far_behind_are_released_and_fetched_again_on_return() {
    let (mut app, snapshot) = app_with(big_snapshot(300));
    let start = visitor(&mut app).translation;
    serve_fetches(&mut app, |_| Ok(RED_PNG.to_vec()));
    let near = {
        let textures = app.world().resource::<RemoteTextures>();
        textures
            .urls_in(Stage::Shown)
            .into_iter()
            .min_by(|a, b| {
                let d = |u: &String| textures.distance(u, start).unwrap();
                d(a).total_cmp(&d(b))
            })
            .unwrap()
    };

    // Walk to the farthest booth of the last hall.
    let hall = snapshot.halls.last().unwrap();
    let far = hall
        .booths
        .iter()
        .map(|b| {
            let c = b.floor_rect().centre();
            Vec3::new(hall.origin[0] + c[0], 1.6, hall.origin[1] + c[1])
        })
        .max_by(|a, b| a.distance(start).total_cmp(&b.distance(start)))
        .unwrap();
    let reach = app
        .world()
        .resource::<RemoteTextures>()
        .reach(&near)
        .unwrap();
    assert!(
        far.xz().distance(start.xz()) > reach * RELEASE_FACTOR,
        "the hall is large enough"
    );
    move_visitor(&mut app, far);
    app.update();
    let served_far = serve_fetches(&mut app, |_| Ok(RED_PNG.to_vec()));
    assert!(!served_far.is_empty());
    let textures = app.world().resource::<RemoteTextures>();
    assert_eq!(
        textures.stage(&near),
        Some(Stage::Waiting),
        "{near} is released"
    );
    assert!(textures.released() > 0);
    let images = app.world().resource::<Assets<Image>>();
    let handle = textures.get(&near).unwrap();
    assert_eq!(images.get(handle).unwrap().size(), UVec2::new(1, 1));

    // Back at the entrance, it is fetched again.
    move_visitor(&mut app, start);
    app.update();
    let served_back = serve_fetches(&mut app, |_| Ok(RED_PNG.to_vec()));
    assert!(served_back.contains(&near));
    let textures = app.world().resource::<RemoteTextures>();
    assert_eq!(textures.stage(&near), Some(Stage::Shown));
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

/// For every far block: whether it is drawn, and whether each of its booths and pictures is.
fn detail_state(app: &mut App) -> Vec<(FarBlock, Visibility, Vec<Visibility>)> {
    let blocks: Vec<(FarBlock, Visibility)> = app
        .world_mut()
        .query::<(&FarBlock, &Visibility)>()
        .iter(app.world())
        .map(|(b, v)| (b.clone(), *v))
        .collect();
    blocks
        .into_iter()
        .map(|(block, visibility)| {
            let booths = block
                .booths
                .iter()
                .chain(&block.pictures)
                .map(|&e| *app.world().get::<Visibility>(e).unwrap())
                .collect();
            (block, visibility, booths)
        })
        .collect()
}

#[test]
fn the_hall_draws_with_flat_materials_only_and_a_few_of_them() {
    // The snapshot's one product model loads natively as a failure: nothing lit is spawned.
    let (mut app, snapshot) = app_with_hall();
    let world = app.world_mut();
    let lit = world
        .query::<&MeshMaterial3d<StandardMaterial>>()
        .iter(world)
        .count();
    assert_eq!(
        lit, 0,
        "lit materials cost a long shader compile and per-pixel lighting"
    );
    let mut used: Vec<AssetId<FlatMaterial>> = world
        .query::<&MeshMaterial3d<FlatMaterial>>()
        .iter(world)
        .map(|m| m.id())
        .collect();
    used.sort();
    used.dedup();
    let materials = world.resource::<Assets<FlatMaterial>>();
    let vertex_coloured = used
        .iter()
        .filter(|id| materials.get(**id) == Some(&FlatMaterial::vertex_coloured()))
        .count();
    assert_eq!(vertex_coloured, 1, "one material for all baked parts");
    let pictures = used
        .iter()
        .filter(|id| materials.get(**id).is_some_and(|m| m.picture.is_some()))
        .count();
    // Besides, the selection marker's translucent colour.
    assert_eq!(
        pictures + vertex_coloured + 1,
        used.len(),
        "everything drawn is baked, a picture or the selection marker"
    );
    assert!(
        pictures <= snapshot.exhibitors.len() * 4 + 8,
        "{pictures} picture materials"
    );
}

#[test]
fn booths_are_drawn_by_cells_with_pictures_only_near_the_visitor() {
    let (mut app, snapshot) = app_with(big_snapshot(300));
    let at = visitor(&mut app).translation.xz();
    let state = detail_state(&mut app);
    let booths_in_blocks: usize = state.iter().map(|(b, _, _)| b.booths.len()).sum();
    assert_eq!(
        booths_in_blocks,
        snapshot.booth_count(),
        "every booth is in one cell"
    );
    assert!(
        state.len() * 4 <= snapshot.booth_count(),
        "{} cells for {} booths",
        state.len(),
        snapshot.booth_count()
    );
    let meshes = app
        .world_mut()
        .query_filtered::<&Mesh3d, With<FarBlock>>()
        .iter(app.world())
        .count();
    assert_eq!(meshes, state.len(), "each cell is one mesh");
    let (mut near, mut far, mut beyond) = (0, 0, 0);
    for (block, visibility, booths) in &state {
        if distance_to(&block.area, at) <= DRAW_DISTANCE {
            assert_eq!(
                *visibility,
                Visibility::Inherited,
                "cells in sight are drawn"
            );
        } else {
            beyond += 1;
            assert_eq!(
                *visibility,
                Visibility::Hidden,
                "cells beyond sight are not"
            );
        }
        if distance_to(&block.area, at) <= DETAIL_DISTANCE {
            near += 1;
            assert!(booths.iter().all(|v| *v == Visibility::Inherited));
        } else {
            far += 1;
            assert!(booths.iter().all(|v| *v == Visibility::Hidden));
        }
    }
    assert!(near > 0 && far > near, "{near} near, {far} far");
    assert!(
        beyond > 0,
        "a hall of 300 booths reaches beyond {DRAW_DISTANCE} m"
    );

    // Walking to a far cell shows its booths' pictures and hides the entrance's.
    let (target, _, _) = state
        .iter()
        .max_by(|a, b| distance_to(&a.0.area, at).total_cmp(&distance_to(&b.0.area, at)))
        .unwrap()
        .clone();
    let [x, z] = target.area.centre();
    move_visitor(&mut app, Vec3::new(x, 1.6, z));
    app.update();
    for (block, visibility, booths) in detail_state(&mut app) {
        if block.booths == target.booths {
            assert_eq!(
                visibility,
                Visibility::Inherited,
                "the cell walked to is drawn"
            );
            assert!(booths.iter().all(|v| *v == Visibility::Inherited));
        }
        if distance_to(&block.area, Vec2::new(x, z)) > DRAW_DISTANCE + 3.0 {
            assert_eq!(
                visibility,
                Visibility::Hidden,
                "cells left far behind are not"
            );
        }
        if distance_to(&block.area, at) <= DETAIL_DISTANCE
            && distance_to(&block.area, Vec2::new(x, z)) > DETAIL_DISTANCE + 3.0
        {
            assert!(booths.iter().all(|v| *v == Visibility::Hidden));
        }
    }
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
    // Register the model asset type so the model load is requested (natively it then fails
    // to find the file, which is fine: the request is what is checked).
    app.init_asset::<GlbModel>();
    app.update();
    app.world()
        .resource::<Inbox>()
        .deliver(Delivery::Snapshot(Ok(snapshot())));
    app.update();
    let requested = |app: &mut App| {
        app.world_mut()
            .query::<&ModelSource>()
            .iter(app.world())
            .count()
    };
    assert_eq!(
        requested(&mut app),
        0,
        "models wait until the hall is on screen"
    );
    for _ in 0..4 {
        app.update();
    }
    assert!(app.world().contains_resource::<HallOnScreen>());

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
    assert_eq!(model.path, format!("{MODEL_SHA}.glb"));
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
    let source = app
        .world()
        .get::<ModelSource>(scene)
        .expect("the GLB model is requested");
    let path = source
        .handle
        .path()
        .expect("a loaded asset has a path")
        .to_string();
    assert_eq!(path, format!("{MODEL_SHA}.glb"));

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

#[test]
fn the_page_can_walk_the_visitor_to_a_point_and_hears_the_pose() {
    let (mut app, snapshot) = app_with_hall();
    let poses = |app: &App| {
        delivered(app)
            .into_iter()
            .filter_map(|event| match event {
                PageEvent::Pose { x, z, heading } => Some((x, z, heading)),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let first = poses(&app);
    assert!(!first.is_empty(), "the page hears where the visitor starts");
    let start = visitor(&mut app);
    let (x, z, _) = *first.last().unwrap();
    assert!((x - start.translation.x).abs() < 0.01 && (z - start.translation.z).abs() < 0.01);

    // Standing still says nothing more.
    for _ in 0..5 {
        app.update();
    }
    assert_eq!(poses(&app).len(), first.len());

    // A point in the middle of the first hall's first booth: the visitor stops beside it,
    // on free floor, and looks where the page asked.
    let hall = &snapshot.halls[0];
    let booth = hall.booths[0].floor_rect();
    let asked = [
        hall.origin[0] + booth.centre()[0],
        hall.origin[1] + booth.centre()[1],
    ];
    let look = [asked[0], asked[1] + 20.0];
    app.world()
        .resource::<RequestQueue>()
        .push(PageRequest::WalkTo {
            x: asked[0],
            z: asked[1],
            look: Some(look),
        });
    for _ in 0..15 {
        app.update();
    }
    let arrived = visitor(&mut app);
    let floor = app.world().resource::<WalkableFloor>();
    assert!(floor.allows([arrived.translation.x, arrived.translation.z], 0.3));
    let off = Vec2::new(arrived.translation.x, arrived.translation.z).distance(Vec2::from(asked));
    assert!(
        off < booth.width.max(booth.depth),
        "stopped {off} m from the point"
    );
    let facing = arrived.forward().as_vec3().with_y(0.0).normalize();
    let wanted = (Vec3::new(look[0], 0.0, look[1]) - arrived.translation.with_y(0.0)).normalize();
    assert!(facing.dot(wanted) > 0.95, "faces {facing}, wanted {wanted}");

    // The page heard the walk, a few times a second at most, ending where the visitor stands.
    let during = poses(&app);
    let walked = &during[first.len()..];
    assert!(
        (1..=10).contains(&walked.len()),
        "{} poses for 1.5 s of walking",
        walked.len()
    );
    let (x, z, heading) = *walked.last().unwrap();
    assert!((x - arrived.translation.x).abs() < 0.01 && (z - arrived.translation.z).abs() < 0.01);
    let seen = Vec3::new(-heading.sin(), 0.0, -heading.cos());
    assert!(
        seen.dot(facing) > 0.99,
        "heading {heading} against {facing}"
    );
}

#[test]
fn the_thumb_stick_walks_and_a_finger_drag_looks_around() {
    let (mut app, _) = app_with_hall();
    let queue = app.world().resource::<RequestQueue>().clone();
    let start = visitor(&mut app);

    // Half a push forward walks at half speed: about half as far as a full push.
    queue.push(PageRequest::Stick {
        forward: 0.5,
        sideways: 0.0,
    });
    for _ in 0..5 {
        app.update();
    }
    let half = visitor(&mut app);
    let half_way = half.translation.distance(start.translation);
    queue.push(PageRequest::Stick {
        forward: 1.0,
        sideways: 0.0,
    });
    for _ in 0..5 {
        app.update();
    }
    let full = visitor(&mut app);
    let full_way = full.translation.distance(half.translation);
    assert!(half_way > 0.4, "half a push walked {half_way} m");
    assert!(
        (full_way / half_way - 2.0).abs() < 0.3,
        "a full push walked {full_way} m against {half_way} m"
    );
    let ahead = start.forward().as_vec3().with_y(0.0).normalize();
    let walked = (full.translation - start.translation)
        .with_y(0.0)
        .normalize();
    assert!(walked.dot(ahead) > 0.99, "walked {walked}, facing {ahead}");

    // Letting go stops the visitor.
    queue.push(PageRequest::Stick {
        forward: 0.0,
        sideways: 0.0,
    });
    app.update();
    let stopped = visitor(&mut app);
    for _ in 0..5 {
        app.update();
    }
    assert_eq!(visitor(&mut app).translation, stopped.translation);

    // A drag to the left turns the view to the left (counter-clockwise seen from above),
    // once: the drag is used up.
    let yaw = app
        .world_mut()
        .query::<&Visitor>()
        .single(app.world())
        .unwrap()
        .yaw;
    queue.push(PageRequest::Look {
        dx: -100.0,
        dy: 0.0,
    });
    for _ in 0..3 {
        app.update();
    }
    let turned = app
        .world_mut()
        .query::<&Visitor>()
        .single(app.world())
        .unwrap()
        .yaw;
    assert!(
        (turned - yaw - 0.45).abs() < 1e-3,
        "turned from {yaw} to {turned}"
    );
}

/// The snapshot with every booth's art in atlas pages, a page per `booths_per_page` booths of
/// a hall in layout order, as the server packs them.
fn with_atlas(mut snapshot: HallSnapshot) -> HallSnapshot {
    let template = pavilion_model::atlas::page_template();
    for hall in &snapshot.halls {
        for (i, placement) in hall.booths.iter().enumerate() {
            let slots = template[i % template.len()];
            let exhibitor = snapshot
                .exhibitors
                .iter_mut()
                .find(|e| e.slug == placement.exhibitor)
                .unwrap();
            exhibitor.art = Some(pavilion_model::BoothArt {
                page_url: format!("/media/{}-page-{}.png", hall.id, i / template.len()),
                fascia: slots.fascia.uv(),
                name_plate: slots.name_plate.uv(),
                logo: slots.logo.uv(),
            });
        }
    }
    snapshot
}

#[test]
fn booths_sharing_an_atlas_page_draw_from_it_merged_per_cell() {
    let snapshot = with_atlas(big_snapshot(300));
    let (mut app, _) = app_with(snapshot.clone());
    let art = |slug: &str| snapshot.exhibitor(slug).unwrap().art.clone().unwrap();
    {
        let textures = app.world().resource::<RemoteTextures>();
        for exhibitor in &snapshot.exhibitors {
            assert!(textures.get(&art(&exhibitor.slug).page_url).is_some());
            for url in [
                &exhibitor.fascia_url,
                &exhibitor.name_plate_url,
                &exhibitor.logo_url,
            ] {
                assert!(textures.get(url).is_none(), "{url} requested");
            }
        }
    }
    let blocks: Vec<FarBlock> = app
        .world_mut()
        .query::<&FarBlock>()
        .iter(app.world())
        .cloned()
        .collect();
    let mut pictures = 0;
    for block in &blocks {
        let slugs: Vec<String> = block
            .booths
            .iter()
            .map(|&e| app.world().get::<Booth>(e).unwrap().slug.clone())
            .collect();
        let mut pages: Vec<String> = slugs.iter().map(|s| art(s).page_url).collect();
        pages.sort();
        pages.dedup();
        // Each page the cell uses is one texture drawn twice: opaque, and blended for logos.
        assert_eq!(block.pictures.len(), 2 * pages.len(), "{slugs:?}");
        pictures += block.pictures.len();
        let rects: Vec<[f32; 4]> = slugs
            .iter()
            .flat_map(|s| {
                let a = art(s);
                [a.fascia, a.name_plate, a.logo]
            })
            .collect();
        let meshes = app.world().resource::<Assets<Mesh>>();
        for &picture in &block.pictures {
            let mesh = meshes
                .get(&app.world().get::<Mesh3d>(picture).unwrap().0)
                .unwrap();
            let Some(bevy::mesh::VertexAttributeValues::Float32x2(uvs)) =
                mesh.attribute(Mesh::ATTRIBUTE_UV_0)
            else {
                panic!("a picture has texture coordinates")
            };
            for uv in uvs {
                assert!(
                    rects.iter().any(|r| {
                        (r[0] - 1e-6..=r[0] + r[2] + 1e-6).contains(&uv[0])
                            && (r[1] - 1e-6..=r[1] + r[3] + 1e-6).contains(&uv[1])
                    }),
                    "{uv:?} is outside the cell's booths' slots"
                );
            }
        }
    }
    // Against four per booth without atlases.
    assert!(
        pictures < snapshot.booth_count(),
        "{pictures} picture meshes for {} booths",
        snapshot.booth_count()
    );

    // From the entrance only the few pages nearby are fetched.
    let served = serve_fetches(&mut app, |_| Ok(RED_PNG.to_vec()));
    let pages_served = served.iter().filter(|u| u.contains("-page-")).count();
    let (mut plain, _) = app_with(big_snapshot(300));
    let plain_served = serve_fetches(&mut plain, |_| Ok(RED_PNG.to_vec()));
    let art_served = plain_served.len() - (served.len() - pages_served);
    assert!(
        pages_served > 0 && pages_served * 6 < art_served,
        "{pages_served} pages fetched against {art_served} booth pictures"
    );
}

#[test]
fn a_booth_model_is_loaded_spawned_and_fitted_onto_its_plinth() {
    // The asset root holds the booth's model under its content name, as the server's media.
    let root = std::env::temp_dir().join(format!("pavilion-hall-model-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    let model_file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../exhibitors/plumbline-controls/media/model.glb");
    std::fs::copy(model_file, root.join(format!("{MODEL_SHA}.glb"))).unwrap();

    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        AssetPlugin {
            file_path: root.to_string_lossy().into_owned(),
            ..default()
        },
        InputPlugin,
        StatesPlugin,
    ))
    .init_asset::<Mesh>()
    .init_asset::<StandardMaterial>()
    .init_asset::<Image>()
    .add_plugins(pavilion_viewer::glb::plugin)
    .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
        100,
    )))
    .add_plugins(HallScenePlugin);
    app.update();
    app.world()
        .resource::<Inbox>()
        .deliver(Delivery::Snapshot(Ok(snapshot())));

    let started = std::time::Instant::now();
    let (holder, model) = loop {
        app.update();
        let models: Vec<(Entity, BoothModel)> = app
            .world_mut()
            .query::<(Entity, &BoothModel)>()
            .iter(app.world())
            .map(|(e, m)| (e, m.clone()))
            .collect();
        if let Some((holder, model)) = models.into_iter().find(|(_, m)| m.fitted) {
            break (holder, model);
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the model was never fitted"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    std::fs::remove_dir_all(&root).unwrap();
    assert_eq!(model.path, format!("{MODEL_SHA}.glb"));
    assert_eq!(
        app.world().get::<Visibility>(holder),
        Some(&Visibility::Inherited),
        "shown once fitted"
    );
    let scene = app.world().get::<Children>(holder).unwrap()[0];
    let parts = app
        .world()
        .get::<Children>(scene)
        .expect("the model's parts");
    assert_eq!(parts.len(), 1);
    assert!(app.world().get::<Mesh3d>(parts[0]).is_some());
    // Fitted in the model's own frame: scaled to MODEL_SIZE, and moved by no more than
    // the model's size (it is built around its origin), whatever stands where in the hall.
    let fitted = *app.world().get::<Transform>(scene).unwrap();
    assert!(fitted.scale.x > 0.0 && fitted.scale.x.is_finite());
    assert!(
        fitted.translation.length() < MODEL_SIZE,
        "the model is fitted in its own frame, not the hall's: {fitted:?}"
    );
}
