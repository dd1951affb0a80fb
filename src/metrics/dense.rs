//! The roll-up of the two largest tables, case and step metrics, on plain
//! arrays instead of polars group-bys: the same output as
//! [`super::rollup::rollup_days`] joined with the polars roll-up's
//! quantiles (the tests below compare them), several times faster.
//!
//! Every level's keys are small integer codes (see
//! [`super::rollup::KeyCodes`]), so a day table is an array indexed by
//! (day, key): an event adds its measures at one index, with no hashing.
//! Each coarser period sums the day cells that fall in it; a state measure
//! ([`Roll::AtEnd`]) is taken from the period's state day only. The
//! quantile of a (period, key) is read from the values of its events in
//! (key, day, value) order: the events are sorted by (day, value) once,
//! and each level groups them by key (a counting sort, which keeps that
//! order). Levels run on the machine's cores side by side.
//!
//! The day table of a level holds `keys × days × measures` integers; a
//! long date range is cut into chunks of days so that a chunk stays within
//! [`CELL_BUDGET`], each chunk a pass over the events.

use super::period::{period_of, Grain};
use super::rollup::{Roll, LEVELS};
use crate::polars_ext::epoch_days;
use anyhow::{bail, Result};
use chrono::NaiveDate;
use polars::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A missing key (the event does not count at that level).
pub const NO_KEY: u32 = u32::MAX;
/// A missing date (the event counts nowhere).
pub const NO_DAY: i32 = i32::MIN;

/// Integers one level's day table may hold at once (128 MiB).
const CELL_BUDGET: usize = 16 << 20;

/// Quantile values up to this (and day offsets) pack beside a key into
/// one integer; larger values are sorted as pairs.
const VALUE_MAX: u64 = (1 << 20) - 1;

/// The measure values of one kind of event.
#[derive(Clone)]
pub enum Value<'a> {
    /// 1 for every event.
    One,
    /// One value per event.
    Of(&'a [i64]),
    /// 1 for the events whose flag is set, 0 for the others: a count of
    /// some events, held a byte per event instead of eight.
    Flag(&'a [bool]),
    /// One value per event or none: a sum adds nothing, a largest value
    /// ([`Roll::Max`]) is null where no event had one.
    Opt(&'a [Option<i64>]),
}

/// One kind of event: a date and some of the measures each.
#[derive(Clone)]
pub struct Kind<'a> {
    /// The base row (index into each level's keys) of every event; `None`
    /// when event `i` is base row `i`.
    pub rows: Option<&'a [u32]>,
    /// Every event's day (days since 1970-01-01), or [`NO_DAY`].
    pub days: &'a [i32],
    /// The measures it carries: (index into [`Spec::measures`], values).
    pub measures: Vec<(usize, Value<'a>)>,
}

/// One level: its name (as the `level` column shows it) and the key code
/// of every base row (or [`NO_KEY`]).
pub struct Level<'a> {
    pub name: &'a str,
    pub keys: &'a [u32],
}

/// Quantiles of a non-negative integer value of one kind of event (by
/// linear interpolation); events with a null or negative value are left out.
pub struct Quantiles<'a> {
    /// Index into [`Spec::kinds`].
    pub kind: usize,
    pub values: &'a [Option<i64>],
    /// (q, output column).
    pub qs: &'a [(f64, &'a str)],
}

/// Which (period, key) cells become rows.
pub enum Keep<'a> {
    /// Every cell some event fell in.
    AnyEvent,
    /// Cells where the sum of these measures (indexes into
    /// [`Spec::measures`]) is positive at the grain.
    Positive(&'a [usize]),
}

/// What to roll up.
pub struct Spec<'a> {
    pub measures: &'a [(&'a str, Roll)],
    pub levels: Vec<Level<'a>>,
    pub kinds: Vec<Kind<'a>>,
    pub quantiles: Vec<Quantiles<'a>>,
    pub keep: Keep<'a>,
    pub grains: &'a [Grain],
    pub as_of: NaiveDate,
}

