//! The one rollup behind every metric table: events (a date, the keys of
//! each level, measures) summed at day × key once, then every coarser grain
//! built from the day table. Measures that are a state at a moment (open
//! overdue cases) are taken at the period's last day instead of summed.

use super::dense;
use super::period::{period_of, Grain};
use crate::polars_ext::{date_lit, date_series, CollectStreaming};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

/// The levels of every metric table: (level name, event column of its key).
/// The center level's key column holds the constant `center` unless the
/// events bring their own `center` column. Keys may be text or integer
/// codes (faster to group; the caller decodes them).
pub const LEVELS: [(&str, &str); 5] = [
    ("center", "center"),
    ("department", "department"),
    ("window", "window_id"),
    ("staff", "staff_id"),
    ("item", "item_code"),
];

/// The names of every level of [`LEVELS`].
pub fn every_level() -> Vec<&'static str> {
    LEVELS.iter().map(|(l, _)| *l).collect()
}

/// How one measure rolls up.
#[derive(Debug, Clone, Copy)]
pub enum Roll {
    /// Summed over the days of the period.
    Sum,
    /// The value on the period's last day (or the evaluation date, if earlier).
    AtEnd,
    /// The largest value of the period.
    Max,
}

impl Roll {
    /// The aggregation of a measure within one day (and key).
    fn within_day(self, m: &str) -> Expr {
        match self {
            Roll::Sum | Roll::AtEnd => col(m).sum(),
            Roll::Max => col(m).max(),
        }
    }
}

/// What to roll up.
pub struct RollupSpec<'a> {
    pub measures: &'a [(&'a str, Roll)],
    /// Extra group keys kept beside the level key (e.g. a histogram bin).
    pub extra_keys: &'a [&'a str],
    /// Levels to produce (names from [`LEVELS`]).
    pub levels: &'a [&'a str],
    pub grains: &'a [Grain],
    /// Evaluation date: periods are cut there.
    pub as_of: NaiveDate,
}

/// The levels of the tables of people's work (no item level).
pub const PEOPLE_LEVELS: [&str; 4] = ["center", "department", "window", "staff"];

impl<'a> RollupSpec<'a> {
    /// `measures` at every grain and the levels center, department,
    /// window and staff (the notices', complaints' and ratings' tables),
    /// with `extra_keys` beside the level key.
    pub fn people(
        measures: &'a [(&'a str, Roll)],
        extra_keys: &'a [&'a str],
        as_of: NaiveDate,
    ) -> RollupSpec<'a> {
        RollupSpec {
            measures,
            extra_keys,
            levels: &PEOPLE_LEVELS,
            grains: &Grain::ALL,
            as_of,
        }
    }
}

/// One Int64 column per measure of `measures`, from event rows that each
/// carry one measure (its index in `measures`) and a value: the value in
/// that measure's column, 0 in the others. The roll-ups of notices,
/// complaints and the 好差评 loop build their events so.
pub fn measure_columns(measures: &[(&str, Roll)], events: &[(usize, i64)]) -> Vec<Column> {
    measures
        .iter()
        .enumerate()
        .map(|(k, (name, _))| {
            Column::new(
                (*name).into(),
                events
                    .iter()
                    .map(|&(m, v)| if m == k { v } else { 0 })
                    .collect::<Vec<i64>>(),
            )
        })
        .collect()
}

/// date → period label, start and end, for every date in `from..=to`.
pub fn period_map(grain: Grain, from: NaiveDate, to: NaiveDate) -> Result<DataFrame> {
    let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
    let periods: Vec<_> = days.iter().map(|d| period_of(grain, *d)).collect();
    Ok(DataFrame::new(
        days.len(),
        vec![
            date_series("date", days.iter().map(|d| Some(*d)))?,
            Series::new(
                "period".into(),
                periods.iter().map(|p| p.label.clone()).collect::<Vec<_>>(),
            )
            .into(),
            date_series("period_start", periods.iter().map(|p| Some(p.start)))?,
            date_series("period_end", periods.iter().map(|p| Some(p.end)))?,
        ],
    )?)
}

/// Sum `events` per (grain, period, level, key [, extra keys]).
///
/// `events` has a Date column `date`, the key columns of [`LEVELS`] it is
/// asked for, the extra keys and the measures. Output columns: `grain`,
/// `period`, `period_start`, `period_end`, `level`, `key`, extra keys,
/// measures. A (period, key) appears only where some event fell.
///
/// Events with text keys, integer measures and at most one extra key
/// (text, never null) are rolled up on arrays ([`super::dense`]): every
/// table of people's work is. The others go through polars' group-bys.
/// Both give the same rows in the same order
/// (`tests::the_array_path_agrees_with_the_group_bys`).
pub fn rollup(events: LazyFrame, spec: &RollupSpec) -> Result<DataFrame> {
    if spec.extra_keys.len() > 1 {
        return rollup_grouped(events, spec);
    }
    let events = events.collect()?;
    match rollup_dense(&events, spec)? {
        Some(out) => Ok(out),
        None => rollup_grouped(events.lazy(), spec),
    }
}

/// [`rollup`] through polars' group-bys: a day table, then every grain.
pub fn rollup_grouped(events: LazyFrame, spec: &RollupSpec) -> Result<DataFrame> {
    rollup_days(day_table(events, spec)?, spec)
}

