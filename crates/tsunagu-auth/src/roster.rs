//! Whose presence a widget socket hears: its roster scope, a function of the session's roles and teams.
//!
//! An agent hears their own teams (a change elsewhere in a big tenant costs them nothing); a
//! supervisor the teams they watch, or the whole tenant where the tenant lets supervisors reach
//! it; an admin, and anyone without a team (a small center that has no teams), the whole tenant.
//! A socket may widen its scope to the whole tenant for a while (the transfer list is open):
//! that is the center's business, not a role's.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use tsunagu_core::TeamId;

use crate::{Role, Session, SupervisorReach};

/// The agents whose presence a socket is sent: everyone, or the members of some teams.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum RosterScope {
    /// Every agent of the tenant (the default: what every socket heard before scopes existed).
    #[default]
    Tenant,
    /// Agents who belong to at least one of these teams.
    Teams { teams: BTreeSet<TeamId> },
}

impl RosterScope {
    /// The scope of a socket signed in with `session`, under the tenant's `reach` for supervisors.
    pub fn of(session: &Session, reach: SupervisorReach) -> RosterScope {
        let whole_tenant = session.roles.contains(&Role::Admin)
            || (session.roles.contains(&Role::Supervisor) && reach == SupervisorReach::Tenant);
        match &session.team {
            Some(team) if !whole_tenant => RosterScope::Teams {
                teams: BTreeSet::from([team.clone()]),
            },
            _ => RosterScope::Tenant,
        }
    }

    /// Whether an agent of `teams` is in this scope.
    pub fn covers(&self, teams: &BTreeSet<TeamId>) -> bool {
        match self {
            RosterScope::Tenant => true,
            RosterScope::Teams { teams: watched } => !watched.is_disjoint(teams),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use tsunagu_core::{AgentId, TeamId, TenantId};

    use super::RosterScope;
    use crate::{Role, Session, SupervisorReach};

    fn session(team: Option<&str>, roles: &[Role]) -> Session {
        Session {
            tenant: TenantId::new("demo").expect("valid tenant"),
            agent: AgentId::new("sato").expect("valid agent"),
            name: "佐藤".into(),
            team: team.map(|t| TeamId::new(t).expect("valid team")),
            roles: roles.iter().copied().collect(),
            id: "0".repeat(32),
            issued_at: 0,
            expires_at: 1,
        }
    }

    fn teams(names: &[&str]) -> BTreeSet<TeamId> {
        names
            .iter()
            .map(|n| TeamId::new(*n).expect("valid team"))
            .collect()
    }

    #[test]
    fn agents_hear_their_team_supervisors_by_reach_admins_and_teamless_everyone() {
        let sales = RosterScope::Teams {
            teams: teams(&["sales"]),
        };
        let table = [
            (
                Some("sales"),
                vec![Role::Agent],
                SupervisorReach::Tenant,
                sales.clone(),
            ),
            (
                Some("sales"),
                vec![Role::Supervisor],
                SupervisorReach::Teams,
                sales.clone(),
            ),
            (
                Some("sales"),
                vec![Role::Supervisor],
                SupervisorReach::Tenant,
                RosterScope::Tenant,
            ),
            (
                Some("sales"),
                vec![Role::Agent, Role::Admin],
                SupervisorReach::Teams,
                RosterScope::Tenant,
            ),
            (
                None,
                vec![Role::Agent],
                SupervisorReach::Teams,
                RosterScope::Tenant,
            ),
        ];
        for (team, roles, reach, expected) in table {
            assert_eq!(
                RosterScope::of(&session(team, &roles), reach),
                expected,
                "{team:?} {roles:?} {reach:?}"
            );
        }
        assert!(sales.covers(&teams(&["support", "sales"])));
        assert!(!sales.covers(&teams(&["support"])));
        assert!(
            !sales.covers(&teams(&[])),
            "a team-less agent is not in a team's roster"
        );
        assert!(RosterScope::Tenant.covers(&teams(&[])));
    }
}
