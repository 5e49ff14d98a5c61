//! The command line: flags and environment variables ([`Config`]) and every subcommand
//! (`serve`, `import`, `staff ...`, `token ...`, `check-data`, `backup`, `restore`) with the code that runs the account and
//! token commands against the data folder.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::db::{Role, StaffSession, Store};
use crate::error::Error;
use crate::exhibitor::tokens;
use crate::limits::{IpRange, Limits};
use crate::media::s3::{S3Bucket, S3Config, S3Credentials};
use crate::media::{CheckBudget, MediaStore};
use crate::origin::WebOrigin;
use crate::staff::accounts::{self, AccountAction};
use crate::storage::{MEDIA_FOLDER, StorageRules};

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
    /// A PostgreSQL database for the store instead of the data folder's SQLite file
    /// (`postgres://user:password@host:5432/name`; several servers may share it). Media stay
    /// in the data folder. Create the database with the C collation so text sorts as in
    /// SQLite (`createdb --locale=C --template=template0 pavilion`).
    #[arg(
        long,
        env = "PAVILION_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
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
    /// The seed programme (TOML), imported as the programme draft on first start.
    #[arg(
        long,
        env = "PAVILION_PROGRAMME",
        default_value = "programme/programme.toml",
        global = true
    )]
    pub programme_file: PathBuf,
    /// The seed question sets of the knowledge contest (TOML), imported on a start that finds
    /// no question set.
    #[arg(
        long = "contest",
        env = "PAVILION_CONTEST",
        default_value = "programme/contest.toml",
        global = true
    )]
    pub contest_file: PathBuf,
    /// Stand the programme's clock on this RFC 3339 instant at start-up (such as
    /// 2020-09-16T10:00:00+08:00) and let it run on from there, for tests and demonstrations
    /// on any day of the week. Only the programme's "now" reads it; credentials, the audit
    /// log and media keep the system clock. By default: the system clock.
    #[arg(long, env = "PAVILION_CLOCK", value_parser = crate::time::parse_rfc3339, global = true)]
    pub clock: Option<i64>,
    /// Seconds one media check (an upload, a catalogue file, a logo) may run before the file
    /// is refused with `time_limit`.
    #[arg(
        long,
        env = "PAVILION_CHECK_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub check_timeout_secs: u64,
    /// MiB of data one media check may decompress or decode.
    #[arg(
        long,
        env = "PAVILION_CHECK_MAX_DECODED_MIB",
        default_value_t = 64,
        global = true
    )]
    pub check_max_decoded_mib: u64,
    /// MiB of media one booth may store (its draft media plus uploads under way).
    #[arg(
        long,
        env = "PAVILION_BOOTH_QUOTA_MIB",
        default_value_t = 512,
        global = true
    )]
    pub booth_quota_mib: u64,
    /// Hours a stored file nothing refers to is kept before the sweep deletes it.
    #[arg(
        long,
        env = "PAVILION_ORPHAN_GRACE_HOURS",
        default_value_t = 24,
        global = true
    )]
    pub orphan_grace_hours: u64,
    /// Minutes between two sweeps of unreferenced media and abandoned upload files.
    #[arg(
        long,
        env = "PAVILION_SWEEP_INTERVAL_MINUTES",
        default_value_t = 60,
        global = true
    )]
    pub sweep_interval_minutes: u64,
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
    /// The origin of a static export (`pavilion export --api-origin` naming this server) whose
    /// pages may call this server's visitor API across origins: analytics, leads and the
    /// contest (repeat the flag or separate with commas). By default none: no CORS.
    #[arg(
        long = "cors-origin",
        env = "PAVILION_CORS_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_origins: Vec<WebOrigin>,
    /// Where media live: unset for the folder `<data-dir>/media` (the default), or an
    /// S3-compatible bucket, `s3://<bucket>?endpoint=http://<host>:<port>&region=<region>`,
    /// with the credentials in PAVILION_S3_ACCESS_KEY and PAVILION_S3_SECRET_KEY.
    #[arg(long, env = "PAVILION_MEDIA_URL", global = true)]
    pub media_url: Option<String>,
    /// The bucket's credentials: from the environment unless set here (by tests).
    #[arg(skip)]
    pub s3_credentials: Option<S3Credentials>,
    #[command(flatten)]
    pub limits: Limits,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Serve the hall (the default).
    Serve,
    /// Re-import the catalogue as a seed: add new exhibitors (placed without moving any booth),
    /// update those nobody changed since, keep approved content (reported as conflicts). Updates
    /// the draft; publish from the staff console. Refused while a server holds the data folder:
    /// use `POST /api/v1/staff/import` on it instead.
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
    /// Check the data folder read-only (safe beside a running server): the database's
    /// integrity and every media file against its row (none missing, partial, unreferenced
    /// or left as a temp file). Prints JSON; exits with 1 when anything is wrong.
    CheckData,
    /// Back up the data folder into a new folder, while the server runs: a consistent copy
    /// of the database (VACUUM INTO), the media files it refers to and a manifest of hashes.
    Backup {
        /// The folder to create (must not exist or be empty).
        #[arg(long)]
        to: PathBuf,
    },
    /// Write the published hall as static files (pages, viewer, snapshot, exhibitors,
    /// programme, media, with gzip and brotli forms, `_headers` and `nginx.conf`) that any
    /// static host or CDN can serve. Safe beside a running server.
    Export {
        /// The folder to create (must not exist or be empty).
        to: PathBuf,
        /// The Pavilion server the export's pages call for analytics, leads and the contest
        /// (start it with `--cors-origin <the export's origin>`). Without it those say they
        /// are not available in this copy.
        #[arg(long)]
        api_origin: Option<WebOrigin>,
    },
    /// Restore a backup into the data folder (refused while a server uses it). Every hash is
    /// checked before anything is replaced; the replaced data is kept in `.pre-restore-*`.
    Restore {
        /// The backup folder (made by `pavilion backup`).
        #[arg(long)]
        from: PathBuf,
    },
}

