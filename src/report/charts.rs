//! Charts of the reports, drawn with plotters as SVG. Labels are Chinese;
//! the HTML that holds the charts embeds the CJK font, so they render the
//! same everywhere.

use crate::metrics::schema::{self, Table};
use crate::polars_ext::{bools_or, dates_of, opt_f64s, strings};
use anyhow::{Context, Result};
use plotters::prelude::*;
use polars::prelude::*;

const WIDTH: u32 = 900;

/// The embedded CJK font (see data/fonts) and its family name.
const FONT_DATA: &[u8] = include_bytes!("../../data/fonts/xiaoneng-cjk.ttf");
const FONT_FAMILY: &str = "WenQuanYi Micro Hei";

/// A chart as PNG (for slides and the lobby screen), rendered from its SVG
/// with the embedded font.
pub fn png(svg: &str) -> Result<Vec<u8>> {
    let mut opt = resvg::usvg::Options::default();
    opt.fontdb_mut().load_font_data(FONT_DATA.to_vec());
    opt.font_family = FONT_FAMILY.to_string();
    let svg = svg.replace(
        &format!("font-family=\"{FONT}\""),
        &format!("font-family=\"{FONT_FAMILY}\""),
    );
    let tree = resvg::usvg::Tree::from_str(&svg, &opt).context("cannot read the chart's SVG")?;
    let size = tree.size().to_int_size();
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(size.width(), size.height()).context("empty chart")?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().context("cannot encode the PNG")
}
const FONT: &str = "XiaonengCJK";

/// Horizontal bars: one per label, value on the x axis from `lo` to `hi`.
pub fn bars(
    title: &str,
    labels: &[String],
    values: &[Option<f64>],
    lo: f64,
    hi: f64,
    unit: &str,
) -> Result<String> {
    let mut svg = String::new();
    let height = 60 + 22 * labels.len().max(1) as u32;
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(80)
            .build_cartesian_2d(lo..hi, (0..labels.len()).into_segmented())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(labels.len())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_desc(unit)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 12))
            .draw()?;
        chart.draw_series(values.iter().enumerate().filter_map(|(i, v)| {
            let v = (*v)?;
            Some(Rectangle::new(
                [
                    (lo, SegmentValue::Exact(i)),
                    (v.clamp(lo, hi), SegmentValue::Exact(i + 1)),
                ],
                RGBColor(31, 119, 180).mix(0.8).filled(),
            ))
        }))?;
        root.present().context("cannot draw the chart")?;
    }
    Ok(svg)
}

/// A line per series over the days of a period (x = day of the period).
pub fn lines(
    title: &str,
    series: &[(&str, Vec<f64>)],
    x_desc: &str,
    y_desc: &str,
) -> Result<String> {
    let mut svg = String::new();
    let n = series
        .iter()
        .map(|(_, v)| v.len())
        .max()
        .unwrap_or(1)
        .max(2);
    let top = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(1.0, f64::max)
        * 1.1;
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 360)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(1..n, 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 12))
            .draw()?;
        let colours = [RGBColor(31, 119, 180), RGBColor(255, 127, 14)];
        for (k, (name, values)) in series.iter().enumerate() {
            let colour = colours[k % colours.len()];
            chart
                .draw_series(LineSeries::new(
                    values.iter().enumerate().map(|(i, v)| (i + 1, *v)),
                    colour.stroke_width(2),
                ))?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .label_font((FONT, 12))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present().context("cannot draw the chart")?;
    }
    Ok(svg)
}

/// A chart of a report: (its title, its SVG). The title is drawn in the
/// chart and names it in the page.
pub type Chart = (String, String);

/// `svg` drawn under `title`, as a chart of a report.
fn titled(title: &str, svg: impl FnOnce(&str) -> Result<String>) -> Result<Chart> {
    Ok((title.to_string(), svg(title)?))
}

