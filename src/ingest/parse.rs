//! Records to typed rows: map the header to the table's columns, parse each
//! cell, run the row checks. A row that fails becomes a [`Reject`] naming the
//! line, the column and the reason; nothing is dropped.

use super::checks::RowChecks;
use super::decode::DAMAGE;
use super::frame::Columns;
use super::records::{self, raw_text, Record};
use super::table::{ColType, TableSpec};
use super::values::{parse, Value};
use super::vocab::{from_file_name, has_words, normalise_header, word_value, ColumnWords};
use crate::keyset::KeySet;
use polars::prelude::{BooleanChunked, DataFrame};
use std::collections::BTreeMap;

/// A rejected input row.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub line: u64,
    pub column: Option<String>,
    pub reason: String,
    pub raw: String,
}

/// The outcome of parsing one file's records.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The rows to store, in line order, with the table's columns and
    /// types (`None` when there are none).
    pub frame: Option<DataFrame>,
    /// Rows in `frame`.
    pub stored: u64,
    pub rejects: Vec<Reject>,
    /// Data records read (the header not counted).
    pub read: u64,
    /// Things worth telling the user that reject nothing (ignored columns).
    pub notes: Vec<String>,
    /// The file as a whole cannot be read as its table (a required column
    /// has no header): the verdict, said once; every row is rejected with
    /// it and none is stored.
    pub failed: Option<String>,
    /// Each header and the column it feeds (`None`: ignored).
    pub mapping: Vec<(String, Option<&'static str>)>,
    /// The first rows as they are stored: (column, value) pairs.
    pub first_rows: Vec<Vec<(&'static str, String)>>,
    /// The lines of stored rows that [`ParseOptions::flag`] picked.
    pub flagged: Vec<u64>,
    /// Rows rejected because a row they name is in a troubled file of
    /// this run: (that table, that file and what befell it) → rows.
    pub caused_by: BTreeMap<(String, String), u64>,
}

/// The keys of a table that rows of other tables may name: stored, or
/// stored by this run.
#[derive(Debug, Default)]
pub struct Known {
    pub ids: KeySet,
    /// A file of the table that failed, or rejected rows, in this run
    /// (its name and which): a missing key is likely one of its rows.
    pub troubled: Option<(String, &'static str)>,
}

/// A test a stored row may meet; the lines of those that do are kept.
pub type RowFlag<'r> = dyn Fn(&[Value]) -> bool + Sync + 'r;

/// Limits and user mappings for parsing.
#[derive(Clone)]
pub struct ParseOptions<'a> {
    /// Longest field accepted, in bytes.
    pub max_field_bytes: usize,
    /// Longest raw text kept with a reject, in characters.
    pub max_raw_chars: usize,
    /// Extra header aliases for this table: header → column.
    pub aliases: Option<&'a BTreeMap<String, String>>,
    /// Extra value words for this table's columns (`[values.<table>]`).
    pub values: Option<&'a ColumnWords>,
    /// The file's name: a fact it carries fills a column the file lacks.
    pub file_name: &'a str,
    /// Years the working-day calendar covers; a date in another year is
    /// rejected (empty: no check).
    pub years: &'a [i32],
    /// The keys of the tables this table references, by table name: a row
    /// naming a key not there is rejected (no check for a table missing).
    pub known: Option<&'a BTreeMap<&'static str, Known>>,
    /// The file's content hash: an incident without an id gets
    /// `<its first 12 characters>:<line>`.
    pub sha256: &'a str,
    /// Rows to note the lines of (substantiated incidents without points).
    pub flag: Option<&'a RowFlag<'a>>,
    /// A file without quotes of at least twice this many bytes is read in
    /// parts of at least this many, one core each ([`PART_BYTES`]).
    pub part_bytes: usize,
}

impl ParseOptions<'_> {
    /// Options with the given limits and nothing else (for tests and the
    /// tools that read a file alone).
    pub fn plain(max_field_bytes: usize, max_raw_chars: usize) -> ParseOptions<'static> {
        ParseOptions {
            max_field_bytes,
            max_raw_chars,
            aliases: None,
            values: None,
            file_name: "",
            years: &[],
            known: None,
            sha256: "",
            flag: None,
            part_bytes: PART_BYTES,
        }
    }
}

/// How many rows [`Parsed::first_rows`] keeps.
const FIRST_ROWS: usize = 3;

/// Reject a date or date-time in a year the calendar does not cover. Run
/// on every cell: a cell that is not a date, or whose year is covered,
/// returns at once (the reason is written apart, for the few that fail).
#[inline(always)]
fn check_year(
    name: &'static str,
    v: &Value,
    years: &[i32],
) -> Result<(), (Option<&'static str>, String)> {
    use chrono::Datelike;
    let year = match v {
        Value::DateTime(t) => t.year(),
        Value::Date(d) => d.year(),
        _ => return Ok(()),
    };
    if years.is_empty() || years.contains(&year) {
        return Ok(());
    }
    Err(year_not_covered(name, v, year, years))
}

/// Why a cell of `year` is rejected by [`check_year`].
#[cold]
#[inline(never)]
fn year_not_covered(
    name: &'static str,
    v: &Value,
    year: i32,
    years: &[i32],
) -> (Option<&'static str>, String) {
    (
        Some(name),
        format!(
            "{name} {v} is in {year}, a year the working-day calendar does not cover (it covers {}–{}: the official years and the year after the last of them; a later year's list is loaded with `xiaoneng calendar import`)",
            years.iter().min().copied().unwrap_or_default(),
            years.iter().max().copied().unwrap_or_default()
        ),
    )
}

