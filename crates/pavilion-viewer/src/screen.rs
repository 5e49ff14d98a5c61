//! The viewer's screens: loading the snapshot, walking the hall, or showing a failure.

use bevy::prelude::*;

#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    /// Waiting for the published snapshot.
    #[default]
    Loading,
    /// The hall is built and walkable.
    Hall,
    /// The snapshot could not be loaded; the page shows why.
    Failed,
}

pub(super) fn plugin(app: &mut App) {
    app.init_state::<Screen>();
}
