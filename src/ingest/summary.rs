//! The ingest summary printed after every run: one line per file, then the
//! totals per table (read = stored + rejected), with replaced rows.

use super::IngestReport;
use std::fmt::Write;
use std::path::Path;

impl IngestReport {
    /// The summary as text; paths shown relative to `home` where possible.
    pub fn render(&self, home: &Path) -> String {
        let mut s = String::new();
        let shown = |p: &Path| p.strip_prefix(home).unwrap_or(p).display().to_string();
        let width = self
            .files
            .iter()
            .map(|f| display_width(&shown(&f.path)))
            .max()
            .unwrap_or(4)
            .max(4);
        let _ = writeln!(
            s,
            "{}  {:<11}  {:>8}  {:>8}  {:>8}",
            pad("file", width),
            "table",
            "read",
            "stored",
            "rejected"
        );
        for f in &self.files {
            let _ = write!(
                s,
                "{}  {:<11}  {:>8}  {:>8}  {:>8}",
                pad(&shown(&f.path), width),
                f.table.unwrap_or("?"),
                f.read,
                f.stored,
                f.rejected
            );
            if f.already_ingested {
                s.push_str("  (ingested before; skipped)");
            }
            s.push('\n');
            for n in &f.notes {
                let _ = writeln!(s, "    note: {n}");
            }
        }
        let _ = writeln!(
            s,
            "\n{:<11}  {:>5}  {:>8}  {:>8}  {:>8}  {:>8}",
            "table", "files", "read", "stored", "rejected", "replaced"
        );
        let mut all = super::TableTotals::default();
        for (table, t) in self.totals() {
            let _ = writeln!(
                s,
                "{:<11}  {:>5}  {:>8}  {:>8}  {:>8}  {:>8}",
                table, t.files, t.read, t.stored, t.rejected, t.replaced
            );
            all.files += t.files;
            all.read += t.read;
            all.stored += t.stored;
            all.rejected += t.rejected;
            all.replaced += t.replaced;
        }
        let _ = writeln!(
            s,
            "{:<11}  {:>5}  {:>8}  {:>8}  {:>8}  {:>8}",
            "total", all.files, all.read, all.stored, all.rejected, all.replaced
        );
        let new_rejects: u64 = self
            .files
            .iter()
            .filter(|f| !f.already_ingested)
            .map(|f| f.rejected)
            .sum();
        if new_rejects > 0 {
            let _ = writeln!(
                s,
                "\n{new_rejects} rejected rows stored with their reasons: see `xiaoneng rejects`"
            );
        }
        s
    }
}

/// Columns a string takes in a terminal: CJK characters take two.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// `s` padded with spaces to `width` terminal columns.
pub fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(display_width(s))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_file_names_line_up() {
        assert_eq!(display_width("办件_10月.csv"), 13);
        assert_eq!(pad("评价", 6), "评价  ");
    }
}
