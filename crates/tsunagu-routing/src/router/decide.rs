//! How the router decides: walk the contact's ladder step by step, judge every agent in scope, explain the choice.

use super::*;

impl Router {
    /// Walks the ladder for `record` and acts on the result: reserves the chosen agent, or queues.
    pub(super) fn decide(
        &mut self,
        mut record: ContactRecord,
        trigger: Trigger,
        now: Timestamp,
    ) -> Decision {
        let (steps, choice) = self.walk_ladder(&record, now);
        let relaxed = relaxed_skills(&record.contact, now);
        let id = record.contact.id.clone();
        match choice {
            Some((agent, step_index, timeout)) => {
                self.reserve(&agent, &id, now);
                record.phase = Phase::Offered {
                    agent: agent.clone(),
                    step_index,
                };
                self.contacts.insert(id.clone(), record);
                let explanation = Explanation {
                    trigger,
                    steps,
                    passed_over: Vec::new(),
                    relaxed,
                    conclusion: Conclusion::Offer {
                        contact: id.clone(),
                        agent: agent.clone(),
                        step_index,
                        timeout,
                    },
                };
                Decision::Offer(Offer {
                    contact: id,
                    agent,
                    step_index,
                    timeout,
                    explanation,
                })
            }
            None => {
                let channel = record.contact.channel;
                let key = QueueKey::of(&record.contact);
                let position = self.queue.rank(channel, &key);
                self.queue.insert(channel, key);
                record.phase = Phase::Queued;
                self.contacts.insert(id.clone(), record);
                let queue_len = self.queue.len(channel);
                let explanation = Explanation {
                    trigger,
                    steps,
                    passed_over: Vec::new(),
                    relaxed,
                    conclusion: Conclusion::Queued {
                        contact: id.clone(),
                        channel,
                        position,
                        queue_len,
                    },
                };
                Decision::Queued(Queued {
                    contact: id,
                    position,
                    queue_len,
                    explanation,
                })
            }
        }
    }

    fn walk_ladder(
        &self,
        record: &ContactRecord,
        now: Timestamp,
    ) -> (Vec<StepReport>, Option<(AgentId, usize, Millis)>) {
        let needs = record.contact.needs(now);
        let mut reports = Vec::new();
        for (step_index, step) in record.ladder.steps.iter().enumerate() {
            let report = self.evaluate_step(step_index, &step.target, record, &needs);
            let chosen = match &report.verdict {
                StepVerdict::Chose { agent, .. } => Some(agent.clone()),
                _ => None,
            };
            reports.push(report);
            if let Some(agent) = chosen {
                return (reports, Some((agent, step_index, step.timeout)));
            }
        }
        (reports, None)
    }

    fn evaluate_step(
        &self,
        step_index: usize,
        target: &Target,
        record: &ContactRecord,
        needs: &BTreeMap<Skill, u8>,
    ) -> StepReport {
        let contact = &record.contact;
        let not_applicable = |target, why| StepReport {
            step_index,
            target,
            pool_size: 0,
            verdict: StepVerdict::NotApplicable(why),
            skipped: Vec::new(),
        };
        match target {
            Target::Owner => match &contact.owner {
                None => not_applicable(StepTarget::Owner(None), NotApplicable::NoOwner),
                Some(owner) => self.evaluate_listed(
                    step_index,
                    StepTarget::Owner(Some(owner.clone())),
                    std::iter::once(owner),
                    record,
                    needs,
                ),
            },
            Target::OwnerTeam => match &contact.owner_team {
                None => not_applicable(StepTarget::OwnerTeam(None), NotApplicable::NoOwnerTeam),
                Some(team) => self.evaluate_scope(
                    step_index,
                    StepTarget::OwnerTeam(Some(team.clone())),
                    &Scope::Team(team.clone()),
                    record,
                    needs,
                ),
            },
            Target::Team(team) => self.evaluate_scope(
                step_index,
                StepTarget::Team(team.clone()),
                &Scope::Team(team.clone()),
                record,
                needs,
            ),
            Target::Agents(agents) => {
                let unique: BTreeSet<&AgentId> = agents.iter().collect();
                self.evaluate_listed(
                    step_index,
                    StepTarget::Agents(agents.clone()),
                    unique.into_iter(),
                    record,
                    needs,
                )
            }
            Target::Anyone => self.evaluate_scope(
                step_index,
                StepTarget::Anyone,
                &Scope::Everyone,
                record,
                needs,
            ),
        }
    }

