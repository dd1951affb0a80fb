//! `xiaoneng ratings invite`: the invitations to rate (邀评) of a day (a
//! read; the list is written under the reports folder for the SMS
//! platform).

use super::*;
use polars::prelude::*;

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
    let mut list = named(&store, list)?;
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

/// The list with the names of its items, windows and staff beside their
/// codes (each one's latest version).
fn named(store: &Store, list: DataFrame) -> Result<DataFrame> {
    let latest = |table: &str, key: &str, since: &str, alias: &str| -> Result<Option<LazyFrame>> {
        Ok(store.read(table)?.map(|df| {
            let order = match df.column(since) {
                Ok(_) => vec![col(key), col(since)],
                Err(_) => vec![col(key)],
            };
            df.lazy()
                .sort_by_exprs(order, SortMultipleOptions::default())
                .group_by([col(key)])
                .agg([col("name").last().alias(alias)])
        }))
    };
    let mut lf = list.lazy();
    for (table, key, since, alias) in [
        ("items", "item_code", "effective_from", "item_name"),
        ("windows", "window_id", "valid_from", "window_name"),
        ("staff", "staff_id", "valid_from", "staff_name"),
    ] {
        lf = match latest(table, key, since, alias)? {
            Some(names) => lf.join(names, [col(key)], [col(key)], JoinArgs::new(JoinType::Left)),
            None => lf.with_column(lit(NULL).cast(DataType::String).alias(alias)),
        };
    }
    Ok(lf
        .select([
            col("case_id"),
            col("item_code"),
            col("item_name"),
            col("window_id"),
            col("window_name"),
            col("staff_id"),
            col("staff_name"),
            col("channel"),
            col("completed_on"),
        ])
        .sort(["case_id"], SortMultipleOptions::default())
        .collect()?)
}
