//! Printing: the server's JSON as is for `--json`, otherwise aligned tables and plain sentences.
//! Everything goes through [`emit`], so `camshare … | head` ends quietly instead of panicking on
//! a closed pipe.

use std::io::Write;

use camshare_api::{ChannelGrants, Lookback, ShareTerms, Timestamp, Weekday};
use serde::Serialize;

use crate::error::CliError;

/// Writes text to stdout. A reader that went away (broken pipe) is not an error.
pub fn emit(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Prints one line.
pub fn line(text: impl std::fmt::Display) -> Result<(), CliError> {
    emit(&format!("{text}\n"))
}

/// Prints a wire value as pretty JSON: the same fields and names the server sent.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::new("io", e.to_string()))?;
    emit(&format!("{text}\n"))
}

/// Prints a list: JSON, or a sentence when it is empty, or the table `table` builds.
pub fn list<T: Serialize>(
    as_json: bool,
    items: &[T],
    empty: &str,
    table: impl FnOnce(&[T]) -> Table,
) -> Result<(), CliError> {
    if as_json {
        json(items)
    } else if items.is_empty() {
        line(empty)
    } else {
        emit(&table(items).render())
    }
}

/// Columns padded to their widest cell, two spaces apart.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table { headers: headers.iter().map(|h| h.to_string()).collect(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            let mut text = String::new();
            for (i, width) in widths.iter().enumerate().take(columns) {
                let cell = row.get(i).map(String::as_str).unwrap_or("");
                text.push_str(cell);
                if i + 1 < columns {
                    text.push_str(&" ".repeat(width - cell.chars().count() + 2));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
        out
    }
}

/// An instant in this machine's time zone, to the minute.
pub fn when(at: Timestamp) -> String {
    at.to_zoned(jiff::tz::TimeZone::system()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// `-` for nothing, so table columns never look shifted.
pub fn or_dash(value: Option<&str>) -> String {
    match value {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => "-".to_string(),
    }
}

/// `1: live_view,ptz; 3: live_view`.
pub fn grants(grants: &ChannelGrants) -> String {
    let parts: Vec<String> = grants.0.iter().map(|(channel, functions)| format!("{channel}: {functions}")).collect();
    or_dash(Some(&parts.join("; ")))
}

/// `until 2026-12-31 23:00; mon-fri 09:00-17:00 (Europe/Berlin); playback 48h back`, or `-`.
pub fn terms(terms: &ShareTerms) -> String {
    let mut parts = Vec::new();
    if let Some(expires) = terms.expires_at {
        parts.push(format!("until {}", when(expires)));
    }
    if let Some(schedule) = &terms.schedule {
        let windows: Vec<String> =
            schedule.windows.iter().map(|w| format!("{} {}-{}", days(&w.days), w.start, w.end)).collect();
        parts.push(format!("{} ({})", windows.join(", "), schedule.time_zone));
    }
    match terms.lookback {
        Some(Lookback::SinceShareStart) => parts.push("playback since the share began".to_string()),
        Some(Lookback::LastHours { hours }) => parts.push(format!("playback {hours}h back")),
        None => {}
    }
    or_dash(Some(&parts.join("; ")))
}

/// Days as typed: runs of three or more become ranges, `mon-fri,sun`.
fn days(days: &[Weekday]) -> String {
    let mut sorted = days.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut parts = Vec::new();
    let mut start = 0;
    while start < sorted.len() {
        let mut end = start;
        while end + 1 < sorted.len() && sorted[end + 1] as u8 == sorted[end] as u8 + 1 {
            end += 1;
        }
        match end - start {
            0 => parts.push(sorted[start].as_str().to_string()),
            1 => parts.extend([sorted[start].as_str().to_string(), sorted[end].as_str().to_string()]),
            _ => parts.push(format!("{}-{}", sorted[start].as_str(), sorted[end].as_str())),
        }
        start = end + 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use camshare_api::{Function, FunctionSet, Schedule, ScheduleWindow};

    use super::*;

    #[test]
    fn table_pads_columns_and_trims_line_ends() {
        let mut table = Table::new(&["ID", "NAME", "NOTE"]);
        table.row(vec!["1".into(), "Front door".into(), "".into()]);
        table.row(vec!["12".into(), "Garage".into(), "x".into()]);
        assert_eq!(table.render(), "ID  NAME        NOTE\n1   Front door\n12  Garage      x\n");
    }

    #[test]
    fn grants_and_terms_read_as_one_line() {
        let grants_text = grants(&ChannelGrants(
            [(1, FunctionSet::GUEST.with(Function::Ptz)), (3, FunctionSet::GUEST)].into_iter().collect(),
        ));
        assert_eq!(grants_text, "1: live_view,ptz; 3: live_view");
        let terms_text = terms(&ShareTerms {
            expires_at: None,
            schedule: Some(Schedule {
                time_zone: "Europe/Berlin".into(),
                windows: vec![ScheduleWindow::parse("mon-fri 09:00-17:00").unwrap()],
            }),
            lookback: Some(Lookback::LastHours { hours: 48 }),
        });
        assert_eq!(terms_text, "mon-fri 09:00-17:00 (Europe/Berlin); playback 48h back");
        assert_eq!(terms(&ShareTerms::default()), "-");
    }

    #[test]
    fn days_collapse_into_ranges() {
        use Weekday::*;
        assert_eq!(days(&[Mon, Tue, Wed, Thu, Fri]), "mon-fri");
        assert_eq!(days(&[Sun, Sat]), "sat,sun");
        assert_eq!(days(&[Mon, Wed, Thu, Fri, Sun]), "mon,wed-fri,sun");
    }
}
