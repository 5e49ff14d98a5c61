//! PDF brochures: a structural check (header, cross-reference data, trailer, `%%EOF`) and a
//! refusal of anything a viewer could execute or open on the reader's machine.
//!
//! Names are compared after undoing `#xx` escapes (`/Java#53cript` is `/JavaScript`), and
//! compressed object streams, where dictionaries can hide, are inflated and searched too.

use std::io::Read as _;

use crate::{FileFormat, MediaError, sniff};

/// The largest brochure accepted: 10 MiB.
pub const MAX_PDF_BYTES: u64 = 10 * 1024 * 1024;
/// How far from the end `%%EOF` may be (writers may add a few bytes of padding).
const EOF_WINDOW: usize = 1024;
/// How much an object stream may inflate to before the file is refused.
const MAX_INFLATED_BYTES: u64 = 32 * 1024 * 1024;

/// Names that start scripts, launch programs, embed files or send data somewhere.
const ACTIVE_NAMES: [&str; 10] = [
    "JavaScript",
    "JS",
    "Launch",
    "EmbeddedFile",
    "EmbeddedFiles",
    "RichMedia",
    "XFA",
    "SubmitForm",
    "ImportData",
    "GoToE",
];

/// What a PDF that passed the checks looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfSummary {
    /// The version in the header, such as `1.4`.
    pub version: String,
    /// Page objects found (`/Type /Page`), counting those in object streams.
    pub pages: usize,
}

/// Checks a PDF brochure: at most [`MAX_PDF_BYTES`], a `%PDF-` header, cross-reference data
/// and a trailer, `%%EOF` near the end, no encryption and no active content.
pub fn check_pdf(bytes: &[u8]) -> Result<PdfSummary, MediaError> {
    const EXPECTED: &str = "a PDF brochure";
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    if bytes.len() as u64 > MAX_PDF_BYTES {
        return Err(MediaError::TooLarge {
            expected: EXPECTED,
            size: bytes.len() as u64,
            limit: MAX_PDF_BYTES,
        });
    }
    let found = sniff(bytes);
    if found != Some(FileFormat::Pdf) {
        return Err(MediaError::WrongKind {
            expected: EXPECTED,
            found,
        });
    }
    let version = header_version(bytes)?;
    let tail = &bytes[bytes.len().saturating_sub(EOF_WINDOW)..];
    if find(tail, b"%%EOF").is_none() {
        return Err(MediaError::PdfNoEof);
    }
    let startxref = rfind(bytes, b"startxref").ok_or(MediaError::PdfNoXref)?;
    let names = names(bytes);
    let has_table =
        find(bytes, b"xref").is_some_and(|at| at < startxref) && find(bytes, b"trailer").is_some();
    let has_stream = names.iter().any(|n| n == "XRef");
    if !has_table && !has_stream {
        return Err(MediaError::PdfNoXref);
    }

    let mut pages = 0;
    judge_names(&names, &mut pages)?;
    for inflated in object_streams(bytes)? {
        judge_names(&self::names(&inflated), &mut pages)?;
    }
    Ok(PdfSummary { version, pages })
}

fn header_version(bytes: &[u8]) -> Result<String, MediaError> {
    let line = &bytes[5..bytes.len().min(16)];
    let version: String = line
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .map(|b| char::from(*b))
        .collect();
    let valid = matches!(version.split_once('.'), Some((major, minor)) if (major == "1" || major == "2") && !minor.is_empty() && minor.len() <= 2);
    if valid {
        Ok(version)
    } else {
        Err(MediaError::Corrupt {
            kind: FileFormat::Pdf,
            detail: "its header does not give a version such as %PDF-1.4".into(),
        })
    }
}

fn judge_names(names: &[String], pages: &mut usize) -> Result<(), MediaError> {
    for (i, name) in names.iter().enumerate() {
        if ACTIVE_NAMES.contains(&name.as_str()) {
            return Err(MediaError::PdfActiveContent {
                name: format!("/{name}"),
            });
        }
        if name == "Encrypt" {
            return Err(MediaError::PdfEncrypted);
        }
        if name == "Type" && names.get(i + 1).is_some_and(|next| next == "Page") {
            *pages += 1;
        }
    }
    Ok(())
}

