//! `xiaoneng nightly`: the unattended job; its own exit codes.

use super::*;

/// The nightly job: its exit code (2 on any failure, the error on stderr
/// and in the run log).
pub(super) fn nightly(cli: &Cli, date: Option<NaiveDate>, center: &str, quiet: bool) -> Exit {
    let fail = |e: anyhow::Error| {
        eprintln!("xiaoneng: nightly failed: {e:#}");
        Exit::Failed
    };
    let settings = match load_settings(cli) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let date =
        date.unwrap_or_else(|| chrono::Local::now().date_naive() - chrono::Duration::days(1));
    let opts = crate::nightly::NightlyOptions {
        date,
        center: center.to_string(),
        quiet,
    };
    if !quiet {
        eprintln!("xiaoneng nightly {date} — {}", settings.home.display());
    }
    let record = crate::nightly::nightly(&settings, &opts);
    if let Err(e) = crate::nightly::append_log(&settings.run_log, &record) {
        eprintln!("xiaoneng: {e:#}");
    }
    match &record.error {
        Some(e) => eprintln!("xiaoneng: nightly {date} failed: {e}"),
        None if !quiet => {
            eprintln!("{}", record.summary());
        }
        None => {}
    }
    if record.exit_code == 1 {
        // Even under --quiet: cron mails what a job prints.
        eprintln!(
            "xiaoneng: nightly {date}: {} rows rejected (xiaoneng rejects lists them)",
            record.rows_rejected
        );
    }
    match record.exit_code {
        0 => Exit::Done,
        1 => Exit::Attention,
        _ => Exit::Failed,
    }
}
