//! What a caller hears: each `CallPlan` of the center written as TwiML, Japanese first, then English.
//!
//! Every callback URL goes back to the worker's `/twilio/voice/<tenant>/<hook>` with its query
//! parameters in alphabetical order (Twilio has been seen to re-order query strings, which breaks
//! signatures of URLs that were not already sorted; twilio.md §1.4).

use tsunagu_center::{CallPlan, ClosedBecause, FallbackReason};
use tsunagu_core::{ClientIdentity, InteractionId, TenantId};
use tsunagu_phone::PhoneNumber;
use tsunagu_twilio::twiml::{
    CallProgressEvent, CallbackMethod, Client, Dial, DialRecord, Enqueue, Gather, GatherInput,
    Language, Number, Pause, Play, RecordingEvent, Redirect, Response, RingTone, Say, TwimlError,
    Voice,
};

/// The Twilio queue all of a tenant's waiting callers share; the center keeps the real order.
pub const QUEUE_NAME: &str = "tsunagu";

/// Where the worker serves the bundled hold music (a royalty-free tune of our own, see
/// [`hold_music`]), under the worker's origin.
pub const HOLD_MUSIC_PATH: &str = "/media/hold-music.wav";

/// How long the fallback numbers ring before the caller hears the closing apology.
const FALLBACK_RING_SECS: u32 = 30;
/// How often a caller on hold asks for the plan again (the agent may have taken them back).
const HOLD_POLL_SECS: u32 = 8;
/// How often a caller holding for their agent's return asks for the plan again.
const REJOIN_POLL_SECS: u32 = 4;
/// How long a customer's phone rings for an agent's outbound call before it counts as not reached.
const OUTBOUND_RING_SECS: u32 = 45;

/// The worker's webhooks a plan points Twilio at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// A call's first webhook (configured on the number at Twilio).
    Incoming,
    /// `<Gather action>` of the hold music: the caller pressed a key while waiting (the queue's
    /// callback key books a callback).
    QueueKey,
    /// Where a redirected call (dequeue, ack timeout) asks for its new plan.
    Route,
    /// `<Dial action>` of an agent ring.
    DialResult,
    /// Status callbacks of an agent's `<Client>` leg.
    AgentStatus,
    /// `<Enqueue waitUrl>`.
    QueueWait,
    /// `<Enqueue action>`.
    QueueResult,
    /// Status callbacks of the caller's own leg (configured on the number at Twilio).
    Status,
    /// Status callbacks of a fallback `<Number>` leg.
    NumberStatus,
    /// Recording status callbacks.
    Recording,
    /// The `Url` of an outbound call the worker created to an agent's `<Client>`: fetched when
    /// the agent answers; its TwiML dials the customer.
    Outbound,
    /// `<Gather action>` of an IVR question and the `<Redirect>` after it (see [`ivr_answered`]),
    /// and the voicemail `<Record action>`.
    Ivr,
}

impl Hook {
    pub const ALL: [Hook; 12] = [
        Hook::Incoming,
        Hook::QueueKey,
        Hook::Route,
        Hook::DialResult,
        Hook::AgentStatus,
        Hook::QueueWait,
        Hook::QueueResult,
        Hook::Status,
        Hook::NumberStatus,
        Hook::Recording,
        Hook::Outbound,
        Hook::Ivr,
    ];

    /// The last path segment.
    pub fn name(self) -> &'static str {
        match self {
            Hook::Incoming => "incoming",
            Hook::Route => "route",
            Hook::DialResult => "dial-result",
            Hook::AgentStatus => "agent-status",
            Hook::QueueWait => "queue-wait",
            Hook::QueueResult => "queue-result",
            Hook::QueueKey => "queue-key",
            Hook::Status => "status",
            Hook::NumberStatus => "number-status",
            Hook::Recording => "recording",
            Hook::Outbound => "outbound",
            Hook::Ivr => IVR_HOOK,
        }
    }

    pub fn from_path(segment: &str) -> Option<Hook> {
        Hook::ALL.into_iter().find(|hook| hook.name() == segment)
    }
}

/// Where the worker is reachable (as Twilio called it) and for which tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhooks {
    /// Scheme, host and port, without a trailing slash: `https://edge.example.jp`.
    pub origin: String,
    pub tenant: TenantId,
}

impl Webhooks {
    /// The bundled hold music's URL.
    pub fn hold_music(&self) -> String {
        format!("{}{HOLD_MUSIC_PATH}", self.origin)
    }

    /// The URL of `hook` with `query` (which must already be in alphabetical order of names).
    pub fn url(&self, hook: Hook, query: &[(&str, &str)]) -> String {
        self.url_at(hook.name(), query)
    }

