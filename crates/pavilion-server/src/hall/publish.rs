//! Publishing: build an immutable hall snapshot from the layout draft and the exhibitors,
//! render the hall and zone signs, pack the booths' art into shared atlas pages, store it atomically with the programme draft, and keep a
//! ready-to-serve copy (JSON, gzip, brotli, ETag, per-exhibitor details, the programme) in
//! memory.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write as _;
use std::sync::Arc;

use axum::body::Bytes;
use pavilion_model::atlas::{self, BoothSlots};
use pavilion_model::layout::StageAreaKind;
use pavilion_model::{
    BoothArt, ExhibitorDetail, ExhibitorSummary, Hall, HallSnapshot, Programme, QuestionSet,
};
use sha2::{Digest as _, Sha256};

use super::rules::layout_problems;
use crate::db::{ExhibitorRecord, NewAudit, Store, StoredSnapshot};
use crate::error::Error;
use crate::media::atlas::{BoothSources, PageRequest, make_pages};
use crate::media::render::{Renderer, ScreenBlock, ScreenText, SignKind};
use crate::media::store::{MediaStore, StoredMedia, media_hashes_in};
use crate::mirrored::MirroredBytes;
use crate::time::now_rfc3339;

/// The name the contest desk's stage area is published with.
pub const CONTEST_DESK_NAME: &str = "Knowledge contest";

/// A content coding the published documents are kept in, ready to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The `Content-Encoding` value, or `None` for the identity coding.
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        }
    }

    /// Suffix that keeps the ETag of each coding distinct, as strong ETags must be.
    pub fn etag_suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => "-br",
            Encoding::Gzip => "-gz",
            Encoding::Identity => "",
        }
    }
}

/// Every coding, in the order of [`PublishedHall`]'s ETags.
const ALL_ENCODINGS: [Encoding; 3] = [Encoding::Identity, Encoding::Gzip, Encoding::Brotli];

/// The live snapshot, prepared once per publish so requests only copy bytes.
#[derive(Debug, Clone)]
pub struct PublishedHall {
    pub version: u64,
    /// The snapshot JSON exactly as stored, in every coding.
    pub document: PreparedDocument,
    /// `[ExhibitorSummary]` sorted by name.
    pub exhibitors_json: Bytes,
    /// `ExhibitorDetail` JSON by slug.
    pub details: HashMap<String, Bytes>,
    /// The SHA-256 of every media file the snapshot, its details and its programme (session
    /// recordings) name: the only media `GET /media/...` serves to anyone (other files need their exhibitor's or a staff token).
    pub media: HashSet<String>,
    /// The programme published with this version, if it has one.
    pub programme: Option<PublishedProgramme>,
    /// The contest's question sets published with this version, by id; none for a version
    /// published before sets were published (visitors then play the saved sets).
    pub contest: Option<Vec<QuestionSet>>,
}

/// The programme of a published version, parsed (for "now and next") and prepared to serve.
#[derive(Debug, Clone)]
pub struct PublishedProgramme {
    pub programme: Programme,
    pub document: PreparedDocument,
}

/// A published JSON document in every coding with its strong ETags, prepared once per
/// publish so requests only copy bytes.
#[derive(Debug, Clone)]
pub struct PreparedDocument {
    /// The identity, gzip and brotli bodies (in [`ALL_ENCODINGS`] order), mirrored for
    /// zero-copy sending and shared by every clone of the document.
    bodies: Arc<[MirroredBytes; 3]>,
    /// The strong ETags, quoted, of the identity, gzip and brotli codings (one opaque part
    /// shared by all, each coding adding its own suffix), made once rather than per request.
    etags: [String; 3],
}

impl PreparedDocument {
    /// Compresses `json` (CPU-heavy: brotli) and makes its ETags, `"<tag>-<digest><suffix>"`.
    fn prepare(json: &[u8], tag: &str) -> Result<PreparedDocument, Error> {
        let digest = hex::encode(Sha256::digest(json));
        let bodies = [
            Bytes::copy_from_slice(json),
            Bytes::from(gzip(json)?),
            Bytes::from(brotli(json)?),
        ];
        Ok(PreparedDocument {
            bodies: Arc::new(bodies.map(MirroredBytes::new)),
            etags: ALL_ENCODINGS
                .map(|encoding| format!("\"{tag}-{}{}\"", &digest[..16], encoding.etag_suffix())),
        })
    }

    pub fn body(&self, encoding: Encoding) -> Bytes {
        self.bodies[Self::index(encoding)].bytes()
    }

    /// The strong ETag of the representation in one coding, quoted.
    pub fn etag(&self, encoding: Encoding) -> &str {
        &self.etags[Self::index(encoding)]
    }

