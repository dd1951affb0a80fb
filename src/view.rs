//! Frames to stdout: CSV (every column, nulls empty), JSON (an array of
//! objects, nulls null) and the human table of `metrics cases` with
//! Chinese headers, 环比/同比 and targets.

use crate::metrics::schema::{self, Shape, Table};
use crate::text::table;
use anyhow::Result;
use polars::prelude::*;
use std::io::Write;

/// Output formats of the data commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// Write every column as CSV.
pub fn write_csv(df: &mut DataFrame, out: &mut impl Write) -> Result<()> {
    CsvWriter::new(out).include_header(true).finish(df)?;
    Ok(())
}

fn json_value(v: AnyValue) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        AnyValue::Null => J::Null,
        AnyValue::Boolean(b) => J::Bool(b),
        AnyValue::String(s) => J::String(s.to_string()),
        AnyValue::StringOwned(s) => J::String(s.to_string()),
        AnyValue::Int32(i) => J::from(i),
        AnyValue::Int64(i) => J::from(i),
        AnyValue::UInt32(i) => J::from(i),
        AnyValue::UInt64(i) => J::from(i),
        AnyValue::Float64(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        AnyValue::Float32(f) => serde_json::Number::from_f64(f as f64).map_or(J::Null, J::Number),
        other => J::String(other.to_string().trim_matches('"').to_string()),
    }
}

/// Write the rows as a JSON array of objects.
pub fn write_json(df: &DataFrame, out: &mut impl Write) -> Result<()> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut rows = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let mut obj = serde_json::Map::new();
        for (c, name) in df.columns().iter().zip(&names) {
            obj.insert(name.clone(), json_value(c.get(i)?));
        }
        rows.push(serde_json::Value::Object(obj));
    }
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)?;
    Ok(())
}

/// The value of column `c` in row `i`, or `None` when null or when the
/// frame has no such row (a day without cases has no center row).
pub fn f64_at(df: &DataFrame, c: &str, i: usize) -> Result<Option<f64>> {
    let column = df.column(c)?;
    if i >= column.len() {
        return Ok(None);
    }
    Ok(column.cast(&DataType::Float64)?.f64()?.get(i))
}

pub fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| format!("{:.2}%", x * 100.0))
}

/// Relative change of a count, e.g. `+12.5%`.
pub fn change(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(n), Some(b)) if b != 0.0 => format!("{:+.1}%", (n - b) / b * 100.0),
        _ => "—".into(),
    }
}

/// Difference of two rates in percentage points, e.g. `-0.8pp`.
pub fn points(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(n), Some(b)) => format!("{:+.1}pp", (n - b) * 100.0),
        _ => "—".into(),
    }
}

/// 达标 / 未达标 of a target flag (— without one).
pub fn met(v: Option<f64>) -> &'static str {
    match v {
        Some(x) if x > 0.5 => "达标",
        Some(_) => "未达标",
        None => "—",
    }
}

/// A declared column of `table` as the schema shows it: (label, cell).
pub fn shown(table: &Table, column: &'static str) -> (&'static str, Cell<'static>) {
    let m = table.measure(column);
    (m.label, cell_of(m.shape, column))
}

/// Columns of `table`, each as the schema shows it.
pub fn shown_all(table: &Table, columns: &[&'static str]) -> Vec<(&'static str, Cell<'static>)> {
    columns.iter().map(|c| shown(table, c)).collect()
}

/// The case columns every case table shows first: volumes and the three
/// rates of timeliness, then 超期办结.
pub const CASE_FIGURES: [&str; 6] = [
    "accepted",
    "completed",
    "instant_rate",
    "on_time_rate",
    "early_rate",
    "overdue_completed",
];

/// The ranking's own columns: rank, window, band and why.
pub const RANKING_FIGURES: [&str; 7] = [
    "rank",
    "window_id",
    "department",
    "score",
    "band",
    "veto",
    "talk",
];

/// The 服务之星 columns.
pub const STAR_FIGURES: [&str; 4] = ["rank", "staff_id", "window_id", "score"];

/// A shared key column (窗口, 工号, 姓名 …) as the schema shows it.
pub fn shown_key(column: &'static str) -> (&'static str, Cell<'static>) {
    let m = schema::key(column);
    (m.label, cell_of(m.shape, column))
}

fn cell_of(shape: Shape, column: &str) -> Cell<'_> {
    match shape {
        Shape::Text => Cell::Text(column),
        Shape::Count => Cell::Count(column),
        Shape::Percent => Cell::Percent(column),
        Shape::Decimal => Cell::Decimal(column),
        Shape::YesNo => Cell::YesNo(column),
    }
}

