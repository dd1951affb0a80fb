//! Ingest: raw export files to validated rows and rejects, stored in one
//! all-or-nothing commit.
//!
//! Every data row of every file is either stored or rejected with its file,
//! line, column and reason (`stored + rejected = read`, per file). A file
//! whose content was ingested before (same SHA-256) is skipped, so running
//! the same inbox twice changes nothing. Files are taken in path order and
//! rows in line order; a later row with the key of an earlier one replaces
//! it.

pub mod checks;
pub mod decode;
pub mod frame;
pub mod parse;
pub mod records;
pub mod rejects;
mod summary;
pub mod table;
pub mod values;
pub mod vocab;

use crate::polars_ext::{i64s, opt_strings};
use crate::store::{Store, INGEST_RUNS, LEDGER, REJECTS};
use anyhow::{Context, Result};
use decode::EncodingChoice;
use parse::{ParseOptions, Parsed, Reject};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use table::{ColType, TableSpec, TABLES};
use values::Value;

/// Header aliases from the configuration: table → (header → column).
pub type ColumnAliases = BTreeMap<String, BTreeMap<String, String>>;

/// Extra value words per table and column (`[values.<table>.<column>]`):
/// word → the value it stands for.
pub type ValueWords = BTreeMap<String, vocab::ColumnWords>;

/// How to read the files of one run.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    pub encoding: EncodingChoice,
    pub max_field_bytes: usize,
    pub aliases: ColumnAliases,
    pub values: ValueWords,
    /// The incidents' default points, to warn of rows that get none.
    pub incidents: crate::metrics::zeros::IncidentRules,
    /// Take every file as this table instead of telling from its name.
    pub table: Option<&'static TableSpec>,
    /// Years the working-day calendar covers: dates in other years are rejected.
    pub years: Vec<i32>,
    /// Read files again even if their content was ingested before.
    pub force: bool,
}

/// What happened to one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    pub table: Option<&'static str>,
    pub sha256: String,
    pub encoding: &'static str,
    pub read: u64,
    pub stored: u64,
    pub rejected: u64,
    /// The same content was ingested before; the counts are from then.
    pub already_ingested: bool,
    pub notes: Vec<String>,
    /// The file failed as a whole (its table cannot be told, or a required
    /// column has no header): the one message saying why and how to fix
    /// it. Its rows are rejected with it; it is not remembered as
    /// ingested, so once fixed the same bytes are read again.
    pub failed: Option<String>,
    /// Rows rejected only because a row they name is in a file of this run
    /// that failed or rejected it: (that file's table and name) → rows.
    pub caused_by: BTreeMap<(String, String), u64>,
}

impl IngestReport {
    /// The files that failed as a whole in this run.
    pub fn failed(&self) -> impl Iterator<Item = &FileReport> {
        self.files
            .iter()
            .filter(|f| !f.already_ingested && f.failed.is_some())
    }
}

/// What one ingest run did.
#[derive(Debug, Default)]
pub struct IngestReport {
    pub files: Vec<FileReport>,
    /// Rows replaced per table by rows of this run.
    pub replaced: BTreeMap<&'static str, u64>,
    /// The dates whose figures the stored rows of this run may change.
    pub touched: Touched,
    /// The latest date in any row stored by this run: a nightly run for an
    /// earlier date does not count the later rows yet.
    pub last_row_date: Option<chrono::NaiveDate>,
}

/// The dates whose figures an ingest may change: its rows' dates, and the
/// months of the stored rows it replaced. A change to a table without dates
/// (windows, staff, items) may change every figure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Touched {
    #[default]
    Nothing,
    /// Figures of this date and after.
    From(chrono::NaiveDate),
    Everything,
}

impl Touched {
    /// Both sets of dates together.
    pub fn and(self, other: Touched) -> Touched {
        use Touched::*;
        match (self, other) {
            (Everything, _) | (_, Everything) => Everything,
            (Nothing, t) | (t, Nothing) => t,
            (From(a), From(b)) => From(a.min(b)),
        }
    }
}

