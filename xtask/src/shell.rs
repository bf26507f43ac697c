//! Running commands: every command is echoed, its environment is the project's, failures are errors.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

pub(crate) type Result<T = ()> = std::result::Result<T, String>;

/// The repository root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Refuses to run an xtask built from another checkout. `cargo xtask` runs the binary in the
/// target directory, and with a `CARGO_TARGET_DIR` shared between worktrees that binary may be
/// the other tree's (cargo finds this tree's build fresh and does not relink it): it would build
/// and test the other tree. Cargo sets `CARGO_MANIFEST_DIR` for the run as for the build, so the
/// two differ exactly then.
pub(crate) fn check_built_here() -> Result {
    let built = env!("CARGO_MANIFEST_DIR");
    match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(running) if Path::new(&running) != Path::new(built) => Err(format!(
            "this xtask was built from {built}, not {}: the worktrees share CARGO_TARGET_DIR. \
             Rebuild it here (touch xtask/src/shell.rs) or give each worktree its own target \
             directory",
            Path::new(&running).display()
        )),
        _ => Ok(()),
    }
}

/// Where cargo puts its output, honouring `CARGO_TARGET_DIR` (CI keeps it outside the clone).
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

pub(crate) fn node_bin() -> PathBuf {
    root().join("node_modules/.bin")
}

pub(crate) fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map_or_else(
            || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"),
            PathBuf::from,
        )
        .join("bin")
}

/// A command with the project's environment: Node 22 and the pinned CLIs first on PATH, wrangler
/// offline, and worker-build told where its tools are (it would download them from GitHub).
pub(crate) fn cmd(program: &str) -> Command {
    let mut command = Command::new(program);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![node_bin(), cargo_bin()];
    paths.extend(std::env::split_paths(&path));
    if let Ok(joined) = std::env::join_paths(paths) {
        command.env("PATH", joined);
    }
    command
        .current_dir(root())
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("NO_COLOR", "1")
        .env("WASM_BINDGEN_BIN", cargo_bin().join("wasm-bindgen"))
        .env("WASM_OPT_BIN", node_bin().join("wasm-opt"))
        .env(
            "ESBUILD_BIN",
            root().join("node_modules/@esbuild/linux-x64/bin/esbuild"),
        );
    command
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs `command`, streaming its output; a non-zero exit is an error.
pub(crate) fn run(command: &mut Command) -> Result {
    let text = describe(command);
    eprintln!("$ {text}");
    let status = command
        .status()
        .map_err(|e| format!("cannot start `{text}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{text}` failed ({status})"))
    }
}

/// Runs `command` quietly and returns its trimmed stdout, or `None` if it cannot run or fails.
pub(crate) fn output(command: &mut Command) -> Option<String> {
    let out = command.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
