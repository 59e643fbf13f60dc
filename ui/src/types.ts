// The types the UI works with. The wire types of `crates/api` are generated into `wire.ts`
// from the server's OpenAPI document (ui/scripts/wire-types.mjs; the test command fails when
// it is stale) and re-exported here; below them, the UI's own names and the desktop-only
// payloads of src-tauri.

export type {
  AccessDecision,
  Account,
  AccountCode,
  AccountId,
  ActivityEntry,
  ActivityId,
  ActivityKind,
  AddressKind,
  ApiError,
  BlockedOwner,
  BlockOwner,
  Channel,
  ChannelGrants,
  CreatedShares,
  CreateShares,
  Device,
  DeviceAccess,
  DeviceGrant,
  DeviceId,
  DeviceKind,
  DeviceUpdate,
  EditRecipient,
  EditShare,
  EndedShare,
  EndReason,
  EventId,
  EventKind,
  HistoryEntry,
  Lookback,
  NewDevice,
  OutgoingShare,
  Reachability,
  Recipient,
  RecipientId,
  RevokedEverything,
  Schedule,
  ScheduleWindow,
  ShareId,
  ShareOwner,
  SharedChannel,
  SharedDevice,
  SignUpStarted,
  ShareStatus,
  ShareTerms,
  StreamKind,
  StreamTicket,
  TicketPurpose,
  Timestamp,
  VerifiedAccountCode,
  Weekday,
} from './wire'

import type * as wire from './wire'

/** A function of the permission matrix (`Function` on the wire, a reserved word here). */
export type Func = wire.Function

/** One server event; `type` names its kind, the kind's fields sit beside `id` and `at`. */
export type CamshareEvent = wire.Event

/** The API's error kinds, and the desktop side's own. */
export type ErrorKind =
  | wire.ErrorKind
  | 'network'
  | 'protocol'
  | 'keychain'
  | 'untrusted_certificate'
  | 'insecure_connection'

/** What every command rejects with. */
export interface CommandError {
  kind: ErrorKind | string
  message: string
  field?: string
  /** For `untrusted_certificate`: the SHA-256 fingerprint of the certificate the server presented. */
  fingerprint?: string
  /** For `untrusted_certificate` from a server already trusted: the fingerprint trusted before. */
  pinned?: string
}

// Desktop-only payloads (src-tauri), not in crates/api.

export interface KeychainState {
  available: boolean
  message: string | null
}

export interface AppInfo {
  profile: string | null
  server_url: string
  account: wire.Account | null
  keychain: KeychainState
}

export type ConnectionState = 'connected' | 'reconnecting' | 'signed_out'

export interface ConnectionStatus {
  state: ConnectionState
  message: string | null
}

/** What a live tile shows besides pictures (from the Rust side). */
export type LiveStatus =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'reconnecting'; retry_in_ms: number; reason: string }
  | { state: 'offline'; retry_in_ms: number }
  | { state: 'ended'; reason: string }
