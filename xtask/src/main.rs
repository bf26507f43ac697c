//! `cargo xtask`: installs the pinned toolchain, builds the widget and the worker, runs the demo and every test.

mod bench;
mod build;
mod glue;
mod load;
mod run;
mod setup;
mod shell;
mod size;
mod split;
mod test;
#[cfg(test)]
mod tidy;

use std::process::ExitCode;

use crate::build::Profile;

const USAGE: &str = "\
usage: cargo xtask <command> [--release]

commands:
  run     set up the machine, build the release (size-optimised) widget, migrate and seed
          local D1, start `wrangler dev`, and print the demo CRM page's URL (Ctrl-C, SIGINT or
          SIGTERM stops it, wrangler and the Twilio double)  [--port N, default 8787]
          [--debug: the debug build, faster to rebuild]
  test    set up the machine, then fmt, clippy (native + wasm32), Rust tests,
          worker tests on workerd and browser tests in Chromium
  setup   only install the pinned tools (apt, rustup target, cargo CLIs, npm)
  build   only build the widget and the worker into build/site and worker/build
  bench   run the domain benchmarks (routing decisions/s and p99, stitched legs/s)
  size    build the release widget (only) and print its initial download and each feature module,
          gzipped, against their budgets (120 KB and 60 KB); exits non-zero when over
  load    build, then run one load or fault script against a fresh `wrangler dev`:
            calls     a burst of 1,000 calls on one tenant with 200 agents
            presence  2,000 widget sockets with steady presence changes
            restart   the worker restarted in the middle of a burst of calls
            reconnect a reconnect storm: 5,000 sockets drop and come back at once
            all       every run above (and steady and single calls) at the goals' size, one table
                      (Markdown and JSON; --quick for smoke sizes, --only a,b, --out file.json)
          (extra arguments go to the script, e.g. `cargo xtask load calls --calls 200`)

--release builds optimised, size-tuned wasm (slower to compile); `run` always does unless --debug.";

fn main() -> ExitCode {
    if let Err(err) = shell::check_built_here() {
        eprintln!("xtask: error: {err}");
        return ExitCode::FAILURE;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let profile = if args.iter().any(|a| a == "--release") {
        Profile::Release
    } else {
        Profile::Dev
    };
    let result = match args.first().map(String::as_str) {
        // The demo serves what production serves unless asked for fast debug rebuilds.
        Some("run") => run::run(
            if args.iter().any(|a| a == "--debug") {
                Profile::Dev
            } else {
                Profile::Release
            },
            port_arg(&args),
        ),
        Some("test") => test::test(profile),
        Some("setup") => setup::setup(),
        Some("build") => setup::setup().and_then(|()| build::build(profile)),
        Some("bench") => bench::bench(),
        Some("size") => size::size(),
        Some("load") => load::load(profile, &args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn port_arg(args: &[String]) -> u16 {
    args.windows(2)
        .find(|w| w[0] == "--port")
        .and_then(|w| w[1].parse().ok())
        .unwrap_or(8787)
}
