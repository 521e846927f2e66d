//! Lone UTF-16 surrogate escapes in a JSON body (`"\ud800"`).
//!
//! Python's `json` decodes them into the string, and DRF's `CharField`
//! (`ProhibitSurrogateCharactersValidator`) then answers a per-field error
//! `Surrogate characters are not allowed: U+D800.`. A Rust `String` cannot hold a lone
//! surrogate, so serde_json refuses the whole body. When it does, the body is read again with
//! each lone surrogate escape replaced by a marker: a Unicode noncharacter followed by the
//! code point's four upper-case hex digits. The marker is chosen so that it occurs in the
//! decoded data nowhere else, and the request records it (a task-local set up per request by
//! [`scope`]); char fields then report the surrogate ([`first_code_point`]). A body without a
//! lone surrogate is never rewritten, and a marker character in a request that recorded none
//! is an ordinary character.

use serde_json::Value;
use std::cell::Cell;

/// The candidate markers: the noncharacters U+FDD0..U+FDEF, never assigned by Unicode.
const CANDIDATES: std::ops::RangeInclusive<char> = '\u{FDD0}'..='\u{FDEF}';

tokio::task_local! {
    /// The marker the current request's JSON body was read with, if it held lone surrogates.
    static RECORDED: Cell<Option<char>>;
}

/// Runs one request's handling with room to record its lone-surrogate marker.
pub async fn scope<F: std::future::Future>(future: F) -> F::Output {
    RECORDED.scope(Cell::new(None), future).await
}

/// The marker recorded by the current request, if any.
fn recorded() -> Option<char> {
    RECORDED.try_with(Cell::get).ok().flatten()
}

/// Reads a body that serde_json refused with `read`, with its lone surrogate escapes as
/// markers, and records the marker. `None` when the body has no lone surrogate escape, or no
/// request scope can record the marker; `read`'s error when the body is still refused.
pub(super) fn decode<E>(
    body: &[u8],
    read: impl Fn(&[u8]) -> Result<Value, E>,
) -> Option<Result<Value, E>> {
    // Outside a request scope, nothing could recognise the marker later.
    RECORDED.try_with(|_| ()).ok()?;
    // A marker the body does not spell: the body's strings then hold it only where it
    // replaced a surrogate.
    let spelled = spelled_candidates(body);
    let marker = CANDIDATES
        .clone()
        .enumerate()
        .find(|(index, _)| spelled & (1 << index) == 0)
        .map(|(_, marker)| marker)?;
    let (rewritten, _) = replace_lone_surrogates(body, marker)?;
    let value = match read(&rewritten) {
        Ok(value) => value,
        Err(err) => return Some(Err(err)),
    };
    RECORDED.with(|cell| cell.set(Some(marker)));
    Some(Ok(value))
}

/// The candidates the body spells, as a bit per candidate: as UTF-8 (`EF B7 90`..`EF B7 AF`)
/// or as a `\uFDxx` escape, in one pass over the body for each form.
fn spelled_candidates(body: &[u8]) -> u32 {
    let first = u32::from(*CANDIDATES.start());
    let mut spelled = 0u32;
    let mut mark = |code: u32| {
        if let Some(index) = code.checked_sub(first).filter(|index| *index < 32) {
            spelled |= 1 << index;
        }
    };
    for at in memchr::memmem::find_iter(body, b"\xEF\xB7") {
        if let Some(&last) = body.get(at + 2) {
            mark(0xFDC0 + u32::from(last & 0x3F));
        }
    }
    for at in memchr::memmem::find_iter(body, b"\\u") {
        if let Some(code) = escaped_code(body, at) {
            mark(code);
        }
    }
    spelled
}

/// The first lone surrogate in a char field's value read from this request's body, as DRF
/// reports it (`0xD800`).
pub fn first_code_point(text: &str) -> Option<u32> {
    let marker = recorded()?;
    let (_, after) = text.split_once(marker)?;
    u32::from_str_radix(after.get(..4)?, 16).ok()
}

/// The value's length in characters as Python counts it: a lone surrogate is one character.
pub fn char_count(text: &str) -> usize {
    let count = text.chars().count();
    match recorded() {
        Some(marker) => count - 4 * text.matches(marker).count(),
        None => count,
    }
}

