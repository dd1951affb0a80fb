//! `xiaoneng query` and `tables`: SQL over the store (a read).

use super::*;

pub(super) fn query(
    settings: &Settings,
    sql: &str,
    format: QueryFormat,
    out: Option<std::path::PathBuf>,
) -> Result<()> {
    if format == QueryFormat::Xlsx && out.is_none() {
        bail!("--format xlsx writes a workbook: give its file with --out FILE.xlsx");
    }
    let store = open_store_read(settings)?;
    let mut df = crate::query::run_sql(&store, sql)?;
    eprintln!("{} rows", df.height());
    if let (QueryFormat::Xlsx, Some(path)) = (format, &out) {
        // The SQL's column names as they are: a name can mean different
        // things in different tables (`level` of ratings, of the metrics).
        let book = crate::report::xlsx::table_workbook(
            "查询",
            &df,
            None,
            crate::report::sheets::Headers::AsNamed,
        )?;
        write_file(path, &book)?;
        eprintln!("wrote {}", path.display());
        return Ok(());
    }
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
        QueryFormat::Xlsx => unreachable!("written above"),
    }
    sink.flush()?;
    Ok(())
}
