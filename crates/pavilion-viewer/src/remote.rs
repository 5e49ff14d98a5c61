//! Data from the server: the published snapshot and the pictures the hall shows. Fetches run
//! in the browser and deliver into an [`Inbox`]; the ECS picks the deliveries up each frame
//! and hands pictures to [`crate::textures`], which decides what is fetched when.

use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use pavilion_model::HallSnapshot;

use crate::bridge::{Outbox, PageEvent};
use crate::flat::FlatMaterial;
use crate::screen::Screen;
use crate::textures::RemoteTextures;

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

/// The system set that takes in the fetches' deliveries; what uses them runs after it.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReceiveDeliveries;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Inbox>()
        .init_resource::<SnapshotSource>()
        .add_systems(Update, receive_deliveries.in_set(ReceiveDeliveries));
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
    mut materials: ResMut<Assets<FlatMaterial>>,
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
                textures.arrived(&url, bytes, &mut images, &mut materials);
            }
        }
    }
}
