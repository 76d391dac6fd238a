//! The real binaries as child processes, for the tests that attack or kill them.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A child process, killed on drop.
pub struct Process {
    pub child: Child,
    /// Where it said it listens: `http://IP:PORT`.
    pub url: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Process {
    /// Starts `command` and waits for its first stdout line, `… listening on http://…`.
    pub fn start(mut command: Command) -> Self {
        command.stdout(Stdio::piped());
        let mut child = command.spawn().expect("start the binary");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("the first line");
        let url = first.trim_end().rsplit(" listening on ").next().unwrap_or_default().to_owned();
        assert!(url.starts_with("http://"), "unexpected first line {first:?}");
        // Keep reading, so a full pipe never blocks the child.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        Self { child, url }
    }

    pub fn kill_hard(mut self) {
        let _ = Command::new("kill").args(["-KILL", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

pub fn binary(name: &str) -> PathBuf {
    let partner = PathBuf::from(env!("CARGO_BIN_EXE_sir-partner-server"));
    let path = partner.with_file_name(name);
    assert!(path.exists(), "{} is missing: build it first (cargo build -p sir-sandbox)", path.display());
    path
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port()
}
