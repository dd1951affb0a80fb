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
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let start = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let end = reader.position().byte() as usize;
                let line = record.position().map_or(0, |p| p.line());
                let fields = record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect();
                out.push(Record {
                    line,
                    fields,
                    span: (start, end.min(text.len())),
                });
            }
            // The reader works on bytes and never fails on them; keep the
            // rows read so far if it ever does.
            Err(_) => break,
        }
    }
    out
}

/// The raw text of a record, without its line ending, cut to `max` chars.
pub fn raw_text(text: &str, span: (usize, usize), max: usize) -> String {
    let (start, end) = span;
    let raw = text
        .get(start..end)
        .unwrap_or("")
        .trim_end_matches(['\r', '\n']);
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
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let span = (offset, offset + line.len());
        offset += line.len();
        let body = line.trim_end_matches(['\r', '\n']);
        if body.trim().is_empty() {
            continue;
        }
        out.push(Record {
            line: i as u64 + 1,
            fields: body.split('\t').map(str::to_string).collect(),
            span,
        });
    }
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
    fn long_raw_is_cut() {
        let text = "x".repeat(50);
        assert!(raw_text(&text, (0, 50), 10).starts_with("xxxxxxxxxx…"));
    }
}
