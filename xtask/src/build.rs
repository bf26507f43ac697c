//! Builds the widget (Leptos → wasm → content-hashed files in build/site, with Twilio's Voice SDK) and the worker.

use std::{
    fs,
    path::{Path, PathBuf},
};

use sha2::{Digest, Sha256};

use crate::shell::{Result, cmd, node_bin, root, run, target_dir};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    /// Fast to compile; what `run` and `test` use by default.
    Dev,
    /// Size-tuned, optimised by wasm-opt; what ships and what the size script measures.
    Release,
}

impl Profile {
    fn cargo_dir(self) -> &'static str {
        match self {
            Profile::Dev => "debug",
            Profile::Release => "release",
        }
    }
}

/// The browser bundle of Twilio's Voice SDK (npm `@twilio/voice-sdk`, pinned in package.json).
const TWILIO_SDK_BUNDLE: &str = "node_modules/@twilio/voice-sdk/dist/twilio.min.js";
/// The same bundle unminified: its first comment is the SDK's licence, which the minified file lost.
const TWILIO_SDK_UNMINIFIED: &str = "node_modules/@twilio/voice-sdk/dist/twilio.js";

/// The SDK's name in build/site/assets, before its content hash: `twilio-voice.<hash>.js`.
pub(crate) const TWILIO_SDK_NAME: &str = "twilio-voice.js";

/// Where the worker's `[assets]` come from (wrangler.toml points here).
pub(crate) fn site_dir() -> PathBuf {
    root().join("build/site")
}

pub(crate) fn build(profile: Profile) -> Result {
    build_widget(profile)?;
    build_worker(profile)?;
    build_tools(profile)
}

/// Where the Twilio test double's binary is copied, for `run` and the Node tests (whatever the
/// cargo target directory is).
pub(crate) fn double_binary() -> PathBuf {
    root().join("build").join("bin").join("twilio-double")
}

/// The Twilio test double (dev and test only; never part of the worker) and the operator CLI
/// (`tsunagu`, which the Node tests drive against the worker), both copied to `build/bin`.
fn build_tools(profile: Profile) -> Result {
    let mut cargo = cmd("cargo");
    cargo.args(["build", "-p", "tsunagu-twilio-double", "-p", "tsunagu-cli"]);
    if profile == Profile::Release {
        cargo.arg("--release");
    }
    run(&mut cargo)?;
    let bin = root().join("build").join("bin");
    fs::create_dir_all(&bin).map_err(|e| format!("cannot create {}: {e}", bin.display()))?;
    for name in ["twilio-double", "tsunagu"] {
        let built = target_dir().join(profile.cargo_dir()).join(name);
        let copy = bin.join(name);
        fs::copy(&built, &copy).map_err(|e| format!("cannot copy {}: {e}", built.display()))?;
    }
    Ok(())
}

