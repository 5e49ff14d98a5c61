//! Staff decisions on exhibitor submissions: reject with a reason the exhibitor reads, or
//! approve, which makes the submitted profile and media the exhibitor's approved content
//! (re-rendering its fascia and name plate when their text or colour changed); visitors see
//! it from the next publish on.

use std::path::Path;

use pavilion_model::{FieldError, ValidProfile};

use super::content::{Submission, SubmissionStatus, approved_profile, check_profile, submission};
use crate::catalogue::read::LOGO_FILE;
use crate::db::{ApprovedSignage, NewAudit, StaffSession, Store};
use crate::error::Error;
use crate::media::CheckBudget;
use crate::media::render::Renderer;
use crate::media::store::MediaStore;
use pavilion_media::CheckLimits;

/// A rejection reason is plain text the exhibitor reads.
pub const MAX_REASON_CHARS: usize = 2000;

/// What approval needs to re-render an exhibitor's signage.
#[derive(Debug, Clone, Copy)]
pub struct SignageSources<'a> {
    pub renderer: &'a Renderer,
    pub media: &'a MediaStore,
    /// The seed catalogue, where the logo to re-render the fascia with is found.
    pub catalogue_dir: &'a Path,
    /// The time and decoded data the logo's SVG check may use.
    pub budget: CheckBudget,
}

async fn pending_submission(store: &Store, id: i64) -> Result<Submission, Error> {
    let found = submission(store, id).await?;
    if found.status != SubmissionStatus::Pending {
        return Err(Error::Conflict(format!(
            "submission {id} is {}, not waiting for review",
            found.status.as_str()
        )));
    }
    Ok(found)
}

/// Rejects a waiting submission with a reason the exhibitor will read.
pub async fn reject(
    store: &Store,
    id: i64,
    staff: &StaffSession,
    reason: &str,
) -> Result<Submission, Error> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(Error::InvalidFields(vec![FieldError {
            field: "reason".into(),
            message: format!(
                "say why, in 1 to {MAX_REASON_CHARS} characters, so the exhibitor can fix it"
            ),
        }]));
    }
    let found = pending_submission(store, id).await?;
    let audit = NewAudit::new(
        staff,
        "reject_submission",
        &found.exhibitor,
        serde_json::json!({ "submission": id, "reason": reason }),
    );
    store.reject_submission(id, reason, &audit).await?;
    submission(store, id).await
}

/// Approves a waiting submission: its profile and media become the exhibitor's approved
/// content, which visitors see from the next publish on.
pub async fn approve(
    store: &Store,
    signage: SignageSources<'_>,
    id: i64,
    staff: &StaffSession,
) -> Result<Submission, Error> {
    let found = pending_submission(store, id).await?;
    let slug = found.exhibitor.clone();
    let approved = approved_profile(store, &slug).await?;
    let profile = check_profile(&approved, &found.profile).map_err(Error::InvalidFields)?;
    let needs_render = approved.name() != profile.name()
        || approved.tagline() != profile.tagline()
        || approved.colour() != profile.colour();
    let rendered = if needs_render {
        let renderer = signage.renderer.clone();
        let media = signage.media.clone();
        let logo_path = signage.catalogue_dir.join(&slug).join(LOGO_FILE);
        let limits = signage.budget.start();
        let profile = profile.clone();
        Some(
            tokio::task::spawn_blocking(move || {
                render_signage(&renderer, &media, &logo_path, &profile, &limits)
            })
            .await??,
        )
    } else {
        None
    };
    let audit = NewAudit::new(
        staff,
        "approve_submission",
        &slug,
        serde_json::json!({ "submission": id, "media": found.media.len() }),
    );
    store
        .approve_submission(&found, &profile, rendered.as_ref(), &audit)
        .await?;
    submission(store, id).await
}

fn render_signage(
    renderer: &Renderer,
    media: &MediaStore,
    logo_path: &Path,
    profile: &ValidProfile,
    limits: &CheckLimits,
) -> Result<ApprovedSignage, Error> {
    let colour = profile.colour();
    let render_error = |what: &str| {
        let what = what.to_owned();
        move |source: crate::media::render::RenderError| Error::Render {
            what,
            source: source.into(),
        }
    };
    let name_plate = renderer
        .name_plate_png(profile.name(), colour)
        .map_err(render_error("the name plate"))?;
    let mut stored = vec![media.put(&name_plate, "png")?];
    let fascia = match std::fs::read(logo_path) {
        Ok(svg) => {
            let logo = renderer
                .parse_logo(&svg, limits)
                .map_err(render_error("the logo"))?;
            let png = renderer
                .fascia_png(&logo, profile.tagline(), colour)
                .map_err(render_error("the fascia"))?;
            let item = media.put(&png, "png")?;
            let sha = item.sha256.clone();
            stored.push(item);
            Some(sha)
        }
        Err(error) => {
            tracing::warn!(%error, path = %logo_path.display(), "no logo source: the fascia keeps its old tagline");
            None
        }
    };
    Ok(ApprovedSignage {
        name_plate: stored[0].sha256.clone(),
        fascia,
        stored,
    })
}
