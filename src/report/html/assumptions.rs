//! The closing section of `report.html`: the model's main defaults with their sources, and
//! the pool-level quorum table.

use std::fmt::Write as _;

use super::page::esc;

/// (setting, scenario field, default, source): the model's main defaults, from
/// `docs/scenario-reference.md`.
const DEFAULTS: &[(&str, &str, &str, &str)] = &[
    (
        "Sign-in rate",
        "registrations_per_sec",
        "20 per second per running front end",
        "Assumption: no published figure; same order as the Stress and Performance Tool's \
         “12 concurrent logons per second” (L13 JJ945600)",
    ),
    (
        "Client keep-alive",
        "clients.keepalive",
        "300 s",
        "Assumption: the ms-keep-alive timeout=300 of the [MS-SIPREGE] example; no Lync default published",
    ),
    (
        "Registration refresh",
        "clients.refresh",
        "600 s (range 300–900 s)",
        "DefaultEndpointExpiration (PS-Set-CsRegistrarConfiguration)",
    ),
    (
        "Sign-in retry",
        "clients.retry, retry_max, retry_jitter",
        "30 s, doubling to 5 min, ±20\u{a0}%",
        "Assumption",
    ),
    (
        "Voice failover detection",
        "voice_failover.detection",
        "120 s",
        "Topology Builder default (“Automatic failover and failback for Voice”); \
         planning docs say 300 s (L13 Gg398347, SfB-EVR)",
    ),
    ("Voice failback", "voice_failover.failback", "240 s", "Topology Builder default"),
    (
        "Backup Service sync",
        "backup_service.sync_interval",
        "2 min (range 5 s–3 h)",
        "Backup Service default (PS-Set-CsBackupServiceConfiguration)",
    ),
    (
        "User-data changes",
        "backup_service.changes_per_user_per_hour",
        "2 per user per hour; at most 500 batches × 100 changes per sync",
        "Assumption; MaxBatchesPerUserStoreSync 500 (PS-Set-CsBackupServiceConfiguration)",
    ),
    (
        "BackupStoreUnavailableThreshold",
        "timing.backup_store_unavailable_threshold",
        "30 min",
        "PS-Set-CsRegistrarConfiguration; SfB-BE “about 30 minutes”",
    ),
    (
        "Registrar polls after a PoolState change by hand",
        "timing.registrar_poll_failed_pool, registrar_poll_backup_pool",
        "90 s (failed pool), then 30 s (backup pool)",
        "Seed 2 (observed); not confirmed by Microsoft",
    ),
    (
        "Hydration per routing group",
        "timing.hydrate_per_routing_group",
        "10 s",
        "Assumption, calibrated so a 40,000-user pool fails over within Microsoft's RTO \
         (30 min Lync 2013, 15–20 min SfB; docs/model.md#pool-failover)",
    ),
    ("Hydration per user", "timing.hydrate_per_user", "10 ms", "Assumption, calibrated as above"),
    (
        "Cmdlet step",
        "timing.cmdlet_step",
        "5 s",
        "Assumption: each quick step (configuration lookup, PoolState change, service start or stop)",
    ),
    ("CMS failover", "timing.cms_failover", "5 min", "CMS failover RTO (SfB-DR; L13 JJ205376)"),
    (
        "SQL mirror failover",
        "timing.sql_mirror_failover",
        "60 s",
        "Assumption within the documented 5 min target (SfB-BE)",
    ),
    (
        "QuorumLossRecovery",
        "timing.quorum_loss_recovery",
        "30 min",
        "KB-LFM “within 30 minutes” (upper bound)",
    ),
    (
        "Replica rebuild",
        "timing.replica_rebuild",
        "20 min",
        "Assumption: the 20-minute wait between upgrade domains (L13 Gg412996); primaries then move back \
         (assumption, docs/model.md#routing-groups)",
    ),
    (
        "Pool cold start",
        "timing.pool_cold_start",
        "1 h for 80,000 users",
        "KB-FESTART “up to an hour” for a large pool; scaled by the pool's users and the start quorum \
         (~85 %, SfB-FEHA) first: assumption, docs/model.md#cold-start",
    ),
    ("Routing groups", "routing_groups", "one per 1,000 users, at least one per front end", "Assumption"),
    (
        "Front-end capacity",
        "",
        "6,660 users per front end; above it sign-in slows in proportion",
        "6,660: capacity planning docs; the slow-down: assumption (docs/model.md#sign-in-and-capacity)",
    ),
    (
        "MaxUserCount",
        "registrar.max_user_count, registrar_configuration.max_user_count",
        "12,000 users signed in per running front end; further sign-ins are refused and retried",
        "PS-Set-CsRegistrarConfiguration (default, range); per front end: assumption",
    ),
    (
        "Resiliency mode features",
        "features.resiliency",
        "IM, voice (Lync-to-Lync) and PSTN calls (through the serving pool's Mediation)",
        "L13 Gg398347, SfB-EVR, SfB-UX, KB-LFM",
    ),
];

/// Pool-level quorum: (front ends in the pool, front ends that must run).
const QUORUM: &[(&str, &str)] = &[
    ("1 (Standard)", "the server"),
    ("2", "1"),
    ("3–4", "any 2"),
    ("5–6", "any 3"),
    ("7", "any 4"),
    ("8–9", "any 4 of the first 7"),
    ("10–12", "any 5 of the first 9"),
    ("16 (SfB 2019)", "any 7 of the first 12"),
];

/// The "Assumptions and sources" section.
pub(super) fn section(out: &mut String) {
    out.push_str("<section class=\"assumptions\" id=\"assumptions\">\n<h2>Assumptions and sources</h2>\n");
    out.push_str(
        "<p class=\"note\">The model's main defaults; a scenario may change each of them. \
         “Assumption” means Microsoft publishes no number. Sources are abbreviated as in \
         docs/scenario-reference.md.</p>\n",
    );
    out.push_str(
        "<div class=\"scroll\"><table class=\"wide defaults\">\n<thead><tr><th>setting</th><th>default</th>\
         <th>source</th></tr></thead>\n<tbody>\n",
    );
    for (setting, field, default, source) in DEFAULTS {
        let _ = write!(out, "<tr><th>{}", esc(setting));
        if !field.is_empty() {
            // Let long names wrap after a dot or an underscore, never inside a word.
            let field = esc(field).replace('.', ".<wbr>").replace('_', "_<wbr>");
            let _ = write!(out, "<code class=\"field\">{field}</code>");
        }
        let _ = writeln!(out, "</th><td>{}</td><td>{}</td></tr>", esc(default), esc(source));
    }
    out.push_str("</tbody></table></div>\n");
    out.push_str(
        "<div class=\"scroll\"><table>\n<caption>Pool-level quorum (SfB-FEHA; L13 Gg412996)</caption>\n\
         <thead><tr><th>front ends in the pool</th>",
    );
    for (fes, _) in QUORUM {
        let _ = write!(out, "<th class=\"c\">{}</th>", esc(fes));
    }
    out.push_str("</tr></thead>\n<tbody><tr><th>must run</th>");
    for (_, must) in QUORUM {
        let _ = write!(out, "<td class=\"c\">{}</td>", esc(must));
    }
    out.push_str("</tr></tbody></table></div>\n");
    out.push_str(
        "<p class=\"note\">Below quorum every service of the pool stops. A pool with an even number \
         of front ends uses its back end as witness: with exactly half of them running it keeps \
         quorum only while the back end is up.</p>\n</section>\n",
    );
}
