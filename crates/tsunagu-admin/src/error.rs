//! Why a field was refused: a stable code for machines and a fixed sentence for people, in both
//! languages. Messages name limits of ours, never the input.

use serde::Serialize;

/// Why one field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request body is not a JSON object.
    NotAnObject,
    Required,
    /// Expected text (a JSON string).
    NotText,
    /// Expected a list (a JSON array).
    NotList,
    /// Expected a whole number in a range.
    NotInRange {
        min: u32,
        max: u32,
    },
    /// Empty, or only blanks.
    Blank,
    /// More characters than allowed.
    TooLong {
        max: u32,
    },
    /// Fewer characters than a secret needs.
    TooShort {
        min: u32,
    },
    /// Blanks, line breaks or control characters in a secret.
    Whitespace,
    /// More entries than allowed.
    TooMany {
        max: u32,
    },
    /// Control or bidirectional-override characters, which could forge log lines or reorder text.
    ControlCharacter,
    /// Not an identifier (letters, digits, `_` and `-`; agents: letters, digits and `_`).
    InvalidId,
    /// Not a CSP source: `'self'`, or `https://host[:port]` (a `*.` prefix and `:*` port allowed).
    InvalidOrigin,
    /// Not one of the listed values.
    UnknownValue,
    /// The same value twice in a list.
    Duplicate,
    /// Not a phone number this service can dial.
    InvalidPhone,
    /// Names a team of the tenant that does not exist.
    UnknownTeam,
    /// Names an agent of the tenant that does not exist.
    UnknownAgent,
    /// Another record already has this id (or this phone number).
    Taken,
    /// CSV import: the same id or phone number on an earlier line of the file.
    DuplicateInFile {
        first_line: u32,
    },
    /// CSV import: a customer the file does not name already has this phone number.
    PhoneTaken,
    /// CSV import: a row with more cells than the header has columns.
    ExtraCells,
    /// CSV import: a column every row needs is missing from the header.
    MissingColumn,
    /// CSV import: two columns of the header mean the same field.
    DuplicateColumn,
    /// CSV import: the file has no header row.
    EmptyFile,
    /// CSV: the bytes are neither UTF-8 nor Shift_JIS (or not the declared charset).
    NotDecodable,
    /// CSV: a charset other than UTF-8 and Shift_JIS.
    UnsupportedCharset,
    /// CSV import: more rows than one import takes.
    TooManyRows {
        max: u32,
    },
    /// CSV export in Shift_JIS: some text has characters Shift_JIS cannot hold.
    NotInShiftJis,
    /// Not allowed in this combination (an announcement on a main line).
    NotAllowed,
    /// A legacy line announcing its own number.
    SameAsNumber,
    /// Expected `true` or `false`.
    NotBoolean,
    /// Not a time of day `HH:MM` from 00:00 to 24:00.
    ClockTime,
    /// An open span that closes at or before it opens.
    ClosesBeforeOpening,
    /// Not an IANA time zone name such as `Asia/Tokyo`.
    TimeZone,
    /// Not a date `YYYY-MM-DD`.
    Date,
    /// A span that ends before it starts.
    EndsBeforeStart,
    /// A number the tenant's dial policy does not let anyone dial.
    RefusedByDialPolicy,
    /// A calling code that cannot be opened as a country: Japan's own, or a satellite or
    /// international network's.
    NotACountry,
    /// Not a webhook address: `https://host[:port]/path`, or `http://` to 127.0.0.1 or localhost.
    InvalidWebhookUrl,
    /// The tenant has no queue of that id.
    UnknownQueue,
    /// A queue's overflows would lead a caller back to a queue they already passed.
    OverflowLoop,
    /// Not an `https://` address.
    NotHttps,
    /// Not a key of a phone's pad (`0`–`9`, `*`, `#`).
    NotAPhoneKey,
    /// A queue that lines or other queues still send callers to.
    QueueInUse,
    /// Not a Cloudflare Turnstile site key (ASCII letters, digits, `_` and `-`, at most
    /// [`crate::web_calls::SITE_KEY_MAX_CHARS`]).
    InvalidSiteKey,
    /// An IVR menu's mistake (`tsunagu_ivr::Problem`), with the menu's own sentence.
    IvrMenu {
        problem: tsunagu_ivr::Problem,
    },
}

/// A message in both languages the product speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub ja: String,
    pub en: String,
}