/// Ranking bars: the score of each ranked window, in rank order.
pub fn ranking_chart(ranking: &DataFrame) -> Result<Chart> {
    let ranked = ranking
        .clone()
        .lazy()
        .filter(col("rank").is_not_null())
        .collect()?;
    let labels = strings(&ranked, "window_id")?;
    let scores = opt_f64s(&ranked, "score")?;
    let lo = scores
        .iter()
        .flatten()
        .copied()
        .fold(100.0, f64::min)
        .min(0.0)
        .floor();
    let hi = scores
        .iter()
        .flatten()
        .copied()
        .fold(100.0, f64::max)
        .ceil()
        + 5.0;
    titled("红旗窗口评比得分", |t| {
        bars(t, &labels, &scores, lo, hi, "得分")
    })
}

/// A rate of each window (a `rate` column of window rows), in percent.
/// A rate of `table` per window, in percent, titled and labelled from the
/// schema.
fn rate_per_window(windows: &DataFrame, table: &Table, rate: &str) -> Result<Chart> {
    let (title, axis) = (
        format!("各窗口{}", table.label(rate)),
        format!("{} (%)", table.label(rate)),
    );
    let labels = strings(windows, "key")?;
    let rates: Vec<Option<f64>> = opt_f64s(windows, rate)?
        .into_iter()
        .map(|v| v.map(|x| x * 100.0))
        .collect();
    let lo = rates
        .iter()
        .flatten()
        .copied()
        .fold(100.0, f64::min)
        .min(90.0)
        .floor();
    titled(&title, |t| bars(t, &labels, &rates, lo, 100.0, &axis))
}

/// On-time rate per window, in percent.
pub fn on_time_chart(windows: &DataFrame) -> Result<Chart> {
    rate_per_window(windows, &schema::CASES, "on_time_rate")
}

/// Satisfaction rate per window, in percent.
pub fn satisfaction_chart(windows: &DataFrame) -> Result<Chart> {
    rate_per_window(windows, &schema::RATINGS, "satisfaction_rate")
}

/// Compression of the promised limits per department in the latest catalog
/// round: 1 − Σ after / Σ before, in percent.
pub fn compression_chart(per_item: &DataFrame) -> Result<Chart> {
    let by_dept = per_item
        .clone()
        .lazy()
        .group_by([col("department")])
        .agg([col("promised_before").sum(), col("promised_after").sum()])
        .with_column(
            (lit(100.0)
                - lit(100.0) * col("promised_after").cast(DataType::Float64)
                    / col("promised_before").cast(DataType::Float64))
            .alias("compression"),
        )
        .sort(["department"], SortMultipleOptions::default())
        .collect()?;
    let (departments, compression) = (
        strings(&by_dept, "department")?,
        opt_f64s(&by_dept, "compression")?,
    );
    titled("各部门承诺时限压缩率", |t| {
        bars(t, &departments, &compression, 0.0, 100.0, "压缩率 (%)")
    })
}

/// How long people waited: the share of called tickets per 5-minute band.
pub fn wait_chart(waits_min: &[f64]) -> Result<Chart> {
    let bands: Vec<String> = (0..12)
        .map(|k| format!("{}–{}分", k * 5, k * 5 + 5))
        .chain(["60分以上".to_string()])
        .collect();
    let mut counts = vec![0.0; bands.len()];
    for w in waits_min {
        counts[((w / 5.0).floor().max(0.0) as usize).min(bands.len() - 1)] += 1.0;
    }
    let total = waits_min.len().max(1) as f64;
    let shares: Vec<Option<f64>> = counts.iter().map(|c| Some(c / total * 100.0)).collect();
    let hi = shares.iter().flatten().copied().fold(10.0, f64::max).ceil() + 5.0;
    titled("等候时间分布", |t| {
        bars(t, &bands, &shares, 0.0, hi, "占叫号数 (%)")
    })
}

