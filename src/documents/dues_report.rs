//! Báo cáo thu, nộp đảng phí: the Party-dues report (DOCUMENTS.md §4.4.3).
//!
//! NOT YET IMPLEMENTED: a stub so the data model is registered; see the template issue.

use serde::Deserialize;

use super::{Built, Context};
use crate::error::{Error, Result};

/// The request.
#[derive(Debug, Clone, Deserialize)]
pub struct DuesReportInput {
    /// Fields shared with related documents.
    #[serde(flatten)]
    pub issued: super::issued::IssuedInput,
}

/// Validates, computes and builds the view.
pub fn build(_input: DuesReportInput, cx: &Context) -> Result<Built> {
    Err(Error::Template { template: cx.template.to_string(), message: "not implemented yet".into() })
}
