//! The synthetic demo county center (演示县政务服务中心).
//!
//! `generate` writes thirteen months (by default) of realistic export files
//! for a county administrative service center of the size docs/scaling.md calls
//! "county": 27 windows of 22 departments, about 100 staff, about 200 items
//! in two catalog versions (a 流程再造 round on 2026-04-01), about 60 000
//! cases, 50 000 ratings, 70 000 queue tickets and 100 000 fingerprint
//! punches a year, with leave, departures, suspensions, steps, corrections
//! and supervision incidents. It exists so that every report, chart, ranking
//! and query of the program can be tried, shown and tested end to end
//! without a real center's data.
//!
//! The files look like what the center's systems export: one `cases-YYYY-MM`
//! file a month, a ZKTeco `attlog.dat`, the quarterly 民主评议 questionnaires
//! as a GBK CSV with Chinese headers as Excel writes it. Patterns that the
//! supervision office looks for are planted on purpose: a few poorly run
//! windows (more overdue cases, corrections, bad ratings, incidents), habitual
//! late-comers, overlong departures without cover, queue jumps at three
//! windows, queue peaks from 9:00 to 10:30 and after the lunch break (longest
//! on Mondays) with one service, 不动产, far busier than the others, open
//! overdue cases, bad ratings rectified late or never, and about
//! twenty deliberately malformed rows that ingestion must reject.
//!
//! Generation is deterministic: a small SplitMix64 generator with one stream
//! per table, so the same [`DemoSpec`] gives byte-identical files. Working
//! days come from the [`Calendar`]; only dates inside the requested months
//! are ever looked up, and anything that would happen after the last day
//! (a completion, a rating, a rectification) is left out, as in a real
//! export taken that night.
//!
//! The files of the module: `reference` (the rates, and the county
//! center's departments, items and windows), `center` (the center built
//! from them), `days` (the period and the office hours), one generator per
//! table (`cases` with `steps`, `corrections`, `ratings` with the
//! questionnaires, `tickets`, `punches`, `leaves` with the roster,
//! `departures`, `incidents` with `complaints`, `replies` to the 督办
//! notices), `bad` (the malformed rows), `output`
//! (writing the files, headed as the input registry names the columns) and
//! `rng`, the generator, public for the benchmarks.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::calendar::Calendar;

mod bad;
mod cases;
mod center;
mod complaints;
mod corrections;
mod days;
mod departures;
mod incidents;
mod leaves;
mod output;
mod punches;
mod ratings;
mod reference;
mod replies;
pub mod rng;
mod services;
mod steps;
#[cfg(test)]
mod testing;
mod tickets;

use bad::malformed_rows;
use cases::gen_cases;
use center::Center;
use corrections::gen_corrections;
use days::Days;
use departures::gen_departures;
use incidents::gen_incidents;
use leaves::{gen_leaves, saturday_duty};
use output::{questionnaire_header, Output, ATTLOG_FILE, QUESTIONNAIRE_FILE};
use punches::gen_punches;
use ratings::{gen_questionnaires, gen_ratings};
use reference::WINDOWS;
use steps::step_names;
use tickets::gen_tickets;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSpec {
    /// Seed of the pseudo-random generator.
    pub seed: u64,
    /// First month (year, month) of the generated period.
    pub first_month: (i32, u32),
    /// Number of months generated.
    pub months: u32,
    /// Windows of the center: the county's 27 repeated hall after hall
    /// (a city center's 分厅), the last hall possibly cut short.
    pub windows: usize,
    /// Head count of each window, in percent of the county's.
    pub staff_percent: u32,
    /// Cases accepted a year on working days (Saturday appointments come on top).
    pub cases_per_year: u32,
    /// Queue tickets issued a year.
    pub tickets_per_year: u32,
}

impl Default for DemoSpec {
    /// The county: seed 7, October 2025 through October 2026 (13 months).
    fn default() -> Self {
        Self {
            seed: 7,
            first_month: (2025, 10),
            months: 13,
            windows: WINDOWS.len(),
            staff_percent: 100,
            cases_per_year: 60_000,
            tickets_per_year: 70_000,
        }
    }
}

/// The sizes of docs/scaling.md: a county center (the demo), a city center, and
/// one center of a province (a province is 100 of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    County,
    City,
    ProvinceCenter,
}

