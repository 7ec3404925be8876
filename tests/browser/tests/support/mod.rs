//! What the browser tests share: the built server on a free port, chromedriver and a headless
//! chromium at a given window size, screenshots, downloads and PDF text.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

/// Phone (a 6.1-inch phone in portrait) and office PC window sizes.
pub const SIZES: [(&str, u32, u32); 2] = [("phone", 390, 844), ("pc", 1366, 900)];

/// The repository root (this package lives in `tests/browser`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The server binary: `VANBAN_BIN`, else the main crate's debug build.
pub fn vanban_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("VANBAN_BIN") {
        return bin.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from);
    target.join("debug/vanban")
}

/// Where screenshots go: `VANBAN_SCREENSHOTS`, else `target/screenshots` of the repository.
pub fn screenshots() -> PathBuf {
    let dir = std::env::var_os("VANBAN_SCREENSHOTS")
        .map_or_else(|| repo().join("target/screenshots"), PathBuf::from);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child process killed when the test ends, passed or not.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// True once `GET /readyz` answers 200.
pub fn ready(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let request = format!("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

/// Starts the server on a free port and waits until it is ready.
pub async fn serve() -> (Process, String) {
    let port = free_port();
    let bin = vanban_bin();
    let child = Command::new(&bin)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("{} starts (set VANBAN_BIN): {e}", bin.display()));
    let server = Process(child);
    for _ in 0..600 {
        if ready(port) {
            return (server, format!("http://127.0.0.1:{port}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server never became ready");
}

pub struct Browser {
    pub client: Client,
    pub base: String,
    pub downloads: tempfile::TempDir,
    _driver: Process,
    _server: Process,
    _profile: tempfile::TempDir,
}

/// Serves the app and opens a headless browser window whose viewport is `width`×`height`.
pub async fn open(width: u32, height: u32) -> Browser {
    let (server, base) = serve().await;
    let driver_path = std::env::var("VANBAN_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let driver = Process(
        Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (tests/browser/run.sh installs it)"),
    );
    let downloads = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let chromium = std::env::var("VANBAN_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--lang=vi-VN",
                format!("--user-data-dir={}", profile.path().display()),
                format!("--window-size={width},{height}"),
            ],
            "prefs": {
                "download.default_directory": downloads.path().to_str().unwrap(),
                "download.prompt_for_download": false,
            },
        }),
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut attempt = 0;
    let client = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector).capabilities(capabilities.clone()).connect(&webdriver).await {
            Ok(client) => break client,
            Err(_) if attempt < 100 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("chromedriver session: {error}"),
        }
    };
    client.set_window_size(width, height).await.unwrap();
    // The page sees the viewport, not the window: grow the window by the browser's own frame.
    let inner: Value =
        client.execute("return [window.innerWidth, window.innerHeight];", vec![]).await.unwrap();
    let (w, h) = (inner[0].as_u64().unwrap() as u32, inner[1].as_u64().unwrap() as u32);
    client.set_window_size(2 * width - w, 2 * height - h).await.unwrap();
    Browser { client, base, downloads, _driver: driver, _server: server, _profile: profile }
}

impl Browser {
    pub async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
    }

    /// Polls until the script returns true; the bound only turns a hang into a failure.
    pub async fn until(&self, script: &str, args: Vec<Value>) {
        for _ in 0..600 {
            if self.client.execute(script, args.clone()).await.unwrap() == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never true: {script}");
    }

    /// The page is no wider than the window: nothing scrolls sideways.
    pub async fn assert_no_sideways_scroll(&self, what: &str) {
        let widths: Value = self
            .client
            .execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![])
            .await
            .unwrap();
        assert!(widths[0].as_u64() <= widths[1].as_u64(), "{what}: page wider than the window {widths}");
    }
}

/// The first finished download with this extension (`pdf`, `zip`…) in the download folder.
pub async fn wait_for_download(dir: &Path, extension: &str) -> PathBuf {
    for _ in 0..600 {
        let done = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == extension));
        if let Some(path) = done {
            return path;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no .{extension} file was downloaded");
}

/// The text layer of a PDF as `pdftotext` reads it, whitespace runs made single spaces.
pub fn pdf_text(path: &Path) -> String {
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils; tests/browser/run.sh installs it)");
    assert!(output.status.success(), "pdftotext: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}
