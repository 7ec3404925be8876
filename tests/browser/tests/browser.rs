//! The web app in a real browser (chromium through chromedriver), at a phone and a PC size.
//! Run `tests/browser/run.sh`: it installs the browser when missing, builds the server and runs
//! these tests one at a time.
//!
//! Each test starts the built server binary (`VANBAN_BIN`) on a free loopback port, its own
//! chromedriver, and a fresh headless chromium profile, so tests share nothing. PDFs are read
//! with `pdftotext` (poppler-utils).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Every bundled template with a web form.
const TEMPLATES: [&str; 6] =
    ["minutes", "thematic-minutes", "resolution", "results-report", "review-report", "dues-report"];

/// Phone (a 6.1-inch phone in portrait) and office PC window sizes.
const SIZES: [(&str, u32, u32); 2] = [("phone", 390, 844), ("pc", 1366, 900)];

/// The repository root (this package lives in `tests/browser`).
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The server binary: `VANBAN_BIN`, else the main crate's debug build.
fn vanban_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("VANBAN_BIN") {
        return bin.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from);
    target.join("debug/vanban")
}

/// Where screenshots go: `VANBAN_SCREENSHOTS`, else `target/screenshots` of the repository.
fn screenshots() -> PathBuf {
    let dir = std::env::var_os("VANBAN_SCREENSHOTS")
        .map_or_else(|| repo().join("target/screenshots"), PathBuf::from);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A template's bundled example document.
fn example(template: &str) -> Value {
    let path = repo().join("templates").join(template).join("example.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap()).expect("example is JSON")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child process killed when the test ends, passed or not.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// True once `GET /readyz` answers 200.
fn ready(port: u16) -> bool {
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
async fn serve() -> (Process, String) {
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

struct Browser {
    client: Client,
    base: String,
    downloads: tempfile::TempDir,
    _driver: Process,
    _server: Process,
    _profile: tempfile::TempDir,
}

/// Serves the app and opens a headless browser window whose viewport is `width`×`height`.
async fn open(width: u32, height: u32) -> Browser {
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
    async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
    }

    /// Polls until the script returns true; the bound only turns a hang into a failure.
    async fn until(&self, script: &str, args: Vec<Value>) {
        for _ in 0..600 {
            if self.client.execute(script, args.clone()).await.unwrap() == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never true: {script}");
    }

    async fn until_preview(&self) {
        self.until("return document.querySelectorAll('#preview img').length > 0;", vec![]).await;
    }

    /// Opens a file through the page's file input, as a person choosing it would.
    async fn open_file(&self, path: &Path) {
        let input = self.client.find(Locator::Id("open-file")).await.unwrap();
        input.send_keys(path.to_str().unwrap()).await.unwrap();
    }

    /// The page is no wider than the window: nothing scrolls sideways.
    async fn assert_no_sideways_scroll(&self, what: &str) {
        let widths: Value = self
            .client
            .execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![])
            .await
            .unwrap();
        assert!(widths[0].as_u64() <= widths[1].as_u64(), "{what}: page wider than the window {widths}");
    }
}

/// A save file as "Lưu về máy" writes it.
fn save_file(dir: &Path, template: &str, data: &Value) -> PathBuf {
    let path = dir.join(format!("{template}-save.json"));
    std::fs::write(&path, serde_json::to_vec(&json!({ "template": template, "data": data })).unwrap())
        .unwrap();
    path
}

/// The preview's pages as the browser draws them (PNG data URLs). The page's CSP allows no
/// `fetch` of the pages' blob URLs, but drawing a same-origin image onto a canvas is allowed.
const PREVIEW_PIXELS: &str = "return Array.prototype.map.call(document.querySelectorAll('#preview img'),
      function (img) {
        if (!img.complete || !img.naturalWidth) { return ''; }
        var canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        canvas.getContext('2d').drawImage(img, 0, 0);
        return canvas.toDataURL('image/png');
      }).join(' ');";

async fn preview_pixels(browser: &Browser) -> String {
    browser.client.execute(PREVIEW_PIXELS, vec![]).await.unwrap().as_str().unwrap_or_default().to_string()
}

/// Clicks "Tiếp tục" until the review step shows (on a PC every step is already shown).
async fn to_review(browser: &Browser) {
    for _ in 0..20 {
        let review = browser.client.find(Locator::Id("step-review")).await.unwrap();
        if review.is_displayed().await.unwrap() {
            return;
        }
        let next = browser.client.find(Locator::Css(".step.current [data-step=next]")).await.unwrap();
        next.click().await.unwrap();
    }
    panic!("the review step never showed");
}

/// The first finished PDF in the download folder.
async fn wait_for_download(dir: &Path) -> PathBuf {
    for _ in 0..600 {
        let done = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "pdf"));
        if let Some(path) = done {
            return path;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no PDF was downloaded");
}

/// The text layer of a PDF as `pdftotext` reads it, whitespace runs made single spaces.
fn pdf_text(path: &Path) -> String {
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils; tests/browser/run.sh installs it)");
    assert!(output.status.success(), "pdftotext: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn every_form_opens_at_phone_and_pc_size() {
    for (size, width, height) in SIZES {
        let browser = open(width, height).await;
        browser.goto("/").await;
        browser.shot(&format!("{size}-home")).await;
        browser.assert_no_sideways_scroll("home").await;
        for template in TEMPLATES {
            // Empty, then filled with the example through a save file.
            browser.goto(&format!("/forms/{template}")).await;
            let lang = browser.client.find(Locator::Css("html")).await.unwrap().attr("lang").await.unwrap();
            assert_eq!(lang.as_deref(), Some("vi"));
            browser.assert_no_sideways_scroll(template).await;
            let file = save_file(browser.downloads.path(), template, &example(template));
            browser.open_file(&file).await;
            browser.until_preview().await;
            browser.assert_no_sideways_scroll(template).await;
            browser.shot(&format!("{size}-{template}")).await;
        }
    }
}

#[tokio::test]
async fn a_secretary_edits_reloads_downloads_and_sees_problems() {
    for (size, width, height) in SIZES {
        let browser = open(width, height).await;
        browser.goto("/forms/minutes").await;
        // Open a save file: the form fills and the preview shows the pages.
        let file = save_file(browser.downloads.path(), "minutes", &example("minutes"));
        browser.open_file(&file).await;
        browser
            .until(
                "var el = document.getElementsByName('/meeting/location')[0]; return !!el && el.value.length > 0;",
                vec![],
            )
            .await;
        browser.until_preview().await;
        let mut before = preview_pixels(&browser).await;
        for _ in 0..600 {
            if before.starts_with("data:image/png") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            before = preview_pixels(&browser).await;
        }
        assert!(before.starts_with("data:image/png"), "{size}: the preview shows drawn pages");

        // Edit: the preview changes and the work is saved in the browser.
        let place = "Hội trường khu phố Đông Hải";
        if size == "phone" {
            browser.goto("/forms/minutes#f/meeting/location").await;
            browser.client.refresh().await.unwrap();
        }
        browser.until_preview().await;
        let location = browser.client.find(Locator::Id("f/meeting/location")).await.unwrap();
        location.clear().await.unwrap();
        location.send_keys(place).await.unwrap();
        let mut after = preview_pixels(&browser).await;
        for _ in 0..600 {
            if after.starts_with("data:image/png") && after != before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            after = preview_pixels(&browser).await;
        }
        assert_ne!(after, before, "{size}: the preview follows the edit");
        browser.shot(&format!("{size}-minutes-edited")).await;

        // Reload: the work is still there (autosaved in the browser).
        browser.client.refresh().await.unwrap();
        browser
            .until(
                "var el = document.getElementsByName('/meeting/location')[0]; return !!el && el.value === arguments[0];",
                vec![json!(place)],
            )
            .await;

        // Download the PDF: it holds the edit.
        to_review(&browser).await;
        browser.client.find(Locator::Css("button[value=pdf]")).await.unwrap().click().await.unwrap();
        let pdf = wait_for_download(browser.downloads.path()).await;
        let text = pdf_text(&pdf);
        assert!(text.contains(place), "{size}: the PDF holds the edit: {text}");

        // Clear the chair: the Vietnamese summary appears, linked to the field, which is marked.
        // Only the hash changes, so reload for the page to open that step.
        browser.goto("/forms/minutes#step-chu-tri").await;
        browser.client.refresh().await.unwrap();
        browser.until_preview().await;
        let chair = browser.client.find(Locator::Id("f/meeting/chair/member_id")).await.unwrap();
        chair.select_by_value("").await.unwrap();
        browser
            .until(
                "var box = document.getElementById('problems'); return !box.hidden && box.querySelector('a[href^=\"#f/meeting/chair\"]') !== null;",
                vec![],
            )
            .await;
        let alert = browser.client.find(Locator::Css("[role=alert]")).await.unwrap();
        let text = alert.text().await.unwrap();
        assert!(text.contains("Cần sửa"), "{size}: {text}");
        assert_eq!(chair.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
        browser.shot(&format!("{size}-minutes-problem")).await;
    }
}

#[tokio::test]
async fn last_months_pdf_opens_the_form_again() {
    let browser = open(390, 844).await;
    let mut minutes = example("minutes");
    minutes["meeting"]["location"] = json!("Nhà văn hóa thôn Đông Hải");
    minutes["embed_data"] = json!(true);
    let input = browser.downloads.path().join("thang-truoc.json");
    std::fs::write(&input, minutes.to_string()).unwrap();
    let path = browser.downloads.path().join("thang-truoc.pdf");
    let status = Command::new(vanban_bin())
        .args(["render", "minutes"])
        .arg(&input)
        .arg("-o")
        .arg(&path)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "renders with its data");
    browser.goto("/").await;
    browser.open_file(&path).await;
    browser
        .until(
            "var el = document.getElementsByName('/meeting/location')[0]; return !!el && el.value === arguments[0];",
            vec![json!("Nhà văn hóa thôn Đông Hải")],
        )
        .await;
    assert!(browser.client.current_url().await.unwrap().path().ends_with("/forms/minutes"));
}