/// [`rollup`] on arrays, or `None` when the events are not of its shape
/// (a `center` column of their own, a key that is not text, a measure
/// that is not an integer, an extra key with nulls).
fn rollup_dense(events: &DataFrame, spec: &RollupSpec) -> Result<Option<DataFrame>> {
    let is_text = |c: &str| matches!(events.column(c).map(|c| c.dtype()), Ok(DataType::String));
    if events.column("center").is_ok() {
        return Ok(None);
    }
    let levels: Vec<&str> = LEVELS
        .iter()
        .filter(|(l, _)| spec.levels.contains(l))
        .map(|(l, _)| *l)
        .collect();
    if LEVELS
        .iter()
        .any(|(l, c)| levels.contains(l) && *l != "center" && !is_text(c))
    {
        return Ok(None);
    }
    match spec.extra_keys {
        [] => {}
        [x] if is_text(x) && events.column(x)?.null_count() == 0 => {}
        _ => return Ok(None),
    }
    let mut values = Vec::with_capacity(spec.measures.len());
    for (m, _) in spec.measures {
        let column = events.column(m)?;
        if !column.dtype().is_integer() {
            return Ok(None);
        }
        values.push(column.cast(&DataType::Int64)?.i64()?.rechunk().into_owned());
    }
    let days = dense::day_numbers(events, "date")?;
    let mut coded = CodedLevels::of(events, &levels)?;
    if let [x] = spec.extra_keys {
        match coded.with_extra(x, events.column(x)?.str()?) {
            Some(with) => coded = with,
            None => return Ok(None),
        }
    }
    let opt: Vec<Option<Vec<Option<i64>>>> = values
        .iter()
        .map(|ca| (ca.null_count() > 0).then(|| ca.iter().collect()))
        .collect();
    let measures = values
        .iter()
        .zip(&opt)
        .enumerate()
        .map(|(m, (ca, opt))| {
            let value = match opt {
                Some(v) => dense::Value::Opt(v),
                None => dense::Value::Of(ca.cont_slice().expect("one chunk without nulls")),
            };
            (m, value)
        })
        .collect();
    let kind = dense::Kind {
        rows: None,
        days: &days,
        measures,
    };
    Ok(Some(rollup_kinds(&coded, vec![kind], spec)?))
}

/// The key codes of some levels of a frame of base rows (its key columns
/// of [`LEVELS`], as text), for [`rollup_kinds`]; with, optionally, an
/// extra key riding in each level's code: code × (extra values) + extra
/// code, so the rows come out in (key, extra key) order as the group-bys
/// sort them.
#[derive(Clone)]
pub struct CodedLevels {
    keys: dense::LevelKeys,
    codes: KeyCodes,
    /// The extra key's name and its values in code order.
    extra: Option<(String, Vec<String>)>,
}

impl CodedLevels {
    /// The levels `levels` of `rows` (their key columns text).
    pub fn of(rows: &DataFrame, levels: &[&str]) -> Result<CodedLevels> {
        let (coded, codes) = KeyCodes::encode_levels(rows, levels)?;
        Ok(CodedLevels {
            keys: dense::LevelKeys::of(&coded, levels)?,
            codes,
            extra: None,
        })
    }

    /// The same levels with the extra key `name` (one value per base
    /// row, none null) beside each key; `None` when a value is null or
    /// the combined codes do not fit.
    pub fn with_extra(&self, name: &str, values: &StringChunked) -> Option<CodedLevels> {
        use dense::NO_KEY;
        let (extra_codes, names) = text_order_codes(values);
        let width = names.len().max(1) as u64;
        let mut keys = self.keys.clone();
        for keys in keys.keys_mut() {
            for (k, x) in keys.iter_mut().zip(&extra_codes) {
                if *k != NO_KEY {
                    let combined = u64::from(*k) * width + u64::from((*x)?);
                    match u32::try_from(combined) {
                        Ok(c) if c != NO_KEY => *k = c,
                        _ => return None,
                    }
                }
            }
        }
        Some(CodedLevels {
            keys,
            codes: self.codes.clone(),
            extra: Some((name.to_string(), names)),
        })
    }
}

/// Sum events of several kinds (each pointing at base rows of `levels`)
/// per (grain, period, level, key [, the extra key]) on arrays: the rows
/// and columns [`rollup`] gives. `spec`'s levels are those of `levels`.
pub fn rollup_kinds(
    levels: &CodedLevels,
    kinds: Vec<dense::Kind>,
    spec: &RollupSpec,
) -> Result<DataFrame> {
    let mut out = dense::rollup(&dense::Spec {
        measures: spec.measures,
        levels: levels.keys.levels(),
        kinds,
        quantiles: vec![],
        keep: dense::Keep::AnyEvent,
        grains: spec.grains,
        as_of: spec.as_of,
    })?;
    if let Some((name, names)) = &levels.extra {
        let combined = out.column("key")?.u32()?.clone();
        let width = names.len().max(1) as u32;
        let extra: Vec<&str> = combined
            .into_no_null_iter()
            .map(|c| names[(c % width) as usize].as_str())
            .collect();
        let keys: Vec<u32> = combined.into_no_null_iter().map(|c| c / width).collect();
        out.with_column(Column::new("key".into(), keys))?;
        out.with_column(Column::new(name.as_str().into(), extra))?;
    }
    let out = levels.codes.decode(out)?;
    let order: Vec<&str> = super::schema::KEY_COLUMNS
        .into_iter()
        .chain(levels.extra.iter().map(|(name, _)| name.as_str()))
        .chain(spec.measures.iter().map(|(m, _)| *m))
        .collect();
    Ok(out.select(order)?)
}

/// The grain each grain is built from: weeks and months from days, the
/// longer periods from months (so a year sums twelve rows, not 365).
fn built_from(grain: Grain) -> Grain {
    match grain {
        Grain::Day | Grain::Week | Grain::Month => Grain::Day,
        Grain::Bimonth | Grain::Quarter | Grain::Year => Grain::Month,
    }
}

