//! `cargo xtask size`: the release widget's download weight, gzipped, against the 120 KB budget.

use std::{fs, path::Path, process::Command};

use crate::{
    build::{Profile, build, site_dir},
    setup::setup,
    shell::Result,
};

/// Loader + wasm + JS glue + CSS, gzipped (the Twilio Voice SDK is counted apart when it ships).
const BUDGET_BYTES: u64 = 120 * 1024;

fn gzipped_len(path: &Path) -> Result<u64> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip failed on {}", path.display()));
    }
    Ok(out.stdout.len() as u64)
}

pub(crate) fn size() -> Result {
    setup()?;
    build(Profile::Release)?;
    let site = site_dir();
    let mut files = vec![site.join("embed.js")];
    let mut assets: Vec<_> = fs::read_dir(site.join("assets"))
        .map_err(|e| format!("cannot read the built assets: {e}"))?
        .flatten()
        .map(|entry| entry.path())
        .collect();
    assets.sort();
    files.extend(assets);
    println!("{:<44} {:>10} {:>10}", "file", "bytes", "gzipped");
    let (mut raw_total, mut gz_total) = (0, 0);
    for file in &files {
        let raw = fs::metadata(file).map_err(|e| e.to_string())?.len();
        let gz = gzipped_len(file)?;
        raw_total += raw;
        gz_total += gz;
        let name = file
            .strip_prefix(&site)
            .unwrap_or(file)
            .display()
            .to_string();
        println!("{name:<44} {raw:>10} {gz:>10}");
    }
    println!("{:<44} {raw_total:>10} {gz_total:>10}", "total");
    let verdict = if gz_total <= BUDGET_BYTES {
        "within"
    } else {
        "OVER"
    };
    println!(
        "budget {BUDGET_BYTES} bytes gzipped: {verdict} ({:+} bytes)",
        i128::from(gz_total) - i128::from(BUDGET_BYTES)
    );
    Ok(())
}
