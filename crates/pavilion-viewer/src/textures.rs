//! Booth art and signs streamed by distance: every picture the hall shows (booth art atlas
//! pages, or a booth's own fascia, name plate and logo in snapshots without atlases; hall and
//! topic signs) gets a placeholder handle when the hall is built, together with the places it
//! is shown (an atlas page: every booth drawing from it) and how far it can be seen from. Each frame the
//! pictures within reach of the visitor are fetched nearest first, a few at a time; pictures
//! the visitor has walked well away from go back to their placeholder, so a hall of a
//! thousand booths neither floods the server at start-up nor keeps every picture in memory.

use std::collections::HashMap;

use bevy::asset::RenderAssetUsages;
use bevy::image::{CompressedImageFormats, ImageSampler, ImageType};
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use crate::bridge::{Outbox, PageEvent};
use crate::flat::FlatMaterial;
use crate::remote::Inbox;
use crate::screen::Screen;
use crate::walk::Visitor;

/// Fetches in flight at once: what a browser sends over one HTTP/1.1 host anyway, so nearer
/// pictures never queue behind farther ones inside the browser.
pub const MAX_FETCHES_IN_FLIGHT: usize = 6;
/// How far a booth's fascia, name plate and logo can be read from, in metres.
pub const BOOTH_ART_REACH: f32 = 40.0;
/// How far the hall and topic signs can be read from.
pub const SIGN_REACH: f32 = 90.0;
/// A shown picture goes back to its placeholder beyond this many times its reach (the margin
/// keeps a visitor walking along the edge from fetching the same picture again and again).
pub const RELEASE_FACTOR: f32 = 1.5;

/// Where a picture stands in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Shows the placeholder; fetched once the visitor comes within reach.
    Waiting,
    /// Its fetch is in flight.
    Fetching,
    /// The decoded picture replaces the placeholder.
    Shown,
    /// The server's bytes were not a usable picture; the placeholder stays.
    Failed,
}

#[derive(Debug)]
struct Entry {
    handle: Handle<Image>,
    /// Where the picture is shown (a URL can be shown in several places, like a hall sign
    /// over each doorway).
    places: Vec<Vec3>,
    reach: f32,
    stage: Stage,
}

impl Entry {
    /// Distance from `from` to the nearest place the picture is shown, on the floor plane.
    fn distance(&self, from: Vec3) -> f32 {
        self.places
            .iter()
            .map(|p| Vec2::new(p.x - from.x, p.z - from.z).length())
            .fold(f32::INFINITY, f32::min)
    }
}

/// The hall's pictures, one handle per URL, and what is fetched or shown of them.
#[derive(Resource, Debug, Default)]
pub struct RemoteTextures {
    entries: HashMap<String, Entry>,
    fetching: usize,
    /// Fetches started since the hall was built (a picture fetched again counts again).
    started: usize,
    loaded: usize,
    failed: usize,
    released: usize,
    /// Whether the page has been told that everything within reach is in.
    settled_told: bool,
}

/// What the streaming decided for one frame.
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    /// Nearest first.
    pub fetch: Vec<String>,
    pub release: Vec<String>,
}

impl RemoteTextures {
    /// The handle for the picture at `url`, shown at `place` and readable from `reach`
    /// metres. The handle shows a plain placeholder until the picture is fetched and arrives.
    pub fn request(
        &mut self,
        url: &str,
        place: Vec3,
        reach: f32,
        images: &mut Assets<Image>,
    ) -> Handle<Image> {
        if let Some(entry) = self.entries.get_mut(url) {
            entry.places.push(place);
            entry.reach = entry.reach.max(reach);
            return entry.handle.clone();
        }
        let handle = images.add(placeholder_image());
        self.entries.insert(
            url.to_owned(),
            Entry {
                handle: handle.clone(),
                places: vec![place],
                reach,
                stage: Stage::Waiting,
            },
        );
        handle
    }

