// Every error kind the UI handles, in plain words; `unauthorized` leads to sign-in; field
// errors stand next to their field; `network` says the server cannot be reached.
import { render, screen, waitFor } from '@testing-library/svelte'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, test } from 'vitest'
import App from '../src/App.svelte'
import { toCommandError } from '../src/lib/errors'
import { navigate } from '../src/lib/router.svelte'
import { session } from '../src/lib/session.svelte'
import Devices from '../src/pages/devices/Devices.svelte'
import InviteCard from '../src/pages/others/InviteCard.svelte'
import SignIn from '../src/pages/signin/SignIn.svelte'
import { ann, called, mockCommands, sharedDevice } from './fixtures'

const info = (account = ann, keychain = { available: true, message: null as string | null }) => ({
  profile: null,
  server_url: 'http://127.0.0.1:7878',
  account,
  keychain,
})

beforeEach(() => {
  session.info = info()
  session.account = null
  session.notice = null
  navigate('/devices')
})

describe('each error kind in plain words', () => {
  const cases: [kind: string, server: string, shown: RegExp][] = [
    ['invalid_input', 'the name must have 1 to 64 characters', /^The name must have 1 to 64 characters\.$/],
    ['invalid_email', '`x` is not an email address: it has no @', /^“x” is not an email address: it has no @\.$/],
    ['invalid_phone', '', /with its country code/],
    ['invalid_account_code', 'bad signature', /account code is not valid/],
    ['invalid_credentials', 'no match', /email, mobile number or password is not right/],
    ['rate_limited', 'too many failed sign-ins; try again in 3 minute(s)', /^Too many failed sign-ins; try again in 3 minute\(s\)\.$/],
    ['rate_limited', '', /Too many attempts\. Wait a minute/],
    ['unavailable', 'the code could not be sent just now; nothing was saved, try again later', /^The code could not be sent just now/],
    ['unavailable', '', /cannot send messages just now/],
    ['not_found', 'device not found', /no longer there, or it is not shared with you/],
    ['forbidden', 'this share does not allow viewing at this time of day', /^This share does not allow viewing at this time of day\.$/],
    ['conflict', 'the device is already shared with that recipient', /^The device is already shared with that recipient\.$/],
    ['invite_expired', 'gone', /invitation has expired\. Ask the owner to send it again/],
    ['payload_too_large', 'too big', /too much at once/],
    ['internal', 'db exploded', /Something went wrong on the server/],
    ['network', 'connection refused', /server cannot be reached/],
    ['protocol', 'unexpected JSON', /does not understand/],
    ['keychain', 'no secret service', /no keychain .* sign in again next time/],
  ]

  test.each(cases)('%s', async (kind, message, shown) => {
    mockCommands({
      list_devices: () => {
        throw { kind, message }
      },
    })
    render(Devices)
    const error = await screen.findByTestId('devices-error')
    expect(error.textContent?.trim()).toMatch(shown)
    expect(error.textContent).not.toMatch(/[a-z]+_[a-z]+/) // never a machine word such as rate_limited
  })

  test('an unknown rejection (not a command error) reads as a server problem', () => {
    expect(toCommandError('command list_devices not found')).toEqual({ kind: 'internal', message: 'command list_devices not found' })
    expect(toCommandError(undefined).kind).toBe('internal')
  })
})

describe('unauthorized', () => {
  test('any command answering unauthorized sends you to sign in, saying why', async () => {
    mockCommands(
      {
        app_info: info(),
        list_invites: [],
        list_devices: () => {
          throw { kind: 'unauthorized', message: 'token expired' }
        },
      },
      true,
    )
    render(App)
    expect(await screen.findByTestId('sign-in-submit')).toBeInTheDocument()
    expect(screen.getByTestId('session-notice')).toHaveTextContent('Your session has ended. Please sign in again.')
  })
})

