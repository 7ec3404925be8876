//! The ward office's page, `/ward`: a ward or commune party office makes one document type for
//! many cells at once from a spreadsheet. It downloads the workbook of the document type, fills
//! one row per cell in Excel or LibreOffice Calc, uploads it, reads the check cell by cell (✓,
//! or each problem with its sheet, row, column and a Vietnamese sentence), then downloads the
//! zip of PDFs or one merged PDF to print.
//!
//! Like the forms it works without JavaScript: the upload is a `multipart/form-data` POST
//! answered with the result page; the downloads are plain responses. Nothing is stored on the
//! server: the checked batch travels back in a hidden field of the result page and is validated
//! again, in full, when the office asks for the documents.

mod multipart;

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use serde_json::Value;
use tokio::sync::Semaphore;

use super::{Web, form_data, html, localize, page};
use crate::batch::{self, BatchControl};
use crate::catalog::Template;
use crate::error::{Issue, Location, Severity};
use crate::spreadsheet::{self, DEFAULTS_SHEET, DryRun, Format, ImportOptions};
use crate::{Engine, Error, input};

/// Path of the page.
pub const PATH: &str = "/ward";

/// The field of the result page that carries the checked batch back.
const BATCH_FIELD: &str = "batch";

/// One batch is typeset at a time from this page: it uses every core while it runs, and a
/// second office waits for it rather than slowing both.
static GENERATING: Semaphore = Semaphore::const_new(1);

/// The page's routes.
pub(super) fn routes() -> Router<Arc<Web>> {
    Router::new().route(PATH, get(blank_page).post(submit))
}

/// What the page shows besides its steps.
#[derive(Default)]
struct View {
    /// The document type chosen in the upload form.
    template: Option<String>,
    /// Whether legacy-encoded text is converted.
    convert_legacy: bool,
    /// The answer to the last upload or download.
    outcome: Option<Outcome>,
}

enum Outcome {
    /// The upload was read and checked.
    Checked(Checked),
    /// Nothing to check or make: the file could not be read, or the documents not made.
    Failed(Vec<Issue>),
}

struct Checked {
    file_name: String,
    report: DryRun,
    /// The batch the upload became, for the download form.
    batch: Value,
}

async fn blank_page(State(web): State<Arc<Web>>) -> Response {
    html(StatusCode::OK, ward_page(&web, &View::default()))
}

/// `POST /ward`: an upload to check (multipart), or the checked batch to make (urlencoded).
async fn submit(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let message = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "Tệp quá lớn so với giới hạn của máy chủ. Hãy bỏ bớt các trang không cần thiết rồi gửi lại."
            } else {
                "Không nhận được tệp. Xin gửi lại."
            };
            return failed(&web, View::default(), rejection.status(), message);
        }
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    match multipart::boundary(content_type) {
        Some(boundary) => check(&web, &body, &boundary).await,
        None => make(&web, &form_data::parse_pairs(&body)).await,
    }
}

fn failed(web: &Web, mut view: View, status: StatusCode, message: &str) -> Response {
    view.outcome = Some(Outcome::Failed(vec![Issue::error("", "internal", message)]));
    html(status, ward_page(web, &view))
}

