//! Records to typed rows: map the header to the table's columns, parse each
//! cell, run the row checks. A row that fails becomes a [`Reject`] naming the
//! line, the column and the reason; nothing is dropped.

use super::checks::check_row;
use super::decode::DAMAGE;
use super::records::{raw_text, Record};
use super::table::{ColType, TableSpec};
use super::values::{parse, Value};
use super::vocab::{from_file_name, normalise_header, word_value, ColumnWords};
use std::collections::BTreeMap;

/// A rejected input row.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub line: u64,
    pub column: Option<String>,
    pub reason: String,
    pub raw: String,
}

/// A parsed row: one value per column of the table, in the table's order.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    pub values: Vec<Value>,
    pub span: (usize, usize),
}

/// The outcome of parsing one file's records.
#[derive(Debug, Default)]
pub struct Parsed {
    pub rows: Vec<Row>,
    pub rejects: Vec<Reject>,
    /// Data records read (the header not counted).
    pub read: u64,
    /// Things worth telling the user that reject nothing (ignored columns).
    pub notes: Vec<String>,
    /// The file as a whole cannot be read as its table (a required column
    /// has no header): the verdict, said once; every row is rejected with
    /// it and none is stored.
    pub failed: Option<String>,
    /// Each header and the column it feeds (`None`: ignored).
    pub mapping: Vec<(String, Option<&'static str>)>,
}

/// Limits and user mappings for parsing.
#[derive(Debug, Clone)]
pub struct ParseOptions<'a> {
    /// Longest field accepted, in bytes.
    pub max_field_bytes: usize,
    /// Longest raw text kept with a reject, in characters.
    pub max_raw_chars: usize,
    /// Extra header aliases for this table: header → column.
    pub aliases: Option<&'a BTreeMap<String, String>>,
    /// Extra value words for this table's columns (`[values.<table>]`).
    pub values: Option<&'a ColumnWords>,
    /// The file's name: a fact it carries fills a column the file lacks.
    pub file_name: &'a str,
    /// Years the working-day calendar covers; a date in another year is
    /// rejected (empty: no check).
    pub years: &'a [i32],
}

/// Reject a date or date-time in a year the calendar does not cover.
fn check_year(
    name: &'static str,
    v: &Value,
    years: &[i32],
) -> Result<(), (Option<&'static str>, String)> {
    use chrono::Datelike;
    let Some(t) = v.as_datetime() else {
        return Ok(());
    };
    if years.is_empty() || years.contains(&t.year()) {
        return Ok(());
    }
    Err((
        Some(name),
        format!(
            "{name} {v} is in {}, a year the working-day calendar does not cover (it covers {}–{}: the official years and the year after the last of them; a later year's list is loaded with `xiaoneng calendar import`)",
            t.year(),
            years.iter().min().copied().unwrap_or_default(),
            years.iter().max().copied().unwrap_or_default()
        ),
    ))
}

/// Which record field feeds each column of the table (by column index).
fn map_header(
    table: &TableSpec,
    header: &[String],
    opts: &ParseOptions,
    notes: &mut Vec<String>,
) -> Vec<Option<usize>> {
    let mut map = vec![None; table.columns.len()];
    let mut ignored = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let h = normalise_header(h);
        if h.is_empty() {
            continue;
        }
        let user = opts.aliases.and_then(|a| {
            a.iter()
                .find(|(k, _)| normalise_header(k) == h)
                .map(|(_, v)| v.as_str())
        });
        // A `[columns]` line wins over the built-in names.
        let target = match user {
            Some(u) => table.column_index(u),
            None => table.columns.iter().position(|c| {
                normalise_header(c.name) == h || c.aliases.iter().any(|a| normalise_header(a) == h)
            }),
        };
        match target {
            Some(c) if map[c].is_none() => map[c] = Some(i),
            Some(c) => notes.push(format!(
                "header '{h}' maps to {} again; the first one is used",
                table.columns[c].name
            )),
            None => ignored.push(h),
        }
    }
    if !ignored.is_empty() {
        notes.push(format!("columns ignored: {}", ignored.join(", ")));
    }
    map
}