describe('sign in', () => {
  async function signIn(result: () => unknown) {
    const calls = mockCommands({ sign_in: result })
    const user = userEvent.setup()
    render(SignIn)
    await user.type(screen.getByTestId('sign-in-login'), 'ann@example.com')
    await user.type(screen.getByTestId('sign-in-password'), 'a-good-password')
    await user.click(screen.getByTestId('sign-in-submit'))
    return calls
  }

  test('network: the server cannot be reached, shown at the server address', async () => {
    await signIn(() => {
      throw { kind: 'network', message: 'error sending request: connection refused' }
    })
    expect(await screen.findByTestId('error-server_url')).toHaveTextContent(/server cannot be reached/)
    expect(screen.getByTestId('server-url')).toHaveAttribute('aria-invalid', 'true')
  })

  /** Signs in on the form at another server address; returns the user driving it. */
  async function signInAt(serverUrl: string) {
    const user = userEvent.setup()
    render(SignIn)
    await user.clear(screen.getByTestId('server-url'))
    await user.type(screen.getByTestId('server-url'), serverUrl)
    await user.type(screen.getByTestId('sign-in-login'), 'ann@example.com')
    await user.type(screen.getByTestId('sign-in-password'), 'a-good-password')
    await user.click(screen.getByTestId('sign-in-submit'))
    return user
  }

  test('a self-signed server: its fingerprint is shown, and trusting it is asked for, then kept', async () => {
    const fingerprint = 'AB:'.repeat(31) + 'CD'
    const calls = mockCommands({
      sign_in: () => {
        throw { kind: 'untrusted_certificate', message: 'not trusted', fingerprint }
      },
      trust_server_certificate: null,
    })
    const user = await signInAt('https://cams.example.org:7878')
    expect(await screen.findByTestId('trust-fingerprint')).toHaveTextContent(fingerprint)
    expect(screen.getByTestId('error-server_url')).toHaveTextContent(/not trusted on this computer yet/)
    await user.click(screen.getByTestId('trust-server'))
    expect(await screen.findByTestId('trust-note')).toHaveTextContent(/now trusts .* Sign in again/)
    expect(called(calls, 'trust_server_certificate')[0].args).toEqual({ serverUrl: 'https://cams.example.org:7878', fingerprint })
    expect(screen.queryByTestId('trust-prompt')).toBeNull()
  })

  test('a trusted server whose certificate changed: both fingerprints, and a warning, not the first-time question', async () => {
    const [before, now] = ['AB:'.repeat(31) + 'CD', 'EF:'.repeat(31) + '01']
    mockCommands({
      sign_in: () => {
        throw { kind: 'untrusted_certificate', message: 'not trusted', fingerprint: now, pinned: before }
      },
    })
    await signInAt('https://cams.example.org:7878')
    expect(await screen.findByTestId('trust-pinned')).toHaveTextContent(before)
    expect(screen.getByTestId('trust-fingerprint')).toHaveTextContent(now)
    expect(screen.getByTestId('trust-prompt')).toHaveTextContent(/different certificate .* someone may be listening/)
    expect(screen.getByTestId('trust-server')).toHaveTextContent('Trust the new certificate')
    expect(screen.getByTestId('error-server_url')).toHaveTextContent(/changed since you trusted it/)
  })

  test('the trust question is about the address the request went to, even if the field changed since', async () => {
    const fingerprint = 'AB:'.repeat(31) + 'CD'
    let answer: (reason: unknown) => void = () => {}
    const calls = mockCommands({
      sign_in: () => new Promise((_, reject) => (answer = reject)),
      trust_server_certificate: null,
    })
    const user = await signInAt('https://a.example.org')
    await user.type(screen.getByTestId('server-url'), 'x')
    answer({ kind: 'untrusted_certificate', message: 'not trusted', fingerprint })
    expect(await screen.findByTestId('trust-prompt')).toHaveTextContent('https://a.example.org uses')
    await user.click(screen.getByTestId('trust-server'))
    await screen.findByTestId('trust-note')
    expect(called(calls, 'trust_server_certificate')[0].args).toEqual({ serverUrl: 'https://a.example.org', fingerprint })
  })

  test('http:// to another computer: nothing is sent until the person allows it', async () => {
    const calls = mockCommands({
      sign_in: () => {
        throw { kind: 'insecure_connection', message: 'not encrypted' }
      },
      allow_plain_server: null,
    })
    const user = await signInAt('http://192.168.1.20:7878')
    expect(await screen.findByTestId('plain-prompt')).toHaveTextContent(/not encrypted .* others can read/)
    // Editing the address takes the question back.
    await user.type(screen.getByTestId('server-url'), '0')
    expect(screen.queryByTestId('plain-prompt')).toBeNull()
    await user.click(screen.getByTestId('sign-in-submit'))
    await user.click(await screen.findByTestId('allow-plain'))
    expect(called(calls, 'allow_plain_server')[0].args).toEqual({ serverUrl: 'http://192.168.1.20:78780' })
    expect(await screen.findByTestId('trust-note')).toHaveTextContent(/Unencrypted connections .* allowed/)
  })

  test('wrong password reads in plain words', async () => {
    await signIn(() => {
      throw { kind: 'invalid_credentials', message: 'email/phone and password do not match' }
    })
    expect(await screen.findByTestId('sign-in-error')).toHaveTextContent('The email, mobile number or password is not right.')
  })

  test('the arguments are camelCase with the server address', async () => {
    const calls = await signIn(() => ann)
    await waitFor(() => expect(session.account).toEqual(ann))
    expect(called(calls, 'sign_in')[0].args).toEqual({
      serverUrl: 'http://127.0.0.1:7878',
      login: 'ann@example.com',
      password: 'a-good-password',
    })
  })

  test('a bad login is refused before anything is sent', async () => {
    const calls = mockCommands({})
    const user = userEvent.setup()
    render(SignIn)
    await user.type(screen.getByTestId('sign-in-login'), '0151 234567')
    await user.click(screen.getByTestId('sign-in-submit'))
    expect(screen.getByTestId('error-login')).toHaveTextContent(/country code/)
    expect(screen.getByTestId('error-password')).toHaveTextContent('Enter your password.')
    expect(calls).toHaveLength(0)
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('sign-in-login')))
  })

  test('without a keychain the sign-in screen says you will sign in again next time, and why', () => {
    session.info = info(ann, { available: false, message: 'no Secret Service on the session bus' })
    mockCommands({})
    render(SignIn)
    expect(screen.getByTestId('keychain-note')).toHaveTextContent(
      /no keychain .*no Secret Service on the session bus.*sign in again next time/,
    )
  })
})