/// The earliest and the latest date in any date or date-time column of a
/// batch.
fn date_range(
    batch: &polars::prelude::DataFrame,
) -> Result<(Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)> {
    use polars::prelude::DataType;
    let (mut first, mut last) = (None, None);
    for c in batch.columns() {
        if matches!(c.dtype(), DataType::Date | DataType::Datetime(..)) {
            let dates: Vec<chrono::NaiveDate> =
                crate::polars_ext::dates_of(&c.cast(&DataType::Date)?)?
                    .into_iter()
                    .flatten()
                    .collect();
            first = first.into_iter().chain(dates.iter().copied()).min();
            last = last.into_iter().chain(dates).max();
        }
    }
    Ok((first, last))
}

/// Per-table totals of a report.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TableTotals {
    pub files: u64,
    pub read: u64,
    pub stored: u64,
    pub rejected: u64,
    pub replaced: u64,
}

impl IngestReport {
    pub fn totals(&self) -> BTreeMap<&'static str, TableTotals> {
        let mut out: BTreeMap<&'static str, TableTotals> = BTreeMap::new();
        for f in &self.files {
            let t = out.entry(f.table.unwrap_or("(unknown)")).or_default();
            t.files += 1;
            t.read += f.read;
            t.stored += f.stored;
            t.rejected += f.rejected;
        }
        for (table, n) in &self.replaced {
            out.entry(table).or_default().replaced += n;
        }
        out
    }
}

/// A file of this run, parsed, waiting for the reference checks.
struct Pending {
    report: FileReport,
    text: String,
    table: Option<&'static TableSpec>,
    parsed: Parsed,
}

/// What `ingest --dry-run` shows of one file.
#[derive(Debug)]
pub struct DryRunFile {
    pub path: PathBuf,
    /// The table, and how it was told.
    pub table: Option<(&'static str, String)>,
    pub encoding: &'static str,
    /// `LF`, `CRLF`, `CR` or `mixed`, and whether the last line has one.
    pub line_ends: String,
    /// Each header and the column it feeds (`None`: ignored).
    pub mapping: Vec<(String, Option<&'static str>)>,
    pub read: u64,
    /// The first rows as they would be stored: (column, value) pairs.
    pub first_rows: Vec<Vec<(&'static str, String)>>,
    pub would_store: u64,
    pub rejects: Vec<Reject>,
    pub failed: Option<String>,
    pub notes: Vec<String>,
    /// The same content was ingested before (it would be skipped).
    pub already_ingested: bool,
}

/// Read and check `files` as [`ingest`] would, references included, and
/// say what would be stored and rejected; nothing is written, the ledger
/// is left alone.
pub fn dry_run(store: &Store, files: &[PathBuf], opts: &IngestOptions) -> Result<Vec<DryRunFile>> {
    let ledger = read_ledger(store)?;
    let mut pending = Vec::new();
    let mut seen = Vec::new();
    for path in files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let again = ledger.contains_key(&sha256) && !opts.force;
        let line_ends = line_ends(&bytes);
        let p = parse_file(path, &bytes, sha256, opts);
        seen.push((again, line_ends));
        pending.push(p);
    }
    check_references(store, &mut pending)?;
    Ok(pending
        .into_iter()
        .zip(seen)
        .map(|(p, (again, line_ends))| {
            let first_rows = p
                .table
                .map(|t| {
                    p.parsed
                        .rows
                        .iter()
                        .take(3)
                        .map(|r| {
                            t.columns
                                .iter()
                                .zip(&r.values)
                                .map(|(c, v)| (c.name, v.to_string()))
                                .collect()
                        })
                        .collect()
                })
                .unwrap_or_default();
            let path = p.report.path.clone();
            DryRunFile {
                table: p.table.map(|t| {
                    let why = if opts.table.is_some() {
                        "--table".to_string()
                    } else {
                        table::table_and_reason(&path).map_or_else(String::new, |(_, why)| why)
                    };
                    (t.name, why)
                }),
                path,
                encoding: p.report.encoding,
                line_ends,
                mapping: p.parsed.mapping,
                read: p.parsed.read,
                first_rows,
                would_store: p.parsed.rows.len() as u64,
                rejects: p.parsed.rejects,
                failed: p.parsed.failed,
                notes: p.report.notes,
                already_ingested: again,
            }
        })
        .collect())
}

/// The line ends a file uses: `LF`, `CRLF`, `CR` or `mixed`, and a note
/// when its last line has none.
fn line_ends(bytes: &[u8]) -> String {
    let (mut lf, mut crlf, mut cr) = (0usize, 0usize, 0usize);
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'\n' if i > 0 && bytes[i - 1] == b'\r' => crlf += 1,
            b'\n' => lf += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => cr += 1,
            _ => {}
        }
    }
    let kinds: Vec<&str> = [(lf, "LF"), (crlf, "CRLF"), (cr, "CR")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(_, k)| *k)
        .collect();
    let what = match kinds.as_slice() {
        [] => "none".to_string(),
        [one] => one.to_string(),
        many => format!("mixed ({})", many.join(", ")),
    };
    if bytes.last().is_some_and(|b| !matches!(b, b'\n' | b'\r')) {
        format!("{what}; the last line has no line end")
    } else {
        what
    }
}

