//! Test harness: a small script language for agents, contacts and router calls, printed as a spec.
//!
//! One command per line (blank lines and `#` comments are ignored). Setup lines print nothing:
//!
//! ```text
//! agent sato team=sales skills=korean,billing:3 chat=5 idle=09:00:00   # or away, away=break, offline, oncall, wrapup
//! ladder owner/15 owner_team/20 team:support/20 agents:sato+suzuki/10 anyone/30   # timeouts in s
//! ```
//!
//! Every other line is echoed as `> line` followed by what the router answered:
//!
//! ```text
//! route c1 at=09:10:00 owner=sato owner_team=sales channel=voice priority=2 skills=korean,billing:2 relax=09:11:00
//! fail c1 at=09:10:15          accept c1          abandon c1          relax c1 at=09:11:00
//! available sato at=09:12:00   (set routable, idle since then, and ask for the next contact)
//! next sato at=09:12:00        set sato away=lunch        remove sato at=09:13:00
//! assign sato x1 channel=chat  release sato c1            queue
//! ```

mod props;
mod saved;
mod skills;
mod spec;
mod story;

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write as _,
};

use expect_test::Expect;
use tsunagu_core::{AgentId, Channel, InteractionId, Millis, TeamId, Timestamp};

use crate::{
    AgentProfile, Availability, Contact, Decision, Ladder, NotRoutableReason, Router, Skill, Step,
    Target,
};

pub(crate) fn agent(raw: &str) -> AgentId {
    AgentId::new(raw).unwrap_or_else(|e| panic!("agent id {raw:?}: {e}"))
}

pub(crate) fn team(raw: &str) -> TeamId {
    TeamId::new(raw).unwrap_or_else(|e| panic!("team id {raw:?}: {e}"))
}

pub(crate) fn interaction(raw: &str) -> InteractionId {
    InteractionId::new(raw).unwrap_or_else(|e| panic!("interaction id {raw:?}: {e}"))
}

pub(crate) fn skill(raw: &str) -> Skill {
    Skill::new(raw).unwrap_or_else(|e| panic!("skill {raw:?}: {e}"))
}

/// `09:02:10` as a timestamp on the first day of the epoch, so explanations print it back.
pub(crate) fn at(clock: &str) -> Timestamp {
    let parts: Vec<u64> = clock
        .split(':')
        .map(|p| p.parse().unwrap_or_else(|e| panic!("time {clock:?}: {e}")))
        .collect();
    let [h, m, s] = parts[..] else {
        panic!("time {clock:?} is not HH:MM:SS")
    };
    Timestamp((h * 3600 + m * 60 + s) * 1000)
}

fn channel(raw: &str) -> Channel {
    Channel::ALL
        .into_iter()
        .find(|c| c.as_str() == raw)
        .unwrap_or_else(|| panic!("unknown channel {raw:?}"))
}

fn list<T>(raw: &str, parse: fn(&str) -> T) -> BTreeSet<T>
where
    T: Ord,
{
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(parse)
        .collect()
}

/// `korean,billing:3`: skills with their levels (1 when not given).
fn levels(raw: &str) -> BTreeMap<Skill, u8> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(|word| match word.split_once(':') {
            Some((name, level)) => (
                skill(name),
                level
                    .parse()
                    .unwrap_or_else(|e| panic!("skill level {word:?}: {e}")),
            ),
            None => (skill(word), 1),
        })
        .collect()
}

fn not_routable(why: NotRoutableReason) -> Availability {
    Availability::NotRoutable { why }
}

/// Parses an availability word (`idle=09:00:00`, `away`, `away=break`, `offline`, …), if it is one.
fn availability(key: &str, value: Option<&str>) -> Option<Availability> {
    Some(match (key, value) {
        ("idle", Some(t)) => Availability::Routable { idle_since: at(t) },
        ("away", label) => not_routable(NotRoutableReason::Away {
            label: label.map(str::to_owned),
        }),
        ("offline", None) => not_routable(NotRoutableReason::Offline),
        ("oncall", None) => not_routable(NotRoutableReason::OnCall),
        ("wrapup", None) => not_routable(NotRoutableReason::WrapUp),
        ("reserved", None) => not_routable(NotRoutableReason::Reserved),
        _ => return None,
    })
}

