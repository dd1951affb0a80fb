//! Text helpers for terminal tables: CJK characters take two columns.

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

/// `s` right-aligned in `width` terminal columns.
pub fn pad_left(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(display_width(s))))
}

/// A table: the first column left-aligned, the others right-aligned.
pub fn table(headers: &[String], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .map(|r| display_width(&r[i]))
                .chain([display_width(&headers[i])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    pad(c, widths[i])
                } else {
                    pad_left(c, widths[i])
                }
            })
            .collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(headers);
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_file_names_line_up() {
        assert_eq!(display_width("办件_10月.csv"), 13);
        assert_eq!(pad("评价", 6), "评价  ");
        assert_eq!(pad_left("评价", 6), "  评价");
        let t = table(
            &["窗口".into(), "n".into()],
            &[vec!["W01".into(), "12".into()]],
        );
        assert_eq!(t, "窗口   n\nW01   12\n");
    }
}
