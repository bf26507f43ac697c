//! What a signed-in session may do: the role matrix, checked by the worker on every route and message.
//!
//! The roles ([`Role`]) come from the CRM's embed token. Every permission is a function of them
//! alone, so the matrix is one table ([`Permission::roles`]) that the README carries and a
//! snapshot test pins. Reading the call log is more than yes or no: [`LogScope`] says *whose*
//! conversations and KPIs a session reads, and the worker turns it into its SQL filters.

use std::{collections::BTreeSet, fmt};

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, TeamId};

use crate::{Role, Session};

/// Something a route or a socket message lets a session do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// Take and place calls: the hub socket, Voice Access Tokens, click-to-call, transfers.
    HandleCalls,
    /// Read conversations, wrap-up notes and KPIs within the session's [`LogScope`].
    ReadLog,
    /// Administer the tenant: settings, API keys, other agents' sessions.
    Administer,
    /// Read the directory through the admin API: teams, agents, customers.
    ReadDirectory,
    /// Create, change and delete teams, agents and customers.
    WriteDirectory,
    /// Read why each contact went where it went (the routing audit in the conversations the
    /// session reads, and routing dry runs): it names colleagues and why they were skipped.
    ReadRoutingAudit,
    /// Ask an agent's widget, on a CRM backend's behalf, to call a number (shown with Call /
    /// Cancel unless the tenant allows direct dialing) or to show a customer record: the server
    /// API (`POST /api/agents/<id>/calls`, `/screen-pop`).
    PushToAgents,
}

impl Permission {
    pub const ALL: [Permission; 7] = [
        Permission::HandleCalls,
        Permission::ReadLog,
        Permission::Administer,
        Permission::ReadDirectory,
        Permission::WriteDirectory,
        Permission::ReadRoutingAudit,
        Permission::PushToAgents,
    ];

    /// The roles that grant this permission: the whole matrix, in one place.
    pub fn roles(self) -> &'static [Role] {
        match self {
            // Supervisors who also take calls carry both roles; a supervisor-only session
            // watches and reads but has no phone.
            Permission::HandleCalls => &[Role::Agent],
            Permission::ReadLog => &[Role::Agent, Role::Supervisor, Role::Admin],
            Permission::ReadRoutingAudit => &[Role::Supervisor, Role::Admin],
            Permission::Administer
            | Permission::ReadDirectory
            | Permission::WriteDirectory
            | Permission::PushToAgents => &[Role::Admin],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::HandleCalls => "handle_calls",
            Permission::ReadLog => "read_log",
            Permission::Administer => "administer",
            Permission::ReadDirectory => "read_directory",
            Permission::WriteDirectory => "write_directory",
            Permission::ReadRoutingAudit => "read_routing_audit",
            Permission::PushToAgents => "push_to_agents",
        }
    }

    /// Whether any of `roles` grants this permission.
    pub fn granted_to(self, roles: &BTreeSet<Role>) -> bool {
        self.roles().iter().any(|role| roles.contains(role))
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an API key (a machine's credential, `Authorization: Bearer tsk_…`) may do. A key has no
/// roles: each scope names the permissions it grants, and `admin` grants exactly what the admin
/// role does, so the role matrix stays the one source of truth for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiScope {
    /// Read the tenant's whole call log and KPIs.
    ConversationsRead,
    /// Read teams, agents and customers.
    DirectoryRead,
    /// Read and write teams, agents and customers.
    DirectoryWrite,
    /// Ask agents' widgets to call a number or show a record (the CRM backend's click-to-call
    /// and screen pop); never to take or place a call itself.
    CallsWrite,
    /// Everything the admin role may do (settings, API keys, the directory, the log).
    Admin,
}

impl ApiScope {
    pub const ALL: [ApiScope; 5] = [
        ApiScope::ConversationsRead,
        ApiScope::DirectoryRead,
        ApiScope::DirectoryWrite,
        ApiScope::CallsWrite,
        ApiScope::Admin,
    ];

    /// The scope's name in the API (`conversations:read`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::ConversationsRead => "conversations:read",
            ApiScope::DirectoryRead => "directory:read",
            ApiScope::DirectoryWrite => "directory:write",
            ApiScope::CallsWrite => "calls:write",
            ApiScope::Admin => "admin",
        }
    }

    /// The scope with this exact name, if this version knows it.
    pub fn from_name(name: &str) -> Option<ApiScope> {
        ApiScope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == name)
    }

    /// Whether this scope grants `permission`.
    pub fn grants(self, permission: Permission) -> bool {
        match self {
            ApiScope::ConversationsRead => {
                matches!(
                    permission,
                    Permission::ReadLog | Permission::ReadRoutingAudit
                )
            }
            ApiScope::DirectoryRead => permission == Permission::ReadDirectory,
            ApiScope::DirectoryWrite => matches!(
                permission,
                Permission::ReadDirectory | Permission::WriteDirectory
            ),
            ApiScope::CallsWrite => permission == Permission::PushToAgents,
            ApiScope::Admin => permission.roles().contains(&Role::Admin),
        }
    }

    /// Whether any of `scopes` grants `permission`.
    pub fn any_grants(scopes: &BTreeSet<ApiScope>, permission: Permission) -> bool {
        scopes.iter().any(|scope| scope.grants(permission))
    }
}

