//! A literal without its whitespace, and the way back: which characters of the literal as written
//! hold given characters or decoded bytes, so that every message points into the literal.

use core::ops::Range;

/// A literal with its ASCII whitespace removed, remembering where each remaining character stood.
pub(crate) struct Stripped {
    /// The characters that are not ASCII whitespace.
    pub(crate) chars: Vec<char>,
    /// `offsets[i]`: the character offset in `literal` of `chars[i]`; one extra entry for the end.
    pub(crate) offsets: Vec<usize>,
}

impl Stripped {
    pub(crate) fn new(literal: &str) -> Self {
        let mut chars = Vec::with_capacity(literal.len());
        let mut offsets = Vec::with_capacity(literal.len() + 1);
        let mut count = 0;
        for (index, ch) in literal.chars().enumerate() {
            count = index + 1;
            if !ch.is_ascii_whitespace() {
                chars.push(ch);
                offsets.push(index);
            }
        }
        offsets.push(count);
        Stripped { chars, offsets }
    }

    /// The literal's character range covering stripped characters `range`.
    pub(crate) fn literal_range(&self, range: Range<usize>) -> Range<usize> {
        let last = self.chars.len();
        let start = range.start.min(last);
        let end = range.end.clamp(start, last);
        if start == end {
            let at = self.offsets[start];
            return at..at;
        }
        self.offsets[start]..self.offsets[end - 1] + 1
    }

    /// The literal's character range holding decoded bytes `bytes` (4 characters carry 3 bytes).
    pub(crate) fn byte_range(&self, bytes: Range<usize>) -> Range<usize> {
        let start = bytes.start / 3 * 4 + (bytes.start % 3);
        let end = if bytes.end == 0 {
            0
        } else {
            (bytes.end - 1) / 3 * 4 + (bytes.end - 1) % 3 + 2
        };
        self.literal_range(start..end.max(start))
    }

    /// Where `needle` first starts among the characters.
    pub(crate) fn contains(&self, needle: &str) -> Option<usize> {
        let needle: Vec<char> = needle.chars().collect();
        self.chars
            .windows(needle.len())
            .position(|window| window == needle.as_slice())
    }

    /// The characters as a string.
    pub(crate) fn text(&self) -> String {
        self.chars.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_stripped_and_offsets_point_into_the_literal() {
        let stripped = Stripped::new("AQ\n  ID");
        assert_eq!(stripped.chars, vec!['A', 'Q', 'I', 'D']);
        assert_eq!(stripped.offsets, vec![0, 1, 5, 6, 7]);
        assert_eq!(stripped.literal_range(1..3), 1..6);
    }

    #[test]
    fn byte_ranges_map_to_the_characters_that_carry_them() {
        let stripped = Stripped::new("AAAABBBBCCCC");
        // byte 0 is carried by characters 0 and 1; bytes 3..6 by characters 4..8.
        assert_eq!(stripped.byte_range(0..1), 0..2);
        assert_eq!(stripped.byte_range(3..6), 4..8);
        assert_eq!(stripped.byte_range(8..9), 10..12);
    }
}
