//! Helpers shared by the end-to-end tests: run the binary in a home of its
//! own, read its summaries and CSV output.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

/// A temporary folder for a test (its home, its exports), removed on
/// drop: on the RAM disk `/dev/shm` where there is one and `TMPDIR` names
/// no other place, else in the system's temporary folder. The suite makes
/// and removes thousands of stores; on this project's ext4 disks the
/// kernel's search for inodes not recently deleted, each time one was
/// created, cost the suite's run 11–15 s of system time
/// (benches/README.md, issue 19). A fixture held in a static for the
/// whole run takes [`kept_tempdir`]: a static is never dropped.
pub fn tempdir() -> tempfile::TempDir {
    static SCRATCH: OnceLock<std::path::PathBuf> = OnceLock::new();
    let at = SCRATCH.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let usable = std::env::var_os("TMPDIR").is_none()
            && shm.is_dir()
            && tempfile::tempdir_in(shm).is_ok();
        match usable {
            true => shm.to_path_buf(),
            false => std::env::temp_dir(),
        }
    });
    tempfile::Builder::new()
        .prefix("xiaoneng-test-")
        .tempdir_in(at)
        .expect("a temporary folder")
}

/// A temporary folder for a fixture kept in a static for the whole run:
/// in the system's temporary folder, never in RAM, since a static is never
/// dropped and its folder outlives the run.
pub fn kept_tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// The binary with no XIAONENG_* variables from the environment.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xiaoneng"));
    c.env_remove("XIAONENG_HOME")
        .env_remove("XIAONENG_CONFIG")
        .env_remove("XIAONENG_CENTER_ID")
        .env_remove("XIAONENG_FAIL_AT");
    c
}

/// Run `xiaoneng --home HOME ARGS…`.
pub fn run(home: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--home")
        .arg(home)
        .args(args)
        .output()
        .expect("run xiaoneng")
}

/// Run and expect success; the standard output.
pub fn ok(home: &Path, args: &[&str]) -> String {
    let out = run(home, args);
    assert!(
        out.status.success(),
        "xiaoneng {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// The demo county (`xiaoneng demo` in a fresh home), run once per test
/// binary: its home and what it printed.
fn demo_run() -> &'static (tempfile::TempDir, String) {
    static DEMO: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let home = kept_tempdir();
        let out = ok(home.path(), &["demo"]);
        (home, out)
    })
}

/// A home of its own holding what `xiaoneng demo` leaves (a copy of the
/// one run per test binary): the test may read and change it.
pub fn demo_home() -> tempfile::TempDir {
    let home = tempdir();
    copy_tree(demo_run().0.path(), home.path());
    home
}

/// What `xiaoneng demo` printed in a fresh home.
pub fn demo_output() -> &'static str {
    &demo_run().1
}

/// Copy every file under `from` to the same place under `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A Parquet file's footer (its schema, row groups and row count), as any
/// engine reads it.
pub fn parquet_footer(file: &Path) -> polars_parquet::parquet::metadata::FileMetadata {
    let mut f = std::fs::File::open(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    polars_parquet::parquet::read::read_metadata(&mut f).unwrap()
}

/// Per-table totals of an ingest summary: table → [read, stored, rejected, replaced].
pub fn totals(summary: &str) -> HashMap<String, [u64; 4]> {
    let mut out = HashMap::new();
    let mut in_totals = false;
    for line in summary.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.first() == Some(&"table") && cols.len() == 6 {
            in_totals = true;
            continue;
        }
        if in_totals && cols.len() == 6 {
            let n: Result<Vec<u64>, _> = cols[1..].iter().map(|c| c.parse::<u64>()).collect();
            if let Ok(n) = n {
                out.insert(cols[0].to_string(), [n[1], n[2], n[3], n[4]]);
            }
        }
    }
    out
}

/// Split one CSV line into fields (double quotes allowed, no embedded newlines).
pub fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// The rows of a CSV text (first line the header), as column → cell.
pub fn csv_rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut lines = text.lines();
    let header = split_csv(lines.next().unwrap_or(""));
    lines
        .map(|l| header.iter().cloned().zip(split_csv(l)).collect())
        .collect()
}

/// Copy the CSV files of a fixture folder into `dir` (created).
pub fn copy_csvs(fixture: &Path, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(fixture).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// The rows of a report's CSV for people (a UTF-8 BOM, Chinese headers),
/// as header → cell.
pub fn report_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let body = text
        .strip_prefix('\u{feff}')
        .unwrap_or_else(|| panic!("{} has no BOM", path.display()));
    csv_rows(body)
}

/// `metrics FAMILY --period P --level L --as-of D --format csv`, as rows.
pub fn metric_rows(
    home: &Path,
    family: &str,
    period: &str,
    level: &str,
    as_of: &str,
) -> Vec<HashMap<String, String>> {
    csv_rows(&ok(
        home,
        &[
            "metrics", family, "--period", period, "--level", level, "--as-of", as_of, "--format",
            "csv",
        ],
    ))
}
