//! A line's IVR menu as the admin API writes it (`PUT /api/admin/ivr-menus/<number>`): read into
//! a `tsunagu_ivr::Menu` and validated there; every mistake becomes a [`FieldError`] with code
//! `ivr_menu`, the menu's own problem and sentence, and a path of our field names and the node's
//! index (`nodes[3].choices[1].digit`), never the node id the client chose.

use serde_json::Value;
use tsunagu_ivr::{Menu, MenuError, Problem, ValidMenu};

use crate::{ErrorCode, FieldError, Invalid};

/// The validated menu, or every mistake in it.
pub fn ivr_menu(body: &Value) -> Result<ValidMenu, Invalid> {
    if !body.is_object() {
        return Err(Invalid::one("", ErrorCode::NotAnObject));
    }
    let menu: Menu = serde_json::from_value(body.clone()).map_err(|_| {
        Invalid::one(
            "",
            ErrorCode::IvrMenu {
                problem: Problem::Malformed,
            },
        )
    })?;
    let ids: Vec<String> = menu
        .nodes
        .iter()
        .map(|n| n.id.as_str().to_owned())
        .collect();
    menu.validate().map_err(|errors| {
        Invalid(
            errors
                .into_iter()
                .map(|error| field_error(&ids, error))
                .collect(),
        )
    })
}

fn field_error(ids: &[String], error: MenuError) -> FieldError {
    let field = match &error.node {
        // The first node with that id: a duplicate id is reported against the later one, so
        // name it by its own position instead.
        Some(node) => {
            let position = match error.problem {
                Problem::DuplicateId => ids.iter().rposition(|id| id == node.as_str()),
                _ => ids.iter().position(|id| id == node.as_str()),
            };
            match position {
                Some(index) => format!("nodes[{index}].{}", error.field),
                None => "nodes".to_owned(),
            }
        }
        None => error.field,
    };
    FieldError::new(
        field,
        ErrorCode::IvrMenu {
            problem: error.problem,
        },
    )
}
