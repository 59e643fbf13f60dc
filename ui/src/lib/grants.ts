// The permission matrix as data: one row per shared channel, the functions ticked on it,
// and how rows become the `ChannelGrants` of a share.

import type { ChannelGrants, DeviceId, Func } from '../types'

/** Every function, in the order the matrix shows them (as `Function::ALL` in crates/api). */
export const FUNCTIONS: readonly Func[] = ['live_view', 'playback', 'alarm_push', 'two_way_audio', 'ptz']

export const FUNCTION_LABELS: Record<Func, string> = {
  live_view: 'Live View',
  playback: 'Playback',
  alarm_push: 'Alarm Push',
  two_way_audio: 'Two-way Audio',
  ptz: 'PTZ',
}

export const FUNCTION_HINTS: Record<Func, string> = {
  live_view: 'Watch the camera live',
  playback: 'Play back recordings',
  alarm_push: 'Get alarm notifications with a snapshot',
  two_way_audio: 'Talk through the camera',
  ptz: 'Pan, tilt and zoom the camera',
}

/** JAGER PRO's roles: Guest may only watch live, Admin may do everything. */
export const PRESETS = {
  guest: ['live_view'] as Func[],
  admin: [...FUNCTIONS] as Func[],
}

export interface GrantRow {
  device: DeviceId
  channel: number
  /** The channel's name, e.g. "Front door". */
  label: string
  functions: Func[]
}

/** Sorts functions into matrix order and drops duplicates. */
export function ordered(functions: Iterable<Func>): Func[] {
  const set = new Set(functions)
  return FUNCTIONS.filter((f) => set.has(f))
}

export function toggle(row: GrantRow, f: Func, on: boolean): void {
  row.functions = on ? ordered([...row.functions, f]) : row.functions.filter((x) => x !== f)
}

export function applyPreset(rows: GrantRow[], functions: readonly Func[]): void {
  for (const row of rows) row.functions = ordered(functions)
}

export function allGranted(rows: readonly GrantRow[]): boolean {
  return rows.length > 0 && rows.every((r) => r.functions.length === FUNCTIONS.length)
}

/** The grants of one device, keyed by channel number. */
export function channelGrants(rows: readonly GrantRow[], device: DeviceId): ChannelGrants {
  const grants: ChannelGrants = {}
  for (const row of rows) if (row.device === device) grants[String(row.channel)] = ordered(row.functions)
  return grants
}

/** Why the matrix cannot be sent yet, or null when it can. */
export function matrixProblem(rows: readonly GrantRow[]): string | null {
  if (rows.length === 0) return 'Choose at least one camera to share.'
  const empty = rows.find((r) => r.functions.length === 0)
  return empty ? `${empty.label}: choose at least one function, or leave this camera out.` : null
}

/** Functions in grants, as a short phrase: "Live View, Playback". */
export function describeFunctions(functions: readonly Func[]): string {
  if (functions.length === FUNCTIONS.length) return 'All functions'
  return ordered(functions).map((f) => FUNCTION_LABELS[f]).join(', ')
}
