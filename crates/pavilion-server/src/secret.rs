//! Bearer-token secrets shared by staff sessions and exhibitor tokens: the shape check, the
//! stored SHA-256 digest, its constant-time comparison and the randomness they are made of.

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::error::Error;

/// Whether `token` has the shape of a token Pavilion issues: `prefix` followed by `bytes`
/// bytes in hex. Checked before any lookup, so a malformed token never reaches the database.
pub fn is_well_formed_token(token: &str, prefix: &str, bytes: usize) -> bool {
    token
        .strip_prefix(prefix)
        .is_some_and(|hex| hex.len() == bytes * 2 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The stored form of a token: hex SHA-256.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether the digest stored in a row found by `digest` really is `digest`: compared again in
/// constant time so nothing depends on how much of a guessed digest matched.
pub fn digest_matches(stored: &str, digest: &str) -> bool {
    bool::from(stored.as_bytes().ct_eq(digest.as_bytes()))
}

/// `N` bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| Error::Internal(format!("no randomness from the operating system: {e}")))?;
    Ok(bytes)
}
