//! `cargo xtask run`: the local edge with the demo tenant, as a newcomer first sees Tsunagu.

use std::{
    io::{BufRead, BufReader},
    process::Stdio,
    sync::Mutex,
};

use crate::{
    build::{Profile, build, double_binary},
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

    // Ctrl-C in a terminal reaches the whole process group, but a process manager signals this
    // process alone (SIGINT or SIGTERM): pass the signal on as SIGTERM to wrangler (which stops
    // its workerd) and the double, then wait for them below.
    ctrlc::set_handler(|| {
        eprintln!("\nxtask: stopping wrangler and the Twilio double…");
        let children: Vec<u32> = CHILDREN.lock().map(|c| c.clone()).unwrap_or_default();
        for pid in children {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
    })
    .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))?;
    // The Twilio test double plays Twilio (calls, callbacks, REST, the agents' softphones); the
    // worker is pointed at it only through its environment, as the README describes.
    let double_port = port.saturating_add(2);
    let double_origin = format!("127.0.0.1:{double_port}");
    let mut double = cmd(&double_binary().to_string_lossy())
        .args(["serve", "--listen", &double_origin])
        .args(["--worker", &format!("http://127.0.0.1:{port}")])
        .spawn()
        .map_err(|e| format!("cannot start the Twilio double: {e}"))?;
    remember(double.id());
    let port = port.to_string();
    let mut child = wrangler()
        .args(["dev", "--ip", "127.0.0.1", "--port", &port])
        .args(["--var", &format!("TWILIO_API_BASE:http://{double_origin}")])
        .args(["--var", "VOICE_BACKEND:double"])
        .args([
            "--var",
            &format!("TWILIO_DOUBLE_CLIENT_URL:ws://{double_origin}/_double/client"),
        ])
        .arg("--show-interactive-dev-session=false")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start wrangler dev: {e}"))?;
    remember(child.id());
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            if line.contains("Ready on") {
                println!(
                    "\n  Tsunagu is running.\n\n  Demo CRM page:  http://127.0.0.1:{port}/demo\n  Twilio double:  http://{double_origin}/_double/health\n\n  Press Ctrl-C to stop.\n"
                );
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    eprintln!("xtask: wrangler exited ({status})");
    let _ = double.kill();
    let _ = double.wait();
    Ok(())
}

/// The processes a signal to `cargo xtask run` must stop (the handler runs on its own thread).
static CHILDREN: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn remember(pid: u32) {
    if let Ok(mut children) = CHILDREN.lock() {
        children.push(pid);
    }
}

/// wrangler run by Node 22 directly: signals then reach wrangler itself, not an npx wrapper.
fn wrangler() -> std::process::Command {
    let mut command = cmd("node");
    command.arg(root().join("node_modules/wrangler/bin/wrangler.js"));
    command
}
