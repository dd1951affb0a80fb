#!/usr/bin/env python3
"""DuckDB reference for `case_metrics` (month grain, window level).

Times xiaoneng's case engine (a command run as a child process), times the
same figures computed by DuckDB SQL straight over the store's Parquet files
and the working-day calendar CSV (the query is `case_metrics_sql.py`,
shared with the Spark reference), prints both times and their ratio, and
checks that DuckDB's rows equal the `case_metrics` rows xiaoneng stored
(grain month, level window), row for row. Exits 1 on a disagreement, with
the differences listed.

    python3 benches/duckdb_reference.py --home /tmp/refhome
    python3 benches/duckdb_reference.py --home /tmp/refhome --skip-xiaoneng-run

On first run it creates benches/.venv with DuckDB (pinned below) and
re-executes itself inside it.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import case_metrics_sql as cm  # noqa: E402  (stdlib only)

DUCKDB_VERSION = "2.0.0"
DEFAULT_VENV = cm.BENCHES / ".venv"


def default_xiaoneng() -> str:
    target = os.environ.get("CARGO_TARGET_DIR")
    if target:
        return str(Path(target) / "release" / "xiaoneng")
    return str(Path.home() / ".cache" / "xiaoneng-target" / "release" / "xiaoneng")


# Like for like: xiaoneng computes (and stores) month x window only, as the
# DuckDB query does. `--all-grains` times every grain and level instead.
DEFAULT_CMD = ("{xiaoneng} --home {home} compute --only cases --grain month --level window "
               "--as-of {as_of}")
ALL_GRAINS_CMD = "{xiaoneng} --home {home} compute --only cases --as-of {as_of}"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "The xiaoneng command is a template: {xiaoneng}, {home}, {store}, {as_of} and\n"
            "{month} (the as_of month, e.g. 2026-10) are filled in. With a build without\n"
            "`compute`, `metrics cases` also recomputes and stores case_metrics:\n"
            "  --xiaoneng-cmd '{xiaoneng} --home {home} metrics cases --period {month} --as-of {as_of}'"
        ),
    )
    cm.add_store_args(p)
    p.add_argument("--as-of", type=cm.parse_date,
                   help="evaluation date (default: the last date a case was accepted or completed, "
                        "as xiaoneng does; with --skip-xiaoneng-run: the last day of the stored "
                        "case_metrics, since the stored table was computed as of some earlier run's date)")
    p.add_argument("--runs", type=int, default=3, help="timed runs of each engine; the best is kept (3)")
    p.add_argument("--xiaoneng", default=default_xiaoneng(),
                   help="the xiaoneng binary (default: $CARGO_TARGET_DIR/release/xiaoneng, else "
                        "~/.cache/xiaoneng-target/release/xiaoneng)")
    p.add_argument("--xiaoneng-cmd", default=DEFAULT_CMD,
                   help=f"the command that recomputes and stores case_metrics (default: '{DEFAULT_CMD}')")
    p.add_argument("--all-grains", action="store_true",
                   help="time xiaoneng computing every grain and level (6 x 5) instead of month x window")
    p.add_argument("--skip-xiaoneng-run", action="store_true",
                   help="do not run xiaoneng: compare with the case_metrics already stored")
    p.add_argument("--threads", type=int, help="DuckDB threads (default: DuckDB's, one per core)")
    p.add_argument("--print-sql", action="store_true", help="print the SQL (views and query) and exit")
    p.add_argument("--venv", default=str(DEFAULT_VENV), help="virtual environment (default: benches/.venv)")
    p.add_argument("--no-venv", action="store_true", help="use the running Python (it must have duckdb)")
    a = p.parse_args()
    if a.runs < 1:
        p.error("--runs must be at least 1")
    return a


def sql_str(s: str | Path) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def parquet_source(dataset: Path) -> str:
    if cm.is_partitioned(dataset):
        return f"read_parquet({sql_str(dataset / 'year=*' / 'month=*' / '*.parquet')}, hive_partitioning = true)"
    return f"read_parquet({sql_str(dataset / '*.parquet')})"


def source_views(store: Path, cal: cm.CalendarSpec) -> list[str]:
    """DuckDB views over the store and the calendar, as the shared query reads them."""
    views = [
        f"""CREATE OR REPLACE TEMP VIEW cases_src AS
