//! `cargo xtask load <script>`: builds, then runs one of the load and fault scripts in tests/load/.

use crate::{
    build::{Profile, build},
    setup::setup,
    shell::{Result, cmd, root, run},
};

/// The scripts, by the name the command line uses.
const SCRIPTS: &[&str] = &[
    "all",
    "calls",
    "presence",
    "reconnect",
    "restart",
    "startup",
];

pub(crate) fn load(profile: Profile, args: &[String]) -> Result {
    let Some(name) = args.first().filter(|name| SCRIPTS.contains(&name.as_str())) else {
        return Err(format!("which load script? one of: {}", SCRIPTS.join(", ")));
    };
    setup()?;
    build(profile)?;
    let script = root()
        .join("tests")
        .join("load")
        .join(format!("{name}.mjs"));
    let passed: Vec<&String> = args[1..].iter().filter(|a| *a != "--release").collect();
    run(cmd("node").arg(script).args(passed))
}
