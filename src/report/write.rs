//! Reports written to files: `<reports>/<label>/<name>.md`, its HTML with
//! the charts and the embedded font, its PNG charts, one CSV per table
//! and the workbook `<name>.xlsx`.
//! The reports read their metric tables through a
//! [`Reading`](crate::engine::Reading): stored when current, computed in
//! memory otherwise; writing a report never changes the store.

use crate::calendar::Calendar;
use crate::config::Settings;
use crate::engine::cards::{alerts_of, CardRun};
use crate::engine::catalog::latest_catalog_round;
use crate::engine::Reading;
use crate::metrics::period::Period;
use crate::metrics::schema::*;
use crate::store::Store;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;

/// The attendance publication of a week or month (周公示 / monthly sheet)
/// from staff-days computed as of `as_of`, written as CSV to
/// `<reports>/<period>/attendance.csv`.
pub fn attendance_publication(
    store: &Store,
    settings: &Settings,
    period: &Period,
    days: &DataFrame,
    as_of: NaiveDate,
) -> Result<(DataFrame, std::path::PathBuf)> {
    let staff = store
        .read("staff")?
        .context("the store has no staff roster yet")?;
    let end = crate::metrics::state_day(period.end, as_of);
    let table = crate::metrics::attendance::publication(days, &staff, period.start, end)?;
    // The files people read carry the windows' names beside their codes.
    let named = crate::engine::names::Names::load(store)?.attach_windows(table.clone())?;
    let md = format!(
        "# {} 考勤公示\n\n统计期间 {} 至 {end}。\n\n{}",
        period.label,
        period.start,
        crate::view::attendance_markdown(&named)?
    );
    let tables = [("attendance", named)];
    let (path, _) = write_report(settings, &period.label, "attendance", &md, &tables, &[])?;
    Ok((table, path.with_file_name("attendance.csv")))
}

/// The rows of a rolled-up metric table a bulletin of `period` shows:
/// every grain but the day, and the days of `period` and of the same
/// period a year earlier (the daily volume chart).
fn shown_rows(period: &Period) -> Expr {
    let days_of = |p: &Period| {
        col("period_start")
            .gt_eq(crate::polars_ext::date_lit(p.start))
            .and(col("period_start").lt_eq(crate::polars_ext::date_lit(p.end)))
    };
    let earlier = crate::metrics::period::year_earlier(period);
    col("grain")
        .neq(lit("day"))
        .or(days_of(period))
        .or(days_of(&earlier))
}

