//! Reports: frames of the metric tables to the documents the center reads.
//! Everything a report shows is read from a metric table; the run date is
//! a parameter, so the same data and date give the same bytes.

pub mod bulletin;
pub mod charts;
pub mod daily;
pub mod html;
pub mod sheets;
pub mod write;
pub mod xlsx;
