//! Integration tests, one binary (ripgrep's layout): each module covers one area of behaviour.

mod batch;
mod cli;
mod dues_report;
mod examples;
mod forms;
mod embed;
mod http;
mod minutes;
mod operations;
mod resolution;
mod results_report;
mod review_report;
mod robustness;
mod signing;
mod thematic_minutes;
mod util;
mod web;