/// Roll a day table (`level`, `key`, `date`, extra keys, measures; one row
/// per level, key, date and extra keys, as [`day_table`] makes it) up to
/// every grain of `spec`.
pub fn rollup_days(day: DataFrame, spec: &RollupSpec) -> Result<DataFrame> {
    let dates = day.column("date")?.cast(&DataType::Int32)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    let day_at =
        |d: Option<i32>| d.map_or(spec.as_of, |d| epoch + chrono::Duration::days(d as i64));
    let from = day_at(dates.i32()?.min()).min(spec.as_of);
    let to = day_at(dates.i32()?.max()).max(spec.as_of);
    let cut = date_lit(spec.as_of);
    // The day on which a period's state is read: its end, or as_of if earlier.
    let state_day = |end: Expr| {
        when(end.clone().gt(cut.clone()))
            .then(cut.clone())
            .otherwise(end)
    };

    // Group on the period's start date (an integer) and join the labels after.
    let mut group: Vec<Expr> = ["level", "key", "period_start"].map(col).to_vec();
    group.extend(spec.extra_keys.iter().map(|k| col(*k)));
    // Each source row carries `date` (a day) or its period's state day.
    let aggs: Vec<Expr> = spec
        .measures
        .iter()
        .map(|(m, roll)| match roll {
            Roll::Sum => col(*m).sum(),
            Roll::AtEnd => col(*m)
                .filter(col("date").eq(state_day(col("period_end"))))
                .sum(),
            Roll::Max => col(*m).max(),
        })
        .collect();
    let mut needed: Vec<Grain> = spec.grains.to_vec();
    if needed.iter().any(|g| built_from(*g) == Grain::Month) && !needed.contains(&Grain::Month) {
        needed.push(Grain::Month);
    }
    needed.sort();
    let mut built: Vec<(Grain, DataFrame)> = Vec::new();
    for grain in needed {
        let source = match built_from(grain) {
            Grain::Day => day.clone().lazy(),
            _ => {
                let month = &built
                    .iter()
                    .find(|(g, _)| *g == Grain::Month)
                    .expect("months first")
                    .1;
                // A month row stands at its state day, inside its parent period.
                let mut cols = vec![
                    col("level"),
                    col("key"),
                    state_day(col("period_end")).alias("date"),
                ];
                cols.extend(spec.extra_keys.iter().map(|k| col(*k)));
                cols.extend(spec.measures.iter().map(|(m, _)| col(*m)));
                month.clone().lazy().select(cols)
            }
        };
        let map = period_map(grain, from, to)?;
        if grain == Grain::Day {
            // The day table is already one row per day and key: only label it.
            let rolled = day
                .clone()
                .lazy()
                .join(
                    map.lazy(),
                    [col("date")],
                    [col("date")],
                    JoinArgs::new(JoinType::Inner),
                )
                .with_column(lit(grain.name()).alias("grain"))
                .collect_streaming()?;
            built.push((grain, rolled));
            continue;
        }
        let labels = map
            .clone()
            .lazy()
            .select([col("period_start"), col("period"), col("period_end")])
            .unique(None, UniqueKeepStrategy::First);
        let rolled = source
            .join(
                map.lazy()
                    .select([col("date"), col("period_start"), col("period_end")]),
                [col("date")],
                [col("date")],
                JoinArgs::new(JoinType::Inner),
            )
            .group_by(group.clone())
            .agg(aggs.clone())
            .join(
                labels,
                [col("period_start")],
                [col("period_start")],
                JoinArgs::new(JoinType::Left),
            )
            .with_column(lit(grain.name()).alias("grain"))
            .collect_streaming()?;
        built.push((grain, rolled));
    }
    let mut order: Vec<Expr> = super::schema::KEY_COLUMNS.map(col).to_vec();
    order.extend(spec.extra_keys.iter().map(|k| col(*k)));
    order.extend(spec.measures.iter().map(|(m, _)| col(*m)));
    let parts: Vec<LazyFrame> = built
        .into_iter()
        .filter(|(g, _)| spec.grains.contains(g))
        .map(|(_, df)| df.lazy().select(order.clone()))
        .collect();
    let out = concat(parts, UnionArgs::default())?
        .join(
            level_names()?,
            [col("level")],
            [col("level_code")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("level_name").alias("level"))
        .with_columns(text_order())
        // The extra keys too: the group-bys leave their order to chance.
        .sort(
            ["grain_rank", "period_start", "level_rank", "key"]
                .into_iter()
                .chain(spec.extra_keys.iter().copied())
                .collect::<Vec<_>>(),
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select(order.clone())
        .collect_streaming()?;
    Ok(out)
}

/// Integer columns whose order is the text order of grain, period and
/// level (`grain_rank`, `level_rank`; with `period_start`): labels are
/// zero-padded, so within a grain their text order is their date order.
/// Sorting on them instead of the text is several times faster.
fn text_order() -> [Expr; 2] {
    let grains: Vec<&str> = Grain::ALL.iter().map(|g| g.name()).collect();
    let levels: Vec<&str> = LEVELS.iter().map(|(l, _)| *l).collect();
    [
        rank_of("grain", &grains).alias("grain_rank"),
        rank_of("level", &levels).alias("level_rank"),
    ]
}

/// The rank of a text column's value among `names` sorted as text.
fn rank_of(column: &str, names: &[&str]) -> Expr {
    let mut sorted = names.to_vec();
    sorted.sort_unstable();
    let mut rank = lit(NULL).cast(DataType::UInt8);
    for (i, name) in sorted.iter().enumerate().rev() {
        rank = when(col(column).eq(lit(*name)))
            .then(lit(i as u8))
            .otherwise(rank);
    }
    rank
}

/// Levels whose keys are few per day (a staff member works at one window
/// of one department): they are summed from one pre-aggregation of the
/// events on all their keys, instead of each from the raw events.
const NESTED: [&str; 4] = ["center", "department", "window", "staff"];

/// Levels travel as small integers through the group-bys (their index in
/// [`LEVELS`]) and are named again at the end of [`rollup_days`].
fn level_code(level: &str) -> u8 {
    LEVELS
        .iter()
        .position(|(l, _)| *l == level)
        .expect("known level") as u8
}

fn level_names() -> Result<LazyFrame> {
    let codes: Vec<u8> = (0..LEVELS.len() as u8).collect();
    let names: Vec<&str> = LEVELS.iter().map(|(l, _)| *l).collect();
    Ok(df!("level_code" => codes, "level_name" => names)?.lazy())
}

/// Events summed per (level, key, date [, extra keys]): the finest table,
/// from which every grain is built.
pub fn day_table(mut events: LazyFrame, spec: &RollupSpec) -> Result<DataFrame> {
    let mut order = vec![col("level"), col("key"), col("date")];
    order.extend(spec.extra_keys.iter().map(|k| col(*k)));
    order.extend(spec.measures.iter().map(|(m, _)| col(*m)));
    let one: Vec<&(&str, &str)> = LEVELS
        .iter()
        .filter(|(l, _)| spec.levels.contains(l))
        .collect();
    if let [&(level, column)] = one[..] {
        // One level: one streamed group-by over the events.
        if !events.collect_schema()?.contains(column) {
            events = events.with_column(lit("center").alias(column));
        }
        let mut keys = vec![col("date"), col(column).alias("key")];
        keys.extend(spec.extra_keys.iter().map(|k| col(*k)));
        return events
            .filter(col(column).is_not_null())
            .group_by(keys)
            .agg(
                spec.measures
                    .iter()
                    .map(|(m, roll)| roll.within_day(m))
                    .collect::<Vec<_>>(),
            )
            .with_column(lit(level_code(level)).alias("level"))
            .select(order)
            .collect_streaming();
    }
    if !events.collect_schema()?.contains("center") {
        events = events.with_column(lit("center").alias("center"));
    }
    let sums = || {
        spec.measures
            .iter()
            .map(|(m, roll)| roll.within_day(m))
            .collect::<Vec<_>>()
    };
    let levels: Vec<&(&str, &str)> = LEVELS
        .iter()
        .filter(|(l, _)| spec.levels.contains(l))
        .collect();
    let nested_keys: Vec<Expr> = levels
        .iter()
        .filter(|(l, _)| NESTED.contains(l))
        .map(|(_, c)| col(*c))
        .chain([col("date")])
        .chain(spec.extra_keys.iter().map(|k| col(*k)))
        .collect();
    // When every level is nested, the events stream into their one
    // pre-aggregation and are never held; otherwise they are materialised
    // once and each other level is one group-by over them.
    let all_nested = levels.iter().all(|(l, _)| NESTED.contains(l));
    let held = if all_nested {
        DataFrame::empty()
    } else {
        std::mem::replace(&mut events, DataFrame::empty().lazy()).collect_streaming()?
    };
    let stream = if all_nested {
        events
    } else {
        held.clone().lazy()
    };
    let nested = stream
        .group_by(nested_keys)
        .agg(sums())
        .collect_streaming()?;
    let mut parts = Vec::new();
    for (level, column) in levels {
        let source = if NESTED.contains(level) {
            &nested
        } else {
            &held
        };
        let mut keys = vec![col("date"), col(*column).alias("key")];
        keys.extend(spec.extra_keys.iter().map(|k| col(*k)));
        let part = source
            .clone()
            .lazy()
            .filter(col(*column).is_not_null())
            .group_by(keys)
            .agg(sums())
            .with_column(lit(level_code(level)).alias("level"));
        parts.push(part);
    }
    concat(parts, UnionArgs::default())?
        .select(order)
        .collect_streaming()
}

/// Integer codes of the key columns of [`LEVELS`] (center = 0): grouping
/// on them is faster than on text; [`KeyCodes::decode`] names them again.
#[derive(Clone)]
pub struct KeyCodes(DataFrame);

impl KeyCodes {
    /// Replace every key column present in `df` by a UInt32 code, and add
    /// `center` = 0.
    pub fn encode(df: &DataFrame) -> Result<(DataFrame, KeyCodes)> {
        let all: Vec<&str> = LEVELS.iter().map(|(l, _)| *l).collect();
        KeyCodes::encode_levels(df, &all)
    }

    /// [`KeyCodes::encode`] for some levels only: the key columns of the
    /// others are left as they are.
    pub fn encode_levels(df: &DataFrame, wanted: &[&str]) -> Result<(DataFrame, KeyCodes)> {
        let mut out = df.clone();
        let (mut levels, mut codes, mut names) = (
            vec!["center".to_string()],
            vec![0u32],
            vec!["center".to_string()],
        );
        out.with_column(Column::new("center".into(), vec![0u32; df.height()]))?;
        let present: Vec<(&str, &str)> = LEVELS
            .iter()
            .filter(|(l, c)| *l != "center" && wanted.contains(l) && df.column(c).is_ok())
            .copied()
            .collect();
        // Each level's column coded on its own, the levels on every core.
        let coded = crate::parallel::parallel_map(&present, |(_, column)| -> Result<_> {
            let values = df.column(column)?.cast(&DataType::String)?;
            Ok(text_order_codes(values.str()?))
        });
        for ((level, column), coded) in present.into_iter().zip(coded) {
            let (coded, in_order) = coded?;
            for (r, name) in in_order.into_iter().enumerate() {
                levels.push(level.to_string());
                codes.push(r as u32);
                names.push(name);
            }
            out.with_column(Column::new((*column).into(), coded))?;
        }
        Ok((
            out,
            KeyCodes(df!("level" => levels, "code" => codes, "name" => names)?),
        ))
    }

    /// Code a text column as the keys of `level`, a level of one table
    /// outside [`LEVELS`] (`queue` of `queue_metrics`): codes in the text
    /// order of the names, `None` for a null. [`KeyCodes::decode`] names
    /// them with the others.
    pub fn add_level(&mut self, level: &str, values: &StringChunked) -> Result<Vec<Option<u32>>> {
        let (coded, in_order) = text_order_codes(values);
        self.name_level(level, in_order)?;
        Ok(coded)
    }

    /// The names of a new level's codes 0, 1, …
    fn name_level(&mut self, level: &str, names: Vec<String>) -> Result<()> {
        let n = names.len();
        let more = df!(
            "level" => vec![level.to_string(); n],
            "code" => (0..n as u32).collect::<Vec<u32>>(),
            "name" => names,
        )?;
        self.0.vstack_mut(&more)?;
        Ok(())
    }

    /// Code the pairs of two coded levels' keys, named as their names
    /// joined by `/`, as the keys of `level` (`queue_window` of
    /// `queue_metrics`): codes in the text order of
    /// the joined names (one code for one name, however it was joined),
    /// `None` where either key is. Only the pairs that occur are named:
    /// no text a row, as joining two text columns would make.
    pub fn add_joined_level(
        &mut self,
        level: &str,
        (first, a): (&str, &[Option<u32>]),
        (second, b): (&str, &[Option<u32>]),
    ) -> Result<Vec<Option<u32>>> {
        let (first, second) = (self.names_of(first)?, self.names_of(second)?);
        let pair = |a: u32, b: u32| (u64::from(a) << 32) | u64::from(b);
        let mut codes: PlHashMap<u64, u32> = PlHashMap::new();
        for (a, b) in a.iter().zip(b) {
            if let (Some(a), Some(b)) = (a, b) {
                codes.entry(pair(*a, *b)).or_insert(0);
            }
        }
        let mut joined: Vec<(String, u64)> = codes
            .keys()
            .map(|&p| {
                let (a, b) = ((p >> 32) as usize, (p & 0xffff_ffff) as usize);
                (format!("{}/{}", first[a], second[b]), p)
            })
            .collect();
        joined.sort_unstable();
        let mut names: Vec<String> = Vec::new();
        for (name, p) in joined {
            if names.last() != Some(&name) {
                names.push(name);
            }
            codes.insert(p, names.len() as u32 - 1);
        }
        self.name_level(level, names)?;
        Ok(a.iter()
            .zip(b)
            .map(|(a, b)| Some(codes[&pair((*a)?, (*b)?)]))
            .collect())
    }

    /// The names of `level`'s codes, in code order.
    fn names_of(&self, level: &str) -> Result<Vec<String>> {
        let rows = self
            .0
            .clone()
            .lazy()
            .filter(col("level").eq(lit(level)))
            .sort(["code"], SortMultipleOptions::default())
            .collect()?;
        Ok(rows
            .column("name")?
            .str()?
            .iter()
            .map(|n| n.unwrap_or_default().to_string())
            .collect())
    }

    /// Replace the coded `key` column of a rolled-up table by the names.
    pub fn decode(&self, df: DataFrame) -> Result<DataFrame> {
        let names: Vec<PlSmallStr> = df.get_column_names().into_iter().cloned().collect();
        let mut in_order = JoinArgs::new(JoinType::Left);
        in_order.maintain_order = MaintainOrderJoin::Left;
        Ok(df
            .lazy()
            .join(
                self.0.clone().lazy(),
                [col("level"), col("key")],
                [col("level"), col("code")],
                in_order,
            )
            .with_column(col("name").alias("key"))
            .select(names.iter().map(|n| col(n.clone())).collect::<Vec<_>>())
            // In memory: a left join keeps the rows in order.
            .collect()?)
    }
}

/// Integer codes of text values in the text order of the names (so that
/// rows sorted by code are sorted by name), `None` for a null; and the
/// names in code order. The values are coded first as first seen
/// ([`crate::polars_ext::FirstSeen`]: by view where they fit in one),
/// then ranked by name.
pub fn text_order_codes(values: &StringChunked) -> (Vec<Option<u32>>, Vec<String>) {
    let mut first = crate::polars_ext::FirstSeen::default();
    let mut coded: Vec<Option<u32>> = Vec::with_capacity(values.len());
    for array in values.downcast_iter() {
        first.code_array(array, |_, code, _| {
            coded.push(code);
            true
        });
    }
    let mut by_name: Vec<(&str, u32)> = first.texts().iter().copied().zip(0u32..).collect();
    by_name.sort_unstable();
    let mut rank = vec![0u32; by_name.len()];
    let mut names: Vec<String> = Vec::with_capacity(by_name.len());
    for (name, first_seen) in by_name {
        rank[first_seen as usize] = names.len() as u32;
        names.push(name.to_string());
    }
    for c in coded.iter_mut().flatten() {
        *c = rank[*c as usize];
    }
    (coded, names)
}

// The quantiles of the polars roll-up below are no longer used by a
// table (case, step and queue metrics take theirs from `dense`); they stay
// for the tests, as the reference `dense` is checked against.

#[cfg(test)]
/// Values are packed beside a key code as `code * VALUE_BINS + value`.
const VALUE_BINS: u64 = 1 << 20;

#[cfg(test)]
/// Quantiles (linear interpolation) of a non-negative integer `value`
/// (below 2^20) of the events, per grain, period, level and key. The
/// events' key columns must be integer codes ([`KeyCodes`]). Each key is
/// packed with the value into one integer, so the histogram rolls up like
/// a sum and comes out sorted for [`histogram_quantile`].
pub fn rollup_quantiles(
    events: LazyFrame,
    value: &str,
    spec: &RollupSpec,
    quantiles: &[(f64, &str)],
) -> Result<DataFrame> {
    // Values beyond the bins (a wait of more than 12 days in seconds: a data
    // error) are clamped to the last bin rather than spill into the next key.
    let clamped = col(value)
        .cast(DataType::UInt64)
        .clip_max(lit(VALUE_BINS - 1));
    let pack =
        |c: &str| (col(c).cast(DataType::UInt64) * lit(VALUE_BINS) + clamped.clone()).alias(c);
    let mut select = vec![col("date"), lit(1i64).alias("n")];
    select.extend(
        LEVELS
            .iter()
            .filter(|(l, _)| spec.levels.contains(l))
            .map(|(_, c)| pack(c)),
    );
    let hist = rollup(
        events.filter(col(value).is_not_null()).select(select),
        &RollupSpec {
            measures: &[("n", Roll::Sum)],
            extra_keys: &[],
            levels: spec.levels,
            grains: spec.grains,
            as_of: spec.as_of,
        },
    )?
    .lazy()
    .with_columns([
        (col("key") % lit(VALUE_BINS))
            .cast(DataType::Int64)
            .alias("value"),
        (col("key") / lit(VALUE_BINS))
            .cast(DataType::UInt32)
            .alias("key"),
    ])
    // In memory: `histogram_quantile` needs the rows in the sorted order.
    .collect()?;
    let group = ["grain", "period", "level", "key"];
    let mut out: Option<DataFrame> = None;
    for (q, name) in quantiles {
        let one = histogram_quantile(hist.clone(), &group, *q, name)?;
        out = Some(match out {
            None => one,
            Some(acc) => {
                let on: Vec<Expr> = group.iter().map(|k| col(*k)).collect();
                acc.lazy()
                    .join(one.lazy(), on.clone(), on, JoinArgs::new(JoinType::Left))
                    .collect_streaming()?
            }
        });
    }
    anyhow::Context::context(out, "at least one quantile")
}

#[cfg(test)]
/// Quantiles (linear interpolation) of `value` per grain, period, level and
/// key, by a group-by on the events of each grain — for values with many
/// distinct levels (waits in seconds), where the histogram of
/// [`rollup_quantiles`] would hold nearly one bin per event and roll up
/// slowly. Same output as [`rollup_quantiles`]: `grain, period, level, key`
/// (the events' key codes) and one column per quantile.
pub fn grouped_quantiles(
    events: LazyFrame,
    value: &str,
    spec: &RollupSpec,
    quantiles: &[(f64, &str)],
) -> Result<DataFrame> {
    let events = events
        .filter(
            col(value)
                .is_not_null()
                .and(col("date").lt_eq(date_lit(spec.as_of))),
        )
        .collect_streaming()?;
    let dates = crate::polars_ext::dates_of(events.column("date")?)?;
    let (Some(from), Some(to)) = (
        dates.iter().flatten().min().copied(),
        dates.iter().flatten().max().copied(),
    ) else {
        let mut cols = vec![
            Column::new("grain".into(), Vec::<String>::new()),
            Column::new("period".into(), Vec::<String>::new()),
            Column::new("level".into(), Vec::<String>::new()),
            Column::new("key".into(), Vec::<u32>::new()),
        ];
        cols.extend(
            quantiles
                .iter()
                .map(|(_, n)| Column::new((*n).into(), Vec::<f64>::new())),
        );
        return Ok(DataFrame::new(0, cols)?);
    };
    let mut parts = Vec::new();
    for grain in spec.grains {
        let map = period_map(*grain, from, to.max(from))?
            .lazy()
            .select([col("date"), col("period")]);
        let labelled = events
            .clone()
            .lazy()
            .join(
                map,
                [col("date")],
                [col("date")],
                JoinArgs::new(JoinType::Inner),
            )
            .collect_streaming()?;
        for (level, column) in LEVELS.iter().filter(|(l, _)| spec.levels.contains(l)) {
            let aggs: Vec<Expr> = quantiles
                .iter()
                .map(|(q, name)| {
                    col(value)
                        .cast(DataType::Float64)
                        .quantile(lit(*q), QuantileMethod::Linear)
                        .alias(*name)
                })
                .collect();
            parts.push(
                labelled
                    .clone()
                    .lazy()
                    .filter(col(*column).is_not_null())
                    .group_by([
                        col("period"),
                        col(*column).cast(DataType::UInt32).alias("key"),
                    ])
                    .agg(aggs)
                    .with_columns([lit(grain.name()).alias("grain"), lit(*level).alias("level")]),
            );
        }
    }
    let mut order: Vec<Expr> = ["grain", "period", "level", "key"].map(col).to_vec();
    order.extend(quantiles.iter().map(|(_, n)| col(*n)));
    concat(parts, UnionArgs::default())?
        .select(order)
        .collect_streaming()
}

/// Every measure of `measures` cast to Int64, so that event frames of
/// several kinds stack.
pub fn as_int64(lf: LazyFrame, measures: &[(&str, Roll)]) -> LazyFrame {
    lf.with_columns(
        measures
            .iter()
            .map(|(m, _)| col(*m).cast(DataType::Int64))
            .collect::<Vec<_>>(),
    )
}

/// A ratio that is null where the denominator is 0.
pub fn ratio(num: Expr, den: Expr) -> Expr {
    when(den.clone().gt(lit(0)))
        .then(num.cast(DataType::Float64) / den.cast(DataType::Float64))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

#[cfg(test)]
/// The `q` quantile (linear interpolation) of each group of a rolled-up
/// histogram with columns (group keys…, `value`, `n`), which must be sorted
/// by the group keys and then by `value` (as [`rollup_days`] leaves a
/// histogram whose key packs the value). One linear scan, no sort.
pub fn histogram_quantile(
    hist: DataFrame,
    group: &[&str],
    q: f64,
    name: &str,
) -> Result<DataFrame> {
    enum Key {
        Text(StringChunked),
        Number(UInt64Chunked),
    }
    let keys: Vec<Key> = group
        .iter()
        .map(|g| {
            let c = hist.column(g)?;
            Ok(match c.dtype() {
                DataType::String => Key::Text(c.str()?.clone()),
                _ => Key::Number(c.cast(&DataType::UInt64)?.u64()?.clone()),
            })
        })
        .collect::<Result<_>>()?;
    let values = hist.column("value")?.cast(&DataType::Int64)?;
    let values = values.i64()?;
    let counts = hist.column("n")?.cast(&DataType::Int64)?;
    let counts = counts.i64()?;
    let same_group = |a: usize, b: usize| -> Result<bool> {
        Ok(keys.iter().all(|k| match k {
            Key::Text(c) => c.get(a) == c.get(b),
            Key::Number(c) => c.get(a) == c.get(b),
        }))
    };
    let mut firsts: Vec<IdxSize> = Vec::new();
    let mut result: Vec<Option<f64>> = Vec::new();
    let mut start = 0;
    while start < hist.height() {
        let mut end = start + 1;
        while end < hist.height() && same_group(start, end)? {
            end += 1;
        }
        let bins: Vec<(i64, i64)> = (start..end)
            .filter_map(|i| Some((values.get(i)?, counts.get(i).unwrap_or(0))))
            .filter(|(_, n)| *n > 0)
            .collect();
        firsts.push(start as IdxSize);
        result.push(quantile_of_bins(&bins, q));
        start = end;
    }
    let idx = IdxCa::from_vec("idx".into(), firsts);
    let mut out = hist.select(group.iter().copied())?.take(&idx)?;
    out.with_column(Column::new(name.into(), result))?;
    Ok(out)
}

#[cfg(test)]
/// The `q` quantile with linear interpolation of sorted (value, count) bins:
/// h = q·(n−1), x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
fn quantile_of_bins(bins: &[(i64, i64)], q: f64) -> Option<f64> {
    let total: i64 = bins.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let h = q * (total - 1) as f64;
    let lo = h.floor() as i64;
    let at = |rank: i64| -> f64 {
        let mut seen = 0;
        for (v, n) in bins {
            seen += n;
            if rank < seen {
                return *v as f64;
            }
        }
        bins.last().map_or(0.0, |(v, _)| *v as f64)
    };
    let x_lo = at(lo);
    let x_hi = if lo + 1 < total { at(lo + 1) } else { x_lo };
    Some(x_lo + (h - lo as f64) * (x_hi - x_lo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_levels_are_coded_in_the_text_order_of_the_joined_names() {
        // Windows B/C, C, D (codes 0, 1, 2); queues A, A/B (codes 0, 1).
        // A + B/C and A/B + C both read "A/B/C": one code. Names in order:
        // A/B/C, A/B/D, A/D.
        let df = df!("window_id" => ["B/C", "C", "D"]).unwrap();
        let (_, mut codes) = KeyCodes::encode(&df).unwrap();
        let queues = StringChunked::new("queue".into(), ["A", "A/B"]);
        assert_eq!(
            codes.add_level("queue", &queues).unwrap(),
            [Some(0), Some(1)]
        );
        let (q, w) = (
            [Some(0), Some(1), Some(0), Some(1), None, Some(0)],
            [Some(0), Some(1), Some(2), Some(2), Some(0), None],
        );
        let joined = codes
            .add_joined_level("queue_window", ("queue", &q), ("window", &w))
            .unwrap();
        assert_eq!(joined, [Some(0), Some(0), Some(2), Some(1), None, None]);
        assert_eq!(
            codes.names_of("queue_window").unwrap(),
            ["A/B/C", "A/B/D", "A/D"]
        );
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn text_codes_follow_the_names_short_long_and_across_chunks() {
        // Short values (inline in their view), long ones (over 12 bytes:
        // "政务服务管理局" is 21), nulls, and a second chunk repeating both.
        let mut values = StringChunked::new(
            "v".into(),
            [
                Some("W2"),
                None,
                Some("政务服务管理局"),
                Some("W10"),
                Some("W2"),
                Some("a-very-long-window-id"),
            ],
        );
        values
            .append(&StringChunked::new(
                "v".into(),
                [
                    Some("a-very-long-window-id"),
                    Some("W10"),
                    Some("税务局"),
                    None,
                ],
            ))
            .unwrap();
        assert_eq!(values.chunks().len(), 2);
        let (codes, names) = text_order_codes(&values);
        // Text (byte) order: "W10" < "W2" < "a-…" < "政…" < "税…".
        assert_eq!(
            names,
            [
                "W10",
                "W2",
                "a-very-long-window-id",
                "政务服务管理局",
                "税务局"
            ]
        );
        assert_eq!(
            codes,
            [
                Some(1),
                None,
                Some(3),
                Some(0),
                Some(1),
                Some(2),
                Some(2),
                Some(0),
                Some(4),
                None
            ]
        );
    }

    #[test]
    fn quantile_of_bins_matches_the_sorted_list() {
        // 0 1 1 1 1 2 2 2 3 3 4 4 4 4 5 7 9: h = 14.4 → 5 + 0.4·(7 − 5) = 5.8.
        let bins = [
            (0, 1),
            (1, 4),
            (2, 3),
            (3, 2),
            (4, 4),
            (5, 1),
            (7, 1),
            (9, 1),
        ];
        assert!((quantile_of_bins(&bins, 0.9).unwrap() - 5.8).abs() < 1e-12);
        assert_eq!(quantile_of_bins(&[(3, 1)], 0.9), Some(3.0));
        assert_eq!(quantile_of_bins(&[], 0.9), None);
    }

    #[test]
    fn quantile_from_histogram_matches_linear_interpolation() {
        // Values 1,1,2,5,9 → sorted; h = 0.9·4 = 3.6 → 5 + 0.6·(9−5) = 7.4.
        let hist = df!(
            "g" => ["a", "a", "a", "a", "b"],
            "value" => [1i64, 2, 5, 9, 3],
            "n" => [2i64, 1, 1, 1, 1],
        )
        .unwrap();
        let q = histogram_quantile(hist, &["g"], 0.9, "p90").unwrap();
        let q = q.sort(["g"], SortMultipleOptions::default()).unwrap();
        let p: Vec<f64> = q
            .column("p90")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect();
        assert!((p[0] - 7.4).abs() < 1e-12, "{p:?}");
        assert!((p[1] - 3.0).abs() < 1e-12, "{p:?}");
    }

    #[test]
    fn the_array_path_agrees_with_the_group_bys() {
        // Random events over three months up to the evaluation date, with
        // text keys (some missing), sums with nulls, a state and a largest
        // value: the same rows in the same order either way. (Not after
        // it: the group-bys build a quarter from its months, each standing
        // at its state day, which for a month after the evaluation date is
        // that date, in another quarter, where the arrays keep it in its own.)
        let mut next = crate::metrics::test_random(11);
        let n = 3000;
        let start = d("2025-12-20");
        let mut dates = Vec::new();
        let (mut dept, mut window, mut staff) = (Vec::new(), Vec::new(), Vec::new());
        let (mut count, mut open, mut longest) = (Vec::new(), Vec::new(), Vec::new());
        let mut channel = Vec::new();
        for _ in 0..n {
            dates.push((next(9) > 0).then(|| start + chrono::Duration::days(next(80) as i64)));
            let w = next(12);
            dept.push(format!("部门{}", w % 4));
            window.push(format!("W{w:02}"));
            staff.push((next(8) > 0).then(|| format!("{}", 1000 + next(30))));
            count.push((next(10) > 0).then(|| next(5) as i64));
            open.push(next(3) as i64);
            longest.push((next(4) > 0).then(|| next(40) as i64));
            channel.push(["窗口", "网上", "APP"][next(3) as usize]);
        }
        let mut events = df!(
            "department" => dept,
            "window_id" => window,
            "staff_id" => staff,
            "count" => count,
            "open" => open,
            "longest" => longest,
            "channel" => channel,
        )
        .unwrap();
        events
            .with_column(crate::polars_ext::date_series("date", dates.into_iter()).unwrap())
            .unwrap();
        let measures = [
            ("count", Roll::Sum),
            ("open", Roll::AtEnd),
            ("longest", Roll::Max),
        ];
        // Without an extra key, and with one: rows per (key, channel), in
        // that order.
        let (plain, channel): (&[&str], &[&str]) = (&[], &["channel"]);
        for (extra, at_least) in [(plain, 1000), (channel, 2000)] {
            let spec = RollupSpec::people(&measures, extra, d("2026-03-10"));
            let arrays = rollup_dense(&events, &spec)
                .unwrap()
                .expect("the array path");
            let grouped = rollup_grouped(events.clone().lazy(), &spec).unwrap();
            assert!(arrays.height() > at_least, "{}", arrays.height());
            assert_eq!(arrays.schema(), grouped.schema());
            assert!(arrays.equals_missing(&grouped), "{arrays}\n{grouped}");
        }
        let spec = RollupSpec::people(&measures, &[], d("2026-03-10"));
        // A frame with its own center column goes the other way.
        let mut centers = events.clone();
        centers
            .with_column(Column::new("center".into(), vec!["C1"; n]))
            .unwrap();
        assert!(rollup_dense(&centers, &spec).unwrap().is_none());
    }

    #[test]
    fn rollup_sums_and_takes_state_at_period_end() {
        let events = df!(
            "date" => [d("2026-10-30"), d("2026-10-31"), d("2026-11-02")],
            "department" => ["税务", "税务", "税务"],
            "window_id" => ["W01", "W02", "W01"],
            "staff_id" => [Some("1001"), None, Some("1001")],
            "item_code" => ["I1", "I1", "I2"],
            "accepted" => [1i64, 1, 1],
            "open" => [5i64, 7, 9],
        )
        .unwrap()
        .lazy()
        .with_column(col("date").cast(DataType::Date));
        let spec = RollupSpec {
            measures: &[("accepted", Roll::Sum), ("open", Roll::AtEnd)],
            extra_keys: &[],
            levels: &["center", "window", "staff"],
            grains: &[Grain::Month],
            as_of: d("2026-11-02"),
        };
        let out = rollup(events, &spec).unwrap();
        let row = |period: &str, level: &str, key: &str| -> (i64, i64) {
            let m = out
                .clone()
                .lazy()
                .filter(
                    col("period")
                        .eq(lit(period))
                        .and(col("level").eq(lit(level)))
                        .and(col("key").eq(lit(key))),
                )
                .collect()
                .unwrap();
            assert_eq!(m.height(), 1, "{period} {level} {key}");
            (
                m.column("accepted").unwrap().i64().unwrap().get(0).unwrap(),
                m.column("open").unwrap().i64().unwrap().get(0).unwrap(),
            )
        };
        assert_eq!(row("2026-10", "center", "center"), (2, 7));
        assert_eq!(row("2026-10", "window", "W01"), (1, 0));
        // November is cut at the evaluation date 11-02.
        assert_eq!(row("2026-11", "center", "center"), (1, 9));
        assert_eq!(row("2026-10", "staff", "1001"), (1, 0));
        assert_eq!(out.height(), 2 + 2 + 1 + 1 + 1, "{out}");
    }
}
