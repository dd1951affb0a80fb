//! Headers and values as vendors write them.
//!
//! Every header is normalised before it is matched: trimmed, full-width
//! forms turned half-width, case-folded, a unit or note in brackets
//! dropped (`承诺时限(工作日)`, `法定时限（天）`, `窗口编号[必填]`), spaces,
//! underscores, hyphens and dots dropped, so `window_name`, `windowName`,
//! `Window Name` and `WINDOW-NAME` are one header. The same normal form of
//! each column's name and aliases (the table registry) is matched against
//! it.
//!
//! Values: per column, words a vendor writes for a value the column's type
//! takes (`非常满意` for level 5, `老年人` for a priority ticket), built in
//! and extendable under `[values.<table>.<column>]` in `xiaoneng.toml`.

use std::collections::BTreeMap;

/// Words → the value they stand for, per column of one table.
pub type ColumnWords = BTreeMap<String, BTreeMap<String, String>>;

/// The normal form of a header (see the module doc).
pub fn normalise_header(h: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(h.len());
    for c in h.trim().trim_start_matches('\u{feff}').chars() {
        let c = half_width(c);
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_whitespace() || matches!(c, '_' | '-' | '.' | '*' | ':' | '/' | '#') => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// A full-width character's half-width form; brackets of Chinese text as
/// their ASCII forms.
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '【' | '〔' => '[',
        '】' | '〕' => ']',
        '《' | '〈' => '<',
        '》' | '〉' => '>',
        c => c,
    }
}

/// Built-in value words: (table, column, [(word, value)]). Words are
/// matched case-folded and trimmed.
/// (table, column, [(word, value)]).
type Words = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const BUILT_IN: &[Words] = &[
    (
        "cases",
        "supplements",
        &[
            ("是", "1"),
            ("有", "1"),
            ("√", "1"),
            ("y", "1"),
            ("yes", "1"),
            ("true", "1"),
            ("否", "0"),
            ("无", "0"),
            ("×", "0"),
            ("n", "0"),
            ("no", "0"),
            ("false", "0"),
        ],
    ),
    (
        "ratings",
        "level",
        &[
            ("非常满意", "5"),
            ("很满意", "5"),
            ("满意", "4"),
            ("比较满意", "4"),
            ("基本满意", "3"),
            ("一般", "3"),
            ("不满意", "2"),
            ("非常不满意", "1"),
            ("很不满意", "1"),
        ],
    ),
    (
        "ratings",
        "named",
        &[
            ("实名", "true"),
            ("实名评价", "true"),
            ("匿名", "false"),
            ("匿名评价", "false"),
        ],
    ),
    (
        "tickets",
        "priority",
        &[
            ("普通", "false"),
            ("一般", "false"),
            ("无", "false"),
            ("normal", "false"),
            ("老年人", "true"),
            ("老人", "true"),
            ("残疾人", "true"),
            ("军人", "true"),
            ("现役军人", "true"),
            ("退役军人", "true"),
            ("军属", "true"),
            ("孕妇", "true"),
            ("绿色通道", "true"),
            ("vip", "true"),
            ("预约", "true"),
            ("优先", "true"),
            ("急事急办", "true"),
        ],
    ),
    (
        "tickets",
        "status",
        &[
            ("完成", "完成"),
            ("已完成", "完成"),
            ("办结", "完成"),
            ("已办结", "完成"),
            ("已办理", "完成"),
            ("done", "完成"),
            ("completed", "完成"),
            ("finished", "完成"),
            ("过号", "过号"),
            ("未到", "过号"),
            ("noshow", "过号"),
            ("no show", "过号"),
            ("no_show", "过号"),
            ("missed", "过号"),
            ("弃号", "弃号"),
            ("放弃", "弃号"),
            ("取消", "弃号"),
            ("abandoned", "弃号"),
            ("cancelled", "弃号"),
            ("未叫号", "未叫号"),
            ("等待", "未叫号"),
            ("待叫号", "未叫号"),
            ("等候", "未叫号"),
            ("waiting", "未叫号"),
        ],
    ),
];

