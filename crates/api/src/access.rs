//! Asking the decision function directly: "may I use this function on this channel now?"

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{DeviceId, Function, Timestamp};

/// The question, as query parameters of `GET /api/access`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessQuery {
    pub device: DeviceId,
    #[param(maximum = 65535)]
    pub channel: u16,
    pub function: Function,
}

/// The answer. A device that is neither yours nor shared with you is `not_found` instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccessDecision {
    pub allowed: bool,
    /// You own the device.
    pub as_owner: bool,
    /// For playback: the earliest recording you may see (absent: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playback_since: Option<Timestamp>,
}
