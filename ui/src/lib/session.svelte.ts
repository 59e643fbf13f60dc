// Who is signed in, the connection to the server, and pending invitations: the state the
// whole shell shares.

import * as api from '../api'
import type { Account, AppInfo, ConnectionStatus } from '../types'
import { plainMessage } from './errors'

export interface InviteNotice {
  share: number
  device_name: string
  owner_name: string
}

export const session = $state({
  info: null as AppInfo | null,
  account: null as Account | null,
  /** Shown on the sign-in screen, e.g. why the session ended. */
  notice: null as string | null,
  connection: { state: 'connected', message: null } as ConnectionStatus,
  pendingInvites: 0,
  /** Invitations that arrived while the app was open and are not answered by Go / Later yet. */
  arrivedInvites: [] as InviteNotice[],
})

export function signedIn(account: Account): void {
  session.account = account
  session.notice = null
  session.connection = { state: 'connected', message: null }
  session.arrivedInvites = []
}

/** Leaves the signed-in screens, e.g. after `unauthorized`. */
export function signedOut(notice: string | null): void {
  session.account = null
  session.notice = notice
  session.pendingInvites = 0
  session.arrivedInvites = []
}

/** Reads app_info again after signing in: whether the keychain could keep the new session. */
export async function refreshInfo(): Promise<void> {
  try {
    const info = await api.appInfo()
    session.info = { ...info, account: null }
  } catch {
    // Only the keychain note depends on it; the app works without.
  }
}

export function sessionExpired(): void {
  if (session.account) signedOut(plainMessage({ kind: 'unauthorized', message: '' }))
}

export async function refreshInviteCount(): Promise<void> {
  if (!session.account) return
  try {
    session.pendingInvites = (await api.listInvites()).filter((i) => i.status === 'pending').length
  } catch {
    // The badge is only a hint; the Others' Devices screen reports errors itself.
  }
}

/** The account's time zone: schedules are set and dates are shown in it. */
export function accountZone(): string {
  return session.account?.time_zone || 'UTC'
}
