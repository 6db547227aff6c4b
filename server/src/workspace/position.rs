//! LSP positions (line + column in a negotiated encoding) to byte offsets and back.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as LSP says; ropey's `cr_lines` feature
//! counts lines the same way, so a rope line is an LSP line.

use ropey::{Rope, RopeSlice};

/// How the `character` of a position counts: the encoding negotiated in `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
            Encoding::Utf32 => "utf-32",
        }
    }
}

/// A zero-based line and a column counted in some [`Encoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

impl Position {
    pub fn new(line: u32, character: u32) -> Self {
        Position { line, character }
    }
}

/// Why a position does not name a place in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PositionError {
    LineOutOfRange {
        line: u32,
        lines: usize,
    },
    InsideCharacter {
        line: u32,
        character: u32,
        encoding: Encoding,
    },
}

impl std::fmt::Display for PositionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PositionError::LineOutOfRange { line, lines } => {
                write!(
                    f,
                    "line {line} is past the end of the document ({lines} lines)"
                )
            }
            PositionError::InsideCharacter {
                line,
                character,
                encoding,
            } => write!(
                f,
                "position {line}:{character} falls inside a character in {}",
                encoding.as_str()
            ),
        }
    }
}

/// Bytes of the line terminator at the end of `line` (0, 1 or 2); terminators are ASCII,
/// so this is also their length in chars and UTF-16 code units.
fn terminator_len(line: RopeSlice<'_>) -> usize {
    let len = line.len_bytes();
    if len == 0 {
        return 0;
    }
    match line.byte(len - 1) {
        b'\n' if len >= 2 && line.byte(len - 2) == b'\r' => 2,
        b'\n' | b'\r' => 1,
        _ => 0,
    }
}

/// The byte offset `pos` names. A column past the end of its line means the end of the
/// line (as the LSP specification says); a line past the end, or a column that splits a
/// character, is an error rather than a guess, so a client and Keel never silently diverge.
pub fn byte_offset(rope: &Rope, pos: Position, encoding: Encoding) -> Result<usize, PositionError> {
    let line = pos.line as usize;
    let lines = rope.len_lines();
    if line >= lines {
        // One past the last line at column 0 can only mean the end of the text.
        if line == lines && pos.character == 0 {
            return Ok(rope.len_bytes());
        }
        return Err(PositionError::LineOutOfRange {
            line: pos.line,
            lines,
        });
    }
    let slice = rope.line(line);
    let content_len = slice.len_bytes() - terminator_len(slice);
    let line_start = rope.line_to_byte(line);
    let column = pos.character as usize;
    let inside = PositionError::InsideCharacter {
        line: pos.line,
        character: pos.character,
        encoding,
    };
    match encoding {
        Encoding::Utf8 => {
            let byte = line_start + column.min(content_len);
            let char_index = rope.byte_to_char(byte);
            if rope.char_to_byte(char_index) != byte {
                return Err(inside);
            }
            Ok(byte)
        }
        Encoding::Utf16 => {
            let start_char = rope.byte_to_char(line_start);
            let start_cu = rope.char_to_utf16_cu(start_char);
            let end_char = rope.byte_to_char(line_start + content_len);
            let content_cu = rope.char_to_utf16_cu(end_char) - start_cu;
            let target_cu = start_cu + column.min(content_cu);
            let char_index = rope.utf16_cu_to_char(target_cu);
            if rope.char_to_utf16_cu(char_index) != target_cu {
                return Err(inside);
            }
            Ok(rope.char_to_byte(char_index))
        }
        Encoding::Utf32 => {
            let start_char = rope.byte_to_char(line_start);
            let content_chars = rope.byte_to_char(line_start + content_len) - start_char;
            Ok(rope.char_to_byte(start_char + column.min(content_chars)))
        }
    }
}

/// The position of a byte offset (clamped to the text), in `encoding`.
pub fn position_of(rope: &Rope, byte: usize, encoding: Encoding) -> Position {
    let byte = byte.min(rope.len_bytes());
    let line = rope.byte_to_line(byte);
    let line_start = rope.line_to_byte(line);
    let slice = rope.line(line);
    let content_end = line_start + slice.len_bytes() - terminator_len(slice);
    // An offset inside a character or a line terminator maps to the nearest place before it.
    let char_index = rope.byte_to_char(byte.min(content_end));
    let start_char = rope.byte_to_char(line_start);
    let character = match encoding {
        Encoding::Utf8 => rope.char_to_byte(char_index) - line_start,
        Encoding::Utf16 => rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(start_char),
        Encoding::Utf32 => char_index - start_char,
    };
    Position::new(line as u32, character as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_as_two_units() {
        let rope = Rope::from_str("a😀b\nx");
        assert_eq!(
            byte_offset(&rope, Position::new(0, 3), Encoding::Utf16),
            Ok(5)
        );
        assert_eq!(
            byte_offset(&rope, Position::new(0, 3), Encoding::Utf8),
            Err(PositionError::InsideCharacter {
                line: 0,
                character: 3,
                encoding: Encoding::Utf8
            })
        );
        assert!(matches!(
            byte_offset(&rope, Position::new(0, 2), Encoding::Utf16),
            Err(PositionError::InsideCharacter { .. })
        ));
        assert_eq!(
            byte_offset(&rope, Position::new(0, 2), Encoding::Utf32),
            Ok(5)
        );
        assert_eq!(position_of(&rope, 5, Encoding::Utf16), Position::new(0, 3));
        assert_eq!(position_of(&rope, 5, Encoding::Utf8), Position::new(0, 5));
    }

    #[test]
    fn lone_cr_and_crlf_end_lines() {
        let rope = Rope::from_str("ab\r\ncd\ref");
        assert_eq!(
            byte_offset(&rope, Position::new(1, 0), Encoding::Utf16),
            Ok(4)
        );
        assert_eq!(
            byte_offset(&rope, Position::new(2, 1), Encoding::Utf16),
            Ok(8)
        );
        // A column past the end of a line stops before its terminator.
        assert_eq!(
            byte_offset(&rope, Position::new(0, 99), Encoding::Utf16),
            Ok(2)
        );
        assert_eq!(position_of(&rope, 3, Encoding::Utf16), Position::new(0, 2));
    }

    #[test]
    fn lines_past_the_end_are_errors_except_the_end_itself() {
        let rope = Rope::from_str("ab\n");
        assert_eq!(
            byte_offset(&rope, Position::new(1, 0), Encoding::Utf16),
            Ok(3)
        );
        assert_eq!(
            byte_offset(&rope, Position::new(2, 0), Encoding::Utf16),
            Ok(3)
        );
        assert!(matches!(
            byte_offset(&rope, Position::new(2, 1), Encoding::Utf16),
            Err(PositionError::LineOutOfRange { .. })
        ));
        assert!(byte_offset(&rope, Position::new(7, 0), Encoding::Utf8).is_err());
    }
}
