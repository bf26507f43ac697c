//! Script-style snapshots: a timeline of inputs in, the effects out, one line each.

use std::fmt::Write;

use expect_test::{Expect, expect};
use tsunagu_core::{Channel, InteractionId, Timestamp};
use tsunagu_protocol::{
    ClientMessage, OfferId, PresenceStatus, ScreenPop, ServerMessage, WithdrawReason,
};

use crate::{Command, Desk, Dialled, Input, LineEvent, Output};

pub(crate) fn id(conversation: &str) -> InteractionId {
    InteractionId::new(conversation).expect("valid conversation id")
}

pub(crate) fn pop(number: &str) -> ScreenPop {
    ScreenPop {
        caller_number: Some(number.to_owned()),
        caller_display: None,
        caller_name: None,
        customer: None,
        recent: Vec::new(),
        skills: Vec::new(),
        ivr_path: None,
        callback: None,
    }
}

pub(crate) fn offer(conversation: &str, channel: Channel) -> Input {
    Input::Hub(ServerMessage::Offer {
        offer: OfferId {
            interaction: id(conversation),
            attempt: 1,
        },
        conversation: id(conversation),
        screen_pop: pop("+81355550101"),
        ring_timeout_ms: 20_000,
        ack_timeout_ms: 5_000,
        channel,
    })
}

pub(crate) fn status(status: PresenceStatus) -> Input {
    Input::Hub(ServerMessage::Status {
        status,
        since: Timestamp(0),
    })
}

pub(crate) fn ring(call_sid: &str, conversation: Option<&str>) -> Input {
    Input::Line(LineEvent::Ringing {
        call_sid: call_sid.to_owned(),
        conversation: conversation.map(str::to_owned),
    })
}

pub(crate) fn connected(call_sid: &str) -> Input {
    Input::Line(LineEvent::Connected {
        call_sid: call_sid.to_owned(),
    })
}

pub(crate) fn disconnected(call_sid: &str) -> Input {
    Input::Line(LineEvent::Disconnected {
        call_sid: call_sid.to_owned(),
    })
}

pub(crate) fn resume(conversation: &str, rejoin: bool) -> Input {
    Input::Hub(ServerMessage::Resume {
        conversation: id(conversation),
        screen_pop: pop("+81355550101"),
        since: Timestamp(1_000),
        rejoin,
        web: false,
    })
}

pub(crate) fn held(conversation: &str, held: bool) -> Input {
    Input::Hub(ServerMessage::Held {
        conversation: id(conversation),
        held,
    })
}

fn short(output: &Output) -> String {
    match output {
        Output::Hub(message) => match message {
            ClientMessage::AckOffer { offer } => format!("hub ack {}", offer.interaction.as_str()),
            ClientMessage::DeclineOffer { offer } => {
                format!("hub decline {}", offer.interaction.as_str())
            }
            ClientMessage::Rejoin { conversation } => format!("hub rejoin {}", conversation.as_str()),
            other => format!("hub {other:?}"),
        },
        Output::Host(event) => format!("host {event:?}")
            .replace("screen_pop: ScreenPop { caller_number: Some(\"+81355550101\"), caller_display: None, caller_name: None, customer: None, recent: [], skills: [], ivr_path: None, callback: None }, ", ""),
        Output::Alert(Some(offer)) => format!("alert ring {}", offer.offer.interaction.as_str()),
        Output::Alert(None) => "alert stop".to_owned(),
        other => format!("{other:?}"),
    }
}

/// Runs `timeline` (one input per 1 s) and prints each input's effects and the view at the end.
fn check(timeline: Vec<Input>, expected: &Expect) {
    let mut desk = Desk::new();
    desk.handle_input(0, Input::PhoneOwner(true));
    desk.handle_input(0, Input::Line(LineEvent::Registered));
    let mut printed = String::new();
    for (at, input) in timeline.into_iter().enumerate() {
        let now = 10_000 + 1_000 * at as u64;
        let label = format!("{input:?}");
        let label = label
            .split([' ', '(', '{'])
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        desk.handle_input(now, input);
        let _ = writeln!(printed, "{at}: {label}");
        while let Some(output) = desk.poll_output() {
            if output != Output::ViewChanged {
                let _ = writeln!(printed, "   {}", short(&output));
            }
        }
    }
    let view = desk.view();
    let _ = writeln!(
        printed,
        "view: status={:?} offer={:?} call={:?} wrap_up={:?} saved={}",
        view.status,
        view.offer
            .as_ref()
            .map(|o| (o.offer.interaction.as_str(), o.call_sid.as_deref())),
        view.call
            .as_ref()
            .map(|c| (c.conversation.as_str(), c.call_sid.as_deref(), c.held)),
        view.wrap_up
            .as_ref()
            .map(|w| (w.conversation.as_deref(), w.since_ms)),
        view.saved.is_some(),
    );
    expected.assert_eq(&printed);
}

