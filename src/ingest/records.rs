//! Text to records: CSV (comma or tab, sniffed from the header) and the
//! ZKTeco `attlog.dat` layout. Each record keeps its line number and the
//! span of its raw text, so a rejected row can be shown as it was.

/// One record of a file. A reader streams records through one or two of
/// these, reusing their buffers: a file's records are never all held.
#[derive(Debug, Clone, Default)]
pub struct Record<'t> {
    /// 1-based line on which the record starts.
    pub line: u64,
    pub fields: Fields<'t>,
    /// Byte span of the raw record in the decoded text.
    pub span: (usize, usize),
    /// The last record of a file that ends without a line end and looks
    /// cut off (fewer fields than the record before it, or a time cut
    /// mid-number such as `17:0`): it is rejected, never completed.
    pub truncated: bool,
}

impl Record<'_> {
    /// The record's place: its first line and its bytes' span (its fields
    /// set already), not cut off.
    fn place(&mut self, line: u64, span: (usize, usize)) {
        self.line = line;
        self.span = span;
        self.truncated = false;
    }

    /// Field `i`, or "" past the record's end.
    pub fn field(&self, i: usize) -> &str {
        self.fields.get(i).unwrap_or("")
    }
}

/// A record's fields: a line's cells as slices of the text read (a line
/// without quotes: nothing copied), or the cells the CSV reader unquoted
/// (a record with quotes).
#[derive(Debug, Clone, Default)]
pub struct Fields<'t> {
    cells: Vec<&'t str>,
    quoted: bool,
    unquoted: csv::StringRecord,
}

impl<'t> Fields<'t> {
    #[inline]
    pub fn len(&self) -> usize {
        match self.quoted {
            true => self.unquoted.len(),
            false => self.cells.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&str> {
        match self.quoted {
            true => self.unquoted.get(i),
            false => self.cells.get(i).copied(),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i).expect("a field within the record"))
    }

    /// No fields yet: the cells of a line follow ([`Fields::push`]).
    fn start(&mut self) {
        self.cells.clear();
        self.quoted = false;
    }

    fn push(&mut self, cell: &'t str) {
        self.cells.push(cell);
    }

    /// The next record of `reader` (one with quotes); `false` at the end
    /// or on an error.
    fn read<R: std::io::Read>(&mut self, reader: &mut csv::Reader<R>) -> bool {
        self.quoted = true;
        matches!(reader.read_record(&mut self.unquoted), Ok(true))
    }
}

impl<T: AsRef<str>> PartialEq<Vec<T>> for Fields<'_> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

/// Counts lines as a reader moves forward: a line ends at `\n`, at `\r\n`
/// or at a `\r` alone (old Mac files), so every kind counts one line.
struct Lines<'t> {
    bytes: &'t [u8],
    at: usize,
    line: u64,
}

impl<'t> Lines<'t> {
    /// Lines of `text`, whose first line is line `first`.
    fn new(text: &'t str, first: u64) -> Self {
        Lines {
            bytes: text.as_bytes(),
            at: 0,
            line: first,
        }
    }

    /// The 1-based line of byte `to` (never before the last asked).
    fn line_of(&mut self, to: usize) -> u64 {
        let to = to.min(self.bytes.len());
        let span = self.bytes.get(self.at..to).unwrap_or_default();
        if memchr::memchr(b'\r', span).is_none() {
            // Lines ending in `\n` alone (most exports): counted at once.
            self.line += memchr::memchr_iter(b'\n', span).count() as u64;
        } else {
            for i in self.at..to {
                match self.bytes[i] {
                    b'\n' => self.line += 1,
                    b'\r' if self.bytes.get(i + 1) != Some(&b'\n') => self.line += 1,
                    _ => {}
                }
            }
        }
        self.at = self.at.max(to);
        self.line
    }
}