/// Every input file under `paths` (folders searched recursively), sorted.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        for entry in
            std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?
        {
            let path = entry?.path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_lowercase();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                walk(&path, out)?;
            } else if [".csv", ".txt", ".tsv", ".dat"]
                .iter()
                .any(|e| name.ends_with(e))
            {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            anyhow::bail!("no such file or folder: {}", p.display());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Ingest `files` into `store` in one commit.
pub fn ingest(store: &Store, files: &[PathBuf], opts: &IngestOptions) -> Result<IngestReport> {
    let ledger = read_ledger(store)?;
    // Read and hash every file on every core, then parse the new ones on
    // every core (a city's exports are a few large files: one thread
    // each); each file's bytes are dropped as soon as it is parsed.
    let hashed = parallel_map(
        files,
        |path| -> Result<(std::sync::Mutex<Vec<u8>>, String)> {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let sha256 = hex::encode(Sha256::digest(&bytes));
            Ok((std::sync::Mutex::new(bytes), sha256))
        },
    )
    .into_iter()
    .collect::<Result<Vec<_>>>()?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut report = IngestReport::default();
    let mut to_parse: Vec<(&PathBuf, &std::sync::Mutex<Vec<u8>>, String)> = Vec::new();
    for (path, (bytes, sha256)) in files.iter().zip(&hashed) {
        if let Some(before) = ledger.get(sha256).filter(|_| !opts.force) {
            let mut r = before.clone();
            r.path = path.clone();
            r.already_ingested = true;
            report.files.push(r);
        } else if !seen.insert(sha256.clone()) {
            report.files.push(FileReport {
                path: path.clone(),
                table: None,
                sha256: sha256.clone(),
                encoding: "",
                read: 0,
                stored: 0,
                rejected: 0,
                already_ingested: true,
                notes: vec!["the same content as another file of this run".into()],
                failed: None,
                caused_by: BTreeMap::new(),
            });
        } else {
            to_parse.push((path, bytes, sha256.clone()));
        }
        if report.files.last().is_some_and(|r| &r.path == path) {
            // Not to be parsed: its bytes can go now.
            std::mem::take(&mut *bytes.lock().expect("file bytes"));
        }
    }
    let mut pending = parallel_map(&to_parse, |(path, bytes, sha256)| {
        let bytes = std::mem::take(&mut *bytes.lock().expect("file bytes"));
        parse_file(path, &bytes, sha256.clone(), opts)
    });
    drop(to_parse);
    drop(hashed);
    check_references(store, &mut pending)?;

    let mut txn = store.begin()?;
    let run_id = txn.run_id().to_string();
    let now = chrono::Local::now().naive_local();
    let mut new_cases = None;
    for t in TABLES {
        let of_table: Vec<&Pending> = pending
            .iter()
            .filter(|p| p.table.is_some_and(|pt| pt.name == t.name))
            .collect();
        let rows = of_table
            .iter()
            .flat_map(|p| p.parsed.rows.iter().map(|r| r.values.as_slice()));
        if rows.clone().next().is_none() {
            continue;
        }
        let batch = frame::to_frame(t, rows)?;
        let (mut first, last) = date_range(&batch)?;
        report.last_row_date = report.last_row_date.into_iter().chain(last).max();
        if t.name == "cases" {
            new_cases = Some(batch.clone());
        }
        // A rating also counts in the coverage of its case's completion day,
        // and a suspension or step changes figures of its case from the
        // acceptance on (a 补正 after completion still makes the case not
        // one-visit; a 送达 after completion counts in the case's shares):
        // both may lie long before the row's own dates.
        let of_case = match t.name {
            "ratings" => Some("completed_at"),
            "suspensions" | "case_steps" => Some("accepted_at"),
            _ => None,
        };
        if let Some(column) = of_case {
            let d = first_case_date(store, new_cases.as_ref(), &batch, column)?;
            first = first.into_iter().chain(d).min();
        }
        let done = store.upsert(&mut txn, t.name, t.key, t.partition_by, batch)?;
        report.replaced.insert(t.name, done.replaced);
        let old = done
            .first_replaced_partition
            .and_then(|(y, m)| chrono::NaiveDate::from_ymd_opt(y, m, 1));
        report.touched =
            report
                .touched
                .and(match (t.partition_by, first.into_iter().chain(old).min()) {
                    (None, _) => Touched::Everything,
                    (Some(_), Some(d)) => Touched::From(d),
                    (Some(_), None) => Touched::Nothing,
                });
    }
    // Every run that read a file is recorded (its rejects too), in the
    // order of the store's counter.
    let run_row = if pending.is_empty() {
        polars::prelude::DataFrame::empty()
    } else {
        ingest_run_frame(
            report.touched,
            report.last_row_date,
            &run_id,
            next_run_seq(store)?,
            now,
        )?
    };
    store.append(&mut txn, INGEST_RUNS, None, run_row)?;
    let rejects = rejects_frame(&pending, &run_id, now)?;
    store.append(&mut txn, REJECTS, Some("ingested_at"), rejects)?;
    for p in &mut pending {
        p.report.stored = p.parsed.rows.len() as u64;
        p.report.rejected = p.parsed.rejects.len() as u64;
        anyhow::ensure!(
            p.report.stored + p.report.rejected == p.report.read,
            "internal error: {} rows of {} are neither stored nor rejected",
            p.report.read - p.report.stored - p.report.rejected,
            p.report.path.display()
        );
    }
    let ledger_rows = ledger_frame(&pending, &run_id, now)?;
    store.append(&mut txn, LEDGER, None, ledger_rows)?;
    txn.commit()?;
    report.files.extend(pending.into_iter().map(|p| p.report));
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(report)
}

/// `f` over `items` on every available core, results in the items' order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            break;
                        };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("an ingest thread panicked"))
            .collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