#[test]
fn the_line_rings_before_the_offer_then_the_call_is_answered_ends_and_wraps_up() {
    check(
        vec![
            ring("CA1", Some("CAconv")),
            offer("CAconv", Channel::Voice),
            Input::Command(Command::Accept),
            connected("CA1"),
            status(PresenceStatus::OnCall),
            disconnected("CA1"),
            status(PresenceStatus::WrapUp),
            Input::Command(Command::EndWrapUp {
                disposition: Some("resolved".to_owned()),
                notes: None,
            }),
            status(PresenceStatus::Available),
        ],
        &expect![[r#"
            0: Line Ringing
            1: Hub Offer
               hub ack CAconv
               host Ring { conversation: "CAconv", channel: Voice }
               alert ring CAconv
            2: Command Accept)
               Line(Accept("CA1"))
            3: Line Connected
               alert stop
               host Accepted { conversation: "CAconv" }
            4: Hub Status
               host Presence(OnCall)
            5: Line Disconnected
               CallEnded { conversation: "CAconv" }
            6: Hub Status
               host Presence(WrapUp)
            7: Command EndWrapUp
               hub EndWrapUp { disposition: Some("resolved"), notes: None }
               host WrapUp { conversation: Some("CAconv"), outcome: Some("resolved"), notes: None }
            8: Hub Status
               host Presence(Available)
            view: status=Some(Available) offer=None call=None wrap_up=None saved=true
        "#]],
    );
}

#[test]
fn the_offer_comes_before_the_ring_and_the_hub_ends_the_call_into_wrap_up() {
    check(
        vec![
            offer("CAconv", Channel::Voice),
            ring("CA1", Some("CAconv")),
            Input::Command(Command::Accept),
            status(PresenceStatus::OnCall),
            status(PresenceStatus::WrapUp),
        ],
        &expect![[r#"
            0: Hub Offer
               hub ack CAconv
               host Ring { conversation: "CAconv", channel: Voice }
               alert ring CAconv
            1: Line Ringing
            2: Command Accept)
               Line(Accept("CA1"))
            3: Hub Status
               host Presence(OnCall)
               alert stop
               host Accepted { conversation: "CAconv" }
            4: Hub Status
               host Presence(WrapUp)
               CallEnded { conversation: "CAconv" }
            view: status=Some(WrapUp) offer=None call=None wrap_up=Some((Some("CAconv"), 0)) saved=false
        "#]],
    );
}

#[test]
fn a_dial_whose_ring_comes_before_its_reply_connects_once_the_reply_names_it() {
    check(
        vec![
            Input::DialSent,
            ring("CAout", None),
            status(PresenceStatus::OnCall),
            Input::DialReply(Some(Dialled {
                conversation: "CAout".to_owned(),
                call_sid: "CAout".to_owned(),
                to_display: "03-1234-5678".to_owned(),
                customer: None,
            })),
            connected("CAout"),
        ],
        &expect![[r#"
            0: DialSent
            1: Line Ringing
            2: Hub Status
               host Presence(OnCall)
            3: DialReply Some
               host Dialing { conversation: "CAout", to: "03-1234-5678", customer: None }
               Line(Accept("CAout"))
               host Accepted { conversation: "CAout" }
            4: Line Connected
            view: status=Some(OnCall) offer=None call=Some(("CAout", Some("CAout"), false)) wrap_up=None saved=false
        "#]],
    );
}

#[test]
fn a_reload_during_a_call_takes_the_call_back_when_the_line_rings_again() {
    check(
        vec![
            status(PresenceStatus::OnCall),
            resume("CAconv", true),
            ring("CA9", Some("CAconv")),
            held("CAconv", true),
            held("CAconv", false),
            ring("CA10", Some("CAconv")),
        ],
        &expect![[r#"
            0: Hub Status
               host Presence(OnCall)
            1: Hub Resume
               hub rejoin CAconv
            2: Line Ringing
               Line(Accept("CA9"))
            3: Hub Held
               host Hold { conversation: "CAconv" }
            4: Hub Held
               host Resumed { conversation: "CAconv" }
            5: Line Ringing
               Line(Accept("CA10"))
            view: status=Some(OnCall) offer=None call=Some(("CAconv", Some("CA10"), false)) wrap_up=None saved=false
        "#]],
    );
}

#[test]
fn a_withdrawn_offer_stops_the_ring_and_a_rejected_one_declines_and_rejects_the_ring() {
    check(
        vec![
            offer("CAa", Channel::Voice),
            Input::Hub(ServerMessage::OfferWithdrawn {
                offer: OfferId {
                    interaction: id("CAa"),
                    attempt: 1,
                },
                reason: WithdrawReason::NoAnswer,
            }),
            offer("CAb", Channel::Voice),
            ring("CA2", Some("CAb")),
            Input::Command(Command::Reject),
        ],
        &expect![[r#"
            0: Hub Offer
               hub ack CAa
               host Ring { conversation: "CAa", channel: Voice }
               alert ring CAa
            1: Hub OfferWithdrawn
               alert stop
            2: Hub Offer
               hub ack CAb
               host Ring { conversation: "CAb", channel: Voice }
               alert ring CAb
            3: Line Ringing
            4: Command Reject)
               hub decline CAb
               alert stop
               Line(Reject("CA2"))
            view: status=None offer=None call=None wrap_up=None saved=false
        "#]],
    );
}

#[test]
fn a_web_call_is_answered_on_the_hub_and_hung_up_there() {
    check(
        vec![
            offer("WCconv", Channel::WebCall),
            Input::Command(Command::Accept),
            status(PresenceStatus::OnCall),
            Input::Command(Command::ToggleMute),
            Input::Command(Command::HangUp),
            status(PresenceStatus::Available),
        ],
        &expect![[r#"
            0: Hub Offer
               hub ack WCconv
               host Ring { conversation: "WCconv", channel: WebCall }
               alert ring WCconv
            1: Command Accept)
               hub AcceptOffer { offer: OfferId { interaction: InteractionId("WCconv"), attempt: 1 } }
               WebCall(Start(InteractionId("WCconv")))
            2: Hub Status
               host Presence(OnCall)
               alert stop
               host Accepted { conversation: "WCconv" }
            3: Command ToggleMute)
               WebCall(Mute(true))
            4: Command HangUp)
               hub HangUp { conversation: InteractionId("WCconv") }
            5: Hub Status
               host Presence(Available)
               WebCall(Close)
               CallEnded { conversation: "WCconv" }
            view: status=Some(Available) offer=None call=None wrap_up=None saved=false
        "#]],
    );
}

#[test]
fn the_saved_confirmation_goes_away_after_its_time() {
    let mut desk = Desk::new();
    desk.handle_input(0, status(PresenceStatus::WrapUp));
    desk.handle_input(
        1_000,
        Input::Command(Command::EndWrapUp {
            disposition: None,
            notes: Some("折り返し".to_owned()),
        }),
    );
    desk.handle_input(2_000, status(PresenceStatus::Available));
    assert!(desk.view().saved.is_some());
    let due = 2_000 + crate::SAVED_NOTICE_MS;
    assert_eq!(desk.poll_timeout(), Some(due));
    desk.handle_timeout(due - 1);
    assert!(desk.view().saved.is_some());
    desk.handle_timeout(due);
    assert_eq!(desk.view().saved, None);
    assert_eq!(desk.poll_timeout(), None);
}

#[test]
fn a_callback_offer_is_accepted_in_the_widget_without_a_phone_ring() {
    let mut callback = offer("CAcb", Channel::Voice);
    if let Input::Hub(ServerMessage::Offer { screen_pop, .. }) = &mut callback {
        screen_pop.callback = Some("+81355550101".to_owned());
    }
    check(
        vec![
            callback,
            // The hub's `dial_request` that follows is the widget driver's (`pushed_dial`).
            Input::Command(Command::Accept),
        ],
        &expect![[r#"
            0: Hub Offer
               hub ack CAcb
               host Ring { conversation: "CAcb", screen_pop: ScreenPop { caller_number: Some("+81355550101"), caller_display: None, caller_name: None, customer: None, recent: [], skills: [], ivr_path: None, callback: Some("+81355550101") }, channel: Voice }
               alert ring CAcb
            1: Command Accept)
               hub AcceptOffer { offer: OfferId { interaction: InteractionId("CAcb"), attempt: 1 } }
               alert stop
            view: status=None offer=None call=None wrap_up=None saved=false
        "#]],
    );
}
