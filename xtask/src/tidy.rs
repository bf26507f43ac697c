//! Tidy and architecture tests: rules of the codebase that are checked, not just written down.

use std::{
    collections::{BTreeSet, HashMap},
    fs,
    path::{Path, PathBuf},
};

use crate::shell::{cmd, root};

/// Packages no domain crate may depend on, directly or transitively: the DOM, Workers, I/O
/// runtimes, clocks and randomness belong to the shells (`web/`, `worker/`), never to `crates/`.
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
    "chrono",
    "time",
    "web-time",
    "instant",
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
    let out = cmd("cargo")
        .args(["metadata", "--format-version", "1", "--locked"])
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed");
    let metadata: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let offenders = forbidden_dependencies(&metadata);
    assert!(
        offenders.is_empty(),
        "domain crates depend on shell-only packages: {offenders:#?}"
    );
}

/// For each package under `crates/`, the forbidden packages reachable through normal (not dev,
/// not build) dependencies.
fn forbidden_dependencies(metadata: &serde_json::Value) -> Vec<String> {
    let crates_dir = root().join("crates");
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    let name_of: HashMap<String, String> = packages
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?.to_owned(), p["name"].as_str()?.to_owned())))
        .collect();
    let domain_ids: Vec<String> = packages
        .iter()
        .filter(|p| {
            p["manifest_path"]
                .as_str()
                .is_some_and(|m| Path::new(m).starts_with(&crates_dir))
        })
        .filter_map(|p| p["id"].as_str().map(str::to_owned))
        .collect();
    assert!(
        !domain_ids.is_empty(),
        "no domain crates found under crates/"
    );
    let nodes = metadata["resolve"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let normal_deps: HashMap<String, Vec<String>> = nodes
        .iter()
        .filter_map(|node| {
            let deps = node["deps"]
                .as_array()?
                .iter()
                .filter(|dep| {
                    dep["dep_kinds"]
                        .as_array()
                        .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()))
                })
                .filter_map(|dep| dep["pkg"].as_str().map(str::to_owned))
                .collect();
            Some((node["id"].as_str()?.to_owned(), deps))
        })
        .collect();

    let mut offenders = Vec::new();
    for id in &domain_ids {
        let mut seen = BTreeSet::new();
        let mut stack = vec![id.clone()];
        while let Some(next) = stack.pop() {
            for dep in normal_deps.get(&next).into_iter().flatten() {
                if seen.insert(dep.clone()) {
                    stack.push(dep.clone());
                }
            }
        }
        for dep in seen {
            let dep_name = name_of.get(&dep).map_or("?", String::as_str);
            if FORBIDDEN_IN_DOMAIN.contains(&dep_name) {
                offenders.push(format!("{} -> {dep_name}", name_of[id]));
            }
        }
    }
    offenders
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
    // A synthetic metadata graph: crates/tsunagu-core -> foo -> web-sys. The rule must see through `foo`.
    let core_manifest = root().join("crates/tsunagu-core/Cargo.toml");
    let metadata = serde_json::json!({
        "packages": [
            {"id": "core", "name": "tsunagu-core", "manifest_path": core_manifest},
            {"id": "foo", "name": "foo", "manifest_path": "/elsewhere/foo/Cargo.toml"},
            {"id": "ws", "name": "web-sys", "manifest_path": "/elsewhere/web-sys/Cargo.toml"},
        ],
        "resolve": {"nodes": [
            {"id": "core", "deps": [{"pkg": "foo", "dep_kinds": [{"kind": null}]}]},
            {"id": "foo", "deps": [{"pkg": "ws", "dep_kinds": [{"kind": null}]}]},
            {"id": "ws", "deps": []},
        ]}
    });
    assert_eq!(
        forbidden_dependencies(&metadata),
        vec!["tsunagu-core -> web-sys".to_owned()]
    );
}
