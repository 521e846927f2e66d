//! `multipart/form-data` bodies as Django's `MultiPartParser` reads them.
//!
//! The body is in memory already, so this is a plain function over bytes rather than a
//! stream. It follows Django's rules, which are more forgiving than RFC 7578 and which a
//! DRF client may rely on:
//!
//! - the body is cut at every `--boundary` (anywhere, not only at a line start), dropping one
//!   `\n` and then one `\r` before it; every piece, the preamble and what follows the closing
//!   `--boundary--` included, is a part;
//! - a part's headers end at the first `\r\n\r\n` of its first 1,024 bytes; a part without
//!   that end is raw data and ignored, unless it is longer (then the whole body is refused:
//!   `Request max total header size exceeded.`);
//! - a header line that is not UTF-8, has no `:` or has parameters Python's `email` package
//!   cannot read is skipped; a part without `Content-Disposition` or without a `name` is
//!   ignored;
//! - a value that is not UTF-8 is decoded with U+FFFD replacement characters, and a
//!   `Content-Transfer-Encoding: base64` value is decoded when it is valid base64;
//! - parts with a `filename` are uploaded files, which no field reads yet: they are counted
//!   (`DATA_UPLOAD_MAX_NUMBER_FILES`) and skipped.

use super::ParserLimits;
use crate::exceptions::{ApiError, ApiResult};
use std::borrow::Cow;

/// Django's `MAX_TOTAL_HEADER_SIZE`: how far into a part its headers must end.
const MAX_TOTAL_HEADER_SIZE: usize = 1024;

/// Django's `MAX_HEADER_LENGTH` for one header value with parameters.
const MAX_HEADER_LENGTH: usize = 10_000;

/// Django's `RequestDataTooBig` text.
pub const DATA_TOO_BIG: &str = "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.";
/// Django's `TooManyFieldsSent` text.
pub const TOO_MANY_FIELDS: &str =
    "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.";
/// Django's `TooManyFilesSent` text.
pub const TOO_MANY_FILES: &str =
    "The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES.";

fn parse_error(message: &str) -> ApiError {
    ApiError::ParseError(format!("Multipart form parse error - {message}"))
}

/// The text fields of a multipart body, in order (a repeated name once per part).
pub fn parse(
    content_type: &str,
    body: &[u8],
    limits: &ParserLimits,
) -> ApiResult<Vec<(String, String)>> {
    let separator = [b"--", boundary(content_type)?.as_bytes()].concat();
    let mut fields = Vec::new();
    let mut items = 0usize;
    let mut files = 0usize;
    let mut field_bytes = 0usize;
    for part in parts(body, &separator) {
        let Some((headers, data)) = split_headers(part)? else {
            // Raw data: counted as a field, as Django counts it, and ignored.
            items += 1;
            check_field_count(items, limits)?;
            continue;
        };
        let headers = PartHeaders::read(headers);
        if headers.is_file {
            files += 1;
            if limits.max_number_files.is_some_and(|max| files > max) {
                return Err(ApiError::ParseError(TOO_MANY_FILES.into()));
            }
            continue;
        }
        items += 1;
        check_field_count(items, limits)?;
        let Some(name) = headers.name else {
            continue;
        };
        let value: Cow<'_, [u8]> = if headers.base64 {
            decode_base64(data).map_or(Cow::Borrowed(data), Cow::Owned)
        } else {
            Cow::Borrowed(data)
        };
        // Django counts the raw data, and the name with `&=` as a urlencoded body would.
        field_bytes += data.len() + name.chars().count() + 2;
        if limits.max_memory_size.is_some_and(|max| field_bytes > max) {
            return Err(ApiError::ParseError(DATA_TOO_BIG.into()));
        }
        fields.push((name, String::from_utf8_lossy(&value).into_owned()));
    }
    Ok(fields)
}

/// Django's check of a part's count: the two raw pieces around the parts do not count.
fn check_field_count(items: usize, limits: &ParserLimits) -> ApiResult<()> {
    match limits.max_number_fields {
        Some(max) if items > max.saturating_add(2) => {
            Err(ApiError::ParseError(TOO_MANY_FIELDS.into()))
        }
        _ => Ok(()),
    }
}