impl ErrorCode {
    /// The fixed message for this code.
    pub fn message(self) -> Message {
        let (ja, en) = match self {
            ErrorCode::NotAnObject => (
                "JSON オブジェクトを送ってください".to_owned(),
                "send a JSON object".to_owned(),
            ),
            ErrorCode::Required => (
                "必須項目です".to_owned(),
                "this field is required".to_owned(),
            ),
            ErrorCode::NotText => (
                "文字列で指定してください".to_owned(),
                "must be text (a JSON string)".to_owned(),
            ),
            ErrorCode::NotList => (
                "リスト (JSON 配列) で指定してください".to_owned(),
                "must be a list (a JSON array)".to_owned(),
            ),
            ErrorCode::NotInRange { min, max } => (
                format!("{min} 以上 {max} 以下の整数で指定してください"),
                format!("must be a whole number from {min} to {max}"),
            ),
            ErrorCode::Blank => (
                "空にはできません".to_owned(),
                "must not be empty".to_owned(),
            ),
            ErrorCode::TooLong { max } => (
                format!("{max} 文字以内で指定してください"),
                format!("must be at most {max} characters"),
            ),
            ErrorCode::TooShort { min } => (
                format!("{min} 文字以上で指定してください"),
                format!("must be at least {min} characters"),
            ),
            ErrorCode::Whitespace => (
                "空白・改行・制御文字は使えません".to_owned(),
                "must not contain blanks, line breaks or control characters".to_owned(),
            ),
            ErrorCode::TooMany { max } => (
                format!("{max} 件以内で指定してください"),
                format!("must have at most {max} entries"),
            ),
            ErrorCode::ControlCharacter => (
                "制御文字は使えません".to_owned(),
                "must not contain control characters".to_owned(),
            ),
            ErrorCode::InvalidId => (
                "ID は半角英数字・「_」・「-」で指定してください".to_owned(),
                "an id may hold only ASCII letters, digits, `_` and `-`".to_owned(),
            ),
            ErrorCode::InvalidOrigin => (
                "'self' または https://ホスト名[:ポート] の形式で指定してください".to_owned(),
                "must be 'self' or https://host[:port]".to_owned(),
            ),
            ErrorCode::UnknownValue => (
                "指定できない値です".to_owned(),
                "is not one of the allowed values".to_owned(),
            ),
            ErrorCode::Duplicate => (
                "同じ値が重複しています".to_owned(),
                "holds the same value twice".to_owned(),
            ),
            ErrorCode::InvalidPhone => (
                "発信できる電話番号ではありません".to_owned(),
                "is not a phone number we can dial".to_owned(),
            ),
            ErrorCode::UnknownTeam => (
                "存在しないチームです".to_owned(),
                "names no team of this company".to_owned(),
            ),
            ErrorCode::UnknownAgent => (
                "存在しないエージェントです".to_owned(),
                "names no agent of this company".to_owned(),
            ),
            ErrorCode::Taken => (
                "この ID はすでに使われています".to_owned(),
                "this id is already taken".to_owned(),
            ),
            ErrorCode::DuplicateInFile { first_line } => (
                format!("{first_line} 行目と重複しています"),
                format!("the same value is already on line {first_line}"),
            ),
            ErrorCode::PhoneTaken => (
                "この電話番号はファイルにない別の顧客が使っています".to_owned(),
                "another customer, not in this file, already has this number".to_owned(),
            ),
            ErrorCode::ExtraCells => (
                "見出し行より列が多い行です".to_owned(),
                "this row has more cells than the header has columns".to_owned(),
            ),
            ErrorCode::MissingColumn => (
                "必須の列が見出し行にありません".to_owned(),
                "the header lacks this required column".to_owned(),
            ),
            ErrorCode::DuplicateColumn => (
                "同じ項目を表す列が複数あります".to_owned(),
                "two columns of the header mean this same field".to_owned(),
            ),
            ErrorCode::EmptyFile => (
                "見出し行がありません".to_owned(),
                "the file has no header row".to_owned(),
            ),
            ErrorCode::NotDecodable => (
                "UTF-8 または Shift_JIS のテキストとして読めません".to_owned(),
                "cannot be read as UTF-8 or Shift_JIS text".to_owned(),
            ),
            ErrorCode::UnsupportedCharset => (
                "文字コードは UTF-8 か Shift_JIS を指定してください".to_owned(),
                "the charset must be UTF-8 or Shift_JIS".to_owned(),
            ),
            ErrorCode::TooManyRows { max } => (
                format!("一度に取り込めるのは {max} 行までです"),
                format!("one import takes at most {max} rows"),
            ),
            ErrorCode::NotInShiftJis => (
                "Shift_JIS で表せない文字があります。UTF-8 で書き出してください".to_owned(),
                "some text has characters Shift_JIS cannot hold; export as UTF-8".to_owned(),
            ),
            ErrorCode::NotAllowed => (
                "この組み合わせでは指定できません".to_owned(),
                "is not allowed in this combination".to_owned(),
            ),
            ErrorCode::NotBoolean => (
                "true または false で指定してください".to_owned(),
                "must be true or false".to_owned(),
            ),
            ErrorCode::ClockTime => (
                "時刻は 00:00〜24:00 の HH:MM 形式で指定してください".to_owned(),
                "must be a time of day HH:MM from 00:00 to 24:00".to_owned(),
            ),
            ErrorCode::ClosesBeforeOpening => (
                "終了時刻は開始時刻より後にしてください".to_owned(),
                "must be later than the opening time".to_owned(),
            ),
            ErrorCode::TimeZone => (
                "タイムゾーンは Asia/Tokyo のような IANA の名前で指定してください".to_owned(),
                "must be an IANA time zone name such as Asia/Tokyo".to_owned(),
            ),
            ErrorCode::Date => (
                "日付は YYYY-MM-DD 形式で指定してください".to_owned(),
                "must be a date YYYY-MM-DD".to_owned(),
            ),
            ErrorCode::EndsBeforeStart => (
                "終了日は開始日以降にしてください".to_owned(),
                "must not be before the start".to_owned(),
            ),
            ErrorCode::RefusedByDialPolicy => (
                "発信ポリシーで許可されていない番号です".to_owned(),
                "the dial policy does not allow this number".to_owned(),
            ),
            ErrorCode::NotACountry => (
                "国として許可できない国番号です（日本の 81、衛星・国際網の 870 など）。必要な番号は個別に許可してください".to_owned(),
                "cannot be allowed as a country (Japan's 81, satellite or network codes such as 870); allow such numbers one by one".to_owned(),
            ),
            ErrorCode::InvalidWebhookUrl => (
                "https://ホスト名/パス の形式で指定してください (開発用に http://127.0.0.1 と http://localhost も可)".to_owned(),
                "must be https://host/path (or http://127.0.0.1 or http://localhost for development)".to_owned(),
            ),
            ErrorCode::IvrMenu { problem } => (problem.ja(), problem.en()),
            ErrorCode::UnknownQueue => (
                "そのキューはありません".to_owned(),
                "there is no such queue".to_owned(),
            ),
            ErrorCode::OverflowLoop => (
                "あふれ先をたどると、すでに通ったキューに戻ってしまいます".to_owned(),
                "the overflows lead back to a queue already passed".to_owned(),
            ),
            ErrorCode::NotHttps => (
                "https:// で始まるアドレスを指定してください".to_owned(),
                "must be an https:// address".to_owned(),
            ),
            ErrorCode::NotAPhoneKey => (
                "電話のボタン（0〜9、*、#）を 1 つ指定してください".to_owned(),
                "must be one key of a phone's pad (0-9, *, #)".to_owned(),
            ),
            ErrorCode::QueueInUse => (
                "回線や他のキューのあふれ先に使われているため削除できません".to_owned(),
                "lines or other queues' overflows still send callers to this queue".to_owned(),
            ),
            ErrorCode::InvalidSiteKey => (
                format!(
                    "Turnstile のサイトキー（半角英数字・「_」・「-」、{} 文字以内）を指定してください",
                    crate::web_calls::SITE_KEY_MAX_CHARS
                ),
                format!(
                    "must be a Turnstile site key (ASCII letters, digits, `_` and `-`, at most {} characters)",
                    crate::web_calls::SITE_KEY_MAX_CHARS
                ),
            ),
            ErrorCode::SameAsNumber => (
                "回線自身の番号は案内できません".to_owned(),
                "a line cannot announce its own number".to_owned(),
            ),
        };
        Message { ja, en }
    }
}

/// One refused field: where (a path of our own field names and list indexes, e.g. `name.ja`,
/// `allowed_origins[2]`, never a key the client chose), why, and the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    #[serde(flatten)]
    pub code: ErrorCode,
    pub message: Message,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: ErrorCode) -> FieldError {
        FieldError {
            field: field.into(),
            code,
            message: code.message(),
        }
    }
}

/// Every problem of one write, in field order. Never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    /// One problem.
    pub fn one(field: impl Into<String>, code: ErrorCode) -> Invalid {
        Invalid(vec![FieldError::new(field, code)])
    }
}
