//! A CRM backend's pushes to one agent (click-to-call on their behalf, a record to show), as printed transcripts.

use std::fmt::Write as _;

use expect_test::expect;
use tsunagu_core::CustomerId;
use tsunagu_phone::{PhoneNumber, Region};
use tsunagu_protocol::{AwayReason, CustomerCard, RequestedStatus};

use super::{Sim, agent};
use crate::{AgentPush, Input, PushRefusal, Reply, crm_record, customer_record};

fn number(raw: &str) -> PhoneNumber {
    PhoneNumber::parse(raw, Region::Jp).unwrap_or_else(|e| panic!("{raw}: {e}"))
}

fn dial(raw: &str) -> AgentPush {
    AgentPush::Dial {
        to: number(raw),
        customer: None,
        supervisor: false,
    }
}

fn record() -> AgentPush {
    AgentPush::ShowRecord {
        record: customer_record(
            CustomerId::new("cust-7").unwrap_or_else(|e| panic!("{e}")),
            "山田 太郎",
            "山田商事",
            Some("03-1234-5678"),
            Some("https://crm.example.jp/customers/7"),
        )
        .unwrap_or_else(|e| panic!("{e:?}")),
    }
}

impl Sim {
    /// The CRM backend's `push` for `who`; prints what it answered and what the sockets got.
    fn push(&mut self, who: &str, push: AgentPush) {
        let what = match &push {
            AgentPush::Dial { to, .. } => format!("dial {}", to.as_e164()),
            AgentPush::ShowRecord { record } => format!("show {}", record.title),
        };
        self.line(&format!("CRM asks {who}: {what}"));
        let result = self.center.handle_input(
            self.now,
            Input::PushToAgent {
                agent: agent(who),
                push,
            },
        );
        match &result {
            Ok(Reply::Pushed(pushed)) => {
                let _ = writeln!(self.log, "  = {pushed:?}");
            }
            Err(error) => {
                let refusal = PushRefusal::of(error).map(|r| (r.code(), r.message().en));
                let _ = writeln!(self.log, "  = refused {refusal:?}");
            }
            Ok(other) => panic!("a push answers Pushed, not {other:?}"),
        }
        self.result(result.map(|_| ()));
    }
}

/// sato with two widgets (two tabs), suzuki with one.
fn office(config: crate::CenterConfig) -> Sim {
    let mut sim = Sim::with(config);
    sim.connect(1, "sato", &["sales"]);
    sim.connect(2, "sato", &["sales"]);
    sim.connect(3, "suzuki", &["sales"]);
    sim.at(1.0);
    sim.take();
    sim
}

