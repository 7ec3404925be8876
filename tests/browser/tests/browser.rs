//! The web app in a real browser (chromium through chromedriver), at a phone and a PC size.
//! Run `tests/browser/run.sh`: it installs the browser when missing, builds the server and runs
//! these tests one at a time.
//!
//! Each test starts the built server binary (`VANBAN_BIN`) on a free loopback port, its own
//! chromedriver, and a fresh headless chromium profile, so tests share nothing. PDFs are read
//! with `pdftotext` (poppler-utils).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::Locator;
use serde_json::{Value, json};
use support::{Browser, SIZES, open, pdf_text, repo, vanban_bin, wait_for_download};

/// Every bundled template with a web form.
const TEMPLATES: [&str; 6] =
    ["minutes", "thematic-minutes", "resolution", "results-report", "review-report", "dues-report"];

/// A template's bundled example document.
fn example(template: &str) -> Value {
    let path = repo().join("templates").join(template).join("example.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap()).expect("example is JSON")
}

impl Browser {
    async fn until_preview(&self) {
        self.until("return document.querySelectorAll('#preview img').length > 0;", vec![]).await;
    }

    /// Opens a file through the page's file input, as a person choosing it would.
    async fn open_file(&self, path: &Path) {
        let input = self.client.find(Locator::Id("open-file")).await.unwrap();
        input.send_keys(path.to_str().unwrap()).await.unwrap();
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
        let pdf = wait_for_download(browser.downloads.path(), "pdf").await;
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
