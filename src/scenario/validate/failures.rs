//! Stochastic failures: each `Random` process's target resolved as the corresponding events
//! are (a pool, a front end, a back-end node, a site, a WAN link), and its times between
//! failures and to repair valid distributions within lyncsim's sanity bounds.

use super::{RawPools, Validator};
use crate::model::{Delay, FailureConfig, FailureTarget};
use crate::scenario::duration::Distribution;
use crate::scenario::{limits, raw};

impl Validator<'_> {
    /// Stochastic failures: the target resolved as the corresponding events are, the
    /// distributions checked, and their means within lyncsim's sanity bounds.
    pub(super) fn failures(&mut self, failures: &[raw::Failure], pools: &RawPools<'_>) -> Vec<FailureConfig> {
        let mut resolved = Vec::new();
        if self.over_limit("failures", limits::failures(failures.len())) {
            return resolved;
        }
        for (i, raw::Failure::Random { target, mtbf, mttr }) in failures.iter().enumerate() {
            let path = format!("failures[{i}]");
            let t = format!("{path}.target");
            let target = match target {
                raw::Target::Pool { pool } => {
                    self.pool_ref(&format!("{t}.pool"), pool).map(FailureTarget::Pool)
                }
                raw::Target::FrontEnd { pool, server } => {
                    let id = self.pool_ref(&format!("{t}.pool"), pool);
                    let errors_before = self.error_count();
                    self.server_ref(&format!("{t}.server"), id, *server, pools);
                    id.filter(|_| self.error_count() == errors_before)
                        .map(|id| FailureTarget::FrontEnd(id, *server))
                }
                raw::Target::BackEnd { pool, node } => {
                    let id = self.pool_ref(&format!("{t}.pool"), pool);
                    let errors_before = self.error_count();
                    if let Some(id) = id {
                        let instead = "a FrontEnd(pool, server) target";
                        self.back_end_node(&t, "a BackEnd target", instead, pools[id], *node);
                    }
                    id.filter(|_| self.error_count() == errors_before)
                        .map(|id| FailureTarget::BackEnd(id, *node))
                }
                raw::Target::Site { site } => {
                    self.site_ref(&format!("{t}.site"), site).map(FailureTarget::Site)
                }
                raw::Target::Wan { a, b } => {
                    let errors_before = self.error_count();
                    self.wan(&t, a, b)
                        .filter(|_| self.error_count() == errors_before)
                        .map(|(a, b)| FailureTarget::Wan(a, b))
                }
            };
            let mtbf = self.failure_delay(&format!("{path}.mtbf"), mtbf, limits::mtbf);
            let mttr = self.failure_delay(&format!("{path}.mttr"), mttr, limits::mttr);
            if let Some(target) = target {
                resolved.push(FailureConfig { target, mtbf, mttr });
            }
        }
        resolved
    }

    /// The `mtbf` or `mttr` of a failure: a valid distribution whose mean is within lyncsim's
    /// sanity bound (`bound`: [`limits::mtbf`] or [`limits::mttr`]).
    fn failure_delay(
        &mut self,
        path: &str,
        dist: &Distribution,
        bound: fn(&str, &Delay) -> Option<limits::Exceeded>,
    ) -> Delay {
        let errors_before = self.error_count();
        let delay = self.distribution(path, dist);
        if self.error_count() == errors_before {
            self.over_limit(path, bound(path, &delay));
        }
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::model::{BackEndNode, PoolId, SiteId};
    use crate::scenario::limits::MAX_FAILURES;

    #[test]
    fn random_failures_resolve_to_failure_processes() {
        let (fe03, fe04) = (PoolId(0), PoolId(1));
        let failures = [
            random("Pool(pool: \"fe04\")"),
            random("FrontEnd(pool: \"fe03\", server: 2)"),
            random("BackEnd(pool: \"fe03\", node: Witness)"),
            random("BackEnd(pool: \"fe04\", node: Mirror)"),
            random("Site(site: \"dc2\")"),
            random("Wan(a: \"dc2\", b: \"dc1\")"),
            "Random(target: Pool(pool: \"fe03\"), mtbf: Weibull(shape: 1.5, scale: \"1000h\"), \
             mttr: Uniform(min: \"1h\", max: \"3h\"))"
                .to_string(),
            "Random(target: Pool(pool: \"fe03\"), mtbf: Fixed(\"30d\"), mttr: LogNormal(median: \"4h\", sigma: 0.6))"
                .to_string(),
        ];
        let failures: Vec<&str> = failures.iter().map(String::as_str).collect();
        let loaded = ok(&with_failures(EE_PAIR, &failures));
        assert_eq!(loaded.render_warnings(), "");
        let c = loaded.config;
        let targets: Vec<FailureTarget> = c.failures.iter().map(|f| f.target).collect();
        assert_eq!(
            targets,
            vec![
                FailureTarget::Pool(fe04),
                FailureTarget::FrontEnd(fe03, 2),
                FailureTarget::BackEnd(fe03, BackEndNode::Witness),
                FailureTarget::BackEnd(fe04, BackEndNode::Mirror),
                FailureTarget::Site(SiteId(1)),
                FailureTarget::Wan(SiteId(1), SiteId(0)),
                FailureTarget::Pool(fe03),
                FailureTarget::Pool(fe03),
            ]
        );
        assert_eq!(c.failures[0].mtbf, Delay::Exponential { mean_s: 4000.0 * 3600.0 });
        assert_eq!(c.failures[0].mttr, Delay::secs(4 * 3600));
        assert_eq!(c.failures[6].mtbf, Delay::Weibull { shape: 1.5, scale_s: 1000.0 * 3600.0 });
        assert_eq!(c.failures[6].mttr, Delay::Uniform { min_s: 3600.0, max_s: 3.0 * 3600.0 });
        assert_eq!(c.failures[7].mtbf, Delay::secs(30 * 86_400));
        assert_eq!(c.failures[7].mttr, Delay::LogNormal { median_s: 4.0 * 3600.0, sigma: 0.6 });
        // The scripted events are unchanged; no administrator unless written.
        assert_eq!(c.events.len(), 1);
        assert_eq!(c.administrator, None);
        // None at all.
        assert!(ok(&two_pools(PAIR, FAULT)).config.failures.is_empty());
    }

    #[test]
    fn failure_distributions_are_checked() {
        let failure = |mtbf: &str, mttr: &str| {
            with_failures(
                PAIR,
                &[&format!("Random(target: Pool(pool: \"fe03\"), mtbf: {mtbf}, mttr: {mttr})")],
            )
        };
        assert_eq!(
            errors(&failure("Exponential(mean: 0)", "Weibull(shape: 0.0, scale: \"1h\")")),
            vec![
                (
                    "failures[0].mtbf.mean".to_string(),
                    "the mean of failures[0].mtbf must be longer than zero".to_string()
                ),
                (
                    "failures[0].mttr.shape".to_string(),
                    "the shape of failures[0].mttr must be a positive number, not 0".to_string()
                ),
            ]
        );
        assert_eq!(
            errors(&failure("Uniform(min: \"2h\", max: \"1h\")", "Fixed(0)")),
            vec![
                (
                    "failures[0].mtbf".to_string(),
                    "failures[0].mtbf has min 2h larger than max 1h".to_string()
                ),
                ("failures[0].mttr".to_string(), "failures[0].mttr must be longer than zero".to_string()),
            ]
        );
        assert_eq!(
            errors(&failure("LogNormal(median: \"1h\", sigma: -1.0)", "Fixed(\"1h\")")),
            vec![(
                "failures[0].mtbf.sigma".to_string(),
                "the sigma of failures[0].mtbf must be a number of at least 0, not -1".to_string()
            )]
        );
    }

    #[test]
    fn failure_processes_are_capped() {
        let one =
            "Random(target: Pool(pool: \"fe03\"), mtbf: Exponential(mean: \"1000h\"), mttr: Fixed(\"1h\"))";
        let many: Vec<&str> = vec![one; MAX_FAILURES + 1];
        assert_eq!(
            errors(&with_failures(PAIR, &many)),
            vec![(
                "failures".to_string(),
                "the scenario has 10,001 failure processes, more than lyncsim's limit of 10,000".to_string()
            )]
        );
    }

    #[test]
    fn failures_must_not_be_too_frequent() {
        let failure = |mtbf: &str, mttr: &str| {
            with_failures(
                PAIR,
                &[&format!("Random(target: Pool(pool: \"fe03\"), mtbf: {mtbf}, mttr: {mttr})")],
            )
        };
        // Exponential(mean: "10s") in full: fixture failure-too-frequent.
        let unbounded = |what: &str, value: &str| {
            (
                "failures[0].mtbf".to_string(),
                format!(
                    "failures[0].mtbf has a {what} of {value}, shorter than 1m: failures that frequent would make \
                     the run unbounded"
                ),
            )
        };
        let short_repair = |what: &str, value: &str| {
            (
                "failures[0].mttr".to_string(),
                format!("failures[0].mttr has a {what} of {value}, shorter than lyncsim's lower bound of 1s for a repair"),
            )
        };
        // The mean of each distribution: Fixed d, Uniform (min+max)/2, LogNormal
        // median*exp(sigma^2/2), Weibull its scale.
        assert_eq!(
            errors(&failure("Fixed(\"59s\")", "Fixed(\"999ms\")")),
            vec![unbounded("mean", "59s"), short_repair("mean", "999ms")]
        );
        assert_eq!(
            errors(&failure("Uniform(min: 0, max: \"1m\")", "Uniform(min: 0, max: \"1s\")")),
            vec![unbounded("mean", "30s"), short_repair("mean", "500ms")]
        );
        assert_eq!(
            errors(&failure(
                "LogNormal(median: \"30s\", sigma: 1.0)",
                "LogNormal(median: \"500ms\", sigma: 0.5)"
            )),
            vec![unbounded("mean", "49.462s"), short_repair("mean", "567ms")]
        );
        assert_eq!(
            errors(&failure("Weibull(shape: 0.5, scale: \"59s\")", "Weibull(shape: 2.0, scale: \"900ms\")")),
            vec![unbounded("scale", "59s"), short_repair("scale", "900ms")]
        );
        // At the bounds, and means above them from parameters below them.
        ok(&failure("Fixed(\"1m\")", "Fixed(\"1s\")"));
        ok(&failure("Exponential(mean: 60)", "Exponential(mean: 1)"));
        ok(&failure("Uniform(min: 0, max: \"2m\")", "Uniform(min: \"500ms\", max: \"1.5s\")"));
        ok(&failure("LogNormal(median: \"40s\", sigma: 1.0)", "LogNormal(median: \"700ms\", sigma: 1.0)"));
        ok(&failure("Weibull(shape: 1.0, scale: \"1m\")", "Weibull(shape: 3.0, scale: \"1s\")"));
    }

    #[test]
    fn failures_of_servers_and_back_ends_strike_their_pool() {
        let pools = EE_PAIR.replacen(
            "front_ends: 3, back_end: Mirrored(witness: false)",
            "front_ends: 4, back_end: Single",
            1,
        );
        let warned = |target: &str| -> Vec<String> {
            ok(&with_failures(&pools, &[&random(target)]))
                .warnings
                .iter()
                .map(|d| d.path.clone().unwrap())
                .collect()
        };
        assert_eq!(warned("FrontEnd(pool: \"fe04\", server: 3)"), vec!["pools[1].front_ends".to_string()]);
        assert_eq!(
            warned("BackEnd(pool: \"fe04\", node: Principal)"),
            vec!["pools[1].front_ends".to_string()]
        );
        assert!(warned("Pool(pool: \"fe04\")").is_empty());
        assert!(warned("FrontEnd(pool: \"fe03\", server: 0)").is_empty());
    }
}