/// Parse the records of a CSV export (first record = header).
pub fn parse_delimited(
    table: &TableSpec,
    text: &str,
    records: &[Record],
    opts: &ParseOptions,
) -> Parsed {
    let mut out = Parsed::default();
    let Some((header, data)) = records.split_first() else {
        out.notes.push("empty file: no header and no rows".into());
        return out;
    };
    out.read = data.len() as u64;
    let map = map_header(table, &header.fields, opts, &mut out.notes);
    out.mapping = header
        .fields
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let column = map
                .iter()
                .position(|m| *m == Some(i))
                .map(|c| table.columns[c].name);
            (h.clone(), column)
        })
        .collect();
    let missing: Vec<&str> = table
        .columns
        .iter()
        .zip(&map)
        .filter(|(c, m)| {
            c.required
                && m.is_none()
                && from_file_name(table.name, c.name, opts.file_name).is_none()
        })
        .map(|(c, _)| c.name)
        .collect();
    for (c, m) in table.columns.iter().zip(&map) {
        if let (None, Some(v)) = (m, from_file_name(table.name, c.name, opts.file_name)) {
            out.notes
                .push(format!("{} = {v}: from the file's name", c.name));
        }
    }
    let reject = |r: &Record, column: Option<&str>, reason: String| Reject {
        line: r.line,
        column: column.map(str::to_string),
        reason,
        raw: raw_text(text, r.span, opts.max_raw_chars),
    };
    if let Some(first) = missing.first() {
        let verdict = missing_columns_verdict(table, &header.fields, &map, &missing);
        let reason = format!("the file failed: {verdict}");
        out.rejects = data
            .iter()
            .map(|r| reject(r, Some(first), reason.clone()))
            .collect();
        out.failed = Some(verdict);
        return out;
    }
    for r in data {
        if r.truncated {
            out.rejects.push(reject(r, None, TRUNCATED.to_string()));
            continue;
        }
        match parse_record(table, &map, header.fields.len(), r, opts) {
            Ok(values) => out.rows.push(Row {
                line: r.line,
                values,
                span: r.span,
            }),
            Err((column, reason)) => out.rejects.push(reject(r, column, reason)),
        }
    }
    out
}

