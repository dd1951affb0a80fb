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

use crate::parallel::parallel_map;
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
    use polars::prelude::{ChunkAgg, DataType, TimeUnit};
    const DAY_MS: i64 = 86_400_000;
    let (mut first, mut last) = (None, None);
    for c in batch.columns() {
        // A date's day is its integer; a time's, its integer over the
        // units of a day, rounded down: the least and the greatest
        // integer give the first and the last day (no day of each row).
        let per_day = match c.dtype() {
            DataType::Date => 1,
            DataType::Datetime(unit, None) => match unit {
                TimeUnit::Milliseconds => DAY_MS,
                TimeUnit::Microseconds => DAY_MS * 1_000,
                TimeUnit::Nanoseconds => DAY_MS * 1_000_000,
            },
            DataType::Datetime(..) => {
                let days = c.cast(&DataType::Date)?.to_physical_repr();
                let days = days.i32()?;
                let date = |d: Option<i32>| d.and_then(day_date);
                first = first.into_iter().chain(date(days.min())).min();
                last = last.into_iter().chain(date(days.max())).max();
                continue;
            }
            _ => continue,
        };
        let values = c.to_physical_repr().cast(&DataType::Int64)?;
        let values = values.i64()?;
        let date = |v: Option<i64>| {
            v.and_then(|v| i32::try_from(v.div_euclid(per_day)).ok())
                .and_then(day_date)
        };
        first = first.into_iter().chain(date(values.min())).min();
        last = last.into_iter().chain(date(values.max())).max();
    }
    Ok((first, last))
}

/// The date of a day number (days since 1970-01-01).
fn day_date(days: i32) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?
        .checked_add_signed(chrono::Duration::days(i64::from(days)))
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

