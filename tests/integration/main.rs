//! Integration tests, one binary (ripgrep's layout): each module covers one area of behaviour.

mod architecture;
mod batch;
mod cli;
mod dues_report;
mod embed;
mod examples;
mod forms;
mod http;
mod minutes;
mod operations;
mod resolution;
mod results_report;
mod review_report;
mod robustness;
mod signing;
mod spreadsheet;
mod thematic_minutes;
mod util;
mod ward;
mod web;
