//! The HTML of the web app, written with maud (every interpolated string is escaped).
//!
//! Everything a secretary reads here is Vietnamese. Field names are JSON Pointers and field ids
//! are `f` + pointer, so a problem's pointer links straight to its field.

use maud::{DOCTYPE, Markup, html};
use serde_json::Value;

use super::form_data::{EXCUSED, choice_text, vietnamese_date};
use super::layout::{Layout, Widget};
use super::shape::{Kind, Shape};
use super::{ASSET_CSS, ASSET_JS};
use crate::catalog::Template;
use crate::error::{Issue, Severity};

/// Everything a form page shows.
pub struct FormPage<'a> {
    /// The template being filled.
    pub template: &'a Template,
    /// Its data shape.
    pub shape: &'a Shape,
    /// Its layout file.
    pub layout: &'a Layout,
    /// The document so far.
    pub data: &'a Value,
    /// Problems to show, already in Vietnamese where a phrasing exists.
    pub issues: &'a [Issue],
    /// A sentence at the top (e.g. what the last action did).
    pub notice: Option<&'a str>,
}

pub(super) fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – vanban" }
                link rel="stylesheet" href=(ASSET_CSS);
                script src=(ASSET_JS) defer {}
            }
            body {
                header.top {
                    a.home href="/" { "Văn bản chi bộ" }
                }
                (body)
            }
        }
    }
}

/// The documents in the order a secretary needs them (the monthly minutes, then the resolution
/// voted at that meeting, the thematic minutes, the reports), each with what it is for.
const HOME_ENTRIES: [(&str, &str); 6] = [
    (
        "minutes",
        "Sau mỗi buổi sinh hoạt hằng tháng: điểm danh, nội dung, ý kiến phát biểu, kết luận và biểu quyết.",
    ),
    ("resolution", "Nghị quyết tháng thông qua tại buổi sinh hoạt: kết quả tháng qua và nhiệm vụ tháng tới."),
    (
        "thematic-minutes",
        "Buổi sinh hoạt chuyên đề (thường mỗi quý): người trình bày, thảo luận, kết luận và cam kết.",
    ),
    ("results-report", "Báo cáo cấp trên kết quả thực hiện nhiệm vụ theo tháng, quý, 6 tháng hoặc năm."),
    ("review-report", "Cuối năm: chi bộ tự kiểm điểm, đánh giá, xếp loại và xếp loại đảng viên."),
    (
        "dues-report",
        "Báo cáo thu, nộp đảng phí: mức đóng của từng đảng viên, số thu, số giữ lại và số nộp cấp trên.",
    ),
];

/// Templates in [`HOME_ENTRIES`] order (any other template after them, by id), each with its
/// description when it has one.
pub fn home_order<'t>(templates: &[&'t Template]) -> Vec<(&'t Template, Option<&'static str>)> {
    let rank =
        |t: &Template| HOME_ENTRIES.iter().position(|(id, _)| *id == t.id).unwrap_or(HOME_ENTRIES.len());
    let mut ordered: Vec<&Template> = templates.to_vec();
    ordered.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.id.cmp(&b.id)));
    ordered
        .into_iter()
        .map(|t| (t, HOME_ENTRIES.iter().find(|(id, _)| *id == t.id).map(|(_, text)| *text)))
        .collect()
}