/// How one column of a human table shows its value.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    Count(&'a str),
    Percent(&'a str),
    /// A number with two decimals (days, minutes).
    Decimal(&'a str),
    /// Relative change of a count against a previous value column.
    Change(&'a str, &'a str),
    /// Difference of a rate against a previous value column, in points.
    Points(&'a str, &'a str),
    /// 达标 / 未达标 of a `_met` column.
    Met(&'a str),
    /// 是 / 否 of a boolean column.
    YesNo(&'a str),
}

/// A code column's name column and its header: where a frame carries
/// names (`engine::names`), every table shows them beside the codes.
const NAME_COLUMNS: [(&str, &str, &str); 5] = [
    ("window_id", "window_name", "窗口名称"),
    ("staff_id", "staff_name", "姓名"),
    ("item_code", "item_name", "事项名称"),
    ("key", "key_name", "名称"),
    ("对象", "key_name", "名称"),
];

/// `columns` with, after each code column, its name column when `df` has
/// one the columns do not already show.
fn with_name_columns<'a, H: AsRef<str>>(
    df: &DataFrame,
    columns: &[(H, Cell<'a>)],
) -> Vec<(String, Cell<'a>)> {
    let shown = |name: &str| {
        columns
            .iter()
            .any(|(_, c)| matches!(c, Cell::Text(t) if *t == name))
    };
    let mut out = Vec::with_capacity(columns.len() + 2);
    for (h, cell) in columns {
        out.push((h.as_ref().to_string(), *cell));
        if let Cell::Text(c) = cell {
            if let Some(&(_, name, label)) = NAME_COLUMNS.iter().find(|n| n.0 == *c) {
                if df.column(name).is_ok() && !shown(name) {
                    out.push((label.to_string(), Cell::Text(name)));
                }
            }
        }
    }
    out
}

/// The headers and formatted cells of `df` for (header, cell) columns.
fn cells<H: AsRef<str>>(
    df: &DataFrame,
    columns: &[(H, Cell)],
) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let columns = with_name_columns(df, columns);
    let headers: Vec<String> = columns.iter().map(|(h, _)| h.clone()).collect();
    let mut rows = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let f = |c: &str| f64_at(df, c, i);
        let mut row = Vec::with_capacity(columns.len());
        for (_, cell) in &columns {
            row.push(match *cell {
                Cell::Text(c) => text_at(df, c, i)?,
                Cell::Count(c) => f(c)?.map_or("—".into(), |x| format!("{x:.0}")),
                Cell::Percent(c) => pct(f(c)?),
                Cell::Decimal(c) => f(c)?.map_or("—".into(), |x| format!("{x:.2}")),
                Cell::Change(c, p) => change(f(c)?, f(p)?),
                Cell::Points(c, p) => points(f(c)?, f(p)?),
                Cell::Met(c) => met(f(c)?).into(),
                Cell::YesNo(c) => match f(c)? {
                    Some(x) if x > 0.5 => "是".into(),
                    Some(_) => "否".into(),
                    None => "—".into(),
                },
            });
        }
        rows.push(row);
    }
    Ok((headers, rows))
}

/// A human table of `df`: one column per (header, cell).
pub fn render<H: AsRef<str>>(df: &DataFrame, columns: &[(H, Cell)]) -> Result<String> {
    let (headers, rows) = cells(df, columns)?;
    Ok(table(&headers, &rows))
}

/// The same as a Markdown table.
pub fn render_markdown<H: AsRef<str>>(df: &DataFrame, columns: &[(H, Cell)]) -> Result<String> {
    let (headers, rows) = cells(df, columns)?;
    let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    let mut out = line(&headers);
    out.push_str(&line(
        &headers
            .iter()
            .map(|_| "---".to_string())
            .collect::<Vec<_>>(),
    ));
    for r in &rows {
        out.push_str(&line(r));
    }
    Ok(out)
}

/// The key column as shown: the center level reads 全中心.
pub fn shown_keys(view: &DataFrame) -> Result<DataFrame> {
    let keys: Vec<String> = view
        .column("key")?
        .str()?
        .iter()
        .zip(view.column("level")?.str()?.iter())
        .map(|(k, l)| {
            if l == Some("center") {
                "全中心".to_string()
            } else {
                k.unwrap_or("").to_string()
            }
        })
        .collect();
    let mut out = view.clone();
    out.with_column(Column::new("对象".into(), keys))?;
    Ok(out)
}

/// The human table of a `period_view` of case metrics, with targets.
pub fn case_table(view: &DataFrame) -> Result<String> {
    use Cell::*;
    let c = |x| shown(&schema::CASES, x);
    render(
        &shown_keys(view)?,
        &[
            ("对象", Text("对象")),
            c("accepted"),
            ("环比", Change("accepted", "accepted_prev_period")),
            ("同比", Change("accepted", "accepted_prev_year")),
            c("completed"),
            c("instant_rate"),
            c("on_time_rate"),
            ("环比", Points("on_time_rate", "on_time_rate_prev_period")),
            ("同比", Points("on_time_rate", "on_time_rate_prev_year")),
            c("early_rate"),
            c("overdue_completed"),
            c("overdue_open"),
            c("promise_compression"),
            c("actual_speedup"),
            c("one_visit_rate"),
            c("mean_elapsed_days"),
            c("p90_elapsed_days"),
            ("压缩达标", Met("promise_compression_met")),
            ("提速达标", Met("actual_speedup_met")),
            ("按期达标", Met("on_time_rate_met")),
        ],
    )
}

/// The province's combined case metrics (`province::combine_case_metrics`):
/// one line per center and period, and the province's (全省).
pub fn province_table(df: &DataFrame) -> Result<String> {
    let c = |x| shown(&schema::CASES, x);
    let columns: Vec<_> = [c("period"), shown_key("center")]
        .into_iter()
        .chain(shown_all(&schema::CASES, &CASE_FIGURES))
        .chain([c("overdue_open")])
        .collect();
    render(df, &columns)
}

/// Rating measures compared with the period before and the year before.
pub const RATINGS_COMPARED: [&str; 2] = ["ratings", "satisfaction_rate"];

/// The human table of a `period_view` of rating metrics.
pub fn ratings_table(view: &DataFrame) -> Result<String> {
    use Cell::*;
    let c = |x| shown(&schema::RATINGS, x);
    render(
        &shown_keys(view)?,
        &[
            ("对象", Text("对象")),
            c("ratings"),
            ("环比", Change("ratings", "ratings_prev_period")),
            c("satisfaction_rate"),
            (
                "环比",
                Points("satisfaction_rate", "satisfaction_rate_prev_period"),
            ),
            (
                "同比",
                Points("satisfaction_rate", "satisfaction_rate_prev_year"),
            ),
            c("good_rate"),
            c("level_1"),
            c("level_2"),
            c("coverage"),
            c("bad_ratings"),
            c("rectified"),
            c("rectified_on_time"),
            c("rectification_rate"),
            c("open_past_limit"),
        ],
    )
}

/// Queue measures compared with the period before and the year before.
pub const QUEUE_COMPARED: [&str; 2] = ["tickets", "wait_mean_min"];

/// The human table of a `period_view` of queue metrics.
pub fn queue_table(view: &DataFrame) -> Result<String> {
    use Cell::*;
    let c = |x| shown(&schema::QUEUE, x);
    render(
        &shown_keys(view)?,
        &[
            ("对象", Text("对象")),
            c("tickets"),
            ("环比", Change("tickets", "tickets_prev_period")),
            ("同比", Change("tickets", "tickets_prev_year")),
            c("called"),
            c("served"),
            c("no_show_share"),
            c("wait_mean_min"),
            c("wait_median_min"),
            c("wait_p90_min"),
            c("wait_max_min"),
            c("over_target_share"),
            c("service_mean_min"),
            c("service_p90_min"),
            c("queue_jumps"),
        ],
    )
}

/// The human table of `queue_hours` rows: key, weekday, half hour and the
/// figures.
pub fn queue_hours_table(df: &DataFrame) -> Result<String> {
    use Cell::*;
    let c = |x| shown(&schema::QUEUE_HOURS_TABLE, x);
    render(
        &shown_keys(df)?,
        &[
            ("对象", Text("对象")),
            c("weekday_name"),
            c("slot"),
            c("tickets"),
            c("called"),
            c("wait_mean_min"),
            c("wait_p90_min"),
            c("over_target"),
            c("over_target_share"),
            c("days"),
            c("over_target_per_day"),
            c("crowded"),
        ],
    )
}

/// The human table of incident metrics.
pub fn incidents_table(df: &DataFrame) -> Result<String> {
    use Cell::*;
    let c = |x| shown(&schema::INCIDENTS, x);
    render(
        &shown_keys(df)?,
        &[
            ("对象", Text("对象")),
            c("source"),
            c("category"),
            c("incidents"),
            c("substantiated"),
            c("points"),
        ],
    )
}

/// The human table of `supervision_metrics` (督办).
pub fn supervision_table(df: &DataFrame) -> Result<String> {
    use Cell::*;
    let c = |x| shown(&schema::SUPERVISION, x);
    render(
        &shown_keys(df)?,
        &[
            ("对象", Text("对象")),
            c("issued"),
            c("replied"),
            c("replied_on_time"),
            c("on_time_reply_rate"),
            c("mean_reply_days"),
            c("warned"),
            c("referred"),
            c("closed"),
            c("open_past_due"),
        ],
    )
}

/// The human table of `rating_loop` (好差评 loop per channel).
pub fn rating_loop_table(df: &DataFrame) -> Result<String> {
    use Cell::*;
    let c = |x| shown(&schema::RATING_LOOP_TABLE, x);
    render(
        &shown_keys(df)?,
        &[
            ("对象", Text("对象")),
            c("channel"),
            c("bad_ratings"),
            c("callbacks_due"),
            c("callback_rate"),
            c("named_due"),
            c("named_callback_rate"),
            c("rectification_due"),
            c("rectification_rate"),
            c("rectified_on_time_rate"),
            c("feedback_rate"),
            c("appealed"),
            c("excluded"),
        ],
    )
}

/// The human table of `complaint_metrics` (投诉).
pub fn complaints_table(df: &DataFrame) -> Result<String> {
    use Cell::*;
    let c = |x| shown(&schema::COMPLAINTS, x);
    render(
        &shown_keys(df)?,
        &[
            ("对象", Text("对象")),
            c("received"),
            c("accepted_in_time"),
            c("accepted_in_time_rate"),
            c("declined"),
            c("answered"),
            c("answered_in_time_rate"),
            c("closed"),
            c("substantiated"),
            c("substantiated_rate"),
            c("open_past_due"),
        ],
    )
}

/// Service measures compared with the period before and the year before.
pub const SERVICES_COMPARED: [&str; 3] = ["accepted", "on_site_rate", "refused"];

/// The human table of a `period_view` of `service_metrics` (特色服务与不予受理).
pub fn services_table(view: &DataFrame) -> Result<String> {
    use Cell::*;
    let c = |x| shown(&schema::SERVICES, x);
    render(
        &shown_keys(view)?,
        &[
            ("对象", Text("对象")),
            c("accepted"),
            c("appointment"),
            c("after_hours"),
            c("door_to_door"),
            c("assisted"),
            c("accepted_incomplete"),
            c("green_channel"),
            c("online"),
            c("online_rate"),
            c("fully_online"),
            c("fully_online_rate"),
            c("cross_region"),
            c("completed"),
            c("on_site_rate"),
            ("环比", Points("on_site_rate", "on_site_rate_prev_period")),
            c("refused"),
            ("环比", Change("refused", "refused_prev_period")),
            c("refused_without_reason"),
            c("no_reason_share"),
        ],
    )
}

/// The human table of `service_channels` (cases by channel).
pub fn service_channels_table(df: &DataFrame) -> Result<String> {
    use Cell::*;
    let c = |x| shown(&schema::SERVICE_CHANNELS_TABLE, x);
    render(
        &shown_keys(df)?,
        &[
            ("对象", Text("对象")),
            c("channel"),
            c("accepted"),
            c("completed"),
            c("on_site_completed"),
            c("on_site_rate"),
            c("refused"),
            c("refused_without_reason"),
            c("no_reason_share"),
        ],
    )
}

/// The headers of a list of complaints past a deadline (投诉超期), with
/// names.
pub const COMPLAINT_CARD_COLUMNS: [(&str, &str); 9] = [
    ("complaint_id", "投诉编号"),
    ("window_id", "窗口"),
    ("window_name", "窗口名称"),
    ("staff_id", "工号"),
    ("staff_name", "姓名"),
    ("department", "部门"),
    ("received_on", "登记日期"),
    ("deadline_kind", "超期环节"),
    ("deadline", "期限"),
];

/// Complaints past a deadline as a table.
pub fn complaint_cards_table(df: &DataFrame) -> Result<String> {
    columns_table(df, &COMPLAINT_CARD_COLUMNS)
}

/// The headers of a list of 督办 notices (`metrics::supervision::notices_frame`
/// with names).
pub const NOTICE_COLUMNS: [(&str, &str); 20] = [
    ("notice_id", "督办编号"),
    ("case_id", "办件编号"),
    ("step", "环节"),
    ("window_id", "窗口"),
    ("window_name", "窗口名称"),
    ("staff_id", "工号"),
    ("staff_name", "姓名"),
    ("opened_on", "督办日期"),
    ("stage", "阶段"),
    ("stage_name", "阶段名称"),
    ("warned_on", "效能告诫日期"),
    ("referred_on", "问责移送日期"),
    ("due_on", "回告期限"),
    ("replied_on", "回告日期"),
    ("replied_on_time", "按期回告"),
    ("reply_days", "回告用时"),
    ("outcome", "回告结果"),
    ("reason", "说明"),
    ("closed_on", "办结日期"),
    ("closed_by", "办结方式"),
];

/// A list of 督办 notices as a table.
pub fn notices_table(df: &DataFrame) -> Result<String> {
    columns_table(df, &NOTICE_COLUMNS)
}

/// The human table of the three zeros.
pub fn zeros_table(df: &DataFrame) -> Result<String> {
    use Cell::*;
    let c = |x| shown(&schema::ZEROS, x);
    let out = render(
        &shown_keys(df)?,
        &[
            ("窗口", Text("对象")),
            c("substantiated_complaints"),
            c("bad_ratings"),
            c("zero_distance"),
            c("corrections"),
            c("overdue_cases"),
            c("zero_error"),
            c("queue_jumps"),
            c("favouritism_complaints"),
            c("zero_relation"),
            c("all_three"),
        ],
    )?;
    let center = df
        .clone()
        .lazy()
        .filter(col("level").eq(lit("center")))
        .collect()?;
    Ok(format!("{out}\n{}\n", zeros_sentence(&center)?))
}

/// The bad-rating alerts as a table.
pub fn alerts_table(df: &DataFrame) -> Result<String> {
    columns_table(
        df,
        &[
            ("rating_id", "评价编号"),
            ("window_id", "窗口"),
            ("staff_id", "人员"),
            ("rated_on", "评价日期"),
            ("deadline", "整改时限"),
            ("overdue_days", "超期工作日"),
        ],
    )
}

/// The window ranking as a table.
pub fn ranking_table(df: &DataFrame) -> Result<String> {
    let t = &schema::WINDOWS_RANKED;
    let mut columns: Vec<_> = shown_all(t, &RANKING_FIGURES)
        .into_iter()
        .chain(shown_all(
            t,
            &["on_time_rate", "satisfaction_rate", "completed", "events"],
        ))
        .collect();
    // With the assessment beside (`rank`): its total and grade.
    if df.column("grade").is_ok() {
        columns.push(("考核总分", Cell::Decimal("assessment")));
        columns.push(("等次", Cell::Text("grade")));
    }
    render(df, &columns)
}

/// The columns of an assessment ranking at `level` (the frame's `key`
/// renamed to `window_id` / `staff_id` with the names beside, see
/// `engine::names::Names::subjects`).
pub fn assessment_columns(level: &str) -> Vec<(&'static str, Cell<'static>)> {
    let t = &schema::ASSESSED;
    let mut out = vec![shown(t, "rank")];
    out.extend(match level {
        "window" => vec![shown_key("window_id"), shown(t, "department")],
        "staff" => vec![shown_key("staff_id"), shown(t, "department")],
        "center" => vec![shown_key("center")],
        _ => vec![("窗口单位", Cell::Text("key"))],
    });
    out.extend(shown_all(t, &["score", "grade", "veto", "dimensions"]));
    out
}

/// An assessment ranking at `level` as a table.
pub fn assessment_table(df: &DataFrame, level: &str) -> Result<String> {
    render(df, &assessment_columns(level))
}

/// The metrics behind an assessment total (`assessment_points` with
/// `metric_label` and `value_text`) as a table.
pub fn assessment_points_table(df: &DataFrame) -> Result<String> {
    render(df, &assessment_points_columns())
}

/// The columns of [`assessment_points_table`].
pub fn assessment_points_columns() -> Vec<(&'static str, Cell<'static>)> {
    let t = &schema::ASSESSED_POINTS;
    vec![
        shown_key("dimension"),
        shown(t, "dimension_weight"),
        shown(t, "dimension_score"),
        shown_key("metric"),
        ("指标名称", Cell::Text("metric_label")),
        shown(t, "metric_weight"),
        (t.label("value"), Cell::Text("value_text")),
        shown(t, "scale"),
        shown(t, "points"),
        shown(t, "contribution"),
    ]
}

/// The events behind a score as a table.
pub fn events_table(df: &DataFrame) -> Result<String> {
    render(&worded_events(df)?, &events_table_columns())
}

/// Score events with their source and kind in words (`source_label`,
/// `kind_label`: 考勤, 迟到 …), as [`events_table_columns`] shows them.
pub fn worded_events(df: &DataFrame) -> Result<DataFrame> {
    let mut worded = df.clone();
    for (column, words) in [("source", &EVENT_SOURCES[..]), ("kind", &EVENT_KINDS[..])] {
        let labels: Vec<String> = df
            .column(column)?
            .str()?
            .iter()
            .map(|c| {
                let c = c.unwrap_or("");
                words
                    .iter()
                    .find(|(code, _)| *code == c)
                    .map_or(c.to_string(), |(_, w)| w.to_string())
            })
            .collect();
        worded.with_column(Column::new(format!("{column}_label").into(), labels))?;
    }
    Ok(worded)
}

/// The columns of [`events_table`] (over [`worded_events`]).
pub fn events_table_columns() -> Vec<(&'static str, Cell<'static>)> {
    let t = &schema::EVENTS;
    vec![
        (t.label("source"), Cell::Text("source_label")),
        shown(t, "row_key"),
        shown(t, "staff_id"),
        (t.label("kind"), Cell::Text("kind_label")),
        shown(t, "points"),
    ]
}

/// The score events' sources (the tables they come from) in words.
const EVENT_SOURCES: [(&str, &str); 12] = [
    ("attendance_days", "考勤"),
    ("case_metrics", "办件指标"),
    ("case_steps", "办理环节"),
    ("cases", "办件"),
    ("complaints", "投诉"),
    ("corrections", "纠错"),
    ("incidents", "督查"),
    ("notices", "督办"),
    ("ratings", "好差评"),
    ("score", "评分"),
    ("tickets", "排队叫号"),
    ("steps", "办理环节"),
];

/// The score events' kinds in words.
const EVENT_KINDS: [(&str, &str); 21] = [
    ("late", "迟到"),
    ("early", "早退"),
    ("missing_punch", "缺卡"),
    ("absence", "旷工"),
    ("overlong_departure", "离岗超时"),
    ("departure_without_cover", "离岗无顶岗"),
    ("missed_compression", "承诺压缩率未达标"),
    ("missed_on_time", "按期办结率未达标"),
    ("missed_speedup", "实际提速率未达标"),
    ("overdue_step", "环节超期"),
    ("overdue_open", "超期在办"),
    ("overdue_completed", "超期办结"),
    ("complaint", "投诉属实"),
    ("correction", "纠错"),
    ("incident", "督查事项"),
    ("referral", "督办问责"),
    ("warning", "效能告诫"),
    ("late_rectification", "差评整改超期"),
    ("bad_rating", "差评"),
    ("commendation_cap", "表扬加分封顶"),
    ("queue_jump", "插队"),
];

/// The 服务之星 as a table.
pub fn stars_table(df: &DataFrame) -> Result<String> {
    render(df, &shown_all(&schema::STAFF_RANKED, &STAR_FIGURES))
}

/// One line on the three zeros of a period (its center row).
pub fn zeros_summary(center: &DataFrame) -> Result<String> {
    Ok(format!("三零: {}", zeros_sentence(center)?))
}

/// How many windows achieved the three zeros, of how many, from the center
/// row of a period (— where the period has none).
pub fn zeros_sentence(center: &DataFrame) -> Result<String> {
    let count = |c: &str| -> Result<String> {
        Ok(f64_at(center, c, 0)?.map_or("—".into(), |x| format!("{x:.0}")))
    };
    Ok(format!(
        "实现\"三零\"的窗口 {} 个,占 {} 个窗口的 {}",
        count("windows_all_three")?,
        count("windows")?,
        pct(f64_at(center, "share_all_three", 0)?)
    ))
}

/// One line on the ranking of a period: red flags and the bottom.
pub fn ranking_summary(ranking: &DataFrame) -> Result<String> {
    let (windows, bands) = (
        ranking.column("window_id")?.str()?,
        ranking.column("band")?.str()?,
    );
    let names = crate::polars_ext::opt_strings(ranking, "window_name")
        .unwrap_or_else(|_| vec![None; ranking.height()]);
    let with = |band: &str| -> String {
        windows
            .iter()
            .zip(bands.iter())
            .zip(&names)
            .filter(|((_, b), _)| *b == Some(band))
            .filter_map(|((w, _), n)| match n {
                Some(n) => Some(format!("{} {n}", w?)),
                None => w.map(str::to_string),
            })
            .collect::<Vec<_>>()
            .join("、")
    };
    Ok(format!(
        "红旗窗口: {}; 末位: {}; 限期整改: {}",
        with("红旗窗口"),
        with("末位"),
        with("限期整改")
    ))
}

/// The human table of queue jumps, values as stored.
pub fn jumps_table(df: &DataFrame) -> Result<String> {
    columns_table(df, &labelled(&schema::JUMPS))
}

fn text_at(df: &DataFrame, c: &str, i: usize) -> Result<String> {
    let v = df.column(c)?.get(i)?;
    Ok(match v {
        AnyValue::Null => "—".into(),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        other => other.to_string().trim_matches('"').to_string(),
    })
}

/// A table of some columns of a frame, values as they are, with Chinese
/// headers: (column, header).
fn columns_table(df: &DataFrame, columns: &[(&str, &str)]) -> Result<String> {
    render(df, &as_text(columns))
}

/// (column, header) pairs as text cells.
fn as_text<'a>(columns: &[(&'a str, &'a str)]) -> Vec<(&'a str, Cell<'a>)> {
    columns.iter().map(|(c, h)| (*h, Cell::Text(c))).collect()
}

/// Any frame as a table, every column as it is.
pub fn any_table(df: &DataFrame) -> Result<String> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let columns: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), n.as_str())).collect();
    columns_table(df, &columns)
}