/// Every name (`/Something`) in the bytes, with `#xx` escapes decoded.
fn names(bytes: &[u8]) -> Vec<String> {
    let is_delimiter = |b: u8| b.is_ascii_whitespace() || b"()<>[]{}/%\0".contains(&b);
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'/' {
            i += 1;
            continue;
        }
        i += 1;
        let mut name = Vec::new();
        while i < bytes.len() && !is_delimiter(bytes[i]) {
            if bytes[i] == b'#'
                && i + 2 < bytes.len()
                && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
                && let Ok(value) = u8::from_str_radix(hex, 16)
            {
                name.push(value);
                i += 3;
                continue;
            }
            name.push(bytes[i]);
            i += 1;
        }
        if !name.is_empty() {
            found.push(String::from_utf8_lossy(&name).into_owned());
        }
    }
    found
}

/// The inflated contents of every compressed object stream (`/Type /ObjStm`).
fn object_streams(bytes: &[u8]) -> Result<Vec<Vec<u8>>, MediaError> {
    let mut streams = Vec::new();
    let mut budget = MAX_INFLATED_BYTES;
    let mut from = 0;
    while let Some(found) = find(&bytes[from..], b"stream") {
        let keyword = from + found;
        from = keyword + b"stream".len();
        // `endstream` also contains the keyword; only a `stream` after a dictionary counts.
        if keyword >= 3 && &bytes[keyword - 3..keyword] == b"end" {
            continue;
        }
        let data_start = match bytes.get(from..from + 2) {
            Some(b"\r\n") => from + 2,
            Some([b'\n', _]) | Some([b'\n']) => from + 1,
            _ => continue,
        };
        let object_start = rfind(&bytes[..keyword], b"obj").unwrap_or(0);
        let dictionary = names(&bytes[object_start..keyword]);
        if !dictionary.iter().any(|n| n == "ObjStm") {
            continue;
        }
        if !dictionary.iter().any(|n| n == "FlateDecode")
            || dictionary.iter().any(|n| n == "DecodeParms")
        {
            // An object stream we cannot read could hide anything.
            return Err(MediaError::Corrupt {
                kind: FileFormat::Pdf,
                detail: "it has an object stream in an encoding Pavilion cannot inspect".into(),
            });
        }
        let end = find(&bytes[data_start..], b"endstream").map_or(bytes.len(), |e| data_start + e);
        let mut inflated = Vec::new();
        let read = flate2::read::ZlibDecoder::new(&bytes[data_start..end])
            .take(budget + 1)
            .read_to_end(&mut inflated);
        if read.is_err() && inflated.is_empty() {
            return Err(MediaError::Corrupt {
                kind: FileFormat::Pdf,
                detail: "one of its object streams cannot be inflated".into(),
            });
        }
        if inflated.len() as u64 > budget {
            return Err(MediaError::Corrupt {
                kind: FileFormat::Pdf,
                detail: "its object streams inflate to more than 32 MiB".into(),
            });
        }
        budget -= inflated.len() as u64;
        streams.push(inflated);
        from = end;
    }
    Ok(streams)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// Writes a minimal PDF file: a `%PDF-1.4` header and a comment line of high bytes (which
/// tells tools the file is binary), then `objects` as numbered indirect objects (1-based;
/// object 1 must be the document catalogue), a cross-reference table whose offsets are
/// exact, and a trailer naming object 1 as `/Root` and, if given, object `info` as `/Info`.
///
/// Used by the media tests and by the catalogue generator (`cargo xtask catalogue`), so a
/// PDF is framed one way only.
pub fn write_pdf(objects: &[impl AsRef<[u8]>], info: Option<usize>) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body.as_ref());
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    let info = info.map_or_else(String::new, |info| format!(" /Info {info} 0 R"));
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    /// A one-page PDF with correct xref offsets; `extra` is added to the catalogue dictionary.
    fn pdf_with(extra: &str) -> Vec<u8> {
        let objects = [
            format!("<< /Type /Catalog /Pages 2 0 R {extra}>>"),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_owned(),
        ];
        write_pdf(&objects, None)
    }

    #[test]
    fn a_plain_pdf_passes() {
        let summary = check_pdf(&pdf_with("")).unwrap();
        assert_eq!(
            summary,
            PdfSummary {
                version: "1.4".into(),
                pages: 1
            }
        );
    }

    #[test]
    fn scripts_and_launches_are_refused_even_when_escaped() {
        for (extra, name) in [
            (
                "/OpenAction << /S /JavaScript /JS (app.alert(1)) >> ",
                "/JavaScript",
            ),
            ("/OpenAction << /S /Launch /F (calc.exe) >> ", "/Launch"),
            (
                "/OpenAction << /S /Java#53cript /J#53 (x) >> ",
                "/JavaScript",
            ),
            ("/Names << /EmbeddedFiles 4 0 R >> ", "/EmbeddedFiles"),
        ] {
            let error = check_pdf(&pdf_with(extra)).unwrap_err();
            assert_eq!(
                error,
                MediaError::PdfActiveContent { name: name.into() },
                "{extra}"
            );
        }
        let error = check_pdf(&pdf_with("/OpenAction << /S /Launch >> ")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the PDF contains /Launch (active content); brochures may hold only text, pictures and links"
        );
    }

    #[test]
    fn scripts_hidden_in_object_streams_are_found() {
        let mut hidden =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        hidden
            .write_all(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>")
            .unwrap();
        let hidden = hidden.finish().unwrap();
        let mut pdf = pdf_with("");
        let at = find(&pdf, b"xref\n").unwrap();
        let mut object = format!(
            "4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n",
            hidden.len()
        )
        .into_bytes();
        object.extend_from_slice(&hidden);
        object.extend_from_slice(b"\nendstream\nendobj\n");
        pdf.splice(at..at, object);
        assert_eq!(
            check_pdf(&pdf).unwrap_err(),
            MediaError::PdfActiveContent {
                name: "/JavaScript".into()
            }
        );
    }

    #[test]
    fn truncated_pdfs_are_refused() {
        let pdf = pdf_with("");
        assert_eq!(
            check_pdf(&pdf[..pdf.len() - 7]).unwrap_err(),
            MediaError::PdfNoEof
        );
        assert_eq!(
            check_pdf(&pdf[..pdf.len() / 2]).unwrap_err(),
            MediaError::PdfNoEof
        );
        assert_eq!(
            check_pdf(b"%PDF-1.4\n%%EOF\n").unwrap_err(),
            MediaError::PdfNoXref
        );
        assert_eq!(check_pdf(b"").unwrap_err(), MediaError::Empty);
    }

    #[test]
    fn wrong_magic_and_polyglots_are_refused() {
        let error = check_pdf(b"\x89PNG\r\n\x1a\n%PDF-1.4\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "expected a PDF brochure, but the file is a PNG image"
        );
        // An HTML page that a lax reader would take for a PDF (the header within 1 KiB).
        let mut html = b"<html><script>alert(1)</script>".to_vec();
        html.extend_from_slice(&pdf_with(""));
        assert_eq!(check_pdf(&html).unwrap_err().code(), "wrong_kind");
        assert_eq!(check_pdf(b"%PDF-x\n%%EOF").unwrap_err().code(), "corrupt");
    }

    #[test]
    fn encrypted_and_oversized_pdfs_are_refused() {
        let mut pdf = pdf_with("");
        let at = rfind(&pdf, b"/Root").unwrap();
        pdf.splice(at..at, b"/Encrypt 9 0 R ".iter().copied());
        assert_eq!(check_pdf(&pdf).unwrap_err(), MediaError::PdfEncrypted);

        let mut big = pdf_with("");
        big.resize(MAX_PDF_BYTES as usize + 1, b' ');
        assert_eq!(
            check_pdf(&big).unwrap_err().to_string(),
            "the file is 10.0 MiB; a PDF brochure may be at most 10 MiB"
        );
    }
}
