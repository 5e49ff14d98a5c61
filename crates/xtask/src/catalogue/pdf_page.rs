//! One page of the brochure as a PDF content stream: filled rectangles and Helvetica text in
//! WinAnsiEncoding, with paragraphs wrapped to a width.

use std::fmt::Write as _;

/// Text in a PDF string literal in WinAnsiEncoding: ASCII as it is, a few typographic marks
/// mapped, Latin-1 letters as octal escapes, anything else as `?`.
pub(super) fn pdf_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let code: u32 = match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
                continue;
            }
            ' '..='~' => {
                out.push(c);
                continue;
            }
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{2026}' => 0x85,
            '\u{20ac}' => 0x80,
            '\u{2122}' => 0x99,
            '\u{a0}'..='\u{ff}' => c as u32,
            _ => u32::from(b'?'),
        };
        let _ = write!(out, "\\{code:03o}");
    }
    out
}

/// Splits text into lines of at most `max_chars` characters (Helvetica averages about half
/// an em per character, which is all the precision a brochure needs).
fn wrap(text: &str, max_chars: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max_chars {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A page's content stream being written.
pub(super) struct Page {
    pub(super) ops: String,
    /// The baseline of the next paragraph line, in points from the bottom.
    pub(super) y: f32,
}

impl Page {
    pub(super) fn new() -> Page {
        Page {
            ops: String::new(),
            y: 0.0,
        }
    }

    pub(super) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, rgb: [u8; 3]) {
        let [r, g, b] = rgb.map(|c| f32::from(c) / 255.0);
        let _ = writeln!(
            self.ops,
            "{r:.3} {g:.3} {b:.3} rg {x:.1} {y:.1} {w:.1} {h:.1} re f"
        );
    }

    pub(super) fn text(&mut self, font: &str, size: f32, x: f32, y: f32, rgb: [u8; 3], text: &str) {
        let [r, g, b] = rgb.map(|c| f32::from(c) / 255.0);
        let _ = writeln!(
            self.ops,
            "BT /{font} {size:.1} Tf {r:.3} {g:.3} {b:.3} rg {x:.1} {y:.1} Td ({}) Tj ET",
            pdf_text(text)
        );
    }

    /// Writes wrapped lines downwards from the current position.
    pub(super) fn paragraph(
        &mut self,
        font: &str,
        size: f32,
        x: f32,
        width: f32,
        rgb: [u8; 3],
        text: &str,
    ) {
        let max_chars = (width / (size * 0.5)) as usize;
        for line in wrap(text, max_chars) {
            self.text(font, size, x, self.y, rgb, &line);
            self.y -= size * 1.38;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_text_is_escaped_and_encoded() {
        assert_eq!(pdf_text("a (b) \\ c"), "a \\(b\\) \\\\ c");
        assert_eq!(
            pdf_text("caf\u{e9} \u{2013} \u{2019}"),
            "caf\\351 \\226 \\222"
        );
        assert_eq!(pdf_text("\u{4e2d}"), "\\077");
    }
}