#[test]
fn a_crm_click_to_call_is_shown_to_the_agent_with_call_and_cancel() {
    let mut sim = office(super::config());
    let mut push = dial("03-1234-5678");
    if let AgentPush::Dial { customer, .. } = &mut push {
        *customer = Some(CustomerCard {
            id: CustomerId::new("cust-7").unwrap_or_else(|e| panic!("{e}")),
            name: "山田商事".into(),
            owner: None,
            team: None,
        });
    }
    sim.push("sato", push);
    // An away agent may still place calls (as from the widget).
    sim.set_away(3, AwayReason::Meeting);
    sim.push("suzuki", dial("090-1234-5678"));
    expect![[r#"
        t=1s CRM asks sato: dial +81312345678
          = OfferedToAgent
          c1 ← {"type":"dial_request","to":"+81312345678","to_display":"03-1234-5678","customer":{"id":"cust-7","name":"山田商事","owner":null,"team":null},"confirm":true}
          c2 ← {"type":"dial_request","to":"+81312345678","to_display":"03-1234-5678","customer":{"id":"cust-7","name":"山田商事","owner":null,"team":null},"confirm":true}
        t=1s c3 says {"type":"set_status","status":{"kind":"away","reason":"meeting"}}
          c3 ← status away(meeting) since 1s
        t=1s CRM asks suzuki: dial +819012345678
          = OfferedToAgent
          c3 ← {"type":"dial_request","to":"+819012345678","to_display":"090-1234-5678","confirm":true}
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn with_direct_dialing_allowed_the_widget_is_told_to_call_at_once() {
    let mut config = super::config();
    config.direct_dial_from_host = true;
    let mut sim = office(config);
    sim.push("suzuki", dial("0120-123-456"));
    expect![[r#"
        t=1s CRM asks suzuki: dial +81120123456
          = Dialing
          c3 ← {"type":"dial_request","to":"+81120123456","to_display":"0120-123-456","confirm":false}
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn refused_pushes_tell_nobody_and_say_why() {
    let mut sim = office(super::config());
    // The dial policy, before anything else: even for an agent who is not signed in.
    sim.push("sato", dial("0990-123-456"));
    sim.push("nobody", dial("+44 20 7946 0107"));
    sim.push("nobody", dial("03-1234-5678"));
    sim.push("nobody", record());
    // An agent who chose to be offline, with the widget open.
    sim.send(
        3,
        tsunagu_protocol::ClientMessage::SetStatus {
            status: RequestedStatus::Offline,
        },
    );
    sim.push("suzuki", record());
    // A call rings sato: busy for a dial (a record would still be shown).
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.push("sato", dial("03-1234-5678"));
    expect![[r#"
        t=1s CRM asks sato: dial +81990123456
          = refused Some(("dial_refused", "Calls to premium-rate numbers (such as 0990) are not allowed."))
          ! dial refused (premium_rate): calls to premium-rate numbers (such as 0990) are not allowed
        t=1s CRM asks nobody: dial +442079460107
          = refused Some(("dial_refused", "International calls are not allowed."))
          ! dial refused (international): international calls are not allowed
        t=1s CRM asks nobody: dial +81312345678
          = refused Some(("not_signed_in", "The agent is not signed in to the widget."))
          ! the agent is not signed in to the widget
        t=1s CRM asks nobody: show 山田 太郎
          = refused Some(("not_signed_in", "The agent is not signed in to the widget."))
          ! the agent is not signed in to the widget
        t=1s c3 says {"type":"set_status","status":{"kind":"offline"}}
          c3 ← status offline since 1s
        t=1s CRM asks suzuki: show 山田 太郎
          = refused Some(("not_signed_in", "The agent is not signed in to the widget."))
          ! the agent is not signed in to the widget
        t=1s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 1s
          c2 ← status reserved since 1s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
          c2 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=1s CRM asks sato: dial +81312345678
          = refused Some(("agent_busy", "The agent is on a call or in wrap-up."))
          ! the agent is busy with another call
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_pushed_record_reaches_every_widget_of_the_agent_even_on_a_call() {
    let mut sim = office(super::config());
    sim.place("CA9", "suzuki", "+81312345678");
    sim.take();
    sim.push("sato", record());
    sim.push(
        "suzuki",
        AgentPush::ShowRecord {
            record: crm_record("案件 #4411", Some("更新のご相談"), None)
                .unwrap_or_else(|e| panic!("{e:?}")),
        },
    );
    expect![[r#"
        t=1s CRM asks sato: show 山田 太郎
          = Shown
          c1 ← {"type":"show_record","record":{"customer":"cust-7","title":"山田 太郎","subtitle":"山田商事","number":"03-1234-5678","url":"https://crm.example.jp/customers/7"}}
          c2 ← {"type":"show_record","record":{"customer":"cust-7","title":"山田 太郎","subtitle":"山田商事","number":"03-1234-5678","url":"https://crm.example.jp/customers/7"}}
        t=1s CRM asks suzuki: show 案件 #4411
          = Shown
          c3 ← {"type":"show_record","record":{"title":"案件 #4411","subtitle":"更新のご相談"}}
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn records_the_crm_describes_are_checked() {
    let long_title = "あ".repeat(121);
    let long_subtitle = "x".repeat(201);
    let long_url = format!("https://crm.example.jp/{}", "a".repeat(2048));
    let cases: [(&str, Option<&str>, Option<&str>); 14] = [
        ("  山田 太郎  ", Some("  "), Some("  ")),
        ("案件", Some("更新"), Some("https://crm.example.jp/a?b=c#d")),
        ("", None, None),
        ("   ", None, None),
        (&long_title, None, None),
        ("ok", Some(&long_subtitle), None),
        ("line\nbreak", None, None),
        ("ok", Some("tab\there"), None),
        ("ok", None, Some("http://crm.example.jp/")),
        ("ok", None, Some("javascript:alert(1)")),
        ("ok", None, Some("https://crm.example.jp@evil.test/")),
        ("ok", None, Some("https:///path")),
        ("ok", None, Some("https://crm.example.jp/顧客 7\"><script>")),
        ("ok", None, Some(&long_url)),
    ];
    let mut out = String::new();
    for (title, subtitle, url) in cases {
        let shown = match crm_record(title, subtitle, url) {
            Ok(record) => format!(
                "ok {:?} {:?} {:?}",
                record.title, record.subtitle, record.url
            ),
            Err(problem) => format!("{} {} | {}", problem.field(), problem.code(), {
                let m = problem.message();
                format!("{} | {}", m.ja, m.en)
            }),
        };
        let _ = writeln!(out, "{shown}");
    }
    expect![[r#"
        ok "山田 太郎" None None
        ok "案件" Some("更新") Some("https://crm.example.jp/a?b=c#d")
        title title_missing | title（顧客名など）を指定してください。 | `title` (such as the customer's name) is required.
        title title_missing | title（顧客名など）を指定してください。 | `title` (such as the customer's name) is required.
        title title_too_long | title は120文字以内で指定してください。 | `title` must be at most 120 characters.
        subtitle subtitle_too_long | subtitle は200文字以内で指定してください。 | `subtitle` must be at most 200 characters.
        title control_characters | 改行などの制御文字は使えません。 | Line breaks and other control characters are not allowed.
        subtitle control_characters | 改行などの制御文字は使えません。 | Line breaks and other control characters are not allowed.
        url url_not_https | url は https:// で始まる必要があります。 | `url` must start with https://.
        url url_not_https | url は https:// で始まる必要があります。 | `url` must start with https://.
        url url_invalid | url にユーザー名、空白、全角文字などは使えません（パーセントエンコードしてください）。 | `url` may not hold a user name, spaces or non-ASCII characters (percent-encode them).
        url url_invalid | url にユーザー名、空白、全角文字などは使えません（パーセントエンコードしてください）。 | `url` may not hold a user name, spaces or non-ASCII characters (percent-encode them).
        url url_invalid | url にユーザー名、空白、全角文字などは使えません（パーセントエンコードしてください）。 | `url` may not hold a user name, spaces or non-ASCII characters (percent-encode them).
        url url_too_long | url は2048バイト以内で指定してください。 | `url` must be at most 2048 bytes.
    "#]]
    .assert_eq(&out);
}
