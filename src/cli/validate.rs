//! `lyncsim validate`: load and check scenarios, and say what each holds.

use super::args::ValidateArgs;
use super::error::CliError;
use super::load::load_all;
use crate::scenario::Loaded;

fn describe(l: &Loaded) -> String {
    let c = &l.config;
    format!(
        "{}: ok: {} ({}), {} site(s), {} pool(s), {} users, {} event(s), horizon {} s",
        l.label,
        c.name,
        c.product.name(),
        c.sites.len(),
        c.pools.len(),
        c.total_users(),
        c.events.len(),
        c.horizon.as_millis() / 1000
    )
}

/// Run `lyncsim validate`.
pub fn validate(args: ValidateArgs) -> Result<(), CliError> {
    let loaded = load_all(&args.scenarios)?;
    for l in &loaded {
        say!("{}", describe(l));
    }
    Ok(())
}
