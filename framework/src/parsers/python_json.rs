//! The messages of Python's `json` module (CPython 3.12's C scanner), so a malformed body
//! gets DRF's exact `JSON parse error - Expecting value: line 1 column 1 (char 0)`.
//!
//! serde_json decides whether a body is valid; this module only runs on bodies serde_json
//! rejected, walks them as CPython's scanner does, and reports the first error it would raise,
//! with its position counted in characters.

/// What DRF's `JSONParser` says after `JSON parse error - ` for this body, or `None` when
/// Python would accept it (then the caller keeps serde_json's message).
pub fn error_message(body: &[u8]) -> Option<String> {
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        // DRF reads through a UTF-8 stream reader, which keeps a character cut off at the
        // end of the body for a next read that never comes: JSON sees the text before it.
        Err(err) if err.error_len().is_none() => {
            std::str::from_utf8(&body[..err.valid_up_to()]).unwrap_or_default()
        }
        Err(err) => return Some(utf8_error(body, &err)),
    };
    let chars: Vec<char> = text.chars().collect();
    let scanner = Scanner { s: &chars };
    let error = match scanner.document() {
        Ok(()) => return None,
        Err(error) => error,
    };
    Some(match error {
        ScanError::At(message, pos) => format_position(&chars, message, pos),
        ScanError::Bare(message) => message,
    })
}

/// `msg: line L column C (char P)`, as `json.JSONDecodeError` formats it.
fn format_position(chars: &[char], message: &str, pos: usize) -> String {
    let before = &chars[..pos.min(chars.len())];
    let line = before.iter().filter(|c| **c == '\n').count() + 1;
    let column = match before.iter().rposition(|c| *c == '\n') {
        Some(newline) => pos - newline,
        None => pos + 1,
    };
    format!("{message}: line {line} column {column} (char {pos})")
}

/// Python's `UnicodeDecodeError` text for a body that is not UTF-8.
fn utf8_error(body: &[u8], err: &std::str::Utf8Error) -> String {
    let start = err.valid_up_to();
    let first = body[start];
    let (length, reason) = match err.error_len() {
        Some(1) if !(0xC2..=0xF4).contains(&first) => (1, "invalid start byte"),
        Some(length) => (length, "invalid continuation byte"),
        None => (body.len() - start, "unexpected end of data"),
    };
    // (`unexpected end of data` cannot happen through DRF's stream reader; kept for
    // completeness of Python's decoder messages.)
    if length == 1 {
        format!("'utf-8' codec can't decode byte 0x{first:02x} in position {start}: {reason}")
    } else {
        let end = start + length - 1;
        format!("'utf-8' codec can't decode bytes in position {start}-{end}: {reason}")
    }
}

enum ScanError {
    /// A `JSONDecodeError` with a position.
    At(&'static str, usize),
    /// A plain `ValueError` (DRF's `parse_constant` refusing `NaN` and the infinities).
    Bare(String),
}

/// `StopIteration(idx)` in CPython's scanner becomes `Expecting value` at `idx`.
fn expecting_value(pos: usize) -> ScanError {
    ScanError::At("Expecting value", pos)
}

struct Scanner<'a> {
    s: &'a [char],
}

/// How deep arrays and objects may nest before the scanner reports Python's
/// `RecursionError` (CPython's default recursion limit).
const MAX_DEPTH: usize = 1000;

/// An array or object the scanner is inside of.
#[derive(Clone, Copy)]
enum Container {
    Array,
    Object,
}

impl Container {
    fn closer(self) -> char {
        match self {
            Container::Array => ']',
            Container::Object => '}',
        }
    }

    /// The word in Python's `RecursionError` message.
    fn python_name(self) -> &'static str {
        match self {
            Container::Array => "array",
            Container::Object => "object",
        }
    }
}

type Scan = Result<usize, ScanError>;

