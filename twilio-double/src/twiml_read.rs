//! Reads the TwiML the worker answers with into typed verbs (tsunagu-twilio only writes TwiML).

use quick_xml::{Reader, XmlVersion, events::Event};
use serde::Serialize;

/// Why a TwiML document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwimlReadError {
    #[error("the document is not well-formed XML")]
    Malformed,
    #[error("the document's root element is not <Response>")]
    NotResponse,
}

/// One element of a document, before it is given meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn attr(&self, name: &str) -> Option<String> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }

    fn number(&self, name: &str) -> Option<u32> {
        self.attr(name).and_then(|v| v.trim().parse().ok())
    }

    fn flag(&self, name: &str) -> bool {
        self.attr(name).is_some_and(|v| v.trim() == "true")
    }

    fn method(&self, name: &str) -> String {
        self.attr(name)
            .map_or_else(|| "POST".to_owned(), |m| m.trim().to_ascii_uppercase())
    }

    fn events(&self, name: &str) -> Vec<String> {
        self.attr(name)
            .map(|v| v.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    fn body(&self) -> String {
        self.text.trim().to_owned()
    }
}

/// A verb of a `<Response>`, with Twilio's defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verb", rename_all = "snake_case")]
pub enum Verb {
    Say {
        text: String,
        voice: Option<String>,
        language: Option<String>,
        loop_count: u32,
    },
    Play {
        url: String,
        loop_count: u32,
        digits: Option<String>,
    },
    Pause {
        length: u32,
    },
    Gather(Gather),
    Dial(Dial),
    Enqueue(Enqueue),
    Leave,
    Redirect {
        url: String,
        method: String,
    },
    Hangup,
    Reject {
        reason: String,
    },
    Record(Record),
    /// A verb the double does not play (`<Start>`, `<Connect>`, `<Pay>`, …); logged and skipped.
    Unsupported {
        name: String,
    },
}

impl Verb {
    pub fn name(&self) -> &str {
        match self {
            Verb::Say { .. } => "Say",
            Verb::Play { .. } => "Play",
            Verb::Pause { .. } => "Pause",
            Verb::Gather(_) => "Gather",
            Verb::Dial(_) => "Dial",
            Verb::Enqueue(_) => "Enqueue",
            Verb::Leave => "Leave",
            Verb::Redirect { .. } => "Redirect",
            Verb::Hangup => "Hangup",
            Verb::Reject { .. } => "Reject",
            Verb::Record(_) => "Record",
            Verb::Unsupported { name } => name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gather {
    pub action: Option<String>,
    pub method: String,
    pub timeout: u32,
    pub finish_on_key: String,
    pub num_digits: Option<u32>,
    pub action_on_empty_result: bool,
    /// `input` includes `dtmf` (Twilio's default is `dtmf` alone).
    pub hears_dtmf: bool,
    /// `input` includes `speech`.
    pub hears_speech: bool,
    /// Nested `<Say>`, `<Play>`, `<Pause>`.
    pub children: Vec<Verb>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dial {
    pub action: Option<String>,
    pub method: String,
    pub timeout: u32,
    pub time_limit: u32,
    pub answer_on_bridge: bool,
    pub caller_id: Option<String>,
    pub record: String,
    pub recording_status_callback: Option<String>,
    pub recording_status_callback_method: String,
    pub recording_status_callback_events: Vec<String>,
    pub ring_tone: Option<String>,
    pub nouns: Vec<DialNoun>,
}

impl Dial {
    /// `record-from-answer`, `-dual` and the `ringing` variants all record; `true` is legacy.
    pub fn records(&self) -> bool {
        self.record.starts_with("record-from") || self.record == "true"
    }

    pub fn recording_channels(&self) -> u8 {
        if self.record.ends_with("-dual") { 2 } else { 1 }
    }
}

/// Status callback settings of a `<Client>` or `<Number>` leg.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegCallbacks {
    pub status_callback: Option<String>,
    pub status_callback_method: String,
    /// With none given, only `completed` is reported.
    pub status_callback_events: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "noun", rename_all = "snake_case")]
pub enum DialNoun {
    Client {
        identity: String,
        parameters: Vec<(String, String)>,
        url: Option<String>,
        callbacks: LegCallbacks,
    },
    Number {
        number: String,
        send_digits: Option<String>,
        url: Option<String>,
        callbacks: LegCallbacks,
    },
    Conference {
        name: String,
        muted: bool,
        start_conference_on_enter: bool,
        end_conference_on_exit: bool,
        coach: Option<String>,
        region: Option<String>,
    },
    Queue {
        name: String,
        url: Option<String>,
    },
    Unsupported {
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Enqueue {
    pub queue: String,
    pub action: Option<String>,
    pub method: String,
    pub wait_url: Option<String>,
    pub wait_url_method: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    pub action: Option<String>,
    pub method: String,
    pub max_length: u32,
    pub timeout: u32,
    pub finish_on_key: String,
    pub recording_status_callback: Option<String>,
    pub recording_status_callback_method: String,
    pub recording_status_callback_events: Vec<String>,
}

/// Reads a TwiML document. An empty body reads as an empty `<Response/>` (Twilio hangs up).
pub fn parse(xml: &str) -> Result<Vec<Verb>, TwimlReadError> {
    if xml.trim().is_empty() {
        return Ok(Vec::new());
    }
    let root = read_tree(xml)?;
    if root.name != "Response" {
        return Err(TwimlReadError::NotResponse);
    }
    Ok(root.children.iter().map(verb).collect())
}

fn read_tree(xml: &str) -> Result<Element, TwimlReadError> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let event = reader.read_event().map_err(|_| TwimlReadError::Malformed)?;
        let is_empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                let name = start.local_name().as_ref().to_owned();
                let mut attributes = Vec::new();
                for attribute in start.attributes() {
                    let attribute = attribute.map_err(|_| TwimlReadError::Malformed)?;
                    let key = attribute.key.local_name().as_ref().to_owned();
                    let value = attribute
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|_| TwimlReadError::Malformed)?
                        .into_owned();
                    attributes.push((key, value));
                }
                let element = Element {
                    name,
                    attributes,
                    children: Vec::new(),
                    text: String::new(),
                };
                if is_empty {
                    close(&mut stack, &mut root, element)?;
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let element = stack.pop().ok_or(TwimlReadError::Malformed)?;
                close(&mut stack, &mut root, element)?;
            }
            Event::Text(text) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&text.xml10_content());
                }
            }
            Event::CData(data) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => match reference.xml10_content().as_ref() {
                        "amp" => "&".to_owned(),
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "quot" => "\"".to_owned(),
                        "apos" => "'".to_owned(),
                        _ => return Err(TwimlReadError::Malformed),
                    },
                    Err(_) => return Err(TwimlReadError::Malformed),
                };
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(TwimlReadError::Malformed);
    }
    root.ok_or(TwimlReadError::Malformed)
}