/// The `boundary` parameter of the `Content-Type`, checked as Django checks it: ASCII, up to
/// 201 printable characters, the last not a space.
fn boundary(content_type: &str) -> ApiResult<String> {
    if !content_type.is_ascii() {
        return Err(parse_error(&format!(
            "Invalid non-ASCII Content-Type in multipart: {content_type}"
        )));
    }
    let boundary = header_parameters(content_type)
        .ok()
        .and_then(|(_, params)| {
            params
                .into_iter()
                .rev()
                .find(|(name, _)| name == "boundary")
                .map(|(_, value)| value)
        });
    match boundary {
        Some(boundary) if valid_boundary(&boundary) => Ok(boundary),
        // Python prints a missing one as `None`.
        other => Err(parse_error(&format!(
            "Invalid boundary in multipart: {}",
            other.as_deref().unwrap_or("None")
        ))),
    }
}

/// Django's `^[ -~]{0,200}[!-~]$`.
fn valid_boundary(boundary: &str) -> bool {
    let bytes = boundary.as_bytes();
    match bytes.split_last() {
        Some((last, rest)) => {
            rest.len() <= 200
                && (b'!'..=b'~').contains(last)
                && rest.iter().all(|b| (b' '..=b'~').contains(b))
        }
        None => false,
    }
}

