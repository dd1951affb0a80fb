//! The official holiday lists beyond the built-in years: `xiaoneng
//! calendar import` loads a year's State Council list into the store, and
//! `xiaoneng calendar status` tells where each covered year's days come
//! from (official built in, official imported, provisional, local).

use crate::calendar::{Calendar, YearSource};
use crate::store::{ImportedYear, Store};
use anyhow::{bail, Context, Result};
use chrono::{Datelike, NaiveDate};
use std::path::Path;

/// What an import loaded, and which days it changed.
#[derive(Debug)]
pub struct Imported {
    pub year: i32,
    /// Weekdays off and weekend days worked, as listed.
    pub weekdays_off: usize,
    pub weekends_worked: usize,
    /// Days whose working-day status is now different, with their status
    /// now and their name.
    pub changed: Vec<(NaiveDate, bool, String)>,
}

/// Read a year's official list (CSV `date,workday,name`, UTF-8 or GBK),
/// check it whole, and keep it in the store. Every row must lie in one
/// year; nothing is kept when a line is wrong (the error names it).
pub fn import(store: &Store, calendar: &Calendar, file: &Path) -> Result<Imported> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let decoded = crate::ingest::decode::decode(bytes, crate::ingest::decode::EncodingChoice::Auto);
    if decoded.damaged {
        bail!(
            "{}: some bytes are neither UTF-8 nor GBK; save the list as UTF-8 or GBK CSV",
            file.display()
        );
    }
    let text = decoded.text.replace("\r\n", "\n");
    let year = first_year(&text)
        .with_context(|| format!("{}: the list has no dated row", file.display()))?;
    let source = YearSource::Imported {
        file: file.display().to_string(),
        loaded_at: chrono::Local::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
    };
    let YearSource::Imported {
        file: shown,
        loaded_at,
    } = source.clone()
    else {
        unreachable!("built as Imported above")
    };
    let updated = calendar
        .clone()
        .with_official_year(year, &text, source)
        .map_err(|e| {
            anyhow::anyhow!(
                "{}: {e} (every row of one list lies in one year, {year} here)",
                file.display()
            )
        })?;
    let (weekdays_off, weekends_worked) = listed_counts(&updated, year)?;
    let changed = updated
        .changed_days(&calendar.year_flags())
        .into_iter()
        .filter(|(d, _)| d.year() == year)
        .map(|(d, w)| (d, w, updated.day_name(d).unwrap_or_default().to_string()))
        .collect();
    use sha2::{Digest, Sha256};
    store.save_calendar_year(&ImportedYear {
        year,
        file: shown,
        sha256,
        loaded_at,
        csv: text,
    })?;
    Ok(Imported {
        year,
        weekdays_off,
        weekends_worked,
        changed,
    })
}

