//! 六、考勤与实名通报: the staff named for attendance (旷工, three days late
//! or more, or 离岗超时 within the period) and the attendance heat map of
//! the period.

use super::{Context, Section};
use crate::metrics::date_lit;
use crate::view::render_markdown;
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    use crate::view::Cell::*;
    let (period, z, this) = (cx.period, cx.z, cx.this);
    let mut md = String::new();
    let _ = writeln!(md, "\n## 六、考勤与实名通报\n");
    let Some(days) = z.attendance_days else {
        let _ = writeln!(md, "{this}无考勤数据。");
        return Ok(Section::text(md));
    };
    let named = days
        .clone()
        .lazy()
        .filter(
            col("date")
                .gt_eq(date_lit(period.start))
                .and(col("date").lt_eq(date_lit(period.end))),
        )
        .group_by([col("window_id"), col("staff_id")])
        .agg([
            col("absent_half_days").sum(),
            (col("late_minutes").gt(lit(0)))
                .cast(DataType::Int64)
                .sum()
                .alias("late"),
            col("overlong_departures").sum(),
        ])
        .filter(
            col("absent_half_days")
                .gt(lit(0))
                .or(col("late").gt(lit(2)))
                .or(col("overlong_departures").gt(lit(0))),
        )
        .sort(["window_id", "staff_id"], SortMultipleOptions::default())
        .collect()?;
    let named = match z.staff {
        Some(staff) => named
            .lazy()
            .join(
                staff
                    .clone()
                    .lazy()
                    .group_by([col("staff_id")])
                    .agg([col("name").last()]),
                [col("staff_id")],
                [col("staff_id")],
                JoinArgs::new(JoinType::Left),
            )
            .collect()?,
        None => named
            .lazy()
            .with_column(lit(NULL).cast(DataType::String).alias("name"))
            .collect()?,
    };
    if named.height() == 0 {
        let _ = writeln!(md, "{this}无旷工、三次以上迟到或离岗超时。");
    } else {
        let _ = writeln!(md, "旷工、迟到三次以上或离岗超时者:\n");
        md.push_str(&render_markdown(
            &named,
            &[
                ("窗口", Text("window_id")),
                ("工号", Text("staff_id")),
                ("姓名", Text("name")),
                ("旷工(半天)", Count("absent_half_days")),
                ("迟到(次)", Count("late")),
                ("离岗超时(次)", Count("overlong_departures")),
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
        charts: vec![(
            "考勤热力图".to_string(),
            crate::report::charts::attendance_heat_map(&of_period, period.start, period.end)?,
        )],
    })
}
