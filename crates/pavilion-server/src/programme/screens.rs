//! The live screens of the programme's stages: a 16:9 PNG of what is on a stage now and next
//! by the programme clock, rendered off the runtime once per (published version, stage, session
//! on now, next session) and kept in a small bounded cache, so requests only copy bytes.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use axum::body::Bytes;
use pavilion_model::programme::{Date, Session};
use pavilion_model::{Programme, StageNowNext};
use sha2::{Digest as _, Sha256};

use crate::error::Error;
use crate::media::render::{Renderer, ScreenBlock, ScreenText};

/// Screens kept per stage of the programme (the current one, the next and a couple more
/// while versions change); at least [`MIN_SCREENS`] in all.
const SCREENS_PER_STAGE: usize = 3;
const MIN_SCREENS: usize = 16;

/// What a stage's screen shows, and so what its cached picture is keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScreenKey {
    /// The published hall version whose programme it shows.
    pub version: u64,
    pub stage: String,
    /// The id of the session on now, if any.
    pub now: Option<String>,
    /// The id of the next session, if any.
    pub next: Option<String>,
}

impl ScreenKey {
    /// The strong ETag of the picture, quoted: the version and a digest of the rest.
    pub fn etag(&self) -> String {
        let mut digest = Sha256::new();
        for part in [
            self.stage.as_str(),
            self.now.as_deref().unwrap_or(""),
            self.next.as_deref().unwrap_or(""),
        ] {
            digest.update(part.as_bytes());
            digest.update([0]);
        }
        let digest = hex::encode(digest.finalize());
        format!("\"s{}-{}\"", self.version, &digest[..20])
    }
}

/// The rendered screens, bounded, oldest evicted first.
#[derive(Debug, Default)]
pub struct StageScreens {
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    pictures: HashMap<ScreenKey, Bytes>,
    order: VecDeque<ScreenKey>,
}

/// One stage's screen at a moment: its key and what it shows.
#[derive(Debug, Clone)]
pub struct StageScreen {
    pub key: ScreenKey,
    pub text: ScreenText,
}

/// What `stage` of `programme` shows at `minute` of the week (published as `version`), or
/// `None` when the programme has no such stage.
pub fn stage_screen(
    programme: &Programme,
    version: u64,
    stage: &str,
    minute: i64,
) -> Option<StageScreen> {
    let on = programme
        .now_and_next(minute)
        .into_iter()
        .find(|s| s.stage == stage)?;
    let StageNowNext {
        stage,
        stage_name,
        now,
        next,
    } = on;
    let times = |session: &Session| format!("{}–{}", session.start, session.end);
    let speakers = |session: &Session| {
        session
            .speakers
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let joined = |parts: &[String]| {
        parts
            .iter()
            .filter(|p| !p.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let first = match &now {
        Some(session) => ScreenBlock {
            label: "Now".into(),
            title: session.title.clone(),
            detail: joined(&[speakers(session), times(session)]),
        },
        None => ScreenBlock {
            label: "Now".into(),
            title: "Nothing on now".into(),
            detail: String::new(),
        },
    };
    let second = match &next {
        Some(session) => ScreenBlock {
            label: "Next".into(),
            title: session.title.clone(),
            detail: joined(&[
                format!("{} {}", weekday(session.day), session.day),
                times(session),
            ]),
        },
        None => ScreenBlock {
            label: "Next".into(),
            title: "Nothing more on this stage".into(),
            detail: String::new(),
        },
    };
    Some(StageScreen {
        key: ScreenKey {
            version,
            stage,
            now: now.map(|s| s.id),
            next: next.map(|s| s.id),
        },
        text: ScreenText {
            heading: stage_name,
            first,
            second,
        },
    })
}

/// The short English name of a date's day of the week.
fn weekday(date: Date) -> &'static str {
    // 1970-01-01 was a Thursday.
    const NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    NAMES[date.days_since_epoch().rem_euclid(7) as usize]
}

impl StageScreens {
    /// The picture of `screen`, rendered off the runtime unless cached; `stages` (how many the
    /// programme has) bounds the cache.
    pub async fn picture(
        &self,
        renderer: &Renderer,
        screen: StageScreen,
        stages: usize,
    ) -> Result<Bytes, Error> {
        if let Some(png) = self.lock().pictures.get(&screen.key) {
            return Ok(png.clone());
        }
        let renderer = renderer.clone();
        let text = screen.text;
        let png = tokio::task::spawn_blocking(move || renderer.screen_png(&text))
            .await?
            .map_err(|source| Error::Render {
                what: format!("the screen of stage {}", screen.key.stage),
                source: source.into(),
            })?;
        let png = Bytes::from(png);
        let capacity = (stages * SCREENS_PER_STAGE).max(MIN_SCREENS);
        let mut cache = self.lock();
        if !cache.pictures.contains_key(&screen.key) {
            // Screens of older versions go first, then the oldest.
            let version = screen.key.version;
            if cache.pictures.len() >= capacity {
                cache.order.retain(|key| key.version >= version);
                let Cache { pictures, order } = &mut *cache;
                pictures.retain(|key, _| order.contains(key));
            }
            while cache.pictures.len() >= capacity {
                let Some(oldest) = cache.order.pop_front() else {
                    break;
                };
                cache.pictures.remove(&oldest);
            }
            cache.order.push_back(screen.key.clone());
            cache.pictures.insert(screen.key, png.clone());
        }
        Ok(png)
    }

    /// How many pictures are kept now.
    pub fn len(&self) -> usize {
        self.lock().pictures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_follow_the_calendar() {
        assert_eq!(weekday(Date::parse("2020-09-14").unwrap()), "Mon");
        assert_eq!(weekday(Date::parse("2026-12-01").unwrap()), "Tue");
        assert_eq!(weekday(Date::parse("2000-01-01").unwrap()), "Sat");
    }

    #[test]
    fn etags_differ_by_every_part_of_the_key() {
        let key = ScreenKey {
            version: 3,
            stage: "room-a".into(),
            now: Some("opening".into()),
            next: None,
        };
        let mut other = key.clone();
        other.next = Some("opening".into());
        other.now = None;
        assert_ne!(key.etag(), other.etag());
        assert!(key.etag().starts_with("\"s3-") && key.etag().ends_with('"'));
        let mut later = key.clone();
        later.version = 4;
        assert_ne!(key.etag(), later.etag());
    }
}
