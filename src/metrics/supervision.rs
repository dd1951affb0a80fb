//! 督办: the notices red cards open, the replies (回告) that close or
//! extend them, and their escalation to 效能告诫 and then to a 问责
//! referral; `supervision_metrics` rolls them up.
//!
//! A notice is a function of the card history and the replies, as of a
//! date: a red card (of a case or a step) opens one on the day it was
//! raised, due for a reply `reply_days` working days later. One day of the
//! notice's life, in this order:
//! 1. unanswered after its due date, it escalates on the next working day
//!    (stage 2, 效能告诫, due again `reply_days` later; then stage 3, 问责,
//!    which does not escalate further);
//! 2. the day's replies: 已办结 and 已说明情况 close it, 申请延期 moves its
//!    due date to the date asked for;
//! 3. its card cleared that day (the case or step finished, or a
//!    suspension took the deadline away) closes it.

use crate::calendar::Calendar;
use crate::metrics::cards::{CardRecord, Colour};
use crate::metrics::rollup::{measure_columns, rollup, Roll, RollupSpec};
use crate::metrics::WithDepartment;
use crate::polars_ext::{date_series, dates_of, opt_strings};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The rules of 督办 (`[supervision]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SupervisionRules {
    /// A notice's reply (回告) is due this many working days after it is
    /// opened or escalated.
    pub reply_days: u32,
}

impl Default for SupervisionRules {
    fn default() -> Self {
        SupervisionRules { reply_days: 2 }
    }
}

/// What a reply says (the stored words of `replies.outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 已办结: the matter is done; the notice closes.
    Done,
    /// 已说明情况: the window explained; the notice closes, the reason kept.
    Explained,
    /// 申请延期: a new date asked for; the notice's due date moves there.
    Extension,
}

impl Outcome {
    pub fn of(word: &str) -> Option<Outcome> {
        match word {
            "已办结" => Some(Outcome::Done),
            "已说明情况" => Some(Outcome::Explained),
            "申请延期" => Some(Outcome::Extension),
            _ => None,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Outcome::Done => "已办结",
            Outcome::Explained => "已说明情况",
            Outcome::Extension => "申请延期",
        }
    }
}

/// One reply (回告), as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub notice_id: Option<String>,
    pub case_id: Option<String>,
    pub replied_on: NaiveDate,
    pub outcome: Outcome,
    pub new_date: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// The replies of a `replies` frame (rows without a date or a known
/// outcome, which ingest rejects, are skipped).
pub fn replies_of(df: &DataFrame) -> Result<Vec<Reply>> {
    let (notice, case, outcome, reason) = (
        opt_strings(df, "notice_id")?,
        opt_strings(df, "case_id")?,
        opt_strings(df, "outcome")?,
        opt_strings(df, "reason")?,
    );
    let on = dates_of(&df.column("replied_at")?.cast(&DataType::Date)?)?;
    let new_date = dates_of(&df.column("new_date")?.cast(&DataType::Date)?)?;
    Ok((0..df.height())
        .filter_map(|i| {
            Some(Reply {
                notice_id: notice[i].clone(),
                case_id: case[i].clone(),
                replied_on: on[i]?,
                outcome: Outcome::of(outcome[i].as_deref()?)?,
                new_date: new_date[i],
                reason: reason[i].clone(),
            })
        })
        .collect())
}

/// How a notice closed.
pub const CLOSED_BY_REPLY: &str = "回告";
pub const CLOSED_BY_FINISH: &str = "办结";
pub const CLOSED_BY_NOT_DUE: &str = "不再超期";

/// A 督办 notice as of a date.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// The case id for a case's card, `<case_id>/<seq>` for a step's.
    pub notice_id: String,
    pub case_id: String,
    /// The step (`<seq> <step>`) of a step card.
    pub step: Option<String>,
    pub window_id: String,
    pub staff_id: Option<String>,
    pub opened_on: NaiveDate,
    /// 1 督办, 2 效能告诫, 3 问责.
    pub stage: u8,
    pub warned_on: Option<NaiveDate>,
    pub referred_on: Option<NaiveDate>,
    /// The reply due date now (the last one set, for a notice at stage 3).
    pub due_on: NaiveDate,
    /// The first reply, whether it came by its due date, and the working
    /// days from the opening to it.
    pub first_reply: Option<(NaiveDate, bool, i64)>,
    /// The last reply's outcome and reason.
    pub outcome: Option<Outcome>,
    pub reason: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub closed_by: Option<&'static str>,
    /// From each date on, the reply due date then (for the days open past
    /// it).
    pub dues: Vec<(NaiveDate, NaiveDate)>,
}

