//! The front door holds: the README stays short and gives its commands early, and every relative
//! link of the README, the guides and the other top-level documents leads to a file.

use std::path::PathBuf;

use sealed_test_support::root;

/// The Markdown files users read: the top-level documents, `docs/` (design notes included) and
/// the examples' READMEs.
fn documents() -> Vec<PathBuf> {
    let root = root();
    let mut files: Vec<PathBuf> = [
        "README.md",
        "RELIABILITY.md",
        "BENCHMARKS.md",
        "CHANGELOG.md",
    ]
    .iter()
    .map(|name| root.join(name))
    .collect();
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let readme = entry.unwrap().path().join("README.md");
        if readme.exists() {
            files.push(readme);
        }
    }
    files
}

/// The targets of `file`'s Markdown links that are paths (not URLs, not anchors), without their
/// `#fragment`.
fn relative_links(text: &str) -> Vec<&str> {
    text.match_indices("](")
        .filter_map(|(at, _)| {
            let rest = &text[at + 2..];
            let end = rest.find([')', ' ', '\n'])?;
            let link = &rest[..end];
            let path = link.split('#').next().unwrap_or("");
            (!path.is_empty() && !link.contains("://") && !link.starts_with("mailto:"))
                .then_some(path)
        })
        .collect()
}

#[test]
fn every_relative_link_of_the_documents_leads_to_a_file() {
    let mut broken = Vec::new();
    for file in documents() {
        let text = std::fs::read_to_string(&file).unwrap();
        let dir = file.parent().unwrap();
        for link in relative_links(&text) {
            if !dir.join(link).exists() {
                broken.push(format!("{}: {link}", file.display()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links to nothing:\n{}",
        broken.join("\n")
    );
}

/// The line (1-based) of `readme` where `needle` first appears.
fn line_of(readme: &str, needle: &str) -> usize {
    readme
        .lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("the README never says `{needle}`"))
        + 1
}

#[test]
fn the_readme_is_read_in_five_minutes_and_gives_its_commands_first() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(lines <= 200, "the README has {lines} lines: at most 200");
    for command in ["scripts/demo", "scripts/test"] {
        let at = line_of(&readme, command);
        assert!(
            at <= 40,
            "`{command}` first at line {at}: within the first 40"
        );
    }
    for step in ["cargo install", "cargo add sealed-runtime"] {
        let at = line_of(&readme, step);
        assert!(at <= 80, "`{step}` first at line {at}: within the first 80");
    }
}

#[test]
fn the_link_reader_sees_paths_and_skips_urls_and_anchors() {
    let text = "[a](docs/a.md) [b](https://x.y/z) [c](#top) [d](b.md#part) ![e](img.png)";
    assert_eq!(relative_links(text), ["docs/a.md", "b.md", "img.png"]);
}
