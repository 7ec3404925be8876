"""Adds a Vietnamese "title" to every schema property that lacks one, by inserting text (the
files keep their own formatting)."""
import json, sys

TITLES = {
 "I": "Vùng I", "II": "Vùng II", "III": "Vùng III", "IV": "Vùng IV",
 "abstain": "Số ý kiến khác", "against": "Số không tán thành", "agenda_approved": "Đã thông qua chương trình",
 "agenda_items": "Nội dung sinh hoạt", "archive_line": "Dòng lưu", "assessment": "Đánh giá",
 "assigned": "Đã cấp số", "assignee_ids": "Người phụ trách", "assignments": "Phân công nhiệm vụ",
 "assignments_table": "Bảng phân công nhiệm vụ", "attendance": "Điểm danh", "attendance_table": "In bảng điểm danh",
 "authority": "Thể thức đề ký", "ballot": "Phiếu biểu quyết",
 "base_amount": "Mức lương, phụ cấp, lương hưu làm căn cứ", "category": "Đối tượng đóng đảng phí",
 "cause": "Nguyên nhân", "causes": "Nguyên nhân", "cell_type": "Loại hình chi bộ", "chair": "Người chủ trì",
 "channel": "Hình thức nộp", "combined_with_regular": "Sinh hoạt cùng buổi với sinh hoạt thường kỳ",
 "commitments": "Biện pháp, cam kết thực hiện", "conclusion": "Kết luận của người chủ trì", "criterion": "Tiêu chí",
 "date": "Ngày họp", "deadline": "Thời hạn", "discussion": "Ý kiến thảo luận", "document_type": "Loại văn bản",
 "draft": "Dự thảo", "draft_label": "Nhãn dự thảo", "duration_minutes": "Thời lượng (phút)",
 "end_time": "Giờ kết thúc", "excused": "Vắng có lý do", "exempt_from_activities": "Miễn sinh hoạt",
 "extra_sections": "Mục bổ sung", "field": "Lĩnh vực", "for": "Số tán thành",
 "for_level": "Số phiếu đề nghị mức xếp loại", "full_name": "Họ và tên", "grounds": "Căn cứ",
 "guests": "Đại biểu dự họp", "half": "Sáu tháng đầu hay cuối năm", "has_seal": "Có con dấu",
 "hoan_thanh": "Số hoàn thành nhiệm vụ", "implementation": "Tổ chức thực hiện",
 "include_meeting_table": "In bảng các buổi sinh hoạt", "issue_date": "Ngày ban hành",
 "issued": "Số phiếu phát ra", "issuer": "Chi bộ ban hành", "issuer_code": "Ký hiệu chi bộ",
 "khong_hoan_thanh": "Số không hoàn thành nhiệm vụ", "kind": "Loại kỳ báo cáo", "label": "Nhãn",
 "left": "Người ký bên trái (thư ký)", "level": "Mức xếp loại", "location": "Địa điểm", "margins": "Lề trang",
 "measures": "Biện pháp khắc phục", "meeting": "Buổi sinh hoạt", "meeting_date": "Ngày họp",
 "meetings": "Các buổi sinh hoạt", "member_id": "Mã đảng viên", "member_ratings": "Kết quả xếp loại đảng viên",
 "members": "Danh sách đảng viên", "minimum_wages": "Mức lương tối thiểu vùng",
 "minutes_approved_text": "Câu kết thúc biên bản", "minutes_subtitle_case": "Kiểu chữ dòng dưới tiêu đề",
 "month": "Tháng", "name": "Tên chi bộ", "next_tasks": "Nhiệm vụ thời gian tới", "not_rated": "Số chưa xếp loại",
 "note": "Ghi chú", "number": "Số văn bản", "opening": "Khai mạc", "owner": "Người phụ trách",
 "paid_amount": "Số đã nộp", "pdf_standard": "Chuẩn PDF", "period": "Kỳ báo cáo", "place_name": "Địa danh",
 "plan_period": "Kỳ kế hoạch", "position": "Chức vụ người ký", "preparer": "Người lập biểu", "present": "Có mặt",
 "presentation": "Trình bày chuyên đề", "presenter_id": "Người trình bày",
 "previous_findings_fixed": "Khắc phục hạn chế kỳ trước", "proposals": "Kiến nghị", "quarter": "Quý",
 "reason": "Lý do vắng", "reason_text": "Tuyên bố lý do", "recipients": "Nơi nhận",
 "region": "Vùng lương tối thiểu", "requested_by": "Văn bản yêu cầu báo cáo", "required": "Số phải dự",
 "results": "Kết quả", "retention_pct": "Tỷ lệ trích giữ lại (%)", "review_period": "Kỳ đánh giá",
 "right": "Người ký bên phải (chủ trì)", "role": "Chức vụ trong chi bộ", "ruleset": "Quy định áp dụng",
 "ruleset_dues": "Quy định về đảng phí", "score": "Điểm tự chấm", "secretary": "Thư ký",
 "self_assessment": "Tự đánh giá, xếp loại", "seq": "Số thứ tự", "show_date_line": "In dòng địa danh, ngày tháng",
 "signature_fields": "Ô chữ ký số", "signatures": "Chữ ký", "signer": "Người ký",
 "situation": "Đặc điểm tình hình", "speaker_id": "Người phát biểu", "start_date": "Ngày bắt đầu nhiệm kỳ",
 "start_time": "Giờ bắt đầu", "status": "Đảng viên chính thức hay dự bị", "strengths": "Ưu điểm",
 "subject": "Trích yếu", "summary": "Tóm tắt nội dung", "superior_name": "Đảng bộ cấp trên", "task": "Nhiệm vụ",
 "tasks": "Nhiệm vụ, giải pháp", "temporary_member": "Sinh hoạt tạm thời", "term": "Nhiệm kỳ", "text": "Nội dung",
 "thematic": "Sinh hoạt chuyên đề", "title": "Tiêu đề", "title_text": "Chức vụ", "topic": "Chuyên đề",
 "tot": "Số hoàn thành tốt nhiệm vụ", "type_code": "Ký hiệu loại văn bản", "valid": "Số phiếu hợp lệ",
 "vote": "Biểu quyết", "voters_present": "Số đảng viên chính thức có mặt", "votes": "Biểu quyết",
 "weaknesses": "Hạn chế", "xuat_sac": "Số hoàn thành xuất sắc nhiệm vụ", "year": "Năm",
}
# Where a name means something else, by the end of its path.
BY_PATH = [
 ("meeting/properties/period", "Kỳ sinh hoạt"),
 ("term/properties/label", "Tên nhiệm kỳ"),
 ("preparer/properties/label", "Chức danh người lập biểu"),
 ("signature_ref/properties/label", "Chức danh người ký"),
 ("votes/items/properties/subject", "Nội dung biểu quyết"),
 ("meetings/items/properties/present", "Số có mặt"),
 ("meetings/items/properties/date", "Ngày sinh hoạt"),
 ("meetings/items/properties/month", "Tháng sinh hoạt"),
 ("preparer/properties/full_name", "Họ và tên người lập biểu"),
 ("signer/properties/full_name", "Họ và tên người ký"),
]

