//! Row checks beyond types: times in order, levels and limits in range,
//! suspension kinds known. References to other tables are checked when
//! a part of a file has been read, against the keys of the tables read
//! before (see `ingest::parse_all`, `parse::Known` and `keyset::KeySet`).

use super::table::TableSpec;
use super::values::Value;

/// The two kinds of suspension that stop the clock.
pub const SUSPENSION_KINDS: [&str; 2] = ["特别程序", "补正"];

/// The words for each suspension kind, as exports write them.
pub const SUSPENSION_KIND_WORDS: [(&str, &[&str]); 2] = [
    ("特别程序", &["特别程序", "特殊程序", "special"]),
    ("补正", &["补正", "补齐补正", "supplement"]),
];

/// The values of a closed text column, each with the words for it.
pub type ClosedValues = &'static [(&'static str, &'static [&'static str])];

/// A reply's outcomes (回告结果), with the words exports write for each.
pub const REPLY_OUTCOMES: [(&str, &[&str]); 3] = [
    (
        "已办结",
        &["已办结", "办结", "已办理", "已完成", "完成", "done"],
    ),
    (
        "已说明情况",
        &["已说明情况", "说明情况", "情况说明", "已说明", "explained"],
    ),
    ("申请延期", &["申请延期", "延期", "extension"]),
];

/// A complaint's results (核查结果), with the words exports write for each.
pub const COMPLAINT_RESULTS: [(&str, &[&str]); 3] = [
    ("属实", &["属实", "情况属实", "是"]),
    ("部分属实", &["部分属实", "基本属实"]),
    (
        "不属实",
        &["不属实", "情况不属实", "不实", "查无实据", "否"],
    ),
];

/// An appeal's review results (申诉复核): 误评 and 不实 exclude the rating.
pub const APPEAL_RESULTS: [(&str, &[&str]); 3] = [
    ("误评", &["误评", "误操作", "误点"]),
    ("不实", &["不实", "不属实", "评价不实", "恶意差评"]),
    ("维持", &["维持", "维持原评价", "差评属实", "驳回"]),
];

/// The text columns that take one of a few values: (table, column, the
/// values with their words). A row with another word is rejected.
pub const CLOSED_COLUMNS: [(&str, &str, ClosedValues); 4] = [
    ("suspensions", "kind", &SUSPENSION_KIND_WORDS),
    ("replies", "outcome", &REPLY_OUTCOMES),
    ("complaints", "result", &COMPLAINT_RESULTS),
    ("ratings", "appeal_result", &APPEAL_RESULTS),
];

/// The value a word names among `values`, if any.
fn closed_value(values: &[(&'static str, &[&str])], word: &str) -> Option<&'static str> {
    let word = word.trim().to_lowercase();
    values
        .iter()
        .find(|(_, words)| words.contains(&word.as_str()))
        .map(|(value, _)| *value)
}

/// The kind a word names, if any.
pub fn suspension_kind(word: &str) -> Option<&'static str> {
    closed_value(&SUSPENSION_KIND_WORDS, word)
}

/// The built-in words of a closed column, for the docs.
pub fn closed_words(table: &str, column: &str) -> Vec<&'static str> {
    CLOSED_COLUMNS
        .iter()
        .filter(|(t, c, _)| *t == table && *c == column)
        .flat_map(|(_, _, values)| values.iter().flat_map(|(_, words)| words.iter().copied()))
        .collect()
}

/// (earlier, later) column pairs that must be in order when both are given.
fn ordered_pairs(table: &str) -> &'static [(&'static str, &'static str)] {
    match table {
        "staff" => &[("valid_from", "valid_to")],
        "leaves" => &[("start", "end")],
        "departures" => &[("out_at", "back_at")],
        "cases" => &[("accepted_at", "completed_at")],
        "suspensions" => &[("start", "end")],
        "case_steps" => &[("started_at", "finished_at")],
        "ratings" => &[
            ("rated_at", "rectified_at"),
            ("rated_at", "called_back_at"),
            ("rated_at", "feedback_at"),
        ],
        "tickets" => &[("issued_at", "called_at"), ("called_at", "finished_at")],
        "complaints" => &[
            ("received_at", "accepted_at"),
            ("received_at", "declined_at"),
            ("accepted_at", "replied_at"),
            ("received_at", "closed_at"),
        ],
        _ => &[],
    }
}

