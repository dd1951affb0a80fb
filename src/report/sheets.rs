//! The report tables as people read them: each table's sheet title, its
//! columns' Chinese headers and how each shows (from `metrics::schema`),
//! the cells as shown, and the CSV written for people.
//!
//! Two kinds of CSV leave xiaoneng. The tables a report writes beside its
//! Markdown are for people: UTF-8 with a BOM (Excel on a Chinese Windows
//! desktop reads BOM-less UTF-8 as GBK), Chinese headers, rates as
//! percentages with two decimals (`84.19%`, which Excel reads as the
//! number 0.8419), counts as whole numbers, other figures with two
//! decimals, booleans as 是/否. `query`, `metrics --format csv` and the
//! store are for machines and keep their column names and full precision.
//! The workbook (`report::xlsx`) writes the same headers and cells.

use crate::metrics::schema::{self, Measure, Shape, Table};
use crate::view::Cell;
use anyhow::Result;
use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;
use std::borrow::Cow;

/// One table of a report (or a metric table) as a sheet: its CSV name,
/// its sheet title and where its columns' labels come from.
#[derive(Debug, Clone, Copy)]
pub struct Sheet {
    /// The table's name: `<name>.csv` beside the report.
    pub name: &'static str,
    /// The sheet's title in a workbook (at most 31 characters).
    pub title: &'static str,
    /// The metric table whose rows (or some of whose columns) it shows.
    pub table: Option<&'static Table>,
    /// Labels of its own, first: where a word means something else here.
    pub own: &'static [Measure],
    /// The cells of its Markdown table, when those name its columns.
    pub cells: &'static [(&'static str, Cell<'static>)],
}

const fn sheet(name: &'static str, title: &'static str, table: Option<&'static Table>) -> Sheet {
    Sheet {
        name,
        title,
        table,
        own: &[],
        cells: &[],
    }
}

const fn own(column: &'static str, label: &'static str, shape: Shape) -> Measure {
    Measure {
        column,
        label,
        shape,
    }
}

/// Every table the reports write, and the metric tables `metrics` shows,
/// with their sheet titles.
pub const SHEETS: [Sheet; 34] = [
    // The daily report (日报表).
    sheet("cards", "红黄牌", None),
    Sheet {
        own: &[own("deadline", "期限", Shape::Text)],
        ..sheet("complaints", "投诉", None)
    },
    sheet("callbacks_due", "当日应回访差评", None),
    Sheet {
        own: &[own("deadline", "整改时限", Shape::Text)],
        ..sheet("bad_rating_alerts", "差评整改提醒", None)
    },
    sheet(
        "attendance_exceptions",
        "考勤异常",
        Some(&schema::STAFF_DAYS),
    ),
    Sheet {
        own: &[own("reason", "说明", Shape::Text)],
        ..sheet("notices", "督办", None)
    },
    // The weekly publication (周公示).
    sheet("attendance", "考勤公示", Some(&schema::ATTENDANCE_SHEET)),
    // The bulletins (月通报, 季度评议, 年度考核).
    sheet("cases_by_window", "各窗口办件", Some(&schema::CASES)),
    sheet(
        "service_channels",
        "各申报渠道",
        Some(&schema::SERVICE_CHANNELS_TABLE),
    ),
    sheet(
        "services_by_window",
        "各窗口特色服务",
        Some(&schema::SERVICES),
    ),
    sheet("refusals", "不予受理", None),
    Sheet {
        own: &[own("deadline", "期限", Shape::Text)],
        ..sheet("complaint_cards", "投诉超期", None)
    },
    Sheet {
        own: &[own("level", "评价等级", Shape::Count)],
        ..sheet("excluded_ratings", "复核排除的评价", None)
    },
    sheet("queues", "各队列", Some(&schema::QUEUE)),
    sheet(
        "queue_hours",
        "分时段等候",
        Some(&schema::QUEUE_HOURS_TABLE),
    ),
    sheet(
        "attendance_named",
        "考勤点名",
        Some(&schema::ATTENDANCE_SHEET),
    ),
    sheet("three_zeros", "三零", Some(&schema::ZEROS)),
    sheet("ranking", "红旗窗口评比", Some(&schema::WINDOWS_RANKED)),
    sheet("staff_review", "三在三问", Some(&schema::STAFF)),
    Sheet {
        cells: &crate::view::BOTTLENECK_CELLS,
        ..sheet("bottlenecks", "瓶颈环节", Some(&schema::STEPS))
    },
    sheet(
        "assessment_departments",
        "考核-窗口单位",
        Some(&schema::ASSESSED),
    ),
    sheet("assessment_windows", "考核-窗口", Some(&schema::ASSESSED)),
    sheet("assessment_staff", "考核-工作人员", Some(&schema::ASSESSED)),
    sheet("annual_trend", "各月趋势", Some(&schema::CASES)),
    sheet("red_flags", "红旗窗口统计", None),
    // The metric tables of `metrics --format xlsx`.
    sheet(schema::CASE_METRICS, "办件效能", Some(&schema::CASES)),
    sheet(schema::RATING_METRICS, "评价", Some(&schema::RATINGS)),
    sheet(schema::QUEUE_METRICS, "排队", Some(&schema::QUEUE)),
    sheet(schema::QUEUE_JUMPS, "插队", Some(&schema::JUMPS)),
    sheet(
        schema::INCIDENT_METRICS,
        "监察事件",
        Some(&schema::INCIDENTS),
    ),
    sheet(
        schema::SUPERVISION_METRICS,
        "督办统计",
        Some(&schema::SUPERVISION),
    ),
    sheet(
        schema::COMPLAINT_METRICS,
        "投诉统计",
        Some(&schema::COMPLAINTS),
    ),
    sheet(
        schema::RATING_LOOP,
        "好差评闭环",
        Some(&schema::RATING_LOOP_TABLE),
    ),
    sheet(schema::SERVICE_METRICS, "特色服务", Some(&schema::SERVICES)),
];