/// Write the bulletin of `period` (a month: 月通报; a quarter: 季度评议; a
/// year: 年度考核) under `<reports>/<period>/`: `bulletin.md`, its HTML and
/// one CSV per table, from the metric tables of `tables` and dated as of
/// their date (a bulletin reads them as of its period's last day: a closed
/// period's rates still move after it ends).
pub fn bulletin(
    tables: &mut Reading,
    settings: &Settings,
    period: &Period,
    center: &str,
) -> Result<(std::path::PathBuf, String)> {
    let as_of = tables.as_of.date;
    // Of the rolled-up tables, the rows a bulletin can show; of their day
    // rows (three quarters of them) the days of the period and of the same
    // period a year earlier only: the rest are never held.
    let shown = shown_rows(period);
    let case_metrics = tables.need_table_where(CASE_METRICS, shown.clone())?;
    let ratings = tables.table_where(RATING_METRICS, shown.clone())?;
    let queue = tables.table_where(QUEUE_METRICS, shown.clone())?;
    let queue_hours = tables.table(QUEUE_HOURS)?;
    let attendance = tables.table(ATTENDANCE_DAYS)?;
    let zeros = tables.need_table_where(THREE_ZEROS, shown.clone())?;
    let names = crate::engine::names::Names::load(tables.run().store())?;
    let (window_scores, staff_scores) = (
        names.attach(tables.need_table(WINDOW_SCORES)?)?,
        names.attach(tables.need_table(STAFF_SCORES)?)?,
    );
    // The card history from the facts as of the bulletin's date, beside
    // what the runs recorded: true for any period of stored data.
    // (The same history the notices are followed on: found once.)
    let history = tables.run().card_history()?;
    let cards = Some(crate::metrics::cards::history_frame(&history)?);
    let supervision = tables.table_where(SUPERVISION_METRICS, shown.clone())?;
    let complaint_metrics = tables.table_where(COMPLAINT_METRICS, shown.clone())?;
    let rating_loop = tables.table_where(RATING_LOOP, shown.clone())?;
    let complaint_cards = match tables.run().has("complaints")? {
        true => Some(crate::metrics::complaints::complaint_card_history_frame(
            &crate::metrics::complaints::complaint_card_history(&tables.run().complaints()?, as_of),
        )?),
        false => None,
    };
    let notices = tables.run().notices()?;
    let service_metrics = tables.table_where(SERVICE_METRICS, shown.clone())?;
    let service_channels = tables.table_where(SERVICE_CHANNELS, shown.clone())?;
    let refusals = tables.run().refusals_between(period.start, period.end)?;
    let store = tables.run().store();
    let refusals = refusals.map(|r| names.attach_always(r)).transpose()?;
    let windows = store.read("windows")?;
    let notices = names.attach_always(crate::metrics::supervision::notices_frame(&notices)?)?;
    let staff = store.read("staff")?;
    let (step_metrics, staff_review) = (
        tables.table_where(STEP_METRICS, shown)?,
        tables
            .table(STAFF_REVIEW)?
            .map(|r| names.attach(r))
            .transpose()?,
    );
    let items = store.read("items")?;
    let latest = match &items {
        Some(items) => latest_catalog_round(items)?,
        None => None,
    };
    let round = latest
        .as_ref()
        .map(|r| format!("{} → {}: {}", r.before, r.after, r.totals.sentence()));
    let catalog_items = latest.map(|r| r.per_item);
    // The ratings an appeal excluded, of the period's months; whether the
    // loop's call-backs and feedback are recorded at all, of every month
    // (their two columns).
    let excluded = match store.read_months(
        "ratings",
        Some(&crate::metrics::rating_loop::LOOP_COLUMNS),
        period.start,
        period.end,
    )? {
        Some(r) => Some(
            names.attach_always(crate::metrics::rating_loop::excluded_between(
                &r,
                period.start,
                period.end,
            )?)?,
        ),
        None => None,
    };
    let loop_recorded = store
        .read_columns(
            "ratings",
            Some(&crate::report::bulletin::LoopRecorded::COLUMNS),
        )?
        .map(|r| crate::report::bulletin::LoopRecorded::of(&r))
        .unwrap_or_default();
    // The waits of the period's tickets: two columns of its months.
    let waits = match store.read_months(
        "tickets",
        Some(&["issued_at", "called_at"]),
        period.start,
        period.end,
    )? {
        Some(t) => Some(crate::metrics::queue::waits_between(
            &t,
            period.start,
            period.end,
        )?),
        None => None,
    };
    let assessed = match tables.table(ASSESSMENT_SCORES)? {
        Some(a) => {
            let at = |level: &str| -> Result<DataFrame> {
                names.subjects(
                    crate::metrics::assessment::assessed_at(&a, period, level)?,
                    level,
                )
            };
            Some(crate::report::bulletin::Assessed::new(
                &settings.assessment,
                at("window")?,
                at("staff")?,
                at("department")?,
            ))
        }
        None => None,
    };
    let red_flags = match period.grain {
        crate::metrics::period::Grain::Year => Some(names.attach_always(
            crate::report::bulletin::red_flag_counts(&window_scores, period)?,
        )?),
        _ => None,
    };
    let inputs = crate::report::bulletin::BulletinInputs {
        case_metrics: &case_metrics,
        rating_metrics: ratings.as_ref(),
        queue_metrics: queue.as_ref(),
        queue_hours: queue_hours.as_ref(),
        queue_rules: &settings.queue,
        attendance_days: attendance.as_ref(),
        staff: staff.as_ref(),
        three_zeros: &zeros,
        window_scores: &window_scores,
        staff_scores: &staff_scores,
        cards: cards.as_ref(),
        complaint_cards: complaint_cards.as_ref(),
        supervision_metrics: supervision.as_ref(),
        notices: Some(&notices),
        complaint_metrics: complaint_metrics.as_ref(),
        service_metrics: service_metrics.as_ref(),
        service_channels: service_channels.as_ref(),
        refusals: refusals.as_ref(),
        windows: windows.as_ref(),
        rating_loop: rating_loop.as_ref(),
        excluded_ratings: excluded.as_ref(),
        loop_recorded,
        catalog_round: round,
        catalog_items: catalog_items.as_ref(),
        step_metrics: step_metrics.as_ref(),
        staff_review: staff_review.as_ref(),
        items: items.as_ref(),
        waits_min: waits.as_deref(),
        targets: &settings.targets,
        attendance_rules: &settings.attendance,
        assessed: assessed.as_ref(),
        red_flags: red_flags.as_ref(),
        names: &names,
        notes: provisional_notes(&settings.calendar, period, &history),
    };
    let bulletin = crate::report::bulletin::monthly_bulletin(center, period, as_of, &inputs)?;
    // A year's bulletin is the annual review (`report annual`).
    let name = match period.grain {
        crate::metrics::period::Grain::Year => "annual",
        _ => "bulletin",
    };
    write_report(
        settings,
        &period.label,
        name,
        &bulletin.markdown,
        &bulletin.tables,
        &bulletin.charts,
    )
}

