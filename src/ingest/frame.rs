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

fn column<'a, 'v: 'a>(
    name: &str,
    ty: ColType,
    cells: impl Iterator<Item = &'a Value<'v>>,
) -> Result<Column> {
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

/// A table's columns being filled row by row, each in its stored type.
pub struct Columns {
    names: Vec<&'static str>,
    bufs: Vec<Buf>,
    height: usize,
}

enum Buf {
    Text(StringChunkedBuilder),
    Int(PrimitiveChunkedBuilder<Int64Type>),
    Number(PrimitiveChunkedBuilder<Float64Type>),
    Bool(BooleanChunkedBuilder),
    Date(PrimitiveChunkedBuilder<Int32Type>),
    DateTime(PrimitiveChunkedBuilder<Int64Type>),
}

impl Columns {
    /// Empty columns of `table`, room for about `rows` rows.
    pub fn new(table: &TableSpec, rows: usize) -> Self {
        let bufs = table
            .columns
            .iter()
            .map(|c| {
                let name = PlSmallStr::from(c.name);
                match c.ty {
                    ColType::Text => Buf::Text(StringChunkedBuilder::new(name, rows)),
                    ColType::Int => Buf::Int(PrimitiveChunkedBuilder::new(name, rows)),
                    ColType::Number => Buf::Number(PrimitiveChunkedBuilder::new(name, rows)),
                    ColType::Bool => Buf::Bool(BooleanChunkedBuilder::new(name, rows)),
                    ColType::Date => Buf::Date(PrimitiveChunkedBuilder::new(name, rows)),
                    ColType::DateTime => Buf::DateTime(PrimitiveChunkedBuilder::new(name, rows)),
                }
            })
            .collect();
        Columns {
            names: table.columns.iter().map(|c| c.name).collect(),
            bufs,
            height: 0,
        }
    }

    /// Add a row: one value per column, in the table's order. A value of
    /// another type than its column's is stored as null (the parser gives
    /// none such).
    pub fn push(&mut self, row: &[Value]) {
        debug_assert_eq!(row.len(), self.bufs.len());
        for (b, v) in self.bufs.iter_mut().zip(row) {
            match b {
                Buf::Text(b) => b.append_option(v.as_text()),
                Buf::Int(b) => b.append_option(v.as_int()),
                Buf::Number(b) => b.append_option(match v {
                    Value::Number(f) => Some(*f),
                    _ => None,
                }),
                Buf::Bool(b) => b.append_option(match v {
                    Value::Bool(x) => Some(*x),
                    _ => None,
                }),
                Buf::Date(b) => b.append_option(match v {
                    Value::Date(d) => Some((*d - EPOCH).num_days() as i32),
                    _ => None,
                }),
                Buf::DateTime(b) => {
                    b.append_option(v.as_datetime().map(|t| t.and_utc().timestamp_millis()))
                }
            }
        }
        self.height += 1;
    }

    /// Rows pushed so far.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The frame of the rows pushed.
    pub fn finish(self) -> DataFrame {
        let columns: Vec<Column> = self
            .bufs
            .into_iter()
            .map(|b| match b {
                Buf::Text(b) => b.finish().into_series(),
                Buf::Int(b) => b.finish().into_series(),
                Buf::Number(b) => b.finish().into_series(),
                Buf::Bool(b) => b.finish().into_series(),
                Buf::Date(b) => b.finish().into_date().into_series(),
                Buf::DateTime(b) => b
                    .finish()
                    .into_datetime(TimeUnit::Milliseconds, None)
                    .into_series(),
            })
            .map(Column::from)
            .collect();
        debug_assert_eq!(columns.len(), self.names.len());
        DataFrame::new(self.height, columns).expect("columns of one height and distinct names")
    }
}

/// A frame of `rows` (each one value per column of `table`).
pub fn to_frame<'a, 'v: 'a>(
    table: &TableSpec,
    rows: impl Iterator<Item = &'a [Value<'v>]>,
) -> DataFrame {
    let mut columns = Columns::new(table, 0);
    for r in rows {
        columns.push(r);
    }
    columns.finish()
}

/// A frame from named columns of plain values (for the rejects and the
/// ledger): every column of the same length.
pub fn frame_of(columns: Vec<(&str, ColType, Vec<Value<'_>>)>) -> Result<DataFrame> {
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
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ];
        let df = to_frame(t, std::iter::once(row.as_slice()));
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
