// The input rules behind the forms, as plain functions: addresses, country codes, grants,
// terms and the account's clock.
import { describe, expect, test } from 'vitest'
import { checkAddress, checkEmail, checkPhone, withCountryCode } from '../src/lib/address'
import { channelGrants, describeFunctions, matrixProblem, type GrantRow } from '../src/lib/grants'
import { buildTerms, describeDays, draftFromTerms, emptyTerms } from '../src/lib/terms'
import { utcToZonedInput, zonedToUtc } from '../src/lib/zoned'

describe('addresses', () => {
  test('emails are lower-cased; broken ones say what is wrong', () => {
    expect(checkEmail(' Ann@Example.COM ')).toEqual({ ok: true, kind: 'email', value: 'ann@example.com' })
    for (const bad of ['', 'ann', 'ann@', '@example.com', 'ann@example', 'a b@example.com', 'ann@@example.com', 'ann@-x.com'])
      expect(checkEmail(bad).ok, bad).toBe(false)
  })

  test('mobile numbers need their country code and 8 to 15 digits', () => {
    expect(checkPhone('+86 189-1234 5678')).toEqual({ ok: true, kind: 'phone', value: '+8618912345678' })
    expect(checkPhone('0151 2345678')).toMatchObject({ ok: false, message: expect.stringContaining('country code') })
    expect(checkPhone('+0151 2345678').ok).toBe(false)
    expect(checkPhone('+49 12').ok).toBe(false)
    expect(checkPhone('+49 151 abc').ok).toBe(false)
  })

  test('the kind of address is told by its shape, account codes included', () => {
    expect(checkAddress('CS-ABCD-EFGH-IJKL-MNOP-QRST-UVWX')).toMatchObject({ ok: true, kind: 'account_code' })
    expect(checkAddress('CS-1234').ok).toBe(false)
    expect(checkAddress('+44 7700 900123')).toMatchObject({ ok: true, kind: 'phone' })
    expect(checkAddress('bob')).toMatchObject({ ok: false })
  })

  test('the country picker replaces a code already typed and drops a trunk 0', () => {
    expect(withCountryCode('', '+49')).toBe('+49 ')
    expect(withCountryCode('0151 2345678', '+49')).toBe('+49 151 2345678')
    expect(withCountryCode('+44 7700 900123', '+49')).toBe('+49 7700 900123')
    expect(withCountryCode('+447700900123', '+1')).toBe('+1 7700900123')
    expect(withCountryCode('bob@example.com', '+33')).toBe('+33 ')
  })
})

describe('grants', () => {
  const rows: GrantRow[] = [
    { device: 7, channel: 3, label: 'Front door', functions: ['ptz', 'live_view', 'playback'] },
    { device: 7, channel: 1, label: 'Driveway', functions: ['live_view'] },
    { device: 8, channel: 1, label: 'Doorbell', functions: ['alarm_push'] },
  ]
  test('rows become per-device channel grants, functions in matrix order', () => {
    expect(channelGrants(rows, 7)).toEqual({ '1': ['live_view'], '3': ['live_view', 'playback', 'ptz'] })
    expect(channelGrants(rows, 8)).toEqual({ '1': ['alarm_push'] })
  })
  test('what blocks sending', () => {
    expect(matrixProblem([])).toMatch(/at least one camera/)
    expect(matrixProblem(rows)).toBeNull()
    expect(matrixProblem([...rows, { device: 8, channel: 2, label: 'Porch', functions: [] }])).toMatch(/^Porch: choose at least one function/)
  })
  test('functions read as words', () => {
    expect(describeFunctions(['playback', 'live_view'])).toBe('Live View, Playback')
    expect(describeFunctions(['live_view', 'playback', 'alarm_push', 'two_way_audio', 'ptz'])).toBe('All functions')
  })
})

describe('terms and the account clock', () => {
  test('wall-clock times in a zone convert both ways, across daylight saving', () => {
    expect(zonedToUtc('2030-01-15T09:00', 'Europe/Berlin')?.toISOString()).toBe('2030-01-15T08:00:00.000Z')
    expect(zonedToUtc('2030-07-15T09:00', 'Europe/Berlin')?.toISOString()).toBe('2030-07-15T07:00:00.000Z')
    expect(zonedToUtc('2030-07-15T09:00', 'America/New_York')?.toISOString()).toBe('2030-07-15T13:00:00.000Z')
    expect(utcToZonedInput('2030-07-15T07:00:00Z', 'Europe/Berlin')).toBe('2030-07-15T09:00')
    expect(zonedToUtc('not a date', 'UTC')).toBeNull()
  })

  test('no terms at all is an empty object; editing starts from the saved terms', () => {
    expect(buildTerms(emptyTerms(), 'UTC')).toEqual({ ok: true, terms: {} })
    const saved = {
      expires_at: '2030-07-15T07:00:00Z',
      schedule: { time_zone: 'Europe/Berlin', windows: [{ days: ['sat' as const, 'sun' as const], start: '10:00', end: '12:00' }] },
      lookback: { kind: 'last_hours' as const, hours: 48 },
    }
    const draft = draftFromTerms(saved, 'Europe/Berlin')
    expect(draft).toMatchObject({ expires: '2030-07-15T09:00', lookback: 'last_hours', hours: 48 })
    expect(buildTerms(draft, 'Europe/Berlin', new Date('2030-01-01T00:00:00Z'))).toEqual({ ok: true, terms: saved })
  })

  test('a window needs a day and must end after it starts', () => {
    const draft = { ...emptyTerms(), windows: [{ days: [], start: '09:00', end: '17:00' }, { days: ['mon' as const], start: '17:00', end: '09:00' }] }
    expect(buildTerms(draft, 'UTC')).toEqual({
      ok: false,
      errors: { 'schedule-0': 'Choose at least one day.', 'schedule-1': 'The end time must be after the start time.' },
    })
  })

  test('days read as ranges where they can', () => {
    expect(describeDays(['mon', 'tue', 'wed', 'thu', 'fri'])).toBe('Mon–Fri')
    expect(describeDays(['sat', 'sun'])).toBe('Sat, Sun')
    expect(describeDays(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).toBe('Every day')
  })
})
