//! Customers as CSV files, the way Japanese CRMs and Excel write them: import (decode, map the
//! header, validate every row into the admin API's [`Customer`], plan what changes) and export.
//!
//! An import is planned here and applied by the worker: [`plan_import`] reads the whole file
//! against the tenant's current customers and agents and answers either a file-level refusal
//! ([`Invalid`]: undecodable, no header, a required column missing, too many rows) or an
//! [`ImportPlan`] whose report lists every bad row (line, column, code, ja/en message) and whose
//! writes are the customers to create or change. A plan with any bad row writes nothing.

mod columns;
mod decode;
mod export;
mod import;

pub use columns::{ATTRIBUTE_PREFIX, ATTRIBUTE_PREFIXES, ColumnUse, Field, HEADER};
pub use decode::Charset;
pub use export::export;
pub use import::{AgentRef, ImportPlan, ImportReport, RowProblem, plan_import};

/// Most data rows (after the header) one import takes.
pub const IMPORT_MAX_ROWS: u32 = 10_000;
/// Longest file one import takes, in bytes: 10,000 rows of about 400 bytes each (a Japanese
/// name, company and number take about 80).
pub const IMPORT_MAX_BYTES: usize = 4 * 1024 * 1024;

#[cfg(test)]
mod tests;
