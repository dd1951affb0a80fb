//! The replies (回告) to the 督办 notices of the overdue cases: most on time,
//! some late, some never; most explain, some ask for more time, and a case
//! completed by then is reported done.

use super::cases::Case;
use super::days::{fmt_date, fmt_dt, Days};
use super::output::line;
use super::rng::Rng;
use chrono::NaiveTime;

/// Shares of the notices answered within the reply days, answered late, and
/// never answered (the rest).
const ON_TIME: f64 = 0.6;
const LATE: f64 = 0.2;
/// Of the answers for a case not completed yet: an extension asked for.
const EXTENSION: f64 = 0.35;

const REASONS: &[&str] = &[
    "申请人补充材料未到齐,已电话催办",
    "需现场勘验,已与申请人约定时间",
    "系统故障导致办结信息未及时推送",
    "涉及多部门会签,正在协调",
    "经办人病假,已安排B岗接办",
];

/// One reply per answered notice (the notice of each overdue case, opened
/// the day it turns red), by case id or, for some, by notice id.
pub(super) fn gen_replies(seed: u64, days: &Days, cases: &[Case]) -> Vec<String> {
    let mut rng = Rng::new(seed, "replies");
    let mut rows = Vec::new();
    for case in cases {
        let Some(red) = case.red_day else {
            continue;
        };
        let roll = rng.unit();
        let after = if roll < ON_TIME {
            rng.between(0, 2) as usize
        } else if roll < ON_TIME + LATE {
            rng.between(3, 8) as usize
        } else {
            continue;
        };
        let Some(day) = days.after(red, after) else {
            continue;
        };
        let at = days.dates[day].and_time(
            NaiveTime::from_hms_opt(rng.between(9, 17), rng.between(0, 59), 0).expect("a time"),
        );
        let done = case.completed.is_some_and(|c| c <= at);
        let (outcome, new_date, reason) = if done {
            ("已办结", String::new(), String::new())
        } else if rng.chance(EXTENSION) {
            let to = days
                .after(day, rng.between(3, 10) as usize)
                .map(|d| fmt_date(days.dates[d]))
                .unwrap_or_default();
            match to.is_empty() {
                true => ("已说明情况", String::new(), rng.pick(REASONS).to_string()),
                false => ("申请延期", to, rng.pick(REASONS).to_string()),
            }
        } else {
            ("已说明情况", String::new(), rng.pick(REASONS).to_string())
        };
        // Some systems answer by the notice's number (the case id).
        let notice = match rng.chance(0.3) {
            true => case.id.as_str(),
            false => "",
        };
        rows.push(line(&[
            notice,
            &case.id,
            &fmt_dt(at),
            outcome,
            &new_date,
            &reason,
        ]));
    }
    rows
}
