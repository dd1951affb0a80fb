//! The Parquet store: the only module that knows the layout on disk.
//!
//! ```text
//! <store>/<table>/year=YYYY/month=MM/part-<run>.parquet   event tables
//! <store>/<table>/part-<run>.parquet                      windows, staff, items
//! <store>/rejects/year=YYYY/month=MM/part-<run>.parquet   rejected rows, by ingest month
//! <store>/ledger/part-<run>.parquet                       one row per ingested file
//! <store>/ingest_runs/part-<run>.parquet                  dates each ingest touched
//! <store>/_nightly.json                                   how far the nightly job got
//! <store>/_calendar/<year>.json                           an imported official holiday list
//! <store>/.lock                                           the write lock and its holder
//! <store>/_journal.json, _staging/                        commit machinery (see txn)
//! ```
//!
//! A province keeps its centers in one store, each dataset partitioned by
//! center first ([`Store::open_center`]):
//!
//! ```text
//! <store>/<table>/center=<C>/year=YYYY/month=MM/part-<run>.parquet
//! <store>/_centers/<C>/.lock, _journal.json, _staging/, _nightly.json
//! ```
//!
//! so that Spark, Trino or DuckDB read `<store>/<table>` as one table with
//! `center`, `year` and `month` partition columns, while each center is
//! ingested and computed on its own, by its own run, under its own lock.
//!
//! The datasets are plain hive-partitioned Parquet (zstd, with statistics),
//! readable as they are by DuckDB, pyarrow or Spark. Names starting with `_`
//! or `.` are skipped by those readers.

mod dictionary;
mod txn;
mod upsert;

pub use txn::{Transaction, Written};
pub use upsert::{partition_of, Upserted};

use anyhow::{Context, Result};
use polars::prelude::*;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Dataset of rejected rows.
pub const REJECTS: &str = "rejects";
/// Dataset of ingested files.
pub const LEDGER: &str = "ledger";
/// Dataset of ingest runs and the dates their rows may change (for the
/// nightly recompute).
pub const INGEST_RUNS: &str = "ingest_runs";

/// The folder of the imported official holiday lists (shared by every
/// center of a province store).
const CALENDAR_DIR: &str = "_calendar";

/// A year's official holiday list loaded by `xiaoneng calendar import`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportedYear {
    pub year: i32,
    /// The file it was loaded from, as given.
    pub file: String,
    pub sha256: String,
    /// Local time of the load, `YYYY-MM-DDTHH:MM:SS`.
    pub loaded_at: String,
    /// The list as UTF-8 CSV `date,workday,name`.
    pub csv: String,
}

/// The imported holiday lists of the store at `root`, ascending by year
/// (none when the store does not exist yet). Reads only.
pub fn imported_calendar(root: &Path) -> Result<Vec<ImportedYear>> {
    let dir = root.join(CALENDAR_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let year: ImportedYear = serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not an imported holiday list", path.display()))?;
            out.push(year);
        }
    }
    out.sort_by_key(|y| y.year);
    Ok(out)
}

/// An open store. Holding it holds the store's write lock.
///
/// The lock is an OS file lock on `<store>/.lock`, so the kernel releases it
/// when a run dies. The file also names its holder (process id, command,
/// start time) while the lock is held and is emptied when the store is
/// closed; a holder's name still there when the next run takes the lock is
/// the stale lock of a run that was killed, reported by [`Store::stale_lock`].
pub struct Store {
    root: PathBuf,
    /// Where the lock, the journal and the nightly state live: the root,
    /// or `_centers/<C>` for one center of a province store.
    control: PathBuf,
    /// The center of a province store.
    center: Option<String>,
    /// The lock file: held exclusively by a writer, shared by readers
    /// (`None`: a read of a store whose lock file is missing).
    lock: Option<File>,
    stale_lock: Option<String>,
    /// Opened by a writing command (`ingest`, `compute`, `nightly`,
    /// `calendar import`); a read-only store refuses to begin a commit.
    writable: bool,
}

impl Store {
    /// Open (creating if needed) the store at `root`, take its lock and
    /// finish or discard whatever an interrupted run left behind.
    pub fn open(root: &Path) -> Result<Store> {
        Store::open_in(root, None)
    }

    /// Open the part of a province store that holds one center: its
    /// datasets are `<root>/<table>/center=<center>/…`, its lock and
    /// journal under `<root>/_centers/<center>/`. Centers do not share a
    /// lock, so they can be ingested and computed in parallel.
    pub fn open_center(root: &Path, center: &str) -> Result<Store> {
        anyhow::ensure!(
            !center.is_empty()
                && center
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "a center code is letters, digits, - or _ (got {center:?})"
        );
        Store::open_in(root, Some(center))
    }