impl fmt::Display for ApiScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scope matrix as Markdown (permission × API key scope), as the README shows it.
pub fn scope_matrix_markdown() -> String {
    let mut out = String::from("| permission |");
    for scope in ApiScope::ALL {
        out.push_str(&format!(" `{scope}` |"));
    }
    out.push_str("\n|---|");
    for _ in ApiScope::ALL {
        out.push_str(":-:|");
    }
    for permission in Permission::ALL {
        out.push_str(&format!("\n| `{permission}` |"));
        for scope in ApiScope::ALL {
            let mark = if scope.grants(permission) {
                "✓"
            } else {
                "—"
            };
            out.push_str(&format!(" {mark} |"));
        }
    }
    out.push('\n');
    out
}

/// How far a supervisor sees: a tenant setting. Small centers let supervisors see everything;
/// larger ones keep each supervisor to their own teams.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupervisorReach {
    /// The supervisor's own teams (the default).
    #[default]
    Teams,
    /// The whole tenant.
    Tenant,
}

/// Whose conversations, notes and KPIs a session reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogScope {
    /// Everything of the tenant (admins; supervisors where the tenant says so).
    Tenant,
    /// Conversations that an agent of one of these teams took part in, or whose customer such
    /// an agent owns; plus the session's own (a supervisor without a team still sees their own).
    Teams {
        teams: BTreeSet<TeamId>,
        own: AgentId,
    },
    /// Conversations the agent was offered, answered or was transferred, and those of customers
    /// they own.
    Own(AgentId),
}

impl LogScope {
    /// The scope of `session` under the tenant's `reach` for supervisors; `None` when the session
    /// may not read the log at all.
    pub fn of(session: &Session, reach: SupervisorReach) -> Option<LogScope> {
        if !Permission::ReadLog.granted_to(&session.roles) {
            return None;
        }
        if session.roles.contains(&Role::Admin) {
            return Some(LogScope::Tenant);
        }
        if session.roles.contains(&Role::Supervisor) {
            return Some(match reach {
                SupervisorReach::Tenant => LogScope::Tenant,
                SupervisorReach::Teams => LogScope::Teams {
                    teams: session.team.iter().cloned().collect(),
                    own: session.agent.clone(),
                },
            });
        }
        Some(LogScope::Own(session.agent.clone()))
    }

    /// Short name for replies and logs: `tenant`, `teams` or `own`.
    pub fn name(&self) -> &'static str {
        match self {
            LogScope::Tenant => "tenant",
            LogScope::Teams { .. } => "teams",
            LogScope::Own(_) => "own",
        }
    }

    /// Whether an explicit `agent` filter stays inside this scope. An agent asking for a
    /// colleague's conversations is refused outright rather than shown an empty page, so a
    /// misconfigured CRM learns why. (Team scopes filter by the directory instead: the worker
    /// applies the scope to whatever the filter finds.)
    pub fn allows_agent_filter(&self, agent: &AgentId) -> bool {
        match self {
            LogScope::Own(own) => own == agent,
            LogScope::Teams { .. } | LogScope::Tenant => true,
        }
    }
}

/// The log scope a role alone gives (what [`LogScope::of`] answers for a session with just it).
fn scope_of_role(role: Role) -> &'static str {
    match role {
        Role::Agent => "own",
        Role::Supervisor => "teams (tenant by setting)",
        Role::Admin => "tenant",
    }
}

/// The role matrix as Markdown (permission × role, then the log scope), as the README shows it.
pub fn role_matrix_markdown() -> String {
    let mut out = String::from("| permission |");
    for role in Role::ALL {
        out.push_str(&format!(" `{role}` |"));
    }
    out.push_str("\n|---|");
    for _ in Role::ALL {
        out.push_str(":-:|");
    }
    for permission in Permission::ALL {
        out.push_str(&format!("\n| `{permission}` |"));
        for role in Role::ALL {
            let mark = if permission.roles().contains(&role) {
                "✓"
            } else {
                "—"
            };
            out.push_str(&format!(" {mark} |"));
        }
    }
    out.push_str("\n| log scope |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", scope_of_role(role)));
    }
    out.push('\n');
    out
}
