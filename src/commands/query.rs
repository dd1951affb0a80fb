//! `xiaoneng query` and `tables`: SQL over the store (a read).

use super::*;

pub(super) fn query(
    settings: &Settings,
    sql: &str,
    format: QueryFormat,
    out: Option<std::path::PathBuf>,
) -> Result<()> {
    let store = open_store_read(settings)?;
    let mut df = crate::query::run_sql(&store, sql)?;
    eprintln!("{} rows", df.height());
    let mut sink: Box<dyn Write> = match &out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None if format == QueryFormat::Parquet => bail!("--format parquet needs --out FILE"),
        None => Box::new(std::io::stdout().lock()),
    };
    match format {
        QueryFormat::Table => write!(sink, "{}", crate::view::any_table(&df)?)?,
        QueryFormat::Csv => crate::view::write_csv(&mut df, &mut sink)?,
        QueryFormat::Json => crate::view::write_json(&df, &mut sink)?,
        QueryFormat::Parquet => {
            polars::prelude::ParquetWriter::new(&mut sink).finish(&mut df)?;
        }
    }
    sink.flush()?;
    Ok(())
}
