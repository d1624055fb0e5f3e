//! Mutated scenario files (the corpus starts from every scenario, bench scenario and test
//! fixture) through the full load and validation; every diagnostic is rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lyncsim::scenario;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match scenario::load_str("fuzz.ron", text) {
        Ok(loaded) => {
            let _ = loaded.render_warnings();
            assert!(loaded.warnings.iter().all(|d| !d.is_error()), "an error among the warnings");
            let config = &loaded.config;
            assert!(config.horizon.as_millis() > 0);
            assert!(config.sample_every.as_millis() > 0);
            assert!((config.cms_pool.0 as usize) < config.pools.len());
            for pool in &config.pools {
                assert!((pool.site.0 as usize) < config.sites.len());
                assert!(pool.backup.is_none_or(|b| (b.0 as usize) < config.pools.len()));
            }
        }
        Err(failed) => {
            assert!(failed.error_count() > 0, "a failed load without an error");
            let _ = failed.render();
        }
    }
});