impl Notice {
    /// The stage's name.
    pub fn stage_name(&self) -> &'static str {
        stage_name(self.stage)
    }

    /// Closed because its card was found not due after all (a suspension
    /// or a new holiday list took the deadline away): its escalations
    /// cost nothing.
    pub fn voided(&self) -> bool {
        self.closed_by == Some(CLOSED_BY_NOT_DUE)
    }

    /// Open at the end of `day`, and escalated by then or past its due
    /// date (逾期未结).
    pub fn past_due_on(&self, day: NaiveDate) -> bool {
        let warned = self.warned_on.is_some_and(|w| w <= day);
        let open = day >= self.opened_on && self.closed_on.is_none_or(|c| c > day);
        let due = self
            .dues
            .iter()
            .rev()
            .find(|(from, _)| *from <= day)
            .map(|(_, due)| *due);
        open && (warned || due.is_some_and(|due| due < day))
    }
}

/// A stage's name.
pub fn stage_name(stage: u8) -> &'static str {
    match stage {
        1 => "督办",
        2 => "效能告诫",
        _ => "问责",
    }
}

/// The id of the notice of a card: its case id, and `/<seq>` for a step.
pub fn notice_id(case_id: &str, step: Option<&str>) -> String {
    match step {
        Some(s) => format!("{case_id}/{}", s.split(' ').next().unwrap_or(s)),
        None => case_id.to_string(),
    }
}

/// The notices the red cards of `history` opened, as of `as_of`, with the
/// `replies` (a reply naming a notice id applies to that notice; one
/// naming only a case, to every notice of the case; a reply dated before
/// a notice opened does not apply to it), in opening order.
pub fn notices(
    history: &[CardRecord],
    replies: &[Reply],
    cal: &Calendar,
    rules: &SupervisionRules,
    as_of: NaiveDate,
) -> Result<Vec<Notice>> {
    let mut by_notice: HashMap<&str, Vec<&Reply>> = HashMap::new();
    let mut by_case: HashMap<&str, Vec<&Reply>> = HashMap::new();
    for r in replies.iter().filter(|r| r.replied_on <= as_of) {
        match (&r.notice_id, &r.case_id) {
            (Some(n), _) => by_notice.entry(n).or_default().push(r),
            (None, Some(c)) => by_case.entry(c).or_default().push(r),
            (None, None) => {}
        }
    }
    let mut out = Vec::new();
    for card in history
        .iter()
        .filter(|c| c.colour == Colour::Red && c.raised_on <= as_of)
    {
        let id = notice_id(&card.case_id, card.step.as_deref());
        let mut own: Vec<&Reply> = by_notice
            .get(id.as_str())
            .into_iter()
            .chain(by_case.get(card.case_id.as_str()))
            .flatten()
            .copied()
            .filter(|r| r.replied_on >= card.raised_on)
            .collect();
        own.sort_by_key(|r| r.replied_on);
        out.push(
            follow(card, id, &own, cal, rules, as_of)
                .with_context(|| format!("the 督办 notice of case {}", card.case_id))?,
        );
    }
    out.sort_by(|a, b| (a.opened_on, &a.notice_id).cmp(&(b.opened_on, &b.notice_id)));
    Ok(out)
}

