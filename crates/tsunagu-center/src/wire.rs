//! Conversions between the presence crate's types and their wire forms in `tsunagu-protocol`.

use tsunagu_presence as presence;
use tsunagu_protocol as wire;

pub(crate) fn away_reason(reason: presence::AwayReason) -> wire::AwayReason {
    match reason {
        presence::AwayReason::Break => wire::AwayReason::Break,
        presence::AwayReason::Meeting => wire::AwayReason::Meeting,
        presence::AwayReason::Lunch => wire::AwayReason::Lunch,
        presence::AwayReason::Training => wire::AwayReason::Training,
        presence::AwayReason::MissedOffer => wire::AwayReason::MissedOffer,
        presence::AwayReason::NoAnswer => wire::AwayReason::NoAnswer,
        _ => wire::AwayReason::Other,
    }
}

pub(crate) fn status(status: &presence::Status) -> wire::PresenceStatus {
    match status {
        presence::Status::Offline => wire::PresenceStatus::Offline,
        presence::Status::Available => wire::PresenceStatus::Available,
        presence::Status::Away { reason } => wire::PresenceStatus::Away {
            reason: away_reason(*reason),
        },
        presence::Status::Reserved { .. } => wire::PresenceStatus::Reserved,
        presence::Status::OnCall { .. } => wire::PresenceStatus::OnCall,
        presence::Status::WrapUp { .. } => wire::PresenceStatus::WrapUp,
    }
}

/// The status an agent asked for, or `None` for a reason only the system sets.
pub(crate) fn requested(status: wire::RequestedStatus) -> Option<presence::RequestedStatus> {
    let reason = match status {
        wire::RequestedStatus::Available => return Some(presence::RequestedStatus::Available),
        wire::RequestedStatus::Offline => return Some(presence::RequestedStatus::Offline),
        wire::RequestedStatus::Away { reason } => reason,
    };
    let reason = match reason {
        wire::AwayReason::Break => presence::AwayReason::Break,
        wire::AwayReason::Meeting => presence::AwayReason::Meeting,
        wire::AwayReason::Lunch => presence::AwayReason::Lunch,
        wire::AwayReason::Training => presence::AwayReason::Training,
        wire::AwayReason::Other => presence::AwayReason::Other,
        wire::AwayReason::MissedOffer | wire::AwayReason::NoAnswer => return None,
    };
    Some(presence::RequestedStatus::Away(reason))
}

pub(crate) fn offer_id(offer: &presence::OfferId) -> wire::OfferId {
    wire::OfferId {
        interaction: offer.interaction.clone(),
        attempt: offer.attempt,
    }
}

pub(crate) fn presence_offer_id(offer: wire::OfferId) -> presence::OfferId {
    presence::OfferId {
        interaction: offer.interaction,
        attempt: offer.attempt,
    }
}
