//! `xiaoneng ratings invite`: the invitations to rate (邀评) of a day (a
//! read; the list is written under the reports folder for the SMS
//! platform).

use super::*;

pub(super) fn invite(
    settings: &Settings,
    as_of: Option<NaiveDate>,
    out: Option<std::path::PathBuf>,
    format: Format,
) -> Result<()> {
    let store = open_store_read(settings)?;
    let day = crate::engine::as_of::resolve(&store, as_of)?;
    let cases = store
        .read_columns(
            "cases",
            Some(&[
                "case_id",
                "item_code",
                "window_id",
                "staff_id",
                "channel",
                "completed_at",
            ]),
        )?
        .context("the store has no cases yet: ingest them first")?;
    let ratings = store.read_columns("ratings", Some(&["case_id", "rated_at"]))?;
    let list = crate::metrics::ratings::invitations(
        &cases,
        ratings.as_ref(),
        &settings.calendar,
        &settings.ratings,
        day.date,
    )?;
    let mut list = crate::engine::names::with_names(&store, list)?;
    let path = out.unwrap_or_else(|| {
        settings
            .reports
            .join(day.date.to_string())
            .join("ratings_invite.csv")
    });
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut file = std::fs::File::create(&path)
        .with_context(|| format!("writing the invitations to {}", path.display()))?;
    crate::view::write_csv(&mut list, &mut file)?;
    eprintln!(
        "邀评 {}: {} completed cases without a rating {} working days after completion; written to {}",
        day,
        list.height(),
        settings.ratings.invite_after_days,
        path.display()
    );
    print_frame(list, format, crate::view::invitations_table)
}
