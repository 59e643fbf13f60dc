//! Typed ids, so a device id can never be passed where a share id is expected.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map($name)
            }
        }
    };
}

id_type!(
    /// An account (a person): owner of devices, recipient of shares, or both.
    AccountId
);
id_type!(
    /// A device (camera, NVR/DVR, doorbell, security control panel) owned by one account.
    DeviceId
);
id_type!(
    /// One share: one device, offered by its owner to one recipient, with per-channel grants.
    ShareId
);
id_type!(
    /// One entry of an owner's recipient list (an address the owner has shared with).
    RecipientId
);
id_type!(
    /// A server-sent event; ids only grow, so a client resumes with `Last-Event-ID`.
    EventId
);
id_type!(
    /// One line of an owner's activity log.
    ActivityId
);
