//! `cargo xtask api-fuzz [--short] [--binary PATH]`: property-based tests of the HTTP API from its own OpenAPI
//! document (schemathesis), as an anonymous caller, an exhibitor and a staff admin: no request
//! may get a 5xx or a status code the document does not list for its operation.
//!
//! The server is a debug build on a fresh data folder under the target directory (the same
//! set-up as the browser tests: catalogue imported, exhibitor token and admin account made
//! through the CLI). Schemathesis lives in a venv under the target directory, pinned, installed
//! once; everything it writes (logs, JUnit reports, its example database) stays there too.
//!
//! The passes run in this order, each with its own log in `<target>/api-fuzz/<caller>.log`:
//! 1. `anonymous`: no credentials.
//! 2. `exhibitor`: `Authorization: Bearer pex_...`.
//! 3. `admin`: `Authorization: Bearer pst_...`, every operation except signing out
//!    (`DELETE /api/v1/staff/sessions`), which would end the session the pass runs on and turn
//!    every later request into a 401 that says nothing about the operation under test.
//! 4. `admin-sign-out`: signing out alone, last, when the document lists it.
//!
//! Other state changes are left in on purpose: the admin pass may revoke the exhibitor's token
//! (`DELETE /api/v1/staff/exhibitor-tokens/{id}`), which is harmless because the exhibitor pass
//! has finished by then, and the data folder is made afresh for every run.
//!
//! Every failure in a log comes with the curl line that reproduces it; to repeat a whole pass,
//! give it the seed the log ends with: `cargo xtask api-fuzz -- --seed N`.

use std::fs;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::e2e::{create_exhibitor_token, create_staff_account, start_healthy_server};
use crate::{build_web, cmd, project_root};

/// The pinned schemathesis; a re-run with this version installed needs no network.
const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// What every pass asserts: no 5xx, and every status code is one the operation documents.
const CHECKS: &str = "not_a_server_error,status_code_conformance";
const DOCUMENT: &str = "/api/v1/openapi.json";
const SIGN_OUT_PATH: &str = "/api/v1/staff/sessions";
const SIGN_OUT: &str = "DELETE /api/v1/staff/sessions";
const EXHIBITOR: &str = "kestrel-ward";

/// How hard each pass tries: generated cases per operation and phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Budget {
    /// A few minutes on two cores, for CI.
    Short,
    /// For a thorough look before a release or after changing the API.
    Full,
}

impl Budget {
    fn max_examples(self) -> u32 {
        match self {
            Budget::Short => 10,
            Budget::Full => 100,
        }
    }

    /// CI only needs to know that an operation fails; a full run keeps testing an operation
    /// after its first failure so that every distinct failure of it is listed.
    fn stop_at_first_failure(self) -> bool {
        self == Budget::Short
    }
}

/// Which operations of the document a pass tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operations {
    All,
    AllButSignOut,
    OnlySignOut,
}

impl Operations {
    /// Schemathesis names an operation `METHOD /path`; its `--exclude-path` and
    /// `--exclude-method` would each exclude on their own (every DELETE), so filter by name.
    fn filter_args(self) -> &'static [&'static str] {
        match self {
            Operations::All => &[],
            Operations::AllButSignOut => &["--exclude-name", SIGN_OUT],
            Operations::OnlySignOut => &["--include-name", SIGN_OUT],
        }
    }
}

/// One schemathesis run: who calls and what it may call.
struct Pass {
    caller: &'static str,
    bearer: Option<String>,
    operations: Operations,
}

struct Outcome {
    caller: &'static str,
    passed: bool,
    seconds: f64,
    log: PathBuf,
}

/// How long schemathesis waits for one answer (its default, 10 s, is shorter than a publish
/// in the debug server under CI load).
const REQUEST_TIMEOUT_SECONDS: &str = "60";

