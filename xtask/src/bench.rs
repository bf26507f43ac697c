//! `cargo xtask bench`: the domain benchmarks (routing decisions, stitched legs), printed to the terminal.

use crate::shell::{Result, cmd, run};

/// Crates with criterion benchmarks whose numbers the README records.
const BENCHED: &[&str] = &["tsunagu-routing", "tsunagu-stitch", "tsunagu-center"];

pub(crate) fn bench() -> Result {
    let mut cargo = cmd("cargo");
    cargo.args(["bench", "--locked"]);
    for krate in BENCHED {
        cargo.args(["-p", krate]);
    }
    run(&mut cargo)
}
