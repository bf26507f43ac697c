//! Snapshots of import reports and refusals (Shift_JIS and UTF-8 files, Japanese and English
//! headers, every kind of bad row), of an export, and properties: no byte string makes the
//! import panic, and export → import gives back the same customers in both charsets.

use expect_test::{Expect, expect};
use proptest::prelude::*;
use serde_json::json;
use tsunagu_core::AgentId;

use super::{AgentRef, Charset, IMPORT_MAX_ROWS, ImportPlan, export, plan_import};
use crate::Customer;

fn agents() -> Vec<AgentRef> {
    [
        ("sato", "佐藤 花子"),
        ("suzuki", "鈴木 一郎"),
        ("ito", "伊藤 さくら"),
    ]
    .into_iter()
    .map(|(id, name)| AgentRef {
        id: AgentId::new(id).expect("valid id"),
        display_name: name.to_owned(),
    })
    .collect()
}

fn customer(id: &str, name: &str, company: &str, phone: &str, owner: Option<&str>) -> Customer {
    Customer::validate(
        &json!({ "id": id, "name": name, "company": company, "phone": phone, "owner": owner }),
        None,
    )
    .expect("valid customer")
}

/// The seed's customers, as stored.
fn stored() -> Vec<Customer> {
    vec![
        customer(
            "c001",
            "山田 太郎",
            "山田商事株式会社",
            "+81355550101",
            Some("sato"),
        ),
        customer(
            "c002",
            "中村 由美",
            "なかむら歯科",
            "+81665550102",
            Some("sato"),
        ),
        customer(
            "c003",
            "小林 誠",
            "小林工業",
            "+819055550103",
            Some("suzuki"),
        ),
    ]
}

fn shift_jis(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable, "the test's text fits Shift_JIS");
    bytes.into_owned()
}

