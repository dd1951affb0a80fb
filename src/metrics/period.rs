//! Periods: the six grains of every metric and their labels
//! (`2026-10-08`, `2026-W41`, `2026-10`, `2026-B5`, `2026-Q4`, `2026`).
//! One function labels a date for a grain; one parses a label back.

use anyhow::{bail, Result};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

/// The time grain of a metric row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Grain {
    Day,
    /// ISO week (Monday to Sunday), labelled by its ISO year.
    Week,
    Month,
    /// Two-month period: B1 = Jan–Feb … B5 = Sep–Oct, B6 = Nov–Dec.
    Bimonth,
    Quarter,
    Year,
}

impl Grain {
    pub const ALL: [Grain; 6] = [
        Grain::Day,
        Grain::Week,
        Grain::Month,
        Grain::Bimonth,
        Grain::Quarter,
        Grain::Year,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Bimonth => "bimonth",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }
}

/// One period of a grain.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub grain: Grain,
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// Whether a metric row (its `grain` and `period` columns) is of this
    /// period.
    pub fn holds_row(&self) -> polars::prelude::Expr {
        use polars::prelude::{col, lit};
        col("grain")
            .eq(lit(self.grain.name()))
            .and(col("period").eq(lit(self.label.as_str())))
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn month_end(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    ymd(ny, nm, 1) - Duration::days(1)
}

/// The period of `grain` holding `date`.
pub fn period_of(grain: Grain, date: NaiveDate) -> Period {
    let (y, m) = (date.year(), date.month());
    let months = |first: u32, count: u32| (ymd(y, first, 1), month_end(y, first + count - 1));
    let (label, (start, end)) = match grain {
        Grain::Day => (date.format("%Y-%m-%d").to_string(), (date, date)),
        Grain::Week => {
            let w = date.iso_week();
            let monday =
                NaiveDate::from_isoywd_opt(w.year(), w.week(), Weekday::Mon).expect("iso week");
            (
                format!("{}-W{:02}", w.year(), w.week()),
                (monday, monday + Duration::days(6)),
            )
        }
        Grain::Month => (format!("{y}-{m:02}"), months(m, 1)),
        Grain::Bimonth => {
            let b = m.div_ceil(2);
            (format!("{y}-B{b}"), months(2 * b - 1, 2))
        }
        Grain::Quarter => {
            let q = m.div_ceil(3);
            (format!("{y}-Q{q}"), months(3 * q - 2, 3))
        }
        Grain::Year => (format!("{y}"), (ymd(y, 1, 1), ymd(y, 12, 31))),
    };
    Period {
        grain,
        label,
        start,
        end,
    }
}

/// Parse a period label of any grain.
pub fn parse_period(label: &str) -> Result<Period> {
    let bad = || {
        anyhow::anyhow!("'{label}' is not a period (e.g. 2026-10-08, 2026-W41, 2026-10, 2026-B5, 2026-Q4, 2026)")
    };
    let s = label.trim();
    let (year, rest) = match s.split_once('-') {
        Some((y, r)) => (y, Some(r)),
        None => (s, None),
    };
    let y: i32 = year.parse().map_err(|_| bad())?;
    if !(1000..=9999).contains(&y) {
        return Err(bad());
    }
    let num = |t: &str, lo: u32, hi: u32| -> Result<u32> {
        t.parse::<u32>()
            .ok()
            .filter(|n| (lo..=hi).contains(n))
            .ok_or_else(bad)
    };
    let p = match rest {
        None => period_of(Grain::Year, ymd(y, 1, 1)),
        Some(r) if r.starts_with('W') => {
            let w = num(&r[1..], 1, 53)?;
            let d = NaiveDate::from_isoywd_opt(y, w, Weekday::Mon).ok_or_else(bad)?;
            period_of(Grain::Week, d)
        }
        Some(r) if r.starts_with('B') => {
            period_of(Grain::Bimonth, ymd(y, 2 * num(&r[1..], 1, 6)? - 1, 1))
        }
        Some(r) if r.starts_with('Q') => {
            period_of(Grain::Quarter, ymd(y, 3 * num(&r[1..], 1, 4)? - 2, 1))
        }
        Some(r) if r.len() <= 2 => period_of(Grain::Month, ymd(y, num(r, 1, 12)?, 1)),
        Some(_) => {
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())?;
            period_of(Grain::Day, d)
        }
    };
    if p.label != s {
        bail!("'{label}' is not a period; did you mean {}?", p.label);
    }
    Ok(p)
}

/// The period before (环比) and the same period a year earlier (同比).
pub fn previous(p: &Period) -> Period {
    period_of(p.grain, p.start - Duration::days(1))
}

pub fn year_earlier(p: &Period) -> Period {
    match p.grain {
        // The same ISO week number of the year before.
        Grain::Week => {
            let w = p.start.iso_week().week();
            let y = p.start.iso_week().year() - 1;
            let d = NaiveDate::from_isoywd_opt(y, w, Weekday::Mon).unwrap_or_else(|| {
                NaiveDate::from_isoywd_opt(y, 52, Weekday::Mon).expect("week 52")
            });
            period_of(Grain::Week, d)
        }
        _ => {
            let d = p
                .start
                .with_year(p.start.year() - 1)
                .unwrap_or_else(|| ymd(p.start.year() - 1, p.start.month(), 28));
            period_of(p.grain, d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn labels_of_every_grain() {
        let day = d("2026-10-08");
        let got: Vec<(String, NaiveDate, NaiveDate)> = Grain::ALL
            .iter()
            .map(|g| period_of(*g, day))
            .map(|p| (p.label, p.start, p.end))
            .collect();
        assert_eq!(
            got,
            vec![
                ("2026-10-08".into(), day, day),
                ("2026-W41".into(), d("2026-10-05"), d("2026-10-11")),
                ("2026-10".into(), d("2026-10-01"), d("2026-10-31")),
                ("2026-B5".into(), d("2026-09-01"), d("2026-10-31")),
                ("2026-Q4".into(), d("2026-10-01"), d("2026-12-31")),
                ("2026".into(), d("2026-01-01"), d("2026-12-31")),
            ]
        );
        // ISO week of a January 1st in the previous ISO year.
        assert_eq!(period_of(Grain::Week, d("2027-01-01")).label, "2026-W53");
        assert_eq!(
            period_of(Grain::Month, d("2024-02-10")).end,
            d("2024-02-29")
        );
    }

    #[test]
    fn labels_parse_back() {
        for l in [
            "2026-10-08",
            "2026-W41",
            "2026-10",
            "2026-B5",
            "2026-Q4",
            "2026",
            "2026-W01",
        ] {
            assert_eq!(parse_period(l).unwrap().label, l);
        }
        for l in ["2026-13", "2026-B7", "2026-Q0", "26-10", "2026-10-32", "x"] {
            assert!(parse_period(l).is_err(), "{l}");
        }
        assert!(parse_period("2026-1")
            .unwrap_err()
            .to_string()
            .contains("2026-01"));
    }

    #[test]
    fn previous_and_year_earlier() {
        let p = parse_period("2026-Q1").unwrap();
        assert_eq!(previous(&p).label, "2025-Q4");
        assert_eq!(year_earlier(&p).label, "2025-Q1");
        assert_eq!(
            previous(&parse_period("2026-W01").unwrap()).label,
            "2025-W52"
        );
        assert_eq!(
            year_earlier(&parse_period("2026-B1").unwrap()).label,
            "2025-B1"
        );
        assert_eq!(
            year_earlier(&parse_period("2024-02-29").unwrap()).label,
            "2023-02-28"
        );
    }
}
