//! Storing a router as JSON: the stored shape, a faithful restore, and contradictions refused.

use expect_test::expect;

use super::Script;
use crate::Router;

const STORY: &str = "
    agent sato   team=sales idle=09:00:00
    agent suzuki team=sales idle=09:02:10
    route c1 at=09:10:00 owner=sato owner_team=sales
    route c2 at=09:10:01 owner=sato owner_team=sales
    route c3 at=09:10:02 owner=sato owner_team=sales
    fail c2 at=09:10:05
";

#[test]
fn a_router_is_stored_as_its_agents_and_contacts() {
    let mut script = Script::new();
    script.run(STORY);
    let json = serde_json::to_string_pretty(&script.router).expect("router serializes");
    expect![[r#"
        {
          "agents": [
            {
              "profile": {
                "id": "sato",
                "teams": [
                  "sales"
                ],
                "skills": [],
                "capacity": {}
              },
              "availability": {
                "state": "not_routable",
                "why": {
                  "reason": "reserved"
                }
              },
              "pending": {
                "contact": "c1",
                "offered_at": 33000000,
                "restore": {
                  "state": "routable",
                  "idle_since": 32400000
                }
              },
              "load": []
            },
            {
              "profile": {
                "id": "suzuki",
                "teams": [
                  "sales"
                ],
                "skills": [],
                "capacity": {}
              },
              "availability": {
                "state": "routable",
                "idle_since": 32530000
              },
              "pending": null,
              "load": []
            }
          ],
          "contacts": [
            {
              "contact": {
                "id": "c1",
                "customer": null,
                "owner": "sato",
                "owner_team": "sales",
                "channel": "voice",
                "priority": 0,
                "skills": [],
                "arrived_at": 33000000
              },
              "ladder": {
                "steps": [
                  {
                    "target": "owner",
                    "timeout": 15000
                  },
                  {
                    "target": "owner_team",
                    "timeout": 20000
                  },
                  {
                    "target": "anyone",
                    "timeout": 30000
                  }
                ]
              },
              "tried": [],
              "phase": {
                "phase": "offered",
                "agent": "sato",
                "step_index": 0
              }
            },
            {
              "contact": {
                "id": "c2",
                "customer": null,
                "owner": "sato",
                "owner_team": "sales",
                "channel": "voice",
                "priority": 0,
                "skills": [],
                "arrived_at": 33001000
              },
              "ladder": {
                "steps": [
                  {
                    "target": "owner",
                    "timeout": 15000
                  },
                  {
                    "target": "owner_team",
                    "timeout": 20000
                  },
                  {
                    "target": "anyone",
                    "timeout": 30000
                  }
                ]
              },
              "tried": [
                "suzuki"
              ],
              "phase": {
                "phase": "queued"
              }
            },
            {
              "contact": {
                "id": "c3",
                "customer": null,
                "owner": "sato",
                "owner_team": "sales",
                "channel": "voice",
                "priority": 0,
                "skills": [],
                "arrived_at": 33002000
              },
              "ladder": {
                "steps": [
                  {
                    "target": "owner",
                    "timeout": 15000
                  },
                  {
                    "target": "owner_team",
                    "timeout": 20000
                  },
                  {
                    "target": "anyone",
                    "timeout": 30000
                  }
                ]
              },
              "tried": [],
              "phase": {
                "phase": "queued"
              }
            }
          ]
        }"#]]
    .assert_eq(&json);
}

#[test]
fn a_restored_router_continues_the_story() {
    let mut original = Script::new();
    original.run(STORY);
    let mut restored = Script::new();
    restored.run(STORY);
    let json = serde_json::to_string(&restored.router).expect("router serializes");
    restored.router = serde_json::from_str(&json).expect("router deserializes");
    let rest = "
        accept c1
        abandon c3
        available suzuki at=09:11:00
        queue
    ";
    original.run(rest);
    restored.run(rest);
    assert_eq!(restored.router.check_invariants(), Ok(()));
    let tail = |script: &Script| script.out.split("> accept c1").nth(1).map(str::to_owned);
    assert_eq!(tail(&restored), tail(&original));
    assert!(tail(&original).is_some_and(|tail| tail.contains("c2")));
}

#[test]
fn contradictory_stored_routers_are_refused() {
    let reserved_in_vain = r#"{"agents":[{"profile":{"id":"sato"},"availability":{"state":"not_routable","why":{"reason":"reserved"}},"pending":{"contact":"c1","offered_at":0,"restore":null},"load":[]}],"contacts":[]}"#;
    let held_twice = r#"{"agents":[{"profile":{"id":"sato"},"availability":{"state":"not_routable","why":{"reason":"on_call"}},"pending":null,"load":[["c1","chat"]]},{"profile":{"id":"suzuki"},"availability":{"state":"not_routable","why":{"reason":"on_call"}},"pending":null,"load":[["c1","chat"]]}],"contacts":[]}"#;
    let errors: Vec<String> = [reserved_in_vain, held_twice, r#"{"agents":[]}"#]
        .iter()
        .map(|json| match serde_json::from_str::<Router>(json) {
            Ok(_) => "accepted".to_owned(),
            Err(e) => e.to_string(),
        })
        .collect();
    expect![[r#"
        [
            "an agent is reserved for a contact not offered to them",
            "an interaction is held by two agents",
            "missing field `contacts` at line 1 column 13",
        ]
    "#]]
    .assert_debug_eq(&errors);
}
