//! What the widget page knows at boot: the tenant, the host page's origin, the tenant's allowed origins
//! and the build's Twilio Voice SDK file.

use crate::json::Fields;

use crate::origin;

/// The JSON the worker writes into `<meta name="tsunagu-config">` of the widget page.
#[derive(Debug, Default)]
struct BootConfig {
    /// The tenant's CSP source list (the page's `frame-ancestors`).
    allowed_origins: String,
    /// How often to ask the worker for the current widget version (ms).
    version_check_ms: u64,
}

impl BootConfig {
    fn read(json: &str) -> Option<BootConfig> {
        let mut fields = Fields::parse(json)?;
        Some(BootConfig {
            allowed_origins: fields.text_or_empty("allowed_origins")?,
            version_check_ms: match fields.take("version_check_ms") {
                None => default_version_check_ms(),
                Some(ms) => ms.as_u64()?,
            },
        })
    }
}

fn default_version_check_ms() -> u64 {
    300_000
}

/// How often the widget checks for a new version of itself.
pub(crate) fn version_check_ms() -> u64 {
    match boot_config().version_check_ms {
        // A page without the worker's config (opened on its own).
        0 => default_version_check_ms(),
        ms => ms.max(1_000),
    }
}

/// A parameter of the widget page's query string.
pub(crate) fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// Who framed the widget, as far as the widget can trust it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostOrigin {
    /// Opened on its own (no `host` parameter, no parent): there is nobody to talk to.
    None,
    /// The `host` parameter names an allowed origin (and the browser agrees who the parent is).
    Allowed(String),
    /// The `host` parameter is missing, not allowed, or contradicts the browser.
    Refused,
}

/// Checks the `host` query parameter the loader set against the tenant's allowed origins and,
/// where the browser exposes it (`location.ancestorOrigins`), against the real parent origin.
pub(crate) fn host_origin() -> HostOrigin {
    let Some(window) = web_sys::window() else {
        return HostOrigin::None;
    };
    let framed = window
        .parent()
        .ok()
        .flatten()
        .is_some_and(|parent| !js_sys::Object::is(&parent, &window));
    let Some(host) = query_param("host") else {
        return if framed {
            HostOrigin::Refused
        } else {
            HostOrigin::None
        };
    };
    let config = boot_config();
    let self_origin = window.location().origin().unwrap_or_default();
    if !framed || !origin::is_allowed(&config.allowed_origins, &host, &self_origin) {
        return HostOrigin::Refused;
    }
    // `location.ancestorOrigins` (Chromium, WebKit) names the real parent; web-sys lacks it.
    let parent_origin = js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into())
        .ok()
        .filter(|list| !list.is_undefined())
        .and_then(|list| js_sys::Reflect::get(&list, &0.into()).ok())
        .and_then(|first| first.as_string());
    if parent_origin.is_some_and(|parent| parent != host) {
        return HostOrigin::Refused;
    }
    HostOrigin::Allowed(host)
}

fn boot_config() -> BootConfig {
    meta_content("tsunagu-config")
        .and_then(|json| BootConfig::read(&json))
        .unwrap_or_default()
}

/// The content-hashed URL of Twilio's Voice SDK that `cargo xtask build` wrote into the page
/// (`<meta name="tsunagu-twilio-sdk">`); loaded only when the tenant's line is `twilio`.
pub(crate) fn twilio_sdk_url() -> Option<String> {
    meta_content("tsunagu-twilio-sdk").filter(|url| url.starts_with("/assets/"))
}

fn meta_content(name: &str) -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector(&format!("meta[name={name}]"))
        .ok()??
        .get_attribute("content")
}

#[cfg(test)]
mod tests;