/// A reject as `file:line [column]: reason` over its raw text.
pub fn reject_entry(r: &crate::ingest::rejects::RejectRow) -> String {
    let column = if r.column.is_empty() {
        String::new()
    } else {
        format!(" [{}]", r.column)
    };
    format!(
        "{}:{}{}: {}\n    {}\n",
        r.file, r.line, column, r.reason, r.raw
    )
}

/// The columns of a card table: (column, header); `牌` is the colour as
/// the office says it.
const CARD_COLUMNS: [(&str, &str); 12] = [
    ("牌", "牌"),
    ("case_id", "办件编号"),
    ("step", "环节"),
    ("window_id", "窗口"),
    ("staff_id", "人员"),
    ("deadline", "截止日期"),
    ("deadline_provisional", "截止日期暂定"),
    ("remaining_days", "剩余工作日"),
    ("raised_on", "首次亮牌"),
    ("escalated_on", "升级红牌"),
    ("cleared_on", "解除"),
    ("recorded", "来源"),
];

/// Cards (`metrics::cards::history_frame`) as shown: the colour as a word
/// in `牌`, a provisional deadline marked 暂定, the source as 当日 (raised
/// by the run of its day) or 补判 (found afterwards from the facts).
fn cards_shown(df: &DataFrame) -> Result<DataFrame> {
    use crate::metrics::cards::Colour;
    let colour = df
        .column("colour")?
        .str()?
        .iter()
        .map(|c| Colour::of_name(c).word())
        .collect::<Vec<_>>();
    let mut shown = df.clone();
    shown.with_column(Column::new("牌".into(), colour))?;
    if let Ok(p) = df.column("deadline_provisional") {
        let marks: Vec<&str> = p
            .bool()?
            .iter()
            .map(|v| if v == Some(true) { "暂定" } else { "" })
            .collect();
        shown.with_column(Column::new("deadline_provisional".into(), marks))?;
    }
    // Raised by the run of its day, or found afterwards from the facts.
    if let Ok(r) = df.column("recorded") {
        let source: Vec<&str> = r
            .bool()?
            .iter()
            .map(|v| if v == Some(false) { "补判" } else { "当日" })
            .collect();
        shown.with_column(Column::new("recorded".into(), source))?;
    }
    Ok(shown)
}

