#![allow(missing_docs, clippy::unwrap_used)]
//! Django REST framework's field test tables, as Rust data, checked against
//! `rest_framework::fields`.
//!
//! The source is DRF's `tests/test_fields.py` (encode/django-rest-framework at `751a19fe1b23`,
//! 2026-08-18). Each of its `FieldValues` classes is a table: `valid_inputs` (input -> validated
//! value), `invalid_inputs` (input -> DRF's exact messages) and `outputs` (value ->
//! `to_representation`). Here every ported class is one function returning a [`Class`], named
//! after DRF's class, with the same cases in the same order and DRF's texts. Every input case
//! was checked against DRF itself (that commit, Django 5.2.20), given the same JSON.
//!
//! How a case runs:
//! - An input is put in the request data as `{"field": input}` and read with
//!   `parse_field_with` (what generated serializer code calls; `EmailField` reads with
//!   `parse_email_with`), so `null`, blank and required handling are a request's. A valid
//!   input must give a value whose representation is the expected JSON (DRF's validated value,
//!   written as DRF's `to_representation` writes it: `datetime.date(2001, 1, 1)` is
//!   `"2001-01-01"`); an invalid one must give exactly DRF's messages, in order.
//! - An output is a Rust value of the field's type; `Repr` must serialize it to the expected
//!   JSON, and `Representation::write_json` (the renderer's fast path) must write serde's text.
//!
//! Conventions:
//! - A Python tuple given as input (`()`, `(1, 2, 3)`) is the JSON array a request would carry.
//! - Python dicts keep only the first of equal keys (`1 == 1.0 == True`), so some written
//!   entries never run in DRF. An input whose JSON differs from the surviving key (`1.0`
//!   beside `1`, `true` beside `1`) is ported and marked "shadowed": DRF's code gives the
//!   written result for it. A shadowed output with the same Rust value as the surviving key is
//!   only noted in a comment.
//! - Where DRF's table writes a value by Python equality (`'1': 1` for a `FloatField`), the
//!   expected JSON is what DRF returns (`1.0`).
//! - A field whose table renders `None` is read as `Option<T>` (with `allow_null` as in DRF:
//!   `null` is still refused on input) so that `None -> null` is a case.
//! - Tests of `test_fields.py` that are plain methods, not tables, but check one field's
//!   inputs (CharField's whitespace, null bytes and surrogates, `TestEmpty`'s blank and null,
//!   UUIDField's default format, BooleanField's unhashable inputs) are ported as classes named
//!   `TestClass.test_method`.
//! - The integer tables also run for every integer type (`i64` is DRF's `IntegerField`;
//!   `i32, i16, i8, u64, u32, u16, u8` read the same way) and the float tables for `f64` and
//!   `f32`; those runs count in the total, with the Rust type in each failure.
//! - Where fields.rs is expected to disagree with DRF the case still says what DRF does, with a
//!   `// DRF:` comment. Cases that cannot apply to Rust are listed in [`SKIPPED`], not run.
//!
//! Not yet ported (every other `FieldValues` class; case counts as written in DRF's source:
//! valid + invalid + outputs), mostly for field options `FieldOptions` lacks or field kinds the
//! framework does not have yet:
//! - TestRegexField 2, TestiCompiledRegexField 2, TestSlugField 2: validators, which run in
//!   generated code rather than in `parse_field_with`; their cases are in `text_fields.rs`
//! - TestURLField 2 (URL validator as a field)
//! - TestIPAddressField 10, TestIPv4AddressField 4, TestIPv6AddressField 5 (`protocol`)
//! - TestFilePathField 2 (`path`)
//! - TestBigIntegerField 22 (integers past `i64`, "A valid biginteger is required.");
//!   TestMinMaxBigIntegerField 8 (its cases read as `i64` with IntegerField's messages)
//! - TestDecimalField 29, TestAllowNullDecimalField 4, TestAllowNullNoStringCoercionDecimalField
//!   4, TestMinMaxDecimalField 4, TestAllowEmptyStrDecimalFieldWithValidators 10,
//!   TestNoMaxDigitsDecimalField 1, TestNoStringCoercionDecimalField 6, TestNoDecimalPlaces 5
//!   (no decimal type: `max_digits`, `decimal_places`, `coerce_to_string`)
//! - TestCustomInputFormatDateField 2, TestCustomOutputFormatDateField 1,
//!   TestNoOutputFormatDateField 1 (`input_formats`, `format`)
//! - TestCustomInputFormatDateTimeField 2, TestCustomOutputFormatDateTimeField 1,
//!   TestNoOutputFormatDateTimeField 1 (`input_formats`, `format`)
//! - TestTZWithDateTimeField 5, TestNaiveDayLightSavingTimeTimeZoneDateTimeField 2
//!   (`default_timezone` other than UTC)
//! - TestCustomInputFormatTimeField 2, TestCustomOutputFormatTimeField 1,
//!   TestNoOutputFormatTimeField 1 (`input_formats`, `format`)
//! - TestMinMaxDurationField 5, TestDurationField 12, TestNoOutputFormatDurationField 1,
//!   TestISOOutputFormatDurationField 6 (no duration type)
//! - TestChoiceField 7, TestChoiceFieldWithType 6, TestChoiceFieldWithListChoices 5,
//!   TestChoiceFieldWithGroupedChoices 5, TestChoiceFieldWithMixedChoices 5,
//!   TestMultipleChoiceField 10, TestEmptyMultipleChoiceField 1 (`choices`)
//! - TestFileField 7, TestFieldFieldWithName 1, TestInvalidImageField 2, TestValidImageField 1
//! - TestListField 8, TestNestedListField 6, TestListFieldWithDjangoValidationErrors 1,
//!   TestEmptyListField 1, TestListFieldLengthLimit 2, TestUnvalidatedListField 3
//! - TestDictField 5, TestNestedDictField 4, TestDictFieldWithNullChild 2,
//!   TestUnvalidatedDictField 3, TestHStoreField 4
//! - TestJSONField 4, TestBinaryJSONField 3
//!
//! That is 261 of DRF's 436 written cases; the 13 `FieldValues` classes ported here hold the
//! other 175: 117 run, 54 in [`SKIPPED`], and 4 shadowed outputs folded into the key that
//! survives (IntegerField's and FloatField's `1.0` and `0.0`). The method tests add 19 cases
//! and 2 skips.
//! Method tests not ported: `TestEmpty.test_required`, `test_not_required` and `test_default`
//! (an absent key, not an input value), `TestCharField.test_iterable_validators`
//! (`validators`), `TestUUIDField.test_formats` for `int`, `urn` and `hex` (`format`).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use rest_framework::__private::fields::parse_field_with;
use rest_framework::exceptions::ValidationErrors;
use rest_framework::fields::{FieldOptions, FieldType, Repr, Representation, parse_email_with};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::fmt::Debug;
use uuid::Uuid;

