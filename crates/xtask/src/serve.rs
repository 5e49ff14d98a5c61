//! `cargo xtask serve`: build the viewer for the web and the server (release) side by side,
//! then run the server on its embedded store under ./data; on first start it imports
//! exhibitors/ and prints the URL.

use anyhow::Result;

use crate::{build_web, cmd, project_root};

pub fn run(server_args: &[String]) -> Result<()> {
    let root = project_root();
    // The viewer builds in its own target directory: build the server beside it.
    let web = std::thread::spawn(|| build_web::run(build_web::Finish::Release));
    let server = cmd::run(
        &root,
        &cmd::cargo(),
        &[
            "build",
            "--release",
            "--package",
            "pavilion-server",
            "--bin",
            "pavilion",
        ],
    );
    web.join()
        .map_err(|_| anyhow::anyhow!("the web build thread panicked"))??;
    server?;
    let mut args = vec![
        "run",
        "--release",
        "--package",
        "pavilion-server",
        "--bin",
        "pavilion",
        "--",
    ];
    args.extend(server_args.iter().map(String::as_str));
    if server_args.is_empty() {
        args.push("serve");
    }
    eprintln!(
        "\nStarting the server; it prints \"Pavilion is open at ...\" when the hall is ready."
    );
    cmd::run(&root, &cmd::cargo(), &args)
}