/// The provisional-calendar line of a bulletin: when the period reaches the
/// provisional year, or a card raised in it has a provisional deadline.
/// (The card history as found, not its frame read back: a city year's
/// 400 000 cards.)
fn provisional_notes(
    cal: &Calendar,
    period: &Period,
    history: &[crate::metrics::cards::CardRecord],
) -> Vec<String> {
    let Some(year) = cal.provisional_year() else {
        return Vec::new();
    };
    let provisional = chrono::Datelike::year(&period.end) >= year
        || history.iter().any(|c| {
            c.deadline_provisional && c.raised_on >= period.start && c.raised_on <= period.end
        });
    if provisional {
        vec![crate::calendar_lists::provisional_note(year)]
    } else {
        Vec::new()
    }
}

/// Write the daily report of `day` under `<reports>/<day>/`: `daily.md`,
/// its HTML and its tables as CSV, from the metric tables of `tables`
/// (read as of `day`'s end) and the cards of the day.
pub fn daily(
    tables: &mut Reading,
    settings: &Settings,
    day: &Period,
    center: &str,
    cards: &CardRun,
    notes: &[String],
) -> Result<(std::path::PathBuf, String)> {
    let as_of = tables.as_of.date;
    anyhow::ensure!(
        as_of == day.end,
        "the daily report of {} read as of {as_of}",
        day.label
    );
    let store = tables.run().store();
    let names = crate::engine::names::Names::load(store)?;
    let case_metrics = tables.need_table(CASE_METRICS)?;
    let attendance = tables.table(ATTENDANCE_DAYS)?;
    let due = crate::metrics::cards::due_records(&cards.due, &cards.history, as_of);
    // The ratings read once, for the bad ratings past their limit and the
    // call-backs due, and let go before the notices.
    let ratings = store.read("ratings")?;
    let alerts = names.attach_always(crate::metrics::ratings::alerts_frame(&alerts_of(
        ratings.clone(),
        settings,
        as_of,
    )?)?)?;
    let callbacks = match ratings {
        Some(r) => {
            let bad = r.lazy().filter(col("level").lt_eq(lit(2))).collect()?;
            crate::metrics::rating_loop::callbacks_due_on(&bad, &settings.calendar, as_of)?
        }
        None => crate::metrics::rating_loop::callbacks_due_on(
            &crate::metrics::rating_loop::empty_ratings()?,
            &settings.calendar,
            as_of,
        )?,
    };
    let callbacks = names.attach_always(callbacks)?;
    let notices = tables.run().notices()?;
    let notices = names.attach_always(crate::metrics::supervision::notices_frame(&notices)?)?;
    // The complaints due that day, then those past a deadline.
    let complaints = tables.run().complaints()?;
    let mut complaint_list = DataFrame::empty();
    for (status, cards) in [
        (
            "当日到期",
            crate::metrics::complaints::complaints_due_on(&complaints, as_of),
        ),
        (
            "超期",
            crate::metrics::complaints::complaint_cards(&complaints, as_of),
        ),
    ] {
        let mut frame = crate::metrics::complaints::complaint_cards_frame(&cards)?;
        frame.insert_column(0, Column::new("status".into(), vec![status; cards.len()]))?;
        complaint_list.vstack_mut_owned(frame)?;
    }
    let complaint_list = names.attach_always(complaint_list)?;
    let inputs = crate::report::daily::DailyInputs {
        case_metrics: &case_metrics,
        cards_due: &due,
        alerts: &alerts,
        attendance_days: attendance.as_ref(),
        notes,
        provisional_year: settings.calendar.provisional_year(),
        notices: &notices,
        complaints: &complaint_list,
        callbacks_due: &callbacks,
        names: &names,
    };
    let (md, tables) = crate::report::daily::daily_report(center, day, &inputs)?;
    write_report(settings, &day.label, "daily", &md, &tables, &[])
}

