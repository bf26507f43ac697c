//! Machine set-up: installs exactly the pinned tools, and does nothing when they are already there.

use std::{fs, path::Path};

use sha2::{Digest, Sha256};

use crate::shell::{Result, cargo_bin, cmd, output, root, run};

/// worker-build is not in Cargo.lock (it is a CLI), so its pin lives here.
const WORKER_BUILD_VERSION: &str = "0.8.7";
/// Debian packages the tests need, each with a file that proves it is installed: the browser that
/// Playwright drives, the WebDriver of the same Chromium build that runs the widget's component tests,
/// and Japanese fonts so screenshots of a Japanese UI are legible.
const APT_PACKAGES: &[(&str, &str)] = &[
    ("chromium", "/usr/bin/chromium"),
    ("chromium-driver", "/usr/bin/chromedriver"),
    (
        "fonts-noto-cjk",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ),
];

pub(crate) fn setup() -> Result {
    apt_packages()?;
    rust_target()?;
    let wasm_bindgen = locked_version("wasm-bindgen")?;
    // No --locked: wasm-bindgen-cli's own lockfile pins a crate the registry mirror here lacks.
    cargo_install("wasm-bindgen", "wasm-bindgen-cli", &wasm_bindgen, false)?;
    cargo_install("worker-build", "worker-build", WORKER_BUILD_VERSION, true)?;
    npm_packages()
}

fn apt_packages() -> Result {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .filter(|(_, probe)| !Path::new(probe).exists())
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = output(cmd("id").arg("-u")).as_deref() == Some("0");
    let sudo = |program: &str| {
        if is_root {
            cmd(program)
        } else {
            let mut command = cmd("sudo");
            command.arg(program);
            command
        }
    };
    run(sudo("apt-get").arg("update").arg("-q"))?;
    run(sudo("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The wasm32 target and `rust-src` (the release widget rebuilds std from it, see build.rs).
/// rust-toolchain.toml lists both, but rustup adds a file's components only when it installs the
/// toolchain itself: a machine whose stable toolchain came first lacked `rust-src`, and
/// `cargo xtask run` (a release widget) failed on it.
fn rust_target() -> Result {
    let installed =
        output(cmd("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed.lines().any(|t| t == "wasm32-unknown-unknown") {
        run(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let components =
        output(cmd("rustup").args(["component", "list", "--installed"])).unwrap_or_default();
    if !components.lines().any(|c| c.starts_with("rust-src")) {
        run(cmd("rustup").args(["component", "add", "rust-src"]))?;
    }
    Ok(())
}

/// The version of `package` in Cargo.lock, so the CLI always matches the library exactly.
pub(crate) fn locked_version(package: &str) -> Result<String> {
    let lock = fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| format!("`{package}` is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..]
        .find('"')
        .ok_or_else(|| "Cargo.lock is malformed".to_owned())?;
    Ok(lock[start..start + end].to_owned())
}

fn cargo_install(binary: &str, package: &str, version: &str, locked: bool) -> Result {
    let installed = output(cmd(&cargo_bin().join(binary).to_string_lossy()).arg("--version"));
    if installed.is_some_and(|v| v.split_whitespace().last() == Some(version)) {
        return Ok(());
    }
    let mut install = cmd("cargo");
    install.args(["install", package, "--version", version, "--force"]);
    if locked {
        install.arg("--locked");
    }
    run(&mut install)
}

/// Installs the npm packages when package-lock.json changed since the last install.
///
/// `npm install` rather than `npm ci`: the registry mirror here lacks workerd's macOS and Windows
/// builds, so the lockfile cannot list them and `npm ci`'s strict sync check refuses it. With a
/// lockfile that satisfies package.json, `npm install` installs exactly the locked versions.
fn npm_packages() -> Result {
    let lock = fs::read(root().join("package-lock.json"))
        .map_err(|e| format!("cannot read package-lock.json: {e}"))?;
    let digest = format!("{:x}", Sha256::digest(&lock));
    let stamp = root().join("node_modules/.tsunagu-lock-sha256");
    if fs::read_to_string(&stamp).is_ok_and(|s| s == digest) {
        return Ok(());
    }
    run(cmd("npm").args(["install", "--no-audit", "--no-fund"]))?;
    fs::write(&stamp, digest).map_err(|e| format!("cannot write {}: {e}", stamp.display()))
}
