//! SVG logos: self-contained (no reference outside the file but embedded PNG or JPEG
//! pictures), free of scripts, event handlers and foreign content, and drawing a bounded
//! number of elements once every `<use>`, pattern and other `url(#id)` reference is expanded
//! the way a renderer such as resvg would expand it.
//!
//! The expanded count is computed once per element and reused wherever the element is
//! referenced (memoised), so a "billion laughs" of nested `<use>` costs the check no more
//! than the file's length; reference loops and deep nesting are refused.

use std::collections::HashMap;

use crate::image::{ImageLimits, check_sides, jpeg_header, png_header};
use crate::limits::{CheckLimits, Meter};
use crate::{FileFormat, MediaError, sniff};

/// How big an SVG may be and how much it may draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SvgLimits {
    pub max_bytes: u64,
    /// Elements drawn after expanding `<use>`, patterns and other references.
    pub max_elements: u64,
    /// How deep elements and references may nest, counted together.
    pub max_depth: usize,
}

impl SvgLimits {
    /// The limits for exhibitor logos: 2 MiB, 10,000 expanded elements, 128 levels.
    pub const LOGO: SvgLimits = SvgLimits {
        max_bytes: 2 * 1024 * 1024,
        max_elements: 10_000,
        max_depth: 128,
    };
}

impl Default for SvgLimits {
    fn default() -> Self {
        SvgLimits::LOGO
    }
}

/// What an SVG that passed the checks holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvgSummary {
    /// Elements written in the file.
    pub elements: usize,
    /// Elements drawn once references are expanded (at least `elements`).
    pub expanded_elements: u64,
}

/// Elements that run code or pull in content other than SVG.
const ACTIVE_ELEMENTS: [&str; 9] = [
    "script",
    "foreignObject",
    "handler",
    "listener",
    "iframe",
    "embed",
    "object",
    "audio",
    "video",
];
/// Elements that change attributes over time (and so could rewrite a reference).
const ANIMATIONS: [&str; 5] = [
    "set",
    "animate",
    "animateColor",
    "animateMotion",
    "animateTransform",
];
/// How much one entity reference may expand to, at most, for each byte of the longest
/// entity declaration: roxmltree resolves at most 255 nested references under one.
const ENTITY_FAN_OUT: u64 = 256;

/// Checks an SVG logo with the default [`CheckLimits`] (no deadline).
pub fn check_svg(bytes: &[u8], limits: SvgLimits) -> Result<SvgSummary, MediaError> {
    check_svg_within(bytes, limits, &CheckLimits::default())
}