/// `/`: one big entry per document type.
pub fn home(templates: &[&Template]) -> Markup {
    page(
        "Soạn văn bản chi bộ",
        html! {
            main.home-page {
                h1 { "Soạn văn bản chi bộ" }
                p.lead { "Chọn loại văn bản cần soạn. Điền từng bước, xem trước ngay bên cạnh, rồi tải bản PDF để in và ký." }
                ul.doc-list {
                    @for (t, description) in home_order(templates) {
                        li {
                            a.doc href={ "/forms/" (t.id) } {
                                span.doc-title { (t.meta.title) }
                                @if let Some(text) = description { span.doc-about { (text) } }
                            }
                        }
                    }
                }
                p.ward-link { a href=(super::ward::PATH) { "Văn phòng đảng ủy phường, xã: lập văn bản cho nhiều chi bộ từ bảng tính Excel" } }
                section #drafts-box hidden {
                    h2 { "Tiếp tục bản đang soạn" }
                    ul #drafts {}
                }
                section.open-box {
                    h2 { "Mở tệp đã lưu hoặc bản PDF tháng trước" }
                    p { "Chọn tệp .json đã “Lưu về máy”, hoặc bản PDF do ứng dụng này tạo: nội dung sẽ được điền lại vào mẫu." }
                    label.file-label for="open-file" { "Chọn tệp để mở" }
                    input #open-file type="file" accept=".json,.pdf,application/json,application/pdf";
                    p #open-status role="status" {}
                }
                p.privacy { "Nội dung bạn nhập chỉ lưu trên máy này (trong trình duyệt) và trong tệp bạn tải về; máy chủ không giữ lại gì." }
            }
        },
    )
}

/// `/forms/{template}`: the guided form beside the preview.
pub fn form(form: &FormPage) -> Markup {
    let steps = &form.layout.steps;
    let total = steps.len() + 1;
    let errors: Vec<&Issue> = form.issues.iter().filter(|i| i.severity == Severity::Error).collect();
    page(
        &form.template.meta.title,
        html! {
            main.form-page {
                h1 { (form.template.meta.title) }
                div.workspace {
                    form #doc-form method="post" action={ "/forms/" (form.template.id) } novalidate
                        data-template=(form.template.id)
                        data-empty=[form.data.as_object().is_some_and(|m| m.is_empty()).then_some("")] {
                        div.toolbar {
                            label.file-label for="open-file" { "Mở tệp đã lưu hoặc PDF" }
                            input #open-file type="file" accept=".json,.pdf,application/json,application/pdf";
                            button #save-file type="button" hidden { "Lưu về máy" }
                            button #new-draft.secondary type="button" hidden { "Làm bản mới" }
                            button.secondary type="submit" name="_action" value="next_month" { "Tạo từ tháng trước" }
                            p #saved-at role="status" {}
                        }
                        @if let Some(notice) = form.notice { p.notice role="status" { (notice) } }
                        (form.problems(&errors))
                        nav.steps aria-label="Các bước" {
                            ol {
                                @for (n, step) in steps.iter().enumerate() {
                                    li { a href={ "#step-" (step.id) } { (n + 1) ". " (step.title) } }
                                }
                                li { a href="#step-review" { (total) ". Xem lại và tải về" } }
                            }
                        }
                        @for (n, step) in steps.iter().enumerate() {
                            section.step id={ "step-" (step.id) } aria-labelledby={ "h-" (step.id) } {
                                h2 id={ "h-" (step.id) } { span.step-no { "Bước " (n + 1) "/" (total) } " " (step.title) }
                                @if let Some(help) = &step.help { p.help { (help) } }
                                @for pointer in &step.fields {
                                    @if let Some(shape) = form.shape_at(pointer) {
                                        (form.field(pointer, shape))
                                    }
                                }
                                (step_nav())
                            }
                        }
                        (form.review(total))
                        (form.hidden_values())
                    }
                    aside #preview-pane aria-labelledby="preview-title" {
                        h2 #preview-title { "Xem trước" }
                        // Beside a long form the summary may be far above: this stays in view.
                        a #problems-link href="#problems" hidden[errors.is_empty()] { (problem_count(errors.len())) }
                        p #preview-status role="status" { "Bản xem trước hiện ra khi bạn nhập (cần bật JavaScript)." }
                        div #preview {}
                    }
                }
            }
        },
    )
}

fn step_nav() -> Markup {
    html! {
        div.step-nav {
            button.secondary type="button" data-step="prev" { "← Quay lại" }
            button type="button" data-step="next" { "Tiếp tục →" }
        }
    }
}

/// The heading of the problem summary (the script writes the same words).
fn problem_count(count: usize) -> String {
    format!("Cần sửa {count} chỗ trước khi tải PDF")
}