/// Where a part of a file starts and what a reader of it must know of the
/// text before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// Byte range of the part in the file's text.
    pub start: usize,
    pub end: usize,
    /// The line the part starts on.
    pub first_line: u64,
    /// Fields of the last record before the part (for the truncation check).
    pub before: Option<usize>,
    /// The part ends the file.
    pub last: bool,
}

impl Part {
    /// A whole text, from its first line.
    pub fn whole(text: &str) -> Part {
        Part {
            start: 0,
            end: text.len(),
            first_line: 1,
            before: None,
            last: true,
        }
    }

    /// The rest of a text from byte `from`, after a record of `before`
    /// fields.
    pub fn rest(text: &str, from: usize, before: usize) -> Part {
        Part {
            start: from,
            end: text.len(),
            first_line: 1 + breaks(&text.as_bytes()[..from]),
            before: Some(before),
            last: true,
        }
    }
}

/// The first record of a delimited file (its header) and the byte after
/// it, past its line end; `None` for a file without one.
pub fn header(text: &str, delimiter: u8) -> Option<(Record<'static>, usize)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut record = Record::default();
    if !record.fields.read(&mut reader) {
        return None;
    }
    let bytes = text.as_bytes();
    let mut end = (reader.position().byte() as usize).min(bytes.len());
    // The reader may stop between the `\r` and `\n` of a CRLF.
    if end > 0 && bytes[end - 1] == b'\r' && bytes.get(end) == Some(&b'\n') {
        end += 1;
    }
    let start = bytes[..end]
        .iter()
        .position(|b| !matches!(b, b'\r' | b'\n'))
        .unwrap_or(0);
    record.line = 1 + breaks(&bytes[..start]);
    record.span = (start, end);
    Some((record, end))
}

/// The comma or the tab, whichever the first line has more of.
pub fn delimiter(text: &str) -> u8 {
    let first_line = text.lines().next().unwrap_or("");
    if first_line.matches('\t').count() > first_line.matches(',').count() {
        b'\t'
    } else {
        b','
    }
}

/// How many bytes of `bytes` are `c`: counted in runs of 255 in byte-wide
/// lanes, which the compiler turns into wide vector code.
fn count_byte(bytes: &[u8], c: u8) -> usize {
    bytes
        .chunks(255)
        .map(|run| usize::from(run.iter().map(|&b| u8::from(b == c)).sum::<u8>()))
        .sum()
}

/// Line breaks in `bytes`: `\n`, `\r\n` and a `\r` alone each count one.
fn breaks(bytes: &[u8]) -> u64 {
    let lf = count_byte(bytes, b'\n');
    let cr = count_byte(bytes, b'\r');
    let crlf = if cr == 0 {
        0
    } else {
        let next = bytes.get(1..).unwrap_or_default();
        bytes
            .chunks(255)
            .zip(next.chunks(255))
            .map(|(a, b)| {
                let pairs = a
                    .iter()
                    .zip(b)
                    .map(|(&x, &y)| u8::from(x == b'\r' && y == b'\n'));
                usize::from(pairs.sum::<u8>())
            })
            .sum()
    };
    (lf + cr - crlf) as u64
}

/// Cut `text[from..]` into up to `n` parts at line ends, for readers on
/// several cores: only a text without quotes (so that no record spans a
/// line end) and only parts of at least `min_bytes`. `None` when it is not
/// worth it or not safe: then one reader reads it whole.
pub fn parts(
    text: &str,
    from: usize,
    delimiter: u8,
    n: usize,
    min_bytes: usize,
) -> Option<Vec<Part>> {
    let bytes = text.as_bytes();
    let body = bytes.len().saturating_sub(from);
    let n = n.min(body / min_bytes.max(1));
    if n < 2 || memchr::memchr(b'"', bytes).is_some() {
        return None;
    }
    let mut cuts = vec![from];
    for k in 1..n {
        let target = from + body * k / n;
        let Some(at) = bytes[target..].iter().position(|&b| b == b'\n') else {
            break;
        };
        let cut = target + at + 1;
        if cut > *cuts.last().expect("a cut") && cut < bytes.len() {
            cuts.push(cut);
        }
    }
    cuts.push(bytes.len());
    if cuts.len() < 3 {
        return None;
    }
    let mut line = 1 + breaks(&bytes[..from]);
    let mut out = Vec::new();
    for w in cuts.windows(2) {
        let (start, end) = (w[0], w[1]);
        // The fields of the last non-blank line before the part.
        let before = text[..start]
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.bytes().filter(|&b| b == delimiter).count() + 1);
        out.push(Part {
            start,
            end,
            first_line: line,
            before,
            last: end == bytes.len(),
        });
        line += breaks(&bytes[start..end]);
    }
    Some(out)
}

