//! Fuzz target: arbitrary strings through the TwiML builder; what it writes must be XML that
//! quick-xml reads back, and what it refuses must hold a forbidden character.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use tsunagu_twilio::twiml::{
    Client, Conference, Dial, Enqueue, Gather, Language, Number, Pause, Play, Queue, Record,
    Redirect, Reject, RejectReason, Response, Say, SpeechTimeout, TwimlError, Voice,
};

#[derive(Arbitrary, Debug)]
enum VerbInput {
    Say {
        text: String,
        voice: Option<String>,
        language: Option<String>,
        repeat: Option<u32>,
    },
    Play {
        url: Option<String>,
        digits: Option<String>,
    },
    Pause(Option<u32>),
    Gather {
        action: Option<String>,
        hints: Option<String>,
        finish_on_key: Option<String>,
        prompt: Vec<String>,
        speech_timeout: Option<u32>,
    },
    Client {
        identity: String,
        url: Option<String>,
        parameters: Vec<(String, String)>,
    },
    Number {
        number: String,
        send_digits: Option<String>,
    },
    Conference {
        name: String,
        coach: Option<String>,
        wait_url: Option<String>,
        label: Option<String>,
    },
    Queue {
        name: String,
        url: Option<String>,
    },
    Enqueue {
        name: String,
        action: Option<String>,
        wait_url: Option<String>,
    },
    Leave,
    Redirect(String),
    Hangup,
    Reject(bool),
    Record {
        action: Option<String>,
        finish_on_key: Option<String>,
    },
}

fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Adds the verb to the document and its strings to `strings`.
fn add(response: Response, verb: VerbInput, strings: &mut Vec<String>) -> Response {
    let mut keep = |s: &String| strings.push(s.clone());
    match verb {
        VerbInput::Say {
            text,
            voice,
            language,
            repeat,
        } => {
            keep(&text);
            let mut say = Say::new(text);
            if let Some(voice) = voice {
                keep(&voice);
                say = say.voice(Voice::from(voice.as_str()));
            }
            if let Some(language) = language {
                keep(&language);
                say = say.language(Language::from(language.as_str()));
            }
            if let Some(repeat) = repeat {
                say = say.loop_(repeat);
            }
            response.say(say)
        }
        VerbInput::Play { url, digits } => {
            let mut play = match &url {
                Some(url) => Play::new(url.clone()),
                None => Play::tones(""),
            };
            url.iter().for_each(&mut keep);
            if let Some(digits) = digits {
                keep(&digits);
                play = play.digits(digits);
            }
            response.play(play)
        }
        VerbInput::Pause(length) => {
            let mut pause = Pause::new();
            if let Some(length) = length {
                pause = pause.length(length);
            }
            response.pause(pause)
        }
        VerbInput::Gather {
            action,
            hints,
            finish_on_key,
            prompt,
            speech_timeout,
        } => {
            let mut gather = Gather::new().language(Language::JaJp);
            if let Some(action) = action {
                keep(&action);
                gather = gather.action(action);
            }
            if let Some(hints) = hints {
                keep(&hints);
                gather = gather.hints(hints);
            }
            if let Some(key) = finish_on_key {
                keep(&key);
                gather = gather.finish_on_key(key);
            }
            if let Some(seconds) = speech_timeout {
                gather = gather.speech_timeout(SpeechTimeout::Seconds(seconds));
            }
            for text in prompt {
                keep(&text);
                gather = gather.say(Say::new(text));
            }
            response.gather(gather)
        }
        VerbInput::Client {
            identity,
            url,
            parameters,
        } => {
            keep(&identity);
            let mut client = Client::new(identity);
            if let Some(url) = url {
                keep(&url);
                client = client.url(url);
            }
            for (name, value) in parameters {
                keep(&name);
                keep(&value);
                client = client.parameter(name, value);
            }
            response.dial(Dial::new().answer_on_bridge(true).client(client))
        }
        VerbInput::Number {
            number,
            send_digits,
        } => {
            keep(&number);
            let mut noun = Number::new(number);
            if let Some(digits) = send_digits {
                keep(&digits);
                noun = noun.send_digits(digits);
            }
            response.dial(Dial::new().number(noun))
        }
        VerbInput::Conference {
            name,
            coach,
            wait_url,
            label,
        } => {
            keep(&name);
            let mut conference = Conference::new(name);
            if let Some(coach) = coach {
                keep(&coach);
                conference = conference.coach(coach);
            }
            if let Some(wait_url) = wait_url {
                keep(&wait_url);
                conference = conference.wait_url(wait_url);
            }
            if let Some(label) = label {
                keep(&label);
                conference = conference.participant_label(label);
            }
            response.dial(Dial::new().conference(conference))
        }
        VerbInput::Queue { name, url } => {
            keep(&name);
            let mut queue = Queue::new(name);
            if let Some(url) = url {
                keep(&url);
                queue = queue.url(url);
            }
            response.dial(Dial::new().queue(queue))
        }
        VerbInput::Enqueue {
            name,
            action,
            wait_url,
        } => {
            keep(&name);
            let mut enqueue = Enqueue::new(name);
            if let Some(action) = action {
                keep(&action);
                enqueue = enqueue.action(action);
            }
            if let Some(wait_url) = wait_url {
                keep(&wait_url);
                enqueue = enqueue.wait_url(wait_url);
            }
            response.enqueue(enqueue)
        }
        VerbInput::Leave => response.leave(),
        VerbInput::Redirect(url) => {
            keep(&url);
            response.redirect(Redirect::new(url))
        }
        VerbInput::Hangup => response.hangup(),
        VerbInput::Reject(busy) => response.reject(Reject::new().reason(if busy {
            RejectReason::Busy
        } else {
            RejectReason::Rejected
        })),
        VerbInput::Record {
            action,
            finish_on_key,
        } => {
            let mut record = Record::new();
            if let Some(action) = action {
                keep(&action);
                record = record.action(action);
            }
            if let Some(key) = finish_on_key {
                keep(&key);
                record = record.finish_on_key(key);
            }
            response.record(record)
        }
    }
}

