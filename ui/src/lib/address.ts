// Checking what a person types as an address before anything is sent: the same rules as
// `crates/api/src/address.rs` (email shape, E.164 mobile number, account code shape).

import { COUNTRIES } from './countries'

export type AddressCheck =
  | { ok: true; kind: 'email' | 'phone' | 'account_code'; value: string }
  | { ok: false; message: string }

const LOCAL_CHARS = /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+$/
const LABEL = /^[a-z0-9-]{1,63}$/

export function checkEmail(input: string): AddressCheck {
  const s = input.trim().toLowerCase()
  const bad = (why: string): AddressCheck => ({ ok: false, message: `Enter an email address: ${why}.` })
  if (!s) return { ok: false, message: 'Enter an email address.' }
  if (s.length > 254) return bad('it is too long')
  const at = s.indexOf('@')
  if (at < 0) return bad('it needs an @, as in name@example.com')
  const local = s.slice(0, at)
  const domain = s.slice(at + 1)
  if (domain.includes('@')) return bad('it has more than one @')
  if (!local || local.length > 64) return bad('something is missing before the @')
  if (!LOCAL_CHARS.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..'))
    return bad('the part before the @ has characters an address cannot have')
  const labels = domain.split('.')
  if (labels.length < 2) return bad('the part after the @ needs a dot, as in example.com')
  if (!labels.every((l) => LABEL.test(l) && !l.startsWith('-') && !l.endsWith('-')))
    return bad('the part after the @ is not a valid domain')
  return { ok: true, kind: 'email', value: s }
}

/** Drops the spacing people type in numbers: spaces, dashes, dots, brackets. */
export function compactPhone(input: string): string {
  return input.trim().replace(/[\s\-().]/g, '')
}

export function checkPhone(input: string): AddressCheck {
  const compact = compactPhone(input)
  if (!compact) return { ok: false, message: 'Enter a mobile number.' }
  if (!compact.startsWith('+'))
    return {
      ok: false,
      message: 'Add the country code: pick the country, or start the number with +, e.g. +49 151 2345 6789.',
    }
  const digits = compact.slice(1)
  if (!/^[0-9]+$/.test(digits)) return { ok: false, message: 'After the + only digits may follow.' }
  if (digits.startsWith('0')) return { ok: false, message: 'A country code never starts with 0.' }
  if (digits.length < 8 || digits.length > 15)
    return { ok: false, message: 'With its country code a mobile number has 8 to 15 digits.' }
  return { ok: true, kind: 'phone', value: compact }
}

export function checkAccountCode(input: string): AddressCheck {
  const upper = input.trim().toUpperCase()
  const body = upper.slice(3).replace(/[-\s]/g, '')
  if (!upper.startsWith('CS-') || !/^[A-Z2-7]{24}$/.test(body))
    return { ok: false, message: 'An account code looks like CS-ABCD-EFGH-… with 24 letters and digits.' }
  return { ok: true, kind: 'account_code', value: upper }
}

/** Email, mobile number or account code, told apart by shape, as the server does. */
export function checkAddress(input: string): AddressCheck {
  const s = input.trim()
  if (!s) return { ok: false, message: 'Enter an email address or a mobile number.' }
  if (s.toUpperCase().startsWith('CS-')) return checkAccountCode(s)
  if (s.includes('@')) return checkEmail(s)
  if (/^[+(0-9]/.test(s)) return checkPhone(s)
  return { ok: false, message: 'Enter an email address, or a mobile number with its country code.' }
}

/** Email or mobile number, for signing in. */
export function checkLogin(input: string): AddressCheck {
  const s = input.trim()
  if (!s) return { ok: false, message: 'Enter your email address or mobile number.' }
  if (s.includes('@')) return checkEmail(s)
  if (/^[+(0-9]/.test(s)) return checkPhone(s)
  return { ok: false, message: 'Enter your email address, or your mobile number with its country code.' }
}

/** Puts a country code in front of what is typed, replacing any code already there. */
export function withCountryCode(input: string, dial: string): string {
  let rest = input.trim()
  if (/[a-z@]/i.test(rest)) rest = ''
  if (rest.startsWith('+')) {
    const space = rest.indexOf(' ')
    if (space > 0) rest = rest.slice(space + 1)
    else {
      const known = COUNTRIES.map((c) => c.dial)
        .filter((d) => rest.startsWith(d))
        .sort((a, b) => b.length - a.length)[0]
      rest = known ? rest.slice(known.length) : rest.slice(1)
    }
  }
  rest = rest.trim().replace(/^0+/, '')
  return rest ? `${dial} ${rest}` : `${dial} `
}
