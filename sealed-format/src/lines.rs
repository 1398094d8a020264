//! The line reader bundles and stage sets share: each line that says something (blank lines and
//! `#` comments skipped), trimmed, with its number from 1, so that every error names its line.

/// The lines of `text` that say something, trimmed, each with its number (from 1).
pub(crate) fn directives(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}
