// Errors in plain words. Commands reject with `{kind, message, field?}`; the UI branches on
// `kind` only, and uses the server's `message` where it is about what the person typed.

import type { CommandError } from '../types'

/** Turns whatever a rejected promise carried into a `CommandError`. */
export function toCommandError(raw: unknown): CommandError {
  if (raw && typeof raw === 'object' && 'kind' in raw && typeof raw.kind === 'string') {
    const r = raw as { kind: string; message?: unknown; field?: unknown; fingerprint?: unknown; pinned?: unknown }
    return {
      kind: r.kind,
      message: typeof r.message === 'string' ? r.message : '',
      ...(typeof r.field === 'string' ? { field: r.field } : {}),
      ...(typeof r.fingerprint === 'string' ? { fingerprint: r.fingerprint } : {}),
      ...(typeof r.pinned === 'string' ? { pinned: r.pinned } : {}),
    }
  }
  const message = raw instanceof Error ? raw.message : typeof raw === 'string' ? raw : ''
  return { kind: 'internal', message }
}

/** Kinds whose server message describes the input itself; we show that message. */
const INPUT_KINDS = new Set([
  'invalid_input',
  'invalid_email',
  'invalid_phone',
  'conflict',
  'forbidden',
  'rate_limited',
  'unavailable',
])

const FIXED: Record<string, string> = {
  invalid_email: 'That email address does not look right.',
  invalid_phone: 'Enter the mobile number with its country code, for example +49 151 2345 6789.',
  invalid_account_code: 'That account code is not valid. Check it and try again.',
  unauthorized: 'Your session has ended. Please sign in again.',
  invalid_credentials: 'The email, mobile number or password is not right.',
  rate_limited: 'Too many attempts. Wait a minute, then try again.',
  not_found: 'This is no longer there, or it is not shared with you any more.',
  forbidden: 'The owner has not allowed this, or not at this time.',
  conflict: 'Someone changed this in the meantime. Reload and try again.',
  invite_expired: 'This invitation has expired. Ask the owner to send it again.',
  payload_too_large: 'That is too much at once. Share fewer devices or use shorter text.',
  internal: 'Something went wrong on the server. Try again in a moment.',
  unavailable: 'The server cannot send messages just now. Try again in a moment.',
  network: 'The server cannot be reached. Check the server address and your connection.',
  protocol:
    'The server answered in a way this app does not understand. The app and the server may be different versions.',
  keychain:
    'This computer has no keychain to keep your sign-in, so you will need to sign in again next time.',
  invalid_input: 'Some of what you entered is not valid.',
  untrusted_certificate:
    'The server’s certificate is not one this computer trusts, so nothing was sent. Sign in again to compare its fingerprint.',
  insecure_connection:
    'This address is not encrypted and is on another computer, so nothing was sent. Use https:// if the server offers it.',
}

/** One sentence for a person. */
export function plainMessage(error: CommandError): string {
  if (INPUT_KINDS.has(error.kind) && error.message.trim()) return sentence(error.message)
  return FIXED[error.kind] ?? (error.message ? sentence(error.message) : FIXED.internal)
}

/** Capital first letter, full stop at the end; backticks from server messages become quotes. */
export function sentence(text: string): string {
  const t = text.trim().replace(/`([^`]*)`/g, '“$1”')
  if (!t) return t
  const first = t[0].toUpperCase() + t.slice(1)
  return /[.!?]$/.test(first) ? first : `${first}.`
}

/** Field name → message, for showing an error next to its field. */
export type FieldErrors = Record<string, string>

/** Kinds about the server address itself rather than what the form says. */
const SERVER_KINDS = ['network', 'untrusted_certificate', 'insecure_connection']

/** What a sign-in or sign-up form shows for a failure: a problem reaching the server (`server`:
 * the network, an untrusted certificate, plain HTTP to another machine) goes to the server
 * field — `network` is its message — anything else to the form's fields or its alert. */
export function formFailure(
  raw: unknown,
  fields: readonly string[],
  aliases: Record<string, string> = {},
): { network: string | null; server: CommandError | null; fields: FieldErrors; form: string | null } {
  const error = toCommandError(raw)
  const split = splitError(error, fields, aliases)
  const server = SERVER_KINDS.includes(error.kind) ? error : null
  return { network: server ? (split.form ?? '') : null, server, ...split }
}

/**
 * Splits an error into a message for a known field and a message for the whole form.
 * `fields` lists the field names the form shows; `aliases` maps server field names to them.
 */
export function splitError(
  error: CommandError,
  fields: readonly string[],
  aliases: Record<string, string> = {},
): { fields: FieldErrors; form: string | null } {
  const name = error.field ? (aliases[error.field] ?? error.field) : null
  if (name && fields.includes(name)) return { fields: { [name]: plainMessage(error) }, form: null }
  return { fields: {}, form: plainMessage(error) }
}
