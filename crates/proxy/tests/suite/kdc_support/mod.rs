//! A throwaway MIT Kerberos KDC for one test: its own realm and database in a temporary
//! directory (configuration through `KRB5_CONFIG` / `KRB5_KDC_PROFILE`, never the machine's
//! own), the service account and `HTTP/localhost` as principals, the latter's key exported to a
//! keytab for the sandbox, `krb5kdc` on a free loopback port. The KDC stops when the value is
//! dropped.
//!
//! The programs come from Debian's `krb5-kdc` and `krb5-admin-server` packages (`cargo xtask
//! test` installs them). Without them the Kerberos tests fail under `CI=true` and, elsewhere,
//! say loudly that they were skipped (on the terminal, past the test harness's capture).
#![allow(dead_code)] // each test binary uses a different part of the harness

use std::io::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub const REALM: &str = "SANDBOX.TEST";
/// The service account as the proxy names it: `REALM\user` asks for the plain principal
/// `svc-forms@SANDBOX.TEST` (a `user@domain` name would be sent as an enterprise name, which
/// Active Directory resolves and a bare MIT KDC does not).
pub const USERNAME: &str = "SANDBOX.TEST\\svc-forms";
/// The same account as the sandbox knows it (names lower-cased).
pub const SANDBOX_ACCOUNT: &str = "sandbox.test\\svc-forms";
/// The service principal the proxy asks a ticket for: the EWS endpoint's host is `localhost`.
pub const SERVICE: &str = "HTTP/localhost";

pub struct TestKdc {
    dir: TempDir,
    kdc: Child,
    pub port: u16,
}

impl Drop for TestKdc {
    fn drop(&mut self) {
        let _ = self.kdc.kill();
        let _ = self.kdc.wait();
    }
}

impl TestKdc {
    /// A running KDC where `svc-forms@SANDBOX.TEST` has `password`; `None` (after saying so on the
    /// terminal) when the KDC programs are missing and this is not CI.
    pub fn start(password: &str) -> Option<Self> {
        match programs() {
            Ok(programs) => Some(Self::start_with(&programs, password)),
            Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("the Kerberos tests cannot run: {why}")
            }
            Err(why) => {
                // Straight to the terminal: a skipped test must not look like a passed one.
                let _ = writeln!(
                    std::io::stderr(),
                    "\n*** SKIPPED a Kerberos test (it did NOT run): {why} ***\n"
                );
                None
            }
        }
    }

    /// The keytab holding `HTTP/localhost`'s key, for the sandbox.
    pub fn keytab(&self) -> PathBuf {
        self.dir.path().join("http.keytab")
    }

    pub fn kdc_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("kdc.log")).unwrap_or_default()
    }

    /// Runs `kadmin.local -q query` against this realm.
    pub fn kadmin(&self, query: &str) {
        let status = self
            .command(&programs().unwrap().kadmin_local)
            .args(["-r", REALM, "-q", query])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "kadmin.local -q {query}");
    }

    fn command(&self, program: &Path) -> Command {
        command_in(self.dir.path(), program)
    }

    fn start_with(programs: &Programs, password: &str) -> Self {
        let dir = TempDir::new().unwrap();
        let port = free_port();
        let path = dir.path();
        std::fs::write(
            path.join("krb5.conf"),
            format!(
                "[libdefaults]\n default_realm = {REALM}\n dns_lookup_kdc = false\n \
                 dns_lookup_realm = false\n\n[realms]\n {REALM} = {{\n  kdc = 127.0.0.1:{port}\n \
                 }}\n"
            ),
        )
        .unwrap();
        std::fs::write(
            path.join("kdc.conf"),
            format!(
                "[kdcdefaults]\n kdc_listen = 127.0.0.1:{port}\n kdc_tcp_listen = \
                 127.0.0.1:{port}\n\n[realms]\n {REALM} = {{\n  database_name = {db}\n  \
                 key_stash_file = {stash}\n  acl_file = {acl}\n  max_life = 10h\n  \
                 supported_enctypes = aes256-cts-hmac-sha1-96:normal \
                 aes128-cts-hmac-sha1-96:normal\n }}\n\n[logging]\n kdc = FILE:{log}\n",
                db = path.join("principal").display(),
                stash = path.join("stash").display(),
                acl = path.join("kadm5.acl").display(),
                log = path.join("kdc.log").display(),
            ),
        )
        .unwrap();
        std::fs::write(path.join("kadm5.acl"), "").unwrap();
        let run = |program: &Path, args: &[&str]| {
            let output = command_in(path, program).args(args).output().unwrap();
            assert!(
                output.status.success(),
                "{} {args:?}: {}",
                program.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        };
        run(
            &programs.kdb5_util,
            &["create", "-s", "-r", REALM, "-P", "throwaway-master-key"],
        );
        let queries = [
            format!("addprinc +requires_preauth -pw {password} svc-forms"),
            format!("addprinc -randkey {SERVICE}"),
            format!("ktadd -k {} {SERVICE}", path.join("http.keytab").display()),
        ];
        for query in &queries {
            run(&programs.kadmin_local, &["-r", REALM, "-q", query]);
        }
        let kdc = command_in(path, &programs.krb5kdc)
            .args(["-n", "-r", REALM])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "krb5kdc did not listen on {address}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { dir, kdc, port }
    }
}

fn command_in(dir: &Path, program: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .env("KRB5_CONFIG", dir.join("krb5.conf"))
        .env("KRB5_KDC_PROFILE", dir.join("kdc.conf"))
        .stdin(Stdio::null());
    command
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

struct Programs {
    krb5kdc: PathBuf,
    kdb5_util: PathBuf,
    kadmin_local: PathBuf,
}

/// The MIT KDC's programs, on PATH or in /usr/sbin (where Debian puts them).
fn programs() -> Result<Programs, String> {
    let find = |name: &str| {
        std::env::var_os("PATH")
            .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .chain([PathBuf::from("/usr/sbin")])
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
            .ok_or_else(|| {
                format!(
                    "no `{name}` (install Debian's krb5-kdc and krb5-admin-server packages; \
                     `cargo xtask test` does)"
                )
            })
    };
    Ok(Programs {
        krb5kdc: find("krb5kdc")?,
        kdb5_util: find("kdb5_util")?,
        kadmin_local: find("kadmin.local")?,
    })
}
