//! When a share is usable: weekly schedule windows in the owner's time zone, and how far back
//! into recordings a recipient may play.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

/// A day of the week, Monday first as ISO 8601 counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] =
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

    /// From the ISO number: 1 = Monday … 7 = Sunday.
    pub fn from_iso(n: i8) -> Option<Weekday> {
        Weekday::ALL.get(usize::try_from(n - 1).ok()?).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    fn parse(s: &str) -> Option<Weekday> {
        let s = s.trim().to_ascii_lowercase();
        Weekday::ALL.into_iter().find(|d| s.starts_with(d.as_str()))
    }
}

/// A time of day as `HH:MM`, from `00:00` to `24:00` (the end of a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay {
    minutes: u16,
}

impl TimeOfDay {
    pub fn from_minutes(minutes: u16) -> Option<TimeOfDay> {
        (minutes <= 24 * 60).then_some(TimeOfDay { minutes })
    }
    /// Minutes since midnight.
    pub fn minutes(self) -> u16 {
        self.minutes
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl std::str::FromStr for TimeOfDay {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a time of day; write HH:MM, e.g. 09:00");
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        let h: u16 = h.parse().map_err(|_| bad())?;
        let m: u16 = m.parse().map_err(|_| bad())?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return Err(bad());
        }
        Ok(TimeOfDay { minutes: h * 60 + m })
    }
}

impl From<TimeOfDay> for String {
    fn from(t: TimeOfDay) -> String {
        t.to_string()
    }
}

impl std::fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

/// One weekly window: on these days, from `start` to `end` (end excluded).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct ScheduleWindow {
    pub days: Vec<Weekday>,
    #[schema(value_type = String, example = "09:00")]
    pub start: TimeOfDay,
    #[schema(value_type = String, example = "17:00")]
    pub end: TimeOfDay,
}

impl ScheduleWindow {
    /// Whether the local day and minute fall inside this window.
    pub fn covers(&self, day: Weekday, minute_of_day: u16) -> bool {
        self.days.contains(&day) && self.start.minutes <= minute_of_day && minute_of_day < self.end.minutes
    }

    /// Parses the CLI form `mon-fri 09:00-17:00` or `sat,sun 10:00-12:00`.
    pub fn parse(input: &str) -> Result<ScheduleWindow, ApiError> {
        let bad = |why: String| ApiError::invalid("schedule", why);
        let (days_part, times_part) = input
            .trim()
            .split_once(char::is_whitespace)
            .ok_or_else(|| bad(format!("`{input}`: write days and hours, e.g. `mon-fri 09:00-17:00`")))?;
        let mut days = Vec::new();
        for item in days_part.split(',') {
            if let Some((a, b)) = item.split_once('-') {
                let (a, b) = (Weekday::parse(a), Weekday::parse(b));
                let (Some(a), Some(b)) = (a, b) else {
                    return Err(bad(format!("`{item}` is not a range of days such as mon-fri")));
                };
                if a > b {
                    return Err(bad(format!("`{item}`: the first day comes after the last")));
                }
                days.extend(Weekday::ALL.into_iter().filter(|d| *d >= a && *d <= b));
            } else {
                days.push(Weekday::parse(item).ok_or_else(|| bad(format!("`{item}` is not a day such as mon")))?);
            }
        }
        let (start, end) = times_part
            .trim()
            .split_once('-')
            .ok_or_else(|| bad(format!("`{times_part}`: write hours as 09:00-17:00")))?;
        let window = ScheduleWindow { days, start: start.parse().map_err(bad)?, end: end.parse().map_err(bad)? };
        window.validate()?;
        Ok(window)
    }

    pub fn validate(&self) -> Result<(), ApiError> {
        if self.days.is_empty() {
            return Err(ApiError::invalid("schedule", "a schedule window needs at least one day"));
        }
        if self.end <= self.start {
            return Err(ApiError::invalid(
                "schedule",
                format!("the window {}-{} ends before it starts", self.start, self.end),
            ));
        }
        Ok(())
    }
}

/// Weekly windows in a named time zone (IANA, e.g. `Europe/Berlin`). Outside every window the
/// share grants nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Schedule {
    pub time_zone: String,
    pub windows: Vec<ScheduleWindow>,
}

impl Schedule {
    /// The most windows a share may have.
    pub const MAX_WINDOWS: usize = 28;

    /// Checks the windows; the time zone name is checked by the server, which has the tz database.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.windows.is_empty() {
            return Err(ApiError::invalid("schedule", "a schedule needs at least one window"));
        }
        if self.windows.len() > Self::MAX_WINDOWS {
            return Err(ApiError::invalid("schedule", format!("a schedule has at most {} windows", Self::MAX_WINDOWS)));
        }
        self.windows.iter().try_for_each(ScheduleWindow::validate)
    }

    pub fn covers(&self, day: Weekday, minute_of_day: u16) -> bool {
        self.windows.iter().any(|w| w.covers(day, minute_of_day))
    }
}

/// How far back a recipient may play recordings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Lookback {
    /// Only footage recorded since the share was created.
    SinceShareStart,
    /// Only the last N hours.
    LastHours { hours: u32 },
}

impl Lookback {
    /// The most hours a `last_hours` limit may name (one year).
    pub const MAX_HOURS: u32 = 24 * 366;

    pub fn validate(&self) -> Result<(), ApiError> {
        match self {
            Lookback::LastHours { hours } if *hours == 0 || *hours > Self::MAX_HOURS => {
                Err(ApiError::invalid("lookback", format!("the lookback must be 1 to {} hours", Self::MAX_HOURS)))
            }
            _ => Ok(()),
        }
    }
}

impl std::str::FromStr for Lookback {
    type Err = ApiError;
    /// `since-share` or `48h`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        let lookback = if s == "since-share" || s == "since_share_start" {
            Lookback::SinceShareStart
        } else if let Some(h) = s.strip_suffix('h').and_then(|h| h.parse().ok()) {
            Lookback::LastHours { hours: h }
        } else {
            return Err(ApiError::invalid(
                "lookback",
                format!("`{s}`: write since-share or a number of hours such as 48h"),
            ));
        };
        lookback.validate()?;
        Ok(lookback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_window_parses_and_covers() {
        let w = ScheduleWindow::parse("mon-fri 09:00-17:00").unwrap();
        assert_eq!(w.days.len(), 5);
        assert!(w.covers(Weekday::Wed, 9 * 60));
        assert!(!w.covers(Weekday::Wed, 17 * 60));
        assert!(!w.covers(Weekday::Sat, 10 * 60));
    }

    #[test]
    fn window_that_ends_before_it_starts_is_refused() {
        let err = ScheduleWindow::parse("mon 17:00-09:00").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("schedule"));
        assert!(ScheduleWindow::parse("mon 25:00-26:00").is_err());
        assert!(ScheduleWindow::parse("fri-mon 09:00-10:00").is_err());
    }

    #[test]
    fn time_of_day_serialises_as_hh_mm() {
        let t: TimeOfDay = serde_json::from_str("\"07:05\"").unwrap();
        assert_eq!(t.minutes(), 425);
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"07:05\"");
        assert!(serde_json::from_str::<TimeOfDay>("\"7\"").is_err());
    }

    #[test]
    fn lookback_parses_cli_forms() {
        assert_eq!("since-share".parse::<Lookback>().unwrap(), Lookback::SinceShareStart);
        assert_eq!("48h".parse::<Lookback>().unwrap(), Lookback::LastHours { hours: 48 });
        assert!("0h".parse::<Lookback>().is_err());
        assert!("soon".parse::<Lookback>().is_err());
    }
}
