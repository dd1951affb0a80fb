//! One file per metric family: its declaration and its compute function,
//! which reads the run's inputs and the tables it draws on and calls the
//! pure code of `crate::metrics`.

pub mod assessment;
pub mod attendance;
pub mod cases;
pub mod complaints;
pub mod incidents;
pub mod queue;
pub mod ratings;
pub mod scores;
pub mod services;
pub mod staff;
pub mod steps;
pub mod supervision;
pub mod zeros;
