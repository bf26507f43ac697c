//! Bytes to text and back: UTF-8 (with or without a BOM) and Shift_JIS as Windows writes it
//! (CP932, which `encoding_rs` implements as the WHATWG `Shift_JIS`).

use encoding_rs::SHIFT_JIS;
use serde::Serialize;

use crate::ErrorCode;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The encodings a customer file may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Charset {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "shift_jis")]
    ShiftJis,
}

impl Charset {
    /// Reads a charset label as HTTP and Windows spell it (`utf-8`, `Shift_JIS`, `cp932`, …).
    pub fn from_label(label: &str) -> Result<Charset, ErrorCode> {
        match label.trim().trim_matches('"').to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(Charset::Utf8),
            "shift_jis" | "shift-jis" | "sjis" | "x-sjis" | "cp932" | "ms932" | "windows-31j" => {
                Ok(Charset::ShiftJis)
            }
            _ => Err(ErrorCode::UnsupportedCharset),
        }
    }

    /// The label for `Content-Type` (`utf-8`, `shift_jis`).
    pub fn as_str(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::ShiftJis => "shift_jis",
        }
    }
}

/// The file as text. An explicit `declared` charset wins; otherwise a UTF-8 BOM or valid UTF-8
/// means UTF-8, and anything else is read as Shift_JIS. Malformed bytes refuse the whole file
/// (a replacement character would silently corrupt a name).
pub(crate) fn decode(
    bytes: &[u8],
    declared: Option<Charset>,
) -> Result<(String, Charset), ErrorCode> {
    let as_utf8 = |bytes: &[u8]| {
        let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        std::str::from_utf8(bytes).ok().map(str::to_owned)
    };
    let as_shift_jis = |bytes: &[u8]| {
        SHIFT_JIS
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|text| text.into_owned())
    };
    let decoded = match declared {
        Some(Charset::Utf8) => as_utf8(bytes).map(|text| (text, Charset::Utf8)),
        Some(Charset::ShiftJis) => as_shift_jis(bytes).map(|text| (text, Charset::ShiftJis)),
        None => as_utf8(bytes)
            .map(|text| (text, Charset::Utf8))
            .or_else(|| as_shift_jis(bytes).map(|text| (text, Charset::ShiftJis))),
    };
    decoded.ok_or(ErrorCode::NotDecodable)
}

/// `text` in `charset`: UTF-8 with a BOM (so Excel opens it as UTF-8), or Shift_JIS, which
/// refuses text that would not read back as itself (characters it lacks, and the few it maps
/// one way only, such as `¥` written as the byte of `\`).
pub(crate) fn encode(text: &str, charset: Charset) -> Result<Vec<u8>, ErrorCode> {
    match charset {
        Charset::Utf8 => {
            let mut bytes = Vec::with_capacity(UTF8_BOM.len() + text.len());
            bytes.extend_from_slice(UTF8_BOM);
            bytes.extend_from_slice(text.as_bytes());
            Ok(bytes)
        }
        Charset::ShiftJis => {
            let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
            if unmappable {
                return Err(ErrorCode::NotInShiftJis);
            }
            match as_shift_jis_text(&bytes) {
                Some(back) if back == text => Ok(bytes.into_owned()),
                _ => Err(ErrorCode::NotInShiftJis),
            }
        }
    }
}

fn as_shift_jis_text(bytes: &[u8]) -> Option<String> {
    SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
}
