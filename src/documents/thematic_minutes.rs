//! Biên bản sinh hoạt chuyên đề: minutes of the quarterly thematic meeting (DOCUMENTS.md §4.2).
//!
//! NOT YET IMPLEMENTED: a stub so the data model is registered; see the template issue.

use serde::Deserialize;

use super::{Built, Context};
use crate::error::{Error, Result};

/// The request.
#[derive(Debug, Clone, Deserialize)]
pub struct ThematicMinutesInput {
    /// Fields shared with related documents.
    #[serde(flatten)]
    pub meeting: super::meeting::MeetingInput,
}

/// Validates, computes and builds the view.
pub fn build(_input: ThematicMinutesInput, cx: &Context) -> Result<Built> {
    Err(Error::Template { template: cx.template.to_string(), message: "not implemented yet".into() })
}
