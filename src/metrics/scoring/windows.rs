//! Window scores and ranking (`window_scores`): per period of each ranking
//! grain, the windows with cases ranked by score, banded 红旗窗口, 末位 and
//! 限期整改, and called to talk (约谈) when at the bottom two periods
//! running; windows without cases listed apart (无办件).

use super::events::{vetoes, Placed, Veto};
use super::{ScoringInputs, ScoringRules, RANKING_GRAINS};
use crate::metrics::period::{parse_period, previous, Grain, Period};
use crate::polars_ext::{date_lit, date_series, i64s, opt_f64s, opt_strings};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::{HashMap, HashSet};

/// A window's figures in one period, for ranking.
struct Row {
    window_id: String,
    department: Option<String>,
    score: f64,
    events: usize,
    veto: Option<String>,
    on_time: Option<f64>,
    satisfaction: Option<f64>,
    completed: i64,
    has_cases: bool,
}

/// A window's place in one period's ranking.
struct Ranked {
    period: Period,
    row: Row,
    rank: Option<usize>,
    band: &'static str,
    talk: bool,
}

/// Window-level values of some columns of a metric table, by (period, window).
type WindowFigures = HashMap<(String, String), Vec<Option<f64>>>;

/// Sort key: score desc, on-time desc, satisfaction desc (nulls last), completed desc, id.
fn ranking_order(a: &Row, b: &Row) -> std::cmp::Ordering {
    let desc = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    };
    desc(Some(a.score), Some(b.score))
        .then(desc(a.on_time, b.on_time))
        .then(desc(a.satisfaction, b.satisfaction))
        .then(b.completed.cmp(&a.completed))
        .then(a.window_id.cmp(&b.window_id))
}

/// The window ranking of every period of the ranking grains with case
/// figures, grain by grain, period by period.
pub(super) fn rank_windows(
    z: &ScoringInputs,
    r: &ScoringRules,
    all: &[Placed],
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let standing = Standing::new(z, all, as_of)?;
    let mut ranked = Vec::new();
    for grain in RANKING_GRAINS {
        ranked.extend(rank_grain(z, r, &standing, grain)?);
    }
    windows_frame(&ranked)
}

/// What every period's ranking reads: the windows, their points by
/// period, the vetoes.
struct Standing {
    department: HashMap<String, Option<String>>,
    /// The windows of `department`, sorted.
    window_ids: Vec<String>,
    /// Per period label, per window: points and event count.
    sums: HashMap<String, HashMap<String, (f64, usize)>>,
    vetoes: Vec<Veto>,
}

impl Standing {
    fn new(z: &ScoringInputs, all: &[Placed], as_of: NaiveDate) -> Result<Self> {
        let ids = opt_strings(z.windows, "window_id")?;
        let depts = opt_strings(z.windows, "department")?;
        let department: HashMap<String, Option<String>> =
            ids.iter().flatten().cloned().zip(depts).collect();
        let mut window_ids: Vec<String> = department.keys().cloned().collect();
        window_ids.sort();
        let mut sums: HashMap<String, HashMap<String, (f64, usize)>> = HashMap::new();
        for (p, e) in all {
            if !sums.contains_key(&p.label) {
                sums.insert(p.label.clone(), HashMap::new());
            }
            let of_period = sums.get_mut(&p.label).expect("inserted");
            if !of_period.contains_key(&*e.window_id) {
                of_period.insert(e.window_id.to_string(), (0.0, 0));
            }
            let s = of_period.get_mut(&*e.window_id).expect("inserted");
            s.0 += e.points;
            s.1 += 1;
        }
        Ok(Standing {
            department,
            window_ids,
            sums,
            vetoes: vetoes(z, as_of)?,
        })
    }

    /// Every window's figures in period `p`, from its events and the
    /// window-level `cases` (accepted, completed, on-time rate) and
    /// `ratings` (satisfaction rate) of the period's grain.
    fn rows(
        &self,
        p: &Period,
        r: &ScoringRules,
        cases: &WindowFigures,
        ratings: &WindowFigures,
    ) -> Vec<Row> {
        self.window_ids
            .iter()
            .map(|w| {
                let c = cases.get(&(p.label.clone(), w.clone()));
                let (points, n) = self
                    .sums
                    .get(&p.label)
                    .and_then(|of_period| of_period.get(w))
                    .cloned()
                    .unwrap_or((0.0, 0));
                Row {
                    window_id: w.clone(),
                    department: self.department.get(w).cloned().flatten(),
                    score: r.base + points,
                    events: n,
                    veto: self
                        .vetoes
                        .iter()
                        .find(|v| v.window_id == *w && p.start <= v.date && v.date <= p.end)
                        .map(|v| v.category.clone()),
                    on_time: c.and_then(|v| v[2]),
                    satisfaction: ratings
                        .get(&(p.label.clone(), w.clone()))
                        .and_then(|v| v[0]),
                    completed: c.and_then(|v| v[1]).unwrap_or(0.0) as i64,
                    has_cases: c.is_some_and(|v| v[0].unwrap_or(0.0) + v[1].unwrap_or(0.0) > 0.0),
                }
            })
            .collect()
    }
}

