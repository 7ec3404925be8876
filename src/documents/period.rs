//! The period a report covers (`period`: a month, quarter, half-year or year), shared by the
//! results and dues reports: one reading, one label, one set of error codes.

use serde::Deserialize;

use crate::error::Issue;
use crate::vietnamese;

/// Kind of period a report covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// One month (`month`); the default where a schema lets `kind` out.
    #[default]
    Month,
    /// A quarter (`quarter`).
    Quarter,
    /// Half a year (`half`: 1 or 2).
    HalfYear,
    /// A whole year.
    Year,
}

/// `period`.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportPeriod {
    /// Month, quarter, half-year or year.
    #[serde(default)]
    pub kind: PeriodKind,
    /// Month 1–12 for a monthly report.
    #[serde(default)]
    pub month: Option<u8>,
    /// Quarter 1–4 for a quarterly report.
    #[serde(default)]
    pub quarter: Option<u8>,
    /// 1 (first half) or 2 for a half-year report.
    #[serde(default)]
    pub half: Option<u8>,
    /// Year.
    pub year: i32,
}

impl ReportPeriod {
    /// The label (`quý IV năm 2026`) and the months covered; reports a missing or out-of-range
    /// sub-field at its pointer.
    pub fn resolve(&self, issues: &mut Vec<Issue>) -> Option<(String, std::ops::RangeInclusive<u8>)> {
        let year = self.year;
        let missing = |issues: &mut Vec<Issue>, field: &str| {
            issues.push(Issue::error(
                format!("/period/{field}"),
                "missing_period_field",
                format!("a period of this kind needs `{field}`"),
            ));
            None
        };
        match self.kind {
            PeriodKind::Month => match self.month {
                Some(m) => vietnamese::month_label(m, year).map(|l| (l, m..=m)),
                None => missing(issues, "month"),
            },
            PeriodKind::Quarter => match self.quarter {
                Some(q) => vietnamese::quarter_label(q, year).map(|l| (l, q * 3 - 2..=q * 3)),
                None => missing(issues, "quarter"),
            },
            PeriodKind::HalfYear => match self.half {
                Some(h) => vietnamese::half_year_label(h, year).map(|l| (l, h * 6 - 5..=h * 6)),
                None => missing(issues, "half"),
            },
            PeriodKind::Year => Some((format!("năm {year}"), 1..=12)),
        }
    }

    /// The label of the period after this one (`quý I năm 2027` after `quý IV năm 2026`), for the
    /// heading of the coming tasks; `None` when this period is incomplete.
    pub fn next_label(&self) -> Option<String> {
        let year = self.year;
        match self.kind {
            PeriodKind::Month => match self.month? {
                12 => vietnamese::month_label(1, year + 1),
                m => vietnamese::month_label(m + 1, year),
            },
            PeriodKind::Quarter => match self.quarter? {
                4 => vietnamese::quarter_label(1, year + 1),
                q => vietnamese::quarter_label(q + 1, year),
            },
            PeriodKind::HalfYear => match self.half? {
                2 => vietnamese::half_year_label(1, year + 1),
                h => vietnamese::half_year_label(h + 1, year),
            },
            PeriodKind::Year => Some(format!("năm {}", year + 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coming_period_follows_the_reported_one() {
        let period = |kind, month, quarter, half, year| ReportPeriod { kind, month, quarter, half, year };
        let cases = [
            (period(PeriodKind::Month, Some(11), None, None, 2026), "tháng 12 năm 2026"),
            (period(PeriodKind::Month, Some(12), None, None, 2026), "tháng 01 năm 2027"),
            (period(PeriodKind::Quarter, None, Some(3), None, 2026), "quý IV năm 2026"),
            (period(PeriodKind::Quarter, None, Some(4), None, 2026), "quý I năm 2027"),
            (period(PeriodKind::HalfYear, None, None, Some(1), 2026), "6 tháng cuối năm 2026"),
            (period(PeriodKind::HalfYear, None, None, Some(2), 2026), "6 tháng đầu năm 2027"),
            (period(PeriodKind::Year, None, None, None, 2026), "năm 2027"),
        ];
        for (period, expected) in cases {
            assert_eq!(period.next_label().as_deref(), Some(expected), "{period:?}");
        }
        assert_eq!(period(PeriodKind::Quarter, None, None, None, 2026).next_label(), None);
    }

    #[test]
    fn periods_have_labels_and_months() {
        let mut issues = Vec::new();
        let quarter =
            ReportPeriod { kind: PeriodKind::Quarter, month: None, quarter: Some(4), half: None, year: 2026 };
        assert_eq!(quarter.resolve(&mut issues), Some(("quý IV năm 2026".into(), 10..=12)));
        let half = ReportPeriod {
            kind: PeriodKind::HalfYear,
            month: None,
            quarter: None,
            half: Some(2),
            year: 2026,
        };
        assert_eq!(half.resolve(&mut issues), Some(("6 tháng cuối năm 2026".into(), 7..=12)));
        let month =
            ReportPeriod { kind: PeriodKind::Month, month: None, quarter: None, half: None, year: 2026 };
        assert_eq!(month.resolve(&mut issues), None);
        assert_eq!(issues[0].pointer, "/period/month");
    }
}
