//! `report.html` from the committed results, opened by a headless Chromium when there is one.
//!
//! Without Chromium (`/usr/bin/chromium`, else `chromium` on the `PATH`) the browser part is
//! skipped, unless `LYNCSIM_REQUIRE_CHROMIUM` is set (`.ci/run` sets it after installing
//! Chromium): then a missing browser fails the test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use lyncsim::report::html::{render, Report, ScenarioPart};

use crate::support::tempdir;

/// `/usr/bin/chromium` (Debian's package), else `chromium` on the `PATH`.
fn find_chromium() -> Option<PathBuf> {
    let usual = PathBuf::from("/usr/bin/chromium");
    if usual.is_file() {
        return Some(usual);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("chromium")).find(|p| p.is_file())
}

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("reading {}: {e}", full.display()))
}

struct Inputs {
    name: &'static str,
    description: String,
    file: String,
    source: String,
    summary: String,
    svg: String,
    /// `distribution.svg` of a replicated run.
    distribution: Option<String>,
}

impl Inputs {
    fn read(name: &'static str) -> Self {
        let file = format!("scenarios/{name}.ron");
        let summary = read(&format!("results/{name}/summary.json"));
        let v: serde_json::Value = serde_json::from_str(&summary).unwrap();
        Inputs {
            name,
            description: v["description"].as_str().unwrap_or_default().to_string(),
            source: read(&file),
            file,
            summary,
            svg: read(&format!("results/{name}/availability.svg")),
            distribution: std::fs::read_to_string(format!("results/{name}/distribution.svg")).ok(),
        }
    }

    fn part(&self) -> ScenarioPart<'_> {
        ScenarioPart {
            name: self.name,
            description: &self.description,
            source: &self.source,
            file: &self.file,
            summary_json: &self.summary,
            chart_svg: Some(&self.svg),
            distribution_svg: self.distribution.as_deref(),
        }
    }
}

/// A report of a single run, a replicated one and a run with failovers (one an
/// administrator error), with a comparison table.
fn page() -> String {
    let single = Inputs::read("se-pair-voice-resiliency");
    let replicated = Inputs::read("year-se-pair-random");
    let failovers = Inputs::read("seed1-disaster-mode");
    let report = Report {
        title: "lyncsim report",
        kind: "run",
        version: env!("CARGO_PKG_VERSION"),
        tables: vec![(
            "Availability by scenario".into(),
            vec!["scenario".into(), "voice".into(), "presence".into()],
            vec![
                vec![single.name.into(), "99.420 %".into(), "82.633 %".into()],
                vec![replicated.name.into(), "99.998 %".into(), "99.984 %".into()],
            ],
        )],
        figures: vec![],
        scenarios: vec![single.part(), replicated.part(), failovers.part()],
    };
    render(&report)
}

/// Runs a command, killing it after `limit`.
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start chromium");
    let start = Instant::now();
    // Read stdout on a thread so a large DOM cannot block the browser on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).ok();
        buf
    });
    loop {
        if let Some(_status) = child.try_wait().unwrap() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let stdout = reader.join().unwrap();
    let mut output = child.wait_with_output().unwrap();
    output.stdout = stdout;
    output
}

fn chromium(browser: &Path, dir: &Path, extra: &[String]) -> Output {
    let mut cmd = Command::new(browser);
    cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        // The page must need no network: make every host name unresolvable.
        .arg("--host-resolver-rules=MAP * ~NOTFOUND")
        .args(extra);
    let output = run_with_timeout(&mut cmd, Duration::from_secs(180));
    assert!(
        output.status.success(),
        "chromium failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn report_html_renders_in_headless_chromium() {
    let html = page();
    // Deterministic: the same inputs give the same bytes.
    assert_eq!(html, page());
    for banned in ["<link", "<script", "<img", "@import"] {
        assert!(!html.contains(banned), "found {banned}");
    }
    assert!(html.contains("se-pair-voice-resiliency") && html.contains("year-se-pair-random"));
    // Three availability charts and the replicated run's distribution chart.
    assert_eq!(html.matches("<svg").count(), 4);
    assert!(html.contains("Distribution over replications"));
    assert!(html.contains("pool is unreachable; use -DisasterMode"));

    let dir = tempdir("html");
    let file: PathBuf = dir.join("report.html");
    std::fs::write(&file, &html).unwrap();
    let url = format!("file://{}", file.display());

    let Some(browser) = find_chromium() else {
        assert!(
            std::env::var_os("LYNCSIM_REQUIRE_CHROMIUM").is_none(),
            "LYNCSIM_REQUIRE_CHROMIUM is set but chromium is missing (neither /usr/bin/chromium nor on PATH)"
        );
        eprintln!(
            "html: headless chromium check skipped (no chromium found); report.html written to {} but not opened",
            file.display()
        );
        return;
    };

    let dom = chromium(&browser, &dir, &["--dump-dom".into(), url.clone()]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    for expected in ["se-pair-voice-resiliency", "year-se-pair-random", "availability", "<svg", "</html>"] {
        assert!(dom.contains(expected), "the DOM lacks {expected:?}:\n{}", &dom[..dom.len().min(2000)]);
    }
    // The scenario text stayed text: its <details> is the only one per scenario.
    assert_eq!(dom.matches("<details").count(), 3);

    let shot = dir.join("shot.png");
    chromium(
        &browser,
        &dir,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".into(),
            "--hide-scrollbars".into(),
            url,
        ],
    );
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", shot.display()));
    assert!(png.len() > 10_000, "screenshot too small: {} bytes", png.len());
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    eprintln!("report.html rendered by chromium; screenshot at {}", shot.display());
}
