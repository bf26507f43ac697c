//! What a caller in an IVR menu hears: a [`Prompt`] as `<Gather>` with its question said inside
//! (ja-JP), and the menu's own ends (voicemail, hang-up) as TwiML. Routing and transfers are the
//! center's plans, rendered by [`crate::render`].
//!
//! Every question names itself in its URLs, so the worker can tell an answer to the current
//! question from a retried webhook of an earlier one: the gather's `action` is
//! `ivr?node=<id>` (plus `retry=<n>` and `visit=<n>` when not 0), and the `<Redirect>` Twilio
//! falls through to when nobody answered names the retry it leads to (`retry=<n+1>`), as in the
//! `ivr_menu_ja` vector. [`ivr_answered`] reads them back.

use tsunagu_core::InteractionId;
use tsunagu_ivr::{End, InputMode, NodeId, Outcome, Prompt, PromptId};
use tsunagu_twilio::twiml::{
    CallbackMethod, Gather, GatherInput, Record, RecordingEvent, Redirect, Response, SpeechTimeout,
    TwimlError,
};

use crate::{Hook, Webhooks, say_ja};

/// The path segment of the IVR hook: `/twilio/voice/<tenant>/ivr`.
pub const IVR_HOOK: &str = "ivr";

/// The URL that answers (or, from the redirect, follows) question `id`.
fn ivr_url(hooks: &Webhooks, id: &PromptId) -> String {
    let retry = id.retry.to_string();
    let visit = id.visit.to_string();
    let mut query = vec![("node", id.node.as_str())];
    if id.retry > 0 {
        query.push(("retry", retry.as_str()));
    }
    if id.visit > 0 {
        query.push(("visit", visit.as_str()));
    }
    hooks.url_at(IVR_HOOK, &query)
}

/// Which question a request to the IVR hook is about, from its query (`node`, and `retry` and
/// `visit`, 0 when absent) and whether it carries an answer (`Digits` or `SpeechResult`). An
/// answer came from the gather's action, which names its own question; a request without one
/// came from the `<Redirect>` after it, which names the retry it leads to, so it is about the
/// question before. `None` when the query cannot be such a request (a redirect never has retry 0).
pub fn ivr_answered(
    node: &str,
    retry: Option<&str>,
    visit: Option<&str>,
    has_answer: bool,
) -> Option<PromptId> {
    let retry: u8 = retry.map_or(Ok(0), str::parse).ok()?;
    let visit: u16 = visit.map_or(Ok(0), str::parse).ok()?;
    let retry = if has_answer {
        retry
    } else {
        retry.checked_sub(1)?
    };
    Some(PromptId {
        node: NodeId::new(node),
        visit,
        retry,
    })
}

/// A question: what is said first, then `<Gather>` with the question inside, then the
/// `<Redirect>` Twilio takes when nobody answers within the timeout.
pub fn render_ivr_prompt(prompt: &Prompt, hooks: &Webhooks) -> Result<String, TwimlError> {
    let mut response = Response::new();
    for text in &prompt.say_first {
        response = response.say(say_ja(text.as_str()));
    }
    let mut gather = Gather::new()
        .input(match prompt.input {
            InputMode::Dtmf => GatherInput::Dtmf,
            InputMode::Speech => GatherInput::Speech,
            InputMode::DtmfSpeech => GatherInput::DtmfSpeech,
        })
        .action(ivr_url(hooks, &prompt.id))
        .method(CallbackMethod::Post)
        .timeout(u32::from(prompt.timeout_secs))
        .language(tsunagu_twilio::twiml::Language::JaJp)
        .say(say_ja(prompt.question.as_str()));
    if prompt.input.hears_digits() {
        // Every choice is one key: Twilio posts as soon as it is pressed.
        gather = gather.num_digits(1);
    }
    if prompt.input.hears_speech() {
        gather = gather.speech_timeout(SpeechTimeout::Auto);
        if !prompt.hints.is_empty() {
            gather = gather.hints(prompt.hints.join(","));
        }
    }
    let no_answer = PromptId {
        retry: prompt.id.retry.saturating_add(1),
        ..prompt.id.clone()
    };
    response
        .gather(gather)
        .redirect(Redirect::new(ivr_url(hooks, &no_answer)))
        .to_xml()
}

/// The TwiML of a menu's end that the menu itself plays (voicemail, hang-up); `None` for a
/// route or a transfer, which the center plans (the transfer through the dial policy).
pub fn render_ivr_end(
    outcome: &Outcome,
    hooks: &Webhooks,
    interaction: &InteractionId,
) -> Option<Result<String, TwimlError>> {
    let mut response = Response::new();
    for text in &outcome.say_first {
        response = response.say(say_ja(text.as_str()));
    }
    let response = match &outcome.end {
        End::Route { .. } | End::Transfer { .. } => return None,
        End::Voicemail {
            prompt,
            max_length_secs,
        } => response
            .say(say_ja(prompt.as_str()))
            .record(
                Record::new()
                    // Without an action Twilio would request this document again and loop.
                    .action(hooks.url_at(
                        IVR_HOOK,
                        &[("conversation", interaction.as_str()), ("recorded", "1")],
                    ))
                    .max_length(u32::from(*max_length_secs))
                    .play_beep(true)
                    .recording_status_callback(
                        hooks.url(Hook::Recording, &[("conversation", interaction.as_str())]),
                    )
                    .recording_status_callback_event([RecordingEvent::Completed]),
            )
            .hangup(),
        End::Hangup { text, .. } => {
            let response = match text {
                Some(text) => response.say(say_ja(text.as_str())),
                None => response,
            };
            response.hangup()
        }
    };
    Some(response.to_xml())
}

#[cfg(test)]
mod tests;