fn parse_file(path: &Path, bytes: &[u8], sha256: String, opts: &IngestOptions) -> Pending {
    let decoded = decode::decode(bytes, opts.encoding);
    let table = opts.table.or_else(|| table::table_for_path(path));
    let is_attlog = path.to_string_lossy().to_lowercase().ends_with(".dat");
    let records = if is_attlog {
        records::read_attlog(&decoded.text)
    } else {
        records::read_delimited(&decoded.text)
    };
    let parse_opts = ParseOptions {
        max_field_bytes: opts.max_field_bytes,
        max_raw_chars: 2000,
        aliases: table.and_then(|t| opts.aliases.get(t.name)),
        values: table.and_then(|t| opts.values.get(t.name)),
        file_name: &path.file_name().unwrap_or_default().to_string_lossy(),
        years: &opts.years,
    };
    let parsed = match table {
        Some(t) if is_attlog && t.name == "punches" => {
            parse::parse_attlog(t, &decoded.text, &records, &parse_opts)
        }
        Some(t) => parse::parse_delimited(t, &decoded.text, &records, &parse_opts),
        None => unknown_table(path, &decoded.text, &records, is_attlog),
    };
    let mut notes = parsed.notes.clone();
    if let Some(n) = table
        .filter(|t| t.name == "incidents")
        .and_then(|t| incidents_without_points(t, &parsed, &opts.incidents))
    {
        notes.push(n);
    }
    if decoded.damaged {
        notes.push(format!(
            "some bytes are not valid {}; their rows are rejected",
            decoded.encoding
        ));
    }
    Pending {
        report: FileReport {
            path: path.to_path_buf(),
            table: table.map(|t| t.name),
            sha256,
            encoding: decoded.encoding,
            read: parsed.read,
            stored: 0,
            rejected: 0,
            already_ingested: false,
            notes,
            failed: parsed.failed.clone(),
            caused_by: BTreeMap::new(),
        },
        text: decoded.text,
        table,
        parsed,
    }
}

