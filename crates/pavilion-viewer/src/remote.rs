//! Data from the server: the published snapshot and the booth textures (logos, fascias,
//! signs). Fetches run in the browser and deliver into an [`Inbox`]; the ECS picks the
//! deliveries up each frame. Textures get a placeholder handle at once, and the decoded
//! image replaces it when it arrives, so booths can be built before their art is in.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bevy::asset::RenderAssetUsages;
use bevy::image::{CompressedImageFormats, ImageSampler, ImageType};
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use pavilion_model::HallSnapshot;

use crate::bridge::{Outbox, PageEvent};
use crate::screen::Screen;

/// The snapshot the hall is built from, once it has arrived.
#[derive(Resource, Debug, Clone)]
pub struct LoadedSnapshot(pub HallSnapshot);

/// Where the viewer fetches the published snapshot.
#[derive(Resource, Debug, Clone)]
pub struct SnapshotSource {
    pub url: String,
}

impl Default for SnapshotSource {
    fn default() -> Self {
        SnapshotSource {
            url: "/api/v1/hall".into(),
        }
    }
}

/// Something a fetch brought back.
#[derive(Debug)]
pub enum Delivery {
    Snapshot(Result<HallSnapshot, String>),
    Texture {
        url: String,
        bytes: Result<Vec<u8>, String>,
    },
}

/// Completed fetches waiting for the next frame. Cloned into each fetch task.
#[derive(Resource, Debug, Default, Clone)]
pub struct Inbox(Arc<Mutex<Vec<Delivery>>>);

impl Inbox {
    pub fn deliver(&self, delivery: Delivery) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(delivery);
    }

    fn take(&self) -> Vec<Delivery> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Textures fetched from the server, one handle per URL.
#[derive(Resource, Debug, Default)]
pub struct RemoteTextures {
    handles: HashMap<String, Handle<Image>>,
    waiting: usize,
    loaded: usize,
    failed: usize,
}

impl RemoteTextures {
    /// The handle for the texture at `url`, starting its fetch on first use. The handle
    /// shows a plain white placeholder until the image arrives.
    pub fn request(
        &mut self,
        url: &str,
        images: &mut Assets<Image>,
        inbox: &Inbox,
    ) -> Handle<Image> {
        if let Some(handle) = self.handles.get(url) {
            return handle.clone();
        }
        let handle = images.add(placeholder_image());
        self.handles.insert(url.to_owned(), handle.clone());
        self.waiting += 1;
        start_texture_fetch(url, inbox);
        handle
    }

    /// The handle already requested for `url`, if any.
    pub fn get(&self, url: &str) -> Option<&Handle<Image>> {
        self.handles.get(url)
    }

    pub fn waiting(&self) -> usize {
        self.waiting
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
/// texture it was prepared with, so replacing the placeholder alone would leave it blank.
fn refresh_materials_using(materials: &mut Assets<StandardMaterial>, image: AssetId<Image>) {
    let uses = |texture: &Option<Handle<Image>>| texture.as_ref().is_some_and(|h| h.id() == image);
    let users: Vec<AssetId<StandardMaterial>> = materials
        .iter()
        .filter(|(_, m)| uses(&m.base_color_texture) || uses(&m.emissive_texture))
        .map(|(id, _)| id)
        .collect();
    for id in users {
        // Borrowing the material mutably is what queues its re-preparation.
        if let Some(mut material) = materials.get_mut(id) {
            let _: &mut StandardMaterial = &mut material;
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn start_texture_fetch(url: &str, inbox: &Inbox) {
    crate::web::fetch_texture(url.to_owned(), inbox.clone());
}

#[cfg(not(target_arch = "wasm32"))]
fn start_texture_fetch(_url: &str, _inbox: &Inbox) {
    // Natively nothing is fetched: tests deliver bytes into the inbox themselves.
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Inbox>()
        .init_resource::<RemoteTextures>()
        .init_resource::<SnapshotSource>()
        .add_systems(Update, receive_deliveries);
    #[cfg(target_arch = "wasm32")]
    app.add_systems(Startup, start_snapshot_fetch);
}

#[cfg(target_arch = "wasm32")]
fn start_snapshot_fetch(source: Res<SnapshotSource>, inbox: Res<Inbox>) {
    crate::web::fetch_snapshot(source.url.clone(), inbox.clone());
}

fn receive_deliveries(
    mut commands: Commands,
    inbox: Res<Inbox>,
    mut textures: ResMut<RemoteTextures>,
    mut images: ResMut<Assets<Image>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut outbox: ResMut<Outbox>,
    mut next_screen: ResMut<NextState<Screen>>,
) {
    let deliveries = inbox.take();
    if deliveries.is_empty() {
        return;
    }
    for delivery in deliveries {
        match delivery {
            Delivery::Snapshot(Ok(snapshot)) => {
                info!(
                    "snapshot v{}: {} halls, {} booths",
                    snapshot.version,
                    snapshot.halls.len(),
                    snapshot.booth_count()
                );
                commands.insert_resource(LoadedSnapshot(snapshot));
                next_screen.set(Screen::Hall);
            }
            Delivery::Snapshot(Err(message)) => {
                error!("could not load the hall: {message}");
                outbox.send(PageEvent::Failed { message });
                next_screen.set(Screen::Failed);
            }
            Delivery::Texture { url, bytes } => {
                let decoded = bytes.and_then(|b| decode_texture(&b));
                let Some(handle) = textures.handles.get(&url).cloned() else {
                    continue;
                };
                textures.waiting = textures.waiting.saturating_sub(1);
                match decoded {
                    Ok(image) => {
                        textures.loaded += 1;
                        if let Err(e) = images.insert(handle.id(), image) {
                            warn!("texture {url} arrived after its booth was gone: {e}");
                        }
                        refresh_materials_using(&mut materials, handle.id());
                    }
                    Err(message) => {
                        textures.failed += 1;
                        warn!("texture {url} could not be used: {message}");
                    }
                }
                if textures.waiting == 0 {
                    outbox.send(PageEvent::TexturesSettled {
                        loaded: textures.loaded,
                        failed: textures.failed,
                    });
                }
            }
        }
    }
}
