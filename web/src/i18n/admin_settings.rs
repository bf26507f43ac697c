//! The calling and web-call settings forms' strings, in Japanese and English (read only from the
//! admin's settings module, so none of it is in the phone's download).

use super::Lang;

pub(crate) struct SettingsTexts {
    pub(crate) calling: &'static str,
    pub(crate) calling_hint: &'static str,
    pub(crate) dial_rules: &'static str,
    pub(crate) allowed_countries: &'static str,
    pub(crate) countries_for_supervisors_only: &'static str,
    pub(crate) allowed_numbers: &'static str,
    pub(crate) max_calls_per_agent: &'static str,
    pub(crate) rate_window: &'static str,
    pub(crate) max_concurrent_outbound: &'static str,
    pub(crate) direct_dial: &'static str,
    pub(crate) sign_in_status: &'static str,
    /// The statuses an agent may sign in with, in `forms::SIGN_IN_STATUSES`' order.
    pub(crate) sign_in_statuses: [&'static str; 2],
    pub(crate) wrap_up: &'static str,
    pub(crate) web_calls: &'static str,
    pub(crate) web_calls_hint: &'static str,
    pub(crate) max_web_calls: &'static str,
    pub(crate) per_address: &'static str,
    pub(crate) start_within: &'static str,
    pub(crate) queue_wait: &'static str,
    pub(crate) call_length: &'static str,
    pub(crate) site_key: &'static str,
    pub(crate) secret_missing: &'static str,
}

const JA: SettingsTexts = SettingsTexts {
    calling: "発信と着信",
    calling_hint: "発信できる電話番号の種類（国内の固定・携帯・050・フリーダイヤル）は固定です。ナビダイヤルなどは番号ごとに許可してください。",
    dial_rules: "発信ルール",
    allowed_countries: "発信を許可する国（国番号、カンマ区切り。例: 1, 44）",
    countries_for_supervisors_only: "海外への発信はスーパーバイザーのみ",
    allowed_numbers: "常に発信を許可する番号（1行に1つ）",
    max_calls_per_agent: "エージェントあたりの発信数の上限",
    rate_window: "上限を数える時間（秒、1〜600）",
    max_concurrent_outbound: "同時に発信できる通話数",
    direct_dial: "CRM画面の Tsunagu.dial() でクリックなしに発信する",
    sign_in_status: "サインイン時の状態",
    sign_in_statuses: ["受付可", "離席"],
    wrap_up: "後処理時間（秒、0〜3600。0は後処理なし）",
    web_calls: "ウェブ通話",
    web_calls_hint: "「電話する」ページの受付のオン/オフは「着信ルール」で設定します。ここでは上限と確認チャレンジを設定します。",
    max_web_calls: "同時に受けるウェブ通話の数（1〜500）",
    per_address: "同じネットワークアドレスからの同時通話数（1〜50）",
    start_within: "ページを開いてから発信までの猶予（秒、5〜120）",
    queue_wait: "応答までの最長待ち時間（秒、30〜1800）",
    call_length: "通話の想定最長時間（分、1〜210。TURN の資格情報の有効期間）",
    site_key: "Cloudflare Turnstile のサイトキー（空欄はチャレンジなし）",
    secret_missing: "Turnstile のシークレット（turnstile_secret）が登録されていないため、ウェブ通話はすべて拒否されます。シークレットを登録するか、サイトキーを空にしてください。",
};

const EN: SettingsTexts = SettingsTexts {
    calling: "Calling",
    calling_hint: "The kinds of line that may be dialled (Japanese fixed, mobile, 050 and free dial) are fixed; allow a premium or shared-cost number one by one.",
    dial_rules: "Dial rules",
    allowed_countries: "Countries that may be dialled (calling codes, separated by commas, e.g. 1, 44)",
    countries_for_supervisors_only: "Only supervisors may dial abroad",
    allowed_numbers: "Numbers that may always be dialled (one per line)",
    max_calls_per_agent: "Most calls an agent may place",
    rate_window: "…within (seconds, 1–600)",
    max_concurrent_outbound: "Most outbound calls at once",
    direct_dial: "Tsunagu.dial() on the CRM page calls without the agent's click",
    sign_in_status: "Status at sign-in",
    sign_in_statuses: ["Available", "Away"],
    wrap_up: "Wrap-up time (seconds, 0–3600; 0: no wrap-up)",
    web_calls: "Web calls",
    web_calls_hint: "Whether the \"call us\" page takes calls is set under Call routing; here are its limits and the challenge.",
    max_web_calls: "Web calls at once (1–500)",
    per_address: "Calls at once from one network address (1–50)",
    start_within: "Time an open page has to start its call (seconds, 5–120)",
    queue_wait: "Longest wait for an answer (seconds, 30–1800)",
    call_length: "Longest expected call (minutes, 1–210; how long its TURN credentials last)",
    site_key: "Cloudflare Turnstile site key (empty: no challenge)",
    secret_missing: "The Turnstile secret (turnstile_secret) is not set, so every web call is refused. Set the secret, or empty the site key.",
};

pub(crate) fn settings_texts(lang: Lang) -> &'static SettingsTexts {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}
