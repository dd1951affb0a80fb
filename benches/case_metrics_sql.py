"""`case_metrics` at month grain, window level, as one SQL text that DuckDB
and Spark SQL both run — the reference the two bench scripts check
xiaoneng's case engine against (`src/metrics/cases.rs` is the definition;
`docs/METRICS.md`, section `case_metrics`, the prose).

The shared query reads six views that each dialect defines over the store
(`source_views_duckdb` / `source_views_spark`):

    cases_src(case_id, item_code, window_id, accepted_at, completed_at,
              promised_limit_days, legal_limit_days)
    items_src(item_code, effective_from, promised_limit_days, legal_limit_days)
    suspensions_src(case_id, kind, s_start, s_end)
    cal_days(d, weekend)          every date of the calendar's covered years
    cal_exceptions(d, workday)    the calendar CSV rows (+ xiaoneng.toml days)

and the evaluation date, written into the text as a DATE literal.

Only the standard library is imported here: the scripts import this module
before they have re-executed themselves inside their virtual environment.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

BENCHES = Path(__file__).resolve().parent
REPO = BENCHES.parent
DEFAULT_CALENDAR = REPO / "data" / "calendar" / "cn_official.csv"

# Output columns, in the order of `case_metrics` (src/metrics/cases.rs COLUMNS).
KEY_COLUMNS = ["period", "key"]
DATE_COLUMNS = ["period_start", "period_end"]
INT_COLUMNS = [
    "accepted",
    "completed",
    "completed_instant",
    "completed_promised",
    "on_time",
    "early",
    "overdue_completed",
    "overdue_open",
]
FLOAT_COLUMNS = [
    "instant_rate",
    "on_time_rate",
    "early_rate",
    "promise_compression",
    "actual_speedup",
    "one_visit_rate",
    "mean_elapsed_days",
    "p90_elapsed_days",
]
COLUMNS = ["grain", "period", "period_start", "period_end", "level", "key"] + INT_COLUMNS + FLOAT_COLUMNS

# The per-period state of open cases is read on the period's last day, or on
# as_of for the period that is not over (rollup.rs `Roll::AtEnd`).
# Suspensions merged into blocks and their working days per case, as CTEs
# over `susp_clip(case_id, s, e)` and the working-day index `wd`: shared by
# the month x window query here and the whole-table query of side_by_side.py.
SUSPENSION_BLOCKS = """-- Overlapping suspensions merged (of either kind): a day counts once.
-- Rows sharing a start are one row first, so the running order is total.
susp_starts AS (
  SELECT case_id, s, MAX(e) AS e
  FROM susp_clip
  WHERE s <= e
  GROUP BY case_id, s
),
susp_prev AS (
  SELECT case_id, s, e,
         MAX(e) OVER (PARTITION BY case_id ORDER BY s
                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e
  FROM susp_starts
),
susp_blocks AS (
  SELECT case_id, s, e,
         SUM(CASE WHEN prev_e IS NULL OR s > prev_e THEN 1 ELSE 0 END)
           OVER (PARTITION BY case_id ORDER BY s
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS block
  FROM susp_prev
),
-- One row per merged block: working days in [s, e] = widx(e) - base.
blocks AS (
  SELECT b.case_id, b.s, b.e,
         ws.widx - ws.work AS base,
         we.widx - (ws.widx - ws.work) AS days
  FROM (SELECT case_id, block, MIN(s) AS s, MAX(e) AS e
        FROM susp_blocks GROUP BY case_id, block) b
  LEFT JOIN wd ws ON ws.d = b.s
  LEFT JOIN wd we ON we.d = b.e
),
susp_days AS (
  SELECT case_id, SUM(days) AS susp_days FROM blocks GROUP BY case_id
),
"""

# The check that every date lies in a year the calendar covers, as a CTE
# `checks(ok)` over `facts` and `blocks`; {raise_error} is the dialect's
# failing function.
CALENDAR_CHECKS = """-- Days the calendar cannot count are an error, as in the engine.
checks AS (
  SELECT CASE
    WHEN f.uncovered_acc > 0
      THEN {raise_error}('cases accepted on a date the working-day calendar does not cover')
    WHEN f.uncovered_comp > 0
      THEN {raise_error}('cases completed on a date the working-day calendar does not cover')
    WHEN b.uncovered > 0
      THEN {raise_error}('a suspension lies in a year the working-day calendar does not cover')
    ELSE 0 END AS ok
  FROM (SELECT SUM(CASE WHEN a IS NULL THEN 1 ELSE 0 END) AS uncovered_acc,
               SUM(CASE WHEN comp IS NOT NULL AND elapsed IS NULL THEN 1 ELSE 0 END) AS uncovered_comp
        FROM facts) f
  CROSS JOIN (SELECT SUM(CASE WHEN days IS NULL THEN 1 ELSE 0 END) AS uncovered FROM blocks) b
)"""

# The rates of `case_metrics` from the counts and sums of a row aliased {t}
# (src/metrics/schema.rs CASES), each null when its denominator is 0.
CASE_RATES = """       CASE WHEN {t}.completed > 0
            THEN CAST({t}.completed_instant AS DOUBLE) / CAST({t}.completed AS DOUBLE) END AS instant_rate,
       CASE WHEN {t}.completed_promised > 0
            THEN CAST({t}.on_time AS DOUBLE) / CAST({t}.completed_promised AS DOUBLE) END AS on_time_rate,
       CASE WHEN {t}.completed_promised > 0
            THEN CAST({t}.early AS DOUBLE) / CAST({t}.completed_promised AS DOUBLE) END AS early_rate,
       CASE WHEN {t}.sum_legal > 0
            THEN 1.0 - CAST({t}.sum_promised_with_legal AS DOUBLE) / CAST({t}.sum_legal AS DOUBLE) END
         AS promise_compression,
       CASE WHEN {t}.sum_promised > 0
            THEN 1.0 - CAST({t}.sum_elapsed_promised AS DOUBLE) / CAST({t}.sum_promised AS DOUBLE) END
         AS actual_speedup,
       CASE WHEN {t}.completed > 0
            THEN CAST({t}.one_visit AS DOUBLE) / CAST({t}.completed AS DOUBLE) END AS one_visit_rate,
       CASE WHEN {t}.completed > 0
            THEN CAST({t}.sum_elapsed AS DOUBLE) / CAST({t}.completed AS DOUBLE) END AS mean_elapsed_days,
"""


def calendar_checks(raise_error: str) -> str:
    return CALENDAR_CHECKS.format(raise_error=raise_error)


def rate_columns(alias: str) -> str:
    return CASE_RATES.format(t=alias)


CASE_METRICS_SQL = """
WITH
params AS (
  SELECT DATE '{as_of}' AS as_of
),
-- Working days: `widx` counts the working days from the calendar's first
-- covered day up to and including d; working days in (a, b] = widx(b) - widx(a).
cal AS (
  SELECT c.d,
         CASE WHEN (CASE WHEN x.workday IS NOT NULL THEN x.workday ELSE NOT c.weekend END)
              THEN 1 ELSE 0 END AS work
  FROM cal_days c
  LEFT JOIN cal_exceptions x ON x.d = c.d
),
wd AS (
  SELECT d, work,
         SUM(work) OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS widx
  FROM cal
),
-- Catalog versions: the first version of an item also covers cases
-- accepted before it (valid_from NULL); each ends where the next begins.
versions AS (
  SELECT item_code,
         promised_limit_days AS n_cat,
         legal_limit_days AS l_cat,
         LEAD(effective_from) OVER (PARTITION BY item_code
                                    ORDER BY effective_from ASC NULLS FIRST) AS valid_to,
         CASE WHEN effective_from = MIN(effective_from) OVER (PARTITION BY item_code)
              THEN NULL ELSE effective_from END AS valid_from
  FROM items_src
),
-- Cases accepted by as_of; a completion after as_of counts as open.
c0 AS (
  SELECT case_id, item_code, window_id,
         CAST(accepted_at AS DATE) AS acc,
         CASE WHEN CAST(completed_at AS DATE) <= p.as_of
              THEN CAST(completed_at AS DATE) END AS comp,
         promised_limit_days AS n_case,
         legal_limit_days AS l_case,
         p.as_of
  FROM cases_src
  CROSS JOIN params p
  WHERE CAST(accepted_at AS DATE) <= p.as_of
),
-- The case's own limits win; an empty one takes the catalog version in force.
facts0 AS (
  SELECT c.case_id, c.window_id, c.acc, c.comp,
         COALESCE(c.n_case, v.n_cat) AS n,
         COALESCE(c.l_case, v.l_cat) AS l,
         COALESCE(c.comp, c.as_of) AS end_ref
  FROM c0 c
  LEFT JOIN versions v ON v.item_code = c.item_code
  WHERE (v.valid_from IS NULL OR v.valid_from <= c.acc)
    AND (v.valid_to IS NULL OR c.acc < v.valid_to)
),
-- Suspensions clipped to (acceptance, completion or as_of]; one without an
-- end runs to completion (or as_of).
susp_clip AS (
  SELECT s.case_id,
         CASE WHEN s.s_start > f.acc + 1 THEN s.s_start ELSE f.acc + 1 END AS s,
         CASE WHEN COALESCE(s.s_end, f.end_ref) < f.end_ref
              THEN COALESCE(s.s_end, f.end_ref) ELSE f.end_ref END AS e
  FROM suspensions_src s
  JOIN facts0 f ON f.case_id = s.case_id
),
{suspension_blocks}-- A 补正 anywhere (clipped or not) makes the case not one-visit.
supplement AS (
  SELECT DISTINCT case_id FROM suspensions_src WHERE kind = '补正'
),
facts AS (
  SELECT f.case_id, f.window_id, f.acc, f.comp, f.n, f.l,
         a.widx AS a,
         c.widx - a.widx - COALESCE(sd.susp_days, 0) AS elapsed,
         CASE WHEN sp.case_id IS NULL THEN 1 ELSE 0 END AS one_visit
  FROM facts0 f
  LEFT JOIN susp_days sd ON sd.case_id = f.case_id
  LEFT JOIN supplement sp ON sp.case_id = f.case_id
  LEFT JOIN wd a ON a.d = f.acc
  LEFT JOIN wd c ON c.d = f.comp
),
accepted_m AS (
  SELECT ms, key, COUNT(*) AS accepted
  FROM (SELECT make_date(year(acc), month(acc), 1) AS ms, window_id AS key
        FROM facts WHERE window_id IS NOT NULL) t
  GROUP BY ms, key
),
completed_m AS (
  SELECT ms, key,
         COUNT(*) AS completed,
         SUM(CASE WHEN n = 0 THEN 1 ELSE 0 END) AS completed_instant,
         SUM(CASE WHEN n >= 1 THEN 1 ELSE 0 END) AS completed_promised,
         SUM(CASE WHEN n >= 1 AND elapsed <= n THEN 1 ELSE 0 END) AS on_time,
         SUM(CASE WHEN n >= 1 AND elapsed < n THEN 1 ELSE 0 END) AS early,
         SUM(CASE WHEN elapsed > n THEN 1 ELSE 0 END) AS overdue_completed,
         SUM(one_visit) AS one_visit,
         SUM(CASE WHEN n >= 1 THEN n ELSE 0 END) AS sum_promised,
         SUM(CASE WHEN n >= 1 THEN elapsed ELSE 0 END) AS sum_elapsed_promised,
         SUM(CASE WHEN n >= 1 AND l IS NOT NULL THEN n ELSE 0 END) AS sum_promised_with_legal,
         SUM(CASE WHEN n >= 1 AND l IS NOT NULL THEN l ELSE 0 END) AS sum_legal,
         SUM(elapsed) AS sum_elapsed,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY elapsed) AS p90
  FROM (SELECT make_date(year(comp), month(comp), 1) AS ms, window_id AS key,
               n, l, elapsed, one_visit
        FROM facts WHERE comp IS NOT NULL AND window_id IS NOT NULL) t
  GROUP BY ms, key
),
-- Open and past the extended deadline at the end of each month's state day
-- sd = min(month end, as_of): accepted before sd, not completed by sd, and
-- widx(sd) - widx(acc) > n + working days suspended up to sd (late once a
-- working day after the deadline has begun).
months AS (
  SELECT ms, CASE WHEN last_day(ms) < p.as_of THEN last_day(ms) ELSE p.as_of END AS sd
  FROM (SELECT DISTINCT make_date(year(d), month(d), 1) AS ms
        FROM cal_days CROSS JOIN params p
        WHERE d <= p.as_of AND d >= (SELECT MIN(acc) FROM c0)) m
  CROSS JOIN params p
),
open_at AS (
  SELECT m.ms, m.sd, f.case_id, f.window_id, f.n, f.a
  FROM facts f
  JOIN months m ON f.acc < m.sd AND (f.comp IS NULL OR m.sd < f.comp)
  WHERE f.n IS NOT NULL AND f.window_id IS NOT NULL
),
susp_at AS (
  SELECT o.ms, o.case_id, SUM(x.widx - b.base) AS susp
  FROM open_at o
  JOIN blocks b ON b.case_id = o.case_id AND b.s <= o.sd
  JOIN wd x ON x.d = (CASE WHEN b.e < o.sd THEN b.e ELSE o.sd END)
  GROUP BY o.ms, o.case_id
),
overdue_m AS (
  SELECT o.ms, o.window_id AS key, COUNT(*) AS overdue_open
  FROM open_at o
  LEFT JOIN susp_at sa ON sa.ms = o.ms AND sa.case_id = o.case_id
  JOIN wd p ON p.d = o.sd
  WHERE p.widx - o.a > o.n + COALESCE(sa.susp, 0)
  GROUP BY o.ms, o.window_id
),
{checks},
row_keys AS (
  SELECT ms, key FROM accepted_m
  UNION SELECT ms, key FROM completed_m
  UNION SELECT ms, key FROM overdue_m
)
SELECT 'month' AS grain,
       printf('%04d-%02d', year(k.ms), month(k.ms)) AS period,
       k.ms AS period_start,
       last_day(k.ms) AS period_end,
       'window' AS level,
       k.key AS key,
       COALESCE(a.accepted, 0) AS accepted,
       COALESCE(c.completed, 0) AS completed,
       COALESCE(c.completed_instant, 0) AS completed_instant,
       COALESCE(c.completed_promised, 0) AS completed_promised,
       COALESCE(c.on_time, 0) AS on_time,
       COALESCE(c.early, 0) AS early,
       COALESCE(c.overdue_completed, 0) AS overdue_completed,
       COALESCE(o.overdue_open, 0) AS overdue_open,
{rates}       CAST(c.p90 AS DOUBLE) AS p90_elapsed_days
FROM row_keys k
CROSS JOIN checks ck
LEFT JOIN accepted_m a ON a.ms = k.ms AND a.key = k.key
LEFT JOIN completed_m c ON c.ms = k.ms AND c.key = k.key
LEFT JOIN overdue_m o ON o.ms = k.ms AND o.key = k.key
WHERE ck.ok = 0
ORDER BY period, key
"""


def case_metrics_sql(as_of: date, raise_error: str) -> str:
    """The shared query for one evaluation date; `raise_error` is the
    dialect's failing function (DuckDB `error`, Spark `raise_error`)."""
    return CASE_METRICS_SQL.format(as_of=as_of.isoformat(), raise_error=raise_error,
                                   suspension_blocks=SUSPENSION_BLOCKS,
                                   checks=calendar_checks(raise_error), rates=rate_columns("c"))


# ---------------------------------------------------------------- the calendar


@dataclass
class CalendarSpec:
    """The working-day calendar as xiaoneng builds it: the official CSV
    (its years are the covered years) plus `[calendar]` of xiaoneng.toml
    (`add_years`, and `days` overriding single dates)."""

    csv: Path
    years: list[int]
    overrides: list[tuple[date, bool]]

    def overrides_values(self) -> str | None:
        """The overrides as a SQL VALUES list, or None."""
        if not self.overrides:
            return None
        rows = ", ".join(
            f"(DATE '{d.isoformat()}', {'TRUE' if w else 'FALSE'})" for d, w in self.overrides
        )
        return rows


def calendar_spec(csv: Path, config: dict) -> CalendarSpec:
    years = set()
    with open(csv, encoding="utf-8-sig") as f:
        header = f.readline().strip()
        if header != "date,workday,name":
            sys.exit(f"{csv}: expected the header `date,workday,name`, found `{header}`")
        for line in f:
            if line.strip():
                years.add(int(line[:4]))
    if not years:
        sys.exit(f"{csv}: no calendar rows")
    # The embedded official data covers every year from its first to its last.
    covered = set(range(min(years), max(years) + 1))
    cal = config.get("calendar", {})
    covered.update(int(y) for y in cal.get("add_years", []))
    overrides = []
    for d in cal.get("days", []):
        day = d["date"] if isinstance(d["date"], date) else date.fromisoformat(str(d["date"]))
        overrides.append((day, bool(d["workday"])))
    return CalendarSpec(csv=csv, years=sorted(covered), overrides=overrides)


def year_ranges(years: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of years, as (first, last)."""
    runs: list[tuple[int, int]] = []
    for y in years:
        if runs and runs[-1][1] == y - 1:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return runs


# ---------------------------------------------------------------- the home folder


@dataclass
class Home:
    home: Path
    store: Path
    config: dict


def add_store_args(p) -> None:
    """The arguments that locate a store and its calendar, shared by the
    DuckDB and Spark references."""
    p.add_argument("--home", required=True, help="the center's folder (its store is HOME/data/store)")
    p.add_argument("--store", help="the store folder (default: HOME/data/store, or [paths] store)")
    p.add_argument("--config", help="configuration file (default: HOME/xiaoneng.toml, if present)")
    p.add_argument("--calendar", default=str(DEFAULT_CALENDAR),
                   help="the official calendar CSV (default: data/calendar/cn_official.csv)")


def resolve_home(home: str, store: str | None, config: str | None) -> Home:
    home_p = Path(home).resolve()
    cfg_path = Path(config) if config else home_p / "xiaoneng.toml"
    cfg: dict = {}
    if cfg_path.exists():
        try:
            import tomllib  # Python 3.11+
        except ImportError:
            sys.exit(f"{cfg_path} needs Python 3.11 or later to be read (tomllib); "
                     "run the script with a newer python3")
        with open(cfg_path, "rb") as f:
            cfg = tomllib.load(f)
    elif config:
        sys.exit(f"no configuration file {cfg_path}")
    if store:
        store_p = Path(store).resolve()
    else:
        store_p = home_p / Path(cfg.get("paths", {}).get("store", "data/store"))
    if not (store_p / "cases").is_dir():
        sys.exit(f"{store_p} has no cases dataset: is --home (or --store) the center's folder?")
    return Home(home=home_p, store=store_p, config=cfg)


def has_parquet(dataset: Path) -> bool:
    """Whether a dataset folder holds Parquet files (as the store lists them:
    names starting with `_` or `.` skipped)."""
    if not dataset.is_dir():
        return False
    for root, dirs, files in os.walk(dataset):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        if any(f.endswith(".parquet") and not f.startswith(("_", ".")) for f in files):
            return True
    return False


def is_partitioned(dataset: Path) -> bool:
    return any(p.name.startswith("year=") for p in dataset.iterdir()) if dataset.is_dir() else False


# ---------------------------------------------------------------- virtual environments


def ensure_venv(venv: Path, requirements: list[str], no_venv: bool) -> None:
    """Re-execute the running script inside `venv` (created, with
    `requirements` installed, on first use). Returns only when already in it
    (or with --no-venv)."""
    if no_venv:
        return
    venv = venv.resolve()
    if Path(sys.prefix).resolve() == venv:
        return
    python = venv / "bin" / "python"
    stamp = venv / ".xiaoneng-requirements"
    wanted = "\n".join(requirements) + "\n"
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        print(f"setting up {venv} ({', '.join(requirements)}) ...", file=sys.stderr, flush=True)
        r = subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)])
        if r.returncode != 0:
            sys.exit(
                f"cannot create the virtual environment {venv}; on Debian/Ubuntu install "
                "python3-venv (apt-get install -y python3-venv) and run again"
            )
        r = subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", *requirements]
        )
        if r.returncode != 0:
            sys.exit(f"pip could not install {' '.join(requirements)} into {venv}")
        stamp.write_text(wanted)
    os.execv(str(python), [str(python), os.path.abspath(sys.argv[0]), *sys.argv[1:]])


# ---------------------------------------------------------------- comparison


def _float_equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return False  # the engine never stores NaN: a NaN is a bug on either side
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def compare(expected: list[dict], got: list[dict], expected_name: str, got_name: str,
            limit: int = 40) -> list[str]:
    """Row-for-row comparison on (period, key): the same keys, integer and
    date columns equal, float columns within 1e-9 relative, nulls equal.
    Returns the differences (empty when they agree)."""
    def index(rows, name):
        out = {}
        dups = []
        for r in rows:
            k = (r["period"], r["key"])
            if k in out:
                dups.append(f"{name}: duplicate row for period {k[0]} window {k[1]}")
            out[k] = r
        return out, dups

    exp, d1 = index(expected, expected_name)
    gotd, d2 = index(got, got_name)
    diffs = d1 + d2
    for k in sorted(exp.keys() - gotd.keys(), key=str):
        diffs.append(f"period {k[0]} window {k[1]}: only in {expected_name}: {_brief(exp[k])}")
    for k in sorted(gotd.keys() - exp.keys(), key=str):
        diffs.append(f"period {k[0]} window {k[1]}: only in {got_name}: {_brief(gotd[k])}")
    for k in sorted(exp.keys() & gotd.keys(), key=str):
        e, g = exp[k], gotd[k]
        for c in DATE_COLUMNS:
            if _as_date(e[c]) != _as_date(g[c]):
                diffs.append(f"period {k[0]} window {k[1]}: {c} {expected_name}={e[c]} {got_name}={g[c]}")
        for c in INT_COLUMNS:
            ev, gv = e[c], g[c]
            if (None if ev is None else int(ev)) != (None if gv is None else int(gv)):
                diffs.append(f"period {k[0]} window {k[1]}: {c} {expected_name}={ev} {got_name}={gv}")
        for c in FLOAT_COLUMNS:
            ev = None if e[c] is None else float(e[c])
            gv = None if g[c] is None else float(g[c])
            if not _float_equal(ev, gv):
                diffs.append(f"period {k[0]} window {k[1]}: {c} {expected_name}={ev!r} {got_name}={gv!r}")
    return diffs


def _as_date(v):
    if v is None:
        return None
    if isinstance(v, date):
        return v if type(v) is date else v.date()
    return date.fromisoformat(str(v)[:10])


def _brief(r: dict) -> str:
    return ", ".join(f"{c}={r[c]}" for c in INT_COLUMNS)


def report_comparison(diffs: list[str], n_expected: int, n_got: int, expected_name: str,
                      got_name: str, limit: int = 60) -> bool:
    if not diffs:
        print(f"agreement: {n_got} rows (month x window) of {got_name} equal {expected_name} "
              f"row for row (integers exact, floats within 1e-9 relative, nulls equal)")
        return True
    sys.stdout.flush()
    print(f"DISAGREEMENT: {len(diffs)} differences between {expected_name} ({n_expected} rows) "
          f"and {got_name} ({n_got} rows):", file=sys.stderr)
    for d in diffs[:limit]:
        print("  " + d, file=sys.stderr)
    if len(diffs) > limit:
        print(f"  ... and {len(diffs) - limit} more", file=sys.stderr)
    return False


def parse_date(s: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        raise ValueError(f"expected YYYY-MM-DD, got {s!r}")
    return date.fromisoformat(s)
