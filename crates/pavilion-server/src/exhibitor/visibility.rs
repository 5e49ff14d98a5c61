//! Who may see a media file the published hall does not show: the exhibitor whose draft,
//! approved media or signage names it (with its token), and any signed-in staff member (to
//! review it). Everyone else, including a caller with a bad token, is told the file does not
//! exist, so the answer reveals nothing about what was uploaded.

use crate::db::Store;
use crate::error::Error;
use crate::exhibitor::tokens::{TOKEN_PREFIX, exhibitor_for_token};
use crate::staff::accounts::session_for_token;

/// True when the bearer of `token` may see the unpublished file `sha256`.
pub async fn may_see_unpublished(store: &Store, token: &str, sha256: &str) -> Result<bool, Error> {
    let refused = |error: &Error| matches!(error, Error::Unauthorized(_) | Error::Forbidden(_));
    if token.starts_with(TOKEN_PREFIX) {
        match exhibitor_for_token(store, token).await {
            Ok(auth) => store.exhibitor_refers_to_media(&auth.slug, sha256).await,
            Err(error) if refused(&error) => Ok(false),
            Err(error) => Err(error),
        }
    } else {
        match session_for_token(store, token).await {
            Ok(_) => Ok(true),
            Err(error) if refused(&error) => Ok(false),
            Err(error) => Err(error),
        }
    }
}
