//! Every UI string, in Japanese and English; Japanese unless the browser prefers otherwise.

use tsunagu_core::Channel;
use tsunagu_protocol::{AwayReason, PresenceStatus};

use crate::voice::CallWarning;

pub(crate) mod admin;
pub(crate) mod admin_queues;
pub(crate) mod admin_settings;
pub(crate) mod conversations;

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

    /// BCP 47 tag for dates and the page's `lang`.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Lang::Ja => "ja-JP",
            Lang::En => "en",
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
    pub(crate) sign_in_hint: &'static str,
    pub(crate) sign_in_hint_retry: &'static str,
    pub(crate) sign_in_hint_no_host: &'static str,
    pub(crate) wrap_up_for: &'static str,
    pub(crate) wrap_up_timer: &'static str,
    pub(crate) wrap_up_saved: &'static str,
    pub(crate) direction_inbound: &'static str,
    pub(crate) direction_outbound: &'static str,
    pub(crate) signing_in: &'static str,
    pub(crate) host_refused: &'static str,
    pub(crate) incompatible_host: &'static str,
    pub(crate) switch_language: &'static str,
    /// The header's button to the administration views (admins only).
    pub(crate) admin: &'static str,
    /// The header's button to the call log (supervisors and admins).
    pub(crate) conversations: &'static str,
    pub(crate) other_language_short: &'static str,
    pub(crate) signed_in_as: &'static str,
    /// A session without the agent role: the administration views, no phone.
    pub(crate) admin_only: &'static str,
    pub(crate) presence_label: &'static str,
    pub(crate) available: &'static str,
    pub(crate) away: &'static str,
    pub(crate) offline: &'static str,
    pub(crate) reserved: &'static str,
    pub(crate) on_call: &'static str,
    pub(crate) wrap_up: &'static str,
    pub(crate) away_reason_label: &'static str,
    /// Japanese uses full-width parentheses without a space.
    pub(crate) parentheses: (&'static str, &'static str),
    pub(crate) reason_break: &'static str,
    pub(crate) reason_lunch: &'static str,
    pub(crate) reason_meeting: &'static str,
    pub(crate) reason_training: &'static str,
    pub(crate) reason_missed_offer: &'static str,
    pub(crate) reason_no_answer: &'static str,
    pub(crate) reason_other: &'static str,
    pub(crate) roster_label: &'static str,
    pub(crate) roster_empty: &'static str,
    pub(crate) you: &'static str,
    pub(crate) incoming_call: &'static str,
    pub(crate) unknown_caller: &'static str,
    pub(crate) no_customer: &'static str,
    pub(crate) owner: &'static str,
    /// Before the skills a call needs (from its line).
    pub(crate) needs_skills: &'static str,
    /// Before the IVR path on the offer card: `IVR: 請求 → 料金チーム`.
    pub(crate) ivr_path: &'static str,
    /// The IVR path when the menu labelled nothing on the caller's way.
    pub(crate) ivr_no_label: &'static str,
    /// On an offer of a callback the caller booked: accepting dials them.
    pub(crate) callback_request: &'static str,
    /// Around a skill's lowest level: `billing（レベル 2 以上）`, `billing (level 2+)`.
    pub(crate) level_from: &'static str,
    pub(crate) level_to: &'static str,
    pub(crate) list_separator: &'static str,
    pub(crate) recent: &'static str,
    pub(crate) no_recent: &'static str,
    pub(crate) accept: &'static str,
    pub(crate) reject: &'static str,
    pub(crate) voice_waiting: &'static str,
    pub(crate) call_time: &'static str,
    pub(crate) hang_up: &'static str,
    pub(crate) mute: &'static str,
    pub(crate) unmute: &'static str,
    pub(crate) wrap_up_hint: &'static str,
    pub(crate) end_wrap_up: &'static str,
    pub(crate) voice_connecting: &'static str,
    pub(crate) voice_ready: &'static str,
    pub(crate) voice_not_available: &'static str,
    pub(crate) voice_error: &'static str,
    pub(crate) err_token_expired: &'static str,
    pub(crate) err_token_invalid: &'static str,
    pub(crate) err_token_not_yet_valid: &'static str,
    pub(crate) err_unknown_tenant: &'static str,
    pub(crate) err_session_refused: &'static str,
    pub(crate) err_token_unavailable: &'static str,
    pub(crate) err_network: &'static str,
    pub(crate) err_session_lost: &'static str,
    pub(crate) err_not_signed_in: &'static str,
    pub(crate) err_rejected: &'static str,
    pub(crate) transfer: &'static str,
    pub(crate) transfer_to_agent: &'static str,
    pub(crate) transfer_no_one_free: &'static str,
    pub(crate) transfer_to_team: &'static str,
    pub(crate) transfer_to_number: &'static str,
    pub(crate) transfer_number_placeholder: &'static str,
    pub(crate) transfer_go: &'static str,
    pub(crate) disposition: &'static str,
    pub(crate) disposition_none: &'static str,
    pub(crate) disposition_resolved: &'static str,
    pub(crate) disposition_follow_up: &'static str,
    pub(crate) disposition_escalated: &'static str,
    pub(crate) disposition_wrong_number: &'static str,
    pub(crate) notes: &'static str,
    pub(crate) err_transfer_target_busy: &'static str,
    pub(crate) err_transfer_number_invalid: &'static str,
    pub(crate) err_invalid_number: &'static str,
    pub(crate) err_agent_busy: &'static str,
    pub(crate) err_dial_failed: &'static str,
    pub(crate) err_microphone: &'static str,
    pub(crate) incoming_web_call: &'static str,
    pub(crate) web_caller_unverified: &'static str,
    pub(crate) dial_label: &'static str,
    pub(crate) dial_placeholder: &'static str,
    /// `Tsunagu.dial()` asks the agent first: the question, its Cancel button.
    pub(crate) dial_confirm: &'static str,
    pub(crate) dial_cancel: &'static str,
    /// A record a CRM backend pushed (the server API's screen pop): heading, link, close.
    pub(crate) record_heading: &'static str,
    pub(crate) record_open: &'static str,
    pub(crate) record_close: &'static str,
    /// Why the dial policy refused a number (one per refusal code).
    pub(crate) dial_refused_premium_rate: &'static str,
    pub(crate) dial_refused_shared_cost: &'static str,
    pub(crate) dial_refused_satellite: &'static str,
    pub(crate) dial_refused_international: &'static str,
    pub(crate) dial_refused_supervisors_only: &'static str,
    pub(crate) dial_refused_kind: &'static str,
    pub(crate) dial_refused_agent_rate: &'static str,
    pub(crate) dial_refused_tenant_limit: &'static str,
    pub(crate) voice_other_tab: &'static str,
    pub(crate) hold: &'static str,
    pub(crate) unhold: &'static str,
    pub(crate) on_hold: &'static str,
    pub(crate) err_voice_token_expired: &'static str,
    pub(crate) err_voice_token_invalid: &'static str,
    pub(crate) err_voice_microphone: &'static str,
    pub(crate) err_voice_network: &'static str,
    pub(crate) err_voice_error: &'static str,
    pub(crate) warn_poor_network: &'static str,
    pub(crate) warn_no_caller_audio: &'static str,
    pub(crate) warn_no_microphone_input: &'static str,
    pub(crate) dismiss: &'static str,
    pub(crate) channel_voice: &'static str,
    pub(crate) channel_web_call: &'static str,
    pub(crate) channel_chat: &'static str,
    pub(crate) channel_email: &'static str,
    pub(crate) channel_other: &'static str,
}

