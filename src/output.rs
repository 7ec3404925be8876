//! The request options that decide how a PDF is written (`pdf_standard`, `signature_fields`,
//! `embed_data`): read from the request by `documents`, obeyed by `typeset`. Their own module so
//! that neither depends on the other and only `typeset` imports Typst.

use serde::{Deserialize, Serialize};

/// The PDF standard a document is written to (request option `pdf_standard`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum PdfStandard {
    /// PDF/A-2b, for archiving (default).
    #[default]
    #[serde(rename = "a-2b")]
    A2b,
    /// PDF/A-2a and PDF/UA-1: archival and accessible (tagged, with alternative texts).
    #[serde(rename = "a-2a+ua-1")]
    A2aUa1,
    /// PDF/A-3b: archival, and may carry the request as an attached file (`embed_data`).
    #[serde(rename = "a-3b")]
    A3b,
    /// PDF/A-3a and PDF/UA-1: archival, accessible, and may carry the request.
    #[serde(rename = "a-3a+ua-1")]
    A3aUa1,
    /// Plain PDF 1.7.
    #[serde(rename = "none")]
    None,
}

impl PdfStandard {
    /// The standard a request with `embed_data` gets: PDF/A-2 forbids attached files, so the
    /// default becomes PDF/A-3b. `Err` carries the nearest standard that can hold the attachment.
    pub fn for_embedding(requested: Option<PdfStandard>) -> std::result::Result<PdfStandard, PdfStandard> {
        match requested {
            None => Ok(PdfStandard::A3b),
            Some(PdfStandard::A2b) => Err(PdfStandard::A3b),
            Some(PdfStandard::A2aUa1) => Err(PdfStandard::A3aUa1),
            Some(other) => Ok(other),
        }
    }

    /// The name a request uses for this standard, e.g. `"a-3b"` (with the quotes).
    pub fn quoted(self) -> String {
        // Serialising a unit variant cannot fail.
        serde_json::to_string(&self).unwrap_or_default()
    }
}

/// How a job's PDF is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Output {
    /// The PDF standard.
    pub pdf_standard: PdfStandard,
    /// Whether to report the signing spaces (to place signature fields on them).
    pub signature_fields: bool,
    /// Whether the PDF carries the request as an attached file (`JobSpec::request`).
    pub embed_data: bool,
}
