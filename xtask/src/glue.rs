//! Shrinks what wasm-bindgen leaves between the release widget's main wasm and its JS glue: the
//! import names, and the exports of library code that no JavaScript calls.
//!
//! Every function the wasm imports from the glue is named `__wbg_<method>_<16 hex digits>`, once
//! in the wasm's import section and once as a key of the glue's import object: 189 names of
//! mostly random hex that gzip cannot shrink (≈6 KB of the initial download, measured). They are
//! renamed here to the shortest free identifiers in both files at once. Nothing else names them:
//! the split modules import only the main module's exports (see split.rs), never the glue's
//! functions.

use std::{collections::BTreeSet, fs, path::Path};

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};

use crate::shell::Result;

/// The module name wasm-bindgen gives the glue's imports (`--out-name tsunagu_widget`).
const GLUE_MODULE: &str = "./tsunagu_widget_bg.js";

/// Exports of library code the widget links but no JavaScript ever calls: `wasm-streams`' classes
/// for turning Rust streams into JS streams, which Leptos links through `server_fn`'s `browser`
/// feature (Leptos enables it unconditionally; the widget has no server functions). wasm-bindgen
/// exports every `#[wasm_bindgen]` method of a linked crate, so the linker keeps their code. The
/// glue keeps its class wrappers, which nothing imports or constructs.
pub(crate) const UNUSED_EXPORTS: &[&str] = &["intounderlying*", "__wbg_intounderlying*"];

/// Renames the glue's imports in `wasm` and in the (minified) `js` that provides them. An import
/// is renamed only if the glue names it exactly once, as an object key; any other is left as is,
/// so a glue of another shape costs bytes, never correctness.
pub(crate) fn shorten_import_names(wasm: &Path, js: &Path) -> Result {
    let bytes = fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    let mut glue =
        fs::read_to_string(js).map_err(|e| format!("cannot read {}: {e}", js.display()))?;
    let imports = glue_imports(&bytes)?;
    let taken: BTreeSet<&str> = imports.iter().map(String::as_str).collect();
    let mut short_names = ShortNames::default();
    let mut renames: Vec<(String, String)> = Vec::new();
    for name in &imports {
        let Some(at) = only_key(&glue, name) else {
            continue;
        };
        let short = short_names.next_free(&taken);
        glue.replace_range(at..at + name.len(), &short);
        renames.push((name.clone(), short));
    }
    let renamed = rename_imports(&bytes, &renames)?;
    fs::write(wasm, renamed).map_err(|e| format!("cannot write {}: {e}", wasm.display()))?;
    fs::write(js, glue).map_err(|e| format!("cannot write {}: {e}", js.display()))
}

/// The names of the functions `wasm` imports from the glue, in import order.
fn glue_imports(wasm: &[u8]) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| format!("unreadable wasm: {e}"))?;
        if let wasmparser::Payload::ImportSection(section) = payload {
            for import in section.into_imports() {
                let import = import.map_err(|e| format!("unreadable import: {e}"))?;
                if import.module == GLUE_MODULE {
                    names.push(import.name.to_owned());
                }
            }
        }
    }
    Ok(names)
}

/// Where `name` stands as the glue's one object key of that name (`name:` not inside a longer
/// identifier), or `None` when it appears otherwise or more than once.
fn only_key(glue: &str, name: &str) -> Option<usize> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut found = None;
    for (at, _) in glue.match_indices(name) {
        let before = glue[..at].chars().next_back();
        let after = glue[at + name.len()..].chars().next();
        if before.is_some_and(is_ident) || after.is_some_and(is_ident) {
            continue;
        }
        if found.is_some() || after != Some(':') {
            return None;
        }
        found = Some(at);
    }
    found
}

