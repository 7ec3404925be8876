//! The ward office's page in a real browser, at a PC and a phone size: download a workbook,
//! upload one with a bad cell and read where the problem is, upload the fixed one, then get the
//! zip and the merged PDF to print.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use fantoccini::Locator;
use serde_json::{Value, json};
use support::{Browser, SIZES, open, pdf_text, repo, vanban_bin, wait_for_download};

/// Three cells of a ward's monthly resolutions, written into a workbook by `vanban workbook`.
fn workbook(dir: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let fixture = repo().join("tests/fixtures/batch-resolutions.json");
    let mut batch: Value = serde_json::from_slice(&std::fs::read(fixture).unwrap()).unwrap();
    batch["items"].as_array_mut().unwrap().truncate(3);
    edit(&mut batch);
    let json = dir.join(format!("{name}.json"));
    std::fs::write(&json, batch.to_string()).unwrap();
    let path = dir.join(format!("{name}.xlsx"));
    let status = Command::new(vanban_bin())
        .args(["workbook", "resolution"])
        .arg(&json)
        .arg("-o")
        .arg(&path)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "vanban workbook writes {name}");
    path
}

impl Browser {
    /// Chooses `path` in the upload form and sends it.
    async fn upload(&self, path: &Path) {
        // Marks this page, so the wait below sees the answer, not the page it replaces.
        self.client.execute("document.documentElement.dataset.sent = '1';", vec![]).await.unwrap();
        let input = self.client.find(Locator::Id("ward-file")).await.unwrap();
        input.send_keys(path.to_str().unwrap()).await.unwrap();
        self.client
            .find(Locator::Css(".ward-upload button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        self.until(
            "return !document.documentElement.dataset.sent && document.getElementById('ward-result') !== null;",
            vec![],
        )
        .await;
    }

    async fn result_text(&self) -> String {
        self.client.find(Locator::Id("ward-result")).await.unwrap().text().await.unwrap()
    }
}

#[tokio::test]
async fn a_ward_office_checks_its_workbook_and_gets_the_documents() {
    for (size, width, height) in SIZES {
        let browser = open(width, height).await;
        let files = tempfile::tempdir().unwrap();
        // From the home page to the ward page.
        browser.goto("/").await;
        browser.client.find(Locator::Css("a[href='/ward']")).await.unwrap().click().await.unwrap();
        browser.until("return location.pathname === '/ward';", vec![]).await;
        browser.assert_no_sideways_scroll("ward").await;
        browser.shot(&format!("{size}-ward")).await;

        // The workbook of a document type downloads as a normal file.
        browser
            .client
            .find(Locator::Css("a[href='/v1/templates/resolution/workbook']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let blank = wait_for_download(browser.downloads.path(), "xlsx").await;
        assert!(std::fs::read(&blank).unwrap().starts_with(b"PK"), "{size}: an XLSX (zip) file");

        // One bad cell: the second cell's resolution is dated before its meeting.
        let bad = workbook(files.path(), "nghi-quyet-thang-11", |batch| {
            batch["items"][1]["issue_date"] = json!("2026-11-20");
        });
        browser.upload(&bad).await;
        let text = browser.result_text().await;
        assert!(text.contains("Cần sửa 1 chỗ"), "{size}: {text}");
        assert!(text.contains("Trang «Chi bộ», dòng 4, cột"), "{size}: the row and column: {text}");
        assert!(text.contains("Ngày ban hành không được trước ngày họp"), "{size}: {text}");
        assert_eq!(text.matches("✓ Hợp lệ").count(), 2, "{size}: the other cells are fine: {text}");
        assert!(
            browser.client.find(Locator::Css("button[value=zip]")).await.is_err(),
            "{size}: nothing to download while a cell is wrong"
        );
        browser.assert_no_sideways_scroll("ward problems").await;
        browser.shot(&format!("{size}-ward-problem")).await;

        // The fixed workbook: every cell ✓, then the zip and the merged PDF.
        let fixed = workbook(files.path(), "nghi-quyet-thang-11-da-sua", |_| {});
        browser.upload(&fixed).await;
        let text = browser.result_text().await;
        assert!(text.contains("Bảng tính hợp lệ: 3 chi bộ"), "{size}: {text}");
        assert_eq!(text.matches("✓ Hợp lệ").count(), 3, "{size}: {text}");
        browser.assert_no_sideways_scroll("ward checked").await;
        browser.shot(&format!("{size}-ward-ok")).await;
        browser.client.find(Locator::Css("button[value=zip]")).await.unwrap().click().await.unwrap();
        let zip = std::fs::read(wait_for_download(browser.downloads.path(), "zip").await).unwrap();
        // Entries are stored uncompressed: the manifest reads in the raw bytes.
        let raw = String::from_utf8_lossy(&zip);
        assert_eq!(raw.matches("\"status\": \"ok\"").count(), 3, "{size}: three documents in the zip");
        browser.client.find(Locator::Css("button[value=pdf]")).await.unwrap().click().await.unwrap();
        let merged = pdf_text(&wait_for_download(browser.downloads.path(), "pdf").await);
        for n in 1..=3 {
            assert!(merged.contains(&format!("TỔ DÂN PHỐ {n}")), "{size}: cell {n} in the merged PDF");
        }
    }
}
