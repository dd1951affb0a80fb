//! Writing the files: the CSV lines, the headers (from the input registry,
//! `ingest::table`), the monthly split, the GBK questionnaire and the
//! headerless attlog, with the malformed rows planted among the good ones.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use chrono::{Datelike, NaiveDate};

use super::bad::BadRow;
use super::days::Days;
use super::DemoFiles;
use crate::ingest::table;

pub(super) const QUESTIONNAIRE_FILE: &str = "评价_民主评议问卷.csv";
pub(super) const ATTLOG_FILE: &str = "punches_attlog.dat";

/// Registry columns the demo's files leave out: the number of 补正 of a
/// case (its suspensions tell it) and the class of a priority ticket.
const LEFT_OUT: &[(&str, &str)] = &[("cases", "supplements"), ("tickets", "priority_class")];

/// The English header of a table's files: the registry's column names, in
/// its order, but for those left out.
pub(super) fn header(table: &str) -> Vec<&'static str> {
    let spec = table::table(table).unwrap_or_else(|| panic!("{table} is not an input table"));
    spec.columns
        .iter()
        .map(|c| c.name)
        .filter(|&name| !LEFT_OUT.contains(&(spec.name, name)))
        .collect()
}

/// The columns of the 民主评议 questionnaires, a ratings export.
const QUESTIONNAIRE_COLUMNS: [&str; 6] = [
    "rating_id",
    "window_id",
    "rated_at",
    "level",
    "channel",
    "comment",
];

/// The questionnaires' header: the registry's usual Chinese header of
/// each column (评价编号, 窗口编号 …).
pub(super) fn questionnaire_header() -> Vec<&'static str> {
    let ratings = table::table("ratings").expect("ratings is an input table");
    QUESTIONNAIRE_COLUMNS
        .iter()
        .map(|c| ratings.usual_header(c))
        .collect()
}

/// A CSV line, quoting fields that hold a comma, quote or line break.
pub(super) fn line(fields: &[&str]) -> String {
    let mut s = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            s.push('"');
            s.push_str(&f.replace('"', "\"\""));
            s.push('"');
        } else {
            s.push_str(f);
        }
    }
    s
}

/// Writes the files, planting the malformed rows in the ones they belong to.
pub(super) struct Output {
    dir: PathBuf,
    bad: Vec<BadRow>,
    files: Vec<PathBuf>,
    malformed: usize,
}

impl Output {
    pub(super) fn new(dir: &Path, bad: Vec<BadRow>) -> Self {
        Output {
            dir: dir.to_path_buf(),
            bad,
            files: Vec::new(),
            malformed: 0,
        }
    }

    fn planted(&self, name: &str) -> Vec<String> {
        self.bad
            .iter()
            .filter(|b| b.file == name)
            .map(|b| b.line.clone())
            .collect()
    }

    /// The file's text: header, rows, and this file's malformed rows spread
    /// evenly among them.
    fn render(
        &mut self,
        name: &str,
        header: Option<String>,
        rows: &[String],
        newline: &str,
    ) -> Vec<u8> {
        let planted = self.planted(name);
        let mut text = String::with_capacity(rows.iter().map(|r| r.len() + 1).sum::<usize>() + 256);
        if let Some(h) = header {
            text.push_str(&h);
            text.push_str(newline);
        }
        let k = planted.len();
        let mut next = 0;
        for (i, r) in rows.iter().enumerate() {
            while next < k && i >= (next + 1) * rows.len() / (k + 1) {
                text.push_str(&planted[next]);
                text.push_str(newline);
                next += 1;
            }
            text.push_str(r);
            text.push_str(newline);
        }
        for p in &planted[next..] {
            text.push_str(p);
            text.push_str(newline);
        }
        self.malformed += k;
        text.into_bytes()
    }

    fn save(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(name);
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        let mut w = BufWriter::new(file);
        w.write_all(bytes)
            .and_then(|()| w.flush())
            .with_context(|| format!("writing {}", path.display()))?;
        self.files.push(path);
        Ok(())
    }

    /// A UTF-8 CSV of `table` with the English header.
    pub(super) fn csv(&mut self, name: &str, table: &str, rows: &[String]) -> Result<()> {
        let bytes = self.render(name, Some(line(&header(table))), rows, "\n");
        self.save(name, &bytes)
    }

    /// One `{table}-YYYY-MM.csv` per month of the period.
    pub(super) fn monthly(
        &mut self,
        days: &Days,
        table: &str,
        rows: Vec<(NaiveDate, String)>,
    ) -> Result<()> {
        let mut by_month: BTreeMap<(i32, u32), Vec<String>> = days
            .months()
            .iter()
            .map(|&(_, y, m)| ((y, m), Vec::new()))
            .collect();
        for (d, r) in rows {
            by_month.entry((d.year(), d.month())).or_default().push(r);
        }
        for ((y, m), rows) in by_month {
            self.csv(&format!("{table}-{y}-{m:02}.csv"), table, &rows)?;
        }
        Ok(())
    }

    /// A GBK CSV with CRLF line ends and no BOM, as Excel saves it in China.
    pub(super) fn gbk(&mut self, name: &str, header: &[&str], rows: &[String]) -> Result<()> {
        let bytes = self.render(name, Some(line(header)), rows, "\r\n");
        let text = String::from_utf8(bytes).context("demo rows are UTF-8")?;
        let (encoded, _, unmappable) = encoding_rs::GBK.encode(&text);
        if unmappable {
            bail!("{name}: text not representable in GBK");
        }
        self.save(name, &encoded)
    }

    /// A headerless text file (the ZKTeco attlog).
    pub(super) fn raw(&mut self, name: &str, rows: &[String]) -> Result<()> {
        let bytes = self.render(name, None, rows, "\n");
        self.save(name, &bytes)
    }

    pub(super) fn finish(self) -> Result<DemoFiles> {
        let lost: Vec<&str> = self
            .bad
            .iter()
            .filter(|b| !self.files.iter().any(|f| f.ends_with(&b.file)))
            .map(|b| b.what)
            .collect();
        ensure!(
            lost.is_empty(),
            "malformed rows without a file to go in: {}",
            lost.join("; ")
        );
        Ok(DemoFiles {
            files: self.files,
            malformed_rows: self.malformed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::reference::QUESTIONNAIRES_PER_QUARTER;
    use super::super::testing::generate_into;
    use super::super::DemoSpec;
    use super::*;

    #[test]
    fn left_out_columns_are_registry_columns() {
        for (t, c) in LEFT_OUT {
            let spec = table::table(t).unwrap();
            assert!(spec.column_index(c).is_some(), "{t}.{c}");
            assert!(!header(t).contains(c), "{t}.{c}");
        }
    }

    #[test]
    fn questionnaires_are_gbk_not_utf8() {
        let spec = DemoSpec {
            months: 3,
            ..DemoSpec::default()
        };
        let (_dir, files) = generate_into(&spec, "gbk");
        let path = files
            .files
            .iter()
            .find(|f| f.ends_with(QUESTIONNAIRE_FILE))
            .expect("questionnaire file written");
        let bytes = std::fs::read(path).unwrap();
        assert!(std::str::from_utf8(&bytes).is_err());
        assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
        assert!(!had_errors);
        assert!(text.starts_with("评价编号,窗口编号,评价时间,评价等级,评价渠道,评价内容\r\n"));
        assert_eq!(text.lines().count(), 1 + QUESTIONNAIRES_PER_QUARTER);
    }
}
