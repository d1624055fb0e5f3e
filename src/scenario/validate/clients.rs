//! The global settings of a scenario: the Backup Service, the timings of servers
//! and cmdlets, the clients' registration and retry behaviour (each within the product's
//! range or lyncsim's sanity bounds), and the feature matrix's overrides.

use super::delays::{bounds, time_value};
use super::Validator;
use crate::engine::SimTime;
use crate::model::{
    BackupServiceConfig, ClientState, ClientsConfig, Feature, FeatureMatrix, Product, TimingConfig,
    MAX_USER_COUNT_RANGE,
};
use crate::scenario::duration::TimeValue;
use crate::scenario::format::format_duration;
use crate::scenario::limits::MAX_CLIENT_BATCH;
use crate::scenario::raw;
use crate::text::group_digits;

/// DefaultEndpointExpiration's range (PS-Set-CsRegistrarConfiguration).
pub(super) const ENDPOINT_EXPIRATION: (SimTime, SimTime) = (SimTime::from_secs(300), SimTime::from_secs(900));
/// Why [`ENDPOINT_EXPIRATION`] is the range: the cmdlet's own limits.
pub(super) const ENDPOINT_WHY: &str = "DefaultEndpointExpiration accepts 300 to 900 seconds";

impl Validator<'_> {
    /// The Backup Service: its sync interval within the cmdlet's range, Response Group
    /// replication only on SfB2019, and its batches.
    pub(super) fn backup_service(&mut self, b: &raw::BackupService) -> BackupServiceConfig {
        self.delay_within(
            "backup_service.sync_interval",
            &b.sync_interval,
            (SimTime::from_secs(5), SimTime::from_secs(3 * 3600)),
            false,
            Some("Set-CsBackupServiceConfiguration -SyncInterval accepts 5 seconds to 3 hours"),
        );
        let sync_interval = time_value(&b.sync_interval);
        if b.replicate_response_groups && self.product != Product::SfB2019 {
            self.error(
                "backup_service.replicate_response_groups",
                format!(
                    "replicate_response_groups needs SfB2019; the Backup Service of {} does not replicate Response Group data",
                    self.product.name()
                ),
            )
            .help = Some(
                "only Skype for Business Server 2019 with the July 2019 cumulative update replicates it; \
                 use ImportCsRgsConfiguration on older products"
                    .to_string(),
            );
        }
        if !(b.changes_per_user_per_hour.is_finite() && b.changes_per_user_per_hour >= 0.0) {
            self.error(
                "backup_service.changes_per_user_per_hour",
                format!(
                    "backup_service.changes_per_user_per_hour must be a number of at least 0, not {}",
                    b.changes_per_user_per_hour
                ),
            );
        }
        for (field, n) in
            [("max_batches_per_sync", b.max_batches_per_sync), ("changes_per_batch", b.changes_per_batch)]
        {
            if n == 0 {
                self.error(
                    &format!("backup_service.{field}"),
                    format!("backup_service.{field} must be at least 1, not 0"),
                );
            }
        }
        BackupServiceConfig {
            sync_interval,
            replicate_response_groups: b.replicate_response_groups,
            changes_per_user_per_hour: b.changes_per_user_per_hour,
            changes_per_sync: f64::from(b.max_batches_per_sync) * f64::from(b.changes_per_batch),
        }
    }

    /// MaxUserCount within the cmdlet's range (PS-Set-CsRegistrarConfiguration).
    pub(super) fn max_user_count(&mut self, path: &str, n: u32) {
        let (lo, hi) = MAX_USER_COUNT_RANGE;
        if !(lo..=hi).contains(&n) {
            let (lo, hi, n) = (group_digits(lo.into()), group_digits(hi.into()), group_digits(n.into()));
            self.error(path, format!("{path} must be within {lo}..={hi}, not {n}")).help = Some(
                "Set-CsRegistrarConfiguration -MaxUserCount accepts 2,000 to 100,000 users signed in at \
                 once per registrar; the default is 12,000"
                    .to_string(),
            );
        }
    }

    /// The timings of servers and cmdlets: each a valid timing.
    pub(super) fn timing(&mut self, t: &raw::Timing) -> TimingConfig {
        let p = |field: &str| format!("timing.{field}");
        self.no_backup_store_threshold(&p("backup_store_unavailable_threshold"));
        TimingConfig {
            registrar_poll_failed_pool: self
                .delay(&p("registrar_poll_failed_pool"), &t.registrar_poll_failed_pool),
            registrar_poll_backup_pool: self
                .delay(&p("registrar_poll_backup_pool"), &t.registrar_poll_backup_pool),
            backup_store_unavailable_threshold: self
                .delay(&p("backup_store_unavailable_threshold"), &t.backup_store_unavailable_threshold),
            cms_replication: self.delay(&p("cms_replication"), &t.cms_replication),
            steady_state_backup: t
                .steady_state_backup
                .as_ref()
                .map(|v| self.delay(&p("steady_state_backup"), v)),
            full_backup: t.full_backup.as_ref().map(|v| self.delay(&p("full_backup"), v)),
            hydrate_per_routing_group: self
                .delay(&p("hydrate_per_routing_group"), &t.hydrate_per_routing_group),
            hydrate_per_user: self.delay(&p("hydrate_per_user"), &t.hydrate_per_user),
            quorum_loss_recovery: self.delay(&p("quorum_loss_recovery"), &t.quorum_loss_recovery),
            replica_rebuild: self.delay(&p("replica_rebuild"), &t.replica_rebuild),
            pool_cold_start: self.delay(&p("pool_cold_start"), &t.pool_cold_start),
            sql_mirror_failover: self.delay(&p("sql_mirror_failover"), &t.sql_mirror_failover),
            cms_failover: self.delay(&p("cms_failover"), &t.cms_failover),
            cmdlet_step: self.delay(&p("cmdlet_step"), &t.cmdlet_step),
        }
    }

    /// The clients: refresh within DefaultEndpointExpiration's range, keep-alive and retry
    /// delays within sanity bounds (`retry_max` at least `retry`), the batch window, the jitter.
    pub(super) fn clients(&mut self, c: &raw::Clients) -> ClientsConfig {
        // keepalive and the retry delays have lyncsim's sanity bounds, not a product range:
        // an unbounded distribution is allowed there.
        let sane = (SimTime::from_millis(1), SimTime::from_secs(3600));
        self.delay_within("clients.refresh", &c.refresh, ENDPOINT_EXPIRATION, false, Some(ENDPOINT_WHY));
        self.delay_within("clients.keepalive", &c.keepalive, sane, true, None);
        let errors_before = self.error_count();
        self.delay_within("clients.retry", &c.retry, sane, true, None);
        self.delay_within("clients.retry_max", &c.retry_max, sane, true, None);
        // The shortest possible retry_max against the longest possible retry.
        if let (Some((_, retry)), Some((max, _)), true) =
            (bounds(&c.retry), bounds(&c.retry_max), self.error_count() == errors_before)
        {
            if max < retry {
                let fixed = |v: &TimeValue| bounds(v).is_some_and(|(low, high)| low == high);
                let message = if fixed(&c.retry) && fixed(&c.retry_max) {
                    format!(
                        "clients.retry_max {} is shorter than clients.retry {}",
                        format_duration(max),
                        format_duration(retry)
                    )
                } else {
                    format!(
                        "clients.retry_max can be {}, shorter than clients.retry, which can be {}",
                        format_duration(max),
                        format_duration(retry)
                    )
                };
                let mut help = "the retry delay doubles from retry up to retry_max".to_string();
                if self.written("clients.retry_max").is_none() {
                    help += &format!("; retry_max is not written and defaults to {}", format_duration(max));
                }
                self.error_near("clients.retry_max", &["clients.retry"], message).help = Some(help);
            }
        }
        if c.batch.0 > MAX_CLIENT_BATCH {
            self.error(
                "clients.batch",
                format!(
                    "clients.batch {} is longer than {}: client timings would lose their meaning",
                    format_duration(c.batch.0),
                    format_duration(MAX_CLIENT_BATCH)
                ),
            )
            .help = Some("use a window of a few seconds at most, or 0 for exact timing".into());
        }
        if !(0.0..=1.0).contains(&c.retry_jitter) {
            self.error(
                "clients.retry_jitter",
                format!("clients.retry_jitter must be within 0..=1, not {}", c.retry_jitter),
            );
        }
        // NaN fails `contains` too.
        if !(0.0..=1.0).contains(&c.backup_registrar_known) {
            self.error(
                "clients.backup_registrar_known",
                format!(
                    "clients.backup_registrar_known must be a share within 0..=1, not {}",
                    c.backup_registrar_known
                ),
            )
            .help = Some(
                "the share of clients that hold their backup registrar: 1.0 when DNS SRV records point at \
                 the backup pool or clients sign in through a Director, 0.0 when they sign in straight to \
                 their home pool without them"
                    .to_string(),
            );
        }
        ClientsConfig {
            refresh: time_value(&c.refresh),
            keepalive: time_value(&c.keepalive),
            retry: time_value(&c.retry),
            retry_max: time_value(&c.retry_max),
            retry_jitter: c.retry_jitter,
            backup_registrar_known: c.backup_registrar_known,
            batch: c.batch.0,
        }
    }

    /// The feature matrix's overrides (a feature listed twice is a warning).
    pub(super) fn features(&mut self, f: &raw::Features) -> FeatureMatrix {
        let mut matrix = FeatureMatrix::default();
        let lists = [
            (ClientState::Full, &f.full, "full"),
            (ClientState::Resiliency, &f.resiliency, "resiliency"),
            (ClientState::FailedOver, &f.failed_over, "failed_over"),
        ];
        for (state, list, field) in lists {
            let Some(list) = list else { continue };
            let features: Vec<Feature> = list.to_vec();
            for (k, f) in features.iter().enumerate() {
                if features[..k].contains(f) {
                    self.warning(
                        &format!("features.{field}[{k}]"),
                        format!("features.{field} lists {} twice", f.column()),
                    );
                }
            }
            matrix.set(state, &features);
        }
        matrix
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::model::Delay;

    /// A batch window of a second loads (one longer than a minute: fixture
    /// client-batch-too-long).
    #[test]
    fn client_batch_windows_are_bounded() {
        let source = two_pools(PAIR, FAULT).replace("horizon:", "clients: Clients(batch: \"1s\"), horizon:");
        assert_eq!(ok(&source).config.clients.batch, SimTime::from_secs(1));
    }

    #[test]
    fn backup_service_batches() {
        let source = two_pools(PAIR, FAULT).replace(
            "    events:",
            "    backup_service: BackupService(changes_per_user_per_hour: 0.5, max_batches_per_sync: 10, changes_per_batch: 7),\n    events:",
        );
        let c = ok(&source).config;
        assert_eq!(c.backup_service.changes_per_user_per_hour, 0.5);
        assert_eq!(c.backup_service.changes_per_sync, 70.0);
        // A negative rate and empty batches: fixture backup-service-batches.
    }

    #[test]
    fn timings_convert_to_delays() {
        let source = two_pools(PAIR, FAULT).replace(
            "    events:",
            "    timing: Timing(cms_replication: Exponential(mean: \"2m\"), full_backup: Some(Uniform(min: 10, max: 20)),\n        \
             quorum_loss_recovery: LogNormal(median: \"10m\", sigma: 0.5), sql_mirror_failover: Weibull(shape: 1.5, scale: \"1m\"),\n        \
             steady_state_backup: Fixed(\"30s\")),\n    features: Features(resiliency: [im], failed_over: []),\n    events:",
        );
        let c = ok(&source).config;
        assert_eq!(c.timing.cms_replication, Delay::Exponential { mean_s: 120.0 });
        assert_eq!(c.timing.full_backup, Some(Delay::Uniform { min_s: 10.0, max_s: 20.0 }));
        assert_eq!(c.timing.quorum_loss_recovery, Delay::LogNormal { median_s: 600.0, sigma: 0.5 });
        assert_eq!(c.timing.sql_mirror_failover, Delay::Weibull { shape: 1.5, scale_s: 60.0 });
        assert_eq!(c.timing.steady_state_backup, Some(Delay::secs(30)));
        assert!(c.features.has(ClientState::Full, Feature::CallPark));
        assert!(c.features.has(ClientState::Resiliency, Feature::Im));
        assert!(!c.features.has(ClientState::Resiliency, Feature::Voice));
        assert!(!c.features.has(ClientState::FailedOver, Feature::Im));
    }

    /// retry_max may not be shorter than retry at their extremes (fixtures retry-max-uniform
    /// and retry-max-default); an unbounded retry is not compared.
    #[test]
    fn retry_max_is_compared_with_retry_at_their_extremes() {
        ok(&with_fields(
            "clients: Clients(retry: Uniform(min: \"1m\", max: \"3m\"), retry_max: Uniform(min: \"3m\", max: \"10m\"))",
        ));
        ok(&with_fields("clients: Clients(retry: Exponential(mean: \"10m\"), retry_max: \"1m\")"));
    }
}