/// A file of this run, parsed and checked; its rows are handed on.
struct Pending {
    report: FileReport,
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
    let mut to_parse = Vec::new();
    let mut seen = Vec::new();
    for path in files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let again = ledger.contains_key(&sha256) && !opts.force;
        seen.push((again, line_ends(&bytes)));
        to_parse.push((path.clone(), sha256));
    }
    let pending = parse_all(store, &to_parse, opts, |_, _| Ok(()))?;
    Ok(pending
        .into_iter()
        .zip(seen)
        .map(|(p, (again, line_ends))| {
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
                first_rows: p.parsed.first_rows,
                would_store: p.parsed.stored,
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
    // Hash every file on every core, keeping none of their bytes: a file
    // is read again when its turn to be parsed comes.
    let hashed = parallel_map(files, |path| -> Result<String> {
        let cannot = || format!("cannot read {}", path.display());
        // A MiB at a time: the file is not held to be hashed, and its
        // reads are few (std's copy reads 8 KiB at a time: 80 000 reads
        // of a city year's exports).
        let mut file = std::fs::File::open(path).with_context(cannot)?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            match std::io::Read::read(&mut file, &mut buffer) {
                Ok(0) => break,
                Ok(n) => hasher.update(&buffer[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(anyhow::Error::from(e).context(cannot())),
            }
        }
        Ok(hex::encode(hasher.finalize()))
    })
    .into_iter()
    .collect::<Result<Vec<_>>>()?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut report = IngestReport::default();
    let mut to_parse: Vec<(PathBuf, String)> = Vec::new();
    for (path, sha256) in files.iter().zip(hashed) {
        if let Some(before) = ledger.get(&sha256).filter(|_| !opts.force) {
            let mut r = before.clone();
            r.path = path.clone();
            r.already_ingested = true;
            report.files.push(r);
        } else if !seen.insert(sha256.clone()) {
            report.files.push(FileReport {
                path: path.clone(),
                table: None,
                sha256,
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
            to_parse.push((path.clone(), sha256));
        }
    }

    let mut txn = store.begin()?;
    let run_id = txn.run_id().to_string();
    let now = chrono::Local::now().naive_local();
    // The run's cases (id and dates), for the dates the rows naming them touch.
    let mut new_cases: Option<polars::prelude::DataFrame> = None;
    let mut pending = parse_all(store, &to_parse, opts, |t, batch| {
        if t.name == "cases" {
            new_cases = Some(batch.select(["case_id", "accepted_at", "completed_at"])?);
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
        // The dates on a second thread while the rows are written (a pass
        // over each date column and a look-up of the cases the rows name,
        // on one core: half a second of a city ingest when they came
        // first).
        let (dates, done) = std::thread::scope(|scope| {
            let (rows, new_cases) = (batch.clone(), new_cases.as_ref());
            let dates = scope.spawn(move || -> Result<_> {
                let (mut first, last) = date_range(&rows)?;
                if let Some(column) = of_case {
                    let d = first_case_date(store, new_cases, &rows, column)?;
                    first = first.into_iter().chain(d).min();
                }
                Ok((first, last))
            });
            let done = store.upsert(&mut txn, t.name, t.key, t.partition_by, batch);
            let dates = dates
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (dates, done)
        });
        let ((first, last), done) = (dates?, done?);
        report.last_row_date = report.last_row_date.into_iter().chain(last).max();
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
        Ok(())
    })?;
    drop(new_cases);
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
        p.report.stored = p.parsed.stored;
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

/// How far a table is from the tables it references: 0 for none, else one
/// more than the farthest it names. Files of one depth are parsed together,
/// after every table they may name.
fn depth(t: &TableSpec) -> usize {
    t.columns
        .iter()
        .filter_map(|c| c.references)
        .filter_map(table::table)
        .map(|r| depth(r) + 1)
        .max()
        .unwrap_or(0)
}

/// Read, parse and check `files` (path, SHA-256), a depth of tables at a
/// time on every core, and hand each table's stored rows of the run (its
/// files in path order) to `take`, in the order of [`TABLES`]. A row naming
/// a window, staff member, item or case that is neither stored nor among
/// the rows handed on before is rejected. Returns the files in the order
/// given, their rows handed on.
fn parse_all(
    store: &Store,
    files: &[(PathBuf, String)],
    opts: &IngestOptions,
    mut take: impl FnMut(&'static TableSpec, polars::prelude::DataFrame) -> Result<()>,
) -> Result<Vec<Pending>> {
    // The table of each file, told once.
    let tables: Vec<Option<&str>> = files
        .iter()
        .map(|(p, _)| {
            opts.table
                .or_else(|| table::table_for_path(p))
                .map(|t| t.name)
        })
        .collect();
    // Only the depths this run's files reach (a deeper one would read
    // stored keys for nothing).
    let deepest = tables
        .iter()
        .flatten()
        .filter_map(|t| table::table(t))
        .map(depth)
        .max()
        .unwrap_or(0);
    let mut done: Vec<Option<Pending>> = files.iter().map(|_| None).collect();
    let mut known: BTreeMap<&'static str, parse::Known> = BTreeMap::new();
    for d in 0..=deepest {
        // The keys this depth's tables may name.
        for t in TABLES.iter().filter(|t| depth(t) == d) {
            for target in t.columns.iter().filter_map(|c| c.references) {
                stored_keys(store, &mut known, target)?;
            }
        }
        // A table at a time (its files on every core, largest first, so
        // that the cores finish together), its rows handed on before the
        // next is read: a run holds one table's rows, not a depth's. Files
        // of no known table last.
        let size = |i: &usize| std::fs::metadata(&files[i.to_owned()].0).map_or(0, |m| m.len());
        let groups = TABLES
            .iter()
            .filter(|t| depth(t) == d)
            .map(Some)
            .chain(std::iter::once(None).filter(|_| d == 0));
        for t in groups {
            let name = t.map(|t| t.name);
            let mut these: Vec<usize> = (0..files.len()).filter(|&i| tables[i] == name).collect();
            these.sort_by_key(|i| std::cmp::Reverse(size(i)));
            let parsed = parallel_map(&these, |&i| -> Result<Pending> {
                let (path, sha256) = &files[i];
                let bytes = std::fs::read(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                Ok(parse_file(path, bytes, sha256, opts, &known))
            });
            for (i, p) in these.into_iter().zip(parsed) {
                done[i] = Some(p?);
            }
            let Some(t) = t else { continue };
            let mut batch: Option<polars::prelude::DataFrame> = None;
            for p in done
                .iter_mut()
                .flatten()
                .filter(|p| p.table.is_some_and(|pt| pt.name == t.name))
            {
                if let Some(frame) = p.parsed.frame.take() {
                    match &mut batch {
                        None => batch = Some(frame),
                        Some(b) => crate::store::stack(b, frame)?,
                    }
                }
            }
            // Its keys, for the tables after it (none of this depth names it).
            let named = TABLES
                .iter()
                .any(|o| o.columns.iter().any(|c| c.references == Some(t.name)));
            let mut keys = None;
            if named {
                let k = stored_keys(store, &mut known, t.name)?;
                if let Some(b) = &batch {
                    keys = Some(b.column(t.key[0])?.str()?.clone());
                }
                k.troubled = troubled_file(done.iter().flatten(), t.name);
            }
            let Some(batch) = batch else { continue };
            // The rows are handed on while a second thread adds their keys
            // to those the next depth may name.
            std::thread::scope(|scope| -> Result<()> {
                let known = &mut known;
                scope.spawn(move || {
                    if let Some(ids) = keys {
                        let k = known.get_mut(t.name).expect("stored keys read first");
                        k.ids.extend(ids.iter().flatten());
                    }
                });
                take(t, batch)
            })?;
        }
    }
    Ok(done
        .into_iter()
        .map(|p| p.expect("every file parsed"))
        .collect())
}

/// The keys of `table` known so far: its stored keys the first time.
fn stored_keys<'k>(
    store: &Store,
    known: &'k mut BTreeMap<&'static str, parse::Known>,
    table: &'static str,
) -> Result<&'k mut parse::Known> {
    if !known.contains_key(table) {
        let spec = table::table(table).expect("known table");
        // Straight from the column into the set, which keeps each once.
        let mut ids = crate::keyset::KeySet::default();
        let column = [spec.key[0]];
        if let Some(df) = crate::store::read_files(&store.files(table)?, Some(&column))? {
            let values = df
                .column(spec.key[0])?
                .cast(&polars::prelude::DataType::String)?;
            ids.extend(values.str()?.iter().flatten());
        }
        known.insert(
            table,
            parse::Known {
                ids,
                troubled: None,
            },
        );
    }
    Ok(known.get_mut(table).expect("inserted"))
}

/// The file of `table` in this run that failed (the last one), else the
/// first that rejected rows: its name and which.
fn troubled_file<'p>(
    pending: impl Iterator<Item = &'p Pending>,
    table: &str,
) -> Option<(String, &'static str)> {
    let mut out = None;
    for p in pending.filter(|p| p.table.is_some_and(|t| t.name == table)) {
        let name = p
            .report
            .path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if p.parsed.failed.is_some() {
            out = Some((name, "failed"));
        } else if !p.parsed.rejects.is_empty() && out.is_none() {
            out = Some((name, "rejected rows"));
        }
    }
    out
}

fn parse_file(
    path: &Path,
    bytes: Vec<u8>,
    sha256: &str,
    opts: &IngestOptions,
    known: &BTreeMap<&'static str, parse::Known>,
) -> Pending {
    let decoded = decode::decode(bytes, opts.encoding);
    let table = opts.table.or_else(|| table::table_for_path(path));
    let is_attlog = path.to_string_lossy().to_lowercase().ends_with(".dat");
    let flag = table
        .filter(|t| t.name == "incidents")
        .map(|t| incidents_without_points(t, &opts.incidents));
    let parse_opts = ParseOptions {
        max_field_bytes: opts.max_field_bytes,
        max_raw_chars: 2000,
        aliases: table.and_then(|t| opts.aliases.get(t.name)),
        values: table.and_then(|t| opts.values.get(t.name)),
        file_name: &path.file_name().unwrap_or_default().to_string_lossy(),
        years: &opts.years,
        known: Some(known),
        sha256,
        flag: flag.as_deref(),
        part_bytes: parse::PART_BYTES,
    };
    let mut parsed = match table {
        Some(t) if is_attlog && t.name == "punches" => {
            parse::parse_attlog(t, &decoded.text, &parse_opts)
        }
        Some(t) => parse::parse_delimited(t, &decoded.text, &parse_opts),
        None => unknown_table(path, &decoded.text, is_attlog, parse_opts.max_raw_chars),
    };
    let mut notes = parsed.notes.clone();
    if !parsed.flagged.is_empty() {
        notes.push(format!(
            "warning: {} substantiated incident(s) have no points and neither their category nor their source has a default, so they cost 0 points (lines {}); set [incidents.default_points] or [incidents.source_points] in xiaoneng.toml",
            parsed.flagged.len(),
            parsed.flagged.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
        ));
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
            sha256: sha256.to_string(),
            encoding: decoded.encoding,
            read: parsed.read,
            stored: 0,
            rejected: 0,
            already_ingested: false,
            notes,
            failed: parsed.failed.clone(),
            caused_by: std::mem::take(&mut parsed.caused_by),
        },
        table,
        parsed,
    }
}

/// The test for substantiated incidents that have no points and get none
/// from `[incidents]` (they would cost nothing, silently): the file's
/// note lists their lines.
fn incidents_without_points<'r>(
    t: &TableSpec,
    rules: &'r crate::metrics::zeros::IncidentRules,
) -> Box<parse::RowFlag<'r>> {
    let at = |c: &str| t.column_index(c).expect("incidents column");
    let (sub, pts, cat, src) = (
        at("substantiated"),
        at("points"),
        at("category"),
        at("source"),
    );
    Box::new(move |v: &[Value]| {
        v[sub] != Value::Bool(false)
            && v[pts] == Value::Null
            && rules
                .default_for(v[cat].as_text(), v[src].as_text())
                .is_none()
    })
}

/// A file whose table cannot be told: every row rejected, saying how to fix it.
fn unknown_table(path: &Path, text: &str, headerless: bool, max_raw: usize) -> Parsed {
    let reason = format!(
        "cannot tell which table {} holds: name it after a table (cases.csv, 办件.csv, …) or pass --table",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    let mut out = Parsed::default();
    let mut header = !headerless;
    let mut each = |r: &records::Record| {
        if std::mem::take(&mut header) {
            return;
        }
        out.read += 1;
        out.rejects.push(Reject {
            line: r.line,
            column: None,
            reason: reason.clone(),
            raw: records::raw_text(text, r.span, max_raw),
        });
    };
    if headerless {
        records::each_attlog(text, &mut each);
    } else {
        records::each_delimited(text, &mut each);
    }
    out.failed = Some(reason);
    out
}

fn text(s: impl Into<String>) -> Value<'static> {
    Value::Text(s.into().into())
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
    let map = |f: &dyn Fn(&Pending, &Reject) -> Value<'static>| {
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
            map(&|_, r| r.column.clone().map_or(Value::Null, text)),
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
    let map = |f: &dyn Fn(&FileReport) -> Value<'static>| {
        pending.iter().map(|p| f(&p.report)).collect::<Vec<_>>()
    };
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
    // A case's rows (its steps, its suspensions) mostly come together: a
    // run of one id is added once, into a set with room for every run
    // (the references' key set: filling a hash set of strings was 2 % of
    // a city ingest).
    let mut runs: Vec<&str> = batch.column("case_id")?.str()?.iter().flatten().collect();
    runs.dedup();
    let mut named = crate::keyset::KeySet::with_capacity(runs.len());
    named.extend(runs.iter().copied());
    let mut first: Option<i32> = None;
    // Only the stored files whose range of ids may hold one of them.
    let mut files = store.files("cases")?;
    if !files.is_empty() {
        runs.sort_unstable();
        runs.dedup();
        files.retain(|f| crate::store::may_hold(f, "case_id", &runs));
    }
    let stored = crate::store::read_files(&files, Some(&["case_id", column]))?;
    for cases in stored.iter().chain(new_cases) {
        let days = cases
            .column(column)?
            .cast(&DataType::Date)?
            .cast(&DataType::Int32)?;
        let ids = cases.column("case_id")?.str()?;
        for (id, day) in ids.iter().zip(days.i32()?.iter()) {
            if let (Some(id), Some(day)) = (id, day) {
                if first.is_none_or(|f| day < f) && named.contains(id) {
                    first = Some(day);
                }
            }
        }
    }
    Ok(first.and_then(day_date))
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

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{col, df, DataType, IntoLazy, TimeUnit};

    #[test]
    fn a_batch_spans_the_days_of_its_dates_and_times() {
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        // An instant before 1970 is of the day before its integer's
        // quotient (rounded down, not toward zero); nulls and other
        // columns take no part.
        let df = df!(
            "on" => [Some(day("2025-03-02")), None, Some(day("2025-01-05"))],
            "at" => [Some(at("1969-12-31 23:00")), Some(at("2025-04-01 00:00")), None],
            "n" => [1i64, 2, 3],
            "s" => ["x", "y", "z"],
        )
        .unwrap();
        assert_eq!(
            date_range(&df).unwrap(),
            (Some(day("1969-12-31")), Some(day("2025-04-01")))
        );
        // Microseconds, the last instant of a day.
        let micro = df!("at" => [at("2025-06-30 23:59"), at("2025-06-01 00:00")])
            .unwrap()
            .lazy()
            .with_column(col("at").cast(DataType::Datetime(TimeUnit::Microseconds, None)))
            .collect()
            .unwrap();
        assert_eq!(
            date_range(&micro).unwrap(),
            (Some(day("2025-06-01")), Some(day("2025-06-30")))
        );
        // No date at all.
        assert_eq!(
            date_range(&df!("n" => [1i64]).unwrap()).unwrap(),
            (None, None)
        );
    }
}
