//! The tables `bench` and `bench-viewer` write into BENCHMARKS.md, each between its own pair
//! of HTML comment markers, so a new run replaces its own table and leaves the rest as it is.

/// The command as it was run (`cargo xtask <name> <args>`), for the report to show.
pub fn command_line(name: &str, args: &[String]) -> String {
    std::iter::once(format!("cargo xtask {name}"))
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One command's section: its markers and the heading it is appended under the first time.
pub struct Section {
    pub begin: &'static str,
    pub end: &'static str,
    pub heading: &'static str,
}

impl Section {
    /// `text` with this section's content replaced by `report`; a text without the markers
    /// gets the section appended under the heading.
    pub fn replace(&self, text: &str, report: &str) -> String {
        let section = format!("{}\n{report}{}", self.begin, self.end);
        match (text.find(self.begin), text.find(self.end)) {
            (Some(begin), Some(end)) if begin < end => format!(
                "{}{section}{}",
                &text[..begin],
                &text[end + self.end.len()..]
            ),
            _ => format!("{}\n\n{}\n\n{section}\n", text.trim_end(), self.heading),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECTION: Section = Section {
        begin: "<!-- x: begin -->",
        end: "<!-- x: end -->",
        heading: "## X",
    };

    #[test]
    fn the_section_is_appended_once_and_then_replaced_between_its_markers() {
        let first = SECTION.replace("# Benchmarks\n", "one\n");
        assert!(first.contains("## X") && first.contains("one\n"));
        let second = SECTION.replace(&format!("{first}tail\n"), "two\n");
        assert!(second.contains("two\n") && !second.contains("one\n"));
        assert!(second.ends_with("tail\n"));
        assert_eq!(second.matches("## X").count(), 1);
    }
}
