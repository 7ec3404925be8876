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
use fantoccini::elements::Element;
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

    /// Text a person reads is at least 18 px and what they touch at least 48 px high.
    async fn assert_readable(&self, what: &str) {
        let small: Value = self
            .client
            .execute(
                "var shown = function (el) { return el.offsetParent !== null && el.getClientRects().length > 0; };
                 var text = Array.prototype.filter.call(document.querySelectorAll('body *'), function (el) {
                   var own = Array.prototype.some.call(el.childNodes, function (n) {
                     return n.nodeType === 3 && n.textContent.trim();
                   });
                   return own && shown(el) && el.tagName !== 'OPTION' && parseFloat(getComputedStyle(el).fontSize) < 18;
                 });
                 var targets = Array.prototype.filter.call(document.querySelectorAll(
                   'button, select, textarea, input[type=text], .file-label, a.doc, a.edit, .steps a, #problems a, label.check'),
                   function (el) { return shown(el) && el.getBoundingClientRect().height < 48; });
                 return text.concat(targets).map(function (el) {
                   return el.tagName + '.' + el.className + ' ' + getComputedStyle(el).fontSize + ' ' +
                     Math.round(el.getBoundingClientRect().height) + 'px: ' + el.textContent.trim().slice(0, 40);
                 });",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(small, json!([]), "{what}: text under 18 px or targets under 48 px");
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
        browser.assert_readable(&format!("{size} home")).await;
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
            browser.assert_readable(&format!("{size} {template}")).await;
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
        assert!(
            text.contains("Cần sửa") && text.contains("Chưa chọn đảng viên: Người chủ trì"),
            "{size}: {text}"
        );
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

    // "Tạo từ tháng trước": the next month, attendance and discussion to fill again, last
    // month's tasks offered as the first item of the agenda; the roster and the place stay.
    let month = field(&browser, "/meeting/period/month").await.prop("value").await.unwrap();
    let month: u32 = month.unwrap().parse().unwrap();
    let button = browser.client.find(Locator::Css("button[name=_action][value=next_month]")).await.unwrap();
    reach(&browser, button).await.click().await.unwrap();
    browser
        .until(
            "var el = document.getElementById('f/meeting/period/month'); return !!el && el.value === arguments[0];",
            vec![json!((month % 12 + 1).to_string())],
        )
        .await;
    let state: Value = browser
        .client
        .execute(
            "return [document.querySelectorAll('input[name^=\"/attendance/\"][type=radio]:checked').length,
                     document.querySelectorAll('[name^=\"/discussion/\"]').length,
                     document.querySelectorAll('[name^=\"/members/\"][name$=\"/full_name\"]').length,
                     document.getElementById('f/meeting/location').value,
                     document.getElementById('f/agenda_items/0/title').value];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(state[0], json!(0), "attendance is taken again: {state}");
    assert_eq!(state[1], json!(0), "the discussion is new: {state}");
    assert_eq!(
        state[2],
        json!(example("minutes")["members"].as_array().unwrap().len()),
        "the roster stays: {state}"
    );
    assert_eq!(state[3], json!("Nhà văn hóa thôn Đông Hải"), "the place stays: {state}");
    assert_eq!(
        state[4],
        json!("Kết quả thực hiện nhiệm vụ tháng trước"),
        "last month's tasks come first: {state}"
    );
}

/// What a secretary does in a step of a form.
enum Do {
    /// Types into the field at this pointer (what was there is cleared first).
    Type(&'static str, &'static str),
    /// Picks the choice with this visible text in the select at this pointer.
    Pick(&'static str, &'static str),
    /// Presses the button with this `_action` (add an item, all in favour…); the server answers
    /// a new form, which then shows the field at the second pointer.
    Press(&'static str, &'static str),
    /// Clicks the radio button or tick with this name and value.
    Tick(&'static str, &'static str),
}

/// The steps of a form (by id) and what is done in each, in order.
type Walk = &'static [(&'static str, &'static [Do])];

/// On a phone, clicks "Tiếp tục" until the step shows (on a PC every step shows).
async fn show_step(browser: &Browser, step: &str) {
    for _ in 0..20 {
        let section = browser.client.find(Locator::Id(&format!("step-{step}"))).await.unwrap();
        if section.is_displayed().await.unwrap() {
            return;
        }
        let next = browser.client.find(Locator::Css(".step.current [data-step=next]")).await.unwrap();
        next.click().await.unwrap();
    }
    panic!("step {step} never showed");
}

async fn field(browser: &Browser, pointer: &str) -> Element {
    let element = browser
        .client
        .find(Locator::Id(&format!("f{pointer}")))
        .await
        .unwrap_or_else(|e| panic!("field {pointer}: {e}"));
    reach(browser, element).await
}

/// Scrolls an element to the middle of the window, as a person does before touching it (at
/// the bottom edge, the phone's sticky step buttons cover it).
async fn reach(browser: &Browser, element: Element) -> Element {
    let arg = serde_json::to_value(&element).unwrap();
    browser.client.execute("arguments[0].scrollIntoView({ block: 'center' });", vec![arg]).await.unwrap();
    element
}

/// Does what a secretary does in each step, as a person would: through the page's controls.
/// Each step, once filled, is photographed as `{shot}-{step}.png` on a phone (where it is one
/// screen), and checked for sideways scrolling.
async fn walk(browser: &Browser, steps: Walk, shot: &str) {
    for (step, actions) in steps {
        show_step(browser, step).await;
        for action in *actions {
            match action {
                Do::Type(pointer, text) => {
                    let input = field(browser, pointer).await;
                    input.clear().await.unwrap();
                    input.send_keys(text).await.unwrap();
                }
                Do::Pick(pointer, label) => {
                    let select = field(browser, pointer).await;
                    select
                        .select_by_label(label)
                        .await
                        .unwrap_or_else(|e| panic!("{pointer} = {label}: {e}"));
                }
                Do::Press(action, shows) => {
                    browser
                        .client
                        .execute(
                            "document.getElementById('doc-form').setAttribute('data-stale', '');",
                            vec![],
                        )
                        .await
                        .unwrap();
                    let css = format!("button[name=_action][value=\"{action}\"]");
                    let button = browser.client.find(Locator::Css(&css)).await.unwrap();
                    reach(browser, button).await.click().await.unwrap();
                    browser
                        .until(
                            "return !document.querySelector('#doc-form[data-stale]') && !!document.getElementById(arguments[0]);",
                            vec![json!(format!("f{shows}"))],
                        )
                        .await;
                }
                Do::Tick(name, value) => {
                    let css = format!("input[name=\"{name}\"][value=\"{value}\"]");
                    let tick = browser.client.find(Locator::Css(&css)).await.unwrap();
                    reach(browser, tick).await.click().await.unwrap();
                }
            }
        }
        browser.assert_no_sideways_scroll(&format!("{shot}-{step}")).await;
        if shot.starts_with("phone") {
            let top = "document.getElementById(arguments[0]).scrollIntoView({ block: 'start' });";
            browser.client.execute(top, vec![json!(format!("step-{step}"))]).await.unwrap();
            browser.shot(&format!("{shot}-{step}")).await;
        }
    }
}

/// Waits until the preview answered the last change, then returns the problems it listed.
async fn settled_problems(browser: &Browser) -> String {
    browser.until("return !document.querySelector('#preview[aria-busy]');", vec![]).await;
    let problems: Value = browser
        .client
        .execute(
            "var box = document.getElementById('problems'); return box.hidden ? '' : box.innerText;",
            vec![],
        )
        .await
        .unwrap();
    problems.as_str().unwrap_or_default().to_string()
}

/// Presses a download button and waits for its PDF (the folder is emptied first).
async fn download(browser: &Browser, action: &str) -> PathBuf {
    for entry in std::fs::read_dir(browser.downloads.path()).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let css = format!("button[name=_action][value={action}]");
    let button = browser.client.find(Locator::Css(&css)).await.unwrap();
    reach(browser, button).await.click().await.unwrap();
    wait_for_download(browser.downloads.path(), "pdf").await
}

/// The names of the files a PDF carries, as `pdfdetach` lists them.
fn attachments(path: &Path) -> String {
    let output =
        Command::new("pdfdetach").arg("-list").arg(path).output().expect("pdfdetach runs (poppler-utils)");
    String::from_utf8(output.stdout).unwrap()
}

/// The monthly minutes, from an empty form to the PDF: the roster, the meeting, attendance,
/// chair and secretary picked from the roster, discussion, a task, a vote with the shortcut and
/// the signers.
const MINUTES: Walk = &[
    ("chi-bo", CELL),
    (
        "dang-vien",
        &[
            Do::Press("add:/members", "/members/0/full_name"),
            Do::Press("add:/members", "/members/1/full_name"),
            Do::Press("add:/members", "/members/2/full_name"),
            Do::Type("/members/0/full_name", "Nguyễn Văn An"),
            Do::Pick("/members/0/status", "Chính thức"),
            Do::Pick("/members/0/role", "Bí thư"),
            Do::Type("/members/1/full_name", "Trần Thị Bình"),
            Do::Pick("/members/1/status", "Chính thức"),
            Do::Pick("/members/1/role", "Chi ủy viên"),
            Do::Type("/members/2/full_name", "Lê Văn Cường"),
            Do::Pick("/members/2/status", "Dự bị"),
            Do::Pick("/members/2/role", "Đảng viên"),
        ],
    ),
    (
        "thoi-gian",
        &[
            Do::Type("/meeting/period/month", "11"),
            Do::Type("/meeting/period/year", "2026"),
            Do::Type("/meeting/date", "20/11/2026"),
            Do::Type("/meeting/start_time", "19:30"),
            Do::Type("/meeting/end_time", "21:15"),
            Do::Type("/meeting/location", "Nhà văn hóa tổ dân phố 5"),
        ],
    ),
    (
        "diem-danh",
        &[
            Do::Tick("/attendance/0/present", "true"),
            Do::Tick("/attendance/1/present", "true"),
            Do::Tick("/attendance/2/present", "excused"),
            Do::Type("/attendance/2/reason", "đi công tác"),
        ],
    ),
    ("chu-tri", CHAIR_AND_SECRETARY),
    ("noi-dung", &[Do::Type("/opening/reason_text", "Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026.")]),
    (
        "thao-luan",
        &[
            Do::Press("add:/discussion", "/discussion/0/speaker_id"),
            Do::Pick("/discussion/0/speaker_id", "Trần Thị Bình"),
            Do::Type("/discussion/0/text", "Đề nghị tổ chức dọn vệ sinh khu phố vào sáng Chủ nhật."),
            Do::Type("/conclusion", "Chi bộ thống nhất dọn vệ sinh khu phố ngày 29/11/2026."),
        ],
    ),
    (
        "bieu-quyet",
        &[
            Do::Press("add:/assignments", "/assignments/0/task"),
            Do::Type("/assignments/0/task", "Vận động hộ gia đình dọn vệ sinh"),
            Do::Tick("/assignments/0/assignee_ids/1", "DV-0002"),
            Do::Press("add:/votes", "/votes/0/subject"),
            Do::Type("/votes/0/subject", "Thông qua nghị quyết tháng 11 năm 2026"),
            Do::Press("all_for:/votes/0", "/votes/0/for"),
        ],
    ),
    ("ky", MINUTES_SIGNERS),
];

/// A change made from the review screen: "Sửa" on a step, a new text for one of its fields.
struct Edit {
    step: &'static str,
    pointer: &'static str,
    text: &'static str,
}

/// From an empty form to a checked PDF with its data and the blank form, as a secretary does
/// it: fill every step, review, go back with "Sửa" to change one answer, review again,
/// download. `cell` and `expected` are words the PDF must hold.
async fn write_from_scratch(
    browser: &Browser,
    size: &str,
    template: &str,
    steps: Walk,
    edit: Edit,
    cell: &str,
    expected: &[&str],
) {
    browser.goto(&format!("/forms/{template}")).await;
    walk(browser, steps, &format!("{size}-{template}")).await;
    to_review(browser).await;
    let problems = settled_problems(browser).await;
    assert_eq!(problems, "", "{size} {template}: problems after filling every step");

    let css = format!("#step-review a.edit[href=\"#step-{}\"]", edit.step);
    let sua = browser.client.find(Locator::Css(&css)).await.unwrap();
    reach(browser, sua).await.click().await.unwrap();
    let input = field(browser, edit.pointer).await;
    assert!(input.is_displayed().await.unwrap(), "{size} {template}: “Sửa” shows {}", edit.pointer);
    input.clear().await.unwrap();
    input.send_keys(edit.text).await.unwrap();
    to_review(browser).await;
    browser
        .until(
            "return document.getElementById('step-review').innerText.indexOf(arguments[0]) >= 0;",
            vec![json!(edit.text)],
        )
        .await;
    assert_eq!(settled_problems(browser).await, "", "{size} {template}: problems after the edit");
    browser.assert_no_sideways_scroll(template).await;
    browser.shot(&format!("{size}-{template}-review")).await;

    let pdf = download(browser, "pdf").await;
    let text = pdf_text(&pdf);
    for words in expected.iter().chain([&cell, &edit.text]) {
        assert!(text.contains(words), "{size} {template}: the PDF says {words:?}: {text}");
    }
    assert!(
        attachments(&pdf).contains(&format!("vanban-{template}.json")),
        "{size} {template}: the PDF carries its data"
    );
    // The paper form to fill by hand: the cell's header and dotted blanks, not the answers.
    let blank = pdf_text(&download(browser, "blank").await);
    assert!(blank.contains(cell), "{size} {template}: the blank form names the cell: {blank}");
    assert!(blank.contains("……"), "{size} {template}: the blank form has dotted blanks: {blank}");
    assert!(!blank.contains(edit.text), "{size} {template}: the blank form leaves the answers out: {blank}");
}

#[tokio::test]
async fn a_secretary_writes_the_minutes_from_scratch_on_a_phone_and_a_pc() {
    for (size, width, height) in SIZES {
        let browser = open(width, height).await;
        let edit =
            Edit { step: "thoi-gian", pointer: "/meeting/location", text: "Hội trường khu phố 5" };
        let expected = ["Nguyễn Văn An", "Trần Thị Bình", "Vận động hộ gia đình dọn vệ sinh"];
        write_from_scratch(&browser, size, "minutes", MINUTES, edit, "CHI BỘ TỔ DÂN PHỐ 5", &expected).await;
    }
}

/// The header every document starts with.
const CELL: &[Do] = &[
    Do::Type("/issuer/superior_name", "ĐẢNG BỘ PHƯỜNG ĐOÀN KẾT"),
    Do::Type("/issuer/name", "CHI BỘ TỔ DÂN PHỐ 5"),
    Do::Type("/issuer/place_name", "Đoàn Kết"),
];

/// Minutes: the chair and the secretary picked from the roster.
const CHAIR_AND_SECRETARY: &[Do] = &[
    Do::Pick("/meeting/chair/member_id", "Nguyễn Văn An"),
    Do::Type("/meeting/chair/title_text", "Bí thư Chi bộ"),
    Do::Pick("/meeting/secretary/member_id", "Trần Thị Bình"),
    Do::Type("/meeting/secretary/title_text", "Chi ủy viên"),
];

/// Minutes: the secretary signs on the left, the chair on the right.
const MINUTES_SIGNERS: &[Do] = &[
    Do::Pick("/signatures/left/member_id", "Trần Thị Bình"),
    Do::Pick("/signatures/right/member_id", "Nguyễn Văn An"),
];

/// The secretary signing a resolution or a report for the cell.
const SIGNER: &[Do] = &[
    Do::Type("/signer/authority", "T/M CHI BỘ"),
    Do::Type("/signer/position", "BÍ THƯ"),
    Do::Type("/signer/full_name", "Nguyễn Văn An"),
];

/// The monthly resolution: no roster; the vote is counted from the members present.
const RESOLUTION: Walk = &[
    ("chi-bo", CELL),
    (
        "so-ngay",
        &[
            Do::Type("/issue_date", "22/11/2026"),
            Do::Type("/meeting_date", "20/11/2026"),
            Do::Type("/subject", "về lãnh đạo thực hiện nhiệm vụ tháng 12 năm 2026"),
        ],
    ),
    (
        "ky-danh-gia",
        &[
            Do::Type("/review_period/month", "11"),
            Do::Type("/review_period/year", "2026"),
            Do::Type("/plan_period/month", "12"),
            Do::Type("/plan_period/year", "2026"),
        ],
    ),
    (
        "ket-qua",
        &[
            Do::Press("add:/results/strengths", "/results/strengths/0/field"),
            Do::Type("/results/strengths/0/field", "Phát triển kinh tế - xã hội"),
            Do::Type("/results/strengths/0/text", "bê tông hóa xong ngõ 12."),
        ],
    ),
    (
        "nhiem-vu",
        &[
            Do::Press("add:/tasks", "/tasks/0/field"),
            Do::Type("/tasks/0/field", "Công tác xây dựng Đảng"),
            Do::Type("/tasks/0/text", "thu nộp đảng phí đầy đủ, đúng hạn."),
        ],
    ),
    ("bieu-quyet", &[Do::Type("/vote/voters_present", "18"), Do::Press("all_for:/vote", "/vote/for")]),
    ("ky", SIGNER),
];

/// The thematic minutes: like the monthly ones, plus the topic, its presenter and commitments.
const THEMATIC_MINUTES: Walk = &[
    ("chi-bo", CELL),
    (
        "dang-vien",
        &[
            Do::Press("add:/members", "/members/0/full_name"),
            Do::Press("add:/members", "/members/1/full_name"),
            Do::Type("/members/0/full_name", "Nguyễn Văn An"),
            Do::Pick("/members/0/status", "Chính thức"),
            Do::Pick("/members/0/role", "Bí thư"),
            Do::Type("/members/1/full_name", "Trần Thị Bình"),
            Do::Pick("/members/1/status", "Chính thức"),
            Do::Pick("/members/1/role", "Chi ủy viên"),
        ],
    ),
    (
        "thoi-gian",
        &[
            Do::Type("/meeting/topic", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
            Do::Type("/meeting/period/quarter", "4"),
            Do::Type("/meeting/period/year", "2026"),
            Do::Type("/meeting/date", "20/11/2026"),
            Do::Type("/meeting/start_time", "19:30"),
            Do::Type("/meeting/end_time", "21:00"),
            Do::Type("/meeting/location", "Nhà văn hóa tổ dân phố 5"),
        ],
    ),
    ("diem-danh", &[Do::Tick("/attendance/0/present", "true"), Do::Tick("/attendance/1/present", "true")]),
    ("chu-tri", CHAIR_AND_SECRETARY),
    (
        "noi-dung",
        &[
            Do::Type("/opening/reason_text", "Sinh hoạt chuyên đề quý IV năm 2026."),
            Do::Pick("/presentation/presenter_id", "Nguyễn Văn An"),
            Do::Type("/presentation/summary", "Trình bày chuyên đề về nêu gương ở khu dân cư."),
        ],
    ),
    (
        "thao-luan",
        &[
            Do::Type("/conclusion", "Mỗi đảng viên đăng ký một việc làm nêu gương."),
            Do::Press("add:/commitments", "/commitments/0/member_id"),
            Do::Pick("/commitments/0/member_id", "Trần Thị Bình"),
            Do::Type("/commitments/0/text", "Vận động 10 hộ phân loại rác tại nguồn."),
        ],
    ),
    ("ky", MINUTES_SIGNERS),
];

/// A report of results for a quarter.
const RESULTS_REPORT: Walk = &[
    ("chi-bo", CELL),
    (
        "so-ngay",
        &[
            Do::Type("/issue_date", "28/12/2026"),
            Do::Type("/subject", "kết quả lãnh đạo thực hiện nhiệm vụ quý IV năm 2026"),
            Do::Pick("/period/kind", "Quý"),
            Do::Type("/period/quarter", "4"),
            Do::Type("/period/year", "2026"),
        ],
    ),
    (
        "tinh-hinh",
        &[
            Do::Press("add:/results", "/results/0/field"),
            Do::Type("/results/0/field", "Quốc phòng, an ninh"),
            Do::Type("/results/0/text", "Duy trì tuần tra 3 buổi mỗi tuần."),
        ],
    ),
    ("ky", SIGNER),
];

/// The yearly self-review, with its score, level and secret ballot.
const REVIEW_REPORT: Walk = &[
    ("chi-bo", CELL),
    (
        "so-ngay",
        &[
            Do::Type("/issue_date", "15/12/2026"),
            Do::Type("/subject", "kiểm điểm tập thể Chi bộ năm 2026"),
            Do::Type("/year", "2026"),
        ],
    ),
    (
        "uu-diem",
        &[
            Do::Press("add:/strengths", "/strengths/0/criterion"),
            Do::Type("/strengths/0/criterion", "Công tác chính trị, tư tưởng"),
            Do::Type("/strengths/0/text", "Không có đảng viên vi phạm tư cách."),
        ],
    ),
    (
        "tu-danh-gia",
        &[
            Do::Type("/self_assessment/score", "92,5"),
            Do::Pick("/self_assessment/level", "Hoàn thành tốt nhiệm vụ"),
            Do::Type("/self_assessment/ballot/issued", "18"),
            Do::Type("/self_assessment/ballot/valid", "18"),
            Do::Type("/self_assessment/ballot/for_level", "17"),
        ],
    ),
    ("ky", SIGNER),
];

/// The dues report: each member's category and what they paid.
const DUES_REPORT: Walk = &[
    ("chi-bo", CELL),
    (
        "so-ngay",
        &[
            Do::Type("/issue_date", "05/12/2026"),
            Do::Type("/subject", "kết quả thu, nộp đảng phí tháng 11 năm 2026"),
            Do::Pick("/period/kind", "Tháng"),
            Do::Type("/period/month", "11"),
            Do::Type("/period/year", "2026"),
            Do::Pick("/region", "III"),
        ],
    ),
    (
        "dang-vien",
        &[
            Do::Press("add:/members", "/members/0/full_name"),
            Do::Type("/members/0/full_name", "Nguyễn Văn An"),
            Do::Pick("/members/0/category", "Hưởng lương hưu"),
            Do::Type("/members/0/base_amount", "7.840.000"),
            Do::Type("/members/0/paid_amount", "39.200"),
        ],
    ),
    ("ky", SIGNER),
];

/// The other documents from scratch, each at one size (phone and PC in turn).
#[tokio::test]
async fn a_secretary_writes_every_other_document_from_scratch() {
    let documents: [(&str, Walk, Edit, &[&str]); 5] = [
        (
            "resolution",
            RESOLUTION,
            Edit {
                step: "nhiem-vu", pointer: "/tasks/0/text", text: "thu nộp đảng phí đúng hạn, đạt 100%."
            },
            &["NGHỊ QUYẾT", "bê tông hóa xong ngõ 12"],
        ),
        (
            "thematic-minutes",
            THEMATIC_MINUTES,
            Edit { step: "thoi-gian", pointer: "/meeting/location", text: "Hội trường khu phố 5" },
            &["Vận động 10 hộ phân loại rác tại nguồn"],
        ),
        (
            "results-report",
            RESULTS_REPORT,
            Edit {
                step: "tinh-hinh", pointer: "/results/0/text", text: "Duy trì tuần tra 4 buổi mỗi tuần."
            },
            &["BÁO CÁO"],
        ),
        (
            "review-report",
            REVIEW_REPORT,
            Edit {
                step: "uu-diem", pointer: "/strengths/0/text", text: "Không có đảng viên vi phạm."
            },
            &["Hoàn thành tốt nhiệm vụ"],
        ),
        (
            "dues-report",
            DUES_REPORT,
            Edit {
                step: "so-ngay", pointer: "/subject", text: "kết quả thu, nộp đảng phí tháng 11/2026"
            },
            &["Nguyễn Văn An", "39.200"],
        ),
    ];
    for (n, (template, steps, edit, expected)) in documents.into_iter().enumerate() {
        let (size, width, height) = SIZES[n % 2];
        let browser = open(width, height).await;
        write_from_scratch(&browser, size, template, steps, edit, "CHI BỘ TỔ DÂN PHỐ 5", expected).await;
    }
}
