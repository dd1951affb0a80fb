//! The deliberately malformed rows that ingestion must reject, each with
//! what is wrong with it. They have their own keys and nothing refers to
//! them.

use chrono::{Datelike, NaiveDate};

use super::cases::Case;
use super::center::Center;
use super::days::{at, fmt_date, fmt_dt, hm, Days};
use super::output::{line, ATTLOG_FILE};
use super::punches::attlog_line;

/// A deliberately malformed row: the file it goes in, the raw line, and
/// what is wrong with it.
pub(super) struct BadRow {
    pub(super) file: String,
    pub(super) line: String,
    pub(super) what: &'static str,
}

/// The planted malformed rows: ingestion must reject each, with its reason.
/// They have their own keys and nothing refers to them.
pub(super) fn malformed_rows(days: &Days, center: &Center, cases: &[Case]) -> Vec<BadRow> {
    let at = Planting::new(days, center, cases);
    [
        at.cases(),
        at.ratings(),
        at.tickets(),
        at.case_details(),
        at.staff_records(),
        at.incidents(),
        at.punches(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn bad(file: String, fields: &[&str], what: &'static str) -> BadRow {
    BadRow {
        file,
        line: line(fields),
        what,
    }
}

/// What the bad rows are made of: a window (办税服务窗口一), its first staff
/// member, one of its items and its queue, working days of each month, and
/// the real cases.
struct Planting<'a> {
    days: &'a Days,
    months: Vec<(usize, i32, u32)>,
    cases: &'a [Case],
    win: &'a str,
    staff: String,
    item: String,
    queue: &'a str,
}

impl<'a> Planting<'a> {
    fn new(days: &'a Days, center: &'a Center, cases: &'a [Case]) -> Self {
        let w = 2; // 办税服务窗口一
        let staff = center
            .staff
            .iter()
            .find(|p| p.spells[0].window == w)
            .map(|p| p.id.to_string())
            .unwrap_or_default();
        let item = center
            .items
            .iter()
            .find(|it| it.window == w && it.v1.is_some())
            .map(|it| it.code.clone())
            .unwrap_or_default();
        Planting {
            days,
            months: days.months(),
            cases,
            win: &center.windows[w].id,
            staff,
            item,
            queue: &center.depts[center.windows[w].dept].queue,
        }
    }

    /// The monthly file of `table` for month `m` of the period (the last
    /// month if the period is shorter).
    fn month_file(&self, table: &str, m: usize) -> String {
        let months = &self.months;
        let (_, y, mo) = months[m.min(months.len() - 1)];
        format!("{table}-{y}-{mo:02}.csv")
    }

    /// The first working day from day `dom` of month `m`.
    fn day(&self, m: usize, dom: u32) -> NaiveDate {
        self.days.dates[self.days.workday_in_month(m, dom)]
    }

    fn stamp(&self, m: usize, dom: u32, secs: u32) -> String {
        fmt_dt(at(self.day(m, dom), secs))
    }

    fn ymd_of(&self, m: usize, dom: u32) -> String {
        self.day(m, dom).format("%Y%m%d").to_string()
    }

    fn case_id(&self, m: usize, n: u32) -> String {
        format!("BJ{}{n:04}", self.ymd_of(m, 12))
    }

    /// A real, completed case of that month, for rows whose only fault is
    /// elsewhere.
    fn real_case(&self, m: usize) -> String {
        let prefix = format!("BJ{}", self.ymd_of(m, 12));
        self.cases
            .iter()
            .find(|c| c.id.starts_with(&prefix) && c.completed.is_some())
            .or(self.cases.first())
            .map(|c| c.id.clone())
            .unwrap_or_default()
    }

    /// Rows of the monthly case files: a bad date, unknown window and item,
    /// times out of order, a ragged row, a missing item code.
    fn cases(&self) -> Vec<BadRow> {
        vec![
            bad(
                self.month_file("cases", 1),
                &[
                    &self.case_id(1, 9001),
                    &self.item,
                    self.win,
                    &self.staff,
                    "窗口",
                    "2026-13-45 09:12:00",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                "cases: accepted_at is not a date (2026-13-45)",
            ),
            bad(
                self.month_file("cases", 2),
                &[
                    &self.case_id(2, 9002),
                    &self.item,
                    "W99",
                    &self.staff,
                    "窗口",
                    &self.stamp(2, 12, hm(9, 40)),
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                "cases: unknown window W99",
            ),
            bad(
                self.month_file("cases", 3),
                &[
                    &self.case_id(3, 9003),
                    &self.item,
                    self.win,
                    &self.staff,
                    "窗口",
                    &self.stamp(3, 12, hm(15, 10)),
                    &self.stamp(3, 12, hm(10, 5)),
                    "办结",
                    "",
                    "",
                    "",
                    "",
                ],
                "cases: completed_at before accepted_at",
            ),
            bad(
                self.month_file("cases", 5),
                &[&self.case_id(5, 9004), &self.item, self.win, &self.staff],
                "cases: ragged row (4 of 12 fields)",
            ),
            bad(
                self.month_file("cases", 7),
                &[
                    &self.case_id(7, 9005),
                    "",
                    self.win,
                    &self.staff,
                    "网上",
                    &self.stamp(7, 12, hm(10, 0)),
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                "cases: empty required item_code",
            ),
            bad(
                self.month_file("cases", 9),
                &[
                    &self.case_id(9, 9006),
                    "ZZ999",
                    self.win,
                    &self.staff,
                    "窗口",
                    &self.stamp(9, 12, hm(11, 0)),
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                "cases: unknown item code ZZ999",
            ),
        ]
    }

    /// Rows of the monthly rating files.
    fn ratings(&self) -> Vec<BadRow> {
        vec![
            bad(
                self.month_file("ratings", 2),
                &[
                    &format!("PJ{}99001", self.ymd_of(2, 15)),
                    "",
                    self.win,
                    &self.staff,
                    &self.stamp(2, 15, hm(10, 30)),
                    "7",
                    "评价器",
                    "",
                    "",
                ],
                "ratings: level 7 (outside 1–5)",
            ),
            bad(
                self.month_file("ratings", 6),
                &[
                    &format!("PJ{}99002", self.ymd_of(6, 15)),
                    "",
                    "W99",
                    "",
                    &self.stamp(6, 15, hm(15, 30)),
                    "5",
                    "短信",
                    "",
                    "",
                ],
                "ratings: unknown window W99",
            ),
            bad(
                self.month_file("ratings", 8),
                &[&format!("PJ{}99003", self.ymd_of(8, 15)), "", self.win],
                "ratings: ragged row (3 of 9 fields)",
            ),
        ]
    }

    /// Rows of the monthly ticket files.
    fn tickets(&self) -> Vec<BadRow> {
        vec![
            bad(
                self.month_file("tickets", 4),
                &[
                    &format!("{}Z901", self.ymd_of(4, 20)),
                    self.queue,
                    &self.stamp(4, 20, hm(10, 0)),
                    &self.stamp(4, 20, hm(9, 45)),
                    &self.stamp(4, 20, hm(9, 55)),
                    self.win,
                    &self.staff,
                    "false",
                    "完成",
                ],
                "tickets: called_at before issued_at",
            ),
            bad(
                self.month_file("tickets", 10),
                &[
                    &format!("{}Z902", self.ymd_of(10, 20)),
                    self.queue,
                    "2026-02-30 09:00:00",
                    "",
                    "",
                    self.win,
                    &self.staff,
                    "false",
                    "过号",
                ],
                "tickets: issued_at is not a date (2026-02-30)",
            ),
        ]
    }

    /// Rows of the suspensions, steps and corrections of real cases.
    fn case_details(&self) -> Vec<BadRow> {
        vec![
            bad(
                "suspensions.csv".into(),
                &[
                    &self.real_case(3),
                    "暂停",
                    &fmt_date(self.day(3, 13)),
                    &fmt_date(self.day(3, 16)),
                    "材料不全",
                ],
                "suspensions: kind 暂停 (neither 特别程序 nor 补正)",
            ),
            bad(
                "suspensions.csv".into(),
                &[
                    &self.real_case(6),
                    "补正",
                    &fmt_date(self.day(6, 20)),
                    &fmt_date(self.day(6, 13)),
                    "材料不全",
                ],
                "suspensions: end before start",
            ),
            bad(
                "case_steps.csv".into(),
                &[
                    &self.real_case(4),
                    "9",
                    "审查",
                    &self.staff,
                    &self.stamp(4, 12, hm(15, 0)),
                    &self.stamp(4, 12, hm(9, 0)),
                    "",
                ],
                "case_steps: finished_at before started_at",
            ),
            bad(
                "corrections.csv".into(),
                &[&self.real_case(5), "", "证照信息录入错误"],
                "corrections: empty required at",
            ),
        ]
    }

    /// Rows of the leave and departure records.
    fn staff_records(&self) -> Vec<BadRow> {
        vec![
            bad(
                "leaves.csv".into(),
                &[
                    &self.staff,
                    "事假",
                    &self.stamp(2, 20, hm(14, 0)),
                    &self.stamp(2, 20, hm(8, 30)),
                ],
                "leaves: end before start",
            ),
            bad(
                "leaves.csv".into(),
                &[
                    "9999",
                    "病假",
                    &self.stamp(8, 20, hm(8, 30)),
                    &self.stamp(8, 20, hm(12, 0)),
                ],
                "leaves: unknown staff 9999",
            ),
            bad(
                "departures.csv".into(),
                &[
                    &self.staff,
                    &self.stamp(3, 20, hm(10, 30)),
                    &self.stamp(3, 20, hm(10, 10)),
                    "复印材料",
                    "",
                ],
                "departures: back_at before out_at",
            ),
            bad(
                "departures.csv".into(),
                &[
                    "",
                    &self.stamp(9, 20, hm(15, 0)),
                    &self.stamp(9, 20, hm(15, 10)),
                    "复印材料",
                    "",
                ],
                "departures: empty required staff_id",
            ),
        ]
    }

    /// Rows of the supervision incidents.
    fn incidents(&self) -> Vec<BadRow> {
        vec![
            bad(
                "incidents.csv".into(),
                &[
                    "DC-X01",
                    &fmt_date(self.day(5, 20)),
                    "巡查",
                    "W99",
                    "",
                    "玩手机",
                    "true",
                    "-3",
                ],
                "incidents: unknown window W99",
            ),
            bad(
                "incidents.csv".into(),
                &[
                    "DC-X02",
                    "2026-13-45",
                    "暗访",
                    self.win,
                    "",
                    "着装不规范",
                    "true",
                    "-2",
                ],
                "incidents: date is not a date (2026-13-45)",
            ),
        ]
    }

    /// Lines of the attlog: a garbled time and an unknown PIN.
    fn punches(&self) -> Vec<BadRow> {
        let d = self.day(4, 20);
        vec![
            BadRow {
                file: ATTLOG_FILE.into(),
                line: attlog_line(
                    &self.staff,
                    &format!("{}-{:02}-1? 08:2x:07", d.year(), d.month()),
                    1,
                    0,
                ),
                what: "punches: garbled timestamp",
            },
            BadRow {
                file: ATTLOG_FILE.into(),
                line: attlog_line("9999", &self.stamp(7, 20, hm(8, 25)), 1, 0),
                what: "punches: unknown PIN 9999",
            },
        ]
    }
}
