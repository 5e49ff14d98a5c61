//! The hall staff arrange and visitors walk: layout curation with its server-side rules
//! (`curation`), building and storing snapshots (`publish`) and the live copy served from
//! memory (`live`); `rules` adds the checks that need the exhibitors to the model's layout rules.

pub mod curation;
pub mod live;
pub mod publish;
pub mod rules;

pub use live::LiveHall;
pub use publish::{Encoding, PreparedDocument, PublishedHall, PublishedProgramme, publish};
