//! A brand colour: three sRGB bytes, written `#rrggbb` in profiles and on the wire.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An sRGB colour parsed from `#rrggbb` (hex digits in either case). It displays and
/// serialises as lowercase `#rrggbb`, so parsing what it displays gives the same colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Colour(pub [u8; 3]);

impl Colour {
    /// Parses `#rrggbb`; the error is the sentence a profile's author reads.
    pub fn parse(raw: &str) -> Result<Colour, String> {
        let refuse = || format!("must look like #1f6f8b, not {raw:?}");
        let hex = raw.strip_prefix('#').ok_or_else(refuse)?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(refuse());
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| refuse());
        Ok(Colour([byte(0)?, byte(2)?, byte(4)?]))
    }

    /// The red, green and blue bytes.
    pub fn rgb(self) -> [u8; 3] {
        self.0
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

impl FromStr for Colour {
    type Err = String;

    fn from_str(raw: &str) -> Result<Colour, String> {
        Colour::parse(raw)
    }
}

impl From<Colour> for [u8; 3] {
    fn from(colour: Colour) -> [u8; 3] {
        colour.0
    }
}

impl Serialize for Colour {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Colour {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Colour::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn colours_parse_strictly() {
        assert_eq!(Colour::parse("#1f6F8b"), Ok(Colour([0x1f, 0x6f, 0x8b])));
        for bad in [
            "1f6f8b", "#1f6f8", "#1f6f8bb", "#1g6f8b", "#ééé", "#+1f6f8", "",
        ] {
            assert!(Colour::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Colour::parse("blue").unwrap_err(),
            "must look like #1f6f8b, not \"blue\""
        );
    }

    #[test]
    fn colours_display_and_serialise_as_lowercase_hex() {
        let colour = Colour([0x1f, 0x6f, 0x8b]);
        assert_eq!(colour.to_string(), "#1f6f8b");
        assert_eq!(serde_json::to_string(&colour).unwrap(), "\"#1f6f8b\"");
        assert_eq!(
            serde_json::from_str::<Colour>("\"#1F6F8B\"").unwrap(),
            colour
        );
        assert!(serde_json::from_str::<Colour>("\"teal\"").is_err());
    }

    proptest! {
        #[test]
        fn parse_of_display_is_the_same_colour(rgb in any::<[u8; 3]>()) {
            let colour = Colour(rgb);
            prop_assert_eq!(Colour::parse(&colour.to_string()), Ok(colour));
        }

        #[test]
        fn any_hex_text_displays_as_its_lowercase(text in "#[0-9a-fA-F]{6}") {
            let colour = Colour::parse(&text).unwrap();
            prop_assert_eq!(colour.to_string(), text.to_ascii_lowercase());
        }
    }
}