/// Checks an SVG logo: at most `limits.max_bytes`, well-formed XML whose root is `<svg>`, no
/// external reference (only `#id` references, and `data:` URIs of PNG or JPEG pictures within
/// [`ImageLimits::BOOTH`]), no `@import`, no script, event attribute or foreign content, and
/// at most `limits.max_elements` elements once references are expanded.
pub fn check_svg_within(
    bytes: &[u8],
    limits: SvgLimits,
    check: &CheckLimits,
) -> Result<SvgSummary, MediaError> {
    const EXPECTED: &str = "an SVG logo";
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    if bytes.len() as u64 > limits.max_bytes {
        return Err(MediaError::TooLarge {
            expected: EXPECTED,
            size: bytes.len() as u64,
            limit: limits.max_bytes,
        });
    }
    let found = sniff(bytes);
    if found != Some(FileFormat::Svg) {
        return Err(MediaError::WrongKind {
            expected: EXPECTED,
            found,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| corrupt("it is not UTF-8 text".into()))?;
    let mut meter = Meter::new(check);
    check_entities(text, &mut meter)?;

    // Every element starts with `<` and a name: more of those than the limit cannot pass.
    let written = text
        .as_bytes()
        .windows(2)
        .filter(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'_'))
        .count() as u64;
    if written > limits.max_elements {
        return Err(MediaError::SvgTooManyElements {
            elements: written,
            limit: limits.max_elements,
        });
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        // Elements, text, comments and entity expansions: generous, only a backstop.
        nodes_limit: u32::try_from(limits.max_elements.saturating_mul(16).saturating_add(1024))
            .unwrap_or(u32::MAX),
    };
    let document = roxmltree::Document::parse_with_options(text, options)
        .map_err(|error| corrupt(error.to_string()))?;
    meter.check_clock()?;
    if document.root_element().tag_name().name() != "svg" {
        return Err(corrupt("its root element is not <svg>".into()));
    }

    let node_count = document.descendants().count();
    let mut ids: HashMap<&str, roxmltree::NodeId> = HashMap::new();
    let mut references: Vec<Vec<roxmltree::NodeId>> = vec![Vec::new(); node_count];
    let mut stylesheet_targets: Vec<String> = Vec::new();
    let mut elements = 0usize;
    for node in document.descendants() {
        meter.tick()?;
        if let Some(pi) = node.pi()
            && pi.target.eq_ignore_ascii_case("xml-stylesheet")
        {
            return Err(MediaError::SvgExternalReference {
                reference: format!("<?xml-stylesheet {}?>", pi.value.unwrap_or("")),
            });
        }
        if !node.is_element() {
            continue;
        }
        elements += 1;
        let name = node.tag_name().name();
        if ACTIVE_ELEMENTS.contains(&name) {
            return Err(MediaError::SvgActiveContent {
                what: format!("a <{name}> element"),
            });
        }
        if ANIMATIONS.contains(&name)
            && let Some(target) = node.attribute("attributeName")
            && (target.ends_with("href") || target.to_ascii_lowercase().starts_with("on"))
        {
            return Err(MediaError::SvgActiveContent {
                what: format!("a <{name}> element that changes {target}"),
            });
        }
        if name == "style" {
            let css: String = node
                .children()
                .filter_map(|child| child.text())
                .collect::<Vec<_>>()
                .concat();
            if css.to_ascii_lowercase().contains("@import") {
                return Err(MediaError::SvgExternalReference {
                    reference: "@import".into(),
                });
            }
            stylesheet_targets.extend(
                url_targets(&css, &mut meter)?
                    .into_iter()
                    .map(str::to_owned),
            );
        }
        for attribute in node.attributes() {
            meter.tick()?;
            let attribute_name = attribute.name();
            let name_bytes = attribute_name.as_bytes();
            if name_bytes.len() > 2 && name_bytes[..2].eq_ignore_ascii_case(b"on") {
                return Err(MediaError::SvgActiveContent {
                    what: format!("the event attribute {attribute_name}"),
                });
            }
            if attribute_name == "id" {
                ids.entry(attribute.value()).or_insert(node.id());
            }
        }
    }

    // References are resolved once every id is known.
    for node in document.descendants().filter(|n| n.is_element()) {
        let targets = &mut references[node.id().get_usize()];
        for attribute in node.attributes() {
            meter.tick()?;
            let value = attribute.value();
            if attribute.name() == "href" {
                let value = value.trim();
                if let Some(id) = value.strip_prefix('#') {
                    targets.extend(ids.get(id).copied());
                } else {
                    check_data_uri(value, &mut meter)?;
                }
            } else if value.contains("url(") {
                for id in url_targets(value, &mut meter)? {
                    targets.extend(ids.get(id).copied());
                }
            }
        }
    }

    let mut expanded = Expansion {
        document: &document,
        references: &references,
        state: vec![State::Unseen; node_count],
        cost: vec![0; node_count],
        limits: &limits,
    };
    let root_cost = expanded.cost_of(document.root_element().id(), &mut meter)?;
    // A stylesheet rule may apply its references to every element.
    let mut per_element = 0u64;
    for id in stylesheet_targets {
        if let Some(&target) = ids.get(id.as_str()) {
            per_element = per_element.saturating_add(expanded.cost_of(target, &mut meter)?);
        }
    }
    let total = root_cost.saturating_add(per_element.saturating_mul(elements as u64));
    if total > limits.max_elements {
        return Err(MediaError::SvgTooManyElements {
            elements: total,
            limit: limits.max_elements,
        });
    }
    Ok(SvgSummary {
        elements,
        expanded_elements: total,
    })
}

fn corrupt(detail: String) -> MediaError {
    MediaError::Corrupt {
        kind: FileFormat::Svg,
        detail,
    }
}

/// Refuses external entities and entity declarations that could expand past the allowance
/// of decoded bytes (roxmltree already refuses loops and deep chains).
fn check_entities(text: &str, meter: &mut Meter) -> Result<(), MediaError> {
    let mut longest = 0u64;
    let mut rest = text;
    while let Some(at) = rest.find("<!ENTITY") {
        meter.tick()?;
        let declaration = &rest[at..];
        let end = declaration.find('>').map_or(declaration.len(), |e| e + 1);
        let declaration = &declaration[..end];
        if declaration.contains("SYSTEM") || declaration.contains("PUBLIC") {
            return Err(MediaError::SvgExternalReference {
                reference: "an external entity".into(),
            });
        }
        longest = longest.max(declaration.len() as u64);
        rest = &rest[at + end..];
    }
    if longest > 0 {
        let references = text.bytes().filter(|&b| b == b'&').count() as u64;
        meter.charge(
            references
                .saturating_mul(longest)
                .saturating_mul(ENTITY_FAN_OUT),
        )?;
    }
    Ok(())
}

/// The `#id` targets of every `url(...)` in `value`; refuses any other target.
fn url_targets<'v>(value: &'v str, meter: &mut Meter) -> Result<Vec<&'v str>, MediaError> {
    let mut targets = Vec::new();
    let mut rest = value;
    while let Some(at) = rest.find("url(") {
        meter.tick()?;
        let inside = &rest[at + 4..];
        let end = inside.find(')').unwrap_or(inside.len());
        let target = inside[..end]
            .trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .trim();
        match target.strip_prefix('#') {
            Some(id) => targets.push(id),
            None => {
                return Err(MediaError::SvgExternalReference {
                    reference: shown(target),
                });
            }
        }
        rest = &inside[end..];
    }
    Ok(targets)
}