impl Profile {
    /// The profile's spec. The county keeps the demo's 13 months; the city
    /// and the province's centers are one calendar year, 2025, the year
    /// whose volumes docs/scaling.md gives.
    pub fn spec(self, seed: u64) -> DemoSpec {
        let county = DemoSpec {
            seed,
            ..DemoSpec::default()
        };
        match self {
            Profile::County => county,
            // 200 windows, about 1 000 staff, 2 000 000 cases a year.
            Profile::City => DemoSpec {
                first_month: (2025, 1),
                months: 12,
                windows: 200,
                staff_percent: 135,
                cases_per_year: 2_000_000,
                tickets_per_year: 2_200_000,
                ..county
            },
            // A hundredth of the province: 100 windows, about 500 staff,
            // 1 000 000 cases a year.
            Profile::ProvinceCenter => DemoSpec {
                first_month: (2025, 1),
                months: 12,
                windows: 100,
                staff_percent: 135,
                cases_per_year: 1_000_000,
                tickets_per_year: 1_100_000,
                ..county
            },
        }
    }
}

impl DemoSpec {
    /// Halls of 27 windows (the last one possibly partial).
    fn halls(&self) -> usize {
        self.windows.div_ceil(WINDOWS.len()).max(1)
    }
}

/// The item the demo plants with a clear bottleneck, and its bottleneck
/// step (see `PLANTED_BOTTLENECK_WEIGHT`).
pub fn planted_bottleneck(spec: &DemoSpec, cal: &Calendar) -> Result<(String, &'static str)> {
    let days = Days::build(spec, cal)?;
    let center = Center::build(spec, &days);
    let item = center
        .items
        .iter()
        .find(|it| it.planted)
        .context("the demo planted no bottleneck")?;
    let names = step_names(item.v2.steps);
    Ok((
        item.code.clone(),
        names[item.bottleneck.min(names.len() - 1)],
    ))
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct DemoFiles {
    /// Every file written, in writing order.
    pub files: Vec<PathBuf>,
    /// Number of deliberately malformed rows planted in the files.
    pub malformed_rows: usize,
}

/// Writes the demo center's export files into `dir` (created if missing;
/// files of the same names are overwritten, nothing else is touched).
pub fn generate(spec: &DemoSpec, cal: &Calendar, dir: &Path) -> Result<DemoFiles> {
    let days = Days::build(spec, cal)?;
    let center = Center::build(spec, &days);
    let (leaves, roster) = gen_leaves(spec.seed, &days, &center);
    let duty = saturday_duty(spec.seed, &days, &center, &roster);
    let cases = gen_cases(spec, &days, &center, &roster, &duty);
    let corrections = gen_corrections(spec.seed, &days, &center, &cases.cases);
    let ratings = gen_ratings(spec.seed, &days, &center, &cases.cases);
    let questionnaires = gen_questionnaires(spec.seed, &days, &center);
    let tickets = gen_tickets(spec, &days, &center, &roster);
    let punches = gen_punches(spec.seed, &days, &center, &roster, &duty);
    let departures = gen_departures(spec.seed, &days, &center, &roster);
    let (incidents, complaint_seeds) =
        gen_incidents(spec.seed, &days, &center, &roster, spec.halls());
    let complaints = complaints::gen_complaints(spec.seed, &days, &center, &complaint_seeds);
    let replies = replies::gen_replies(spec.seed, &days, &cases.cases);

    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating demo folder {}", dir.display()))?;
    let mut out = Output::new(dir, malformed_rows(&days, &center, &cases.cases));
    out.csv("windows.csv", "windows", &center.window_rows())?;
    out.csv("staff.csv", "staff", &center.staff_rows())?;
    out.csv("items-2025.csv", "items", &center.item_rows(0))?;
    out.csv(
        "item_steps-2025.csv",
        "item_steps",
        &center.item_step_rows(0),
    )?;
    // The 流程再造 catalog, once it is in force within the period.
    if center.catalog_v2 <= days.dates[days.last()] {
        out.csv("items-2026.csv", "items", &center.item_rows(1))?;
        out.csv(
            "item_steps-2026.csv",
            "item_steps",
            &center.item_step_rows(1),
        )?;
    }
    out.monthly(&days, "cases", cases.rows)?;
    out.csv("suspensions.csv", "suspensions", &cases.suspensions)?;
    out.csv("case_steps.csv", "case_steps", &cases.steps)?;
    out.csv("corrections.csv", "corrections", &corrections)?;
    out.monthly(&days, "ratings", ratings)?;
    out.gbk(QUESTIONNAIRE_FILE, &questionnaire_header(), &questionnaires)?;
    out.monthly(&days, "tickets", tickets)?;
    out.raw(ATTLOG_FILE, &punches)?;
    out.csv("leaves.csv", "leaves", &leaves)?;
    out.csv("departures.csv", "departures", &departures)?;
    out.csv("incidents.csv", "incidents", &incidents)?;
    out.csv("replies.csv", "replies", &replies)?;
    out.csv("complaints.csv", "complaints", &complaints)?;
    out.finish()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::testing::{data_lines, generate_into};
    use super::*;

    #[test]
    fn same_spec_gives_identical_files() {
        let spec = DemoSpec {
            seed: 11,
            first_month: (2026, 1),
            months: 3,
            ..DemoSpec::default()
        };
        let (_a, first) = generate_into(&spec, "det-a");
        let (_b, second) = generate_into(&spec, "det-b");
        assert_eq!(first.files.len(), second.files.len());
        assert_eq!(first.malformed_rows, second.malformed_rows);
        for (x, y) in first.files.iter().zip(&second.files) {
            assert_eq!(x.file_name(), y.file_name());
            let (bx, by) = (std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
            assert!(bx == by, "{} differs between two runs", x.display());
        }
    }

    #[test]
    fn default_volumes_are_those_of_a_county_center() {
        let (_dir, files) = generate_into(&DemoSpec::default(), "volumes");
        // 13 months: the county profile per year, scaled.
        let count = |prefix: &str| data_lines(&files, prefix).len();
        let within = |what: &str, n: usize, lo: usize, hi: usize| {
            assert!((lo..=hi).contains(&n), "{what}: {n} not in {lo}..={hi}");
        };
        within("cases", count("cases-"), 58_000, 75_000);
        within("ratings", count("ratings-"), 42_000, 62_000);
        within("tickets", count("tickets-"), 65_000, 88_000);
        within("punches", count("punches"), 90_000, 120_000);
        within("staff", count("staff"), 100, 106);
        within("windows", count("windows"), 27, 27);
        within("items v1", count("items-2025"), 180, 220);
        within("questionnaires", count("评价"), 150, 170);
        within("leaves", count("leaves"), 250, 600);
        within("suspensions", count("suspensions"), 2_000, 6_000);
        within("malformed rows", files.malformed_rows, 15, 30);
        // windows, staff, 2 catalogs and their 2 step-limit files; 13 months
        // of cases, ratings, tickets; suspensions, steps, corrections;
        // questionnaires; attlog, leaves, departures, incidents; replies,
        // complaints.
        assert_eq!(files.files.len(), 6 + 13 * 3 + 3 + 1 + 4 + 2);
    }

    #[test]
    fn city_profile_has_the_sizes_of_a_city_center() {
        // One month of the city: 200 windows, about 1 000 staff, about
        // 2 000 000 cases a year (January is a little below the mean).
        let spec = DemoSpec {
            months: 1,
            ..Profile::City.spec(7)
        };
        let (_dir, files) = generate_into(&spec, "city");
        let windows = data_lines(&files, "windows");
        assert_eq!(windows.len(), 200);
        let ids: HashSet<&str> = windows
            .iter()
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert_eq!(ids.len(), 200, "window ids are unique");
        assert!(windows.iter().any(|l| l.contains("（二厅）")));
        let staff: HashSet<String> = data_lines(&files, "staff")
            .iter()
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect();
        assert!((950..=1100).contains(&staff.len()), "{} staff", staff.len());
        let items = data_lines(&files, "items-2025");
        let codes: HashSet<&str> = items.iter().map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(codes.len(), items.len(), "item codes are unique");
        assert!(items.len() > 1_000, "{} items", items.len());
        assert!(
            data_lines(&files, "items-2026").is_empty(),
            "no catalog that comes into force after the period"
        );
        let cases = data_lines(&files, "cases");
        assert!(
            (130_000..=190_000).contains(&cases.len()),
            "{} cases in January",
            cases.len()
        );
        // Fixed-width case ids: text order is acceptance order (but for
        // the rows planted malformed).
        let ids: Vec<&str> = cases.iter().filter_map(|l| l.split(',').next()).collect();
        let odd = ids.iter().filter(|id| id.len() != "BJ2025010200001".len());
        assert!(odd.count() <= files.malformed_rows);
    }
}