/// The colour of an attendance status in the heat map.
fn status_colour(status: &str, workday: bool) -> RGBColor {
    match status {
        _ if !workday => RGBColor(230, 230, 230),
        "正常" => RGBColor(166, 217, 106),
        "迟到" | "早退" => RGBColor(253, 174, 97),
        "缺卡" | "离岗" => RGBColor(255, 224, 130),
        "旷工" => RGBColor(215, 48, 39),
        _ => RGBColor(116, 173, 209), // 请假, 出差, 公务
    }
}

/// Attendance heat map: one row per staff member, one column per day of the
/// period, coloured by the day's status (`attendance_days` rows of the period).
pub fn attendance_heat_map(
    days: &DataFrame,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
) -> Result<Chart> {
    let title = "考勤热力图(人员×日)";
    let staff = strings(days, "staff_id")?;
    let status = strings(days, "status")?;
    let workday = bools_or(days, "workday", false)?;
    let dates = dates_of(days.column("date")?)?;
    let mut people: Vec<String> = staff.clone();
    people.sort();
    people.dedup();
    let n_days = (end - start).num_days() as usize + 1;
    let mut svg = String::new();
    {
        let height = 80 + 9 * people.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(0..n_days, 0..people.len())?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(n_days.min(31))
            .x_label_formatter(&|d| {
                (start + chrono::Duration::days(*d as i64))
                    .format("%d")
                    .to_string()
            })
            .y_labels(people.len().min(40))
            .y_label_formatter(&|i| people.get(*i).cloned().unwrap_or_default())
            .x_desc("日")
            .label_style((FONT, 9))
            .axis_desc_style((FONT, 12))
            .draw()?;
        let row = |s: &str| people.binary_search_by(|p| p.as_str().cmp(s)).unwrap_or(0);
        chart.draw_series((0..days.height()).filter_map(|i| {
            let d = dates[i]?;
            if d < start || d > end {
                return None;
            }
            let (x, y) = ((d - start).num_days() as usize, row(&staff[i]));
            Some(Rectangle::new(
                [(x, y), (x + 1, y + 1)],
                status_colour(&status[i], workday[i]).filled(),
            ))
        }))?;
        root.present().context("cannot draw the chart")?;
    }
    Ok((title.to_string(), svg))
}

