//! Complaints (投诉: 12345, 效能热线, 信箱, 网上, 现场) followed to their
//! close: 有诉必查、查必有果. Each is accepted or declined within
//! `accept_days` working days of receipt and, accepted, answered within
//! `answer_days` working days of acceptance; closed with a result 属实 /
//! 部分属实 / 不属实. `complaint_metrics` rolls them up; a complaint past a
//! deadline is a card ([`complaint_cards`]); a substantiated one is a score
//! event once ([`Complaint::substantiated_on`]).

use crate::calendar::Calendar;
use crate::metrics::rollup::{measure_columns, rollup, Roll, RollupSpec};
use crate::metrics::WithDepartment;
use crate::polars_ext::{date_series, dates_of, opt_f64s, opt_strings};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// The rules of complaints (`[complaints]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ComplaintRules {
    /// Accepted or declined within this many working days of receipt.
    pub accept_days: u32,
    /// Answered within this many working days of acceptance.
    pub answer_days: u32,
    /// Points of a substantiated (属实) complaint whose row gives none.
    pub substantiated_points: f64,
    /// Points of a partly substantiated (部分属实) one whose row gives none.
    pub partly_points: f64,
}

impl Default for ComplaintRules {
    fn default() -> Self {
        ComplaintRules {
            accept_days: 3,
            answer_days: 5,
            substantiated_points: -2.0,
            partly_points: -1.0,
        }
    }
}

/// One complaint as of a date: what happened by then, and its deadlines.
#[derive(Debug, Clone, PartialEq)]
pub struct Complaint {
    pub complaint_id: String,
    pub received_on: NaiveDate,
    pub channel: Option<String>,
    pub window_id: Option<String>,
    pub staff_id: Option<String>,
    pub department: Option<String>,
    pub category: Option<String>,
    /// Accepted (true) or declined (false), and when; `None` while
    /// undecided.
    pub decided: Option<(NaiveDate, bool)>,
    pub replied_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub points: Option<f64>,
    /// The last day to accept or decline.
    pub accept_due: NaiveDate,
    /// The last day to answer, once accepted.
    pub answer_due: Option<NaiveDate>,
}

impl Complaint {
    /// Decided by its due date.
    pub fn decided_in_time(&self) -> Option<bool> {
        self.decided.map(|(d, _)| d <= self.accept_due)
    }

    /// Answered by its due date (accepted complaints).
    pub fn answered_in_time(&self) -> Option<bool> {
        Some(self.replied_on? <= self.answer_due?)
    }

    /// Found 属实 or 部分属实.
    pub fn substantiated(&self) -> bool {
        matches!(self.result.as_deref(), Some("属实" | "部分属实"))
    }

    /// The day a substantiated complaint counts: its close, else its
    /// answer, else its receipt.
    pub fn substantiated_on(&self) -> Option<NaiveDate> {
        self.substantiated().then(|| {
            self.closed_on
                .or(self.replied_on)
                .unwrap_or(self.received_on)
        })
    }

    /// Its points as a score event: its own, else the rule's for its result.
    pub fn points(&self, rules: &ComplaintRules) -> f64 {
        self.points.unwrap_or(match self.result.as_deref() {
            Some("部分属实") => rules.partly_points,
            _ => rules.substantiated_points,
        })
    }

    /// Its card for a deadline of `kind` (受理 or 答复) on `deadline`.
    pub fn card(&self, kind: &'static str, deadline: NaiveDate) -> ComplaintCard {
        ComplaintCard {
            complaint_id: self.complaint_id.clone(),
            window_id: self.window_id.clone(),
            staff_id: self.staff_id.clone(),
            department: self.department.clone(),
            received_on: self.received_on,
            deadline_kind: kind,
            deadline,
        }
    }

    /// The deadline it is past at the end of `day`, if any: 受理 (not
    /// decided after its accept date) or 答复 (accepted, not answered after
    /// its answer date). A closed complaint is past none.
    pub fn past_due_on(&self, day: NaiveDate) -> Option<&'static str> {
        if day < self.received_on || self.closed_on.is_some_and(|c| c <= day) {
            return None;
        }
        let decided = self.decided.filter(|(d, _)| *d <= day);
        match decided {
            None if day > self.accept_due => Some("受理"),
            Some((_, true))
                if self.replied_on.is_none_or(|r| r > day)
                    && self.answer_due.is_some_and(|due| day > due) =>
            {
                Some("答复")
            }
            _ => None,
        }
    }
}