def title_for(path):
    joined = "/".join(path)
    for suffix, title in BY_PATH:
        if joined.endswith(suffix):
            return title
    return TITLES.get(path[-1])

def insertions(text):
    """(offset just after '{', path) of every object value, by a small JSON scanner."""
    out, stack, i = [], [], 0  # stack of [kind, path, pending_key]
    path_of = lambda: stack[-1][1] + ([stack[-1][2]] if stack[-1][0] == "obj" else [str(stack[-1][3])])
    while i < len(text):
        c = text[i]
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            s = json.loads(text[i:j + 1])
            k = j + 1
            while text[k] in " \t\r\n":
                k += 1
            if stack and stack[-1][0] == "obj" and text[k] == ":":
                stack[-1][2] = s
            i = j + 1
            continue
        if c in "{[":
            path = path_of() if stack else []
            if c == "{":
                out.append((i + 1, path))
                stack.append(["obj", path, None, 0])
            else:
                stack.append(["arr", path, None, 0])
        elif c in "}]":
            stack.pop()
        elif c == "," and stack and stack[-1][0] == "arr":
            stack[-1][3] += 1
        i += 1
    return out

def main(files):
    for name in files:
        text = open(name, encoding="utf-8").read()
        data = json.loads(text)
        edits = []
        for offset, path in insertions(text):
            if len(path) >= 2 and path[-2] == "properties":
                node = data
                for p in path:
                    node = node[int(p)] if isinstance(node, list) else node[p]
                if not isinstance(node, dict) or "title" in node:
                    continue
                title = title_for(path)
                if title is None:
                    sys.exit(f"{name}: no title for {'/'.join(path)}")
                entry = f'"title": {json.dumps(title, ensure_ascii=False)}'
                rest = text[offset:].lstrip()
                if rest.startswith("}"):
                    edits.append((offset, f" {entry} "))
                elif text[offset] == "\n":
                    line_end = text.index("\n", offset + 1)
                    next_line = text[offset + 1:line_end]
                    indent = next_line[: len(next_line) - len(next_line.lstrip())]
                    edits.append((offset, f"\n{indent}{entry},"))
                else:
                    edits.append((offset + 1 if text[offset] == " " else offset, f"{entry}, " if text[offset] == " " else f" {entry},"))
        for offset, insert in sorted(edits, reverse=True):
            text = text[:offset] + insert + text[offset:]
        json.loads(text)
        open(name, "w", encoding="utf-8").write(text)
        print(name, len(edits), "titles")

main(sys.argv[1:])