pub fn run(args: &[String]) -> Result<()> {
    let Args {
        budget,
        binary,
        extra,
    } = parse_args(args)?;
    let root = project_root();
    let target = build_web::target_dir(&root)?;
    let started = Instant::now();

    let schemathesis = install_schemathesis(&target)?;
    let binary = match binary {
        Some(binary) => binary,
        None => crate::e2e::build_server(&root, false)?,
    };

    let work = target.join("api-fuzz");
    let data = work.join("data");
    if data.exists() {
        fs::remove_dir_all(&data)?;
    }
    fs::create_dir_all(&work)?;
    let exhibitor_token = create_exhibitor_token(&binary, &data, &root, EXHIBITOR)?;
    let (staff_name, staff_password) = create_staff_account(&binary, &data, &root, &work)?;

    let (_server, address) = start_healthy_server(
        &binary,
        &data,
        &root,
        &work.join("server.log"),
        // The fuzzer sends thousands of wrong passwords and tokens from one address: it checks
        // the document, not the throttle (which the API tests cover), so the throttle is wide.
        &[
            ("PAVILION_FAILURES_PER_ADDRESS", "1000000000"),
            ("PAVILION_FAILURES_PER_NAME", "1000000000"),
        ],
        Duration::from_secs(240),
    )?;
    let admin_token = sign_in(&address, &staff_name, &staff_password)?;
    let document = fetch_document(&address)?;
    let lists_sign_out = lists_operation(&document, SIGN_OUT_PATH, "delete")?;
    eprintln!(
        "the document lists {} operations; {} examples per operation and phase",
        count_operations(&document)?,
        budget.max_examples()
    );

    let mut passes = vec![
        Pass {
            caller: "anonymous",
            bearer: None,
            operations: Operations::All,
        },
        Pass {
            caller: "exhibitor",
            bearer: Some(exhibitor_token),
            operations: Operations::All,
        },
        Pass {
            caller: "admin",
            bearer: Some(admin_token.clone()),
            operations: if lists_sign_out {
                Operations::AllButSignOut
            } else {
                Operations::All
            },
        },
    ];
    if lists_sign_out {
        passes.push(Pass {
            caller: "admin-sign-out",
            bearer: Some(admin_token),
            operations: Operations::OnlySignOut,
        });
    } else {
        eprintln!("the document does not list {SIGN_OUT}: no sign-out pass");
    }

    let url = format!("http://{address}{DOCUMENT}");
    let mut outcomes = Vec::new();
    for pass in &passes {
        outcomes.push(run_pass(&schemathesis, &work, &url, pass, budget, &extra)?);
    }

    eprintln!("\napi-fuzz ({budget:?}, checks {CHECKS}):");
    for outcome in &outcomes {
        eprintln!(
            "  {:<15} {:<6} {:>6.0} s  {}",
            outcome.caller,
            if outcome.passed { "passed" } else { "FAILED" },
            outcome.seconds,
            outcome.log.display()
        );
    }
    eprintln!("  in all {:.0} s", started.elapsed().as_secs_f64());
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| o.caller)
        .collect();
    if !failed.is_empty() {
        bail!("api-fuzz found failures for: {}", failed.join(", "));
    }
    Ok(())
}

struct Args {
    budget: Budget,
    /// A server binary built already (`cargo xtask test` passes the one `cargo test` built).
    binary: Option<PathBuf>,
    /// Passed to every `st run` unchanged.
    extra: Vec<String>,
}

/// `--short` picks the CI budget, `--binary PATH` a server built already; everything after
/// `--` goes to every `st run` unchanged (e.g. `-- --seed 1234` to replay a run).
fn parse_args(args: &[String]) -> Result<Args> {
    let (own, extra) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], args[i + 1..].to_vec()),
        None => (args, Vec::new()),
    };
    let mut parsed = Args {
        budget: Budget::Full,
        binary: None,
        extra,
    };
    let mut own = own.iter();
    while let Some(arg) = own.next() {
        match arg.as_str() {
            "--short" => parsed.budget = Budget::Short,
            "--binary" => {
                parsed.binary = Some(own.next().context("--binary needs a path")?.into());
            }
            other => bail!(
                "api-fuzz: unknown argument {other:?} (try --short, --binary PATH, or -- <st run args>)"
            ),
        }
    }
    Ok(parsed)
}

