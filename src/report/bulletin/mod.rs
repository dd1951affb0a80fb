//! The bulletin of a period (月通报 for a month, 季度评议 for a quarter,
//! 年度考核 for a year) as Markdown, with its tables as CSV and its charts.
//! One file per section, in the bulletin's order: the overview with 环比
//! and 同比 and case efficiency against the targets (`cases.rs`), the
//! special services and refusals (`services.rs`, 特色服务与不予受理), cards
//! (`cards.rs`) with 督办与整改 (`supervision.rs`), satisfaction and
//! rectification (`ratings.rs`), the queue (`queue.rs`), attendance with
//! named violations, 实名通报 (`attendance.rs`), the three zeros
//! (`zeros.rs`), the window ranking, 红旗窗口 (`ranking.rs`), 服务之星
//! (`stars.rs`), the assessment's grades (`assessment.rs`, 考核等次), the
//! catalog compression of the latest round (`catalog.rs`) and the
//! bottleneck steps (`steps.rs`), the staff review (`staff_review.rs`), a
//! year's trend and red flags (`annual.rs`) and the windows without cases
//! (`no_cases.rs`). Sections number themselves in this order. A section only presents: who is named,
//! ranked or starred is decided in [`crate::metrics`].

mod annual;
mod assessment;
mod attendance;
mod cards;
mod cases;
mod catalog;
mod no_cases;
mod queue;
mod ranking;
mod ratings;
mod services;
mod staff_review;
mod stars;
mod steps;
mod supervision;
mod zeros;

pub use annual::{red_flag_counts, trend};
pub use assessment::{grade_counts, Assessed};

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
    /// Whether the ratings export records callbacks (回访时间) and feedback
    /// (反馈时间) at all: without the column every rate of it would read 0.
    pub loop_recorded: LoopRecorded,
    /// `complaint_metrics`, if complaints are kept.
    pub complaint_metrics: Option<&'a DataFrame>,
    /// `service_metrics` and `service_channels` (特色服务与不予受理).
    pub service_metrics: Option<&'a DataFrame>,
    pub service_channels: Option<&'a DataFrame>,
    /// The refusals known in the period, with names
    /// (`metrics::services::refusals_between`, `engine::names`).
    pub refusals: Option<&'a DataFrame>,
    /// The windows, for their names and departments.
    pub windows: Option<&'a DataFrame>,
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
    /// The period's assessment (考核) by level, with names.
    pub assessed: Option<&'a Assessed>,
    /// A year's red flags per window (`red_flag_counts`, with names).
    pub red_flags: Option<&'a DataFrame>,
    /// The names beside the codes of its tables.
    pub names: &'a crate::engine::names::Names,
    /// Lines said under the heading (a provisional calendar year).
    pub notes: Vec<String>,
}

/// Which parts of the 好差评 loop the ratings export records.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoopRecorded {
    pub callbacks: bool,
    pub feedback: bool,
}

impl LoopRecorded {
    /// The columns of the stored ratings it is told from.
    pub const COLUMNS: [&'static str; 2] = ["called_back_at", "feedback_at"];

    /// From the stored ratings' `called_back_at` and `feedback_at`: a part
    /// is recorded when any rating has a time for it.
    pub fn of(ratings: &DataFrame) -> LoopRecorded {
        let any = |c: &str| ratings.column(c).is_ok_and(|c| c.null_count() < c.len());
        let [callbacks, feedback] = Self::COLUMNS;
        LoopRecorded {
            callbacks: any(callbacks),
            feedback: any(feedback),
        }
    }
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
        services::section(&cx)?,
        cards::section(&cx)?,
        supervision::section(&cx)?,
        ratings::section(&cx)?,
        queue::section(&cx)?,
        attendance::section(&cx)?,
        zeros::section(&cx)?,
        ranking::section(&ranking)?,
        stars::section(&cx)?,
        assessment::section(&cx)?,
        catalog::section(&cx)?,
        steps::section(&cx)?,
        staff_review::section(&cx)?,
        annual::section(&cx)?,
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
    bulletin.markdown = numbered(&bulletin.markdown);
    Ok(bulletin)
}

/// The Chinese numeral of `n` (1–99): 一 … 十, 十一 … 九十九.
fn numeral(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[n % 10]),
        _ => format!("{}十{}", D[n / 10], D[n % 10]),
    }
}

/// The sections numbered in their order: each "## 八、标题" heading takes
/// the numeral of its place (a section a period leaves out leaves no gap).
fn numbered(markdown: &str) -> String {
    let mut k = 0;
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.split_inclusive('\n') {
        let title = line
            .strip_prefix("## ")
            .and_then(|t| t.split_once('、'))
            .filter(|(n, _)| {
                !n.is_empty() && n.chars().all(|c| "一二三四五六七八九十".contains(c))
            });
        match title {
            Some((_, rest)) => {
                k += 1;
                let _ = write!(out, "## {}、{rest}", numeral(k));
            }
            None => out.push_str(line),
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loop_part_no_rating_records_is_not_recorded() {
        let none: [Option<&str>; 2] = [None, None];
        let ratings = df!(
            "called_back_at" => none,
            "feedback_at" => [None, Some("2026-10-09 10:00")],
        )
        .unwrap();
        let r = LoopRecorded::of(&ratings);
        assert!(!r.callbacks && r.feedback);
        // An export without the columns at all records neither.
        let r = LoopRecorded::of(&df!("rating_id" => ["R1"]).unwrap());
        assert!(!r.callbacks && !r.feedback);
    }

    #[test]
    fn sections_are_numbered_in_their_order() {
        assert_eq!(
            [1, 9, 10, 11, 20, 23].map(numeral),
            ["一", "九", "十", "十一", "二十", "二十三"]
        );
        let md = "# 标题\n\n## 一、总体情况\n\n### 小节\n\n## 八、红旗窗口评比\n\n## 九、考核等次\n## 五、无编号、\n";
        assert_eq!(
            numbered(md),
            "# 标题\n\n## 一、总体情况\n\n### 小节\n\n## 二、红旗窗口评比\n\n## 三、考核等次\n## 四、无编号、\n"
        );
    }
}
