//! 考核等次: the weighted assessment of the period — how it is weighed,
//! the grades of the windows, the staff and the departments (窗口单位),
//! the ranking of the departments and of the windows with their dimension
//! scores, the staff graded best and worst by name.

use super::{Context, Section};
use crate::view::{assessment_columns, render_markdown};
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

/// The period's `assessment_scores` by level, ranked, with names
/// (`engine::names::Names::subjects`), and the scheme they were graded by.
pub struct Assessed {
    pub windows: DataFrame,
    pub staff: DataFrame,
    pub departments: DataFrame,
    /// "办件效能 40%、群众满意 30%…".
    pub scheme: String,
    /// The grade names, best first, the failing one last.
    pub grades: Vec<String>,
}

impl Assessed {
    /// From `[assessment]` and the period's frames.
    pub fn new(
        rules: &crate::metrics::assessment::AssessmentRules,
        windows: DataFrame,
        staff: DataFrame,
        departments: DataFrame,
    ) -> Assessed {
        let total: f64 = rules.dimensions.iter().map(|d| d.weight).sum();
        let scheme = rules
            .dimensions
            .iter()
            .map(|d| {
                format!(
                    "{} {:.0}%",
                    d.name,
                    d.weight / total.max(f64::MIN_POSITIVE) * 100.0
                )
            })
            .collect::<Vec<_>>()
            .join("、");
        let mut grades: Vec<String> = rules.grades.iter().map(|g| g.name.clone()).collect();
        grades.push(rules.fail.clone());
        Assessed {
            windows,
            staff,
            departments,
            scheme,
            grades,
        }
    }
}

/// "参评窗口 27 个:优秀 5 个、良好 11 个…" of one level's rows.
pub fn grade_counts(df: &DataFrame, grades: &[String], who: &str, unit: &str) -> Result<String> {
    let got = crate::polars_ext::opt_strings(df, "grade")?;
    let graded = got.iter().flatten().count();
    let ungraded = got.len() - graded;
    let parts: Vec<String> = grades
        .iter()
        .map(|g| {
            let n = got.iter().flatten().filter(|x| *x == g).count();
            format!("{g} {n} {unit}")
        })
        .collect();
    let mut s = format!("参评{who} {graded} {unit}:{}", parts.join("、"));
    if ungraded > 0 {
        let _ = write!(s, "(另有 {ungraded} {unit}数据不足,不评定等次)");
    }
    Ok(s)
}

pub(super) fn section(cx: &Context) -> Result<Section> {
    let Some(a) = cx.z.assessed else {
        return Ok(Section::default());
    };
    let mut md = String::new();
    let _ = writeln!(md, "\n## 九、考核等次\n");
    let _ = writeln!(
        md,
        "{}考核按{}加权计分(满分 100 分,各维度 0–100 分),等次{}。\n",
        cx.this,
        a.scheme,
        a.grades.join(" / ")
    );
    for (df, who, unit) in [
        (&a.windows, "窗口", "个"),
        (&a.departments, "窗口单位", "个"),
        (&a.staff, "工作人员", "人"),
    ] {
        let _ = writeln!(md, "- {}。", grade_counts(df, &a.grades, who, unit)?);
    }
    let _ = writeln!(md, "\n### 窗口单位考核排名\n");
    md.push_str(&render_markdown(
        &a.departments,
        &assessment_columns("department"),
    )?);
    let _ = writeln!(md, "\n### 窗口考核等次\n");
    md.push_str(&render_markdown(&a.windows, &assessment_columns("window"))?);
    // The staff at both ends by name; everyone's grade in the CSV.
    let (best, worst) = (&a.grades[0], a.grades.last().expect("the failing grade"));
    let ends = a
        .staff
        .clone()
        .lazy()
        .filter(
            col("grade")
                .eq(lit(best.as_str()))
                .or(col("grade").eq(lit(worst.as_str()))),
        )
        .collect()?;
    let _ = writeln!(md, "\n### 工作人员考核({best}与{worst})\n");
    if ends.height() == 0 {
        let _ = writeln!(md, "无。");
    } else {
        md.push_str(&render_markdown(&ends, &assessment_columns("staff"))?);
    }
    let _ = writeln!(
        md,
        "\n全部工作人员的得分与等次见 assessment_staff.csv;每项得分的来历: `xiaoneng rank --level staff --explain 工号`。"
    );
    Ok(Section {
        markdown: md,
        tables: vec![
            ("assessment_departments", a.departments.clone()),
            ("assessment_windows", a.windows.clone()),
            ("assessment_staff", a.staff.clone()),
        ],
        charts: Vec::new(),
    })
}
