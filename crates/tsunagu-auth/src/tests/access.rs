//! The role matrix and log scopes: a snapshot of who may do what, and properties of the scopes.

use std::collections::BTreeSet;

use expect_test::expect;
use proptest::prelude::*;
use tsunagu_core::{AgentId, TeamId, TenantId};

use crate::{
    Role, Session,
    access::{LogScope, Permission, SupervisorReach, role_matrix_markdown},
};

fn session(roles: &[Role], team: Option<&str>) -> Session {
    Session {
        tenant: TenantId::new("acme-jp").expect("valid tenant"),
        agent: AgentId::new("sato").expect("valid agent"),
        name: "佐藤".to_owned(),
        team: team.map(|t| TeamId::new(t).expect("valid team")),
        roles: roles.iter().copied().collect(),
        id: "session-1".to_owned(),
        issued_at: 1_999_990_000,
        expires_at: 2_000_000_000,
    }
}

#[test]
fn the_role_matrix() {
    expect![[r#"
        | permission | `agent` | `supervisor` | `admin` |
        |---|:-:|:-:|:-:|
        | `handle_calls` | ✓ | — | — |
        | `read_log` | ✓ | ✓ | ✓ |
        | `administer` | — | — | ✓ |
        | `read_directory` | — | — | ✓ |
        | `write_directory` | — | — | ✓ |
        | `read_routing_audit` | — | ✓ | ✓ |
        | `push_to_agents` | — | — | ✓ |
        | log scope | own | teams (tenant by setting) | tenant |
    "#]]
    .assert_eq(&role_matrix_markdown());
}

#[test]
fn scopes_by_role_and_reach() {
    let mut lines = Vec::new();
    for (label, roles, team) in [
        ("agent", &[Role::Agent][..], Some("sales")),
        (
            "agent+supervisor",
            &[Role::Agent, Role::Supervisor][..],
            Some("sales"),
        ),
        ("supervisor without team", &[Role::Supervisor][..], None),
        ("admin", &[Role::Admin][..], None),
    ] {
        for reach in [SupervisorReach::Teams, SupervisorReach::Tenant] {
            let scope = LogScope::of(&session(roles, team), reach);
            lines.push(format!("{label} / {reach:?}: {scope:?}"));
        }
    }
    expect![[r#"
        agent / Teams: Some(Own(AgentId("sato")))
        agent / Tenant: Some(Own(AgentId("sato")))
        agent+supervisor / Teams: Some(Teams { teams: {TeamId("sales")}, own: AgentId("sato") })
        agent+supervisor / Tenant: Some(Tenant)
        supervisor without team / Teams: Some(Teams { teams: {}, own: AgentId("sato") })
        supervisor without team / Tenant: Some(Tenant)
        admin / Teams: Some(Tenant)
        admin / Tenant: Some(Tenant)"#]]
    .assert_eq(&lines.join("\n"));
}

#[test]
fn an_agent_may_filter_only_on_themselves() {
    let scope = LogScope::of(&session(&[Role::Agent], None), SupervisorReach::Teams)
        .expect("agents read their own log");
    assert!(scope.allows_agent_filter(&AgentId::new("sato").expect("valid")));
    assert!(!scope.allows_agent_filter(&AgentId::new("watanabe").expect("valid")));
}

proptest! {
    /// Only an admin, or a supervisor where the tenant allows it, ever reads the whole tenant;
    /// a session without the supervisor or admin role reads only its own agent's log; nobody
    /// without a role that grants `read_log` reads anything.
    #[test]
    fn scopes_never_widen_past_the_roles(
        roles in proptest::sample::subsequence(Role::ALL.to_vec(), 0..=Role::ALL.len()),
        tenant_reach in any::<bool>(),
        team in proptest::option::of("[a-z]{1,8}"),
    ) {
        let roles: BTreeSet<Role> = roles.into_iter().collect();
        let reach = if tenant_reach { SupervisorReach::Tenant } else { SupervisorReach::Teams };
        let mut s = session(&[], team.as_deref());
        s.roles = roles.clone();
        let scope = LogScope::of(&s, reach);
        if !Permission::ReadLog.granted_to(&roles) {
            prop_assert_eq!(scope, None);
            return Ok(());
        }
        match scope.expect("read_log granted") {
            LogScope::Tenant => prop_assert!(
                roles.contains(&Role::Admin) || (roles.contains(&Role::Supervisor) && tenant_reach)
            ),
            LogScope::Teams { teams, own } => {
                prop_assert!(roles.contains(&Role::Supervisor) && !roles.contains(&Role::Admin));
                prop_assert_eq!(teams, s.team.iter().cloned().collect::<BTreeSet<_>>());
                prop_assert_eq!(own, s.agent);
            }
            LogScope::Own(agent) => {
                prop_assert!(!roles.contains(&Role::Supervisor) && !roles.contains(&Role::Admin));
                prop_assert_eq!(agent, s.agent);
            }
        }
    }
}

#[test]
fn the_api_key_scope_matrix() {
    expect![[r#"
        | permission | `conversations:read` | `directory:read` | `directory:write` | `calls:write` | `admin` |
        |---|:-:|:-:|:-:|:-:|:-:|
        | `handle_calls` | — | — | — | — | — |
        | `read_log` | ✓ | — | — | — | ✓ |
        | `administer` | — | — | — | — | ✓ |
        | `read_directory` | — | ✓ | ✓ | — | ✓ |
        | `write_directory` | — | — | ✓ | — | ✓ |
        | `read_routing_audit` | ✓ | — | — | — | ✓ |
        | `push_to_agents` | — | — | — | ✓ | ✓ |
    "#]]
    .assert_eq(&crate::access::scope_matrix_markdown());
}

#[test]
fn api_key_scopes_round_trip_their_names_and_never_grant_calls() {
    for scope in crate::ApiScope::ALL {
        assert_eq!(crate::ApiScope::from_name(scope.as_str()), Some(scope));
        // A machine has no phone: no scope lets a key take or place calls.
        assert!(!scope.grants(Permission::HandleCalls));
    }
    assert_eq!(crate::ApiScope::from_name("Admin"), None);
}
