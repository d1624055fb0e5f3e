//! Writing a results folder safely: everything goes to a temporary folder beside the
//! target, `OUT/.NAME.tmp-PID`, which then replaces the target by renames. A failure at any
//! point, or a kill, leaves the previous results untouched; nothing is written outside
//! `--out`.
//!
//! On Unix the temporary folder is locked (`flock`) for as long as its run lives, and the
//! swap of the old and new folders is serialised by a lock on `OUT` itself, so that two runs
//! writing into one `--out` do not interleave their renames. The next run into the same
//! `--out` removes the temporary folders of runs that died (their lock is free), and puts
//! back a previous results folder a run killed in the middle of its swap had moved aside.
//!
//! Before any work, [`check_targets`] makes sure that every folder a command will replace
//! is one of ours.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Component, Path, PathBuf};

use super::error::CliError;
use crate::report::folder::Body;
use crate::report::ReportError;

fn io_err(what: &'static str, path: &Path, e: std::io::Error) -> CliError {
    CliError::Io { what, path: path.to_path_buf(), source: e }
}

/// Whether `name` is one plain folder name: not empty, not `.` or `..`, no separator, no
/// drive, not hidden (hidden names are the staging folders').
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':', '\0'])
        && matches!(Path::new(name).components().collect::<Vec<_>>()[..], [Component::Normal(_)])
}

/// Whether `file` is a relative path of plain names (`a.csv`, `scenario/summary.json`).
fn is_plain_file(file: &str) -> bool {
    !file.is_empty() && file.split('/').all(is_plain_name)
}

/// A folder opened for locking, where the platform allows it (Unix); `None` elsewhere.
fn open_dir(path: &Path) -> Option<File> {
    if cfg!(unix) {
        File::open(path).ok()
    } else {
        None
    }
}

/// A results folder being written: its temporary folder exists and is locked from
/// [`Staging::begin`] until [`Staging::finish`] renames it into place, or until it is
/// dropped, which removes it.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    name: String,
    tmp: PathBuf,
    /// Holds the lock that tells other runs this temporary folder is alive.
    _lock: Option<File>,
    done: bool,
}

