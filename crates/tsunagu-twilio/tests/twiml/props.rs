//! Property: any strings either are refused for a forbidden character or come back unchanged
//! from a parse of the written document.

use proptest::prelude::*;
use tsunagu_twilio::twiml::{
    Client, Conference, Dial, Enqueue, Gather, Language, Play, Redirect, Response, Say, TwimlError,
    Voice,
};

use super::canonical::parse;

fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Strings that lean on the characters that matter to XML, plus anything at all.
fn tricky_string() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        4 => any::<char>(),
        2 => prop::sample::select(vec![
            '&', '<', '>', '"', '\'', ';', '#', '\t', '\n', '\r', ' ', ']', '日', '\u{85}',
            '\u{2028}', '\u{7f}',
        ]),
        1 => prop::sample::select(vec!['\u{0}', '\u{1}', '\u{b}', '\u{1f}', '\u{fffe}', '\u{ffff}']),
    ];
    prop::collection::vec(c, 0..24).prop_map(String::from_iter)
}

#[derive(Debug, Clone)]
struct Inputs {
    say_text: String,
    voice: String,
    play_url: String,
    action: String,
    identity: String,
    parameter_name: String,
    parameter_value: String,
    conference: String,
    queue: String,
    redirect: String,
}

fn inputs() -> impl Strategy<Value = Inputs> {
    (
        prop::collection::vec(tricky_string(), 10),
        prop::bool::weighted(0.3),
    )
        .prop_map(|(strings, clean)| {
            let mut strings = strings.into_iter().map(|s| {
                if clean {
                    s.chars().filter(|c| !forbidden(*c)).collect()
                } else {
                    s
                }
            });
            let mut next = || strings.next().unwrap_or_default();
            Inputs {
                say_text: next(),
                voice: next(),
                play_url: next(),
                action: next(),
                identity: next(),
                parameter_name: next(),
                parameter_value: next(),
                conference: next(),
                queue: next(),
                redirect: next(),
            }
        })
}

fn document(inputs: &Inputs) -> Response {
    Response::new()
        .gather(
            Gather::new()
                .action(inputs.action.clone())
                .language(Language::JaJp)
                .say(Say::new(inputs.say_text.clone()).voice(Voice::from(inputs.voice.as_str())))
                .play(Play::new(inputs.play_url.clone())),
        )
        .dial(
            Dial::new().client(Client::new(inputs.identity.clone()).parameter(
                inputs.parameter_name.clone(),
                inputs.parameter_value.clone(),
            )),
        )
        .dial(Dial::new().conference(Conference::new(inputs.conference.clone()).wait_url("")))
        .enqueue(Enqueue::new(inputs.queue.clone()))
        .redirect(Redirect::new(inputs.redirect.clone()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn strings_are_refused_or_round_trip(inputs in inputs()) {
        let all = [
            &inputs.say_text, &inputs.voice, &inputs.play_url, &inputs.action, &inputs.identity,
            &inputs.parameter_name, &inputs.parameter_value, &inputs.conference, &inputs.queue,
            &inputs.redirect,
        ];
        let any_forbidden = all.iter().any(|s| s.chars().any(forbidden));
        match document(&inputs).to_xml() {
            Err(TwimlError::ControlCharacter { .. }) => prop_assert!(any_forbidden),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
            Ok(xml) => {
                prop_assert!(!any_forbidden, "a forbidden character was written: {xml:?}");
                let parsed = parse(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml:?}")))?;
                let elements = parsed.root.descendants();
                let find = |name: &str| {
                    elements.iter().find(|e| e.name == name).copied()
                };
                let say = find("Say").expect("Say");
                prop_assert_eq!(say.text(), inputs.say_text.clone());
                prop_assert_eq!(&say.attributes["voice"], &inputs.voice);
                prop_assert_eq!(find("Play").expect("Play").text(), inputs.play_url.clone());
                prop_assert_eq!(&find("Gather").expect("Gather").attributes["action"], &inputs.action);
                prop_assert_eq!(find("Identity").expect("Identity").text(), inputs.identity.clone());
                let parameter = find("Parameter").expect("Parameter");
                prop_assert_eq!(&parameter.attributes["name"], &inputs.parameter_name);
                prop_assert_eq!(&parameter.attributes["value"], &inputs.parameter_value);
                prop_assert_eq!(find("Conference").expect("Conference").text(), inputs.conference.clone());
                prop_assert_eq!(find("Enqueue").expect("Enqueue").text(), inputs.queue.clone());
                prop_assert_eq!(find("Redirect").expect("Redirect").text(), inputs.redirect.clone());
            }
        }
    }
}