fn ladder(words: &[&str]) -> Ladder {
    let steps = words
        .iter()
        .map(|word| {
            let (target, secs) = word
                .split_once('/')
                .unwrap_or_else(|| panic!("ladder step {word:?} needs /seconds"));
            let target = match target.split_once(':') {
                None if target == "owner" => Target::Owner,
                None if target == "owner_team" => Target::OwnerTeam,
                None if target == "anyone" => Target::Anyone,
                Some(("team", t)) => Target::Team(team(t)),
                Some(("agents", list)) => Target::Agents(list.split('+').map(agent).collect()),
                _ => panic!("unknown ladder target {target:?}"),
            };
            let secs = secs
                .parse()
                .unwrap_or_else(|e| panic!("ladder step {word:?}: {e}"));
            Step {
                target,
                timeout: Millis::from_secs(secs),
            }
        })
        .collect();
    Ladder { steps }
}

/// Runs scripts against one router, collecting the transcript.
pub(crate) struct Script {
    pub(crate) router: Router,
    ladder: Ladder,
    pub(crate) out: String,
}

impl Script {
    pub(crate) fn new() -> Self {
        Self {
            router: Router::new(),
            ladder: Ladder::default(),
            out: String::new(),
        }
    }

    pub(crate) fn run(&mut self, script: &str) {
        for line in script.lines() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if !line.is_empty() {
                self.line(line);
            }
        }
    }

    fn say(&mut self, text: impl std::fmt::Display) {
        let _ = writeln!(self.out, "{text}");
    }

    fn line(&mut self, line: &str) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (command, args) = words.split_first().unwrap_or((&"", &[]));
        let positional: Vec<&str> = args.iter().copied().filter(|w| !w.contains('=')).collect();
        let named = |key: &str| {
            args.iter()
                .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
        };
        let time = || at(named("at").unwrap_or_else(|| panic!("{line:?} needs at=")));
        let first = || {
            *positional
                .first()
                .unwrap_or_else(|| panic!("{line:?} needs a name"))
        };
        match *command {
            "agent" => return self.agent(args),
            "ladder" => {
                self.ladder = ladder(args);
                return;
            }
            _ => {}
        }
        self.say(format_args!("> {line}"));
        match *command {
            "route" => {
                let mut contact = Contact::new(
                    interaction(first()),
                    named("channel").map_or(Channel::Voice, channel),
                    named("arrived").map_or_else(time, at),
                );
                contact.owner = named("owner").map(agent);
                contact.owner_team = named("owner_team").map(team);
                contact.priority = named("priority").map_or(0, |p| {
                    p.parse().unwrap_or_else(|e| panic!("priority {p:?}: {e}"))
                });
                contact.require(&named("skills").map_or_else(BTreeMap::new, levels));
                contact.relax_skills_at = named("relax").map(at);
                let ladder = self.ladder.clone();
                let decision = self.router.route(contact, &ladder, time());
                self.decision(decision);
            }
            "fail" => {
                let decision = self.router.offer_failed(&interaction(first()), time());
                self.decision(decision);
            }
            "relax" => match self.router.relax_skills(&interaction(first()), time()) {
                Ok(Some(decision)) => self.say(decision.explanation()),
                Ok(None) => self.say("nothing to relax"),
                Err(e) => self.say(format_args!("error: {e}")),
            },
            "accept" => match self.router.offer_accepted(&interaction(first())) {
                Ok(agent) => self.say(format_args!("accepted by {agent}")),
                Err(e) => self.say(format_args!("error: {e}")),
            },
            "abandon" => match self.router.abandon(&interaction(first())) {
                Ok(Some(agent)) => self.say(format_args!("withdrawn from {agent}")),
                Ok(None) => self.say("left the queue"),
                Err(e) => self.say(format_args!("error: {e}")),
            },
            "available" => {
                let who = agent(first());
                let routable = Availability::Routable { idle_since: time() };
                if let Err(e) = self.router.set_availability(&who, routable) {
                    self.say(format_args!("error: {e}"));
                }
                self.next(&who, time());
            }
            "next" => self.next(&agent(first()), time()),
            "set" => {
                let (key, value) = args
                    .get(1)
                    .map(|w| w.split_once('=').map_or((*w, None), |(k, v)| (k, Some(v))))
                    .unwrap_or_else(|| panic!("{line:?} needs an availability"));
                let availability = availability(key, value)
                    .unwrap_or_else(|| panic!("{line:?}: unknown availability"));
                if let Err(e) = self.router.set_availability(&agent(first()), availability) {
                    self.say(format_args!("error: {e}"));
                }
            }
            "assign" => {
                let target = positional.get(1).map(|raw| interaction(raw));
                let target = target.unwrap_or_else(|| panic!("{line:?} needs an interaction"));
                let chan = named("channel").map_or(Channel::Voice, channel);
                if let Err(e) = self.router.assign(&agent(first()), target, chan) {
                    self.say(format_args!("error: {e}"));
                }
            }
            "release" => {
                let target = positional.get(1).map(|raw| interaction(raw));
                let target = target.unwrap_or_else(|| panic!("{line:?} needs an interaction"));
                if let Err(e) = self.router.release(&agent(first()), &target) {
                    self.say(format_args!("error: {e}"));
                }
            }
            "remove" => match self.router.remove_agent(&agent(first()), time()) {
                Ok(removal) => {
                    if !removal.released.is_empty() {
                        let released: Vec<String> =
                            removal.released.iter().map(ToString::to_string).collect();
                        self.say(format_args!("released {}", released.join(", ")));
                    }
                    if let Some(decision) = removal.rerouted {
                        self.say(decision.explanation());
                    }
                }
                Err(e) => self.say(format_args!("error: {e}")),
            },
            "queue" => {
                for chan in Channel::ALL {
                    let line: Vec<String> =
                        self.router.queued(chan).map(ToString::to_string).collect();
                    if !line.is_empty() {
                        self.say(format_args!("{chan}: {}", line.join(", ")));
                    }
                }
            }
            _ => panic!("unknown command {line:?}"),
        }
        if let Err(broken) = self.router.check_invariants() {
            panic!("after {line:?}: {broken}");
        }
    }

    fn agent(&mut self, args: &[&str]) {
        let (name, options) = args.split_first().expect("agent needs a name");
        let mut profile = AgentProfile::new(agent(name));
        let mut state = not_routable(NotRoutableReason::Offline);
        for option in options {
            let (key, value) = option
                .split_once('=')
                .map_or((*option, None), |(k, v)| (k, Some(v)));
            match (key, value) {
                ("team", Some(teams)) => profile.teams = list(teams, team),
                ("skills", Some(skills)) => profile.set_skills(&levels(skills)),
                _ => {
                    if let Some(given) = availability(key, value) {
                        state = given;
                    } else if let Some(limit) = value.and_then(|v| v.parse().ok()) {
                        profile.capacity =
                            std::mem::take(&mut profile.capacity).with_limit(channel(key), limit);
                    } else {
                        panic!("unknown agent option {option:?}");
                    }
                }
            }
        }
        let id = profile.id.clone();
        self.router.upsert_agent(profile);
        if let Err(e) = self.router.set_availability(&id, state) {
            panic!("agent {id}: {e}");
        }
    }

    fn decision(&mut self, decision: Result<Decision, crate::RoutingError>) {
        match decision {
            Ok(decision) => self.say(decision.explanation()),
            Err(e) => self.say(format_args!("error: {e}")),
        }
    }

    fn next(&mut self, who: &AgentId, now: Timestamp) {
        match self.router.next_for_agent(who, now) {
            Ok(Some(offer)) => self.say(&offer.explanation),
            Ok(None) => self.say(format_args!("nothing for {who}")),
            Err(e) => self.say(format_args!("error: {e}")),
        }
    }
}

/// Runs `script` on a fresh router and compares the transcript with `expect`.
#[track_caller]
#[expect(
    clippy::needless_pass_by_value,
    reason = "specs read best as check(script, expect![..]) without a `&`"
)]
pub(crate) fn check(script: &str, expect: Expect) {
    let mut run = Script::new();
    run.run(script);
    expect.assert_eq(&run.out);
}