/// The complaints of a `complaints` frame as of `as_of` (received by then;
/// what happened after it left out).
pub fn complaints_of(
    df: &DataFrame,
    cal: &Calendar,
    rules: &ComplaintRules,
    as_of: NaiveDate,
) -> Result<Vec<Complaint>> {
    let text = |c: &str| opt_strings(df, c);
    let day = |c: &str| -> Result<Vec<Option<NaiveDate>>> {
        Ok(dates_of(&df.column(c)?.cast(&DataType::Date)?)?
            .into_iter()
            .map(|d| d.filter(|d| *d <= as_of))
            .collect())
    };
    let (id, channel, window, staff, department, category, result) = (
        text("complaint_id")?,
        text("channel")?,
        text("window_id")?,
        text("staff_id")?,
        text("department")?,
        text("category")?,
        text("result")?,
    );
    let (received, accepted, declined, replied, closed) = (
        day("received_at")?,
        day("accepted_at")?,
        day("declined_at")?,
        day("replied_at")?,
        day("closed_at")?,
    );
    let points = opt_f64s(df, "points")?;
    let mut out = Vec::new();
    for i in 0..df.height() {
        let (Some(id), Some(received_on)) = (id[i].clone(), received[i]) else {
            continue;
        };
        let decided = match (accepted[i], declined[i]) {
            (Some(a), _) => Some((a, true)),
            (None, Some(d)) => Some((d, false)),
            (None, None) => None,
        };
        let accept_due = cal
            .deadline(received_on, rules.accept_days)
            .with_context(|| format!("complaint {id}"))?;
        let answer_due = match decided {
            Some((a, true)) => Some(
                cal.deadline(a, rules.answer_days)
                    .with_context(|| format!("complaint {id}"))?,
            ),
            _ => None,
        };
        // A result counts once the complaint is answered or closed.
        let result = result[i]
            .clone()
            .filter(|_| replied[i].is_some() || closed[i].is_some());
        out.push(Complaint {
            complaint_id: id,
            received_on,
            channel: channel[i].clone(),
            window_id: window[i].clone(),
            staff_id: staff[i].clone(),
            department: department[i].clone(),
            category: category[i].clone(),
            decided,
            replied_on: replied[i],
            result,
            closed_on: closed[i],
            points: points[i],
            accept_due,
            answer_due,
        });
    }
    out.sort_by(|a, b| (a.received_on, &a.complaint_id).cmp(&(b.received_on, &b.complaint_id)));
    Ok(out)
}

/// The measures of `complaint_metrics`: summed over a period's days but
/// `open_past_due` (at its end).
const MEASURES: [(&str, Roll); 10] = [
    ("received", Roll::Sum),
    ("decided", Roll::Sum),
    ("accepted_in_time", Roll::Sum),
    ("declined", Roll::Sum),
    ("answered", Roll::Sum),
    ("answered_in_time", Roll::Sum),
    ("closed", Roll::Sum),
    ("concluded", Roll::Sum),
    ("substantiated", Roll::Sum),
    ("open_past_due", Roll::AtEnd),
];

