//! PDF brochures: a structural check (header, cross-reference data, trailer, `%%EOF`) and a
//! refusal of anything a viewer could execute or open on the reader's machine.
//!
//! The file is read in one forward pass. Names are compared after undoing `#xx` escapes
//! (`/Java#53cript` is `/JavaScript`), and are looked for everywhere a reader could find an
//! object: between objects, inside strings and comments (a cross-reference offset may point
//! into them), inside raw stream data that holds an `N G obj` header, and inside every object
//! stream after undoing its filter chain. Every stream's filters must be ones Pavilion can
//! decode (image codecs are allowed on image XObjects only), and all the data decoded for one
//! file counts against [`CheckLimits::max_decoded_bytes`], so a compression bomb is refused.

use std::io::Read as _;

use crate::limits::{CheckLimits, Meter};
use crate::{FileFormat, MediaError, sniff};

/// The largest brochure accepted: 10 MiB.
pub const MAX_PDF_BYTES: u64 = 10 * 1024 * 1024;
/// How far from the end `%%EOF` may be (writers may add a few bytes of padding).
const EOF_WINDOW: usize = 1024;
/// How deeply arrays and dictionaries may nest in a stream's dictionary.
const MAX_NESTING: usize = 32;

/// Names that start scripts, launch programs, play media, embed files, fetch or send data.
const ACTIVE_NAMES: [&[u8]; 17] = [
    b"JavaScript",
    b"JS",
    b"Launch",
    b"GoToR",
    b"GoToE",
    b"URI",
    b"AA",
    b"Rendition",
    b"Sound",
    b"Movie",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"FileAttachment",
    b"RichMedia",
    b"XFA",
    b"SubmitForm",
    b"ImportData",
];

/// What a PDF that passed the checks looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfSummary {
    /// The version in the header, such as `1.4`.
    pub version: String,
    /// Page objects found (`/Type /Page`), counting those in object streams.
    pub pages: usize,
}

/// Checks a PDF brochure with the default [`CheckLimits`] (no deadline): at most
/// [`MAX_PDF_BYTES`], a `%PDF-` header, cross-reference data and a trailer, `%%EOF` near the
/// end, no encryption and no active content.
pub fn check_pdf(bytes: &[u8]) -> Result<PdfSummary, MediaError> {
    check_pdf_within(bytes, &CheckLimits::default())
}

/// Checks a PDF brochure like [`check_pdf`], under `limits`: the deadline is looked at while
/// reading, and every byte decoded from a stream counts against `limits.max_decoded_bytes`.
pub fn check_pdf_within(bytes: &[u8], limits: &CheckLimits) -> Result<PdfSummary, MediaError> {
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
    if !contains(tail, b"%%EOF") {
        return Err(MediaError::PdfNoEof);
    }
    let mut meter = Meter::new(limits);
    let mut findings = Findings::default();
    scan(bytes, Level::File, &mut findings, &mut meter)?;
    let has_table = findings.xref_table && findings.trailer;
    if !findings.startxref || (!has_table && !findings.xref_stream) {
        return Err(MediaError::PdfNoXref);
    }
    Ok(PdfSummary {
        version,
        pages: findings.pages,
    })
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
        Err(corrupt(
            "its header does not give a version such as %PDF-1.4",
        ))
    }
}

fn corrupt(detail: &str) -> MediaError {
    MediaError::Corrupt {
        kind: FileFormat::Pdf,
        detail: detail.into(),
    }
}

/// What the scan has seen so far.
#[derive(Debug, Default)]
struct Findings {
    pages: usize,
    xref_table: bool,
    trailer: bool,
    startxref: bool,
    xref_stream: bool,
}

/// Where the bytes being scanned come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The file itself: `stream` keywords start stream data.
    File,
    /// The decoded contents of an object stream, which holds no streams.
    ObjectStream,
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    is_whitespace(b) || b"()<>[]{}/%".contains(&b)
}

