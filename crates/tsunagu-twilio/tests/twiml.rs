//! TwiML builder tests: the official libraries' vectors, exact snapshots, round-trip properties.

mod twiml {
    pub(crate) mod canonical;
    mod props;
    mod snapshots;
    mod vectors;
}