    /// A step over named agents: each is assessed; O(k log k) for k names.
    fn evaluate_listed<'a>(
        &self,
        step_index: usize,
        target: StepTarget,
        agents: impl Iterator<Item = &'a AgentId>,
        record: &ContactRecord,
        needs: &BTreeMap<Skill, u8>,
    ) -> StepReport {
        let mut tally = Tally::new();
        let mut eligible = Vec::new();
        let mut pool_size = 0;
        for id in agents {
            pool_size += 1;
            let assessed = self
                .agents
                .get(id)
                .ok_or(SkipReason::NotInDirectory)
                .and_then(|state| assess(state, record, needs));
            match assessed {
                Ok(idle_since) => eligible.push((idle_since, id)),
                Err(reason) => tally.add(reason, id),
            }
        }
        eligible.sort();
        let verdict = match eligible.first() {
            Some((idle_since, agent)) => StepVerdict::Chose {
                agent: (*agent).clone(),
                idle_since: *idle_since,
                others_available: eligible.len().saturating_sub(1),
            },
            None => StepVerdict::NobodyAvailable,
        };
        StepReport {
            step_index,
            target,
            pool_size,
            verdict,
            skipped: skip_groups(tally),
        }
    }

    /// A step over an indexed scope: O(log n + w + r), where r is the number of distinct skip
    /// reasons counted from the index and w the number of agents with room walked past (in idle
    /// order) because they already tried the contact or lack a skill. For a contact that needs
    /// skills the walk follows the scope's agents with the rarest of them, and those without it
    /// are counted from set sizes, so w counts only agents who lack another needed skill.
    fn evaluate_scope(
        &self,
        step_index: usize,
        target: StepTarget,
        scope: &Scope,
        record: &ContactRecord,
        needs: &BTreeMap<Skill, u8>,
    ) -> StepReport {
        let channel = record.contact.channel;
        let mut tally = Tally::new();
        for (reason, agents) in self.index.skipped(scope) {
            if matches!(reason, SkipReason::AtCapacity(other) if *other != channel) {
                continue;
            }
            tally.add_many(reason.clone(), agents.len(), agents.iter());
        }
        let with_room = self.index.with_room(scope, channel);
        let rarest = needs
            .keys()
            .filter_map(|skill| {
                let skilled = scope.with_skill(skill)?;
                Some((self.index.with_room(&skilled, channel), skill))
            })
            .min_by_key(|(holders, _)| holders.len())
            .filter(|(holders, _)| holders.len() < with_room.len());
        let walk = match rarest {
            Some((holders, skill)) => {
                let lacks = |id: &&AgentId| {
                    self.agents
                        .get(*id)
                        .is_some_and(|state| !state.profile.skills.contains(skill))
                };
                // Names are a courtesy: look for them near the head only, never over everyone.
                let examples = with_room
                    .iter()
                    .take(EXAMPLE_SEARCH)
                    .map(|(_, id)| id)
                    .filter(lacks);
                let lacking = with_room.len().saturating_sub(holders.len());
                tally.add_many(SkipReason::MissingSkill(skill.clone()), lacking, examples);
                holders
            }
            None => with_room,
        };
        let mut verdict = StepVerdict::NobodyAvailable;
        for (walked, (idle_since, id)) in walk.iter().enumerate() {
            let lacks = self.agents.get(id).and_then(|state| state.lacks(needs));
            if record.tried.contains(id) {
                tally.add(SkipReason::AlreadyTried, id);
            } else if let Some(reason) = lacks {
                tally.add(reason, id);
            } else {
                verdict = StepVerdict::Chose {
                    agent: id.clone(),
                    idle_since: *idle_since,
                    others_available: walk.len().saturating_sub(walked + 1),
                };
                break;
            }
        }
        StepReport {
            step_index,
            target,
            pool_size: self.index.size(scope),
            verdict,
            skipped: skip_groups(tally),
        }
    }
}

/// Whether `state` may be offered `record`'s contact, which needs `needs` now: `Ok(idle_since)`,
/// or the first reason not.
fn assess(
    state: &AgentState,
    record: &ContactRecord,
    needs: &BTreeMap<Skill, u8>,
) -> Result<Timestamp, SkipReason> {
    let idle_since = state.status()?;
    let channel = record.contact.channel;
    if !state.can_hold(channel) {
        return Err(SkipReason::AtCapacity(channel));
    }
    if record.tried.contains(&state.profile.id) {
        return Err(SkipReason::AlreadyTried);
    }
    if let Some(reason) = state.lacks(needs) {
        return Err(reason);
    }
    Ok(idle_since)
}

fn skip_groups(tally: Tally<SkipReason, AgentId>) -> Vec<SkipGroup> {
    tally
        .into_groups()
        .map(|(reason, count, examples)| SkipGroup {
            reason,
            count,
            examples,
        })
        .collect()
}
