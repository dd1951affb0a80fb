//! `xiaoneng calendar`: official lists imported, the status of each year, working-day questions.

use super::*;

pub(super) fn calendar(settings: &Settings, command: CalendarCommand) -> Result<()> {
    let cal = &settings.calendar;
    let mut out = std::io::stdout().lock();
    match command {
        CalendarCommand::Import { file } => {
            let store = open_store(settings)?;
            let done = crate::calendar_lists::import(&store, cal, &file)?;
            eprintln!(
                "loaded the official list of {} from {}: {} weekdays off, {} weekend days worked (调休)",
                done.year,
                file.display(),
                done.weekdays_off,
                done.weekends_worked
            );
            if done.changed.is_empty() {
                eprintln!("no day changed its status; figures marked provisional are now official");
            } else {
                for (d, w, name) in &done.changed {
                    eprintln!("  {}", crate::calendar_lists::change_sentence(*d, *w, name));
                }
                eprintln!(
                    "the next nightly run recomputes from {} and judges the cards again",
                    done.changed[0].0
                );
            }
        }
        CalendarCommand::Status => {
            writeln!(
                out,
                "year  status               weekdays_off  weekends_worked  local_days  source"
            )?;
            for y in crate::calendar_lists::status(cal)? {
                writeln!(
                    out,
                    "{}  {:<19}  {:>12}  {:>15}  {:>10}  {}",
                    y.year, y.status, y.weekdays_off, y.weekends_worked, y.local_days, y.source
                )?;
            }
        }
        CalendarCommand::Days { from, to, format } => {
            if to < from {
                bail!("--to {to} is before --from {from}");
            }
            // Check the whole range first, so nothing is printed on error.
            let days: Vec<(NaiveDate, bool)> = from
                .iter_days()
                .take_while(|d| *d <= to)
                .map(|d| cal.is_workday(d).map(|w| (d, w)))
                .collect::<Result<_, _>>()?;
            match format {
                DaysFormat::Csv => writeln!(out, "date,workday")?,
                DaysFormat::Table => writeln!(out, "date        weekday  workday")?,
            }
            for (d, w) in days {
                match format {
                    DaysFormat::Csv => writeln!(out, "{d},{w}")?,
                    DaysFormat::Table => writeln!(
                        out,
                        "{d}  {:<7}  {}",
                        d.format("%a"),
                        if w { "工作日" } else { "休息日" }
                    )?,
                }
            }
        }
        CalendarCommand::Deadline { accepted, days } => {
            writeln!(out, "{}", cal.deadline(accepted, days)?)?;
        }
        CalendarCommand::Elapsed { from, to } => {
            writeln!(out, "{}", cal.elapsed(from, to)?)?;
        }
    }
    Ok(())
}
