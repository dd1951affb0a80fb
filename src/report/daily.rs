//! The daily report (日报表): the day's volumes, the cards raised and open,
//! bad ratings past their limit, and the day's attendance exceptions.

use crate::metrics::cards::{history_frame, CardRecord};
use crate::metrics::period::Period;
use crate::view::{f64_at, render_markdown, Cell};
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

/// What the daily report reads.
pub struct DailyInputs<'a> {
    pub case_metrics: &'a DataFrame,
    /// The cards due at the end of the day, with the date each was raised.
    pub cards_due: &'a [CardRecord],
    pub alerts: &'a DataFrame,
    pub attendance_days: Option<&'a DataFrame>,
    /// Footnotes: a feed that stopped, a calendar year still provisional.
    pub notes: &'a [String],
    /// The provisional year, when a card's deadline lies in it.
    pub provisional_year: Option<i32>,
    /// The 督办 notices as of the day's end, with names
    /// (`metrics::supervision::notices_frame`, `engine::names`).
    pub notices: &'a DataFrame,
    /// The complaints due that day (`status` 当日到期) and those past a
    /// deadline at its end (超期), with names
    /// (`metrics::complaints::complaint_cards_frame`, `engine::names`).
    pub complaints: &'a DataFrame,
    /// The bad ratings whose callback (回访) is due on the day, with names
    /// (`metrics::rating_loop::callbacks_due_on`, `engine::names`).
    pub callbacks_due: &'a DataFrame,
    /// The names beside the codes of its tables.
    pub names: &'a crate::engine::names::Names,
}