    fn index(encoding: Encoding) -> usize {
        ALL_ENCODINGS
            .iter()
            .position(|e| *e == encoding)
            .expect("every coding is listed")
    }

    /// The ETags of every coding: any of them names the current document.
    pub fn all_etags(&self) -> [&str; 3] {
        [&self.etags[0], &self.etags[1], &self.etags[2]].map(String::as_str)
    }
}

impl PublishedProgramme {
    /// Prepares a stored programme document (CPU-heavy: brotli).
    fn prepare(version: u64, document: &str) -> Result<PublishedProgramme, Error> {
        Ok(PublishedProgramme {
            programme: serde_json::from_str(document)?,
            document: PreparedDocument::prepare(document.as_bytes(), &format!("p{version}"))?,
        })
    }
}

impl PublishedHall {
    /// Prepares a stored snapshot for serving; CPU-heavy (brotli), so call it off the runtime.
    pub fn prepare(stored: &StoredSnapshot) -> Result<PublishedHall, Error> {
        let snapshot: HallSnapshot = serde_json::from_str(&stored.document)?;
        let details: BTreeMap<String, serde_json::Value> = serde_json::from_str(&stored.details)?;
        let mut exhibitors = snapshot.exhibitors.clone();
        exhibitors.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.slug.cmp(&b.slug))
        });
        let details = details
            .into_iter()
            .map(|(slug, detail)| Ok((slug, Bytes::from(serde_json::to_vec(&detail)?))))
            .collect::<Result<HashMap<_, _>, Error>>()?;
        let media = media_hashes_in(&stored.document)
            .chain(media_hashes_in(&stored.details))
            .chain(media_hashes_in(stored.programme.as_deref().unwrap_or("")))
            .map(str::to_owned)
            .collect();
        Ok(PublishedHall {
            version: stored.version,
            document: PreparedDocument::prepare(
                stored.document.as_bytes(),
                &format!("v{}", stored.version),
            )?,
            exhibitors_json: Bytes::from(serde_json::to_vec(&exhibitors)?),
            details,
            media,
            programme: stored
                .programme
                .as_deref()
                .map(|document| PublishedProgramme::prepare(stored.version, document))
                .transpose()?,
            contest: stored
                .contest
                .as_deref()
                .map(serde_json::from_str)
                .transpose()?,
        })
    }

    /// True when the published hall shows this media file to everyone.
    pub fn shows_media(&self, sha256: &str) -> bool {
        self.media.contains(sha256)
    }

    /// True when the published hall has a booth for this exhibitor.
    pub fn shows_booth(&self, slug: &str) -> bool {
        self.details.contains_key(slug)
    }
}

/// `bytes` gzipped at the best level.
pub(crate) fn gzip(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// `bytes` in brotli at quality 11.
pub(crate) fn brotli(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let mut output = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut output, &params)?;
    Ok(output)
}