/// The year of the first dated row (after the header).
fn first_year(text: &str) -> Option<i32> {
    text.lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .find_map(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .map(|d| d.year())
}

/// Weekdays off and weekend days worked in `year`.
fn listed_counts(cal: &Calendar, year: i32) -> Result<(usize, usize)> {
    let (mut off, mut worked) = (0, 0);
    let start = NaiveDate::from_ymd_opt(year, 1, 1).context("year out of range")?;
    for d in start.iter_days().take_while(|d| d.year() == year) {
        let weekday = d.weekday().number_from_monday() <= 5;
        match (weekday, cal.is_workday(d)?) {
            (true, false) => off += 1,
            (false, true) => worked += 1,
            _ => {}
        }
    }
    Ok((off, worked))
}

/// One covered year in `calendar status`.
#[derive(Debug, Clone, PartialEq)]
pub struct YearStatus {
    pub year: i32,
    /// `official (built in)`, `official (imported)`, `provisional` or `local`.
    pub status: String,
    /// The imported file and its load time, or what the rule is.
    pub source: String,
    pub weekdays_off: usize,
    pub weekends_worked: usize,
    /// Days set by `[[calendar.days]]` in xiaoneng.toml.
    pub local_days: usize,
}

/// Every covered year, ascending.
pub fn status(calendar: &Calendar) -> Result<Vec<YearStatus>> {
    let mut out = Vec::new();
    for (year, source) in calendar.sources() {
        let (status, detail) = match source {
            YearSource::BuiltIn => ("official (built in)", "State Council list in this release".to_string()),
            YearSource::Imported { file, loaded_at } => {
                ("official (imported)", format!("{file}, loaded {loaded_at}"))
            }
            YearSource::Provisional => (
                "provisional",
                "weekdays less 1 Jan, 1–2 May, 1–3 Oct; load the list: xiaoneng calendar import FILE".to_string(),
            ),
            YearSource::Local => ("local", "add_years in xiaoneng.toml: weekdays work".to_string()),
        };
        let (weekdays_off, weekends_worked) = listed_counts(calendar, *year)?;
        out.push(YearStatus {
            year: *year,
            status: status.to_string(),
            source: detail,
            weekdays_off,
            weekends_worked,
            local_days: calendar.local_days_in(*year),
        });
    }
    Ok(out)
}

/// The sentence for a day whose status changed: `2027-02-08 becomes a day
/// off (春节)`.
pub fn change_sentence(date: NaiveDate, workday: bool, name: &str) -> String {
    let what = if workday {
        "a working day"
    } else {
        "a day off"
    };
    if name.is_empty() {
        format!("{date} becomes {what}")
    } else {
        format!("{date} becomes {what} ({name})")
    }
}

/// The one line a report or the `cards` output carries when a deadline it
/// shows lies in the provisional year.
pub fn provisional_note(year: i32) -> String {
    format!(
        "注:{year} 年的截止日期为暂定——国务院 {year} 年节假日安排尚未导入,暂按周一至周五上班、\
         元旦(1月1日)、劳动节(5月1—2日)、国庆节(10月1—3日)放假推算;导入正式安排 \
         (xiaoneng calendar import FILE) 后自动重算。"
    )
}

/// The warning of a nightly run from 1 November on, while the next year is
/// provisional (or not covered at all).
pub fn warn_ahead(calendar: &Calendar, date: NaiveDate) -> Option<String> {
    let next = date.year() + 1;
    if date.month() < 11 || calendar.last_official_year().is_some_and(|y| y >= next) {
        return None;
    }
    if calendar.sources().get(&next) == Some(&YearSource::Local) {
        return None;
    }
    Some(format!(
        "the working-day calendar of {next} is provisional: its official holiday list is not loaded \
         (deadlines reaching {next} count weekdays, less 1 Jan, 1–2 May and 1–3 Oct). When the State \
         Council publishes it, type it as CSV date,workday,name and run `xiaoneng calendar import FILE`"
    ))
}

/// The daily report's footnote of [`warn_ahead`].
pub fn warn_ahead_note(date: NaiveDate) -> String {
    let next = date.year() + 1;
    format!(
        "{next} 年节假日安排尚未导入,{next} 年的截止日期暂按周一至周五上班、元旦、劳动节(5月1—2日)、\
         国庆节(10月1—3日)放假推算;国务院公布后请导入 (xiaoneng calendar import FILE)。"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_warning_starts_on_1_november_and_ends_with_the_list() {
        let cal = Calendar::official().with_provisional_year();
        assert_eq!(warn_ahead(&cal, d("2026-10-31")), None);
        let w = warn_ahead(&cal, d("2026-11-01")).unwrap();
        assert!(w.contains("2027") && w.contains("calendar import"), "{w}");
        assert!(warn_ahead(&cal, d("2026-12-31")).is_some());
        // In the provisional year itself the next year is not covered: still warned.
        assert!(warn_ahead(&cal, d("2027-11-02")).is_some());
        let loaded = Calendar::official()
            .with_official_year(
                2027,
                "date,workday,name\n2027-01-01,false,元旦\n",
                YearSource::Imported {
                    file: "x".into(),
                    loaded_at: "y".into(),
                },
            )
            .unwrap()
            .with_provisional_year();
        assert_eq!(warn_ahead(&loaded, d("2026-12-01")), None);
    }

    #[test]
    fn status_names_each_source() {
        let cal = Calendar::official()
            .with_provisional_year()
            .with_overrides(&[crate::calendar::DayOverride {
                date: d("2026-07-01"),
                workday: false,
                name: "本地".into(),
            }])
            .unwrap();
        let rows = status(&cal).unwrap();
        assert_eq!(rows.len(), 18);
        let y2026 = &rows[16];
        assert_eq!(
            (y2026.year, y2026.status.as_str()),
            (2026, "official (built in)")
        );
        assert_eq!(y2026.local_days, 1);
        let y2027 = &rows[17];
        assert_eq!((y2027.year, y2027.status.as_str()), (2027, "provisional"));
        // 01-01 and 10-01 (Fridays) are the provisional year's weekdays off.
        assert_eq!((y2027.weekdays_off, y2027.weekends_worked), (2, 0));
    }
}