/// The warning for substantiated incidents that have no points and get
/// none from `[incidents]` (they would cost nothing, silently).
fn incidents_without_points(
    t: &TableSpec,
    parsed: &Parsed,
    rules: &crate::metrics::zeros::IncidentRules,
) -> Option<String> {
    let at = |c: &str| t.column_index(c).expect("incidents column");
    let (sub, pts, cat, src) = (
        at("substantiated"),
        at("points"),
        at("category"),
        at("source"),
    );
    let lines: Vec<String> = parsed
        .rows
        .iter()
        .filter(|r| r.values[sub] != Value::Bool(false) && r.values[pts] == Value::Null)
        .filter(|r| {
            rules
                .default_for(r.values[cat].as_text(), r.values[src].as_text())
                .is_none()
        })
        .map(|r| r.line.to_string())
        .collect();
    (!lines.is_empty()).then(|| {
        format!(
            "warning: {} substantiated incident(s) have no points and neither their category nor their source has a default, so they cost 0 points (lines {}); set [incidents.default_points] or [incidents.source_points] in xiaoneng.toml",
            lines.len(),
            lines.join(", ")
        )
    })
}

/// A file whose table cannot be told: every row rejected, saying how to fix it.
fn unknown_table(path: &Path, text: &str, recs: &[records::Record], headerless: bool) -> Parsed {
    let data = if headerless {
        recs
    } else {
        recs.get(1..).unwrap_or(&[])
    };
    let reason = format!(
        "cannot tell which table {} holds: name it after a table (cases.csv, 办件.csv, …) or pass --table",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    Parsed {
        rows: Vec::new(),
        rejects: data
            .iter()
            .map(|r| Reject {
                line: r.line,
                column: None,
                reason: reason.clone(),
                raw: records::raw_text(text, r.span, 2000),
            })
            .collect(),
        read: data.len() as u64,
        notes: Vec::new(),
        failed: Some(reason),
        mapping: Vec::new(),
    }
}

/// Reject rows naming a window, staff member, item or case that is neither
/// stored nor in this run; fill missing incident ids.
fn check_references(store: &Store, pending: &mut [Pending]) -> Result<()> {
    let mut known: HashMap<&'static str, HashSet<String>> = HashMap::new();
    // The files of each table that failed or rejected rows in this run: a
    // missing reference to that table is likely one of theirs.
    let mut troubled: HashMap<&'static str, (String, &'static str)> = HashMap::new();
    for p in pending.iter() {
        if let Some(t) = p.table {
            let name = p
                .report
                .path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            if p.parsed.failed.is_some() {
                troubled.insert(t.name, (name, "failed"));
            } else if !p.parsed.rejects.is_empty() {
                troubled.entry(t.name).or_insert((name, "rejected rows"));
            }
        }
    }
    for t in TABLES {
        for c in t.columns.iter().filter(|c| c.references.is_some()) {
            let target = c.references.expect("filtered");
            if !known.contains_key(target) {
                let spec = table::table(target).expect("known table");
                let mut ids: HashSet<String> =
                    store.distinct(target, spec.key[0])?.into_iter().collect();
                let idx = spec.column_index(spec.key[0]).expect("key column");
                for p in pending
                    .iter()
                    .filter(|p| p.table.is_some_and(|pt| pt.name == target))
                {
                    ids.extend(
                        p.parsed
                            .rows
                            .iter()
                            .filter_map(|r| r.values[idx].as_text().map(str::to_string)),
                    );
                }
                known.insert(target, ids);
            }
        }
        let checks: Vec<(usize, &'static str, &HashSet<String>)> = t
            .columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.references.map(|r| (i, c.name, &known[r])))
            .collect();
        for p in pending
            .iter_mut()
            .filter(|p| p.table.is_some_and(|pt| pt.name == t.name))
        {
            let rows = std::mem::take(&mut p.parsed.rows);
            for mut row in rows {
                let bad = checks
                    .iter()
                    .find_map(|&(i, name, ids)| match row.values[i].as_text() {
                        Some(v) if !ids.contains(v) => Some((name, v.to_string())),
                        _ => None,
                    });
                if let Some((name, v)) = bad {
                    let target = t.column(name).references.expect("reference");
                    let reason = match troubled.get(target) {
                        Some((file, what)) => {
                            *p.report
                                .caused_by
                                .entry((target.to_string(), format!("{file} {what}")))
                                .or_default() += 1;
                            format!(
                                "{name} '{v}' is not in {target}: {file} {what} in this run \
                                 (fix it, ingest it again, then this file with --force)"
                            )
                        }
                        None => format!(
                            "{name} '{v}' is not in {target} (neither stored nor in this run)"
                        ),
                    };
                    p.parsed.rejects.push(Reject {
                        line: row.line,
                        column: Some(name.to_string()),
                        reason,
                        raw: records::raw_text(&p.text, row.span, 2000),
                    });
                    continue;
                }
                if t.name == "incidents" && row.values[0] == Value::Null {
                    row.values[0] = Value::Text(format!("{}:{}", &p.report.sha256[..12], row.line));
                }
                p.parsed.rows.push(row);
            }
            p.parsed.rejects.sort_by_key(|r| r.line);
        }
    }
    Ok(())
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn rejects_frame(
    pending: &[Pending],
    run_id: &str,
    now: chrono::NaiveDateTime,
) -> Result<polars::prelude::DataFrame> {
    let all: Vec<(&Pending, &Reject)> = pending
        .iter()
        .flat_map(|p| p.parsed.rejects.iter().map(move |r| (p, r)))
        .collect();
    let map = |f: &dyn Fn(&Pending, &Reject) -> Value| {
        all.iter().map(|(p, r)| f(p, r)).collect::<Vec<_>>()
    };
    frame::frame_of(vec![
        ("run_id", ColType::Text, map(&|_, _| text(run_id))),
        (
            "ingested_at",
            ColType::DateTime,
            map(&|_, _| Value::DateTime(now)),
        ),
        (
            "file",
            ColType::Text,
            map(&|p, _| text(p.report.path.display().to_string())),
        ),
        (
            "sha256",
            ColType::Text,
            map(&|p, _| text(p.report.sha256.clone())),
        ),
        (
            "table",
            ColType::Text,
            map(&|p, _| p.table.map_or(Value::Null, |t| text(t.name))),
        ),
        ("line", ColType::Int, map(&|_, r| Value::Int(r.line as i64))),
        (
            "column",
            ColType::Text,
            map(&|_, r| r.column.clone().map_or(Value::Null, Value::Text)),
        ),
        ("reason", ColType::Text, map(&|_, r| text(r.reason.clone()))),
        ("raw", ColType::Text, map(&|_, r| text(r.raw.clone()))),
    ])
}

fn ledger_frame(
    pending: &[Pending],
    run_id: &str,
    now: chrono::NaiveDateTime,
) -> Result<polars::prelude::DataFrame> {
    // A file that failed as a whole (its table could not be told, or a
    // required column has no header) is not remembered: renamed, given
    // --table or a [columns] line, the same bytes can be ingested.
    let pending: Vec<&Pending> = pending
        .iter()
        .filter(|p| p.table.is_some() && p.parsed.failed.is_none())
        .collect();
    let map =
        |f: &dyn Fn(&FileReport) -> Value| pending.iter().map(|p| f(&p.report)).collect::<Vec<_>>();
    frame::frame_of(vec![
        ("sha256", ColType::Text, map(&|r| text(r.sha256.clone()))),
        (
            "file",
            ColType::Text,
            map(&|r| text(r.path.display().to_string())),
        ),
        (
            "table",
            ColType::Text,
            map(&|r| r.table.map_or(Value::Null, text)),
        ),
        ("encoding", ColType::Text, map(&|r| text(r.encoding))),
        ("read", ColType::Int, map(&|r| Value::Int(r.read as i64))),
        (
            "stored",
            ColType::Int,
            map(&|r| Value::Int(r.stored as i64)),
        ),
        (
            "rejected",
            ColType::Int,
            map(&|r| Value::Int(r.rejected as i64)),
        ),
        ("run_id", ColType::Text, map(&|_| text(run_id))),
        (
            "ingested_at",
            ColType::DateTime,
            map(&|_| Value::DateTime(now)),
        ),
    ])
}

/// The earliest `column` date of the cases a batch's rows name (stored or
/// in this run).
fn first_case_date(
    store: &Store,
    new_cases: Option<&polars::prelude::DataFrame>,
    batch: &polars::prelude::DataFrame,
    column: &str,
) -> Result<Option<chrono::NaiveDate>> {
    use polars::prelude::*;
    let ids = batch.column("case_id")?.as_materialized_series().clone();
    let mut first = None;
    let stored = crate::store::read_files(&store.files("cases")?, Some(&["case_id", column]))?;
    for cases in stored.iter().chain(new_cases) {
        let hit = cases
            .clone()
            .lazy()
            .select([col("case_id"), col(column)])
            .filter(col("case_id").is_in(lit(ids.clone()).implode(false), false))
            .select([col(column).cast(DataType::Date).min()])
            .collect()?;
        let d = crate::polars_ext::dates_of(hit.column(column)?)?;
        first = first.into_iter().chain(d.into_iter().flatten()).min();
    }
    Ok(first)
}

/// One ingest run of the store, in the order of its counter.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestRun {
    /// The store's run counter (0 for runs recorded before it existed).
    pub seq: i64,
    pub run_id: String,
    pub touched: Touched,
    /// The latest date of its rows.
    pub last_date: Option<chrono::NaiveDate>,
}

