//! 通話履歴 / Conversations (sessions with `read_routing_audit`: supervisors and admins): the
//! latest conversations of the session's log scope, newest first, a page at a time; opening one
//! shows its timeline and its routing audit, each decision in the widget's language.
//!
//! A feature module: the header's button is the phone's, everything here is downloaded the first
//! time it is opened (`#[wasm_split]`, split out by `cargo xtask build`; see ARCHITECTURE.md), so
//! agents never download it. Its strings (`i18n/conversations.rs`) and styles travel with it.

mod read;

use std::cell::Cell;

use js_sys::{Function, Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::{
    i18n::{
        Lang,
        conversations::{ConversationTexts, texts},
    },
    state::WidgetState,
};
use read::{Page, Row};

/// The view, its own wasm module fetched once on first use (`fallible`: a failed download is an
/// error the caller handles, not a panic).
#[cfg(not(test))]
#[leptos::wasm_split::wasm_split(
    tsunagu_conversations,
    wasm_split_path = ::leptos::wasm_split,
    fallible
)]
pub(crate) fn conversations_view(
    state: WidgetState,
) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(panel(state))
}

/// Component tests run an unsplit wasm (no link module to load from): the view is called as is.
#[cfg(test)]
#[allow(
    clippy::unused_async,
    reason = "the same signature as the split point's"
)]
pub(crate) async fn conversations_view(
    state: WidgetState,
) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(panel(state))
}

/// A page of this many conversations at a time.
const PAGE: u32 = 20;

/// What went wrong loading a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    Network,
    Forbidden,
    SignedOut,
    Other,
}

impl Problem {
    fn text(self, t: &ConversationTexts) -> &'static str {
        match self {
            Problem::Network => t.err_network,
            Problem::Forbidden => t.err_forbidden,
            Problem::SignedOut => t.err_signed_out,
            Problem::Other => t.err_other,
        }
    }
}

fn t(state: WidgetState) -> &'static ConversationTexts {
    texts(state.lang.get())
}

