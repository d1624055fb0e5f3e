//! The time series of one replication: a [`Sample`] of the world's counters per row, kept
//! run-length encoded in a [`Series`]. Rows are read from counters, never by scanning users.

use crate::engine::SimTime;
use crate::model::{ClientState, Counts, PerState};

/// One time-series row: user counts per client state at `time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Sample time.
    pub time: SimTime,
    /// Users per client state.
    pub by_state: PerState<u32>,
    /// Users in `FailedOver` whose serving pool has Response Group data.
    pub failed_over_with_rgs: u32,
    /// Users whose state has PSTN calls but whose serving pool runs no Mediation service.
    pub pstn_without_mediation: u32,
}

impl Sample {
    /// The row at `time` of the world's counters.
    pub(super) fn from_counts(time: SimTime, c: &Counts) -> Self {
        Sample {
            time,
            by_state: c.by_state.map(|_, n| n as u32),
            failed_over_with_rgs: c.failed_over_with_rgs as u32,
            pstn_without_mediation: c.pstn_without_mediation as u32,
        }
    }

    /// Users in `state`.
    pub fn users(&self, state: ClientState) -> u64 {
        self.by_state[state] as u64
    }

    /// Whether two rows hold the same counts (whatever their times).
    pub fn same_counts(&self, other: &Sample) -> bool {
        self.by_state == other.by_state
            && self.failed_over_with_rgs == other.failed_over_with_rgs
            && self.pstn_without_mediation == other.pstn_without_mediation
    }

    /// The counts this row holds.
    pub(super) fn counts(&self) -> Counts {
        Counts {
            by_state: self.by_state.map(|_, n| n as u64),
            failed_over_with_rgs: self.failed_over_with_rgs as u64,
            pstn_without_mediation: self.pstn_without_mediation as u64,
        }
    }
}

/// The time series of one replication: a row every `step` from 0 to the horizon inclusive,
/// stored run-length encoded (a run starts at each row whose counts differ from the row
/// before), so a quiet year costs a few runs, not 35,000 rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    step: SimTime,
    rows: u64,
    /// Each run's first row; its `time` is that row's time.
    runs: Vec<Sample>,
}

impl Series {
    /// An empty series of `rows` rows every `step`, filled by [`Series::push`].
    pub(super) fn new(step: SimTime, rows: u64) -> Self {
        Series { step, rows, runs: Vec::new() }
    }

    /// A series from every row (tests and synthetic results); rows every `step` from 0.
    pub fn from_rows(step: SimTime, rows: Vec<Sample>) -> Self {
        let mut series = Series::new(step, rows.len() as u64);
        for row in rows {
            series.push(row);
        }
        series
    }

    /// A series from its runs (as [`Series::runs`] gives them), checked: runs start at
    /// row 0, in increasing rows within the series, with their rows' times.
    pub fn from_runs(step: SimTime, rows: u64, runs: Vec<Sample>) -> Result<Self, String> {
        let series = Series { step, rows, runs };
        let mut last = None;
        for run in &series.runs {
            let row = series.row_of(run.time);
            let ok = match last {
                None => row == 0,
                Some(prev) => row > prev && row < rows,
            };
            if !ok || run.time.as_millis() != row * step.as_millis() {
                return Err(format!("time series run at {} ms is out of order", run.time.as_millis()));
            }
            last = Some(row);
        }
        if rows > 0 && series.runs.is_empty() {
            return Err("time series without rows".into());
        }
        Ok(series)
    }

    /// Append the next row that differs from the one before (a run's start); a row that
    /// repeats the last one's counts adds nothing.
    pub(super) fn push(&mut self, row: Sample) {
        if self.runs.last().is_none_or(|last| !last.same_counts(&row)) {
            self.runs.push(row);
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Interval between rows.
    pub fn step(&self) -> SimTime {
        self.step
    }

    /// The runs: each is the first row of a stretch of identical rows.
    pub fn runs(&self) -> &[Sample] {
        &self.runs
    }

    /// Index of the row at `time` (a run's start).
    pub fn row_of(&self, time: SimTime) -> u64 {
        time.as_millis() / self.step.as_millis().max(1)
    }

    /// Every row, in time order.
    pub fn iter(&self) -> impl Iterator<Item = Sample> + '_ {
        let step = self.step.as_millis();
        self.runs.iter().enumerate().flat_map(move |(i, run)| {
            let first = self.row_of(run.time);
            let end = self.runs.get(i + 1).map_or(self.rows, |next| self.row_of(next.time));
            (first..end).map(move |row| Sample { time: SimTime::from_millis(row * step), ..*run })
        })
    }
}