/// One lexical token of PDF syntax.
#[derive(Debug, Clone, PartialEq)]
enum Token<'a> {
    /// A name with its `#xx` escapes undone, without the slash.
    Name(Vec<u8>),
    DictOpen,
    DictClose,
    ArrayOpen,
    ArrayClose,
    /// A literal `( )` or hex `< >` string, as the raw bytes between its delimiters.
    String(&'a [u8]),
    /// A comment's text after `%`.
    Comment(&'a [u8]),
    /// A number, keyword (`obj`, `stream`, `R`, `true`) or stray brace.
    Word(&'a [u8]),
}

/// Reads tokens forward; never moves back, so a scan costs one pass over its bytes.
#[derive(Debug, Clone)]
struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Lexer<'a> {
    fn new(bytes: &'a [u8]) -> Lexer<'a> {
        Lexer { bytes, at: 0 }
    }

    fn next_token(&mut self) -> Result<Option<Token<'a>>, MediaError> {
        let bytes = self.bytes;
        while self.at < bytes.len() && is_whitespace(bytes[self.at]) {
            self.at += 1;
        }
        let Some(&first) = bytes.get(self.at) else {
            return Ok(None);
        };
        let start = self.at;
        self.at += 1;
        let token = match first {
            b'%' => {
                while self.at < bytes.len() && !matches!(bytes[self.at], b'\r' | b'\n') {
                    self.at += 1;
                }
                Token::Comment(&bytes[start + 1..self.at])
            }
            b'/' => {
                let mut name = Vec::new();
                while self.at < bytes.len() && !is_delimiter(bytes[self.at]) {
                    let b = bytes[self.at];
                    if b == b'#'
                        && let Some(value) = bytes
                            .get(self.at + 1..self.at + 3)
                            .and_then(|hex| std::str::from_utf8(hex).ok())
                            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    {
                        name.push(value);
                        self.at += 3;
                        continue;
                    }
                    name.push(b);
                    self.at += 1;
                }
                Token::Name(name)
            }
            b'<' if bytes.get(self.at) == Some(&b'<') => {
                self.at += 1;
                Token::DictOpen
            }
            b'>' if bytes.get(self.at) == Some(&b'>') => {
                self.at += 1;
                Token::DictClose
            }
            b'<' => {
                let Some(end) = bytes[self.at..].iter().position(|&b| b == b'>') else {
                    return Err(corrupt("a hex string is never closed"));
                };
                self.at += end + 1;
                Token::String(&bytes[start + 1..self.at - 1])
            }
            b'(' => {
                let mut depth = 1usize;
                while depth > 0 {
                    match bytes.get(self.at) {
                        None => return Err(corrupt("a string is never closed")),
                        Some(b'\\') => self.at += 2,
                        Some(b'(') => {
                            depth += 1;
                            self.at += 1;
                        }
                        Some(b')') => {
                            depth -= 1;
                            self.at += 1;
                        }
                        Some(_) => self.at += 1,
                    }
                }
                let end = self.at.min(bytes.len());
                Token::String(&bytes[start + 1..end - 1])
            }
            b'[' => Token::ArrayOpen,
            b']' => Token::ArrayClose,
            b'{' | b'}' | b')' | b'>' => Token::Word(&bytes[start..self.at]),
            _ => {
                while self.at < bytes.len() && !is_delimiter(bytes[self.at]) {
                    self.at += 1;
                }
                Token::Word(&bytes[start..self.at])
            }
        };
        Ok(Some(token))
    }
}

fn refuse_active(name: &[u8]) -> Result<(), MediaError> {
    if ACTIVE_NAMES.contains(&name) {
        return Err(MediaError::PdfActiveContent {
            name: format!("/{}", String::from_utf8_lossy(name)),
        });
    }
    if name == b"Encrypt" {
        return Err(MediaError::PdfEncrypted);
    }
    Ok(())
}

/// Refuses any active name anywhere in `bytes`, whatever surrounds it: used for the text of
/// strings and comments and for raw stream data that looks like it hides an object, where a
/// reader following a cross-reference offset could find a dictionary the token scan skipped.
fn refuse_active_names_in(bytes: &[u8], meter: &mut Meter) -> Result<(), MediaError> {
    let mut at = 0;
    while let Some(slash) = bytes[at..].iter().position(|&b| b == b'/') {
        meter.tick()?;
        let mut lexer = Lexer {
            bytes,
            at: at + slash,
        };
        if let Some(Token::Name(name)) = lexer.next_token()? {
            refuse_active(&name)?;
        }
        at = lexer.at.max(at + slash + 1);
    }
    Ok(())
}

/// True when `data` holds an indirect object header (`12 0 obj`).
fn holds_object_header(data: &[u8]) -> bool {
    let mut from = 0;
    while let Some(found) = find(&data[from..], b"obj") {
        let at = from + found;
        from = at + 3;
        // Look back a bounded distance: whitespace, digits, whitespace, digits.
        let before = &data[at.saturating_sub(48)..at];
        let mut rest = before.iter().rev().peekable();
        let mut take = |pred: fn(u8) -> bool| {
            let mut n = 0;
            while rest.peek().is_some_and(|&&b| pred(b)) {
                rest.next();
                n += 1;
            }
            n
        };
        take(is_whitespace);
        if take(|b| b.is_ascii_digit()) == 0 {
            continue;
        }
        if take(is_whitespace) == 0 {
            continue;
        }
        if take(|b| b.is_ascii_digit()) > 0 {
            return true;
        }
    }
    false
}

/// Scans `bytes` token by token: judges every name, counts pages, notes the cross-reference
/// keywords, and at file level reads each stream's dictionary and data.
fn scan(
    bytes: &[u8],
    level: Level,
    findings: &mut Findings,
    meter: &mut Meter,
) -> Result<(), MediaError> {
    let mut lexer = Lexer::new(bytes);
    let mut previous_name: Option<Vec<u8>> = None;
    let mut open_action = false;
    // An /OpenAction that is not a plain destination; refused at the end, so that a more
    // specific name inside it (/JavaScript, /Launch) is the one reported.
    let mut opening_action = false;
    // The outermost dictionary that closed last, as a byte range: a stream's dictionary.
    let mut depth = 0usize;
    let mut dict_start = 0;
    let mut last_dict: Option<(usize, usize)> = None;
    // The next `endstream` at or after some offset, remembered so the searches never
    // cover the same bytes twice.
    let mut next_endstream: Option<usize> = None;
    loop {
        meter.tick()?;
        let token_start = lexer.at;
        let Some(token) = lexer.next_token()? else {
            break;
        };
        if open_action {
            open_action = false;
            // An explicit destination `[page /Fit]` only turns to a page; anything else (an
            // action dictionary, or a reference that may be one) is refused.
            opening_action |= token != Token::ArrayOpen;
        }
        let mut name_now = None;
        match token {
            Token::Name(name) => {
                refuse_active(&name)?;
                if previous_name.as_deref() == Some(b"Type") {
                    match name.as_slice() {
                        b"Page" => findings.pages += 1,
                        b"XRef" => findings.xref_stream = true,
                        _ => {}
                    }
                }
                if name == b"OpenAction" {
                    open_action = true;
                }
                name_now = Some(name);
            }
            Token::String(text) | Token::Comment(text) => refuse_active_names_in(text, meter)?,
            Token::DictOpen => {
                if depth == 0 {
                    dict_start = token_start;
                }
                depth += 1;
            }
            Token::DictClose => {
                if depth == 1 {
                    last_dict = Some((dict_start, lexer.at));
                }
                depth = depth.saturating_sub(1);
            }
            Token::ArrayOpen | Token::ArrayClose => {}
            Token::Word(word) => match word {
                b"obj" | b"endobj" => {
                    depth = 0;
                    last_dict = None;
                }
                b"xref" => findings.xref_table = true,
                b"trailer" => findings.trailer = true,
                b"startxref" => findings.startxref = true,
                b"stream" if level == Level::File => {
                    let Some((from, to)) = last_dict.take() else {
                        return Err(corrupt("it has a stream without a dictionary"));
                    };
                    let end = read_stream(
                        bytes,
                        &bytes[from..to],
                        lexer.at,
                        &mut next_endstream,
                        findings,
                        meter,
                    )?;
                    lexer.at = end;
                    depth = 0;
                }
                _ => {}
            },
        }
        previous_name = name_now;
    }
    if open_action || opening_action {
        return Err(MediaError::PdfActiveContent {
            name: "/OpenAction".into(),
        });
    }
    Ok(())
}

/// Reads the stream whose `stream` keyword ends at `after_keyword`: finds its data, checks
/// and decodes its filters, and scans what could hold objects. Returns where its data ends.
fn read_stream(
    bytes: &[u8],
    dictionary: &[u8],
    after_keyword: usize,
    next_endstream: &mut Option<usize>,
    findings: &mut Findings,
    meter: &mut Meter,
) -> Result<usize, MediaError> {
    let data_start = match bytes.get(after_keyword..after_keyword + 2) {
        Some(b"\r\n") => after_keyword + 2,
        Some([b'\n' | b'\r', _]) => after_keyword + 1,
        _ if bytes.get(after_keyword) == Some(&b'\n') => after_keyword + 1,
        _ => return Err(corrupt("a stream keyword is not followed by a line end")),
    };
    let dictionary = StreamDictionary::parse(dictionary, meter)?;

    // The declared length is used when `endstream` follows it; otherwise the data runs to
    // the next `endstream`, as lenient readers do.
    let declared_end = dictionary
        .length
        .and_then(|length| data_start.checked_add(length))
        .filter(|&end| {
            let mut at = end;
            while bytes.get(at).is_some_and(|&b| is_whitespace(b)) {
                at += 1;
            }
            bytes
                .get(at..)
                .is_some_and(|rest| rest.starts_with(b"endstream"))
        });
    let end = match declared_end {
        Some(end) => end,
        None => {
            let found = match *next_endstream {
                Some(found) if found >= data_start => found,
                _ => {
                    let found = find(&bytes[data_start..], b"endstream")
                        .map(|at| data_start + at)
                        .ok_or_else(|| corrupt("a stream has no endstream"))?;
                    *next_endstream = Some(found);
                    found
                }
            };
            let mut end = found;
            if bytes[..end].ends_with(b"\r\n") {
                end -= 2;
            } else if bytes[..end].ends_with(b"\n") || bytes[..end].ends_with(b"\r") {
                end -= 1;
            }
            end.max(data_start)
        }
    };
    let raw = &bytes[data_start..end];
    meter.tick()?;
    if holds_object_header(raw) {
        refuse_active_names_in(raw, meter)?;
    }
    if let Some(decoded) = decode_stream(raw, &dictionary, meter)?
        && dictionary.may_hold_objects()
    {
        scan(&decoded, Level::ObjectStream, findings, meter)?;
    }
    Ok(end)
}

/// A PDF object as far as a stream dictionary needs one.
#[derive(Debug, Clone, PartialEq)]
enum Object {
    Name(Vec<u8>),
    Integer(i64),
    Dictionary(Vec<(Vec<u8>, Object)>),
    Array(Vec<Object>),
    /// Anything else: strings, reals, booleans, null, references.
    Other,
}

impl Object {
    fn get(&self, key: &[u8]) -> Option<&Object> {
        match self {
            Object::Dictionary(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn integer(&self, key: &[u8]) -> Option<i64> {
        match self.get(key) {
            Some(Object::Integer(value)) => Some(*value),
            _ => None,
        }
    }

    fn is_name(&self, key: &[u8], name: &[u8]) -> bool {
        matches!(self.get(key), Some(Object::Name(n)) if n == name)
    }
}

/// Parses one object from `lexer`; `None` at the end of the bytes or a closing bracket.
fn parse_object(
    lexer: &mut Lexer,
    depth: usize,
    meter: &mut Meter,
) -> Result<Option<Object>, MediaError> {
    meter.tick()?;
    if depth > MAX_NESTING {
        return Err(corrupt("a stream's dictionary nests too deeply"));
    }
    let token = loop {
        match lexer.next_token()? {
            None => return Ok(None),
            Some(Token::Comment(_)) => meter.tick()?,
            Some(token) => break token,
        }
    };
    let object = match token {
        Token::Name(name) => Object::Name(name),
        Token::String(_) => Object::Other,
        Token::Comment(_) => unreachable!("comments are skipped above"),
        Token::DictClose | Token::ArrayClose => return Ok(None),
        Token::ArrayOpen => {
            let mut items = Vec::new();
            while let Some(item) = parse_object(lexer, depth + 1, meter)? {
                items.push(item);
            }
            Object::Array(items)
        }
        Token::DictOpen => {
            let mut entries = Vec::new();
            loop {
                let key = match parse_object(lexer, depth + 1, meter)? {
                    None => break,
                    Some(Object::Name(key)) => key,
                    Some(_) => continue,
                };
                let Some(value) = parse_object(lexer, depth + 1, meter)? else {
                    break;
                };
                let value = match value {
                    // `12 0 R` is a reference: an integer, an integer and `R`.
                    Object::Integer(_) => {
                        let mut ahead = lexer.clone();
                        let is_reference = matches!(ahead.next_token()?, Some(Token::Word(w)) if w.iter().all(u8::is_ascii_digit))
                            && matches!(ahead.next_token()?, Some(Token::Word(b"R")));
                        if is_reference {
                            *lexer = ahead;
                            Object::Other
                        } else {
                            value
                        }
                    }
                    value => value,
                };
                entries.push((key, value));
            }
            Object::Dictionary(entries)
        }
        Token::Word(word) => std::str::from_utf8(word)
            .ok()
            .and_then(|w| w.parse::<i64>().ok())
            .map_or(Object::Other, Object::Integer),
    };
    Ok(Some(object))
}

/// What a stream's dictionary says about its data.
#[derive(Debug)]
struct StreamDictionary {
    length: Option<usize>,
    /// The filter chain, first applied first when decoding.
    filters: Vec<Vec<u8>>,
    /// The parameters of each filter, aligned with `filters`.
    parameters: Vec<Option<Object>>,
    is_image: bool,
    is_object_stream: bool,
}

impl StreamDictionary {
    fn parse(bytes: &[u8], meter: &mut Meter) -> Result<StreamDictionary, MediaError> {
        let mut lexer = Lexer::new(bytes);
        let dictionary = parse_object(&mut lexer, 0, meter)?.unwrap_or(Object::Other);
        let filters: Vec<Vec<u8>> = match dictionary.get(b"Filter") {
            None => Vec::new(),
            Some(Object::Name(name)) => vec![name.clone()],
            Some(Object::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Object::Name(name) => Ok(name.clone()),
                    _ => Err(corrupt("a stream's filter list holds something not a name")),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(corrupt("a stream's filter is not a name")),
        };
        let parameters = match dictionary.get(b"DecodeParms") {
            Some(Object::Array(items)) => items
                .iter()
                .map(|item| matches!(item, Object::Dictionary(_)).then(|| item.clone()))
                .collect(),
            Some(item @ Object::Dictionary(_)) => vec![Some(item.clone())],
            _ => Vec::new(),
        };
        Ok(StreamDictionary {
            length: dictionary
                .integer(b"Length")
                .and_then(|n| usize::try_from(n).ok()),
            parameters,
            is_image: dictionary.is_name(b"Subtype", b"Image"),
            // Readers parse any stream the cross-reference data names as an object stream,
            // whatever its /Type; /N and /First are what they need to do so.
            is_object_stream: dictionary.is_name(b"Type", b"ObjStm")
                || (dictionary.get(b"N").is_some() && dictionary.get(b"First").is_some()),
            filters,
        })
    }

    fn may_hold_objects(&self) -> bool {
        self.is_object_stream
    }
}

/// A filter Pavilion knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Flate,
    AsciiHex,
    Ascii85,
    RunLength,
    Lzw,
    /// DCT, JPX, JBIG2, CCITT fax: image codecs, allowed on images only, never decoded here.
    ImageCodec,
}

fn filter_named(name: &[u8]) -> Option<Filter> {
    Some(match name {
        b"FlateDecode" | b"Fl" => Filter::Flate,
        b"ASCIIHexDecode" | b"AHx" => Filter::AsciiHex,
        b"ASCII85Decode" | b"A85" => Filter::Ascii85,
        b"RunLengthDecode" | b"RL" => Filter::RunLength,
        b"LZWDecode" | b"LZW" => Filter::Lzw,
        b"DCTDecode" | b"DCT" | b"JPXDecode" | b"JBIG2Decode" | b"CCITTFaxDecode" | b"CCF" => {
            Filter::ImageCodec
        }
        _ => return None,
    })
}

/// Checks a stream's filter chain and decodes its data; `None` for an image, whose pixels
/// cannot hold active content and are left for the viewer to decode.
fn decode_stream(
    raw: &[u8],
    dictionary: &StreamDictionary,
    meter: &mut Meter,
) -> Result<Option<Vec<u8>>, MediaError> {
    let mut chain = Vec::with_capacity(dictionary.filters.len());
    for name in &dictionary.filters {
        let unsupported = |image_only| MediaError::PdfUnsupportedFilter {
            filter: String::from_utf8_lossy(name).into_owned(),
            image_only,
        };
        match filter_named(name) {
            None => return Err(unsupported(false)),
            Some(Filter::ImageCodec) if !dictionary.is_image || dictionary.is_object_stream => {
                return Err(unsupported(true));
            }
            Some(filter) => chain.push(filter),
        }
    }
    if dictionary.is_image && !dictionary.is_object_stream {
        return Ok(None);
    }
    let mut data = raw.to_vec();
    for (i, filter) in chain.into_iter().enumerate() {
        let parameters = dictionary.parameters.get(i).and_then(Option::as_ref);
        data = match filter {
            Filter::Flate => inflate(&data, meter)?,
            Filter::AsciiHex => ascii_hex(&data, meter)?,
            Filter::Ascii85 => ascii_85(&data, meter)?,
            Filter::RunLength => run_length(&data, meter)?,
            Filter::Lzw => {
                let early_change = parameters.and_then(|p| p.integer(b"EarlyChange")) != Some(0);
                lzw(&data, early_change, meter)?
            }
            Filter::ImageCodec => unreachable!("image codecs are refused or skipped above"),
        };
        if matches!(filter, Filter::Flate | Filter::Lzw)
            && let Some(parameters) = parameters
        {
            data = undo_predictor(data, parameters, meter)?;
        }
    }
    Ok(Some(data))
}

/// Decoded data grows through this, so every byte is counted against the allowance.
fn push_counted(out: &mut Vec<u8>, bytes: &[u8], meter: &mut Meter) -> Result<(), MediaError> {
    meter.charge(bytes.len() as u64)?;
    out.extend_from_slice(bytes);
    Ok(())
}

fn inflate(data: &[u8], meter: &mut Meter) -> Result<Vec<u8>, MediaError> {
    let mut decoder = flate2::read::ZlibDecoder::new(data);
    let mut out = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match decoder.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => push_counted(&mut out, &chunk[..n], meter)?,
            // Readers show what inflates before damage; so is it judged here.
            Err(_) if !out.is_empty() => break,
            Err(_) => return Err(corrupt("one of its streams cannot be inflated")),
        }
    }
    Ok(out)
}

fn ascii_hex(data: &[u8], meter: &mut Meter) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut high: Option<u8> = None;
    for &b in data {
        meter.tick()?;
        let digit = match b {
            b'>' => break,
            b if is_whitespace(b) => continue,
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => {
                return Err(corrupt(
                    "a stream's hex data holds a character not a hex digit",
                ));
            }
        };
        match high.take() {
            None => high = Some(digit),
            Some(h) => push_counted(&mut out, &[h << 4 | digit], meter)?,
        }
    }
    if let Some(h) = high {
        push_counted(&mut out, &[h << 4], meter)?;
    }
    Ok(out)
}

fn ascii_85(data: &[u8], meter: &mut Meter) -> Result<Vec<u8>, MediaError> {
    let bad = || corrupt("a stream's ASCII85 data is malformed");
    let mut out = Vec::with_capacity(data.len() / 5 * 4);
    let mut group = [0u8; 5];
    let mut filled = 0;
    let mut data = data;
    if data.starts_with(b"<~") {
        data = &data[2..];
    }
    for &b in data {
        meter.tick()?;
        match b {
            b'~' => break,
            b if is_whitespace(b) => continue,
            b'z' if filled == 0 => push_counted(&mut out, &[0; 4], meter)?,
            b'!'..=b'u' => {
                group[filled] = b - b'!';
                filled += 1;
                if filled == 5 {
                    let value = group
                        .iter()
                        .try_fold(0u32, |v, &d| v.checked_mul(85)?.checked_add(u32::from(d)))
                        .ok_or_else(bad)?;
                    push_counted(&mut out, &value.to_be_bytes(), meter)?;
                    filled = 0;
                }
            }
            _ => return Err(bad()),
        }
    }
    if filled == 1 {
        return Err(bad());
    }
    if filled > 1 {
        for slot in &mut group[filled..] {
            *slot = 84;
        }
        let value = group
            .iter()
            .try_fold(0u32, |v, &d| v.checked_mul(85)?.checked_add(u32::from(d)))
            .ok_or_else(bad)?;
        push_counted(&mut out, &value.to_be_bytes()[..filled - 1], meter)?;
    }
    Ok(out)
}

fn run_length(data: &[u8], meter: &mut Meter) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(&length) = data.get(at) {
        meter.tick()?;
        match length {
            128 => break,
            0..=127 => {
                let run = data
                    .get(at + 1..at + 2 + usize::from(length))
                    .ok_or_else(|| corrupt("a stream's run-length data is cut short"))?;
                push_counted(&mut out, run, meter)?;
                at += 2 + usize::from(length);
            }
            _ => {
                let &byte = data
                    .get(at + 1)
                    .ok_or_else(|| corrupt("a stream's run-length data is cut short"))?;
                push_counted(&mut out, &[byte; 128][..257 - usize::from(length)], meter)?;
                at += 2;
            }
        }
    }
    Ok(out)
}