    /// The URL of the hook at path segment `segment` (see [`Webhooks::url`]).
    fn url_at(&self, segment: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!(
            "{}/twilio/voice/{}/{}",
            self.origin,
            self.tenant.as_str(),
            segment
        );
        debug_assert!(
            query.windows(2).all(|w| w[0].0 < w[1].0),
            "query not sorted"
        );
        for (i, (name, value)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(name);
            url.push('=');
            url.push_str(&percent_encode(value));
        }
        url
    }

    fn for_conversation(&self, hook: Hook, interaction: &InteractionId) -> String {
        self.url(hook, &[("conversation", interaction.as_str())])
    }
}

/// Ids are `[A-Za-z0-9_-]`, so this only matters for numbers (`+`) and future values.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A response that first says `texts` (ja-JP): an IVR menu's last sentences.
fn said_first(texts: &[String]) -> Response {
    texts.iter().fold(Response::new(), |response, text| {
        response.say(say_ja(text.as_str()))
    })
}

/// A phone key as a Japanese announcement says it.
fn key_name_ja(key: char) -> String {
    match key {
        '*' => "米印".to_owned(),
        '#' => "シャープ".to_owned(),
        digit => digit.to_string(),
    }
}

/// A phone key as an English announcement says it.
fn key_name_en(key: char) -> String {
    match key {
        '*' => "star".to_owned(),
        '#' => "pound".to_owned(),
        digit => digit.to_string(),
    }
}

fn say_ja(text: impl Into<String>) -> Say {
    Say::new(text)
        .language(Language::JaJp)
        .voice(Voice::PollyMizuki)
}

fn say_en(text: impl Into<String>) -> Say {
    Say::new(text)
        .language(Language::EnUs)
        .voice(Voice::Other("Polly.Joanna".to_owned()))
}

/// How a number is read out: the national format callers dial (`050-1234-5678`).
fn spoken_number(e164: &str) -> String {
    PhoneNumber::from_e164(e164)
        .map(|n| n.national_display().to_owned())
        .unwrap_or_else(|_| e164.to_owned())
}

/// A `<Number>` outside the center whose progress is reported to the conversation's log.
fn number_leg(e164: &str, hooks: &Webhooks, interaction: &InteractionId) -> Number {
    Number::new(e164)
        .status_callback(hooks.for_conversation(Hook::NumberStatus, interaction))
        .status_callback_event([
            CallProgressEvent::Initiated,
            CallProgressEvent::Ringing,
            CallProgressEvent::Answered,
            CallProgressEvent::Completed,
        ])
}

/// What a caller hears when the line is closed, in Japanese and English: why, when the calendar
/// says (a holiday by name, the year-end break, the tenant's own closure reason).
fn closed_announcement(because: Option<&ClosedBecause>) -> (String, String) {
    const THANKS_JA: &str = "お電話ありがとうございます。";
    const THANKS_EN: &str = "Thank you for calling.";
    match because {
        Some(ClosedBecause::NationalHoliday { holiday }) => (
            format!(
                "{THANKS_JA}本日は{}のため、休業しております。恐れ入りますが、営業日におかけ直しください。",
                holiday.ja()
            ),
            format!(
                "{THANKS_EN} We are closed today for {}; please call again on a business day.",
                holiday.en()
            ),
        ),
        Some(ClosedBecause::YearEnd) => (
            format!(
                "{THANKS_JA}誠に勝手ながら、年末年始は休業しております。新年の営業開始後におかけ直しください。"
            ),
            format!(
                "{THANKS_EN} We are closed for the New Year holidays; please call again when we reopen."
            ),
        ),
        // The tenant's reason is for agents and the audit (it may be internal): not spoken.
        Some(ClosedBecause::Closure { .. }) => (
            format!("{THANKS_JA}誠に勝手ながら、本日は休業しております。"),
            format!("{THANKS_EN} We are closed today."),
        ),
        Some(ClosedBecause::OutsideHours) | None => (
            format!("{THANKS_JA}ただいま営業時間外です。営業時間内におかけ直しください。"),
            format!("{THANKS_EN} We are closed now; please call again during business hours."),
        ),
    }
}

