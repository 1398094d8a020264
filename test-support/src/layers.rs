//! A crate's modules import only downward: each names, through `crate::…`, only modules listed
//! before it in the crate's layer order, and nothing through the crate root (the facade).
//!
//! ```no_run
//! sealed_test_support::layers::check(
//!     std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
//!     &["limits", "encoding", "error"],
//! );
//! ```
//!
//! A module is a file under `src/` named by its path without `.rs` (`blob/der` for
//! `src/blob/der.rs`; `blob` for `src/blob.rs` or `src/blob/mod.rs`). Every file but `lib.rs`
//! (and `main.rs` for a binary) must have its place. A path is attributed to the longest listed
//! module it starts with, so `crate::blob::der::Reader` names `blob/der` and `crate::blob::Blob`
//! names `blob`. A module may name its own children (a folder's `mod.rs` re-exporting its rooms).

use std::path::{Path, PathBuf};

/// Checks the crate at `manifest_dir` against `order` (lowest first).
///
/// # Panics
/// On the first module that breaks the order, naming it and what it imports; when a file under
/// `src/` is missing from `order`, or `order` names a file that does not exist.
pub fn check(manifest_dir: &Path, order: &[&str]) {
    let src = manifest_dir.join("src");
    let mut found: Vec<String> = Vec::new();
    collect(&src, &src, &mut found);
    found.sort();
    let mut listed: Vec<String> = order.iter().map(|m| (*m).to_owned()).collect();
    listed.sort();
    assert_eq!(
        found,
        listed,
        "every module under {} has its place in the layer order, and only those",
        src.display()
    );
    for (rank, module) in order.iter().enumerate() {
        let text = code_of(&file_of(&src, module));
        assert!(
            !text.contains("crate::{"),
            "`{module}` groups crate imports (`crate::{{…}}`): name each module so the order can be checked"
        );
        assert!(
            !text.contains("super::"),
            "`{module}` imports through `super::`: name the module (`crate::module::Item`) so the order can be checked"
        );
        for path in crate_paths(&text) {
            let first = path.first().map_or("", String::as_str);
            assert!(
                !first.starts_with(|c: char| c.is_uppercase() || c == '_') && !first.is_empty(),
                "`{module}` imports `crate::{}` through the crate root: name the module it lives in",
                path.join("::")
            );
            let Some(named) = attribute(&path, order) else {
                // a lowercase item of the crate root (a macro, a function re-exported there)
                panic!(
                    "`{module}` names `crate::{}`, which is no module of the layer order: import it from its module",
                    path.join("::")
                );
            };
            let index = order.iter().position(|m| *m == named).unwrap_or(usize::MAX);
            let child = named.starts_with(&format!("{module}/"));
            assert!(
                index < rank || named == *module || child,
                "`{module}` imports `{named}` (`crate::{}`), which is not below it in the layer order",
                path.join("::")
            );
        }
    }
}

/// Files under `dir` as module names relative to `src`.
fn collect(src: &Path, dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect(src, &path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path
            .strip_prefix(src)
            .expect("under src/")
            .with_extension("");
        let name = relative.to_string_lossy().replace('\\', "/");
        let name = name.strip_suffix("/mod").unwrap_or(&name).to_owned();
        if name != "lib" && name != "main" {
            found.push(name);
        }
    }
}

fn file_of(src: &Path, module: &str) -> PathBuf {
    let file = src.join(format!("{module}.rs"));
    if file.exists() {
        file
    } else {
        src.join(module).join("mod.rs")
    }
}

/// The code of a file without its comments and doc comments (intra-doc links name anything)
/// and without its unit tests (`#[cfg(test)]` or `#[cfg(all(test, …))]` on a `mod`, to the end of the
/// file: they stand last, and `use super::*` there is the module itself).
fn code_of(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    without_tests(&text)
}

fn without_tests(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|pair| {
            let attribute = pair[0].trim();
            (attribute == "#[cfg(test)]" || attribute.starts_with("#[cfg(all(test,"))
                && ["mod ", "pub mod ", "pub(crate) mod "]
                    .iter()
                    .any(|start| pair[1].trim_start().starts_with(start))
        })
        .unwrap_or(lines.len());
    lines[..end]
        .iter()
        .filter(|line| !line.trim_start().starts_with("//"))
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::a::b::…` path in `text`, as its segments.
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        // `$crate::` in a macro is the crate's public path, not an import of a module
        if text[..at].ends_with('$')
            || text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &text[at + "crate::".len()..];
        let mut segments = Vec::new();
        let mut cursor = rest;
        loop {
            let end = cursor
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(cursor.len());
            if end == 0 {
                break;
            }
            segments.push(cursor[..end].to_owned());
            match cursor[end..].strip_prefix("::") {
                Some(next) => cursor = next,
                None => break,
            }
        }
        paths.push(segments);
    }
    paths
}

/// The longest module of `order` that `path` starts with.
fn attribute<'a>(path: &[String], order: &[&'a str]) -> Option<&'a str> {
    order
        .iter()
        .filter(|module| {
            let parts: Vec<&str> = module.split('/').collect();
            parts.len() <= path.len() && parts.iter().zip(path).all(|(m, p)| m == p)
        })
        .max_by_key(|module| module.split('/').count())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::{attribute, crate_paths, without_tests};

    #[test]
    fn paths_are_read_whole_and_attributed_to_the_longest_module() {
        let text =
            "use crate::blob::der::Reader;\nuse $crate::x;\nlet a = crate::error::Error::new();";
        let paths = crate_paths(text);
        assert_eq!(
            paths,
            vec![
                vec!["blob".to_owned(), "der".into(), "Reader".into()],
                vec!["error".to_owned(), "Error".into(), "new".into()],
            ]
        );
        let order = ["blob", "blob/der", "error"];
        assert_eq!(attribute(&paths[0], &order), Some("blob/der"));
        assert_eq!(attribute(&paths[1], &order), Some("error"));
        assert_eq!(attribute(&["Blob".to_owned()], &order), None);
    }

    #[test]
    fn unit_tests_and_comments_are_not_code() {
        let text = "use crate::a::X;\n// crate::b::Y\n#[cfg(all(test, feature = \"f\"))]\nmod tests {\n    use super::*;\n}\n";
        assert_eq!(without_tests(text), "use crate::a::X;");
        assert_eq!(
            without_tests("#[cfg(test)]\nfn helper() {}"),
            "#[cfg(test)]\nfn helper() {}"
        );
    }
}
