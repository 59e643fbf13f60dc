// The "Advanced" part of a share: expiry, weekly schedule windows and playback lookback,
// as the form holds them and as `ShareTerms` sends them.

import type { ShareTerms, Weekday } from '../types'
import type { FieldErrors } from './errors'
import { utcToZonedInput, zonedToUtc } from './zoned'

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
export const WEEKDAY_LABELS: Record<Weekday, string> = {
  mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun',
}

/** At most this many hours of lookback (one year), as `Lookback::MAX_HOURS`. */
export const MAX_LOOKBACK_HOURS = 24 * 366
export const MAX_WINDOWS = 28

export interface WindowDraft {
  days: Weekday[]
  start: string
  end: string
}

export interface TermsDraft {
  /** `datetime-local` value on the account's clock, or empty for no expiry. */
  expires: string
  windows: WindowDraft[]
  lookback: 'none' | 'since_share_start' | 'last_hours'
  hours: number | null
}

export function emptyTerms(): TermsDraft {
  return { expires: '', windows: [], lookback: 'none', hours: 48 }
}

export function newWindow(): WindowDraft {
  return { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }
}

export function draftFromTerms(terms: ShareTerms, timeZone: string): TermsDraft {
  const lookback = terms.lookback
  return {
    expires: terms.expires_at ? utcToZonedInput(terms.expires_at, timeZone) : '',
    windows: (terms.schedule?.windows ?? []).map((w) => ({ days: [...w.days], start: w.start, end: w.end })),
    lookback: lookback?.kind ?? 'none',
    hours: lookback?.kind === 'last_hours' ? lookback.hours : 48,
  }
}

const minutes = (hhmm: string) => {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm)
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN
}

/**
 * Checks the draft and builds the terms. Field names of the errors: `expires_at`,
 * `schedule-<index>` (one per window) and `lookback`.
 */
export function buildTerms(
  draft: TermsDraft,
  timeZone: string,
  now: Date = new Date(),
): { ok: true; terms: ShareTerms } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {}
  const terms: ShareTerms = {}
  if (draft.expires) {
    const at = zonedToUtc(draft.expires, timeZone)
    if (!at) errors.expires_at = 'Enter a date and time, or leave it empty for no expiry.'
    else if (at.getTime() <= now.getTime()) errors.expires_at = 'The expiry must be in the future.'
    else terms.expires_at = at.toISOString().replace('.000Z', 'Z')
  }
  if (draft.windows.length > MAX_WINDOWS) errors.schedule = `A schedule has at most ${MAX_WINDOWS} windows.`
  draft.windows.forEach((w, i) => {
    const [s, e] = [minutes(w.start), minutes(w.end)]
    if (w.days.length === 0) errors[`schedule-${i}`] = 'Choose at least one day.'
    else if (Number.isNaN(s) || Number.isNaN(e)) errors[`schedule-${i}`] = 'Enter a start and an end time.'
    else if (e <= s) errors[`schedule-${i}`] = 'The end time must be after the start time.'
  })
  if (draft.windows.length > 0)
    terms.schedule = {
      time_zone: timeZone,
      windows: draft.windows.map((w) => ({
        days: WEEKDAYS.filter((d) => w.days.includes(d)),
        start: w.start,
        end: w.end,
      })),
    }
  if (draft.lookback === 'since_share_start') terms.lookback = { kind: 'since_share_start' }
  if (draft.lookback === 'last_hours') {
    const h = Number(draft.hours)
    if (!Number.isInteger(h) || h < 1 || h > MAX_LOOKBACK_HOURS)
      errors.lookback = `Enter a whole number of hours from 1 to ${MAX_LOOKBACK_HOURS}.`
    else terms.lookback = { kind: 'last_hours', hours: h }
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, terms }
}

/** Terms in a few words, for lists: "Until 1 Mar 2025 · Mon–Fri 09:00–17:00 · Playback: last 48 h". */
export function describeTerms(terms: ShareTerms, formatInstant: (iso: string) => string): string[] {
  const out: string[] = []
  if (terms.expires_at) out.push(`Until ${formatInstant(terms.expires_at)}`)
  for (const w of terms.schedule?.windows ?? []) out.push(`${describeDays(w.days)} ${w.start}–${w.end}`)
  if (terms.lookback?.kind === 'since_share_start') out.push('Playback: since the share began')
  if (terms.lookback?.kind === 'last_hours') out.push(`Playback: last ${terms.lookback.hours} h`)
  return out
}

export function describeDays(days: readonly Weekday[]): string {
  const idx = WEEKDAYS.map((d) => days.includes(d))
  if (idx.every(Boolean)) return 'Every day'
  const first = idx.indexOf(true)
  const last = idx.lastIndexOf(true)
  const contiguous = first >= 0 && idx.slice(first, last + 1).every(Boolean)
  if (contiguous && last - first >= 2) return `${WEEKDAY_LABELS[WEEKDAYS[first]]}–${WEEKDAY_LABELS[WEEKDAYS[last]]}`
  return WEEKDAYS.filter((d) => days.includes(d)).map((d) => WEEKDAY_LABELS[d]).join(', ')
}