/// One notice's life up to `as_of` (the module doc's order of a day).
fn follow(
    card: &CardRecord,
    notice_id: String,
    replies: &[&Reply],
    cal: &Calendar,
    rules: &SupervisionRules,
    as_of: NaiveDate,
) -> Result<Notice> {
    let opened = card.raised_on;
    let due = cal.deadline(opened, rules.reply_days)?;
    let mut n = Notice {
        notice_id,
        case_id: card.case_id.to_string(),
        step: card.step.as_deref().map(str::to_string),
        window_id: card.window_id.to_string(),
        staff_id: card.staff_id.as_deref().map(str::to_string),
        opened_on: opened,
        stage: 1,
        warned_on: None,
        referred_on: None,
        due_on: due,
        first_reply: None,
        outcome: None,
        reason: None,
        closed_on: None,
        closed_by: None,
        dues: vec![(opened, due)],
    };
    let cleared = card.cleared_on.filter(|c| *c <= as_of).map(|c| {
        let by = match card.cleared_by.as_deref() {
            Some("completed") => CLOSED_BY_FINISH,
            _ => CLOSED_BY_NOT_DUE,
        };
        (c, by)
    });
    let mut next = 0;
    loop {
        let escalation = match n.stage < 3 {
            true => Some(cal.deadline(n.due_on, 1)?).filter(|d| *d <= as_of),
            false => None,
        };
        let reply = replies.get(next).copied();
        // The earliest of the three; on one day, escalation first, then
        // the replies, then the card's clearing.
        let first = [
            escalation.map(|d| (d, 0)),
            reply.map(|r| (r.replied_on, 1)),
            cleared.map(|(d, _)| (d, 2)),
        ]
        .into_iter()
        .flatten()
        .min();
        match first {
            None => break,
            Some((day, 0)) => {
                n.stage += 1;
                match n.stage {
                    2 => n.warned_on = Some(day),
                    _ => n.referred_on = Some(day),
                }
                if n.stage == 2 {
                    n.due_on = cal.deadline(day, rules.reply_days)?;
                    n.dues.push((day, n.due_on));
                }
            }
            Some((day, 1)) => {
                let r = reply.expect("a reply");
                next += 1;
                if n.first_reply.is_none() {
                    let days = cal.elapsed(opened, day)?;
                    // On time: at stage 1, by its due date (or the date an
                    // extension asked for).
                    n.first_reply = Some((day, n.stage == 1 && day <= n.due_on, days));
                }
                n.outcome = Some(r.outcome);
                n.reason = r.reason.clone();
                match (r.outcome, r.new_date) {
                    (Outcome::Extension, Some(to)) => {
                        n.due_on = to;
                        n.dues.push((day, to));
                    }
                    // An extension without its date (ingest rejects it)
                    // changes nothing.
                    (Outcome::Extension, None) => {}
                    (Outcome::Done | Outcome::Explained, _) => {
                        n.closed_on = Some(day);
                        n.closed_by = Some(CLOSED_BY_REPLY);
                        break;
                    }
                }
            }
            Some((day, _)) => {
                n.closed_on = Some(day);
                n.closed_by = cleared.map(|(_, by)| by);
                break;
            }
        }
    }
    Ok(n)
}

/// The measures of `supervision_metrics`, summed over a period's days but
/// `open_past_due` (at its end).
const MEASURES: [(&str, Roll); 8] = [
    ("issued", Roll::Sum),
    ("replied", Roll::Sum),
    ("replied_on_time", Roll::Sum),
    ("warned", Roll::Sum),
    ("referred", Roll::Sum),
    ("closed", Roll::Sum),
    ("open_past_due", Roll::AtEnd),
    ("sum_reply_days", Roll::Sum),
];