fn close(
    stack: &mut [Element],
    root: &mut Option<Element>,
    element: Element,
) -> Result<(), TwimlReadError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None if root.is_none() => *root = Some(element),
        None => return Err(TwimlReadError::Malformed),
    }
    Ok(())
}

fn verb(element: &Element) -> Verb {
    match element.name.as_str() {
        "Say" => Verb::Say {
            text: element.body(),
            voice: element.attr("voice"),
            language: element.attr("language"),
            loop_count: element.number("loop").unwrap_or(1),
        },
        "Play" => Verb::Play {
            url: element.body(),
            loop_count: element.number("loop").unwrap_or(1),
            digits: element.attr("digits"),
        },
        "Pause" => Verb::Pause {
            length: element.number("length").unwrap_or(1),
        },
        "Gather" => Verb::Gather(Gather {
            action: element.attr("action"),
            method: element.method("method"),
            timeout: element.number("timeout").unwrap_or(5),
            finish_on_key: element
                .attr("finishOnKey")
                .unwrap_or_else(|| "#".to_owned()),
            num_digits: element.number("numDigits"),
            action_on_empty_result: element.flag("actionOnEmptyResult"),
            hears_dtmf: element
                .attr("input")
                .is_none_or(|input| input.split_whitespace().any(|i| i == "dtmf")),
            hears_speech: element
                .attr("input")
                .is_some_and(|input| input.split_whitespace().any(|i| i == "speech")),
            children: element
                .children
                .iter()
                .filter(|c| matches!(c.name.as_str(), "Say" | "Play" | "Pause"))
                .map(verb)
                .collect(),
        }),
        "Dial" => Verb::Dial(dial(element)),
        "Enqueue" => Verb::Enqueue(Enqueue {
            queue: element.body(),
            action: element.attr("action"),
            method: element.method("method"),
            wait_url: element.attr("waitUrl").filter(|u| !u.trim().is_empty()),
            wait_url_method: element.method("waitUrlMethod"),
        }),
        "Leave" => Verb::Leave,
        "Redirect" => Verb::Redirect {
            url: element.body(),
            method: element.method("method"),
        },
        "Hangup" => Verb::Hangup,
        "Reject" => Verb::Reject {
            reason: element
                .attr("reason")
                .unwrap_or_else(|| "rejected".to_owned()),
        },
        "Record" => Verb::Record(Record {
            action: element.attr("action"),
            method: element.method("method"),
            max_length: element.number("maxLength").unwrap_or(3600),
            timeout: element.number("timeout").unwrap_or(5),
            finish_on_key: element
                .attr("finishOnKey")
                .unwrap_or_else(|| "1234567890*#".to_owned()),
            recording_status_callback: element.attr("recordingStatusCallback"),
            recording_status_callback_method: element.method("recordingStatusCallbackMethod"),
            recording_status_callback_events: element.events("recordingStatusCallbackEvent"),
        }),
        other => Verb::Unsupported {
            name: other.to_owned(),
        },
    }
}