/// Shortens a reference for a message (data URIs can be megabytes long).
fn shown(reference: &str) -> String {
    match reference.char_indices().nth(48) {
        Some((cut, _)) => format!("{}...", &reference[..cut]),
        None => reference.to_owned(),
    }
}

/// Accepts an embedded PNG or JPEG picture (`data:image/png;base64,...`) within
/// [`ImageLimits::BOOTH`]; refuses every other non-fragment reference.
fn check_data_uri(value: &str, meter: &mut Meter) -> Result<(), MediaError> {
    let external = || MediaError::SvgExternalReference {
        reference: shown(value),
    };
    let Some((header, payload)) = value.split_once(',') else {
        return Err(external());
    };
    let header = header.to_ascii_lowercase();
    let picture = [
        "data:image/png;base64",
        "data:image/jpeg;base64",
        "data:image/jpg;base64",
    ];
    if !picture.contains(&header.as_str()) {
        return Err(external());
    }
    let bytes = base64(payload, meter)?;
    let size = match sniff(&bytes) {
        Some(FileFormat::Png) => png_header(&bytes)?,
        Some(FileFormat::Jpeg) => jpeg_header(&bytes)?,
        _ => {
            return Err(corrupt(
                "an embedded picture is not a PNG or JPEG image".into(),
            ));
        }
    };
    let limits = ImageLimits::BOOTH;
    check_sides(size.0, size.1, &limits)?;
    if size.0 * size.1 > limits.max_pixels {
        return Err(MediaError::TooManyPixels {
            width: size.0,
            height: size.1,
            limit: limits.max_pixels,
        });
    }
    Ok(())
}

/// Standard base64, whitespace ignored, padding optional.
fn base64(text: &str, meter: &mut Meter) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut bits = 0u32;
    let mut held = 0;
    for b in text.bytes() {
        meter.tick()?;
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b if b.is_ascii_whitespace() => continue,
            _ => {
                return Err(corrupt(
                    "an embedded picture's base64 data is malformed".into(),
                ));
            }
        };
        bits = bits << 6 | u32::from(value);
        held += 6;
        if held >= 8 {
            held -= 8;
            out.push((bits >> held) as u8);
            bits &= (1 << held) - 1;
        }
    }
    meter.charge(out.len() as u64)?;
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Unseen,
    /// On the current path: reaching it again is a loop.
    Open,
    Done,
}

/// The memoised count of elements each element draws, its children and references included.
struct Expansion<'d, 'input> {
    document: &'d roxmltree::Document<'input>,
    references: &'d [Vec<roxmltree::NodeId>],
    state: Vec<State>,
    cost: Vec<u64>,
    limits: &'d SvgLimits,
}

impl Expansion<'_, '_> {
    /// The expanded element count under `start`, walking with an explicit stack so deep
    /// files cannot overflow the thread's stack.
    fn cost_of(&mut self, start: roxmltree::NodeId, meter: &mut Meter) -> Result<u64, MediaError> {
        if self.state[start.get_usize()] == State::Done {
            return Ok(self.cost[start.get_usize()]);
        }
        // Each frame: an element and what it still has to add up.
        let mut stack: Vec<(roxmltree::NodeId, Vec<roxmltree::NodeId>)> = Vec::new();
        self.open(start, &mut stack)?;
        while let Some((node, pending)) = stack.last_mut() {
            meter.tick()?;
            let node = *node;
            match pending.pop() {
                Some(next) => match self.state[next.get_usize()] {
                    State::Done => self.add(node, self.cost[next.get_usize()])?,
                    State::Open => {
                        let element = self.document.get_node(next);
                        let id = element
                            .and_then(|e| e.attribute("id"))
                            .or(element.map(|e| e.tag_name().name()))
                            .unwrap_or("?");
                        return Err(MediaError::SvgReferenceCycle { id: id.to_owned() });
                    }
                    State::Unseen => {
                        if stack.len() >= self.limits.max_depth {
                            return Err(MediaError::SvgTooDeep {
                                limit: self.limits.max_depth,
                            });
                        }
                        self.open(next, &mut stack)?;
                    }
                },
                None => {
                    stack.pop();
                    self.state[node.get_usize()] = State::Done;
                    if let Some((parent, _)) = stack.last() {
                        let parent = *parent;
                        self.add(parent, self.cost[node.get_usize()])?;
                    }
                }
            }
        }
        Ok(self.cost[start.get_usize()])
    }

