//! Mutations: bit flips, interesting bytes, inserts, deletes, splices, chunk duplication,
//! format tokens from a per-target dictionary, and a structure-aware edit of the JSON chunk
//! inside a GLB.

use crate::rng::Rng;

/// Bytes that often sit on boundaries.
const INTERESTING: [u8; 10] = [0, 1, 0x7f, 0x80, 0xff, b'0', b'9', b' ', b'\n', b'/'];
/// Numbers worth writing where a file has numbers.
const NUMBERS: [&str; 12] = [
    "0",
    "-1",
    "1",
    "2",
    "255",
    "65535",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "1e308",
    "-0.0",
    "99999999999",
];

/// Applies one to four mutations to `input`, keeping it at most `max_len` bytes long.
pub fn mutate(
    input: &mut Vec<u8>,
    other: &[u8],
    dictionary: &[&[u8]],
    max_len: usize,
    rng: &mut Rng,
) {
    for _ in 0..1 + rng.below(4) {
        mutate_once(input, other, dictionary, rng);
    }
    input.truncate(max_len);
}

fn mutate_once(input: &mut Vec<u8>, other: &[u8], dictionary: &[&[u8]], rng: &mut Rng) {
    let len = input.len();
    match rng.below(11) {
        0 if len > 0 => {
            let at = rng.below(len);
            input[at] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let at = rng.below(len);
            input[at] = *rng.pick(&INTERESTING);
        }
        2 => {
            let at = rng.below(len + 1);
            let count = 1 + rng.below(8);
            let bytes: Vec<u8> = (0..count).map(|_| rng.byte()).collect();
            input.splice(at..at, bytes);
        }
        3 if len > 0 => {
            let at = rng.below(len);
            let end = (at + 1 + rng.below(32)).min(len);
            input.drain(at..end);
        }
        4 if !other.is_empty() => {
            // Splice: our head, the other input's tail.
            let cut = rng.below(len + 1);
            let from = rng.below(other.len());
            input.truncate(cut);
            input.extend_from_slice(&other[from..]);
        }
        5 if len > 0 => {
            // Duplicate a chunk, sometimes many times (repetition finds quadratic paths).
            let at = rng.below(len);
            let end = (at + 1 + rng.below(64)).min(len);
            let chunk = input[at..end].to_vec();
            let times = if rng.one_in(8) { 1 + rng.below(64) } else { 1 };
            let to = rng.below(len + 1);
            let repeated: Vec<u8> = chunk
                .iter()
                .copied()
                .cycle()
                .take(chunk.len() * times)
                .collect();
            input.splice(to..to, repeated);
        }
        6 | 7 if !dictionary.is_empty() => {
            let token = *rng.pick(dictionary);
            let at = rng.below(len + 1);
            if rng.one_in(2) || at == len {
                input.splice(at..at, token.iter().copied());
            } else {
                let end = (at + token.len()).min(len);
                input.splice(at..end, token.iter().copied());
            }
        }
        8 => replace_number(input, rng),
        9 if len > 0 => {
            let at = rng.below(len);
            let end = (at + 1 + rng.below(16)).min(len);
            input[at..end].reverse();
        }
        _ => {
            if let Some(edited) = edit_glb_json(input, rng) {
                *input = edited;
            } else if len > 0 {
                let at = rng.below(len);
                input[at] = input[at].wrapping_add(rng.byte() % 5).wrapping_sub(2);
            }
        }
    }
}

/// Replaces one run of ASCII digits with an interesting number.
fn replace_number(input: &mut Vec<u8>, rng: &mut Rng) {
    if input.is_empty() {
        return;
    }
    let start = rng.below(input.len());
    let Some(offset) = input[start..].iter().position(u8::is_ascii_digit) else {
        return;
    };
    let from = start + offset;
    let to = from
        + input[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b'.')
            .count();
    input.splice(from..to, rng.pick(&NUMBERS).bytes());
}

/// If `input` is a GLB, edits its JSON chunk as text (a number, an array element duplicated,
/// a key's value swapped) and frames it again, keeping the binary chunk and valid lengths.
fn edit_glb_json(input: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    if input.len() < 20 || !input.starts_with(b"glTF") || &input[16..20] != b"JSON" {
        return None;
    }
    let json_len = u32::from_le_bytes(input[12..16].try_into().ok()?) as usize;
    let json_end = 20usize.checked_add(json_len)?;
    let mut json = input.get(20..json_end)?.to_vec();
    let bin = input
        .get(json_end + 8..)
        .filter(|_| input.get(json_end + 4..json_end + 8) == Some(b"BIN\0"))
        .unwrap_or(&[]);
    match rng.below(4) {
        0 => replace_number(&mut json, rng),
        1 => {
            // Duplicate an element of some array: `[a` becomes `[a,a`.
            let opens: Vec<usize> = json
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'[')
                .map(|(i, _)| i)
                .collect();
            if opens.is_empty() {
                return None;
            }
            let at = *rng.pick(&opens) + 1;
            let end = at + json[at..].iter().position(|b| matches!(b, b',' | b']'))?;
            let element = json[at..end].to_vec();
            let most = if rng.one_in(4) { 200 } else { 3 };
            let times = 1 + rng.below(most);
            let mut inserted = Vec::new();
            for _ in 0..times {
                inserted.extend_from_slice(&element);
                inserted.push(b',');
            }
            json.splice(at..at, inserted);
        }
        2 => {
            let fields: [&[u8]; 8] = [
                br#""children":[0],"#,
                br#""children":[0,0],"#,
                br#""children":[1],"#,
                br#""mesh":0,"#,
                br#""uri":"data:,","#,
                br#""byteStride":4,"#,
                br#""sparse":{"count":1},"#,
                br#""mode":5,"#,
            ];
            let opens: Vec<usize> = json
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'{')
                .map(|(i, _)| i)
                .collect();
            if opens.is_empty() {
                return None;
            }
            let at = *rng.pick(&opens) + 1;
            json.splice(at..at, rng.pick(&fields).iter().copied());
        }
        _ => {
            let at = rng.below(json.len().max(1));
            json.truncate(at);
        }
    }
    Some(pavilion_media::write_glb(&json, bin))
}
