//! The center: its departments, windows (hall after hall), item catalogs
//! and staff with their spells at the windows, built once from the
//! reference data; and the rows of the windows, staff, items and
//! item_steps files.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::days::{fmt_date, ymd, Days};
use super::output::line;
use super::reference::{
    CATALOG_V2, DEPARTMENTS, GIVEN, QUEUE_JUMP_WINDOWS, SINCE, SURNAMES, WINDOWS,
};
use super::rng::Rng;
use super::steps::{split_limit, step_names, step_weights};
use super::DemoSpec;

/// Quality classes of the windows: multipliers of the problem rates.
const GOOD: f64 = 0.4;
const NORMAL: f64 = 1.0;
const POOR: f64 = 2.5;

pub(super) struct Dept {
    pub(super) name: &'static str,
    pub(super) queue: String,
    pub(super) windows: Vec<usize>,
    /// Share of the walk-in traffic (from its items' volume).
    pub(super) share: f64,
}

pub(super) struct Window {
    pub(super) id: String,
    name: String,
    /// Index of the window's seed in WINDOWS.
    seed: usize,
    pub(super) dept: usize,
    pub(super) quality: f64,
    pub(super) saturday: bool,
    /// Staff member who calls tickets out of order now and then.
    pub(super) jumper: Option<usize>,
}

pub(super) struct Spell {
    pub(super) window: usize,
    pub(super) role: &'static str,
    from: NaiveDate,
    to: Option<NaiveDate>,
}

pub(super) struct Person {
    pub(super) id: u32,
    name: String,
    pub(super) spells: Vec<Spell>,
    /// Home fingerprint clock.
    pub(super) device: u8,
    /// Multiplier of the late-arrival rate.
    pub(super) lateness: f64,
}

impl Person {
    pub(super) fn window_on(&self, d: NaiveDate) -> Option<usize> {
        self.spells
            .iter()
            .find(|s| s.from <= d && s.to.is_none_or(|t| d <= t))
            .map(|s| s.window)
    }

