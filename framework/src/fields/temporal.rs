//! DRF's `DateField`, `TimeField` and a naive `DateTimeField` for chrono's `NaiveDate`,
//! `NaiveTime` and `NaiveDateTime`, with the default ISO 8601 input and output formats.
//!
//! Inputs are read as Django's `parse_date` / `parse_time` read them on Python 3.11+: first
//! Python's `fromisoformat` (which takes ISO 8601's basic forms too, `20010101`, `130000`),
//! then Django's lenient pattern (one-digit months, days, hours and minutes). Outputs are
//! Python's `isoformat()`: `2001-01-01`, `13:00:00`, with `.uuuuuu` only when there are
//! microseconds.

use super::{FieldOptions, FieldType, Representation, messages};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use serde::ser::Serializer;
use serde_json::Value;

/// `n` ASCII digits at the start of `text`, as a number.
fn digits(text: &str, n: usize) -> Option<u32> {
    let head = text.get(..n)?;
    head.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| head.parse().ok())?
}

/// Django's `parse_date`: `datetime.date.fromisoformat`, else `\d{4}-\d{1,2}-\d{1,2}`.
fn parse_date(text: &str) -> Option<NaiveDate> {
    // fromisoformat: YYYY-MM-DD, YYYYMMDD, and the week dates YYYY-Www[-D], YYYYWww[D].
    let bytes = text.as_bytes();
    let year = digits(text, 4)? as i32;
    let rest = &text[4..];
    if let Some(week) = rest.strip_prefix("-W").or_else(|| rest.strip_prefix('W')) {
        let dashed = rest.starts_with('-');
        let number = digits(week, 2)?;
        let day = match &week[2..] {
            "" => 1,
            tail => {
                let tail = if dashed {
                    tail.strip_prefix('-')?
                } else {
                    tail
                };
                if tail.len() != 1 {
                    return None;
                }
                digits(tail, 1)?
            }
        };
        let weekday = chrono::Weekday::try_from(u8::try_from(day.checked_sub(1)?).ok()?).ok()?;
        return NaiveDate::from_isoywd_opt(year, number, weekday);
    }
    if bytes.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::from_ymd_opt(year, digits(&text[4..], 2)?, digits(&text[6..], 2)?);
    }
    // Django's date_re (which the strict YYYY-MM-DD form is a case of).
    let rest = rest.strip_prefix('-')?;
    let (month, day) = rest.split_once('-')?;
    let short =
        |part: &str| (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    if !short(month) || !short(day) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month.parse().ok()?, day.parse().ok()?)
}

/// Removes a trailing UTC offset (`Z`, `+HH`, `+HH:MM`, `+HHMM`, ...), which
/// `time.fromisoformat` accepts and Django then drops.
fn without_offset(text: &str) -> &str {
    if let Some(rest) = text.strip_suffix('Z') {
        return rest;
    }
    match text.rfind(['+', '-']) {
        Some(at) if at > 0 => {
            let offset = &text[at + 1..];
            let plain: String = offset.chars().filter(|c| *c != ':').collect();
            if (plain.len() == 2 || plain.len() == 4 || plain.len() == 6)
                && plain.bytes().all(|b| b.is_ascii_digit())
            {
                &text[..at]
            } else {
                text
            }
        }
        _ => text,
    }
}

/// A fraction of 1 to 6 digits (more are cut, as Django's pattern reads at most 12) as
/// nanoseconds.
fn fraction(text: &str, max_digits: usize) -> Option<u32> {
    if text.is_empty() || text.len() > max_digits || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let micros: String = text.chars().take(6).collect();
    let padded = format!("{micros:0<6}");
    Some(padded.parse::<u32>().ok()? * 1_000)
}

/// `time.fromisoformat`: `HH[:MM[:SS[.f+]]]` or `HH[MM[SS[.f+]]]`, with an optional offset.
fn parse_iso_time(text: &str) -> Option<NaiveTime> {
    let text = without_offset(text);
    let (clock, nanos) = match text.split_once(['.', ',']) {
        Some((clock, frac)) => (clock, fraction(frac, 9)?),
        None => (text, 0),
    };
    let parts: Vec<&str> = if clock.contains(':') {
        clock.split(':').collect()
    } else {
        if clock.len() % 2 != 0 {
            return None;
        }
        (0..clock.len())
            .step_by(2)
            .map(|i| &clock[i..i + 2])
            .collect()
    };
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    if nanos != 0 && parts.len() != 3 {
        return None;
    }
    let number = |i: usize| parts.get(i).map_or(Some(0), |p| digits(p, 2));
    NaiveTime::from_hms_nano_opt(number(0)?, number(1)?, number(2)?, nanos)
}

