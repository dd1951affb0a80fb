//! Cell parsing: the date, time, number and yes/no forms that Chinese
//! case-handling systems, fingerprint clocks and Excel write.

use super::table::ColType;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::borrow::Cow;

/// One parsed cell. Text borrows from the record it was read from (or
/// from the configuration's words) until the row is stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Text(Cow<'a, str>),
    Int(i64),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Value<'_> {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s.as_ref()),
            _ => None,
        }
    }

    pub fn as_datetime(&self) -> Option<NaiveDateTime> {
        match self {
            Value::DateTime(t) => Some(*t),
            Value::Date(d) => d.and_hms_opt(0, 0, 0),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl std::fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Text(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Number(x) => write!(f, "{x}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::DateTime(t) => write!(f, "{}", t.format("%Y-%m-%d %H:%M:%S")),
        }
    }
}

/// `s` without white space at either end, as `str::trim`; a cell that
/// begins and ends with a printable ASCII byte or a CJK ideograph (most
/// cells: codes, times, names) is returned as it is without decoding a
/// character at each end.
fn trim_cell(s: &str) -> &str {
    let b = s.as_bytes();
    let first = b
        .first()
        .is_some_and(|&c| c.is_ascii_graphic() || is_ideograph_lead(c));
    // `s` is UTF-8: when the third byte from the end leads a three-byte
    // character, the last two are its own and it is the last character.
    let last = match b.len() {
        0 => false,
        n => b[n - 1].is_ascii_graphic() || (n >= 3 && is_ideograph_lead(b[n - 3])),
    };
    match first && last {
        true => s,
        false => s.trim(),
    }
}

/// Whether `byte` leads the UTF-8 of a character from U+4000 to U+9FFF
/// (most CJK ideographs), none of which is white space.
fn is_ideograph_lead(byte: u8) -> bool {
    (0xE4..=0xE9).contains(&byte)
}

/// Parse a trimmed, non-empty cell as `ty`; the error says what was expected.
pub fn parse(raw: &str, ty: ColType) -> Result<Value<'_>, String> {
    let s = trim_cell(raw);
    if s.is_empty() {
        return Ok(Value::Null);
    }
    match ty {
        ColType::Text => Ok(Value::Text(Cow::Borrowed(s))),
        ColType::Int => parse_int(s).map(Value::Int),
        ColType::Number => s
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::Number)
            .ok_or_else(|| format!("'{s}' is not a number")),
        ColType::Bool => parse_bool(s).map(Value::Bool),
        ColType::Date => parse_date(s).map(Value::Date),
        ColType::DateTime => parse_datetime(s).map(Value::DateTime),
    }
}

fn parse_int(s: &str) -> Result<i64, String> {
    if let Ok(i) = s.parse::<i64>() {
        return Ok(i);
    }
    // Excel writes whole numbers as `12.0`.
    match s.parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(f as i64),
        _ => Err(format!("'{s}' is not a whole number")),
    }
}

fn parse_bool(s: &str) -> Result<bool, String> {
    // Every word below is its own lower case: a cell that is one needs no
    // lower-case copy (most cells); any other is lowered first.
    let word = |w: &str| match w {
        "true" | "1" | "是" | "y" | "yes" | "t" | "属实" | "部分属实" | "有" | "√" | "✓" | "✔"
        | "对" => Some(true),
        "false" | "0" | "否" | "n" | "no" | "f" | "不属实" | "无" | "×" | "✗" | "✘" | "x"
        | "错" => Some(false),
        _ => None,
    };
    word(s).or_else(|| word(&s.to_lowercase())).ok_or_else(|| {
        format!("'{s}' is not yes/no (true/false, 1/0, 是/否, 有/无, √/×, 属实/部分属实/不属实)")
    })
}

/// Split a date-time cell into its date part and optional time part.
fn split_date_time(s: &str) -> (&str, Option<&str>) {
    if let Some(i) = s.find(['T', ' ']) {
        let (d, t) = s.split_at(i);
        let t = t[1..].trim();
        return (d, (!t.is_empty()).then_some(t));
    }
    // `2026年10月8日9时1分`: the date ends at 日.
    if let Some(i) = s.find('日') {
        let (d, t) = s.split_at(i + '日'.len_utf8());
        let t = t.trim();
        return (d, (!t.is_empty()).then_some(t));
    }
    (s, None)
}

