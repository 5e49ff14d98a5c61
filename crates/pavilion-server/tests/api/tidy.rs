//! House-style checks on this crate's own sources.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn every_file_starts_with_a_module_doc_line() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&crate_dir.join("src"), &mut files);
    rust_files(&crate_dir.join("tests"), &mut files);
    assert!(files.len() > 10);
    let undocumented: Vec<_> = files
        .iter()
        .filter(|path| !fs::read_to_string(path).unwrap().starts_with("//!"))
        .collect();
    assert!(
        undocumented.is_empty(),
        "files without a leading //! line: {undocumented:?}"
    );
}

/// The crate's source files, as paths relative to `src/` with `/` separators, and their text.
fn sources(src: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut sources: Vec<(String, String)> = files
        .iter()
        .map(|path| {
            let relative = path
                .strip_prefix(src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (relative, fs::read_to_string(path).unwrap())
        })
        .collect();
    sources.sort();
    sources
}

/// The code of a file without its `#[cfg(test)]` module and without comments.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level area of the crate a file belongs to: `db/staff.rs` -> `db`, `error.rs` ->
/// `error`.
fn area_of(relative: &str) -> &str {
    relative.split('/').next().unwrap().trim_end_matches(".rs")
}

/// Every area a file refers to with a `crate::<area>` path.
fn areas_referred(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.push(name);
        } else if after.starts_with('{') {
            let group = &after[1..after.find('}').unwrap_or(after.len())];
            found.extend(
                group
                    .split(',')
                    .map(|item| item.trim().split("::").next().unwrap_or("").to_owned())
                    .filter(|name| !name.is_empty()),
            );
        }
        rest = after;
    }
    found
}

/// The dependency graph between areas (`crate::...` references), without self-references.
fn area_graph(
    src: &Path,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut graph: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for (relative, text) in sources(src) {
        let area = area_of(&relative).to_owned();
        if area == "lib" || area == "main" {
            continue;
        }
        let edges = graph.entry(area.clone()).or_default();
        for target in areas_referred(&code_of(&text)) {
            if target != area {
                edges.insert(target);
            }
        }
    }
    graph
}

/// Every cycle's members, as found by a depth-first search (empty when the graph is a DAG).
fn cycles(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Vec<Vec<String>> {
    fn visit(
        node: &str,
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        if let Some(at) = stack.iter().position(|n| n == node) {
            found.push(stack[at..].to_vec());
            return;
        }
        if done.contains(node) {
            return;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, stack, done, found);
        }
        stack.pop();
        done.insert(node.to_owned());
    }
    let mut found = Vec::new();
    let mut done = Default::default();
    for node in graph.keys() {
        visit(node, graph, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_areas_of_the_server_import_each_other_without_cycles() {
    let graph = area_graph(&src_dir());
    assert!(graph.len() > 8, "{graph:?}");
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "import cycles between areas of src/: {found:?}\nthe graph: {graph:#?}"
    );
}

#[test]
fn only_the_http_layer_imports_http() {
    let offenders: Vec<String> = sources(&src_dir())
        .into_iter()
        .filter(|(relative, _)| {
            !relative.starts_with("http/") && relative != "lib.rs" && relative != "main.rs"
        })
        .filter(|(_, text)| {
            areas_referred(&code_of(text))
                .iter()
                .any(|area| area == "http")
        })
        .map(|(relative, _)| relative)
        .collect();
    assert!(
        offenders.is_empty(),
        "domain and lower layers must not import http/: {offenders:?}"
    );
}

#[test]
fn sql_is_written_only_in_db() {
    const SQL_MARKERS: [&str; 9] = [
        "sqlx::query",
        "sqlx::raw_sql",
        "query_scalar",
        "query_as",
        "SELECT ",
        "INSERT INTO",
        "DELETE FROM",
        "UPDATE ",
        "CREATE TABLE",
    ];
    let offenders: Vec<(String, &str)> = sources(&src_dir())
        .into_iter()
        .filter(|(relative, _)| !relative.starts_with("db/"))
        .filter_map(|(relative, text)| {
            let code = code_of(&text);
            SQL_MARKERS
                .iter()
                .find(|marker| code.contains(**marker))
                .map(|marker| (relative, *marker))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "SQL outside src/db/ (file, what was found): {offenders:?}"
    );
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
        .into_iter()
        .fold(
            std::collections::BTreeMap::<String, std::collections::BTreeSet<String>>::new(),
            |mut graph, (from, to)| {
                graph.entry(from.into()).or_default().insert(to.into());
                graph
            },
        );
    assert_eq!(cycles(&graph), vec![vec!["a", "b", "c"]]);
    assert_eq!(
        areas_referred("use crate::{db::Store, error::Error};\nlet x = crate::time::now();"),
        ["db", "error", "time"]
    );
}

/// Prints the area graph and its cycles for any crate's `src/` (for measuring another
/// checkout): `PAVILION_TIDY_SRC=/path/to/src cargo test -p pavilion-server --test api
/// report_import_graph -- --ignored --nocapture`.
#[test]
#[ignore = "a measuring tool, run by hand"]
fn report_import_graph() {
    let src = std::env::var_os("PAVILION_TIDY_SRC").map_or_else(src_dir, PathBuf::from);
    let graph = area_graph(&src);
    for (area, targets) in &graph {
        println!(
            "{area} -> {}",
            targets.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    let found = cycles(&graph);
    println!("{} cycle(s): {found:?}", found.len());
}