/// The window-level values of `columns` of a metric table in the periods
/// of `grain` (none without the table).
fn window_figures(
    table: Option<&DataFrame>,
    grain: Grain,
    columns: &[&str],
) -> Result<WindowFigures> {
    let mut out = HashMap::new();
    let Some(t) = table else { return Ok(out) };
    let t = super::window_rows(t, grain)?;
    let (period, key) = (opt_strings(&t, "period")?, opt_strings(&t, "key")?);
    let values: Vec<Vec<Option<f64>>> = columns
        .iter()
        .map(|c| opt_f64s(&t, c))
        .collect::<Result<_>>()?;
    for i in 0..t.height() {
        if let (Some(p), Some(k)) = (&period[i], &key[i]) {
            out.insert(
                (p.clone(), k.clone()),
                values.iter().map(|v| v[i]).collect(),
            );
        }
    }
    Ok(out)
}

/// The rankings of the periods of `grain` that have case figures, in
/// period order; a window at the bottom of the period right before is
/// called to talk when at the bottom again.
fn rank_grain(
    z: &ScoringInputs,
    r: &ScoringRules,
    standing: &Standing,
    grain: Grain,
) -> Result<Vec<Ranked>> {
    let cases = window_figures(
        Some(z.case_metrics),
        grain,
        &["accepted", "completed", "on_time_rate"],
    )?;
    let ratings = window_figures(z.rating_metrics, grain, &["satisfaction_rate"])?;
    let mut periods: Vec<Period> = cases
        .keys()
        .map(|(p, _)| parse_period(p))
        .collect::<Result<Vec<_>>>()?;
    periods.sort();
    periods.dedup();
    let mut out = Vec::new();
    let mut bottom_before: HashSet<String> = HashSet::new();
    let mut previous_label: Option<String> = None;
    for p in periods {
        let mut rows = standing.rows(&p, r, &cases, &ratings);
        if r.per_head {
            per_head(&mut rows, z, &p, r)?;
        }
        let consecutive = previous_label
            .as_ref()
            .is_some_and(|prev| *prev == previous(&p).label);
        let (ranked, bottom_now) = rank_period(&p, rows, r, consecutive.then_some(&bottom_before));
        out.extend(ranked);
        bottom_before = bottom_now;
        previous_label = Some(p.label.clone());
    }
    Ok(out)
}

/// One period's ranking: the windows with cases in ranking order with
/// their bands, then the windows without (无办件); and the windows at the
/// bottom. A window at the bottom that was in `bottom_before` (the bottom
/// of the period right before, if ranked) is called to talk.
fn rank_period(
    p: &Period,
    rows: Vec<Row>,
    r: &ScoringRules,
    bottom_before: Option<&HashSet<String>>,
) -> (Vec<Ranked>, HashSet<String>) {
    let (mut ranked, apart): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|row| row.has_cases);
    ranked.sort_by(ranking_order);
    let mut out = Vec::new();
    let mut bottom_now = HashSet::new();
    let vetoed: Vec<bool> = ranked.iter().map(|row| row.veto.is_some()).collect();
    let named = bands(&vetoed, r.red_flags, r.bottom);
    for ((i, row), band) in ranked.into_iter().enumerate().zip(named) {
        let bottom = matches!(band, "末位" | "限期整改");
        if bottom {
            bottom_now.insert(row.window_id.clone());
        }
        let talk = bottom && bottom_before.is_some_and(|before| before.contains(&row.window_id));
        out.push(Ranked {
            period: p.clone(),
            row,
            rank: Some(i + 1),
            band,
            talk,
        });
    }
    for row in apart {
        out.push(Ranked {
            period: p.clone(),
            row,
            rank: None,
            band: "无办件",
            talk: false,
        });
    }
    (out, bottom_now)
}