const JA: Texts = Texts {
    widget_label: "Tsunagu 電話ウィジェット",
    connecting: "接続中…",
    connected: "接続済み",
    reconnecting: "再接続中…",
    incompatible: "新しいバージョンがあります。再読み込みしてください",
    misconfigured: "設定エラー: テナントが指定されていません",
    signed_out: "サインインが必要です",
    sign_in_hint: "CRM にログインすると、この電話が使えるようになります。ログイン済みなら再読み込みしてください。",
    sign_in_hint_retry: "CRM でログインし直してから、このページを再読み込みしてください。続くときは管理者に連絡してください。",
    sign_in_hint_no_host: "この電話は CRM の画面の中で使います。CRM を開いてログインしてください。",
    wrap_up_for: "対象の通話",
    wrap_up_timer: "後処理時間",
    wrap_up_saved: "後処理を保存しました",
    direction_inbound: "着信",
    direction_outbound: "発信",
    signing_in: "サインイン中…",
    host_refused: "このページからは利用できません（許可されていないサイト）",
    incompatible_host: "CRM側の連携スクリプトと版が合いません。ページを再読み込みしてください",
    admin: "管理",
    conversations: "通話履歴",
    switch_language: "Switch to English",
    other_language_short: "EN",
    signed_in_as: "サインイン中",
    admin_only: "管理者としてサインインしています。この画面では電話の受発信はできません。",
    presence_label: "受付状態",
    available: "受付可",
    away: "離席",
    offline: "オフライン",
    reserved: "着信中",
    on_call: "通話中",
    wrap_up: "後処理中",
    away_reason_label: "離席理由",
    parentheses: ("（", "）"),
    reason_break: "休憩",
    reason_lunch: "昼食",
    reason_meeting: "会議",
    reason_training: "研修",
    reason_missed_offer: "着信に応答なし",
    reason_no_answer: "呼び出しに応答なし",
    reason_other: "その他",
    roster_label: "メンバーの状態",
    roster_empty: "まだ誰もいません",
    you: "（自分）",
    incoming_call: "着信",
    unknown_caller: "番号非通知",
    no_customer: "顧客情報なし",
    owner: "担当",
    needs_skills: "必要なスキル",
    ivr_path: "IVR",
    ivr_no_label: "（選択なし）",
    callback_request: "折り返しのご依頼です。応答すると、お客様へ発信します。",
    level_from: "（レベル ",
    level_to: " 以上）",
    list_separator: "、",
    recent: "最近の対応",
    no_recent: "過去の対応はありません",
    accept: "応答",
    reject: "拒否",
    voice_waiting: "電話回線からの呼び出しを待っています…",
    call_time: "通話時間",
    hang_up: "終話",
    mute: "ミュート",
    // The zero-width space is where a narrow button may break the label.
    unmute: "ミュート\u{200B}解除",
    wrap_up_hint: "通話後の処理が終わったら押してください",
    end_wrap_up: "後処理を終了",
    voice_connecting: "電話回線: 接続中…",
    voice_ready: "電話回線: 準備完了",
    voice_not_available: "電話回線: この版では利用できません",
    voice_error: "電話回線: 接続できません",
    err_token_expired: "サインイン用トークンの有効期限が切れています。CRM からもう一度サインインしてください。",
    err_token_invalid: "サインイン用トークンが正しくありません。CRM の管理者に連絡してください。",
    err_token_not_yet_valid: "サインイン用トークンがまだ有効ではありません。パソコンの時計を確認してください。",
    err_unknown_tenant: "このテナントは登録されていません。",
    err_session_refused: "サインインできませんでした。",
    err_token_unavailable: "CRM からサインイン用トークンを受け取れませんでした。",
    err_network: "サーバーに接続できませんでした。",
    err_session_lost: "セッションが切れました。もう一度サインインしてください。",
    err_not_signed_in: "サインインしていません。",
    err_rejected: "今はその操作はできません。",
    transfer: "転送",
    transfer_to_agent: "メンバーへ転送",
    transfer_no_one_free: "受付可のメンバーがいません",
    transfer_to_team: "チームへ転送",
    transfer_to_number: "外線番号へ転送",
    transfer_number_placeholder: "例: 03-1234-5678",
    transfer_go: "転送する",
    disposition: "対応結果",
    disposition_none: "（選択なし）",
    disposition_resolved: "解決",
    disposition_follow_up: "要フォロー",
    disposition_escalated: "エスカレーション",
    disposition_wrong_number: "間違い電話",
    notes: "メモ",
    err_transfer_target_busy: "転送先が今は電話を受けられません。別の相手を選んでください。",
    err_transfer_number_invalid: "転送先の電話番号が正しくありません。",
    err_invalid_number: "電話番号が正しくありません。",
    err_agent_busy: "通話中または後処理中のため発信できません。",
    err_dial_failed: "発信できませんでした。しばらくしてからもう一度お試しください。",
    err_microphone: "マイクを使えないため、Web通話を終了しました。ブラウザのマイクの許可をご確認ください。",
    incoming_web_call: "Web通話の着信",
    web_caller_unverified: "（お客様の入力・未確認）",
    dial_label: "発信",
    dial_placeholder: "電話番号（例: 03-1234-5678）",
    dial_confirm: "この番号に発信しますか？",
    dial_cancel: "キャンセル",
    record_heading: "CRMからの顧客情報",
    record_open: "CRMで開く",
    record_close: "閉じる",
    dial_refused_premium_rate: "この番号（有料番号 0990 など）には発信できません。",
    dial_refused_shared_cost: "この番号（ナビダイヤル 0570 など）には発信できません。",
    dial_refused_satellite: "衛星電話には発信できません。",
    dial_refused_international: "国際電話は許可されていません。",
    dial_refused_supervisors_only: "国際電話はスーパーバイザーのみ発信できます。",
    dial_refused_kind: "この種類の番号には発信できません。",
    dial_refused_agent_rate: "短時間の発信が多すぎます。1分ほど待ってからお試しください。",
    dial_refused_tenant_limit: "同時に発信できる件数の上限に達しています。しばらくしてからお試しください。",
    voice_other_tab: "電話回線: 別のタブで使用中です（そのタブを閉じるとこちらで鳴ります）",
    hold: "保留",
    unhold: "保留解除",
    on_hold: "保留中：お客様は保留音を聞いています",
    err_voice_token_expired: "電話回線の認証の期限が切れ、更新できませんでした。ページを再読み込みしてください。",
    err_voice_token_invalid: "電話回線の認証が拒否されました。管理者に連絡してください。",
    err_voice_microphone: "マイクを使えません。ブラウザでこのサイトのマイクを許可し、マイクがつながっているか確認してください。",
    err_voice_network: "電話サービスに接続できません。ネットワーク（プロキシやファイアウォール）を確認してください。",
    err_voice_error: "電話回線でエラーが起きました。続く場合は管理者に連絡してください。",
    warn_poor_network: "回線が不安定です。相手に声が途切れて聞こえているかもしれません。",
    warn_no_caller_audio: "相手の声が届いていません。",
    warn_no_microphone_input: "マイクの音が届いていません。マイクを確認してください。",
    dismiss: "閉じる",
    channel_voice: "電話",
    channel_web_call: "Web通話",
    channel_chat: "チャット",
    channel_email: "メール",
    channel_other: "その他",
};

