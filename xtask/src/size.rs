//! `cargo xtask size`: the release widget's download weight, gzipped, against the 120 KB budget.

use std::{fs, path::Path, process::Command};

use crate::{
    build::{Profile, TWILIO_SDK_NAME, build, site_dir},
    setup::setup,
    shell::Result,
};

/// Loader + wasm + JS glue + CSS, gzipped. Twilio's Voice SDK is counted apart: it is Twilio's
/// code, downloaded only by widgets whose phone line is `twilio`.
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

/// One file's line: its name under build/site, bytes and gzipped bytes; returns both sizes.
fn report(site: &Path, file: &Path, note: &str) -> Result<(u64, u64)> {
    let raw = fs::metadata(file).map_err(|e| e.to_string())?.len();
    let gz = gzipped_len(file)?;
    let name = file
        .strip_prefix(site)
        .unwrap_or(file)
        .display()
        .to_string();
    println!("{name:<44} {raw:>10} {gz:>10}{note}");
    Ok((raw, gz))
}

pub(crate) fn size() -> Result {
    setup()?;
    build(Profile::Release)?;
    let site = site_dir();
    let mut assets: Vec<_> = fs::read_dir(site.join("assets"))
        .map_err(|e| format!("cannot read the built assets: {e}"))?
        .flatten()
        .map(|entry| entry.path())
        .collect();
    assets.sort();
    let sdk_prefix = format!("{}.", TWILIO_SDK_NAME.trim_end_matches(".js"));
    let (sdk, widget): (Vec<_>, Vec<_>) = assets.into_iter().partition(|path| {
        path.file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with(&sdk_prefix))
    });
    let mut files = vec![site.join("embed.js")];
    files.extend(widget);
    println!("{:<44} {:>10} {:>10}", "file", "bytes", "gzipped");
    let (mut raw_total, mut gz_total) = (0, 0);
    for file in &files {
        let (raw, gz) = report(&site, file, "")?;
        raw_total += raw;
        gz_total += gz;
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
    for file in &sdk {
        report(
            &site,
            file,
            "  Twilio Voice SDK: apart, loaded only for `twilio` lines",
        )?;
    }
    Ok(())
}