/// Dates: `2026-10-08`, `2026/10/8`, `2026.10.08`, `20261008`,
/// `2026年10月8日`; a time part is ignored.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    if let Some(t) = iso(trim_cell(s).as_bytes()) {
        return Ok(t.date());
    }
    let (d, _) = split_date_time(s.trim());
    parse_date_part(d).ok_or_else(|| format!("'{s}' is not a date (expected e.g. 2026-10-08)"))
}

fn parse_date_part(d: &str) -> Option<NaiveDate> {
    if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::from_ymd_opt(
            d[0..4].parse().ok()?,
            d[4..6].parse().ok()?,
            d[6..8].parse().ok()?,
        );
    }
    let parts: Vec<&str> = d
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    if parts.len() != 3 || parts[0].len() != 4 {
        return None;
    }
    let num = |p: &str| -> Option<u32> {
        (!p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    NaiveDate::from_ymd_opt(parts[0].parse().ok()?, num(parts[1])?, num(parts[2])?)
}

fn parse_time_part(t: &str) -> Option<NaiveTime> {
    let t = t.trim_end_matches('秒');
    let parts: Vec<&str> = t.split([':', '时', '分', '点']).collect();
    let parts: Vec<&str> = match parts.last() {
        Some(&"") => parts[..parts.len() - 1].to_vec(),
        _ => parts,
    };
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let field = |p: &str| -> Option<f64> {
        (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
            .then(|| p.parse().ok())
            .flatten()
    };
    let h = field(parts[0])? as u32;
    let m = parts.get(1).map_or(Some(0.0), |p| field(p))? as u32;
    let s = parts.get(2).map_or(Some(0.0), |p| field(p))?;
    NaiveTime::from_hms_milli_opt(
        h,
        m,
        s.trunc() as u32,
        ((s.fract() * 1000.0) as u32).min(999),
    )
}

/// The common form `2026-10-08`, `2026-10-08 09:01` or
/// `2026-10-08 09:01:02`, read without splitting (most cells of an export);
/// `None` for every other form, which the general path reads.
fn iso(b: &[u8]) -> Option<NaiveDateTime> {
    let digits = |at: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in b.get(at)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    let sep = |at: usize, c: u8| b.get(at) == Some(&c);
    if !(matches!(b.len(), 10 | 16 | 19) && sep(4, b'-') && sep(7, b'-')) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)?;
    if b.len() == 10 {
        return date.and_hms_opt(0, 0, 0);
    }
    if !(sep(10, b' ') && sep(13, b':')) {
        return None;
    }
    let (h, m) = (digits(11..13)?, digits(14..16)?);
    let s = if b.len() == 19 {
        if !sep(16, b':') {
            return None;
        }
        digits(17..19)?
    } else {
        0
    };
    date.and_hms_opt(h, m, s)
}

/// Date-times: a date form of [`parse_date`] followed by `9:01`, `09:01:02`,
/// `09:01:02.5` or `9时1分`; a date alone is midnight.
pub fn parse_datetime(s: &str) -> Result<NaiveDateTime, String> {
    if let Some(t) = iso(trim_cell(s).as_bytes()) {
        return Ok(t);
    }
    let bad = || format!("'{s}' is not a date-time (expected e.g. 2026-10-08 09:01:02)");
    let (d, t) = split_date_time(s.trim());
    let date = parse_date_part(d).ok_or_else(bad)?;
    let time = match t {
        None => NaiveTime::MIN,
        Some(t) => parse_time_part(t).ok_or_else(bad)?,
    };
    Ok(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn a_cell_is_trimmed_as_str_trim_trims_it() {
        for cell in [
            "",
            " ",
            "a",
            "W001",
            " W001",
            "W001 ",
            "\tW001\r",
            "窗口一",
            "\u{3000}窗口一\u{3000}",
            "a\u{3000}",
            "\u{a0}1\u{a0}",
            "1 2",
            "2025-10-08 08:00:00",
            "~x~",
            "\u{feff}x",
        ] {
            assert_eq!(trim_cell(cell), cell.trim(), "{cell:?}");
        }
        // Every string of three pieces: white space of one to three bytes,
        // ideographs, other characters of two to four bytes, ASCII.
        let pieces = [
            "", " ", "\t", "\u{85}", "\u{a0}", "\u{2003}", "\u{3000}", "窗", "一", "é", "，",
            "\u{feff}", "𠀀", "a", "~",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let cell = format!("{a}{b}{c}");
                    assert_eq!(trim_cell(&cell), cell.trim(), "{cell:?}");
                }
            }
        }
    }

    #[test]
    fn chinese_export_datetime_forms() {
        let want = dt("2026-10-08 09:01:00");
        for s in [
            "2026-10-08 09:01:00",
            "2026/10/8 9:01",
            "2026-10-08T09:01",
            "2026年10月8日 9时1分",
            "2026年10月8日9时1分",
            "2026.10.08 09:01",
        ] {
            assert_eq!(parse_datetime(s), Ok(want), "{s}");
        }
        assert_eq!(
            parse_datetime("2026-10-08 09:01:02.250").unwrap(),
            dt("2026-10-08 09:01:02") + chrono::Duration::milliseconds(250)
        );
        assert_eq!(
            parse_datetime("2026年10月8日"),
            Ok(dt("2026-10-08 00:00:00"))
        );
    }

    #[test]
    fn date_forms_and_rejects() {
        let want = NaiveDate::from_ymd_opt(2026, 10, 8).unwrap();
        for s in [
            "2026-10-08",
            "2026/10/8",
            "20261008",
            "2026年10月8日",
            "2026-10-08 17:00",
        ] {
            assert_eq!(parse_date(s), Ok(want), "{s}");
        }
        for s in [
            "2026-13-45",
            "08/10/2026",
            "2026-10",
            "yesterday",
            "2026-1a-08",
        ] {
            assert!(parse_date(s).is_err(), "{s}");
        }
        assert!(parse_datetime("2026-10-08 25:00").is_err());
        assert!(parse_datetime("2026-10-08 ab:cd").is_err());
    }

    #[test]
    fn the_quick_form_reads_as_the_general_path_does() {
        // What the general path makes of a cell, without the quick form.
        let general = |s: &str| {
            let (d, t) = split_date_time(s.trim());
            let date = parse_date_part(d)?;
            match t {
                None => Some(date.and_time(NaiveTime::MIN)),
                Some(t) => parse_time_part(t).map(|t| date.and_time(t)),
            }
        };
        for s in [
            "2026-10-08",
            "2026-10-08 09:01",
            "2026-10-08 09:01:02",
            "2026-02-29 09:01",
            "2024-02-29 23:59:59",
            "2026-10-08 24:00",
            "2026-10-08 09:60",
            "2026-13-08",
            "2026-1a-08",
            "2026-10-08T09:01",
            "2026-10-08 9:01",
            "2026-10-08 09:01:02.5",
        ] {
            assert_eq!(iso(s.as_bytes()).or_else(|| general(s)), general(s), "{s}");
            assert_eq!(parse_datetime(s).ok(), general(s), "{s}");
        }
        assert!(iso(b"2026-10-08 09:01:02.5").is_none());
        assert_eq!(iso(b"2026-10-08 09:01"), Some(dt("2026-10-08 09:01:00")));
    }

    #[test]
    fn numbers_and_flags() {
        assert_eq!(parse("12", ColType::Int), Ok(Value::Int(12)));
        assert_eq!(parse("12.0", ColType::Int), Ok(Value::Int(12)));
        assert!(parse("12.5", ColType::Int).is_err());
        assert_eq!(parse(" -2.5 ", ColType::Number), Ok(Value::Number(-2.5)));
        assert!(parse("NaN", ColType::Number).is_err());
        assert_eq!(parse("是", ColType::Bool), Ok(Value::Bool(true)));
        assert_eq!(parse("N", ColType::Bool), Ok(Value::Bool(false)));
        // As written, or in another case.
        for (cell, want) in [
            ("yes", true),
            ("YES", true),
            ("True", true),
            ("否", false),
            ("F", false),
        ] {
            assert_eq!(parse(cell, ColType::Bool), Ok(Value::Bool(want)), "{cell}");
        }
        assert!(parse("maybe", ColType::Bool).is_err());
        assert_eq!(parse("  ", ColType::Int), Ok(Value::Null));
    }
}