/// LZW as PDF uses it: 9- to 12-bit codes, most significant bit first, 256 clears the table,
/// 257 ends the data; with `early_change` the code width grows one code early.
fn lzw(data: &[u8], early_change: bool, meter: &mut Meter) -> Result<Vec<u8>, MediaError> {
    const CLEAR: usize = 256;
    const END: usize = 257;
    const MAX_ENTRIES: usize = 4096;
    // Entry `code`: the code of its prefix (or NONE) and its last byte.
    const NONE: u16 = u16::MAX;
    let mut prefix: Vec<u16> = (0..258).map(|_| NONE).collect();
    let mut last: Vec<u8> = (0..258).map(|b| b as u8).collect();
    let mut first: Vec<u8> = last.clone();
    let early = usize::from(early_change);
    let mut width = 9;
    let mut bits = 0u32;
    let mut held = 0;
    let mut previous: Option<usize> = None;
    let mut out = Vec::new();
    let mut string = Vec::with_capacity(MAX_ENTRIES);
    let mut bytes = data.iter();
    loop {
        while held < width {
            let Some(&b) = bytes.next() else {
                return Ok(out);
            };
            bits = bits << 8 | u32::from(b);
            held += 8;
        }
        let code = ((bits >> (held - width)) & ((1 << width) - 1)) as usize;
        held -= width;
        bits &= (1 << held) - 1;
        meter.tick()?;
        match code {
            CLEAR => {
                prefix.truncate(258);
                last.truncate(258);
                first.truncate(258);
                width = 9;
                previous = None;
                continue;
            }
            END => return Ok(out),
            _ => {}
        }
        let next = prefix.len();
        let head = if code < next {
            first[code]
        } else if code == next
            && let Some(previous) = previous
        {
            first[previous]
        } else {
            return Err(corrupt(
                "a stream's LZW data uses a code it has not defined",
            ));
        };
        if let Some(previous) = previous
            && next < MAX_ENTRIES
        {
            prefix.push(previous as u16);
            last.push(head);
            first.push(first[previous]);
        }
        // Spell the code's string backwards through its prefixes.
        string.clear();
        let mut at = code;
        loop {
            string.push(last[at]);
            match prefix[at] {
                NONE => break,
                p => at = usize::from(p),
            }
        }
        string.reverse();
        push_counted(&mut out, &string, meter)?;
        previous = Some(code);
        if prefix.len() + early >= 1 << width && width < 12 {
            width += 1;
        }
    }
}