/// The `window_scores` table.
fn windows_frame(rows: &[Ranked]) -> Result<DataFrame> {
    let f = |g: &dyn Fn(&Ranked) -> Option<String>| rows.iter().map(g).collect::<Vec<_>>();
    Ok(DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "grain".into(),
                f(&|x| Some(x.period.grain.name().to_string())),
            ),
            Column::new("period".into(), f(&|x| Some(x.period.label.clone()))),
            date_series("period_start", rows.iter().map(|x| Some(x.period.start)))?,
            date_series("period_end", rows.iter().map(|x| Some(x.period.end)))?,
            Column::new("window_id".into(), f(&|x| Some(x.row.window_id.clone()))),
            Column::new("department".into(), f(&|x| x.row.department.clone())),
            Column::new(
                "score".into(),
                rows.iter().map(|x| x.row.score).collect::<Vec<_>>(),
            ),
            Column::new(
                "rank".into(),
                rows.iter()
                    .map(|x| x.rank.map(|r| r as i64))
                    .collect::<Vec<_>>(),
            ),
            Column::new("band".into(), f(&|x| Some(x.band.to_string()))),
            Column::new(
                "eligible".into(),
                rows.iter()
                    .map(|x| x.row.veto.is_none())
                    .collect::<Vec<_>>(),
            ),
            Column::new("veto".into(), f(&|x| x.row.veto.clone())),
            Column::new(
                "talk".into(),
                rows.iter().map(|x| x.talk).collect::<Vec<_>>(),
            ),
            Column::new(
                "on_time_rate".into(),
                rows.iter().map(|x| x.row.on_time).collect::<Vec<_>>(),
            ),
            Column::new(
                "satisfaction_rate".into(),
                rows.iter().map(|x| x.row.satisfaction).collect::<Vec<_>>(),
            ),
            Column::new(
                "completed".into(),
                rows.iter().map(|x| x.row.completed).collect::<Vec<_>>(),
            ),
            Column::new(
                "events".into(),
                rows.iter().map(|x| x.row.events as i64).collect::<Vec<_>>(),
            ),
        ],
    )?)
}

/// Per-head scoring: a window's points divided by its staff on the roster in the period.
fn per_head(rows: &mut [Row], z: &ScoringInputs, p: &Period, r: &ScoringRules) -> Result<()> {
    let Some(a) = z.attendance_days else {
        return Ok(());
    };
    let heads = a
        .clone()
        .lazy()
        .filter(
            col("date")
                .gt_eq(date_lit(p.start))
                .and(col("date").lt_eq(date_lit(p.end))),
        )
        .group_by([col("window_id")])
        .agg([col("staff_id")
            .n_unique()
            .cast(DataType::Int64)
            .alias("heads")])
        .collect()?;
    let heads: HashMap<String, i64> = opt_strings(&heads, "window_id")?
        .into_iter()
        .zip(i64s(&heads, "heads")?)
        .filter_map(|(w, h)| Some((w?, h)))
        .collect();
    for row in rows {
        let h = heads.get(&row.window_id).copied().unwrap_or(1).max(1) as f64;
        row.score = r.base + (row.score - r.base) / h;
    }
    Ok(())
}

/// The bands of `n` ranked windows, best first (`vetoed[i]`: the i-th has
/// a 一票否决 incident): up to `red_flags` 红旗窗口 among the windows not
/// vetoed, the last `bottom` 末位, the very last 限期整改. With fewer
/// windows than `red_flags + bottom`, both bands shrink in proportion
/// (rounded down) and never overlap: 5 windows with 3 + 3 give 2 red flags,
/// one unnamed window and 2 at the bottom; a lone window is named neither.
pub fn bands(vetoed: &[bool], red_flags: usize, bottom: usize) -> Vec<&'static str> {
    let n = vetoed.len();
    let (red_n, bottom_n) = if n >= red_flags + bottom {
        (red_flags, bottom)
    } else {
        let all = red_flags + bottom;
        (n * red_flags / all.max(1), n * bottom / all.max(1))
    };
    let mut flags = 0;
    vetoed
        .iter()
        .enumerate()
        .map(|(i, veto)| {
            if bottom_n > 0 && i + 1 == n {
                "限期整改"
            } else if i + bottom_n >= n {
                "末位"
            } else if !veto && flags < red_n {
                flags += 1;
                "红旗窗口"
            } else {
                ""
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_when_windows_are_few() {
        let clean = |n: usize| vec![false; n];
        // 0 and 1 windows: nobody is named.
        assert!(bands(&clean(0), 3, 3).is_empty());
        assert_eq!(bands(&clean(1), 3, 3), [""]);
        // red + bottom − 1 = 5: ⌊5·3/6⌋ = 2 red flags, 2 at the bottom, one
        // window in between unnamed.
        assert_eq!(
            bands(&clean(5), 3, 3),
            ["红旗窗口", "红旗窗口", "", "末位", "限期整改"]
        );
        // red + bottom = 6: the full bands.
        assert_eq!(
            bands(&clean(6), 3, 3),
            [
                "红旗窗口",
                "红旗窗口",
                "红旗窗口",
                "末位",
                "末位",
                "限期整改"
            ]
        );
        // A vetoed first window: its flag is not passed into the bottom band.
        let mut vetoed = clean(6);
        vetoed[0] = true;
        assert_eq!(
            bands(&vetoed, 3, 3),
            ["", "红旗窗口", "红旗窗口", "末位", "末位", "限期整改"]
        );
        // Two windows with 3 + 3: one red flag, one to rectify.
        assert_eq!(bands(&clean(2), 3, 3), ["红旗窗口", "限期整改"]);
        // No bottom places: no 限期整改.
        assert_eq!(bands(&clean(3), 1, 0), ["红旗窗口", "", ""]);
    }
}
