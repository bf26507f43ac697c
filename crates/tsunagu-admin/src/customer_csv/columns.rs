//! The header row: which column is which field, by the names Japanese CRMs and Excel sheets use
//! (`顧客ID`, `氏名`, `電話番号`, `TEL`, `担当者`, …) or the admin API's own (`id`, `name`, …),
//! and which columns are customer attributes (`属性:plan`, `attr:区分`).

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
    /// One customer attribute: the column `属性:<name>` or `attr:<name>` (see
    /// [`ColumnUse::attribute`]). Named `attributes`, as the customer's field is.
    #[serde(rename = "attributes")]
    Attribute,
}

/// What a header starts with to be an attribute column; the rest is the attribute's name.
pub const ATTRIBUTE_PREFIXES: [&str; 4] = ["属性:", "属性：", "attr:", "attr："];
/// The prefix an export writes.
pub const ATTRIBUTE_PREFIX: &str = "属性:";

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Company => "company",
            Field::Phone => "phone",
            Field::Mobile => "mobile",
            Field::Owner => "owner",
            Field::Attribute => "attributes",
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
    /// For [`Field::Attribute`]: the attribute's name (trimmed, as stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
}

/// The attribute name of an attribute column's header (`属性:plan` → `plan`, the prefix in any
/// ASCII case), unchecked.
fn attribute_of(header: &str) -> Option<&str> {
    let header = header.trim();
    ATTRIBUTE_PREFIXES.iter().find_map(|prefix| {
        let head = header.get(..prefix.len())?;
        head.eq_ignore_ascii_case(prefix)
            .then(|| &header[prefix.len()..])
    })
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
        .map(|column| match attribute_of(column) {
            Some(name) => ColumnUse {
                column: column.trim().to_owned(),
                field: Some(Field::Attribute),
                attribute: Some(name.to_owned()),
            },
            None => ColumnUse {
                column: column.trim().to_owned(),
                field: field_of(column),
                attribute: None,
            },
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
    check_attribute_columns(&mut uses, &mut errors);
    if errors.is_empty() {
        Ok(Columns { uses })
    } else {
        Err(Invalid(errors))
    }
}

/// Attribute columns: each name checked and trimmed as the directory stores it, none twice, at
/// most as many as a customer may carry. Problems are the file's (field `columns.attributes`).
fn check_attribute_columns(uses: &mut [ColumnUse], errors: &mut Vec<FieldError>) {
    const PATH: &str = "columns.attributes";
    let mut seen = std::collections::BTreeSet::new();
    let mut count = 0;
    for column in uses.iter_mut() {
        let Some(raw) = column.attribute.as_deref() else {
            continue;
        };
        count += 1;
        match tsunagu_core::attribute_key(raw) {
            Ok(name) => {
                if !seen.insert(name.clone()) {
                    errors.push(FieldError::new(PATH, ErrorCode::DuplicateColumn));
                }
                column.attribute = Some(name);
            }
            Err(problem) => errors.push(FieldError::new(
                PATH,
                crate::directory::attribute_code(problem, tsunagu_core::ATTRIBUTE_KEY_MAX_CHARS),
            )),
        }
    }
    if count > tsunagu_core::ATTRIBUTES_MAX {
        errors.push(FieldError::new(
            PATH,
            ErrorCode::TooMany {
                max: tsunagu_core::ATTRIBUTES_MAX as u32,
            },
        ));
    }
}
