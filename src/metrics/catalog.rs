//! Catalog comparison (流程再造): two versions of the item catalog, each
//! taken as in force on a date, compared over the items present in both.

use crate::polars_ext::date_lit;
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

/// The figures of one round.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogRound {
    pub departments: usize,
    pub items: usize,
    pub materials_cut: i64,
    pub steps_cut: i64,
    pub promised_before: i64,
    pub promised_after: i64,
    pub instant_before: usize,
    pub instant_after: usize,
}

impl CatalogRound {
    pub fn saved(&self) -> i64 {
        self.promised_before - self.promised_after
    }

    /// Saved / before, or `None` when nothing was promised before.
    pub fn compression(&self) -> Option<f64> {
        (self.promised_before > 0).then(|| self.saved() as f64 / self.promised_before as f64)
    }

    /// The round as the bulletin says it.
    pub fn sentence(&self) -> String {
        let rate = self
            .compression()
            .map_or("—".to_string(), |r| format!("{:.2}%", r * 100.0));
        format!(
            "涉及{}个部门{}个审批事项,累计削减申报材料{}项,削减审批环节{}个,总承诺时限由{}个工作日压缩至{}个工作日,共压缩了{}个工作日,总压缩率为{},即办件由{}项增加到{}项",
            self.departments,
            self.items,
            self.materials_cut,
            self.steps_cut,
            self.promised_before,
            self.promised_after,
            self.saved(),
            rate,
            self.instant_before,
            self.instant_after
        )
    }
}

/// The version of each item in force on `date` (latest effective_from ≤ date).
fn in_force(items: &DataFrame, date: NaiveDate, suffix: &str) -> LazyFrame {
    let c = |name: &str| col(name).alias(format!("{name}_{suffix}"));
    items
        .clone()
        .lazy()
        .filter(col("effective_from").lt_eq(date_lit(date)))
        .sort(
            ["item_code", "effective_from"],
            SortMultipleOptions::default(),
        )
        .group_by_stable([col("item_code")])
        .agg(
            [
                "name",
                "department",
                "promised_limit_days",
                "materials",
                "steps",
            ]
            .map(|n| c(n).last()),
        )
}

/// Per item present at both dates: before/after promised limit, materials, steps.
pub fn compare_items(items: &DataFrame, before: NaiveDate, after: NaiveDate) -> Result<DataFrame> {
    Ok(in_force(items, before, "before")
        .join(
            in_force(items, after, "after"),
            [col("item_code")],
            [col("item_code")],
            JoinArgs::new(JoinType::Inner),
        )
        .select([
            col("item_code"),
            col("name_after").alias("name"),
            col("department_after").alias("department"),
            col("promised_limit_days_before").alias("promised_before"),
            col("promised_limit_days_after").alias("promised_after"),
            (col("promised_limit_days_before") - col("promised_limit_days_after"))
                .alias("saved_days"),
            col("materials_before"),
            col("materials_after"),
            col("steps_before"),
            col("steps_after"),
        ])
        .sort(["department", "item_code"], SortMultipleOptions::default())
        .collect()?)
}

/// The round's totals from the per-item comparison.
pub fn round_totals(per_item: &DataFrame) -> Result<CatalogRound> {
    let sum = |c: &str| -> Result<i64> {
        Ok(per_item
            .column(c)?
            .as_materialized_series()
            .sum::<i64>()
            .unwrap_or(0))
    };
    let zeros = |c: &str| -> Result<usize> {
        Ok(per_item
            .column(c)?
            .i64()?
            .iter()
            .filter(|v| *v == Some(0))
            .count())
    };
    // Cut = before − after over the items that give both counts.
    let cut = |c: &str| -> Result<i64> {
        let before = per_item
            .column(&format!("{c}_before"))?
            .as_materialized_series()
            .clone();
        let after = per_item
            .column(&format!("{c}_after"))?
            .as_materialized_series()
            .clone();
        Ok((&before - &after)?.sum::<i64>().unwrap_or(0))
    };
    let departments = per_item
        .column("department")?
        .as_materialized_series()
        .n_unique()?;
    Ok(CatalogRound {
        departments,
        items: per_item.height(),
        materials_cut: cut("materials")?,
        steps_cut: cut("steps")?,
        promised_before: sum("promised_before")?,
        promised_after: sum("promised_after")?,
        instant_before: zeros("promised_before")?,
        instant_after: zeros("promised_after")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_of_a_small_round() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let items = df!(
            "item_code" => ["A", "A", "B", "B", "C"],
            "name" => ["甲", "甲", "乙", "乙", "丙"],
            "department" => ["税务", "税务", "工商", "工商", "工商"],
            "promised_limit_days" => [10i64, 4, 5, 0, 3],
            "materials" => [Some(6i64), Some(4), Some(3), Some(3), Some(1)],
            "steps" => [Some(4i64), Some(2), Some(3), Some(1), None],
        )
        .unwrap()
        .hstack(&[crate::polars_ext::date_series(
            "effective_from",
            [
                "2025-01-01",
                "2026-04-01",
                "2025-01-01",
                "2026-04-01",
                "2026-04-01",
            ]
            .into_iter()
            .map(|s| Some(d(s))),
        )
        .unwrap()])
        .unwrap();
        // C exists only after the round: left out.
        let per_item = compare_items(&items, d("2025-06-01"), d("2026-06-01")).unwrap();
        assert_eq!(per_item.height(), 2);
        let r = round_totals(&per_item).unwrap();
        assert_eq!(
            r.sentence(),
            "涉及2个部门2个审批事项,累计削减申报材料2项,削减审批环节4个,总承诺时限由15个工作日压缩至4个工作日,共压缩了11个工作日,总压缩率为73.33%,即办件由0项增加到1项"
        );
    }
}