/// The sheet of the table named `name`: a report table or a metric table
/// (titled by its name when it has no title here); `None` for a name
/// nothing declares (its columns are labelled by name alone).
pub fn sheet_of(name: &str) -> Option<Sheet> {
    SHEETS.iter().find(|s| s.name == name).copied().or_else(|| {
        let t = schema::table_named(name)?;
        Some(Sheet {
            name: t.name,
            title: t.name,
            table: Some(t),
            own: &[],
            cells: &[],
        })
    })
}

/// A column's header and how it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub label: Cow<'static, str>,
    pub shape: Shape,
}

impl Shown {
    fn of(m: &Measure) -> Shown {
        Shown {
            label: Cow::Borrowed(m.label),
            shape: m.shape,
        }
    }
}

/// The Chinese header of `column` and how it shows, in a table of
/// `sheet` (or of no declared sheet): the sheet's own labels, the columns
/// of its Markdown table, its metric table, the shared keys
/// ([`schema::KEYS`]), the lists' columns ([`schema::LISTED`]), a
/// comparison or target beside a column (`_prev_period` 上期,
/// `_prev_year` 上年同期, `_met` 达标), and last a measure every metric
/// table that has it labels alike. `None`: the column has no label.
pub fn shown(sheet: Option<&Sheet>, column: &str) -> Option<Shown> {
    let found = |list: &[Measure]| list.iter().find(|m| m.column == column).map(Shown::of);
    if let Some(s) = sheet {
        if let Some(m) = found(s.own) {
            return Some(m);
        }
        if let Some(m) = s.cells.iter().find_map(|(label, cell)| {
            let (c, shape) = cell_shape(cell)?;
            (c == column).then_some(Shown {
                label: Cow::Borrowed(*label),
                shape,
            })
        }) {
            return Some(m);
        }
        if let Some(t) = s.table {
            let keys: Vec<Measure> = schema::KEYS
                .iter()
                .filter(|k| t.keys.contains(&k.column))
                .copied()
                .collect();
            if let Some(m) = found(t.measures).or_else(|| found(&keys)) {
                return Some(m);
            }
        }
    }
    if let Some(m) = found(&schema::KEYS).or_else(|| found(&schema::LISTED)) {
        return Some(m);
    }
    for (suffix, word) in [("_prev_period", "(上期)"), ("_prev_year", "(上年同期)")] {
        if let Some(base) = column.strip_suffix(suffix) {
            return shown(sheet, base).map(|s| Shown {
                label: Cow::Owned(format!("{}{word}", s.label)),
                shape: s.shape,
            });
        }
    }
    if let Some(base) = column.strip_suffix("_met") {
        return shown(sheet, base).map(|s| Shown {
            label: Cow::Owned(format!("{}达标", s.label)),
            shape: Shape::YesNo,
        });
    }
    let mut alike = schema::TABLES
        .iter()
        .flat_map(|t| t.measures.iter())
        .filter(|m| m.column == column);
    let first = alike.next()?;
    alike
        .all(|m| m.label == first.label && m.shape == first.shape)
        .then(|| Shown::of(first))
}

/// The column and shape of a Markdown table's cell (`None` for the
/// cells that compare two columns).
fn cell_shape(cell: &Cell<'static>) -> Option<(&'static str, Shape)> {
    Some(match *cell {
        Cell::Text(c) => (c, Shape::Text),
        Cell::Count(c) => (c, Shape::Count),
        Cell::Percent(c) => (c, Shape::Percent),
        Cell::Decimal(c) => (c, Shape::Decimal),
        Cell::YesNo(c) => (c, Shape::YesNo),
        Cell::Change(..) | Cell::Points(..) | Cell::Met(_) => return None,
    })
}