/// The colour of a mean wait in the queue heat map: pale below a quarter
/// of the target, through yellow and orange at the target, to dark red at
/// twice the target and beyond.
pub fn wait_colour(minutes: f64, target: f64) -> RGBColor {
    const STOPS: [(f64, (u8, u8, u8)); 5] = [
        (0.0, (255, 255, 229)),
        (0.5, (254, 227, 145)),
        (1.0, (254, 153, 41)),
        (1.5, (217, 72, 1)),
        (2.0, (127, 39, 4)),
    ];
    let x = if target > 0.0 { minutes / target } else { 2.0 }.clamp(0.0, 2.0);
    let k = STOPS
        .windows(2)
        .position(|w| x <= w[1].0)
        .unwrap_or(STOPS.len() - 2);
    let ((x0, a), (x1, b)) = (STOPS[k], STOPS[k + 1]);
    let t = (x - x0) / (x1 - x0);
    let mix = |a: u8, b: u8| (f64::from(a) + t * (f64::from(b) - f64::from(a))).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The queue heat map (分时段等候): one row per weekday, one column per
/// half hour of the issue time, coloured by the mean wait, the wait in
/// minutes written in the cell; crowded half hours framed. `hours` are
/// the `queue_hours` rows of one key and period.
pub fn queue_heat_map(hours: &DataFrame, target_minutes: f64, crowded_over: u32) -> Result<Chart> {
    use crate::metrics::queue_hours::{slot_label, slot_of_label, weekday_name};
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let title = "分时段平均等候(分钟,按取号时间)";
    let weekdays: Vec<u32> = crate::polars_ext::i64s(hours, "weekday")?
        .into_iter()
        .map(|w| w as u32)
        .collect();
    let slots: Vec<u32> = strings(hours, "slot")?
        .iter()
        .map(|s| slot_of_label(s).unwrap_or(0))
        .collect();
    let waits = opt_f64s(hours, "wait_mean_min")?;
    let crowded = bools_or(hours, "crowded", false)?;
    // The weekdays and the half hours with tickets (the lunch break and
    // the closed hours are left out; each column is labelled).
    let distinct = |v: &[u32]| {
        let mut v = v.to_vec();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (rows, columns) = (distinct(&weekdays), distinct(&slots));
    anyhow::ensure!(!rows.is_empty(), "no queue hours to draw");
    let row_of = |w: u32| rows.iter().position(|r| *r == w).unwrap_or(0);
    let column_of = |s: u32| columns.iter().position(|c| *c == s).unwrap_or(0);
    let mut svg = String::new();
    {
        let height = 150 + 36 * rows.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (top, legend) = root.split_vertically(height - 50);
        let mut chart = ChartBuilder::on(&top)
            .caption(title, (FONT, 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(50)
            // Segments 0..=n−1: one per column and row.
            .build_cartesian_2d(
                (0..columns.len() - 1).into_segmented(),
                (0..rows.len() - 1).into_segmented(),
            )?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(columns.len())
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < columns.len() => slot_label(columns[*i]),
                _ => String::new(),
            })
            .y_labels(rows.len())
            .y_label_formatter(&|v| match v {
                // The first weekday on top.
                SegmentValue::CenterOf(i) if *i < rows.len() => {
                    weekday_name(rows[rows.len() - 1 - *i]).to_string()
                }
                _ => String::new(),
            })
            .label_style((FONT, 11))
            .axis_desc_style((FONT, 12))
            .draw()?;
        let at = |i: usize| (column_of(slots[i]), rows.len() - 1 - row_of(weekdays[i]));
        let cell = |x: usize, y: usize| {
            [
                (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
            ]
        };
        chart.draw_series((0..hours.height()).map(|i| {
            let (x, y) = at(i);
            let colour =
                waits[i].map_or(RGBColor(235, 235, 235), |w| wait_colour(w, target_minutes));
            Rectangle::new(cell(x, y), colour.filled())
        }))?;
        chart.draw_series((0..hours.height()).filter(|i| crowded[*i]).map(|i| {
            let (x, y) = at(i);
            Rectangle::new(cell(x, y), RGBColor(60, 0, 90).stroke_width(3))
        }))?;
        let centred = Pos::new(HPos::Center, VPos::Center);
        chart.draw_series((0..hours.height()).filter_map(|i| {
            let (x, y) = at(i);
            let w = waits[i]?;
            let ink: &'static RGBColor = if w >= 1.5 * target_minutes {
                &WHITE
            } else {
                &BLACK
            };
            Some(Text::new(
                format!("{w:.0}"),
                (SegmentValue::CenterOf(x), SegmentValue::CenterOf(y)),
                TextStyle::from((FONT, 11).into_font())
                    .color(ink)
                    .pos(centred),
            ))
        }))?;
        // The legend: the colours of 0, ½, 1, 1½ and 2 targets, and the frame.
        let key = TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        let mut x = 60;
        for k in 0..5 {
            let minutes = target_minutes * f64::from(k) / 2.0;
            legend.draw(&Rectangle::new(
                [(x, 12), (x + 28, 30)],
                wait_colour(minutes, target_minutes).filled(),
            ))?;
            let label = if k == 4 {
                format!("{minutes:.0} 分以上")
            } else {
                format!("{minutes:.0} 分")
            };
            legend.draw(&Text::new(label, (x + 34, 21), key.clone()))?;
            x += 100;
        }
        legend.draw(&Rectangle::new(
            [(x, 12), (x + 28, 30)],
            RGBColor(60, 0, 90).stroke_width(3),
        ))?;
        legend.draw(&Text::new(
            format!("拥挤:日均超时等候多于 {crowded_over} 人"),
            (x + 34, 21),
            key,
        ))?;
        root.present().context("cannot draw the chart")?;
    }
    Ok((title.to_string(), svg))
}