    /// Open the store at `root` for reading only: nothing on disk is
    /// created or changed (not even the lock file's holder line); a store
    /// not created yet reads as empty. Readers
    /// share the lock, so they run beside each other but not beside a
    /// writer; an interrupted commit is left for the next writing command
    /// to finish, and this read refuses to run over it.
    pub fn open_read(root: &Path) -> Result<Store> {
        Store::open_read_in(root, None)
    }

    /// [`Store::open_read`] of one center of a province store.
    pub fn open_center_read(root: &Path, center: &str) -> Result<Store> {
        Store::open_read_in(root, Some(center))
    }

    fn open_read_in(root: &Path, center: Option<&str>) -> Result<Store> {
        let control = match center {
            Some(c) => root.join("_centers").join(c),
            None => root.to_path_buf(),
        };
        let lock = match File::open(control.join(".lock")) {
            Ok(mut f) => {
                if f.try_lock_shared().is_err() {
                    anyhow::bail!(
                        "the store {} is being written by another xiaoneng run ({}); try again when it ends",
                        root.display(),
                        holder_of(&mut f)
                    );
                }
                Some(f)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).context("cannot open the store's lock file"),
        };
        anyhow::ensure!(
            !txn::interrupted(&control),
            "the store {} holds the commit of a run that was killed: the next writing command (ingest, compute or nightly) finishes it; a read does not write",
            root.display()
        );
        Ok(Store {
            root: root.to_path_buf(),
            control,
            center: center.map(str::to_string),
            lock,
            stale_lock: None,
            writable: false,
        })
    }

    fn open_in(root: &Path, center: Option<&str>) -> Result<Store> {
        use std::io::{Read, Seek, Write};
        let control = match center {
            Some(c) => root.join("_centers").join(c),
            None => root.to_path_buf(),
        };
        std::fs::create_dir_all(&control)
            .with_context(|| format!("cannot create the store folder {}", control.display()))?;
        let lock_path = control.join(".lock");
        let mut lock = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .with_context(|| format!("cannot create {}", lock_path.display()))?;
        if lock.try_lock().is_err() {
            anyhow::bail!(
                "the store {} is in use by another xiaoneng run ({}); this run did nothing: try again when it ends",
                root.display(),
                holder_of(&mut lock)
            );
        }
        let mut holder = String::new();
        let _ = lock.read_to_string(&mut holder);
        let stale_lock = Some(holder.trim().to_string()).filter(|h| !h.is_empty());
        let me = format!(
            "pid {}, `{}`, since {}",
            std::process::id(),
            std::env::args().skip(1).collect::<Vec<_>>().join(" "),
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
        );
        lock.set_len(0)?;
        lock.rewind()?;
        lock.write_all(me.as_bytes())?;
        lock.sync_all()?;
        let store = Store {
            root: root.to_path_buf(),
            control,
            center: center.map(str::to_string),
            lock: Some(lock),
            stale_lock,
            writable: true,
        };
        txn::recover(&store.root, &store.control)?;
        Ok(store)
    }

