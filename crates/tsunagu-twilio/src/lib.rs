//! Twilio's wire protocol, pure: webhook signatures, Access Tokens, TwiML, webhook parameters, REST requests.
//!
//! Everything here is checked against vectors made by Twilio's official libraries
//! (`tests/fixtures/twilio-vectors.json`); the facts and their sources are in the project's
//! Twilio reference. Nothing does I/O: the worker sends what [`rest`] builds and answers with what
//! [`twiml`] writes.

pub mod access_token;
pub mod params;
pub mod rest;
pub mod signature;
pub mod twiml;
