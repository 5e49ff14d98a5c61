//! Command-line and environment configuration.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::auth::exhibitor::TokenCommand;
use crate::auth::staff::StaffCommand;

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
            command: None,
        }
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
                    role: crate::auth::staff::Role::Admin,
                    password_file: None,
                }
            })
        );
    }
}
