//! Turning share flags into wire values: channel grants from `--channels/--functions/--preset`
//! or `--grant`, and terms from `--expires/--schedule/--lookback` and their `--no-…` forms.
//! Pure, so the rules (what a partial edit keeps) are tested here without a server.

use camshare_api::{
    ChannelGrants, Function, FunctionSet, Lookback, Preset, Schedule, ScheduleWindow, ShareTerms, Timestamp,
};

use crate::args::{GrantArgs, TermsArgs};
use crate::error::CliError;

/// The functions `--functions` or `--preset` name, if either was given.
pub fn functions(args: &GrantArgs) -> Result<Option<FunctionSet>, CliError> {
    if let Some(preset) = &args.preset {
        let preset: Preset = preset.parse().map_err(|e: String| CliError::invalid("preset", e))?;
        return Ok(Some(preset.functions()));
    }
    let Some(names) = &args.functions else { return Ok(None) };
    let set = parse_function_list(names.iter().map(String::as_str), "functions")?;
    Ok(Some(set))
}

/// `live_view`, `ptz`, … into a set; refuses an unknown name and an empty list.
fn parse_function_list<'a>(names: impl Iterator<Item = &'a str>, field: &str) -> Result<FunctionSet, CliError> {
    let mut set = FunctionSet::EMPTY;
    for name in names.filter(|n| !n.trim().is_empty()) {
        set = set.with(name.parse::<Function>().map_err(|e| CliError::invalid(field, e))?);
    }
    if set.is_empty() {
        return Err(CliError::invalid(field, "choose at least one function, e.g. live_view"));
    }
    Ok(set)
}

/// `--grant 1=live_view,ptz --grant 3=admin` into grants. A channel may be named once.
pub fn parse_grants(entries: &[String]) -> Result<ChannelGrants, CliError> {
    let mut grants = ChannelGrants::default();
    for entry in entries {
        let bad = |why: &str| CliError::invalid("grant", format!("`{entry}`: {why}; write e.g. 1=live_view,ptz"));
        let (channel, functions) = entry.split_once('=').ok_or_else(|| bad("no `=`"))?;
        let channel: u16 = channel.trim().parse().map_err(|_| bad("the channel is not a number"))?;
        if channel == 0 {
            return Err(bad("channels are numbered from 1"));
        }
        let set = match functions.parse::<Preset>() {
            Ok(preset) => preset.functions(),
            Err(_) => parse_function_list(functions.split(','), "grant")?,
        };
        if grants.0.insert(channel, set).is_some() {
            return Err(bad("this channel is granted twice"));
        }
    }
    Ok(grants)
}

/// Whether `share edit` must read the share to fill in what the flags leave out: channels
/// without functions, or functions without channels.
pub fn edit_needs_current_grants(args: &GrantArgs) -> bool {
    args.grants.is_empty() && (args.channels.is_some() != (args.functions.is_some() || args.preset.is_some()))
}

/// The grants `share edit` sends, or `None` to keep them.
/// - `--grant …`: exactly those.
/// - `--channels` and `--functions`/`--preset`: those functions on those channels.
/// - `--functions`/`--preset` only: those functions on the channels shared now.
/// - `--channels` only: channels shared now keep their functions; new ones get the functions
///   every current channel has in common (never more than the share gave before), or live view.
pub fn edited_grants(args: &GrantArgs, current: &ChannelGrants) -> Result<Option<ChannelGrants>, CliError> {
    if !args.grants.is_empty() {
        return parse_grants(&args.grants).map(Some);
    }
    let functions = functions(args)?;
    Ok(match (&args.channels, functions) {
        (None, None) => None,
        (Some(channels), Some(functions)) => Some(ChannelGrants::uniform(channels.iter().copied(), functions)),
        (None, Some(functions)) => Some(ChannelGrants::uniform(current.0.keys().copied(), functions)),
        (Some(channels), None) => {
            let common =
                current.0.values().fold(FunctionSet::ADMIN, |acc, f| FunctionSet::from_bits(acc.bits() & f.bits()));
            let common = if current.0.is_empty() || common.is_empty() { FunctionSet::GUEST } else { common };
            Some(ChannelGrants(channels.iter().map(|c| (*c, current.0.get(c).copied().unwrap_or(common))).collect()))
        }
    })
}

