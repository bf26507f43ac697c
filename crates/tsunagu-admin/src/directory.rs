//! The directory as the admin API writes it: teams, agents (roles, team, skills, capacity) and
//! customers (phone numbers normalised to E.164 with `tsunagu-phone`).
//!
//! Ids come from the path for updates and from the body for creations; both go through the same
//! checks. Whether a named team or agent exists is the store's question: the worker asks it and
//! answers with [`ErrorCode::UnknownTeam`] / [`ErrorCode::UnknownAgent`] on the same field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tsunagu_auth::Role;
use tsunagu_core::{
    ATTRIBUTE_KEY_MAX_CHARS, ATTRIBUTE_VALUE_MAX_CHARS, ATTRIBUTES_MAX, AgentId, AttributeProblem,
    CustomerId, TeamId,
};
use tsunagu_phone::{PhoneNumber, Region};

use crate::{ErrorCode, Invalid, fields::Fields, settings::Name};

/// Longest agent display name (what embed tokens allow too).
pub const AGENT_NAME_MAX_CHARS: u32 = 100;
/// Longest customer name or company.
pub const CUSTOMER_TEXT_MAX_CHARS: u32 = 200;
/// Most skills per agent.
pub const SKILLS_MAX: u32 = 50;
/// Skill levels run from 1 (can take it) to 5 (expert).
pub const SKILL_LEVEL_MAX: u32 = 5;
const SKILL_NAME_MAX_CHARS: u32 = 40;
/// Most simultaneous chats an agent may be given.
pub const CHAT_CAPACITY_MAX: u32 = 10;

/// A team (`/api/admin/teams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub name: Name,
}

impl Team {
    /// Validates a body; `path_id` is the id of the URL for an update (the body's `id`, if any,
    /// is then ignored), `None` for a creation.
    pub fn validate(body: &Value, path_id: Option<&str>) -> Result<Team, Invalid> {
        let mut fields = Fields::of(body);
        let id = read_id(&mut fields, path_id, |raw| TeamId::new(raw).ok());
        let name = Name::read(&mut fields, "name");
        let team = (|| {
            Some(Team {
                id: id?,
                name: name?,
            })
        })();
        fields.finish(team)
    }
}

/// How many contacts of each channel an agent takes at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
    /// 0 (takes no calls) or 1.
    pub voice: u32,
    pub chat: u32,
}

impl Default for Capacity {
    fn default() -> Capacity {
        Capacity { voice: 1, chat: 0 }
    }
}

/// An agent of the directory (`/api/admin/agents`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub display_name: String,
    /// The agent's team; the directory, not the embed token, is what scopes read.
    pub team: Option<TeamId>,
    /// Role names, sorted, never empty.
    pub roles: Vec<String>,
    /// Skill name → level (1..=5).
    pub skills: BTreeMap<String, u32>,
    pub capacity: Capacity,
}

/// The body of an agent write, before validation.
pub type AgentInput = Value;

impl Agent {
    /// Validates a body (see [`Team::validate`] for `path_id`).
    pub fn validate(body: &AgentInput, path_id: Option<&str>) -> Result<Agent, Invalid> {
        let mut fields = Fields::of(body);
        let id = read_id(&mut fields, path_id, |raw| AgentId::new(raw).ok());
        let display_name = fields.text("display_name", AGENT_NAME_MAX_CHARS);
        let team = fields.get("team").and_then(|value| {
            let raw = fields.text_value("team", value, 64, false)?;
            let team = TeamId::new(raw).ok();
            if team.is_none() {
                fields.fail("team", ErrorCode::InvalidId);
            }
            team
        });
        let roles = read_roles(&mut fields);
        let skills = read_skill_levels(&mut fields, "skills", SKILLS_MAX);
        let capacity = read_capacity(&mut fields);
        let agent = (|| {
            Some(Agent {
                id: id?,
                display_name: display_name?,
                team,
                roles: roles?,
                skills: skills?,
                capacity: capacity?,
            })
        })();
        fields.finish(agent)
    }

    /// The roles as the `agents.roles` column and embed tokens spell them: space-separated.
    pub fn roles_column(&self) -> String {
        self.roles.join(" ")
    }
}

fn read_roles(fields: &mut Fields<'_>) -> Option<Vec<String>> {
    let Some(items) = fields.list("roles", 10) else {
        if fields.get("roles").is_none() {
            fields.fail("roles", ErrorCode::Required);
        }
        return None;
    };
    if items.is_empty() {
        fields.fail("roles", ErrorCode::Blank);
        return None;
    }
    let mut roles = Vec::new();
    let mut ok = true;
    for (index, item) in items.iter().enumerate() {
        let path = format!("roles[{index}]");
        match item.as_str().map(Role::from_name) {
            Some(Some(role)) if roles.contains(&role) => {
                fields.fail(path, ErrorCode::Duplicate);
                ok = false;
            }
            Some(Some(role)) => roles.push(role),
            Some(None) => {
                fields.fail(path, ErrorCode::UnknownValue);
                ok = false;
            }
            None => {
                fields.fail(path, ErrorCode::NotText);
                ok = false;
            }
        }
    }
    roles.sort();
    ok.then(|| roles.iter().map(|role| role.as_str().to_owned()).collect())
}