    fn open(
        &mut self,
        node: roxmltree::NodeId,
        stack: &mut Vec<(roxmltree::NodeId, Vec<roxmltree::NodeId>)>,
    ) -> Result<(), MediaError> {
        let element = self
            .document
            .get_node(node)
            .expect("node ids come from this document");
        let mut pending: Vec<roxmltree::NodeId> = element
            .children()
            .filter(|child| child.is_element())
            .map(|child| child.id())
            .collect();
        pending.extend(self.references[node.get_usize()].iter().copied());
        self.state[node.get_usize()] = State::Open;
        self.cost[node.get_usize()] = 1;
        stack.push((node, pending));
        Ok(())
    }

    /// Adds to an element's count; once any count passes the limit the file cannot pass,
    /// since the root's count includes it.
    fn add(&mut self, node: roxmltree::NodeId, more: u64) -> Result<(), MediaError> {
        let cost = &mut self.cost[node.get_usize()];
        *cost = cost.saturating_add(more);
        if *cost > self.limits.max_elements {
            return Err(MediaError::SvgTooManyElements {
                elements: *cost,
                limit: self.limits.max_elements,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(body: &str) -> Vec<u8> {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100">{body}</svg>"#
        )
        .into_bytes()
    }

    #[test]
    fn a_plain_logo_passes() {
        let logo = svg(
            r##"<defs><linearGradient id="g"><stop offset="0"/><stop offset="1"/></linearGradient></defs>
<circle id="c" cx="50" cy="50" r="40" fill="url(#g)"/><use href="#c" x="10"/>"##,
        );
        let summary = check_svg(&logo, SvgLimits::LOGO).unwrap();
        // svg, defs, gradient, 2 stops, circle, use; the circle references the gradient (3)
        // and the use references the circle (1 + 3).
        assert_eq!(summary.elements, 7);
        assert_eq!(summary.expanded_elements, 7 + 3 + 4);
    }

    #[test]
    fn a_billion_laughs_of_nested_uses_is_refused_quickly() {
        let mut body = String::from(r#"<defs><rect id="l0" width="1" height="1"/>"#);
        for level in 1..=30 {
            body.push_str(&format!(
                r##"<g id="l{level}"><use href="#l{p}"/><use href="#l{p}"/><use href="#l{p}"/><use href="#l{p}"/><use href="#l{p}"/><use href="#l{p}"/><use href="#l{p}"/><use href="#l{p}"/><use href="#l{p}"/><use href="#l{p}"/></g>"##,
                p = level - 1
            ));
        }
        body.push_str(r##"</defs><use href="#l30"/>"##);
        let error = check_svg(&svg(&body), SvgLimits::LOGO).unwrap_err();
        assert_eq!(error.code(), "svg_too_many_elements", "{error}");
        assert!(
            error.to_string().ends_with("a logo may draw at most 10000"),
            "{error}"
        );
    }

    #[test]
    fn use_cycles_are_refused() {
        let error = check_svg(
            &svg(r##"<g id="a"><use href="#b"/></g><g id="b"><use xlink:href="#a"/></g>"##),
            SvgLimits::LOGO,
        )
        .unwrap_err();
        assert_eq!(error.code(), "svg_reference_cycle", "{error}");
        let error = check_svg(
            &svg(r##"<g id="me"><use href="#me"/></g>"##),
            SvgLimits::LOGO,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the SVG's element \"me\" refers back to itself through <use> or url() references"
        );
        let error = check_svg(
            &svg(r##"<pattern id="p"><rect fill="url(#p)"/></pattern>"##),
            SvgLimits::LOGO,
        )
        .unwrap_err();
        assert_eq!(error.code(), "svg_reference_cycle", "{error}");
    }

    #[test]
    fn external_references_are_refused() {
        for body in [
            r#"<image href="https://evil.example/x.png"/>"#,
            r#"<use xlink:href="other.svg#a"/>"#,
            r#"<rect fill="url(https://evil.example/p.svg#p)"/>"#,
            r#"<rect style="fill: url('file:///etc/passwd')"/>"#,
            r#"<style>@import url(https://evil.example/x.css);</style>"#,
            r#"<image href="data:image/svg+xml;base64,PHN2Zy8+"/>"#,
            r#"<a href="javascript:alert(1)"><rect/></a>"#,
        ] {
            let error = check_svg(&svg(body), SvgLimits::LOGO).unwrap_err();
            assert_eq!(error.code(), "svg_external_reference", "{body}: {error}");
        }
        let error = check_svg(
            &svg(r#"<image href="http://x.example/a.png"/>"#),
            SvgLimits::LOGO,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the SVG refers to \"http://x.example/a.png\" outside the file; a logo must carry everything it shows"
        );
        let xxe = br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>"#;
        assert_eq!(
            check_svg(xxe, SvgLimits::LOGO).unwrap_err().code(),
            "svg_external_reference"
        );
    }

    #[test]
    fn embedded_pictures_are_judged_by_their_header() {
        // A 1 x 1 PNG passes; a PNG header claiming 100000 x 1 pixels does not.
        let small = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
        let body = format!(r#"<image width="1" height="1" href="data:image/png;base64,{small}"/>"#);
        check_svg(&svg(&body), SvgLimits::LOGO).unwrap();
        let wide = "iVBORw0KGgoAAAANSUhEUgABhqAAAAABCAYAAAAfFcSJ";
        let body = format!(r#"<image href="data:image/png;base64,{wide}"/>"#);
        assert_eq!(
            check_svg(&svg(&body), SvgLimits::LOGO).unwrap_err().code(),
            "dimensions"
        );
    }

    #[test]
    fn scripts_events_and_foreign_content_are_refused() {
        for (body, what) in [
            ("<script>alert(1)</script>", "a <script> element"),
            (
                "<foreignObject><div/></foreignObject>",
                "a <foreignObject> element",
            ),
            (
                r#"<rect onclick="alert(1)"/>"#,
                "the event attribute onclick",
            ),
            (
                r#"<a><set attributeName="href" to="javascript:alert(1)"/></a>"#,
                "a <set> element that changes href",
            ),
        ] {
            assert_eq!(
                check_svg(&svg(body), SvgLimits::LOGO).unwrap_err(),
                MediaError::SvgActiveContent { what: what.into() },
                "{body}"
            );
        }
        // Found by pavilion-fuzz: an attribute name with a multi-byte second character.
        let error = check_svg(&svg("<rect i\u{4e3}d=\"1\"/>"), SvgLimits::LOGO);
        assert!(error.is_ok(), "{error:?}");
        let onload = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#;
        assert_eq!(
            check_svg(onload, SvgLimits::LOGO).unwrap_err().code(),
            "svg_active_content"
        );
    }

    #[test]
    fn size_depth_and_shape_are_limited() {
        let many = svg(&"<rect/>".repeat(10_001));
        assert_eq!(
            check_svg(&many, SvgLimits::LOGO).unwrap_err(),
            MediaError::SvgTooManyElements {
                elements: 10_002,
                limit: 10_000
            }
        );
        let deep = svg(&format!("{}{}", "<g>".repeat(200), "</g>".repeat(200)));
        assert_eq!(
            check_svg(&deep, SvgLimits::LOGO).unwrap_err(),
            MediaError::SvgTooDeep { limit: 128 }
        );
        let big = vec![b' '; 3 * 1024 * 1024];
        assert_eq!(
            check_svg(&big, SvgLimits::LOGO).unwrap_err().code(),
            "too_large"
        );
        assert_eq!(
            check_svg(b"<svg><g></svg>", SvgLimits::LOGO)
                .unwrap_err()
                .code(),
            "corrupt"
        );
        assert_eq!(
            check_svg(b"%PDF-1.4", SvgLimits::LOGO).unwrap_err().code(),
            "wrong_kind"
        );
    }

    #[test]
    fn entity_bombs_are_refused() {
        let mut bomb = String::from(
            r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">"#,
        );
        bomb.push_str(r#"]><svg xmlns="http://www.w3.org/2000/svg"><text>"#);
        bomb.push_str(&"&a;".repeat(20_000));
        bomb.push_str("</text></svg>");
        assert_eq!(
            check_svg(bomb.as_bytes(), SvgLimits::LOGO)
                .unwrap_err()
                .code(),
            "memory_limit"
        );
    }
}