SELECT case_id, item_code, window_id, accepted_at, completed_at,
       promised_limit_days, legal_limit_days
FROM {parquet_source(store / 'cases')}""",
        f"""CREATE OR REPLACE TEMP VIEW items_src AS
SELECT item_code, effective_from, promised_limit_days, legal_limit_days
FROM {parquet_source(store / 'items')}""",
    ]
    if cm.has_parquet(store / "suspensions"):
        views.append(f"""CREATE OR REPLACE TEMP VIEW suspensions_src AS
SELECT case_id, kind, "start" AS s_start, "end" AS s_end
FROM {parquet_source(store / 'suspensions')}""")
    else:
        views.append("""CREATE OR REPLACE TEMP VIEW suspensions_src AS
SELECT CAST(NULL AS VARCHAR) AS case_id, CAST(NULL AS VARCHAR) AS kind,
       CAST(NULL AS DATE) AS s_start, CAST(NULL AS DATE) AS s_end
WHERE FALSE""")
    days = "\nUNION ALL\n".join(
        f"SELECT CAST(generate_series AS DATE) AS d FROM generate_series("
        f"DATE '{a}-01-01', DATE '{b}-12-31', INTERVAL 1 DAY)"
        for a, b in cm.year_ranges(cal.years)
    )
    views.append(f"""CREATE OR REPLACE TEMP VIEW cal_days AS
SELECT d, isodow(d) IN (6, 7) AS weekend
FROM ({days}) t""")
    csv_rows = f"""SELECT CAST(trim(c0) AS DATE) AS d, trim(c1) = 'true' AS workday
FROM read_csv({sql_str(cal.csv)}, header = false, skip = 1, delim = ',', quote = '',
              columns = {{'c0': 'VARCHAR', 'c1': 'VARCHAR', 'c2': 'VARCHAR'}}, null_padding = true)
WHERE trim(c1) IN ('true', 'false')"""
    ov = cal.overrides_values()
    if ov:
        views.append(f"""CREATE OR REPLACE TEMP VIEW cal_exceptions AS
SELECT d, workday FROM ({csv_rows}) o
WHERE d NOT IN (SELECT d FROM (VALUES {ov}) v(d, workday))
UNION ALL
SELECT d, workday FROM (VALUES {ov}) v(d, workday)""")
    else:
        views.append(f"CREATE OR REPLACE TEMP VIEW cal_exceptions AS\n{csv_rows}")
    return views


def default_as_of_from_cases(con) -> date:
    """xiaoneng's default: the last date on which a case was accepted or completed."""
    acc, comp = con.execute(
        "SELECT MAX(CAST(accepted_at AS DATE)), MAX(CAST(completed_at AS DATE)) FROM cases_src"
    ).fetchone()
    if acc is None:
        sys.exit("the store has no cases")
    return comp if comp is not None and comp > acc else acc