fuzz_target!(|verbs: Vec<VerbInput>| {
    let mut strings = Vec::new();
    let response = verbs.into_iter().fold(Response::new(), |response, verb| {
        add(response, verb, &mut strings)
    });
    let any_forbidden = strings.iter().any(|s| s.chars().any(forbidden));

    match response.to_xml() {
        Err(TwimlError::ControlCharacter { .. }) => {
            assert!(
                any_forbidden,
                "refused a document without a forbidden character"
            );
        }
        Err(other) => panic!("unexpected error: {other:?}"),
        Ok(xml) => {
            assert!(!any_forbidden, "wrote a forbidden character");
            assert!(
                !xml.chars().any(forbidden),
                "the output holds a forbidden character"
            );
            let mut reader = Reader::from_str(&xml);
            let mut depth = 0usize;
            let mut roots = 0usize;
            loop {
                match reader.read_event() {
                    Ok(Event::Start(start)) => {
                        if depth == 0 {
                            roots += 1;
                            assert_eq!(start.name().into_inner(), "Response");
                        }
                        depth += 1;
                    }
                    Ok(Event::End(_)) => depth -= 1,
                    Ok(Event::Empty(start)) => {
                        if depth == 0 {
                            roots += 1;
                            assert_eq!(start.name().into_inner(), "Response");
                        }
                        for attribute in start.attributes() {
                            let attribute = attribute.expect("well-formed attribute");
                            attribute
                                .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                                .expect("attribute value unescapes");
                        }
                    }
                    Ok(Event::GeneralRef(reference)) => {
                        let known = reference
                            .resolve_char_ref()
                            .expect("valid char ref")
                            .is_some()
                            || quick_xml::escape::resolve_predefined_entity(&reference).is_some();
                        assert!(known, "unknown entity reference");
                    }
                    Ok(Event::Eof) => break,
                    Ok(_) => {}
                    Err(error) => panic!("our output does not parse: {error}"),
                }
            }
            assert_eq!((depth, roots), (0, 1));
        }
    }
});
