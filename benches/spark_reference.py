#!/usr/bin/env python3
"""Apache Spark reference for `case_metrics` (month grain, window level).

Runs the shared case-metrics SQL (`case_metrics_sql.py`, the same text the
DuckDB reference runs) as Spark SQL in local mode (`local[2]`) straight over
the store's hive-partitioned Parquet and the working-day calendar CSV — the
SQL a province would submit to its cluster — times it, and checks that its
rows equal the `case_metrics` rows xiaoneng stored (grain month, level
window), row for row. Exits 1 on a disagreement, with the differences listed.

    python3 benches/spark_reference.py --home /tmp/refhome

On first run it creates benches/.venv-spark with PySpark (pinned below) and
re-executes itself inside it; without `java` on the PATH (or JAVA_HOME) it
installs Debian's openjdk-17-jre-headless with apt-get.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import case_metrics_sql as cm  # noqa: E402  (stdlib only)

# Spark 4.0 runs on Java 17 and 21 (and needs at least 17).
PYSPARK_VERSION = "4.0.5"
JAVA_PACKAGE = "openjdk-17-jre-headless"
DEFAULT_VENV = cm.BENCHES / ".venv-spark"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cm.add_store_args(p)
    p.add_argument("--center", help="one center of a province store (its datasets are <table>/center=CENTER/)")
    p.add_argument("--as-of", type=cm.parse_date,
                   help="evaluation date the stored case_metrics was computed as of (default: the "
                        "last day of the stored table's day grain, else the last date a case was "
                        "accepted or completed)")
    p.add_argument("--runs", type=int, default=3, help="timed runs of the query; the best is kept (3)")
    p.add_argument("--master", default="local[2]", help="Spark master (local[2])")
    p.add_argument("--driver-memory", default="2g", help="spark.driver.memory (2g)")
    p.add_argument("--shuffle-partitions", type=int,
                   help="spark.sql.shuffle.partitions (default: Spark's, 200, coalesced by AQE)")
    p.add_argument("--print-sql", action="store_true",
                   help="print the Spark SQL (views and query) and exit, without starting Spark")
    p.add_argument("--venv", default=str(DEFAULT_VENV), help="virtual environment (default: benches/.venv-spark)")
    p.add_argument("--no-venv", action="store_true", help="use the running Python (it must have pyspark)")
    a = p.parse_args()
    if a.runs < 1:
        p.error("--runs must be at least 1")
    return a


# ---------------------------------------------------------------- Java


def java_binary() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def java_major(java: str) -> int | None:
    r = subprocess.run([java, "-version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    m = re.search(r'version "(\d+)(?:\.(\d+))?', r.stdout)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 and m.group(2) else major


def ensure_java() -> str:
    java = java_binary()
    if java is None:
        print(f"no java found: installing {JAVA_PACKAGE} with apt-get ...", file=sys.stderr, flush=True)
        sudo = [] if os.geteuid() == 0 else (["sudo"] if shutil.which("sudo") else None)
        if sudo is None or not shutil.which("apt-get"):
            sys.exit(f"Spark needs Java 17 or 21: install it (Debian/Ubuntu: apt-get install -y "
                     f"{JAVA_PACKAGE}) or set JAVA_HOME, and run again")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", JAVA_PACKAGE]):
            if subprocess.run(sudo + cmd, env=env).returncode != 0:
                sys.exit(f"`{' '.join(sudo + cmd)}` failed: install Java 17 yourself and run again")
        java = java_binary()
        if java is None:
            sys.exit(f"{JAVA_PACKAGE} is installed but `java` is not on the PATH: set JAVA_HOME")
    major = java_major(java)
    if major is None or major < 17:
        sys.exit(f"{java} is Java {major}: PySpark {PYSPARK_VERSION} needs Java 17 or 21 "
                 f"(Debian: apt-get install -y {JAVA_PACKAGE}; then set JAVA_HOME)")
    if not os.environ.get("JAVA_HOME"):
        os.environ["JAVA_HOME"] = str(Path(os.path.realpath(java)).parent.parent)
    return f"{java} (Java {major})"


# ---------------------------------------------------------------- SQL


def sql_str(s: str | Path) -> str:
    return "'" + str(s).replace("\\", "\\\\").replace("'", "\\'") + "'"


def source_views(dataset, cal: cm.CalendarSpec) -> list[str]:
    """Spark views over the store and the calendar, as the shared query reads
    them. A dataset folder (`dataset(name)`) is read with partition discovery
    (year=, month=)."""
    views = [
        f"""CREATE OR REPLACE TEMPORARY VIEW cases_raw
USING parquet OPTIONS (path {sql_str(dataset('cases'))})""",
        """CREATE OR REPLACE TEMPORARY VIEW cases_src AS
SELECT case_id, item_code, window_id, accepted_at, completed_at,
       promised_limit_days, legal_limit_days
FROM cases_raw""",
        f"""CREATE OR REPLACE TEMPORARY VIEW items_raw
USING parquet OPTIONS (path {sql_str(dataset('items'))})""",
        """CREATE OR REPLACE TEMPORARY VIEW items_src AS
SELECT item_code, effective_from, promised_limit_days, legal_limit_days
FROM items_raw""",
    ]
    if cm.has_parquet(dataset("suspensions")):
        views += [
            f"""CREATE OR REPLACE TEMPORARY VIEW suspensions_raw
