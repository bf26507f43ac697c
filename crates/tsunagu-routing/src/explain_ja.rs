//! An explanation in Japanese, for the supervisors and operators who read the routing audit.
//!
//! The English `Display` of [`Explanation`] is for logs and tests (UTC times); this rendering is
//! what a Japanese contact center reads: the same facts, in the same order, with clock times in the
//! tenant's own time (the caller passes the UTC offset in force at the decision).

use std::fmt::Write as _;

use tsunagu_core::{Channel, Timestamp};

use crate::{
    NotRoutableReason,
    explain::{
        Conclusion, Explanation, MAX_EXAMPLES, NotApplicable, PassReason, SkipReason, StepReport,
        StepTarget, StepVerdict, Trigger,
    },
};

impl Explanation {
    /// The explanation in Japanese, one line per fact (trigger, each step, passed-over contacts,
    /// conclusion); clock times are shown at `utc_offset_minutes` from UTC (540 for Japan).
    pub fn ja(&self, utc_offset_minutes: i32) -> String {
        let mut out = trigger(&self.trigger);
        for step in &self.steps {
            out.push('\n');
            out.push_str(&step_line(step, utc_offset_minutes));
        }
        if !self.passed_over.is_empty() {
            out.push_str("\n見送った待ち: ");
            let groups: Vec<String> = self
                .passed_over
                .iter()
                .map(|g| group(g.count, &g.examples, "件", &pass_reason(&g.reason)))
                .collect();
            out.push_str(&groups.join("、"));
        }
        if !self.relaxed.is_empty() {
            let names: Vec<&str> = self.relaxed.iter().map(|s| s.as_str()).collect();
            out.push_str("\nスキル条件を緩和（待ち時間の上限を超過）: ");
            out.push_str(&names.join("、"));
            out.push_str(" — スキルのない人も対象");
        }
        out.push('\n');
        out.push_str(&conclusion(&self.conclusion));
        out
    }
}

/// `電話` for voice: the channel as the center's screens name it.
pub(crate) fn channel_ja(channel: Channel) -> &'static str {
    match channel {
        Channel::Voice => "電話",
        Channel::WebCall => "Web通話",
        Channel::Chat => "チャット",
        Channel::Sms => "SMS",
        Channel::Line => "LINE",
        Channel::Email => "メール",
        _ => "その他",
    }
}

fn trigger(trigger: &Trigger) -> String {
    match trigger {
        Trigger::Arrived {
            contact,
            channel,
            priority,
            skills,
            levels,
        } => {
            let mut line = format!(
                "{contact} が{}で着信（優先度 {priority}",
                channel_ja(*channel)
            );
            if !skills.is_empty() {
                let names: Vec<String> = skills
                    .iter()
                    .map(|skill| match levels.get(skill) {
                        Some(level) => format!("{skill}（レベル {level} 以上）"),
                        None => skill.to_string(),
                    })
                    .collect();
                let _ = write!(line, "、必要なスキル: {}", names.join("、"));
            }
            line.push('）');
            line
        }
        Trigger::OfferFailed { contact, agent } => {
            format!("{contact}: {agent} が応答しなかった（または辞退した）ため、もう一度振り分け")
        }
        Trigger::AgentRemoved { contact, agent } => {
            format!(
                "{contact}: 呼び出し中に {agent} がディレクトリから外れたため、もう一度振り分け"
            )
        }
        Trigger::AgentAvailable { agent, waiting } => {
            format!("{agent} が対応可能になった（空きのあるチャネルの待ち {waiting} 件）")
        }
        Trigger::SkillsRelaxed { contact, waited } => {
            format!(
                "{contact}: スキルのある人を {} 秒待ったため、スキルを問わずにもう一度振り分け",
                waited.0 / 1000
            )
        }
    }
}

fn target(target: &StepTarget) -> String {
    match target {
        StepTarget::Owner(Some(agent)) => format!("担当者 {agent}"),
        StepTarget::Owner(None) => "担当者".to_owned(),
        StepTarget::OwnerTeam(Some(team)) => format!("担当者のチーム {team}"),
        StepTarget::OwnerTeam(None) => "担当者のチーム".to_owned(),
        StepTarget::Team(team) => format!("チーム {team}"),
        StepTarget::Agents(agents) => {
            let shown: Vec<String> = agents
                .iter()
                .take(MAX_EXAMPLES)
                .map(ToString::to_string)
                .collect();
            let more = agents.len().saturating_sub(MAX_EXAMPLES);
            if more == 0 {
                format!("指名 {}", shown.join("、"))
            } else {
                format!("指名 {} ほか {more} 名", shown.join("、"))
            }
        }
        StepTarget::Anyone => "全員".to_owned(),
    }
}