/// The module with the glue's imports renamed; every other section is copied byte for byte.
fn rename_imports(wasm: &[u8], renames: &[(String, String)]) -> Result<Vec<u8>> {
    let mut module = wasm_encoder::Module::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| format!("unreadable wasm: {e}"))?;
        if let wasmparser::Payload::ImportSection(section) = &payload {
            let mut imports = wasm_encoder::ImportSection::new();
            for import in section.clone().into_imports() {
                let import = import.map_err(|e| format!("unreadable import: {e}"))?;
                let name = renames
                    .iter()
                    .find(|(old, _)| import.module == GLUE_MODULE && old == import.name)
                    .map_or(import.name, |(_, new)| new.as_str());
                let ty = RoundtripReencoder
                    .entity_type(import.ty)
                    .map_err(|e| format!("cannot re-encode import {}: {e}", import.name))?;
                imports.import(import.module, name, ty);
            }
            module.section(&imports);
        } else if let Some((id, range)) = payload.as_section() {
            let span = |at: u64| usize::try_from(at).map_err(|e| format!("unreadable wasm: {e}"));
            module.section(&wasm_encoder::RawSection {
                id,
                data: &wasm[span(range.start)?..span(range.end)?],
            });
        }
    }
    Ok(module.finish())
}

/// `a`, `b`, …, `Z`, `a0`, `b0`, …: identifiers in order of length.
#[derive(Default)]
struct ShortNames {
    next: usize,
}

impl ShortNames {
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    fn next_free(&mut self, taken: &BTreeSet<&str>) -> String {
        loop {
            let name = Self::nth(self.next);
            self.next += 1;
            if !taken.contains(name.as_str()) {
                return name;
            }
        }
    }

    fn nth(n: usize) -> String {
        let first = Self::FIRST.len();
        let mut name = String::from(Self::FIRST[n % first] as char);
        let mut rest = n / first;
        while rest > 0 {
            rest -= 1;
            name.push(Self::REST[rest % Self::REST.len()] as char);
            rest /= Self::REST.len();
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_distinct_identifiers() {
        let names: Vec<String> = (0..5_000).map(ShortNames::nth).collect();
        let distinct: BTreeSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len());
        assert_eq!(&names[..3], ["a", "b", "c"]);
        assert!(
            names
                .iter()
                .all(|n| n.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        );
    }

    #[test]
    fn only_a_lone_object_key_is_renamed() {
        let glue = "x={__wbg_a_1:function(){},__wbg_a_12:function(){}};y.__wbg_b_2();__wbg_b_2:1";
        assert_eq!(only_key(glue, "__wbg_a_1"), Some(3));
        assert_eq!(only_key(glue, "__wbg_a_12"), Some(26));
        assert_eq!(only_key(glue, "__wbg_b_2"), None, "also called: left as is");
        assert_eq!(only_key(glue, "__wbg_c_3"), None);
        assert_eq!(only_key("y.__wbg_c_3();", "__wbg_c_3"), None, "not a key");
    }

    #[test]
    fn imports_are_renamed_and_the_rest_kept() {
        let mut module = wasm_encoder::Module::new();
        let mut types = wasm_encoder::TypeSection::new();
        types.ty().function([], []);
        module.section(&types);
        let mut imports = wasm_encoder::ImportSection::new();
        imports.import(
            GLUE_MODULE,
            "__wbg_x_0123456789abcdef",
            wasm_encoder::EntityType::Function(0),
        );
        imports.import(
            "other",
            "__wbg_x_0123456789abcdef",
            wasm_encoder::EntityType::Function(0),
        );
        module.section(&imports);
        module.section(&wasm_encoder::CustomSection {
            name: "keep".into(),
            data: b"me".into(),
        });
        let wasm = module.finish();
        let renamed = rename_imports(
            &wasm,
            &[("__wbg_x_0123456789abcdef".to_owned(), "a".to_owned())],
        )
        .expect("re-encodes");
        assert_eq!(glue_imports(&renamed).expect("reads back"), ["a"]);
        let text = String::from_utf8_lossy(&renamed);
        assert!(text.contains("other") && text.contains("__wbg_x_0123456789abcdef"));
        assert!(text.contains("keep") && text.contains("me"));
        wasmparser::Validator::new()
            .validate_all(&renamed)
            .expect("still a valid module");
    }
}
