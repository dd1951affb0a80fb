//! The bulletin of a period (月通报 for a month, 季度评议 for a quarter,
//! 年度考核 for a year) as Markdown, with its tables as CSV and its charts.
//! One file per section, in the bulletin's order: the overview with 环比
//! and 同比 and case efficiency against the targets (`cases.rs`), cards
//! (`cards.rs`) with 督办与整改 (`supervision.rs`), satisfaction and rectification (`ratings.rs`), the queue
//! (`queue.rs`), attendance with named violations, 实名通报
//! (`attendance.rs`), the three zeros (`zeros.rs`), the window ranking,
//! 红旗窗口 (`ranking.rs`), 服务之星 (`stars.rs`), the catalog compression
//! of the latest round (`catalog.rs`) and the bottleneck steps
//! (`steps.rs`), the staff review (`staff_review.rs`) and the windows
//! without cases (`no_cases.rs`). A section only presents: who is named,
//! ranked or starred is decided in [`crate::metrics`].

mod attendance;
mod cards;
mod cases;
mod catalog;
mod no_cases;
mod queue;
mod ranking;
mod ratings;
mod staff_review;
mod stars;
mod steps;
mod supervision;
mod zeros;

use crate::attendance::Schedule;
use crate::metrics::compare::Targets;
use crate::metrics::period::{Grain, Period};
use crate::view::f64_at;
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::fmt::Write;

/// The metric tables a bulletin reads (all computed as of the same date).
pub struct BulletinInputs<'a> {
    pub case_metrics: &'a DataFrame,
    pub rating_metrics: Option<&'a DataFrame>,
    pub queue_metrics: Option<&'a DataFrame>,
    /// `queue_hours` (分时段等候), if there are tickets.
    pub queue_hours: Option<&'a DataFrame>,
    /// `[queue]`: the wait target and the crowded half hours.
    pub queue_rules: &'a crate::metrics::queue::QueueRules,
    pub attendance_days: Option<&'a DataFrame>,
    /// The roster, for the names of the named violations.
    pub staff: Option<&'a DataFrame>,
    pub three_zeros: &'a DataFrame,
    pub window_scores: &'a DataFrame,
    pub staff_scores: &'a DataFrame,
    /// The card history, if cards have been run.
    pub cards: Option<&'a DataFrame>,
    /// The complaint cards raised by the bulletin's date
    /// (`metrics::complaints::complaint_card_history_frame`), if complaints
    /// are kept.
    pub complaint_cards: Option<&'a DataFrame>,
    /// `supervision_metrics` (督办).
    pub supervision_metrics: Option<&'a DataFrame>,
    /// The 督办 notices as of the bulletin's date, with names
    /// (`metrics::supervision::notices_frame`, `engine::names`).
    pub notices: Option<&'a DataFrame>,
    /// `rating_loop`, if ratings are kept.
    pub rating_loop: Option<&'a DataFrame>,
    /// The ratings an appeal excluded, rated in the period, with names
    /// (`metrics::rating_loop::excluded_between`).
    pub excluded_ratings: Option<&'a DataFrame>,
    /// `complaint_metrics`, if complaints are kept.
    pub complaint_metrics: Option<&'a DataFrame>,
    /// The sentence of the latest catalog round, if there was one.
    pub catalog_round: Option<String>,
    /// The per-item comparison of that round.
    pub catalog_items: Option<&'a DataFrame>,
    /// `step_metrics`, if there are steps.
    pub step_metrics: Option<&'a DataFrame>,
    /// `staff_review` (三在 / 三问).
    pub staff_review: Option<&'a DataFrame>,
    /// The item catalog, for the names in the bottleneck table.
    pub items: Option<&'a DataFrame>,
    /// Waits (called − issued, minutes) of the tickets issued in the period.
    pub waits_min: Option<&'a [f64]>,
    pub targets: &'a Targets,
    /// `[attendance]`: who is named for attendance.
    pub attendance_rules: &'a Schedule,
    /// Lines said under the heading (a provisional calendar year).
    pub notes: Vec<String>,
}

/// A bulletin: the Markdown text, the tables behind it and its charts (SVG).
pub struct Bulletin {
    pub markdown: String,
    pub tables: Vec<(&'static str, DataFrame)>,
    pub charts: Vec<(String, String)>,
}

/// One section of a bulletin: its Markdown, its tables (CSV name, frame)
/// and its charts (title, SVG), appended in the bulletin's order.
#[derive(Default)]
struct Section {
    markdown: String,
    tables: Vec<(&'static str, DataFrame)>,
    charts: Vec<(String, String)>,
}

impl Section {
    fn text(markdown: String) -> Section {
        Section {
            markdown,
            ..Section::default()
        }
    }
}

/// What every section reads: the period, the words of its grain and the
/// inputs.
struct Context<'a> {
    period: &'a Period,
    /// 本月 / 本季度 / 本年度.
    this: &'static str,
    /// 月末 / 季末 / 年末.
    end_word: &'static str,
    /// The date the bulletin's figures are as of.
    as_of: NaiveDate,
    z: &'a BulletinInputs<'a>,
}

/// A count cell of the first row, "—" when null.
fn count(df: &DataFrame, c: &str) -> Result<String> {
    Ok(f64_at(df, c, 0)?.map_or("—".into(), |x| format!("{x:.0}")))
}

/// The bulletin of `period` (月通报 for a month, 季度评议 for a quarter,
/// 年度考核 for a year), as of `as_of`.
pub fn monthly_bulletin(
    center: &str,
    period: &Period,
    as_of: NaiveDate,
    z: &BulletinInputs,
) -> Result<Bulletin> {
    let (title, this, end_word) = match period.grain {
        Grain::Quarter => ("季度评议", "本季度", "季末"),
        Grain::Year => ("年度考核", "本年度", "年末"),
        _ => ("月通报", "本月", "月末"),
    };
    let cx = Context {
        period,
        this,
        end_word,
        as_of,
        z,
    };
    let ranking = crate::metrics::scoring::ranking_of(z.window_scores, period)?;
    let sections = [
        heading(center, title, &cx, as_of),
        cases::section(&cx)?,
        cards::section(&cx)?,
        supervision::section(&cx)?,
        ratings::section(&cx)?,
        queue::section(&cx)?,
        attendance::section(&cx)?,
        zeros::section(&cx)?,
        ranking::section(&ranking)?,
        stars::section(&cx)?,
        catalog::section(&cx)?,
        steps::section(&cx)?,
        staff_review::section(&cx)?,
        no_cases::section(&cx, ranking)?,
    ];
    let mut bulletin = Bulletin {
        markdown: String::new(),
        tables: Vec::new(),
        charts: Vec::new(),
    };
    for s in sections {
        bulletin.markdown.push_str(&s.markdown);
        bulletin.tables.extend(s.tables);
        bulletin.charts.extend(s.charts);
    }
    Ok(bulletin)
}

/// The title, the period and the notes.
fn heading(center: &str, title: &str, cx: &Context, as_of: NaiveDate) -> Section {
    let (period, mut md) = (cx.period, String::new());
    let _ = writeln!(md, "# {center} {} {title}\n", period.label);
    let _ = writeln!(
        md,
        "统计期间 {} 至 {},数据截至 {as_of}。\n",
        period.start, period.end
    );
    for note in &cx.z.notes {
        let _ = writeln!(md, "{note}\n");
    }
    Section::text(md)
}
