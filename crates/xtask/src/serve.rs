//! `cargo xtask serve`: build the viewer for the web and the server (release) side by side,
//! then run the server on its embedded store under ./data; on first start it imports
//! exhibitors/ and prints the URL.
//!
//! When the viewer has changed, the hall opens at once with a quickly finished viewer (no
//! wasm-opt, lighter compression) while wasm-opt, the slowest step, runs beside the server;
//! its result replaces the quick files in place (the page fetches the viewer anew on its next
//! load). With nothing changed, the optimised viewer is there already and the server starts
//! straight away.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{build_web, e2e, project_root};

/// Where the demonstration's programme clock stands when nobody chose one: during the seed
/// week's first keynote, so the agenda and the contest show a week under way rather than one
/// long over. Only the programme reads this clock (credentials and media keep the system's).
const DEMO_CLOCK: &str = "2020-09-14T09:45:00+08:00";

pub fn run(server_args: &[String]) -> Result<()> {
    let root = project_root();
    // The viewer builds in its own target directory: build the server beside it.
    let web = std::thread::spawn(build_web::compile);
    let server = e2e::build_server(&root, true);
    web.join()
        .map_err(|_| anyhow::anyhow!("the viewer build thread panicked"))??;
    let binary = server?;

    let optimised = build_web::is_up_to_date(build_web::Finish::Release)?;
    if !optimised {
        build_web::post_process(build_web::Finish::Quick)?;
    }
    let mut args: Vec<&str> = server_args.iter().map(String::as_str).collect();
    if args.is_empty() {
        args.push("serve");
    }
    eprintln!(
        "\nStarting the server; it prints \"Pavilion is open at ...\" when the hall is ready."
    );
    let mut command = Command::new(&binary);
    command.args(&args).current_dir(&root);
    if std::env::var_os("PAVILION_CLOCK").is_none()
        && !args.iter().any(|a| a.starts_with("--clock"))
    {
        eprintln!(
            "The programme's clock stands on {DEMO_CLOCK} (the summit's opening keynote in \
             programme/programme.toml) and runs on from there; set PAVILION_CLOCK to choose \
             another moment."
        );
        command.env("PAVILION_CLOCK", DEMO_CLOCK);
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    if !optimised {
        eprintln!(
            "The viewer is served unoptimised for now; wasm-opt runs beside the server \
             (several minutes) and its result replaces it in place."
        );
        match build_web::post_process(build_web::Finish::Release) {
            Ok(sizes) => eprintln!(
                "The optimised viewer is in place ({} bytes brotli); reload the page to get it.",
                sizes.brotli
            ),
            Err(e) => eprintln!("The viewer could not be optimised ({e:#}); it stays as it is."),
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("the server exited with {status}");
    }
    Ok(())
}