/// Every recorded ingest run, ordered by the store's counter (runs from
/// before the counter by their id): a clock set back cannot reorder them.
pub fn ingest_runs(store: &Store) -> Result<Vec<IngestRun>> {
    let mut out = Vec::new();
    // File by file: runs recorded before the counter have no `seq` column.
    for f in store.files(INGEST_RUNS)? {
        let Some(df) = crate::store::read_files(std::slice::from_ref(&f), None)? else {
            continue;
        };
        let seq: Vec<i64> = match df.column("seq") {
            Ok(_) => i64s(&df, "seq")?,
            Err(_) => vec![0; df.height()],
        };
        let ids = df.column("run_id")?.str()?;
        let everything = df.column("everything")?.bool()?;
        let from = crate::polars_ext::dates_of(df.column("touched_from")?)?;
        let last = crate::polars_ext::dates_of(df.column("last_date")?)?;
        for i in 0..df.height() {
            out.push(IngestRun {
                seq: seq[i],
                run_id: ids.get(i).unwrap_or_default().to_string(),
                touched: match (everything.get(i), from[i]) {
                    (Some(true), _) => Touched::Everything,
                    (_, Some(d)) => Touched::From(d),
                    _ => Touched::Nothing,
                },
                last_date: last[i],
            });
        }
    }
    out.sort_by(|a, b| (a.seq, &a.run_id).cmp(&(b.seq, &b.run_id)));
    Ok(out)
}

