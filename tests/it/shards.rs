//! Shards and merge (README.md#beyond-one-machine-shards-and-merge): split replications
//! across processes, merge them back into exactly the bytes of one run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{bin, tempdir};

/// A stochastic pair over 30 days, 23 replications (not a multiple of the shard counts).
const SCENARIO: &str = r#"Scenario(
    name: "sharded",
    seed: 11,
    replications: 23,
    horizon: "30d",
    sample_every: "1h",
    sites: [ Site(name: "dc1"), Site(name: "dc2") ],
    pools: [
        Pool(fqdn: "a.contoso.com", site: "dc1", users: 100, backup_pool: Some("b.contoso.com")),
        Pool(fqdn: "b.contoso.com", site: "dc2", users: 60, backup_pool: Some("a.contoso.com")),
    ],
    failures: [
        Random(target: Pool(pool: "a.contoso.com"), mtbf: Exponential(mean: "300h"), mttr: Exponential(mean: "5h")),
        Random(target: Pool(pool: "b.contoso.com"), mtbf: Weibull(shape: 1.5, scale: "400h"), mttr: Uniform(min: "1h", max: "9h")),
    ],
    administrator: Some(Administrator(failover_after: Some(Exponential(mean: "20m")), disaster_mode: true, failback_after: Some("30m"))),
)"#;

const FILES: [&str; 8] = [
    "summary.json",
    "timeseries.csv",
    "events.csv",
    "replications.csv",
    "availability.svg",
    "availability.png",
    "distribution.svg",
    "distribution.png",
];

fn setup(name: &str) -> (PathBuf, String) {
    let dir = tempdir(name);
    let path = dir.join("sharded.ron");
    std::fs::write(&path, SCENARIO).unwrap();
    (dir, path.to_str().unwrap().to_string())
}

