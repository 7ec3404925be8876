#!/usr/bin/env python3
"""Generate N varied, valid requests for a vanban template, plus the data the template receives.

Starts from tests/fixtures/<template>.json and varies, per document and deterministically
(seeded):
  - every person's name (consistently: the member list, the guest, the signer and every free
    text that mentions them), with the gender kept (a "Thị" name gets a female name);
  - the cell's number (TỔ DÂN PHỐ 5 -> TỔ DÂN PHỐ k / KHU PHỐ k), the ward and the province,
    in every case form they appear in;
  - the meeting / issue date within the same month, the meeting times;
  - the length of the free texts (0-4 sentences appended to summaries, opinions, conclusion...);
  - minutes: which discussion entries are kept, who is absent (only members the text does not
    name), and the vote splits (always summing to the full members present);
  - resolution: the number, the voters present and the vote split.

Every request is checked with `vanban resolve` (non-zero exit = invalid = the generator fails).

Output (per template):
  OUT/<template>/requests/NNN.json   the request, as vanban takes it (render / resolve / batch)
  OUT/<template>/data/NNN.json       `vanban resolve` output, what the template reads as /data.json
  OUT/<template>/manifest.json       [{"id", "request", "data", "date", "pages"?}]
With --render, each request is also rendered with `vanban render` and its page count recorded
(used by peer.py to check that the peer produces the same number of pages).

Usage:
  python3 bench/make_inputs.py --template minutes --template resolution --n 50 --out /tmp/vanban-bench
"""

import argparse
import copy
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý", "Lò", "Lường", "Quàng", "Giàng", "Vàng", "Tòng", "Cầm", "Đinh",
          "Hà", "Mai", "Trịnh", "Phan", "Tạ", "Khổng", "Lục", "Nông", "Triệu"]
MIDDLE_M = ["Văn", "Minh", "Đức", "Quang", "Xuân", "Hữu", "Công", "Thanh", "Ngọc", "Văn Anh",
            "A", "Quốc", "Trọng", "Đình"]
MIDDLE_F = ["Thị", "Thị Thu", "Thị Ngọc", "Thị Hồng", "Thị Thanh", "Thị Kim", "Thị Minh",
            "Thị Bích", "Thị Lan"]
GIVEN_M = ["Hùng", "Dũng", "Tuấn", "Minh", "Sơn", "Long", "Quân", "Thắng", "Hải", "Nam",
           "Khải", "Vinh", "Tiến", "Lợi", "Trường", "Phúc", "Cường", "Toàn", "Hiếu", "Bảo",
           "Khánh", "Đạt", "Thành", "Nghĩa", "Quý", "Sử", "Chiến", "Kiên", "Thái", "Hưng"]
GIVEN_F = ["Phương", "Hà", "Ánh", "Dung", "Hương", "Nhung", "Hằng", "Yến", "Thủy", "Lan",
           "Mai", "Hoa", "Trang", "Linh", "Thảo", "Nga", "Vân", "Huyền", "Oanh", "Loan",
           "Liên", "Hạnh", "Quyên", "Giang", "Ngân"]
WARDS = ["Đoàn Kết", "Tân Phong", "Quyết Thắng", "Đông Phong", "Bình Minh", "Hòa Bình",
         "Thống Nhất", "Nam Thanh", "Tân Hà", "Quyết Tiến", "Sông Đà", "Phú Lợi", "An Bình",
         "Hưng Thịnh", "Nghĩa Đô"]
PROVINCES = ["Lai Châu", "Điện Biên", "Sơn La", "Lào Cai", "Tuyên Quang", "Thái Nguyên",
             "Phú Thọ", "Ninh Bình", "Nghệ An", "Quảng Trị"]
REASONS = ["đi công tác", "ốm, có giấy xác nhận", "đi học tập trung", "việc gia đình",
           "đi làm ăn xa", "điều trị tại bệnh viện tỉnh"]
