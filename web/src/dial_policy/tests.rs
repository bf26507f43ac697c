//! The widget's reading of the worker's dial refusal codes.

use super::DialRefusal;

#[test]
fn codes_read_back_and_rejections_name_theirs() {
    for code in [
        "premium_rate",
        "shared_cost",
        "satellite",
        "international",
        "international_supervisors_only",
        "kind_not_allowed",
        "agent_rate_limit",
        "tenant_outbound_limit",
    ] {
        assert_eq!(DialRefusal::from_code(code).code(), code);
    }
    assert_eq!(
        DialRefusal::from_rejection(
            "dial refused (premium_rate): calls to premium-rate numbers (such as 0990) are not allowed"
        ),
        Some(DialRefusal::PremiumRate)
    );
    assert_eq!(DialRefusal::from_rejection("this call is not known"), None);
}
