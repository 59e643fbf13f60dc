// A small fan-out of server events inside the UI: the shell listens once, screens subscribe
// to the kinds that change what they show.

import type { CamshareEvent } from '../types'

type Handler = (event: CamshareEvent) => void
const handlers = new Set<Handler>()

/** Calls `handler` for events of the given types; returns the unsubscribe function. */
export function onServerEvent(types: readonly CamshareEvent['type'][], handler: Handler): () => void {
  const h: Handler = (e) => {
    if (types.includes(e.type)) handler(e)
  }
  handlers.add(h)
  return () => handlers.delete(h)
}

export function publish(event: CamshareEvent): void {
  for (const h of [...handlers]) h(event)
}

/** Events that change what an owner sees (device list, sharing, access, activity). */
export const OWNER_EVENTS: readonly CamshareEvent['type'][] = [
  'invite_sent',
  'invite_answered',
  'invite_cancelled',
  'share_changed',
  'share_revoked',
  'share_removed',
]

/** Events that change what a recipient sees (invites, others' devices). `invite_answered` is
 * the account's own answer, given elsewhere (another window, the CLI) or by blocking the owner. */
export const RECIPIENT_EVENTS: readonly CamshareEvent['type'][] = [
  'invite_received',
  'invite_answered',
  'invite_cancelled',
  'share_changed',
  'share_revoked',
  'share_removed',
  'device_removed',
]