START_TIMES = ["07:30", "08:00", "14:00", "14:30", "19:00", "19:30", "20:00"]
SENTENCES = [
    "Chi bộ thống nhất giao chi ủy theo dõi, đôn đốc việc thực hiện và báo cáo kết quả tại kỳ sinh hoạt tới.",
    "Đề nghị các đồng chí đảng viên phát huy vai trò nêu gương, vận động gia đình và nhân dân cùng tham gia.",
    "Qua thảo luận, các ý kiến đều thống nhất cao với nội dung dự thảo, đồng thời bổ sung một số giải pháp cụ thể.",
    "Việc triển khai cần bảo đảm đúng tiến độ, công khai, minh bạch, có sự giám sát của Ban công tác Mặt trận.",
    "Một số hộ còn khó khăn về kinh tế cần được quan tâm, hỗ trợ kịp thời từ các nguồn quỹ xã hội.",
    "Chi ủy sẽ phối hợp với các tổ chức đoàn thể để tuyên truyền sâu rộng đến từng hộ gia đình.",
    "Kết quả thực hiện sẽ là một trong những căn cứ để đánh giá, xếp loại đảng viên cuối năm.",
    "Tình hình an ninh trật tự trên địa bàn cơ bản ổn định, không để xảy ra điểm nóng, vụ việc phức tạp.",
    "Các chi hội, chi đoàn đã chủ động xây dựng kế hoạch, phân công cụ thể cho từng thành viên.",
    "Công tác vệ sinh môi trường có chuyển biến tích cực, tỷ lệ hộ thu gom rác đúng giờ tăng so với tháng trước.",
    "Đề nghị cấp ủy cấp trên quan tâm hỗ trợ kinh phí sửa chữa nhà văn hóa và hệ thống loa truyền thanh.",
    "Việc ứng dụng công nghệ thông tin trong sinh hoạt chi bộ bước đầu đạt kết quả, được đảng viên đồng tình.",
    "Chi bộ đề nghị mỗi đảng viên đăng ký ít nhất một việc làm cụ thể để làm theo tấm gương đạo đức Hồ Chí Minh.",
    "Thời gian tới cần làm tốt hơn công tác nắm bắt dư luận, kịp thời giải quyết những kiến nghị chính đáng của nhân dân.",
]


def vanban_path(arg):
    for cand in [arg, os.environ.get("VANBAN"),
                 os.path.expanduser("~/.cache/vanban-target/debug/vanban"),
                 shutil.which("vanban")]:
        if cand:
            return cand
    sys.exit("vanban binary not found (use --vanban or $VANBAN)")


def run_vanban(vanban, args, retries=30):
    """Runs vanban; retries while the binary is momentarily missing (being rebuilt)."""
    for attempt in range(retries):
        try:
            return subprocess.run([vanban] + args, capture_output=True)
        except (FileNotFoundError, PermissionError, OSError) as e:
            if attempt == retries - 1:
                raise
            print(f"vanban not runnable ({e}); retrying", file=sys.stderr)
            time.sleep(2)


# ---------------------------------------------------------------- variation helpers

def new_name(rng, old, used):
    female = " Thị" in old
    while True:
        middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
        given = rng.choice(GIVEN_F if female else GIVEN_M)
        name = f"{rng.choice(FAMILY)} {middle} {given}"
        if name not in used:
            used.add(name)
            return name


def map_strings(obj, f):
    if isinstance(obj, str):
        return f(obj)
    if isinstance(obj, list):
        return [map_strings(x, f) for x in obj]
    if isinstance(obj, dict):
        return {k: map_strings(v, f) for k, v in obj.items()}
    return obj


def replace_all(text, pairs):
    """Replaces several strings at once (longest first, no chained replacement)."""
    keys = sorted(pairs, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(k) for k in keys))
    return pattern.sub(lambda m: pairs[m.group(0)], text)


def case_forms(old, new):
    """old -> new in the forms a name of a place appears in: as is, UPPER, lower."""
    return {old: new, old.upper(): new.upper(), old.lower(): new.lower()}


def lengthen(rng, text, max_extra):
    k = rng.randint(0, max_extra)
    if k == 0 or not text:
        return text
    extra = rng.sample(SENTENCES, k)
    return text.rstrip() + " " + " ".join(extra)