/// The cards (or the card history) as a table.
pub fn cards_table(df: &DataFrame) -> Result<String> {
    columns_table(&cards_shown(df)?, &CARD_COLUMNS)
}

/// Some columns of the cards as a Markdown table.
pub fn cards_markdown(df: &DataFrame, columns: &[&str]) -> Result<String> {
    let chosen: Vec<(&str, &str)> = CARD_COLUMNS
        .iter()
        .filter(|(c, _)| columns.contains(c))
        .copied()
        .collect();
    render_markdown(&cards_shown(df)?, &as_text(&chosen))
}

/// Every column of a table with its label: (column, header).
fn labelled(table: &Table) -> Vec<(&'static str, &'static str)> {
    table
        .columns()
        .into_iter()
        .map(|c| (c, table.label(c)))
        .collect()
}

/// The weekly publication (周公示) as a table.
pub fn attendance_table(df: &DataFrame) -> Result<String> {
    columns_table(df, &labelled(&schema::ATTENDANCE_SHEET))
}

/// The weekly publication (周公示) as a Markdown table.
pub fn attendance_markdown(df: &DataFrame) -> Result<String> {
    render_markdown(df, &as_text(&labelled(&schema::ATTENDANCE_SHEET)))
}

/// The per-item catalog comparison as a table.
pub fn catalog_table(df: &DataFrame) -> Result<String> {
    columns_table(
        df,
        &[
            ("department", "部门"),
            ("item_code", "事项编码"),
            ("name", "事项名称"),
            ("promised_before", "原承诺时限"),
            ("promised_after", "现承诺时限"),
            ("saved_days", "压缩工作日"),
            ("materials_before", "原材料"),
            ("materials_after", "现材料"),
            ("steps_before", "原环节"),
            ("steps_after", "现环节"),
        ],
    )
}