/// Write a report's Markdown and tables under `<reports>/<label>/`.
/// Writes `<name>.md`, `<name>.html` (with the charts, as SVG), the
/// charts as PNG, one CSV per table for people (`report::sheets`: a BOM,
/// Chinese headers, figures as shown) and `<name>.xlsx` (`report::xlsx`:
/// the text, then a sheet per table); returns the Markdown's path.
pub fn write_report(
    settings: &Settings,
    label: &str,
    name: &str,
    markdown: &str,
    tables: &[(&'static str, DataFrame)],
    charts: &[(String, String)],
) -> Result<(std::path::PathBuf, String)> {
    let dir = settings.reports.join(label);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("{name}.md"));
    write_atomic(&path, markdown.as_bytes())?;
    let title = markdown
        .lines()
        .next()
        .unwrap_or(label)
        .trim_start_matches("# ");
    let html = dir.join(format!("{name}.html"));
    write_atomic(
        &html,
        crate::report::html::page(title, markdown, charts).as_bytes(),
    )?;
    // The pieces on every core, each thread taking the next when done, the
    // longest first: the workbook (its sheets' text, then a deflate on
    // one core; a city's bulletin holds a card list of 3.8 MB), the
    // charts as PNG, then each table for people as CSV with a BOM and
    // Chinese headers (the shortest pieces last, so that the threads end
    // together). (The last stage of the demo, where the bulletin is
    // written, stays below the peak of its compute: benches/README.md.)
    enum Piece {
        Workbook,
        Chart(usize),
        Csv(usize),
    }
    let pieces: Vec<Piece> = std::iter::once(Piece::Workbook)
        .chain((0..charts.len()).map(Piece::Chart))
        .chain((0..tables.len()).map(Piece::Csv))
        .collect();
    crate::parallel::parallel_map(&pieces, |piece| match piece {
        Piece::Workbook => write_atomic(
            &dir.join(format!("{name}.xlsx")),
            &crate::report::xlsx::report_workbook(markdown, tables)?,
        ),
        Piece::Chart(k) => write_atomic(
            &dir.join(format!("{name}-chart{}.png", k + 1)),
            &crate::report::charts::png(&charts[*k].1)?,
        ),
        Piece::Csv(t) => {
            let (table, df) = &tables[*t];
            let sheet = crate::report::sheets::sheet_of(table);
            let bytes = crate::report::sheets::people_csv(df, sheet.as_ref())?;
            write_atomic(&dir.join(format!("{table}.csv")), &bytes)
        }
    })
    .into_iter()
    .collect::<Result<Vec<()>>>()?;
    Ok((path, markdown.to_string()))
}

/// Write a file whole or not at all: a temporary file beside it, renamed.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().unwrap_or_default().to_string_lossy()
    ));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}
