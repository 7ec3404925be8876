//! The `vanban` binary: command-line parsing and dispatch live in [`vanban::cli`].

fn main() -> std::process::ExitCode {
    vanban::cli::main()
}