/// Which record field feeds each column of the table (by column index).
fn map_header(
    table: &TableSpec,
    header: &[String],
    opts: &ParseOptions,
    notes: &mut Vec<String>,
) -> Vec<Option<usize>> {
    let mut map = vec![None; table.columns.len()];
    let mut ignored = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let h = normalise_header(h);
        if h.is_empty() {
            continue;
        }
        let user = opts.aliases.and_then(|a| {
            a.iter()
                .find(|(k, _)| normalise_header(k) == h)
                .map(|(_, v)| v.as_str())
        });
        // A `[columns]` line wins over the built-in names.
        let target = match user {
            Some(u) => table.column_index(u),
            None => table.columns.iter().position(|c| {
                normalise_header(c.name) == h || c.aliases.iter().any(|a| normalise_header(a) == h)
            }),
        };
        match target {
            Some(c) if map[c].is_none() => map[c] = Some(i),
            Some(c) => notes.push(format!(
                "header '{h}' maps to {} again; the first one is used",
                table.columns[c].name
            )),
            None => ignored.push(h),
        }
    }
    if !ignored.is_empty() {
        notes.push(format!("columns ignored: {}", ignored.join(", ")));
    }
    map
}

/// Parts of a file of at least this many bytes are read on a core each.
pub const PART_BYTES: usize = 8 << 20;

/// The cores to read a file's parts on.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Parse a CSV export (first record = header). A large export without
/// quotes is read in parts, one core each; the outcome is the same.
pub fn parse_delimited(table: &'static TableSpec, text: &str, opts: &ParseOptions) -> Parsed {
    let mut out = Parsed::default();
    let delimiter = records::delimiter(text);
    let Some((record, from)) = records::header(text, delimiter) else {
        out.notes.push("empty file: no header and no rows".into());
        return out;
    };
    let header = read_header(table, &record, opts, &mut out);
    let parts = records::parts(text, from, delimiter, cores(), opts.part_bytes)
        .unwrap_or_else(|| vec![records::Part::rest(text, from, record.fields.len())]);
    let done = in_parts(&parts, |part| {
        let chunk = &text[part.start..part.end];
        let mut out = Parsed::default();
        let mut sink = Sink::new(table, chunk, opts);
        let mut words = WordMemo::new(table.columns.len());
        let part_text = Chunk::of(chunk);
        records::each_delimited_in(text, part, delimiter, |r| {
            out.read += 1;
            data_record(table, &header, r, part_text, opts, &mut sink, &mut words);
        });
        sink.finish(&mut out);
        out
    });
    out.failed = header.verdict.map(|(v, _)| v);
    merge(&mut out, done);
    out
}

/// One data record of a delimited file to its sink.
#[allow(clippy::too_many_arguments)]
fn data_record<'w>(
    table: &TableSpec,
    h: &Header,
    r: &Record,
    text: Chunk,
    opts: &ParseOptions<'w>,
    sink: &mut Sink,
    words: &mut WordMemo<'w>,
) {
    if let Some((v, first)) = &h.verdict {
        sink.reject(r, Some(first), format!("the file failed: {v}"));
    } else if r.truncated {
        sink.reject(r, None, TRUNCATED.to_string());
    } else {
        let values = sink.spare();
        match parse_record(table, h, r, text, opts, words, values) {
            Ok(values) => sink.row(r, values),
            Err((column, reason)) => sink.reject(r, column, reason),
        }
    }
}

/// `f` on each part, on a thread each (one part on this thread); the
/// outcomes in the parts' order.
fn in_parts(parts: &[records::Part], f: impl Fn(records::Part) -> Parsed + Sync) -> Vec<Parsed> {
    if let [part] = parts {
        return vec![f(*part)];
    }
    std::thread::scope(|scope| {
        let f = &f;
        let running: Vec<_> = parts
            .iter()
            .map(|&part| scope.spawn(move || f(part)))
            .collect();
        running
            .into_iter()
            .map(|t| t.join().expect("a parsing thread panicked"))
            .collect()
    })
}

/// The parts' outcomes, in order, into `out`.
fn merge(out: &mut Parsed, parts: Vec<Parsed>) {
    for p in parts {
        out.read += p.read;
        out.stored += p.stored;
        out.rejects.extend(p.rejects);
        let room = FIRST_ROWS.saturating_sub(out.first_rows.len());
        out.first_rows.extend(p.first_rows.into_iter().take(room));
        out.flagged.extend(p.flagged);
        for (k, n) in p.caused_by {
            *out.caused_by.entry(k).or_default() += n;
        }
        match (&mut out.frame, p.frame) {
            (Some(acc), Some(f)) => {
                acc.vstack_mut_owned(f)
                    .expect("parts of one table have the same columns");
            }
            (acc @ None, f) => *acc = f,
            (Some(_), None) => {}
        }
    }
}

