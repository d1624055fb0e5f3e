//! Same scenario and seed, same bytes; different seeds, different bytes.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use crate::support::{pair, run};

fn digest(seed: u64) -> String {
    let src = pair(
        "Lync2013",
        800,
        1200,
        "",
        r#"At("30m", PoolDown(pool: "b.contoso.com")), At("2h", PoolUp(pool: "b.contoso.com"))"#,
        "",
    )
    .replace("seed: 5", &format!("seed: {seed}"));
    let r = run(&src);
    let mut h = Sha256::new();
    h.update(lyncsim::report::timeseries_csv(&r).unwrap());
    h.update(lyncsim::report::events_csv(&r).unwrap());
    h.update(lyncsim::report::summary_json(&r));
    format!("{:x}", h.finalize())
}

#[test]
fn nine_runs_with_seeds_i_div_3_give_exactly_three_digests() {
    let digests: Vec<String> = (0..9).map(|i| digest(i / 3)).collect();
    let distinct: BTreeSet<&String> = digests.iter().collect();
    assert_eq!(distinct.len(), 3, "{digests:#?}");
    for i in 0..9 {
        assert_eq!(digests[i], digests[i / 3 * 3]);
    }
}