/// One DRF `FieldValues` class.
struct Class<T> {
    /// DRF's class name, e.g. `"TestMinMaxIntegerField"`.
    name: &'static str,
    options: FieldOptions,
    allow_null: bool,
    /// Input JSON -> the JSON the parsed value must represent as.
    valid: Vec<(Value, Value)>,
    /// Input JSON -> DRF's exact messages, in order.
    invalid: Vec<(Value, Vec<&'static str>)>,
    /// A Rust value -> its expected JSON representation.
    outputs: Vec<(T, Value)>,
}

/// Cases that cannot apply to Rust: (class, case, reason). Not run, not in the total.
///
/// Nearly all are one kind: DRF's `to_representation` given a value of another Python type
/// than the field's (BooleanField's `outputs` hold strings, ints, lists and dicts; `''` and
/// strings for dates), or a Python object given as input. A Rust field's value always has the
/// field's type, and a JSON body carries no `datetime` objects.
const SKIPPED: &[(&str, &str, &str)] = &[
    ("TestBooleanField", "outputs['True']", OTHER_TYPE),
    ("TestBooleanField", "outputs['TRUE']", OTHER_TYPE),
    ("TestBooleanField", "outputs['tRuE']", OTHER_TYPE),
    ("TestBooleanField", "outputs['t']", OTHER_TYPE),
    ("TestBooleanField", "outputs['T']", OTHER_TYPE),
    ("TestBooleanField", "outputs['true']", OTHER_TYPE),
    ("TestBooleanField", "outputs['on']", OTHER_TYPE),
    ("TestBooleanField", "outputs['ON']", OTHER_TYPE),
    ("TestBooleanField", "outputs['oN']", OTHER_TYPE),
    ("TestBooleanField", "outputs['False']", OTHER_TYPE),
    ("TestBooleanField", "outputs['FALSE']", OTHER_TYPE),
    ("TestBooleanField", "outputs['fALse']", OTHER_TYPE),
    ("TestBooleanField", "outputs['f']", OTHER_TYPE),
    ("TestBooleanField", "outputs['F']", OTHER_TYPE),
    ("TestBooleanField", "outputs['false']", OTHER_TYPE),
    ("TestBooleanField", "outputs['off']", OTHER_TYPE),
    ("TestBooleanField", "outputs['OFF']", OTHER_TYPE),
    ("TestBooleanField", "outputs['oFf']", OTHER_TYPE),
    ("TestBooleanField", "outputs['1']", OTHER_TYPE),
    ("TestBooleanField", "outputs['0']", OTHER_TYPE),
    ("TestBooleanField", "outputs[1]", OTHER_TYPE),
    ("TestBooleanField", "outputs[0]", OTHER_TYPE),
    ("TestBooleanField", "outputs['other']", OTHER_TYPE),
    ("TestBooleanField", "outputs[[]]", OTHER_TYPE),
    ("TestBooleanField", "outputs[{}]", OTHER_TYPE),
    ("TestBooleanField", "outputs[set()]", OTHER_TYPE),
    ("TestBooleanField", "outputs[[1]]", OTHER_TYPE),
    (
        "TestBooleanField",
        "outputs[{'example': 'value'}]",
        OTHER_TYPE,
    ),
    ("TestNullableBooleanField", "outputs['true']", OTHER_TYPE),
    ("TestNullableBooleanField", "outputs['false']", OTHER_TYPE),
    ("TestNullableBooleanField", "outputs['null']", OTHER_TYPE),
    ("TestNullableBooleanField", "outputs['other']", OTHER_TYPE),
    ("TestCharField", "outputs[1]", OTHER_TYPE),
    (
        "TestCharField.test_surrogate_characters",
        "chr(0xD800)",
        SURROGATE,
    ),
    (
        "TestCharField.test_surrogate_characters",
        "chr(0xDFFF)",
        SURROGATE,
    ),
    (
        "TestUUIDField",
        "valid_inputs[284758210125106368185219588917561929842]",
        BIG_INT,
    ),
    ("TestIntegerField", "outputs['1']", OTHER_TYPE),
    ("TestIntegerField", "outputs['0']", OTHER_TYPE),
    ("TestFloatField", "outputs['1']", OTHER_TYPE),
    ("TestFloatField", "outputs['0']", OTHER_TYPE),
    (
        "TestDateField",
        "valid_inputs[datetime.date(2001, 1, 1)]",
        PY_OBJECT,
    ),
    (
        "TestDateField",
        "invalid_inputs[datetime.datetime(2001, 1, 1, 12, 00)]",
        PY_OBJECT,
    ),
    ("TestDateField", "outputs['2001-01-01']", OTHER_TYPE),
    ("TestDateField", "outputs['2016-01-10']", OTHER_TYPE),
    ("TestDateField", "outputs['']", OTHER_TYPE),
    (
        "TestDateTimeField",
        "valid_inputs[datetime.datetime(2001, 1, 1, 13, 00)]",
        PY_OBJECT,
    ),
    (
        "TestDateTimeField",
        "valid_inputs[datetime.datetime(2001, 1, 1, 13, 00, tzinfo=utc)]",
        PY_OBJECT,
    ),
    (
        "TestDateTimeField",
        "invalid_inputs[datetime.date(2001, 1, 1)]",
        PY_OBJECT,
    ),
    (
        "TestDateTimeField",
        "outputs['2001-01-01T00:00:00']",
        OTHER_TYPE,
    ),
    (
        "TestDateTimeField",
        "outputs['2016-01-10T00:00:00']",
        OTHER_TYPE,
    ),
    ("TestDateTimeField", "outputs['']", OTHER_TYPE),
    (
        "TestNaiveDateTimeField",
        "valid_inputs[datetime.datetime(2001, 1, 1, 13, 00, tzinfo=utc)]",
        PY_OBJECT,
    ),
    (
        "TestNaiveDateTimeField",
        "outputs[datetime.datetime(2001, 1, 1, 13, 00, tzinfo=utc)]",
        AWARE,
    ),
    (
        "TestTimeField",
        "valid_inputs[datetime.time(13, 00)]",
        PY_OBJECT,
    ),
    ("TestTimeField", "outputs['00:00:00']", OTHER_TYPE),
    ("TestTimeField", "outputs['']", OTHER_TYPE),
];

const OTHER_TYPE: &str = "to_representation of a Python value of another type than the \
     field's (DRF coerces it, or passes a str through); a Rust field value has the field's type";
const PY_OBJECT: &str =
    "a Python date/datetime/time object as input: no JSON request body can carry one";
const BIG_INT: &str = "a 128-bit integer input: serde_json (no arbitrary_precision) \
     reads it as a lossy f64, so the field never sees the integer";
const SURROGATE: &str = "a lone surrogate cannot be in a Rust String or serde_json::Value; \
     the JSON body parser reports it per field (tests/tests/tags.rs covers it)";
const AWARE: &str =
    "an aware datetime as the stored value: a NaiveDateTime has no offset to convert from";

/// How a field is read from request data: `parse_field_with`'s signature.
type Read<T> =
    fn(&Map<String, Value>, &str, &FieldOptions, bool, bool, &mut ValidationErrors) -> Option<T>;

/// The key every case's input is given under.
const FIELD: &str = "field";

#[derive(Default)]
struct Tally {
    passed: usize,
    total: usize,
    classes: BTreeSet<&'static str>,
    failures: Vec<String>,
}

impl Tally {
    fn record(&mut self, class: &str, rust: &str, case: String, outcome: Result<(), String>) {
        self.total += 1;
        match outcome {
            Ok(()) => self.passed += 1,
            Err(why) => self
                .failures
                .push(format!("{class} as {rust}: {case}: {why}")),
        }
    }
}

/// Checks every case of a class read with `parse_field_with`.
fn run<T: FieldType + Representation + Debug>(class: Class<T>, tally: &mut Tally) {
    run_with(class, parse_field_with::<T>, tally);
}

/// Checks every case of a class read with `read`.
fn run_with<T: Representation + Debug>(class: Class<T>, read: Read<T>, tally: &mut Tally) {
    let rust = std::any::type_name::<T>();
    tally.classes.insert(class.name);
    for (input, expected) in &class.valid {
        let outcome = match parse(read, input, &class.options, class.allow_null) {
            Ok(value) => compare(&value, expected),
            Err(messages) => Err(format!("refused with {messages:?}, DRF gives {expected}")),
        };
        tally.record(class.name, rust, format!("valid_inputs[{input}]"), outcome);
    }
    for (input, expected) in &class.invalid {
        let outcome = match parse(read, input, &class.options, class.allow_null) {
            Ok(value) => Err(format!(
                "accepted as {}, DRF refuses with {expected:?}",
                serde_json::to_string(&Repr(&value)).unwrap_or_else(|e| e.to_string())
            )),
            Err(messages) if messages == *expected => Ok(()),
            Err(messages) => Err(format!("messages {messages:?}, DRF's {expected:?}")),
        };
        tally.record(
            class.name,
            rust,
            format!("invalid_inputs[{input}]"),
            outcome,
        );
    }
    for (value, expected) in &class.outputs {
        let outcome = compare(value, expected);
        tally.record(class.name, rust, format!("outputs[{value:?}]"), outcome);
    }
}

/// Reads `input` as the request data `{"field": input}`: the value, or the field's messages.
fn parse<T>(
    read: Read<T>,
    input: &Value,
    options: &FieldOptions,
    allow_null: bool,
) -> Result<T, Vec<String>> {
    let mut data = Map::new();
    data.insert(FIELD.to_string(), input.clone());
    let mut errors = ValidationErrors::default();
    let value = read(&data, FIELD, options, true, allow_null, &mut errors);
    match value {
        Some(value) if errors.is_empty() => Ok(value),
        _ => Err(match errors.messages(FIELD) {
            Some(messages) => messages.to_vec(),
            // No error recorded, or not as plain messages of the field: show the whole tree.
            None => vec![serde_json::to_string(&errors).unwrap_or_default()],
        }),
    }
}

/// The value's representation must be `expected`, and `write_json` must write serde's text.
fn compare<T: Representation>(value: &T, expected: &Value) -> Result<(), String> {
    let represented = serde_json::to_value(Repr(value)).map_err(|e| e.to_string())?;
    if represented != *expected {
        return Err(format!("represents as {represented}, DRF gives {expected}"));
    }
    let text = serde_json::to_string(&Repr(value)).map_err(|e| e.to_string())?;
    let mut written = Vec::new();
    value.write_json(&mut written).map_err(|e| e.to_string())?;
    if written != text.as_bytes() {
        return Err(format!(
            "write_json writes {}, serde {text}",
            String::from_utf8_lossy(&written)
        ));
    }
    Ok(())
}

// --- Boolean types ---

fn test_boolean_field() -> Class<bool> {
    Class {
        name: "TestBooleanField",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![
            (json!("True"), json!(true)),
            (json!("TRUE"), json!(true)),
            // DRF: strings are lowercased before matching (`'tRuE'.lower() in TRUE_VALUES`);
            // fields.rs lists exact spellings.
            (json!("tRuE"), json!(true)),
            (json!("t"), json!(true)),
            (json!("T"), json!(true)),
            (json!("true"), json!(true)),
            (json!("on"), json!(true)),
            (json!("ON"), json!(true)),
            // DRF: lowercased, as `'tRuE'`.
            (json!("oN"), json!(true)),
            (json!("False"), json!(false)),
            (json!("FALSE"), json!(false)),
            // DRF: lowercased, as `'tRuE'`.
            (json!("fALse"), json!(false)),
            (json!("f"), json!(false)),
            (json!("F"), json!(false)),
            (json!("false"), json!(false)),
            (json!("off"), json!(false)),
            (json!("OFF"), json!(false)),
            // DRF: lowercased, as `'tRuE'`.
            (json!("oFf"), json!(false)),
            (json!("1"), json!(true)),
            (json!("0"), json!(false)),
            (json!(1), json!(true)),
            (json!(0), json!(false)),
            // Shadowed in DRF's dict (`True == 1`, `False == 0`); DRF's code gives this.
            (json!(true), json!(true)),
            (json!(false), json!(false)),
        ],
        invalid: vec![
            (json!("foo"), vec!["Must be a valid boolean."]),
            (json!(null), vec!["This field may not be null."]),
        ],
        // The other 28 outputs are strings, ints, lists and dicts: see SKIPPED.
        outputs: vec![(true, json!(true)), (false, json!(false))],
    }
}

fn test_boolean_field_unhashable() -> Class<bool> {
    Class {
        name: "TestBooleanField.test_disallow_unhashable_collection_types",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![],
        invalid: vec![
            (json!([]), vec!["Must be a valid boolean."]),
            (json!({}), vec!["Must be a valid boolean."]),
        ],
        outputs: vec![],
    }
}

fn test_nullable_boolean_field() -> Class<Option<bool>> {
    Class {
        name: "TestNullableBooleanField",
        options: FieldOptions::DEFAULT,
        allow_null: true,
        valid: vec![
            (json!("true"), json!(true)),
            (json!("false"), json!(false)),
            // DRF: `'null'` (and `''`) is in NULL_VALUES, read as None when `allow_null`;
            // fields.rs reads only JSON `null` as None.
            (json!("null"), json!(null)),
            (json!(true), json!(true)),
            (json!(false), json!(false)),
            (json!(null), json!(null)),
        ],
        invalid: vec![(json!("foo"), vec!["Must be a valid boolean."])],
        // `'true'`, `'false'`, `'null'`, `'other'`: see SKIPPED.
        outputs: vec![
            (Some(true), json!(true)),
            (Some(false), json!(false)),
            (None, json!(null)),
        ],
    }
}

/// DRF's `TestNullableBooleanField` inherits this method test, run with its field.
fn test_nullable_boolean_field_unhashable() -> Class<Option<bool>> {
    Class {
        name: "TestNullableBooleanField.test_disallow_unhashable_collection_types",
        options: FieldOptions::DEFAULT,
        allow_null: true,
        valid: vec![],
        invalid: vec![
            (json!([]), vec!["Must be a valid boolean."]),
            (json!({}), vec!["Must be a valid boolean."]),
        ],
        outputs: vec![],
    }
}

// --- String types ---

fn test_char_field() -> Class<String> {
    Class {
        name: "TestCharField",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![(json!(1), json!("1")), (json!("abc"), json!("abc"))],
        invalid: vec![
            // DRF's `()`: a tuple; a request carries the empty array.
            (json!([]), vec!["Not a valid string."]),
            (json!(true), vec!["Not a valid string."]),
            (json!(""), vec!["This field may not be blank."]),
        ],
        // `1: '1'` (an int stored in a CharField): see SKIPPED.
        outputs: vec![("abc".to_string(), json!("abc"))],
    }
}

fn test_char_field_trim_whitespace_default() -> Class<String> {
    Class {
        name: "TestCharField.test_trim_whitespace_default",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![(json!(" abc "), json!("abc"))],
        invalid: vec![],
        outputs: vec![],
    }
}

fn test_char_field_trim_whitespace_disabled() -> Class<String> {
    Class {
        name: "TestCharField.test_trim_whitespace_disabled",
        options: FieldOptions {
            trim_whitespace: false,
            ..FieldOptions::DEFAULT
        },
        allow_null: false,
        valid: vec![(json!(" abc "), json!(" abc "))],
        invalid: vec![],
        outputs: vec![],
    }
}

fn test_char_field_disallow_blank_with_trim_whitespace() -> Class<String> {
    Class {
        name: "TestCharField.test_disallow_blank_with_trim_whitespace",
        options: FieldOptions {
            allow_blank: false,
            trim_whitespace: true,
            ..FieldOptions::DEFAULT
        },
        allow_null: false,
        valid: vec![],
        invalid: vec![(json!("   "), vec!["This field may not be blank."])],
        outputs: vec![],
    }
}

fn test_char_field_null_bytes() -> Class<String> {
    Class {
        name: "TestCharField.test_null_bytes",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![],
        invalid: vec![
            (json!("\u{0}"), vec!["Null characters are not allowed."]),
            (json!("foo\u{0}"), vec!["Null characters are not allowed."]),
            (json!("\u{0}foo"), vec!["Null characters are not allowed."]),
            (
                json!("foo\u{0}foo"),
                vec!["Null characters are not allowed."],
            ),
        ],
        outputs: vec![],
    }
}

/// The code points beside the surrogates pass; the surrogates themselves are in SKIPPED.
fn test_char_field_surrogate_characters() -> Class<String> {
    Class {
        name: "TestCharField.test_surrogate_characters",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![
            (json!("\u{D7FF}"), json!("\u{D7FF}")),
            (json!("\u{E000}"), json!("\u{E000}")),
        ],
        invalid: vec![],
        outputs: vec![],
    }
}

fn test_empty_disallow_blank() -> Class<String> {
    Class {
        name: "TestEmpty.test_disallow_blank",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![],
        invalid: vec![(json!(""), vec!["This field may not be blank."])],
        outputs: vec![],
    }
}

fn test_empty_allow_blank() -> Class<String> {
    Class {
        name: "TestEmpty.test_allow_blank",
        options: FieldOptions {
            allow_blank: true,
            ..FieldOptions::DEFAULT
        },
        allow_null: false,
        valid: vec![(json!(""), json!(""))],
        invalid: vec![],
        outputs: vec![],
    }
}

fn test_email_field() -> Class<String> {
    Class {
        name: "TestEmailField",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![
            (json!("example@example.com"), json!("example@example.com")),
            (json!(" example@example.com "), json!("example@example.com")),
        ],
        invalid: vec![(json!("examplecom"), vec!["Enter a valid email address."])],
        outputs: vec![],
    }
}

fn test_uuid_field() -> Class<Uuid> {
    Class {
        name: "TestUUIDField",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![
            (
                json!("825d7aeb-05a9-45b5-a5b7-05df87923cda"),
                json!("825d7aeb-05a9-45b5-a5b7-05df87923cda"),
            ),
            (
                json!("825d7aeb05a945b5a5b705df87923cda"),
                json!("825d7aeb-05a9-45b5-a5b7-05df87923cda"),
            ),
            (
                json!("urn:uuid:213b7d9b-244f-410d-828c-dabce7a2615d"),
                json!("213b7d9b-244f-410d-828c-dabce7a2615d"),
            ),
            // The 128-bit integer input: see SKIPPED.
        ],
        invalid: vec![
            (
                json!("825d7aeb-05a9-45b5-a5b7"),
                vec!["Must be a valid UUID."],
            ),
            // DRF's `(1, 2, 3)`: a tuple; a request carries the array.
            (json!([1, 2, 3]), vec!["Must be a valid UUID."]),
        ],
        outputs: vec![(
            Uuid::from_u128(0x825d7aeb05a945b5a5b705df87923cda),
            json!("825d7aeb-05a9-45b5-a5b7-05df87923cda"),
        )],
    }
}

/// `_test_format('hex_verbose', ...)`, the default format.
fn test_uuid_field_formats() -> Class<Uuid> {
    Class {
        name: "TestUUIDField.test_formats",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![(
            json!("00000000-0000-0000-0000-000000000000"),
            json!("00000000-0000-0000-0000-000000000000"),
        )],
        invalid: vec![],
        outputs: vec![(Uuid::nil(), json!("00000000-0000-0000-0000-000000000000"))],
    }
}

// --- Number types ---

/// Every Rust integer type a field can be.
trait Int: FieldType + Representation + Debug + TryFrom<i64> {}
impl<T: FieldType + Representation + Debug + TryFrom<i64>> Int for T {}

fn int<T: Int>(n: i64) -> T {
    T::try_from(n).unwrap_or_else(|_| panic!("{n} fits every integer type"))
}

/// Every Rust float type a field can be.
trait Float: FieldType + Representation + Debug + From<f32> {}
impl<T: FieldType + Representation + Debug + From<f32>> Float for T {}

fn test_integer_field<T: Int>() -> Class<T> {
    Class {
        name: "TestIntegerField",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![
            (json!("1"), json!(1)),
            (json!("0"), json!(0)),
            (json!(1), json!(1)),
            (json!(0), json!(0)),
            // Shadowed in DRF's dict (`1.0 == 1`); DRF's code gives this (`str(1.0)` is
            // `'1.0'`, and `re_decimal` drops the `.0`).
            (json!(1.0), json!(1)),
            (json!(0.0), json!(0)),
            (json!("1.0"), json!(1)),
        ],
        invalid: vec![
            (json!(0.5), vec!["A valid integer is required."]),
            (json!("abc"), vec!["A valid integer is required."]),
            (json!("0.5"), vec!["A valid integer is required."]),
        ],
        // `'1'` and `'0'` (strings stored in an IntegerField): see SKIPPED. `1.0: 1` and
        // `0.0: 0` are shadowed by `1` and `0` and are the same Rust value.
        outputs: vec![(int(1), json!(1)), (int(0), json!(0))],
    }
}

fn test_min_max_integer_field<T: Int>() -> Class<T> {
    Class {
        name: "TestMinMaxIntegerField",
        options: FieldOptions {
            min_value: Some(1.0),
            max_value: Some(3.0),
            ..FieldOptions::DEFAULT
        },
        allow_null: false,
        valid: vec![
            (json!("1"), json!(1)),
            (json!("3"), json!(3)),
            (json!(1), json!(1)),
            (json!(3), json!(3)),
        ],
        invalid: vec![
            (
                json!(0),
                vec!["Ensure this value is greater than or equal to 1."],
            ),
            (
                json!(4),
                vec!["Ensure this value is less than or equal to 3."],
            ),
            (
                json!("0"),
                vec!["Ensure this value is greater than or equal to 1."],
            ),
            (
                json!("4"),
                vec!["Ensure this value is less than or equal to 3."],
            ),
        ],
        outputs: vec![],
    }
}

fn test_empty_disallow_null() -> Class<i64> {
    Class {
        name: "TestEmpty.test_disallow_null",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![],
        invalid: vec![(json!(null), vec!["This field may not be null."])],
        outputs: vec![],
    }
}

fn test_empty_allow_null() -> Class<Option<i64>> {
    Class {
        name: "TestEmpty.test_allow_null",
        options: FieldOptions::DEFAULT,
        allow_null: true,
        valid: vec![(json!(null), json!(null))],
        invalid: vec![],
        outputs: vec![],
    }
}

fn test_float_field<T: Float>() -> Class<T> {
    Class {
        name: "TestFloatField",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        valid: vec![
            (json!("1"), json!(1.0)),
            (json!("0"), json!(0.0)),
            (json!(1), json!(1.0)),
            (json!(0), json!(0.0)),
            // Shadowed in DRF's dict (`1.0 == 1`); DRF's code gives this.
            (json!(1.0), json!(1.0)),
            (json!(0.0), json!(0.0)),
        ],
        invalid: vec![(json!("abc"), vec!["A valid number is required."])],
        // DRF's `1: 1.0` and `0: 0.0` (ints stored in a FloatField) as the Rust floats they
        // name; `1.0: 1.0` and `0.0: 0.0` are shadowed by them and the same Rust values.
        // `'1'` and `'0'`: see SKIPPED.
        outputs: vec![
            (T::from(1.0_f32), json!(1.0)),
            (T::from(0.0_f32), json!(0.0)),
        ],
    }
}

fn test_min_max_float_field<T: Float>() -> Class<T> {
    Class {
        name: "TestMinMaxFloatField",
        options: FieldOptions {
            min_value: Some(1.0),
            max_value: Some(3.0),
            ..FieldOptions::DEFAULT
        },
        allow_null: false,
        // DRF's table writes `'1': 1`; the field returns `float('1')`, written `1.0`.
        valid: vec![
            (json!("1"), json!(1.0)),
            (json!("3"), json!(3.0)),
            (json!(1), json!(1.0)),
            (json!(3), json!(3.0)),
            // Shadowed in DRF's dict (`1.0 == 1`); DRF's code gives this.
            (json!(1.0), json!(1.0)),
            (json!(3.0), json!(3.0)),
        ],
        invalid: vec![
            (
                json!(0.9),
                vec!["Ensure this value is greater than or equal to 1."],
            ),
            (
                json!(3.1),
                vec!["Ensure this value is less than or equal to 3."],
            ),
            (
                json!("0.0"),
                vec!["Ensure this value is greater than or equal to 1."],
            ),
            (
                json!("3.1"),
                vec!["Ensure this value is less than or equal to 3."],
            ),
        ],
        outputs: vec![],
    }
}

// --- Date & time types ---

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn time(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap()
}

fn naive(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> NaiveDateTime {
    date(year, month, day).and_time(time(hour, minute))
}

const DATE_FORMAT: &str = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.";
const DATETIME_FORMAT: &str = "Datetime has wrong format. Use one of these formats instead: \
                               YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";
const TIME_FORMAT: &str =
    "Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]].";

fn test_date_field() -> Class<Option<NaiveDate>> {
    Class {
        name: "TestDateField",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        // `datetime.date(2001, 1, 1)` as input: see SKIPPED.
        valid: vec![(json!("2001-01-01"), json!("2001-01-01"))],
        invalid: vec![
            (json!("abc"), vec![DATE_FORMAT]),
            (json!("2001-99-99"), vec![DATE_FORMAT]),
            (json!("2001-01"), vec![DATE_FORMAT]),
            (json!("2001"), vec![DATE_FORMAT]),
            // `datetime.datetime(2001, 1, 1, 12, 00)` as input: see SKIPPED.
        ],
        // `'2001-01-01'`, `'2016-01-10'` and `''` (strings stored in a DateField): see SKIPPED.
        outputs: vec![
            (Some(date(2001, 1, 1)), json!("2001-01-01")),
            (None, json!(null)),
        ],
    }
}

/// `DateTimeField(default_timezone=utc)`: `DateTime<Utc>`, naive inputs read as UTC.
fn test_date_time_field() -> Class<Option<DateTime<Utc>>> {
    Class {
        name: "TestDateTimeField",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        // The two `datetime.datetime` inputs: see SKIPPED.
        valid: vec![
            (json!("2001-01-01 13:00"), json!("2001-01-01T13:00:00Z")),
            (json!("2001-01-01T13:00"), json!("2001-01-01T13:00:00Z")),
            (json!("2001-01-01T13:00Z"), json!("2001-01-01T13:00:00Z")),
        ],
        invalid: vec![
            (json!("abc"), vec![DATETIME_FORMAT]),
            (json!("2001-99-99T99:00"), vec![DATETIME_FORMAT]),
            (json!("2018-08-16 22:00-24:00"), vec![DATETIME_FORMAT]),
            // `datetime.date(2001, 1, 1)` as input: see SKIPPED.
            // DRF: `astimezone(utc)` overflows past year 9999 ("Datetime value out of
            // range."); chrono holds 10000-01-01T00:59:59.9999Z, and fields.rs accepts it.
            (
                json!("9999-12-31T21:59:59.99990-03:00"),
                vec!["Datetime value out of range."],
            ),
        ],
        outputs: vec![
            // DRF's naive `datetime.datetime(2001, 1, 1, 13, 00)`, made aware in UTC as
            // `enforce_timezone` does.
            (
                Some(naive(2001, 1, 1, 13, 0).and_utc()),
                json!("2001-01-01T13:00:00Z"),
            ),
            (
                Some(Utc.with_ymd_and_hms(2001, 1, 1, 13, 0, 0).unwrap()),
                json!("2001-01-01T13:00:00Z"),
            ),
            // `'2001-01-01T00:00:00'`, `'2016-01-10T00:00:00'` and `''`: see SKIPPED.
            (None, json!(null)),
        ],
    }
}

/// `DateTimeField(default_timezone=None)` with `USE_TZ=False`: `NaiveDateTime`.
fn test_naive_date_time_field() -> Class<NaiveDateTime> {
    Class {
        name: "TestNaiveDateTimeField",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        // The aware `datetime.datetime` input: see SKIPPED.
        valid: vec![(json!("2001-01-01 13:00"), json!("2001-01-01T13:00:00"))],
        invalid: vec![],
        // The aware `datetime.datetime` output: see SKIPPED.
        outputs: vec![(naive(2001, 1, 1, 13, 0), json!("2001-01-01T13:00:00"))],
    }
}

fn test_time_field() -> Class<Option<NaiveTime>> {
    Class {
        name: "TestTimeField",
        options: FieldOptions::DEFAULT,
        allow_null: false,
        // `datetime.time(13, 00)` as input: see SKIPPED.
        valid: vec![(json!("13:00"), json!("13:00:00"))],
        invalid: vec![
            (json!("abc"), vec![TIME_FORMAT]),
            (json!("99:99"), vec![TIME_FORMAT]),
        ],
        // `'00:00:00'` and `''` (strings stored in a TimeField): see SKIPPED.
        outputs: vec![
            (Some(time(13, 0)), json!("13:00:00")),
            (Some(time(0, 0)), json!("00:00:00")),
            (None, json!(null)),
        ],
    }
}

/// Runs a generic class once per Rust type.
macro_rules! run_as {
    ($tally:expr, $class:ident, [$($ty:ty),* $(,)?]) => {
        $( run($class::<$ty>(), $tally); )*
    };
}

/// A test target of its own (`harness = false`), so that its one-line summary is printed
/// on every run, not only when a case fails.
fn main() {
    let mut tally = Tally::default();
    let tally = &mut tally;

    run(test_boolean_field(), tally);
    run(test_boolean_field_unhashable(), tally);
    run(test_nullable_boolean_field(), tally);
    run(test_nullable_boolean_field_unhashable(), tally);

    run(test_char_field(), tally);
    run(test_char_field_trim_whitespace_default(), tally);
    run(test_char_field_trim_whitespace_disabled(), tally);
    run(test_char_field_disallow_blank_with_trim_whitespace(), tally);
    run(test_char_field_null_bytes(), tally);
    run(test_char_field_surrogate_characters(), tally);
    run(test_empty_disallow_blank(), tally);
    run(test_empty_allow_blank(), tally);
    run_with(test_email_field(), parse_email_with, tally);

    run(test_uuid_field(), tally);
    run(test_uuid_field_formats(), tally);

    run_as!(
        tally,
        test_integer_field,
        [i64, i32, i16, i8, u64, u32, u16, u8]
    );
    run_as!(
        tally,
        test_min_max_integer_field,
        [i64, i32, i16, i8, u64, u32, u16, u8]
    );
    run(test_empty_disallow_null(), tally);
    run(test_empty_allow_null(), tally);
    run_as!(tally, test_float_field, [f64, f32]);
    run_as!(tally, test_min_max_float_field, [f64, f32]);

    run(test_date_field(), tally);
    run(test_date_time_field(), tally);
    run(test_naive_date_time_field(), tally);
    run(test_time_field(), tally);

    for (class, case, _) in SKIPPED {
        if !tally.classes.contains(class) {
            tally.failures.push(format!(
                "SKIPPED names {class} ({case}), which no table ports"
            ));
        }
    }

    println!(
        "DRF field tables: {} of {} cases pass ({} classes)",
        tally.passed,
        tally.total,
        tally.classes.len()
    );
    println!("skipped: {} cases (reasons in SKIPPED)", SKIPPED.len());
    if !tally.failures.is_empty() {
        panic!(
            "{} DRF field cases fail:\n{}",
            tally.failures.len(),
            tally.failures.join("\n")
        );
    }
}