fn panel(state: WidgetState) -> AnyView {
    install_styles();
    let rows = RwSignal::new(Vec::<Row>::new());
    let next = RwSignal::new(None::<String>);
    let zone = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let opened = RwSignal::new(None::<String>);
    let load = move |cursor: Option<String>| {
        let Some(session) = crate::controller::session_token() else {
            problem.set(Some(Problem::SignedOut));
            return;
        };
        let mut path = format!("/api/conversations?limit={PAGE}");
        if let Some(cursor) = cursor {
            path.push_str("&cursor=");
            path.push_str(&String::from(js_sys::encode_uri_component(&cursor)));
        }
        loading.set(true);
        problem.set(None);
        crate::api::get(&path, Some(&session), move |reply| {
            loading.set(false);
            let page: Result<Page, Problem> = match reply {
                Err(()) => Err(Problem::Network),
                Ok((200, body)) => read::page(&body).ok_or(Problem::Other),
                Ok((401, _)) => Err(Problem::SignedOut),
                Ok((403, _)) => Err(Problem::Forbidden),
                Ok(_) => Err(Problem::Other),
            };
            match page {
                Ok(page) => {
                    rows.update(|rows| rows.extend(page.rows));
                    next.set(page.next);
                    if page.time_zone.is_some() {
                        zone.set(page.time_zone);
                    }
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    load(None);
    let list = move || {
        let lang = state.lang.get();
        let zone = zone.get();
        rows.with(|rows| {
            rows.iter()
                .map(|row| row_view(row.clone(), lang, zone.clone(), opened))
                .collect_view()
        })
    };
    view! {
        <section class="calls" data-testid="conversations" aria-label=move || t(state).title>
            <h2 class="calls__title">{move || t(state).title}</h2>
            <ol class="calls__list">{list}</ol>
            {move || (!loading.get() && problem.get().is_none() && rows.with(Vec::is_empty))
                .then(|| view! { <p class="calls__meta" data-testid="conversations-empty">{t(state).empty}</p> })}
            {move || problem.get().map(|problem| view! {
                <p class="notice" role="alert" data-testid="conversations-problem">{problem.text(t(state))}</p>
            })}
            {move || loading.get().then(|| view! { <p class="calls__meta">"…"</p> })}
            {move || (next.with(Option::is_some) && !loading.get()).then(|| view! {
                <button type="button" class="btn btn--small" data-testid="conversations-more"
                    on:click=move |_| load(next.get_untracked())>
                    {t(state).more}
                </button>
            })}
        </section>
    }
    .into_any()
}

/// One conversation: its line, and once opened its timeline and routing audit.
fn row_view(
    row: Row,
    lang: Lang,
    zone: Option<String>,
    opened: RwSignal<Option<String>>,
) -> AnyView {
    let tx = texts(lang);
    let phone = crate::i18n::texts(lang);
    let key = row.key.clone();
    let is_open = {
        let key = key.clone();
        move || opened.with(|o| o.as_deref() == Some(key.as_str()))
    };
    let toggle = {
        let key = key.clone();
        move |_| {
            opened.update(|o| {
                *o = (o.as_deref() != Some(key.as_str())).then(|| key.clone());
            });
        }
    };
    let number = row
        .number
        .clone()
        .unwrap_or_else(|| tx.unknown_number.to_owned());
    let name = row.customer_name.clone().unwrap_or_default();
    let channel = row
        .channel
        .map(|c| read::channel_label(phone, c))
        .unwrap_or_default();
    let outcome = read::outcome_text(tx, &row.outcome);
    let agent = row
        .answered_by
        .clone()
        .unwrap_or_else(|| tx.nobody_answered.to_owned());
    let when = clock(row.started_at, zone.as_deref(), lang, true);
    let detail = {
        let is_open = is_open.clone();
        move || is_open().then(|| detail_view(&row, lang, zone.as_deref()))
    };
    view! {
        <li class="calls__item" data-testid="conversation-row" data-key=key>
            <button type="button" class="calls__open" aria-expanded=move || is_open().to_string() on:click=toggle>
                <span class="calls__line">
                    <time class="calls__meta" data-testid="conversation-time">{when}</time>
                    <span class="calls__meta">{channel}</span>
                </span>
                <span class="calls__line">
                    <span class="tel" data-testid="conversation-number">{number}</span>
                    <strong data-testid="conversation-customer">{name}</strong>
                </span>
                <span class="calls__line">
                    <span data-testid="conversation-outcome">{outcome}</span>
                    <span class="calls__meta">{tx.agent}<span data-testid="conversation-agent">{agent}</span></span>
                </span>
            </button>
            {detail}
        </li>
    }
    .into_any()
}

/// An opened conversation: what happened, then why it went where it did.
fn detail_view(row: &Row, lang: Lang, zone: Option<&str>) -> AnyView {
    let tx = texts(lang);
    let phone = crate::i18n::texts(lang);
    let moments = row
        .timeline
        .iter()
        .map(|moment| {
            let text = read::moment_text(tx, phone, row, &moment.event);
            let at = clock(moment.at, zone, lang, false);
            view! {
                <li data-testid="conversation-moment"><time class="calls__meta">{at}</time>" "{text}</li>
            }
        })
        .collect_view();
    let audit = if row.audit.is_empty() {
        view! { <p class="calls__meta">{tx.no_audit}</p> }.into_any()
    } else {
        let decisions = row
            .audit
            .iter()
            .map(|decision| {
                let at = clock(decision.at, zone, lang, false);
                let text = decision.text(lang).to_owned();
                view! {
                    <li class="calls__decision" data-testid="routing-decision">
                        <time class="calls__meta">{at}</time>
                        <p class="calls__why">{text}</p>
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="calls__audit">{decisions}</ol> }.into_any()
    };
    view! {
        <div class="calls__detail" data-testid="conversation-detail">
            <h3>{tx.timeline}</h3>
            <ol class="calls__timeline" data-testid="conversation-timeline">{moments}</ol>
            <h3>{tx.audit}</h3>
            <div data-testid="routing-audit">{audit}</div>
        </div>
    }
    .into_any()
}

/// Epoch milliseconds as a clock time (with the date when `with_date`) in the tenant's time
/// zone, in the widget's language; in the browser's zone if the zone is unknown to it.
fn clock(ms: u64, zone: Option<&str>, lang: Lang, with_date: bool) -> String {
    // Milliseconds since 1970 fit an f64 exactly until the year 287,396.
    #[allow(clippy::cast_precision_loss, reason = "exact for any real date")]
    let date: JsValue = js_sys::Date::new(&JsValue::from_f64(ms as f64)).into();
    let format = |zone: Option<&str>| {
        let options = Object::new();
        let set = |key: &str, value: &str| {
            let _ = Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
        };
        if with_date {
            set("month", "numeric");
            set("day", "numeric");
        } else {
            set("second", "2-digit");
        }
        set("hour", "2-digit");
        set("minute", "2-digit");
        if let Some(zone) = zone {
            set("timeZone", zone);
        }
        // `toLocaleString` throws a RangeError for a zone the browser does not know: called
        // through `Function.call`, which turns that into an `Err` instead of aborting the widget.
        Reflect::get(&date, &JsValue::from_str("toLocaleString"))
            .ok()?
            .dyn_into::<Function>()
            .ok()?
            .call2(&date, &JsValue::from_str(lang.tag()), &options)
            .ok()?
            .as_string()
    };
    format(zone).or_else(|| format(None)).unwrap_or_default()
}

const RULES: &[&str] = &[
    ".calls{display:flex;flex-direction:column;gap:8px;border-top:2px solid var(--line);padding-top:10px}",
    ".calls__title{font-size:1.2rem}",
    ".calls__list,.calls__timeline,.calls__audit{margin:0;padding:0;list-style:none;display:flex;flex-direction:column;gap:6px}",
    ".calls__item{border:1px solid var(--line);border-radius:8px;overflow-wrap:anywhere}",
    ".calls__open{all:unset;box-sizing:border-box;width:100%;padding:8px;display:flex;flex-direction:column;gap:2px;cursor:pointer}",
    ".calls__open:focus-visible{outline:2px solid var(--focus)}",
    ".calls__open[aria-expanded=true]{background:var(--soft)}",
    ".calls__line{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline}",
    ".calls__meta{color:var(--muted);font-size:.9rem}",
    ".calls__detail{padding:8px;border-top:1px solid var(--line);display:flex;flex-direction:column;gap:6px}",
    ".calls__detail h3{font-size:1rem}",
    ".calls__decision{padding:6px 8px;border-left:4px solid var(--focus);background:#fff}",
    ".calls__why{margin:2px 0 0;white-space:pre-line;font-size:.92rem}",
];

thread_local! {
    static STYLED: Cell<bool> = const { Cell::new(false) };
}

/// Adds the view's rules to the widget's stylesheet, once (the page's CSP allows no inline
/// `<style>`; rules inserted through the CSSOM are not inline). None of it is in `widget.css`.
fn install_styles() {
    if STYLED.with(|styled| styled.replace(true)) {
        return;
    }
    let get = |target: &JsValue, key: &str| {
        Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    };
    let document = get(&js_sys::global(), "document");
    let sheet = get(&get(&document, "styleSheets"), "0");
    let Ok(insert) = get(&sheet, "insertRule").dyn_into::<Function>() else {
        return;
    };
    for rule in RULES {
        let end = get(&get(&sheet, "cssRules"), "length");
        let _ = insert.call2(&sheet, &JsValue::from_str(rule), &end);
    }
}
