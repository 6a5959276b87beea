//! Repository automation. `cargo xtask tidy` runs the repository invariants; they also run as
//! a test (`cargo test -p xtask`), so CI enforces them.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

fn main() -> anyhow::Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    match task.as_str() {
        "tidy" => {
            let problems = tidy(&root())?;
            for p in &problems {
                eprintln!("{p}");
            }
            if !problems.is_empty() {
                bail!("{} tidy problems", problems.len());
            }
            Ok(())
        }
        _ => bail!("usage: cargo xtask tidy"),
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Workspace crates and what each may depend on (among workspace crates), and the external
/// crates the pure ones must never use.
const ALLOWED: &[(&str, &[&str])] = &[
    ("liuhen-log", &[]),
    ("liuhen-core", &[]),
    ("liuhen-store", &["liuhen-log"]),
    // typst, in its own crate: it knows nothing of cases or the log.
    ("liuhen-pdf", &[]),
    ("liuhen-server", &["liuhen-log", "liuhen-core", "liuhen-store", "liuhen-pdf"]),
    ("liuhen-verify", &["liuhen-log"]),
    ("liuhen-cli", &["liuhen-log", "liuhen-core", "liuhen-store", "liuhen-server", "liuhen-verify", "liuhen-pdf"]),
];
const IMPURE: &[&str] = &["tokio", "sqlx", "axum", "object_store", "ureq", "reqwest", "getrandom", "rand"];
const PURE: &[&str] = &["liuhen-log", "liuhen-core"];

/// Returns every broken repository invariant.
fn tidy(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let crates_dir = root.join("crates");
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(&crates_dir).context("reading crates/")? {
        let dir = entry?.path();
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).with_context(|| format!("{name}/Cargo.toml"))?;
        let Some((_, allowed)) = ALLOWED.iter().find(|(n, _)| *n == name) else {
            problems.push(format!("crates/{name}: not in the dependency rules of xtask tidy (add it to ALLOWED)"));
            continue;
        };
        seen.push(name.clone());
        for dep in normal_dependencies(&manifest) {
            if dep.starts_with("liuhen-") && !allowed.contains(&dep.as_str()) {
                problems.push(format!("crates/{name} depends on {dep}, which the architecture forbids"));
            }
            if PURE.contains(&name.as_str()) && IMPURE.contains(&dep.as_str()) {
                problems.push(format!("crates/{name} is pure but depends on {dep}"));
            }
        }
        for file in rust_files(&dir)? {
            let text = std::fs::read_to_string(&file)?;
            let rel = file.strip_prefix(root).unwrap_or(&file).display().to_string();
            if !text.trim_start().starts_with("//!") {
                problems.push(format!("{rel}: a module needs a //! doc comment at the top"));
            }
            // Spelled in pieces so that this file does not contain the markers it bans.
            let banned = [
                concat!("#[should", "_panic"),
                concat!("#[ig", "nore"),
                concat!("db", "g!("),
                concat!("to", "do!("),
                concat!("unimple", "mented!("),
            ];
            for banned in banned {
                if text.contains(banned) {
                    problems.push(format!("{rel}: contains {banned}"));
                }
            }
        }
    }
    for (name, _) in ALLOWED {
        if !seen.iter().any(|s| s == name) {
            problems.push(format!("ALLOWED names {name}, which is not in crates/"));
        }
    }
    Ok(problems)
}

/// Dependency names in `[dependencies]` (not dev- or build-dependencies).
fn normal_dependencies(manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_deps = false;
    for line in manifest.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_deps = l == "[dependencies]";
            continue;
        }
        if in_deps && let Some((k, _)) = l.split_once('=') {
            let k = k.trim().trim_end_matches(".workspace").to_string();
            if !k.is_empty() && !k.starts_with('#') {
                out.push(k);
            }
        }
    }
    out
}

fn rust_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            out.extend(rust_files(&p)?);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_is_tidy() {
        let problems = tidy(&root()).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn tidy_catches_a_forbidden_dependency() {
        let m = "[package]\nname = \"x\"\n[dependencies]\nliuhen-store.workspace = true\ntokio = \"1\"\n[dev-dependencies]\nsqlx = \"1\"\n";
        assert_eq!(normal_dependencies(m), vec!["liuhen-store".to_string(), "tokio".to_string()]);
    }

    #[test]
    fn verifier_depends_only_on_the_log_crate() {
        let m = std::fs::read_to_string(root().join("crates/liuhen-verify/Cargo.toml")).unwrap();
        let workspace: Vec<String> = normal_dependencies(&m).into_iter().filter(|d| d.starts_with("liuhen-")).collect();
        assert_eq!(workspace, vec!["liuhen-log".to_string()]);
    }
}
