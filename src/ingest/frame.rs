//! Typed rows to a polars frame with the table's column types.

use super::table::{ColType, TableSpec};
use super::values::Value;
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");

/// The polars type a column is stored as.
pub fn dtype(ty: ColType) -> DataType {
    match ty {
        ColType::Text => DataType::String,
        ColType::Int => DataType::Int64,
        ColType::Number => DataType::Float64,
        ColType::Bool => DataType::Boolean,
        ColType::Date => DataType::Date,
        ColType::DateTime => DataType::Datetime(TimeUnit::Milliseconds, None),
    }
}

fn column<'a>(name: &str, ty: ColType, cells: impl Iterator<Item = &'a Value>) -> Result<Column> {
    let name = PlSmallStr::from(name);
    let series = match ty {
        ColType::Text => Series::new(
            name,
            cells
                .map(|v| v.as_text().map(str::to_string))
                .collect::<Vec<_>>(),
        ),
        ColType::Int => Series::new(name, cells.map(Value::as_int).collect::<Vec<_>>()),
        ColType::Number => Series::new(
            name,
            cells
                .map(|v| match v {
                    Value::Number(f) => Some(*f),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        ColType::Bool => Series::new(
            name,
            cells
                .map(|v| match v {
                    Value::Bool(b) => Some(*b),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        ColType::Date => Series::new(
            name,
            cells
                .map(|v| match v {
                    Value::Date(d) => Some((*d - EPOCH).num_days() as i32),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        )
        .cast(&DataType::Date)?,
        ColType::DateTime => Series::new(
            name,
            cells
                .map(|v| v.as_datetime().map(|t| t.and_utc().timestamp_millis()))
                .collect::<Vec<_>>(),
        )
        .cast(&dtype(ty))?,
    };
    Ok(series.into())
}

/// A frame of `rows` (each one value per column of `table`).
pub fn to_frame<'a>(
    table: &TableSpec,
    rows: impl Iterator<Item = &'a [Value]> + Clone,
) -> Result<DataFrame> {
    let height = rows.clone().count();
    let columns = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| column(c.name, c.ty, rows.clone().map(move |r| &r[i])))
        .collect::<Result<Vec<_>>>()?;
    Ok(DataFrame::new(height, columns)?)
}

/// A frame from named columns of plain values (for the rejects and the
/// ledger): every column of the same length.
pub fn frame_of(columns: Vec<(&str, ColType, Vec<Value>)>) -> Result<DataFrame> {
    let height = columns.first().map_or(0, |c| c.2.len());
    let cols = columns
        .iter()
        .map(|(name, ty, cells)| column(name, *ty, cells.iter()))
        .collect::<Result<Vec<_>>>()?;
    Ok(DataFrame::new(height, cols)?)
}

#[cfg(test)]
mod tests {
    use super::super::table::table;
    use super::*;

    #[test]
    fn columns_get_the_table_types() {
        let t = table("ratings").unwrap();
        let at = NaiveDate::from_ymd_opt(2026, 10, 8)
            .unwrap()
            .and_hms_opt(9, 1, 2)
            .unwrap();
        let row = vec![
            Value::Text("R1".into()),
            Value::Null,
            Value::Text("W01".into()),
            Value::Null,
            Value::DateTime(at),
            Value::Int(5),
            Value::Text("问卷".into()),
            Value::Null,
            Value::Null,
        ];
        let df = to_frame(t, std::iter::once(row.as_slice())).unwrap();
        assert_eq!(df.height(), 1);
        assert_eq!(df.column("level").unwrap().dtype(), &DataType::Int64);
        assert_eq!(
            df.column("rated_at").unwrap().dtype(),
            &DataType::Datetime(TimeUnit::Milliseconds, None)
        );
        let s = df
            .column("rated_at")
            .unwrap()
            .cast(&DataType::String)
            .unwrap();
        assert_eq!(s.str().unwrap().get(0), Some("2026-10-08 09:01:02.000"));
    }
}
