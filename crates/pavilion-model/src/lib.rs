//! Pavilion's shared vocabulary: the published hall snapshot, exhibitor profiles, the
//! layout rules that place booths in halls and the week's programme. Pure data and rules: no IO, no async, builds
//! for wasm32 so the server and the viewer agree on one wire format.

pub mod atlas;
pub mod catalogue_manifest;
pub mod colour;
pub mod contest;
pub mod exhibitor;
pub mod layout;
pub mod media;
pub mod programme;
pub mod snapshot;
pub mod text;
pub mod topic;

pub use atlas::BoothArt;
pub use catalogue_manifest::{MEDIA_DIR, MEDIA_MANIFEST, ManifestEntry, MediaManifest};
pub use colour::Colour;
pub use contest::{AskedQuestion, ContestProblem, ContestRule, Question, QuestionSet};
pub use exhibitor::{
    ExhibitorDetail, ExhibitorProfile, FieldError, InvalidProfile, Product, Slug, ValidProfile,
};
pub use layout::{
    BoothPlacement, Entrance, Footprint, Hall, LayoutProblem, LayoutRule, Rect, Rotation,
    StageArea, StageAreaKind, TopicZone,
};
pub use media::{BoothMedia, MediaKind};
pub use programme::{Programme, ProgrammeProblem, ProgrammeRule, StageNowNext};
pub use snapshot::{ExhibitorSummary, HallSnapshot};
pub use topic::{BoothTier, Topic};
