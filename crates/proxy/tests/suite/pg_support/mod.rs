//! A throwaway PostgreSQL cluster for the tests of one test binary: `initdb` into a temporary
//! directory, the server listening only on a unix socket inside it, one fresh database per
//! test. The cluster stops and its directory goes when the test process ends (the server's
//! wrapper shell waits on a pipe that closes with the process).
//!
//! The server programs come from Debian's `postgresql` package (`cargo xtask test` installs
//! it), under `/usr/lib/postgresql/<version>/bin`, or from PATH. Without them the PostgreSQL
//! tests fail under `CI=true` and are skipped, saying why, elsewhere. `initdb` refuses to run
//! as root: as root, the cluster runs as the `postgres` user.
#![allow(dead_code)] // each test binary uses a different part of the harness

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const PORT: u16 = 5432;
const SUPERUSER: &str = "postgres";

pub struct Cluster {
    socket_dir: PathBuf,
    /// Closing it (when the process ends) stops the server.
    _stop: Mutex<ChildStdin>,
    _server: Mutex<Child>,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// The URL of a new, empty database, or `None` (after saying why) when PostgreSQL cannot run
/// here and this is not CI.
pub async fn fresh_database() -> Option<String> {
    let cluster = match CLUSTER.get_or_init(start) {
        Ok(cluster) => cluster,
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("PostgreSQL tests cannot run: {why}")
        }
        Err(why) => {
            eprintln!("skipping a PostgreSQL test: {why}");
            return None;
        }
    };
    let name = format!(
        "xf_test_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::SeqCst)
    );
    let admin = cluster.url("postgres");
    let mut connection = connect_when_up(&admin).await;
    sqlx::Executor::execute(&mut connection, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create a test database");
    Some(cluster.url(&name))
}

impl Cluster {
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@localhost:{PORT}/{database}?host={}",
            self.socket_dir.display()
        )
    }
}

async fn connect_when_up(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection as _;
    let started = Instant::now();
    loop {
        match sqlx::PgConnection::connect(url).await {
            Ok(connection) => return connection,
            Err(error) if started.elapsed() > Duration::from_secs(60) => {
                panic!("the test PostgreSQL server does not answer: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

fn bin_dir() -> Result<PathBuf, String> {
    let on_path = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).find(|dir| dir.join("initdb").is_file()));
    if let Some(dir) = on_path {
        return Ok(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "no PostgreSQL server programs (install Debian's `postgresql` package; `cargo xtask test` does)".to_owned())?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file() && bin.join("postgres").is_file())
        .collect();
    versions.sort();
    versions
        .pop()
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin".to_owned())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// `program args…`, as the `postgres` user when we are root (initdb and postgres refuse root).
fn as_cluster_owner(root: bool, program: &Path) -> Command {
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", SUPERUSER, "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn start() -> Result<Cluster, String> {
    let bin = bin_dir()?;
    let root = is_root();
    let dir = std::env::temp_dir().join(format!("xf-pg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if root {
        let owned = Command::new("chown")
            .arg(format!("{SUPERUSER}:{SUPERUSER}"))
            .arg(&dir)
            .status()
            .map_err(|e| format!("chown: {e}"))?;
        if !owned.success() {
            return Err(format!(
                "running as root, and the `{SUPERUSER}` user cannot be given {}",
                dir.display()
            ));
        }
    }
    let data = dir.join("data");
    let initdb = as_cluster_owner(root, &bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ])
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !initdb.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&initdb.stderr)
        ));
    }
    // The shell starts the server, then waits for its standard input to close (this process
    // ending) to stop it and remove the cluster's directory.
    let script = r#"
        "$0" -D "$1" -k "$2" -p "$3" -c listen_addresses= -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200 >"$2/server.log" 2>&1 &
        server=$!
        cat >/dev/null
        kill -INT "$server"
        wait "$server"
        rm -rf "$2"
    "#;
    let mut server = as_cluster_owner(root, Path::new("sh"))
        .arg("-c")
        .arg(script)
        .arg(bin.join("postgres"))
        .arg(&data)
        .arg(&dir)
        .arg(PORT.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start postgres: {e}"))?;
    let mut stop = server.stdin.take().ok_or("no pipe to the server's shell")?;
    // Nothing is ever written; a failed flush would only mean the shell is already gone.
    let _ = stop.flush();
    Ok(Cluster {
        socket_dir: dir,
        _stop: Mutex::new(stop),
        _server: Mutex::new(server),
    })
}
