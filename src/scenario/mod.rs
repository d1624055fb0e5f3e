//! Scenario files: raw types, loading with positioned errors, validation.

pub mod duration;
pub mod raw;
