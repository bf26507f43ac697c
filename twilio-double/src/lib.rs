//! A Twilio-compatible test double for Tsunagu (dev and test only): signed webhooks, TwiML played call by call, REST, Client endpoints.
//!
//! Twilio cannot be reached from development machines, so this plays Twilio towards the worker:
//! the worker is pointed at it only by `TWILIO_API_BASE`, and its production path stays Twilio.

pub mod call;
pub mod client;
pub mod config;
pub mod control;
pub mod rest;
pub mod scenario;
pub mod server;
pub mod state;
pub mod twiml_read;
pub mod util;
pub mod webhook;

#[cfg(test)]
mod tests;
