//! Routing dry runs: what a call arriving now (or at a later time) would do, and why, decided on a
//! copy of the center so that nobody rings and nothing is stored.

use serde::{Deserialize, Serialize};
use tsunagu_core::{CallSid, Timestamp};
use tsunagu_routing::Explanation;
use tsunagu_stitch::{CallEventKind, ContactRef};

use crate::{
    CallArrival, CallInput, CallPlan, Center, CenterConfig, Input, Output, Reply, interaction_of,
};

/// The call sid a dry-run call carries (Twilio's start with `CA`, so it meets no real call).
const DRY_RUN_CALL_SID: &str = "dry-run";

/// What a call would do, and every routing decision on the way there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRun {
    /// When the call is taken to arrive (never earlier than the center's own clock).
    pub at: Timestamp,
    /// What Twilio would be told; `None` when the center refused the call (`refused` says why).
    pub plan: Option<CallPlan>,
    pub refused: Option<String>,
    /// The routing decisions the call caused, oldest first (none for a closed line).
    pub decisions: Vec<Explanation>,
    /// The labels the caller passed in the line's IVR menu, when the dry run ran it
    /// ([`Center::dry_run_with_keys`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ivr_path: Option<Vec<String>>,
}

impl Center {
    /// Runs `arrival` (its call sid is replaced) on a copy of the center at `at`, or at the
    /// center's own time if `at` is earlier, and reports the plan and the routing decisions. The
    /// center itself does not change: nobody is offered the call, no output is produced, nothing
    /// needs storing. Timers due by `at` fire on the copy first, as they would for a real call.
    /// With `preview`, the copy takes those settings first: a routing change tried against the
    /// live roster before it is saved.
    pub fn dry_run(
        &self,
        at: Timestamp,
        arrival: CallArrival,
        preview: Option<CenterConfig>,
    ) -> DryRun {
        self.dry_run_with_keys(at, arrival, preview, None)
    }

    /// [`Center::dry_run`], running the line's IVR menu when `keys` are given: each key answers
    /// the question asked then, in turn (`"1"`: 請求; `"91"`: もう一度, then 請求). Without keys the
    /// menu is skipped (the line's own routing); keys that run out leave the call at the
    /// question asked then (the plan is that `ask`).
    pub fn dry_run_with_keys(
        &self,
        at: Timestamp,
        mut arrival: CallArrival,
        preview: Option<CenterConfig>,
        keys: Option<&str>,
    ) -> DryRun {
        let call_sid = CallSid::new(DRY_RUN_CALL_SID).expect("a valid call sid");
        let interaction = interaction_of(&call_sid);
        arrival.call_sid = call_sid;
        if keys.is_none() {
            // The line's IVR menu is not run: the dry run shows the line's own routing.
            arrival.menu = None;
        }
        let mut copy = self.clone();
        let at = at.max(copy.now);
        if let Some(config) = preview
            && let Err(err) = copy.set_config(config)
        {
            return DryRun {
                at,
                plan: None,
                refused: Some(err.to_string()),
                decisions: Vec::new(),
                ivr_path: None,
            };
        }
        let mut reply = copy.handle_input(at, Input::Call(CallInput::CallArrived { arrival }));
        for key in keys.unwrap_or_default().chars() {
            let Ok(Reply::Plan(CallPlan::Ask { prompt, .. })) = &reply else {
                break;
            };
            let answer = CallInput::MenuAnswered {
                interaction: interaction.clone(),
                prompt: prompt.id.clone(),
                answer: crate::MenuAnswer::Digits {
                    digits: key.to_string(),
                },
            };
            reply = copy.handle_input(at, Input::Call(answer));
        }
        let ivr_path = copy
            .calls
            .get(&interaction)
            .and_then(|call| call.ivr_path.clone());
        let contact = ContactRef::Interaction(interaction);
        let decisions = std::iter::from_fn(|| copy.poll_output())
            .filter_map(|output| match output {
                Output::Record(event) => match event.kind {
                    CallEventKind::Routed(routed) if routed.contact == contact => {
                        Some(routed.explanation)
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let (plan, refused) = match reply {
            Ok(Reply::Plan(plan)) => (Some(plan), None),
            Ok(_) => (None, None),
            Err(err) => (None, Some(err.to_string())),
        };
        DryRun {
            at,
            plan,
            refused,
            decisions,
            ivr_path,
        }
    }
}
