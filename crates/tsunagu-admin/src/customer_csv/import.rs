//! Plans an import: every row validated into a [`Customer`] exactly as the admin API validates
//! one, then checked against the rest of the file and the tenant's directory.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Value, json};
use tsunagu_core::{AgentId, CustomerId};
use tsunagu_phone::{PhoneNumber, Region};

use super::{
    Charset, IMPORT_MAX_ROWS,
    columns::{ColumnUse, Columns, Field, map_header},
    decode::decode,
};
use crate::{Customer, ErrorCode, Invalid, Message};

/// An agent of the tenant, as an owner column may name them: by id or by display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRef {
    pub id: AgentId,
    pub display_name: String,
}

/// One refused cell (or row): where, why, and the fixed message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// The line of the file the row starts on (the header is line 1).
    pub line: u32,
    /// The column's header as the file spells it; `None` for the row as a whole.
    pub column: Option<String>,
    /// The customer field (`id`, `name`, `company`, `phone`, `owner`); empty for the row.
    pub field: String,
    #[serde(flatten)]
    pub code: ErrorCode,
    pub message: Message,
}

/// What an import found, and what it writes (or would write, on a dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub charset: Charset,
    /// Data rows (blank lines aside).
    pub rows: u32,
    /// Ids of the customers the import creates, in file order.
    pub created: Vec<CustomerId>,
    /// Ids of the customers it changes, in file order.
    pub updated: Vec<CustomerId>,
    /// Rows equal to the stored customer already.
    pub unchanged: u32,
    /// Each column of the file and the field it fills (`null`: ignored).
    pub columns: Vec<ColumnUse>,
    /// Every bad row, by line. Any at all and nothing is written.
    pub errors: Vec<RowProblem>,
}

/// A planned import: the report, and the customers to write when it has no errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    pub report: ImportReport,
    /// Customers to create or replace; empty when the report has errors.
    pub writes: Vec<Customer>,
}

/// Reads `bytes` (in `declared` charset, or detected) against the tenant's `existing`
/// customers and its `agents`. A file that cannot be read at all is [`Invalid`] (field `file`
/// or `columns.<field>`); bad rows are in the plan's report.
pub fn plan_import(
    bytes: &[u8],
    declared: Option<Charset>,
    existing: &[Customer],
    agents: &[AgentRef],
) -> Result<ImportPlan, Invalid> {
    let (text, charset) = decode(bytes, declared).map_err(|code| Invalid::one("file", code))?;
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records()
        .filter(|record| record.as_ref().map_or(true, |r| !is_blank(r)));
    let header = match records.next() {
        None => return Err(Invalid::one("file", ErrorCode::EmptyFile)),
        Some(Err(_)) => return Err(Invalid::one("file", ErrorCode::NotDecodable)),
        Some(Ok(header)) => header.iter().map(str::to_owned).collect::<Vec<_>>(),
    };
    let columns = map_header(&header)?;
    // Count first: a file over the limit is refused before any row costs a validation.
    let mut records_read = Vec::new();
    for record in records {
        // The reader reads text already validated, so it has no error left to report.
        let Ok(record) = record else {
            return Err(Invalid::one("file", ErrorCode::NotDecodable));
        };
        if records_read.len() >= IMPORT_MAX_ROWS as usize {
            return Err(Invalid::one(
                "file",
                ErrorCode::TooManyRows {
                    max: IMPORT_MAX_ROWS,
                },
            ));
        }
        records_read.push(record);
    }
    let mut planner = Planner::new(&columns, existing, agents);
    let mut lines = LineCounter::new(text.as_bytes());
    for record in &records_read {
        planner.row(lines.line_of(record), record);
    }
    let rows = u32::try_from(records_read.len()).unwrap_or(u32::MAX);
    Ok(planner.finish(charset, rows, columns.uses.clone()))
}

/// The line each record starts on. The `csv` reader's own line numbers lag by one per record
/// in CRLF files, and its byte offset then points at the `\n` before the record rather than at
/// the record; counting the `\n`s up to and including that byte is right for both line ends.
struct LineCounter<'t> {
    text: &'t [u8],
    counted_to: usize,
    newlines: u32,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t [u8]) -> Self {
        LineCounter {
            text,
            counted_to: 0,
            newlines: 0,
        }
    }

    /// Records must come in file order.
    fn line_of(&mut self, record: &csv::StringRecord) -> u32 {
        let byte = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let end = byte.saturating_add(1).min(self.text.len());
        if end > self.counted_to {
            let more = self.text[self.counted_to..end]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.newlines = self
                .newlines
                .saturating_add(u32::try_from(more).unwrap_or(u32::MAX));
            self.counted_to = end;
        }
        self.newlines.saturating_add(1)
    }
}

fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|cell| cell.trim().is_empty())
}

/// A cell as the customer field reads it: the `'` an export puts before a cell a spreadsheet
/// would run as a formula taken off (see [`super::export`]).
pub(crate) fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if is_formula_like(rest) => rest,
        _ => cell,
    }
}

