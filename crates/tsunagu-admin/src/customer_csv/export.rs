//! Customers to a CSV file that Excel opens as it is and [`plan_import`](super::plan_import)
//! reads back to the same customers.

use std::collections::BTreeSet;

use tsunagu_phone::{PhoneNumber, Region};

use super::{
    Charset,
    columns::{ATTRIBUTE_PREFIX, HEADER},
    decode::encode,
    import::is_formula_like,
};
use crate::{Customer, ErrorCode, Invalid};

/// The file: the Japanese header of [`HEADER`] and then one `属性:<name>` column per attribute
/// name any of the customers has (by name), one row per customer in the given order, CRLF
/// line ends, numbers as written in Japan (`03-5555-0101`; foreign ones `+44 20 7946 0107`).
/// UTF-8 gets a BOM; Shift_JIS refuses text it cannot hold (field `charset`).
///
/// A cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-` or `@`, maybe
/// after `'`s) is written behind one more `'`, which the import takes off again.
pub fn export(customers: &[Customer], charset: Charset) -> Result<Vec<u8>, Invalid> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail; the error arm only keeps the promise not to panic.
    // One column per attribute name any exported customer has, by name.
    let attribute_names: BTreeSet<&str> = customers
        .iter()
        .flat_map(|customer| customer.attributes.keys().map(String::as_str))
        .collect();
    let written = (|| -> Result<(), csv::Error> {
        let attribute_headers = attribute_names
            .iter()
            .map(|name| format!("{ATTRIBUTE_PREFIX}{name}"));
        let header: Vec<String> = HEADER
            .iter()
            .map(|(_, name)| (*name).to_owned())
            .chain(attribute_headers)
            .collect();
        writer.write_record(&header)?;
        for customer in customers {
            let phone = display_number(&customer.phone);
            let owner = customer.owner.as_ref().map_or("", |owner| owner.as_str());
            let cells = [
                guard(customer.id.as_str()),
                guard(&customer.name),
                guard(&customer.company),
                guard(&phone),
                guard(owner),
            ];
            let attributes = attribute_names
                .iter()
                .map(|name| guard(customer.attributes.get(*name).map_or("", String::as_str)));
            let cells: Vec<_> = cells.into_iter().chain(attributes).collect();
            writer.write_record(cells.iter().map(|cell| cell.as_bytes()))?;
        }
        writer.flush()?;
        Ok(())
    })();
    let (Ok(()), Ok(bytes)) = (written, writer.into_inner()) else {
        return Err(Invalid::one("file", ErrorCode::NotDecodable));
    };
    let text =
        String::from_utf8(bytes).map_err(|_| Invalid::one("file", ErrorCode::NotDecodable))?;
    encode(&text, charset).map_err(|code| Invalid::one("charset", code))
}

/// A stored E.164 number as people write it; a stored value that does not parse is kept as is.
fn display_number(e164: &str) -> String {
    match PhoneNumber::from_e164(e164) {
        Ok(number) if number.country_code() == Region::Jp.calling_code() => {
            number.national_display().to_owned()
        }
        Ok(number) => number.international_display().to_owned(),
        Err(_) => e164.to_owned(),
    }
}

fn guard(cell: &str) -> std::borrow::Cow<'_, str> {
    if is_formula_like(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}