/// Undoes a PNG (10 to 15) or TIFF (2, 8-bit) predictor given in a filter's parameters.
fn undo_predictor(
    data: Vec<u8>,
    parameters: &Object,
    meter: &mut Meter,
) -> Result<Vec<u8>, MediaError> {
    let predictor = parameters.integer(b"Predictor").unwrap_or(1);
    if predictor <= 1 {
        return Ok(data);
    }
    let colours = parameters.integer(b"Colors").unwrap_or(1);
    let bits = parameters.integer(b"BitsPerComponent").unwrap_or(8);
    let columns = parameters.integer(b"Columns").unwrap_or(1);
    if !(1..=32).contains(&colours)
        || ![1, 2, 4, 8, 16].contains(&bits)
        || !(1..=1 << 20).contains(&columns)
    {
        return Err(corrupt("a stream's predictor parameters are out of range"));
    }
    let (colours, bits, columns) = (colours as usize, bits as usize, columns as usize);
    let pixel = (colours * bits).div_ceil(8).max(1);
    let row = (colours * bits * columns).div_ceil(8);
    match predictor {
        2 if bits == 8 => {
            let mut data = data;
            for line in data.chunks_mut(row) {
                meter.tick()?;
                for i in colours..line.len() {
                    line[i] = line[i].wrapping_add(line[i - colours]);
                }
            }
            Ok(data)
        }
        10..=15 => {
            let mut out = Vec::with_capacity(data.len());
            let mut above = vec![0u8; row];
            for line in data.chunks(row + 1) {
                meter.tick()?;
                let (&tag, line) = line.split_first().unwrap_or((&0, &[]));
                let mut current = line.to_vec();
                for i in 0..current.len() {
                    let left = if i >= pixel { current[i - pixel] } else { 0 };
                    let up = above[i];
                    let up_left = if i >= pixel { above[i - pixel] } else { 0 };
                    current[i] = current[i].wrapping_add(match tag {
                        0 => 0,
                        1 => left,
                        2 => up,
                        3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                        4 => paeth(left, up, up_left),
                        _ => {
                            return Err(corrupt(
                                "a stream's PNG predictor row has an unknown type",
                            ));
                        }
                    });
                }
                above[..current.len()].copy_from_slice(&current);
                out.extend_from_slice(&current);
            }
            Ok(out)
        }
        _ => Err(MediaError::PdfUnsupportedFilter {
            filter: format!("FlateDecode with predictor {predictor}"),
            image_only: false,
        }),
    }
}