def split_votes(rng, voters, *, must_pass=True):
    """for + against + abstain == voters, with a clear majority for."""
    against = rng.randint(0, max(0, voters // 6))
    abstain = rng.randint(0, max(0, voters // 10))
    if must_pass:
        while voters - against - abstain <= (2 * voters) // 3 and (against or abstain):
            if against:
                against -= 1
            else:
                abstain -= 1
    return voters - against - abstain, against, abstain


def substitutions(rng, fixture_names):
    used = set()
    pairs = {}
    for old in fixture_names:
        pairs[old] = new_name(rng, old, used)
    ward_old, prov_old = "Đoàn Kết", "Lai Châu"
    ward_new = rng.choice(WARDS)
    prov_new = rng.choice(PROVINCES)
    for old, new in [(ward_old, ward_new), (prov_old, prov_new)]:
        pairs.update(case_forms(old, new))
    k = rng.randint(1, 30)
    kind_upper, kind_lower, kind_title = rng.choice(
        [("TỔ DÂN PHỐ", "tổ dân phố", "Tổ dân phố"), ("KHU PHỐ", "khu phố", "Khu phố")])
    pairs.update({"TỔ DÂN PHỐ 5": f"{kind_upper} {k}", "tổ dân phố 5": f"{kind_lower} {k}",
                  "Tổ dân phố 5": f"{kind_title} {k}"})
    return pairs


# ---------------------------------------------------------------- per template

def vary_minutes(fixture, rng):
    d = copy.deepcopy(fixture)
    names = [m["full_name"] for m in d["members"]]
    names += [g["full_name"] for g in d["meeting"]["guests"]] + ["Vi Văn Nam"]
    pairs = substitutions(rng, names)

    # Structure first (ids), texts after.
    d["discussion"] = [e for e in d["discussion"] if rng.random() < 0.8] or d["discussion"][:3]
    referenced = {d["meeting"]["chair"]["member_id"], d["meeting"]["secretary"]["member_id"]}
    referenced |= {a["presenter_id"] for a in d["agenda_items"]}
    referenced |= {e["speaker_id"] for e in d["discussion"]}
    referenced |= {i for a in d["assignments"] for i in a["assignee_ids"]}
    referenced |= {s["member_id"] for s in d["signatures"].values()}
    # Names mentioned in the free texts must stay present (e.g. the probationary member).
    mentioned = {m["member_id"] for m in d["members"]
                 if any(m["full_name"] in s for s in _strings(d) if s != m["full_name"])}
    free = [m["member_id"] for m in d["members"]
            if m["member_id"] not in referenced | mentioned and m["status"] == "chinh_thuc"]
    absent = set(rng.sample(free, rng.randint(0, min(4, len(free)))))
    status = {m["member_id"]: m["status"] for m in d["members"]}
    attendance = []
    for m in d["members"]:
        mid = m["member_id"]
        if mid in absent:
            excused = rng.random() < 0.8
            entry = {"member_id": mid, "present": False, "excused": excused}
            if excused:
                entry["reason"] = rng.choice(REASONS)
            attendance.append(entry)
        else:
            attendance.append({"member_id": mid, "present": True})
    d["attendance"] = attendance
    voters = sum(1 for a in attendance if a["present"] and status[a["member_id"]] == "chinh_thuc")
    for v in d["votes"]:
        v["for"], v["against"], v["abstain"] = split_votes(rng, voters)

    day = rng.randint(1, 28)
    date = f"{d['meeting']['period']['year']}-{d['meeting']['period']['month']:02d}-{day:02d}"
    d["issue_date"] = date
    d["meeting"]["date"] = date
    start = rng.choice(START_TIMES)
    h, m = map(int, start.split(":"))
    dur = rng.choice([90, 105, 120, 150])
    end = h * 60 + m + dur
    d["meeting"]["start_time"] = start
    d["meeting"]["end_time"] = f"{end // 60:02d}:{end % 60:02d}"

    d["opening"]["reason_text"] = lengthen(rng, d["opening"]["reason_text"], 2)
    for a in d["agenda_items"]:
        a["summary"] = lengthen(rng, a["summary"], 4)
    for e in d["discussion"]:
        e["text"] = lengthen(rng, e["text"], 3)
    d["conclusion"] = lengthen(rng, d["conclusion"], 3)
    for s in d.get("extra_sections") or []:
        s["text"] = lengthen(rng, s["text"], 2)
        s["text"] = s["text"].replace("có 8 ý kiến thảo luận", f"có {len(d['discussion'])} ý kiến thảo luận")

    d = map_strings(d, lambda s: replace_all(s, pairs))
    return d, date


def vary_resolution(fixture, rng):
    d = copy.deepcopy(fixture)
    names = ["Nguyễn Văn Hùng", "Lò Thị Phương", "Trần Minh Đức", "Phạm Thị Ngọc Ánh"]
    pairs = substitutions(rng, names)

    d["number"]["seq"] = rng.randint(1, 99)
    day = rng.randint(1, 28)
    date = f"{d['review_period']['year']}-{d['review_period']['month']:02d}-{day:02d}"
    d["issue_date"] = date
    d["meeting_date"] = date
    voters = rng.randint(9, 30)
    f, a, ab = split_votes(rng, voters)
    d["vote"] = {"for": f, "against": a, "abstain": ab, "voters_present": voters}

    r = d["results"]
    for s in r["strengths"]:
        s["text"] = lengthen(rng, s["text"], 3)
    r["weaknesses"] = [lengthen(rng, w, 2) for w in r["weaknesses"]]
    r["causes"] = [lengthen(rng, c, 2) for c in r["causes"]]
    for t in d["tasks"]:
        t["text"] = lengthen(rng, t["text"], 3)
    d["implementation"] = [lengthen(rng, t, 2) for t in d["implementation"]]
    if rng.random() < 0.5:
        d["tasks"] = d["tasks"][: rng.randint(3, len(d["tasks"]))]

    d = map_strings(d, lambda s: replace_all(s, pairs))
    return d, date


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, list):
        for x in obj:
            yield from _strings(x)
    elif isinstance(obj, dict):
        for x in obj.values():
            yield from _strings(x)


VARY = {"minutes": vary_minutes, "resolution": vary_resolution}


def count_pages(path):
    out = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--template", action="append", choices=sorted(VARY),
                    help="template id (repeatable; default: minutes and resolution)")
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--out", default="/tmp/vanban-bench-inputs")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--vanban", help="vanban binary (default: $VANBAN, ~/.cache/vanban-target/debug/vanban, PATH)")
    ap.add_argument("--fixtures", default=os.path.join(REPO, "tests", "fixtures"))
    ap.add_argument("--render", action="store_true",
                    help="also `vanban render` each request and record its page count (needs pdfinfo)")
    args = ap.parse_args()
    vanban = vanban_path(args.vanban)

    for template in args.template or ["minutes", "resolution"]:
        fixture = json.load(open(os.path.join(args.fixtures, f"{template}.json"), encoding="utf-8"))
        out = os.path.join(args.out, template)
        for sub in ("requests", "data"):
            shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
            os.makedirs(os.path.join(out, sub))
        manifest, failures = [], 0
        for i in range(args.n):
            rng = random.Random(f"{args.seed}:{template}:{i}")
            request, date = VARY[template](fixture, rng)
            rid = f"{i:03d}"
            req_path = os.path.join(out, "requests", f"{rid}.json")
            data_path = os.path.join(out, "data", f"{rid}.json")
            with open(req_path, "w", encoding="utf-8") as f:
                json.dump(request, f, ensure_ascii=False, indent=1)
            res = run_vanban(vanban, ["resolve", template, req_path])
            if res.returncode != 0:
                failures += 1
                print(f"{template} {rid}: INVALID (exit {res.returncode})\n"
                      f"{res.stderr.decode(errors='replace')}", file=sys.stderr)
                continue
            json.loads(res.stdout)  # must be JSON
            with open(data_path, "wb") as f:
                f.write(res.stdout)
            entry = {"id": rid, "request": os.path.relpath(req_path, out),
                     "data": os.path.relpath(data_path, out), "date": date,
                     "data_bytes": len(res.stdout)}
            if args.render:
                with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
                    r = run_vanban(vanban, ["render", template, req_path, "-o", pdf.name])
                    if r.returncode != 0:
                        sys.exit(f"{template} {rid}: render failed: {r.stderr.decode(errors='replace')}")
                    entry["pages"] = count_pages(pdf.name)
            manifest.append(entry)
        with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=1)
        sizes = [e["data_bytes"] for e in manifest]
        pages = [e.get("pages") for e in manifest if e.get("pages")]
        print(f"{template}: {len(manifest)}/{args.n} valid -> {out}"
              f" (data {min(sizes, default=0)}-{max(sizes, default=0)} bytes"
              + (f", vanban pages {min(pages)}-{max(pages)}" if pages else "") + ")", file=sys.stderr)
        if failures:
            sys.exit(f"{template}: {failures} invalid request(s); fix the generator")


if __name__ == "__main__":
    main()