/// The widget alone (what `cargo xtask size` measures): the worker and the double are not needed.
pub(crate) fn build_widget(profile: Profile) -> Result {
    let mut cargo = cmd("cargo");
    cargo.args([
        "build",
        "-p",
        "tsunagu-web",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    // Leptos' type erasure: every reactive closure of a view becomes one boxed type instead of its
    // own copy of the render code (−7.7 KB gzipped). Added to .cargo/config.toml's wasm32 flags
    // (arrays merge), for the widget only, in dev too so the browser tests run what ships.
    // `--emit-relocs` keeps the linker's relocations in the wasm: the splitter needs them to
    // move the `#[lazy]` views into their own modules (see split.rs).
    cargo.args([
        "--config",
        r#"target.wasm32-unknown-unknown.rustflags = ["--cfg", "erase_components", "-C", "link-arg=--emit-relocs"]"#,
    ]);
    if profile == Profile::Release {
        cargo.arg("--release");
        // The shipped widget also rebuilds the standard library for size (−20 KB gzipped of
        // 188): `optimize_for_size` picks std's small algorithms, and `immediate-abort` drops
        // panic messages, locations and their formatting, which the release widget never
        // showed (a panic aborts it either way; debug builds keep them, with the console hook).
        // Both are unstable flags of the pinned stable toolchain (rust-toolchain.toml, with its
        // `rust-src`), enabled for this one build by RUSTC_BOOTSTRAP; see ARCHITECTURE.md.
        cargo.env("RUSTC_BOOTSTRAP", "1");
        cargo.args([
            "-Zbuild-std=std,panic_abort",
            "-Zbuild-std-features=optimize_for_size",
            "--config",
            r#"target.wasm32-unknown-unknown.rustflags = ["-Zunstable-options", "-Cpanic=immediate-abort"]"#,
        ]);
    }
    run(&mut cargo)?;

    let wasm = target_dir()
        .join("wasm32-unknown-unknown")
        .join(profile.cargo_dir())
        .join("tsunagu_web.wasm");
    // The feature modules leave the main wasm first; wasm-bindgen then sees only the phone.
    let split =
        crate::split::split(
            &wasm,
            &target_dir().join("widget-split"),
            &|file: &Path| match profile {
                Profile::Release if file.extension().is_some_and(|e| e == "js") => minify(file),
                Profile::Release => wasm_opt(file),
                Profile::Dev => Ok(()),
            },
        )?;
    let bindgen_dir = target_dir().join("widget-bindgen");
    remove_dir(&bindgen_dir)?;
    run(cmd("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--no-typescript",
            // The split modules call into the main module through the linker's exports.
            "--keep-lld-exports",
            "--out-name",
            "tsunagu_widget",
        ])
        .arg("--out-dir")
        .arg(&bindgen_dir)
        .arg(&split.main_wasm))?;
    let bindgen_wasm = bindgen_dir.join("tsunagu_widget_bg.wasm");
    if profile == Profile::Release {
        let unused: Vec<String> = crate::glue::UNUSED_EXPORTS
            .iter()
            .map(|pattern| format!("--remove-exports={pattern}"))
            .collect();
        wasm_opt_with(&bindgen_wasm, &unused)?;
        let glue = bindgen_dir.join("tsunagu_widget.js");
        minify(&glue)?;
        crate::glue::shorten_import_names(&bindgen_wasm, &glue)?;
    }

    let site = site_dir();
    remove_dir(&site)?;
    let assets = site.join("assets");
    mkdir(&assets)?;
    let js = copy_hashed(&bindgen_dir.join("tsunagu_widget.js"), &assets)?;
    let wasm = copy_hashed(&bindgen_wasm, &assets)?;
    let css = if profile == Profile::Release {
        let minified = bindgen_dir.join("widget.css");
        fs::copy(root().join("web/style/widget.css"), &minified)
            .map_err(|e| format!("cannot copy widget.css: {e}"))?;
        minify(&minified)?;
        copy_hashed(&minified, &assets)?
    } else {
        copy_hashed(&root().join("web/style/widget.css"), &assets)?
    };
    // Copied, not bundled: the widget adds it to its page only for a `twilio` phone line.
    let twilio_sdk = write_hashed(TWILIO_SDK_NAME, &twilio_sdk()?, &assets)?;
    copy_dir(&split.assets_dir, &assets)?;
    write(
        &root().join("build").join(MODULES_MANIFEST),
        modules_manifest(&split.modules).as_bytes(),
    )?;
    let snippets = bindgen_dir.join("snippets");
    if snippets.exists() {
        copy_dir(&snippets, &assets.join("snippets"))?;
    }
    // The boot module is tiny and generated so the page needs no inline script (strict CSP).
    // It names the SDK file too, so the widget's version changes when the SDK does.
    let boot_source = format!(
        "// Generated by cargo xtask: starts the widget (Twilio Voice SDK: {twilio_sdk}).\n\
         import init, {{ initSync }} from './{js}';\n\
         import {{ __tsunagu_set_init }} from './{link}';\n\
         __tsunagu_set_init(initSync);\n\
         await init({{ module_or_path: new URL('./{wasm}', import.meta.url) }});\n",
        link = split.link_js,
    );
    let boot = write_hashed("boot.js", boot_source.as_bytes(), &assets)?;
    let version = boot
        .trim_start_matches("boot.")
        .trim_end_matches(".js")
        .to_owned();

    let template = read(&root().join("web/widget.html"))?;
    let page = String::from_utf8_lossy(&template)
        .replace("{{CSS}}", &css)
        .replace("{{BOOT}}", &boot)
        .replace("{{GLUE}}", &js)
        .replace("{{LINK}}", &split.link_js)
        .replace("{{WASM}}", &wasm)
        .replace("{{VERSION}}", &version)
        .replace("{{TWILIO_SDK}}", &twilio_sdk);
    write(&site.join("widget.html"), page.as_bytes())?;
    // What `/widget/version` serves: open widgets compare it with their own and update when idle.
    write(
        &site.join("version.json"),
        format!("{{\"version\":\"{version}\"}}\n").as_bytes(),
    )?;
    fs::copy(root().join("web/loader/embed.js"), site.join("embed.js"))
        .map_err(|e| format!("cannot copy embed.js: {e}"))?;
    // The hashed files skip the worker (wrangler.toml's run_worker_first); the asset server sets
    // their caching and security headers from this file, which it never serves itself.
    fs::copy(root().join("web/_headers"), site.join("_headers"))
        .map_err(|e| format!("cannot copy _headers: {e}"))?;
    if profile == Profile::Release {
        // Every CRM page downloads it; the debug build keeps the commented source (a browser
        // test rewrites one of its statements to play an old loader).
        minify(&site.join("embed.js"))?;
    }
    eprintln!("xtask: widget version {version} in {}", site.display());
    Ok(())
}

/// The minified SDK with its licence comment put back in front (Apache-2.0 asks for it).
fn twilio_sdk() -> Result<Vec<u8>> {
    let unminified = read(&root().join(TWILIO_SDK_UNMINIFIED))?;
    let licence_end = unminified
        .windows(2)
        .position(|pair| pair == b"*/")
        .filter(|_| unminified.starts_with(b"/*!"))
        .ok_or_else(|| format!("{TWILIO_SDK_UNMINIFIED} does not start with its licence"))?;
    let mut bytes = unminified[..licence_end + 2].to_vec();
    bytes.push(b'\n');
    bytes.extend(read(&root().join(TWILIO_SDK_BUNDLE))?);
    Ok(bytes)
}

/// binaryen 132 from npm (Debian's wasm-opt 108 corrupts wasm-bindgen 0.2.130 output), in place.
fn wasm_opt(file: &Path) -> Result {
    wasm_opt_with(file, &[])
}

/// `wasm_opt` with more passes (`extra`) before the optimising ones.
fn wasm_opt_with(file: &Path, extra: &[String]) -> Result {
    run(cmd(&node_bin().join("wasm-opt").to_string_lossy())
        .args(extra)
        .args([
            "-Oz",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
        ])
        .args([
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
        ])
        .args(["--enable-multivalue"])
        // Repeat the passes while they still shrink the module; drop the toolchain list.
        .args(["--converge", "--strip-producers"])
        .arg(file)
        .arg("-o")
        .arg(file))
}

/// Where the build lists the feature modules, beside (not in) the served site: `cargo xtask size`
/// and the browser tests read it.
pub(crate) const MODULES_MANIFEST: &str = "widget-modules.json";

/// `{"<split point>": ["<hashed file>", …], …}`, sorted, one split point a line.
fn modules_manifest(modules: &std::collections::BTreeMap<String, Vec<String>>) -> String {
    let lines: Vec<String> = modules
        .iter()
        .map(|(point, files)| {
            let files: Vec<String> = files.iter().map(|f| format!("\"{f}\"")).collect();
            format!("  \"{point}\": [{}]", files.join(", "))
        })
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}

/// Minifies a release JS module or stylesheet in place with the esbuild wrangler pins (no
/// bundling, no syntax lowering): the wasm-bindgen glue shrinks from 7.8 to 5.9 KB gzipped.
fn minify(file: &Path) -> Result {
    let minified = file.with_extension(format!(
        "min.{}",
        file.extension().unwrap_or_default().to_string_lossy()
    ));
    run(cmd(&node_bin().join("esbuild").to_string_lossy())
        .arg(file)
        .args(["--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", minified.display())))?;
    fs::rename(&minified, file).map_err(|e| format!("cannot replace {}: {e}", file.display()))
}

fn build_worker(profile: Profile) -> Result {
    let mut build = cmd("worker-build");
    build.current_dir(root().join("worker"));
    build.arg(match profile {
        Profile::Dev => "--dev",
        Profile::Release => "--release",
    });
    run(&mut build)
}

fn content_hash(bytes: &[u8]) -> String {
    let digest = format!("{:x}", Sha256::digest(bytes));
    digest[..12].to_owned()
}

/// `name.ext` → `name.<hash>.ext`.
fn hashed_name(file_name: &str, bytes: &[u8]) -> String {
    let hash = content_hash(bytes);
    match file_name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{file_name}.{hash}"),
    }
}

fn copy_hashed(source: &Path, dir: &Path) -> Result<String> {
    let bytes = read(source)?;
    let file_name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_hashed(&file_name, &bytes, dir)
}

pub(crate) fn write_hashed(file_name: &str, bytes: &[u8], dir: &Path) -> Result<String> {
    let name = hashed_name(file_name, bytes);
    write(&dir.join(&name), bytes)?;
    Ok(name)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result {
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn mkdir(path: &Path) -> Result {
    fs::create_dir_all(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
}

fn remove_dir(path: &Path) -> Result {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("cannot remove {}: {e}", path.display()))
        }
        _ => Ok(()),
    }
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    mkdir(to)?;
    let entries = fs::read_dir(from).map_err(|e| format!("cannot list {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).map_err(|e| format!("cannot copy: {e}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::hashed_name;

    #[test]
    fn hashed_names_keep_the_extension_last() {
        let name = hashed_name("tsunagu_widget_bg.wasm", b"abc");
        assert_eq!(name, "tsunagu_widget_bg.ba7816bf8f01.wasm");
    }
}
