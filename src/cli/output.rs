//! Writing a results folder safely: everything goes to a temporary folder beside the
//! target, which then replaces the target by renames. A failure at any point leaves the
//! previous results untouched; nothing is written outside `--out`.

use std::fs;
use std::path::{Path, PathBuf};

use super::CliError;

/// Files of one results folder: (file name, bytes).
pub type Files = Vec<(&'static str, Vec<u8>)>;

fn io_err(what: &str, path: &Path, e: std::io::Error) -> CliError {
    CliError::Internal(format!("{what} {}: {e}", path.display()))
}

/// Write `files` as `out/name/`, replacing any previous folder of that name. A file name
/// may name a subfolder (`scenario/summary.json`).
pub fn write_results<N: AsRef<str>>(
    out: &Path,
    name: &str,
    files: &[(N, Vec<u8>)],
) -> Result<PathBuf, CliError> {
    fs::create_dir_all(out).map_err(|e| io_err("cannot create", out, e))?;
    let pid = std::process::id();
    let target = out.join(name);
    let tmp = out.join(format!(".{name}.tmp-{pid}"));
    let old = out.join(format!(".{name}.old-{pid}"));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir(&tmp).map_err(|e| io_err("cannot create", &tmp, e))?;
    for (file, bytes) in files {
        let path = tmp.join(file.as_ref());
        if let Some(parent) = path.parent().filter(|p| !p.exists()) {
            if let Err(e) = fs::create_dir_all(parent) {
                let _ = fs::remove_dir_all(&tmp);
                return Err(io_err("cannot create", parent, e));
            }
        }
        if let Err(e) = fs::write(&path, bytes) {
            let _ = fs::remove_dir_all(&tmp);
            return Err(io_err("cannot write", &path, e));
        }
    }
    let had_old = target.exists();
    if had_old {
        fs::rename(&target, &old).map_err(|e| {
            let _ = fs::remove_dir_all(&tmp);
            io_err("cannot move aside", &target, e)
        })?;
    }
    if let Err(e) = fs::rename(&tmp, &target) {
        if had_old {
            let _ = fs::rename(&old, &target);
        }
        let _ = fs::remove_dir_all(&tmp);
        return Err(io_err("cannot move into place", &target, e));
    }
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_a_previous_folder_whole() {
        let dir = std::env::temp_dir().join(format!("lyncsim-output-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        write_results(&dir, "s", &[("a.txt", b"1".to_vec()), ("b.txt", b"2".to_vec())]).unwrap();
        write_results(&dir, "s", &[("a.txt", b"3".to_vec())]).unwrap();
        assert_eq!(fs::read(dir.join("s/a.txt")).unwrap(), b"3");
        assert!(!dir.join("s/b.txt").exists(), "stale files of the old run are gone");
        let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("s")], "no temporary folders left");
        fs::remove_dir_all(&dir).unwrap();
    }
}