/// Id of the element that shows the field at `pointer`.
fn field_id(pointer: &str) -> String {
    format!("f{pointer}")
}

impl FormPage<'_> {
    /// The summary of problems, each linking to its field.
    fn problems(&self, errors: &[&Issue]) -> Markup {
        html! {
            div #problems role="alert" tabindex="-1" hidden[errors.is_empty()] {
                @if !errors.is_empty() {
                    h2 { (problem_count(errors.len())) }
                    ul {
                        @for issue in errors {
                            li { a href={ "#f" (issue.pointer) } { (self.message(issue)) } }
                        }
                    }
                }
            }
        }
    }

    fn shape_at(&self, pointer: &str) -> Option<&Shape> {
        let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
        self.shape.at(&tokens)
    }

    fn value(&self, pointer: &str) -> Option<&Value> {
        self.data.pointer(pointer).filter(|v| !v.is_null())
    }

    fn messages(&self, pointer: &str) -> Vec<String> {
        self.issues.iter().filter(|i| i.pointer == pointer).map(|i| self.message(i)).collect()
    }

    /// What a secretary reads about an issue: a member choice left empty is "not chosen", for
    /// the role it is for.
    fn message(&self, issue: &Issue) -> String {
        if issue.keyword == Some("required") && self.layout.widget(&issue.pointer) == Some(Widget::Member) {
            self.no_member(&issue.pointer)
        } else {
            issue.message.clone()
        }
    }

    /// "Chưa chọn đảng viên: Người chủ trì": a member choice is labelled "Đảng viên", so its
    /// problem names the role from the nearest titled parent (the chair, a speaker, a signer).
    fn no_member(&self, pointer: &str) -> String {
        let mut parent = pointer;
        while let Some((up, _)) = parent.rsplit_once('/') {
            parent = up;
            if let Some(title) = self.shape_at(parent).and_then(|shape| shape.title.as_deref()) {
                return format!("{NO_MEMBER}: {title}");
            }
        }
        NO_MEMBER.to_string()
    }

    /// Label text: the schema's title, else the property name. A secretary picks a person, not
    /// a code: a member choice stored as `…/member_id` is labelled "Đảng viên".
    fn label(&self, shape: &Shape, pointer: &str) -> String {
        if self.layout.widget(pointer) == Some(Widget::Member) && pointer.ends_with("/member_id") {
            return "Đảng viên".into();
        }
        shape
            .title
            .clone()
            .unwrap_or_else(|| pointer.rsplit('/').next().unwrap_or_default().replace('_', " "))
    }

    /// The name of the roster member with this id, else the id itself.
    fn member_name(&self, id: &str) -> String {
        self.roster()
            .into_iter()
            .find(|(known, _)| known == id)
            .map_or_else(|| id.to_string(), |(_, name)| name)
    }

    /// Members of the roster as (id, name), for choosing chair, speakers, signers…
    fn roster(&self) -> Vec<(String, String)> {
        let Some(Value::Array(members)) = self.data.get("members") else { return Vec::new() };
        members
            .iter()
            .filter_map(|m| {
                let id = m.get("member_id")?.as_str()?.to_string();
                let name = m.get("full_name").and_then(Value::as_str).unwrap_or(&id).to_string();
                Some((id, name))
            })
            .collect()
    }

    fn field(&self, pointer: &str, shape: &Shape) -> Markup {
        if self.layout.is_hidden(pointer) {
            return html! {};
        }
        match (self.layout.widget(pointer), &shape.kind) {
            (Some(Widget::Attendance), _) => self.attendance(pointer, shape),
            (Some(Widget::Member), _) => self.leaf(pointer, shape, self.member_select(pointer, shape)),
            (Some(Widget::Members), _) => self.member_checks(pointer, shape),
            (_, Kind::Object(fields)) => self.object(pointer, shape, fields),
            (_, Kind::List(item)) => self.list(pointer, shape, item),
            _ => self.leaf(pointer, shape, self.input(pointer, shape)),
        }
    }

    fn object(&self, pointer: &str, shape: &Shape, fields: &[(String, Shape)]) -> Markup {
        let is_vote = self.layout.widget(pointer) == Some(Widget::Votes);
        html! {
            fieldset.group id=(field_id(pointer)) {
                legend { (self.label(shape, pointer)) }
                (self.message_list(pointer))
                @for (name, field) in fields {
                    (self.field(&format!("{pointer}/{name}"), field))
                }
                @if is_vote { (all_in_favour(pointer)) }
            }
        }
    }

    fn list(&self, pointer: &str, shape: &Shape, item: &Shape) -> Markup {
        let count = self.value(pointer).and_then(Value::as_array).map_or(0, Vec::len);
        let label = self.label(shape, pointer);
        let is_votes = self.layout.widget(pointer) == Some(Widget::Votes);
        html! {
            fieldset.list id=(field_id(pointer)) {
                legend { (label) }
                @if let Some(help) = self.layout.help(pointer) { p.hint { (help) } }
                (self.message_list(pointer))
                @for index in 0..count {
                    @let item_pointer = format!("{pointer}/{index}");
                    div.item id=(field_id(&item_pointer)) {
                        p.item-title { (label) " – " (index + 1) }
                        (self.message_list(&item_pointer))
                        @match &item.kind {
                            Kind::Object(fields) => {
                                @for (name, field) in fields {
                                    (self.field(&format!("{item_pointer}/{name}"), field))
                                }
                            }
                            _ => (self.leaf(&item_pointer, item, self.input(&item_pointer, item))),
                        }
                        @if is_votes { (all_in_favour(&item_pointer)) }
                        button.remove type="submit" name="_action" value={ "remove:" (item_pointer) } {
                            "Xóa mục " (index + 1)
                        }
                    }
                }
                button.add type="submit" name="_action" value={ "add:" (pointer) } { "+ Thêm: " (label) }
            }
        }
    }

    /// Label above, help, the control, and the message beside it.
    fn leaf(&self, pointer: &str, shape: &Shape, control: Markup) -> Markup {
        let id = field_id(pointer);
        html! {
            div.field {
                label for=(id) {
                    (self.label(shape, pointer))
                    @if shape.required { span.req { " (bắt buộc)" } }
                }
                @if let Some(help) = self.layout.help(pointer) { p.hint id={ "h" (pointer) } { (help) } }
                (control)
                (self.message_list(pointer))
            }
        }
    }

    fn message_list(&self, pointer: &str) -> Markup {
        html! {
            @for message in self.messages(pointer) {
                p.msg id={ "m" (pointer) } { (message) }
            }
        }
    }

    fn described_by(&self, pointer: &str) -> Option<String> {
        let mut ids = Vec::new();
        if self.layout.help(pointer).is_some() {
            ids.push(format!("h{pointer}"));
        }
        if !self.messages(pointer).is_empty() {
            ids.push(format!("m{pointer}"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    fn invalid(&self, pointer: &str) -> Option<&'static str> {
        (!self.messages(pointer).is_empty()).then_some("true")
    }

    fn input(&self, pointer: &str, shape: &Shape) -> Markup {
        let id = field_id(pointer);
        let value = self.value(pointer);
        let text = value.map(display_text).unwrap_or_default();
        let described = self.described_by(pointer);
        let invalid = self.invalid(pointer);
        match &shape.kind {
            Kind::Text { multiline: true, max_length } => html! {
                textarea id=(id) name=(pointer) rows="4" maxlength=[max_length]
                    aria-describedby=[described] aria-invalid=[invalid] { (text) }
            },
            Kind::Text { max_length, .. } => html! {
                input id=(id) name=(pointer) type="text" value=(text) maxlength=[max_length]
                    aria-describedby=[described] aria-invalid=[invalid];
            },
            Kind::Date => html! {
                input.date id=(id) name=(pointer) type="text" inputmode="numeric" placeholder="ngày/tháng/năm"
                    autocomplete="off" value=(value.and_then(Value::as_str).map(vietnamese_date).unwrap_or(text))
                    aria-describedby=[described] aria-invalid=[invalid];
            },
            Kind::Time => html! {
                input.time id=(id) name=(pointer) type="text" inputmode="numeric" placeholder="giờ:phút, ví dụ 19:30"
                    value=(text) aria-describedby=[described] aria-invalid=[invalid];
            },
            Kind::Integer | Kind::Number => html! {
                input.number id=(id) name=(pointer) type="text" inputmode="decimal" value=(text)
                    aria-describedby=[described] aria-invalid=[invalid];
            },
            Kind::Boolean => html! {
                select id=(id) name=(pointer) aria-describedby=[described] aria-invalid=[invalid] {
                    option value="" selected[value.is_none()] { "— Chưa chọn —" }
                    option value="true" selected[value == Some(&Value::Bool(true))] { "Có" }
                    option value="false" selected[value == Some(&Value::Bool(false))] { "Không" }
                }
            },
            Kind::Choice(choices) => html! {
                select id=(id) name=(pointer) aria-describedby=[described] aria-invalid=[invalid] {
                    option value="" selected[value.is_none()] { "— Chọn —" }
                    @for choice in choices {
                        @let raw = choice_text(choice);
                        option value=(raw) selected[value == Some(choice)] {
                            (self.layout.option_label(pointer, &raw).unwrap_or(&raw))
                        }
                    }
                }
            },
            Kind::Constant(_) | Kind::Object(_) | Kind::List(_) => html! {},
        }
    }

    /// A select over the roster; an id not in the roster stays selectable so nothing is lost.
    fn member_select(&self, pointer: &str, _shape: &Shape) -> Markup {
        let current = self.value(pointer).and_then(Value::as_str);
        let mut roster = self.roster();
        if let Some(id) = current
            && !roster.iter().any(|(known, _)| known == id)
        {
            roster.push((id.to_string(), id.to_string()));
        }
        html! {
            select id=(field_id(pointer)) name=(pointer) data-missing=(self.no_member(pointer))
                aria-describedby=[self.described_by(pointer)] aria-invalid=[self.invalid(pointer)] {
                option value="" selected[current.is_none()] { "— Chưa chọn đảng viên —" }
                @for (id, name) in &roster {
                    option value=(id) selected[current == Some(id.as_str())] data-member-name=(id) { (name) }
                }
            }
        }
    }

    /// Ticks over the roster; the n-th tick is named `…/n`, so the list keeps roster order.
    fn member_checks(&self, pointer: &str, shape: &Shape) -> Markup {
        let chosen: Vec<&str> = self
            .value(pointer)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut roster = self.roster();
        for id in &chosen {
            if !roster.iter().any(|(known, _)| known == id) {
                roster.push((id.to_string(), id.to_string()));
            }
        }
        html! {
            fieldset.checks id=(field_id(pointer)) aria-invalid=[self.invalid(pointer)] {
                legend { (self.label(shape, pointer)) @if shape.required { span.req { " (bắt buộc)" } } }
                (self.message_list(pointer))
                @for (n, (id, name)) in roster.iter().enumerate() {
                    label.check {
                        input type="checkbox" name={ (pointer) "/" (n) } value=(id) checked[chosen.contains(&id.as_str())];
                        " " span data-member-name=(id) { (name) }
                    }
                }
            }
        }
    }

    /// One line per roster member: present, excused (with reason) or absent.
    fn attendance(&self, pointer: &str, shape: &Shape) -> Markup {
        let entries: Vec<&Value> =
            self.value(pointer).and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default();
        let mut roster = self.roster();
        for entry in &entries {
            if let Some(id) = entry.get("member_id").and_then(Value::as_str)
                && !roster.iter().any(|(known, _)| known == id)
            {
                roster.push((id.to_string(), id.to_string()));
            }
        }
        html! {
            fieldset.attendance id=(field_id(pointer)) {
                legend { (self.label(shape, pointer)) }
                p.hint { "Đánh dấu từng đảng viên. Danh sách lấy từ bước “Đảng viên của chi bộ”." }
                (self.message_list(pointer))
                @for (n, (id, name)) in roster.iter().enumerate() {
                    @let line = format!("{pointer}/{n}");
                    @let entry = entries.iter().find(|e| e.get("member_id").and_then(Value::as_str) == Some(id.as_str()));
                    @let present = entry.and_then(|e| e.get("present")).and_then(Value::as_bool);
                    @let excused = entry.and_then(|e| e.get("excused")).and_then(Value::as_bool) == Some(true);
                    @let reason = entry.and_then(|e| e.get("reason")).and_then(Value::as_str).unwrap_or_default();
                    fieldset.attend id=(field_id(&line)) {
                        legend data-member-name=(id) { (name) }
                        input type="hidden" name={ (line) "/member_id" } value=(id);
                        (self.message_list(&line))
                        div.choices id=(field_id(&format!("{line}/present"))) {
                            label.check { input type="radio" name={ (line) "/present" } value="true" checked[present == Some(true)]; " Có mặt" }
                            label.check { input type="radio" name={ (line) "/present" } value=(EXCUSED) checked[present == Some(false) && excused]; " Vắng có lý do" }
                            label.check { input type="radio" name={ (line) "/present" } value="false" checked[present == Some(false) && !excused]; " Vắng không lý do" }
                        }
                        div.field {
                            label for=(field_id(&format!("{line}/reason"))) { "Lý do vắng" }
                            input id=(field_id(&format!("{line}/reason"))) type="text" name={ (line) "/reason" } value=(reason);
                        }
                    }
                }
            }
        }
    }

    /// The last step: what each step holds, with "Sửa", then the downloads.
    fn review(&self, total: usize) -> Markup {
        html! {
            section.step #step-review aria-labelledby="h-review" {
                h2 #h-review { span.step-no { "Bước " (total) "/" (total) } " Xem lại và tải về" }
                p.help { "Kiểm tra lại từng phần. Bấm “Sửa” để quay lại phần cần sửa." }
                // The script refreshes these parts as answers change; the buttons below stay put.
                div #review-parts {
                    @for step in &self.layout.steps {
                        div.review-part {
                            h3 { (step.title) }
                            dl {
                                @for pointer in &step.fields {
                                    @if let Some(shape) = self.shape_at(pointer) {
                                        @for (label, text) in self.summary(pointer, shape) {
                                            dt { (label) } dd { (text) }
                                        }
                                    }
                                }
                            }
                            a.edit href={ "#step-" (step.id) } { "Sửa: " (step.title) }
                        }
                    }
                }
                div.downloads {
                    button.primary type="submit" name="_action" value="pdf" { "Tải PDF" }
                    button.secondary type="submit" name="_action" value="blank" { "In mẫu trống" }
                    button.secondary type="submit" name="_action" value="check" { "Kiểm tra lại" }
                }
                p.hint { "“Tải PDF” chỉ tải được khi không còn chỗ cần sửa. Tệp PDF mang theo nội dung đã nhập, để tháng sau mở lại và “Tạo từ tháng trước”." }
            }
        }
    }

    /// Short (label, text) lines of what is filled in under `pointer`.
    fn summary(&self, pointer: &str, shape: &Shape) -> Vec<(String, String)> {
        if self.layout.is_hidden(pointer) {
            return Vec::new();
        }
        let label = self.label(shape, pointer);
        match (&shape.kind, self.value(pointer)) {
            (_, None) => vec![(label, NOT_GIVEN.into())],
            (Kind::List(_), Some(Value::Array(ids)))
                if self.layout.widget(pointer) == Some(Widget::Members) =>
            {
                let names: Vec<String> =
                    ids.iter().filter_map(Value::as_str).map(|id| self.member_name(id)).collect();
                vec![(label, names.join(", "))]
            }
            (_, Some(Value::Array(entries))) if self.layout.widget(pointer) == Some(Widget::Attendance) => {
                vec![(label, self.attendance_summary(entries))]
            }
            (Kind::List(item), Some(Value::Array(items))) => (0..items.len())
                .map(|n| {
                    let parts = self.summary(&format!("{pointer}/{n}"), item);
                    let text: Vec<String> =
                        parts.into_iter().map(|(_, text)| text).filter(|t| t != NOT_GIVEN).collect();
                    (format!("{label} – {}", n + 1), shorten(text.join(" – ")))
                })
                .collect(),
            (Kind::Object(fields), Some(_)) => fields
                .iter()
                .flat_map(|(name, field)| self.summary(&format!("{pointer}/{name}"), field))
                .collect(),
            (_, Some(value)) => {
                let text = match (&shape.kind, value) {
                    (Kind::Date, Value::String(iso)) => vietnamese_date(iso),
                    (_, Value::String(id)) if self.layout.widget(pointer) == Some(Widget::Member) => {
                        self.member_name(id)
                    }
                    (Kind::Choice(_), value) => {
                        let raw = choice_text(value);
                        self.layout.option_label(pointer, &raw).map_or(raw, str::to_string)
                    }
                    (_, value) => display_text(value),
                };
                vec![(label, shorten(text))]
            }
        }
    }

    /// Who was present and who was not (with the reason), by name.
    fn attendance_summary(&self, entries: &[Value]) -> String {
        let name = |entry: &Value| {
            self.member_name(entry.get("member_id").and_then(Value::as_str).unwrap_or_default())
        };
        let present: Vec<String> =
            entries.iter().filter(|e| e.get("present") == Some(&Value::Bool(true))).map(name).collect();
        let absent: Vec<String> = entries
            .iter()
            .filter(|e| e.get("present") == Some(&Value::Bool(false)))
            .map(|e| match e.get("reason").and_then(Value::as_str).filter(|r| !r.is_empty()) {
                Some(reason) => format!("{} ({reason})", name(e)),
                None => name(e),
            })
            .collect();
        format!(
            "Có mặt {}: {}. Vắng {}: {}.",
            present.len(),
            present.join(", "),
            absent.len(),
            absent.join(", ")
        )
    }

    /// Hidden settings travel with the form as JSON, so nothing loaded is lost.
    fn hidden_values(&self) -> Markup {
        html! {
            @for pointer in &self.layout.hidden {
                @for (concrete, value) in concrete_values(self.data, pointer) {
                    input type="hidden" name=(concrete) value=(value.to_string());
                }
            }
        }
    }
}

