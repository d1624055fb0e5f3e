//! # lyncsim
//!
//! A deterministic discrete-event simulator of Microsoft Lync Server 2013 (and the Skype
//! for Business Server architecture that inherited it) under failures, failover and
//! failback. A virtual clock drives pools, registrars, clients and administrators; the
//! result is, for every user-facing feature, how many users have it at every moment.
//!
//! ## Architecture
//! Imports point down; nothing below knows what is above it.
//!
//! | module | owns |
//! |---|---|
//! | [`cli`] | clap types, turned into validated work before anything runs; exit codes |
//! | [`report`] | pure functions from a finished [`stats::RunResult`] or [`stats::MonteCarlo`] to bytes (CSV, JSON, SVG, PNG) and to whole results folders (`timeseries.csv` as a writer the cli calls, so it is never held whole) |
//! | [`stats`] | the monitor that integrates user-time and samples the time series; finished results; Monte Carlo replications on rayon and their statistics; shard files and their merge |
//! | [`scenario`] | RON files: raw serde types, positioned diagnostics, validation into a [`model::Config`] |
//! | [`model`] | the Lync world: pools, sites, clients, registrars, the feature matrix |
//! | [`engine`] | integer virtual time, the `(time, seq)` event queue, random streams, the run loop |
//! | [`text`] | number formatting shared by diagnostics and reports (digit grouping) |
//!
//! The engine never names a pool; the model is one place; reports never simulate.
//!
//! ## Determinism contract
//! - Virtual time is an integer number of milliseconds ([`engine::SimTime`]); values drawn
//!   from continuous distributions are rounded to the millisecond once.
//! - Events run in `(time, seq)` order: same-time events in the order they were scheduled.
//!   Scenario actions are scheduled first, in file order.
//! - All randomness comes from ChaCha8 streams keyed by (scenario seed, replication) and
//!   selected by a component id derived from a stable name ([`engine::Streams`]): adding a
//!   pool leaves every other pool's draws unchanged. No OS entropy, no wall clock, no hash
//!   map iteration reaches a result.
//! - Reports print fixed precision and sorted keys. The same scenario and seed give the
//!   same bytes on any machine; the PNG chart embeds its font.
//! - Replications run in parallel, each on its own streams, and are gathered in index
//!   order before any statistic is computed: `--jobs` and shard splits never change a byte.
//!
//! ## Cost
//! Events happen when a user's state changes, not per user per period: a keep-alive is not
//! an event, its phase only decides when a client notices a failure. The time series is
//! sampled from counters between events (stored run-length encoded), and user-time is
//! integrated exactly between instants, so a quiet year costs what a quiet day costs. A
//! Monte Carlo run keeps, per replication, its summary numbers and the runs of its series;
//! row statistics are one sweep over those runs.
//!
//! ## A scenario
//! ```ron
//! Scenario(
//!     name: "se-pair",
//!     horizon: "6h",
//!     sites: [ Site(name: "dc1"), Site(name: "dc2") ],
//!     pools: [
//!         Pool(fqdn: "lyncfe03.thelab.info", site: "dc1", users: 2500,
//!              backup_pool: Some("lyncfe04.thelab.info")),
//!         Pool(fqdn: "lyncfe04.thelab.info", site: "dc2", users: 2500,
//!              backup_pool: Some("lyncfe03.thelab.info")),
//!     ],
//!     events: [ At("1h", PoolDown(pool: "lyncfe04.thelab.info")) ],
//! )
//! ```
//!
//! ## Extending
//! - A new scenario action: add the variant to `scenario::raw::Action` (the file), resolve
//!   it in `scenario::validate` (`validate/events.rs`) into `model::Action`, and handle it in
//!   `model::World` (dispatched in `model/mod.rs`, carried out in the room of its concern);
//!   the exhaustive matches point at every place that must change. Document the rule and
//!   its source in docs/model.md and the field in docs/scenario-reference.md.
//! - A new feature: in `src/model/feature.rs`, add the variant to [`model::Feature`], to
//!   `Feature::ALL` (whose length is the enum's, so a missing entry does not compile) and to
//!   `Feature::column` (its name in files and outputs), and say which client states have it
//!   in `FeatureMatrix::default`; give it a line colour in `report::chart::palette`'s
//!   `feature_color`. That is all the code: every count, integral, series, table, chart and
//!   shard is a [`model::PerFeature`] map or iterates `Feature::ALL`, and scenario files
//!   accept the name in `features:` at once. A feature that further depends on the serving
//!   pool (as `pstn` needs a Mediation service) also needs a counter in [`model::Counts`],
//!   kept by `World::move_user`, and its exception in [`model::Counts::with_feature`].
//!   Then bump `stats::shard::FORMAT` (a shard's per-feature arrays grow), document the
//!   feature in docs/model.md's table of features per client state and in
//!   docs/scenario-reference.md, and regenerate `results/` (every output gains its columns;
//!   `tests/it/cli.rs` pins the column names of `timeseries.csv`), saying why in the commit.
//! - A new client state: the same in [`model::ClientState`] (with `state_color`), plus the
//!   model's exhaustive matches that decide who is in it.

#![warn(missing_docs)]

pub mod cli;
pub mod engine;
pub mod model;
pub mod report;
pub mod scenario;
pub mod stats;
pub mod text;