/// The counter of the next ingest run.
fn next_run_seq(store: &Store) -> Result<i64> {
    Ok(ingest_runs(store)?.iter().map(|r| r.seq).max().unwrap_or(0) + 1)
}

/// The row of `ingest_runs` recording a run: its counter, what it touched
/// and its latest row date.
fn ingest_run_frame(
    touched: Touched,
    last_row: Option<chrono::NaiveDate>,
    run_id: &str,
    seq: i64,
    now: chrono::NaiveDateTime,
) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::*;
    let (everything, from) = match touched {
        Touched::Nothing => (false, None),
        Touched::From(d) => (false, Some(d)),
        Touched::Everything => (true, None),
    };
    let df = df!(
        "seq" => [seq],
        "run_id" => [run_id],
        "ingested_at" => [now],
        "everything" => [everything],
    )?
    .lazy()
    .with_column(col("ingested_at").cast(DataType::Datetime(TimeUnit::Milliseconds, None)))
    .with_column(crate::polars_ext::date_lit(from.unwrap_or_default()).alias("touched_from"))
    .with_column(
        when(col("everything").or(lit(from.is_none())))
            .then(lit(NULL).cast(DataType::Date))
            .otherwise(col("touched_from"))
            .alias("touched_from"),
    )
    .with_column(match last_row {
        Some(d) => crate::polars_ext::date_lit(d).alias("last_date"),
        None => lit(NULL).cast(DataType::Date).alias("last_date"),
    })
    .collect()?;
    Ok(df)
}

/// The files ingested before, by content hash.
fn read_ledger(store: &Store) -> Result<HashMap<String, FileReport>> {
    let Some(df) = store.read(LEDGER)? else {
        return Ok(HashMap::new());
    };
    let s = |c: &str| opt_strings(&df, c);
    let n =
        |c: &str| -> Result<Vec<u64>> { Ok(i64s(&df, c)?.into_iter().map(|v| v as u64).collect()) };
    let (sha, file, tbl) = (s("sha256")?, s("file")?, s("table")?);
    let (read, stored, rejected) = (n("read")?, n("stored")?, n("rejected")?);
    let mut out = HashMap::new();
    for i in 0..df.height() {
        let sha = sha[i].clone().unwrap_or_default();
        out.insert(
            sha.clone(),
            FileReport {
                path: PathBuf::from(file[i].clone().unwrap_or_default()),
                table: tbl[i].as_deref().and_then(table::table).map(|t| t.name),
                sha256: sha,
                encoding: "",
                read: read[i],
                stored: stored[i],
                rejected: rejected[i],
                already_ingested: true,
                notes: Vec::new(),
                failed: None,
                caused_by: BTreeMap::new(),
            },
        );
    }
    Ok(out)
}