/// Why a file cannot be read as its table, and the first required column
/// it lacks (its rows' rejects name it).
type Verdict = (String, &'static str);

/// What a file's header says.
struct Header {
    /// Which field feeds each column of the table.
    map: Vec<Option<usize>>,
    /// Fields in the header.
    width: usize,
    /// Why the file cannot be read, when it lacks a required column.
    verdict: Option<Verdict>,
    /// Whether each column has words to look up (see [`has_words`]).
    words: Vec<bool>,
    /// The value the file's name gives each column it has no header for.
    from_name: Vec<Option<&'static str>>,
    /// The table's row checks, columns found.
    checks: RowChecks,
    /// The columns keeping the word of another (`word_of`) that the file
    /// has no header for: (column, the other column), found once.
    kept_words: Vec<(usize, usize)>,
}

/// Map a file's header to the table's columns.
fn read_header(
    table: &TableSpec,
    header: &Record,
    opts: &ParseOptions,
    out: &mut Parsed,
) -> Header {
    let fields: Vec<String> = header.fields.iter().map(str::to_string).collect();
    let map = map_header(table, &fields, opts, &mut out.notes);
    out.mapping = fields
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let column = map
                .iter()
                .position(|m| *m == Some(i))
                .map(|c| table.columns[c].name);
            (h.clone(), column)
        })
        .collect();
    let missing: Vec<&'static str> = table
        .columns
        .iter()
        .zip(&map)
        .filter(|(c, m)| {
            c.required
                && m.is_none()
                && from_file_name(table.name, c.name, opts.file_name).is_none()
        })
        .map(|(c, _)| c.name)
        .collect();
    for (c, m) in table.columns.iter().zip(&map) {
        if let (None, Some(v)) = (m, from_file_name(table.name, c.name, opts.file_name)) {
            out.notes
                .push(format!("{} = {v}: from the file's name", c.name));
        }
    }
    let verdict = missing.first().map(|first| {
        (
            missing_columns_verdict(table, &fields, &map, &missing),
            *first,
        )
    });
    Header {
        width: fields.len(),
        verdict,
        words: table
            .columns
            .iter()
            .map(|c| has_words(table.name, c.name, opts.values))
            .collect(),
        from_name: table
            .columns
            .iter()
            .map(|c| from_file_name(table.name, c.name, opts.file_name))
            .collect(),
        checks: RowChecks::of(table),
        kept_words: table
            .columns
            .iter()
            .zip(&map)
            .enumerate()
            .filter_map(|(k, (c, m))| match (c.word_of, m) {
                (Some(of), None) => Some((k, table.column_index(of)?)),
                _ => None,
            })
            .collect(),
        map,
    }
}

/// Where a file's rows go: stored rows into typed columns, after the
/// reference checks; rejects with their line, column, reason and raw text.
/// Past the first rows the references are checked when the part is done,
/// a column at a time ([`KeySet::missing`]), and the rows naming a key
/// not there taken out again: the same rows stored and rejected, with the
/// same reasons, as checking each row as it comes.
struct Sink<'o> {
    table: &'static TableSpec,
    text: &'o str,
    opts: &'o ParseOptions<'o>,
    columns: Columns,
    /// (column index, its name, the keys it must name, the table named).
    refs: Vec<(usize, &'static str, &'o Known, &'static str)>,
    /// The line and span of each stored row whose references are not
    /// checked yet: the last rows stored, in order.
    unchecked: Vec<(u64, (usize, usize))>,
    rejects: Vec<Reject>,
    first_rows: Vec<Vec<(&'static str, String)>>,
    flagged: Vec<u64>,
    caused_by: BTreeMap<(String, String), u64>,
    /// An incident without an id gets one.
    incidents: bool,
    /// The last row's values, emptied: the next row's are parsed into
    /// its room ([`Sink::spare`]), not into a vector of their own.
    spare: Vec<Value<'static>>,
}

/// About how many records `text` holds: its length over the mean length
/// of the lines in its first 64 KiB, an eighth more. The columns are made
/// that large at once instead of growing (each growth a copy of what they
/// held, and its pages touched afresh); room never used is never touched.
fn rows_about(text: &str) -> usize {
    const SAMPLE: usize = 64 << 10;
    let sample = &text.as_bytes()[..text.len().min(SAMPLE)];
    let lines = memchr::memchr_iter(b'\n', sample).count().max(1);
    let rows = text.len() / (sample.len() / lines).max(1);
    rows + rows / 8 + 16
}

/// `v` emptied, as a vector of values of any lifetime on the same
/// allocation (values of every lifetime have one size and alignment, so
/// the in-place collect keeps it).
fn recycle<'b>(mut v: Vec<Value<'_>>) -> Vec<Value<'b>> {
    v.clear();
    v.into_iter().map(|_| unreachable!("emptied")).collect()
}