/// A cell as people read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Blank,
    Text(String),
    /// A whole number (a count).
    Integer(f64),
    /// A share, shown as a percentage with two decimals.
    Percent(f64),
    /// A figure with two decimals (days, minutes, points).
    Decimal(f64),
    /// A number of a column nothing labels, as it is.
    Number(f64),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Value {
    /// The cell as the people's CSV writes it.
    pub fn text(&self) -> String {
        let unsigned_zero = |s: String| match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| matches!(c, '0' | '.' | '%')) => rest.to_string(),
            _ => s,
        };
        match self {
            Value::Blank => String::new(),
            Value::Text(s) => s.clone(),
            Value::Integer(x) => unsigned_zero(format!("{x:.0}")),
            Value::Percent(x) => unsigned_zero(format!("{:.2}%", x * 100.0)),
            Value::Decimal(x) => unsigned_zero(format!("{x:.2}")),
            Value::Number(x) => x.to_string(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }
}

/// 是 / 否.
fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

/// A value of a column shown as `shape`: numbers by the shape (a column
/// shown as text keeps its number: whole for an integer column), dates
/// and times as such, booleans as 是 / 否.
fn value(v: AnyValue, shape: Shape) -> Value {
    match v {
        AnyValue::Null => Value::Blank,
        AnyValue::Boolean(b) => Value::Text(yes_no(b).into()),
        AnyValue::String(s) => Value::Text(s.to_string()),
        AnyValue::StringOwned(s) => Value::Text(s.to_string()),
        AnyValue::Date(d) => Value::Date(crate::polars_ext::epoch_date(d)),
        AnyValue::Datetime(t, unit, _) | AnyValue::DatetimeOwned(t, unit, _) => {
            let at = match unit {
                TimeUnit::Milliseconds => chrono::DateTime::from_timestamp_millis(t),
                TimeUnit::Microseconds => chrono::DateTime::from_timestamp_micros(t),
                TimeUnit::Nanoseconds => Some(chrono::DateTime::from_timestamp_nanos(t)),
            };
            at.map_or(Value::Blank, |t| Value::DateTime(t.naive_utc()))
        }
        v if v.is_primitive_numeric() => {
            let x = v.extract::<f64>().unwrap_or(f64::NAN);
            match shape {
                Shape::Count => Value::Integer(x),
                Shape::Percent => Value::Percent(x),
                Shape::Decimal => Value::Decimal(x),
                Shape::YesNo => Value::Text(yes_no(x > 0.5).into()),
                Shape::Text if v.is_integer() => Value::Integer(x),
                Shape::Text => Value::Number(x),
            }
        }
        other => Value::Text(other.to_string().trim_matches('"').to_string()),
    }
}

/// How a table's headers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headers {
    /// The Chinese label of each column the schema knows, else its name.
    Labelled,
    /// The columns' own names (a query's result: the names the SQL gave).
    AsNamed,
}

/// A table as people read it: headers and cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Grid {
    /// The cells of `df`, a table of `sheet`.
    pub fn of(df: &DataFrame, sheet: Option<&Sheet>, headers: Headers) -> Result<Grid> {
        let mut names = Vec::with_capacity(df.width());
        let mut shapes = Vec::with_capacity(df.width());
        for name in df.get_column_names() {
            let found = match headers {
                Headers::Labelled => shown(sheet, name),
                Headers::AsNamed => None,
            };
            names.push(
                found
                    .as_ref()
                    .map_or(name.to_string(), |s| s.label.to_string()),
            );
            shapes.push(found.map_or(Shape::Text, |s| s.shape));
        }
        let mut rows = vec![Vec::with_capacity(df.width()); df.height()];
        for (column, shape) in df.columns().iter().zip(&shapes) {
            for (i, row) in rows.iter_mut().enumerate() {
                row.push(value(column.get(i)?, *shape));
            }
        }
        Ok(Grid {
            headers: names,
            rows,
        })
    }
}