impl Config {
    /// The store this configuration names: PostgreSQL when a database URL is set, else the
    /// data folder's SQLite file.
    pub fn database(&self) -> crate::db::Database<'_> {
        crate::db::Database::chosen(self.database_url.as_deref(), &self.data_dir)
    }

    /// A configuration with every path under one folder; handy for tests and tools.
    pub fn for_data_dir(data_dir: PathBuf, catalogue_dir: PathBuf) -> Config {
        Config {
            web_dir: data_dir.join("web"),
            assets_dir: data_dir.join("assets"),
            // None there unless a caller writes one or points elsewhere: no programme.
            programme_file: data_dir.join("programme.toml"),
            contest_file: data_dir.join("contest.toml"),
            clock: None,
            database_url: None,
            data_dir,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            catalogue_dir,
            check_timeout_secs: 10,
            check_max_decoded_mib: 64,
            booth_quota_mib: 512,
            orphan_grace_hours: 24,
            sweep_interval_minutes: 60,
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            media_url: None,
            s3_credentials: None,
            limits: Limits::default(),
            command: None,
        }
    }

    /// The media store: the folder `<data-dir>/media`, or the bucket of `--media-url` (whose
    /// uploads still stream into `<data-dir>/media/.incoming` first), checked reachable.
    pub async fn media_store(&self) -> Result<MediaStore, Error> {
        let root = self.data_dir.join(MEDIA_FOLDER);
        let Some(url) = self
            .media_url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
        else {
            return Ok(MediaStore::new(root));
        };
        let credentials = self
            .s3_credentials
            .clone()
            .unwrap_or_else(S3Credentials::from_env);
        let config = S3Config::parse(url.trim(), &credentials.access_key, &credentials.secret_key)
            .map_err(|message| Error::BadRequest(format!("--media-url: {message}")))?;
        let store = MediaStore::in_bucket(root, S3Bucket::new(config)).await?;
        tracing::info!(media = %store.describe(), "media live in an S3-compatible bucket");
        Ok(store)
    }

    /// Refuses a command that reads or writes the local media folder (`check-data`, `backup`,
    /// `restore`) when media live in a bucket, saying what to do instead.
    pub fn require_local_media(&self, what: &str) -> Result<(), Error> {
        match self.media_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => Err(Error::BadRequest(format!(
                "{what} works on the local media folder, but --media-url / PAVILION_MEDIA_URL keeps media in {}: back up and check the bucket with the object store's own tools (versioning, replication, a bucket copy)",
                url.split('?').next().unwrap_or(url)
            ))),
            _ => Ok(()),
        }
    }

    /// The time and decoded data each media check may use.
    pub fn check_budget(&self) -> CheckBudget {
        CheckBudget {
            timeout: Duration::from_secs(self.check_timeout_secs),
            max_decoded_bytes: self.check_max_decoded_mib.saturating_mul(MIB),
        }
    }

    /// The storage rules: booth quota, orphan grace period and sweep interval.
    pub fn storage_rules(&self) -> StorageRules {
        StorageRules {
            booth_quota_bytes: self.booth_quota_mib.saturating_mul(MIB),
            orphan_grace: Duration::from_secs(self.orphan_grace_hours.saturating_mul(3600)),
            sweep_interval: Duration::from_secs(
                self.sweep_interval_minutes.max(1).saturating_mul(60),
            ),
        }
    }
}

