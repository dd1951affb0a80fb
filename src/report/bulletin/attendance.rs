//! 六、考勤与实名通报: the staff named for attendance (who is named is
//! [`crate::metrics::attendance::named_for_attendance`], by the thresholds
//! of `[attendance]`) and the attendance heat map of the period.

use super::{Context, Section};
use crate::attendance::Schedule;
use crate::metrics::attendance::named_for_attendance;
use crate::polars_ext::date_lit;
use crate::view::{render_markdown, shown_key};
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    let c = |x| crate::view::shown(&crate::metrics::schema::ATTENDANCE, x);
    let (period, z, this) = (cx.period, cx.z, cx.this);
    let mut md = String::new();
    let _ = writeln!(md, "\n## 六、考勤与实名通报\n");
    let Some(days) = z.attendance_days else {
        let _ = writeln!(md, "{this}无考勤数据。");
        return Ok(Section::text(md));
    };
    let rules = z.attendance_rules;
    let named = z.names.attach_windows(named_for_attendance(
        days,
        z.staff,
        period.start,
        period.end,
        rules,
    )?)?;
    let (named_words, none_words) = (criteria(rules, false), criteria(rules, true));
    if named.height() == 0 {
        if none_words.is_empty() {
            let _ = writeln!(md, "{this}无考勤实名通报。");
        } else {
            let _ = writeln!(md, "{this}无{none_words}。");
        }
    } else {
        let _ = writeln!(md, "{named_words}者:\n");
        md.push_str(&render_markdown(
            &named,
            &[
                shown_key("window_id"),
                shown_key("staff_id"),
                shown_key("name"),
                c("absent_half_days"),
                c("late"),
                c("overlong_departures"),
            ],
        )?);
    }
    let of_period = days
        .clone()
        .lazy()
        .filter(
            col("date")
                .gt_eq(date_lit(period.start))
                .and(col("date").lt_eq(date_lit(period.end))),
        )
        .collect()?;
    Ok(Section {
        markdown: md,
        tables: vec![("attendance_named", named)],
        charts: vec![crate::report::charts::attendance_heat_map(
            &of_period,
            period.start,
            period.end,
        )?],
    })
}

/// The naming thresholds in words: 旷工、迟到三次以上或离岗超时 by default
/// (`none`: as said after 无, 旷工、三次以上迟到或离岗超时); empty when every
/// criterion is off.
fn criteria(rules: &Schedule, none: bool) -> String {
    let word = |what: &str, n: u32, unit: &str| -> Option<String> {
        match n {
            0 => None,
            1 => Some(what.to_string()),
            n if none => Some(format!("{}{unit}以上{what}", number(n))),
            n => Some(format!("{what}{}{unit}以上", number(n))),
        }
    };
    let words: Vec<String> = [
        word("旷工", rules.name_absent_half_days, "个半天"),
        word("迟到", rules.name_late_times, "次"),
        word("离岗超时", rules.name_overlong_departures, "次"),
    ]
    .into_iter()
    .flatten()
    .collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{}或{last}", rest.join("、")),
    }
}

/// A small count in Chinese numerals (一, 两, 三 … 十), a larger one in digits.
fn number(n: u32) -> String {
    const WORDS: [&str; 10] = ["一", "两", "三", "四", "五", "六", "七", "八", "九", "十"];
    match n {
        1..=10 => WORDS[n as usize - 1].to_string(),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attendance_criteria_in_words() {
        let rules = Schedule::default();
        assert_eq!(criteria(&rules, false), "旷工、迟到三次以上或离岗超时");
        assert_eq!(criteria(&rules, true), "旷工、三次以上迟到或离岗超时");
        let other = Schedule {
            name_absent_half_days: 2,
            name_late_times: 12,
            name_overlong_departures: 0,
            ..Schedule::default()
        };
        assert_eq!(criteria(&other, false), "旷工两个半天以上或迟到12次以上");
        assert_eq!(criteria(&other, true), "两个半天以上旷工或12次以上迟到");
        let off = Schedule {
            name_absent_half_days: 0,
            name_late_times: 0,
            name_overlong_departures: 1,
            ..Schedule::default()
        };
        assert_eq!(criteria(&off, false), "离岗超时");
        let none = Schedule {
            name_overlong_departures: 0,
            ..off
        };
        assert_eq!(criteria(&none, true), "");
    }
}
