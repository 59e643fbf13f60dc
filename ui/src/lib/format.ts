// Words and dates as the screens show them.

import type { ActivityKind, Device, DeviceKind, ShareStatus } from '../types'
import { knownZone } from './zoned'

export const KIND_LABELS: Record<DeviceKind, string> = {
  camera: 'Camera',
  nvr: 'NVR / DVR',
  doorbell: 'Doorbell',
  control_panel: 'Security control panel',
}

export const STATUS_LABELS: Record<ShareStatus, string> = {
  pending: 'Invited',
  invite_expired: 'Invite expired',
  accepted: 'Accepted',
  rejected: 'Declined',
  cancelled: 'Invite cancelled',
  revoked: 'Stopped',
  removed: 'Removed by recipient',
}

/** Badge colour per status. */
export const STATUS_TONE: Record<ShareStatus, 'ok' | 'wait' | 'muted' | 'warn'> = {
  pending: 'wait',
  invite_expired: 'warn',
  accepted: 'ok',
  rejected: 'muted',
  cancelled: 'muted',
  revoked: 'muted',
  removed: 'muted',
}

export const ACTIVITY_LABELS: Record<ActivityKind, string> = {
  shared: 'Shared',
  accepted: 'Invite accepted',
  rejected: 'Invite declined',
  edited: 'Permissions changed',
  resent: 'Invite sent again',
  cancelled: 'Invite cancelled',
  revoked: 'Sharing stopped',
  removed_by_recipient: 'Removed by recipient',
  recipient_deleted: 'Recipient deleted',
  everything_revoked: 'Everything revoked',
  device_added: 'Device added',
  device_edited: 'Device changed',
  device_removed: 'Device removed',
  stream_opened: 'Started watching',
  stream_closed: 'Stopped watching',
}

export function channelSummary(device: Pick<Device, 'kind' | 'channels'>): string {
  const n = device.channels.length
  return n === 1 ? '1 channel' : `${n} channels`
}

/** `12 Mar 2025, 14:05` on the given zone's clock. */
export function formatInstant(iso: string, timeZone: string): string {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: knownZone(timeZone),
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(ms))
}

/** "just now", "5 min ago", "3 h ago", else the date. */
export function formatAgo(iso: string, timeZone: string, now: number = Date.now()): string {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  const s = Math.round((now - ms) / 1000)
  if (s < 45) return 'just now'
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86400) return `${Math.round(s / 3600)} h ago`
  return formatInstant(iso, timeZone)
}

/** How old an account is, for "account since": "new today", "3 days old", "5 months old", "2 years old". */
export function accountAge(iso: string, now: number = Date.now()): string {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return ''
  const days = Math.floor((now - ms) / 86_400_000)
  if (days < 1) return 'new today'
  if (days < 60) return `${days} day${days === 1 ? '' : 's'} old`
  const months = Math.floor(days / 30.44)
  if (months < 24) return `${months} months old`
  return `${Math.floor(days / 365.25)} years old`
}
