//! Every UI string, in Japanese and English; Japanese unless the browser prefers otherwise.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Ja,
    En,
}

impl Lang {
    /// Japanese for Japanese browsers, English for the rest.
    pub(crate) fn from_browser() -> Lang {
        let preferred = web_sys::window()
            .and_then(|w| w.navigator().language())
            .unwrap_or_default();
        Lang::from_tag(&preferred)
    }

    pub(crate) fn from_tag(tag: &str) -> Lang {
        if tag.is_empty() || tag.to_ascii_lowercase().starts_with("ja") {
            Lang::Ja
        } else {
            Lang::En
        }
    }

    pub(crate) fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }
}

pub(crate) struct Texts {
    pub(crate) widget_label: &'static str,
    pub(crate) connecting: &'static str,
    pub(crate) connected: &'static str,
    pub(crate) reconnecting: &'static str,
    pub(crate) incompatible: &'static str,
    pub(crate) misconfigured: &'static str,
    pub(crate) signed_out: &'static str,
    pub(crate) switch_language: &'static str,
    pub(crate) other_language_short: &'static str,
}

const JA: Texts = Texts {
    widget_label: "Tsunagu 電話ウィジェット",
    connecting: "接続中…",
    connected: "接続済み",
    reconnecting: "再接続中…",
    incompatible: "新しいバージョンがあります。再読み込みしてください",
    misconfigured: "設定エラー: テナントが指定されていません",
    signed_out: "サインインが必要です",
    switch_language: "Switch to English",
    other_language_short: "EN",
};

const EN: Texts = Texts {
    widget_label: "Tsunagu phone widget",
    connecting: "Connecting…",
    connected: "Connected",
    reconnecting: "Reconnecting…",
    incompatible: "A new version is available. Please reload",
    misconfigured: "Configuration error: no tenant given",
    signed_out: "Sign-in required",
    switch_language: "日本語に切り替え",
    other_language_short: "日本語",
};

pub(crate) fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}
