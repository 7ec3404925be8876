//! Messages for people: the one catalogue of Vietnamese messages for every [`Issue`], keyed by
//! issue code and, for schema problems, by the schema keyword and its parameters (the field's
//! Vietnamese `title`, a `limit`…).
//!
//! The library reports in English, for integrators and logs; a front end that talks to cell
//! secretaries calls [`localize`] with the language the person asked for (`Accept-Language`).

use crate::error::Issue;

/// The languages messages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// English: the default, for integrators.
    #[default]
    English,
    /// Vietnamese: for the people who write the documents.
    Vietnamese,
}

impl Language {
    /// The language an `Accept-Language` header prefers among those vanban speaks (RFC 9110
    /// §12.5.4: the highest `q` wins, the first of equals); English when it names neither.
    pub fn from_accept_language(header: &str) -> Language {
        let mut best: Option<(f32, Language)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let language = match primary {
                "vi" => Language::Vietnamese,
                "en" => Language::English,
                _ => continue,
            };
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, language));
            }
        }
        best.map_or(Language::English, |(_, language)| language)
    }
}

/// Rewrites every issue's `message` in `language` (English messages are already in place).
pub fn localize(issues: &mut [Issue], language: Language) {
    if language == Language::English {
        return;
    }
    for issue in issues {
        if let Some(message) = vietnamese(issue) {
            issue.message = message;
        }
    }
}

