//! Text to records: CSV (comma or tab, sniffed from the header) and the
//! ZKTeco `attlog.dat` layout. Each record keeps its line number and the
//! span of its raw text, so a rejected row can be shown as it was.

/// One record of a file.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line on which the record starts.
    pub line: u64,
    pub fields: Vec<String>,
    /// Byte span of the raw record in the decoded text.
    pub span: (usize, usize),
    /// The last record of a file that ends without a line end and looks
    /// cut off (fewer fields than the record before it, or a time cut
    /// mid-number such as `17:0`): it is rejected, never completed.
    pub truncated: bool,
}

/// The byte offsets at which lines start: a line ends at `\n`, at `\r\n`
/// or at a `\r` alone (old Mac files), so every kind counts one line.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = vec![0];
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'\n' => out.push(i + 1),
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => out.push(i + 1),
            _ => {}
        }
    }
    out
}

/// The 1-based line of byte `at`.
fn line_of(starts: &[usize], at: usize) -> u64 {
    starts.partition_point(|&s| s <= at) as u64
}

/// Mark the last record truncated when the text has no final line end and
/// the record looks cut off.
fn mark_truncated(text: &str, out: &mut [Record]) {
    if text.ends_with(['\n', '\r']) || out.len() < 2 {
        return;
    }
    let n = out.len();
    let fewer = out[n - 1].fields.len() < out[n - 2].fields.len();
    let cut_time = out[n - 1].fields.iter().any(|f| cut_off_time(f.trim()));
    out[n - 1].truncated = fewer || cut_time;
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

/// The records of a delimited file; the first is the header when there is one.
pub fn read_delimited(text: &str) -> Vec<Record> {
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.matches('\t').count() > first_line.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let starts = line_starts(text);
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let mut start = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let end = (reader.position().byte() as usize).min(text.len());
                // The reader may stop between the `\r` and `\n` of a CRLF:
                // the record starts after any line-end bytes.
                while start < end && matches!(text.as_bytes()[start], b'\r' | b'\n') {
                    start += 1;
                }
                let fields = record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect();
                out.push(Record {
                    line: line_of(&starts, start),
                    fields,
                    span: (start, end),
                    truncated: false,
                });
            }
            // The reader works on bytes and never fails on them; keep the
            // rows read so far if it ever does.
            Err(_) => break,
        }
    }
    mark_truncated(text, &mut out);
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

/// The records of a ZKTeco `attlog.dat`: one punch a line, tab-separated,
/// no header. Blank lines are skipped.
pub fn read_attlog(text: &str) -> Vec<Record> {
    let starts = line_starts(text);
    let mut out = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let body = text[start..end].trim_end_matches(['\r', '\n']);
        if body.trim().is_empty() {
            continue;
        }
        out.push(Record {
            line: i as u64 + 1,
            fields: body.split('\t').map(str::to_string).collect(),
            span: (start, end),
            truncated: false,
        });
    }
    mark_truncated(text, &mut out);
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
        assert_eq!(recs[0].fields[0].trim(), "1001");
    }

    #[test]
    fn lines_and_raw_text_on_every_line_end() {
        for (end, name) in [("\n", "LF"), ("\r\n", "CRLF"), ("\r", "CR")] {
            let text = format!("a,b{end}1,x{end}2,y{end}3,z{end}");
            let recs = read_delimited(&text);
            let lines: Vec<u64> = recs.iter().map(|r| r.line).collect();
            assert_eq!(lines, [1, 2, 3, 4], "{name}");
            assert_eq!(raw_text(&text, recs[2].span, 100), "2,y", "{name}");
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

    #[test]
    fn long_raw_is_cut() {
        let text = "x".repeat(50);
        assert!(raw_text(&text, (0, 50), 10).starts_with("xxxxxxxxxx…"));
    }
}
