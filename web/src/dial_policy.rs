//! The dial policy as the widget sees it: the worker's refusal codes in the agent's words, and the number awaiting the agent's click.
//!
//! The policy itself runs in the worker (`tsunagu_phone::DialPolicy`); the widget never links the
//! numbering metadata, it only translates the codes the worker answers (`POST /api/calls` 403
//! `{"error":"dial_refused","reason":…}`, or a transfer's `rejected` reason
//! `dial refused (<code>): …`).

use crate::i18n::Texts;

/// Why the dial policy refused a number (the worker's `reason` codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DialRefusal {
    PremiumRate,
    SharedCost,
    Satellite,
    International,
    InternationalSupervisorsOnly,
    KindNotAllowed,
    AgentRateLimit,
    TenantOutboundLimit,
}

impl DialRefusal {
    /// The refusal a worker code names; a code this build does not know reads as the generic
    /// "this kind of number" (a newer worker may add reasons).
    pub(crate) fn from_code(code: &str) -> DialRefusal {
        match code {
            "premium_rate" => DialRefusal::PremiumRate,
            "shared_cost" => DialRefusal::SharedCost,
            "satellite" => DialRefusal::Satellite,
            "international" => DialRefusal::International,
            "international_supervisors_only" => DialRefusal::InternationalSupervisorsOnly,
            "agent_rate_limit" => DialRefusal::AgentRateLimit,
            "tenant_outbound_limit" => DialRefusal::TenantOutboundLimit,
            _ => DialRefusal::KindNotAllowed,
        }
    }

    /// The refusal in a hub `rejected` reason (`dial refused (premium_rate): …`), if it is one.
    pub(crate) fn from_rejection(reason: &str) -> Option<DialRefusal> {
        let rest = reason.strip_prefix("dial refused (")?;
        let code = rest.split(')').next()?;
        Some(DialRefusal::from_code(code))
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            DialRefusal::PremiumRate => "premium_rate",
            DialRefusal::SharedCost => "shared_cost",
            DialRefusal::Satellite => "satellite",
            DialRefusal::International => "international",
            DialRefusal::InternationalSupervisorsOnly => "international_supervisors_only",
            DialRefusal::KindNotAllowed => "kind_not_allowed",
            DialRefusal::AgentRateLimit => "agent_rate_limit",
            DialRefusal::TenantOutboundLimit => "tenant_outbound_limit",
        }
    }

    pub(crate) fn text(self, t: &Texts) -> &'static str {
        match self {
            DialRefusal::PremiumRate => t.dial_refused_premium_rate,
            DialRefusal::SharedCost => t.dial_refused_shared_cost,
            DialRefusal::Satellite => t.dial_refused_satellite,
            DialRefusal::International => t.dial_refused_international,
            DialRefusal::InternationalSupervisorsOnly => t.dial_refused_supervisors_only,
            DialRefusal::KindNotAllowed => t.dial_refused_kind,
            DialRefusal::AgentRateLimit => t.dial_refused_agent_rate,
            DialRefusal::TenantOutboundLimit => t.dial_refused_tenant_limit,
        }
    }
}

/// A `Tsunagu.dial()` from the host page, or a CRM backend's click-to-call (the hub's
/// `dial_request`), shown to the agent until they press Call or Cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingDial {
    /// What is dialled: as the host gave it, or E.164 from the hub.
    pub(crate) number: String,
    /// How the number is shown: the hub's display form (`03-1234-5678`); `None` shows `number`
    /// (the widget cannot format numbers without the numbering metadata).
    pub(crate) display: Option<String>,
    pub(crate) customer_id: Option<String>,
    /// The customer's name, when the CRM named a known customer.
    pub(crate) customer_name: Option<String>,
}

#[cfg(test)]
mod tests;
