//! All-or-nothing commits over many Parquet files.
//!
//! A transaction writes every new file under `_staging/<run>/`. Commit
//! writes `_journal.json` (the list of files to move in and files to
//! delete) with a temp-file-and-rename, which is the commit point, then
//! carries it out and deletes the journal. A run killed before the journal
//! exists leaves the store as it was (the staging folder is swept at the
//! next open); a run killed after it is finished by the next open, since
//! every journal step can be repeated. So a store is always as it was
//! before a run or as it is after it.

use super::{write_parquet, Store};
use anyhow::{Context, Result};
use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const JOURNAL: &str = "_journal.json";
const STAGING: &str = "_staging";

// The test hook (`XIAONENG_FAIL_AT`): points `staged`, `journal`, `applying`.
use crate::failpoint::fail_point;

/// A frame to stage: its dataset, its (year, month) partition, its rows.
pub type Staged<'a> = (&'a str, Option<(i32, u32)>, DataFrame);

#[derive(Debug, Default, Serialize, Deserialize)]
struct Journal {
    /// (staged file, final file), both relative to the store root.
    adds: Vec<(PathBuf, PathBuf)>,
    /// Final files to delete, relative to the store root.
    removes: Vec<PathBuf>,
}

/// A file [`Transaction::write`] staged: where it is, where it lands.
#[derive(Debug)]
pub struct Written(PathBuf, PathBuf);

impl Written {
    /// The staged file, relative to the store root (readable until the
    /// commit moves it).
    pub fn staged(&self) -> &Path {
        &self.0
    }
}

/// A set of file additions and removals that land together or not at all.
pub struct Transaction<'s> {
    store: &'s Store,
    run_id: String,
    journal: Journal,
}

impl<'s> Transaction<'s> {
    pub(super) fn new(store: &'s Store) -> Result<Self> {
        let now = chrono::Local::now();
        let run_id = format!("{}-{}", now.format("%Y%m%dT%H%M%S%3f"), std::process::id());
        Ok(Transaction {
            store,
            run_id,
            journal: Journal::default(),
        })
    }

    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    pub fn store(&self) -> &'s Store {
        self.store
    }

    /// Where a new file of `dataset` in partition `ym` is staged, and
    /// where it lands (both relative to the store's root).
    fn paths(&self, dataset: &str, ym: Option<(i32, u32)>) -> (PathBuf, PathBuf) {
        let root = self.store.root();
        let dir = self.store.partition_dir(dataset, ym);
        let name = format!("part-{}.parquet", self.run_id);
        let final_rel = dir.strip_prefix(root).expect("under root").join(&name);
        let staged_rel = control_rel(self.store)
            .join(STAGING)
            .join(&self.run_id)
            .join(&final_rel);
        (staged_rel, final_rel)
    }

    /// Stage `df` as a new file of `dataset` in partition `ym`.
    pub fn add(&mut self, dataset: &str, ym: Option<(i32, u32)>, df: &mut DataFrame) -> Result<()> {
        let written = self.write(dataset, ym, df)?;
        self.adopt(written);
        Ok(())
    }

    /// Write `df` where [`Transaction::add`] stages a new file of
    /// `dataset` in partition `ym`, without listing it in the commit:
    /// another thread may write while the transaction's owner works on;
    /// the owner then [`adopt`](Transaction::adopt)s the file. A file
    /// written and never adopted is swept with the staging folder.
    pub fn write(
        &self,
        dataset: &str,
        ym: Option<(i32, u32)>,
        df: &mut DataFrame,
    ) -> Result<Written> {
        let (staged_rel, final_rel) = self.paths(dataset, ym);
        write_parquet(&self.store.root().join(&staged_rel), df)?;
        Ok(Written(staged_rel, final_rel))
    }

    /// List a file [`Transaction::write`] wrote in the commit.
    pub fn adopt(&mut self, written: Written) {
        self.journal.adds.push((written.0, written.1));
        fail_point("staged");
    }

    /// Stage several frames, each a new file of its dataset and partition,
    /// written two at a time (a file's own writing uses the cores only in
    /// part); staged in the order given.
    pub fn add_all(&mut self, files: Vec<Staged<'_>>) -> Result<()> {
        let jobs: Vec<_> = files
            .into_iter()
            .map(|(dataset, ym, df)| (dataset, ym, std::sync::Mutex::new(df)))
            .collect();
        let this = &*self;
        let written = crate::parallel::parallel_map_on(2, &jobs, |(dataset, ym, df)| {
            let mut df = df.lock().expect("one writer a frame");
            this.write(dataset, *ym, &mut df)
        });
        // The first failure in the order given, else every file in it.
        let written = written.into_iter().collect::<Result<Vec<Written>>>()?;
        for w in written {
            self.adopt(w);
        }
        Ok(())
    }

    /// Stage a control file (`name` in the store's control folder) that
    /// lands with the rest of the commit, replacing the one before.
    pub fn put_control(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let root = self.store.root();
        let final_rel = control_rel(self.store).join(name);
        let staged_rel = control_rel(self.store)
            .join(STAGING)
            .join(&self.run_id)
            .join("_control")
            .join(name);
        let staged = root.join(&staged_rel);
        if let Some(dir) = staged.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        write_synced(&staged, bytes)?;
        self.journal.adds.push((staged_rel, final_rel));
        Ok(())
    }

    /// Delete a file of the store at commit.
    pub fn remove(&mut self, file: &Path) {
        let rel = file.strip_prefix(self.store.root()).unwrap_or(file);
        self.journal.removes.push(rel.to_path_buf());
    }

    /// Whether the transaction changes anything.
    pub fn is_empty(&self) -> bool {
        self.journal.adds.is_empty() && self.journal.removes.is_empty()
    }

    /// Make every staged change visible at once.
    pub fn commit(self) -> Result<()> {
        let (root, control) = (self.store.root(), self.store.control());
        if self.is_empty() {
            return Ok(());
        }
        let tmp = control.join("_journal.json.tmp");
        let text = serde_json::to_vec_pretty(&self.journal)?;
        write_synced(&tmp, &text)?;
        std::fs::rename(&tmp, control.join(JOURNAL))
            .with_context(|| format!("cannot commit the journal in {}", control.display()))?;
        sync_dir(control);
        fail_point("journal");
        apply(root, control, &self.journal)
    }
}