impl<'o> Sink<'o> {
    fn new(table: &'static TableSpec, text: &'o str, opts: &'o ParseOptions<'o>) -> Self {
        let refs = opts.known.map_or_else(Vec::new, |known| {
            table
                .columns
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    let target = c.references?;
                    Some((i, c.name, known.get(target)?, target))
                })
                .collect()
        });
        let rows = rows_about(text);
        Sink {
            table,
            text,
            opts,
            columns: Columns::new(table, rows),
            unchecked: match refs.is_empty() {
                true => Vec::new(),
                false => Vec::with_capacity(rows),
            },
            refs,
            rejects: Vec::new(),
            first_rows: Vec::new(),
            flagged: Vec::new(),
            caused_by: BTreeMap::new(),
            incidents: table.name == "incidents",
            spare: Vec::new(),
        }
    }

    /// An empty vector for a row's values, on the room of the last row's.
    fn spare<'r>(&mut self) -> Vec<Value<'r>> {
        recycle(std::mem::take(&mut self.spare))
    }

    fn reject(&mut self, r: &Record, column: Option<&str>, reason: String) {
        self.reject_at(r.line, r.span, column, reason);
    }

    fn reject_at(&mut self, line: u64, span: (usize, usize), column: Option<&str>, reason: String) {
        self.rejects.push(Reject {
            line,
            column: column.map(str::to_string),
            reason,
            raw: raw_text(self.text, span, self.opts.max_raw_chars),
        });
    }

    /// Why a row naming `v` in column `name` (a key of `target`, not in
    /// `known`) is rejected; counted against the troubled file it likely
    /// belongs to.
    fn unknown_key(&mut self, name: &str, v: &str, known: &Known, target: &str) -> String {
        match &known.troubled {
            Some((file, what)) => {
                *self
                    .caused_by
                    .entry((target.to_string(), format!("{file} {what}")))
                    .or_default() += 1;
                format!(
                    "{name} '{v}' is not in {target}: {file} {what} in this run \
                     (fix it, ingest it again, then this file with --force)"
                )
            }
            None => format!("{name} '{v}' is not in {target} (neither stored nor in this run)"),
        }
    }

    /// A row that passed its own checks: stored, or rejected for a
    /// reference to a row that is neither stored nor in this run (the
    /// first rows at once, the others when the part is done).
    fn row(&mut self, r: &Record, mut values: Vec<Value>) {
        let check_now = self.first_rows.len() < FIRST_ROWS;
        if check_now {
            let bad = self.refs.iter().find_map(|&(i, name, known, target)| {
                values[i]
                    .as_text()
                    .filter(|v| !known.ids.contains(v))
                    .map(|v| (name, v.to_string(), known, target))
            });
            if let Some((name, v, known, target)) = bad {
                let reason = self.unknown_key(name, &v, known, target);
                self.reject(r, Some(name), reason);
                return;
            }
        } else if !self.refs.is_empty() {
            self.unchecked.push((r.line, r.span));
        }
        if self.incidents && values[0] == Value::Null {
            let sha = self.opts.sha256.get(..12).unwrap_or(self.opts.sha256);
            values[0] = Value::Text(format!("{sha}:{}", r.line).into());
        }
        if self.opts.flag.is_some_and(|f| f(&values)) {
            self.flagged.push(r.line);
        }
        if self.first_rows.len() < FIRST_ROWS {
            self.first_rows.push(
                self.table
                    .columns
                    .iter()
                    .zip(&values)
                    .map(|(c, v)| (c.name, v.to_string()))
                    .collect(),
            );
        }
        self.columns.push(&values);
        self.spare = recycle(values);
    }

    /// The references of the rows not checked yet, a column at a time:
    /// the rows naming a key not there become rejects (the first such
    /// column's reason, as row by row) and leave `frame`.
    fn check_unchecked(&mut self, frame: &mut DataFrame) {
        let from = frame.height() - self.unchecked.len();
        // The first column each row fails, by its place among the unchecked.
        let mut failed: Vec<Option<usize>> = vec![None; self.unchecked.len()];
        for (k, &(_, name, known, _)) in self.refs.iter().enumerate() {
            let column = text_column(frame, name);
            let keys: Vec<Option<&str>> = column
                .iter()
                .skip(from)
                .zip(&failed)
                .map(|(v, f)| v.filter(|_| f.is_none()))
                .collect();
            for at in known.ids.missing(&keys) {
                failed[at] = Some(k);
            }
        }
        if failed.iter().all(Option::is_none) {
            return;
        }
        let unchecked = std::mem::take(&mut self.unchecked);
        let mut out = Vec::new();
        for (at, k) in failed.iter().enumerate() {
            let Some(k) = *k else { continue };
            let (_, name, known, target) = self.refs[k];
            let v = text_column(frame, name)
                .get(from + at)
                .expect("a missing key is there")
                .to_string();
            let (line, span) = unchecked[at];
            let reason = self.unknown_key(name, &v, known, target);
            self.reject_at(line, span, Some(name), reason);
            out.push(line);
        }
        self.flagged.retain(|line| out.binary_search(line).is_err());
        self.rejects.sort_by_key(|r| r.line);
        let keep: BooleanChunked = (0..frame.height())
            .map(|row| row < from || failed[row - from].is_none())
            .collect();
        *frame = frame.filter(&keep).expect("a mask of the frame's height");
    }

    fn finish(mut self, out: &mut Parsed) {
        let mut frame = std::mem::replace(&mut self.columns, Columns::new(self.table, 0)).finish();
        if !self.unchecked.is_empty() {
            self.check_unchecked(&mut frame);
        }
        out.stored = frame.height() as u64;
        out.frame = (out.stored > 0).then_some(frame);
        out.rejects = self.rejects;
        out.first_rows = self.first_rows;
        out.flagged = self.flagged;
        out.caused_by = self.caused_by;
    }
}

/// A text column of a parsed frame.
fn text_column<'f>(frame: &'f DataFrame, name: &str) -> &'f polars::prelude::StringChunked {
    frame
        .column(name)
        .and_then(|c| c.str())
        .expect("a reference column of the table, as text")
}

