//! `cargo xtask size`: the release widget's initial download and each feature module, gzipped,
//! against their budgets (120 KB and 60 KB); exits non-zero when either is over.

use std::{collections::BTreeSet, fs, path::Path, process::Command};

use crate::{
    build::{MODULES_MANIFEST, Profile, TWILIO_SDK_NAME, build_widget, site_dir},
    setup::setup,
    shell::{Result, root},
};

/// Loader + boot + JS glue + split link module + main wasm + CSS, gzipped: what every agent
/// downloads before the phone works. Twilio's Voice SDK is counted apart: it is Twilio's code,
/// downloaded only by widgets whose phone line is `twilio`.
const INITIAL_BUDGET: u64 = 120 * 1024;
/// Each feature module (a `#[lazy]` view), gzipped: downloaded when an agent first opens it.
const MODULE_BUDGET: u64 = 60 * 1024;

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
    println!("{name:<52} {raw:>10} {gz:>10}{note}");
    Ok((raw, gz))
}

/// Prints the total against `budget`; returns whether it fits.
fn verdict(label: &str, raw: u64, gz: u64, budget: u64) -> bool {
    let fits = gz <= budget;
    println!(
        "{label:<52} {raw:>10} {gz:>10}  budget {budget}: {} ({:+} bytes)",
        if fits { "within" } else { "OVER" },
        i128::from(gz) - i128::from(budget)
    );
    fits
}

/// The split points and their files, from the manifest `cargo xtask build` writes.
fn modules() -> Result<Vec<(String, Vec<String>)>> {
    let path = root().join("build").join(MODULES_MANIFEST);
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let object = json
        .as_object()
        .ok_or_else(|| format!("{} is not an object", path.display()))?;
    Ok(object
        .iter()
        .map(|(point, files)| {
            let files = files
                .as_array()
                .map(|files| {
                    files
                        .iter()
                        .filter_map(|f| f.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            (point.clone(), files)
        })
        .collect())
}

pub(crate) fn size() -> Result {
    setup()?;
    build_widget(Profile::Release)?;
    let site = site_dir();
    let assets_dir = site.join("assets");
    let modules = modules()?;
    let module_files: BTreeSet<&str> = modules
        .iter()
        .flat_map(|(_, files)| files.iter().map(String::as_str))
        .collect();
    let mut assets: Vec<_> = fs::read_dir(&assets_dir)
        .map_err(|e| format!("cannot read the built assets: {e}"))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    assets.sort();
    let sdk_prefix = format!("{}.", TWILIO_SDK_NAME.trim_end_matches(".js"));
    let name_of = |path: &Path| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let (sdk, rest): (Vec<_>, Vec<_>) = assets
        .into_iter()
        .partition(|path| name_of(path).starts_with(&sdk_prefix));
    let initial: Vec<_> = rest
        .into_iter()
        .filter(|path| !module_files.contains(name_of(path).as_str()))
        .collect();

    println!(
        "{:<52} {:>10} {:>10}",
        "initial download", "bytes", "gzipped"
    );
    let (mut raw_total, mut gz_total) = (0, 0);
    for file in std::iter::once(site.join("embed.js")).chain(initial) {
        let (raw, gz) = report(&site, &file, "")?;
        raw_total += raw;
        gz_total += gz;
    }
    let mut fits = verdict(
        "initial download total",
        raw_total,
        gz_total,
        INITIAL_BUDGET,
    );

    for (point, files) in &modules {
        println!("\nmodule {point} (loaded on first use)");
        let (mut raw_total, mut gz_total) = (0, 0);
        for file in files {
            let (raw, gz) = report(&site, &assets_dir.join(file), "")?;
            raw_total += raw;
            gz_total += gz;
        }
        fits &= verdict(
            &format!("module {point} total"),
            raw_total,
            gz_total,
            MODULE_BUDGET,
        );
    }
    println!();
    for file in &sdk {
        report(
            &site,
            file,
            "  Twilio Voice SDK: apart, loaded only for `twilio` lines",
        )?;
    }
    if fits {
        Ok(())
    } else {
        Err("the widget is over its size budget".into())
    }
}