/// Whether a cell starts, after any `'`s, with `=`, `+`, `-` or `@`: what a spreadsheet runs as a
/// formula once the `'`s are gone.
pub(crate) fn is_formula_like(cell: &str) -> bool {
    cell.trim_start_matches('\'')
        .starts_with(['=', '+', '-', '@'])
}

/// Whitespace-free form of a display name, so `佐藤 花子`, `佐藤　花子` and `佐藤花子` match.
fn squeeze(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect()
}

struct Planner<'a> {
    columns: &'a Columns,
    existing_by_id: BTreeMap<&'a str, &'a Customer>,
    existing_by_phone: BTreeMap<&'a str, Vec<&'a str>>,
    agents: BTreeSet<&'a str>,
    agents_by_name: BTreeMap<String, Vec<&'a str>>,
    first_line_of_id: BTreeMap<String, u32>,
    first_line_of_phone: BTreeMap<String, u32>,
    valid: Vec<(u32, Customer)>,
    errors: Vec<RowProblem>,
}

impl<'a> Planner<'a> {
    fn new(columns: &'a Columns, existing: &'a [Customer], agents: &'a [AgentRef]) -> Self {
        let mut existing_by_phone: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for customer in existing {
            existing_by_phone
                .entry(customer.phone.as_str())
                .or_default()
                .push(customer.id.as_str());
        }
        let mut agents_by_name: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for agent in agents {
            agents_by_name
                .entry(squeeze(&agent.display_name))
                .or_default()
                .push(agent.id.as_str());
        }
        Planner {
            columns,
            existing_by_id: existing.iter().map(|c| (c.id.as_str(), c)).collect(),
            existing_by_phone,
            agents: agents.iter().map(|a| a.id.as_str()).collect(),
            agents_by_name,
            first_line_of_id: BTreeMap::new(),
            first_line_of_phone: BTreeMap::new(),
            valid: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn column_name(&self, field: Field) -> Option<String> {
        self.columns
            .index_of(field)
            .map(|index| self.columns.uses[index].column.clone())
    }

    fn fail(&mut self, line: u32, field: Option<Field>, code: ErrorCode) {
        self.errors.push(RowProblem {
            line,
            column: field.and_then(|field| self.column_name(field)),
            field: field.map_or("", Field::as_str).to_owned(),
            code,
            message: code.message(),
        });
    }

    /// A problem of the attribute column `index`.
    fn fail_attribute(&mut self, line: u32, index: usize, code: ErrorCode) {
        self.errors.push(RowProblem {
            line,
            column: Some(self.columns.uses[index].column.clone()),
            field: Field::Attribute.as_str().to_owned(),
            code,
            message: code.message(),
        });
    }

    /// The row's attributes: the stored customer's (none for a new one), with each attribute
    /// column of the file applied: a value sets it, an empty cell removes it. Attributes the
    /// file has no column for are kept, so a file from a CRM that knows none changes none.
    fn attributes(
        &mut self,
        line: u32,
        id: &str,
        record: &csv::StringRecord,
    ) -> Option<BTreeMap<String, String>> {
        let mut attributes = self
            .existing_by_id
            .get(id)
            .map(|stored| stored.attributes.clone())
            .unwrap_or_default();
        let mut ok = true;
        for index in 0..self.columns.uses.len() {
            let Some(name) = self.columns.uses[index].attribute.clone() else {
                continue;
            };
            let cell = record
                .get(index)
                .map_or("", |cell| unguard(cell.trim()).trim());
            if cell.is_empty() {
                attributes.remove(&name);
                continue;
            }
            match tsunagu_core::attribute_value(cell) {
                Ok(value) => {
                    attributes.insert(name, value);
                }
                Err(problem) => {
                    let code = crate::directory::attribute_code(
                        problem,
                        tsunagu_core::ATTRIBUTE_VALUE_MAX_CHARS,
                    );
                    self.fail_attribute(line, index, code);
                    ok = false;
                }
            }
        }
        if ok && attributes.len() > tsunagu_core::ATTRIBUTES_MAX {
            // The stored ones and the file's together are too many for one customer.
            self.fail(
                line,
                Some(Field::Attribute),
                ErrorCode::TooMany {
                    max: tsunagu_core::ATTRIBUTES_MAX as u32,
                },
            );
            ok = false;
        }
        ok.then_some(attributes)
    }

    fn cell<'r>(&self, record: &'r csv::StringRecord, field: Field) -> &'r str {
        self.columns
            .index_of(field)
            .and_then(|index| record.get(index))
            .map_or("", |cell| unguard(cell.trim()).trim())
    }