/// Hand each record to `f` in order, one behind the reader, so that the
/// last one of a file can be marked truncated when the text has no final
/// line end and the record looks cut off.
fn stream<'t>(
    text: &str,
    part: Part,
    mut next: impl FnMut(&mut Record<'t>) -> bool,
    mut f: impl FnMut(&Record<'t>),
) {
    let (mut held, mut cur) = (Record::default(), Record::default());
    let (mut have, mut before) = (false, part.before);
    while next(&mut cur) {
        if have {
            f(&held);
            before = Some(held.fields.len());
        }
        std::mem::swap(&mut held, &mut cur);
        have = true;
    }
    if !have {
        return;
    }
    if let (true, false, Some(n)) = (part.last, text.ends_with(['\n', '\r']), before) {
        held.truncated =
            held.fields.len() < n || held.fields.iter().any(|f| cut_off_time(f.trim()));
    }
    f(&held);
}

/// A date-time whose last time component has one digit (`17:0`).
fn cut_off_time(f: &str) -> bool {
    let Some(i) = f.rfind(':') else {
        return false;
    };
    let has_date = f[..i].contains(['-', '/', '年']);
    let tail = &f[i + 1..];
    has_date && tail.len() == 1 && tail.chars().all(|c| c.is_ascii_digit())
}

/// Hand each record of a delimited file to `f`, the header (when there is
/// one) first. The delimiter, comma or tab, is sniffed from the first line.
pub fn each_delimited<'t>(text: &'t str, f: impl FnMut(&Record<'t>)) {
    each_delimited_in(text, Part::whole(text), delimiter(text), f);
}

/// Hand each record of one part of a delimited file to `f` (spans are
/// within the part).
pub fn each_delimited_in<'t>(text: &'t str, part: Part, delimiter: u8, f: impl FnMut(&Record<'t>)) {
    let text = &text[part.start..part.end];
    if memchr::memchr(b'"', text.as_bytes()).is_none() {
        return each_unquoted(text, part, delimiter, f);
    }
    each_mixed(text, part, delimiter, f)
}

/// [`each_delimited_in`] of a part with quotes: a record whose first
/// line has a quote is the CSV reader's (its quoted fields may hold
/// delimiters, doubled quotes and line ends), every other one a line cut
/// at the delimiter as in [`each_unquoted`]. The lines a quoted field
/// spans are read with its record, never as records of their own. A
/// city's rating exports have a quote on one line in a hundred: read
/// whole by the reader, they took half again the time a byte of the
/// unquoted cases did.
fn each_mixed<'t>(text: &'t str, part: Part, delimiter: u8, f: impl FnMut(&Record<'t>)) {
    let bytes = text.as_bytes();
    let mut at = 0usize;
    let mut lines = Lines::new(text, part.first_line);
    // One reader for the part (building one makes its state machine),
    // moved to each quoted record.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(4096)
        .from_reader(std::io::Cursor::new(bytes));
    let next = |r: &mut Record<'t>| loop {
        if at >= bytes.len() {
            return false;
        }
        let start = at;
        let (end, after) = line_at(bytes, start);
        if memchr::memchr(b'"', &bytes[start..end]).is_some() {
            let mut from = csv::Position::new();
            from.set_byte(start as u64);
            // Valid UTF-8 split at ASCII bytes: the reader never fails;
            // keep the records read so far if it ever does.
            if reader.seek(from).is_err() || !r.fields.read(&mut reader) {
                return false;
            }
            at = (reader.position().byte() as usize).clamp(start + 1, bytes.len());
        } else {
            at = after;
            if end == start {
                continue;
            }
            cut_line(text, start..end, delimiter, &mut r.fields);
        }
        r.place(lines.line_of(start), (start, at));
        return true;
    };
    stream(text, part, next, f);
}