/// Publishes the layout draft and the programme draft as the next snapshot version and
/// returns it ready to serve. What it shows is read in one read transaction; the snapshot
/// (with the programme), the `published` pointer and the audit entry (when staff published)
/// are written in one transaction.
pub async fn publish(
    store: &Store,
    media: &MediaStore,
    renderer: &Renderer,
    who: Option<&crate::db::StaffSession>,
) -> Result<PublishedHall, Error> {
    let started = std::time::Instant::now();
    // One read transaction: the draft, the exhibitors and their media as of one moment.
    let inputs = store.publish_inputs().await?;
    let halls = inputs
        .draft
        .ok_or_else(|| Error::InvalidLayout("there is no layout draft to publish".into()))?
        .halls;
    let exhibitors: HashMap<String, ExhibitorRecord> = inputs
        .exhibitors
        .into_iter()
        .map(|record| (record.profile.slug().to_string(), record))
        .collect();
    // Every save of the programme draft is validated; checked again so a stored draft that
    // breaks a rule (a rule added since) is never published.
    let programme_draft = inputs.programme.map(|draft| draft.programme);
    if let Some(programme) = &programme_draft {
        let problems = programme.validate();
        if !problems.is_empty() {
            return Err(Error::ProgrammeProblems(problems));
        }
    }
    let problems = layout_problems(&halls, &exhibitors, programme_draft.as_ref());
    if !problems.is_empty() {
        return Err(Error::LayoutProblems(problems));
    }
    let programme = programme_draft
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    let contest = serde_json::to_string(&published_sets(
        inputs.contest_sets,
        &inputs.played_sets,
        inputs.live_contest.as_deref(),
    )?)?;
    let mut booth_media = inputs.media;

    let stage_names: HashMap<String, String> = programme_draft
        .iter()
        .flat_map(|programme| &programme.stages)
        .map(|stage| (stage.id.clone(), stage.name.clone()))
        .collect();
    let (halls, sign_media) = tokio::task::spawn_blocking({
        let renderer = renderer.clone();
        let media = media.clone();
        move || render_signs(&renderer, &media, halls, &stage_names)
    })
    .await??;
    let (requests, slots_of) = plan_atlas(&halls, &exhibitors);
    let pages = tokio::task::spawn_blocking({
        let renderer = renderer.clone();
        let media = media.clone();
        move || make_pages(&media, renderer.atlas_cache(), &requests)
    })
    .await??;
    let mut art_of: HashMap<String, BoothArt> = slots_of
        .into_iter()
        .map(|(slug, (page, slots))| {
            let art = BoothArt {
                page_url: pages[page].url(),
                fascia: slots.fascia.uv(),
                name_plate: slots.name_plate.uv(),
                logo: slots.logo.uv(),
            };
            (slug, art)
        })
        .collect();
    let mut sign_media = sign_media;
    sign_media.extend(pages);

    let mut summaries = Vec::new();
    let mut details = BTreeMap::new();
    for booth in halls.iter().flat_map(|hall| &hall.booths) {
        let record = exhibitors.get(&booth.exhibitor).ok_or_else(|| {
            Error::InvalidLayout(format!(
                "a booth is placed for {}, who is not an exhibitor",
                booth.exhibitor
            ))
        })?;
        let media = booth_media.remove(&booth.exhibitor).unwrap_or_default();
        let (summary, detail) = describe(record, media, art_of.remove(&booth.exhibitor));
        summaries.push(summary);
        details.insert(detail.slug.clone(), detail);
    }
    summaries.sort_by(|a, b| a.slug.cmp(&b.slug));

    let version = inputs.latest_version + 1;
    let snapshot = HallSnapshot {
        version,
        published_at: now_rfc3339(),
        halls,
        exhibitors: summaries,
    };
    let stored = StoredSnapshot {
        version,
        document: serde_json::to_string(&snapshot)?,
        details: serde_json::to_string(&details)?,
        programme,
        contest: Some(contest),
    };
    let target = version_target(version);
    let audit = who.map(|who| {
        NewAudit::new(
            who,
            "publish",
            &target,
            serde_json::json!({ "version": version, "bytes": stored.document.len() }),
        )
    });
    store
        .publish(&sign_media, &stored, &snapshot.published_at, audit.as_ref())
        .await?;
    tracing::info!(
        version,
        booths = snapshot.booth_count(),
        ms = started.elapsed().as_millis() as u64,
        "hall published"
    );
    tokio::task::spawn_blocking(move || PublishedHall::prepare(&stored)).await?
}

/// The question sets a publish publishes: the saved ones, except that a set somebody has
/// played keeps the questions of the live version (what the attempts were scored against),
/// should its saved copy have changed between that publish and the first attempt.
fn published_sets(
    saved: Vec<QuestionSet>,
    played: &HashSet<String>,
    live: Option<&str>,
) -> Result<Vec<QuestionSet>, Error> {
    let live: Vec<QuestionSet> = live
        .map(serde_json::from_str)
        .transpose()?
        .unwrap_or_default();
    Ok(saved
        .into_iter()
        .map(|set| {
            if played.contains(&set.id)
                && let Some(played_copy) = live.iter().find(|l| l.id == set.id)
            {
                return played_copy.clone();
            }
            set
        })
        .collect())
}

/// The audit target of a version: `version <n>`.
pub fn version_target(version: u64) -> String {
    format!("version {version}")
}

/// The live screen of a programme stage: what is on now and next
/// (`GET /api/v1/programme/stages/{stage}/screen.png`).
pub fn stage_screen_url(stage: &str) -> String {
    format!("/api/v1/programme/stages/{stage}/screen.png")
}

/// What the contest desk's screen says.
pub fn contest_screen() -> ScreenText {
    ScreenText {
        heading: CONTEST_DESK_NAME.into(),
        first: ScreenBlock {
            label: String::new(),
            title: "Play now".into(),
            detail: "Answer the week's questions: step up to the desk".into(),
        },
        second: ScreenBlock::default(),
    }
}