/// The store's control folder relative to its root (empty for a store of
/// one center).
fn control_rel(store: &Store) -> &Path {
    store
        .control()
        .strip_prefix(store.root())
        .expect("the control folder is under the root")
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

fn sync_dir(dir: &Path) {
    // Best effort: not every platform can fsync a directory.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Carry out a committed journal; every step may be repeated.
fn apply(root: &Path, control: &Path, journal: &Journal) -> Result<()> {
    for (i, (staged, fin)) in journal.adds.iter().enumerate() {
        let (staged, fin) = (root.join(staged), root.join(fin));
        if staged.exists() {
            if let Some(dir) = fin.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::rename(&staged, &fin)
                .with_context(|| format!("cannot move {} into place", fin.display()))?;
        }
        if i == 0 {
            fail_point("applying");
        }
    }
    for f in &journal.removes {
        match std::fs::remove_file(root.join(f)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot delete {}", f.display())),
        }
    }
    sync_dir(root);
    std::fs::remove_file(control.join(JOURNAL)).context("cannot remove the finished journal")?;
    let _ = std::fs::remove_dir_all(control.join(STAGING));
    Ok(())
}

/// Whether a killed run left a committed journal not yet carried out.
pub(super) fn interrupted(control: &Path) -> bool {
    control.join(JOURNAL).exists()
}

/// Finish a committed run, or sweep an uncommitted one (called on open).
pub(super) fn recover(root: &Path, control: &Path) -> Result<()> {
    let journal_path = control.join(JOURNAL);
    if journal_path.exists() {
        let text = std::fs::read(&journal_path)?;
        let journal: Journal = serde_json::from_slice(&text).with_context(|| {
            format!("the store journal {} is unreadable", journal_path.display())
        })?;
        eprintln!("xiaoneng: finishing the commit of an interrupted run");
        apply(root, control, &journal)?;
    }
    let _ = std::fs::remove_file(control.join("_journal.json.tmp"));
    let staging = control.join(STAGING);
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot sweep {}", staging.display()))?;
    }
    Ok(())
}
