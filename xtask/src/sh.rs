//! Running commands: each one is echoed before it runs, fails with its command line and exit
//! status, and sees cargo's bin directory on PATH (where `cargo install` puts wasm-bindgen).

use crate::Result;
use crate::test_counts::TestCounts;
use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// PATH with cargo's bin directory appended when it is missing.
fn search_path() -> &'static OsString {
    static PATH: OnceLock<OsString> = OnceLock::new();
    PATH.get_or_init(|| {
        let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        if let Some(bin) = crate::tools::cargo_bin_dir()
            && !dirs.contains(&bin)
        {
            dirs.push(bin);
        }
        std::env::join_paths(dirs).unwrap_or_else(|_| std::env::var_os("PATH").unwrap_or_default())
    })
}

/// Variables every command gets (set once, before the first command; see [`set_common_env`]).
static COMMON_ENV: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();

/// Sets variables for every command run from now on (the process environment itself cannot be
/// changed safely once threads may exist).
pub fn set_common_env(vars: Vec<(&'static str, &'static str)>) {
    let _ = COMMON_ENV.set(vars);
}

/// The full path of `program` on PATH (plus cargo's bin directory), if it is there.
pub fn find_program(program: &str) -> Option<PathBuf> {
    std::env::split_paths(search_path())
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

pub struct Cmd {
    command: Command,
    shown: String,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        let mut command = Command::new(program.as_ref());
        command.env("PATH", search_path());
        for (key, value) in COMMON_ENV.get().map(Vec::as_slice).unwrap_or_default() {
            command.env(key, value);
        }
        Cmd {
            command,
            shown: program.as_ref().to_string_lossy().into_owned(),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.shown.push(' ');
        self.shown.push_str(&arg.as_ref().to_string_lossy());
        self.command.arg(arg);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Self {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.shown = format!("{key}={} {}", value.as_ref().to_string_lossy(), self.shown);
        self.command.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Runs with inherited stdio; an error names the command and its exit status.
    pub fn run(mut self) -> Result<()> {
        announce(&self.shown);
        let status = self
            .command
            .status()
            .map_err(|e| format!("cannot start `{}`: {e}", self.shown))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", self.shown))
        }
    }

    /// Runs quietly and returns stdout (stderr passes through); fails on a nonzero exit.
    pub fn output_text(mut self) -> Result<String> {
        let output = self
            .command
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot start `{}`: {e}", self.shown))?;
        if !output.status.success() {
            return Err(format!("`{}` failed ({})", self.shown, output.status));
        }
        String::from_utf8(output.stdout)
            .map_err(|e| format!("`{}` printed non-UTF-8: {e}", self.shown))
    }

    /// Runs with stdout echoed line by line and scanned for test summaries; returns the totals.
    /// On a nonzero exit the error still carries the totals seen, for the report.
    pub fn run_counting_tests(mut self) -> std::result::Result<TestCounts, (String, TestCounts)> {
        announce(&self.shown);
        let mut child = match self.command.stdout(Stdio::piped()).spawn() {
            Ok(child) => child,
            Err(e) => {
                return Err((
                    format!("cannot start `{}`: {e}", self.shown),
                    TestCounts::default(),
                ));
            }
        };
        let mut counts = TestCounts::default();
        if let Some(stdout) = child.stdout.take() {
            let mut out = std::io::stdout().lock();
            for line in BufReader::new(stdout)
                .lines()
                .map_while(std::result::Result::ok)
            {
                counts.scan_line(&line);
                // A closed stdout (e.g. `| head`) must not stop the tests themselves.
                let _ = writeln!(out, "{line}");
            }
        }
        match child.wait() {
            Ok(status) if status.success() => Ok(counts),
            Ok(status) => Err((format!("`{}` failed ({status})", self.shown), counts)),
            Err(e) => Err((format!("waiting for `{}`: {e}", self.shown), counts)),
        }
    }

    pub fn into_command(self) -> Command {
        announce(&self.shown);
        self.command
    }
}

fn announce(shown: &str) {
    println!("$ {shown}");
    let _ = std::io::stdout().flush();
}