fn step_line(step: &StepReport, utc_offset_minutes: i32) -> String {
    let mut line = format!("手順 {}（{}", step.step_index + 1, target(&step.target));
    match step.target {
        StepTarget::Owner(_) | StepTarget::Agents(_) | StepTarget::OwnerTeam(None) => {}
        _ => {
            let _ = write!(line, "、{} 名", step.pool_size);
        }
    }
    line.push_str("）: ");
    match &step.verdict {
        StepVerdict::NotApplicable(NotApplicable::NoOwner) => {
            line.push_str("該当なし（担当者のいない顧客）");
            return line;
        }
        StepVerdict::NotApplicable(NotApplicable::NoOwnerTeam) => {
            line.push_str("該当なし（担当チームのない顧客）");
            return line;
        }
        StepVerdict::NobodyAvailable if step.pool_size == 0 => {
            line.push_str("対象者なし");
            return line;
        }
        StepVerdict::NobodyAvailable => line.push_str("対応できる人なし"),
        StepVerdict::Chose {
            agent,
            idle_since,
            others_available,
        } => {
            let _ = write!(
                line,
                "{agent} を選択（{} から待機",
                clock(*idle_since, utc_offset_minutes)
            );
            if *others_available > 0 {
                let _ = write!(
                    line,
                    "、最も長く待機。ほかに {others_available} 名が対応可能"
                );
            }
            line.push('）');
        }
    }
    if !step.skipped.is_empty() {
        let groups: Vec<String> = step
            .skipped
            .iter()
            .map(|g| group(g.count, &g.examples, "名", &skip_reason(&g.reason)))
            .collect();
        let _ = write!(line, " — 見送り: {}", groups.join("、"));
    }
    line
}

fn conclusion(conclusion: &Conclusion) -> String {
    match conclusion {
        Conclusion::Offer {
            contact,
            agent,
            step_index,
            timeout,
        } => format!(
            "→ {contact} を {agent} に {} 秒呼び出し（手順 {}）",
            timeout.0 / 1000,
            step_index + 1
        ),
        Conclusion::Queued {
            contact,
            channel,
            position,
            queue_len,
        } => format!(
            "→ {contact} は{}の待ち列へ: {queue_len} 件中 {position} 番目",
            channel_ja(*channel)
        ),
    }
}

fn not_routable(why: &NotRoutableReason) -> String {
    match why {
        NotRoutableReason::Offline => "オフライン".to_owned(),
        NotRoutableReason::Away { label: None } => "離席".to_owned(),
        NotRoutableReason::Away { label: Some(label) } => format!("離席（{}）", away_label(label)),
        NotRoutableReason::Reserved => "着信中".to_owned(),
        NotRoutableReason::OnCall => "通話中".to_owned(),
        NotRoutableReason::WrapUp => "後処理中".to_owned(),
    }
}

/// The away reasons the widget offers, in the widget's own words; a tenant's own label as it is.
fn away_label(label: &str) -> &str {
    match label {
        "break" => "休憩",
        "lunch" => "昼食",
        "meeting" => "会議",
        "training" => "研修",
        "missed_offer" => "着信に応答なし",
        "no_answer" => "呼び出しに応答なし",
        "other" => "その他",
        other => other,
    }
}

fn skip_reason(reason: &SkipReason) -> String {
    match reason {
        SkipReason::NotInDirectory => "ディレクトリにいない".to_owned(),
        SkipReason::NotRoutable(why) => not_routable(why),
        SkipReason::OfferPending => "別の問い合わせを呼び出し中".to_owned(),
        SkipReason::Busy(channel) => format!("{}で対応中", channel_ja(*channel)),
        SkipReason::AtCapacity(channel) => format!("{}の同時対応数の上限", channel_ja(*channel)),
        SkipReason::AlreadyTried => "すでに応答しなかった/辞退した".to_owned(),
        SkipReason::MissingSkill(skill) => format!("スキル {} がない", skill.as_str()),
        SkipReason::SkillTooLow { skill, needed } => {
            format!("スキル {} がレベル {needed} 未満", skill.as_str())
        }
    }
}

fn pass_reason(reason: &PassReason) -> String {
    match reason {
        PassReason::NotTargeted => "この人は振り分け先に入っていない".to_owned(),
        PassReason::AlreadyTried => "この人はすでに応答しなかった/辞退した".to_owned(),
        PassReason::MissingSkill(skill) => format!("スキル {} が必要", skill.as_str()),
        PassReason::SkillTooLow { skill, needed } => {
            format!("スキル {}（レベル {needed} 以上）が必要", skill.as_str())
        }
    }
}

/// `【通話中】sato、suzuki` when every member is named, else `【オフライン】5000 名、例: a1、a2、a3`.
fn group<T: std::fmt::Display>(count: usize, examples: &[T], unit: &str, reason: &str) -> String {
    let names: Vec<String> = examples.iter().map(ToString::to_string).collect();
    if count <= examples.len() {
        format!("【{reason}】{}", names.join("、"))
    } else if examples.is_empty() {
        format!("【{reason}】{count} {unit}")
    } else {
        format!("【{reason}】{count} {unit}、例: {}", names.join("、"))
    }
}

/// `18:02:10`: the time of day of `at` at `utc_offset_minutes` from UTC.
fn clock(at: Timestamp, utc_offset_minutes: i32) -> String {
    let offset_ms = i64::from(utc_offset_minutes) * 60_000;
    let local_ms = i64::try_from(at.0)
        .unwrap_or(i64::MAX)
        .saturating_add(offset_ms);
    let secs = local_ms.rem_euclid(86_400_000) / 1000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    format!("{h:02}:{m:02}:{s:02}")
}