/// A part read by the CSV reader alone: what [`each_mixed`] must read
/// the same (the tests compare them).
#[cfg(test)]
fn each_quoted<'t>(text: &'t str, part: Part, delimiter: u8, f: impl FnMut(&Record<'t>)) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut lines = Lines::new(text, part.first_line);
    let next = |r: &mut Record<'t>| {
        let mut start = reader.position().byte() as usize;
        // The text is valid UTF-8 and the reader splits at ASCII bytes, so
        // it never fails; keep the records read so far if it ever does.
        if !r.fields.read(&mut reader) {
            return false;
        }
        let end = (reader.position().byte() as usize).min(text.len());
        // The reader may stop between the `\r` and `\n` of a CRLF: the
        // record starts after any line-end bytes.
        while start < end && matches!(text.as_bytes()[start], b'\r' | b'\n') {
            start += 1;
        }
        r.place(lines.line_of(start), (start, end));
        true
    };
    stream(text, part, next, f);
}

/// The line of `bytes` that begins at `start`: where it ends (before its
/// `\n`, `\r\n` or `\r`, searched a vector of bytes at a time) and
/// where the next begins.
fn line_at(bytes: &[u8], start: usize) -> (usize, usize) {
    let end = start + memchr::memchr2(b'\n', b'\r', &bytes[start..]).unwrap_or(bytes.len() - start);
    let next = match bytes.get(end) {
        Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
        Some(_) => end + 1,
        None => end,
    };
    (end, next)
}

/// `fields` made the line `text[line]` cut at every `delimiter`.
fn cut_line<'t>(
    text: &'t str,
    line: std::ops::Range<usize>,
    delimiter: u8,
    fields: &mut Fields<'t>,
) {
    let mut field = line.start;
    fields.start();
    for cut in memchr::memchr_iter(delimiter, &text.as_bytes()[line.clone()]) {
        fields.push(&text[field..line.start + cut]);
        field = line.start + cut + 1;
    }
    fields.push(&text[field..line.end]);
}

/// [`each_delimited_in`] of a part without quotes (most exports): a
/// record is a line cut at the delimiter, as the CSV reader reads it (a
/// line ends at `\n`, `\r\n` or `\r`; an empty line is no record), with
/// no state machine and no second UTF-8 check of text already decoded.
fn each_unquoted<'t>(text: &'t str, part: Part, delimiter: u8, f: impl FnMut(&Record<'t>)) {
    let bytes = text.as_bytes();
    let (mut at, mut line) = (0usize, part.first_line);
    let next = |r: &mut Record<'t>| loop {
        if at >= bytes.len() {
            return false;
        }
        let start = at;
        let (end, next) = line_at(bytes, start);
        at = next;
        let this_line = line;
        line += u64::from(at > end);
        if end == start {
            continue;
        }
        cut_line(text, start..end, delimiter, &mut r.fields);
        r.place(this_line, (start, at));
        return true;
    };
    stream(text, part, next, f);
}

/// The records of a delimited file, all at once (for small files and tests).
pub fn read_delimited(text: &str) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    each_delimited(text, |r| out.push(r.clone()));
    out
}

/// The raw text of a record, without its line ending, cut to `max` chars.
pub fn raw_text(text: &str, span: (usize, usize), max: usize) -> String {
    let (start, end) = span;
    let raw = text
        .get(start..end)
        .unwrap_or("")
        .trim_matches(['\r', '\n']);
    if raw.chars().count() > max {
        let cut: String = raw.chars().take(max).collect();
        format!("{cut}… ({} bytes in all)", raw.len())
    } else {
        raw.to_string()
    }
}