const EN: Texts = Texts {
    widget_label: "Tsunagu phone widget",
    connecting: "Connecting…",
    connected: "Connected",
    reconnecting: "Reconnecting…",
    incompatible: "A new version is available. Please reload",
    misconfigured: "Configuration error: no tenant given",
    signed_out: "Sign-in required",
    sign_in_hint: "Sign in to your CRM to use this phone. If you already have, reload the page.",
    sign_in_hint_retry: "Sign in to your CRM again, then reload this page. If it keeps happening, contact your administrator.",
    sign_in_hint_no_host: "This phone works inside your CRM. Open your CRM and sign in.",
    wrap_up_for: "Call",
    wrap_up_timer: "Wrap-up time",
    wrap_up_saved: "Wrap-up saved",
    direction_inbound: "Inbound",
    direction_outbound: "Outbound",
    signing_in: "Signing in…",
    host_refused: "This page may not use the widget (site not allowed)",
    incompatible_host: "The CRM's integration script is another version. Please reload the page",
    admin: "Admin",
    conversations: "Conversations",
    switch_language: "日本語に切り替え",
    other_language_short: "日本語",
    signed_in_as: "Signed in",
    admin_only: "Signed in to administer: this session takes and makes no calls.",
    presence_label: "Status",
    available: "Available",
    away: "Away",
    offline: "Offline",
    reserved: "Ringing",
    on_call: "On a call",
    wrap_up: "Wrap-up",
    away_reason_label: "Away reason",
    parentheses: (" (", ")"),
    reason_break: "Break",
    reason_lunch: "Lunch",
    reason_meeting: "Meeting",
    reason_training: "Training",
    reason_missed_offer: "Missed a call",
    reason_no_answer: "Did not answer",
    reason_other: "Other",
    roster_label: "Team presence",
    roster_empty: "Nobody here yet",
    you: " (you)",
    incoming_call: "Incoming call",
    unknown_caller: "Unknown number",
    no_customer: "No customer record",
    owner: "Owner",
    needs_skills: "Needs",
    ivr_path: "IVR",
    ivr_no_label: "(no choice)",
    callback_request: "Callback request: accepting calls the customer.",
    level_from: " (level ",
    level_to: "+)",
    list_separator: ", ",
    recent: "Recent contacts",
    no_recent: "No earlier contacts",
    accept: "Accept",
    reject: "Reject",
    voice_waiting: "Waiting for the phone line to ring…",
    call_time: "Call time",
    hang_up: "Hang up",
    mute: "Mute",
    unmute: "Unmute",
    wrap_up_hint: "Press when your after-call work is done",
    end_wrap_up: "End wrap-up",
    voice_connecting: "Phone line: connecting…",
    voice_ready: "Phone line: ready",
    voice_not_available: "Phone line: not available in this build",
    voice_error: "Phone line: cannot connect",
    err_token_expired: "The sign-in token has expired. Sign in again from your CRM.",
    err_token_invalid: "The sign-in token is not valid. Contact your CRM administrator.",
    err_token_not_yet_valid: "The sign-in token is not valid yet. Check the computer's clock.",
    err_unknown_tenant: "This tenant is not registered.",
    err_session_refused: "Sign-in was refused.",
    err_token_unavailable: "The CRM did not provide a sign-in token.",
    err_network: "Could not reach the server.",
    err_session_lost: "The session ended. Please sign in again.",
    err_not_signed_in: "You are not signed in.",
    err_rejected: "That is not possible right now.",
    transfer: "Transfer",
    transfer_to_agent: "Transfer to a colleague",
    transfer_no_one_free: "Nobody is available",
    transfer_to_team: "Transfer to a team",
    transfer_to_number: "Transfer to a number",
    transfer_number_placeholder: "e.g. 03-1234-5678",
    transfer_go: "Transfer",
    disposition: "Outcome",
    disposition_none: "(none)",
    disposition_resolved: "Resolved",
    disposition_follow_up: "Follow-up needed",
    disposition_escalated: "Escalated",
    disposition_wrong_number: "Wrong number",
    notes: "Notes",
    err_transfer_target_busy: "The transfer target cannot take the call now. Choose someone else.",
    err_transfer_number_invalid: "The transfer number is not a valid phone number.",
    err_invalid_number: "That is not a valid phone number.",
    err_agent_busy: "You cannot place a call during another call or wrap-up.",
    err_dial_failed: "The call could not be placed. Please try again shortly.",
    err_microphone: "The web call ended: the microphone is not available. Please allow it in your browser.",
    incoming_web_call: "Incoming web call",
    web_caller_unverified: " (typed by the caller, unverified)",
    dial_label: "Call",
    dial_placeholder: "Phone number (e.g. 03-1234-5678)",
    dial_confirm: "Call this number?",
    dial_cancel: "Cancel",
    record_heading: "From your CRM",
    record_open: "Open in CRM",
    record_close: "Close",
    dial_refused_premium_rate: "Calls to premium-rate numbers (such as 0990) are not allowed.",
    dial_refused_shared_cost: "Calls to shared-cost numbers (such as 0570) are not allowed.",
    dial_refused_satellite: "Calls to satellite phones are not allowed.",
    dial_refused_international: "International calls are not allowed.",
    dial_refused_supervisors_only: "Only supervisors may place international calls.",
    dial_refused_kind: "Calls to this kind of number are not allowed.",
    dial_refused_agent_rate: "Too many calls in a short time. Please wait a minute.",
    dial_refused_tenant_limit: "Your contact center has too many outbound calls at once. Please try again shortly.",
    voice_other_tab: "Phone line: in use in another tab (it rings here once that tab closes)",
    hold: "Hold",
    unhold: "Resume",
    on_hold: "On hold: the caller hears hold music",
    err_voice_token_expired: "The phone line's sign-in expired and could not be renewed. Please reload the page.",
    err_voice_token_invalid: "The phone service refused the line's sign-in. Contact your administrator.",
    err_voice_microphone: "The microphone cannot be used. Allow this site to use the microphone in your browser and check that one is connected.",
    err_voice_network: "Cannot reach the phone service. Check the network (proxy or firewall).",
    err_voice_error: "The phone line reported an error. If it keeps happening, contact your administrator.",
    warn_poor_network: "The connection is unstable; the caller may hear you break up.",
    warn_no_caller_audio: "No sound is arriving from the caller.",
    warn_no_microphone_input: "No sound is coming from your microphone. Check the microphone.",
    dismiss: "Dismiss",
    channel_voice: "Phone",
    channel_web_call: "Web call",
    channel_chat: "Chat",
    channel_email: "Email",
    channel_other: "Other",
};

