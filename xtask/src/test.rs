//! `cargo xtask test`: every check CI runs, in the order that fails fastest.

use crate::{
    build::{Profile, build, build_widget},
    setup::setup,
    shell::{Result, cargo_bin, cmd, run},
};

/// Crates that only make sense on wasm32 (they bind to the browser or to workerd).
const WASM_ONLY: &[&str] = &["tsunagu-web", "tsunagu-worker"];
/// Crates that only make sense natively: they run commands or serve on this machine, or (the
/// operator CLI) speak HTTPS through rustls, whose `ring` needs a C compiler for wasm32.
const NATIVE_ONLY: &[&str] = &["xtask", "tsunagu-twilio-double", "tsunagu-cli"];

pub(crate) fn test(profile: Profile) -> Result {
    setup()?;
    run(cmd("cargo").args(["fmt", "--all", "--", "--check"]))?;

    let mut clippy_native = cmd("cargo");
    clippy_native.args(["clippy", "--workspace", "--all-targets", "--locked"]);
    for krate in WASM_ONLY {
        clippy_native.args(["--exclude", krate]);
    }
    run(clippy_native.args(["--", "-D", "warnings"]))?;

    let mut clippy_wasm = cmd("cargo");
    clippy_wasm.args([
        "clippy",
        "--workspace",
        "--locked",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    for krate in NATIVE_ONLY {
        clippy_wasm.args(["--exclude", krate]);
    }
    run(clippy_wasm.args(["--", "-D", "warnings"]))?;

    let mut rust_tests = cmd("cargo");
    rust_tests.args(["test", "--workspace", "--locked"]);
    for krate in WASM_ONLY {
        rust_tests.args(["--exclude", krate]);
    }
    run(&mut rust_tests)?;
    // The widget's pure logic (origins, notices) also runs natively; its components need a browser.
    run(cmd("cargo").args(["test", "-p", "tsunagu-web", "--locked"]))?;
    widget_component_tests()?;

    build(profile)?;
    // Worker tests (workerd) and browser tests (Chromium), both with Node's own test runner.
    node_tests(&["tests/worker/**/*.test.mjs", "tests/e2e/**/*.test.mjs"])?;
    if profile == Profile::Dev {
        // The widget as shipped (what `cargo xtask run` serves): its release-only steps (std
        // rebuilt for size, wasm-opt, the glue's import names shortened, unused library exports
        // dropped) run in no other test, so a call and the feature modules are tried on it too,
        // against the same debug worker.
        build_widget(Profile::Release)?;
        node_tests(&["tests/e2e/call.test.mjs", "tests/e2e/modules.test.mjs"])?;
    }
    Ok(())
}

fn node_tests(files: &[&str]) -> Result {
    run(cmd("node")
        .args([
            "--test",
            "--test-concurrency=1",
            // A hung browser or workerd must fail the run, not stall CI.
            "--test-timeout=180000",
        ])
        .args(files))
}

/// The widget's component tests (`web/src/ui/tests.rs`): cargo hands the test wasm to the pinned
/// wasm-bindgen's runner, which drives Debian's Chromium headless through its matching chromedriver
/// (the runner itself adds `--headless --no-sandbox`, so root is fine).
fn widget_component_tests() -> Result {
    run(cmd("cargo")
        .args([
            "test",
            "-p",
            "tsunagu-web",
            "--locked",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            cargo_bin().join("wasm-bindgen-test-runner"),
        )
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        // The limit is for the whole run (default 20 s); a busy CI machine starts Chromium slowly.
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120"))
}