    pub(super) fn is_lead(&self) -> bool {
        self.spells
            .iter()
            .any(|s| matches!(s.role, "首席代表" | "窗口负责人"))
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Terms {
    pub(super) promised: u32,
    materials: u32,
    pub(super) steps: u32,
}

pub(super) struct Item {
    pub(super) code: String,
    name: &'static str,
    dept: usize,
    pub(super) window: usize,
    pub(super) licensing: bool,
    pub(super) legal: Option<u32>,
    pub(super) weight: f64,
    /// Step (index ≥ 1) that holds most of the time: the bottleneck.
    pub(super) bottleneck: usize,
    /// The item planted with a clear bottleneck (see PLANTED_BOTTLENECK_WEIGHT).
    pub(super) planted: bool,
    /// Terms of the first catalog (None: new in the second).
    pub(super) v1: Option<Terms>,
    pub(super) v2: Terms,
}

pub(super) struct Center {
    pub(super) depts: Vec<Dept>,
    pub(super) windows: Vec<Window>,
    pub(super) staff: Vec<Person>,
    pub(super) items: Vec<Item>,
    since: NaiveDate,
    pub(super) catalog_v2: NaiveDate,
}

impl Center {
    pub(super) fn build(spec: &DemoSpec, days: &Days) -> Self {
        let since = ymd(SINCE).min(days.dates[0]);
        let catalog_v2 = ymd(CATALOG_V2);
        let mut depts: Vec<Dept> = DEPARTMENTS
            .iter()
            .enumerate()
            .map(|(i, d)| Dept {
                name: d.name,
                queue: format!("{}-{}", char::from(b'A' + i as u8), d.name),
                windows: Vec::new(),
                share: 0.0,
            })
            .collect();
        let mut rng = Rng::new(spec.seed, "center");
        let mut windows = build_windows(&mut rng, spec.windows.max(1), &mut depts);
        // Each hall serves the whole catalog of its departments under its
        // own item codes.
        let mut items = Vec::new();
        for hall in 0..spec.halls() {
            let in_hall: Vec<Vec<usize>> = depts
                .iter()
                .map(|d| {
                    d.windows
                        .iter()
                        .copied()
                        .filter(|&w| w / WINDOWS.len() == hall)
                        .collect()
                })
                .collect();
            items.extend(build_items(&mut rng, &in_hall, hall));
        }
        plant_bottleneck(&mut items);
        let total: f64 = items.iter().map(|it| it.weight).sum();
        for it in &items {
            depts[it.dept].share += it.weight / total;
        }
        let staff = build_staff(&mut rng, days, &depts, &windows, spec.staff_percent, since);
        place_queue_jumpers(&mut rng, &mut windows, &staff, spec.halls());
        Center {
            depts,
            windows,
            staff,
            items,
            since,
            catalog_v2,
        }
    }

    pub(super) fn window_rows(&self) -> Vec<String> {
        self.windows
            .iter()
            .map(|w| line(&[&w.id, &w.name, self.depts[w.dept].name]))
            .collect()
    }

    pub(super) fn staff_rows(&self) -> Vec<String> {
        let mut rows = Vec::new();
        for p in &self.staff {
            for s in &p.spells {
                rows.push(line(&[
                    &p.id.to_string(),
                    &p.name,
                    &self.windows[s.window].id,
                    s.role,
                    &fmt_date(s.from),
                    &s.to.map(fmt_date).unwrap_or_default(),
                ]));
            }
        }
        rows
    }

    /// Rows of catalog version 0 (first) or 1 (second).
    pub(super) fn item_rows(&self, version: usize) -> Vec<String> {
        let effective = fmt_date(if version == 0 {
            self.since
        } else {
            self.catalog_v2
        });
        self.items
            .iter()
            .filter_map(|it| {
                let t = if version == 0 { it.v1? } else { it.v2 };
                Some(line(&[
                    &it.code,
                    it.name,
                    self.depts[it.dept].name,
                    &it.legal.map(|l| l.to_string()).unwrap_or_default(),
                    &t.promised.to_string(),
                    &t.materials.to_string(),
                    &t.steps.to_string(),
                    &effective,
                ]))
            })
            .collect()
    }

    /// Step limits of catalog version 0 (first) or 1 (second): each
    /// promised item's limit split over its steps by their planned weight.
    pub(super) fn item_step_rows(&self, version: usize) -> Vec<String> {
        let effective = fmt_date(if version == 0 {
            self.since
        } else {
            self.catalog_v2
        });
        let mut out = Vec::new();
        for it in &self.items {
            let Some(t) = (if version == 0 { it.v1 } else { Some(it.v2) }) else {
                continue;
            };
            if t.promised == 0 {
                continue;
            }
            let names = step_names(t.steps);
            let limits = split_limit(t.promised, &step_weights(names, it.bottleneck, false));
            for (name, limit) in names.iter().zip(limits) {
                out.push(line(&[&it.code, name, &limit.to_string(), &effective]));
            }
        }
        out
    }

    /// Catalog terms in force on a date (None: the item is not in force yet).
    pub(super) fn terms_on(&self, item: usize, d: NaiveDate) -> Option<Terms> {
        let it = &self.items[item];
        if d >= self.catalog_v2 {
            Some(it.v2)
        } else {
            it.v1
        }
    }
}

/// The `n` windows: the county's 27 hall after hall, each hall's names
/// marked after the first, with the county's shares of good, normal and
/// poor windows shuffled among them. Registers each window with its
/// department.
fn build_windows(rng: &mut Rng, n: usize, depts: &mut [Dept]) -> Vec<Window> {
    // The county's shares: 7 good windows, 16 normal, 4 poor of 27.
    let good = (n * 7 + 13) / 27;
    let poor = (n * 4 + 13) / 27;
    let mut quality: Vec<f64> = [
        vec![GOOD; good],
        vec![NORMAL; n - good - poor],
        vec![POOR; poor],
    ]
    .concat();
    rng.shuffle(&mut quality);
    let hall_name = ["", "", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    (0..n)
        .map(|i| {
            let (hall, k) = (i / WINDOWS.len(), i % WINDOWS.len());
            let w = &WINDOWS[k];
            let dept = DEPARTMENTS
                .iter()
                .position(|d| d.name == w.dept)
                .expect("every window's department is listed");
            depts[dept].windows.push(i);
            Window {
                id: if n < 100 {
                    format!("W{:02}", i + 1)
                } else {
                    format!("W{:03}", i + 1)
                },
                name: match hall_name.get(hall) {
                    Some(&"") => w.name.to_string(),
                    Some(h) => format!("{}（{h}厅）", w.name),
                    None => format!("{}（{}厅）", w.name, hall + 1),
                },
                seed: k,
                dept,
                quality: quality[i],
                saturday: w.saturday,
                jumper: None,
            }
        })
        .collect()
}

/// The planted bottleneck: of the promised items with 4+ steps, the one
/// with the most case-days (volume × promised limit), held at its 审批.
fn plant_bottleneck(items: &mut [Item]) {
    if let Some(p) = items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.v2.promised >= 5 && it.v2.steps >= 4 && it.v1.is_some())
        .max_by(|a, b| {
            let days = |it: &Item| it.weight * f64::from(it.v2.promised);
            days(a.1).total_cmp(&days(b.1)).then(b.0.cmp(&a.0))
        })
        .map(|(i, _)| i)
    {
        items[p].planted = true;
        let names = step_names(items[p].v2.steps);
        items[p].bottleneck = names.iter().position(|n| *n == "审批").unwrap_or(1);
    }
}

/// Queue jumpers: one ordinary staff member at a few busy windows.
fn place_queue_jumpers(rng: &mut Rng, windows: &mut [Window], staff: &[Person], halls: usize) {
    let mut candidates: Vec<usize> = (0..windows.len())
        .filter(|&w| WINDOWS[windows[w].seed].staff >= 4 && !windows[w].saturday)
        .collect();
    rng.shuffle(&mut candidates);
    for &w in candidates.iter().take(QUEUE_JUMP_WINDOWS * halls) {
        windows[w].jumper = staff.iter().position(|p| {
            p.spells.len() == 1 && p.spells[0].window == w && p.spells[0].role == "工作人员"
        });
    }
}

/// The items of one hall: `windows` lists each department's windows in the
/// hall (a department without one has no items there). Hall 0 has the
/// county's codes (GA001 …), hall h codes from h×100+1 (GA101 …).
fn build_items(rng: &mut Rng, windows: &[Vec<usize>], hall: usize) -> Vec<Item> {
    let mut items = Vec::new();
    for (d, seed) in DEPARTMENTS.iter().enumerate() {
        let windows = &windows[d];
        if windows.is_empty() {
            continue;
        }
        for (k, &(name, flags)) in seed.items.iter().enumerate() {
            let has = |c: char| flags.contains(c);
            let legal = legal_limit(flags);
            let weight = if has('h') {
                f64::from(rng.between(45, 75))
            } else if has('w') {
                f64::from(rng.between(8, 16))
            } else {
                0.5 + 3.0 * rng.unit()
            };
            let (v1, v2) = catalog_terms(rng, flags, legal);
            let window = if has('b') && windows.len() > 1 {
                windows[1]
            } else {
                windows[0]
            };
            let licensing = ["许可", "审批", "核准", "认定", "审核", "审查", "核定"]
                .iter()
                .any(|w| name.contains(w));
            items.push(Item {
                code: format!("{}{:03}", seed.prefix, hall * 100 + k + 1),
                name,
                dept: d,
                window,
                licensing,
                legal,
                weight,
                bottleneck: rng.between(1, 3) as usize,
                planted: false,
                v1: (!has('N')).then_some(v1),
                v2,
            });
        }
    }
    items
}

/// The legal limit of an item's flags (see `DeptSeed`).
fn legal_limit(flags: &str) -> Option<u32> {
    let has = |c: char| flags.contains(c);
    if has('n') {
        None
    } else if has('1') {
        Some(10)
    } else if has('5') {
        Some(15)
    } else if has('3') {
        Some(30)
    } else if has('6') {
        Some(60)
    } else {
        Some(20)
    }
}

/// An item's terms in the first catalog and in the second, after the
/// 流程再造 round (limits cut, some items made instant, fewer materials
/// and steps).
fn catalog_terms(rng: &mut Rng, flags: &str, legal: Option<u32>) -> (Terms, Terms) {
    let has = |c: char| flags.contains(c);
    let instant_v1 = has('i');
    let promised_v1 = if instant_v1 {
        0
    } else {
        match legal {
            Some(l) => ((f64::from(l) * (0.4 + 0.2 * rng.unit())).round() as u32).max(1),
            None => *rng.pick(&[3, 5, 7, 10]),
        }
    };
    let steps_v1 = if instant_v1 {
        rng.between(1, 2)
    } else if legal.unwrap_or(0) >= 30 {
        rng.between(4, 6)
    } else {
        rng.between(3, 5)
    };
    let materials_v1 = if instant_v1 {
        rng.between(1, 4)
    } else {
        rng.between(3, 12)
    };
    let v1 = Terms {
        promised: promised_v1,
        materials: materials_v1,
        steps: steps_v1,
    };
    let becomes_instant = instant_v1
        || rng.chance(if has('h') || has('w') || legal == Some(10) {
            0.4
        } else {
            0.3
        });
    let v2 = if becomes_instant {
        Terms {
            promised: 0,
            materials: v1.materials.saturating_sub(rng.between(0, 1)).max(1),
            steps: v1.steps.saturating_sub(rng.between(0, 2)).max(1),
        }
    } else {
        Terms {
            promised: ((f64::from(v1.promised) * (0.3 + 0.35 * rng.unit())).round() as u32).max(1),
            materials: if rng.chance(0.25) {
                v1.materials.saturating_sub(rng.between(1, 2)).max(2)
            } else {
                v1.materials
            },
            steps: if rng.chance(0.4) {
                v1.steps.saturating_sub(1).max(2)
            } else {
                v1.steps
            },
        }
    };
    (v1, v2)
}

fn build_staff(
    rng: &mut Rng,
    days: &Days,
    depts: &[Dept],
    windows: &[Window],
    staff_percent: u32,
    since: NaiveDate,
) -> Vec<Person> {
    let mut names = NameMaker::default();
    let mut staff: Vec<Person> = Vec::new();
    let mut next_id = 1001;
    for (w, window) in windows.iter().enumerate() {
        let seed = &WINDOWS[window.seed];
        let head_count = (seed.staff * staff_percent as usize + 50) / 100;
        let first_of_dept = depts.iter().any(|d| d.windows.first() == Some(&w));
        for k in 0..head_count {
            let role = if k == 0 {
                if first_of_dept {
                    "首席代表"
                } else {
                    "窗口负责人"
                }
            } else if k + 1 == head_count {
                "B岗"
            } else {
                "工作人员"
            };
            staff.push(Person {
                id: next_id,
                name: names.make(rng),
                spells: vec![Spell {
                    window: w,
                    role,
                    from: since,
                    to: None,
                }],
                device: if rng.chance(0.7) { 1 } else { 2 },
                lateness: 1.0,
            });
            next_id += 1;
        }
    }
    let date = |f: f64| days.dates[days.fraction(f)];
    let ordinary = |staff: &[Person], w: usize| {
        staff
            .iter()
            .rposition(|p| {
                p.spells[0].window == w && p.spells[0].role == "工作人员" && p.spells.len() == 1
            })
            .expect("windows named below have ordinary staff")
    };
    // In each whole hall: two leave the center, one moves from 就业与劳动关系
    // to 社会保险, two join later.
    let halls = windows.len() / WINDOWS.len();
    for o in (0..halls).map(|h| h * WINDOWS.len()) {
        for (w, f) in [(9, 0.3), (12, 0.62)] {
            let i = ordinary(&staff, o + w);
            staff[i].spells[0].to = Some(date(f));
        }
        let i = ordinary(&staff, o + 7);
        let moved = date(0.5);
        staff[i].spells[0].to = moved.pred_opt();
        staff[i].spells.push(Spell {
            window: o + 6,
            role: "工作人员",
            from: moved,
            to: None,
        });
        for (w, f) in [(2, 0.38), (25, 0.72)] {
            staff.push(Person {
                id: next_id,
                name: names.make(rng),
                spells: vec![Spell {
                    window: o + w,
                    role: "工作人员",
                    from: date(f),
                    to: None,
                }],
                device: 1,
                lateness: 1.0,
            });
            next_id += 1;
        }
    }
    // Lateness: a personal propensity (the window's quality adds to it at
    // punch time), and a few habitual late-comers.
    for p in staff.iter_mut() {
        p.lateness = rng.unit() + 0.5;
    }
    for _ in 0..5 * halls.max(1) {
        let i = rng.below(staff.len());
        staff[i].lateness = 5.0;
    }
    staff
}

/// Unique Chinese names.
#[derive(Default)]
struct NameMaker {
    used: HashSet<String>,
}

impl NameMaker {
    fn make(&mut self, rng: &mut Rng) -> String {
        let surnames: Vec<char> = SURNAMES.chars().collect();
        let given: Vec<char> = GIVEN.chars().collect();
        loop {
            let mut name = String::new();
            name.push(*rng.pick(&surnames));
            name.push(*rng.pick(&given));
            if rng.chance(0.7) {
                name.push(*rng.pick(&given));
            }
            if self.used.insert(name.clone()) {
                return name;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;

    #[test]
    fn catalog_round_compresses_promised_limits() {
        let cal = Calendar::official();
        let days = Days::build(&DemoSpec::default(), &cal).unwrap();
        let center = Center::build(&DemoSpec::default(), &days);
        let both: Vec<&Item> = center.items.iter().filter(|it| it.v1.is_some()).collect();
        let before: u32 = both.iter().map(|it| it.v1.unwrap().promised).sum();
        let after: u32 = both.iter().map(|it| it.v2.promised).sum();
        let compression = 1.0 - f64::from(after) / f64::from(before);
        assert!(
            (0.6..=0.75).contains(&compression),
            "compression {compression}"
        );
        for it in &center.items {
            for t in it.v1.iter().chain([&it.v2]) {
                assert!(it.legal.is_none_or(|l| t.promised <= l), "{}", it.code);
            }
        }
    }
}
