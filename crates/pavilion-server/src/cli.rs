//! The command line: flags and environment variables ([`Config`]) and every subcommand
//! (`serve`, `import`, `staff ...`, `token ...`) with the code that runs the account and
//! token commands against the data folder.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::db::{Role, Store};
use crate::error::Error;
use crate::exhibitor::tokens;
use crate::limits::{IpRange, Limits};
use crate::staff::accounts;

/// Pavilion: a virtual exhibition hall server.
#[derive(Debug, Clone, Parser)]
#[command(name = "pavilion", version, about)]
pub struct Config {
    /// Folder for the database and the media store.
    #[arg(
        long,
        env = "PAVILION_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Address to listen on.
    #[arg(
        long,
        env = "PAVILION_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,
    /// Folder with the page shell (index.html, pkg/ with the viewer's wasm).
    #[arg(long, env = "PAVILION_WEB_DIR", default_value = "web", global = true)]
    pub web_dir: PathBuf,
    /// Folder with the viewer's 3D assets, served under /assets.
    #[arg(
        long,
        env = "PAVILION_ASSETS_DIR",
        default_value = "assets",
        global = true
    )]
    pub assets_dir: PathBuf,
    /// The seed catalogue: one folder per exhibitor with profile.toml and logo.svg.
    #[arg(
        long,
        env = "PAVILION_CATALOGUE_DIR",
        default_value = "exhibitors",
        global = true
    )]
    pub catalogue_dir: PathBuf,
    /// A proxy in front of the server (an address or CIDR block; repeat the flag or separate
    /// with commas) whose X-Forwarded-For is believed. By default none: the client address
    /// is the TCP peer's.
    #[arg(
        long = "trusted-proxy",
        env = "PAVILION_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = IpRange::parse,
        global = true
    )]
    pub trusted_proxies: Vec<IpRange>,
    #[command(flatten)]
    pub limits: Limits,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Serve the hall (the default).
    Serve,
    /// Re-import the catalogue: pick up edited and new profiles, then publish.
    Import,
    /// Manage staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Manage exhibitor API tokens (imports the catalogue first on a fresh data folder).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

impl Config {
    /// A configuration with every path under one folder; handy for tests and tools.
    pub fn for_data_dir(data_dir: PathBuf, catalogue_dir: PathBuf) -> Config {
        Config {
            web_dir: data_dir.join("web"),
            assets_dir: data_dir.join("assets"),
            data_dir,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            catalogue_dir,
            trusted_proxies: Vec::new(),
            limits: Limits::default(),
            command: None,
        }
    }
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("{text:?} is not a role: use curator or admin"))
}

/// `pavilion staff ...`: account management from the command line.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum StaffCommand {
    /// Create a staff account. The password is read from --password-file or the first line
    /// of standard input.
    Create {
        name: String,
        #[arg(long, value_parser = parse_role, default_value = "curator")]
        role: Role,
        /// A file whose first line is the password.
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// List the staff accounts.
    List,
}

/// Runs a `pavilion staff` command against the data folder and returns what to print.
pub async fn run_staff_command(store: &Store, command: &StaffCommand) -> Result<String, Error> {
    match command {
        StaffCommand::Create {
            name,
            role,
            password_file,
        } => {
            let text = match password_file {
                Some(path) => tokio::fs::read_to_string(path).await?,
                None => {
                    tokio::task::spawn_blocking(|| {
                        let mut line = String::new();
                        std::io::stdin().read_line(&mut line).map(|_| line)
                    })
                    .await??
                }
            };
            let password = text.lines().next().unwrap_or("");
            let account = accounts::create_account(store, name, *role, password).await?;
            Ok(format!(
                "created staff account {} ({}), id {}",
                account.name,
                account.role.as_str(),
                account.id
            ))
        }
        StaffCommand::List => Ok(accounts::list_accounts(store)
            .await?
            .iter()
            .map(|a| format!("{}\t{}\t{}", a.name, a.role.as_str(), a.created_at))
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

/// `pavilion token ...`: exhibitor tokens from the command line.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum TokenCommand {
    /// Issue a token for an exhibitor and print it (only the token, on the last line).
    Create {
        /// The exhibitor's slug.
        #[arg(long)]
        exhibitor: String,
        /// A note on who holds it.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a token by its id.
    Revoke { id: i64 },
    /// List tokens (never their secrets).
    List {
        #[arg(long)]
        exhibitor: Option<String>,
    },
}

/// Runs a `pavilion token` command and returns what to print.
pub async fn run_token_command(store: &Store, command: &TokenCommand) -> Result<String, Error> {
    match command {
        TokenCommand::Create { exhibitor, label } => {
            let issued = tokens::create_token(store, exhibitor, label, "cli").await?;
            Ok(format!(
                "token {} for {} (shown once, store it now):\n{}",
                issued.id, issued.exhibitor, issued.token
            ))
        }
        TokenCommand::Revoke { id } => {
            let info = tokens::revoke_token(store, *id).await?;
            Ok(format!(
                "token {} of {} revoked at {}",
                info.id,
                info.exhibitor,
                info.revoked_at.unwrap_or_default()
            ))
        }
        TokenCommand::List { exhibitor } => Ok(tokens::list_tokens(store, exhibitor.as_deref())
            .await?
            .iter()
            .map(|t| {
                format!(
                    "{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.exhibitor,
                    t.created_at,
                    t.revoked_at.as_deref().unwrap_or("live"),
                    t.label
                )
            })
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_is_optional_and_flags_are_global() {
        let config =
            Config::try_parse_from(["pavilion", "import", "--data-dir", "/tmp/x"]).unwrap();
        assert_eq!(config.command, Some(Command::Import));
        assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
        let config = Config::try_parse_from(["pavilion"]).unwrap();
        assert_eq!(config.command, None);
        let config = Config::try_parse_from([
            "pavilion",
            "staff",
            "create",
            "ada",
            "--role",
            "admin",
            "--data-dir",
            "/tmp/y",
        ])
        .unwrap();
        assert_eq!(
            config.command,
            Some(Command::Staff {
                command: StaffCommand::Create {
                    name: "ada".into(),
                    role: Role::Admin,
                    password_file: None,
                }
            })
        );
    }
}
