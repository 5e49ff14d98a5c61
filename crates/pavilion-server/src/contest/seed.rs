//! The contest's seed: `programme/contest.toml` (`--contest` / `PAVILION_CONTEST`), a list of
//! `[[sets]]` in `pavilion_model::QuestionSet`'s fields, imported on a start that finds no
//! question set. A missing file means no set (logged); one that does not parse or breaks a
//! rule stops the start, like the seed programme.

use std::path::Path;

use pavilion_model::QuestionSet;
use serde::Deserialize;

use crate::db::Store;
use crate::error::Error;

/// The largest seed file read, in bytes (50 sets of 50 questions at every bound fit).
pub const MAX_SEED_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    sets: Vec<QuestionSet>,
}

/// Imports the seed sets when there is none yet. Returns how many it imported.
pub async fn import_seed_if_empty(store: &Store, path: &Path) -> Result<usize, Error> {
    if store.contest_set_count().await? > 0 {
        return Ok(0);
    }
    if !path.is_file() {
        tracing::info!(seed = %path.display(), "no seed question sets");
        return Ok(0);
    }
    let seed = read_seed(path)?;
    for set in &seed.sets {
        let problems = super::problems_of(store, set).await?;
        if !problems.is_empty() {
            let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
            return Err(Error::BadRequest(format!(
                "the seed question set {:?} in {} breaks {} rule(s): {}",
                set.id,
                path.display(),
                problems.len(),
                listed.join("; ")
            )));
        }
        store.save_contest_set(set, None).await?;
    }
    tracing::info!(seed = %path.display(), sets = seed.sets.len(), "seed question sets imported");
    Ok(seed.sets.len())
}

fn read_seed(path: &Path) -> Result<SeedFile, Error> {
    use std::io::Read as _;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_SEED_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_SEED_BYTES {
        return Err(Error::BadRequest(format!(
            "the seed question sets {} are larger than {MAX_SEED_BYTES} bytes",
            path.display()
        )));
    }
    toml::from_str(&text).map_err(|error| {
        Error::BadRequest(format!(
            "the seed question sets {} do not parse: {error}",
            path.display()
        ))
    })
}
