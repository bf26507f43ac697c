//! Tidy and architecture tests: rules of the codebase that are checked, not just written down.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use crate::shell::{cmd, root};

/// Packages no domain crate may depend on, directly or transitively: the DOM, Workers, I/O
/// runtimes, clocks and randomness belong to the shells (`web/`, `worker/`), never to `crates/`.
/// `chrono` is allowed for its calendar and time-zone arithmetic only: see [`FORBIDDEN_FEATURES`].
const FORBIDDEN_IN_DOMAIN: &[&str] = &[
    "worker",
    "worker-sys",
    "web-sys",
    "js-sys",
    "wasm-bindgen",
    "leptos",
    "tokio",
    "async-std",
    "reqwest",
    "hyper",
    "getrandom",
    "rand",
    "time",
    "web-time",
    "instant",
];

/// Features of allowed packages that would give a domain crate a clock (chrono's `Utc::now`) or the
/// browser (its `wasmbind`). A shell may enable them in its own build; a domain crate may not.
const FORBIDDEN_FEATURES: &[&str] = &[
    "chrono feature \"clock\"",
    "chrono feature \"now\"",
    "chrono feature \"wasmbind\"",
    "chrono feature \"default\"",
];

/// Source text that means a domain crate reads the clock, the RNG, the environment or files.
const FORBIDDEN_CALLS: &[&str] = &[
    "SystemTime::now",
    "Instant::now",
    "thread_rng",
    "getrandom",
    "std::env::var",
    "std::fs::",
    "std::net::",
    "Date::now",
    "Utc::now",
    "Local::now",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !matches!(
                name.as_ref(),
                "target" | "node_modules" | "build" | ".git" | ".wrangler"
            ) {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let mut files = Vec::new();
    rust_files(&root(), &mut files);
    assert!(files.len() > 10, "tidy found too few files: {files:?}");
    let offenders: Vec<String> = files
        .iter()
        .filter(|path| {
            let text = fs::read_to_string(path).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "files without a `//!` first line: {offenders:#?}"
    );
}

#[test]
fn domain_crates_do_not_depend_on_io_dom_or_workers() {
    let mut offenders = Vec::new();
    for krate in domain_crates() {
        let reachable = cargo_tree(&krate, "normal");
        offenders.extend(forbidden_dependencies(&krate, &reachable));
        let features = cargo_tree(&krate, "features");
        for feature in FORBIDDEN_FEATURES {
            if features.iter().any(|line| line.contains(feature)) {
                offenders.push(format!("{krate} enables {feature}"));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "domain crates depend on shell-only packages: {offenders:#?}"
    );
}

/// Every package under `crates/`.
fn domain_crates() -> Vec<String> {
    let out = cmd("cargo")
        .args(["metadata", "--format-version", "1", "--locked", "--no-deps"])
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed");
    let metadata: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let crates_dir = root().join("crates");
    let names: Vec<String> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| {
            p["manifest_path"]
                .as_str()
                .is_some_and(|m| Path::new(m).starts_with(&crates_dir))
        })
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    assert!(names.len() > 5, "no domain crates found under crates/");
    names
}

/// `cargo tree` of one package on every platform, with the features that package itself enables
/// (not those a shell turns on in a shared dependency when both are built together), one line per
/// package (`edges` = `normal`) or per enabled feature (`features`).
fn cargo_tree(krate: &str, edges: &str) -> Vec<String> {
    let out = cmd("cargo")
        .args([
            "tree", "--locked", "--target", "all", "--prefix", "none", "-p", krate, "-e",
        ])
        .arg(edges)
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree failed for {krate}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The forbidden packages among `reachable` (`cargo tree` lines: `name vX.Y.Z …`).
fn forbidden_dependencies(krate: &str, reachable: &[String]) -> Vec<String> {
    let names: BTreeSet<&str> = reachable
        .iter()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    names
        .into_iter()
        .filter(|name| FORBIDDEN_IN_DOMAIN.contains(name))
        .map(|name| format!("{krate} -> {name}"))
        .collect()
}

#[test]
fn domain_crates_never_read_the_clock_randomness_env_or_files() {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    let mut offenders = Vec::new();
    for path in files {
        // Benchmarks measure time by nature; they are not part of the domain.
        if path.components().any(|c| c.as_os_str() == "benches") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap_or_default();
        for call in FORBIDDEN_CALLS {
            if text.contains(call) {
                offenders.push(format!("{}: {call}", path.display()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "domain code reaching outside: {offenders:#?}"
    );
}

#[test]
fn the_architecture_check_catches_a_forbidden_dependency() {
    // What `cargo tree` prints for a crate that reaches web-sys through another package.
    let reachable = [
        "tsunagu-core v0.0.0 (/work/crates/tsunagu-core)",
        "foo v1.0.0",
        "web-sys v0.3.107",
        "web-sys v0.3.107 (*)",
    ]
    .map(str::to_owned);
    assert_eq!(
        forbidden_dependencies("tsunagu-core", &reachable),
        vec!["tsunagu-core -> web-sys".to_owned()]
    );
}