    /// The owner cell as an agent id: an id of the tenant, else the one agent with that display
    /// name, else the cell itself (validation then says what is wrong with it).
    fn owner(&self, raw: &str) -> Option<String> {
        if raw.is_empty() {
            return None;
        }
        if self.agents.contains(raw) {
            return Some(raw.to_owned());
        }
        match self.agents_by_name.get(&squeeze(raw)).map(Vec::as_slice) {
            Some([only]) => Some((*only).to_owned()),
            _ => Some(raw.to_owned()),
        }
    }

    /// A row without an id is the stored customer with its number, else a new one whose id is
    /// made from the number (`tel-81355550101`), so importing the same file again finds it.
    fn id_for_number(&self, raw_phone: &str) -> String {
        let Ok(number) = PhoneNumber::parse(raw_phone, Region::Jp) else {
            // The row is refused for its number; any well-formed id will do meanwhile.
            return "tel-".to_owned();
        };
        match self.existing_by_phone.get(number.as_e164()) {
            Some(ids) => ids
                .iter()
                .min()
                .map_or_else(String::new, |id| (*id).to_owned()),
            None => format!("tel-{}", &number.as_e164()[1..]),
        }
    }

    fn row(&mut self, line: u32, record: &csv::StringRecord) {
        let errors_before = self.errors.len();
        let width = self.columns.uses.len();
        if record
            .iter()
            .skip(width)
            .any(|cell| !cell.trim().is_empty())
        {
            self.fail(line, None, ErrorCode::ExtraCells);
        }
        let explicit_id = self.cell(record, Field::Id);
        let phone = self.cell(record, Field::Phone);
        let id = if explicit_id.is_empty() {
            self.id_for_number(phone)
        } else {
            explicit_id.to_owned()
        };
        let attributes = self.attributes(line, &id, record);
        let body = json!({
            "id": id,
            "name": self.cell(record, Field::Name),
            "company": self.cell(record, Field::Company),
            "phone": phone,
            "owner": self.owner(self.cell(record, Field::Owner)).map_or(Value::Null, Value::String),
            "attributes": attributes.unwrap_or_default(),
        });
        let customer = match Customer::validate(&body, None) {
            Ok(customer) => Some(customer),
            Err(Invalid(problems)) => {
                for problem in problems {
                    let field = [
                        Field::Id,
                        Field::Name,
                        Field::Company,
                        Field::Phone,
                        Field::Owner,
                    ]
                    .into_iter()
                    .find(|field| field.as_str() == problem.field);
                    self.fail(line, field, problem.code);
                }
                None
            }
        };
        let Some(customer) = customer else {
            return;
        };
        if let Some(&first_line) = self.first_line_of_phone.get(&customer.phone) {
            self.fail(
                line,
                Some(Field::Phone),
                ErrorCode::DuplicateInFile { first_line },
            );
        } else {
            self.first_line_of_phone
                .insert(customer.phone.clone(), line);
        }
        if let Some(&first_line) = self.first_line_of_id.get(customer.id.as_str()) {
            // Two rows without ids and with one number are already refused for the number.
            if !explicit_id.is_empty() {
                self.fail(
                    line,
                    Some(Field::Id),
                    ErrorCode::DuplicateInFile { first_line },
                );
            }
        } else {
            self.first_line_of_id
                .insert(customer.id.as_str().to_owned(), line);
        }
        if let Some(owner) = &customer.owner
            && !self.agents.contains(owner.as_str())
        {
            self.fail(line, Some(Field::Owner), ErrorCode::UnknownAgent);
        }
        if self.errors.len() == errors_before {
            self.valid.push((line, customer));
        }
    }

    fn finish(mut self, charset: Charset, rows: u32, columns: Vec<ColumnUse>) -> ImportPlan {
        // A number may stay with one customer only: refuse it when a stored customer keeps it
        // (one the file does not rewrite).
        let mut taken = BTreeSet::new();
        for (line, customer) in &self.valid {
            let holders = self.existing_by_phone.get(customer.phone.as_str());
            let kept_by_other = holders.into_iter().flatten().any(|holder| {
                *holder != customer.id.as_str() && !self.first_line_of_id.contains_key(*holder)
            });
            if kept_by_other {
                taken.insert(*line);
            }
        }
        for line in &taken {
            self.fail(*line, Some(Field::Phone), ErrorCode::PhoneTaken);
        }
        self.errors.sort_by_key(|problem| problem.line);
        let mut report = ImportReport {
            charset,
            rows,
            created: Vec::new(),
            updated: Vec::new(),
            unchanged: 0,
            columns,
            errors: self.errors,
        };
        let mut writes = Vec::new();
        for (line, customer) in self.valid {
            if taken.contains(&line) {
                continue;
            }
            match self.existing_by_id.get(customer.id.as_str()) {
                Some(stored) if **stored == customer => report.unchanged += 1,
                Some(_) => {
                    report.updated.push(customer.id.clone());
                    writes.push(customer);
                }
                None => {
                    report.created.push(customer.id.clone());
                    writes.push(customer);
                }
            }
        }
        if !report.errors.is_empty() {
            writes.clear();
        }
        ImportPlan { report, writes }
    }
}