/// What to do with one term of a share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<T> {
    Keep,
    Clear,
    Set(T),
}

impl<T: Clone> Change<T> {
    fn apply(&self, current: &Option<T>) -> Option<T> {
        match self {
            Change::Keep => current.clone(),
            Change::Clear => None,
            Change::Set(value) => Some(value.clone()),
        }
    }
}

/// The term flags, parsed. The schedule's windows wait for the account's time zone.
#[derive(Debug)]
pub struct TermsChange {
    pub expires: Change<Timestamp>,
    pub schedule: Change<Vec<ScheduleWindow>>,
    pub lookback: Change<Lookback>,
}

impl TermsChange {
    /// Parses `--expires`, `--schedule`, `--lookback`; the `no_…` flags clear a term.
    pub fn parse(
        args: &TermsArgs,
        no_expiry: bool,
        no_schedule: bool,
        no_lookback: bool,
    ) -> Result<TermsChange, CliError> {
        let expires = match (&args.expires, no_expiry) {
            (Some(text), _) => Change::Set(text.trim().parse::<Timestamp>().map_err(|_| {
                CliError::invalid("expires", format!("`{text}` is not an RFC 3339 time such as 2026-12-31T23:00:00Z"))
            })?),
            (None, true) => Change::Clear,
            (None, false) => Change::Keep,
        };
        let schedule = if !args.schedules.is_empty() {
            let windows = args.schedules.iter().map(|w| ScheduleWindow::parse(w)).collect::<Result<Vec<_>, _>>()?;
            Change::Set(windows)
        } else if no_schedule {
            Change::Clear
        } else {
            Change::Keep
        };
        let lookback = match (&args.lookback, no_lookback) {
            (Some(text), _) => Change::Set(text.parse::<Lookback>()?),
            (None, true) => Change::Clear,
            (None, false) => Change::Keep,
        };
        Ok(TermsChange { expires, schedule, lookback })
    }

    pub fn is_keep(&self) -> bool {
        self.expires == Change::Keep && self.schedule == Change::Keep && self.lookback == Change::Keep
    }

    pub fn sets_schedule(&self) -> bool {
        matches!(self.schedule, Change::Set(_))
    }

