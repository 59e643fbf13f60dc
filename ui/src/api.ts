// The only door to the Rust side: every Tauri command and event the UI uses, typed.
// Nothing else in the UI calls `invoke` or `listen`.

import { Channel, invoke } from '@tauri-apps/api/core'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'
import { toCommandError } from './lib/errors'
import type {
  Account,
  ActivityEntry,
  AppInfo,
  BlockedOwner,
  CamshareEvent,
  ConnectionStatus,
  CreatedShares,
  CreateShares,
  Device,
  DeviceAccess,
  DeviceUpdate,
  EditShare,
  HistoryEntry,
  LiveStatus,
  NewDevice,
  OutgoingShare,
  Recipient,
  RevokedEverything,
  SharedDevice,
  SignUpStarted,
  StreamKind,
  VerifiedAccountCode,
} from './types'

/** Event names the Rust side emits. */
export const EVENT_CHANNEL = 'camshare://event'
export const CONNECTION_CHANNEL = 'camshare://connection'

let onUnauthorized: (() => void) | null = null

/** Called whenever a command answers `unauthorized`: the session is gone, go to sign-in. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args)
  } catch (raw) {
    const error = toCommandError(raw)
    if (error.kind === 'unauthorized') onUnauthorized?.()
    throw error
  }
}

// Session
export const appInfo = () => call<AppInfo>('app_info')
export const signUp = (args: {
  serverUrl: string
  email?: string
  phone?: string
  displayName: string
  password: string
  timeZone?: string
}) => call<SignUpStarted>('sign_up', args)
/** Finishes a sign-up with the code sent to its address, and signs in. */
export const verifySignUp = (args: { serverUrl: string; verification: string; code: string }) =>
  call<Account>('verify_sign_up', args)
/** Sends a waiting sign-up a new code (the old one stops working). */
export const resendSignUpCode = (args: { serverUrl: string; verification: string }) =>
  call<SignUpStarted>('resend_sign_up_code', args)
/** "Forgot password": a code goes to the login's address (the answer is the same without an account). */
export const startPasswordReset = (args: { serverUrl: string; login: string }) =>
  call<{ verification: string; expires_at: string }>('start_password_reset', args)
/** Sets a new password with the code; every session of the account ends. */
export const finishPasswordReset = (args: { serverUrl: string; verification: string; code: string; newPassword: string }) =>
  call<null>('finish_password_reset', args)
/** Changes the signed-in account's password; its other sessions end. */
export const changePassword = (args: { currentPassword: string; newPassword: string }) =>
  call<null>('change_password', args)
/** Trusts the self-signed certificate with this fingerprint for the server from now on. */
export const trustServerCertificate = (args: { serverUrl: string; fingerprint: string }) =>
  call<null>('trust_server_certificate', args)
/** Allows plain http:// to this server on another machine from now on. */
export const allowPlainServer = (serverUrl: string) => call<null>('allow_plain_server', { serverUrl })
export const signIn = (args: { serverUrl: string; login: string; password: string }) =>
  call<Account>('sign_in', args)
export const signOut = () => call<null>('sign_out')
export const deleteAccount = (password: string) => call<null>('delete_account', { password })
/** Tells the app a screen is drawn (start-up measurement; a no-op unless the app is asked to report). */
export const markDrawn = (what: string) => call<null>('mark_drawn', { what })
export const me = () => call<Account>('me')
export const verifyAccountCode = (code: string) =>
  call<VerifiedAccountCode>('verify_account_code', { code })

// Devices
export const listDevices = () => call<Device[]>('list_devices')
export const addDevice = (device: NewDevice) => call<Device>('add_device', { device })
export const getDevice = (id: number) => call<Device>('get_device', { id })
export const editDevice = (id: number, update: DeviceUpdate) =>
  call<Device>('edit_device', { id, update })
export const removeDevice = (id: number) => call<null>('remove_device', { id })
export const deviceAccess = (id: number) => call<DeviceAccess[]>('device_access', { id })

// Shares (owner)
export const shareDevices = (request: CreateShares) =>
  call<CreatedShares>('share_devices', { request })
export const listShares = () => call<OutgoingShare[]>('list_shares')
export const getShare = (id: number) => call<OutgoingShare>('get_share', { id })
export const editShare = (id: number, edit: EditShare) =>
  call<OutgoingShare>('edit_share', { id, edit })
export const revokeShare = (id: number) => call<null>('revoke_share', { id })
export const resendShare = (id: number) => call<OutgoingShare>('resend_share', { id })
export const cancelShare = (id: number) => call<OutgoingShare>('cancel_share', { id })
export const revokeEverything = () => call<RevokedEverything>('revoke_everything')

// Recipients (owner)
export const listRecipients = () => call<Recipient[]>('list_recipients')
export const getRecipient = (id: number) => call<Recipient>('get_recipient', { id })
export const editRecipient = (id: number, remark: string | null) =>
  call<Recipient>('edit_recipient', { id, edit: { remark } })
export const deleteRecipient = (id: number) => call<null>('delete_recipient', { id })
export const recipientHistory = (prefix: string) =>
  call<HistoryEntry[]>('recipient_history', { prefix })

// Invites and shared devices (recipient)
export const listInvites = () => call<SharedDevice[]>('list_invites')
export const acceptInvite = (id: number) => call<SharedDevice>('accept_invite', { id })
export const rejectInvite = (id: number) => call<null>('reject_invite', { id })
export const listSharedDevices = () => call<SharedDevice[]>('list_shared_devices')
export const removeSharedDevice = (id: number) => call<null>('remove_shared_device', { id })
export const listBlockedOwners = () => call<BlockedOwner[]>('list_blocked_owners')
export const blockOwner = (owner: number) => call<BlockedOwner>('block_owner', { owner })
export const unblockOwner = (owner: number) => call<null>('unblock_owner', { owner })

// Activity
export const activity = (limit: number) => call<ActivityEntry[]>('activity', { limit })

// Events
export function onCamshareEvent(handler: (event: CamshareEvent) => void): Promise<UnlistenFn> {
  return listen<CamshareEvent>(EVENT_CHANNEL, (e) => handler(e.payload))
}

export function onConnection(handler: (status: ConnectionStatus) => void): Promise<UnlistenFn> {
  return listen<ConnectionStatus>(CONNECTION_CHANNEL, (e) => handler(e.payload))
}

// Live view: one tile's stream. Frames come as JPEG bytes, one at a time: call `liveAck` after
// drawing each, and the next (newest) one follows.
export async function liveOpen(args: {
  device: number
  channel: number
  stream: StreamKind
  width: number
  height: number
  onFrame: (jpeg: ArrayBuffer) => void
  onStatus: (status: LiveStatus) => void
}): Promise<number> {
  const frames = new Channel<ArrayBuffer>()
  frames.onmessage = args.onFrame
  const status = new Channel<LiveStatus>()
  status.onmessage = args.onStatus
  const { onFrame: _f, onStatus: _s, ...rest } = args
  return call<number>('live_open', { ...rest, frames, status })
}
export const liveAck = (id: number) => call<null>('live_ack', { id })
export const liveClose = (id: number) => call<null>('live_close', { id })