    /// The holder named in the lock file of a run that did not close the
    /// store (it was killed), cleared when this run took the lock.
    pub fn stale_lock(&self) -> Option<&str> {
        self.stale_lock.as_deref()
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of the store's lock, journal and run state.
    pub fn control(&self) -> &Path {
        &self.control
    }

    /// The center of a province store (`None`: a store of one center).
    pub fn center(&self) -> Option<&str> {
        self.center.as_deref()
    }

    /// Keep an imported official holiday list (replacing an earlier import
    /// of the same year), whole or not at all.
    pub fn save_calendar_year(&self, year: &ImportedYear) -> Result<()> {
        self.ensure_writable()?;
        let dir = self.root.join(CALENDAR_DIR);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(format!("{}.json", year.year));
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(year)?)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))
    }

    /// The folder of a dataset (of this store's center).
    fn dataset_dir(&self, dataset: &str) -> PathBuf {
        let dir = self.root.join(dataset);
        match &self.center {
            Some(c) => dir.join(format!("center={c}")),
            None => dir,
        }
    }

    /// Start a write transaction: nothing it stages is visible until commit.
    pub fn begin(&self) -> Result<Transaction<'_>> {
        self.ensure_writable()?;
        Transaction::new(self)
    }

    /// Whether a writing command opened the store.
    pub fn is_writable(&self) -> bool {
        self.writable
    }

    fn ensure_writable(&self) -> Result<()> {
        anyhow::ensure!(
            self.writable,
            "internal error: a read tried to change the store {}",
            self.root.display()
        );
        Ok(())
    }

    /// A control file of this store (the nightly state, the metric stamps):
    /// its bytes, or `None` when it does not exist.
    pub fn read_control(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let path = self.control.join(name);
        match std::fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Write a control file whole or not at all (outside a commit).
    pub fn write_control(&self, name: &str, bytes: &[u8]) -> Result<()> {
        self.ensure_writable()?;
        let path = self.control.join(name);
        let tmp = self.control.join(format!("{name}.tmp"));
        std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Delete a control file (missing is fine).
    pub fn remove_control(&self, name: &str) -> Result<()> {
        self.ensure_writable()?;
        match std::fs::remove_file(self.control.join(name)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).with_context(|| format!("cannot remove {name}")),
        }
    }

    /// Every Parquet file of a dataset, sorted by path.
    pub fn files(&self, dataset: &str) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        collect_parquet(&self.dataset_dir(dataset), &mut out)?;
        out.sort();
        Ok(out)
    }

    /// The whole dataset as one frame (hive columns not included), or
    /// `None` when it has no rows yet.
    pub fn read(&self, dataset: &str) -> Result<Option<DataFrame>> {
        self.read_columns(dataset, None)
    }

    /// Some columns (all: `None`) of the whole dataset, hive columns not
    /// included, or `None` when it has no rows yet.
    pub fn read_columns(
        &self,
        dataset: &str,
        columns: Option<&[&str]>,
    ) -> Result<Option<DataFrame>> {
        read_files(&self.files(dataset)?, columns)
    }

    /// Some columns (all: `None`) of the rows of a dataset partitioned by a
    /// date that may fall from `from` through `to`: its files of the months
    /// that meet those days (a file of no month: read), hive columns not
    /// included, or `None` when they hold no rows. Rows of those months
    /// outside the days are the caller's to filter.
    pub fn read_months(
        &self,
        dataset: &str,
        columns: Option<&[&str]>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Option<DataFrame>> {
        use chrono::Datelike;
        let (first, last) = ((from.year(), from.month()), (to.year(), to.month()));
        let files: Vec<PathBuf> = self
            .files(dataset)?
            .into_iter()
            .filter(|f| partition_of(f).is_none_or(|(y, m)| (first..=last).contains(&(y, m))))
            .collect();
        read_files(&files, columns)
    }

    /// The datasets of the store (folders holding Parquet files), sorted.
    pub fn datasets(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        if !self.root.exists() {
            // A read of a store not created yet.
            return Ok(out);
        }
        for entry in std::fs::read_dir(&self.root)
            .with_context(|| format!("cannot list {}", self.root.display()))?
        {
            let path = entry?.path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            if path.is_dir() && !name.starts_with(['_', '.']) && !self.files(&name)?.is_empty() {
                out.push(name);
            }
        }
        out.sort();
        Ok(out)
    }

    /// A lazy scan of a dataset with its hive columns (`year`, `month`), so
    /// that a filter on them reads only the partitions it needs.
    pub fn scan(&self, dataset: &str) -> Result<Option<LazyFrame>> {
        let files = self.files(dataset)?;
        if files.is_empty() {
            return Ok(None);
        }
        let partitioned = files.iter().any(|f| f.to_string_lossy().contains("year="));
        let args = scan_args(&files, partitioned)?;
        let dir = self.dataset_dir(dataset);
        let path = polars::prelude::PlRefPath::try_from_path(&dir)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("cannot scan {}", dir.display()))?;
        Ok(Some(LazyFrame::scan_parquet(path, args)?))
    }

    /// The distinct non-null values of one column of a dataset.
    pub fn distinct(&self, dataset: &str, column: &str) -> Result<Vec<String>> {
        let Some(df) = read_files(&self.files(dataset)?, Some(&[column]))? else {
            return Ok(Vec::new());
        };
        let mut values: Vec<String> = crate::polars_ext::opt_strings(&df, column)?
            .into_iter()
            .flatten()
            .collect();
        values.sort_unstable();
        values.dedup();
        Ok(values)
    }

    /// Where the partition of (year, month) of a dataset lives.
    fn partition_dir(&self, dataset: &str, ym: Option<(i32, u32)>) -> PathBuf {
        let dir = self.dataset_dir(dataset);
        match ym {
            Some((y, m)) => dir.join(format!("year={y}")).join(format!("month={m:02}")),
            None => dir,
        }
    }
}

/// Every center's part of a dataset of a province store as one lazy
/// table, with its `center`, `year` and `month` partition columns (as
/// Spark or Trino read it). Reads only.
pub fn scan_all_centers(root: &Path, dataset: &str) -> Result<LazyFrame> {
    let dir = root.join(dataset);
    let path = polars::prelude::PlRefPath::try_from_path(&dir)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot scan {}", dir.display()))?;
    let args = ScanArgsParquet {
        hive_options: HiveOptions::new_enabled(),
        ..ScanArgsParquet::default()
    };
    Ok(LazyFrame::scan_parquet(path, args)?)
}