/// `complaint_metrics`: per grain, period and level (center, department,
/// window, staff), the complaints received, decided (and in time),
/// declined, answered (and in time), closed, concluded with a result and
/// of those substantiated (属实 or 部分属实), each on its day, and those open past a deadline at the
/// period's end. A complaint's department is its window's, else its own.
pub fn complaint_metrics(
    complaints: &[Complaint],
    windows: &DataFrame,
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let mut rows: Vec<(NaiveDate, &Complaint, usize)> = Vec::new();
    for c in complaints {
        rows.push((c.received_on, c, 0));
        if let Some((d, accepted)) = c.decided {
            rows.push((d, c, 1));
            if c.decided_in_time() == Some(true) {
                rows.push((d, c, 2));
            }
            if !accepted {
                rows.push((d, c, 3));
            }
        }
        if let Some(r) = c.replied_on {
            rows.push((r, c, 4));
            if c.answered_in_time() == Some(true) {
                rows.push((r, c, 5));
            }
        }
        if let Some(d) = c.closed_on {
            rows.push((d, c, 6));
        }
        if c.result.is_some() {
            let d = c.closed_on.or(c.replied_on).unwrap_or(c.received_on);
            rows.push((d, c, 7));
            if c.substantiated() {
                rows.push((d, c, 8));
            }
        }
        let last = c
            .closed_on
            .and_then(|d| d.pred_opt())
            .map_or(as_of, |d| d.min(as_of));
        for day in c.received_on.iter_days().take_while(|d| *d <= last) {
            if c.past_due_on(day).is_some() {
                rows.push((day, c, 9));
            }
        }
    }
    let text = |name: &str, f: &dyn Fn(&Complaint) -> Option<String>| -> Column {
        Column::new(name.into(), rows.iter().map(|r| f(r.1)).collect::<Vec<_>>())
    };
    let mut columns = vec![
        date_series("date", rows.iter().map(|r| Some(r.0)))?,
        text("window_id", &|c| c.window_id.clone()),
        text("staff_id", &|c| c.staff_id.clone()),
        text("own_department", &|c| c.department.clone()),
    ];
    let measured: Vec<(usize, i64)> = rows.iter().map(|r| (r.2, 1)).collect();
    columns.extend(measure_columns(&MEASURES, &measured));
    let events = DataFrame::new(rows.len(), columns)?
        .lazy()
        .with_department(windows)
        .with_column(coalesce(&[col("department"), col("own_department")]).alias("department"))
        .drop(by_name(["own_department"], true, false));
    let sums = rollup(events, &RollupSpec::people(&MEASURES, &[], as_of))?;
    Ok(super::schema::COMPLAINTS.finish(sums.lazy())?)
}

/// A complaint past a deadline at the end of a date: a red card of its
/// window (and staff member), by the complaint id.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintCard {
    pub complaint_id: String,
    pub window_id: Option<String>,
    pub staff_id: Option<String>,
    pub department: Option<String>,
    pub received_on: NaiveDate,
    /// 受理 or 答复: the deadline passed.
    pub deadline_kind: &'static str,
    pub deadline: NaiveDate,
}

/// The complaints past a deadline at the end of `day`.
pub fn complaint_cards(complaints: &[Complaint], day: NaiveDate) -> Vec<ComplaintCard> {
    complaints
        .iter()
        .filter_map(|c| {
            let kind = c.past_due_on(day)?;
            let deadline = match kind {
                "受理" => c.accept_due,
                _ => c.answer_due?,
            };
            Some(c.card(kind, deadline))
        })
        .collect()
}

/// The complaints whose deadline is `day` and still open at its end (to
/// decide by then, or, accepted, to answer): the cards of tomorrow unless
/// handled today, with the deadline's kind.
pub fn complaints_due_on(complaints: &[Complaint], day: NaiveDate) -> Vec<ComplaintCard> {
    complaints
        .iter()
        .filter(|c| c.received_on <= day && c.closed_on.is_none_or(|d| d > day))
        .filter_map(|c| {
            let decided = c.decided.filter(|(d, _)| *d <= day);
            let kind = match decided {
                None if c.accept_due == day => "受理",
                Some((_, true))
                    if c.answer_due == Some(day) && c.replied_on.is_none_or(|r| r > day) =>
                {
                    "答复"
                }
                _ => return None,
            };
            Some(c.card(kind, day))
        })
        .collect()
}

/// A complaint card over its life: raised on the first day the complaint
/// ended past a deadline, cleared on the first day it no longer did
/// (decided, answered or closed), by the rule of
/// [`Complaint::past_due_on`].
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintCardRecord {
    pub card: ComplaintCard,
    pub raised_on: NaiveDate,
    pub cleared_on: Option<NaiveDate>,
}

/// Every complaint card raised by the end of `as_of`, in complaint order
/// (a complaint late to be decided and then late to be answered has two).
pub fn complaint_card_history(
    complaints: &[Complaint],
    as_of: NaiveDate,
) -> Vec<ComplaintCardRecord> {
    let mut out = Vec::new();
    for c in complaints {
        let mut open: Option<ComplaintCardRecord> = None;
        for day in c.received_on.iter_days().take_while(|d| *d <= as_of) {
            let kind = c.past_due_on(day);
            if open.as_ref().map(|r| r.card.deadline_kind) != kind {
                if let Some(mut r) = open.take() {
                    r.cleared_on = Some(day);
                    out.push(r);
                }
                open = complaint_cards(std::slice::from_ref(c), day)
                    .into_iter()
                    .next()
                    .map(|card| ComplaintCardRecord {
                        card,
                        raised_on: day,
                        cleared_on: None,
                    });
            }
            if kind.is_none() && c.closed_on.is_some_and(|d| d <= day) {
                break;
            }
        }
        out.extend(open);
    }
    out
}