/// Writes `plan` as TwiML.
pub fn render(plan: &CallPlan, hooks: &Webhooks) -> Result<String, TwimlError> {
    let response = match plan {
        CallPlan::Ask { prompt, .. } => return render_ivr_prompt(prompt, hooks),
        CallPlan::MenuEnd {
            interaction,
            outcome,
        } => {
            // A route or a transfer is never a `MenuEnd` (the center plans those); hang up.
            return render_ivr_end(outcome, hooks, interaction)
                .unwrap_or_else(|| Response::new().hangup().to_xml());
        }
        CallPlan::Ring {
            interaction,
            agent,
            attempt,
            timeout,
            say_first,
        } => {
            let attempt = attempt.to_string();
            let agent_status = hooks.url(
                Hook::AgentStatus,
                &[
                    ("agent", agent.as_str()),
                    ("conversation", interaction.as_str()),
                ],
            );
            // Namespaced by tenant: Twilio rings every client of the account with this identity.
            let identity = ClientIdentity::new(hooks.tenant.clone(), agent.clone());
            let client = Client::new(identity.to_string())
                .status_callback(agent_status)
                .status_callback_event([
                    CallProgressEvent::Initiated,
                    CallProgressEvent::Ringing,
                    CallProgressEvent::Answered,
                    CallProgressEvent::Completed,
                ])
                .parameter("conversation", interaction.as_str())
                .parameter("attempt", attempt.as_str());
            let dial = Dial::new()
                .answer_on_bridge(true)
                .timeout(u32::try_from(timeout.0.div_ceil(1000)).unwrap_or(u32::MAX))
                .action(hooks.url(
                    Hook::DialResult,
                    &[
                        ("attempt", attempt.as_str()),
                        ("conversation", interaction.as_str()),
                    ],
                ))
                .record(DialRecord::RecordFromAnswerDual)
                .recording_status_callback(hooks.for_conversation(Hook::Recording, interaction))
                .recording_status_callback_event([
                    RecordingEvent::Completed,
                    RecordingEvent::Absent,
                ])
                .ring_tone(RingTone::Jp)
                .client(client);
            said_first(say_first).dial(dial)
        }
        CallPlan::Enqueue {
            interaction,
            say_first,
            ..
        } => said_first(say_first).enqueue(
            Enqueue::new(QUEUE_NAME)
                .action(hooks.for_conversation(Hook::QueueResult, interaction))
                .wait_url(hooks.for_conversation(Hook::QueueWait, interaction)),
        ),
        CallPlan::Hold {
            interaction,
            position,
            announce_position,
            music,
            callback_digit,
            ..
        } => {
            let (ja, en) = if *announce_position {
                (
                    format!(
                        "ただいま電話が大変混み合っております。お客様は{position}番目にお待ちいただいております。このままお待ちください。"
                    ),
                    format!(
                        "All of our staff are busy. You are number {position} in line. Please stay on the line."
                    ),
                )
            } else {
                (
                    "ただいま電話が大変混み合っております。このままお待ちください。".to_owned(),
                    "All of our staff are busy. Please stay on the line.".to_owned(),
                )
            };
            // The music's end is when Twilio asks the waitUrl again (the next announcement).
            let music = Play::new(music.clone().unwrap_or_else(|| hooks.hold_music()));
            match callback_digit {
                // Heard while the music plays: one key, posted at once.
                Some(digit) => Response::new().gather(
                    Gather::new()
                        .input(GatherInput::Dtmf)
                        .num_digits(1)
                        .timeout(1)
                        .action(hooks.for_conversation(Hook::QueueKey, interaction))
                        .method(CallbackMethod::Post)
                        .say(say_ja(ja))
                        .say(say_en(en))
                        .say(say_ja(format!(
                            "順番が来ましたら折り返しお電話を差し上げることもできます。ご希望の方は{}を押してください。",
                            key_name_ja(*digit)
                        )))
                        .say(say_en(format!(
                            "To be called back when it is your turn instead, press {}.",
                            key_name_en(*digit)
                        )))
                        .play(music),
                ),
                None => Response::new().say(say_ja(ja)).say(say_en(en)).play(music),
            }
        }
        CallPlan::CallbackBooked { number, .. } => {
            let display = PhoneNumber::from_e164(number)
                .map(|parsed| parsed.national_display().to_owned())
                .unwrap_or_else(|_| number.clone());
            let spoken = display.replace('-', "、");
            Response::new()
                .say(say_ja(format!(
                    "承知いたしました。お客様の順番はそのままお取りしております。順番が来ましたら、担当者から{spoken}へお電話いたします。お電話ありがとうございました。"
                )))
                .say(say_en(format!(
                    "Thank you. You keep your place in line; when it is your turn, we will call you back at {display}."
                )))
                .hangup()
        }
        CallPlan::LeaveQueue { .. } => Response::new().leave(),
        CallPlan::Fallback {
            interaction,
            numbers,
            reason,
        } => {
            let (ja, en) = match reason {
                FallbackReason::AfterHours => (
                    "お電話ありがとうございます。時間外のため、担当の携帯電話におつなぎします。",
                    "Thank you for calling. We are outside business hours; connecting you to our on-call phone.",
                ),
                _ => (
                    "お待たせして申し訳ございません。別の窓口におつなぎします。",
                    "Sorry to keep you waiting. Connecting you to another line.",
                ),
            };
            let mut dial = Dial::new()
                .timeout(FALLBACK_RING_SECS)
                .record(DialRecord::RecordFromAnswerDual)
                .recording_status_callback(hooks.for_conversation(Hook::Recording, interaction))
                .recording_status_callback_event([
                    RecordingEvent::Completed,
                    RecordingEvent::Absent,
                ]);
            for number in numbers {
                dial = dial.number(number_leg(number.as_str(), hooks, interaction));
            }
            Response::new()
                .say(say_ja(ja))
                .say(say_en(en))
                .dial(dial)
                .say(say_ja("申し訳ございません。ただいま電話に出ることができません。後ほどおかけ直しください。"))
                .say(say_en("We are sorry, nobody can take your call right now. Please call again later."))
                .hangup()
        }
        CallPlan::OnHold { interaction } => Response::new()
            .say(say_ja("ただいま保留中です。そのままお待ちください。"))
            .say(say_en("You are on hold. Please stay on the line."))
            .pause(Pause::new().length(HOLD_POLL_SECS))
            .redirect(Redirect::new(
                hooks.for_conversation(Hook::Route, interaction),
            )),
        CallPlan::HoldForAgent { interaction, .. } => Response::new()
            .say(say_ja(
                "担当者の回線が切れました。おつなぎし直しますので、そのままお待ちください。",
            ))
            .say(say_en(
                "We lost your agent's line for a moment. Please hold while we reconnect you.",
            ))
            .pause(Pause::new().length(REJOIN_POLL_SECS))
            .redirect(Redirect::new(
                hooks.for_conversation(Hook::Route, interaction),
            )),
        CallPlan::DialOut {
            interaction,
            number,
        } => Response::new().dial(
            Dial::new()
                .timeout(OUTBOUND_RING_SECS)
                .action(hooks.url(
                    Hook::DialResult,
                    &[("attempt", "0"), ("conversation", interaction.as_str())],
                ))
                .record(DialRecord::RecordFromAnswerDual)
                .recording_status_callback(hooks.for_conversation(Hook::Recording, interaction))
                .recording_status_callback_event([
                    RecordingEvent::Completed,
                    RecordingEvent::Absent,
                ])
                .ring_tone(RingTone::Jp)
                .number(number_leg(number.as_str(), hooks, interaction)),
        ),
        CallPlan::TransferOut {
            interaction,
            number,
        } => Response::new()
            .say(say_ja("担当の窓口におつなぎします。少々お待ちください。"))
            .say(say_en("Transferring your call. Please hold."))
            .dial(
                Dial::new()
                    .timeout(FALLBACK_RING_SECS)
                    .record(DialRecord::RecordFromAnswerDual)
                    .recording_status_callback(hooks.for_conversation(Hook::Recording, interaction))
                    .recording_status_callback_event([
                        RecordingEvent::Completed,
                        RecordingEvent::Absent,
                    ])
                    .number(number_leg(number.as_str(), hooks, interaction)),
            )
            .say(say_ja(
                "申し訳ございません。おつなぎできませんでした。後ほどおかけ直しください。",
            ))
            .say(say_en(
                "We are sorry, the transfer did not go through. Please call again later.",
            ))
            .hangup(),
        CallPlan::Closed { because, .. } => {
            let (ja, en) = closed_announcement(because.as_ref());
            Response::new().say(say_ja(ja)).say(say_en(en)).hangup()
        }
        CallPlan::AnnounceNewNumber { new_number } => {
            let spoken = spoken_number(new_number);
            Response::new()
                .say(say_ja(format!(
                    "お電話ありがとうございます。この電話番号は変更になりました。新しい番号は{spoken}です。このままおつなぎします。"
                )))
                .say(say_en(format!(
                    "Thank you for calling. This number has changed; our new number is {spoken}. Connecting you now."
                )))
                .redirect(Redirect::new(hooks.url(Hook::Incoming, &[("line", "main")])))
        }
        CallPlan::Hangup { .. } => Response::new().hangup(),
    };
    response.to_xml()
}

mod hold_music;
mod ivr;
pub use hold_music::hold_music;
pub use ivr::{IVR_HOOK, ivr_answered, render_ivr_end, render_ivr_prompt};

#[cfg(test)]
mod tests;
