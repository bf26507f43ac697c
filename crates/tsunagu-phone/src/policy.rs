//! Which numbers a tenant may dial (against toll fraud): kinds of line, countries, an allow-list, rate caps.
//!
//! Every number the system dials (click-to-call, `Tsunagu.dial()`, a transfer to a number, the
//! fallback numbers) passes [`DialPolicy::check`] first. The default is what a Japanese contact
//! center needs and nothing a stolen session could turn into money: Japanese fixed lines,
//! mobiles, IP phones (`050`) and free dial (`0120`, `0800`). Premium-rate (`0990`),
//! shared-cost (`0570`), satellite and every international number are refused unless the tenant
//! opens them.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{PhoneKind, PhoneNumber, Region};

/// One tenant's dial policy, stored as part of its settings. Every field has a default, so a
/// tenant without one (or with any subset of the fields) gets the safe defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DialPolicy {
    /// Kinds of line that may be dialled, in Japan and in any allowed country. Default:
    /// `fixed_line`, `mobile`, `fixed_line_or_mobile` (how the US plan classifies its numbers),
    /// `toll_free`, `voip`.
    pub allowed_kinds: BTreeSet<PhoneKind>,
    /// Countries other than Japan that may be dialled, as ITU calling codes (`1` is the whole
    /// North American plan, `44` the UK), not ISO codes: the code is what the number carries and
    /// what the carrier bills by. Satellite and other non-geographic codes (`+870`, `+881`…) cannot
    /// be opened here, only number by number. Default: none.
    pub allowed_countries: BTreeSet<u16>,
    /// Whether only supervisors may dial the allowed countries. Default: true.
    pub countries_for_supervisors_only: bool,
    /// Numbers (E.164) that may always be dialled, whatever their kind or country: the head
    /// office abroad, a partner's 0570 line. Default: none.
    pub allowed_numbers: BTreeSet<PhoneNumber>,
    /// At most this many outbound calls per agent in any `rate_window_secs`. Default: 10.
    pub max_calls_per_agent: u32,
    /// The window of `max_calls_per_agent`, in seconds. Default: 60.
    pub rate_window_secs: u32,
    /// At most this many outbound calls of the tenant at once. Default: 20.
    pub max_concurrent_outbound: u32,
}

impl Default for DialPolicy {
    fn default() -> Self {
        Self {
            allowed_kinds: BTreeSet::from([
                PhoneKind::FixedLine,
                PhoneKind::Mobile,
                PhoneKind::FixedLineOrMobile,
                PhoneKind::TollFree,
                PhoneKind::Voip,
            ]),
            allowed_countries: BTreeSet::new(),
            countries_for_supervisors_only: true,
            allowed_numbers: BTreeSet::new(),
            max_calls_per_agent: 10,
            rate_window_secs: 60,
            max_concurrent_outbound: 20,
        }
    }
}

/// Calling codes of satellite networks (Inmarsat, Iridium, Thuraya and the like).
const SATELLITE_CODES: [u16; 4] = [870, 881, 882, 883];

/// Calling codes that are no country: universal freephone and shared-cost, international
/// networks, premium rate. A country list cannot open them.
const NON_GEOGRAPHIC_CODES: [u16; 9] = [800, 808, 870, 878, 881, 882, 883, 888, 979];

impl DialPolicy {
    /// Whether `number` may be dialled by a caller who is (or is not) a supervisor.
    pub fn check(
        &self,
        number: &PhoneNumber,
        caller_is_supervisor: bool,
    ) -> Result<(), DialRefusal> {
        if self.allowed_numbers.contains(number) {
            return Ok(());
        }
        let code = number.country_code();
        if SATELLITE_CODES.contains(&code) {
            return Err(DialRefusal::Satellite);
        }
        if !self.allowed_kinds.contains(&number.kind()) {
            return Err(match number.kind() {
                PhoneKind::PremiumRate => DialRefusal::PremiumRate,
                PhoneKind::SharedCost => DialRefusal::SharedCost,
                _ if code != Region::Jp.calling_code() => DialRefusal::International,
                _ => DialRefusal::KindNotAllowed,
            });
        }
        if code != Region::Jp.calling_code() {
            if NON_GEOGRAPHIC_CODES.contains(&code) || !self.allowed_countries.contains(&code) {
                return Err(DialRefusal::International);
            }
            if self.countries_for_supervisors_only && !caller_is_supervisor {
                return Err(DialRefusal::InternationalSupervisorsOnly);
            }
        }
        Ok(())
    }
}

/// Why a number may not be dialled. The code (`premium_rate`) is what the worker answers and the
/// widget translates; the message is fixed text of ours and never names the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DialRefusal {
    #[error("calls to premium-rate numbers (such as 0990) are not allowed")]
    PremiumRate,
    #[error("calls to shared-cost numbers (such as 0570) are not allowed")]
    SharedCost,
    #[error("calls to satellite phones are not allowed")]
    Satellite,
    #[error("international calls are not allowed")]
    International,
    #[error("international calls are allowed for supervisors only")]
    InternationalSupervisorsOnly,
    #[error("calls to this kind of number are not allowed")]
    KindNotAllowed,
    /// The agent placed `max_calls_per_agent` calls within the window already.
    #[error("too many calls in a short time; please wait a minute")]
    AgentRateLimit,
    /// The tenant has `max_concurrent_outbound` outbound calls open already.
    #[error("too many outbound calls at once for this contact center")]
    TenantOutboundLimit,
}

impl DialRefusal {
    /// The stable code: `premium_rate`, `shared_cost`, `satellite`, `international`,
    /// `international_supervisors_only`, `kind_not_allowed`, `agent_rate_limit`,
    /// `tenant_outbound_limit`.
    pub fn code(self) -> &'static str {
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
}