/// Makes `<target>/schemathesis-venv` with the pinned schemathesis unless it is there already,
/// and returns the path of its `st`.
fn install_schemathesis(target: &Path) -> Result<PathBuf> {
    let venv = target.join("schemathesis-venv");
    let st = venv.join("bin").join("st");
    if installed_version(&st).as_deref() == Some(SCHEMATHESIS_VERSION) {
        return Ok(st);
    }
    let python = venv.join("bin").join("python");
    if !python.exists() {
        cmd::run(target, "python3", &["-m", "venv", &venv.to_string_lossy()])?;
    }
    let requirement = format!("schemathesis=={SCHEMATHESIS_VERSION}");
    cmd::run(
        target,
        &python.to_string_lossy(),
        &[
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            &requirement,
        ],
    )?;
    match installed_version(&st) {
        Some(v) if v == SCHEMATHESIS_VERSION => Ok(st),
        other => bail!(
            "{} reports {other:?} after installing {requirement}",
            st.display()
        ),
    }
}

/// The version `st --version` reports (`st, version 4.32.5`), if `st` runs at all.
fn installed_version(st: &Path) -> Option<String> {
    let out = Command::new(st).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.split_whitespace().last()?;
    out.status.success().then(|| version.to_owned())
}

/// Runs `st run` for one caller with its output in `<work>/<caller>.log`, and prints the
/// failures and the summary when a check failed.
fn run_pass(
    st: &Path,
    work: &Path,
    url: &str,
    pass: &Pass,
    budget: Budget,
    extra: &[String],
) -> Result<Outcome> {
    let log = work.join(format!("{}.log", pass.caller));
    let reports = work.join(pass.caller);
    let authorization = pass
        .bearer
        .as_ref()
        .map(|token| format!("Authorization: Bearer {token}"));
    let max_examples = budget.max_examples().to_string();
    let mut args: Vec<&str> = vec![
        "run",
        url,
        "--checks",
        CHECKS,
        "--max-examples",
        &max_examples,
        "--workers",
        "1",
        // A publish re-renders the signage atlas pages the fuzzer's edits touched: seconds in
        // the debug server on a machine whose other core builds the viewer. The checks are
        // about answers, not latency (`cargo xtask bench` and `load` measure that).
        "--request-timeout",
        REQUEST_TIMEOUT_SECONDS,
        "--no-color",
        "--report",
        "junit",
    ];
    let report_dir = reports.to_string_lossy();
    args.extend(["--report-dir", &report_dir]);
    let database = work.join("examples-db");
    let database = database.to_string_lossy();
    args.extend(["--generation-database", &database]);
    if let Some(header) = &authorization {
        args.extend(["--header", header]);
    }
    if !budget.stop_at_first_failure() {
        args.push("--continue-on-failure");
    }
    args.extend(pass.operations.filter_args());
    args.extend(extra.iter().map(String::as_str));

    eprintln!(
        "\n==> schemathesis as {} ({:?}), output in {}",
        pass.caller,
        pass.operations,
        log.display()
    );
    let started = Instant::now();
    let file = fs::File::create(&log)?;
    // The work folder is the current directory so nothing schemathesis or Hypothesis writes
    // (a schemathesis.toml lookup, .hypothesis/) touches the repository.
    let status = Command::new(st)
        .args(&args)
        .current_dir(work)
        .stdout(Stdio::from(file.try_clone()?))
        .stderr(Stdio::from(file))
        .status()
        .with_context(|| format!("running {}", st.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let output = fs::read_to_string(&log)?;
    // The token is a credential for a throwaway server, but keep it out of CI output anyway.
    let shown = match &pass.bearer {
        Some(token) => output.replace(token.as_str(), "<token>"),
        None => output,
    };
    if status.success() {
        eprintln!("<== {}: passed in {seconds:.0} s", pass.caller);
    } else {
        eprintln!("{}", failures_and_summary(&shown));
        eprintln!(
            "<== {}: FAILED ({status}) in {seconds:.0} s; full output in {}",
            pass.caller,
            log.display()
        );
    }
    Ok(Outcome {
        caller: pass.caller,
        passed: status.success(),
        seconds,
        log,
    })
}

/// The part of schemathesis' output worth showing when a run fails: from the failures section
/// on (or the whole output if it has none, e.g. when the schema could not be loaded).
fn failures_and_summary(output: &str) -> &str {
    ["=== FAILURES", "=== ERRORS", "=== SUMMARY"]
        .iter()
        .filter_map(|heading| output.find(heading))
        .min()
        .map_or(output, |start| {
            let line_start = output[..start].rfind('\n').map_or(0, |i| i + 1);
            &output[line_start..]
        })
}

/// Signs the staff account in and returns its session token (`pst_...`).
fn sign_in(address: &str, name: &str, password: &str) -> Result<String> {
    let body = serde_json::json!({ "name": name, "password": password }).to_string();
    let (status, answer) = http(address, "POST", "/api/v1/staff/sessions", Some(&body))?;
    if status != 201 {
        bail!("signing in as {name} answered {status}: {answer}");
    }
    let value: serde_json::Value = serde_json::from_str(&answer)
        .with_context(|| format!("the sign-in answer is not JSON: {answer}"))?;
    value["token"]
        .as_str()
        .filter(|token| token.starts_with("pst_"))
        .map(str::to_owned)
        .with_context(|| format!("the sign-in answer has no pst_ token: {answer}"))
}

fn fetch_document(address: &str) -> Result<serde_json::Value> {
    let (status, answer) = http(address, "GET", DOCUMENT, None)?;
    if status != 200 {
        bail!("GET {DOCUMENT} answered {status}");
    }
    serde_json::from_str(&answer).context("the OpenAPI document is not JSON")
}

fn paths(document: &serde_json::Value) -> Result<&serde_json::Map<String, serde_json::Value>> {
    document["paths"]
        .as_object()
        .context("the OpenAPI document has no paths")
}

fn lists_operation(document: &serde_json::Value, path: &str, method: &str) -> Result<bool> {
    Ok(paths(document)?
        .get(path)
        .is_some_and(|item| item.get(method).is_some()))
}

fn count_operations(document: &serde_json::Value) -> Result<usize> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    Ok(paths(document)?
        .values()
        .filter_map(serde_json::Value::as_object)
        .map(|item| METHODS.iter().filter(|m| item.contains_key(**m)).count())
        .sum())
}

/// One HTTP/1.0 request (so the answer is never chunked) with an optional JSON body; returns
/// the status and the body.
fn http(address: &str, method: &str, path: &str, json: Option<&str>) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = json.unwrap_or("");
    let mut request = format!("{method} {path} HTTP/1.0\r\nHost: {address}\r\n");
    if json.is_some() {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    parse_response(&answer).with_context(|| format!("{method} {path}: unreadable answer"))
}

fn parse_response(answer: &str) -> Option<(u16, String)> {
    let (head, body) = answer.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn arguments_pick_the_budget_and_pass_the_rest_through() {
        let plain = parse_args(&[]).unwrap();
        assert_eq!(
            (plain.budget, plain.binary, plain.extra.len()),
            (Budget::Full, None, 0)
        );
        let short = parse_args(&strings(&[
            "--short",
            "--binary",
            "/s/pavilion",
            "--",
            "--seed",
            "7",
        ]))
        .unwrap();
        assert_eq!(short.budget, Budget::Short);
        assert_eq!(short.binary, Some(PathBuf::from("/s/pavilion")));
        assert_eq!(short.extra, strings(&["--seed", "7"]));
        assert!(parse_args(&strings(&["--quick"])).is_err());
        assert!(parse_args(&strings(&["--binary"])).is_err());
    }

    #[test]
    fn the_failure_report_starts_at_the_first_section_heading() {
        let output = "progress\n\n=================== FAILURES ===================\n\
                      GET /x\n=================== SUMMARY ===================\nfailed\n";
        assert!(failures_and_summary(output).starts_with("=================== FAILURES"));
        assert_eq!(failures_and_summary("no sections"), "no sections");
    }

    #[test]
    fn operations_are_counted_per_method_and_sign_out_is_found() {
        let document = serde_json::json!({ "paths": {
            "/api/v1/me": { "get": {}, "parameters": [] },
            "/api/v1/staff/sessions": { "post": {}, "delete": {} },
        }});
        assert_eq!(count_operations(&document).unwrap(), 3);
        assert!(lists_operation(&document, SIGN_OUT_PATH, "delete").unwrap());
        assert!(!lists_operation(&document, "/api/v1/me", "delete").unwrap());
    }

    #[test]
    fn responses_split_into_status_and_body() {
        let answer =
            "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n\r\n{\"token\":\"pst_1\"}";
        assert_eq!(
            parse_response(answer),
            Some((201, "{\"token\":\"pst_1\"}".to_owned()))
        );
        assert_eq!(parse_response("garbage"), None);
    }
}