/// Hand each record of a ZKTeco `attlog.dat` to `f`: one punch a line,
/// tab-separated, no header. Blank lines are skipped.
pub fn each_attlog<'t>(text: &'t str, f: impl FnMut(&Record<'t>)) {
    each_attlog_in(text, Part::whole(text), f);
}

/// Hand each record of one part of an `attlog.dat` to `f` (spans are
/// within the part).
pub fn each_attlog_in<'t>(text: &'t str, part: Part, f: impl FnMut(&Record<'t>)) {
    let text = &text[part.start..part.end];
    let bytes = text.as_bytes();
    let (mut at, mut line) = (0usize, part.first_line - 1);
    let next = |r: &mut Record<'t>| loop {
        if at >= bytes.len() {
            return false;
        }
        let start = at;
        let end;
        (end, at) = line_at(bytes, start);
        let body = &text[start..end];
        line += 1;
        if body.trim().is_empty() {
            continue;
        }
        r.fields.start();
        for field in body.split('\t') {
            r.fields.push(field);
        }
        r.place(line, (start, at));
        return true;
    };
    stream(text, part, next, f);
}

/// The records of an `attlog.dat`, all at once (for tests).
pub fn read_attlog(text: &str) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    each_attlog(text, |r| out.push(r.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_spans_survive_quotes() {
        let text = "a,b\n1,\"x\ny\"\n2,z\n";
        let recs = read_delimited(text);
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].line, 2);
        assert_eq!(recs[1].fields, vec!["1", "x\ny"]);
        assert_eq!(recs[2].line, 4);
        assert_eq!(raw_text(text, recs[2].span, 100), "2,z");
    }

    /// Records of a part as the CSV reader reads them, for comparison.
    fn by_the_csv_reader(text: &str, delimiter: u8) -> Vec<Record<'_>> {
        let mut out = Vec::new();
        each_quoted(text, Part::whole(text), delimiter, |r| out.push(r.clone()));
        out
    }

    #[test]
    fn a_part_without_quotes_is_read_as_the_csv_reader_reads_it() {
        let texts = [
            "a,b\n1,2\n",
            "a,b\r\n1,2\r\n\r\n3,4",
            "a,b\r1,2\r\r3,\n",
            "a,b\n\n\n1,2\n  \n,\n,,,\n4,5,6,7\n8",
            "x\ty\n1\t\t2\n\r\n3\t17:0",
            "名称,日期\n窗口一,2026-10-08 08:21:03\n窗口二,2026-10-08 17:0",
            "\n\r\n1,2",
            "1,2,3\n4,5",
            "",
            "\n",
            "a",
        ];
        reads_as_the_csv_reader(&texts, |text, delimiter| {
            let mut fast = Vec::new();
            each_unquoted(text, Part::whole(text), delimiter, |r| fast.push(r.clone()));
            fast
        });
    }

    /// Each text, comma or tab separated, read by `read` into the records
    /// the CSV reader alone reads: line, fields, raw text and truncation.
    fn reads_as_the_csv_reader(texts: &[&str], read: impl Fn(&str, u8) -> Vec<Record>) {
        for text in texts {
            for delimiter in [b',', b'\t'] {
                let shown = |recs: &[Record]| -> Vec<(u64, Vec<String>, String, bool)> {
                    recs.iter()
                        .map(|r| {
                            (
                                r.line,
                                r.fields.iter().map(str::to_string).collect(),
                                raw_text(text, r.span, 100),
                                r.truncated,
                            )
                        })
                        .collect()
                };
                let expected = by_the_csv_reader(text, delimiter);
                assert_eq!(shown(&read(text, delimiter)), shown(&expected), "{text:?}");
            }
        }
    }

    #[test]
    fn a_part_with_quotes_is_read_as_the_csv_reader_reads_it() {
        let texts = [
            "a,b\n1,\"x,y\"\n2,z\n",
            "a,b\r\n1,\"x\r\nw\"\r\n\r\n2,\"y\"\"q\"\r\n3,z",
            "a,b\r1,\"x\ry\"\r\r3,\n",
            "a,b\n\n1,\"\"\n\"\",2\n,\"\"\n\"a\nb\nc\",d,e\n4,5",
            "x\ty\n1\t\"a\tb\"\n\r\n3\t17:0",
            "名称,日期\n\"窗口,一\",2026-10-08 08:21:03\n窗口二,2026-10-08 17:0",
            "1,ab\"c,2\n3,4\n5,\"6\"7,8\n",
            "\"only\"",
            "a,b\n1,\"open to the end\n2,3\n",
            "\n\r\n\"1\",2\n\n",
            "a,b\n1,2\n3,\"2025-10-31 17:0\"",
        ];
        reads_as_the_csv_reader(&texts, |text, delimiter| {
            let mut mixed = Vec::new();
            each_mixed(text, Part::whole(text), delimiter, |r| {
                mixed.push(r.clone())
            });
            mixed
        });
    }

    #[test]
    fn tab_separated_is_sniffed() {
        let recs = read_delimited("a\tb\n1\t2\n");
        assert_eq!(recs[1].fields, vec!["1", "2"]);
    }

    #[test]
    fn attlog_lines() {
        let text = "     1001\t2026-10-08 08:21:03\t1\t0\t1\t0\n\n     1002\t2026-10-08 08:25:00\t1\t0\t1\t0\n";
        let recs = read_attlog(text);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1].line, 3);
        assert_eq!(recs[0].field(0).trim(), "1001");
    }

    #[test]
    fn lines_and_raw_text_on_every_line_end() {
        for (end, name) in [("\n", "LF"), ("\r\n", "CRLF"), ("\r", "CR")] {
            let text = format!("a,b{end}1,x{end}2,y{end}3,z{end}");
            let recs = read_delimited(&text);
            let lines: Vec<u64> = recs.iter().map(|r| r.line).collect();
            assert_eq!(lines, [1, 2, 3, 4], "{name}");
            assert_eq!(raw_text(&text, recs[2].span, 100), "2,y", "{name}");
            // With quotes (the CSV reader; its lines counted apart).
            let quoted = format!("a,b{end}1,\"x{end}w\"{end}2,\"y\"{end}3,z{end}");
            let recs = read_delimited(&quoted);
            let lines: Vec<u64> = recs.iter().map(|r| r.line).collect();
            assert_eq!(lines, [1, 2, 4, 5], "{name}");
            assert_eq!(raw_text(&quoted, recs[3].span, 100), "3,z", "{name}");
            let log = format!("1001\t2026-10-08 08:21:03{end}1002\t2026-10-08 08:25:00{end}");
            let recs = read_attlog(&log);
            assert_eq!(recs[1].line, 2, "{name}");
            assert_eq!(
                raw_text(&log, recs[1].span, 100),
                "1002\t2026-10-08 08:25:00"
            );
        }
        // Mixed line ends.
        let text = "a,b\r\n1,x\n2,y\r3,z\r\n";
        let lines: Vec<u64> = read_delimited(text).iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 2, 3, 4]);
    }

    #[test]
    fn a_last_line_cut_off_is_truncated() {
        let log = "  1017\t2025-10-31 08:01:02\t1\t0\t1\t0\r\n  1017\t2025-10-31 17:0";
        let recs = read_attlog(log);
        assert!(!recs[0].truncated && recs[1].truncated);
        // A complete last line without a line end is fine.
        let recs = read_attlog("1\t2025-10-31 08:01:02\t1\n2\t2025-10-31 17:00:00\t1");
        assert!(!recs[1].truncated);
        let recs = read_delimited("id,at\n1,2025-10-31 08:00\n2,2025-10-31 17:0");
        assert!(recs[2].truncated);
        let recs = read_delimited("id,at,x\n1,2025-10-31 08:00,a\n2,2025-10-31");
        assert!(recs[2].truncated);
    }

    /// Every record of `text` read in `parts` (or whole): line, fields,
    /// raw text and whether it is truncated.
    fn read_all(text: &str, parts: &[Part], attlog: bool) -> Vec<(u64, Vec<String>, String, bool)> {
        let mut out = Vec::new();
        for &p in parts {
            let chunk = &text[p.start..p.end];
            let mut each = |r: &Record| {
                out.push((
                    r.line,
                    r.fields.iter().map(str::to_string).collect(),
                    raw_text(chunk, r.span, 100),
                    r.truncated,
                ))
            };
            if attlog {
                each_attlog_in(text, p, &mut each);
            } else {
                each_delimited_in(text, p, b',', &mut each);
            }
        }
        out
    }

    #[test]
    fn parts_read_as_the_whole_does() {
        let mut text = String::from("id,at,x\n");
        for i in 0..400 {
            let end = if i % 7 == 0 { "\r\n" } else { "\n" };
            text += &format!(
                "{i},2025-10-31 08:{:02},{}{end}",
                i % 60,
                "y".repeat(i % 13)
            );
            if i == 200 {
                text += "\n";
            }
        }
        // The last line cut off: only the last part may say so.
        text += "400,2025-10-31 17:0";
        let from = text.find('\n').unwrap() + 1;
        let parts = parts(&text, from, b',', 5, 100).unwrap();
        assert_eq!(parts.len(), 5);
        assert_eq!(parts[0].start, from);
        assert!(parts.iter().filter(|p| p.last).count() == 1 && parts[4].last);
        let whole = read_all(&text, &[Part::whole(&text)], false);
        assert_eq!(read_all(&text, &parts, false), whole[1..]);
        assert!(whole.last().unwrap().3, "the cut-off line is truncated");
        // Quotes may hold line ends: such a file is read whole.
        let quoted = format!("{text}\n401,\"a\nb\",x\n");
        assert!(super::parts(&quoted, from, b',', 5, 100).is_none());
        // Too small to be worth it.
        assert!(super::parts(&text, from, b',', 5, text.len()).is_none());

        let mut log = String::new();
        for i in 0..300 {
            log += &format!("  {}\t2025-10-31 08:{:02}:00\t1\t0\r\n", 1000 + i, i % 60);
            if i % 50 == 0 {
                log += "\r\n";
            }
        }
        log += "  1300\t2025-10-31 17:0";
        let parts = super::parts(&log, 0, b'\t', 3, 100).unwrap();
        assert_eq!(parts.len(), 3);
        let whole = read_all(&log, &[Part::whole(&log)], true);
        assert_eq!(read_all(&log, &parts, true), whole);
        assert!(whole.last().unwrap().3);
    }

    #[test]
    fn line_breaks_are_counted_as_the_reader_counts_them() {
        // Every mix of line ends, across the runs of 255 the count works in.
        let mut bytes = Vec::new();
        let mut x = 7u32;
        for _ in 0..3000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            bytes.push([b'a', b'\r', b'\n', b',', b'\r'][(x >> 16) as usize % 5]);
        }
        let naive = |b: &[u8]| -> u64 {
            (0..b.len())
                .filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')))
                .count() as u64
        };
        for cut in [0, 1, 254, 255, 256, 511, 2999, 3000] {
            assert_eq!(breaks(&bytes[..cut]), naive(&bytes[..cut]), "{cut}");
            assert_eq!(breaks(&bytes[cut..]), naive(&bytes[cut..]), "{cut}");
        }
        assert_eq!(count_byte(&[b'\n'; 1000], b'\n'), 1000);
    }

    #[test]
    fn long_raw_is_cut() {
        let text = "x".repeat(50);
        assert!(raw_text(&text, (0, 50), 10).starts_with("xxxxxxxxxx…"));
    }
}