/// Renders the entrance sign of every hall and the sign of every zone, and fills in their URLs;
/// names each stage area from the programme (`stage_names`, by stage id), points a stage's
/// screen at its live screen and renders the contest desk's screen.
fn render_signs(
    renderer: &Renderer,
    media: &MediaStore,
    mut halls: Vec<Hall>,
    stage_names: &HashMap<String, String>,
) -> Result<(Vec<Hall>, Vec<StoredMedia>), Error> {
    let mut stored = Vec::new();
    let has_desk = halls
        .iter()
        .flat_map(|hall| &hall.stages)
        .any(|area| area.kind == StageAreaKind::Contest);
    let contest_url = if has_desk {
        let png = renderer
            .screen_png(&contest_screen())
            .map_err(|source| Error::Render {
                what: "the contest desk's screen".into(),
                source: source.into(),
            })?;
        let item = media.put(&png, "png")?;
        let url = item.url();
        stored.push(item);
        Some(url)
    } else {
        None
    };
    let mut sign = |text: &str, kind: SignKind| -> Result<String, Error> {
        let png = renderer
            .sign_png(text, kind)
            .map_err(|source| Error::Render {
                what: format!("the sign {text:?}"),
                source: source.into(),
            })?;
        let item = media.put(&png, "png")?;
        let url = item.url();
        stored.push(item);
        Ok(url)
    };
    for hall in &mut halls {
        hall.sign_url = Some(sign(&hall.name, SignKind::Hall)?);
        for zone in &mut hall.zones {
            zone.sign_url = Some(sign(zone.topic.label(), SignKind::Zone)?);
        }
        for area in &mut hall.stages {
            match area.kind {
                StageAreaKind::Contest => {
                    area.name = CONTEST_DESK_NAME.into();
                    area.screen_url = contest_url.clone();
                }
                StageAreaKind::Stage => {
                    area.name = stage_names
                        .get(&area.stage)
                        .cloned()
                        .unwrap_or_else(|| area.stage.clone());
                    area.screen_url = Some(stage_screen_url(&area.stage));
                }
            }
        }
    }
    Ok((halls, stored))
}

/// Where every booth's art goes: per hall, the booths in neighbourhood order cut into pages.
/// Returns the pages to make and, by slug, the index of its page and its slots there.
fn plan_atlas(
    halls: &[Hall],
    exhibitors: &HashMap<String, ExhibitorRecord>,
) -> (Vec<PageRequest>, HashMap<String, (usize, BoothSlots)>) {
    let mut requests = Vec::new();
    let mut slots_of = HashMap::new();
    for hall in halls {
        let booths: Vec<(&str, &ExhibitorRecord)> = hall
            .booths
            .iter()
            .filter_map(|b| {
                exhibitors
                    .get(&b.exhibitor)
                    .map(|record| (b.exhibitor.as_str(), record))
            })
            .collect();
        let centres: Vec<[f32; 2]> = hall
            .booths
            .iter()
            .filter(|b| exhibitors.contains_key(&b.exhibitor))
            .map(|b| b.floor_rect().centre())
            .collect();
        let order = atlas::neighbourhood_order(&centres);
        let mut ordered = order.into_iter().map(|i| booths[i]);
        for page in atlas::pack(booths.len()) {
            let mut request = PageRequest { booths: Vec::new() };
            for slots in page {
                let Some((slug, record)) = ordered.next() else {
                    break;
                };
                slots_of.insert(slug.to_owned(), (requests.len(), slots));
                request.booths.push((
                    BoothSources {
                        fascia: record.fascia_sha256.clone(),
                        name_plate: record.name_plate_sha256.clone(),
                        logo: record.logo_sha256.clone(),
                    },
                    slots,
                ));
            }
            requests.push(request);
        }
    }
    (requests, slots_of)
}

fn png_url(sha256: &str) -> String {
    format!("/media/{sha256}.png")
}

/// The summary and detail of one booth, from its approved profile and media.
fn describe(
    record: &ExhibitorRecord,
    media: Vec<pavilion_model::BoothMedia>,
    art: Option<BoothArt>,
) -> (ExhibitorSummary, ExhibitorDetail) {
    let profile = &record.profile;
    let (topic, tier) = (profile.topic(), profile.tier());
    let logo_url = png_url(&record.logo_sha256);
    let summary = ExhibitorSummary {
        slug: profile.slug().to_string(),
        name: profile.name().to_owned(),
        tagline: profile.tagline().to_owned(),
        topic,
        topic_label: topic.label().to_owned(),
        tier,
        colour: profile.colour().to_string(),
        logo_url: logo_url.clone(),
        fascia_url: png_url(&record.fascia_sha256),
        name_plate_url: png_url(&record.name_plate_sha256),
        // The viewer puts the booth's (first) model on a plinth.
        model_url: media
            .iter()
            .find(|item| item.kind == pavilion_model::MediaKind::Model)
            .map(|item| item.url.clone()),
        art,
    };
    let detail = ExhibitorDetail {
        slug: profile.slug().to_string(),
        name: profile.name().to_owned(),
        tagline: profile.tagline().to_owned(),
        topic,
        topic_label: topic.label().to_owned(),
        tier,
        colour: profile.colour().to_string(),
        founded: profile.founded(),
        headquarters: profile.headquarters().to_owned(),
        website: profile.website().to_owned(),
        email: profile.email().to_owned(),
        description: profile.paragraphs(),
        products: profile.products().to_vec(),
        logo_url,
        media,
    };
    (summary, detail)
}
