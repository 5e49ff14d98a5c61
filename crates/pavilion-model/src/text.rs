//! Checks on free text that people read: Unicode format characters (General_Category Cf,
//! such as bidirectional overrides and zero-width spaces) are refused, because they make a
//! name or title display differently from what it contains (spoofing, hidden text).

/// Every code point of General_Category Cf (Unicode 16), as inclusive ranges.
const FORMAT_CHARACTERS: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// The sentence given when a text holds a format character.
pub const FORMAT_CHARACTER_MESSAGE: &str = "must not hold invisible format characters (bidirectional overrides, zero-width spaces and the like)";

/// True for a Unicode format character (General_Category Cf).
pub fn is_format_character(c: char) -> bool {
    let code = u32::from(c);
    FORMAT_CHARACTERS
        .iter()
        .any(|&(first, last)| (first..=last).contains(&code))
}

/// The first format character in `text`, if any.
pub fn find_format_character(text: &str) -> Option<char> {
    text.chars().find(|c| is_format_character(*c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_overrides_and_zero_width_characters_are_format_characters() {
        for c in [
            '\u{202A}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{200B}',
            '\u{200D}',
            '\u{200F}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{2060}',
            '\u{E0041}',
            '\u{061C}',
        ] {
            assert!(is_format_character(c), "U+{:04X}", u32::from(c));
        }
        for c in [
            'a', ' ', 'é', '中', '\u{2028}', '\u{3000}', '😀', '\u{0300}',
        ] {
            assert!(!is_format_character(c), "U+{:04X}", u32::from(c));
        }
        assert_eq!(
            find_format_character("Acme\u{202E}gpj.exe"),
            Some('\u{202E}')
        );
        assert_eq!(find_format_character("Acme Security"), None);
    }

    #[test]
    fn the_ranges_are_sorted_and_disjoint() {
        for pair in FORMAT_CHARACTERS.windows(2) {
            assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:x?}");
        }
    }
}
