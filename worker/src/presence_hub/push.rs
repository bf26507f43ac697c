//! The hub's side of the server API's pushes: a CRM backend's request for one agent, decided by the center.

use super::*;
use tsunagu_auth::PUSH_RATE_LIMIT;

use crate::hub::{PushReply, PushRequest};

impl PresenceHub {
    /// `POST /push`: what the center did with the push (the widget's message goes out in
    /// `settle`), or why it refused it.
    pub(super) async fn push(&self, mut req: Request) -> Result<Response> {
        let request: PushRequest = req.json().await?;
        if !self.load(request.config).await? {
            return Response::error("the tenant's settings are not available yet", 503);
        }
        let now = clock::now();
        // Counted before the center is asked: a refused push costs nothing more.
        let allowed = self
            .push_buckets
            .borrow_mut()
            .entry(request.agent.clone())
            .or_default()
            .take(PUSH_RATE_LIMIT, now.0);
        if !allowed {
            return Response::from_json(&PushReply {
                pushed: None,
                refused: Some(tsunagu_center::PushRefusal::TooManyPushes),
            });
        }
        let input = Input::PushToAgent {
            agent: request.agent,
            push: request.push,
        };
        let reply = match self.with_center(|center| center.handle_input(now, input)) {
            Some(Ok(Reply::Pushed(pushed))) => PushReply {
                pushed: Some(pushed),
                refused: None,
            },
            Some(Err(error)) => match tsunagu_center::PushRefusal::of(&error) {
                Some(refusal) => PushReply {
                    pushed: None,
                    refused: Some(refusal),
                },
                None => return Response::error(format!("push refused: {error}"), 500),
            },
            Some(Ok(_)) | None => return Response::error("the push was not answered", 500),
        };
        self.settle().await?;
        Response::from_json(&reply)
    }
}