/// Integer columns with their allowed range.
fn int_ranges(table: &str) -> &'static [(&'static str, i64, i64)] {
    const LIMIT: i64 = 3650;
    match table {
        "items" => &[
            ("legal_limit_days", 0, LIMIT),
            ("promised_limit_days", 0, LIMIT),
            ("materials", 0, 10_000),
            ("steps", 0, 1_000),
        ],
        "cases" => &[
            ("promised_limit_days", 0, LIMIT),
            ("legal_limit_days", 0, LIMIT),
        ],
        "case_steps" => &[("seq", 1, 1_000), ("limit_days", 0, LIMIT)],
        "item_steps" => &[("limit_days", 0, LIMIT)],
        "ratings" => &[("level", 1, 5)],
        _ => &[],
    }
}

type RowError = (Option<&'static str>, String);

/// Check one parsed row of `table`; may normalise values (suspension kind).
pub fn check_row(table: &TableSpec, values: &mut [Value]) -> Result<(), RowError> {
    RowChecks::of(table).check(values)
}

/// A column of a row: its index and name.
type Column = (usize, &'static str);

/// The checks of one table, with its columns found once (a file's rows
/// then cost no look-up by name).
#[derive(Debug, Clone)]
pub struct RowChecks {
    /// (earlier, later) columns: index and name of each.
    ordered: Vec<(Column, Column)>,
    /// Integer columns with their range.
    ranges: Vec<(usize, &'static str, i64, i64)>,
    /// The promised and the legal limit, when the table has both.
    limits: Option<(usize, usize)>,
    /// Closed text columns (suspension kind, reply outcome, complaint
    /// result): index, name and values, normalised.
    closed: Vec<(usize, &'static str, ClosedValues)>,
    /// A reply's notice id, case id, outcome and new date: it names a
    /// notice or a case, and an extension gives its new date.
    reply: Option<[usize; 4]>,
}

impl RowChecks {
    pub fn of(table: &TableSpec) -> RowChecks {
        let at = |name: &'static str| (table.column_index(name).expect("known column"), name);
        RowChecks {
            ordered: ordered_pairs(table.name)
                .iter()
                .map(|&(a, b)| (at(a), at(b)))
                .collect(),
            ranges: int_ranges(table.name)
                .iter()
                .map(|&(c, lo, hi)| (at(c).0, c, lo, hi))
                .collect(),
            limits: matches!(table.name, "items" | "cases")
                .then(|| (at("promised_limit_days").0, at("legal_limit_days").0)),
            closed: CLOSED_COLUMNS
                .iter()
                .filter(|(t, _, _)| *t == table.name)
                .map(|&(_, c, values)| (at(c).0, c, values))
                .collect(),
            reply: (table.name == "replies").then(|| {
                [
                    at("notice_id").0,
                    at("case_id").0,
                    at("outcome").0,
                    at("new_date").0,
                ]
            }),
        }
    }

    /// Check one parsed row; may normalise values (suspension kind).
    pub fn check(&self, values: &mut [Value]) -> Result<(), RowError> {
        for &((ia, a), (ib, b)) in &self.ordered {
            if let (Some(x), Some(y)) = (values[ia].as_datetime(), values[ib].as_datetime()) {
                if y < x {
                    return Err((
                        Some(b),
                        format!("{b} {} is before {a} {}", values[ib], values[ia]),
                    ));
                }
            }
        }
        for &(i, c, lo, hi) in &self.ranges {
            if let Some(v) = values[i].as_int() {
                if !(lo..=hi).contains(&v) {
                    return Err((Some(c), format!("{c} {v} is outside {lo}–{hi}")));
                }
            }
        }
        if let Some((ip, il)) = self.limits {
            if let (Some(p), Some(l)) = (values[ip].as_int(), values[il].as_int()) {
                if p > l {
                    return Err((
                        Some("promised_limit_days"),
                        format!("promised limit {p} exceeds the legal limit {l}"),
                    ));
                }
            }
        }
        for &(i, c, closed) in &self.closed {
            let Some(word) = values[i].as_text() else {
                continue;
            };
            let Some(normal) = closed_value(closed, word) else {
                let names: Vec<&str> = closed.iter().map(|(v, _)| *v).collect();
                return Err((
                    Some(c),
                    format!("{c} '{word}' is none of {}", names.join(", ")),
                ));
            };
            values[i] = Value::Text(normal.into());
        }
        if let Some([notice, case, outcome, new_date]) = self.reply {
            if values[notice].as_text().is_none() && values[case].as_text().is_none() {
                return Err((
                    Some("notice_id"),
                    "a reply names neither a notice nor a case".into(),
                ));
            }
            if values[outcome].as_text() == Some("申请延期")
                && matches!(values[new_date], Value::Null)
            {
                return Err((
                    Some("new_date"),
                    "申请延期 without the date it asks for".into(),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::table;
    use super::super::values::parse;
    use super::*;

    fn row<'a>(table_name: &str, cells: &[&'a str]) -> Result<Vec<Value<'a>>, RowError> {
        let t = table(table_name).unwrap();
        let mut values: Vec<Value> = t
            .columns
            .iter()
            .zip(cells)
            .map(|(c, s)| parse(s, c.ty).unwrap())
            .collect();
        check_row(t, &mut values).map(|()| values)
    }

    #[test]
    fn completed_before_accepted_is_rejected() {
        let e = row(
            "cases",
            &[
                "C1",
                "I1",
                "W01",
                "",
                "",
                "2026-10-08 09:00",
                "2026-10-07 09:00",
                "",
                "",
                "",
            ],
        )
        .unwrap_err();
        assert_eq!(e.0, Some("completed_at"));
    }

    #[test]
    fn level_out_of_range_is_rejected() {
        let e = row(
            "ratings",
            &[
                "R1",
                "",
                "W01",
                "",
                "2026-10-08",
                "7",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        )
        .unwrap_err();
        assert_eq!(e.0, Some("level"));
        assert!(e.1.contains("1–5"));
    }

    #[test]
    fn promised_over_legal_is_rejected() {
        let e = row("items", &["I1", "x", "d", "5", "8", "", "", "2026-01-01"]).unwrap_err();
        assert!(e.1.contains("exceeds"));
    }

    #[test]
    fn suspension_kinds_are_normalised() {
        let v = row("suspensions", &["C1", "special", "2026-10-08", "", ""]).unwrap();
        assert_eq!(v[1], Value::Text("特别程序".into()));
        assert!(row("suspensions", &["C1", "午休", "2026-10-08", "", ""]).is_err());
    }

    #[test]
    fn replies_name_a_notice_or_a_case_and_an_extension_its_date() {
        let v = row(
            "replies",
            &["", "C1", "2026-10-08 10:00", "延期", "2026-10-20", ""],
        )
        .unwrap();
        assert_eq!(v[3], Value::Text("申请延期".into()));
        let e = row("replies", &["", "", "2026-10-08 10:00", "办结", "", ""]).unwrap_err();
        assert_eq!(e.0, Some("notice_id"));
        let e = row("replies", &["D1", "", "2026-10-08 10:00", "延期", "", ""]).unwrap_err();
        assert_eq!(e.0, Some("new_date"));
        let e = row("replies", &["D1", "", "2026-10-08 10:00", "不知道", "", ""]).unwrap_err();
        assert_eq!(e.0, Some("outcome"));
        assert!(e.1.contains("已办结, 已说明情况, 申请延期"), "{}", e.1);
    }
}
