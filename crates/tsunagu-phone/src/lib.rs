//! Phone numbers as Japanese contact centers type and store them, validated and normalised to E.164.
//!
//! This crate links the full libphonenumber metadata (about half a megabyte), so it is kept apart
//! from the domain crates the widget uses: only the worker, which receives and dials numbers,
//! depends on it.

mod error;
mod normalize;
mod number;
mod policy;
mod region;

pub use error::PhoneError;
pub use number::{PhoneKind, PhoneNumber};
pub use policy::{DialPolicy, DialRefusal};
pub use region::Region;

#[cfg(test)]
mod policy_tests;
#[cfg(test)]
mod tests;