/// The bottleneck table (`steps bottlenecks`).
/// The invitations to rate (邀评, `metrics::ratings::invitations` with
/// names) as a table.
pub fn invitations_table(df: &DataFrame) -> Result<String> {
    columns_table(
        df,
        &[
            ("case_id", "办件编号"),
            ("item_code", "事项编码"),
            ("item_name", "事项"),
            ("window_id", "窗口"),
            ("window_name", "窗口名称"),
            ("staff_id", "工号"),
            ("staff_name", "姓名"),
            ("channel", "渠道"),
            ("completed_on", "办结日期"),
        ],
    )
}

pub fn bottleneck_table(df: &DataFrame) -> Result<String> {
    render(df, &BOTTLENECK_CELLS)
}

/// The bottleneck table's headers and cells.
pub const BOTTLENECK_CELLS: [(&str, Cell); 8] = [
    ("事项编码", Cell::Text("item_code")),
    ("事项名称", Cell::Text("item_name")),
    ("瓶颈环节", Cell::Text("step")),
    ("占办件用时", Cell::Percent("share_of_case")),
    ("办件数", Cell::Count("cases")),
    ("平均用时", Cell::Decimal("mean_days")),
    ("其他环节平均", Cell::Decimal("others_mean_days")),
    ("压缩可省工作日", Cell::Decimal("days_saved")),
];