/// The one message of a file whose required columns cannot be found: its
/// headers, the fields missing, the closest header for each and the
/// `[columns]` lines that would map them.
fn missing_columns_verdict(
    table: &TableSpec,
    headers: &[String],
    map: &[Option<usize>],
    missing: &[&str],
) -> String {
    let used: Vec<usize> = map.iter().flatten().copied().collect();
    let free: Vec<&String> = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !used.contains(i) && !h.trim().is_empty())
        .map(|(_, h)| h)
        .collect();
    let mut fixes = Vec::new();
    for m in missing {
        let c = table.column(m);
        let names: Vec<String> = std::iter::once(c.name)
            .chain(c.aliases.iter().copied())
            .map(normalise_header)
            .collect();
        let closest = free
            .iter()
            .map(|h| {
                let n = normalise_header(h);
                let score = names.iter().map(|a| common_run(&n, a)).max().unwrap_or(0);
                (score, *h)
            })
            .filter(|(score, _)| *score >= 2)
            .max_by_key(|(score, _)| *score);
        fixes.push(match closest {
            Some((_, h)) => format!("{m}: closest header '{h}' → [columns.{}] \"{h}\" = \"{m}\"", table.name),
            None => format!(
                "{m}: no header comes close → [columns.{}] \"<its header>\" = \"{m}\" (known names: {})",
                table.name,
                std::iter::once(c.name)
                    .chain(c.aliases.iter().copied())
                    .take(6)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    format!(
        "no column for the required field(s) {} of {}; its headers: {}. To map them, in xiaoneng.toml: {}",
        missing.join(", "),
        table.name,
        headers.join(", "),
        fixes.join("; ")
    )
}

/// The length in characters of the longest run two strings share.
fn common_run(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut best = 0;
    let mut prev = vec![0usize; b.len() + 1];
    for x in &a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            if x == y {
                cur[j + 1] = prev[j] + 1;
                best = best.max(cur[j + 1]);
            }
        }
        prev = cur;
    }
    best
}

type RowError = (Option<&'static str>, String);

/// The reason a cut-off last line is rejected.
const TRUNCATED: &str =
    "truncated: the file's last line has no line end and is cut off (an export still being written?)";

fn parse_record(
    table: &TableSpec,
    map: &[Option<usize>],
    width: usize,
    r: &Record,
    opts: &ParseOptions,
) -> Result<Vec<Value>, RowError> {
    let extra_all_empty = r.fields.iter().skip(width).all(|f| f.trim().is_empty());
    if r.fields.len() < width || (r.fields.len() > width && !extra_all_empty) {
        return Err((
            None,
            format!(
                "expected {width} fields, found {} (ragged row)",
                r.fields.len()
            ),
        ));
    }
    check_fields(&r.fields, opts)?;
    let mut values = Vec::with_capacity(table.columns.len());
    for (c, m) in table.columns.iter().zip(map) {
        let raw = match m {
            Some(i) => r.fields[*i].as_str(),
            None => from_file_name(table.name, c.name, opts.file_name).unwrap_or(""),
        };
        let word = word_value(table.name, c.name, raw, opts.values);
        let v = parse(word.as_deref().unwrap_or(raw), c.ty).map_err(|e| {
            let words = super::vocab::built_in_words(table.name, c.name);
            let hint = if words.is_empty() {
                String::new()
            } else {
                format!(
                    "; words known: {} (add others under [values.{}.{}] in xiaoneng.toml)",
                    words.join(", "),
                    table.name,
                    c.name
                )
            };
            (Some(c.name), format!("{}: {e}{hint}", c.name))
        })?;
        if c.required && v == Value::Null {
            return Err((Some(c.name), format!("required field {} is empty", c.name)));
        }
        check_year(c.name, &v, opts.years)?;
        values.push(v);
    }
    // A column keeping the word of another (the class of a priority
    // ticket), when the file has no header of its own for it.
    for (k, (c, m)) in table.columns.iter().zip(map).enumerate() {
        let (Some(of), None) = (c.word_of, m) else {
            continue;
        };
        let Some(src) = table.column_index(of) else {
            continue;
        };
        let raw = map[src].map_or("", |i| r.fields[i].trim());
        let plain_yes_no = parse(raw, super::table::ColType::Bool).is_ok();
        if values[src] == Value::Bool(true) && !plain_yes_no {
            values[k] = Value::Text(raw.to_string());
        }
    }
    check_row(table, &mut values)?;
    Ok(values)
}

fn check_fields(fields: &[String], opts: &ParseOptions) -> Result<(), RowError> {
    for f in fields {
        if f.contains('\0') {
            return Err((None, "binary data (NUL byte) in the row".into()));
        }
        if f.contains(DAMAGE) {
            return Err((None, "bytes not valid in the file's encoding".into()));
        }
        if f.len() > opts.max_field_bytes {
            return Err((
                None,
                format!(
                    "a field of {} bytes, over the limit of {} (ingest.max_field_bytes)",
                    f.len(),
                    opts.max_field_bytes
                ),
            ));
        }
    }
    Ok(())
}

/// Parse the records of a ZKTeco `attlog.dat` into punches rows
/// (staff_id, punched_at, device_id).
pub fn parse_attlog(
    table: &TableSpec,
    text: &str,
    records: &[Record],
    opts: &ParseOptions,
) -> Parsed {
    debug_assert_eq!(table.name, "punches");
    let mut out = Parsed {
        read: records.len() as u64,
        ..Parsed::default()
    };
    for r in records {
        let result = check_fields(&r.fields, opts).and_then(|()| {
            if r.truncated {
                return Err((None, TRUNCATED.to_string()));
            }
            if r.fields.len() < 2 {
                return Err((None, "expected PIN<TAB>date-time<TAB>device…".to_string()));
            }
            let pin = r.fields[0].trim();
            if pin.is_empty() {
                return Err((
                    Some("staff_id"),
                    "required field staff_id (PIN) is empty".into(),
                ));
            }
            let at = parse(&r.fields[1], ColType::DateTime)
                .map_err(|e| (Some("punched_at"), format!("punched_at: {e}")))?;
            if at == Value::Null {
                return Err((
                    Some("punched_at"),
                    "required field punched_at is empty".into(),
                ));
            }
            check_year("punched_at", &at, opts.years)?;
            let device = r.fields.get(2).map_or("", |d| d.trim());
            let device = parse(device, ColType::Text).unwrap_or(Value::Null);
            Ok(vec![Value::Text(pin.to_string()), at, device])
        });
        match result {
            Ok(values) => out.rows.push(Row {
                line: r.line,
                values,
                span: r.span,
            }),
            Err((column, reason)) => out.rejects.push(Reject {
                line: r.line,
                column: column.map(str::to_string),
                reason,
                raw: raw_text(text, r.span, opts.max_raw_chars),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::records::read_delimited;
    use super::super::table::table;
    use super::*;

    fn opts() -> ParseOptions<'static> {
        ParseOptions {
            max_field_bytes: 100,
            max_raw_chars: 200,
            aliases: None,
            values: None,
            file_name: "",
            years: &[],
        }
    }

    fn run(table_name: &str, text: &str) -> Parsed {
        let t = table(table_name).unwrap();
        parse_delimited(t, text, &read_delimited(text), &opts())
    }

    #[test]
    fn chinese_headers_map_to_columns() {
        let p = run(
            "windows",
            "窗口编号,窗口名称,部门,备注\nW01,税务窗口,税务局,x\n",
        );
        assert_eq!(p.read, 1);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].values[0], Value::Text("W01".into()));
        assert!(p.notes.iter().any(|n| n.contains("备注")));
    }

    #[test]
    fn vendor_headers_map_and_a_file_without_a_required_column_fails_once() {
        let p = run(
            "items",
            "事项编码,事项名称,实施部门,法定时限（天）,承诺时限(工作日),申报材料(件),生效日期\nA1,登记,税务局,20,5,3,2026-01-01\n",
        );
        assert_eq!(
            (p.rows.len(), p.failed.clone()),
            (1, None),
            "{:?}",
            p.rejects
        );
        let p = run(
            "windows",
            "window_no,window_name,dept_name\nW01,税务,税务局\n",
        );
        assert_eq!(p.rows.len(), 1, "{:?}", p.rejects);
        let p = run("windows", "WindowNo,Window Name,Department\nW01,a,b\n");
        assert_eq!(p.rows.len(), 1, "{:?}", p.rejects);
        // A header the list does not know: one verdict with the fix.
        let p = run("windows", "窗口编号,窗口描述,部门\nW01,a,b\nW02,c,d\n");
        let verdict = p.failed.clone().unwrap();
        assert!(verdict.contains("name"), "{verdict}");
        assert!(
            verdict.contains(r#"[columns.windows] "窗口描述" = "name""#),
            "{verdict}"
        );
        assert_eq!((p.rows.len(), p.rejects.len()), (0, 2));
    }

    #[test]
    fn words_for_levels_priority_and_yes_no() {
        let p = run(
            "ratings",
            "评价编号,窗口编号,评价时间,评价结果\nR1,W01,2026-10-09 10:00,非常满意\nR2,W01,2026-10-09 11:00,很差劲\n",
        );
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].values[5], Value::Int(5));
        assert!(
            p.rejects[0].reason.contains("[values.ratings.level]"),
            "{:?}",
            p.rejects
        );
        let p = run(
            "tickets",
            "票号,队列,取号时间,优先类型,状态\nT1,A,2026-10-09 09:00,老年人,已完成\nT2,A,2026-10-09 09:01,普通,过号\nT3,A,2026-10-09 09:02,√,\n",
        );
        let priority: Vec<&Value> = p.rows.iter().map(|r| &r.values[7]).collect();
        assert_eq!(
            priority,
            [&Value::Bool(true), &Value::Bool(false), &Value::Bool(true)]
        );
        assert_eq!(p.rows[0].values[8], Value::Text("完成".into()));
    }

    #[test]
    fn a_columns_line_wins_over_a_built_in_name() {
        // 名称 is built in for windows.name; this center's 名称 is the department.
        let mut aliases = BTreeMap::new();
        aliases.insert("名称".to_string(), "department".to_string());
        let t = table("windows").unwrap();
        let text = "窗口编号,窗口名,名称\nW01,综合窗口,政务办\n";
        let o = ParseOptions {
            aliases: Some(&aliases),
            ..opts()
        };
        let p = parse_delimited(t, text, &read_delimited(text), &o);
        assert_eq!(
            p.rows[0].values[2],
            Value::Text("政务办".into()),
            "{:?}",
            p.rejects
        );
    }

    #[test]
    fn user_alias_maps_a_header() {
        let mut aliases = BTreeMap::new();
        aliases.insert("柜台".to_string(), "window_id".to_string());
        let t = table("windows").unwrap();
        let text = "柜台,name,department\nW01,a,b\n";
        let o = ParseOptions {
            aliases: Some(&aliases),
            ..opts()
        };
        let p = parse_delimited(t, text, &read_delimited(text), &o);
        assert_eq!(p.rows.len(), 1);
    }

    #[test]
    fn dates_outside_the_calendar_years_are_rejected() {
        let years = [2025];
        let l = table("leaves").unwrap();
        let text = "staff_id,kind,start,end\n1,事假,2025-03-01 08:30,2025-03-01 12:00\n1,事假,2062-03-01 08:30,2062-03-01 12:00\n";
        let o = ParseOptions {
            years: &years,
            ..opts()
        };
        let p = parse_delimited(l, text, &read_delimited(text), &o);
        assert_eq!((p.rows.len(), p.rejects.len()), (1, 1));
        assert!(p.rejects[0].reason.contains("2062"), "{:?}", p.rejects);
        assert_eq!(p.rejects[0].column.as_deref(), Some("start"));
    }

    #[test]
    fn missing_required_column_rejects_every_row() {
        let p = run("windows", "window_id,name\nW01,a\nW02,b\n");
        assert_eq!(p.read, 2);
        assert_eq!(p.rejects.len(), 2);
        assert!(p.rejects[0].reason.contains("department"));
    }

    #[test]
    fn bad_rows_carry_line_column_reason_and_raw() {
        let text = "window_id,name,department\nW01,a,b\nW02,c\n,d,e\nW04,x,\"y\0\"\nW05,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,b\n";
        let p = run("windows", text);
        assert_eq!(p.read, 5);
        assert_eq!(p.rows.len(), 1);
        let reasons: Vec<(u64, &str)> = p
            .rejects
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert!(reasons[0].1.contains("ragged"), "{reasons:?}");
        assert_eq!(reasons[0].0, 3);
        assert_eq!(p.rejects[0].raw, "W02,c");
        assert!(reasons[1].1.contains("required field window_id is empty"));
        assert_eq!(p.rejects[1].column.as_deref(), Some("window_id"));
        assert!(reasons[2].1.contains("NUL"));
        assert!(reasons[3].1.contains("over the limit"));
    }

    #[test]
    fn attlog_rows_and_garbled_lines() {
        let t = table("punches").unwrap();
        let text =
            "     1001\t2026-10-08 08:21:03\t1\t0\t1\t0\n     1002\t2026-1x-08 08:25\t1\t0\t1\t0\n";
        let recs = super::super::records::read_attlog(text);
        let p = parse_attlog(t, text, &recs, &opts());
        assert_eq!((p.read, p.rows.len(), p.rejects.len()), (2, 1, 1));
        assert_eq!(p.rows[0].values[0], Value::Text("1001".into()));
        assert_eq!(p.rejects[0].column.as_deref(), Some("punched_at"));
        assert_eq!(p.rejects[0].line, 2);
    }
}