/// The pieces of `body` between occurrences of `separator` (Django's `BoundaryIter`): each
/// without the `\r\n` (or `\n`, or `\r`) before the next separator; no piece after a
/// separator that ends the body.
fn parts<'a>(body: &'a [u8], separator: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let finder = memchr::memmem::Finder::new(separator);
    let mut rest = Some(body);
    std::iter::from_fn(move || {
        let current = rest?;
        match finder.find(current) {
            Some(at) => {
                rest = Some(&current[at + separator.len()..]).filter(|after| !after.is_empty());
                let mut piece = &current[..at];
                piece = piece.strip_suffix(b"\n").unwrap_or(piece);
                piece = piece.strip_suffix(b"\r").unwrap_or(piece);
                Some(piece)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// A part's header block and data, `None` for raw data (no header end in a short part).
fn split_headers(part: &[u8]) -> ApiResult<Option<(&[u8], &[u8])>> {
    let window = &part[..part.len().min(MAX_TOTAL_HEADER_SIZE)];
    match memchr::memmem::find(window, b"\r\n\r\n") {
        Some(end) => Ok(Some((&part[..end], &part[end + 4..]))),
        None if part.len() < MAX_TOTAL_HEADER_SIZE => Ok(None),
        None => Err(parse_error("Request max total header size exceeded.")),
    }
}

/// What a part's headers say.
#[derive(Debug, Default)]
struct PartHeaders {
    /// The `name` of its last `Content-Disposition`.
    name: Option<String>,
    /// That `Content-Disposition` has a non-empty `filename`.
    is_file: bool,
    /// `Content-Transfer-Encoding: base64`.
    base64: bool,
}

impl PartHeaders {
    fn read(block: &[u8]) -> PartHeaders {
        let mut headers = PartHeaders::default();
        for line in split_crlf(block) {
            let Some((name, value, params)) = header_line(line) else {
                continue;
            };
            match name.as_str() {
                "content-disposition" => {
                    let param = |wanted: &str| {
                        params
                            .iter()
                            .rev()
                            .find(|(name, _)| name == wanted)
                            .map(|(_, value)| value.as_str())
                    };
                    headers.is_file = param("filename").is_some_and(|f| !f.is_empty());
                    headers.name = param("name")
                        .map(|name| name.trim_matches(is_python_bytes_space).to_owned());
                }
                "content-transfer-encoding" => headers.base64 = value.trim() == "base64",
                _ => {}
            }
        }
        headers
    }
}

/// `block.split(b"\r\n")`: a lone `\n` or `\r` stays inside its line.
fn split_crlf(block: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(block);
    std::iter::from_fn(move || {
        let current = rest?;
        match memchr::memmem::find(current, b"\r\n") {
            Some(at) => {
                rest = Some(&current[at + 2..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// `bytes.strip()`'s whitespace.
fn is_python_bytes_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

type Params = Vec<(String, String)>;

/// One piece of an RFC 2231 parameter: its continuation number, text, and whether it is
/// percent-encoded (`name*0*=`).
type Continuation = (Option<u32>, String, bool);

/// One header line: its lower-case name, value and parameters; `None` when Django skips it.
fn header_line(line: &[u8]) -> Option<(String, String, Params)> {
    let line = std::str::from_utf8(line).ok()?;
    let (name, rest) = line.split_once(':')?;
    let name = name.to_lowercase().trim_end_matches(' ').to_owned();
    let (value, params) = header_parameters(rest.trim_start_matches(' ')).ok()?;
    Some((name, value, params))
}

/// Django's `parse_header_parameters` (Python's `email` parameter rules): the lower-cased
/// main value and the parameters in Python's order (plain ones, then RFC 2231 ones), values
/// unquoted and RFC 2231 values decoded. An error where Python raises `ValueError`.
fn header_parameters(line: &str) -> Result<(String, Params), ()> {
    if line.is_empty() {
        return Ok((String::new(), Vec::new()));
    }
    if line.len() > MAX_HEADER_LENGTH {
        return Err(());
    }
    if !line.contains(';') {
        return Ok((line.trim().to_lowercase(), Vec::new()));
    }
    let mut pieces = split_parameters(line).into_iter().map(|piece| {
        // `email.message._parseparam` and `_get_params_preserve`: a bare attribute is a
        // name with an empty value.
        match piece.split_once('=') {
            Some((name, value)) => (name.trim().to_lowercase(), value.trim()),
            None => (piece.trim().to_owned(), ""),
        }
    });
    let main = pieces.next().map(|(name, _)| name).unwrap_or_default();
    let mut params = Vec::new();
    // `email.utils.decode_params`: `name*`, `name*0`, `name*0*`... are joined and decoded
    // after the plain parameters.
    let mut extended: Vec<(String, Vec<Continuation>)> = Vec::new();
    for (name, value) in pieces {
        if name.is_empty() {
            continue;
        }
        let value = unquote(value);
        match rfc2231_name(&name) {
            Some((base, number)) => {
                let encoded = name.ends_with('*');
                let entry = match extended.iter().position(|(known, _)| known == base) {
                    Some(index) => &mut extended[index].1,
                    None => {
                        extended.push((base.to_owned(), Vec::new()));
                        &mut extended.last_mut().ok_or(())?.1
                    }
                };
                entry.push((number, value, encoded));
            }
            None => params.push((name, value)),
        }
    }
    for (name, mut continuations) in extended {
        continuations.sort_by_key(|(number, _, _)| *number);
        let is_extended = continuations.iter().any(|(_, _, encoded)| *encoded);
        let mut joined = String::new();
        for (_, text, encoded) in continuations {
            if encoded {
                // `urllib.parse.unquote(s, encoding="latin-1")`: a character per byte.
                joined.extend(percent_encoding::percent_decode_str(&text).map(char::from));
            } else {
                joined.push_str(&text);
            }
        }
        let value = if is_extended {
            rfc2231_value(&joined)?
        } else {
            joined
        };
        params.push((name, value));
    }
    Ok((main, params))
}

/// `^(?P<name>\w+)\*((?P<num>[0-9]+)\*?)?$`: the base name and continuation number of an
/// RFC 2231 parameter name.
fn rfc2231_name(name: &str) -> Option<(&str, Option<u32>)> {
    let (base, rest) = name.split_once('*')?;
    if base.is_empty() || !base.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    if rest.is_empty() {
        return Some((base, None));
    }
    let digits = rest.strip_suffix('*').unwrap_or(rest);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((base, Some(digits.parse().ok()?)))
}

/// `email.utils.decode_rfc2231` then `collapse_rfc2231_value` on a latin-1 string: a
/// `charset'language'text` value decoded by its charset (US-ASCII without one); an error for
/// a charset this parser does not know (Python knows more; browsers send UTF-8).
fn rfc2231_value(value: &str) -> Result<String, ()> {
    let mut parts = value.splitn(3, '\'');
    let (charset, text) = match (parts.next(), parts.next(), parts.next()) {
        (Some(charset), Some(_language), Some(text)) => (charset, text),
        _ => ("", value),
    };
    // `bytes(text, 'raw-unicode-escape')`: the latin-1 characters back to their bytes.
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    match charset.to_ascii_lowercase().replace('_', "-").as_str() {
        "utf-8" | "utf8" => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        "" | "us-ascii" | "ascii" => Ok(bytes
            .iter()
            .map(|&b| {
                if b.is_ascii() {
                    char::from(b)
                } else {
                    '\u{fffd}'
                }
            })
            .collect()),
        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" => {
            Ok(bytes.iter().map(|&b| char::from(b)).collect())
        }
        _ => Err(()),
    }
}

/// Python's `email.message._parseparam`: `;`-separated pieces, a `;` inside double quotes
/// (not counting escaped ones) kept, each piece stripped.
fn split_parameters(line: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut quotes = 0usize;
    let bytes = line.as_bytes();
    let mut idx = 0;
    while idx < bytes.len() {
        match bytes[idx] {
            b'\\' if bytes.get(idx + 1) == Some(&b'"') => idx += 1,
            b'"' => quotes += 1,
            b';' if quotes.is_multiple_of(2) => {
                pieces.push(line[start..idx].trim());
                start = idx + 1;
            }
            _ => {}
        }
        idx += 1;
    }
    pieces.push(line[start..].trim());
    pieces
}

/// Python's `email.utils.unquote`: one pair of surrounding double quotes (or angle brackets)
/// removed, with `\\` and `\"` unescaped inside quotes.
fn unquote(value: &str) -> String {
    if value.len() > 1 {
        if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            return inner.replace("\\\\", "\\").replace("\\\"", "\"");
        }
        if let Some(inner) = value.strip_prefix('<').and_then(|v| v.strip_suffix('>')) {
            return inner.to_owned();
        }
    }
    value.to_owned()
}

/// Python's `base64.b64decode(data, validate=True)`: the standard alphabet with padding,
/// nothing else; `None` when that fails.
fn decode_base64(data: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::engine::{GeneralPurpose, GeneralPurposeConfig};
    const LENIENT_BITS: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    LENIENT_BITS.decode(data).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(content_type: &str, body: &[u8]) -> Result<Vec<(String, String)>, String> {
        parse(content_type, body, &ParserLimits::default()).map_err(|err| err.detail())
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Django 6.1's `MultiPartParser` on each body (`boundary=XyZ`), run in the DRF
    /// reference's venv: the fields it read, or its error.
    #[test]
    fn bodies_read_as_django_reads_them() {
        let cd = "Content-Disposition: form-data";
        // (what, body, the fields Django reads)
        type Case = (&'static str, String, Vec<(&'static str, &'static str)>);
        let cases: Vec<Case> = vec![
            (
                "basic",
                format!("--XyZ\r\n{cd}; name=\"title\"\r\n\r\nHello\r\n--XyZ--\r\n"),
                vec![("title", "Hello")],
            ),
            (
                "control byte in a name",
                format!(
                    "--XyZ\r\n{cd}; name=\"ti\x01tle\"\r\n\r\nHello\r\n--XyZ\r\n{cd}; name=\"b\"\r\n\r\nok\r\n--XyZ--\r\n"
                ),
                vec![("ti\x01tle", "Hello"), ("b", "ok")],
            ),
            (
                "no closing boundary",
                format!("--XyZ\r\n{cd}; name=\"t\"\r\n\r\nHi"),
                vec![("t", "Hi")],
            ),
            (
                "no closing boundary, a newline",
                format!("--XyZ\r\n{cd}; name=\"t\"\r\n\r\nHi\r\n"),
                vec![("t", "Hi\r\n")],
            ),
            (
                "headers never end",
                format!("--XyZ\r\n{cd}; name=\"t\"\r\n"),
                vec![],
            ),
            (
                "preamble and epilogue",
                format!("junk\r\n--XyZ\r\n{cd}; name=\"t\"\r\n\r\nHi\r\n--XyZ--\r\nepilogue"),
                vec![("t", "Hi")],
            ),
            (
                "no Content-Disposition",
                format!(
                    "--XyZ\r\nContent-Type: text/plain\r\n\r\nHi\r\n--XyZ\r\n{cd}; name=\"b\"\r\n\r\nok\r\n--XyZ--\r\n"
                ),
                vec![("b", "ok")],
            ),
            (
                "no name",
                format!("--XyZ\r\n{cd}\r\n\r\nHi\r\n--XyZ--\r\n"),
                vec![],
            ),
            (
                "a file",
                format!(
                    "--XyZ\r\n{cd}; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nabc\r\n--XyZ--\r\n"
                ),
                vec![],
            ),
            (
                "an empty filename is a field",
                format!("--XyZ\r\n{cd}; name=\"f\"; filename=\"\"\r\n\r\nabc\r\n--XyZ--\r\n"),
                vec![("f", "abc")],
            ),
            (
                "LF line ends",
                format!("--XyZ\n{cd}; name=\"t\"\n\nHi\n--XyZ--\n"),
                vec![],
            ),
            (
                "base64",
                format!(
                    "--XyZ\r\n{cd}; name=\"t\"\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8=\r\n--XyZ--\r\n"
                ),
                vec![("t", "Hello")],
            ),
            (
                "invalid base64 stays as it is",
                format!(
                    "--XyZ\r\n{cd}; name=\"t\"\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8\r\n--XyZ--\r\n"
                ),
                vec![("t", "SGVsbG8")],
            ),
            (
                "spaces around a name",
                format!("--XyZ\r\n{cd}; name=\" t \"\r\n\r\nHi\r\n--XyZ--\r\n"),
                vec![("t", "Hi")],
            ),
            (
                "unquoted name",
                format!("--XyZ\r\n{cd}; name=t\r\n\r\nHi\r\n--XyZ--\r\n"),
                vec![("t", "Hi")],
            ),
            (
                "upper-case header",
                "--XyZ\r\nCONTENT-DISPOSITION: form-data; name=\"t\"\r\n\r\nHi\r\n--XyZ--\r\n"
                    .into(),
                vec![("t", "Hi")],
            ),
            (
                "RFC 2231 name",
                format!("--XyZ\r\n{cd}; name*=UTF-8''%C3%A9\r\n\r\nHi\r\n--XyZ--\r\n"),
                vec![("é", "Hi")],
            ),
            (
                "control byte in another header",
                format!("--XyZ\r\n{cd}; name=\"t\"\r\nX-A: \x01\r\n\r\nHi\r\n--XyZ--\r\n"),
                vec![("t", "Hi")],
            ),
            (
                "CRLF inside a value",
                format!("--XyZ\r\n{cd}; name=\"t\"\r\n\r\nline1\r\nline2\r\n--XyZ--\r\n"),
                vec![("t", "line1\r\nline2")],
            ),
            (
                "repeated name",
                format!(
                    "--XyZ\r\n{cd}; name=\"t\"\r\n\r\n1\r\n--XyZ\r\n{cd}; name=\"t\"\r\n\r\n2\r\n--XyZ--\r\n"
                ),
                vec![("t", "1"), ("t", "2")],
            ),
            (
                "empty value",
                format!("--XyZ\r\n{cd}; name=\"t\"\r\n\r\n\r\n--XyZ--\r\n"),
                vec![("t", "")],
            ),
            (
                "boundary inside a value",
                format!("--XyZ\r\n{cd}; name=\"t\"\r\n\r\na--XyZb\r\n--XyZ--\r\n"),
                vec![("t", "a")],
            ),
            (
                "space before the colon",
                "--XyZ\r\nContent-Disposition : form-data; name=\"t\"\r\n\r\nHi\r\n--XyZ--\r\n"
                    .into(),
                vec![("t", "Hi")],
            ),
            (
                "semicolon in a quoted name",
                format!("--XyZ\r\n{cd}; name=\"a;b\"\r\n\r\nHi\r\n--XyZ--\r\n"),
                vec![("a;b", "Hi")],
            ),
            (
                "escaped quote in a name",
                format!("--XyZ\r\n{cd}; name=\"a\\\"b\"\r\n\r\nHi\r\n--XyZ--\r\n"),
                vec![("a\"b", "Hi")],
            ),
            ("only the closing boundary", "--XyZ--\r\n".into(), vec![]),
            ("garbage", "x".into(), vec![]),
            (
                "tab in a name",
                format!("--XyZ\r\n{cd}; name=\"a\tb\"\r\n\r\nHi\r\n--XyZ--\r\n"),
                vec![("a\tb", "Hi")],
            ),
        ];
        for (what, body, expected) in cases {
            assert_eq!(
                fields("multipart/form-data; boundary=XyZ", body.as_bytes()),
                Ok(pairs(&expected)),
                "{what}"
            );
        }
    }

    #[test]
    fn bytes_that_are_not_utf8() {
        let ct = "multipart/form-data; boundary=XyZ";
        // A value: replacement characters.
        let body =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nH\xffi\r\n--XyZ--\r\n";
        assert_eq!(fields(ct, body), Ok(pairs(&[("t", "H\u{fffd}i")])));
        // A name: the header line is skipped, so the part is ignored.
        let body =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"t\xff\"\r\n\r\nHi\r\n--XyZ--\r\n";
        assert_eq!(fields(ct, body), Ok(vec![]));
    }

    #[test]
    fn content_types_as_django_checks_them() {
        let body =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHello\r\n--XyZ--\r\n";
        let error = |ct: &str| fields(ct, body).unwrap_err();
        assert_eq!(
            error("multipart/form-data"),
            "Multipart form parse error - Invalid boundary in multipart: None"
        );
        assert_eq!(
            error("multipart/form-data; boundary="),
            "Multipart form parse error - Invalid boundary in multipart: "
        );
        assert_eq!(
            error("multipart/form-data; boundary=é"),
            "Multipart form parse error - Invalid non-ASCII Content-Type in multipart: multipart/form-data; boundary=é"
        );
        assert_eq!(
            fields("multipart/form-data; boundary=\"XyZ\"", body),
            Ok(pairs(&[("title", "Hello")]))
        );
        // A boundary the body does not use: the whole body is one part, its first line a
        // header line without a colon.
        let long = format!("multipart/form-data; boundary={}", "x".repeat(80));
        assert_eq!(
            fields(&long, body),
            Ok(pairs(&[("title", "Hello\r\n--XyZ--\r\n")]))
        );
    }

    #[test]
    fn limits_are_djangos() {
        let ct = "multipart/form-data; boundary=XyZ";
        let part = |name: &str, value: &str| {
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
        };
        let body: String = (0..3)
            .map(|i| part(&format!("f{i}"), "v"))
            .collect::<String>()
            + "--XyZ--\r\n";
        let limits = |fields: usize| ParserLimits {
            max_number_fields: Some(fields),
            ..ParserLimits::default()
        };
        assert!(parse(ct, body.as_bytes(), &limits(3)).is_ok());
        let err = parse(ct, body.as_bytes(), &limits(2)).unwrap_err();
        assert_eq!(err.detail(), TOO_MANY_FIELDS);
        // Names count with `&=`: f0 + v + 2 = 5 bytes a field.
        let memory = |max: usize| ParserLimits {
            max_memory_size: Some(max),
            ..ParserLimits::default()
        };
        assert!(parse(ct, body.as_bytes(), &memory(15)).is_ok());
        assert_eq!(
            parse(ct, body.as_bytes(), &memory(14))
                .unwrap_err()
                .detail(),
            DATA_TOO_BIG
        );
        let file =
            "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\nx\r\n";
        let files = file.repeat(3) + "--XyZ--\r\n";
        let max_files = ParserLimits {
            max_number_files: Some(2),
            ..ParserLimits::default()
        };
        assert_eq!(
            parse(ct, files.as_bytes(), &max_files)
                .unwrap_err()
                .detail(),
            TOO_MANY_FILES
        );
        // Headers must end within 1,024 bytes.
        let long_header = format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"t\"\r\nX-Pad: {}\r\n\r\nv\r\n--XyZ--\r\n",
            "p".repeat(1100)
        );
        assert_eq!(
            fields(ct, long_header.as_bytes()).unwrap_err(),
            "Multipart form parse error - Request max total header size exceeded."
        );
    }
}