/// The holder a locked lock file names. A run writes its name just after
/// it takes the lock: a file still empty is read again for up to a second
/// before the holder is called unknown.
fn holder_of(lock: &mut File) -> String {
    use std::io::{Read, Seek};
    for _ in 0..50 {
        let mut holder = String::new();
        if lock.rewind().is_ok() && lock.read_to_string(&mut holder).is_ok() {
            let holder = holder.trim();
            if !holder.is_empty() {
                return holder.to_string();
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    "holder unknown".to_string()
}

impl Drop for Store {
    fn drop(&mut self) {
        // A clean close: the lock file no longer names a holder (a reader
        // never wrote one).
        if let (true, Some(lock)) = (self.writable, &self.lock) {
            let _ = lock.set_len(0);
        }
    }
}

fn collect_parquet(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with(['_', '.']) {
            continue;
        }
        if path.is_dir() {
            collect_parquet(&path, out)?;
        } else if name.ends_with(".parquet") {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether a stored Parquet file may hold one of `sorted` (ascending, each
/// once) in a text column: false only when the statistics of every row
/// group give a range of the column that holds none of them (a night's
/// rows name one month's cases, and each month's file holds a range of
/// ids: the others need not be read).
pub fn may_hold<K: AsRef<[u8]>>(file: &Path, column: &str, sorted: &[K]) -> bool {
    text_ranges(file, column)
        .is_none_or(|ranges| ranges.iter().any(|(lo, hi)| holds_one(sorted, lo, hi)))
}

/// The smallest and largest value of a text column in each row group of a
/// Parquet file, from the statistics the store writes; `None` when the
/// file cannot be read so, the column is not there or a row group has no
/// such statistics (then the file is read).
fn text_ranges(file: &Path, column: &str) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    use polars_parquet::parquet::statistics::Statistics;
    let mut reader = std::fs::File::open(file).ok()?;
    let meta = polars_parquet::parquet::read::read_metadata(&mut reader).ok()?;
    let mut out = Vec::with_capacity(meta.row_groups.len());
    for group in &meta.row_groups {
        let mut chunks = group.columns_under_root_iter(column)?;
        let chunk = chunks.next().filter(|_| chunks.len() == 0)?;
        match chunk.statistics(&meta.footer_buf)?.ok()? {
            Statistics::Binary(s) => out.push((s.min_value?, s.max_value?)),
            _ => return None,
        }
    }
    Some(out)
}

/// The first (`last` false) or last day of a date or datetime column of
/// `files` (one dataset's), `None` when no row has one. Each file's is
/// taken from the statistics of its row groups; only a file whose
/// statistics do not tell is read. (Scanning the dated columns of a city
/// year for the last date took a third of a second, most of a read
/// command's time: benches/README.md, issue 19.)
pub fn day_bound(files: &[PathBuf], column: &str, last: bool) -> Result<Option<chrono::NaiveDate>> {
    let pick = |a, b| further(last, a, b);
    let mut bound = None;
    let mut unread = Vec::new();
    for file in files {
        match stated_day_bound(file, column, last) {
            Some(day) => bound = pick(bound, day),
            None => unread.push(file.clone()),
        }
    }
    if let Some(scan) = scan_files(&unread, files)? {
        if scan.clone().collect_schema()?.contains(column) {
            let read = crate::polars_ext::date_bound(scan, column, last)?;
            bound = pick(bound, read.map(crate::polars_ext::epoch_days));
        }
    }
    Ok(bound.map(crate::polars_ext::epoch_date))
}

/// [`day_bound`] of one Parquet file from its row groups' statistics, as
/// a day number: `Some(None)` when the file has no such column or only
/// nulls in it; `None` when the statistics do not tell (the file cannot
/// be read so, a row group has none, or the column is not a date or a
/// timestamp without a time zone), and the file must be read.
fn stated_day_bound(file: &Path, column: &str, last: bool) -> Option<Option<i32>> {
    use polars_parquet::parquet::schema::types::{PrimitiveLogicalType, TimeUnit};
    use polars_parquet::parquet::statistics::Statistics;
    let mut reader = File::open(file).ok()?;
    let meta = polars_parquet::parquet::read::read_metadata(&mut reader).ok()?;
    let mut bound: Option<i32> = None;
    for group in &meta.row_groups {
        let Some(mut chunks) = group.columns_under_root_iter(column) else {
            return Some(None);
        };
        let chunk = chunks.next().filter(|_| chunks.len() == 0)?;
        let (value, null_count, logical) = match chunk.statistics(&meta.footer_buf)?.ok()? {
            Statistics::Int32(s) => (
                if last { s.max_value } else { s.min_value }.map(i64::from),
                s.null_count,
                s.primitive_type.logical_type,
            ),
            Statistics::Int64(s) => (
                if last { s.max_value } else { s.min_value },
                s.null_count,
                s.primitive_type.logical_type,
            ),
            _ => return None,
        };
        let per_day: i64 = match logical? {
            PrimitiveLogicalType::Date => 1,
            PrimitiveLogicalType::Timestamp {
                unit,
                is_adjusted_to_utc: false,
            } => match unit {
                TimeUnit::Milliseconds => 86_400_000,
                TimeUnit::Microseconds => 86_400_000_000,
                TimeUnit::Nanoseconds => 86_400_000_000_000,
            },
            _ => return None,
        };
        let day = match value {
            Some(v) => i32::try_from(v.div_euclid(per_day)).ok()?,
            // No value: every row null, else the statistics do not tell.
            None if null_count == Some(group.num_rows() as i64) => continue,
            None => return None,
        };
        bound = further(last, bound, Some(day));
    }
    Some(bound)
}

/// The later (`last`) or earlier of two days, either of which may be none.
fn further(last: bool, a: Option<i32>, b: Option<i32>) -> Option<i32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if last { a.max(b) } else { a.min(b) }),
        (a, b) => a.or(b),
    }
}

/// Whether one of `sorted` (ascending) lies within `lo..=hi`.
fn holds_one<K: AsRef<[u8]>>(sorted: &[K], lo: &[u8], hi: &[u8]) -> bool {
    let at = sorted.partition_point(|k| k.as_ref() < lo);
    sorted.get(at).is_some_and(|k| k.as_ref() <= hi)
}

/// How the store's files are scanned: files from before a column was
/// added lack it, so a scan takes the widest file's schema, their rows null
/// there.
fn scan_args(files: &[PathBuf], hive: bool) -> Result<ScanArgsParquet> {
    Ok(ScanArgsParquet {
        // polars reads `year=`/`month=` folders as columns unless told not to.
        hive_options: if hive {
            HiveOptions::new_enabled()
        } else {
            HiveOptions::new_disabled()
        },
        schema: widest_schema(files)?,
        allow_missing_columns: true,
        ..ScanArgsParquet::default()
    })
}

/// A lazy scan of some `files` of one dataset, in their order, without the
/// partitions' columns (`None`: no files), with the schema of the widest
/// of `all` its files (a column only later files have: null).
pub fn scan_files(files: &[PathBuf], all: &[PathBuf]) -> Result<Option<LazyFrame>> {
    if files.is_empty() {
        return Ok(None);
    }
    let args = scan_args(all, false)?;
    let paths = files
        .iter()
        .map(|f| {
            polars::prelude::PlRefPath::try_from_path(f)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("cannot scan {}", f.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(LazyFrame::scan_parquet_files(
        paths.into_iter().collect(),
        args,
    )?))
}

/// Read and stack Parquet files (optionally only some columns). Files
/// written before a column was added to their table lack it: their rows
/// get nulls there, so a table can grow a column without rewriting the
/// store.
pub fn read_files(files: &[PathBuf], columns: Option<&[&str]>) -> Result<Option<DataFrame>> {
    let mut acc: Option<DataFrame> = None;
    for f in files {
        let file = File::open(f).with_context(|| format!("cannot open {}", f.display()))?;
        let mut reader = ParquetReader::new(file);
        if let Some(cols) = columns {
            let schema = reader
                .schema()
                .map_err(anyhow::Error::from)
                .with_context(|| format!("cannot read {}", f.display()))?;
            let present: Vec<String> = cols
                .iter()
                .filter(|c| schema.contains(c))
                .map(|c| c.to_string())
                .collect();
            reader = reader.with_columns(Some(present));
        }
        let df = reader
            .finish()
            .map_err(anyhow::Error::from)
            .with_context(|| format!("cannot read {}", f.display()))?;
        match acc.as_mut() {
            None => acc = Some(df),
            Some(a) => stack(a, df)
                .with_context(|| format!("{} does not match its dataset's schema", f.display()))?,
        }
    }
    if let (Some(df), Some(cols)) = (acc.as_mut(), columns) {
        // A column no file has yet: all null (its type unknown: text).
        for c in cols {
            if df.column(c).is_err() {
                let nulls = Column::full_null((*c).into(), df.height(), &DataType::String);
                df.with_column(nulls)?;
            }
        }
        *df = df.select(cols.iter().copied())?;
    }
    Ok(acc)
}

/// The schema of the file with the most columns, when the files do not all
/// have the same number (`None`: they agree, the scan finds it).
fn widest_schema(files: &[PathBuf]) -> Result<Option<SchemaRef>> {
    let mut widths = Vec::with_capacity(files.len());
    for f in files {
        let file = File::open(f).with_context(|| format!("cannot open {}", f.display()))?;
        let n = ParquetReader::new(file)
            .schema()
            .map_err(anyhow::Error::from)
            .with_context(|| format!("cannot read {}", f.display()))?
            .len();
        widths.push(n);
    }
    let (Some(&min), Some(&max)) = (widths.iter().min(), widths.iter().max()) else {
        return Ok(None);
    };
    if min == max {
        return Ok(None);
    }
    let widest = &files[widths.iter().position(|&w| w == max).unwrap_or(0)];
    let df = read_files(std::slice::from_ref(widest), None)?.context("the widest file")?;
    Ok(Some(df.schema().clone()))
}

/// Append `df` under `acc`, matching columns by name: a column only one
/// side has is null on the other (rows of files from before it existed).
pub(crate) fn stack(acc: &mut DataFrame, mut df: DataFrame) -> Result<()> {
    let names = |d: &DataFrame| -> Vec<String> {
        d.get_column_names().iter().map(|n| n.to_string()).collect()
    };
    if names(acc) != names(&df) {
        for c in df.columns().to_vec() {
            if acc.column(c.name()).is_err() {
                let nulls = Column::full_null(c.name().clone(), acc.height(), c.dtype());
                acc.with_column(nulls)?;
            }
        }
        for c in acc.columns().to_vec() {
            if df.column(c.name()).is_err() {
                let nulls = Column::full_null(c.name().clone(), df.height(), c.dtype());
                df.with_column(nulls)?;
            }
        }
        df = df.select(names(acc))?;
    }
    acc.vstack_mut_owned(df).map_err(anyhow::Error::from)?;
    Ok(())
}

/// Write a frame as zstd Parquet with statistics.
fn write_parquet(path: &Path, df: &mut DataFrame) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    // Buffered: the writer puts out a page header a few bytes at a time
    // (ten thousand one-byte writes for the case metrics of a city year).
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    parquet_to(&mut out, df)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot write {}", path.display()))?;
    let file = out
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", path.display()))?;
    // On disk before the journal can name it: a power loss after the commit
    // point must not move a truncated file into place.
    file.sync_all()
        .with_context(|| format!("cannot sync {}", path.display()))?;
    Ok(())
}

/// Rows per row group, as polars' own writer cuts a frame.
const ROW_GROUP: usize = 512 * 512;

/// `df` as the Parquet file polars' `ParquetWriter` writes (zstd level 1,
/// the default statistics, its row groups and encodings: the same bytes,
/// as a test below checks), with each row group's columns encoded
/// and compressed on every core. polars encodes the columns side by side
/// but compresses every page on the writing thread, which took most of
/// the half second `case_metrics` of a city year took to write, alone at
/// the end of `compute --only cases`.
fn parquet_to<W: std::io::Write>(out: W, df: &mut DataFrame) -> PolarsResult<u64> {
    use polars_parquet::write::{
        array_to_columns, compress, get_dtype_encoding, CompressedPage, CompressionOptions,
        Encoding, Version, WriteOptions, ZstdLevel,
    };
    let level = ZstdLevel::try_new(1).expect("zstd has level 1");
    let statistics = StatisticsOptions::default();
    let chunked = polars::frame::chunk_df_for_writing(df, ROW_GROUP)?;
    let mut writer = ParquetWriter::new(out)
        .with_compression(ParquetCompression::Zstd(Some(level)))
        .with_statistics(statistics)
        .batched(chunked.schema())?;
    let options = WriteOptions {
        statistics,
        version: Version::V1,
        compression: CompressionOptions::Zstd(Some(level)),
        data_page_size: None,
    };
    let types = writer.parquet_schema().fields().to_vec();
    for batch in chunked.iter_chunks(CompatLevel::newest(), false) {
        if batch.is_empty() {
            continue;
        }
        let columns: Vec<usize> = (0..batch.columns().len()).collect();
        // Each column's leaves (one for a flat column), their pages compressed.
        let compressed = crate::parallel::parallel_map(&columns, |&c| {
            let mut array = &batch.columns()[c];
            let encodings = get_dtype_encoding(array.dtype());
            // A text column's dictionary built here where it surely is
            // one: the pages polars would write from its own.
            let built;
            if encodings == [Encoding::RleDictionary] {
                if let Some(d) = dictionary::text_dictionary(array.as_ref()) {
                    built = d.boxed();
                    array = &built;
                }
            }
            array_to_columns(array, types[c].clone(), options, &encodings)?
                .into_iter()
                .map(|pages| {
                    pages
                        .map(|page| Ok(compress(page?, Vec::new(), options.compression)?))
                        .collect::<PolarsResult<Vec<CompressedPage>>>()
                })
                .collect::<PolarsResult<Vec<Vec<CompressedPage>>>>()
        });
        let leaves = compressed
            .into_iter()
            .collect::<PolarsResult<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
        writer.write_row_group(batch.len() as u64, &leaves)?;
    }
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::polars_ext::strings;

    #[test]
    fn a_holder_that_names_itself_just_after_locking_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        std::fs::write(&path, "").unwrap();
        let mut seen = File::open(&path).unwrap();
        let writer = std::thread::spawn({
            let path = path.clone();
            move || {
                std::thread::sleep(std::time::Duration::from_millis(100));
                std::fs::write(&path, "pid 7, `nightly --date 2026-11-01`\n").unwrap();
            }
        });
        assert_eq!(holder_of(&mut seen), "pid 7, `nightly --date 2026-11-01`");
        writer.join().unwrap();
        std::fs::write(&path, "").unwrap();
        assert_eq!(holder_of(&mut seen), "holder unknown");
    }

    #[test]
    fn parquet_written_on_every_core_is_the_file_polars_writes() {
        // Several row groups, nulls, text both repeated and unique (the
        // writer tries a dictionary on each; `dictionary` builds those of
        // the repeated text, short, long, in runs or none), dates, flags,
        // an empty frame.
        let n = 2 * ROW_GROUP + 1234;
        let text: Vec<Option<String>> = (0..n)
            .map(|i| (i % 7 != 0).then(|| format!("窗口{}", i % 13)))
            .collect();
        let ids: Vec<String> = (0..n).map(|i| format!("C{i:08}")).collect();
        let mut df = df!(
            "text" => text,
            "id" => ids,
            "n" => (0..n as i64).map(|i| (i % 5 != 0).then_some(i * 3 % 1001)).collect::<Vec<_>>(),
            "x" => (0..n).map(|i| i as f64 / 7.0).collect::<Vec<_>>(),
            "flag" => (0..n).map(|i| i % 3 == 0).collect::<Vec<_>>(),
            "day" => (0..n as i32).map(|i| 20_000 + i % 400).collect::<Vec<_>>(),
            "name" => (0..n).map(|i| format!("行政服务中心第{}窗口", i / 1000 % 9)).collect::<Vec<_>>(),
            "none" => vec![None::<&str>; n],
        )
        .unwrap();
        df.with_column(df.column("day").unwrap().cast(&DataType::Date).unwrap())
            .unwrap();
        let polars_bytes = |df: &mut DataFrame| {
            let mut bytes = Vec::new();
            ParquetWriter::new(&mut bytes)
                .with_compression(ParquetCompression::Zstd(Some(
                    polars_parquet::write::ZstdLevel::try_new(1).unwrap(),
                )))
                .with_statistics(StatisticsOptions::default())
                .finish(df)
                .unwrap();
            bytes
        };
        let ours = |df: &mut DataFrame| {
            let mut bytes = Vec::new();
            parquet_to(&mut bytes, df).unwrap();
            bytes
        };
        let expected = polars_bytes(&mut df.clone());
        assert_eq!(ours(&mut df.clone()), expected);
        // More than one chunk in, as a stacked frame comes.
        let mut stacked = df.slice(0, 1000);
        stacked.vstack_mut(&df.slice(1000, n - 1000)).unwrap();
        assert_eq!(ours(&mut stacked.clone()), polars_bytes(&mut stacked));
        let mut empty = df.clear();
        assert_eq!(ours(&mut empty.clone()), polars_bytes(&mut empty));
        // And it reads back as the frame.
        let back = ParquetReader::new(std::io::Cursor::new(ours(&mut df.clone())))
            .finish()
            .unwrap();
        assert!(back.equals_missing(&df));
    }

    #[test]
    fn a_column_added_later_reads_as_null_in_older_files() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("t/year=2026/month=09/part-1.parquet");
        let new = dir.path().join("t/year=2026/month=10/part-2.parquet");
        write_parquet(&old, &mut df!("a" => ["x"], "n" => [1i64]).unwrap()).unwrap();
        let mut wider = df!("a" => ["y"], "n" => [2i64], "b" => ["老年人"]).unwrap();
        write_parquet(&new, &mut wider).unwrap();
        let all = read_files(&[old.clone(), new.clone()], None)
            .unwrap()
            .unwrap();
        assert_eq!(all.height(), 2);
        let b: Vec<Option<&str>> = all.column("b").unwrap().str().unwrap().iter().collect();
        assert_eq!(b, [None, Some("老年人")]);
        // A projection naming the new column, and one no file has.
        let some = read_files(&[old, new], Some(&["n", "b", "c"]))
            .unwrap()
            .unwrap();
        assert_eq!(some.get_column_names(), ["n", "b", "c"]);
        assert_eq!(some.column("c").unwrap().null_count(), 2);
        // The lazy scan of the dataset sees the new column too.
        let store = Store::open(dir.path()).unwrap();
        let scanned = store
            .scan("t")
            .unwrap()
            .unwrap()
            .select([col("b")])
            .collect()
            .unwrap();
        assert_eq!(scanned.column("b").unwrap().null_count(), 1);
    }

    #[test]
    fn the_rows_of_some_days_are_read_from_the_files_of_their_months() {
        let dir = tempfile::tempdir().unwrap();
        for (month, row) in [
            ("2025/month=12", "Dec"),
            ("2026/month=01", "Jan"),
            ("2026/month=02", "Feb"),
            ("2026/month=03", "Mar"),
        ] {
            let path = dir.path().join(format!("t/year={month}/part-1.parquet"));
            write_parquet(&path, &mut df!("a" => [row], "n" => [1i64]).unwrap()).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let read = |from, to| -> Vec<String> {
            match store.read_months("t", Some(&["a"]), from, to).unwrap() {
                Some(df) => strings(&df, "a").unwrap(),
                None => Vec::new(),
            }
        };
        // A month, a day, days across the year's turn, none stored.
        assert_eq!(read(day(2026, 1, 1), day(2026, 1, 31)), ["Jan"]);
        assert_eq!(read(day(2026, 2, 14), day(2026, 2, 14)), ["Feb"]);
        assert_eq!(
            read(day(2025, 12, 20), day(2026, 2, 1)),
            ["Dec", "Jan", "Feb"]
        );
        assert!(read(day(2026, 4, 1), day(2026, 6, 30)).is_empty());
        // A file of no month is always read.
        let whole = dir.path().join("u/part-1.parquet");
        write_parquet(&whole, &mut df!("a" => ["all"]).unwrap()).unwrap();
        let u = store
            .read_months("u", None, day(2026, 1, 1), day(2026, 1, 31))
            .unwrap();
        assert_eq!(strings(&u.unwrap(), "a").unwrap(), ["all"]);
    }

    #[test]
    fn a_day_bound_from_the_statistics_is_the_one_a_scan_finds() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str| dir.path().join(format!("t/{name}.parquet"));
        // A date and time as milliseconds since 1970-01-01 00:00.
        let ms = |d: &str, t: &str| {
            let at =
                chrono::NaiveDateTime::parse_from_str(&format!("{d} {t}"), "%Y-%m-%d %H:%M:%S%.3f")
                    .unwrap();
            at.and_utc().timestamp_millis()
        };
        let framed = |at: Vec<Option<i64>>, day: Option<Vec<Option<i32>>>| {
            let mut df = df!("at" => at).unwrap();
            df.with_column(
                df.column("at")
                    .unwrap()
                    .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                    .unwrap(),
            )
            .unwrap();
            if let Some(day) = day {
                let day = Series::new("day".into(), day)
                    .cast(&DataType::Date)
                    .unwrap();
                df.with_column(day.into_column()).unwrap();
            }
            df
        };
        // Two row groups: the earliest time in the first, the latest in
        // the second; a time a millisecond before 1970 is the day before.
        let n = ROW_GROUP + 1;
        let mut at: Vec<Option<i64>> = (0..n as i64)
            .map(|i| (i % 3 != 0).then(|| ms("2025-03-01", "10:00:00.000") + i))
            .collect();
        at[1] = Some(ms("1969-12-31", "23:59:59.999"));
        at[n - 1] = Some(ms("2025-06-30", "23:59:59.999"));
        let days: Vec<Option<i32>> = (0..n as i32).map(|i| Some(20_000 + i % 50)).collect();
        write_parquet(&file("groups"), &mut framed(at, Some(days))).unwrap();
        // Only nulls, and no `day` column at all.
        write_parquet(&file("nulls"), &mut framed(vec![None, None], None)).unwrap();
        // One written without statistics: read.
        let mut unstated = framed(
            vec![Some(ms("2025-07-01", "00:00:00.000"))],
            Some(vec![Some(19_000)]),
        );
        ParquetWriter::new(File::create(file("unstated")).unwrap())
            .with_statistics(StatisticsOptions::empty())
            .finish(&mut unstated)
            .unwrap();
        let files = [file("groups"), file("nulls"), file("unstated")];
        assert_eq!(stated_day_bound(&files[1], "at", true), Some(None));
        assert_eq!(stated_day_bound(&files[1], "day", true), Some(None));
        assert_eq!(stated_day_bound(&files[2], "at", true), None);
        let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let bound =
            |files: &[PathBuf], column: &str, last: bool| day_bound(files, column, last).unwrap();
        assert_eq!(bound(&files[..2], "at", true), Some(date("2025-06-30")));
        assert_eq!(bound(&files[..2], "at", false), Some(date("1969-12-31")));
        assert_eq!(bound(&files, "at", true), Some(date("2025-07-01")));
        assert_eq!(
            bound(&files, "day", false),
            Some(crate::polars_ext::epoch_date(19_000))
        );
        assert_eq!(
            bound(&files[..2], "day", true),
            Some(crate::polars_ext::epoch_date(20_049))
        );
        assert_eq!(bound(&files[1..2], "at", true), None);
        assert_eq!(bound(&files, "missing", true), None);
        // Each as a scan of every file gives it.
        for column in ["at", "day"] {
            for last in [false, true] {
                let scan = scan_files(&files, &files).unwrap().unwrap();
                let scanned = crate::polars_ext::date_bound(scan, column, last).unwrap();
                assert_eq!(bound(&files, column, last), scanned, "{column} {last}");
            }
        }
    }
}
