//! Frames to stdout: CSV (every column, nulls empty), JSON (an array of
//! objects, nulls null) and the human table of `metrics cases` with
//! Chinese headers, 环比/同比 and targets.

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

fn f64_at(df: &DataFrame, c: &str, i: usize) -> Result<Option<f64>> {
    Ok(df.column(c)?.cast(&DataType::Float64)?.f64()?.get(i))
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| format!("{:.2}%", x * 100.0))
}

/// Relative change of a count, e.g. `+12.5%`.
fn change(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(n), Some(b)) if b != 0.0 => format!("{:+.1}%", (n - b) / b * 100.0),
        _ => "—".into(),
    }
}

/// Difference of two rates in percentage points, e.g. `-0.8pp`.
fn points(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(n), Some(b)) => format!("{:+.1}pp", (n - b) * 100.0),
        _ => "—".into(),
    }
}

fn met(v: Option<f64>) -> &'static str {
    match v {
        Some(x) if x > 0.5 => "达标",
        Some(_) => "未达标",
        None => "—",
    }
}

/// The human table of a `period_view` of case metrics.
pub fn case_table(view: &DataFrame) -> Result<String> {
    let headers: Vec<String> = [
        "对象",
        "受理",
        "环比",
        "同比",
        "办结",
        "即办率",
        "按期办结率",
        "环比",
        "同比",
        "提前办结率",
        "超期办结",
        "超期在办",
        "承诺压缩率",
        "实际提速率",
        "一次办结率",
        "平均用时",
        "P90用时",
        "压缩达标",
        "提速达标",
        "按期达标",
    ]
    .map(String::from)
    .to_vec();
    let mut rows = Vec::new();
    for i in 0..view.height() {
        let f = |c: &str| f64_at(view, c, i);
        let n =
            |c: &str| -> Result<String> { Ok(f(c)?.map_or("—".into(), |x| format!("{x:.0}"))) };
        let days =
            |c: &str| -> Result<String> { Ok(f(c)?.map_or("—".into(), |x| format!("{x:.2}"))) };
        let key = match view.column("key")?.str()?.get(i).unwrap_or("") {
            "center" if view.column("level")?.str()?.get(i) == Some("center") => {
                "全中心".to_string()
            }
            k => k.to_string(),
        };
        rows.push(vec![
            key,
            n("accepted")?,
            change(f("accepted")?, f("accepted_prev_period")?),
            change(f("accepted")?, f("accepted_prev_year")?),
            n("completed")?,
            pct(f("instant_rate")?),
            pct(f("on_time_rate")?),
            points(f("on_time_rate")?, f("on_time_rate_prev_period")?),
            points(f("on_time_rate")?, f("on_time_rate_prev_year")?),
            pct(f("early_rate")?),
            n("overdue_completed")?,
            n("overdue_open")?,
            pct(f("promise_compression")?),
            pct(f("actual_speedup")?),
            pct(f("one_visit_rate")?),
            days("mean_elapsed_days")?,
            days("p90_elapsed_days")?,
            met(f("promise_compression_met")?).into(),
            met(f("actual_speedup_met")?).into(),
            met(f("on_time_rate_met")?).into(),
        ]);
    }
    Ok(table(&headers, &rows))
}

fn text_at(df: &DataFrame, c: &str, i: usize) -> Result<String> {
    let v = df.column(c)?.get(i)?;
    Ok(match v {
        AnyValue::Null => "—".into(),
        AnyValue::String(s) => s.to_string(),
        other => other.to_string(),
    })
}

/// A table of some columns of a frame, with Chinese headers.
fn columns_table(df: &DataFrame, columns: &[(&str, &str)]) -> Result<String> {
    let headers: Vec<String> = columns.iter().map(|(_, h)| h.to_string()).collect();
    let mut rows = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        rows.push(
            columns
                .iter()
                .map(|(c, _)| text_at(df, c, i))
                .collect::<Result<Vec<_>>>()?,
        );
    }
    Ok(table(&headers, &rows))
}

/// The cards (or the card history) as a table.
pub fn cards_table(df: &DataFrame) -> Result<String> {
    let colour = df
        .column("colour")?
        .str()?
        .iter()
        .map(|c| if c == Some("red") { "红牌" } else { "黄牌" })
        .collect::<Vec<_>>();
    let mut shown = df.clone();
    shown.with_column(Column::new("牌".into(), colour))?;
    columns_table(
        &shown,
        &[
            ("牌", "牌"),
            ("case_id", "办件编号"),
            ("window_id", "窗口"),
            ("staff_id", "人员"),
            ("deadline", "截止日期"),
            ("remaining_days", "剩余工作日"),
            ("raised_on", "首次亮牌"),
            ("escalated_on", "升级红牌"),
            ("cleared_on", "解除"),
        ],
    )
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