/// The value with each lone surrogate as one stand-in character (the marker, a character of
/// U+00A1..U+FFFF as the surrogate is), for validators that look at characters as Python does.
pub fn one_char_each(text: &str) -> std::borrow::Cow<'_, str> {
    match recorded().filter(|marker| text.contains(*marker)) {
        Some(marker) => {
            let mut out = String::with_capacity(text.len());
            let mut rest = text;
            while let Some((before, after)) = rest.split_once(marker) {
                out.push_str(before);
                out.push(marker);
                rest = after.get(4..).unwrap_or("");
            }
            out.push_str(rest);
            std::borrow::Cow::Owned(out)
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// The body with each lone `\uXXXX` surrogate escape inside a string replaced by the marker
/// and the code point's upper-case hex digits, and how many were replaced; `None` when none was.
fn replace_lone_surrogates(body: &[u8], marker: char) -> Option<(Vec<u8>, usize)> {
    let mut out = Vec::with_capacity(body.len() + 16);
    let mut replaced = 0;
    let mut in_string = false;
    let mut idx = 0;
    while idx < body.len() {
        let byte = body[idx];
        if !in_string {
            in_string = byte == b'"';
            out.push(byte);
            idx += 1;
            continue;
        }
        match byte {
            b'"' => in_string = false,
            b'\\' => match escaped_code(body, idx) {
                Some(0xD800..=0xDBFF) if escaped_code(body, idx + 6).is_some_and(is_low) => {
                    // A valid pair: both escapes stay as they are.
                    out.extend_from_slice(&body[idx..idx + 12]);
                    idx += 12;
                    continue;
                }
                Some(code @ 0xD800..=0xDFFF) => {
                    out.extend_from_slice(format!("{marker}{code:04X}").as_bytes());
                    replaced += 1;
                    idx += 6;
                    continue;
                }
                _ => {
                    // Any other escape: copy the backslash and the escaped byte together.
                    out.extend_from_slice(&body[idx..(idx + 2).min(body.len())]);
                    idx += 2;
                    continue;
                }
            },
            _ => {}
        }
        out.push(byte);
        idx += 1;
    }
    (replaced > 0).then_some((out, replaced))
}

fn is_low(code: u32) -> bool {
    (0xDC00..=0xDFFF).contains(&code)
}

/// The code of a `\uXXXX` escape starting at `idx` (the backslash).
fn escaped_code(body: &[u8], idx: usize) -> Option<u32> {
    if body.get(idx..idx + 2)? != b"\\u" {
        return None;
    }
    let hex = std::str::from_utf8(body.get(idx + 2..idx + 6)?).ok()?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn in_scope<T>(f: impl FnOnce() -> T) -> T {
        RECORDED.sync_scope(Cell::new(None), f)
    }

    fn read(body: &[u8]) -> Option<Value> {
        decode(body, |b: &[u8]| serde_json::from_slice::<Value>(b)).and_then(Result::ok)
    }

    #[test]
    fn lone_surrogates_become_recorded_markers() {
        in_scope(|| {
            let value = read(br#"{"a": "x\ud800y", "\udfff": ["\\ud800", "\ud83d\ude00"]}"#)
                .expect("decoded");
            assert_eq!(
                value,
                json!({"a": "x\u{FDD0}D800y", "\u{FDD0}DFFF": ["\\ud800", "\u{1F600}"]})
            );
            assert_eq!(first_code_point("x\u{FDD0}D800y"), Some(0xD800));
            assert_eq!(char_count("x\u{FDD0}D800y"), 3);
            assert_eq!(
                one_char_each("x\u{FDD0}D800y\u{FDD0}DC00"),
                "x\u{FDD0}y\u{FDD0}"
            );
        });
    }

    #[test]
    fn a_marker_spelled_in_the_body_is_skipped() {
        in_scope(|| {
            let value = read(br#"{"a": "\ufdd0\ude00", "b": "\uFDD0"}"#).expect("decoded");
            assert_eq!(value, json!({"a": "\u{FDD0}\u{FDD1}DE00", "b": "\u{FDD0}"}));
            assert_eq!(first_code_point("\u{FDD0}"), None);
            assert_eq!(first_code_point("\u{FDD1}DE00"), Some(0xDE00));
        });
    }

    #[test]
    fn other_bodies_are_not_rewritten() {
        in_scope(|| {
            assert_eq!(read(br#"{"a": "\ud83d\ude00"}"#), None);
            assert_eq!(read(br#"{"a": "\ud800",}"#), None);
            assert_eq!(first_code_point("\u{FDD0}D800"), None);
        });
        // Outside a request nothing could recognise a marker.
        assert_eq!(read(br#"{"a": "\ud800"}"#), None);
    }
}