/// The staff review (三在 / 三问) as a table.
pub fn staff_review_table(df: &DataFrame) -> Result<String> {
    render(df, &staff_review_cells())
}

/// The staff review's columns, 三在 then 三问: the first column of each
/// of the six questions carries its name (在岗:出勤率 …).
const STAFF_REVIEW_SHOWN: [(&str, &str); 17] = [
    ("", "staff_id"),
    ("", "window_id"),
    ("在岗", "attendance_rate"),
    ("", "overlong_departures"),
    ("在干", "cases_per_day"),
    ("", "steps_per_day"),
    ("", "tickets_per_day"),
    ("", "idle_days"),
    ("在行", "corrections_per_100"),
    ("", "overdue_steps_per_100"),
    ("问践诺", "on_time_rate"),
    ("", "cases_handled"),
    ("问能力", "capability"),
    ("", "window_median_cases_per_day"),
    ("问绩效", "score"),
    ("", "rank"),
    ("", "absence"),
];

/// The staff review's headers and cells.
pub fn staff_review_cells() -> Vec<(String, Cell<'static>)> {
    STAFF_REVIEW_SHOWN
        .iter()
        .map(|(question, column)| {
            let (label, cell) = shown(&schema::STAFF, column);
            match *question {
                "" => (label.to_string(), cell),
                q => (format!("{q}:{label}"), cell),
            }
        })
        .collect()
}