impl Scanner<'_> {
    fn at(&self, idx: usize) -> Option<char> {
        self.s.get(idx).copied()
    }

    fn skip_whitespace(&self, mut idx: usize) -> usize {
        while matches!(self.at(idx), Some(' ' | '\t' | '\n' | '\r')) {
            idx += 1;
        }
        idx
    }

    /// `json.loads`: a BOM, one value, whitespace, then nothing (`Extra data`).
    fn document(&self) -> Result<(), ScanError> {
        if self.at(0) == Some('\u{feff}') {
            return Err(ScanError::At(
                "Unexpected UTF-8 BOM (decode using utf-8-sig)",
                0,
            ));
        }
        let end = self.value(self.skip_whitespace(0))?;
        let end = self.skip_whitespace(end);
        if end != self.s.len() {
            return Err(ScanError::At("Extra data", end));
        }
        Ok(())
    }

    fn literal(&self, idx: usize, word: &str) -> bool {
        word.chars()
            .enumerate()
            .all(|(offset, c)| self.at(idx + offset) == Some(c))
    }

    /// `scan_once`: returns the index after the value.
    ///
    /// CPython's scanner recurses into arrays and objects; this one keeps the open containers
    /// on a heap stack, so no nesting depth can overflow the thread's stack. Past
    /// [`MAX_DEPTH`] open containers it reports Python's `RecursionError`.
    fn value(&self, start: usize) -> Scan {
        let mut open: Vec<Container> = Vec::new();
        let mut idx = start;
        loop {
            // A value starts at `idx`.
            let mut end = match self.at(idx) {
                Some(c @ ('[' | '{')) => {
                    let container = if c == '[' {
                        Container::Array
                    } else {
                        Container::Object
                    };
                    if open.len() >= MAX_DEPTH {
                        return Err(ScanError::Bare(format!(
                            "maximum recursion depth exceeded while decoding a JSON {} from a \
                             unicode string",
                            container.python_name()
                        )));
                    }
                    let inside = self.skip_whitespace(idx + 1);
                    if self.at(inside) == Some(container.closer()) {
                        inside + 1
                    } else {
                        open.push(container);
                        idx = match container {
                            Container::Array => inside,
                            Container::Object => self.member_value(inside)?,
                        };
                        continue;
                    }
                }
                _ => self.scalar(idx)?,
            };
            // The value ended at `end`: close the containers it completes, then find where
            // the next value starts.
            loop {
                let Some(&container) = open.last() else {
                    return Ok(end);
                };
                end = self.skip_whitespace(end);
                match self.at(end) {
                    Some(c) if c == container.closer() => {
                        open.pop();
                        end += 1;
                    }
                    Some(',') => {
                        let next = self.skip_whitespace(end + 1);
                        idx = match container {
                            Container::Array => next,
                            Container::Object => self.member_value(next)?,
                        };
                        break;
                    }
                    _ => return Err(ScanError::At("Expecting ',' delimiter", end)),
                }
            }
        }
    }

    /// A string, literal or number at `idx` (`scan_once` for anything but a container).
    fn scalar(&self, idx: usize) -> Scan {
        let Some(c) = self.at(idx) else {
            return Err(expecting_value(idx));
        };
        if c == '"' {
            return self.string(idx + 1);
        }
        for word in ["null", "true", "false"] {
            if self.literal(idx, word) {
                return Ok(idx + word.len());
            }
        }
        for word in ["NaN", "Infinity", "-Infinity"] {
            if self.literal(idx, word) {
                return Err(ScanError::Bare(format!(
                    "Out of range float values are not JSON compliant: '{word}'"
                )));
            }
        }
        self.number(idx)
    }

    /// An object member's `"name" :` at `idx`; returns where its value starts.
    fn member_value(&self, idx: usize) -> Scan {
        if self.at(idx) != Some('"') {
            return Err(ScanError::At(
                "Expecting property name enclosed in double quotes",
                idx,
            ));
        }
        let idx = self.skip_whitespace(self.string(idx + 1)?);
        if self.at(idx) != Some(':') {
            return Err(ScanError::At("Expecting ':' delimiter", idx));
        }
        Ok(self.skip_whitespace(idx + 1))
    }

    fn digits(&self, mut idx: usize) -> usize {
        while self.at(idx).is_some_and(|c| c.is_ascii_digit()) {
            idx += 1;
        }
        idx
    }

    /// `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`
    fn number(&self, start: usize) -> Scan {
        let mut idx = start;
        if self.at(idx) == Some('-') {
            idx += 1;
        }
        match self.at(idx) {
            Some('1'..='9') => idx = self.digits(idx + 1),
            Some('0') => idx += 1,
            _ => return Err(expecting_value(start)),
        }
        if self.at(idx) == Some('.') && self.at(idx + 1).is_some_and(|c| c.is_ascii_digit()) {
            idx = self.digits(idx + 2);
        }
        if matches!(self.at(idx), Some('e' | 'E')) {
            let mut exponent = idx + 1;
            if matches!(self.at(exponent), Some('-' | '+')) {
                exponent += 1;
            }
            let after = self.digits(exponent);
            if after > exponent {
                idx = after;
            }
        }
        Ok(idx)
    }

    /// `scanstring`: `end` is just after the opening quote.
    fn string(&self, end: usize) -> Scan {
        let begin = end - 1;
        let unterminated = ScanError::At("Unterminated string starting at", begin);
        let mut idx = end;
        loop {
            let Some(c) = self.at(idx) else {
                return Err(unterminated);
            };
            match c {
                '"' => return Ok(idx + 1),
                '\\' => {
                    let Some(escape) = self.at(idx + 1) else {
                        return Err(unterminated);
                    };
                    if escape == 'u' {
                        idx = self.unicode_escape(idx + 2)?;
                    } else if matches!(escape, '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') {
                        idx += 2;
                    } else {
                        return Err(ScanError::At("Invalid \\escape", idx));
                    }
                }
                c if (c as u32) <= 0x1f => {
                    return Err(ScanError::At("Invalid control character at", idx));
                }
                _ => idx += 1,
            }
        }
    }

    /// Four hex digits at `next` (just after `\u`); errors point at the `u`.
    fn unicode_escape(&self, next: usize) -> Scan {
        let invalid = ScanError::At("Invalid \\uXXXX escape", next - 1);
        let end = next + 4;
        if end >= self.s.len() {
            return Err(invalid);
        }
        let mut code = 0u32;
        for idx in next..end {
            let digit = self
                .at(idx)
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| ScanError::At("Invalid \\uXXXX escape", next - 1))?;
            code = code * 16 + digit;
        }
        // A high surrogate followed by `\uXXXX`: the second escape must be hex too.
        if (0xD800..=0xDBFF).contains(&code)
            && end + 6 < self.s.len()
            && self.at(end) == Some('\\')
            && self.at(end + 1) == Some('u')
        {
            let second = end + 2;
            if (second..second + 4).any(|idx| !self.at(idx).is_some_and(|c| c.is_ascii_hexdigit()))
            {
                return Err(ScanError::At("Invalid \\uXXXX escape", second - 1));
            }
            return Ok(second + 4);
        }
        Ok(end)
    }
}

