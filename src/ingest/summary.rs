//! The ingest summary printed after every run: one line per file, then the
//! totals per table (read = stored + rejected), with replaced rows.

use super::IngestReport;
use crate::text::{display_width, pad};
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
            if f.failed.is_some() && !f.already_ingested {
                s.push_str("  FAILED");
            }
            s.push('\n');
            if let Some(why) = f.failed.as_ref().filter(|_| !f.already_ingested) {
                let _ = writeln!(s, "    failed: {why}");
            }
            for ((table, cause), n) in &f.caused_by {
                let _ = writeln!(
                    s,
                    "    {n} rows: their {table} are missing — {cause} (not {n} separate defects)"
                );
            }
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
        let failed: Vec<String> = self.failed().map(|f| shown(&f.path)).collect();
        if !failed.is_empty() {
            let _ = writeln!(
                s,
                "\n{} file(s) FAILED as a whole, nothing of them stored: {}",
                failed.len(),
                failed.join(", ")
            );
        }
        if new_rejects > 0 {
            let _ = writeln!(
                s,
                "\n{new_rejects} rejected rows stored with their reasons: see `xiaoneng rejects`"
            );
        }
        s
    }
}