/// The report as lines: a summary, then `line column(field) code | ja | en` per problem.
fn render(plan: &ImportPlan) -> String {
    let report = &plan.report;
    let ids = |ids: &[tsunagu_core::CustomerId]| {
        ids.iter()
            .map(|id| id.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let columns: Vec<String> = report
        .columns
        .iter()
        .map(|c| {
            let attribute = c
                .attribute
                .as_ref()
                .map_or(String::new(), |a| format!("({a})"));
            format!(
                "{}→{}{attribute}",
                c.column,
                c.field.map_or("-", |f| f.as_str())
            )
        })
        .collect();
    let mut lines = vec![
        format!(
            "{} rows={} created=[{}] updated=[{}] unchanged={} writes={}",
            report.charset.as_str(),
            report.rows,
            ids(&report.created),
            ids(&report.updated),
            report.unchanged,
            plan.writes.len(),
        ),
        format!("columns: {}", columns.join(", ")),
    ];
    for problem in &report.errors {
        let code = serde_json::to_value(problem).expect("serialises");
        let params: Vec<String> = ["first_line", "max"]
            .iter()
            .filter_map(|key| code.get(*key).map(|v| format!(" {key}={v}")))
            .collect();
        lines.push(format!(
            "line {} {}({}) {}{} | {} | {}",
            problem.line,
            problem.column.as_deref().unwrap_or("-"),
            problem.field,
            code["code"].as_str().unwrap_or("?"),
            params.concat(),
            problem.message.ja,
            problem.message.en,
        ));
    }
    lines.join("\n")
}

fn report(bytes: &[u8], declared: Option<Charset>, existing: &[Customer], expected: &Expect) {
    match plan_import(bytes, declared, existing, &agents()) {
        Ok(plan) => expected.assert_eq(&render(&plan)),
        Err(invalid) => panic!("refused: {invalid:?}"),
    }
}

fn refused(bytes: &[u8], declared: Option<Charset>, expected: &Expect) {
    crate::tests::errors(plan_import(bytes, declared, &stored(), &agents()), expected);
}

#[test]
fn shift_jis_file_with_japanese_headers_and_bad_rows() {
    let file = shift_jis(
        "顧客ID,お客様名,会社名,ＴＥＬ,担当者,備考\r\n\
         c001,山田 太郎,山田商事株式会社,03-5555-0101,sato,変更なし\r\n\
         c002,中村 由美,なかむら歯科（新）,06-5555-0102,佐藤　花子,\r\n\
         c010,斉藤 優,,０９０－５５５５－０１１０,,新規\r\n\
         ,木村 健,木村商店,+81 3-5555-0111,伊藤さくら,ID なし\r\n\
         c011,,空の名前,03-5555-0112,,\r\n\
         c012,番号違い,,12345,,\r\n\
         c013,重複番号,,090 5555 0110,,\r\n\
         c010,重複ID,,03-5555-0113,,\r\n\
         c014,担当不明,,03-5555-0114,yamada,\r\n\
         c015,他人の番号,,090-5555-0103,,\r\n\
         c016,列が多い,,03-5555-0116,,,余分\r\n\
         c-17!,記号入りID,,03-5555-0117,,\r\n",
    );
    report(
        &file,
        None,
        &stored(),
        &expect![[r#"
            shift_jis rows=12 created=[c010 tel-81355550111] updated=[c002] unchanged=1 writes=0
            columns: 顧客ID→id, お客様名→name, 会社名→company, ＴＥＬ→phone, 担当者→owner, 備考→-
            line 6 お客様名(name) blank | 空にはできません | must not be empty
            line 7 ＴＥＬ(phone) invalid_phone | 発信できる電話番号ではありません | is not a phone number we can dial
            line 8 ＴＥＬ(phone) duplicate_in_file first_line=4 | 4 行目と重複しています | the same value is already on line 4
            line 9 顧客ID(id) duplicate_in_file first_line=4 | 4 行目と重複しています | the same value is already on line 4
            line 10 担当者(owner) unknown_agent | 存在しないエージェントです | names no agent of this company
            line 11 ＴＥＬ(phone) phone_taken | この電話番号はファイルにない別の顧客が使っています | another customer, not in this file, already has this number
            line 12 -() extra_cells | 見出し行より列が多い行です | this row has more cells than the header has columns
            line 13 顧客ID(id) invalid_id | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`"#]],
    );
}

#[test]
fn a_clean_file_plans_its_writes_and_reimporting_them_changes_nothing() {
    let file = "\u{FEFF}id,name,company,phone,owner\r\n\
                c001,山田 太郎,山田商事株式会社,03-5555-0101,sato\r\n\
                c020,\"Carter, Emily\",\"Carter & Sons \"\"UK\"\" Ltd.\",+44 20 7946 0120,ito\r\n\
                c021,'=1+1,,'+81 3-5555-0121,\r\n\
                \r\n\
                ,,,,\r\n";
    let plan = plan_import(file.as_bytes(), None, &stored(), &agents()).expect("reads");
    expect![[r#"
        utf-8 rows=3 created=[c020 c021] updated=[] unchanged=1 writes=2
        columns: id→id, name→name, company→company, phone→phone, owner→owner"#]]
    .assert_eq(&render(&plan));
    assert_eq!(plan.writes[0].name, "Carter, Emily");
    assert_eq!(plan.writes[0].company, "Carter & Sons \"UK\" Ltd.");
    assert_eq!(plan.writes[0].phone, "+442079460120");
    assert_eq!(
        plan.writes[1].name, "=1+1",
        "an export's formula guard comes off"
    );
    assert_eq!(plan.writes[1].phone, "+81355550121");
    let mut after = stored();
    after.extend(plan.writes);
    let again = plan_import(file.as_bytes(), None, &after, &agents()).expect("reads");
    assert!(
        again.writes.is_empty() && again.report.unchanged == 3,
        "{:?}",
        again.report
    );
}

#[test]
fn a_quoted_line_break_stays_in_its_cell_and_lines_count_it() {
    let file = "name,phone\n\"改行を\n含む名前\",03-5555-0121\n山田,12\n";
    report(
        file.as_bytes(),
        None,
        &[],
        &expect![[r#"
            utf-8 rows=2 created=[] updated=[] unchanged=0 writes=0
            columns: name→name, phone→phone
            line 2 name(name) control_character | 制御文字は使えません | must not contain control characters
            line 4 phone(phone) invalid_phone | 発信できる電話番号ではありません | is not a phone number we can dial"#]],
    );
}

#[test]
fn a_file_refused_as_a_whole() {
    refused(
        "お名前,携帯,電話,TEL,メールアドレス\r\n".as_bytes(),
        None,
        &expect![[
            r#"columns.phone "duplicate_column" | 同じ項目を表す列が複数あります | two columns of the header mean this same field"#
        ]],
    );
    refused(
        "ID,会社名\r\n".as_bytes(),
        None,
        &expect![[r#"
            columns.name "missing_column" | 必須の列が見出し行にありません | the header lacks this required column
            columns.phone "missing_column" | 必須の列が見出し行にありません | the header lacks this required column"#]],
    );
    refused(
        b"\r\n ,\r\n",
        None,
        &expect![[r#"file "empty_file" | 見出し行がありません | the file has no header row"#]],
    );
    refused(
        b"name,phone\r\n\x82\x20,03-5555-0101\r\n",
        None,
        &expect![[
            r#"file "not_decodable" | UTF-8 または Shift_JIS のテキストとして読めません | cannot be read as UTF-8 or Shift_JIS text"#
        ]],
    );
    // A declared charset wins over detection: Shift_JIS bytes labelled UTF-8 are refused.
    refused(
        &shift_jis("氏名,電話番号\r\n山田,03-5555-0101\r\n"),
        Some(Charset::Utf8),
        &expect![[
            r#"file "not_decodable" | UTF-8 または Shift_JIS のテキストとして読めません | cannot be read as UTF-8 or Shift_JIS text"#
        ]],
    );
    let mut big = String::from("name,phone\n");
    for n in 0..=IMPORT_MAX_ROWS {
        big.push_str(&format!("n{n},x\n"));
    }
    refused(
        big.as_bytes(),
        None,
        &expect![[
            r#"file "too_many_rows" | 一度に取り込めるのは 10000 行までです | one import takes at most 10000 rows"#
        ]],
    );
}

#[test]
fn a_mobile_column_is_the_number_only_without_a_phone_column() {
    let file = "氏名,携帯電話\n吉田 翔,080-5555-0105\n";
    report(
        file.as_bytes(),
        None,
        &[],
        &expect![[r#"
            utf-8 rows=1 created=[tel-818055550105] updated=[] unchanged=0 writes=1
            columns: 氏名→name, 携帯電話→phone"#]],
    );
    let file = "氏名,電話番号,携帯\n吉田 翔,03-5555-0105,080-5555-0105\n";
    report(
        file.as_bytes(),
        None,
        &[],
        &expect![[r#"
            utf-8 rows=1 created=[tel-81355550105] updated=[] unchanged=0 writes=1
            columns: 氏名→name, 電話番号→phone, 携帯→-"#]],
    );
}

#[test]
fn charset_labels() {
    for label in ["utf-8", "UTF8", "\"utf-8\""] {
        assert_eq!(Charset::from_label(label), Ok(Charset::Utf8));
    }
    for label in [
        "Shift_JIS",
        "shift-jis",
        "sjis",
        "cp932",
        "Windows-31J",
        "MS932",
    ] {
        assert_eq!(Charset::from_label(label), Ok(Charset::ShiftJis));
    }
    assert!(Charset::from_label("euc-jp").is_err());
}

#[test]
fn export_writes_excel_friendly_csv() {
    let mut customers = stored();
    customers.push(customer(
        "c007",
        "Emily Carter",
        "Carter & Sons, Ltd.",
        "+442079460107",
        None,
    ));
    customers.push(customer(
        "c009",
        "=HYPERLINK(\"x\")",
        "-",
        "0120-555-108",
        None,
    ));
    let bytes = export(&customers, Charset::Utf8).expect("exports");
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a BOM, so Excel reads UTF-8"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    expect![[r#"
        顧客ID,氏名,会社名,電話番号,担当者
        c001,山田 太郎,山田商事株式会社,03-5555-0101,sato
        c002,中村 由美,なかむら歯科,06-6555-0102,sato
        c003,小林 誠,小林工業,090-5555-0103,suzuki
        c007,Emily Carter,"Carter & Sons, Ltd.",'+44 20 7946 0107,
        c009,"'=HYPERLINK(""x"")",'-,0120-555-108,
    "#]]
    .assert_eq(&text.replace("\r\n", "\n"));
    assert_eq!(text.matches("\r\n").count(), 6, "CRLF line ends");

    let utf8 = export(&stored(), Charset::Utf8).expect("exports");
    let sjis = export(&stored(), Charset::ShiftJis).expect("fits Shift_JIS");
    assert_eq!(
        encoding_rs::SHIFT_JIS.decode(&sjis).0.as_bytes(),
        &utf8[3..]
    );
    for name in ["絵文字 😀", "円記号 ¥100"] {
        let err = export(
            &[customer("c1", name, "", "03-5555-0101", None)],
            Charset::ShiftJis,
        );
        expect![[r#"Err(Invalid([FieldError { field: "charset", code: NotInShiftJis, message: Message { ja: "Shift_JIS で表せない文字があります。UTF-8 で書き出してください", en: "some text has characters Shift_JIS cannot hold; export as UTF-8" } }]))"#]]
            .assert_eq(&format!("{err:?}"));
    }
}

/// The seed's customers, 山田 with `plan = gold` and `区分 = 法人` and 中村 with `tier = 2`.
fn stored_with_attributes() -> Vec<Customer> {
    let mut customers = stored();
    customers[0].attributes = [("plan", "gold"), ("区分", "法人")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    customers[1].attributes = [("tier".to_owned(), "2".to_owned())].into();
    customers
}

#[test]
fn attribute_columns_set_remove_and_keep_attributes() {
    // `属性:plan` and `attr:区分` are attribute columns (a full-width colon too); an empty cell
    // removes the attribute, one the file has no column for (中村's `tier`) is kept.
    let file = shift_jis(
        "顧客ID,氏名,電話番号,属性:plan,ATTR：区分\r\n\
         c001,山田 太郎,03-5555-0101,silver,\r\n\
         c002,中村 由美,06-5555-0102,gold,法人\r\n\
         c030,新規 顧客,03-5555-0130,'=gold,個人\r\n\
         c031,長すぎ,03-5555-0131,ああああああああああああああああああああああああああああああああああああああああああああああああああああああああああああああああああ,\r\n",
    );
    let plan = plan_import(&file, None, &stored_with_attributes(), &agents()).expect("reads");
    expect![[r#"
        shift_jis rows=4 created=[c030] updated=[c001 c002] unchanged=0 writes=0
        columns: 顧客ID→id, 氏名→name, 電話番号→phone, 属性:plan→attributes(plan), ATTR：区分→attributes(区分)
        line 5 属性:plan(attributes) too_long max=64 | 64 文字以内で指定してください | must be at most 64 characters"#]]
    .assert_eq(&render(&plan));
    let file = shift_jis(
        "顧客ID,氏名,電話番号,属性:plan,ATTR：区分\r\n\
         c001,山田 太郎,03-5555-0101,silver,\r\n\
         c002,中村 由美,06-5555-0102,gold,法人\r\n\
         c030,新規 顧客,03-5555-0130,'=gold,個人\r\n",
    );
    let plan = plan_import(&file, None, &stored_with_attributes(), &agents()).expect("reads");
    let columns = serde_json::to_value(&plan.report.columns).expect("json");
    assert_eq!(
        columns[3],
        json!({"column": "属性:plan", "field": "attributes", "attribute": "plan"}),
        "the report names the field as the customer's JSON does"
    );
    let attributes: Vec<String> = plan
        .writes
        .iter()
        .map(|c| format!("{} {:?}", c.id.as_str(), c.attributes))
        .collect();
    expect![[r#"
        c001 {"plan": "silver"}
        c002 {"plan": "gold", "tier": "2", "区分": "法人"}
        c030 {"plan": "=gold", "区分": "個人"}"#]]
    .assert_eq(&attributes.join("\n"));
}

#[test]
fn attribute_headers_are_checked() {
    refused(
        "name,phone,属性:,attr:plan,属性:plan\n".as_bytes(),
        None,
        &expect![[r#"
            columns.attributes "blank" | 空にはできません | must not be empty
            columns.attributes "duplicate_column" | 同じ項目を表す列が複数あります | two columns of the header mean this same field"#]],
    );
    let many: Vec<String> = (0..21).map(|n| format!("attr:k{n}")).collect();
    refused(
        format!("name,phone,{}\n", many.join(",")).as_bytes(),
        None,
        &expect![[
            r#"columns.attributes "too_many" | 20 件以内で指定してください | must have at most 20 entries"#
        ]],
    );
}

#[test]
fn export_writes_one_column_per_attribute_and_reads_back() {
    let customers = stored_with_attributes();
    let bytes = export(&customers, Charset::ShiftJis).expect("fits Shift_JIS");
    let text = encoding_rs::SHIFT_JIS
        .decode(&bytes)
        .0
        .replace("\r\n", "\n");
    expect![[r#"
        顧客ID,氏名,会社名,電話番号,担当者,属性:plan,属性:tier,属性:区分
        c001,山田 太郎,山田商事株式会社,03-5555-0101,sato,gold,,法人
        c002,中村 由美,なかむら歯科,06-6555-0102,sato,,2,
        c003,小林 誠,小林工業,090-5555-0103,suzuki,,,
    "#]]
    .assert_eq(&text);
    let again = plan_import(&bytes, None, &customers, &agents()).expect("reads back");
    assert!(again.writes.is_empty(), "{:?}", again.report);
    let fresh = plan_import(&bytes, None, &[], &agents()).expect("reads back");
    assert_eq!(fresh.writes, customers);
}

/// Text for names and companies: Japanese, ASCII, and what CSV and spreadsheets treat specially.
fn text_strategy(max: usize) -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "山田",
        "太郎",
        "株式会社",
        "ｶﾀｶﾅ",
        "髙橋",
        "①",
        "ー",
        "Carter",
        " ",
        ",",
        "\"",
        "'",
        "=",
        "+",
        "-",
        "@",
        "\r\n",
        "\n",
        "　",
        "\t",
        "a",
        "0",
    ]);
    prop::collection::vec(pieces, 0..max).prop_map(|pieces| pieces.concat())
}

/// Valid customers with distinct ids and numbers (invalid draws are dropped).
fn customers_strategy() -> impl Strategy<Value = Vec<Customer>> {
    let one = (
        text_strategy(6),
        text_strategy(4),
        prop::sample::select(vec!["03-5555-", "06-5555-", "090-5555-", "+44 20 7946 "]),
        prop::option::of(prop::sample::select(vec!["sato", "suzuki", "ito"])),
        prop::collection::btree_map(
            prop::sample::select(vec!["plan", "区分", "=x", "tier"]),
            text_strategy(3),
            0..3,
        ),
    );
    prop::collection::vec(one, 0..12).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .filter_map(|(n, (name, company, prefix, owner, attributes))| {
                Customer::validate(
                    &json!({
                        "id": format!("c{n}"), "name": name, "company": company,
                        "phone": format!("{prefix}{:04}", 1000 + n), "owner": owner,
                        "attributes": attributes,
                    }),
                    None,
                )
                .ok()
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn import_never_panics_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        declared in prop::option::of(prop::sample::select(vec![Charset::Utf8, Charset::ShiftJis])),
    ) {
        let _ = plan_import(&bytes, declared, &stored(), &agents());
    }

    #[test]
    fn import_never_panics_on_csv_like_text(
        cells in prop::collection::vec(text_strategy(5), 0..40),
        header in prop::sample::select(vec!["顧客ID,氏名,電話番号,担当者", "name,phone", "id,name,company,phone,owner,notes"]),
    ) {
        let file = format!("{header}\n{}", cells.join(","));
        let _ = plan_import(file.as_bytes(), None, &stored(), &agents());
    }

    #[test]
    fn export_then_import_round_trips(customers in customers_strategy()) {
        for charset in [Charset::Utf8, Charset::ShiftJis] {
            let bytes = export(&customers, charset).expect("the strategy's text fits both");
            let fresh = plan_import(&bytes, None, &[], &agents()).expect("reads back");
            prop_assert!(fresh.report.errors.is_empty(), "{:?}", fresh.report.errors);
            prop_assert_eq!(&fresh.writes, &customers);
            if std::str::from_utf8(&bytes).is_err() {
                prop_assert_eq!(fresh.report.charset, charset);
            }
            let again = plan_import(&bytes, Some(charset), &customers, &agents()).expect("reads back");
            prop_assert!(again.writes.is_empty());
            prop_assert_eq!(again.report.unchanged as usize, customers.len());
        }
    }
}