/// The daily report of `day` (a day period).
pub fn daily_report(
    center: &str,
    day: &Period,
    z: &DailyInputs,
) -> Result<(String, Vec<(&'static str, DataFrame)>)> {
    use Cell::*;
    let c = |x| crate::view::shown(&crate::metrics::schema::CASES, x);
    let mut md = String::new();
    let mut tables = Vec::new();
    let _ = writeln!(md, "# {center} {} 日报表\n", day.label);
    let center_row =
        crate::metrics::compare::period_rows(z.case_metrics, day, Some("center")).collect()?;
    let n = |c: &str| -> Result<String> {
        Ok(f64_at(&center_row, c, 0)?.map_or("0".into(), |x| format!("{x:.0}")))
    };
    let _ = writeln!(md, "## 一、办件\n");
    let _ = writeln!(
        md,
        "当日受理 {} 件,办结 {} 件(即办 {} 件),超期办结 {} 件;日终超期在办 {} 件。\n",
        n("accepted")?,
        n("completed")?,
        n("completed_instant")?,
        n("overdue_completed")?,
        n("overdue_open")?
    );
    let windows = z.names.key_names(
        crate::metrics::compare::period_rows(z.case_metrics, day, Some("window"))
            .sort(["key"], SortMultipleOptions::default())
            .collect()?,
    )?;
    md.push_str(&render_markdown(
        &windows,
        &[
            ("窗口", Text("key")),
            c("accepted"),
            c("completed"),
            c("overdue_completed"),
            c("overdue_open"),
        ],
    )?);

    let _ = writeln!(md, "\n## 二、电子监察\n");
    let (red, yellow) = crate::metrics::cards::red_and_yellow(z.cards_due.iter().map(|c| c.colour));
    let new = z
        .cards_due
        .iter()
        .filter(|c| c.raised_on == day.start)
        .count();
    let _ = writeln!(
        md,
        "日终红牌 {red} 张、黄牌 {yellow} 张,其中当日新亮 {new} 张。\n"
    );
    if let Some(year) = z.provisional_year {
        if z.cards_due.iter().any(|c| c.deadline_provisional) {
            let _ = writeln!(md, "{}\n", crate::calendar_lists::provisional_note(year));
        }
    }
    let cards = z.names.attach(history_frame(z.cards_due)?)?;
    if cards.height() > 0 {
        md.push_str(&crate::view::cards_markdown(
            &cards,
            &[
                "牌",
                "case_id",
                "step",
                "window_id",
                "staff_id",
                "deadline",
                "remaining_days",
                "raised_on",
            ],
        )?);
    }
    tables.push(("cards", cards));
    notices_of_the_day(&mut md, &mut tables, z.notices, day)?;
    let status = |what: &str| -> Result<usize> {
        Ok(match z.complaints.column("status") {
            Ok(c) => c.str()?.iter().filter(|s| *s == Some(what)).count(),
            Err(_) => 0,
        })
    };
    let _ = writeln!(
        md,
        "\n投诉:当日到期 {} 件,超期 {} 件。\n",
        status("当日到期")?,
        status("超期")?
    );
    if z.complaints.height() > 0 {
        let columns: Vec<(&str, Cell)> = std::iter::once(("状态", Cell::Text("status")))
            .chain(
                crate::view::COMPLAINT_CARD_COLUMNS
                    .iter()
                    .map(|(c, h)| (*h, Cell::Text(c))),
            )
            .collect();
        md.push_str(&render_markdown(z.complaints, &columns)?);
    }
    tables.push(("complaints", z.complaints.clone()));
    let _ = writeln!(md, "\n差评超期未整改 {} 件。", z.alerts.height());
    let not_called = z
        .callbacks_due
        .column("called_back")?
        .str()?
        .iter()
        .filter(|c| *c == Some("否"))
        .count();
    let _ = writeln!(
        md,
        "\n好差评:当日回访到期差评 {} 件,其中未回访 {not_called} 件。\n",
        z.callbacks_due.height()
    );
    if z.callbacks_due.height() > 0 {
        md.push_str(&render_markdown(
            z.callbacks_due,
            &[
                ("评价编号", Cell::Text("rating_id")),
                ("窗口", Cell::Text("window_id")),
                ("工号", Cell::Text("staff_id")),
                ("评价日期", Cell::Text("rated_on")),
                ("实名", Cell::Text("named")),
                ("已回访", Cell::Text("called_back")),
            ],
        )?);
    }
    tables.push(("callbacks_due", z.callbacks_due.clone()));
    tables.push(("bad_rating_alerts", z.alerts.clone()));

    let _ = writeln!(md, "\n## 三、考勤异常\n");
    match z.attendance_days {
        Some(days) => {
            let exceptions = days
                .clone()
                .lazy()
                .filter(
                    col("date")
                        .eq(crate::polars_ext::date_lit(day.start))
                        .and(col("exceptions").neq(lit(""))),
                )
                .select([
                    col("window_id"),
                    col("staff_id"),
                    col("status"),
                    col("exceptions"),
                    col("late_minutes"),
                    col("early_minutes"),
                ])
                .sort(["window_id", "staff_id"], SortMultipleOptions::default())
                .collect()?;
            let exceptions = z.names.attach(exceptions)?;
            if exceptions.height() == 0 {
                let _ = writeln!(md, "当日无考勤异常。");
            } else {
                md.push_str(&render_markdown(
                    &exceptions,
                    &crate::view::shown_all(
                        &crate::metrics::schema::STAFF_DAYS,
                        &[
                            "window_id",
                            "staff_id",
                            "status",
                            "exceptions",
                            "late_minutes",
                            "early_minutes",
                        ],
                    ),
                )?);
            }
            tables.push(("attendance_exceptions", exceptions));
        }
        None => {
            let _ = writeln!(md, "无考勤数据。");
        }
    }
    if !z.notes.is_empty() {
        let _ = writeln!(md, "\n## 附注\n");
        for note in z.notes {
            let _ = writeln!(md, "{note}\n");
        }
    }
    Ok((md, tables))
}

/// The day's 督办: the notices opened that day, those whose reply is due
/// that day, and those open past due (escalated or past their due date)
/// at its end, listed with names.
fn notices_of_the_day(
    md: &mut String,
    tables: &mut Vec<(&'static str, DataFrame)>,
    notices: &DataFrame,
    day: &Period,
) -> Result<()> {
    let on = crate::polars_ext::date_lit(day.start);
    let open = col("closed_on")
        .is_null()
        .or(col("closed_on").gt(on.clone()));
    let new = col("opened_on").eq(on.clone());
    let due = open.clone().and(col("due_on").eq(on.clone()));
    let past = open.clone().and(
        col("warned_on")
            .lt_eq(on.clone())
            .or(col("due_on").lt(on.clone())),
    );
    let listed = notices
        .clone()
        .lazy()
        .filter(col("opened_on").lt_eq(on))
        .with_column(
            when(new.clone())
                .then(lit("当日新督办"))
                .when(due.clone())
                .then(lit("当日回告到期"))
                .when(past.clone())
                .then(lit("逾期未结"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias("status"),
        )
        .filter(col("status").is_not_null())
        .collect()?;
    let count = |what: &str| -> Result<usize> {
        Ok(listed
            .column("status")?
            .str()?
            .iter()
            .filter(|s| *s == Some(what))
            .count())
    };
    let _ = writeln!(
        md,
        "\n督办:当日新督办 {} 件,当日回告到期 {} 件,逾期未结 {} 件(含效能告诫、问责)。\n",
        count("当日新督办")?,
        count("当日回告到期")?,
        count("逾期未结")?
    );
    if listed.height() > 0 {
        use Cell::*;
        md.push_str(&render_markdown(
            &listed,
            &[
                ("状态", Text("status")),
                ("督办编号", Text("notice_id")),
                ("窗口", Text("window_id")),
                ("工号", Text("staff_id")),
                ("督办日期", Text("opened_on")),
                ("阶段", Text("stage_name")),
                ("回告期限", Text("due_on")),
            ],
        )?);
    }
    tables.push(("notices", listed));
    Ok(())
}