/// The one message of a file whose required columns cannot be found: its
/// headers, the fields missing, the closest header for each and the
/// `[columns]` lines that would map them.
fn missing_columns_verdict(
    table: &TableSpec,
    headers: &[String],
    map: &[Option<usize>],
    missing: &[&str],
) -> String {
    let used: Vec<usize> = map.iter().flatten().copied().collect();
    let free: Vec<&String> = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !used.contains(i) && !h.trim().is_empty())
        .map(|(_, h)| h)
        .collect();
    let mut fixes = Vec::new();
    for m in missing {
        let c = table.column(m);
        let names: Vec<String> = std::iter::once(c.name)
            .chain(c.aliases.iter().copied())
            .map(normalise_header)
            .collect();
        let closest = free
            .iter()
            .map(|h| {
                let n = normalise_header(h);
                let score = names.iter().map(|a| common_run(&n, a)).max().unwrap_or(0);
                (score, *h)
            })
            .filter(|(score, _)| *score >= 2)
            .max_by_key(|(score, _)| *score);
        fixes.push(match closest {
            Some((_, h)) => format!("{m}: closest header '{h}' → [columns.{}] \"{h}\" = \"{m}\"", table.name),
            None => format!(
                "{m}: no header comes close → [columns.{}] \"<its header>\" = \"{m}\" (known names: {})",
                table.name,
                std::iter::once(c.name)
                    .chain(c.aliases.iter().copied())
                    .take(6)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    format!(
        "no column for the required field(s) {} of {}; its headers: {}. To map them, in xiaoneng.toml: {}",
        missing.join(", "),
        table.name,
        headers.join(", "),
        fixes.join("; ")
    )
}

/// The length in characters of the longest run two strings share.
fn common_run(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut best = 0;
    let mut prev = vec![0usize; b.len() + 1];
    for x in &a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            if x == y {
                cur[j + 1] = prev[j] + 1;
                best = best.max(cur[j + 1]);
            }
        }
        prev = cur;
    }
    best
}

type RowError = (Option<&'static str>, String);

/// The reason a cut-off last line is rejected.
const TRUNCATED: &str =
    "truncated: the file's last line has no line end and is cut off (an export still being written?)";

fn parse_record<'r, 'w: 'r>(
    table: &TableSpec,
    header: &Header,
    r: &'r Record,
    text: Chunk,
    opts: &ParseOptions<'w>,
    memo: &mut WordMemo<'w>,
    mut values: Vec<Value<'r>>,
) -> Result<Vec<Value<'r>>, RowError> {
    let (map, width) = (&header.map, header.width);
    let extra_all_empty = r.fields.iter().skip(width).all(|f| f.trim().is_empty());
    if r.fields.len() < width || (r.fields.len() > width && !extra_all_empty) {
        return Err((
            None,
            format!(
                "expected {width} fields, found {} (ragged row)",
                r.fields.len()
            ),
        ));
    }
    check_fields(r, text, opts)?;
    values.reserve(table.columns.len());
    for (k, ((c, m), words)) in table.columns.iter().zip(map).zip(&header.words).enumerate() {
        let raw = match m {
            Some(i) => r.field(*i),
            None => header.from_name[k].unwrap_or(""),
        };
        let word = if *words {
            memo.value(k, table.name, c.name, raw, opts.values)
        } else {
            None
        };
        let v = parse(word.unwrap_or(raw), c.ty).map_err(|e| {
            let words = super::vocab::built_in_words(table.name, c.name);
            let hint = if words.is_empty() {
                String::new()
            } else {
                format!(
                    "; words known: {} (add others under [values.{}.{}] in xiaoneng.toml)",
                    words.join(", "),
                    table.name,
                    c.name
                )
            };
            (Some(c.name), format!("{}: {e}{hint}", c.name))
        })?;
        if c.required && v == Value::Null {
            return Err((Some(c.name), format!("required field {} is empty", c.name)));
        }
        check_year(c.name, &v, opts.years)?;
        values.push(v);
    }
    // A column keeping the word of another (the class of a priority
    // ticket), when the file has no header of its own for it.
    for &(k, src) in &header.kept_words {
        let raw = map[src].map_or("", |i| r.field(i).trim());
        let plain_yes_no = parse(raw, super::table::ColType::Bool).is_ok();
        if values[src] == Value::Bool(true) && !plain_yes_no {
            values[k] = Value::Text(raw.into());
        }
    }
    header.checks.check(&mut values)?;
    Ok(values)
}

/// The words of a part's word columns as looked up, by cell: such a column
/// holds a few values (a level, a status), each looked up once.
struct WordMemo<'w> {
    seen: Vec<Vec<(Box<str>, Option<&'w str>)>>,
}

/// The cells [`WordMemo`] keeps of a column; others are looked up each time.
const MEMO_WORDS: usize = 32;

impl<'w> WordMemo<'w> {
    fn new(columns: usize) -> Self {
        WordMemo {
            seen: vec![Vec::new(); columns],
        }
    }

    /// [`word_value`] of a cell of column `k`.
    fn value(
        &mut self,
        k: usize,
        table: &str,
        column: &str,
        cell: &str,
        user: Option<&'w super::vocab::ColumnWords>,
    ) -> Option<&'w str> {
        let seen = &mut self.seen[k];
        // Compared byte by byte in place: words are a few bytes, and a
        // call to the C library's comparison for each took more of an
        // ingest's profile than the rest of the look-up.
        let same =
            |c: &str| c.len() == cell.len() && c.bytes().zip(cell.bytes()).all(|(a, b)| a == b);
        if let Some((_, v)) = seen.iter().find(|(c, _)| same(c)) {
            return *v;
        }
        let v = word_value(table, column, cell, user);
        if seen.len() < MEMO_WORDS {
            seen.push((cell.into(), v));
        }
        v
    }
}

/// The text of a part of a file, and whether it holds no NUL byte and no
/// byte its encoding could not read: then none of its records does, and
/// no record's text is looked through for them.
#[derive(Clone, Copy)]
struct Chunk<'t> {
    text: &'t str,
    clean: bool,
}