/// `supervision_metrics`: per grain, period and level (center, department,
/// window, staff), the notices issued, first replies (and those on time),
/// escalations to each stage and closings dated in the period, the notices
/// open past their due date at its end, and the mean working days from
/// opening to the first reply.
pub fn supervision_metrics(
    notices: &[Notice],
    windows: &DataFrame,
    as_of: NaiveDate,
) -> Result<DataFrame> {
    // One row per (notice, date, measure) event.
    let mut rows: Vec<(NaiveDate, &Notice, usize, i64)> = Vec::new();
    for n in notices {
        rows.push((n.opened_on, n, 0, 1));
        if let Some((day, on_time, days)) = n.first_reply {
            rows.push((day, n, 1, 1));
            rows.push((day, n, 2, i64::from(on_time)));
            rows.push((day, n, 7, days));
        }
        if let Some(d) = n.warned_on {
            rows.push((d, n, 3, 1));
        }
        if let Some(d) = n.referred_on {
            rows.push((d, n, 4, 1));
        }
        if let Some(d) = n.closed_on {
            rows.push((d, n, 5, 1));
        }
        let last = n
            .closed_on
            .and_then(|c| c.pred_opt())
            .map_or(as_of, |c| c.min(as_of));
        for day in n.opened_on.iter_days().take_while(|d| *d <= last) {
            if n.past_due_on(day) {
                rows.push((day, n, 6, 1));
            }
        }
    }
    let mut columns = vec![
        date_series("date", rows.iter().map(|r| Some(r.0)))?,
        Column::new(
            "window_id".into(),
            rows.iter()
                .map(|r| r.1.window_id.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "staff_id".into(),
            rows.iter()
                .map(|r| r.1.staff_id.as_deref())
                .collect::<Vec<_>>(),
        ),
    ];
    let measured: Vec<(usize, i64)> = rows.iter().map(|r| (r.2, r.3)).collect();
    columns.extend(measure_columns(&MEASURES, &measured));
    let events = DataFrame::new(rows.len(), columns)?
        .lazy()
        .with_department(windows);
    let sums = rollup(events, &RollupSpec::people(&MEASURES, &[], as_of))?;
    Ok(super::schema::SUPERVISION.finish(sums.lazy())?)
}

/// The notices as a frame, in their order: `notice_id, case_id, step,
/// window_id, staff_id, opened_on, stage, stage_name, warned_on,
/// referred_on, due_on, replied_on, replied_on_time, reply_days, outcome,
/// reason, closed_on, closed_by`.
pub fn notices_frame(notices: &[Notice]) -> Result<DataFrame> {
    let text = |name: &str, f: &dyn Fn(&Notice) -> Option<String>| -> Column {
        Column::new(name.into(), notices.iter().map(f).collect::<Vec<_>>())
    };
    let date = |name: &str, f: &dyn Fn(&Notice) -> Option<NaiveDate>| {
        date_series(name, notices.iter().map(f))
    };
    Ok(DataFrame::new(
        notices.len(),
        vec![
            text("notice_id", &|n| Some(n.notice_id.clone())),
            text("case_id", &|n| Some(n.case_id.clone())),
            text("step", &|n| n.step.clone()),
            text("window_id", &|n| Some(n.window_id.clone())),
            text("staff_id", &|n| n.staff_id.clone()),
            date("opened_on", &|n| Some(n.opened_on))?,
            Column::new(
                "stage".into(),
                notices
                    .iter()
                    .map(|n| i64::from(n.stage))
                    .collect::<Vec<_>>(),
            ),
            text("stage_name", &|n| Some(n.stage_name().to_string())),
            date("warned_on", &|n| n.warned_on)?,
            date("referred_on", &|n| n.referred_on)?,
            date("due_on", &|n| Some(n.due_on))?,
            date("replied_on", &|n| n.first_reply.map(|r| r.0))?,
            Column::new(
                "replied_on_time".into(),
                notices
                    .iter()
                    .map(|n| n.first_reply.map(|r| r.1))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "reply_days".into(),
                notices
                    .iter()
                    .map(|n| n.first_reply.map(|r| r.2))
                    .collect::<Vec<_>>(),
            ),
            text("outcome", &|n| n.outcome.map(|o| o.word().to_string())),
            text("reason", &|n| n.reason.clone()),
            date("closed_on", &|n| n.closed_on)?,
            text("closed_by", &|n| n.closed_by.map(str::to_string)),
        ],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn red(case: &str, raised: &str, cleared: Option<(&str, &str)>) -> CardRecord {
        CardRecord {
            case_id: case.into(),
            step: None,
            window_id: "W01".into(),
            staff_id: Some("1001".into()),
            colour: Colour::Red,
            deadline: d(raised).pred_opt().unwrap(),
            deadline_provisional: false,
            remaining: -1,
            raised_on: d(raised),
            escalated_on: None,
            cleared_on: cleared.map(|c| d(c.0)),
            cleared_by: cleared.map(|c| c.1.into()),
            recorded: true,
        }
    }

    fn reply(case: &str, on: &str, outcome: Outcome, new_date: Option<&str>) -> Reply {
        Reply {
            notice_id: None,
            case_id: Some(case.into()),
            replied_on: d(on),
            outcome,
            new_date: new_date.map(d),
            reason: Some("说明".into()),
        }
    }

    /// November 2026 has no holiday: weekends 7–8, 14–15, 21–22, 28–29.
    fn run(history: &[CardRecord], replies: &[Reply], as_of: &str) -> Vec<Notice> {
        notices(
            history,
            replies,
            &Calendar::official(),
            &SupervisionRules::default(),
            d(as_of),
        )
        .unwrap()
    }

    #[test]
    fn an_unanswered_notice_escalates_twice_then_stays_referred() {
        // Opened Mon 2 Nov, due Wed 4; warned Thu 5, due again Mon 9
        // (two working days after Thu 5: Fri 6, Mon 9); referred Tue 10.
        let n = &run(&[red("C1", "2026-11-02", None)], &[], "2026-11-20")[0];
        assert_eq!(n.warned_on, Some(d("2026-11-05")));
        assert_eq!(n.referred_on, Some(d("2026-11-10")));
        assert_eq!((n.stage, n.stage_name()), (3, "问责"));
        assert_eq!(n.due_on, d("2026-11-09"));
        assert!(n.closed_on.is_none());
        // On the due date it is not yet past it; the day after it is.
        assert!(!n.past_due_on(d("2026-11-04")));
        assert!(n.past_due_on(d("2026-11-05")));
        // Escalated, it stays past due until it closes.
        assert!(n.past_due_on(d("2026-11-06")));
        assert!(n.past_due_on(d("2026-11-10")));
        // Before it opened, it is not.
        assert!(!n.past_due_on(d("2026-11-01")));
        // As of the due date nothing has escalated yet.
        let early = &run(&[red("C1", "2026-11-02", None)], &[], "2026-11-04")[0];
        assert_eq!((early.stage, early.warned_on), (1, None));
    }

    #[test]
    fn replies_close_extend_or_come_late() {
        let history = [
            red("C1", "2026-11-02", None),
            red("C2", "2026-11-02", None),
            red("C3", "2026-11-02", Some(("2026-11-12", "completed"))),
            red("C4", "2026-11-02", None),
        ];
        let replies = [
            // C1: explained on its due date: on time, closed.
            reply("C1", "2026-11-04", Outcome::Explained, None),
            // C2: extension to Wed 11 on Tue 3, then nothing: warned Thu 12.
            reply("C2", "2026-11-03", Outcome::Extension, Some("2026-11-11")),
            // C3: replies late (Fri 6, after the warning of Thu 5), asking
            // for Tue 17; the case completes Thu 12 and closes it.
            reply("C3", "2026-11-06", Outcome::Extension, Some("2026-11-17")),
            // C4: a reply dated before the notice opened does not count.
            reply("C4", "2026-10-30", Outcome::Done, None),
        ];
        let ns = run(&history, &replies, "2026-11-20");
        let by = |id: &str| ns.iter().find(|n| n.notice_id == id).unwrap();
        let c1 = by("C1");
        assert_eq!(c1.first_reply, Some((d("2026-11-04"), true, 2)));
        assert_eq!(
            (c1.closed_on, c1.closed_by),
            (Some(d("2026-11-04")), Some(CLOSED_BY_REPLY))
        );
        assert_eq!((c1.stage, c1.reason.as_deref()), (1, Some("说明")));
        let c2 = by("C2");
        assert_eq!(c2.first_reply, Some((d("2026-11-03"), true, 1)));
        assert_eq!(c2.warned_on, Some(d("2026-11-12")));
        // Due again two working days after Thu 12: Mon 16; referred Tue 17.
        assert_eq!(c2.referred_on, Some(d("2026-11-17")));
        // Extended to Wed 11, it is not past due that day; the next it is.
        assert!(!c2.past_due_on(d("2026-11-11")));
        assert!(c2.past_due_on(d("2026-11-12")));
        let c3 = by("C3");
        assert_eq!(c3.warned_on, Some(d("2026-11-05")));
        assert_eq!(c3.first_reply, Some((d("2026-11-06"), false, 4)));
        assert_eq!(c3.due_on, d("2026-11-17"));
        assert_eq!(
            (c3.closed_on, c3.closed_by),
            (Some(d("2026-11-12")), Some(CLOSED_BY_FINISH))
        );
        assert_eq!(c3.referred_on, None);
        let c4 = by("C4");
        assert_eq!((c4.first_reply, c4.stage), (None, 3));
    }

    #[test]
    fn a_reply_names_its_notice_or_its_case() {
        let mut step = red("C1", "2026-11-03", None);
        step.step = Some("2 审核".into());
        let history = [red("C1", "2026-11-02", None), step];
        let to_step = Reply {
            notice_id: Some("C1/2".into()),
            ..reply("C1", "2026-11-04", Outcome::Done, None)
        };
        let ns = run(&history, std::slice::from_ref(&to_step), "2026-11-04");
        assert_eq!(ns[0].notice_id, "C1");
        assert!(ns[0].first_reply.is_none());
        assert_eq!(ns[1].notice_id, "C1/2");
        assert_eq!(ns[1].closed_on, Some(d("2026-11-04")));
        // By case id alone, it answers both.
        let ns = run(
            &history,
            &[reply("C1", "2026-11-04", Outcome::Done, None)],
            "2026-11-04",
        );
        assert!(ns.iter().all(|n| n.closed_on == Some(d("2026-11-04"))));
    }

    #[test]
    fn a_card_that_is_no_longer_due_closes_its_notice() {
        let ns = run(
            &[red("C1", "2026-11-02", Some(("2026-11-03", "extended")))],
            &[],
            "2026-11-20",
        );
        assert_eq!(ns[0].closed_by, Some(CLOSED_BY_NOT_DUE));
        assert_eq!(ns[0].stage, 1);
        assert!(ns[0].voided());
    }

    #[test]
    fn the_metrics_of_a_month_worked_by_hand() {
        let history = [
            red("C1", "2026-11-02", None),
            red("C2", "2026-11-02", Some(("2026-11-12", "completed"))),
            red("C3", "2026-11-30", None),
        ];
        let replies = [reply("C1", "2026-11-04", Outcome::Explained, None)];
        let ns = run(&history, &replies, "2026-11-30");
        let windows = df!(
            "window_id" => ["W01"],
            "department" => ["税务局"]
        )
        .unwrap();
        let m = supervision_metrics(&ns, &windows, d("2026-11-30")).unwrap();
        let month = m
            .lazy()
            .filter(
                col("grain")
                    .eq(lit("month"))
                    .and(col("level").eq(lit("window"))),
            )
            .collect()
            .unwrap();
        assert_eq!(month.height(), 1);
        let get = |c: &str| {
            month
                .column(c)
                .unwrap()
                .cast(&DataType::Float64)
                .unwrap()
                .f64()
                .unwrap()
                .get(0)
        };
        // Issued 3; C1 replied on time in 2 days; C2 warned Thu 5 and
        // referred Tue 10, closed by completion Thu 12; C3 opened on the
        // last day, due Wed 2 Dec: not past due. At the month's end none
        // is open past its due date (C1 and C2 closed).
        assert_eq!(get("issued"), Some(3.0));
        assert_eq!(get("replied"), Some(1.0));
        assert_eq!(get("replied_on_time"), Some(1.0));
        assert_eq!(get("warned"), Some(1.0));
        assert_eq!(get("referred"), Some(1.0));
        assert_eq!(get("closed"), Some(2.0));
        assert_eq!(get("open_past_due"), Some(0.0));
        assert_eq!(get("mean_reply_days"), Some(2.0));
        assert_eq!(get("on_time_reply_rate"), Some(1.0));
        // Week 2–8 Nov: C2 warned Thu 5, open past due at Sun 8's end.
        let week = |start: &str| {
            let w = supervision_metrics(&ns, &windows, d("2026-11-30"))
                .unwrap()
                .lazy()
                .filter(
                    col("grain")
                        .eq(lit("week"))
                        .and(col("level").eq(lit("center")))
                        .and(col("period_start").eq(crate::polars_ext::date_lit(d(start)))),
                )
                .collect()
                .unwrap();
            let v = |c: &str| w.column(c).unwrap().i64().unwrap().get(0);
            (
                v("issued"),
                v("warned"),
                v("referred"),
                v("closed"),
                v("open_past_due"),
            )
        };
        assert_eq!(
            week("2026-11-02"),
            (Some(2), Some(1), Some(0), Some(1), Some(1))
        );
        // Week 9–15: C2 referred Tue 10, closed Thu 12: none past due Sun 15.
        assert_eq!(
            week("2026-11-09"),
            (Some(0), Some(0), Some(1), Some(1), Some(0))
        );
        let frame = notices_frame(&ns).unwrap();
        assert_eq!(frame.height(), 3);
    }
}