const MIB: u64 = 1024 * 1024;

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
    /// Change an account's role.
    SetRole {
        name: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Disable an account: it can no longer sign in and its sessions end.
    Disable { name: String },
    /// Enable a disabled account again.
    Enable { name: String },
    /// Set a new password (from --password-file or standard input); the account's sessions end.
    ResetPassword {
        name: String,
        /// A file whose first line is the password.
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// End every session of an account (sign it out everywhere).
    SignOut { name: String },
    /// Delete an account (the audit log keeps its name).
    Delete { name: String },
}

/// Who staff commands run as in the audit log: the operator at the server's console.
fn console_operator() -> StaffSession {
    StaffSession {
        id: 0,
        name: "cli".into(),
        role: Role::Admin,
    }
}

/// The first line of `--password-file`, or of standard input.
async fn read_password(password_file: Option<&PathBuf>) -> Result<String, Error> {
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
    Ok(text.lines().next().unwrap_or("").to_owned())
}

/// Runs a `pavilion staff` command against the data folder and returns what to print.
pub async fn run_staff_command(store: &Store, command: &StaffCommand) -> Result<String, Error> {
    match command {
        StaffCommand::Create {
            name,
            role,
            password_file,
        } => {
            let password = read_password(password_file.as_ref()).await?;
            let account = accounts::create_account(store, name, *role, &password).await?;
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
            .map(|a| {
                format!(
                    "{}\t{}\t{}\t{}\t{} session(s)",
                    a.name,
                    a.role.as_str(),
                    a.created_at,
                    a.disabled_at
                        .as_deref()
                        .map_or("active".to_owned(), |at| format!("disabled {at}")),
                    a.sessions
                )
            })
            .collect::<Vec<_>>()
            .join("\n")),
        StaffCommand::SetRole { name, role } => {
            manage(store, name, AccountAction::SetRole(*role)).await
        }
        StaffCommand::Disable { name } => manage(store, name, AccountAction::Disable).await,
        StaffCommand::Enable { name } => manage(store, name, AccountAction::Enable).await,
        StaffCommand::ResetPassword {
            name,
            password_file,
        } => {
            let password = read_password(password_file.as_ref()).await?;
            manage(store, name, AccountAction::ResetPassword(password)).await
        }
        StaffCommand::SignOut { name } => manage(store, name, AccountAction::EndSessions).await,
        StaffCommand::Delete { name } => manage(store, name, AccountAction::Delete).await,
    }
}

async fn manage(store: &Store, name: &str, action: AccountAction) -> Result<String, Error> {
    let what = action.audit_name().replace('_', " ");
    let after = accounts::manage_account(store, &console_operator(), name, action).await?;
    Ok(match after {
        Some(account) => format!(
            "{what}: {} is {}{}",
            account.name,
            account.role.as_str(),
            if account.disabled_at.is_some() {
                ", disabled"
            } else {
                ""
            }
        ),
        None => format!("{what}: {name} is gone"),
    })
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
        /// Days until the token stops working (it works until revoked when left out).
        #[arg(long)]
        valid_days: Option<u32>,
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
        TokenCommand::Create {
            exhibitor,
            label,
            valid_days,
        } => {
            let issued = tokens::create_token(store, exhibitor, label, "cli", *valid_days).await?;
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
                    "{}\t{}\t{}\t{}\texpires {}\tlast used {}\t{}",
                    t.id,
                    t.exhibitor,
                    t.created_at,
                    t.revoked_at.as_deref().unwrap_or("live"),
                    t.expires_at.as_deref().unwrap_or("never"),
                    t.last_used_at.as_deref().unwrap_or("never"),
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
        let config = Config::try_parse_from(["pavilion", "backup", "--to", "/b"]).unwrap();
        assert_eq!(config.command, Some(Command::Backup { to: "/b".into() }));
        let config = Config::try_parse_from(["pavilion", "restore", "--from", "/b"]).unwrap();
        assert_eq!(config.command, Some(Command::Restore { from: "/b".into() }));
        let config = Config::try_parse_from(["pavilion", "check-data"]).unwrap();
        assert_eq!(config.command, Some(Command::CheckData));
        assert!(config.require_local_media("`pavilion check-data`").is_ok());
        let config = Config::try_parse_from([
            "pavilion",
            "backup",
            "--to",
            "/b",
            "--media-url",
            "s3://media?endpoint=http://127.0.0.1:9000",
        ])
        .unwrap();
        let refused = config
            .require_local_media("`pavilion backup`")
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("s3://media:") && refused.contains("bucket"),
            "{refused}"
        );
    }
}