fn ok(args: &[&str]) {
    let o = Command::new(bin()).args(args).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "lyncsim {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

fn fails(args: &[&str]) -> String {
    let o = Command::new(bin()).args(args).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "lyncsim {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn same_files(a: &Path, b: &Path) {
    for f in FILES {
        let (x, y) = (std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap());
        assert!(x == y, "{f} differs between {} and {}", a.display(), b.display());
    }
}

/// Four shards as four processes at once (as a job array would run them), merged: the
/// same bytes as one unsharded run; two shards too.
#[test]
fn four_shards_in_separate_processes_merge_into_the_bytes_of_one_run() {
    let (dir, scenario) = setup("shards-four");
    let whole = dir.join("whole");
    ok(&["run", &scenario, "--quiet", "--out", whole.to_str().unwrap()]);

    let parts = dir.join("parts");
    let children: Vec<_> = (0..4)
        .map(|k| {
            Command::new(bin())
                .args(["run", &scenario, "--quiet", "--jobs", "1", "--shard", &format!("{k}/4"), "--out"])
                .arg(&parts)
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let shards: Vec<String> =
        (0..4).map(|k| parts.join(format!("sharded.shard-{k}-of-4")).to_str().unwrap().to_string()).collect();
    let rows = std::fs::read_to_string(parts.join("sharded.shard-1-of-4/replications.csv")).unwrap();
    let firsts: Vec<&str> = rows.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(firsts, ["1", "5", "9", "13", "17", "21"], "shard K runs K, K+N, ...");
    let merged = dir.join("merged");
    let mut args = vec!["merge", "--quiet", "--out", merged.to_str().unwrap()];
    // In any order.
    args.extend(shards.iter().rev().map(String::as_str));
    ok(&args);
    same_files(&whole.join("sharded"), &merged.join("sharded"));

    let two = dir.join("two");
    for k in 0..2 {
        ok(&["run", &scenario, "--quiet", "--shard", &format!("{k}/2"), "--out", two.to_str().unwrap()]);
    }
    let merged2 = dir.join("merged2");
    ok(&[
        "merge",
        "--quiet",
        two.join("sharded.shard-0-of-2").to_str().unwrap(),
        two.join("sharded.shard-1-of-2").to_str().unwrap(),
        "--out",
        merged2.to_str().unwrap(),
    ]);
    same_files(&whole.join("sharded"), &merged2.join("sharded"));
}

#[test]
fn incomplete_or_mismatched_shards_are_refused_with_the_reason() {
    let (dir, scenario) = setup("shards-bad");
    let out = dir.join("parts");
    let o = out.to_str().unwrap();
    for k in 0..3 {
        ok(&["run", &scenario, "--quiet", "--shard", &format!("{k}/3"), "--out", o]);
    }
    ok(&["run", &scenario, "--quiet", "--seed", "12", "--shard", "2/3", "--out", &format!("{o}/seed12")]);
    let shard = |k: u32| out.join(format!("sharded.shard-{k}-of-3")).to_str().unwrap().to_string();
    let merged = dir.join("merged");
    let m = merged.to_str().unwrap();

    let err = fails(&["merge", &shard(0), &shard(2), "--out", m]);
    assert!(err.contains("shard is 1 of 3 missing (have 0, 2)"), "{err}");
    let other = out.join("seed12/sharded.shard-2-of-3");
    let err = fails(&["merge", &shard(0), &shard(1), other.to_str().unwrap(), "--out", m]);
    assert!(err.contains("has seed 12 but") && err.contains("has 11"), "{err}");
    let err = fails(&["merge", &shard(0), &shard(1), &shard(1), "--out", m]);
    assert!(err.contains("are both shard 1 of 3"), "{err}");
    let single = dir.join("single.ron");
    std::fs::write(&single, SCENARIO.replace("replications: 23,", "")).unwrap();
    let err = fails(&["run", single.to_str().unwrap(), "--shard", "0/2", "--out", o]);
    assert!(err.contains("--shard splits the replications") && err.contains("has one"), "{err}");
    let err = fails(&["merge", dir.to_str().unwrap(), "--out", m]);
    assert!(err.contains("not a shard folder"), "{err}");
    assert!(!merged.exists(), "nothing is written when a merge is refused");

    // A shard from an edited scenario (the hash differs).
    std::fs::write(&scenario, SCENARIO.replace("users: 60", "users: 61")).unwrap();
    ok(&["run", &scenario, "--quiet", "--shard", "1/3", "--out", &format!("{o}/edited")]);
    let edited = out.join("edited/sharded.shard-1-of-3");
    let err = fails(&["merge", &shard(0), edited.to_str().unwrap(), &shard(2), "--out", m]);
    assert!(err.contains("scenario hash"), "{err}");
}

#[test]
fn shard_auto_reads_slurm_and_kubernetes_indexes() {
    let (dir, scenario) = setup("shards-auto");
    let out = dir.join("auto");
    let run = |envs: &[(&str, &str)], extra: &[&str]| {
        let mut cmd = Command::new(bin());
        cmd.args(["run", &scenario, "--quiet", "--shard", "auto", "--out", out.to_str().unwrap()])
            .args(extra);
        for var in
            ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT", "JOB_COMPLETION_INDEX"]
        {
            cmd.env_remove(var);
        }
        cmd.envs(envs.iter().copied()).output().unwrap()
    };
    let o = run(
        &[("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "3")],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("sharded.shard-1-of-3/shard.json").is_file());
    let o = run(&[("JOB_COMPLETION_INDEX", "3")], &["--shard-count", "4"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("sharded.shard-3-of-4/shard.json").is_file());
    let o = run(&[("JOB_COMPLETION_INDEX", "3")], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--shard-count"));
    let o = run(&[], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX")
    );
}

/// A job array with more tasks than a study has replications (issue 16, item 4): the tasks
/// past the last replication write empty shards, and the merge of all of them is the bytes
/// of one run, so no compute is spent on shards `merge` would refuse. Slurm's
/// `SLURM_ARRAY_TASK_COUNT` above the replications takes the same path.
#[test]
fn more_shards_than_replications_merge_into_one_run() {
    let (dir, scenario) = setup("shards-more");
    let whole = dir.join("whole");
    ok(&["run", &scenario, "--quiet", "--replications", "3", "--out", whole.to_str().unwrap()]);
    let parts = dir.join("parts");
    let p = parts.to_str().unwrap();
    for k in 0..4 {
        ok(&["run", &scenario, "--quiet", "--replications", "3", "--shard", &format!("{k}/5"), "--out", p]);
    }
    let o = Command::new(bin())
        .args(["run", &scenario, "--quiet", "--replications", "3", "--shard", "auto", "--out", p])
        .env_remove("JOB_COMPLETION_INDEX")
        .envs([("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "5")])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let empty = std::fs::read_to_string(parts.join("sharded.shard-4-of-5/replications.csv")).unwrap();
    assert_eq!(empty.lines().count(), 1, "shard 4 of 5 runs no replication: {empty}");
    let merged = dir.join("merged");
    let mut args = vec!["merge", "--quiet", "--out", merged.to_str().unwrap()];
    let shards: Vec<String> =
        (0..5).map(|k| parts.join(format!("sharded.shard-{k}-of-5")).to_str().unwrap().to_string()).collect();
    args.extend(shards.iter().map(String::as_str));
    ok(&args);
    same_files(&whole.join("sharded"), &merged.join("sharded"));
}

/// `--replication K` outside the study is refused before anything runs or is written, by
/// `run` and by `trace`, naming the valid range (issue 16, item 4).
#[test]
fn a_replication_outside_the_study_is_refused_before_any_work() {
    let (dir, scenario) = setup("shards-replication");
    let out = dir.join("out");
    let err = fails(&["run", &scenario, "--replication", "23", "--out", out.to_str().unwrap()]);
    assert!(
        err.contains("--replication 23 is not in") && err.contains("its 23 replications are 0..=22"),
        "{err}"
    );
    let err = fails(&[
        "run",
        &scenario,
        "--replications",
        "3",
        "--replication",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(err.contains("its 3 replications are 0..=2"), "{err}");
    assert!(!out.exists(), "nothing is written");
    let o = Command::new(bin()).args(["trace", &scenario, "--replication", "23"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "no timeline of a replication the study does not have");
    assert!(String::from_utf8_lossy(&o.stderr).contains("0..=22"));
    let o = Command::new(bin()).args(["trace", &scenario, "--replication", "22"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let err = fails(&["run", &scenario, "--shard", "0/1000001", "--out", out.to_str().unwrap()]);
    assert!(err.contains("more than the limit of 1000000"), "{err}");
}

/// `merge` holds every record of its shards: beyond `--max-memory` it is refused before
/// the shards are read, and nothing is written (issue 16, item 5).
#[test]
fn a_merge_beyond_the_memory_budget_is_refused_before_reading() {
    let (dir, scenario) = setup("shards-memory");
    let parts = dir.join("parts");
    for k in 0..2 {
        ok(&["run", &scenario, "--quiet", "--shard", &format!("{k}/2"), "--out", parts.to_str().unwrap()]);
    }
    let shards: Vec<String> =
        (0..2).map(|k| parts.join(format!("sharded.shard-{k}-of-2")).to_str().unwrap().to_string()).collect();
    let merged = dir.join("merged");
    let m = merged.to_str().unwrap();
    let err = fails(&["merge", &shards[0], &shards[1], "--max-memory", "64M", "--out", m]);
    assert!(err.starts_with("error: merging 2 shard folders would hold about "), "{err}");
    assert!(err.contains("more than the memory budget of 64.00 MiB (--max-memory)"), "{err}");
    assert!(!merged.exists(), "nothing is written");
    ok(&["merge", &shards[0], &shards[1], "--quiet", "--out", m]);
    assert!(merged.join("sharded/summary.json").is_file());
}
