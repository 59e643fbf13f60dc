//! The functions a recipient may be granted on a channel, and sets of them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Something a person can do with a camera channel. Each is granted separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Function {
    LiveView,
    Playback,
    AlarmPush,
    TwoWayAudio,
    Ptz,
}

impl Function {
    /// Every function, in the order the permission matrix shows them.
    pub const ALL: [Function; 5] =
        [Function::LiveView, Function::Playback, Function::AlarmPush, Function::TwoWayAudio, Function::Ptz];

    /// The wire name, e.g. `live_view`.
    pub fn as_str(self) -> &'static str {
        match self {
            Function::LiveView => "live_view",
            Function::Playback => "playback",
            Function::AlarmPush => "alarm_push",
            Function::TwoWayAudio => "two_way_audio",
            Function::Ptz => "ptz",
        }
    }

    /// The name people read, as the permission matrix heads its columns: `Live View`.
    pub fn label(self) -> &'static str {
        match self {
            Function::LiveView => "Live View",
            Function::Playback => "Playback",
            Function::AlarmPush => "Alarm Push",
            Function::TwoWayAudio => "Two-way Audio",
            Function::Ptz => "PTZ",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl std::fmt::Display for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Function {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Function::ALL.into_iter().find(|f| f.as_str() == s.trim()).ok_or_else(|| {
            format!("unknown function `{s}`; expected one of live_view, playback, alarm_push, two_way_audio, ptz")
        })
    }
}

/// A set of functions, stored as bits so the decision function stays allocation-free.
/// On the wire it is a list of names: `["live_view", "playback"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(from = "Vec<Function>", into = "Vec<Function>")]
#[schema(value_type = Vec<Function>)]
pub struct FunctionSet(u8);

impl FunctionSet {
    /// No function at all. A channel grant may never be empty; see `ChannelGrants::validate`.
    pub const EMPTY: FunctionSet = FunctionSet(0);
    /// JAGER PRO's "Admin": every function.
    pub const ADMIN: FunctionSet = FunctionSet(0b1_1111);
    /// JAGER PRO's "Guest": live view only.
    pub const GUEST: FunctionSet = FunctionSet(0b0_0001);

    pub fn contains(self, f: Function) -> bool {
        self.0 & f.bit() != 0
    }
    pub fn with(self, f: Function) -> FunctionSet {
        FunctionSet(self.0 | f.bit())
    }
    pub fn without(self, f: Function) -> FunctionSet {
        FunctionSet(self.0 & !f.bit())
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn union(self, other: FunctionSet) -> FunctionSet {
        FunctionSet(self.0 | other.0)
    }
    /// The raw bits, for compact storage.
    pub fn bits(self) -> u8 {
        self.0
    }
    /// From raw bits; unknown bits are dropped.
    pub fn from_bits(bits: u8) -> FunctionSet {
        FunctionSet(bits & Self::ADMIN.0)
    }
    pub fn iter(self) -> impl Iterator<Item = Function> {
        Function::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

impl From<Vec<Function>> for FunctionSet {
    fn from(v: Vec<Function>) -> Self {
        v.into_iter().fold(FunctionSet::EMPTY, FunctionSet::with)
    }
}

impl From<FunctionSet> for Vec<Function> {
    fn from(s: FunctionSet) -> Self {
        s.iter().collect()
    }
}

impl FromIterator<Function> for FunctionSet {
    fn from_iter<I: IntoIterator<Item = Function>>(iter: I) -> Self {
        iter.into_iter().fold(FunctionSet::EMPTY, FunctionSet::with)
    }
}

impl std::fmt::Display for FunctionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.iter().map(Function::as_str).collect();
        f.write_str(&names.join(","))
    }
}

/// A named set of functions, as JAGER PRO calls its roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Live view only.
    Guest,
    /// Every function.
    Admin,
}

impl Preset {
    pub fn functions(self) -> FunctionSet {
        match self {
            Preset::Guest => FunctionSet::GUEST,
            Preset::Admin => FunctionSet::ADMIN,
        }
    }
}

impl std::str::FromStr for Preset {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "guest" => Ok(Preset::Guest),
            "admin" => Ok(Preset::Admin),
            other => Err(format!("unknown preset `{other}`; expected guest or admin")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_set_round_trips_as_a_list_of_names() {
        let set = FunctionSet::EMPTY.with(Function::Ptz).with(Function::LiveView);
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, r#"["live_view","ptz"]"#);
        assert_eq!(serde_json::from_str::<FunctionSet>(&json).unwrap(), set);
    }

    #[test]
    fn presets_match_jager_pro_roles() {
        assert_eq!(Preset::Guest.functions().iter().collect::<Vec<_>>(), vec![Function::LiveView]);
        assert_eq!(Preset::Admin.functions().iter().count(), 5);
    }

    #[test]
    fn unknown_function_name_is_refused() {
        assert!("teleport".parse::<Function>().is_err());
    }
}