fn dial(element: &Element) -> Dial {
    let mut nouns: Vec<DialNoun> = element.children.iter().map(noun).collect();
    let bare = element.body();
    if nouns.is_empty() && !bare.is_empty() {
        nouns.push(DialNoun::Number {
            number: bare,
            send_digits: None,
            url: None,
            callbacks: LegCallbacks {
                status_callback: None,
                status_callback_method: "POST".to_owned(),
                status_callback_events: Vec::new(),
            },
        });
    }
    Dial {
        action: element.attr("action"),
        method: element.method("method"),
        timeout: element.number("timeout").unwrap_or(30),
        time_limit: element.number("timeLimit").unwrap_or(14_400),
        answer_on_bridge: element.flag("answerOnBridge"),
        caller_id: element.attr("callerId"),
        record: element
            .attr("record")
            .unwrap_or_else(|| "do-not-record".to_owned()),
        recording_status_callback: element.attr("recordingStatusCallback"),
        recording_status_callback_method: element.method("recordingStatusCallbackMethod"),
        recording_status_callback_events: element.events("recordingStatusCallbackEvent"),
        ring_tone: element.attr("ringTone"),
        nouns,
    }
}

fn callbacks(element: &Element) -> LegCallbacks {
    LegCallbacks {
        status_callback: element.attr("statusCallback"),
        status_callback_method: element.method("statusCallbackMethod"),
        status_callback_events: element.events("statusCallbackEvent"),
    }
}

fn noun(element: &Element) -> DialNoun {
    match element.name.as_str() {
        "Client" => {
            let identity = element
                .children
                .iter()
                .find(|c| c.name == "Identity")
                .map_or_else(|| element.body(), Element::body);
            let parameters = element
                .children
                .iter()
                .filter(|c| c.name == "Parameter")
                .filter_map(|c| Some((c.attr("name")?, c.attr("value").unwrap_or_default())))
                .collect();
            DialNoun::Client {
                identity,
                parameters,
                url: element.attr("url"),
                callbacks: callbacks(element),
            }
        }
        "Number" => DialNoun::Number {
            number: element.body(),
            send_digits: element.attr("sendDigits"),
            url: element.attr("url"),
            callbacks: callbacks(element),
        },
        "Conference" => DialNoun::Conference {
            name: element.body(),
            muted: element.flag("muted"),
            start_conference_on_enter: element
                .attr("startConferenceOnEnter")
                .is_none_or(|v| v != "false"),
            end_conference_on_exit: element.flag("endConferenceOnExit"),
            coach: element.attr("coach"),
            region: element.attr("region"),
        },
        "Queue" => DialNoun::Queue {
            name: element.body(),
            url: element.attr("url"),
        },
        other => DialNoun::Unsupported {
            name: other.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests;
