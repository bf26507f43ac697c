//! The administration views' styles, added to the widget's stylesheet when the module first runs.
//!
//! They travel in the module (no byte of them in `widget.css`, which every agent downloads).
//! The widget page's CSP allows no inline `<style>`; rules inserted through the CSSOM into the
//! page's own sheet are not inline styles, so they apply.

use std::cell::Cell;

use wasm_bindgen::JsValue;

use super::js;

const RULES: &[&str] = &[
    ".admin{display:flex;flex-direction:column;gap:10px;border-top:2px solid var(--line);padding-top:10px}",
    ".admin__title{font-size:1.2rem}",
    ".admin__tabs{display:flex;flex-wrap:wrap;gap:4px}",
    ".admin__tab{padding:6px 10px;border:1px solid var(--line);border-radius:8px;background:var(--soft);cursor:pointer;font-size:.95rem}",
    ".admin__tab[aria-selected=true]{background:var(--focus);border-color:var(--focus);color:#fff}",
    ".admin__body{display:flex;flex-direction:column;gap:12px;min-width:0}",
    ".admin__body h3{font-size:1.05rem}",
    ".admin__form{display:flex;flex-direction:column;gap:8px;padding:10px;border:1px solid var(--line);border-radius:10px;background:var(--soft)}",
    ".admin__list{margin:0;padding:0;list-style:none;display:flex;flex-direction:column;gap:6px}",
    ".admin__item{padding:8px;border:1px solid var(--line);border-radius:8px;display:flex;flex-direction:column;gap:4px;overflow-wrap:anywhere}",
    ".admin__row{display:flex;flex-wrap:wrap;gap:6px;align-items:center}",
    ".admin__meta{color:var(--muted);font-size:.9rem}",
    ".admin__check{display:inline-flex;gap:4px;align-items:center;margin-right:10px;font-weight:400}",
    ".admin__error{margin:0;color:var(--error);font-weight:600;font-size:.9rem}",
    ".admin__secret{padding:10px;border:2px solid var(--wait);border-radius:10px;background:#fff8c5;display:flex;flex-direction:column;gap:6px}",
    ".admin__secret code{overflow-wrap:anywhere;font-size:.85rem;user-select:all}",
    ".admin__report{border-collapse:collapse;font-size:.9rem;width:100%}",
    ".admin__report td,.admin__report th{border:1px solid var(--line);padding:4px;text-align:left;vertical-align:top}",
    ".admin__inline{display:inline-flex;gap:4px;align-items:center;font-weight:400}",
    ".admin__try{display:flex;flex-direction:column;gap:6px;border:1px dashed var(--line);border-radius:8px;padding:8px}",
    ".admin__preview{padding:8px;border-left:4px solid var(--focus);background:#fff;overflow-wrap:anywhere}",
    ".admin__preview ol{margin:4px 0 0;padding-left:1.4em}",
];

thread_local! {
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
}

/// Adds the rules to the page's first stylesheet, once.
pub(super) fn install() {
    if INSTALLED.with(|installed| installed.replace(true)) {
        return;
    }
    let sheets = js::get(&js::global("document"), "styleSheets");
    let sheet = js::get(&sheets, "0");
    if sheet.is_undefined() {
        return;
    }
    for rule in RULES {
        let end = js::get(&js::get(&sheet, "cssRules"), "length");
        let _ = js::call(&sheet, "insertRule", &JsValue::from_str(rule), &end);
    }
}