    /// The handle already made for `url`, if any.
    pub fn get(&self, url: &str) -> Option<&Handle<Image>> {
        self.entries.get(url).map(|e| &e.handle)
    }

    /// How far the visitor at `from` is from the nearest place `url` is shown.
    pub fn distance(&self, url: &str, from: Vec3) -> Option<f32> {
        self.entries.get(url).map(|e| e.distance(from))
    }

    /// How far `url` can be seen from.
    pub fn reach(&self, url: &str) -> Option<f32> {
        self.entries.get(url).map(|e| e.reach)
    }

    pub fn stage(&self, url: &str) -> Option<Stage> {
        self.entries.get(url).map(|e| e.stage)
    }

    /// The URLs whose fetches are in flight.
    pub fn fetching_urls(&self) -> Vec<String> {
        self.urls_in(Stage::Fetching)
    }

    pub fn urls_in(&self, stage: Stage) -> Vec<String> {
        let mut urls: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, e)| e.stage == stage)
            .map(|(url, _)| url.clone())
            .collect();
        urls.sort();
        urls
    }

    /// Fetches in flight.
    pub fn fetching(&self) -> usize {
        self.fetching
    }

    /// Fetches started so far.
    pub fn started(&self) -> usize {
        self.started
    }

    /// Pictures sent back to their placeholder so far.
    pub fn released(&self) -> usize {
        self.released
    }

    /// Pictures the visitor at `from` should see that are not in yet (waiting or in flight).
    pub fn missing_within_reach(&self, from: Vec3) -> usize {
        self.entries
            .values()
            .filter(|e| {
                matches!(e.stage, Stage::Waiting | Stage::Fetching) && e.distance(from) <= e.reach
            })
            .count()
    }

    /// Which pictures to fetch (nearest first, filling the free fetch slots) and which to
    /// release, for a visitor standing at `from`. Changes nothing.
    pub fn plan(&self, from: Vec3) -> Plan {
        let slots = MAX_FETCHES_IN_FLIGHT.saturating_sub(self.fetching);
        let mut wanted: Vec<(f32, &String)> = Vec::new();
        let mut release = Vec::new();
        for (url, entry) in &self.entries {
            let distance = entry.distance(from);
            match entry.stage {
                Stage::Waiting if slots > 0 && distance <= entry.reach => {
                    wanted.push((distance, url))
                }
                Stage::Shown if distance > entry.reach * RELEASE_FACTOR => {
                    release.push(url.clone())
                }
                _ => {}
            }
        }
        // Ties (a picture shown at the same distance) fall back to the URL, so the order is
        // the same on every run.
        wanted.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        release.sort();
        Plan {
            fetch: wanted
                .into_iter()
                .take(slots)
                .map(|(_, url)| url.clone())
                .collect(),
            release,
        }
    }

    /// Asks for a shown picture again (a live sign that may have changed): it keeps showing
    /// until the new bytes arrive, and is fetched like any waiting picture within reach.
    pub fn refresh(&mut self, url: &str) {
        if let Some(entry) = self.entries.get_mut(url)
            && entry.stage == Stage::Shown
        {
            entry.stage = Stage::Waiting;
        }
    }

    fn mark_fetching(&mut self, url: &str) {
        if let Some(entry) = self.entries.get_mut(url) {
            entry.stage = Stage::Fetching;
            self.fetching += 1;
            self.started += 1;
            self.settled_told = false;
        }
    }

    /// Puts the placeholder back for `url`; it will be fetched again when the visitor returns.
    fn release(&mut self, url: &str, images: &mut Assets<Image>) -> Option<AssetId<Image>> {
        let entry = self.entries.get_mut(url)?;
        entry.stage = Stage::Waiting;
        self.released += 1;
        let id = entry.handle.id();
        if let Err(e) = images.insert(id, placeholder_image()) {
            warn!("could not release the picture {url}: {e}");
        }
        Some(id)
    }

    /// Takes in the bytes fetched for `url`. Bytes for a picture that is no longer being
    /// fetched (released meanwhile, or never asked for) are dropped.
    pub fn arrived(
        &mut self,
        url: &str,
        bytes: Result<Vec<u8>, String>,
        images: &mut Assets<Image>,
        materials: &mut Assets<FlatMaterial>,
    ) {
        let Some(entry) = self.entries.get_mut(url) else {
            return;
        };
        if entry.stage != Stage::Fetching {
            return;
        }
        self.fetching = self.fetching.saturating_sub(1);
        match bytes.and_then(|b| decode_texture(&b)) {
            Ok(image) => {
                entry.stage = Stage::Shown;
                self.loaded += 1;
                let id = entry.handle.id();
                if let Err(e) = images.insert(id, image) {
                    warn!("texture {url} arrived after its booth was gone: {e}");
                }
                refresh_materials_using(materials, id);
            }
            Err(message) => {
                entry.stage = Stage::Failed;
                self.failed += 1;
                warn!("texture {url} could not be used: {message}");
            }
        }
    }
}