USING parquet OPTIONS (path {sql_str(dataset('suspensions'))})""",
            """CREATE OR REPLACE TEMPORARY VIEW suspensions_src AS
SELECT case_id, kind, `start` AS s_start, `end` AS s_end
FROM suspensions_raw""",
        ]
    else:
        views.append("""CREATE OR REPLACE TEMPORARY VIEW suspensions_src AS
SELECT CAST(NULL AS STRING) AS case_id, CAST(NULL AS STRING) AS kind,
       CAST(NULL AS DATE) AS s_start, CAST(NULL AS DATE) AS s_end
WHERE FALSE""")
    days = "\nUNION ALL\n".join(
        f"SELECT explode(sequence(DATE '{a}-01-01', DATE '{b}-12-31', INTERVAL 1 DAY)) AS d"
        for a, b in cm.year_ranges(cal.years)
    )
    views.append(f"""CREATE OR REPLACE TEMPORARY VIEW cal_days AS
SELECT d, dayofweek(d) IN (1, 7) AS weekend
FROM ({days}) t""")
    views.append(f"""CREATE OR REPLACE TEMPORARY VIEW cal_csv
USING csv OPTIONS (path {sql_str(cal.csv)}, header 'false', encoding 'UTF-8')""")
    csv_rows = """SELECT CAST(trim(_c0) AS DATE) AS d, trim(_c1) = 'true' AS workday
FROM cal_csv
WHERE trim(_c1) IN ('true', 'false')"""
    ov = cal.overrides_values()
    if ov:
        views.append(f"""CREATE OR REPLACE TEMPORARY VIEW cal_exceptions AS
SELECT d, workday FROM ({csv_rows}) o
WHERE d NOT IN (SELECT d FROM VALUES {ov} AS v(d, workday))
UNION ALL
SELECT d, workday FROM VALUES {ov} AS v(d, workday)""")
    else:
        views.append(f"CREATE OR REPLACE TEMPORARY VIEW cal_exceptions AS\n{csv_rows}")
    return views


def rows_of(df) -> list[dict]:
    return [r.asDict() for r in df.collect()]


def main() -> None:
    args = parse_args()
    home = cm.resolve_home(args.home, args.store, args.config)
    cal = cm.calendar_spec(Path(args.calendar), home.config)
    # One center of a province store: its part of every dataset.
    def dataset(name: str) -> Path:
        d = home.store / name
        return d / f"center={args.center}" if args.center else d

    if args.center and not cm.has_parquet(dataset("cases")):
        sys.exit(f"{dataset('cases')} has no cases: is {args.center} a center of this store?")
    views = source_views(dataset, cal)
    if args.print_sql:
        as_of = args.as_of or date(2026, 10, 31)
        print("-- the evaluation date is written into the query as a DATE literal; here "
              f"{as_of}\n" + ";\n\n".join(views) + ";\n\n"
              + cm.case_metrics_sql(as_of, "raise_error").strip() + ";")
        return
    if not cm.has_parquet(dataset("case_metrics")):
        sys.exit(f"{dataset('case_metrics')} has no case_metrics to compare with: run xiaoneng first")

    java = ensure_java()
    cm.ensure_venv(Path(args.venv), [f"pyspark=={PYSPARK_VERSION}"], args.no_venv)
    from pyspark.sql import SparkSession
    import pyspark

    t0 = time.perf_counter()
    builder = (
        SparkSession.builder.master(args.master)
        .appName("xiaoneng case_metrics reference")
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # Working-day arithmetic is on dates; the store's timestamps are local
        # times without a zone, so no zone may shift them.
        .config("spark.sql.session.timeZone", "UTC")
    )
    if args.shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(args.shuffle_partitions))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - t0
    for v in views:
        spark.sql(v)

    stored = spark.read.parquet(str(dataset("case_metrics")))
    note = "given"
    as_of = args.as_of
    if as_of is None:
        last = stored.where("grain = 'day'").selectExpr("MAX(period_end) AS d").collect()[0]["d"]
        acc, comp = spark.sql(
            "SELECT MAX(CAST(accepted_at AS DATE)), MAX(CAST(completed_at AS DATE)) FROM cases_src"
        ).collect()[0]
        cases_default = comp if comp is not None and comp > acc else acc
        as_of = last or cases_default
        note = "last day of the stored case_metrics"
        if last and last != cases_default:
            note += (f"; the cases' last date is {cases_default}: the stored table was computed "
                     "as of another date (pass --as-of if this guess is wrong)")

    print(f"store  {home.store}" + (f", center {args.center}" if args.center else ""))
    print(f"as_of  {as_of} ({note})")
    print(f"spark  pyspark {pyspark.__version__}, {args.master}, {java}; session start {startup:.1f} s")

    query = cm.case_metrics_sql(as_of, "raise_error")
    ts = []
    got: list[dict] = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        got = rows_of(spark.sql(query))
        ts.append(time.perf_counter() - t0)
    print(f"  spark SQL (month x window)  best of {len(ts)}: {min(ts):.3f} s "
          f"(runs: {', '.join(f'{t:.3f}' for t in ts)})")

    expected = rows_of(stored.where("grain = 'month' AND level = 'window'"))
    spark.stop()
    diffs = cm.compare(expected, got, "xiaoneng", "spark")
    ok = cm.report_comparison(diffs, len(expected), len(got), "xiaoneng's stored case_metrics", "spark")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