impl Staging {
    /// Create `out` if needed, remove the leftovers of dead runs, and create and lock the
    /// temporary folder of `out/name`.
    pub fn begin(out: &Path, name: &str) -> Result<Staging, CliError> {
        if !is_plain_name(name) {
            return Err(CliError::FolderName(name.to_string()));
        }
        fs::create_dir_all(out).map_err(|e| io_err("cannot create", out, e))?;
        remove_dead_temporaries(out);
        let tmp = out.join(format!(".{name}.tmp-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir(&tmp).map_err(|e| io_err("cannot create", &tmp, e))?;
        let lock = open_dir(&tmp);
        if let Some(f) = &lock {
            let _ = f.lock();
        }
        Ok(Staging { out: out.to_path_buf(), name: name.to_string(), tmp, _lock: lock, done: false })
    }

    /// The temporary folder.
    #[cfg(test)]
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Write `files` into the temporary folder and put it in place of `out/name`, replacing
    /// any previous folder of that name. A file name may name a subfolder
    /// (`scenario/summary.json`). A streamed body (`timeseries.csv`) is rendered into its
    /// file through a buffer, never held whole.
    pub fn finish<N: AsRef<str>>(mut self, files: &[(N, Body<'_>)]) -> Result<PathBuf, CliError> {
        for (file, body) in files {
            let file = file.as_ref();
            if !is_plain_file(file) {
                return Err(CliError::OutsideFolder(file.to_string()));
            }
            let path = self.tmp.join(file);
            if let Some(parent) = path.parent().filter(|p| !p.exists()) {
                fs::create_dir_all(parent).map_err(|e| io_err("cannot create", parent, e))?;
            }
            write_file(&path, body)?;
        }
        // The swap, one run at a time.
        let out_lock = open_dir(&self.out);
        if let Some(f) = &out_lock {
            let _ = f.lock();
        }
        restore_moved_aside(&self.out);
        let target = self.out.join(&self.name);
        let old = self.out.join(format!(".{}.old-{}", self.name, std::process::id()));
        let had_old = target.exists();
        if had_old {
            fs::rename(&target, &old).map_err(|e| io_err("cannot move aside", &target, e))?;
        }
        if let Err(e) = fs::rename(&self.tmp, &target) {
            if had_old {
                let _ = fs::rename(&old, &target);
            }
            return Err(io_err("cannot move into place", &target, e));
        }
        self.done = true;
        if had_old {
            let _ = fs::remove_dir_all(&old);
        }
        Ok(target)
    }
}

/// Write `body` as the file `path`; a failure to write names the path.
fn write_file(path: &Path, body: &Body<'_>) -> Result<(), CliError> {
    let cannot = |e| io_err("cannot write", path, e);
    let mut w = BufWriter::new(File::create(path).map_err(cannot)?);
    body.write_to(&mut w).map_err(|e| match e {
        ReportError::Io(e) => cannot(e),
        e => CliError::Report(e),
    })?;
    w.flush().map_err(cannot)
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Write `files` as `out/name/`, replacing any previous folder of that name (see
/// [`Staging`]).
pub fn write_results<N: AsRef<str>>(
    out: &Path,
    name: &str,
    files: &[(N, Body<'_>)],
) -> Result<PathBuf, CliError> {
    Staging::begin(out, name)?.finish(files)
}

/// Before any work: every results folder we will replace (`dir/name`) must be one of ours
/// (a `summary.json`, or nothing but `replication-K` folders, or empty), and its parent a
/// folder we can create and write into (a probe folder is made and removed), so a run never
/// deletes anything else and never spends its compute before finding `--out` unwritable.
pub fn check_targets(targets: &[(PathBuf, String)]) -> Result<(), CliError> {
    for (out, name) in targets {
        std::fs::create_dir_all(out).map_err(|source| CliError::CreateOut { dir: out.clone(), source })?;
        let probe = out.join(format!(".lyncsim-probe-{}", std::process::id()));
        fs::create_dir(&probe)
            .and_then(|()| fs::remove_dir(&probe))
            .map_err(|source| CliError::Unwritable { dir: out.clone(), source })?;
        let target = out.join(name);
        if target.is_file() {
            return Err(CliError::TargetIsAFile(target));
        }
        if target.exists() && !is_ours(&target) {
            return Err(CliError::NotOurs(target));
        }
    }
    Ok(())
}

fn is_ours(target: &Path) -> bool {
    if !target.is_dir() {
        return false;
    }
    if ["summary.json", "shard.json", "comparison.md", "sweep.csv", "size.json", "sensitivity.csv"]
        .iter()
        .any(|f| target.join(f).is_file())
    {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(target) else { return false };
    entries.into_iter().all(|e| {
        e.is_ok_and(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix("replication-").is_some_and(|k| k.parse::<u32>().is_ok())
                && e.path().join("summary.json").is_file()
        })
    })
}

/// `--out` as (parent folder, folder name).
pub fn split_out(out: &Path) -> Result<(PathBuf, String), CliError> {
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        .ok_or_else(|| CliError::OutNamesNoFolder(out.to_path_buf()))?;
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok((parent.to_path_buf(), name.to_string()))
}

/// `.NAME.KIND-PID` -> (NAME, PID) for one of our staging folders of `kind` (`tmp`, `old`).
fn staging_name<'a>(entry: &'a str, kind: &str) -> Option<(&'a str, u32)> {
    let rest = entry.strip_prefix('.')?;
    let (name, pid) = rest.rsplit_once(&format!(".{kind}-"))?;
    let pid = pid.parse().ok()?;
    is_plain_name(name).then_some((name, pid))
}

fn entries(out: &Path) -> Vec<String> {
    let Ok(dir) = fs::read_dir(out) else { return Vec::new() };
    let mut names: Vec<String> = dir.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    names.sort();
    names
}

/// Remove the temporary folders in `out` whose run is gone: their lock is free. Where
/// folders cannot be locked (not Unix) nothing is removed.
fn remove_dead_temporaries(out: &Path) {
    for entry in entries(out) {
        let Some((_, pid)) = staging_name(&entry, "tmp") else { continue };
        if pid == std::process::id() {
            continue;
        }
        let path = out.join(&entry);
        if let Some(f) = open_dir(&path) {
            if f.try_lock().is_ok() {
                let _ = fs::remove_dir_all(&path);
            }
        }
    }
}

/// Under the lock of `out`: a `.NAME.old-PID` folder left by a run killed in the middle of
/// its swap goes back into place if nothing replaced it, and is removed otherwise.
fn restore_moved_aside(out: &Path) {
    if !cfg!(unix) {
        return;
    }
    for entry in entries(out) {
        let Some((name, _)) = staging_name(&entry, "old") else { continue };
        let (old, target) = (out.join(&entry), out.join(name));
        if target.exists() {
            let _ = fs::remove_dir_all(&old);
        } else {
            let _ = fs::rename(&old, &target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lyncsim-output-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn bytes(b: &[u8]) -> Body<'static> {
        Body::Bytes(b.to_vec())
    }

    fn listing(dir: &Path) -> Vec<String> {
        entries(dir)
    }

    #[test]
    fn replaces_a_previous_folder_whole() {
        let dir = dir("replace");
        write_results(&dir, "s", &[("a.txt", bytes(b"1")), ("b.txt", bytes(b"2"))]).unwrap();
        write_results(&dir, "s", &[("a.txt", bytes(b"3"))]).unwrap();
        assert_eq!(fs::read(dir.join("s/a.txt")).unwrap(), b"3");
        assert!(!dir.join("s/b.txt").exists(), "stale files of the old run are gone");
        assert_eq!(listing(&dir), ["s"], "no temporary folders left");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn names_and_files_stay_inside_out() {
        for name in ["", ".", "..", "../x", "a/b", "a\\b", "C:x", ".hidden", "/abs"] {
            assert!(!is_plain_name(name), "{name:?}");
        }
        assert!(is_plain_name("se-pair_2"));
        assert!(is_plain_file("scenario/summary.json"));
        for file in ["../x", "/x", "a//b", "a/../b", ""] {
            assert!(!is_plain_file(file), "{file:?}");
        }
        let dir = dir("escape");
        assert!(write_results(&dir, "../escape", &[("a.txt", bytes(b"1"))]).is_err());
        assert!(write_results(&dir, "s", &[("../a.txt", bytes(b"1"))]).is_err());
        assert!(!dir.join("s").exists() && !dir.parent().unwrap().join("a.txt").exists());
        assert!(!dir.parent().unwrap().join("escape").exists());
        let _ = fs::remove_dir_all(&dir);
    }

    /// A streamed file (`timeseries.csv`) is written into the temporary folder as it is
    /// rendered; when its rendering fails half-way, the error names the file and the previous
    /// folder stays as it was (issue 16, item 5).
    #[test]
    fn a_streamed_file_is_written_and_its_failure_leaves_the_previous_folder() {
        let dir = dir("streamed");
        let rows = Body::Streamed(Box::new(|w| {
            for i in 0..100_000 {
                writeln!(w, "{i},row")?;
            }
            Ok(())
        }));
        write_results(&dir, "s", &[("timeseries.csv", rows), ("a.txt", bytes(b"1"))]).unwrap();
        let written = fs::read_to_string(dir.join("s/timeseries.csv")).unwrap();
        assert_eq!(written.lines().count(), 100_000);
        assert!(written.ends_with("99999,row\n"));
        let failing = Body::Streamed(Box::new(|w| {
            w.write_all(&[b'x'; 100_000])?;
            Err(ReportError::Io(std::io::Error::other("disk full")))
        }));
        let err =
            write_results(&dir, "s", &[("a.txt", bytes(b"2")), ("timeseries.csv", failing)]).unwrap_err();
        assert!(
            matches!(&err, CliError::Io { what: "cannot write", path, .. } if path.ends_with("timeseries.csv")),
            "{err:?}"
        );
        assert_eq!(fs::read_to_string(dir.join("s/timeseries.csv")).unwrap(), written);
        assert_eq!(fs::read(dir.join("s/a.txt")).unwrap(), b"1");
        assert_eq!(listing(&dir), ["s"], "no temporary folders left");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_dropped_staging_folder_is_removed() {
        let dir = dir("drop");
        let staging = Staging::begin(&dir, "s").unwrap();
        assert!(staging.path().is_dir());
        drop(staging);
        assert!(listing(&dir).is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn leftovers_of_dead_runs_are_cleaned_and_live_ones_kept() {
        let dir = dir("stale");
        write_results(&dir, "s", &[("a.txt", bytes(b"1"))]).unwrap();
        // A dead run's temporary folder (nobody holds its lock) and one moved aside by a run
        // killed in the middle of its swap, with the target gone.
        fs::create_dir_all(dir.join(".t.tmp-4000000001/x")).unwrap();
        fs::rename(dir.join("s"), dir.join(".s.old-4000000002")).unwrap();
        // A live run's temporary folder.
        let live = Staging::begin(&dir, "u").unwrap();
        // `live` cleaned the dead temporary folder; its own is locked and stays.
        assert_eq!(listing(&dir), [".s.old-4000000002", &format!(".u.tmp-{}", std::process::id())]);
        write_results(&dir, "t", &[("b.txt", bytes(b"2"))]).unwrap();
        assert_eq!(fs::read(dir.join("s/a.txt")).unwrap(), b"1", "the moved-aside folder is back");
        drop(live);
        assert_eq!(listing(&dir), ["s", "t"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