/// The people's CSV of a report table: a UTF-8 BOM, the Chinese headers
/// and the cells as shown.
pub fn people_csv(df: &DataFrame, sheet: Option<&Sheet>) -> Result<Vec<u8>> {
    let grid = Grid::of(df, sheet, Headers::Labelled)?;
    let mut out = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    out.write_record(&grid.headers)?;
    for row in &grid.rows {
        out.write_record(row.iter().map(Value::text))?;
    }
    Ok(out.into_inner().map_err(|e| e.into_error())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(sheet: &str, column: &str) -> Option<String> {
        shown(sheet_of(sheet).as_ref(), column).map(|s| s.label.into_owned())
    }

    #[test]
    fn a_column_takes_its_table_label_then_the_shared_ones() {
        assert_eq!(
            label("cases_by_window", "on_time_rate").unwrap(),
            "按期办结率"
        );
        assert_eq!(label("staff_review", "on_time_rate").unwrap(), "按期率");
        assert_eq!(label("cases_by_window", "early").unwrap(), "提前办结");
        assert_eq!(label("attendance", "early").unwrap(), "早退次数");
        assert_eq!(label("cases_by_window", "period_start").unwrap(), "起");
        assert_eq!(label("refusals", "window_name").unwrap(), "窗口名称");
        assert_eq!(label("excluded_ratings", "level").unwrap(), "评价等级");
        assert_eq!(label("bad_rating_alerts", "deadline").unwrap(), "整改时限");
        assert_eq!(label("cards", "deadline").unwrap(), "截止日期");
        assert_eq!(label("bottlenecks", "mean_days").unwrap(), "平均用时");
        // A measure every metric table labels alike, outside any sheet.
        assert_eq!(label("nothing", "satisfaction_rate").unwrap(), "满意率");
        // … and one they label differently stays unlabelled.
        assert_eq!(label("nothing", "on_time_rate"), None);
        assert_eq!(label("cases_by_window", "no_such_column"), None);
    }

    #[test]
    fn comparisons_and_targets_are_labelled_from_their_column() {
        assert_eq!(
            label("cases_by_window", "accepted_prev_period").unwrap(),
            "受理(上期)"
        );
        assert_eq!(
            label("queues", "wait_mean_min_prev_year").unwrap(),
            "平均等候(分)(上年同期)"
        );
        let met = shown(sheet_of("cases_by_window").as_ref(), "on_time_rate_met").unwrap();
        assert_eq!(
            (met.label.as_ref(), met.shape),
            ("按期办结率达标", Shape::YesNo)
        );
    }

    #[test]
    fn sheet_titles_fit_excel_and_are_unique() {
        let mut titles: Vec<&str> = SHEETS.iter().map(|s| s.title).collect();
        for t in &titles {
            assert!(t.chars().count() <= 31, "{t}");
            assert!(!t.contains(['[', ']', ':', '*', '?', '/', '\\']), "{t}");
        }
        let mut names: Vec<&str> = SHEETS.iter().map(|s| s.name).collect();
        titles.sort();
        titles.dedup();
        names.sort();
        names.dedup();
        assert_eq!(titles.len(), SHEETS.len(), "a sheet title repeats");
        assert_eq!(names.len(), SHEETS.len(), "a table name repeats");
    }

    #[test]
    fn cells_show_as_the_report_does() {
        assert_eq!(
            value(AnyValue::Float64(0.8419117647058824), Shape::Percent).text(),
            "84.19%"
        );
        assert_eq!(
            value(AnyValue::Float64(16.666666666666668), Shape::Decimal).text(),
            "16.67"
        );
        assert_eq!(value(AnyValue::Float64(13.0), Shape::Count).text(), "13");
        assert_eq!(value(AnyValue::Int64(7), Shape::Text).text(), "7");
        assert_eq!(value(AnyValue::Float64(0.25), Shape::Text).text(), "0.25");
        assert_eq!(value(AnyValue::Boolean(true), Shape::YesNo).text(), "是");
        assert_eq!(value(AnyValue::Int64(0), Shape::YesNo).text(), "否");
        assert_eq!(
            value(AnyValue::Float64(-0.00001), Shape::Percent).text(),
            "0.00%"
        );
        assert_eq!(
            value(AnyValue::Float64(-1.3333), Shape::Percent).text(),
            "-133.33%"
        );
        assert_eq!(value(AnyValue::Null, Shape::Count).text(), "");
        let d = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        let days = crate::polars_ext::epoch_days(d);
        assert_eq!(value(AnyValue::Date(days), Shape::Text), Value::Date(d));
        let at = d.and_hms_opt(9, 5, 0).unwrap();
        let ms = at.and_utc().timestamp_millis();
        assert_eq!(
            value(
                AnyValue::Datetime(ms, TimeUnit::Milliseconds, None),
                Shape::Text
            )
            .text(),
            "2026-10-31 09:05:00"
        );
    }

    #[test]
    fn the_people_csv_has_a_bom_and_chinese_headers() {
        let df = df!(
            "window_id" => ["W01", "W02"],
            "on_time_rate" => [Some(0.8419117647058824), None],
            "accepted" => [13i64, 2],
            "mean_elapsed_days" => [0.5, 2.25],
        )
        .unwrap();
        let bytes = people_csv(&df, sheet_of("cases_by_window").as_ref()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "\u{feff}窗口,按期办结率,受理,平均用时\nW01,84.19%,13,0.50\nW02,,2,2.25\n"
        );
    }
}
