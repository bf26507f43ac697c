//! `GET /api/openapi.json`: the committed OpenAPI 3.1 document of the API (public: it holds no
//! data, and a CRM engineer reads it before they have a key). Tests validate it and check it
//! against the route table.

use worker::{Response, ResponseBuilder};

use crate::error::AppError;

const DOCUMENT: &str = include_str!("../../openapi.json");

pub(crate) fn document() -> Result<Response, AppError> {
    let response = ResponseBuilder::new()
        .with_header("Content-Type", "application/json")?
        .fixed(DOCUMENT.as_bytes().to_vec());
    Ok(response)
}
