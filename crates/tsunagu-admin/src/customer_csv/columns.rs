//! The header row: which column is which field, by the names Japanese CRMs and Excel sheets use
//! (`顧客ID`, `氏名`, `電話番号`, `TEL`, `担当者`, …) or the admin API's own (`id`, `name`, …).

use serde::Serialize;

use crate::{ErrorCode, FieldError, Invalid};

/// A customer field a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Id,
    Name,
    Company,
    Phone,
    /// A mobile number: the customer's number when the file has no phone column, else ignored
    /// (a customer has one number).
    Mobile,
    Owner,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Company => "company",
            Field::Phone => "phone",
            Field::Mobile => "mobile",
            Field::Owner => "owner",
        }
    }
}

/// The header an export writes, in the order of its columns.
pub const HEADER: [(Field, &str); 5] = [
    (Field::Id, "顧客ID"),
    (Field::Name, "氏名"),
    (Field::Company, "会社名"),
    (Field::Phone, "電話番号"),
    (Field::Owner, "担当者"),
];

/// Header names per field, as [`key`] folds them (full-width to half-width, lower case, no
/// blanks or separators).
const ALIASES: &[(Field, &[&str])] = &[
    (
        Field::Id,
        &[
            "id",
            "顧客id",
            "顧客番号",
            "顧客コード",
            "お客様id",
            "お客様番号",
            "会員番号",
            "customerid",
            "customercode",
        ],
    ),
    (
        Field::Name,
        &[
            "name",
            "氏名",
            "名前",
            "お名前",
            "お客様名",
            "顧客名",
            "customername",
            "fullname",
        ],
    ),
    (
        Field::Company,
        &[
            "company",
            "会社名",
            "会社",
            "企業名",
            "法人名",
            "勤務先",
            "companyname",
            "organization",
            "accountname",
        ],
    ),
    (
        Field::Phone,
        &[
            "phone",
            "電話番号",
            "電話",
            "tel",
            "telephone",
            "phonenumber",
            "代表電話",
            "代表電話番号",
        ],
    ),
    (
        Field::Mobile,
        &[
            "携帯",
            "携帯電話",
            "携帯番号",
            "携帯電話番号",
            "mobile",
            "mobilephone",
            "cell",
            "cellphone",
        ],
    ),
    (
        Field::Owner,
        &[
            "owner",
            "担当者",
            "担当",
            "担当者id",
            "営業担当",
            "営業担当者",
            "担当エージェント",
            "ownerid",
            "agent",
        ],
    ),
];

/// A header name folded for matching: full-width ASCII to half-width, ASCII lower case, and no
/// blanks, `_`, `-`, `・` or `.`.
fn key(header: &str) -> String {
    header
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '・' | '.'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn field_of(header: &str) -> Option<Field> {
    let key = key(header);
    ALIASES
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(field, _)| *field)
}

/// One column of the file and the field it fills (`None`: ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnUse {
    pub column: String,
    pub field: Option<Field>,
}

/// The header, read.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    /// Per column of the file, in order.
    pub(crate) uses: Vec<ColumnUse>,
}

impl Columns {
    /// The index of the column that fills `field`.
    pub(crate) fn index_of(&self, field: Field) -> Option<usize> {
        self.uses
            .iter()
            .position(|column| column.field == Some(field))
    }
}

/// Maps the header row. Unknown columns are ignored (and listed); a missing name or number
/// column, or two columns for one field, refuse the file.
pub(crate) fn map_header(header: &[String]) -> Result<Columns, Invalid> {
    let mut uses: Vec<ColumnUse> = header
        .iter()
        .map(|column| ColumnUse {
            column: column.trim().to_owned(),
            field: field_of(column),
        })
        .collect();
    let has = |uses: &[ColumnUse], field: Field| uses.iter().any(|u| u.field == Some(field));
    // A customer has one number: a mobile column is it only when there is no phone column.
    let mobile_is_phone = !has(&uses, Field::Phone);
    for column in &mut uses {
        if column.field == Some(Field::Mobile) {
            column.field = mobile_is_phone.then_some(Field::Phone);
        }
    }
    let mut errors = Vec::new();
    for field in [
        Field::Id,
        Field::Name,
        Field::Company,
        Field::Phone,
        Field::Owner,
    ] {
        let count = uses.iter().filter(|u| u.field == Some(field)).count();
        let path = format!("columns.{}", field.as_str());
        if count > 1 {
            errors.push(FieldError::new(path, ErrorCode::DuplicateColumn));
        } else if count == 0 && matches!(field, Field::Name | Field::Phone) {
            errors.push(FieldError::new(path, ErrorCode::MissingColumn));
        }
    }
    if errors.is_empty() {
        Ok(Columns { uses })
    } else {
        Err(Invalid(errors))
    }
}
