//! The rules the worker used to hold: how a directory row reads on the screen pop, which line a
//! number is, what an earlier conversation shows, when a status callback ends the call.

use expect_test::expect;
use tsunagu_core::{CallSid, Timestamp};
use tsunagu_protocol::ClientMessage;
use tsunagu_stitch::{CallStatus, LegDirection, LegStatus};

use super::Sim;
use crate::{AgentLegStatus, DialOutcome, DirectoryCustomer, Line, ends_the_call, recent_contact};

fn customer(company: &str, owner: Option<&str>) -> DirectoryCustomer {
    DirectoryCustomer {
        id: "c001".to_owned(),
        name: "山田 太郎".to_owned(),
        company: company.to_owned(),
        owner: owner.map(str::to_owned),
        owner_team: Some("sales".to_owned()),
    }
}

#[test]
fn a_directory_row_reads_as_name_and_company_in_full_width_parentheses() {
    let cards = [
        customer("山田商事株式会社", Some("sato")).card(),
        customer("", None).card(),
        // An owner that is not an agent id (a CRM's e-mail address) is left out, not fatal.
        customer("山田商事株式会社", Some("sato@example.jp")).card(),
        DirectoryCustomer {
            id: "a b".to_owned(),
            ..customer("", None)
        }
        .card(),
    ];
    expect![[r#"
        [
            Some(
                CustomerCard {
                    id: CustomerId(
                        "c001",
                    ),
                    name: "山田 太郎（山田商事株式会社）",
                    owner: Some(
                        AgentId(
                            "sato",
                        ),
                    ),
                    team: Some(
                        TeamId(
                            "sales",
                        ),
                    ),
                },
            ),
            Some(
                CustomerCard {
                    id: CustomerId(
                        "c001",
                    ),
                    name: "山田 太郎",
                    owner: None,
                    team: Some(
                        TeamId(
                            "sales",
                        ),
                    ),
                },
            ),
            Some(
                CustomerCard {
                    id: CustomerId(
                        "c001",
                    ),
                    name: "山田 太郎（山田商事株式会社）",
                    owner: None,
                    team: Some(
                        TeamId(
                            "sales",
                        ),
                    ),
                },
            ),
            None,
        ]
    "#]]
    .assert_debug_eq(&cards);
}

#[test]
fn a_legacy_line_needs_a_number_to_announce() {
    let lines = [
        Line::from_directory("legacy", Some("+815012345678".to_owned())),
        Line::from_directory("legacy", None),
        Line::from_directory("main", Some("+815012345678".to_owned())),
    ];
    expect![[r#"
        [
            Legacy {
                new_number: "+815012345678",
            },
            Main,
            Main,
        ]
    "#]]
    .assert_debug_eq(&lines);
}

#[test]
fn only_the_root_legs_end_ends_the_call() {
    let leg = |parent: Option<&str>, status| LegStatus {
        call_sid: CallSid::new("CA2").expect("valid"),
        parent_call_sid: parent.map(|p| CallSid::new(p).expect("valid")),
        direction: LegDirection::Inbound,
        from: "+819012345678".to_owned(),
        to: "+815012345678".to_owned(),
        status,
        sequence_number: None,
        at: Timestamp(0),
        call_duration: None,
    };
    let verdicts: Vec<bool> = [
        leg(None, CallStatus::Completed),
        leg(None, CallStatus::NoAnswer),
        leg(None, CallStatus::InProgress),
        leg(Some("CA1"), CallStatus::Completed),
    ]
    .iter()
    .map(ends_the_call)
    .collect();
    assert_eq!(verdicts, [true, true, false, false]);
}

#[test]
fn an_earlier_conversation_shows_who_answered_and_the_last_disposition() {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.at(1.0);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.ack(1, "CA1", 1);
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    sim.at(30.0);
    sim.leg("CA1", "sato", AgentLegStatus::Ended);
    sim.dial("CA1", 1, DialOutcome::Completed);
    sim.hang_up("CA1");
    sim.send(
        1,
        ClientMessage::EndWrapUp {
            disposition: Some("見積送付".to_owned()),
            notes: None,
        },
    );
    let stitched = tsunagu_stitch::stitch(
        &tsunagu_core::TenantId::new("demo").expect("valid"),
        &sim.records,
    );
    let contacts: Vec<_> = stitched.conversations.iter().map(recent_contact).collect();
    expect![[r#"
        [
            RecentContact {
                at: Timestamp(
                    1711933201000,
                ),
                channel: Voice,
                agent: Some(
                    AgentId(
                        "sato",
                    ),
                ),
                summary: Some(
                    "見積送付",
                ),
            },
        ]
    "#]]
    .assert_debug_eq(&contacts);
}

#[test]
fn skills_and_a_lines_requirements_read_from_their_rows() {
    let skills =
        crate::skill_levels(r#"{"billing": 3, "korean": 1, "bad name": 2, "x": 9, "y": "2"}"#);
    expect_test::expect![[r#"{Skill("billing"): 3, Skill("korean"): 1}"#]]
        .assert_eq(&format!("{skills:?}"));
    assert!(crate::skill_levels("not json").is_empty());
    let line = crate::CallRequirements::from_line(r#"{"billing": 2}"#, 3, 45);
    expect_test::expect![[r#"CallRequirements { skills: {Skill("billing"): 2}, priority: 3, relax_after: Some(Millis(45000)) }"#]]
        .assert_eq(&format!("{line:?}"));
    assert_eq!(
        crate::CallRequirements::from_line("{}", 0, 0).relax_after,
        None
    );
}
