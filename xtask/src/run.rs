//! `cargo xtask run`: the local edge with the demo tenant, as a newcomer first sees Tsunagu.

use std::{
    io::{BufRead, BufReader},
    process::Stdio,
};

use crate::{
    build::{Profile, build},
    setup::setup,
    shell::{Result, cmd, root, run as run_command},
};

pub(crate) fn run(profile: Profile, port: u16) -> Result {
    setup()?;
    build(profile)?;
    // Local D1 lives in .wrangler/state, shared by these commands and `wrangler dev`.
    run_command(wrangler().args(["d1", "migrations", "apply", "tsunagu", "--local"]))?;
    run_command(wrangler().args([
        "d1",
        "execute",
        "tsunagu",
        "--local",
        "--file",
        "worker/seed/demo.sql",
    ]))?;

    // Ctrl-C reaches wrangler too (same process group); we stay to wait for it to finish cleanly.
    ctrlc::set_handler(|| eprintln!("\nxtask: stopping wrangler…"))
        .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))?;
    let port = port.to_string();
    let mut child = wrangler()
        .args(["dev", "--ip", "127.0.0.1", "--port", &port])
        .arg("--show-interactive-dev-session=false")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start wrangler dev: {e}"))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            if line.contains("Ready on") {
                println!(
                    "\n  Tsunagu is running.\n\n  Demo CRM page:  http://127.0.0.1:{port}/demo\n\n  Press Ctrl-C to stop.\n"
                );
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    eprintln!("xtask: wrangler exited ({status})");
    Ok(())
}

/// wrangler run by Node 22 directly: signals then reach wrangler itself, not an npx wrapper.
fn wrangler() -> std::process::Command {
    let mut command = cmd("node");
    command.arg(root().join("node_modules/wrangler/bin/wrangler.js"));
    command
}