fn paeth(left: u8, up: u8, up_left: u8) -> u8 {
    let estimate = i16::from(left) + i16::from(up) - i16::from(up_left);
    let distance = |b: u8| (estimate - i16::from(b)).abs();
    if distance(left) <= distance(up) && distance(left) <= distance(up_left) {
        left
    } else if distance(up) <= distance(up_left) {
        up
    } else {
        up_left
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
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

    fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).rposition(|w| w == needle)
    }

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
            "the PDF contains /Launch (active content); brochures may hold only text, pictures and links within the document"
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

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn hex(data: &[u8]) -> Vec<u8> {
        let mut out: Vec<u8> = data
            .iter()
            .flat_map(|b| format!("{b:02x}").into_bytes())
            .collect();
        out.push(b'>');
        out
    }

    /// A one-page PDF plus object 4, a stream with dictionary entries `dictionary` and
    /// `data` as its (already encoded) bytes.
    fn pdf_with_stream(dictionary: &str, data: &[u8]) -> Vec<u8> {
        let mut stream =
            format!("<< {dictionary} /Length {} >>\nstream\n", data.len()).into_bytes();
        stream.extend_from_slice(data);
        stream.extend_from_slice(b"\nendstream");
        let objects: [Vec<u8>; 4] = [
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
            stream,
        ];
        write_pdf(&objects, None)
    }

    const HIDDEN_SCRIPT: &[u8] = b"5 0 << /S /JavaScript /JS (app.alert(1)) >>";

    #[test]
    fn every_active_key_is_refused() {
        for name in ACTIVE_NAMES {
            let name = String::from_utf8_lossy(name);
            let error = check_pdf(&pdf_with(&format!("/Extra << /{name} 7 0 R >> "))).unwrap_err();
            assert_eq!(
                error,
                MediaError::PdfActiveContent {
                    name: format!("/{name}")
                }
            );
            // Escaped, inside a string, inside a comment.
            let escaped: String = name.chars().map(|c| format!("#{:02X}", c as u32)).collect();
            let error =
                check_pdf(&pdf_with(&format!("/Extra << /{escaped} 7 0 R >> "))).unwrap_err();
            assert_eq!(error.code(), "pdf_active_content", "{escaped}");
            let error = check_pdf(&pdf_with(&format!("/Extra (/{name} ) "))).unwrap_err();
            assert_eq!(error.code(), "pdf_active_content", "string {name}");
            let error = check_pdf(&pdf_with(&format!("%/{name}\n"))).unwrap_err();
            assert_eq!(error.code(), "pdf_active_content", "comment {name}");
        }
        // An opening action is refused; an opening destination is not.
        let error =
            check_pdf(&pdf_with("/OpenAction << /S /GoTo /D [3 0 R /Fit] >> ")).unwrap_err();
        assert_eq!(
            error,
            MediaError::PdfActiveContent {
                name: "/OpenAction".into()
            }
        );
        check_pdf(&pdf_with("/OpenAction [3 0 R /Fit] ")).unwrap();
    }

    #[test]
    fn scripts_behind_a_filter_chain_in_an_object_stream_are_found() {
        // /Filter [/ASCIIHexDecode /FlateDecode]: hex is undone first, then inflate.
        let data = hex(&zlib(HIDDEN_SCRIPT));
        let pdf = pdf_with_stream(
            "/Type /ObjStm /N 1 /First 4 /Filter [/ASCIIHexDecode /FlateDecode]",
            &data,
        );
        assert_eq!(
            check_pdf(&pdf).unwrap_err(),
            MediaError::PdfActiveContent {
                name: "/JavaScript".into()
            }
        );
        // Without /Type a reader still parses it as an object stream when the xref says so.
        let pdf = pdf_with_stream("/N 1 /First 4 /Filter [/AHx /Fl]", &data);
        assert_eq!(check_pdf(&pdf).unwrap_err().code(), "pdf_active_content");
        // The same data in an ordinary content stream is decoded but not read as objects.
        let pdf = pdf_with_stream(
            "/Filter [/ASCIIHexDecode /FlateDecode]",
            &hex(&zlib(b"BT /F1 12 Tf (hello) Tj ET")),
        );
        check_pdf(&pdf).unwrap();
    }

    #[test]
    fn every_decoder_is_undone_before_the_search() {
        // ASCII85 of the script, hand-encoded here by the same arithmetic as the decoder.
        let mut a85 = Vec::new();
        for chunk in HIDDEN_SCRIPT.chunks(4) {
            let mut word = [0u8; 4];
            word[..chunk.len()].copy_from_slice(chunk);
            let mut value = u32::from_be_bytes(word);
            let mut digits = [0u8; 5];
            for digit in digits.iter_mut().rev() {
                *digit = (value % 85) as u8 + b'!';
                value /= 85;
            }
            a85.extend_from_slice(&digits[..chunk.len() + 1]);
        }
        a85.extend_from_slice(b"~>");
        // Run length: literal runs of at most 128 bytes.
        let mut rle = Vec::new();
        for chunk in HIDDEN_SCRIPT.chunks(128) {
            rle.push((chunk.len() - 1) as u8);
            rle.extend_from_slice(chunk);
        }
        rle.push(128);
        // LZW: every byte as its own 9-bit code, then end of data.
        let mut codes: Vec<u16> = HIDDEN_SCRIPT.iter().map(|&b| u16::from(b)).collect();
        codes.insert(0, 256);
        codes.push(257);
        let lzw_data = pack_codes(&codes, HIDDEN_SCRIPT.len());
        // Flate with the PNG "Up" predictor over rows of 4 bytes.
        let mut rows = Vec::new();
        let mut above = [0u8; 4];
        for chunk in HIDDEN_SCRIPT.chunks(4) {
            let mut row = [0u8; 4];
            row[..chunk.len()].copy_from_slice(chunk);
            rows.push(2);
            rows.extend(row.iter().zip(above).map(|(b, a)| b.wrapping_sub(a)));
            above = row;
        }
        for (filter, data) in [
            ("/ASCII85Decode", a85),
            ("/RunLengthDecode", rle),
            ("/LZWDecode /DecodeParms << /EarlyChange 1 >>", lzw_data),
            (
                "/FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>",
                zlib(&rows),
            ),
        ] {
            let pdf = pdf_with_stream(
                &format!("/Type /ObjStm /N 1 /First 4 /Filter {filter}"),
                &data,
            );
            assert_eq!(
                check_pdf(&pdf).unwrap_err(),
                MediaError::PdfActiveContent {
                    name: "/JavaScript".into()
                },
                "{filter}"
            );
        }
    }

    /// Packs LZW codes most significant bit first, 9 bits wide while the table is small
    /// (true for fewer than 250 codes after a clear).
    fn pack_codes(codes: &[u16], _len: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let (mut bits, mut held) = (0u32, 0);
        for &code in codes {
            bits = bits << 9 | u32::from(code);
            held += 9;
            while held >= 8 {
                held -= 8;
                out.push((bits >> held) as u8);
            }
        }
        if held > 0 {
            out.push((bits << (8 - held)) as u8);
        }
        out
    }

    #[test]
    fn the_lzw_example_of_the_pdf_reference_decodes() {
        // "-----A---B" is 45 258 258 65 259 66 257 in 9-bit codes, after a clear.
        let data = pack_codes(&[256, 45, 258, 258, 65, 259, 66, 257], 0);
        let mut meter = Meter::new(&CheckLimits::default());
        assert_eq!(lzw(&data, true, &mut meter).unwrap(), b"-----A---B");
    }

    #[test]
    fn filters_that_cannot_be_inspected_are_refused() {
        let error = check_pdf(&pdf_with_stream("/Filter /DCTDecode", b"\xff\xd8\xff")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the PDF has a stream encoded with /DCTDecode, which Pavilion cannot inspect outside an image; export the brochure again with standard (Flate) compression"
        );
        for filter in ["/Crypt", "/Foo", "[/FlateDecode /JBIG2Decode]"] {
            let error =
                check_pdf(&pdf_with_stream(&format!("/Filter {filter}"), b"x")).unwrap_err();
            assert_eq!(error.code(), "pdf_unsupported_filter", "{filter}");
        }
        // An image XObject may use an image codec; its pixels are not decoded.
        let image = "/Type /XObject /Subtype /Image /Width 1 /Height 1 /Filter /DCTDecode";
        check_pdf(&pdf_with_stream(image, b"\xff\xd8\xff")).unwrap();
        // A stream that does not inflate is refused, not skipped.
        let error = check_pdf(&pdf_with_stream("/Filter /FlateDecode", b"not zlib")).unwrap_err();
        assert_eq!(error.code(), "corrupt");
    }

    #[test]
    fn a_deflate_bomb_is_refused() {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..80 {
            encoder.write_all(&zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 200 * 1024, "{}", bomb.len());
        let error = check_pdf(&pdf_with_stream("/Filter /FlateDecode", &bomb)).unwrap_err();
        assert_eq!(
            error,
            MediaError::MemoryLimit {
                limit: 64 * 1024 * 1024
            }
        );
        assert_eq!(
            error.to_string(),
            "checking the file would unpack more than 64 MiB of data (it may be a compression bomb); send a file that is not so heavily compressed"
        );
        // The allowance counts over the whole file, not per stream.
        let limits = CheckLimits {
            deadline: None,
            max_decoded_bytes: 1000,
        };
        let pdf = pdf_with_stream("/Filter /FlateDecode", &zlib(&[b' '; 1200]));
        assert_eq!(
            check_pdf_within(&pdf, &limits).unwrap_err().code(),
            "memory_limit"
        );
    }

    #[test]
    fn a_file_of_stream_keywords_is_judged_in_one_pass() {
        // About 9 MB of `stream` keywords: once the check searched to the end from each.
        let mut pdf = b"%PDF-1.4\n".to_vec();
        while pdf.len() < 9_000_000 {
            pdf.extend_from_slice(b"stream ");
        }
        pdf.extend_from_slice(b"\nxref\ntrailer\n<< >>\nstartxref\n0\n%%EOF\n");
        assert_eq!(check_pdf(&pdf).unwrap_err().code(), "corrupt");
        // With a dictionary first, the data never ends.
        let mut pdf = b"%PDF-1.4\n1 0 obj\n<< >>\nstream\n".to_vec();
        while pdf.len() < 9_000_000 {
            pdf.extend_from_slice(b"stream\n");
        }
        pdf.extend_from_slice(b"\nxref\ntrailer\n<< >>\nstartxref\n0\n%%EOF\n");
        assert_eq!(
            check_pdf(&pdf).unwrap_err(),
            corrupt("a stream has no endstream")
        );
        // Streams with wrong lengths whose data runs to one far `endstream`: the first
        // stream holds all the others, and the search for its end is made once.
        let mut pdf = b"%PDF-1.4\n".to_vec();
        while pdf.len() < 9_000_000 {
            pdf.extend_from_slice(b"<< /Length 99 >>stream\nx\n");
        }
        pdf.extend_from_slice(b"endstream\nxref\ntrailer\n<< >>\nstartxref\n0\n%%EOF\n");
        assert_eq!(check_pdf(&pdf).unwrap().pages, 0);
    }

    #[test]
    fn objects_hidden_in_raw_stream_data_are_found() {
        let pdf = pdf_with_stream(
            "",
            b"q Q\n9 0 obj\n<< /S /Launch /F (calc.exe) >>\nendobj\n",
        );
        assert_eq!(
            check_pdf(&pdf).unwrap_err(),
            MediaError::PdfActiveContent {
                name: "/Launch".into()
            }
        );
        // A content stream that merely names fonts passes.
        check_pdf(&pdf_with_stream("", b"BT /F1 12 Tf (hello) Tj ET")).unwrap();
    }
}
