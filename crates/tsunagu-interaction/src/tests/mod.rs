//! Specs for the interaction state machine: scripted scenarios, one short test per rule, properties.

mod props;
mod rules;
mod script;