    /// The full terms after the change; the server replaces all terms at once, so what is not
    /// changed is copied from `current`. `time_zone` is needed only when a schedule is set.
    pub fn apply(self, current: &ShareTerms, time_zone: Option<&str>) -> Result<ShareTerms, CliError> {
        let schedule = match self.schedule {
            Change::Keep => current.schedule.clone(),
            Change::Clear => None,
            Change::Set(windows) => {
                let schedule = Schedule { time_zone: time_zone.unwrap_or("UTC").to_string(), windows };
                schedule.validate()?;
                Some(schedule)
            }
        };
        let terms = ShareTerms {
            expires_at: self.expires.apply(&current.expires_at),
            schedule,
            lookback: self.lookback.apply(&current.lookback),
        };
        terms.validate()?;
        Ok(terms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant_args(channels: Option<Vec<u16>>, functions: Option<&str>) -> GrantArgs {
        GrantArgs {
            channels,
            functions: functions.map(|f| f.split(',').map(str::to_string).collect()),
            ..GrantArgs::default()
        }
    }

    fn set(names: &[Function]) -> FunctionSet {
        names.iter().copied().collect()
    }

    #[test]
    fn grant_flags_give_per_channel_functions() {
        let grants = parse_grants(&["1=live_view,ptz".into(), "3=admin".into()]).unwrap();
        assert_eq!(grants.get(1), set(&[Function::LiveView, Function::Ptz]));
        assert_eq!(grants.get(3), FunctionSet::ADMIN);
        assert_eq!(grants.0.len(), 2);
    }

    #[test]
    fn malformed_grants_are_refused_with_the_grant_field() {
        for bad in ["1", "x=live_view", "0=live_view", "1=teleport", "1="] {
            let err = parse_grants(&[bad.to_string()]).unwrap_err();
            assert_eq!((err.kind.as_str(), err.field.as_deref()), ("invalid_input", Some("grant")), "{bad}");
        }
        assert!(parse_grants(&["1=ptz".into(), "1=live_view".into()]).is_err());
    }

    #[test]
    fn preset_and_function_list_are_read() {
        let admin = GrantArgs { preset: Some("admin".into()), ..GrantArgs::default() };
        assert_eq!(functions(&admin).unwrap(), Some(FunctionSet::ADMIN));
        assert_eq!(functions(&grant_args(None, Some("playback"))).unwrap(), Some(set(&[Function::Playback])));
        assert_eq!(functions(&GrantArgs::default()).unwrap(), None);
        assert_eq!(functions(&grant_args(None, Some("fly"))).unwrap_err().field.as_deref(), Some("functions"));
    }

    #[test]
    fn editing_functions_only_keeps_the_channels() {
        let current = ChannelGrants::uniform([1, 2], FunctionSet::GUEST);
        let edited = edited_grants(&grant_args(None, Some("playback")), &current).unwrap().unwrap();
        assert_eq!(edited, ChannelGrants::uniform([1, 2], set(&[Function::Playback])));
    }

    #[test]
    fn editing_channels_only_keeps_functions_and_never_widens_them() {
        let current = ChannelGrants(
            [(1, set(&[Function::LiveView, Function::Ptz])), (2, set(&[Function::LiveView, Function::Playback]))]
                .into_iter()
                .collect(),
        );
        let edited = edited_grants(&grant_args(Some(vec![1, 4]), None), &current).unwrap().unwrap();
        assert_eq!(edited.get(1), set(&[Function::LiveView, Function::Ptz]));
        assert_eq!(edited.get(4), set(&[Function::LiveView]));
        assert_eq!(edited.get(2), FunctionSet::EMPTY);
    }

    #[test]
    fn edit_reads_the_share_only_when_half_the_grant_is_given() {
        assert!(edit_needs_current_grants(&grant_args(Some(vec![1]), None)));
        assert!(edit_needs_current_grants(&grant_args(None, Some("ptz"))));
        assert!(!edit_needs_current_grants(&grant_args(Some(vec![1]), Some("ptz"))));
        assert!(!edit_needs_current_grants(&GrantArgs::default()));
        assert_eq!(edited_grants(&GrantArgs::default(), &ChannelGrants::default()).unwrap(), None);
    }

    #[test]
    fn terms_edit_keeps_what_is_not_named() {
        let current = ShareTerms {
            expires_at: Some("2030-01-01T00:00:00Z".parse().unwrap()),
            schedule: None,
            lookback: Some(Lookback::SinceShareStart),
        };
        let args = TermsArgs { schedules: vec!["sat,sun 10:00-12:00".into()], ..TermsArgs::default() };
        let change = TermsChange::parse(&args, false, false, true).unwrap();
        assert!(change.sets_schedule());
        let terms = change.apply(&current, Some("Europe/Berlin")).unwrap();
        assert_eq!(terms.expires_at, current.expires_at);
        assert_eq!(terms.lookback, None);
        assert_eq!(terms.schedule.unwrap().time_zone, "Europe/Berlin");
    }

    #[test]
    fn bad_terms_name_their_field() {
        let expires = TermsArgs { expires: Some("tomorrow".into()), ..TermsArgs::default() };
        assert_eq!(TermsChange::parse(&expires, false, false, false).unwrap_err().field.as_deref(), Some("expires"));
        let schedule = TermsArgs { schedules: vec!["mon 17:00-09:00".into()], ..TermsArgs::default() };
        assert_eq!(TermsChange::parse(&schedule, false, false, false).unwrap_err().field.as_deref(), Some("schedule"));
        let lookback = TermsArgs { lookback: Some("0h".into()), ..TermsArgs::default() };
        assert_eq!(TermsChange::parse(&lookback, false, false, false).unwrap_err().field.as_deref(), Some("lookback"));
        assert!(TermsChange::parse(&TermsArgs::default(), false, false, false).unwrap().is_keep());
    }
}