/// What `ingest --dry-run` saw, file by file.
pub fn dry_run(files: &[crate::ingest::DryRunFile], home: &std::path::Path) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for f in files {
        let _ = writeln!(
            s,
            "{}",
            f.path.strip_prefix(home).unwrap_or(&f.path).display()
        );
        match &f.table {
            Some((t, why)) => {
                let _ = writeln!(s, "  table: {t} ({why})");
            }
            None => {
                let _ = writeln!(s, "  table: cannot be told");
            }
        }
        let _ = writeln!(s, "  encoding: {}; line ends: {}", f.encoding, f.line_ends);
        if !f.mapping.is_empty() {
            let shown: Vec<String> = f
                .mapping
                .iter()
                .map(|(h, c)| format!("{h} → {}", c.unwrap_or("(ignored)")))
                .collect();
            let _ = writeln!(s, "  headers: {}", shown.join("; "));
        }
        let _ = writeln!(
            s,
            "  rows: {} read, {} would be stored, {} rejected{}",
            f.read,
            f.would_store,
            f.rejects.len(),
            if f.already_ingested {
                " (ingested before: a real run skips it unless --force)"
            } else {
                ""
            }
        );
        if let Some(why) = &f.failed {
            let _ = writeln!(s, "  FAILED: {why}");
        }
        for n in &f.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        if !f.first_rows.is_empty() {
            let _ = writeln!(s, "  first rows as stored:");
            for row in &f.first_rows {
                let cells: Vec<String> = row
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(c, v)| format!("{c}={v}"))
                    .collect();
                let _ = writeln!(s, "    {}", cells.join(", "));
            }
        }
        if f.failed.is_none() {
            for r in f.rejects.iter().take(20) {
                let column = r
                    .column
                    .as_deref()
                    .map_or(String::new(), |c| format!(" [{c}]"));
                let _ = writeln!(
                    s,
                    "  reject line {}{column}: {}\n      {}",
                    r.line, r.reason, r.raw
                );
            }
            if f.rejects.len() > 20 {
                let _ = writeln!(s, "  … and {} more rejects", f.rejects.len() - 20);
            }
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_and_points() {
        assert_eq!(change(Some(110.0), Some(100.0)), "+10.0%");
        assert_eq!(change(Some(1.0), Some(0.0)), "—");
        assert_eq!(points(Some(0.97), Some(0.98)), "-1.0pp");
        assert_eq!(pct(None), "—");
        assert_eq!(met(Some(1.0)), "达标");
    }

    #[test]
    fn json_keeps_nulls_and_numbers() {
        let df = df!("k" => ["a"], "r" => [None::<f64>], "n" => [3i64]).unwrap();
        let mut out = Vec::new();
        write_json(&df, &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v[0]["k"], "a");
        assert!(v[0]["r"].is_null());
        assert_eq!(v[0]["n"], 3);
    }
}
