//! Webhook parameter tests: realistic bodies as snapshots, refusals, and never-panic properties.

mod params {
    mod props;
    mod spec;
}