/// The key codes of some levels of a frame whose key columns are
/// [`super::rollup::KeyCodes`] codes: (level name, code per row, a null as
/// [`NO_KEY`]), in the order of [`LEVELS`].
#[derive(Clone)]
pub struct LevelKeys(Vec<(&'static str, Vec<u32>)>);

impl LevelKeys {
    pub fn of(df: &DataFrame, levels: &[&str]) -> Result<LevelKeys> {
        let mut out = Vec::new();
        for (level, column) in LEVELS.iter().filter(|(l, _)| levels.contains(l)) {
            let codes = df.column(column)?.cast(&DataType::UInt32)?;
            out.push((*level, crate::polars_ext::values_or(codes.u32()?, NO_KEY)));
        }
        Ok(LevelKeys(out))
    }

    /// One more level, outside [`LEVELS`] (its codes from
    /// [`super::rollup::KeyCodes::add_level`], a null as [`NO_KEY`]).
    pub fn with(mut self, level: &'static str, codes: Vec<Option<u32>>) -> LevelKeys {
        let codes = codes.into_iter().map(|k| k.unwrap_or(NO_KEY)).collect();
        self.0.push((level, codes));
        self
    }

    /// The key codes of every level, to change in place.
    pub fn keys_mut(&mut self) -> impl Iterator<Item = &mut Vec<u32>> {
        self.0.iter_mut().map(|(_, keys)| keys)
    }

    /// The levels of a [`Spec`].
    pub fn levels(&self) -> Vec<Level<'_>> {
        self.0
            .iter()
            .map(|(name, keys)| Level { name, keys })
            .collect()
    }
}

/// A Date column as day numbers, a null as [`NO_DAY`].
pub fn day_numbers(df: &DataFrame, column: &str) -> Result<Vec<i32>> {
    let days = df
        .column(column)?
        .cast(&DataType::Date)?
        .cast(&DataType::Int32)?;
    Ok(crate::polars_ext::values_or(days.i32()?, NO_DAY))
}

/// The index of a measure in a table's measures (a programming error if
/// it is not one of them).
pub fn measure_index(measures: &[(&str, Roll)], name: &str) -> usize {
    measures
        .iter()
        .position(|(m, _)| *m == name)
        .unwrap_or_else(|| panic!("{name} is not a measure of the table"))
}

/// The periods of one grain over the days `from..=to`.
struct Periods {
    grain: Grain,
    /// Period index of every day offset.
    of_day: Vec<u32>,
    labels: Vec<String>,
    /// Start and end, days since 1970-01-01.
    bounds: Vec<(i32, i32)>,
    /// Offset (from `from`) of each period's state day: its end, or as_of
    /// if earlier.
    state: Vec<i64>,
}

impl Periods {
    fn new(grain: Grain, from: i32, to: i32, as_of: i32) -> Periods {
        let mut p = Periods {
            grain,
            of_day: Vec::with_capacity((to - from + 1) as usize),
            labels: Vec::new(),
            bounds: Vec::new(),
            state: Vec::new(),
        };
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
        let mut day = from;
        while day <= to {
            let period = period_of(grain, epoch + chrono::Duration::days(i64::from(day)));
            let (start, end) = (epoch_days(period.start), epoch_days(period.end));
            let index = p.labels.len() as u32;
            p.labels.push(period.label);
            p.bounds.push((start, end));
            p.state.push(i64::from(end.min(as_of)) - i64::from(from));
            let last = end.min(to);
            p.of_day
                .extend(std::iter::repeat_n(index, (last - day + 1) as usize));
            day = last + 1;
        }
        p
    }

    fn len(&self) -> usize {
        self.labels.len()
    }
}

/// The rows of one grain at one level, in (period, key) order.
#[derive(Default)]
struct Block {
    /// Rows of period p: `starts[p]..starts[p + 1]`.
    starts: Vec<usize>,
    keys: Vec<u32>,
    /// One column per measure, in the order of [`Spec::measures`]
    /// ([`NONE`] for no value): a row's measures are spread into them as
    /// it is kept, while they are in the cache, and the output copies the
    /// columns slice by slice (gathering each output column from rows of
    /// every measure read the whole table once per measure).
    measures: Vec<Vec<i64>>,
    /// One column per quantile, in the order of [`Spec::quantiles`].
    quantiles: Vec<Vec<Option<f64>>>,
}

impl Block {
    fn new(measures: usize) -> Block {
        Block {
            measures: vec![Vec::new(); measures],
            ..Block::default()
        }
    }

    fn push(&mut self, key: u32, row: &[i64]) {
        self.keys.push(key);
        for (column, value) in self.measures.iter_mut().zip(row) {
            column.push(*value);
        }
    }
}

/// A largest value ([`Roll::Max`]) where no event had one.
const NONE: i64 = i64::MIN;

/// The empty value of each measure: 0 for a sum, [`NONE`] for a largest
/// value.
fn empty_row(spec: &Spec) -> Vec<i64> {
    spec.measures
        .iter()
        .map(|(_, roll)| match roll {
            Roll::Max => NONE,
            Roll::Sum | Roll::AtEnd => 0,
        })
        .collect()
}

/// Roll `spec` up to every grain × level: columns `grain, period,
/// period_start, period_end, level, key` (the UInt32 key codes), the
/// measures (Int64) and the quantiles (Float64), sorted by grain and level
/// name, period and key code.
pub fn rollup(spec: &Spec) -> Result<DataFrame> {
    rollup_on(
        spec,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    )
}

/// [`rollup`] on `workers` threads.
fn rollup_on(spec: &Spec, workers: usize) -> Result<DataFrame> {
    let workers = workers.max(1);
    let as_of = epoch_days(spec.as_of);
    let every_day = spec.kinds.iter().flat_map(|k| k.days.iter().copied());
    let (lo, hi) = every_day
        .filter(|d| *d != NO_DAY)
        .fold((as_of, as_of), |(lo, hi), d| (lo.min(d), hi.max(d)));
    if i64::from(hi) - i64::from(lo) >= 1 << 20 {
        bail!("the events span more than 2^20 days");
    }
    let mut grains = spec.grains.to_vec();
    grains.sort_by_key(|g| g.name());
    grains.dedup();
    let periods: Vec<Periods> = grains
        .iter()
        .map(|g| Periods::new(*g, lo, hi, as_of))
        .collect();
    let mut order: Vec<usize> = (0..spec.levels.len()).collect();
    order.sort_by_key(|&l| spec.levels[l].name);
    let sizes: Vec<usize> = spec.levels.iter().map(|l| key_count(l.keys)).collect();
    let parts = level_parts(&sizes, workers);
    // The events of each quantile in (day, value) order, once for every
    // level: a level then only groups them by key.
    let by_day: Vec<Option<Vec<(u64, u32)>>> = spec
        .quantiles
        .iter()
        .map(|q| day_value_order(spec, q, lo))
        .collect();
    // The parts side by side, the largest (most keys) first.
    let mut by_size: Vec<usize> = (0..parts.len()).collect();
    by_size.sort_by_key(|&i| std::cmp::Reverse(parts[i].1.len()));
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<Result<Vec<Block>>>>> =
        Mutex::new((0..parts.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..workers.min(parts.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&part) = by_size.get(i) else { break };
                let (level, keys) = parts[part].clone();
                let blocks = level_blocks(spec, level, keys, &periods, &by_day, lo, hi);
                done.lock().expect("no worker panicked")[part] = Some(blocks);
            });
        }
    });
    // Each level's parts, in key order.
    let mut blocks: Vec<Vec<Vec<Block>>> = (0..spec.levels.len()).map(|_| Vec::new()).collect();
    for ((level, _), b) in parts
        .iter()
        .zip(done.into_inner().expect("no worker panicked"))
    {
        blocks[*level].push(b.expect("every part computed")?);
    }
    assemble(spec, &periods, &order, &blocks)
}

/// The levels cut into parts by key code, `(level, codes)` in level and
/// code order: a level with more keys than all the others together is cut
/// into one part per worker, so that it does not run on one core while the
/// others wait (each part passes over every event, and adds only its own).
fn level_parts(sizes: &[usize], workers: usize) -> Vec<(usize, std::ops::Range<u32>)> {
    let total: usize = sizes.iter().sum();
    let mut parts = Vec::new();
    for (level, &size) in sizes.iter().enumerate() {
        let cut = if workers > 1 && size > total - size && size >= MIN_PART_KEYS * workers {
            workers
        } else {
            1
        };
        let step = size.div_ceil(cut);
        for first in (0..size.max(1)).step_by(step.max(1)) {
            parts.push((level, first as u32..(first + step).min(size) as u32));
        }
    }
    parts
}

/// The fewest keys a level's part has.
const MIN_PART_KEYS: usize = 256;

/// The number of key codes of a level (largest code + 1).
fn key_count(keys: &[u32]) -> usize {
    keys.iter()
        .filter(|k| **k != NO_KEY)
        .max()
        .map_or(0, |k| *k as usize + 1)
}