pub(crate) fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}

impl Texts {
    pub(crate) fn reason(&self, reason: AwayReason) -> &'static str {
        match reason {
            AwayReason::Break => self.reason_break,
            AwayReason::Lunch => self.reason_lunch,
            AwayReason::Meeting => self.reason_meeting,
            AwayReason::Training => self.reason_training,
            AwayReason::MissedOffer => self.reason_missed_offer,
            AwayReason::NoAnswer => self.reason_no_answer,
            AwayReason::Other => self.reason_other,
        }
    }

    /// The status in one short phrase: "離席（昼食）", "Away (Lunch)".
    pub(crate) fn status(&self, status: PresenceStatus) -> String {
        match status {
            PresenceStatus::Offline => self.offline.into(),
            PresenceStatus::Available => self.available.into(),
            PresenceStatus::Away { reason } => {
                let (open, close) = self.parentheses;
                format!("{}{open}{}{close}", self.away, self.reason(reason))
            }
            PresenceStatus::Reserved => self.reserved.into(),
            PresenceStatus::OnCall => self.on_call.into(),
            PresenceStatus::WrapUp => self.wrap_up.into(),
        }
    }

    /// The wrap-up outcomes an agent picks from: the stored code and its label.
    pub(crate) fn dispositions(&self) -> [(&'static str, &'static str); 4] {
        [
            ("resolved", self.disposition_resolved),
            ("follow_up", self.disposition_follow_up),
            ("escalated", self.disposition_escalated),
            ("wrong_number", self.disposition_wrong_number),
        ]
    }

    /// A stored outcome as a person reads it; an outcome this build does not know (a tenant's
    /// own) shows as written.
    pub(crate) fn disposition_label<'a>(&self, code: &'a str) -> &'a str {
        self.dispositions()
            .into_iter()
            .find(|(known, _)| *known == code)
            .map_or(code, |(_, label)| label)
    }

    pub(crate) fn call_warning(&self, warning: CallWarning) -> &'static str {
        match warning {
            CallWarning::PoorNetwork => self.warn_poor_network,
            CallWarning::NoCallerAudio => self.warn_no_caller_audio,
            CallWarning::NoMicrophoneInput => self.warn_no_microphone_input,
        }
    }

    pub(crate) fn channel(&self, channel: Channel) -> &'static str {
        match channel {
            Channel::Voice => self.channel_voice,
            Channel::WebCall => self.channel_web_call,
            Channel::Chat => self.channel_chat,
            Channel::Sms => "SMS",
            Channel::Line => "LINE",
            Channel::Email => self.channel_email,
            _ => self.channel_other,
        }
    }
}