fn placeholder_image() -> Image {
    Image::new_fill(
        Extent3d {
            width: 1,
            height: 1,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        &[235, 238, 242, 255],
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::default(),
    )
}

/// Decodes a PNG or JPEG by its magic bytes.
pub fn decode_texture(bytes: &[u8]) -> Result<Image, String> {
    let mime = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "image/jpeg"
    } else {
        return Err("not a PNG or JPEG image".into());
    };
    Image::from_buffer(
        bytes,
        ImageType::MimeType(mime),
        CompressedImageFormats::NONE,
        true,
        ImageSampler::linear(),
        RenderAssetUsages::default(),
    )
    .map_err(|e| e.to_string())
}

/// Marks every material showing `image` as changed. A material's GPU bind group holds the
/// texture it was prepared with, so replacing the picture alone would leave the old one.
fn refresh_materials_using(materials: &mut Assets<FlatMaterial>, image: AssetId<Image>) {
    let users: Vec<AssetId<FlatMaterial>> = materials
        .iter()
        .filter(|(_, m)| m.picture.as_ref().is_some_and(|h| h.id() == image))
        .map(|(id, _)| id)
        .collect();
    for id in users {
        // Borrowing the material mutably is what queues its re-preparation.
        if let Some(mut material) = materials.get_mut(id) {
            let _: &mut FlatMaterial = &mut material;
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn start_texture_fetch(url: &str, inbox: &Inbox) {
    crate::web::fetch_texture(url.to_owned(), inbox.clone());
}

#[cfg(not(target_arch = "wasm32"))]
fn start_texture_fetch(_url: &str, _inbox: &Inbox) {
    // Natively nothing is fetched: tests deliver bytes for `fetching_urls()` themselves.
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<RemoteTextures>().add_systems(
        Update,
        stream_textures
            .after(crate::remote::ReceiveDeliveries)
            .run_if(in_state(Screen::Hall)),
    );
}

/// Starts the fetches the plan asks for, releases far pictures, and tells the page when
/// everything within the visitor's reach is in.
fn stream_textures(
    visitor: Query<&Transform, With<Visitor>>,
    mut textures: ResMut<RemoteTextures>,
    mut images: ResMut<Assets<Image>>,
    mut materials: ResMut<Assets<FlatMaterial>>,
    inbox: Res<Inbox>,
    mut outbox: ResMut<Outbox>,
) {
    let Ok(visitor) = visitor.single() else {
        return;
    };
    let from = visitor.translation;
    let plan = textures.plan(from);
    for url in &plan.release {
        if let Some(id) = textures.release(url, &mut images) {
            refresh_materials_using(&mut materials, id);
        }
    }
    for url in &plan.fetch {
        textures.mark_fetching(url);
        start_texture_fetch(url, &inbox);
    }
    if !textures.settled_told && textures.fetching == 0 && textures.missing_within_reach(from) == 0
    {
        textures.settled_told = true;
        outbox.send(PageEvent::TexturesSettled {
            loaded: textures.loaded,
            failed: textures.failed,
        });
    }
}