/// Reads the uploaded spreadsheet and checks it as a batch, rendering nothing.
async fn check(web: &Arc<Web>, body: &Bytes, boundary: &str) -> Response {
    let Some(parts) = multipart::parts(body, boundary) else {
        return failed(
            web,
            View::default(),
            StatusCode::BAD_REQUEST,
            "Không đọc được nội dung gửi lên. Xin gửi lại.",
        );
    };
    let field = |name: &str| {
        parts.iter().find(|p| p.name == name).map(|p| String::from_utf8_lossy(p.data).trim().to_string())
    };
    let view = View {
        template: field("template").filter(|t| !t.is_empty()),
        convert_legacy: field("convert_legacy").is_some(),
        outcome: None,
    };
    let Some(file) = parts.iter().find(|p| p.name == "file" && !p.data.is_empty()) else {
        return failed(
            web,
            view,
            StatusCode::BAD_REQUEST,
            "Chưa chọn tệp bảng tính. Bấm «Chọn tệp» rồi chọn tệp đã điền.",
        );
    };
    let file_name = file.file_name.clone().unwrap_or_default();
    let format = upload_format(&file_name, file.content_type.as_deref(), file.data);
    let options = ImportOptions {
        template: view.template.clone(),
        convert_legacy: view.convert_legacy,
        limits: spreadsheet::Limits::default(),
    };
    let bytes = body.slice_ref(file.data);
    let engine = web.engine.clone();
    let max_items = web.max_batch_items;
    let checked = tokio::task::spawn_blocking(move || {
        catch_unwind(AssertUnwindSafe(|| {
            let imported = spreadsheet::import(engine.catalog(), &bytes, format, &options)?;
            let report = spreadsheet::dry_run(&engine, &imported.batch, Some(&imported), max_items)?;
            Ok((report, imported.batch))
        }))
        .unwrap_or_else(|_| Err(Error::Internal("reading the spreadsheet panicked".into())))
    })
    .await
    .unwrap_or_else(|_| Err(Error::Internal("spreadsheet task lost".into())));
    let (status, outcome) = match checked {
        Ok((mut report, batch)) => {
            localize(&mut report.problems);
            let status = if report.ok { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            (status, Outcome::Checked(Checked { file_name, report, batch }))
        }
        Err(error) => (StatusCode::UNPROCESSABLE_ENTITY, Outcome::Failed(problems_of(error))),
    };
    html(status, ward_page(web, &View { outcome: Some(outcome), ..view }))
}

/// The format of an upload: by the file's extension, else its type, else its first bytes.
fn upload_format(file_name: &str, content_type: Option<&str>, data: &[u8]) -> Format {
    Format::from_path(std::path::Path::new(file_name))
        .or_else(|| content_type.and_then(Format::from_media_type))
        .unwrap_or_else(|| {
            if !data.starts_with(b"PK") {
                Format::Csv
            } else if data
                .windows(spreadsheet::ODS_MEDIA_TYPE.len())
                .take(200)
                .any(|w| w == spreadsheet::ODS_MEDIA_TYPE.as_bytes())
            {
                // An ODS file opens with its stored `mimetype` entry.
                Format::Ods
            } else {
                Format::Xlsx
            }
        })
}

/// A library error as problems a ward office can act on, in Vietnamese.
fn problems_of(error: Error) -> Vec<Issue> {
    let mut problems = match error {
        Error::Invalid(issues) => issues,
        Error::TooLarge(_) => vec![Issue::error(
            "",
            "too_large",
            "Tệp vượt giới hạn: quá lớn, quá nhiều dòng, cột hoặc chi bộ. Hãy bỏ bớt các trang, dòng không cần thiết hoặc chia thành nhiều tệp.",
        )],
        Error::UnknownTemplate(_) => vec![Issue::error(
            "",
            "unknown_template",
            "Bảng tính ghi một loại văn bản không có ở đây. Hãy tải lại bảng tính mẫu ở bước 1.",
        )],
        other => {
            tracing::error!(error = %other, "ward page failed");
            vec![Issue::error("", "internal", "Máy chủ gặp lỗi khi xử lý; hãy thử lại")]
        }
    };
    for problem in &mut problems {
        // The reader's sentences that name an API parameter, said for this page.
        match problem.code {
            "template_required" => {
                problem.message = "Tệp CSV chỉ có các dòng chi bộ: hãy chọn loại văn bản ở ô «Loại văn bản» rồi gửi lại.".into()
            }
            "unreadable_workbook" => {
                problem.message = "Không đọc được tệp này. Hãy mở nó trong Excel hoặc LibreOffice Calc và lưu lại dưới dạng .xlsx, .ods hoặc .csv.".into()
            }
            _ => {}
        }
    }
    localize(&mut problems);
    problems
}

/// Makes the documents of a checked batch: the zip, or the merged PDF alone.
async fn make(web: &Arc<Web>, pairs: &[(String, String)]) -> Response {
    let field = |name: &str| pairs.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let merged_only = field("_action") == Some("pdf");
    let Some(Ok(mut batch)) = field(BATCH_FIELD).map(|text| input::parse(text.as_bytes())) else {
        return failed(
            web,
            View::default(),
            StatusCode::BAD_REQUEST,
            "Chưa có bảng tính đã kiểm tra. Hãy gửi tệp ở bước 3.",
        );
    };
    let Some(template) =
        batch.get("template").and_then(Value::as_str).and_then(|id| web.engine.catalog().get(id).ok())
    else {
        return failed(
            web,
            View::default(),
            StatusCode::BAD_REQUEST,
            "Chưa có bảng tính đã kiểm tra. Hãy gửi tệp ở bước 3.",
        );
    };
    let (id, title) = (template.id.clone(), template.meta.title.clone());
    if merged_only && let Some(object) = batch.as_object_mut() {
        object.insert("merged_pdf".into(), Value::Bool(true));
    }
    let Ok(_turn) = GENERATING.acquire().await else {
        return failed(
            web,
            View::default(),
            StatusCode::SERVICE_UNAVAILABLE,
            "Máy chủ đang dừng. Xin thử lại sau.",
        );
    };
    let engine = web.engine.clone();
    let max_items = web.max_batch_items;
    let made = tokio::task::spawn_blocking(move || {
        catch_unwind(AssertUnwindSafe(move || zip_of(&engine, batch, max_items)))
            .unwrap_or_else(|_| Err(Error::Internal("making the batch panicked".into())))
    })
    .await
    .unwrap_or_else(|_| Err(Error::Internal("batch task lost".into())));
    let view = View { template: Some(id.clone()), ..View::default() };
    let zip = match made {
        Ok(zip) => zip,
        Err(error) => {
            let view = View { outcome: Some(Outcome::Failed(problems_of(error))), ..view };
            return html(StatusCode::UNPROCESSABLE_ENTITY, ward_page(web, &view));
        }
    };
    let (bytes, media_type, ascii_name, display_name) = if merged_only {
        match merged_pdf(&zip) {
            Some(pdf) => {
                (pdf, "application/pdf", format!("{id}-ban-in-gop.pdf"), format!("{title} – bản in gộp.pdf"))
            }
            None => {
                return failed(
                    web,
                    view,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Không tạo được tệp PDF gộp. Xin thử lại.",
                );
            }
        }
    } else {
        (zip, "application/zip", format!("{id}-hang-loat.zip"), format!("{title} – hàng loạt.zip"))
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(value) =
        HeaderValue::from_str(&crate::file_names::content_disposition(&ascii_name, &display_name))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The batch's zip, as `POST /v1/batch` writes it, on every core.
fn zip_of(engine: &Engine, batch: Value, max_items: usize) -> crate::Result<Vec<u8>> {
    let prepared = engine.prepare_batch_request(batch, max_items)?;
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let mut zip = Vec::new();
    engine.write_batch(prepared, &mut zip, &BatchControl::new(workers))?;
    Ok(zip)
}

/// `all.pdf` out of a batch's zip.
fn merged_pdf(zip: &[u8]) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).ok()?;
    let mut entry = archive.by_name(batch::MERGED_NAME).ok()?;
    let mut pdf = Vec::new();
    entry.read_to_end(&mut pdf).ok()?;
    Some(pdf)
}

/// The whole page: the answer to the last action on top, then the four steps.
fn ward_page(web: &Web, view: &View) -> Markup {
    let templates: Vec<&Template> = web.engine.catalog().templates().collect();
    page::page(
        "Lập văn bản cho nhiều chi bộ",
        html! {
            main.ward-page {
                h1 { "Lập văn bản cho nhiều chi bộ từ bảng tính" }
                p.lead {
                    "Dành cho văn phòng đảng ủy phường, xã: điền một bảng tính Excel hoặc LibreOffice, "
                    "mỗi chi bộ một dòng, rồi tạo văn bản của tất cả các chi bộ một lần."
                }
                @match &view.outcome {
                    Some(Outcome::Checked(checked)) => (result(web, checked)),
                    Some(Outcome::Failed(problems)) => (failure(problems)),
                    None => {},
                }
                section.ward-step aria-labelledby="ward-download" {
                    h2 #ward-download { "1. Tải bảng tính mẫu" }
                    p { "Chọn loại văn bản cần lập. Mỗi loại có một bảng tính riêng, kèm trang «Hướng dẫn»." }
                    ul.doc-list.workbooks {
                        @for t in &templates {
                            li {
                                a.doc href={ "/v1/templates/" (t.id) "/workbook" } download {
                                    span.doc-title { (t.meta.title) }
                                    span.doc-action { "Tải bảng tính (.xlsx)" }
                                }
                            }
                        }
                    }
                }
                section.ward-step aria-labelledby="ward-fill" {
                    h2 #ward-fill { "2. Điền bảng tính" }
                    ol.ward-howto {
                        li { "Mở tệp bằng Excel hoặc LibreOffice Calc." }
                        li { "Trang «" (DEFAULTS_SHEET) "»: điền những gì mọi chi bộ dùng chung (tên đảng bộ, ngày ban hành…)." }
                        li { "Trang «" (spreadsheet::ITEMS_SHEET) "»: mỗi chi bộ một dòng, từ dòng 3. Ô để trống thì lấy theo trang «" (DEFAULTS_SHEET) "». Không xóa dòng 2 (dòng ẩn)." }
                        li { "Ngày ghi dạng ngày/tháng/năm, ví dụ 21/11/2026. Danh sách nhiều ý (căn cứ, nhiệm vụ…): mỗi ý một dòng trong ô (Alt+Enter)." }
                        li { "Lưu lại (.xlsx, .ods hoặc .csv)." }
                    }
                }
                section.ward-step aria-labelledby="ward-upload" {
                    h2 #ward-upload { "3. Gửi bảng tính để kiểm tra" }
                    (upload_form(&templates, view))
                }
                section.ward-step aria-labelledby="ward-make" {
                    h2 #ward-make { "4. Tạo văn bản" }
                    p { "Khi bảng tính không còn lỗi, hai nút tải về hiện ra ở phần kết quả phía trên: tệp nén (zip) có từng văn bản PDF, và một tệp PDF gộp tất cả để in một lần." }
                }
                p.privacy { "Máy chủ không lưu bảng tính hay văn bản nào: mọi thứ nằm trong tệp bạn gửi lên và tải về." }
            }
        },
    )
}

fn upload_form(templates: &[&Template], view: &View) -> Markup {
    html! {
        form.ward-upload method="post" action=(PATH) enctype="multipart/form-data" {
            div.field {
                label for="ward-file" { "Tệp bảng tính đã điền (.xlsx, .ods hoặc .csv)" }
                input #ward-file type="file" name="file" required
                    accept=".xlsx,.ods,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.oasis.opendocument.spreadsheet,text/csv";
            }
            div.field {
                label for="ward-template" { "Loại văn bản" }
                p.hint #ward-template-hint { "Bảng tính tải ở bước 1 đã ghi sẵn loại văn bản; chỉ tệp .csv cần chọn." }
                select #ward-template name="template" aria-describedby="ward-template-hint" {
                    option value="" { "Theo bảng tính" }
                    @for t in templates {
                        option value=(t.id) selected[view.template.as_deref() == Some(t.id.as_str())] { (t.meta.title) }
                    }
                }
            }
            label.check {
                input type="checkbox" name="convert_legacy" value="1" checked[view.convert_legacy];
                "Chuyển chữ gõ bằng bảng mã cũ (TCVN3 – ABC, VNI) sang Unicode"
            }
            button.primary type="submit" { "Kiểm tra bảng tính" }
        }
    }
}

