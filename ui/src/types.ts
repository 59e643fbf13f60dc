// The wire types of `crates/api`, exactly as the Tauri commands return them (snake_case fields).

/** RFC 3339 UTC instant, e.g. `2025-01-31T09:00:00Z`. */
export type Timestamp = string

export type AccountId = number
export type DeviceId = number
export type ShareId = number
export type RecipientId = number
export type EventId = number
export type ActivityId = number

export type AddressKind = 'email' | 'phone' | 'account_code'

export interface Account {
  id: AccountId
  display_name: string
  email: string | null
  phone: string | null
  time_zone: string
  account_code: string
  created_at: Timestamp
}

export interface VerifiedAccountCode {
  code: string
  display_name: string
}

export type DeviceKind = 'camera' | 'nvr' | 'doorbell' | 'control_panel'

export interface NewDevice {
  name: string
  kind: DeviceKind
  rtsp_url: string
  username: string
  password: string
  channel_names?: string[]
  channel_count?: number
}

export interface DeviceUpdate {
  name?: string
  rtsp_url?: string
  username?: string
  password?: string
  channel_names?: string[]
}

export interface Channel {
  number: number
  name: string
}

export interface Device {
  id: DeviceId
  name: string
  kind: DeviceKind
  rtsp_url: string
  username: string
  channels: Channel[]
  active_shares: number
  created_at: Timestamp
  /** What the server saw when it last knocked on the device's RTSP address. */
  reachability: Reachability
  checked_at: Timestamp | null
}

export type Reachability = 'unchecked' | 'online' | 'offline'

export type Func = 'live_view' | 'playback' | 'alarm_push' | 'two_way_audio' | 'ptz'

/** `{"1": ["live_view"], "3": ["live_view", "playback"]}`; a channel not listed is not shared. */
export type ChannelGrants = Record<string, Func[]>

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'

export interface ScheduleWindow {
  days: Weekday[]
  /** `HH:MM` */
  start: string
  /** `HH:MM`, after `start`; `24:00` is the end of the day. */
  end: string
}

export interface Schedule {
  time_zone: string
  windows: ScheduleWindow[]
}

export type Lookback = { kind: 'since_share_start' } | { kind: 'last_hours'; hours: number }

export interface ShareTerms {
  expires_at?: Timestamp
  schedule?: Schedule
  lookback?: Lookback
}

export interface DeviceGrant {
  device: DeviceId
  channels: ChannelGrants
}

export interface CreateShares {
  recipient: string
  remark?: string
  devices: DeviceGrant[]
  terms: ShareTerms
}

export interface EditShare {
  channels?: ChannelGrants
  terms?: ShareTerms
}

export type ShareStatus =
  | 'pending'
  | 'invite_expired'
  | 'accepted'
  | 'rejected'
  | 'cancelled'
  | 'revoked'
  | 'removed'

export interface OutgoingShare {
  id: ShareId
  device: DeviceId
  device_name: string
  recipient: RecipientId
  recipient_address: string
  recipient_kind: AddressKind
  remark: string | null
  channels: ChannelGrants
  terms: ShareTerms
  status: ShareStatus
  created_at: Timestamp
  invite_expires_at: Timestamp
  answered_at: Timestamp | null
}

export interface CreatedShares {
  recipient: RecipientId
  shares: OutgoingShare[]
}

export interface SharedChannel {
  number: number
  name: string
  functions: Func[]
}

export interface ShareOwner {
  id: AccountId
  display_name: string
}

export interface SharedDevice {
  share: ShareId
  device: DeviceId
  device_name: string
  kind: DeviceKind
  owner: ShareOwner
  channels: SharedChannel[]
  terms: ShareTerms
  status: ShareStatus
  created_at: Timestamp
  invite_expires_at: Timestamp
  reachability: Reachability
  checked_at: Timestamp | null
}

export interface DeviceAccess {
  share: ShareId
  recipient: RecipientId
  recipient_address: string
  remark: string | null
  status: ShareStatus
  channels: ChannelGrants
  terms: ShareTerms
}

export interface Recipient {
  id: RecipientId
  address: string
  address_kind: AddressKind
  remark: string | null
  created_at: Timestamp
  shares: OutgoingShare[]
}

export interface HistoryEntry {
  id: RecipientId
  address: string
  address_kind: AddressKind
  remark: string | null
  deleted: boolean
  last_shared_at: Timestamp
}

export type ActivityKind =
  | 'shared'
  | 'accepted'
  | 'rejected'
  | 'edited'
  | 'resent'
  | 'cancelled'
  | 'revoked'
  | 'removed_by_recipient'
  | 'recipient_deleted'
  | 'device_added'
  | 'device_edited'
  | 'device_removed'
  | 'stream_opened'
  | 'stream_closed'

export interface ActivityEntry {
  id: ActivityId
  at: Timestamp
  kind: ActivityKind
  device: DeviceId | null
  device_name: string
  share: ShareId | null
  recipient: string | null
  detail: string | null
}

export type EndReason = 'revoked' | 'recipient_deleted'

export type EventKind =
  | { type: 'invite_received'; share: ShareId; device: DeviceId; device_name: string; owner_name: string }
  | { type: 'invite_answered'; share: ShareId; device: DeviceId; accepted: boolean }
  | { type: 'invite_cancelled'; share: ShareId; device: DeviceId }
  | { type: 'share_changed'; share: ShareId; device: DeviceId }
  | { type: 'share_revoked'; share: ShareId; device: DeviceId; reason: EndReason }
  | { type: 'share_removed'; share: ShareId; device: DeviceId }
  | { type: 'device_removed'; share: ShareId; device: DeviceId }

/** One server event; `type` names its kind, the kind's fields sit beside `id` and `at`. */
export type CamshareEvent = { id: EventId; at: Timestamp } & EventKind

export type ErrorKind =
  | 'invalid_input'
  | 'invalid_email'
  | 'invalid_phone'
  | 'invalid_account_code'
  | 'unauthorized'
  | 'invalid_credentials'
  | 'rate_limited'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'invite_expired'
  | 'payload_too_large'
  | 'internal'
  // Desktop-side kinds:
  | 'network'
  | 'protocol'
  | 'keychain'

/** What every command rejects with. */
export interface CommandError {
  kind: ErrorKind | string
  message: string
  field?: string
}

// Desktop-only payloads (src-tauri), not in crates/api.

export interface KeychainState {
  available: boolean
  message: string | null
}

export interface AppInfo {
  profile: string | null
  server_url: string
  account: Account | null
  keychain: KeychainState
}

export type ConnectionState = 'connected' | 'reconnecting' | 'signed_out'

export interface ConnectionStatus {
  state: ConnectionState
  message: string | null
}

/** A camera channel's two encodings. */
export type StreamKind = 'main' | 'sub'

/** What a live tile shows besides pictures (from the Rust side). */
export type LiveStatus =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'reconnecting'; retry_in_ms: number; reason: string }
  | { state: 'offline'; retry_in_ms: number }
  | { state: 'ended'; reason: string }
