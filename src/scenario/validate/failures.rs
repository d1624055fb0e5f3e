//! Stochastic failures: each `Random` process's target resolved as the corresponding events
//! are (a pool, a front end, a back-end node, a site, a WAN link), and its times between
//! failures and to repair valid distributions within lyncsim's sanity bounds.

use super::Validator;
use crate::model::config::{Delay, FailureConfig, FailureTarget};
use crate::scenario::duration::Distribution;
use crate::scenario::{limits, raw};

impl Validator<'_> {
    /// Stochastic failures: the target resolved as the corresponding events are, the
    /// distributions checked, and their means within lyncsim's sanity bounds.
    pub(super) fn failures(&mut self, failures: &[raw::Failure], pools: &[raw::Pool]) -> Vec<FailureConfig> {
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
                        self.back_end_node(&t, "a BackEnd target", instead, &pools[id.0 as usize], *node);
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
