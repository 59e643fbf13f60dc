//! Reading passwords (and codes): from a hidden prompt on a terminal, otherwise from the first line of stdin,
//! so scripts and tests can pipe them. Never from arguments, which other users can read in the
//! process list.

use std::io::{BufRead, IsTerminal};

use camshare_api::Secret;

use crate::error::CliError;

/// Prompts on the terminal without echo, or reads the first line of piped stdin.
pub fn read_secret(prompt: &str) -> Result<Secret, CliError> {
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt).map(Secret::from).map_err(CliError::from);
    }
    read_stdin_line(prompt)
}

/// A new password typed twice on a terminal, so a typo does not lock the account out; piped
/// stdin gives it once.
pub fn read_new_secret(prompt: &str) -> Result<Secret, CliError> {
    if !std::io::stdin().is_terminal() {
        return read_stdin_line(prompt);
    }
    let first = rpassword::prompt_password(prompt)?;
    let second = rpassword::prompt_password("Repeat it: ")?;
    if first != second {
        return Err(CliError::invalid("password", "the two passwords differ"));
    }
    Ok(first.into())
}

/// A line that is not secret (a code from a mail): a visible prompt on a terminal, otherwise
/// the next line of piped stdin.
pub fn read_line(prompt: &str) -> Result<Secret, CliError> {
    if std::io::stdin().is_terminal() {
        eprint!("{prompt}");
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\n', '\r']).into());
    }
    read_stdin_line(prompt)
}

/// The first line of stdin without its line ending. `what` names it in the error.
pub fn read_stdin_line(what: &str) -> Result<Secret, CliError> {
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line)?;
    if read == 0 {
        let what = what.trim().trim_end_matches(':').to_lowercase();
        let field = if what == "code" { "code" } else { "password" };
        return Err(CliError::invalid(field, format!("no {what} on stdin: pipe it in, or run in a terminal")));
    }
    Ok(line.trim_end_matches(['\n', '\r']).into())
}