/// The value a word in `table.column` stands for: the configured words
/// first, then the built-in ones; `None` when the cell is no such word.
pub fn word_value<'a>(
    table: &str,
    column: &str,
    cell: &str,
    user: Option<&'a ColumnWords>,
) -> Option<&'a str> {
    // Most cells are already in lower case (or Chinese): then the cell
    // itself is the key, with no copy made for every cell.
    let cell = cell.trim();
    let unchanged = |c: char| {
        let mut lower = c.to_lowercase();
        lower.next() == Some(c) && lower.next().is_none()
    };
    let key: std::borrow::Cow<str> = if cell.chars().all(unchanged) {
        cell.into()
    } else {
        cell.to_lowercase().into()
    };
    let key = key.as_ref();
    if let Some(v) = user
        .and_then(|u| u.get(column))
        .and_then(|w| w.iter().find(|(k, _)| k.trim().to_lowercase() == key))
        .map(|(_, v)| v.as_str())
    {
        return Some(v);
    }
    BUILT_IN
        .iter()
        .filter(|(t, c, _)| *t == table && *c == column)
        .flat_map(|(_, _, words)| words.iter())
        .find(|(w, _)| *w == key)
        .map(|(_, v)| *v)
}

/// Whether a column has any words (built in or the user's): a column
/// without needs no look-up per cell.
pub fn has_words(table: &str, column: &str, user: Option<&ColumnWords>) -> bool {
    user.and_then(|u| u.get(column))
        .is_some_and(|w| !w.is_empty())
        || BUILT_IN.iter().any(|(t, c, _)| *t == table && *c == column)
}

/// The built-in words of a column, for the docs and error messages.
pub fn built_in_words(table: &str, column: &str) -> Vec<&'static str> {
    BUILT_IN
        .iter()
        .filter(|(t, c, _)| *t == table && *c == column)
        .flat_map(|(_, _, words)| words.iter().map(|(w, _)| *w))
        .collect()
}

/// A value a file's name gives a column the file has no header for: a
/// suspensions export named `特别程序…` or `补正…` without a kind column.
pub fn from_file_name(table: &str, column: &str, file_name: &str) -> Option<&'static str> {
    match (table, column) {
        ("suspensions", "kind") => {
            // A name that says exactly one kind, in the words of the checks.
            let lower = file_name.to_lowercase();
            let said: Vec<&'static str> = super::checks::SUSPENSION_KIND_WORDS
                .iter()
                .filter(|(_, words)| words.iter().any(|w| lower.contains(w)))
                .map(|(kind, _)| *kind)
                .collect();
            match said.as_slice() {
                [one] => Some(*one),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_as_exports_write_them() {
        for (h, want) in [
            ("window_name", "windowname"),
            ("windowName", "windowname"),
            (" Window Name ", "windowname"),
            ("WINDOW-NAME", "windowname"),
            ("承诺时限(工作日)", "承诺时限"),
            ("法定时限（天）", "法定时限"),
            ("申报材料(件)", "申报材料"),
            ("窗口编号[必填]", "窗口编号"),
            ("窗口编号【必填】", "窗口编号"),
            ("\u{feff}办件编号", "办件编号"),
            ("ＷＩＮＤＯＷ＿ＩＤ", "windowid"),
            ("*受理时间", "受理时间"),
        ] {
            assert_eq!(normalise_header(h), want, "{h}");
        }
    }

    #[test]
    fn words_for_values() {
        assert_eq!(word_value("ratings", "level", "非常满意", None), Some("5"));
        assert_eq!(word_value("ratings", "level", " 不满意 ", None), Some("2"));
        assert_eq!(
            word_value("tickets", "priority", "老年人", None),
            Some("true")
        );
        assert_eq!(word_value("tickets", "priority", "VIP", None), Some("true"));
        // A cell already in lower case is its own key; any other is
        // lowered first, whatever its case.
        for cell in ["vip", " Vip", "vIP "] {
            assert_eq!(word_value("tickets", "priority", cell, None), Some("true"));
        }
        assert_eq!(
            word_value("tickets", "status", "No Show", None),
            Some("过号")
        );
        assert_eq!(
            word_value("tickets", "status", "已完成", None),
            Some("完成")
        );
        assert_eq!(word_value("ratings", "level", "4", None), None);
        let user: ColumnWords = BTreeMap::from([(
            "level".to_string(),
            BTreeMap::from([("好评".to_string(), "5".to_string())]),
        )]);
        assert_eq!(
            word_value("ratings", "level", "好评", Some(&user)),
            Some("5")
        );
    }

    #[test]
    fn a_file_name_says_the_kind() {
        assert_eq!(
            from_file_name("suspensions", "kind", "特别程序_2026年10月.csv"),
            Some("特别程序")
        );
        assert_eq!(
            from_file_name("suspensions", "kind", "suspensions_补正.csv"),
            Some("补正")
        );
        assert_eq!(
            from_file_name("suspensions", "kind", "suspensions.csv"),
            None
        );
        assert_eq!(from_file_name("cases", "kind", "补正.csv"), None);
    }
}
