//! "Tạo từ tháng trước": this month's document started from last month's.
//!
//! The roster, the cell and the signers stay; the period moves on by one; dates, attendance,
//! discussion, votes and conclusions are cleared; last month's tasks are offered as this
//! month's results, for the secretary to edit.

use serde_json::{Value, json};

/// Last month's document turned into a start for this month's.
pub fn next_month(mut data: Value) -> Value {
    let Some(document) = data.as_object_mut() else { return data };
    for period in ["/meeting/period", "/period", "/review_period", "/plan_period"] {
        if let Some(period) = document_pointer_mut(document, period) {
            advance(period);
        }
    }
    for date in ["issue_date", "meeting_date"] {
        document.remove(date);
    }
    if let Some(meeting) = document.get_mut("meeting").and_then(Value::as_object_mut) {
        for cleared in ["date", "start_time", "end_time"] {
            meeting.remove(cleared);
        }
    }
    for cleared in ["attendance", "discussion", "votes", "conclusion", "commitments", "presentation"] {
        document.remove(cleared);
    }
    if let Some(vote) = document.get_mut("vote").and_then(Value::as_object_mut) {
        vote.retain(|name, _| name == "voters_present");
    }
    if let Some(seq) = document.get_mut("number").and_then(|n| n.get_mut("seq"))
        && let Some(n) = seq.as_u64()
    {
        *seq = Value::from(n + 1);
    }
    // Last month's tasks become this month's results to report on.
    if let Some(Value::Array(tasks)) = document.remove("assignments") {
        let summary: Vec<String> = tasks
            .iter()
            .filter_map(|t| t.get("task").and_then(Value::as_str))
            .map(|t| format!("- {t}"))
            .collect();
        if !summary.is_empty() {
            let presenter = chair_of(document);
            let mut item =
                json!({ "title": "Kết quả thực hiện nhiệm vụ tháng trước", "summary": summary.join("\n") });
            if let Some(presenter) = presenter {
                item["presenter_id"] = Value::String(presenter);
            }
            let agenda = document.entry("agenda_items").or_insert_with(|| json!([]));
            if let Some(agenda) = agenda.as_array_mut() {
                agenda.insert(0, item);
            }
        }
    }
    if let Some(tasks) = document.get("tasks").cloned() {
        let results = document.entry("results").or_insert_with(|| json!({}));
        if let Some(results) = results.as_object_mut() {
            results.insert("strengths".into(), tasks);
            results.remove("weaknesses");
            results.remove("causes");
        }
    }
    if let Some(Value::Array(next)) = document.get("next_tasks").cloned() {
        let results: Vec<Value> =
            next.into_iter().map(|text| json!({ "field": "Kết quả thực hiện", "text": text })).collect();
        if !results.is_empty() {
            document.insert("results".into(), Value::Array(results));
        }
        for cleared in ["weaknesses", "causes"] {
            document.remove(cleared);
        }
    }
    if let Some(Value::Array(members)) = document.get_mut("members") {
        for member in members {
            if let Some(paid) = member.get_mut("paid_amount") {
                *paid = Value::from(0);
            }
        }
    }
    data
}

fn chair_of(document: &serde_json::Map<String, Value>) -> Option<String> {
    document.get("meeting")?.get("chair")?.get("member_id")?.as_str().map(str::to_string)
}

fn document_pointer_mut<'a>(
    document: &'a mut serde_json::Map<String, Value>,
    pointer: &str,
) -> Option<&'a mut Value> {
    let mut tokens = pointer.split('/').skip(1);
    let mut value = document.get_mut(tokens.next()?)?;
    for token in tokens {
        value = value.get_mut(token)?;
    }
    Some(value)
}

/// One month (or quarter, for quarterly periods) later.
fn advance(period: &mut Value) {
    let year = period.get("year").and_then(Value::as_u64);
    if let (Some(month), Some(year)) = (period.get("month").and_then(Value::as_u64), year) {
        let (month, year) = if month >= 12 { (1, year + 1) } else { (month + 1, year) };
        period["month"] = Value::from(month);
        period["year"] = Value::from(year);
    } else if let (Some(quarter), Some(year)) = (period.get("quarter").and_then(Value::as_u64), year) {
        let (quarter, year) = if quarter >= 4 { (1, year + 1) } else { (quarter + 1, year) };
        period["quarter"] = Value::from(quarter);
        period["year"] = Value::from(year);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn december_moves_to_january_and_meeting_parts_are_cleared() {
        let last = json!({
            "meeting": { "period": { "month": 12, "year": 2026 }, "date": "2026-12-20", "location": "Nhà văn hóa",
                         "chair": { "member_id": "DV-1", "title_text": "Bí thư" } },
            "members": [{ "member_id": "DV-1", "full_name": "A" }],
            "attendance": [{ "member_id": "DV-1", "present": true }],
            "discussion": [{ "speaker_id": "DV-1", "text": "x" }],
            "assignments": [{ "task": "Sửa đường", "assignee_ids": ["DV-1"] }],
        });
        let next = next_month(last);
        assert_eq!(next["meeting"]["period"], json!({ "month": 1, "year": 2027 }));
        assert_eq!(next["meeting"]["location"], "Nhà văn hóa");
        assert!(next["meeting"].get("date").is_none());
        assert!(next.get("attendance").is_none() && next.get("discussion").is_none());
        assert_eq!(next["members"][0]["full_name"], "A");
        assert_eq!(next["agenda_items"][0]["summary"], "- Sửa đường");
        assert_eq!(next["agenda_items"][0]["presenter_id"], "DV-1");
    }

    #[test]
    fn resolution_tasks_become_results() {
        let next = next_month(json!({
            "review_period": { "month": 11, "year": 2026 }, "plan_period": { "month": 12, "year": 2026 },
            "number": { "seq": 7 },
            "tasks": [{ "field": "Kinh tế", "text": "Bê tông hóa ngõ 12" }],
            "vote": { "for": 10, "against": 0, "abstain": 0, "voters_present": 10 },
        }));
        assert_eq!(next["plan_period"], json!({ "month": 1, "year": 2027 }));
        assert_eq!(next["results"]["strengths"][0]["text"], "Bê tông hóa ngõ 12");
        assert_eq!(next["number"]["seq"], 8);
        assert_eq!(next["vote"], json!({ "voters_present": 10 }));
    }
}
