#!/usr/bin/env python3
"""xiaoneng, DuckDB, polars and a bare DuckDB load, side by side, on one store.

Every engine runs as a whole child process whose wall time and peak
resident memory (`ru_maxrss` of `os.wait4`) are measured; the runs are
interleaved (xiaoneng 1, DuckDB 1, polars 1, bare load 1, xiaoneng 2, ...):

  xiaoneng   `xiaoneng --home HOME compute --only cases --as-of AS_OF`:
             `case_metrics` for every grain and level, stored in the store
             (start, read the Parquet, compute, write).
  duckdb     one SQL text computing the same whole table (6 grains x 5
             levels) straight over the store's Parquet and the working-day
             calendar, written to Parquet (DuckDB, 2 threads).
  polars     a lazy polars script computing the same whole table, written
             to Parquet (2 threads).
  bare-load  DuckDB reading the center's export files (the CSV files the
             store was ingested from) with their column types and writing
             them to Parquet, one file per table: no checks, no rejects, no
             store; the floor of an ingest.
  steps      `xiaoneng ... compute --only steps`: `step_metrics` (and the
             case facts it needs), for its ratio to `xiaoneng`.
  compute    `xiaoneng ... compute`: every metric table, for its ratio to
             `xiaoneng`.
  ingest     `xiaoneng --home FRESH ingest EXPORTS`: the export files that
             bare-load reads, ingested with every check, reference and the
             ledger into an empty center (its xiaoneng.toml copied from
             HOME), for its ratio to `bare-load`; the empty folder is made
             before each run, outside the time.

Then the three `case_metrics` tables (xiaoneng's as stored, DuckDB's,
polars') are compared row for row on (grain, period, level, key): integer
and date columns equal, floats within 1e-9 relative, nulls equal. The
differences are listed and the script exits 1 when they disagree.
`src/metrics/cases.rs` and `src/metrics/rollup.rs` are the definition;
docs/METRICS.md (`case_metrics`) the prose.

    xiaoneng --home /tmp/city demo --profile city      # once
    python3 benches/side_by_side.py --home /tmp/city --runs 3

On first run it creates its own virtual environment (benches/.venv/side-by-side,
inside the folder .gitignore already ignores) with DuckDB and polars (pinned
below) and re-executes itself inside it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ left in benches/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import case_metrics_sql as cm  # noqa: E402  (stdlib only)

DUCKDB_VERSION = "2.0.0"
POLARS_VERSION = "1.44.2"
REQUIREMENTS = [f"duckdb=={DUCKDB_VERSION}", f"polars=={POLARS_VERSION}"]
# Inside benches/.venv/ (ignored by the repository's .gitignore), apart from
# the DuckDB-only environment of duckdb_reference.py.
DEFAULT_VENV = cm.BENCHES / ".venv" / "side-by-side"
ENGINES = ["xiaoneng", "duckdb", "polars", "bare-load", "steps", "compute", "ingest"]
THREADS = 2

MEASURES = [
    "accepted", "completed", "completed_instant", "completed_promised", "on_time", "early",
    "overdue_completed", "overdue_open", "one_visit", "sum_promised", "sum_elapsed_promised",
    "sum_promised_with_legal", "sum_legal", "sum_elapsed",
]
LEVELS = [  # (level, key column of the case facts), as rollup.rs LEVELS
    ("center", None),
    ("department", "department"),
    ("window", "window_id"),
    ("staff", "staff_id"),
    ("item", "item_code"),
]
KEYS = ["grain", "period", "level", "key"]


def default_xiaoneng() -> str:
    target = os.environ.get("CARGO_TARGET_DIR")
    if target:
        return str(Path(target) / "release" / "xiaoneng")
    return str(Path.home() / ".cache" / "xiaoneng-target" / "release" / "xiaoneng")


# ---------------------------------------------------------------- the working-day calendar


FIXED_HOLIDAYS = [(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)]  # calendar.rs FIXED_HOLIDAYS


def calendar_days(csv: Path, config: dict, store: Path) -> list[tuple[date, int]]:
    """Every covered day and whether it is a working day, as xiaoneng builds
    its calendar (config.rs `calendar_of`): the official CSV's years, the
    configured `add_years` by the weekday rule, the provisional year after
    the last official one (weekdays less the fixed-date holidays), then the
    configured days."""
    if (store / "_calendar").is_dir() and any((store / "_calendar").iterdir()):
        sys.exit(f"{store / '_calendar'} holds imported holiday lists: this script does not read them yet")
    official: dict[date, bool] = {}
    years = set()
    with open(csv, encoding="utf-8-sig") as f:
        header = f.readline().strip()
        if header != "date,workday,name":
            sys.exit(f"{csv}: expected the header `date,workday,name`, found `{header}`")
        for line in f:
            parts = [p.strip() for p in line.split(",")]
            if len(parts) < 2 or not parts[0]:
                continue
            d = date.fromisoformat(parts[0])
            years.add(d.year)
            if parts[1] in ("true", "false"):
                official[d] = parts[1] == "true"
    if not years:
        sys.exit(f"{csv}: no calendar rows")
    official_years = set(range(min(years), max(years) + 1))
    cal = config.get("calendar", {})
    local_years = {int(y) for y in cal.get("add_years", [])} - official_years
    covered = official_years | local_years
    provisional = max(official_years) + 1
    if provisional not in covered:
        covered.add(provisional)
        for m, d in FIXED_HOLIDAYS:
            official[date(provisional, m, d)] = False
    for o in cal.get("days", []):
        day = o["date"] if isinstance(o["date"], date) else date.fromisoformat(str(o["date"]))
        official[day] = bool(o["workday"])
    out = []
    for y in sorted(covered):
        d = date(y, 1, 1)
        while d.year == y:
            work = official.get(d, d.isoweekday() <= 5)
            out.append((d, 1 if work else 0))
            d += timedelta(days=1)
    return out


# ---------------------------------------------------------------- the store's files


def dataset_files(store: Path, name: str) -> list[str]:
    """The Parquet files of a dataset as the store lists them (store/mod.rs
    `files`: names starting with `_` or `.` skipped), sorted."""
    root = store / name
    out = []
    if not root.is_dir():
        return out
    for r, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        out.extend(str(Path(r) / f) for f in files
                   if f.endswith(".parquet") and not f.startswith(("_", ".")))
    return sorted(out)


def sql_str(s) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def sql_list(files: list[str]) -> str:
    return "[" + ", ".join(sql_str(f) for f in files) + "]"


# ---------------------------------------------------------------- DuckDB: one SQL text

# Reads the views cases_src, items_src, windows_src, suspensions_src and
# cal_src(d, work); {as_of} is a DATE literal.
FULL_CASE_METRICS_SQL = """
WITH
params AS (
  SELECT DATE '{as_of}' AS as_of
),
-- Working days: widx counts the working days from the calendar's first
-- covered day up to and including d; working days in (a, b] = widx(b) - widx(a).
wd AS (
  SELECT d, work,
         SUM(work) OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS widx
  FROM cal_src
),
-- Catalog versions: the first version of an item also covers cases
-- accepted before it (valid_from NULL); each ends where the next begins.
versions AS (
  SELECT CAST(item_code AS VARCHAR) AS item_code,
         CAST(promised_limit_days AS BIGINT) AS n_cat,
         CAST(legal_limit_days AS BIGINT) AS l_cat,
         LEAD(effective_from) OVER (PARTITION BY item_code
                                    ORDER BY effective_from ASC NULLS FIRST) AS valid_to,
         CASE WHEN effective_from = MIN(effective_from) OVER (PARTITION BY item_code)
              THEN NULL ELSE effective_from END AS valid_from
  FROM items_src
  WHERE item_code IS NOT NULL
),
-- The department of each window.
win AS (
  SELECT CAST(window_id AS VARCHAR) AS window_id, ANY_VALUE(CAST(department AS VARCHAR)) AS department
  FROM windows_src
  WHERE window_id IS NOT NULL AND department IS NOT NULL
  GROUP BY 1
),
-- Cases accepted by as_of; a completion after as_of counts as open.
c0 AS (
  SELECT CAST(case_id AS VARCHAR) AS case_id,
         CAST(item_code AS VARCHAR) AS item_code,
         CAST(window_id AS VARCHAR) AS window_id,
         CAST(staff_id AS VARCHAR) AS staff_id,
         CAST(accepted_at AS DATE) AS acc,
         CASE WHEN CAST(completed_at AS DATE) <= p.as_of
              THEN CAST(completed_at AS DATE) END AS comp,
         CAST(promised_limit_days AS BIGINT) AS n_case,
         CAST(legal_limit_days AS BIGINT) AS l_case,
         -- 补正次数 / 是否补正 of the case export, where it has one.
         COALESCE(CAST(supplements AS BIGINT) > 0, FALSE) AS counted_supplement,
         p.as_of
  FROM cases_src
  CROSS JOIN params p
  WHERE CAST(accepted_at AS DATE) <= p.as_of
),
-- The case's own limits win; an empty one takes the catalog version in force.
facts0 AS (
  SELECT c.case_id, c.item_code, c.window_id, w.department, c.staff_id, c.acc, c.comp,
         COALESCE(c.n_case, v.n_cat) AS n,
         COALESCE(c.l_case, v.l_cat) AS l,
         COALESCE(c.comp, c.as_of) AS end_ref,
         c.counted_supplement
  FROM c0 c
  LEFT JOIN versions v ON v.item_code = c.item_code
       AND (v.valid_from IS NULL OR v.valid_from <= c.acc)
       AND (v.valid_to IS NULL OR c.acc < v.valid_to)
  LEFT JOIN win w ON w.window_id = c.window_id
),
-- Suspensions clipped to (acceptance, completion or as_of]; one without a
-- start starts the day after acceptance, one without an end runs to the end.
susp_clip AS (
  SELECT f.case_id,
         CASE WHEN s.s_start > f.acc + 1 THEN s.s_start ELSE f.acc + 1 END AS s,
         CASE WHEN COALESCE(s.s_end, f.end_ref) < f.end_ref
              THEN COALESCE(s.s_end, f.end_ref) ELSE f.end_ref END AS e
  FROM suspensions_src s
  JOIN facts0 f ON f.case_id = CAST(s.case_id AS VARCHAR)
),
{suspension_blocks}-- A 补正 anywhere (clipped or not) makes the case not one-visit.
supplement AS (
  SELECT DISTINCT CAST(case_id AS VARCHAR) AS case_id
  FROM suspensions_src WHERE kind = '补正' AND case_id IS NOT NULL
),
facts AS (
  SELECT f.case_id, f.item_code, f.window_id, f.department, f.staff_id,
         f.acc, f.comp, f.n, f.l,
         a.widx AS a,
         c.widx - a.widx - COALESCE(sd.susp_days, 0) AS elapsed,
         (sp.case_id IS NOT NULL OR f.counted_supplement) AS supplement
  FROM facts0 f
  LEFT JOIN susp_days sd ON sd.case_id = f.case_id
  LEFT JOIN supplement sp ON sp.case_id = f.case_id
  LEFT JOIN wd a ON a.d = f.acc
  LEFT JOIN wd c ON c.d = f.comp
),
-- Open-overdue days (cases.rs `open_overdue_days`): a case is open at the end
-- of each day E with acc < E < completion (E <= as_of while open), and late
-- on E when widx(E) - a > n + the working days suspended up to E. Never
-- before the first day with widx(E) = a + n + 1, so the days are counted
-- from there; without a suspension every later day open is late.
ov_cand AS (
  SELECT f.case_id, f.department, f.window_id, f.staff_id, f.item_code, f.a, f.n,
         GREATEST(r.d, f.acc + 1) AS first_day,
         CASE WHEN f.comp IS NULL THEN p.as_of ELSE f.comp - 1 END AS last_open
  FROM facts f
  CROSS JOIN params p
  JOIN wd r ON r.widx = f.a + f.n + 1 AND r.work = 1
  WHERE f.n IS NOT NULL
),
ov_days AS (
  SELECT case_id, department, window_id, staff_id, item_code, a, n,
         CAST(first_day + CAST(k AS INTEGER) AS DATE) AS d
  FROM (SELECT *, unnest(range(0, CAST(last_open - first_day + 1 AS BIGINT))) AS k
        FROM ov_cand WHERE first_day <= last_open) t
),
ov_susp AS (
  SELECT o.case_id, o.d, SUM(x.widx - b.base) AS susp
  FROM ov_days o
  JOIN blocks b ON b.case_id = o.case_id AND b.s <= o.d
  JOIN wd x ON x.d = LEAST(b.e, o.d)
  GROUP BY o.case_id, o.d
),
overdue AS (
  SELECT o.d, o.department, o.window_id, o.staff_id, o.item_code
  FROM ov_days o
  LEFT JOIN ov_susp s ON s.case_id = o.case_id AND s.d = o.d
  JOIN wd x ON x.d = o.d
  WHERE x.widx - o.a > o.n + COALESCE(s.susp, 0)
),
-- Events: an acceptance, a completion (with its measures), an open-overdue day.
events AS (
  SELECT acc AS d, department, window_id, staff_id, item_code,
         1 AS accepted, 0 AS completed, 0 AS completed_instant, 0 AS completed_promised,
         0 AS on_time, 0 AS early, 0 AS overdue_completed, 0 AS overdue_open,
         0 AS one_visit, CAST(0 AS BIGINT) AS sum_promised, CAST(0 AS BIGINT) AS sum_elapsed_promised,
         CAST(0 AS BIGINT) AS sum_promised_with_legal, CAST(0 AS BIGINT) AS sum_legal,
         CAST(0 AS BIGINT) AS sum_elapsed
  FROM facts
  UNION ALL
  SELECT comp, department, window_id, staff_id, item_code,
         0, 1,
         CASE WHEN n = 0 THEN 1 ELSE 0 END,
         CASE WHEN n >= 1 THEN 1 ELSE 0 END,
         CASE WHEN n >= 1 AND elapsed <= n THEN 1 ELSE 0 END,
         CASE WHEN n >= 1 AND elapsed < n THEN 1 ELSE 0 END,
         CASE WHEN elapsed > n THEN 1 ELSE 0 END,
         0,
         CASE WHEN supplement THEN 0 ELSE 1 END,
         CASE WHEN n >= 1 THEN n ELSE 0 END,
         CASE WHEN n >= 1 THEN elapsed ELSE 0 END,
         CASE WHEN n >= 1 AND l IS NOT NULL THEN n ELSE 0 END,
         CASE WHEN n >= 1 AND l IS NOT NULL THEN l ELSE 0 END,
         elapsed
  FROM facts WHERE comp IS NOT NULL
  UNION ALL
  SELECT d, department, window_id, staff_id, item_code,
         0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0
  FROM overdue
),
-- The day table: per day, level and key (a case without a department,
-- staff member ... is left out of that level only).
day_t AS (
  SELECT d,
         CASE WHEN GROUPING(department) = 0 THEN 'department'
              WHEN GROUPING(window_id) = 0 THEN 'window'
              WHEN GROUPING(staff_id) = 0 THEN 'staff'
              WHEN GROUPING(item_code) = 0 THEN 'item'
              ELSE 'center' END AS level,
         CASE WHEN GROUPING(department) = 0 THEN department
              WHEN GROUPING(window_id) = 0 THEN window_id
              WHEN GROUPING(staff_id) = 0 THEN staff_id
              WHEN GROUPING(item_code) = 0 THEN item_code
              ELSE 'center' END AS key,
         SUM(accepted) AS accepted, SUM(completed) AS completed,
         SUM(completed_instant) AS completed_instant, SUM(completed_promised) AS completed_promised,
         SUM(on_time) AS on_time, SUM(early) AS early, SUM(overdue_completed) AS overdue_completed,
         SUM(overdue_open) AS overdue_open, SUM(one_visit) AS one_visit,
         SUM(sum_promised) AS sum_promised, SUM(sum_elapsed_promised) AS sum_elapsed_promised,
         SUM(sum_promised_with_legal) AS sum_promised_with_legal, SUM(sum_legal) AS sum_legal,
         SUM(sum_elapsed) AS sum_elapsed
  FROM events
  GROUP BY GROUPING SETS ((d), (d, department), (d, window_id), (d, staff_id), (d, item_code))
),
-- Every day from the first acceptance to as_of, labelled for each grain
-- (period.rs `period_of`): its period, first and last day.
days AS (
  SELECT CAST(first_day + CAST(k AS INTEGER) AS DATE) AS d
  FROM (SELECT MIN(acc) AS first_day, MAX(as_of) AS last_day FROM c0) t,
       (SELECT unnest(range(0, CAST((SELECT MAX(as_of) - MIN(acc) + 1 FROM c0) AS BIGINT))) AS k) r
),
pmap AS (
  SELECT 'day' AS grain, strftime(d, '%Y-%m-%d') AS period, d AS ps, d AS pe, d FROM days
  UNION ALL
  SELECT 'week', printf('%04d-W%02d', isoyear(d), week(d)),
         CAST(d - CAST(isodow(d) - 1 AS INTEGER) AS DATE),
         CAST(d + CAST(7 - isodow(d) AS INTEGER) AS DATE), d FROM days
  UNION ALL
  SELECT 'month', strftime(d, '%Y-%m'), make_date(year(d), month(d), 1), last_day(d), d FROM days
  UNION ALL
  SELECT 'bimonth', printf('%04d-B%d', year(d), (month(d) + 1) // 2),
         make_date(year(d), CAST(2 * ((month(d) + 1) // 2) - 1 AS INTEGER), 1),
         last_day(make_date(year(d), CAST(2 * ((month(d) + 1) // 2) AS INTEGER), 1)), d FROM days
  UNION ALL
  SELECT 'quarter', printf('%04d-Q%d', year(d), quarter(d)),
         make_date(year(d), CAST(3 * quarter(d) - 2 AS INTEGER), 1),
         last_day(make_date(year(d), CAST(3 * quarter(d) AS INTEGER), 1)), d FROM days
  UNION ALL
  SELECT 'year', CAST(year(d) AS VARCHAR), make_date(year(d), 1, 1), make_date(year(d), 12, 31), d
  FROM days
),
-- Sums over the period's days; overdue_open is the state on the period's
-- last day, or on as_of for a period not over (rollup.rs `Roll::AtEnd`).
rolled AS (
  SELECT m.grain, m.period, m.ps AS period_start, m.pe AS period_end, t.level, t.key,
         SUM(t.accepted) AS accepted, SUM(t.completed) AS completed,
         SUM(t.completed_instant) AS completed_instant,
         SUM(t.completed_promised) AS completed_promised,
         SUM(t.on_time) AS on_time, SUM(t.early) AS early,
         SUM(t.overdue_completed) AS overdue_completed,
         SUM(CASE WHEN t.d = LEAST(m.pe, p.as_of) THEN t.overdue_open ELSE 0 END) AS overdue_open,
         SUM(t.one_visit) AS one_visit, SUM(t.sum_promised) AS sum_promised,
         SUM(t.sum_elapsed_promised) AS sum_elapsed_promised,
         SUM(t.sum_promised_with_legal) AS sum_promised_with_legal,
         SUM(t.sum_legal) AS sum_legal, SUM(t.sum_elapsed) AS sum_elapsed
  FROM day_t t
  JOIN pmap m ON m.d = t.d
  CROSS JOIN params p
  WHERE t.key IS NOT NULL
  GROUP BY m.grain, m.period, m.ps, m.pe, t.level, t.key
),
-- p90 of the elapsed working days of the cases completed in the period
-- (linear interpolation).
p90_t AS (
  SELECT grain, ps, level, key, p90
  FROM (
    SELECT m.grain, m.ps,
           CASE WHEN GROUPING(c.department) = 0 THEN 'department'
                WHEN GROUPING(c.window_id) = 0 THEN 'window'
                WHEN GROUPING(c.staff_id) = 0 THEN 'staff'
                WHEN GROUPING(c.item_code) = 0 THEN 'item'
                ELSE 'center' END AS level,
           CASE WHEN GROUPING(c.department) = 0 THEN c.department
                WHEN GROUPING(c.window_id) = 0 THEN c.window_id
                WHEN GROUPING(c.staff_id) = 0 THEN c.staff_id
                WHEN GROUPING(c.item_code) = 0 THEN c.item_code
                ELSE 'center' END AS key,
           quantile_cont(c.elapsed, 0.9) AS p90
    FROM facts c
    JOIN pmap m ON m.d = c.comp
    GROUP BY GROUPING SETS ((m.grain, m.ps), (m.grain, m.ps, c.department),
                            (m.grain, m.ps, c.window_id), (m.grain, m.ps, c.staff_id),
                            (m.grain, m.ps, c.item_code))
  ) q
  WHERE key IS NOT NULL
),
{checks}
-- A row only where a case was accepted or completed in the period, or was
-- open past its deadline at its end.
SELECT r.grain, r.period, r.period_start, r.period_end, r.level, r.key,
       CAST(r.accepted AS BIGINT) AS accepted,
       CAST(r.completed AS BIGINT) AS completed,
       CAST(r.completed_instant AS BIGINT) AS completed_instant,
       CAST(r.completed_promised AS BIGINT) AS completed_promised,
       CAST(r.on_time AS BIGINT) AS on_time,
       CAST(r.early AS BIGINT) AS early,
       CAST(r.overdue_completed AS BIGINT) AS overdue_completed,
       CAST(r.overdue_open AS BIGINT) AS overdue_open,
{rates}       CAST(q.p90 AS DOUBLE) AS p90_elapsed_days
FROM rolled r
CROSS JOIN checks ck
LEFT JOIN p90_t q ON q.grain = r.grain AND q.ps = r.period_start AND q.level = r.level AND q.key = r.key
WHERE ck.ok = 0 AND r.accepted + r.completed + r.overdue_open > 0
ORDER BY r.grain, r.period_start, r.level, r.key
"""


def duckdb_source_views(job: dict, con) -> list[str]:
    files = job["files"]

    def parquet(name):
        return f"read_parquet({sql_list(files[name])}, union_by_name = true)"

    case_cols = ["case_id", "item_code", "window_id", "staff_id", "accepted_at", "completed_at",
                 "promised_limit_days", "legal_limit_days"]
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {parquet('cases')}").fetchall()}
    select = ", ".join(case_cols) + (", supplements" if "supplements" in present
                                     else ", CAST(NULL AS BIGINT) AS supplements")
    views = [
        f"CREATE OR REPLACE TEMP VIEW cases_src AS SELECT {select} FROM {parquet('cases')}",
        f"""CREATE OR REPLACE TEMP VIEW items_src AS
SELECT item_code, effective_from, promised_limit_days, legal_limit_days FROM {parquet('items')}""",
        f"CREATE OR REPLACE TEMP VIEW windows_src AS SELECT window_id, department FROM {parquet('windows')}",
    ]
    if files["suspensions"]:
        views.append(f"""CREATE OR REPLACE TEMP VIEW suspensions_src AS
SELECT case_id, kind, "start" AS s_start, "end" AS s_end FROM {parquet('suspensions')}""")
    else:
        views.append("""CREATE OR REPLACE TEMP VIEW suspensions_src AS
SELECT CAST(NULL AS VARCHAR) AS case_id, CAST(NULL AS VARCHAR) AS kind,
       CAST(NULL AS DATE) AS s_start, CAST(NULL AS DATE) AS s_end WHERE FALSE""")
    views.append(f"""CREATE OR REPLACE TEMP VIEW cal_src AS
SELECT d, work FROM read_csv({sql_str(job['calendar'])}, header = true, auto_detect = false,
                             columns = {{'d': 'DATE', 'work': 'INTEGER'}})""")
    return views


def child_duckdb(job: dict) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {THREADS}")
    for v in duckdb_source_views(job, con):
        con.execute(v)
    query = FULL_CASE_METRICS_SQL.format(as_of=job["as_of"], suspension_blocks=cm.SUSPENSION_BLOCKS,
                                           checks=cm.calendar_checks("error"), rates=cm.rate_columns("r"))
    n = con.execute(f"COPY ({query}) TO {sql_str(job['out'])} (FORMAT parquet)").fetchone()[0]
    print(f"duckdb {duckdb.__version__}: {n} rows")


# ---------------------------------------------------------------- polars


def period_map(first: date, last: date):
    """date -> (grain, period, period start, period end) for every day in
    first..=last and every grain (period.rs `period_of`), as Python lists."""
    cols = {"dn": [], "grain": [], "period": [], "ps": [], "pe": []}
    epoch = date(1970, 1, 1)

    def month_end(y, m):
        return (date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)) - timedelta(days=1)

    d = first
    while d <= last:
        y, m = d.year, d.month
        iy, iw, idow = d.isocalendar()
        b, q = (m + 1) // 2, (m + 2) // 3
        monday = d - timedelta(days=idow - 1)
        rows = [
            ("day", d.isoformat(), d, d),
            ("week", f"{iy:04d}-W{iw:02d}", monday, monday + timedelta(days=6)),
            ("month", f"{y:04d}-{m:02d}", date(y, m, 1), month_end(y, m)),
            ("bimonth", f"{y:04d}-B{b}", date(y, 2 * b - 1, 1), month_end(y, 2 * b)),
            ("quarter", f"{y:04d}-Q{q}", date(y, 3 * q - 2, 1), month_end(y, 3 * q)),
            ("year", f"{y:04d}", date(y, 1, 1), date(y, 12, 31)),
        ]
        for g, label, ps, pe in rows:
            cols["dn"].append((d - epoch).days)
            cols["grain"].append(g)
            cols["period"].append(label)
            cols["ps"].append((ps - epoch).days)
            cols["pe"].append((pe - epoch).days)
        d += timedelta(days=1)
    return cols


def child_polars(job: dict) -> None:
    import polars as pl

    files = job["files"]
    as_of = date.fromisoformat(job["as_of"])
    as_of_dn = (as_of - date(1970, 1, 1)).days
    DN = pl.Int32

    def scan(name: str, columns: list[str]):
        fs = files[name]
        # The widest file first: its schema is the scan's; files without a
        # column read it as null.
        widths = {f: len(pl.read_parquet_schema(f)) for f in fs}
        fs = sorted(fs, key=lambda f: -widths[f])
        have = pl.read_parquet_schema(fs[0])
        lf = pl.scan_parquet(fs, hive_partitioning=False, missing_columns="insert",
                             extra_columns="ignore")
        return lf.select([pl.col(c) if c in have else pl.lit(None, dtype=pl.Int64).alias(c)
                          for c in columns])

    def dn(c: str):
        return pl.col(c).cast(pl.Date).cast(DN)

    # The calendar: working-day index per day number.
    cal = (pl.scan_csv(job["calendar"], schema={"d": pl.Date, "work": pl.Int64})
           .sort("d")
           .select(dn("d").alias("dn"), pl.col("work"), pl.col("work").cum_sum().alias("widx"))
           .collect())
    wd = cal.lazy()

    c0 = (scan("cases", ["case_id", "item_code", "window_id", "staff_id", "accepted_at",
                         "completed_at", "promised_limit_days", "legal_limit_days", "supplements"])
          .select(
              pl.col("case_id").cast(pl.String),
              pl.col("item_code").cast(pl.String),
              pl.col("window_id").cast(pl.String),
              pl.col("staff_id").cast(pl.String),
              dn("accepted_at").alias("acc"),
              dn("completed_at").alias("comp_raw"),
              pl.col("promised_limit_days").cast(pl.Int64).alias("n_case"),
              pl.col("legal_limit_days").cast(pl.Int64).alias("l_case"),
              (pl.col("supplements").cast(pl.Int64) > 0).fill_null(False).alias("counted"),
          )
          .filter(pl.col("acc") <= as_of_dn)
          .with_columns(pl.when(pl.col("comp_raw") <= as_of_dn).then(pl.col("comp_raw"))
                        .otherwise(None).alias("comp"))
          .drop("comp_raw"))

    # Catalog versions: the first of an item also covers earlier cases.
    versions = (scan("items", ["item_code", "effective_from", "promised_limit_days", "legal_limit_days"])
                .filter(pl.col("item_code").is_not_null())
                .select(pl.col("item_code").cast(pl.String), dn("effective_from").alias("ef"),
                        pl.col("promised_limit_days").cast(pl.Int64).alias("n_cat"),
                        pl.col("legal_limit_days").cast(pl.Int64).alias("l_cat"))
                .sort(["item_code", "ef"], nulls_last=False)
                .with_columns(
                    pl.col("ef").shift(-1).over("item_code").alias("valid_to"),
                    pl.when(pl.col("ef") == pl.col("ef").min().over("item_code")).then(None)
                    .otherwise(pl.col("ef")).alias("valid_from"))
                .select("item_code", "n_cat", "l_cat", "valid_from", "valid_to"))
    win = (scan("windows", ["window_id", "department"])
           .select(pl.col("window_id").cast(pl.String), pl.col("department").cast(pl.String))
           .drop_nulls()
           .unique(subset=["window_id"], keep="last", maintain_order=True))

    facts0 = (c0.join(versions, on="item_code", how="left")
              .filter((pl.col("valid_from").is_null() | (pl.col("valid_from") <= pl.col("acc")))
                      & (pl.col("valid_to").is_null() | (pl.col("acc") < pl.col("valid_to"))))
              .join(win, on="window_id", how="left")
              .select("case_id", "item_code", "window_id", "department", "staff_id", "acc", "comp",
                      pl.coalesce("n_case", "n_cat").alias("n"),
                      pl.coalesce("l_case", "l_cat").alias("l"),
                      pl.coalesce("comp", pl.lit(as_of_dn, dtype=DN)).alias("end_ref"),
                      "counted")
              .collect())

    # Suspensions clipped to (acceptance, end] and merged where they overlap.
    if files["suspensions"]:
        susp = (scan("suspensions", ["case_id", "kind", "start", "end"])
                .select(pl.col("case_id").cast(pl.String), pl.col("kind").cast(pl.String),
                        dn("start").alias("s0"), dn("end").alias("e0"))
                .filter(pl.col("case_id").is_not_null())
                .collect())
    else:
        susp = pl.DataFrame(schema={"case_id": pl.String, "kind": pl.String, "s0": DN, "e0": DN})
    blocks = (susp.lazy()
              .join(facts0.lazy().select("case_id", "acc", "end_ref"), on="case_id", how="inner")
              .select("case_id",
                      pl.when(pl.col("s0").is_null() | (pl.col("s0") < pl.col("acc") + 1))
                      .then(pl.col("acc") + 1).otherwise(pl.col("s0")).alias("s"),
                      pl.when(pl.col("e0").is_null() | (pl.col("e0") > pl.col("end_ref")))
                      .then(pl.col("end_ref")).otherwise(pl.col("e0")).alias("e"))
              .filter(pl.col("s") <= pl.col("e"))
              .sort(["case_id", "s", "e"])
              .with_columns(pl.col("e").cum_max().shift(1).over("case_id").alias("prev_e"))
              .with_columns((pl.col("prev_e").is_null() | (pl.col("s") > pl.col("prev_e")))
                            .cast(pl.Int32).cum_sum().over("case_id").alias("block"))
              .group_by(["case_id", "block"])
              .agg(pl.col("s").min(), pl.col("e").max())
              .join(wd.select(pl.col("dn").alias("s"), (pl.col("widx") - pl.col("work")).alias("base")),
                    on="s", how="left")
              .join(wd.select(pl.col("dn").alias("e"), pl.col("widx").alias("we")), on="e", how="left")
              .select("case_id", "s", "e", "base", (pl.col("we") - pl.col("base")).alias("days"))
              .collect())
    if blocks["days"].null_count() > 0:
        sys.exit("a suspension lies in a year the working-day calendar does not cover")
    susp_days = blocks.group_by("case_id").agg(pl.col("days").sum().alias("susp_days"))
    supplement = (susp.lazy().filter(pl.col("kind") == "补正").select("case_id").unique()
                  .with_columns(pl.lit(True).alias("has_supplement")))

    facts = (facts0.lazy()
             .join(susp_days.lazy(), on="case_id", how="left")
             .join(supplement, on="case_id", how="left")
             .join(wd.select(pl.col("dn").alias("acc"), pl.col("widx").alias("a")), on="acc", how="left")
             .join(wd.select(pl.col("dn").alias("comp"), pl.col("widx").alias("c")), on="comp", how="left")
             .select("case_id", "item_code", "window_id", "department", "staff_id", "acc", "comp",
                     "n", "l", "a",
                     (pl.col("c") - pl.col("a") - pl.col("susp_days").fill_null(0)).alias("elapsed"),
                     (pl.col("has_supplement").fill_null(False) | pl.col("counted")).alias("supplement"))
             .collect())
    if facts["a"].null_count() > 0:
        sys.exit("cases accepted on a date the working-day calendar does not cover")
    if facts.filter(pl.col("comp").is_not_null() & pl.col("elapsed").is_null()).height > 0:
        sys.exit("cases completed on a date the working-day calendar does not cover")

    # Open-overdue days (cases.rs `open_overdue_days`), from the first day
    # with widx = a + n + 1 to the last day open; with suspensions, each day
    # checked against the working days suspended up to it.
    keys = ["department", "window_id", "staff_id", "item_code"]
    cand = (facts.lazy()
            .filter(pl.col("n").is_not_null())
            .with_columns((pl.col("a") + pl.col("n") + 1).alias("k"),
                          pl.when(pl.col("comp").is_null()).then(pl.lit(as_of_dn, dtype=DN))
                          .otherwise(pl.col("comp") - 1).alias("last_open"))
            .join(wd.filter(pl.col("work") == 1).select(pl.col("widx").alias("k"),
                                                        pl.col("dn").alias("reach")),
                  on="k", how="inner")
            .with_columns(pl.max_horizontal("reach", pl.col("acc") + 1).alias("first"))
            .filter(pl.col("first") <= pl.col("last_open"))
            .select("case_id", *keys, "a", "n",
                    pl.int_ranges("first", pl.col("last_open") + 1, dtype=DN).alias("dn"))
            .explode("dn"))
    block_ids = blocks.lazy().select("case_id").unique()
    plain = cand.join(block_ids, on="case_id", how="anti").select("dn", *keys)
    suspended = cand.join(block_ids, on="case_id", how="semi")
    susp_at = (suspended.select("case_id", "dn")
               .join(blocks.lazy().select("case_id", "s", "e", "base"), on="case_id", how="inner")
               .filter(pl.col("s") <= pl.col("dn"))
               .with_columns(pl.min_horizontal("e", "dn").alias("x"))
               .join(wd.select(pl.col("dn").alias("x"), pl.col("widx").alias("wx")), on="x", how="left")
               .group_by(["case_id", "dn"])
               .agg((pl.col("wx") - pl.col("base")).sum().alias("susp")))
    late = (suspended
            .join(susp_at, on=["case_id", "dn"], how="left")
            .join(wd.select("dn", "widx"), on="dn", how="left")
            .filter(pl.col("widx") - pl.col("a") > pl.col("n") + pl.col("susp").fill_null(0))
            .select("dn", *keys))
    overdue = pl.concat([plain, late])

    # Events, each with every measure.
    zero = pl.lit(0, dtype=pl.Int64)
    promised = pl.col("n") >= 1
    with_legal = promised & pl.col("l").is_not_null()

    def flag(e):
        return pl.when(e).then(1).otherwise(0).cast(pl.Int64)

    def measures(**given):
        return [given.get(m, zero).cast(pl.Int64).alias(m) for m in MEASURES]

    accepted_ev = facts.lazy().select(pl.col("acc").alias("dn"), *keys, *measures(accepted=pl.lit(1)))
    completed_ev = facts.lazy().filter(pl.col("comp").is_not_null()).select(
        pl.col("comp").alias("dn"), *keys,
        *measures(
            completed=pl.lit(1),
            completed_instant=flag(pl.col("n") == 0),
            completed_promised=flag(promised),
            on_time=flag(promised & (pl.col("elapsed") <= pl.col("n"))),
            early=flag(promised & (pl.col("elapsed") < pl.col("n"))),
            overdue_completed=flag(pl.col("elapsed") > pl.col("n")),
            one_visit=flag(~pl.col("supplement")),
            sum_promised=pl.when(promised).then(pl.col("n")).otherwise(0),
            sum_elapsed_promised=pl.when(promised).then(pl.col("elapsed")).otherwise(0),
            sum_promised_with_legal=pl.when(with_legal).then(pl.col("n")).otherwise(0),
            sum_legal=pl.when(with_legal).then(pl.col("l")).otherwise(0),
            sum_elapsed=pl.col("elapsed"),
        ))
    overdue_ev = overdue.select("dn", *keys, *measures(overdue_open=pl.lit(1)))
    events = pl.concat([accepted_ev, completed_ev, overdue_ev]).collect()

    # The day table: per level, key and day.
    sums = [pl.col(m).sum() for m in MEASURES]
    parts = []
    for level, column in LEVELS:
        ev = events.lazy()
        if column is None:
            ev = ev.with_columns(pl.lit("center").alias("key"))
        else:
            ev = ev.filter(pl.col(column).is_not_null()).with_columns(pl.col(column).alias("key"))
        parts.append(ev.group_by(["dn", "key"]).agg(sums).with_columns(pl.lit(level).alias("level")))
    day_t = pl.concat(parts).select("level", "key", "dn", *MEASURES)

    first = date(1970, 1, 1) + timedelta(days=int(facts["acc"].min()))
    pm = period_map(min(first, as_of), as_of)
    pmap = pl.DataFrame(pm, schema={"dn": DN, "grain": pl.String, "period": pl.String,
                                    "ps": DN, "pe": DN}).lazy()
    rolled = (day_t.join(pmap, on="dn", how="inner")
              .group_by(["grain", "period", "ps", "pe", "level", "key"])
              .agg([pl.col(m).sum() for m in MEASURES if m != "overdue_open"]
                   + [pl.col("overdue_open").filter(
                       pl.col("dn") == pl.min_horizontal("pe", pl.lit(as_of_dn, dtype=DN))).sum()])
              .filter(pl.col("accepted") + pl.col("completed") + pl.col("overdue_open") > 0))

    # p90 of elapsed days of the cases completed in the period.
    done = (facts.lazy().filter(pl.col("comp").is_not_null())
            .select(pl.col("comp").alias("dn"), *keys, "elapsed")
            .join(pmap.select("dn", "grain", "ps"), on="dn", how="inner"))
    q_parts = []
    for level, column in LEVELS:
        d = done
        if column is None:
            d = d.with_columns(pl.lit("center").alias("key"))
        else:
            d = d.filter(pl.col(column).is_not_null()).with_columns(pl.col(column).alias("key"))
        q_parts.append(d.group_by(["grain", "ps", "key"])
                       .agg(pl.col("elapsed").cast(pl.Float64).quantile(0.9, "linear")
                            .alias("p90_elapsed_days"))
                       .with_columns(pl.lit(level).alias("level")))
    p90 = pl.concat(q_parts).select("grain", "ps", "level", "key", "p90_elapsed_days")

    def ratio(num, den):
        return (pl.when(pl.col(den) > 0)
                .then(pl.col(num).cast(pl.Float64) / pl.col(den).cast(pl.Float64))
                .otherwise(None))

    out = (rolled.join(p90, on=["grain", "ps", "level", "key"], how="left")
           .with_columns(
               ratio("completed_instant", "completed").alias("instant_rate"),
               ratio("on_time", "completed_promised").alias("on_time_rate"),
               ratio("early", "completed_promised").alias("early_rate"),
               (1.0 - ratio("sum_promised_with_legal", "sum_legal")).alias("promise_compression"),
               (1.0 - ratio("sum_elapsed_promised", "sum_promised")).alias("actual_speedup"),
               ratio("one_visit", "completed").alias("one_visit_rate"),
               ratio("sum_elapsed", "completed").alias("mean_elapsed_days"),
               pl.col("ps").cast(pl.Date).alias("period_start"),
               pl.col("pe").cast(pl.Date).alias("period_end"))
           .sort(["grain", "period_start", "level", "key"])
           .select(cm.COLUMNS))
    df = out.collect(engine="streaming")
    df.write_parquet(job["out"])
    print(f"polars {pl.__version__}: {df.height} rows")


# ---------------------------------------------------------------- bare load

# Column types of the export files by table (a column not named: text).
EXPORT_TYPES = {
    "cases": {"accepted_at": "TIMESTAMP", "completed_at": "TIMESTAMP",
              "promised_limit_days": "BIGINT", "legal_limit_days": "BIGINT", "supplements": "BIGINT"},
    "case_steps": {"seq": "BIGINT", "started_at": "TIMESTAMP", "finished_at": "TIMESTAMP",
                   "limit_days": "BIGINT"},
    "corrections": {"at": "TIMESTAMP"},
    "departures": {"out_at": "TIMESTAMP", "back_at": "TIMESTAMP"},
    "incidents": {"date": "DATE", "substantiated": "BOOLEAN", "points": "BIGINT"},
    "item_steps": {"limit_days": "BIGINT", "effective_from": "DATE"},
    "items": {"legal_limit_days": "BIGINT", "promised_limit_days": "BIGINT", "materials": "BIGINT",
              "steps": "BIGINT", "effective_from": "DATE"},
    "leaves": {"start": "TIMESTAMP", "end": "TIMESTAMP"},
    "ratings": {"rated_at": "TIMESTAMP", "level": "BIGINT", "rectified_at": "TIMESTAMP"},
    "staff": {"valid_from": "DATE", "valid_to": "DATE"},
    "suspensions": {"start": "DATE", "end": "DATE"},
    "tickets": {"issued_at": "TIMESTAMP", "called_at": "TIMESTAMP", "finished_at": "TIMESTAMP",
                "priority": "BOOLEAN"},
    "windows": {},
}
# The attendance machine's log (ZKTeco attlog): tab-separated, no header.
ATTLOG_COLUMNS = {"staff_id": "VARCHAR", "punched_at": "TIMESTAMP", "verify": "BIGINT",
                  "state": "BIGINT", "work_code": "BIGINT", "reserved": "BIGINT"}


def export_plan(exports: Path) -> tuple[list[dict], list[str]]:
    """The export files grouped by table, with their column types; and the
    files left out (with why)."""
    groups: dict[tuple, dict] = {}
    skipped = []
    for f in sorted(exports.iterdir()):
        if not f.is_file():
            continue
        if f.suffix == ".dat":
            key = ("punches", "attlog")
            g = groups.setdefault(key, {"table": "punches", "files": [], "header": False,
                                        "delim": "\t", "columns": ATTLOG_COLUMNS})
            g["files"].append(str(f))
            continue
        if f.suffix != ".csv":
            skipped.append(f"{f.name} (not a CSV export)")
            continue
        with open(f, "rb") as fh:
            first = fh.readline()
        try:
            header = first.decode("utf-8-sig").strip().split(",")
        except UnicodeDecodeError:
            skipped.append(f"{f.name} (not UTF-8: a vendor file in another encoding, "
                           "which DuckDB reads only with its encodings extension)")
            continue
        table = re.sub(r"-\d{4}(-\d{2})?$", "", f.stem)
        types = EXPORT_TYPES.get(table)
        if types is None:
            skipped.append(f"{f.name} (no table named {table})")
            continue
        columns = {c: types.get(c, "VARCHAR") for c in header}
        key = (table, tuple(header))
        g = groups.setdefault(key, {"table": table, "files": [], "header": True, "delim": ",",
                                    "columns": columns})
        g["files"].append(str(f))
    plan = list(groups.values())
    # One Parquet file per table (and header layout).
    seen: dict[str, int] = {}
    for g in plan:
        n = seen.get(g["table"], 0)
        seen[g["table"]] = n + 1
        g["name"] = g["table"] if n == 0 else f"{g['table']}_{n + 1}"
    return plan, skipped


def child_bare(job: dict) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {THREADS}")
    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for g in job["plan"]:
        cols = "{" + ", ".join(f"{sql_str(c)}: {sql_str(t)}" for c, t in g["columns"].items()) + "}"
        src = (f"read_csv({sql_list(g['files'])}, header = {str(g['header']).lower()}, "
               f"delim = {sql_str(g['delim'])}, auto_detect = false, columns = {cols}, "
               f"timestampformat = '%Y-%m-%d %H:%M:%S', dateformat = '%Y-%m-%d', "
               f"ignore_errors = true, null_padding = true)")
        n = con.execute(f"COPY (SELECT * FROM {src}) TO {sql_str(out / (g['name'] + '.parquet'))} "
                        "(FORMAT parquet)").fetchone()[0]
        total += n
    print(f"bare load: {total} rows in {len(job['plan'])} tables")


# ---------------------------------------------------------------- the parent


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    cm.add_store_args(p)
    p.add_argument("--as-of", type=cm.parse_date,
                   help="evaluation date (default: the last date a case was accepted or completed)")
    p.add_argument("--runs", type=int, default=3, help="timed runs of each engine, interleaved (3)")
    p.add_argument("--xiaoneng", default=default_xiaoneng(),
                   help="the xiaoneng binary (default: $CARGO_TARGET_DIR/release/xiaoneng, else "
                        "~/.cache/xiaoneng-target/release/xiaoneng)")
    p.add_argument("--engines", default=",".join(ENGINES),
                   help=f"engines to run, comma-separated (default: {','.join(ENGINES)})")
    p.add_argument("--exports", help="the folder of the export files for the bare load (default: "
                                     "the folder under HOME/data/inbox holding cases-*.csv)")
    p.add_argument("--work", help="folder for the engines' outputs (default: a temporary folder, "
                                  "removed at the end)")
    p.add_argument("--keep-work", action="store_true", help="keep the work folder")
    p.add_argument("--print-sql", action="store_true", help="print DuckDB's SQL text and exit")
    p.add_argument("--venv", default=str(DEFAULT_VENV),
                   help="virtual environment (default: benches/.venv/side-by-side)")
    p.add_argument("--no-venv", action="store_true",
                   help=f"use the running Python (it must have {' and '.join(REQUIREMENTS)})")
    a = p.parse_args()
    if a.runs < 1:
        p.error("--runs must be at least 1")
    a.engines = [e.strip() for e in a.engines.split(",") if e.strip()]
    for e in a.engines:
        if e not in ENGINES:
            p.error(f"unknown engine {e} (known: {', '.join(ENGINES)})")
    return a


def default_as_of(files: list[str]) -> date:
    import polars as pl

    m = (pl.scan_parquet(files, hive_partitioning=False, missing_columns="insert",
                         extra_columns="ignore")
         .select(pl.col("accepted_at").cast(pl.Date).max().alias("acc"),
                 pl.col("completed_at").cast(pl.Date).max().alias("comp"))
         .collect())
    acc, comp = m["acc"][0], m["comp"][0]
    if acc is None:
        sys.exit("the store has no cases")
    return comp if comp is not None and comp > acc else acc


def find_exports(home: Path) -> Path | None:
    inbox = home / "data" / "inbox"
    if not inbox.is_dir():
        return None
    found = sorted({p.parent for p in inbox.rglob("cases-*.csv")})
    return found[0] if found else None


# Measures one child from a small launcher process of its own. Linux keeps,
# across exec, the peak resident memory of the process image being replaced,
# and Python starts children with vfork: a child started straight from this
# script would report this script's own peak (polars loaded, tables compared)
# whenever its own is lower. The launcher's own peak is a few MiB.
LAUNCHER = """
import json, os, subprocess, sys, time
cmd, log = json.loads(sys.argv[1]), sys.argv[2]
with open(log, "w") as out:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
proc.returncode = os.waitstatus_to_exitcode(status)
print(json.dumps([wall, usage.ru_maxrss, proc.returncode]))
"""


def run_child(cmd: list[str], log: Path, env: dict | None = None) -> tuple[float, int, int]:
    """Run a command as a child process: (wall seconds, peak resident KiB
    (`ru_maxrss` of `os.wait4`), exit status)."""
    r = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, json.dumps(cmd), str(log)],
                       stdout=subprocess.PIPE, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"the launcher failed (exit {r.returncode}) running {shlex.join(cmd)}")
    wall, kib, rc = json.loads(r.stdout)
    return wall, kib, rc


def compare(tables: dict[str, str], limit: int = 40) -> tuple[bool, list[str], dict[str, int]]:
    """Row-for-row comparison of the case_metrics Parquet files against the
    first (xiaoneng's): the same (grain, period, level, key) rows, dates and
    integers equal, floats within 1e-9 relative, nulls equal."""
    import polars as pl

    frames = {name: pl.read_parquet(path).select(cm.COLUMNS) for name, path in tables.items()}
    counts = {name: df.height for name, df in frames.items()}
    ref_name = next(iter(frames))
    ref = frames[ref_name]
    lines: list[str] = []
    ok = True

    def key_text(df):
        return df.select(pl.format("{} {} {} {}", *[pl.col(k) for k in KEYS]).alias("k"))["k"]

    for name, df in frames.items():
        dups = df.filter(df.select(KEYS).is_duplicated())
        if dups.height:
            ok = False
            lines.append(f"{name}: {dups.height} rows share their (grain, period, level, key), e.g. "
                         + ", ".join(key_text(dups.head(3))))
    for name, df in frames.items():
        if name == ref_name:
            continue
        diffs: list[str] = []
        n_diff = 0
        only_ref = ref.join(df, on=KEYS, how="anti")
        only_got = df.join(ref, on=KEYS, how="anti")
        for what, rows in ((f"only in {ref_name}", only_ref), (f"only in {name}", only_got)):
            if rows.height:
                n_diff += rows.height
                for r in rows.head(limit).iter_rows(named=True):
                    diffs.append(f"{r['grain']} {r['period']} {r['level']} {r['key']}: {what} "
                                 f"(accepted={r['accepted']} completed={r['completed']} "
                                 f"overdue_open={r['overdue_open']})")
        both = ref.join(df, on=KEYS, how="inner", suffix="__got")
        for c in cm.DATE_COLUMNS + cm.INT_COLUMNS + cm.FLOAT_COLUMNS:
            a, b = pl.col(c), pl.col(c + "__got")
            if c in cm.FLOAT_COLUMNS:
                close = (a - b).abs() <= pl.max_horizontal(
                    pl.lit(1e-12), 1e-9 * pl.max_horizontal(a.abs(), b.abs()))
                same = (a.is_null() & b.is_null()) | (
                    a.is_not_null() & b.is_not_null() & ~a.is_nan() & ~b.is_nan() & close)
            else:
                same = (a.is_null() & b.is_null()) | (a.is_not_null() & b.is_not_null() & (a == b))
            bad = both.filter(~same.fill_null(False))
            if bad.height:
                n_diff += bad.height
                for r in bad.head(limit).iter_rows(named=True):
                    diffs.append(f"{r['grain']} {r['period']} {r['level']} {r['key']}: {c} "
                                 f"{ref_name}={r[c]!r} {name}={r[c + '__got']!r}")
        if n_diff:
            ok = False
            lines.append(f"DISAGREEMENT: {n_diff} differences between {ref_name} ({ref.height} rows) "
                         f"and {name} ({df.height} rows):")
            lines.extend("  " + d for d in diffs[:limit])
            if len(diffs) > limit:
                lines.append(f"  ... ({len(diffs) - limit} more listed differences not shown)")
        else:
            lines.append(f"agreement: the {df.height} rows of {name} equal {ref_name}'s row for row "
                         "(6 grains x 5 levels; integers and dates exact, floats within 1e-9 "
                         "relative, nulls equal)")
    return ok, lines, counts


def fmt_mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] in ("--child-duckdb", "--child-polars", "--child-bare"):
        job = json.loads(Path(sys.argv[2]).read_text())
        {"--child-duckdb": child_duckdb, "--child-polars": child_polars,
         "--child-bare": child_bare}[sys.argv[1]](job)
        return
    args = parse_args()
    if args.print_sql:
        print(FULL_CASE_METRICS_SQL.format(as_of=(args.as_of or date(2025, 12, 31)).isoformat(),
                                           suspension_blocks=cm.SUSPENSION_BLOCKS,
                                           checks=cm.calendar_checks("error"), rates=cm.rate_columns("r")).strip())
        return
    cm.ensure_venv(Path(args.venv), REQUIREMENTS, args.no_venv)
    import duckdb
    import polars as pl

    if not Path(args.home).is_dir():
        sys.exit(f"no folder {args.home}: generate a center first, e.g. "
                 f"`{args.xiaoneng} --home {args.home} demo --profile city` (about two minutes, 5 GiB)")
    home = cm.resolve_home(args.home, args.store, args.config)
    store = home.store
    files = {t: dataset_files(store, t) for t in ("cases", "items", "windows", "suspensions")}
    for t in ("cases", "items", "windows"):
        if not files[t]:
            sys.exit(f"{store / t} has no Parquet files: is --home a center's folder with its data ingested?")
    as_of = args.as_of or default_as_of(files["cases"])
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="side-by-side-"))
    work.mkdir(parents=True, exist_ok=True)
    cal_csv = work / "calendar.csv"
    with open(cal_csv, "w") as f:
        f.write("d,work\n")
        for d, w in calendar_days(Path(args.calendar), home.config, store):
            f.write(f"{d.isoformat()},{w}\n")

    print(f"store   {store}")
    print(f"as_of   {as_of}" + ("" if args.as_of else " (the last date a case was accepted or completed)"))
    print(f"work    {work}")
    notes: list[str] = []
    engines = list(args.engines)
    commands: dict[str, list[str]] = {}
    me = os.path.abspath(__file__)
    if "xiaoneng" in engines:
        if not Path(args.xiaoneng).exists():
            sys.exit(f"no xiaoneng binary at {args.xiaoneng} (build it, or give --xiaoneng)")
        commands["xiaoneng"] = [args.xiaoneng, "--home", str(home.home), "compute", "--only", "cases",
                                "--as-of", as_of.isoformat()]
    for engine, only in (("steps", ["--only", "steps"]), ("compute", [])):
        if engine in engines:
            commands[engine] = [args.xiaoneng, "--home", str(home.home), "compute", *only,
                                "--as-of", as_of.isoformat()]
    for engine, flag in (("duckdb", "--child-duckdb"), ("polars", "--child-polars")):
        if engine in engines:
            job = {"files": files, "calendar": str(cal_csv), "as_of": as_of.isoformat(),
                   "out": str(work / f"{engine}.parquet")}
            (work / f"{engine}.json").write_text(json.dumps(job))
            commands[engine] = [sys.executable, me, flag, str(work / f"{engine}.json")]
    prepare: dict[str, object] = {}
    exports = Path(args.exports) if args.exports else find_exports(home.home)
    for e in ("bare-load", "ingest"):
        if e in engines and (exports is None or not exports.is_dir()):
            notes.append(f"{e} skipped: no export files under {home.home / 'data' / 'inbox'} "
                         "(give --exports DIR)")
            engines.remove(e)
    if "ingest" in engines:
        fresh = work / "ingest-home"

        def empty_center(fresh=fresh):
            shutil.rmtree(fresh, ignore_errors=True)
            fresh.mkdir(parents=True)
            if (home.home / "xiaoneng.toml").is_file():
                shutil.copy(home.home / "xiaoneng.toml", fresh / "xiaoneng.toml")

        prepare["ingest"] = empty_center
        commands["ingest"] = [args.xiaoneng, "--home", str(fresh), "ingest", str(exports)]
    if "bare-load" in engines:
        plan, skipped = export_plan(exports)
        job = {"plan": plan, "out": str(work / "bare")}
        (work / "bare-load.json").write_text(json.dumps(job))
        commands["bare-load"] = [sys.executable, me, "--child-bare", str(work / "bare-load.json")]
        n_files = sum(len(g["files"]) for g in plan)
        size = sum(os.path.getsize(f) for g in plan for f in g["files"])
        print(f"exports {exports}: {n_files} files, {size / 1e6:,.0f} MB, {len(plan)} tables")
        for s in skipped:
            notes.append(f"bare-load leaves out {s}")
    env = dict(os.environ, POLARS_MAX_THREADS=str(THREADS))
    for name in engines:
        print(f"{name}: {shlex.join(commands[name])}")
    sys.stdout.flush()

    results: dict[str, list[tuple[float, int]]] = {e: [] for e in engines}
    for run in range(1, args.runs + 1):
        for name in engines:
            log = work / f"{name}-run{run}.log"
            if name in prepare:
                prepare[name]()
            wall, kib, rc = run_child(commands[name], log, env)
            last = log.read_text(errors="replace").strip().splitlines()
            if rc != 0:
                print(f"{name} failed (exit {rc}): {shlex.join(commands[name])}", file=sys.stderr)
                print("\n".join(last[-30:]), file=sys.stderr)
                sys.exit(2)
            results[name].append((wall, kib))
            print(f"  run {run} {name:<9} {wall:7.2f} s  {fmt_mib(kib):>10}   {last[-1] if last else ''}")
            sys.stdout.flush()

    # The three tables, row for row.
    ok = True
    counts: dict[str, int] = {}
    tables = {}
    if "xiaoneng" in engines:
        stored = dataset_files(store, "case_metrics")
        con = duckdb.connect()
        con.execute(f"COPY (SELECT * FROM read_parquet({sql_list(stored)})) TO "
                    f"{sql_str(work / 'xiaoneng.parquet')} (FORMAT parquet)")
        tables["xiaoneng"] = str(work / "xiaoneng.parquet")
    for e in ("duckdb", "polars"):
        if e in engines:
            tables[e] = str(work / f"{e}.parquet")
    if len(tables) >= 2:
        ok, lines, counts = compare(tables)
        print()
        for line in lines:
            print(line)
    elif tables:
        counts = {k: pl.read_parquet(v).height for k, v in tables.items()}

    # The table of times and memory.
    print()
    print(f"case_metrics as of {as_of}, {args.runs} interleaved runs each, "
          f"every engine a child process ({os.cpu_count()} cores, {THREADS} threads for DuckDB and polars)")
    print(f"{'engine':<10} {'best':>8} {'median':>8} {'peak, median':>13} {'peak, max':>10} {'rows':>8}")
    best, median = {}, {}
    for name in engines:
        ts = [w for w, _ in results[name]]
        peaks = [k for _, k in results[name]]
        best[name], median[name] = min(ts), statistics.median(ts)
        rows = counts.get(name, "")
        print(f"{name:<10} {best[name]:7.2f}s {median[name]:7.2f}s {fmt_mib(statistics.median(peaks)):>13} "
              f"{fmt_mib(max(peaks)):>10} {rows:>8}")
    print()
    for a, b in (("duckdb", "xiaoneng"), ("polars", "xiaoneng"), ("xiaoneng", "bare-load"),
                 ("steps", "xiaoneng"), ("compute", "xiaoneng"), ("ingest", "bare-load")):
        if a in best and b in best:
            print(f"ratio {a} / {b} = {best[a] / best[b]:.2f} on the best times "
                  f"({best[a]:.2f} s / {best[b]:.2f} s), {median[a] / median[b]:.2f} on the medians")
    # What the Python children pay before any work: the interpreter and the import.
    for module in ("duckdb", "polars"):
        if any(e in engines for e in ((module, "bare-load") if module == "duckdb" else (module,))):
            wall, kib, _ = run_child([sys.executable, "-c", f"import {module}"], work / "start.log", env)
            print(f"note: a Python child that only imports {module} takes {wall:.2f} s and "
                  f"{fmt_mib(kib)} (counted in its engine's figures above)")
    for n in notes:
        print(f"note: {n}")
    if not args.keep_work and not args.work:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