/// Every grain's block of one level (in the order of `periods`).
fn level_blocks(
    spec: &Spec,
    level: usize,
    part: std::ops::Range<u32>,
    periods: &[Periods],
    by_day: &[Option<Vec<(u64, u32)>>],
    lo: i32,
    hi: i32,
) -> Result<Vec<Block>> {
    let keys = spec.levels[level].keys;
    // The part's own codes, from 0; any other key is none of its.
    let local = |key: u32| match part.contains(&key) {
        true => key - part.start,
        false => NO_KEY,
    };
    let k_count = part.len();
    let m_count = spec.measures.len();
    let empty = empty_row(spec);
    let day_count = (hi - lo + 1) as usize;
    let mut blocks: Vec<Block> = periods.iter().map(|_| Block::new(m_count)).collect();
    if k_count == 0 {
        for (b, p) in blocks.iter_mut().zip(periods) {
            b.starts = vec![0; p.len() + 1];
        }
        return Ok(blocks);
    }
    // Coarser grains accumulate over every chunk of days.
    let mut sums: Vec<Vec<i64>> = periods
        .iter()
        .map(|p| match p.grain {
            Grain::Day => Vec::new(),
            _ => empty.repeat(p.len() * k_count),
        })
        .collect();
    let mut counts: Vec<Vec<u32>> = periods
        .iter()
        .map(|p| match p.grain {
            Grain::Day => Vec::new(),
            _ => vec![0; p.len() * k_count],
        })
        .collect();
    // A day cell holds its measures and, last, its count of events: an
    // event touches one row of the day table, not a row and a count.
    let stride = m_count + 1;
    let mut empty_cell = empty.clone();
    empty_cell.push(0);
    let chunk = (CELL_BUDGET / (k_count * stride)).clamp(1, day_count);
    // A chunk's day table is zeroed by the allocator where every measure
    // starts at 0 (fresh pages need no filling), else filled cell by cell.
    let zeroed = empty_cell.iter().all(|v| *v == 0);
    let mut cells: Vec<u32> = Vec::new();
    let ops: Vec<Ops> = spec.kinds.iter().map(|k| Ops::of(spec, k)).collect();
    let rolls = Rolls::of(spec);
    let day_grain = periods.iter().position(|p| p.grain == Grain::Day);
    let coarser: Vec<usize> = (0..periods.len())
        .filter(|&g| periods[g].grain != Grain::Day)
        .collect();
    let mut coarse: Vec<(usize, usize, &[i64])> = Vec::with_capacity(periods.len());
    for first in (0..day_count).step_by(chunk) {
        let len = chunk.min(day_count - first);
        let mut day_sums = match zeroed {
            true => vec![0; len * k_count * stride],
            false => empty_cell.repeat(len * k_count),
        };
        for (kind, ops) in spec.kinds.iter().zip(&ops) {
            // The cell of every event (day within the chunk × key), once.
            cells.clear();
            let cell_of = |day: i32, key: u32| -> u32 {
                if day == NO_DAY {
                    return u32::MAX;
                }
                let off = (day - lo) as usize;
                if off < first || off >= first + len {
                    return u32::MAX;
                }
                match local(key) {
                    NO_KEY => u32::MAX,
                    key => ((off - first) * k_count + key as usize) as u32,
                }
            };
            // A kind without rows of its own is the base rows in order: its
            // keys are read side by side with its days.
            match kind.rows {
                None => {
                    assert!(kind.days.len() <= keys.len(), "an event without a base row");
                    cells.extend(kind.days.iter().zip(keys).map(|(&d, &k)| cell_of(d, k)))
                }
                Some(rows) => cells.extend(
                    kind.days
                        .iter()
                        .zip(rows)
                        .map(|(&d, &r)| cell_of(d, keys[r as usize])),
                ),
            }
            // Event by event, its count and all its measures at once: they
            // sit side by side in the cell. The cells are scattered over a
            // table larger than the caches, so the cell of an event a few
            // ahead is asked for while this one is added.
            for (e, &c) in cells.iter().enumerate() {
                if let Some(&ahead) = cells.get(e + PREFETCH_AHEAD) {
                    if ahead != u32::MAX {
                        crate::memory::prefetch(&day_sums[ahead as usize * stride..][..stride]);
                    }
                }
                if c == u32::MAX {
                    continue;
                }
                let cell = &mut day_sums[c as usize * stride..][..stride];
                cell[m_count] += 1;
                ops.add(cell, e);
            }
        }
        // One pass over the day table for every grain: a day's cells are
        // read once, kept as the day grain's rows and added to the period
        // of each coarser grain (many cells of a level with many keys are
        // empty: reading every cell's count once per grain took more of a
        // profile than the adds did).
        for d in 0..len {
            let off = first + d;
            // Each coarser grain's first cell of this day's period, and
            // the mask it adds with: a state measure counts on its
            // period's state day only.
            coarse.clear();
            coarse.extend(coarser.iter().map(|&g| {
                let p = &periods[g];
                let period = p.of_day[off] as usize;
                let add = match p.state[period] == off as i64 {
                    true => &rolls.sum_at_end,
                    false => &rolls.sum,
                };
                (g, period * k_count, add.as_slice())
            }));
            if let Some(g) = day_grain {
                let block = &mut blocks[g];
                block.starts.push(block.keys.len());
            }
            for k in 0..k_count {
                let cell = &day_sums[(d * k_count + k) * stride..][..stride];
                let (row, events) = (&cell[..m_count], cell[m_count]);
                if events == 0 {
                    continue;
                }
                if let Some(g) = day_grain {
                    if keep(&spec.keep, events as u32, row) {
                        blocks[g].push(k as u32, row);
                    }
                }
                for &(g, base, add) in &coarse {
                    let to = base + k;
                    counts[g][to] += events as u32;
                    let into = &mut sums[g][to * m_count..][..m_count];
                    for ((into, value), mask) in into.iter_mut().zip(row).zip(add) {
                        *into += value & mask;
                    }
                    for &m in &rolls.max {
                        into[m] = into[m].max(row[m]);
                    }
                }
            }
        }
    }
    for (g, p) in periods.iter().enumerate() {
        let block = &mut blocks[g];
        if p.grain != Grain::Day {
            for period in 0..p.len() {
                block.starts.push(block.keys.len());
                for k in 0..k_count {
                    let cell = period * k_count + k;
                    let row = &sums[g][cell * m_count..(cell + 1) * m_count];
                    if keep(&spec.keep, counts[g][cell], row) {
                        block.push(k as u32, row);
                    }
                }
            }
        }
        block.starts.push(block.keys.len());
    }
    for (q, by_day) in spec.quantiles.iter().zip(by_day) {
        quantiles(
            spec,
            q,
            &|row| local(keys[row]),
            k_count,
            by_day.as_deref(),
            periods,
            lo,
            &mut blocks,
        );
    }
    for block in &mut blocks {
        for key in &mut block.keys {
            *key += part.start;
        }
    }
    Ok(blocks)
}

/// The measures by how a period adds up its days, as masks over a cell's
/// measures (all ones where the day's value is added, zero where it is
/// not): summed on every day (`sum`), those and the state measures
/// (`sum_at_end`, for the period's state day); and those kept largest
/// (`max`, by index), which neither mask adds. A masked add of the whole
/// cell is one plain loop, with no measure index to look up.
struct Rolls {
    sum: Vec<i64>,
    sum_at_end: Vec<i64>,
    max: Vec<usize>,
}