def stored_rows(con, store: Path) -> list[dict]:
    ds = store / "case_metrics"
    if not cm.has_parquet(ds):
        sys.exit(f"{ds} has no case_metrics: run xiaoneng first (or drop --skip-xiaoneng-run)")
    cur = con.execute(
        f"SELECT * FROM read_parquet({sql_str(ds / '*.parquet')}) "
        "WHERE grain = 'month' AND level = 'window' ORDER BY period, key"
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def stored_last_day(con, store: Path) -> date | None:
    ds = store / "case_metrics"
    if not cm.has_parquet(ds):
        return None
    return con.execute(
        f"SELECT MAX(period_end) FROM read_parquet({sql_str(ds / '*.parquet')}) WHERE grain = 'day'"
    ).fetchone()[0]


def run_xiaoneng(cmd: list[str], runs: int) -> list[float]:
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        dt = time.perf_counter() - t0
        if r.returncode != 0:
            print(f"xiaoneng failed (exit {r.returncode}): {shlex.join(cmd)}", file=sys.stderr)
            print((r.stderr or r.stdout).strip()[-3000:], file=sys.stderr)
            if " compute " in f" {' '.join(cmd)} ":
                print("\n(`compute` may not exist in this build yet: use --skip-xiaoneng-run, or "
                      "--xiaoneng-cmd '{xiaoneng} --home {home} metrics cases --period {month} "
                      "--as-of {as_of}')", file=sys.stderr)
            sys.exit(2)
        times.append(dt)
    return times


def fmt_times(ts: list[float]) -> str:
    return f"best of {len(ts)}: {min(ts):.3f} s (runs: {', '.join(f'{t:.3f}' for t in ts)})"


def main() -> None:
    args = parse_args()
    cm.ensure_venv(Path(args.venv), [f"duckdb=={DUCKDB_VERSION}"], args.no_venv)
    import duckdb

    home = cm.resolve_home(args.home, args.store, args.config)
    cal = cm.calendar_spec(Path(args.calendar), home.config)
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {int(args.threads)}")
    views = source_views(home.store, cal)
    for v in views:
        con.execute(v)

    # The evaluation date.
    note = "given"
    as_of = args.as_of
    if as_of is None:
        cases_default = default_as_of_from_cases(con)
        if args.skip_xiaoneng_run:
            last = stored_last_day(con, home.store)
            as_of = last or cases_default
            note = "last day of the stored case_metrics"
            if last and last != cases_default:
                note += (f"; the cases' last date is {cases_default}: the stored table was "
                         "computed as of another date (pass --as-of if this guess is wrong)")
        else:
            as_of = cases_default
            note = "last date a case was accepted or completed"
    query = cm.case_metrics_sql(as_of, "error")
    if args.print_sql:
        print(";\n\n".join(views) + ";\n\n" + query.strip() + ";")
        return

    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    print(f"store  {home.store}")
    print(f"as_of  {as_of} ({note})")

    xn_best = None
    if not args.skip_xiaoneng_run:
        fill = {"xiaoneng": args.xiaoneng, "home": str(home.home), "store": str(home.store),
                "as_of": as_of.isoformat(), "month": as_of.strftime("%Y-%m")}
        template = ALL_GRAINS_CMD if args.all_grains and args.xiaoneng_cmd == DEFAULT_CMD else args.xiaoneng_cmd
        cmd = [part.format(**fill) for part in shlex.split(template)]
        if not Path(cmd[0]).exists() and "/" in cmd[0]:
            sys.exit(f"no xiaoneng binary at {cmd[0]} (build it, or give --xiaoneng)")
        print(f"xiaoneng: {shlex.join(cmd)}")
        ts = run_xiaoneng(cmd, args.runs)
        xn_best = min(ts)
        scope = "all grains x levels" if args.all_grains else "month x window"
        print(f"  xiaoneng ({scope}, stored)   {fmt_times(ts)}")

    ts = []
    got_rows: list[dict] = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        try:
            cur = con.execute(query)
            rows = cur.fetchall()
        except duckdb.Error as e:
            sys.exit(f"duckdb: {e}")
        ts.append(time.perf_counter() - t0)
        names = [d[0] for d in cur.description]
        got_rows = [dict(zip(names, r)) for r in rows]
    dd_best = min(ts)
    print(f"  duckdb {duckdb.__version__} ({threads} threads, month x window)  {fmt_times(ts)}")
    if xn_best is not None:
        print(f"ratio duckdb / xiaoneng = {dd_best / xn_best:.2f}"
              f"  ({dd_best:.3f} s / {xn_best:.3f} s; xiaoneng "
              + ("computes every grain and level and writes them, DuckDB only month x window)"
                 if args.all_grains else "computes and writes month x window, as DuckDB computes it)"))

    expected = stored_rows(con, home.store)
    diffs = cm.compare(expected, got_rows, "xiaoneng", "duckdb")
    ok = cm.report_comparison(diffs, len(expected), len(got_rows), "xiaoneng's stored case_metrics",
                              "duckdb")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