impl<'t> Chunk<'t> {
    fn of(text: &'t str) -> Chunk<'t> {
        Chunk {
            text,
            clean: !text.as_bytes().contains(&0) && !text.contains(DAMAGE),
        }
    }
}

/// Reject a record holding binary data, bytes the file's encoding cannot
/// read, or a field over the length limit. The first two are looked for
/// in the record's raw text at once (unless its part has none).
fn check_fields(r: &Record, text: Chunk, opts: &ParseOptions) -> Result<(), RowError> {
    let raw = match text.clean {
        true => "",
        false => text.text.get(r.span.0..r.span.1).unwrap_or(""),
    };
    if raw.as_bytes().contains(&0) {
        return Err((None, "binary data (NUL byte) in the row".into()));
    }
    if raw.contains(DAMAGE) {
        return Err((None, "bytes not valid in the file's encoding".into()));
    }
    if let Some(f) = r.fields.iter().find(|f| f.len() > opts.max_field_bytes) {
        return Err((
            None,
            format!(
                "a field of {} bytes, over the limit of {} (ingest.max_field_bytes)",
                f.len(),
                opts.max_field_bytes
            ),
        ));
    }
    Ok(())
}

/// Parse a ZKTeco `attlog.dat` into punches rows (staff_id, punched_at,
/// device_id); a large one in parts, one core each.
pub fn parse_attlog(table: &'static TableSpec, text: &str, opts: &ParseOptions) -> Parsed {
    debug_assert_eq!(table.name, "punches");
    let parts = records::parts(text, 0, b'\t', cores(), opts.part_bytes)
        .unwrap_or_else(|| vec![records::Part::whole(text)]);
    let done = in_parts(&parts, |part| {
        let chunk = &text[part.start..part.end];
        let mut out = Parsed::default();
        let mut sink = Sink::new(table, chunk, opts);
        let part_text = Chunk::of(chunk);
        records::each_attlog_in(text, part, |r| {
            out.read += 1;
            let values = sink.spare();
            match attlog_row(r, part_text, opts, values) {
                Ok(values) => sink.row(r, values),
                Err((column, reason)) => sink.reject(r, column, reason),
            }
        });
        sink.finish(&mut out);
        out
    });
    let mut out = Parsed::default();
    merge(&mut out, done);
    out
}

fn attlog_row<'r>(
    r: &'r Record,
    text: Chunk,
    opts: &ParseOptions,
    mut values: Vec<Value<'r>>,
) -> Result<Vec<Value<'r>>, RowError> {
    check_fields(r, text, opts)?;
    if r.truncated {
        return Err((None, TRUNCATED.to_string()));
    }
    if r.fields.len() < 2 {
        return Err((None, "expected PIN<TAB>date-time<TAB>device…".to_string()));
    }
    let pin = r.field(0).trim();
    if pin.is_empty() {
        return Err((
            Some("staff_id"),
            "required field staff_id (PIN) is empty".into(),
        ));
    }
    let at = parse(r.field(1), ColType::DateTime)
        .map_err(|e| (Some("punched_at"), format!("punched_at: {e}")))?;
    if at == Value::Null {
        return Err((
            Some("punched_at"),
            "required field punched_at is empty".into(),
        ));
    }
    check_year("punched_at", &at, opts.years)?;
    let device = parse(r.field(2).trim(), ColType::Text).unwrap_or(Value::Null);
    values.extend([Value::Text(pin.into()), at, device]);
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::super::table::table;
    use super::*;

    fn opts() -> ParseOptions<'static> {
        ParseOptions::plain(100, 200)
    }

    fn run(table_name: &str, text: &str) -> Parsed {
        let t = table(table_name).unwrap();
        parse_delimited(t, text, &opts())
    }

    /// Row `row` (of the first three stored), column `column`, as text.
    fn cell(p: &Parsed, row: usize, column: &str) -> String {
        let (_, v) = p.first_rows[row]
            .iter()
            .find(|(c, _)| *c == column)
            .expect("a column of the table");
        v.clone()
    }

    #[test]
    fn room_is_made_for_about_the_rows_of_a_text() {
        // 1 000 lines of 20 bytes: room for at least as many rows, not
        // ten times as many.
        let text = "W001,窗口一号,2025-01-01\n".repeat(1000);
        let rows = rows_about(&text);
        assert!((1000..=1200).contains(&rows), "{rows}");
        assert_eq!(rows_about(""), 16);
        // One line without an end: one row and the slack.
        assert_eq!(rows_about("a,b"), 1 + 16);
    }

    #[test]
    fn a_row_vector_is_emptied_and_used_again() {
        let mut v: Vec<Value> = Vec::with_capacity(13);
        v.push(Value::Text(String::from("owned").into()));
        v.push(Value::Int(7));
        let at = v.as_ptr() as usize;
        let again: Vec<Value<'static>> = recycle(v);
        assert!(again.is_empty());
        assert!(again.capacity() >= 13);
        assert_eq!(again.as_ptr() as usize, at);
    }

    #[test]
    fn chinese_headers_map_to_columns() {
        let p = run(
            "windows",
            "窗口编号,窗口名称,部门,备注\nW01,税务窗口,税务局,x\n",
        );
        assert_eq!(p.read, 1);
        assert_eq!(p.stored, 1);
        assert_eq!(cell(&p, 0, "window_id"), "W01");
        let frame = p.frame.as_ref().unwrap();
        assert_eq!(
            frame.column("name").unwrap().str().unwrap().get(0),
            Some("税务窗口")
        );
        assert!(p.notes.iter().any(|n| n.contains("备注")));
    }

    #[test]
    fn vendor_headers_map_and_a_file_without_a_required_column_fails_once() {
        let p = run(
            "items",
            "事项编码,事项名称,实施部门,法定时限（天）,承诺时限(工作日),申报材料(件),生效日期\nA1,登记,税务局,20,5,3,2026-01-01\n",
        );
        assert_eq!((p.stored, p.failed.clone()), (1, None), "{:?}", p.rejects);
        let p = run(
            "windows",
            "window_no,window_name,dept_name\nW01,税务,税务局\n",
        );
        assert_eq!(p.stored, 1, "{:?}", p.rejects);
        let p = run("windows", "WindowNo,Window Name,Department\nW01,a,b\n");
        assert_eq!(p.stored, 1, "{:?}", p.rejects);
        // A header the list does not know: one verdict with the fix.
        let p = run("windows", "窗口编号,窗口描述,部门\nW01,a,b\nW02,c,d\n");
        let verdict = p.failed.clone().unwrap();
        assert!(verdict.contains("name"), "{verdict}");
        assert!(
            verdict.contains(r#"[columns.windows] "窗口描述" = "name""#),
            "{verdict}"
        );
        assert_eq!((p.stored, p.rejects.len()), (0, 2));
        assert!(p.frame.is_none());
    }

    #[test]
    fn words_for_levels_priority_and_yes_no() {
        let p = run(
            "ratings",
            "评价编号,窗口编号,评价时间,评价结果\nR1,W01,2026-10-09 10:00,非常满意\nR2,W01,2026-10-09 11:00,很差劲\n",
        );
        assert_eq!(p.stored, 1);
        assert_eq!(cell(&p, 0, "level"), "5");
        assert!(
            p.rejects[0].reason.contains("[values.ratings.level]"),
            "{:?}",
            p.rejects
        );
        let p = run(
            "tickets",
            "票号,队列,取号时间,优先类型,状态\nT1,A,2026-10-09 09:00,老年人,已完成\nT2,A,2026-10-09 09:01,普通,过号\nT3,A,2026-10-09 09:02,√,\n",
        );
        let priority: Vec<String> = (0..3).map(|i| cell(&p, i, "priority")).collect();
        assert_eq!(priority, ["true", "false", "true"]);
        assert_eq!(cell(&p, 0, "status"), "完成");
    }

    #[test]
    fn a_columns_line_wins_over_a_built_in_name() {
        // 名称 is built in for windows.name; this center's 名称 is the department.
        let mut aliases = BTreeMap::new();
        aliases.insert("名称".to_string(), "department".to_string());
        let t = table("windows").unwrap();
        let text = "窗口编号,窗口名,名称\nW01,综合窗口,政务办\n";
        let o = ParseOptions {
            aliases: Some(&aliases),
            ..opts()
        };
        let p = parse_delimited(t, text, &o);
        assert_eq!(cell(&p, 0, "department"), "政务办", "{:?}", p.rejects);
    }

    #[test]
    fn user_alias_maps_a_header() {
        let mut aliases = BTreeMap::new();
        aliases.insert("柜台".to_string(), "window_id".to_string());
        let t = table("windows").unwrap();
        let text = "柜台,name,department\nW01,a,b\n";
        let o = ParseOptions {
            aliases: Some(&aliases),
            ..opts()
        };
        let p = parse_delimited(t, text, &o);
        assert_eq!(p.stored, 1);
    }

    #[test]
    fn dates_outside_the_calendar_years_are_rejected() {
        let years = [2025];
        let l = table("leaves").unwrap();
        let text = "staff_id,kind,start,end\n1,事假,2025-03-01 08:30,2025-03-01 12:00\n1,事假,2062-03-01 08:30,2062-03-01 12:00\n";
        let o = ParseOptions {
            years: &years,
            ..opts()
        };
        let p = parse_delimited(l, text, &o);
        assert_eq!((p.stored, p.rejects.len()), (1, 1));
        assert!(p.rejects[0].reason.contains("2062"), "{:?}", p.rejects);
        assert_eq!(p.rejects[0].column.as_deref(), Some("start"));
    }

    #[test]
    fn missing_required_column_rejects_every_row() {
        let p = run("windows", "window_id,name\nW01,a\nW02,b\n");
        assert_eq!(p.read, 2);
        assert_eq!(p.rejects.len(), 2);
        assert!(p.rejects[0].reason.contains("department"));
    }

    #[test]
    fn bad_rows_carry_line_column_reason_and_raw() {
        let text = "window_id,name,department\nW01,a,b\nW02,c\n,d,e\nW04,x,\"y\0\"\nW05,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,b\n";
        let p = run("windows", text);
        assert_eq!(p.read, 5);
        assert_eq!(p.stored, 1);
        let reasons: Vec<(u64, &str)> = p
            .rejects
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert!(reasons[0].1.contains("ragged"), "{reasons:?}");
        assert_eq!(reasons[0].0, 3);
        assert_eq!(p.rejects[0].raw, "W02,c");
        assert!(reasons[1].1.contains("required field window_id is empty"));
        assert_eq!(p.rejects[1].column.as_deref(), Some("window_id"));
        assert!(reasons[2].1.contains("NUL"));
        assert!(reasons[3].1.contains("over the limit"));
    }

    #[test]
    fn rows_after_the_header_keep_their_lines_on_every_line_end() {
        for end in ["\n", "\r\n", "\r"] {
            let text = format!("window_id,name,department{end}W01,a,b{end}W02,c{end}W03,d,e{end}");
            let p = run("windows", &text);
            assert_eq!((p.read, p.stored), (3, 2), "{end:?}");
            assert_eq!(
                (p.rejects[0].line, p.rejects[0].raw.as_str()),
                (3, "W02,c"),
                "{end:?}"
            );
        }
        // A header whose quoted name holds a line end: the rows after it
        // count from the line after.
        let p = run(
            "windows",
            "window_id,\"name\n(窗口名称)\",department\nW01,a,b\nW02\n",
        );
        assert_eq!((p.read, p.stored), (2, 1), "{:?}", p.rejects);
        assert_eq!(p.rejects[0].line, 4);
        // Only a header, or nothing.
        assert_eq!(run("windows", "window_id,name,department").read, 0);
        assert!(run("windows", "").notes[0].contains("empty file"));
    }

    #[test]
    fn a_file_read_in_parts_gives_what_it_gives_whole() {
        let t = table("cases").unwrap();
        let mut text = String::from("case_id,item_code,window_id,accepted_at,completed_at\n");
        for i in 0..300 {
            text += &match i % 50 {
                // A NUL byte and a byte the encoding could not read, each
                // in one part: the other parts are clean.
                _ if i == 123 => format!("C{i},I01,W0\0,2025-10-08 09:00,\n"),
                _ if i == 250 => format!("C{i},I01,W\u{FFFD}1,2025-10-08 09:00,\n"),
                7 => format!("C{i},I01,W01,2025-10-08 09:00,2025-10-07 09:00\n"),
                8 => format!("C{i},I01\n"),
                9 => ",I01,W01,2025-10-08 09:00,\n".to_string(),
                _ => format!("C{i},I01,W0{},2025-10-08 09:{:02},\n", i % 3, i % 60),
            };
        }
        let whole = parse_delimited(
            t,
            &text,
            &ParseOptions {
                part_bytes: usize::MAX,
                ..opts()
            },
        );
        let parted = parse_delimited(
            t,
            &text,
            &ParseOptions {
                part_bytes: 500,
                ..opts()
            },
        );
        assert_eq!((whole.read, whole.stored), (300, 280));
        assert_eq!((parted.read, parted.stored), (whole.read, whole.stored));
        assert_eq!(parted.rejects, whole.rejects);
        assert_eq!(parted.first_rows, whole.first_rows);
        assert_eq!(parted.mapping, whole.mapping);
        let (a, b) = (whole.frame.unwrap(), parted.frame.unwrap());
        assert!(a.equals_missing(&b), "{a}\n{b}");
        assert_eq!(whole.rejects[0].line, 9);
        let reason = |line: u64| {
            let r = parted.rejects.iter().find(|r| r.line == line);
            r.map(|r| r.reason.clone()).unwrap_or_default()
        };
        assert!(reason(125).contains("NUL"), "{:?}", parted.rejects);
        assert!(reason(252).contains("not valid in the file's encoding"));
    }

    #[test]
    fn rows_naming_unknown_keys_are_rejected_first_rows_at_once_the_rest_by_column() {
        let t = table("ratings").unwrap();
        let keys = |ids: &[&str], troubled: Option<&str>| Known {
            ids: ids.iter().map(|s| s.to_string()).collect(),
            troubled: troubled.map(|f| (f.to_string(), "rejected rows")),
        };
        let known = BTreeMap::from([
            ("cases", keys(&["C1", "C2"], None)),
            ("windows", keys(&["W01", "W02"], Some("windows.csv"))),
            ("staff", keys(&["S1"], None)),
        ]);
        let mut text = String::from("rating_id,case_id,window_id,staff_id,rated_at,level\n");
        for row in [
            "R1,C1,W01,S1,2025-10-08 09:00,5", // line 2
            "R2,C9,W01,,2025-10-08 09:00,5",   // 3: no case C9 (checked at once)
            "R3,C1,W02,,2025-10-08 09:00,4",
            "R4,C2,W01,S1,2025-10-08 09:00,5", // 5: the third stored row
            "R5,C9,W09,S1,2025-10-08 09:00,5", // 6: case and window unknown: the case named
            "R6,C1,W09,S9,2025-10-08 09:00,5", // 7: the window, of a troubled file
            "R7,C2,W02,S9,2025-10-08 09:00,5", // 8: the staff member
            "R8,C1,W01,S1,2025-10-08 09:00,x", // 9: its own error
            "R9,,W01,,2025-10-08 09:00,1",     // 10: no case named: stored
            "R10,C1,W02,S1,2025-10-08 09:00,2",
        ] {
            text += row;
            text += "\n";
        }
        let parse = |part_bytes| {
            parse_delimited(
                t,
                &text,
                &ParseOptions {
                    known: Some(&known),
                    part_bytes,
                    ..opts()
                },
            )
        };
        let p = parse(usize::MAX);
        assert_eq!((p.read, p.stored), (10, 5));
        let lines: Vec<(u64, Option<&str>)> = p
            .rejects
            .iter()
            .map(|r| (r.line, r.column.as_deref()))
            .collect();
        assert_eq!(
            lines,
            [
                (3, Some("case_id")),
                (6, Some("case_id")),
                (7, Some("window_id")),
                (8, Some("staff_id")),
                (9, Some("level"))
            ]
        );
        assert_eq!(
            p.rejects[1].reason,
            "case_id 'C9' is not in cases (neither stored nor in this run)"
        );
        assert!(p.rejects[2].reason.starts_with(
            "window_id 'W09' is not in windows: windows.csv rejected rows in this run"
        ));
        assert_eq!(p.rejects[2].raw, "R6,C1,W09,S9,2025-10-08 09:00,5");
        assert_eq!(
            p.caused_by,
            BTreeMap::from([(
                (
                    "windows".to_string(),
                    "windows.csv rejected rows".to_string()
                ),
                1
            )])
        );
        let ids = p
            .frame
            .as_ref()
            .unwrap()
            .column("rating_id")
            .unwrap()
            .str()
            .unwrap()
            .clone();
        let ids: Vec<&str> = ids.iter().flatten().collect();
        assert_eq!(ids, ["R1", "R3", "R4", "R9", "R10"]);
        assert_eq!(cell(&p, 2, "rating_id"), "R4");
        // Read in parts, the same.
        let parted = parse(100);
        assert_eq!(parted.rejects, p.rejects);
        assert_eq!(parted.first_rows, p.first_rows);
        assert_eq!(parted.caused_by, p.caused_by);
        assert!(parted
            .frame
            .unwrap()
            .equals_missing(p.frame.as_ref().unwrap()));
    }

    #[test]
    fn attlog_rows_and_garbled_lines() {
        let t = table("punches").unwrap();
        let text =
            "     1001\t2026-10-08 08:21:03\t1\t0\t1\t0\n     1002\t2026-1x-08 08:25\t1\t0\t1\t0\n";
        let p = parse_attlog(t, text, &opts());
        assert_eq!((p.read, p.stored, p.rejects.len()), (2, 1, 1));
        assert_eq!(cell(&p, 0, "staff_id"), "1001");
        assert_eq!(p.rejects[0].column.as_deref(), Some("punched_at"));
        assert_eq!(p.rejects[0].line, 2);
    }
}