/// The Vietnamese message of `issue`, or `None` for a code the catalogue does not know (a test
/// makes sure every code the library reports is here).
pub fn vietnamese(issue: &Issue) -> Option<String> {
    let text = match issue.code {
        "schema" => return Some(schema_message(issue)),
        "too_deep" => "Dữ liệu lồng nhau quá nhiều tầng",
        "malformed_json" => "Dữ liệu không phải JSON hợp lệ",
        "type" => "Giá trị không đúng kiểu",
        "file_name_pattern" => "Mẫu tên tệp không dùng được",
        "pdf_standard_unmet" => "Văn bản không đạt chuẩn PDF đã chọn; hãy chọn chuẩn a-2b",
        "invalid_date" => "Ngày không có thật trên lịch",
        "invalid_time" => "Giờ không đúng dạng giờ:phút",
        "invalid_query" => "Tham số trên địa chỉ yêu cầu không hợp lệ",
        "issued_before_meeting" => "Ngày ban hành không được trước ngày họp thông qua nghị quyết",
        "plan_not_next_month" => "Kỳ kế hoạch không phải tháng liền sau kỳ đánh giá",
        "meeting_outside_periods" => "Ngày họp không thuộc tháng đánh giá cũng không thuộc tháng kế hoạch",
        "votes_exceed_voters" => "Số phiếu biểu quyết nhiều hơn số đảng viên chính thức có mặt",
        "votes_incomplete" => "Tổng số phiếu biểu quyết ít hơn số đảng viên chính thức có mặt",
        "not_adopted" => {
            "Số tán thành chưa quá một nửa số đảng viên chính thức có mặt (Điều 10.3 Điều lệ Đảng)"
        }
        "review_year_far_from_issue_date" => "Năm kiểm điểm cách xa ngày ban hành báo cáo",
        "level_differs_from_score" => "Mức xếp loại không khớp với số điểm (Quy định 366-QĐ/TW)",
        "valid_exceeds_issued" => "Số phiếu hợp lệ nhiều hơn số phiếu phát ra",
        "for_level_exceeds_valid" => "Số phiếu đề nghị mức xếp loại nhiều hơn số phiếu hợp lệ",
        "level_not_adopted" => "Mức xếp loại đề nghị chưa được quá một nửa số phiếu hợp lệ",
        "more_ballots_than_members" => "Số phiếu phát ra nhiều hơn số đảng viên của chi bộ",
        "date_outside_period" => "Ngày họp không thuộc quý sinh hoạt chuyên đề",
        "unusual_signing_form" => "Văn bản của chi bộ ký thay mặt: T/M CHI BỘ",
        "signer_not_secretary" => "Người ký văn bản của chi bộ là Bí thư hoặc Phó Bí thư",
        "period_not_covered" => {
            "Kỳ báo cáo trước khi Quy định 01-QĐ/TW có hiệu lực (02/2026) chưa được hỗ trợ"
        }
        "missing_base_amount" => "Chưa nhập mức lương, phụ cấp hoặc lương hưu làm căn cứ tính đảng phí",
        "paid_more_than_due" => "Số đã nộp nhiều hơn số phải nộp; hãy kiểm tra lại",
        "missing_channel" => "Chưa ghi hình thức nộp đảng phí",
        "wrong_signing_form" => "Sai thể thức đề ký: chi bộ ký T/M CHI BỘ",
        "duplicate_member" => "Mã đảng viên bị trùng",
        "unknown_member" => "Không có đảng viên nào mang mã này trong danh sách đảng viên",
        "end_before_start" => "Giờ kết thúc sớm hơn giờ bắt đầu",
        "short_meeting" => "Buổi sinh hoạt ngắn hơn thời lượng tối thiểu theo Hướng dẫn 42-HD/BTCTW",
        "duplicate_attendance" => "Đảng viên này được điểm danh hơn một lần",
        "missing_attendance" => "Đảng viên này chưa được điểm danh",
        "missing_period_field" => match issue.pointer.rsplit('/').next() {
            Some("month") => "Chưa nhập tháng của kỳ báo cáo",
            Some("quarter") => "Chưa nhập quý của kỳ báo cáo",
            Some("half") => "Chưa nhập sáu tháng đầu hay cuối năm của kỳ báo cáo",
            _ => "Chưa nhập đủ thông tin của kỳ báo cáo",
        },
        "no_meetings" => "Đã chọn in bảng các buổi sinh hoạt nhưng chưa nhập buổi nào",
        "present_exceeds_required" => "Số có mặt nhiều hơn số phải dự",
        "meeting_outside_period" => "Tháng sinh hoạt nằm ngoài kỳ báo cáo",
        "meeting_date_outside_month" => "Ngày họp không thuộc tháng của buổi sinh hoạt",
        "pdf_standard_cannot_embed" => {
            "Chuẩn PDF/A-2 không gắn được dữ liệu vào tệp; hãy chọn a-3b hoặc để trống chuẩn PDF"
        }
        "not_two_thirds" => {
            "Số tán thành chưa đạt hai phần ba số đảng viên chính thức của chi bộ (Điều lệ Đảng, Điều 4, Điều 5)"
        }
        "internal" => "Máy chủ gặp lỗi khi xử lý; hãy thử lại",
        // The spreadsheet reader writes these for ward-office staff, in Vietnamese, naming the
        // cell's own value; a generic sentence here would lose that.
        "unreadable_workbook"
        | "required"
        | "unknown_field"
        | "not_in_workbook"
        | "template_required"
        | "no_items_sheet"
        | "no_items"
        | "cell_value"
        | "unknown_column"
        | "duplicate_column"
        | "duplicate_number"
        | "unknown_item"
        | "legacy_encoding"
        | "template_mismatch"
        // The ward office's page words these itself.
        | "too_large"
        | "unknown_template" => {
            return Some(issue.message.clone());
        }
        _ => return None,
    };
    Some(text.to_string())
}

/// A schema problem in Vietnamese, from its keyword and parameters.
fn schema_message(issue: &Issue) -> String {
    let param = |name: &str| issue.params.get(name).map(String::as_str);
    let field = param("title").map(lower_first).unwrap_or_else(|| "thông tin này".to_string());
    let limit = param("limit").unwrap_or("");
    match issue.keyword.unwrap_or("") {
        "required" => format!("Chưa nhập {field}"),
        "minLength" if limit == "1" => format!("Chưa nhập {field}"),
        "minLength" => format!("Tối thiểu {limit} ký tự"),
        "maxLength" => format!("Tối đa {limit} ký tự"),
        "minItems" => format!("Cần ít nhất {limit} mục"),
        "maxItems" => format!("Tối đa {limit} mục"),
        "minimum" => format!("Không được nhỏ hơn {limit}"),
        "maximum" => format!("Không được lớn hơn {limit}"),
        "pattern" => match param("pattern").unwrap_or("") {
            crate::input::PRINTABLE_TEXT => {
                "Có ký tự không in được (ký tự điều khiển hoặc ký tự phông chữ không có)".to_string()
            }
            p if p.contains("{4}-") => "Ngày phải có dạng năm-tháng-ngày, ví dụ 2026-11-22".to_string(),
            p if p.contains(':') => "Giờ phải có dạng giờ:phút, ví dụ 19:30".to_string(),
            _ => "Không đúng định dạng".to_string(),
        },
        "format" => match param("format").unwrap_or("") {
            "date" => "Ngày không có thật trên lịch".to_string(),
            _ => "Không đúng định dạng".to_string(),
        },
        "enum" | "const" => "Giá trị không nằm trong các lựa chọn cho phép".to_string(),
        "type" => match param("type").unwrap_or("") {
            "string" => "Phải là chữ".to_string(),
            "integer" => "Phải là số nguyên".to_string(),
            "number" => "Phải là số".to_string(),
            "boolean" => "Phải là có hoặc không (true/false)".to_string(),
            "array" => "Phải là một danh sách".to_string(),
            "object" => "Phải là một nhóm thông tin".to_string(),
            _ => "Giá trị không đúng kiểu".to_string(),
        },
        "additionalProperties" => "Mẫu văn bản này không có trường này".to_string(),
        _ => "Giá trị không hợp lệ".to_string(),
    }
}