/// The problem of a member choice left empty (the engine's message names the member's code,
/// which a secretary never sees), before the role it is for.
const NO_MEMBER: &str = "Chưa chọn đảng viên";

/// What the review shows for a field left empty.
const NOT_GIVEN: &str = "(chưa nhập)";

/// A long text cut to what a review line shows.
fn shorten(text: String) -> String {
    if text.chars().count() > 120 { text.chars().take(117).collect::<String>() + "…" } else { text }
}

/// The "all in favour" shortcut of a vote.
fn all_in_favour(pointer: &str) -> Markup {
    html! {
        button.secondary type="submit" name="_action" value={ "all_for:" (pointer) } { "Tất cả tán thành" }
    }
}

fn display_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Every (pointer, value) of `data` matching `pattern` (`*` = every index).
fn concrete_values<'v>(data: &'v Value, pattern: &str) -> Vec<(String, &'v Value)> {
    let mut found = vec![(String::new(), data)];
    for token in pattern.split('/').skip(1) {
        found = found
            .into_iter()
            .flat_map(|(at, value)| -> Vec<(String, &Value)> {
                match (token, value) {
                    ("*", Value::Array(items)) => {
                        items.iter().enumerate().map(|(i, v)| (format!("{at}/{i}"), v)).collect()
                    }
                    (key, Value::Object(map)) => {
                        map.get(key).map(|v| (format!("{at}/{key}"), v)).into_iter().collect()
                    }
                    _ => Vec::new(),
                }
            })
            .collect();
    }
    found
}

/// The page shown when a template does not exist.
pub fn not_found() -> Markup {
    page(
        "Không tìm thấy",
        html! {
            main { h1 { "Không tìm thấy trang này" } p { a href="/" { "Về trang chủ" } } }
        },
    )
}
