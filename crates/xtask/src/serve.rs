//! `cargo xtask serve`: build the viewer for the web, then run the server (release build) on
//! its embedded store under ./data; on first start it imports exhibitors/ and prints the URL.

use anyhow::Result;

use crate::{build_web, cmd, project_root};

pub fn run(server_args: &[String]) -> Result<()> {
    let root = project_root();
    build_web::run(build_web::Finish::Release)?;
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