/// An object of skill name → level (1..=5) at `name` (absent: none), at most `max` entries. An
/// agent's skills and a line's required skills are read alike.
pub(crate) fn read_skill_levels(
    fields: &mut Fields<'_>,
    name: &str,
    max: u32,
) -> Option<BTreeMap<String, u32>> {
    let Some(value) = fields.get(name) else {
        return Some(BTreeMap::new());
    };
    let Some(object) = value.as_object() else {
        fields.fail(name, ErrorCode::NotAnObject);
        return None;
    };
    if object.len() > max as usize {
        fields.fail(name, ErrorCode::TooMany { max });
        return None;
    }
    let mut skills = BTreeMap::new();
    let mut ok = true;
    // Skill names are the client's keys, so errors point at the entry's position, not its name.
    for (index, (skill, level)) in object.iter().enumerate() {
        let name_ok = !skill.is_empty()
            && skill.chars().count() <= SKILL_NAME_MAX_CHARS as usize
            && skill
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !name_ok {
            fields.fail(format!("{name}[{index}]"), ErrorCode::InvalidId);
            ok = false;
            continue;
        }
        match fields.number_value(&format!("{name}[{index}]"), level, 1, SKILL_LEVEL_MAX) {
            Some(level) => {
                skills.insert(skill.clone(), level);
            }
            None => ok = false,
        }
    }
    ok.then_some(skills)
}

fn read_capacity(fields: &mut Fields<'_>) -> Option<Capacity> {
    let Some(value) = fields.get("capacity") else {
        return Some(Capacity::default());
    };
    if !value.is_object() {
        fields.fail("capacity", ErrorCode::NotAnObject);
        return None;
    }
    let defaults = Capacity::default();
    let mut read = |channel: &str, default: u32, max: u32| match value.get(channel) {
        None | Some(Value::Null) => Some(default),
        Some(v) => fields.number_value(&format!("capacity.{channel}"), v, 0, max),
    };
    let voice = read("voice", defaults.voice, 1);
    let chat = read("chat", defaults.chat, CHAT_CAPACITY_MAX);
    Some(Capacity {
        voice: voice?,
        chat: chat?,
    })
}

/// A customer record (`/api/admin/customers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    pub company: String,
    /// E.164, whatever form the client sent (`03-5555-0101` becomes `+81355550101`).
    pub phone: String,
    /// The agent who owns the customer (routing tries them first).
    pub owner: Option<AgentId>,
    /// The CRM's own labels (`plan` → `gold`) that an IVR menu branches on; limits in
    /// `tsunagu_core::attributes`. A write without them stores none.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// The body of a customer write, before validation.
pub type CustomerInput = Value;

impl Customer {
    /// Validates a body (see [`Team::validate`] for `path_id`). National numbers are read as
    /// Japanese ones.
    pub fn validate(body: &CustomerInput, path_id: Option<&str>) -> Result<Customer, Invalid> {
        let mut fields = Fields::of(body);
        let id = read_id(&mut fields, path_id, |raw| CustomerId::new(raw).ok());
        let name = fields.text("name", CUSTOMER_TEXT_MAX_CHARS);
        let company = fields
            .optional_text("company", CUSTOMER_TEXT_MAX_CHARS, true)
            .or_else(|| fields.get("company").is_none().then(String::new));
        let phone =
            fields
                .text("phone", 40)
                .and_then(|raw| match PhoneNumber::parse(&raw, Region::Jp) {
                    Ok(number) => Some(number.as_e164().to_owned()),
                    Err(_) => {
                        fields.fail("phone", ErrorCode::InvalidPhone);
                        None
                    }
                });
        let owner = fields.get("owner").and_then(|value| {
            let raw = fields.text_value("owner", value, 121, false)?;
            let owner = AgentId::new(raw).ok();
            if owner.is_none() {
                fields.fail("owner", ErrorCode::InvalidId);
            }
            owner
        });
        let attributes = read_attributes(&mut fields);
        let customer = (|| {
            Some(Customer {
                id: id?,
                name: name?,
                company: company?,
                phone: phone?,
                owner,
                attributes: attributes?,
            })
        })();
        fields.finish(customer)
    }
}