fn failure(problems: &[Issue]) -> Markup {
    html! {
        section #ward-result.ward-result.bad role="alert" tabindex="-1" aria-labelledby="ward-result-title" {
            h2 #ward-result-title { "Chưa kiểm tra được bảng tính" }
            ul.ward-problems {
                @for problem in problems { li { (problem_line(problem)) } }
            }
            p { a href="#ward-upload" { "Gửi lại tệp ở bước 3" } }
        }
    }
}

/// The check: a summary, the problems of the whole workbook, a row per cell, and the downloads.
fn result(web: &Web, checked: &Checked) -> Markup {
    let report = &checked.report;
    let title = web.engine.catalog().get(&report.template).map(|t| t.meta.title.clone()).unwrap_or_default();
    let items = checked.batch.get("items").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let defaults = checked.batch.get("defaults").cloned().unwrap_or(Value::Null);
    // Problems of the shared sheet, or of no cell row, are shown once above the table.
    let shared = |p: &Issue| p.location.as_ref().is_none_or(|l| l.sheet == DEFAULTS_SHEET);
    let mut general: Vec<&Issue> = Vec::new();
    for problem in report.problems.iter().filter(|p| shared(p) || item_index(&p.pointer).is_none()) {
        // A shared cell's problem is found once per cell that inherits it.
        if !general.iter().any(|g| g.location == problem.location && g.message == problem.message) {
            general.push(problem);
        }
    }
    let errors = report.problems.iter().filter(|p| p.severity == Severity::Error).count();
    let bad_rows = report.rows.iter().filter(|r| r.errors > 0).count();
    html! {
        section #ward-result.ward-result.(if report.ok { "ok" } else { "bad" })
            role=(if report.ok { "status" } else { "alert" }) tabindex="-1" aria-labelledby="ward-result-title" {
            h2 #ward-result-title {
                @if report.ok { "✓ Bảng tính hợp lệ: " (report.items) " chi bộ" }
                @else { "Cần sửa " (errors) " chỗ trong bảng tính" }
            }
            p.ward-file { "Tệp «" (checked.file_name) "» · " (title) " · " (report.items) " chi bộ" @if bad_rows > 0 { ", " (bad_rows) " chi bộ có lỗi" } }
            @if !general.is_empty() {
                h3 { "Cả bảng tính" }
                ul.ward-problems {
                    @for problem in &general { li.(severity_class(problem)) { (problem_line(problem)) } }
                }
            }
            @if !items.is_empty() {
                table.ward-table {
                    caption { "Từng chi bộ" }
                    thead { tr { th scope="col" { "Dòng" } th scope="col" { "Chi bộ" } th scope="col" { "Kết quả" } } }
                    tbody {
                        @for row in &report.rows {
                            @let mine: Vec<&Issue> = report.problems.iter()
                                .filter(|p| item_index(&p.pointer) == Some(row.index) && !shared(p)).collect();
                            @let own_errors = mine.iter().any(|p| p.severity == Severity::Error);
                            tr.(if own_errors || row.errors > 0 { "bad" } else { "ok" }) {
                                td data-label="Dòng" { (row.location.as_ref().map_or_else(|| (row.index + 1).to_string(), |l| l.row.to_string())) }
                                td data-label="Chi bộ" { (cell_name(&defaults, items.get(row.index))) }
                                td data-label="Kết quả" {
                                    @if mine.is_empty() && row.errors == 0 {
                                        span.tick { "✓ Hợp lệ" }
                                    } @else if mine.is_empty() {
                                        "Theo lỗi ở trang «" (DEFAULTS_SHEET) "» phía trên"
                                    }
                                    @if !mine.is_empty() {
                                        ul.ward-problems {
                                            @for problem in &mine { li.(severity_class(problem)) { (problem_line(problem)) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if report.ok {
                form.ward-make method="post" action=(PATH) {
                    input type="hidden" name=(BATCH_FIELD) value=(checked.batch.to_string());
                    p { "Bước 4: tải các văn bản về." }
                    button.primary type="submit" name="_action" value="zip" { "Tải tệp zip (mỗi chi bộ một PDF)" }
                    button type="submit" name="_action" value="pdf" { "Tải một tệp PDF gộp để in" }
                }
            } @else {
                p { "Sửa các ô trên trong bảng tính, lưu lại rồi " a href="#ward-upload" { "gửi lại tệp ở bước 3" } "." }
            }
        }
    }
}

fn severity_class(problem: &Issue) -> &'static str {
    match problem.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `Trang «Chi bộ», dòng 5, cột F: Chưa nhập ngày họp`.
fn problem_line(problem: &Issue) -> Markup {
    html! {
        @if problem.severity == Severity::Warning { strong { "Lưu ý: " } }
        @if let Some(Location { sheet, row, column }) = &problem.location {
            span.where { "Trang «" (sheet) "», dòng " (row) ", cột " (column) ": " }
        }
        (problem.message)
    }
}

/// `/items/3/vote/for` → 3.
fn item_index(pointer: &str) -> Option<usize> {
    pointer.strip_prefix("/items/")?.split('/').next()?.parse().ok()
}

/// The cell's name as the document prints it (its own, else the shared one).
fn cell_name(defaults: &Value, item: Option<&Value>) -> String {
    let name = |value: Option<&Value>| value?.pointer("/issuer/name")?.as_str().map(str::to_string);
    name(item).or_else(|| name(Some(defaults))).unwrap_or_else(|| "—".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_comes_from_the_name_the_type_or_the_bytes() {
        assert_eq!(upload_format("Tháng 11.XLSX", None, b""), Format::Xlsx);
        assert_eq!(upload_format("ds.csv", Some("application/octet-stream"), b"PK"), Format::Csv);
        assert_eq!(upload_format("bang-tinh", Some(spreadsheet::ODS_MEDIA_TYPE), b""), Format::Ods);
        let ods =
            [&b"PK\x03\x04"[..], &[0; 26], b"mimetype", spreadsheet::ODS_MEDIA_TYPE.as_bytes()].concat();
        assert_eq!(upload_format("bang-tinh", None, &ods), Format::Ods);
        assert_eq!(upload_format("bang-tinh", None, b"PK\x03\x04[Content_Types].xml"), Format::Xlsx);
        assert_eq!(upload_format("", None, "STT;Tên chi bộ".as_bytes()), Format::Csv);
    }

    #[test]
    fn problems_belong_to_the_item_their_pointer_names() {
        assert_eq!(item_index("/items/12/vote/for"), Some(12));
        assert_eq!(item_index("/items/3"), Some(3));
        assert_eq!(item_index("/defaults/issuer/name"), None);
        assert_eq!(item_index(""), None);
    }
}
