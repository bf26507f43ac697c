//! The `twilio-double` binary: `serve` plays Twilio for a worker; `run` plays a scenario against one.

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand};
use tsunagu_twilio_double::{
    config::{Config, DEFAULT_LISTEN},
    scenario::{self, Scenario},
    server,
};

#[derive(Debug, Parser)]
#[command(
    name = "twilio-double",
    about = "A Twilio-compatible test double for Tsunagu (dev and test only)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve until interrupted.
    Serve(Setup),
    /// Play a scenario file against a running worker, then exit (non-zero when a step fails).
    Run {
        scenario: PathBuf,
        #[command(flatten)]
        setup: Setup,
    },
}

#[derive(Debug, Args)]
struct Setup {
    /// A JSON configuration (accounts, numbers, phones, options). Without it: the demo tenant.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The worker's origin, for the demo configuration.
    #[arg(long, default_value = "http://127.0.0.1:8787")]
    worker: String,
    /// Where the demo tenant's development secrets are.
    #[arg(long, default_value = ".dev.vars")]
    dev_vars: PathBuf,
    #[arg(long)]
    listen: Option<String>,
    #[arg(long)]
    seed: Option<u64>,
    /// Probability that a callback is delivered twice.
    #[arg(long)]
    duplicate: Option<f64>,
    /// Probability that a callback is held back past later ones.
    #[arg(long)]
    reorder: Option<f64>,
    /// Multiplies simulated waits (0.1: a 15 s ring takes 1.5 s).
    #[arg(long)]
    time_scale: Option<f64>,
}

impl Setup {
    fn config(&self) -> Result<Config, String> {
        let mut config = match &self.config {
            Some(path) => Config::load(path).map_err(|e| e.to_string())?,
            None => {
                let vars = std::fs::read_to_string(&self.dev_vars)
                    .map_err(|e| format!("cannot read {}: {e}", self.dev_vars.display()))?;
                Config::demo(&self.worker, &vars).map_err(|e| e.to_string())?
            }
        };
        if let Some(listen) = &self.listen {
            config.listen.clone_from(listen);
        }
        let options = &mut config.options;
        if let Some(seed) = self.seed {
            options.seed = Some(seed);
        }
        if let Some(p) = self.duplicate {
            options.duplicate_probability = p;
        }
        if let Some(p) = self.reorder {
            options.reorder_probability = p;
        }
        if let Some(scale) = self.time_scale {
            options.time_scale = scale;
        }
        Ok(config)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(setup) => serve(&setup).await,
        Command::Run { scenario, setup } => run(&scenario, &setup).await,
    }
}

async fn serve(setup: &Setup) -> ExitCode {
    let config = match setup.config() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("twilio-double: {err}");
            return ExitCode::FAILURE;
        }
    };
    let running = match server::start(config).await {
        Ok(running) => running,
        Err(err) => {
            eprintln!("twilio-double: cannot listen: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "twilio-double listening on {} (seed {})",
        running.url(),
        running.double.seed
    );
    tokio::select! {
        result = running.task => {
            eprintln!("twilio-double: server stopped: {result:?}");
            ExitCode::FAILURE
        }
        _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
    }
}

async fn run(path: &std::path::Path, setup: &Setup) -> ExitCode {
    let scenario = match Scenario::load(path) {
        Ok(scenario) => scenario,
        Err(err) => {
            eprintln!("twilio-double: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut config = match setup.config() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("twilio-double: {err}");
            return ExitCode::FAILURE;
        }
    };
    if setup.listen.is_none() && config.listen.is_empty() {
        DEFAULT_LISTEN.clone_into(&mut config.listen);
    }
    if let Some(scale) = scenario.time_scale {
        config.options.time_scale = scale;
    }
    let running = match server::start(config).await {
        Ok(running) => running,
        Err(err) => {
            eprintln!("twilio-double: cannot listen: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "scenario {:?} (double on {}, seed {})",
        scenario.name,
        running.url(),
        running.double.seed
    );
    let results = scenario::run(&running.double, &scenario).await;
    let mut failed = 0;
    for result in &results {
        match &result.failure {
            None => println!("ok {} {}", result.index, result.description),
            Some(why) => {
                failed += 1;
                println!("FAILED {} {}: {why}", result.index, result.description);
            }
        }
    }
    let skipped = scenario.steps.len() - results.len();
    println!(
        "{} passed, {failed} failed, {skipped} skipped",
        results.len() - failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
