//! The tsunagu operator CLI: sign and verify Twilio webhooks, mint and decode tokens, administer tenants.

mod admin;
mod admin_args;
mod args;
mod embed;
mod outcome;
mod token;
mod webhook;

use std::process::ExitCode;

use clap::Parser as _;

use crate::{
    args::{Cli, Command, EmbedCommand, TokenCommand, WebhookCommand},
    outcome::Outcome,
};

fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::Webhook(WebhookCommand::Sign) => webhook::sign(),
        Command::Webhook(WebhookCommand::Verify) => webhook::verify(),
        Command::Token(TokenCommand::Mint(args)) => token::mint(&args),
        Command::Token(TokenCommand::Decode { jwt }) => token::decode(&jwt),
        Command::Embed(EmbedCommand::Mint(args)) => embed::mint(&args),
        Command::Embed(EmbedCommand::Verify(args)) => embed::verify(&args),
        Command::Admin(args) => admin::run(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Outcome::Invalid) => ExitCode::from(1),
        Err(Outcome::InputError(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