/// Complaint cards as a frame: `complaint_id, window_id, staff_id,
/// department, received_on, deadline_kind, deadline`.
pub fn complaint_cards_frame(cards: &[ComplaintCard]) -> Result<DataFrame> {
    let text = |name: &str, f: &dyn Fn(&ComplaintCard) -> Option<String>| -> Column {
        Column::new(name.into(), cards.iter().map(f).collect::<Vec<_>>())
    };
    Ok(DataFrame::new(
        cards.len(),
        vec![
            text("complaint_id", &|c| Some(c.complaint_id.clone())),
            text("window_id", &|c| c.window_id.clone()),
            text("staff_id", &|c| c.staff_id.clone()),
            text("department", &|c| c.department.clone()),
            date_series("received_on", cards.iter().map(|c| Some(c.received_on)))?,
            text("deadline_kind", &|c| Some(c.deadline_kind.to_string())),
            date_series("deadline", cards.iter().map(|c| Some(c.deadline)))?,
        ],
    )?)
}

/// A complaint card history as a frame: the columns of
/// [`complaint_cards_frame`], then `raised_on, cleared_on`.
pub fn complaint_card_history_frame(records: &[ComplaintCardRecord]) -> Result<DataFrame> {
    let cards: Vec<ComplaintCard> = records.iter().map(|r| r.card.clone()).collect();
    let mut df = complaint_cards_frame(&cards)?;
    df.with_column(date_series(
        "raised_on",
        records.iter().map(|r| Some(r.raised_on)),
    )?)?;
    df.with_column(date_series(
        "cleared_on",
        records.iter().map(|r| r.cleared_on),
    )?)?;
    Ok(df)
}

/// The ids of the complaints, for the incidents that repeat one (an
/// incident row whose id is a complaint's is the same complaint: it is
/// counted once, as the complaint).
pub fn ids(complaints: &[Complaint]) -> std::collections::HashSet<&str> {
    complaints.iter().map(|c| c.complaint_id.as_str()).collect()
}