#[cfg(test)]
mod tests {
    use super::error_message;

    /// Each case checked against CPython 3.12's `json.loads` (the DRF reference's Python).
    #[test]
    fn messages_match_cpython() {
        let cases: &[(&str, Option<&str>)] = &[
            ("  ", Some("Expecting value: line 1 column 3 (char 2)")),
            (
                "{",
                Some("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
            ),
            (
                r#"{"a":}"#,
                Some("Expecting value: line 1 column 6 (char 5)"),
            ),
            (
                r#"{"a":1,}"#,
                Some("Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"),
            ),
            ("[1,]", Some("Expecting value: line 1 column 4 (char 3)")),
            (
                r#"{"a":"\x"}"#,
                Some("Invalid \\escape: line 1 column 7 (char 6)"),
            ),
            (
                r#"{"a" 1}"#,
                Some("Expecting ':' delimiter: line 1 column 6 (char 5)"),
            ),
            (
                r#"{"a":1 "b":2}"#,
                Some("Expecting ',' delimiter: line 1 column 8 (char 7)"),
            ),
            (r#"{"a":1}x"#, Some("Extra data: line 1 column 8 (char 7)")),
            (
                "not json",
                Some("Expecting value: line 1 column 1 (char 0)"),
            ),
            (
                r#"{"a":"abc"#,
                Some("Unterminated string starting at: line 1 column 6 (char 5)"),
            ),
            (
                "{\"a\":\"a\u{1}\"}",
                Some("Invalid control character at: line 1 column 8 (char 7)"),
            ),
            (
                r#"{"a":NaN}"#,
                Some("Out of range float values are not JSON compliant: 'NaN'"),
            ),
            (
                "[-Infinity]",
                Some("Out of range float values are not JSON compliant: '-Infinity'"),
            ),
            (
                "\u{feff}{}",
                Some("Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"),
            ),
            (
                r#"{"a":tru}"#,
                Some("Expecting value: line 1 column 6 (char 5)"),
            ),
            (
                r#"{"a":"\u12"}"#,
                Some("Invalid \\uXXXX escape: line 1 column 8 (char 7)"),
            ),
            ("[", Some("Expecting value: line 1 column 2 (char 1)")),
            (
                r#"{"a":1"#,
                Some("Expecting ',' delimiter: line 1 column 7 (char 6)"),
            ),
            (
                r#"{"a":[1 2]}"#,
                Some("Expecting ',' delimiter: line 1 column 9 (char 8)"),
            ),
            (
                "{,}",
                Some("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
            ),
            (
                r#"{"a":-}"#,
                Some("Expecting value: line 1 column 6 (char 5)"),
            ),
            (
                r#"{"a":01}"#,
                Some("Expecting ',' delimiter: line 1 column 7 (char 6)"),
            ),
            (
                "\n{\n\"a\":}",
                Some("Expecting value: line 3 column 5 (char 7)"),
            ),
            (
                "{\"é\":x}",
                Some("Expecting value: line 1 column 6 (char 5)"),
            ),
            (
                r#"{"a":1.}"#,
                Some("Expecting ',' delimiter: line 1 column 7 (char 6)"),
            ),
            (
                r#"{"a":.5}"#,
                Some("Expecting value: line 1 column 6 (char 5)"),
            ),
            (
                r#"{"a":1e}"#,
                Some("Expecting ',' delimiter: line 1 column 7 (char 6)"),
            ),
            (r#"{"a":"\ud800"}"#, None),
            (
                "[1,2",
                Some("Expecting ',' delimiter: line 1 column 5 (char 4)"),
            ),
            (
                r#"{"a":{"b":}}"#,
                Some("Expecting value: line 1 column 11 (char 10)"),
            ),
            (
                "\"x",
                Some("Unterminated string starting at: line 1 column 1 (char 0)"),
            ),
            (r#"{"a":1e5,"b":[true,false,null]}"#, None),
        ];
        for (body, expected) in cases {
            assert_eq!(
                error_message(body.as_bytes()).as_deref(),
                *expected,
                "body {body:?}"
            );
        }
    }

    /// Nesting never overflows the stack: past Python's recursion limit the message is its
    /// `RecursionError`'s; below it, Python's usual messages.
    #[test]
    fn any_nesting_depth_is_a_message() {
        let deep = "[".repeat(200_000);
        assert_eq!(
            error_message(deep.as_bytes()).as_deref(),
            Some(
                "maximum recursion depth exceeded while decoding a JSON array from a unicode string"
            )
        );
        let deep = "{\"a\":".repeat(200_000);
        assert_eq!(
            error_message(deep.as_bytes()).as_deref(),
            Some(
                "maximum recursion depth exceeded while decoding a JSON object from a unicode string"
            )
        );
        let shallow = "[".repeat(500);
        assert_eq!(
            error_message(shallow.as_bytes()).as_deref(),
            Some("Expecting value: line 1 column 501 (char 500)")
        );
        // Valid at depth 900 (serde_json refuses it at 128; Python accepts it).
        let valid = format!("{}{}", "[".repeat(900), "]".repeat(900));
        assert_eq!(error_message(valid.as_bytes()), None);
        let unclosed = format!("{{\"a\":[[{{}}, [1, 2]]{}", "]".repeat(3));
        assert_eq!(
            error_message(unclosed.as_bytes()).as_deref(),
            Some("Expecting ',' delimiter: line 1 column 20 (char 19)")
        );
    }

    #[test]
    fn invalid_utf8_is_pythons_decode_error() {
        assert_eq!(
            error_message(b"\xff{}").as_deref(),
            Some("'utf-8' codec can't decode byte 0xff in position 0: invalid start byte")
        );
        assert_eq!(
            error_message(b"{\"a\":\"\xe2\x28\xa1\"}").as_deref(),
            Some("'utf-8' codec can't decode byte 0xe2 in position 6: invalid continuation byte")
        );
        // A cut-off last character is dropped by DRF's stream reader.
        assert_eq!(
            error_message(b"\"\xe2\x82").as_deref(),
            Some("Unterminated string starting at: line 1 column 1 (char 0)")
        );
    }
}