/// Django's time_re: `\d{1,2}:\d{1,2}(?::\d{1,2}(?:[.,]\d{1,6}\d{0,6})?)?`.
fn parse_django_time(text: &str) -> Option<NaiveTime> {
    let short =
        |part: &str| (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    let mut pieces = text.splitn(3, ':');
    let hour = pieces.next().filter(|p| short(p))?;
    let minute = pieces.next().filter(|p| short(p))?;
    let (second, nanos) = match pieces.next() {
        None => ("0", 0),
        Some(rest) => match rest.split_once(['.', ',']) {
            Some((second, frac)) => (second, fraction(frac, 12)?),
            None => (rest, 0),
        },
    };
    if !short(second) {
        return None;
    }
    NaiveTime::from_hms_nano_opt(
        hour.parse().ok()?,
        minute.parse().ok()?,
        second.parse().ok()?,
        nanos,
    )
}

/// Python's `isoformat()` of a time: microseconds only when there are some.
fn write_time(time: &NaiveTime, out: &mut String) {
    use std::fmt::Write;
    let micros = time.nanosecond() % 1_000_000_000 / 1_000;
    let _ = write!(out, "{}", time.format("%H:%M:%S"));
    if micros != 0 {
        let _ = write!(out, ".{micros:06}");
    }
}

impl FieldType for NaiveDate {
    fn to_internal(value: &Value, _options: &FieldOptions) -> Result<Self, Vec<String>> {
        match value {
            Value::String(text) => parse_date(text),
            _ => None,
        }
        .ok_or_else(|| vec![messages::INVALID_DATE.to_string()])
    }
}

impl FieldType for NaiveTime {
    fn to_internal(value: &Value, _options: &FieldOptions) -> Result<Self, Vec<String>> {
        match value {
            Value::String(text) => parse_iso_time(text).or_else(|| parse_django_time(text)),
            _ => None,
        }
        .ok_or_else(|| vec![messages::INVALID_TIME.to_string()])
    }
}

/// A `DateTimeField` with `USE_TZ = False`: an input with an offset is converted to UTC and
/// made naive (Django's `make_naive(value, utc)`), a naive one is kept.
impl FieldType for NaiveDateTime {
    fn to_internal(value: &Value, options: &FieldOptions) -> Result<Self, Vec<String>> {
        DateTime::<Utc>::to_internal(value, options).map(|at| at.naive_utc())
    }
}

impl Representation for NaiveDate {
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.format("%Y-%m-%d"))
    }
}

impl Representation for NaiveTime {
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = String::with_capacity(15);
        write_time(self, &mut text);
        serializer.serialize_str(&text)
    }
}

impl Representation for NaiveDateTime {
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = format!("{}T", self.date().format("%Y-%m-%d"));
        write_time(&self.time(), &mut text);
        serializer.serialize_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Option<String> {
        parse_date(text).map(|d| d.to_string())
    }

    fn time(text: &str) -> Option<String> {
        parse_iso_time(text)
            .or_else(|| parse_django_time(text))
            .map(|t| {
                let mut out = String::new();
                write_time(&t, &mut out);
                out
            })
    }

    #[test]
    fn dates_as_django_reads_them() {
        assert_eq!(date("2001-01-01").as_deref(), Some("2001-01-01"));
        assert_eq!(date("2001-1-1").as_deref(), Some("2001-01-01"));
        assert_eq!(date("20010102").as_deref(), Some("2001-01-02"));
        assert_eq!(date("2004-W01-1").as_deref(), Some("2003-12-29"));
        for bad in [
            "abc",
            "2001-99-99",
            "2001-01",
            "2001",
            "2001-01-01T00:00",
            " 2001-01-01",
            "2001-001-01",
        ] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_as_django_reads_them() {
        assert_eq!(time("13:00").as_deref(), Some("13:00:00"));
        assert_eq!(time("13:00:01.5").as_deref(), Some("13:00:01.500000"));
        assert_eq!(time("1:2").as_deref(), Some("01:02:00"));
        assert_eq!(time("130000").as_deref(), Some("13:00:00"));
        assert_eq!(time("13:00:00+02:00").as_deref(), Some("13:00:00"));
        assert_eq!(time("13").as_deref(), Some("13:00:00"));
        for bad in ["abc", "99:99", "13:", "2001-01-01", "25:00"] {
            assert_eq!(time(bad), None, "{bad}");
        }
    }
}
