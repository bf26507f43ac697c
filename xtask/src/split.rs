//! Splits the widget's wasm at its `#[lazy]` points into feature modules loaded on first use.
//!
//! `wasm_split_cli_support` (what cargo-leptos uses) reads the linker's relocations (the widget is
//! linked with `--emit-relocs`), keeps in the main module what the phone reaches, moves what only a
//! `#[lazy]` function reaches into its own `.wasm`, and writes a small JS link module that fetches
//! and instantiates those files when the function is first called. Here the outputs are content
//! hashed like every other asset: the modules, then the link module (which names them), whose
//! final name is patched into the main wasm's import before wasm-bindgen runs.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use crate::shell::Result;

/// The link module's name while splitting: as long as the final `./__wasm_split.<hash>.js` (the
/// main wasm imports it by name, and the name is patched in place, so the length cannot change).
const LINK_PLACEHOLDER: &str = "./__wasm_split.____________.js";

/// The glue the link module would import `initSync` from. Its name is content hashed after the
/// link module's, and the glue names the link module: the import is replaced by a setter that the
/// boot script calls, so neither file's hash depends on the other's.
const GLUE_IMPORT: &str = "import { initSync } from \"./tsunagu_widget.js\";";
const GLUE_SETTER: &str =
    "let initSync;\nexport function __tsunagu_set_init(init) { initSync = init; }";

/// What the split produced.
pub(crate) struct Split {
    /// The main module, ready for wasm-bindgen (the link module's final name patched in).
    pub(crate) main_wasm: PathBuf,
    /// Content-hashed files to publish beside the other assets: the link module and the modules.
    pub(crate) assets_dir: PathBuf,
    /// The link module's hashed file name.
    pub(crate) link_js: String,
    /// Each `#[lazy]` split point → the hashed files its first call downloads.
    pub(crate) modules: BTreeMap<String, Vec<String>>,
}

/// Splits `wasm` (rustc's output, linked with `--emit-relocs`) in `work`; every module and the
/// link module are passed through `optimise` (wasm-opt and esbuild in release builds) before
/// they are hashed.
pub(crate) fn split(wasm: &Path, work: &Path, optimise: &dyn Fn(&Path) -> Result) -> Result<Split> {
    let input = read(wasm)?;
    let raw_dir = work.join("raw");
    let assets_dir = work.join("assets");
    for dir in [&raw_dir, &assets_dir] {
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let main_wasm = raw_dir.join("tsunagu_widget.wasm");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = &raw_dir;
        options.main_out_path = &main_wasm;
        options.main_module = "./tsunagu_widget.js";
        options.link_name = LINK_PLACEHOLDER;
        options
    })
    .map_err(|e| format!("cannot split the widget's wasm: {e:#}"))?;

    // The modules first: the link module names them.
    let mut hashed = BTreeMap::new();
    for module in &split.split_modules {
        optimise(module)?;
        let stem = file_stem(module)?;
        let name =
            crate::build::write_hashed(&format!("{stem}.wasm"), &read(module)?, &assets_dir)?;
        hashed.insert(stem, name);
    }
    let link_path = raw_dir.join(LINK_PLACEHOLDER.trim_start_matches("./"));
    let mut link = String::from_utf8(read(&link_path)?)
        .map_err(|_| "the split link module is not UTF-8".to_owned())?;
    if !link.contains(GLUE_IMPORT) {
        return Err(format!(
            "the split link module no longer imports the glue as `{GLUE_IMPORT}`"
        ));
    }
    link = link.replace(GLUE_IMPORT, GLUE_SETTER);
    for (stem, name) in &hashed {
        link = link.replace(&format!("\"./{stem}.wasm\""), &format!("\"./{name}\""));
    }
    // Every agent downloads the link module: it is minified too (release), once its text is final.
    fs::write(&link_path, link.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", link_path.display()))?;
    optimise(&link_path)?;
    let link = read(&link_path)?;
    let link_js = crate::build::write_hashed("__wasm_split.js", &link, &assets_dir)?;
    let final_link = format!("./{link_js}");
    if final_link.len() != LINK_PLACEHOLDER.len() {
        return Err(format!(
            "{final_link} and {LINK_PLACEHOLDER} differ in length"
        ));
    }
    patch(&main_wasm, LINK_PLACEHOLDER, &final_link)?;

    let modules = split
        .prefetch_map
        .into_iter()
        .map(|(point, stems)| {
            let files = stems
                .iter()
                .filter_map(|stem| hashed.get(stem).cloned())
                .collect();
            (point, files)
        })
        .collect();
    Ok(Split {
        main_wasm,
        assets_dir,
        link_js,
        modules,
    })
}

/// Replaces every occurrence of `from` in the file with `to` (of the same length).
fn patch(path: &Path, from: &str, to: &str) -> Result {
    let mut bytes = read(path)?;
    let mut found = 0;
    let mut at = 0;
    while let Some(offset) = bytes[at..]
        .windows(from.len())
        .position(|window| window == from.as_bytes())
    {
        let start = at + offset;
        bytes[start..start + to.len()].copy_from_slice(to.as_bytes());
        at = start + to.len();
        found += 1;
    }
    if found == 0 {
        return Err(format!("{} never imports {from}", path.display()));
    }
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn file_stem(path: &Path) -> Result<String> {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{} has no file name", path.display()))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