/// The incidents as the three zeros read them: the stored rows but those
/// that repeat a complaint, then one row per complaint of a window with a
/// result (source `source`, the first of `[incidents] complaint_sources`,
/// dated as its result counts, substantiated when 属实 or 部分属实).
/// Columns: `incident_id, date, source, window_id, staff_id, category,
/// substantiated, points`.
pub fn with_incidents(
    incidents: Option<&DataFrame>,
    complaints: &[Complaint],
    rules: &ComplaintRules,
    source: &str,
) -> Result<Option<DataFrame>> {
    let columns = [
        "incident_id",
        "date",
        "source",
        "window_id",
        "staff_id",
        "category",
        "substantiated",
        "points",
    ];
    let concluded: Vec<&Complaint> = complaints
        .iter()
        .filter(|c| c.result.is_some() && c.window_id.is_some())
        .collect();
    let own = |f: &dyn Fn(&Complaint) -> Option<String>| -> Vec<Option<String>> {
        concluded.iter().map(|c| f(c)).collect()
    };
    let mine = DataFrame::new(
        concluded.len(),
        vec![
            Column::new("incident_id".into(), own(&|c| Some(c.complaint_id.clone()))),
            date_series(
                "date",
                concluded
                    .iter()
                    .map(|c| c.closed_on.or(c.replied_on).or(Some(c.received_on))),
            )?,
            Column::new("source".into(), own(&|_| Some(source.to_string()))),
            Column::new("window_id".into(), own(&|c| c.window_id.clone())),
            Column::new("staff_id".into(), own(&|c| c.staff_id.clone())),
            Column::new("category".into(), own(&|c| c.category.clone())),
            Column::new(
                "substantiated".into(),
                concluded
                    .iter()
                    .map(|c| Some(c.substantiated()))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "points".into(),
                concluded
                    .iter()
                    .map(|c| Some(c.points(rules)))
                    .collect::<Vec<_>>(),
            ),
        ],
    )?;
    let Some(incidents) = incidents else {
        return Ok((mine.height() > 0).then_some(mine));
    };
    let ids: Vec<&str> = complaints.iter().map(|c| c.complaint_id.as_str()).collect();
    let kept = incidents
        .clone()
        .lazy()
        .filter(
            col("incident_id")
                .is_in(lit(Series::new("ids".into(), ids)).implode(false), false)
                .not()
                .or(col("incident_id").is_null()),
        )
        .select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()?;
    let mine = mine
        .lazy()
        .select(
            columns
                .iter()
                .map(|c| {
                    col(*c).cast(
                        kept.column(c)
                            .map(|k| k.dtype().clone())
                            .unwrap_or(DataType::String),
                    )
                })
                .collect::<Vec<_>>(),
        )
        .collect()?;
    Ok(Some(kept.vstack(&mine)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// November 2026: weekends 7–8, 14–15, 21–22, 28–29; no holiday.
    fn fixture() -> DataFrame {
        let dt = |s: &str| Some(format!("{s} 10:00"));
        type Row<'a> = (
            &'a str,
            &'a str,
            Option<&'a str>,
            [Option<String>; 4],
            Option<&'a str>,
        );
        let rows: [Row; 5] = [
            // K1: received Mon 2, accepted Wed 4 (due Thu 5: in time),
            // answered Wed 11 (due Wed 11: in time), closed 属实 Thu 12.
            (
                "K1",
                "2026-11-02",
                Some("W01"),
                [dt("2026-11-04"), None, dt("2026-11-11"), dt("2026-11-12")],
                Some("属实"),
            ),
            // K2: received Mon 2, declined Mon 9 (due Thu 5: late).
            (
                "K2",
                "2026-11-02",
                Some("W01"),
                [None, dt("2026-11-09"), None, dt("2026-11-09")],
                None,
            ),
            // K3: received Tue 3, accepted Tue 3, not answered: due Tue 10,
            // past due from Wed 11.
            (
                "K3",
                "2026-11-03",
                Some("W02"),
                [dt("2026-11-03"), None, None, None],
                None,
            ),
            // K4: received Mon 16, undecided: due Thu 19, past due Fri 20.
            ("K4", "2026-11-16", None, [None, None, None, None], None),
            // K5: received Mon 9, accepted Mon 9, answered Fri 13 不属实, closed.
            (
                "K5",
                "2026-11-09",
                Some("W02"),
                [dt("2026-11-09"), None, dt("2026-11-13"), dt("2026-11-13")],
                Some("不属实"),
            ),
        ];
        let col_of =
            |k: usize| -> Vec<Option<String>> { rows.iter().map(|r| r.3[k].clone()).collect() };
        let mut df = df!(
            "complaint_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "received_at" => rows.iter().map(|r| format!("{} 09:00", r.1)).collect::<Vec<_>>(),
            "channel" => ["12345", "效能热线", "信箱", "网上", "现场"],
            "window_id" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "staff_id" => [Some("1001"), None, None, None, None],
            "department" => [None, None, None, Some("税务局"), None],
            "category" => ["服务态度"; 5],
            "accepted_at" => col_of(0),
            "declined_at" => col_of(1),
            "replied_at" => col_of(2),
            "result" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            "closed_at" => col_of(3),
            "points" => [None::<f64>; 5],
        )
        .unwrap();
        crate::polars_ext::parse_datetimes(
            &mut df,
            &[
                "received_at",
                "accepted_at",
                "declined_at",
                "replied_at",
                "closed_at",
            ],
        );
        df
    }

    fn complaints(as_of: &str) -> Vec<Complaint> {
        complaints_of(
            &fixture(),
            &Calendar::official(),
            &ComplaintRules::default(),
            d(as_of),
        )
        .unwrap()
    }

    #[test]
    fn deadlines_and_results_worked_by_hand() {
        let cs = complaints("2026-11-30");
        let by = |id: &str| cs.iter().find(|c| c.complaint_id == id).unwrap();
        let k1 = by("K1");
        assert_eq!(k1.accept_due, d("2026-11-05"));
        assert_eq!(k1.answer_due, Some(d("2026-11-11")));
        assert_eq!(
            (k1.decided_in_time(), k1.answered_in_time()),
            (Some(true), Some(true))
        );
        assert_eq!(k1.substantiated_on(), Some(d("2026-11-12")));
        assert_eq!(k1.points(&ComplaintRules::default()), -2.0);
        let k2 = by("K2");
        assert_eq!(k2.decided, Some((d("2026-11-09"), false)));
        assert_eq!(k2.decided_in_time(), Some(false));
        // Past its accept date from Fri 6 (weekend included) until
        // declined Mon 9: past none at that day's end.
        assert_eq!(k2.past_due_on(d("2026-11-05")), None);
        assert_eq!(k2.past_due_on(d("2026-11-06")), Some("受理"));
        assert_eq!(k2.past_due_on(d("2026-11-08")), Some("受理"));
        assert_eq!(k2.past_due_on(d("2026-11-09")), None);
        let k3 = by("K3");
        assert_eq!(k3.answer_due, Some(d("2026-11-10")));
        assert_eq!(k3.past_due_on(d("2026-11-10")), None);
        assert_eq!(k3.past_due_on(d("2026-11-11")), Some("答复"));
        let k4 = by("K4");
        assert_eq!(k4.past_due_on(d("2026-11-19")), None);
        assert_eq!(k4.past_due_on(d("2026-11-20")), Some("受理"));
        assert!(!by("K5").substantiated());
        // As of Tue 10 (before K1 was answered), its result does not count.
        let early = complaints("2026-11-10");
        assert_eq!(
            early
                .iter()
                .find(|c| c.complaint_id == "K1")
                .unwrap()
                .result,
            None
        );
        // Cards at the end of Fri 20: K3 (答复, due Tue 10) and K4 (受理).
        let cards = complaint_cards(&cs, d("2026-11-20"));
        let got: Vec<_> = cards
            .iter()
            .map(|c| (c.complaint_id.as_str(), c.deadline_kind, c.deadline))
            .collect();
        assert_eq!(
            got,
            [
                ("K3", "答复", d("2026-11-10")),
                ("K4", "受理", d("2026-11-19"))
            ]
        );
    }

    #[test]
    fn the_month_worked_by_hand() {
        let cs = complaints("2026-11-30");
        let windows =
            df!("window_id" => ["W01", "W02"], "department" => ["税务局", "人社局"]).unwrap();
        let m = complaint_metrics(&cs, &windows, d("2026-11-30")).unwrap();
        let row = |level: &str, key: &str| {
            let r = m
                .clone()
                .lazy()
                .filter(
                    col("grain")
                        .eq(lit("month"))
                        .and(col("level").eq(lit(level)))
                        .and(col("key").eq(lit(key))),
                )
                .collect()
                .unwrap();
            let v = |c: &str| r.column(c).unwrap().i64().unwrap().get(0).unwrap();
            [
                v("received"),
                v("decided"),
                v("accepted_in_time"),
                v("declined"),
                v("answered"),
                v("answered_in_time"),
                v("closed"),
                v("concluded"),
                v("substantiated"),
                v("open_past_due"),
            ]
        };
        // Five received; K1 K2 K3 K5 decided, K1 K3 K5 in time, K2
        // declined; K1 K5 answered in time; K1 K2 K5 closed; K1 属实, K5
        // 不属实; at the month's end K3 (答复) and K4 (受理) past due.
        assert_eq!(row("center", "center"), [5, 4, 3, 1, 2, 2, 3, 2, 1, 2]);
        assert_eq!(row("window", "W01"), [2, 2, 1, 1, 1, 1, 2, 1, 1, 0]);
        // K4 has no window: its own department.
        assert_eq!(row("department", "税务局"), [3, 2, 1, 1, 1, 1, 2, 1, 1, 1]);
        let rate = |c: &str| {
            m.clone()
                .lazy()
                .filter(
                    col("grain")
                        .eq(lit("month"))
                        .and(col("level").eq(lit("center"))),
                )
                .collect()
                .unwrap()
                .column(c)
                .unwrap()
                .f64()
                .unwrap()
                .get(0)
        };
        assert_eq!(rate("accepted_in_time_rate"), Some(0.75));
        assert_eq!(rate("answered_in_time_rate"), Some(1.0));
        assert_eq!(rate("substantiated_rate"), Some(0.5));
    }
}