impl Rolls {
    fn of(spec: &Spec) -> Rolls {
        let mask = |f: fn(&Roll) -> bool| -> Vec<i64> {
            spec.measures
                .iter()
                .map(|(_, roll)| if f(roll) { -1 } else { 0 })
                .collect()
        };
        Rolls {
            sum: mask(|r| matches!(r, Roll::Sum)),
            sum_at_end: mask(|r| matches!(r, Roll::Sum | Roll::AtEnd)),
            max: (0..spec.measures.len())
                .filter(|&m| matches!(spec.measures[m].1, Roll::Max))
                .collect(),
        }
    }
}

/// The measures of one kind of event sorted by what adding one takes, so
/// that adding an event to its day cell runs a plain loop per sort instead
/// of asking each measure what it is.
struct Ops<'a> {
    /// Counted (1 each, or 1 where a flag is set), summed or kept largest.
    ones: Vec<usize>,
    ones_max: Vec<usize>,
    sums: Vec<(usize, &'a [i64])>,
    maxes: Vec<(usize, &'a [i64])>,
    flags: Vec<(usize, &'a [bool])>,
    flag_maxes: Vec<(usize, &'a [bool])>,
    opt_sums: Vec<(usize, &'a [Option<i64>])>,
    opt_maxes: Vec<(usize, &'a [Option<i64>])>,
}

impl<'a> Ops<'a> {
    fn of(spec: &Spec, kind: &Kind<'a>) -> Ops<'a> {
        let mut ops = Ops {
            ones: Vec::new(),
            ones_max: Vec::new(),
            sums: Vec::new(),
            maxes: Vec::new(),
            flags: Vec::new(),
            flag_maxes: Vec::new(),
            opt_sums: Vec::new(),
            opt_maxes: Vec::new(),
        };
        for (m, value) in &kind.measures {
            let max = matches!(spec.measures[*m].1, Roll::Max);
            match (value, max) {
                (Value::One, false) => ops.ones.push(*m),
                (Value::One, true) => ops.ones_max.push(*m),
                (Value::Of(v), false) => ops.sums.push((*m, v)),
                (Value::Of(v), true) => ops.maxes.push((*m, v)),
                (Value::Flag(v), false) => ops.flags.push((*m, v)),
                (Value::Flag(v), true) => ops.flag_maxes.push((*m, v)),
                (Value::Opt(v), false) => ops.opt_sums.push((*m, v)),
                (Value::Opt(v), true) => ops.opt_maxes.push((*m, v)),
            }
        }
        ops
    }

    /// Event `e`'s measures into its day cell.
    #[inline]
    fn add(&self, cell: &mut [i64], e: usize) {
        for &m in &self.ones {
            cell[m] += 1;
        }
        for &m in &self.ones_max {
            cell[m] = cell[m].max(1);
        }
        for &(m, v) in &self.sums {
            cell[m] += v[e];
        }
        for &(m, v) in &self.maxes {
            cell[m] = cell[m].max(v[e]);
        }
        for &(m, v) in &self.flags {
            cell[m] += i64::from(v[e]);
        }
        for &(m, v) in &self.flag_maxes {
            cell[m] = cell[m].max(i64::from(v[e]));
        }
        for &(m, v) in &self.opt_sums {
            if let Some(x) = v[e] {
                cell[m] += x;
            }
        }
        for &(m, v) in &self.opt_maxes {
            if let Some(x) = v[e] {
                cell[m] = cell[m].max(x);
            }
        }
    }
}

/// How many events ahead [`level_blocks`] asks for a day cell.
const PREFETCH_AHEAD: usize = 16;

/// Whether a cell becomes a row.
fn keep(keep: &Keep, events: u32, row: &[i64]) -> bool {
    match keep {
        Keep::AnyEvent => events > 0,
        Keep::Positive(measures) => measures.iter().map(|m| row[*m]).sum::<i64>() > 0,
    }
}

/// The events of a quantile with a value and a day as (day offset << 20 |
/// value, event), sorted; `None` when a value is too large to pack.
fn day_value_order(spec: &Spec, q: &Quantiles, lo: i32) -> Option<Vec<(u64, u32)>> {
    if q.values.iter().flatten().any(|v| *v as u64 > VALUE_MAX) {
        return None;
    }
    let days = spec.kinds[q.kind].days;
    let mut out: Vec<(u64, u32)> = crate::memory::collect_sized(
        days.len(),
        days.iter()
            .zip(q.values)
            .enumerate()
            .filter_map(|(e, (&day, &value))| {
                let value = u64::try_from(value?).ok()?;
                (day != NO_DAY).then(|| ((((day - lo) as u64) << 20) | value, e as u32))
            }),
    );
    // Events of one day and value may come in any order: a level groups
    // them by key and keeps only their day and value.
    crate::parallel::sort_unstable_by(&mut out, |a, b| a.0.cmp(&b.0));
    Some(out)
}

/// The quantiles of every row of every block of one level (null where no
/// event of the quantiles' kind with a value fell in the cell), each added
/// to the blocks as a column. `by_day`: the events of the quantiles in
/// (day, value) order ([`day_value_order`]), grouped here by key.
#[allow(clippy::too_many_arguments)]
fn quantiles(
    spec: &Spec,
    q: &Quantiles,
    key_of_row: &dyn Fn(usize) -> u32,
    k_count: usize,
    by_day: Option<&[(u64, u32)]>,
    periods: &[Periods],
    lo: i32,
    blocks: &mut [Block],
) {
    let kind = &spec.kinds[q.kind];
    let key_of = |e: usize| key_of_row(kind.rows.map_or(e, |r| r[e] as usize));
    // Sorted on (key, day, value), the events of one (period, key) are one
    // run: packed into one integer where the values allow, else as pairs.
    match by_day {
        Some(by_day) => {
            // A stable counting sort by key of the events in (day, value)
            // order gives the (key, day, value) order.
            // Each event's key, looked up once for both passes (in day
            // order the events' rows are scattered: a look-up is a miss).
            let keys: Vec<u32> = by_day.iter().map(|&(_, e)| key_of(e as usize)).collect();
            let mut starts = vec![0usize; k_count + 1];
            for &key in &keys {
                if key != NO_KEY {
                    starts[key as usize + 1] += 1;
                }
            }
            for k in 0..k_count {
                starts[k + 1] += starts[k];
            }
            let mut packed = vec![0u64; starts[k_count]];
            for (&(day_value, _), &key) in by_day.iter().zip(&keys) {
                if key != NO_KEY {
                    let at = &mut starts[key as usize];
                    packed[*at] = (u64::from(key) << 40) | day_value;
                    *at += 1;
                }
            }
            quantile_runs(
                &packed,
                |&x| {
                    (
                        (x >> 40) as u32,
                        ((x >> 20) & VALUE_MAX) as usize,
                        (x & VALUE_MAX) as i64,
                    )
                },
                q.qs,
                periods,
                blocks,
            )
        }
        None => {
            let mut pairs: Vec<(u64, u64)> = crate::memory::collect_sized(
                kind.days.len(),
                kind.days
                    .iter()
                    .zip(q.values)
                    .enumerate()
                    .filter_map(|(e, (&day, &value))| {
                        let value = u64::try_from(value?).ok()?;
                        let key = key_of(e);
                        (day != NO_DAY && key != NO_KEY)
                            .then(|| ((u64::from(key) << 32) | (day - lo) as u64, value))
                    }),
            );
            pairs.sort_unstable();
            quantile_runs(
                &pairs,
                |&(kd, v)| ((kd >> 32) as u32, (kd & 0xffff_ffff) as usize, v as i64),
                q.qs,
                periods,
                blocks,
            )
        }
    }
}

/// Per grain, the quantiles `qs` of every (period, key) run of `sorted`
/// (events in (key, day, value) order, split by `parts`), each added to
/// the grain's block as a column (null for a row no run fell in).
///
/// The events are cut into runs of one (key, day) once; a period's run is
/// the (key, day) runs of its days side by side, its smallest and largest
/// value read off their ends. A period's runs come in key order, as its
/// rows do: each period keeps the row it has reached, and a run whose cell
/// did not become a row is not looked at further.
fn quantile_runs<T>(
    sorted: &[T],
    parts: impl Fn(&T) -> (u32, usize, i64),
    qs: &[(f64, &str)],
    periods: &[Periods],
    blocks: &mut [Block],
) {
    // (key, day offset, end) of every (key, day) run, each starting where
    // the one before ends.
    let mut day_runs: Vec<(u32, usize, usize)> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let (key, day, _) = parts(&sorted[i]);
        let mut j = i + 1;
        while j < sorted.len() && {
            let (k, d, _) = parts(&sorted[j]);
            k == key && d == day
        } {
            j += 1;
        }
        day_runs.push((key, day, j));
        i = j;
    }
    let value = |i: usize| parts(&sorted[i]).2;
    let mut run = RunValues::default();
    let mut found = vec![0.0; qs.len()];
    for (p, block) in periods.iter().zip(blocks.iter_mut()) {
        let mut columns: Vec<Vec<Option<f64>>> =
            qs.iter().map(|_| vec![None; block.keys.len()]).collect();
        let mut next: Vec<usize> = block.starts[..p.len()].to_vec();
        let (mut r, mut start) = (0, 0);
        while r < day_runs.len() {
            let (key, day, first_end) = day_runs[r];
            let period = p.of_day[day] as usize;
            let (mut min, mut max) = (value(start), value(first_end - 1));
            let mut s = r + 1;
            while s < day_runs.len()
                && day_runs[s].0 == key
                && p.of_day[day_runs[s].1] as usize == period
            {
                min = min.min(value(day_runs[s - 1].2));
                max = max.max(value(day_runs[s].2 - 1));
                s += 1;
            }
            let end = day_runs[s - 1].2;
            let (row, last) = (&mut next[period], block.starts[period + 1]);
            while *row < last && block.keys[*row] < key {
                *row += 1;
            }
            if *row < last && block.keys[*row] == key {
                // One day's values are already in order.
                let one_day = s == r + 1;
                run.quantiles(start..end, value, (min, max), one_day, qs, &mut found);
                for (column, q) in columns.iter_mut().zip(&found) {
                    column[*row] = Some(*q);
                }
            }
            (r, start) = (s, end);
        }
        block.quantiles.extend(columns);
    }
}

/// The buffers of [`quantile_runs`], reused from run to run.
#[derive(Default)]
struct RunValues {
    values: Vec<i64>,
    counts: Vec<u32>,
}

/// A run whose values span at most this many times its length is counted
/// value by value instead of partially sorted for each quantile.
const COUNTED_SPAN: usize = 4;

impl RunValues {
    /// The quantiles `qs` of the values `value(i)` of `run` (at least one,
    /// none negative, `min` and `max` the smallest and largest) into
    /// `out`: read off when they are in order, from a count of each value
    /// when they span a short range, else by partial sorts of a copy.
    fn quantiles(
        &mut self,
        run: std::ops::Range<usize>,
        value: impl Fn(usize) -> i64,
        (min, max): (i64, i64),
        in_order: bool,
        qs: &[(f64, &str)],
        out: &mut [f64],
    ) {
        let n = run.len();
        let span = max.abs_diff(min) as usize + 1;
        if in_order {
            for ((q, _), out) in qs.iter().zip(out) {
                let (h, lo) = rank(*q, n);
                let x_hi = value(run.start + (lo + 1).min(n - 1));
                *out = interpolate(h, lo, value(run.start + lo) as f64, x_hi as f64);
            }
        } else if span <= COUNTED_SPAN * n {
            self.counts.clear();
            self.counts.resize(span, 0);
            for i in run {
                self.counts[(value(i) - min) as usize] += 1;
            }
            for ((q, _), out) in qs.iter().zip(out) {
                *out = counted_quantile(&self.counts, min, n, *q);
            }
        } else {
            self.values.clear();
            self.values.extend(run.map(&value));
            for ((q, _), out) in qs.iter().zip(out) {
                *out = quantile_of(&mut self.values, *q);
            }
        }
    }
}

/// [`quantile_of`] of `n` values given as the count of each value from
/// `min` up.
fn counted_quantile(counts: &[u32], min: i64, n: usize, q: f64) -> f64 {
    let (h, lo) = rank(q, n);
    // The value of rank `lo`, and the number of values up to it.
    let (mut v, mut seen) = (0, counts[0] as usize);
    while seen <= lo {
        v += 1;
        seen += counts[v] as usize;
    }
    let x_lo = v;
    // Rank lo + 1: the same value if it holds that rank too, else the
    // next value there is.
    let x_hi = if lo + 1 < n && seen == lo + 1 {
        v += 1;
        while counts[v] == 0 {
            v += 1;
        }
        v
    } else {
        x_lo
    };
    interpolate(
        h,
        lo,
        (min + x_lo as i64) as f64,
        (min + x_hi as i64) as f64,
    )
}

/// h = q·(n−1) and ⌊h⌋: the rank of the quantile among `n` values in
/// order, and the rank of the value below it.
fn rank(q: f64, n: usize) -> (f64, usize) {
    let h = q * (n - 1) as f64;
    (h, h.floor() as usize)
}

/// x_lo + (h − ⌊h⌋)·(x_hi − x_lo).
fn interpolate(h: f64, lo: usize, x_lo: f64, x_hi: f64) -> f64 {
    x_lo + (h - lo as f64) * (x_hi - x_lo)
}

/// The `q` quantile by linear interpolation of some values in any order:
/// h = q·(n−1), x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) over the values in
/// order (the formula of the polars roll-up's histogram quantile), found
/// by a partial sort.
fn quantile_of(values: &mut [i64], q: f64) -> f64 {
    let (h, lo) = rank(q, values.len());
    let (_, x, rest) = values.select_nth_unstable(lo);
    let x = *x;
    let x_hi = rest.iter().copied().min().unwrap_or(x);
    interpolate(h, lo, x as f64, x_hi as f64)
}

/// A run of output rows: the rows `rows` of one block, all of one period
/// and level.
struct OutRun<'b> {
    grain: &'static str,
    label: &'b str,
    bounds: (i32, i32),
    level: &'b str,
    block: &'b Block,
    rows: std::ops::Range<usize>,
}

/// One value of each run, repeated over its rows.
fn repeated<'b, T: Copy>(
    runs: &[OutRun<'b>],
    rows: usize,
    of: impl Fn(&OutRun<'b>) -> T,
) -> Vec<T> {
    let mut out = Vec::with_capacity(rows);
    for r in runs {
        out.extend(std::iter::repeat_n(of(r), r.rows.len()));
    }
    out
}

/// The output frame: grains in name order, then periods, levels in name
/// order, keys. Each column is gathered from the blocks on its own, the
/// columns on every core.
fn assemble(
    spec: &Spec,
    periods: &[Periods],
    level_order: &[usize],
    blocks: &[Vec<Vec<Block>>],
) -> Result<DataFrame> {
    let mut runs: Vec<OutRun> = Vec::new();
    for (g, p) in periods.iter().enumerate() {
        for (at, label) in p.labels.iter().enumerate() {
            for (l, part) in level_order
                .iter()
                .flat_map(|&l| blocks[l].iter().map(move |p| (l, p)))
            {
                let block = &part[g];
                let rows = block.starts[at]..block.starts[at + 1];
                if !rows.is_empty() {
                    runs.push(OutRun {
                        grain: p.grain.name(),
                        label,
                        bounds: p.bounds[at],
                        level: spec.levels[l].name,
                        block,
                        rows,
                    });
                }
            }
        }
    }
    let rows: usize = runs.iter().map(|r| r.rows.len()).sum();
    let m_count = spec.measures.len();
    let q_names: Vec<&str> = spec
        .quantiles
        .iter()
        .flat_map(|q| q.qs.iter().map(|(_, name)| *name))
        .collect();
    let date = |name: &str, days: Vec<i32>| -> Result<Column> {
        Ok(Series::new(name.into(), days)
            .cast(&DataType::Date)?
            .into_column())
    };
    let measure = |m: usize| -> Column {
        let (name, roll) = spec.measures[m];
        let mut values: Vec<i64> = Vec::with_capacity(rows);
        for r in &runs {
            values.extend_from_slice(&r.block.measures[m][r.rows.clone()]);
        }
        match roll {
            Roll::Max => Column::new(
                name.into(),
                values
                    .into_iter()
                    .map(|v| (v != NONE).then_some(v))
                    .collect::<Vec<_>>(),
            ),
            Roll::Sum | Roll::AtEnd => Column::new(name.into(), values),
        }
    };
    let jobs: Vec<usize> = (0..6 + m_count + q_names.len()).collect();
    let columns = crate::parallel::parallel_map(&jobs, |&j| -> Result<Column> {
        Ok(match j {
            0 => Column::new("grain".into(), repeated(&runs, rows, |r| r.grain)),
            1 => Column::new("period".into(), repeated(&runs, rows, |r| r.label)),
            2 => date("period_start", repeated(&runs, rows, |r| r.bounds.0))?,
            3 => date("period_end", repeated(&runs, rows, |r| r.bounds.1))?,
            4 => Column::new("level".into(), repeated(&runs, rows, |r| r.level)),
            5 => {
                let mut keys = Vec::with_capacity(rows);
                for r in &runs {
                    keys.extend_from_slice(&r.block.keys[r.rows.clone()]);
                }
                Column::new("key".into(), keys)
            }
            j if j < 6 + m_count => measure(j - 6),
            j => {
                let q = j - 6 - m_count;
                let mut out: Vec<Option<f64>> = Vec::with_capacity(rows);
                for r in &runs {
                    out.extend_from_slice(&r.block.quantiles[q][r.rows.clone()]);
                }
                Column::new(q_names[q].into(), out)
            }
        })
    });
    let columns = columns.into_iter().collect::<Result<Vec<_>>>()?;
    Ok(DataFrame::new(rows, columns)?)
}

#[cfg(test)]
mod tests {
    use super::super::rollup::{rollup_days, rollup_quantiles, RollupSpec, LEVELS};
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn quantile_matches_linear_interpolation_sorted_or_not() {
        // 0 1 1 1 1 2 2 2 3 3 4 4 4 4 5 7 9: h = 14.4 → 5 + 0.4·(7 − 5) = 5.8.
        let sorted = [0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 4, 5, 7, 9];
        let (mut run, mut out) = (RunValues::default(), [0.0]);
        let qs = [(0.9, "p90")];
        run.quantiles(0..17, |i| sorted[i], (0, 9), true, &qs, &mut out);
        assert!((out[0] - 5.8).abs() < 1e-12);
        let mut b = vec![9, 4, 1, 7, 0, 2, 4, 1, 3, 5, 2, 4, 1, 3, 2, 4, 1];
        assert!((quantile_of(&mut b, 0.9) - 5.8).abs() < 1e-12);
        assert_eq!(quantile_of(&mut [3], 0.9), 3.0);
    }

    #[test]
    fn counted_partially_sorted_and_read_off_quantiles_agree() {
        // Runs of 1 to 40 values spanning 1 to 400: some counted (span at
        // most 4 × length), the others partially sorted; and the same
        // values in order, read off. Every way gives the same bits as the
        // formula over a sorted copy.
        let mut next = crate::metrics::test_random(11);
        let qs = [(0.0, "q0"), (0.5, "p50"), (0.9, "p90"), (1.0, "q1")];
        let (mut run, mut out) = (RunValues::default(), [0.0; 4]);
        let (mut counted, mut selected) = (0, 0);
        for _ in 0..2_000 {
            let n = 1 + next(40) as usize;
            let span = 1 + next(400) as i64;
            let base = next(1_000) as i64;
            let values: Vec<i64> = (0..n).map(|_| base + next(span as u64) as i64).collect();
            let (min, max) = (*values.iter().min().unwrap(), *values.iter().max().unwrap());
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let expected: Vec<f64> = qs
                .iter()
                .map(|(q, _)| {
                    let (h, lo) = rank(*q, n);
                    let (a, b) = (sorted[lo], sorted[(lo + 1).min(n - 1)]);
                    a as f64 + (h - lo as f64) * (b - a) as f64
                })
                .collect();
            let spanned = max.abs_diff(min) as usize + 1;
            match spanned <= COUNTED_SPAN * n {
                true => counted += 1,
                false => selected += 1,
            }
            run.quantiles(0..n, |i| values[i], (min, max), false, &qs, &mut out);
            assert_eq!(out.to_vec(), expected, "{values:?}");
            run.quantiles(0..n, |i| sorted[i], (min, max), true, &qs, &mut out);
            assert_eq!(out.to_vec(), expected, "{sorted:?}");
        }
        assert!(counted > 300 && selected > 300, "{counted} {selected}");
    }

    #[test]
    fn periods_cover_every_day_once_with_state_days() {
        let (from, to, as_of) = (
            epoch_days(d("2025-12-29")),
            epoch_days(d("2026-02-03")),
            epoch_days(d("2026-01-20")),
        );
        let p = Periods::new(Grain::Month, from, to, as_of);
        assert_eq!(p.labels, ["2025-12", "2026-01", "2026-02"]);
        assert_eq!(p.of_day.len(), (to - from + 1) as usize);
        // December's state day is its end (offset 2); January's is as_of.
        assert_eq!(p.state[0], 2);
        assert_eq!(p.state[1], i64::from(as_of - from));
        let w = Periods::new(Grain::Week, from, to, as_of);
        assert_eq!(w.labels[0], "2026-W01");
    }

    #[test]
    fn a_level_with_most_keys_is_cut_into_one_part_per_worker() {
        // 1 000 staff against 1 + 3 + 40 keys: cut in two, as evenly as
        // the codes go; on one worker, or with the keys spread, not cut.
        assert_eq!(
            level_parts(&[1, 3, 40, 1000], 2),
            vec![
                (0, 0..1),
                (1, 0..3),
                (2, 0..40),
                (3, 0..500),
                (3, 500..1000)
            ]
        );
        assert_eq!(
            level_parts(&[1, 1001], 2)[1..],
            [(1, 0..501), (1, 501..1001)]
        );
        assert_eq!(level_parts(&[1, 1000], 1), vec![(0, 0..1), (1, 0..1000)]);
        assert_eq!(level_parts(&[500, 700, 300], 2).len(), 3);
        // Too few keys to be worth a second pass over the events; none.
        assert_eq!(level_parts(&[1, 300], 2), vec![(0, 0..1), (1, 0..300)]);
        assert_eq!(level_parts(&[0, 2], 2), vec![(0, 0..0), (1, 0..2)]);
    }

    #[test]
    fn a_level_cut_into_parts_rolls_up_as_one() {
        // 2 000 events over 90 days; the staff level's 1 500 codes (some
        // events with none) outnumber the others', so two workers cut it.
        let mut next = crate::metrics::test_random(11);
        let start = epoch_days(d("2026-01-01"));
        let n = 2_000;
        let days: Vec<i32> = (0..n).map(|_| start + next(90) as i32).collect();
        let center = vec![0u32; n];
        let window: Vec<u32> = (0..n).map(|_| next(12) as u32).collect();
        let staff: Vec<u32> = (0..n)
            .map(|_| match next(20) {
                0 => NO_KEY,
                _ => next(1_500) as u32,
            })
            .collect();
        let values: Vec<Option<i64>> = (0..n)
            .map(|_| (next(9) != 0).then(|| next(30) as i64))
            .collect();
        let measures = [("events", Roll::Sum), ("longest", Roll::Max)];
        let spec = Spec {
            measures: &measures,
            levels: vec![
                Level {
                    name: "center",
                    keys: &center,
                },
                Level {
                    name: "staff",
                    keys: &staff,
                },
                Level {
                    name: "window",
                    keys: &window,
                },
            ],
            kinds: vec![Kind {
                rows: None,
                days: &days,
                measures: vec![(0, Value::One), (1, Value::Opt(&values))],
            }],
            quantiles: vec![Quantiles {
                kind: 0,
                values: &values,
                qs: &[(0.5, "p50"), (0.9, "p90")],
            }],
            keep: Keep::AnyEvent,
            grains: &Grain::ALL,
            as_of: d("2026-03-31"),
        };
        assert_eq!(level_parts(&[1, 1_500, 12], 2).len(), 4);
        let whole = rollup_on(&spec, 1).unwrap();
        let cut = rollup_on(&spec, 2).unwrap();
        assert!(whole.height() > 1_500, "{} rows", whole.height());
        assert!(whole.equals_missing(&cut));
    }

    #[test]
    fn a_flag_rolls_up_as_its_ones_and_zeros() {
        let mut next = crate::metrics::test_random(11);
        let n = 5_000;
        let start = epoch_days(d("2026-01-01"));
        let days: Vec<i32> = (0..n)
            .map(|_| match next(15) {
                0 => NO_DAY,
                _ => start + next(90) as i32,
            })
            .collect();
        let keys: Vec<u32> = (0..n)
            .map(|_| match next(25) {
                0 => NO_KEY,
                _ => next(40) as u32,
            })
            .collect();
        let flags: Vec<bool> = (0..n).map(|_| next(3) == 0).collect();
        let ones: Vec<i64> = flags.iter().map(|f| i64::from(*f)).collect();
        let measures = [
            ("events", Roll::Sum),
            ("flagged", Roll::Sum),
            ("any", Roll::Max),
            ("flagged_at_end", Roll::AtEnd),
        ];
        let rolled = |value: Value| {
            rollup(&Spec {
                measures: &measures,
                levels: vec![Level {
                    name: "window",
                    keys: &keys,
                }],
                kinds: vec![Kind {
                    rows: None,
                    days: &days,
                    measures: vec![
                        (0, Value::One),
                        (1, value.clone()),
                        (2, value.clone()),
                        (3, value),
                    ],
                }],
                quantiles: Vec::new(),
                keep: Keep::AnyEvent,
                grains: &Grain::ALL,
                as_of: d("2026-03-20"),
            })
            .unwrap()
        };
        let by_flags = rolled(Value::Flag(&flags));
        let by_values = rolled(Value::Of(&ones));
        assert!(by_flags.height() > 1_000, "{} rows", by_flags.height());
        assert!(by_flags.equals_missing(&by_values));
        // Some cells hold a flagged event and some none: the largest is
        // 1 and 0 both.
        let any = by_flags.column("any").unwrap().i64().unwrap();
        assert!(any.iter().any(|v| v == Some(1)));
        assert!(any.iter().any(|v| v == Some(0)));
    }

    #[test]
    fn agrees_with_the_polars_rollup_on_random_events() {
        same_as_polars(1);
    }

    #[test]
    fn agrees_with_polars_quantiles_on_values_too_large_to_pack() {
        same_as_polars(100_003);
    }

    /// Events of three kinds at random days and keys, rolled up here and by
    /// the polars roll-up: the same rows, sums, largest values and
    /// quantiles (the values of the quantiles times `scale`: at 1 they
    /// pack beside the key, compared with the polars histogram; larger,
    /// they are sorted as pairs, compared with polars' group-by quantile).
    fn same_as_polars(scale: i64) {
        let mut next = crate::metrics::test_random(7);
        let base = 400;
        let as_of = d("2026-03-10");
        let start = epoch_days(d("2025-11-20"));
        // Keys per base row: center 0, department of 3, window of 6, staff
        // of 9 (some missing), item of 20.
        let mut keys: Vec<Vec<u32>> = vec![Vec::new(); 5];
        for _ in 0..base {
            let w = next(6) as u32;
            keys[0].push(0);
            keys[1].push(w / 2);
            keys[2].push(w);
            keys[3].push(if next(10) == 0 {
                NO_KEY
            } else {
                next(9) as u32
            });
            keys[4].push(next(20) as u32);
        }
        let day = |next: &mut dyn FnMut(u64) -> u64| start + next(110) as i32;
        let acc: Vec<i32> = (0..base).map(|_| day(&mut next)).collect();
        let comp: Vec<i32> = (0..base)
            .map(|_| if next(8) == 0 { NO_DAY } else { day(&mut next) })
            .collect();
        let elapsed: Vec<i64> = (0..base).map(|_| next(15) as i64).collect();
        let elapsed_opt: Vec<Option<i64>> = elapsed
            .iter()
            .map(|e| (*e != 3).then_some(*e * scale))
            .collect();
        let open_rows: Vec<u32> = (0..300).map(|_| next(base as u64) as u32).collect();
        let open_days: Vec<i32> = (0..300).map(|_| day(&mut next)).collect();
        let measures = [
            ("accepted", Roll::Sum),
            ("completed", Roll::Sum),
            ("elapsed", Roll::Sum),
            ("longest", Roll::Max),
            ("open", Roll::AtEnd),
        ];
        let names = ["center", "department", "window", "staff", "item"];
        let spec = Spec {
            measures: &measures,
            levels: names
                .iter()
                .zip(&keys)
                .map(|(name, keys)| Level { name, keys })
                .collect(),
            kinds: vec![
                Kind {
                    rows: None,
                    days: &acc,
                    measures: vec![(0, Value::One)],
                },
                Kind {
                    rows: None,
                    days: &comp,
                    measures: vec![
                        (1, Value::One),
                        (2, Value::Of(&elapsed)),
                        (3, Value::Opt(&elapsed_opt)),
                    ],
                },
                Kind {
                    rows: Some(&open_rows),
                    days: &open_days,
                    measures: vec![(4, Value::One)],
                },
            ],
            quantiles: vec![Quantiles {
                kind: 1,
                values: &elapsed_opt,
                qs: &[(0.5, "p50"), (0.9, "p90")],
            }],
            keep: Keep::Positive(&[0, 1, 4]),
            grains: &Grain::ALL,
            as_of,
        };
        let ours = rollup(&spec).unwrap();

        // The same events through the polars roll-up.
        let key_cols = |rows: &[u32]| -> Vec<Column> {
            LEVELS
                .iter()
                .zip(&keys)
                .map(|((_, c), k)| {
                    let v: Vec<Option<u32>> = rows
                        .iter()
                        .map(|r| Some(k[*r as usize]).filter(|k| *k != NO_KEY))
                        .collect();
                    Column::new((*c).into(), v)
                })
                .collect()
        };
        let all: Vec<u32> = (0..base as u32).collect();
        let done: Vec<u32> = all
            .iter()
            .copied()
            .filter(|r| comp[*r as usize] != NO_DAY)
            .collect();
        let frame = |rows: &[u32], days: Vec<i32>, extra: Vec<Column>| -> LazyFrame {
            let mut cols = key_cols(rows);
            cols.push(
                Series::new("date".into(), days)
                    .cast(&DataType::Date)
                    .unwrap()
                    .into_column(),
            );
            cols.extend(extra);
            DataFrame::new(rows.len(), cols).unwrap().lazy()
        };
        let ones = |n: usize, name: &str| Column::new(name.into(), vec![1i64; n]);
        let zeros = |n: usize, name: &str| Column::new(name.into(), vec![0i64; n]);
        let nulls = |n: usize, name: &str| Column::new(name.into(), vec![None::<i64>; n]);
        let (n, c) = (all.len(), done.len());
        let of_done = |v: &[i64]| -> Vec<i64> { done.iter().map(|r| v[*r as usize]).collect() };
        let completed = frame(
            &done,
            done.iter().map(|r| comp[*r as usize]).collect(),
            vec![
                zeros(c, "accepted"),
                ones(c, "completed"),
                Column::new("elapsed".into(), of_done(&elapsed)),
                Column::new(
                    "longest".into(),
                    done.iter()
                        .map(|r| elapsed_opt[*r as usize])
                        .collect::<Vec<_>>(),
                ),
                zeros(c, "open"),
                Column::new(
                    "value".into(),
                    done.iter()
                        .map(|r| elapsed_opt[*r as usize])
                        .collect::<Vec<_>>(),
                ),
            ],
        );
        let accepted = frame(
            &all,
            acc.clone(),
            vec![
                ones(n, "accepted"),
                zeros(n, "completed"),
                zeros(n, "elapsed"),
                nulls(n, "longest"),
                zeros(n, "open"),
            ],
        );
        let m = open_rows.len();
        let open = frame(
            &open_rows,
            open_days.clone(),
            vec![
                zeros(m, "accepted"),
                zeros(m, "completed"),
                zeros(m, "elapsed"),
                nulls(m, "longest"),
                ones(m, "open"),
            ],
        );
        let cols = [
            "center",
            "department",
            "window_id",
            "staff_id",
            "item_code",
            "date",
            "accepted",
            "completed",
            "elapsed",
            "longest",
            "open",
        ]
        .map(col);
        let events = concat(
            [
                accepted.select(cols.clone()),
                completed.clone().select(cols.clone()),
                open.select(cols),
            ],
            UnionArgs::default(),
        )
        .unwrap();
        let rspec = RollupSpec {
            measures: &measures,
            extra_keys: &[],
            levels: &names,
            grains: &Grain::ALL,
            as_of,
        };
        let day = super::super::rollup::day_table(events, &rspec).unwrap();
        let sums = rollup_days(day, &rspec)
            .unwrap()
            .lazy()
            .filter((col("accepted") + col("completed") + col("open")).gt(lit(0i64)))
            .collect()
            .unwrap();
        let quantile_events = completed.select([
            col("date"),
            col("value"),
            col("center"),
            col("department"),
            col("window_id"),
            col("staff_id"),
            col("item_code"),
        ]);
        let qs = [(0.5, "p50"), (0.9, "p90")];
        let p90 = if scale == 1 {
            rollup_quantiles(quantile_events, "value", &rspec, &qs).unwrap()
        } else {
            super::super::rollup::grouped_quantiles(quantile_events, "value", &rspec, &qs).unwrap()
        };
        let on = ["grain", "period", "level", "key"].map(col);
        let mut in_order = JoinArgs::new(JoinType::Left);
        in_order.maintain_order = MaintainOrderJoin::Left;
        let theirs = sums
            .lazy()
            .join(p90.lazy(), on.clone(), on, in_order)
            .with_column(col("key").cast(DataType::UInt32))
            .collect()
            .unwrap();
        assert!(ours.height() > 1000, "{}", ours.height());
        assert_eq!(ours.get_column_names(), theirs.get_column_names());
        assert!(
            ours.equals_missing(&theirs),
            "ours\n{ours}\ntheirs\n{theirs}"
        );
    }
}