describe('sign up', () => {
  test('a bad email and a short password are refused next to their fields; nothing is sent', async () => {
    const calls = mockCommands({})
    const user = userEvent.setup()
    render(SignIn)
    await user.click(screen.getByTestId('tab-sign-up'))
    await user.type(screen.getByTestId('sign-up-name'), 'Bob')
    await user.type(screen.getByTestId('sign-up-email'), 'bob.example.com')
    await user.type(screen.getByTestId('sign-up-password'), 'short')
    await user.click(screen.getByTestId('sign-up-submit'))

    expect(screen.getByTestId('error-email')).toHaveTextContent('it needs an @')
    expect(screen.getByTestId('error-password')).toHaveTextContent('at least 8 characters')
    expect(calls).toHaveLength(0)
  })

  test('a field error from the server appears next to that field', async () => {
    mockCommands({
      sign_up: () => {
        throw { kind: 'invalid_input', field: 'display_name', message: 'the name must have 1 to 64 characters' }
      },
    })
    const user = userEvent.setup()
    render(SignIn)
    await user.click(screen.getByTestId('tab-sign-up'))
    await user.type(screen.getByTestId('sign-up-name'), 'Bob')
    await user.type(screen.getByTestId('sign-up-email'), 'bob@example.com')
    await user.type(screen.getByTestId('sign-up-password'), 'a-good-password')
    await user.click(screen.getByTestId('sign-up-submit'))

    const error = await screen.findByTestId('error-display_name')
    expect(error).toHaveTextContent('The name must have 1 to 64 characters.')
    expect(screen.getByTestId('sign-up-name').getAttribute('aria-describedby')).toContain(error.id)
    expect(screen.queryByTestId('sign-up-error')).toBeNull()
  })
})

describe('field errors in other forms', () => {
  test('adding a device: the server’s rtsp_url error stands under the address', async () => {
    mockCommands({
      list_devices: [],
      add_device: () => {
        throw { kind: 'invalid_input', field: 'rtsp_url', message: 'the camera address is not a valid rtsp:// URL' }
      },
    })
    const user = userEvent.setup()
    render(Devices)
    await user.click(await screen.findByTestId('add-device'))
    await user.type(screen.getByTestId('device-name'), 'Porch')
    await user.type(screen.getByTestId('device-rtsp'), '192.168.1.9')
    await user.type(screen.getByTestId('device-password'), 'secret')
    await user.click(screen.getByTestId('device-save'))

    expect(await screen.findByTestId('error-rtsp_url')).toHaveTextContent('The camera address is not a valid rtsp:// URL.')
    expect(screen.getByTestId('device-rtsp')).toHaveAttribute('aria-invalid', 'true')
  })

  test('adding a device: an address with the login in it is refused before sending', async () => {
    const calls = mockCommands({ list_devices: [] })
    const user = userEvent.setup()
    render(Devices)
    await user.click(await screen.findByTestId('add-device'))
    await user.type(screen.getByTestId('device-name'), 'Porch')
    const rtsp = screen.getByTestId('device-rtsp')
    await user.clear(rtsp)
    await user.type(rtsp, 'rtsp://admin:pw@192.168.1.9')
    await user.click(screen.getByTestId('device-save'))
    expect(screen.getByTestId('error-rtsp_url')).toHaveTextContent('Leave the login out of the address')
    expect(screen.getByTestId('error-password')).toHaveTextContent('password')
    expect(called(calls, 'add_device')).toHaveLength(0)
  })

  test('accepting an expired invitation says to ask the owner again', async () => {
    mockCommands({
      accept_invite: () => {
        throw { kind: 'invite_expired', message: 'the invitation expired' }
      },
    })
    const user = userEvent.setup()
    render(InviteCard, { invite: sharedDevice({ status: 'pending' }), timeZone: 'UTC', onanswered: () => {} })
    await user.click(screen.getByTestId('invite-accept-21'))
    expect(await screen.findByRole('alert')).toHaveTextContent('This invitation has expired. Ask the owner to send it again.')
  })
})
