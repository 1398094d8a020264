//! A strict DER reader: tags, minimal definite lengths, fixed encodings, and nothing left over,
//! naming what it expected where it fails.

use core::ops::Range;

use crate::blob::layout::{malformed, point, LayoutError};
use crate::error::ErrorKind;
use crate::family::BlobFamily;

/// Reads `bytes[pos..end]` of a blob of `family` (whose errors it words).
pub(crate) struct DerReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    family: BlobFamily,
}

impl<'a> DerReader<'a> {
    /// A reader of `bytes[start..]`.
    pub(crate) fn new(family: BlobFamily, bytes: &'a [u8], start: usize) -> Self {
        DerReader {
            bytes,
            pos: start,
            end: bytes.len(),
            family,
        }
    }

    /// Where the next element starts.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Moves past `len` bytes that any value may fill (a nonce).
    pub(crate) fn skip(&mut self, len: usize) {
        self.pos += len;
    }

    /// The error for `expected` not found at `at`.
    pub(crate) fn fail(&self, at: usize, expected: &'static str) -> LayoutError {
        if self.family == BlobFamily::Sm2Pke {
            return LayoutError::At(
                ErrorKind::Sm2Malformed { at, expected },
                point(self.bytes.len(), at),
            );
        }
        malformed(self.family, self.bytes, at, 2, expected)
    }

    /// Reads a tag and a minimal definite length; returns the element's content range and moves
    /// past the element.
    pub(crate) fn element(
        &mut self,
        tag: u8,
        expected: &'static str,
    ) -> Result<Range<usize>, LayoutError> {
        let start = self.pos;
        let byte = |i: usize| {
            if start + i < self.end {
                Some(self.bytes[start + i])
            } else {
                None
            }
        };
        if byte(0) != Some(tag) {
            return Err(self.fail(start, expected));
        }
        let (len, header) = match (byte(1), byte(2), byte(3)) {
            (Some(len), _, _) if len < 0x80 => (usize::from(len), 2),
            (Some(0x81), Some(len), _) if len >= 0x80 => (usize::from(len), 3),
            (Some(0x82), Some(high), Some(low)) if high != 0 => {
                (usize::from(high) << 8 | usize::from(low), 4)
            }
            _ => return Err(self.fail(start + 1, "a minimal definite DER length")),
        };
        let content = start + header..start + header + len;
        if content.end > self.end {
            let kind = match self.family {
                BlobFamily::Sm2Pke => ErrorKind::Sm2Malformed {
                    at: start,
                    expected: "an element that fits in its SEQUENCE",
                },
                family => ErrorKind::Malformed {
                    family,
                    at: start,
                    expected: "an element that fits in its SEQUENCE",
                    found: format!(
                        "a length of {len} with {} bytes left",
                        self.end - content.start.min(self.end)
                    ),
                    whole: false,
                },
            };
            return Err(LayoutError::At(kind, start..self.end.max(start + 1)));
        }
        self.pos = content.end;
        Ok(content)
    }

    /// Reads an element whose whole encoding is fixed.
    pub(crate) fn exact(
        &mut self,
        encoding: &[u8],
        expected: &'static str,
    ) -> Result<(), LayoutError> {
        let start = self.pos;
        if start + encoding.len() > self.end
            || self.bytes.get(start..start + encoding.len()) != Some(encoding)
        {
            return Err(self.fail(start, expected));
        }
        self.pos += encoding.len();
        Ok(())
    }

    /// A reader of the content `range` of an element this one read.
    pub(crate) fn inside(&self, range: Range<usize>) -> DerReader<'a> {
        DerReader {
            bytes: self.bytes,
            pos: range.start,
            end: range.end,
            family: self.family,
        }
    }

    /// Checks that nothing is left.
    pub(crate) fn done(&self, expected: &'static str) -> Result<(), LayoutError> {
        if self.pos == self.end {
            Ok(())
        } else {
            Err(self.fail(self.pos, expected))
        }
    }
}