/// `Người chủ trì` → `người chủ trì`, to follow `Chưa nhập`. Titles that begin with an
/// abbreviation or a proper name (`Số`, `Chi bộ`…) read correctly either way in this position.
fn lower_first(title: &str) -> String {
    let mut chars = title.chars();
    match chars.next() {
        Some(first) if chars.clone().next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => title.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_known_language() {
        assert_eq!(Language::from_accept_language("vi"), Language::Vietnamese);
        assert_eq!(Language::from_accept_language("vi-VN,vi;q=0.9,en;q=0.8"), Language::Vietnamese);
        assert_eq!(Language::from_accept_language("en-US,vi;q=0.5"), Language::English);
        assert_eq!(Language::from_accept_language("fr, vi;q=0.3"), Language::Vietnamese);
        assert_eq!(Language::from_accept_language("vi;q=0"), Language::English);
        assert_eq!(Language::from_accept_language(""), Language::English);
    }

    #[test]
    fn schema_messages_name_the_field_and_the_limit() {
        let mut missing = Issue::error("/meeting/chair", "schema", "`chair` is required");
        missing.keyword = Some("required");
        missing.params.insert("title", "Người chủ trì".into());
        let mut long = Issue::error("/meeting/location", "schema", "too long");
        long.keyword = Some("maxLength");
        long.params.insert("limit", "500".into());
        let mut issues = [missing, long];
        localize(&mut issues, Language::Vietnamese);
        assert_eq!(issues[0].message, "Chưa nhập người chủ trì");
        assert_eq!(issues[1].message, "Tối đa 500 ký tự");
    }

    /// Every code passed to `Issue::error` or `Issue::warning` anywhere in the library has a
    /// Vietnamese message: the calls are read from the source, so a new code cannot be missed.
    #[test]
    fn every_issue_code_has_a_vietnamese_message() {
        let mut codes = Vec::new();
        collect_codes(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")), &mut codes);
        assert!(codes.len() > 30, "the scan finds the codes: {codes:?}");
        let missing: Vec<&String> =
            codes.iter().filter(|code| vietnamese(&Issue::error("", leak(code), "")).is_none()).collect();
        assert!(missing.is_empty(), "codes without a Vietnamese message: {missing:?}");
    }

    fn leak(code: &str) -> &'static str {
        Box::leak(code.to_string().into_boxed_str())
    }

    fn collect_codes(dir: &std::path::Path, codes: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                collect_codes(&path, codes);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).expect("a source file");
                for call in ["Issue::error(", "Issue::warning("] {
                    for (at, _) in source.match_indices(call) {
                        if let Some(code) = second_argument(&source[at + call.len()..]) {
                            codes.push(code);
                        }
                    }
                }
            }
        }
    }

    /// The string literal given as the second argument of a call whose arguments start `text`.
    fn second_argument(text: &str) -> Option<String> {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for (i, c) in text.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '(' | '[' | '{' if !in_string => depth += 1,
                ')' | ']' | '}' if !in_string => {
                    if depth == 0 {
                        return None;
                    }
                    depth -= 1;
                }
                ',' if !in_string && depth == 0 => {
                    let rest = text[i + 1..].trim_start();
                    let literal = rest.strip_prefix('"')?;
                    return literal.split('"').next().map(str::to_string);
                }
                _ => {}
            }
        }
        None
    }
}
