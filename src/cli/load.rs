//! Finding and loading scenario files, shared by every command: folders expand into their
//! `.ron` files, every file is validated, and all errors are reported at once.

use std::path::{Path, PathBuf};

use super::error::{CliError, ScenarioError};
use crate::scenario::{self, Loaded};

/// Expand folders into their `.ron` files (sorted by name, sub-folders included).
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            scenario_files(input, &mut found, &mut Vec::new())?;
            if found.is_empty() {
                return Err(CliError::NoScenarios(input.clone()));
            }
            found.sort();
            files.extend(found);
        } else if input.exists() {
            files.push(input.clone());
        } else {
            return Err(CliError::NoSuchPath(input.clone()));
        }
    }
    Ok(files)
}

/// The `.ron` files in `dir` and its sub-folders (not hidden ones), in any order. A folder
/// reached twice (through a symbolic link that loops back, or two links to one folder) is
/// read once.
fn scenario_files(dir: &Path, found: &mut Vec<PathBuf>, seen: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let unreadable = |source| CliError::ReadFolder { dir: dir.to_path_buf(), source };
    let real = std::fs::canonicalize(dir).map_err(unreadable)?;
    if seen.contains(&real) {
        return Ok(());
    }
    seen.push(real);
    let entries = std::fs::read_dir(dir).map_err(unreadable)?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            scenario_files(&path, found, seen)?;
        } else if path.is_file() && path.extension().is_some_and(|x| x == "ron") {
            found.push(path);
        }
    }
    Ok(())
}

/// Load and validate every scenario; print warnings; fail with every error at once.
pub fn load_all(inputs: &[PathBuf]) -> Result<Vec<Loaded>, CliError> {
    load(inputs, true)
}

/// [`load_all`], printing the warnings only if `warn`.
fn load(inputs: &[PathBuf], warn: bool) -> Result<Vec<Loaded>, CliError> {
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for path in expand(inputs)? {
        match scenario::load(&path) {
            Ok(l) => {
                let w = l.render_warnings();
                if warn && !w.is_empty() {
                    say_part!("{w}");
                }
                loaded.push(l);
            }
            Err(failed) => errors.push(ScenarioError::Invalid(failed)),
        }
    }
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for l in &loaded {
        if let Some((_, other)) = seen.iter().find(|(n, _)| *n == l.config.name) {
            errors.push(ScenarioError::SameName {
                name: l.config.name.clone(),
                first: other.to_string(),
                second: l.label.clone(),
            });
        }
        seen.push((&l.config.name, &l.label));
    }
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(CliError::Scenarios(errors))
    }
}

/// Load exactly one scenario file; print its warnings.
pub fn load_one(path: &Path) -> Result<Loaded, CliError> {
    load_one_as(path, true)
}

/// Load exactly one scenario file without printing its warnings: `sweep` prints those of
/// the scenarios it runs, its edited points, instead.
pub fn load_one_quietly(path: &Path) -> Result<Loaded, CliError> {
    load_one_as(path, false)
}

fn load_one_as(path: &Path, warn: bool) -> Result<Loaded, CliError> {
    let mut all = load(&[path.to_path_buf()], warn)?;
    if all.len() != 1 {
        return Err(CliError::NotOneScenario { path: path.to_path_buf(), count: all.len() });
    }
    Ok(all.remove(0))
}