/// A customer's `attributes`: an object of text → text (absent or null: none). Keys are the
/// client's, so a problem points at the entry's position (`attributes[2].key`), not its name.
fn read_attributes(fields: &mut Fields<'_>) -> Option<BTreeMap<String, String>> {
    let Some(value) = fields.get("attributes") else {
        return Some(BTreeMap::new());
    };
    let Some(object) = value.as_object() else {
        fields.fail("attributes", ErrorCode::NotAnObject);
        return None;
    };
    if object.len() > ATTRIBUTES_MAX {
        fields.fail(
            "attributes",
            ErrorCode::TooMany {
                max: ATTRIBUTES_MAX as u32,
            },
        );
        return None;
    }
    let mut attributes = BTreeMap::new();
    let mut ok = true;
    for (index, (key, value)) in object.iter().enumerate() {
        let key = tsunagu_core::attribute_key(key).map_err(|problem| {
            let code = attribute_code(problem, ATTRIBUTE_KEY_MAX_CHARS);
            fields.fail(format!("attributes[{index}].key"), code);
        });
        let value = match value.as_str() {
            Some(text) => tsunagu_core::attribute_value(text).map_err(|problem| {
                let code = attribute_code(problem, ATTRIBUTE_VALUE_MAX_CHARS);
                fields.fail(format!("attributes[{index}].value"), code);
            }),
            None => {
                fields.fail(format!("attributes[{index}].value"), ErrorCode::NotText);
                Err(())
            }
        };
        match (key, value) {
            // Two keys that differ only in blanks around them would be one attribute.
            (Ok(key), Ok(_)) if attributes.contains_key(&key) => {
                fields.fail(format!("attributes[{index}].key"), ErrorCode::Duplicate);
                ok = false;
            }
            (Ok(key), Ok(value)) => {
                attributes.insert(key, value);
            }
            _ => ok = false,
        }
    }
    ok.then_some(attributes)
}

/// The admin API's code for an attribute's problem (`max`: the limit of the part checked).
pub(crate) fn attribute_code(problem: AttributeProblem, max: usize) -> ErrorCode {
    match problem {
        AttributeProblem::TooMany => ErrorCode::TooMany {
            max: ATTRIBUTES_MAX as u32,
        },
        AttributeProblem::Blank => ErrorCode::Blank,
        AttributeProblem::TooLong => ErrorCode::TooLong { max: max as u32 },
        AttributeProblem::ControlCharacter => ErrorCode::ControlCharacter,
    }
}

/// Most customers on one page of a search.
pub const CUSTOMER_PAGE_MAX: u32 = 100;
/// Customers on a page when the client does not say.
pub const CUSTOMER_PAGE_DEFAULT: u32 = 50;

/// `GET /api/admin/customers?q=…&after=…&limit=…`: a search page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSearch {
    /// Matches a prefix of the name, company or id, or the phone number (normalised when it
    /// parses as one).
    pub query: Option<String>,
    /// The phone number the query is, if it parses as one.
    pub phone: Option<String>,
    /// Only customers whose id sorts after this one (the page cursor).
    pub after: Option<String>,
    pub limit: u32,
}

impl CustomerSearch {
    /// Validates the query parameters (each absent is its default).
    pub fn validate(
        query: Option<&str>,
        after: Option<&str>,
        limit: Option<&str>,
    ) -> Result<CustomerSearch, Invalid> {
        let body = serde_json::json!({ "q": query, "after": after });
        let mut fields = Fields::of(&body);
        let query = fields
            .optional_text("q", CUSTOMER_TEXT_MAX_CHARS, true)
            .filter(|q| !q.is_empty());
        let after = fields.optional_text("after", 128, false);
        let limit = match limit {
            None => Some(CUSTOMER_PAGE_DEFAULT),
            Some(raw) => {
                let parsed = raw
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=CUSTOMER_PAGE_MAX).contains(n));
                if parsed.is_none() {
                    fields.fail(
                        "limit",
                        ErrorCode::NotInRange {
                            min: 1,
                            max: CUSTOMER_PAGE_MAX,
                        },
                    );
                }
                parsed
            }
        };
        let phone = query
            .as_deref()
            .and_then(|q| PhoneNumber::parse(q, Region::Jp).ok())
            .map(|number| number.as_e164().to_owned());
        let search = limit.map(|limit| CustomerSearch {
            query,
            phone,
            after,
            limit,
        });
        fields.finish(search)
    }

    /// The query as a SQL `LIKE` prefix pattern with `\` as the escape character, so `%` and `_`
    /// in a name match themselves.
    pub fn like_prefix(&self) -> Option<String> {
        self.query.as_ref().map(|query| {
            let mut pattern = String::with_capacity(query.len() + 1);
            for c in query.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
            pattern.push('%');
            pattern
        })
    }
}

/// The record's id: the path's for an update, else the body's `id` (required).
fn read_id<T>(
    fields: &mut Fields<'_>,
    path_id: Option<&str>,
    parse: impl Fn(String) -> Option<T>,
) -> Option<T> {
    let raw = match path_id {
        Some(raw) => raw.to_owned(),
        None => fields.text("id", 128)?,
    };
    let id = parse(raw);
    if id.is_none() {
        fields.fail("id", ErrorCode::InvalidId);
    }
    id
}
