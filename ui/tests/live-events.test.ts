// What the Rust side's events do: the invite dialog (Go / Later), the pending-invite badge,
// the connection indicator, and a forced sign-out.
import { emit } from '@tauri-apps/api/event'
import { render, screen, waitFor } from '@testing-library/svelte'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, test } from 'vitest'
import App from '../src/App.svelte'
import { navigate } from '../src/lib/router.svelte'
import type { CamshareEvent, SharedDevice } from '../src/types'
import { ann, called, mockCommands, sharedDevice } from './fixtures'

const invite: CamshareEvent = {
  id: 101,
  at: '2025-01-05T10:00:00Z',
  type: 'invite_received',
  share: 21,
  device: 7,
  device_name: 'Garage NVR',
  owner_name: 'Ann',
}

let invites: SharedDevice[] = []

function start() {
  invites = []
  const calls = mockCommands(
    {
      app_info: { profile: null, server_url: 'http://127.0.0.1:7878', account: { ...ann, id: 2, display_name: 'Bob' }, keychain: { available: true, message: null } },
      list_devices: [],
      list_invites: () => invites,
      list_shared_devices: [],
    },
    true,
  )
  render(App)
  return calls
}

beforeEach(() => navigate('/devices'))

describe('invite dialog', () => {
  test('an invite_received event opens the dialog; Go leads to Others\u2019 Devices', async () => {
    start()
    await screen.findByTestId('devices-empty')
    invites = [sharedDevice({ status: 'pending' })]
    await emit('camshare://event', invite)

    const dialog = await screen.findByTestId('invite-dialog')
    expect(dialog).toHaveTextContent('Ann wants to share Garage NVR with you.')
    expect(await screen.findByTestId('nav-others-badge')).toHaveTextContent('1')

    await userEvent.setup().click(screen.getByTestId('invite-go'))
    expect(screen.queryByTestId('invite-dialog')).toBeNull()
    expect(location.hash).toBe('#/others')
    expect(await screen.findByTestId('invite-accept-21')).toBeInTheDocument()
  })

  test('Later closes the dialog and stays where you are', async () => {
    start()
    await screen.findByTestId('devices-empty')
    await emit('camshare://event', invite)
    await userEvent.setup().click(await screen.findByTestId('invite-later'))
    expect(screen.queryByTestId('invite-dialog')).toBeNull()
    expect(screen.getByTestId('devices-empty')).toBeInTheDocument()
  })

  test('an invite cancelled before it is answered takes the dialog away', async () => {
    start()
    await screen.findByTestId('devices-empty')
    await emit('camshare://event', invite)
    await screen.findByTestId('invite-dialog')
    await emit('camshare://event', { id: 102, at: invite.at, type: 'invite_cancelled', share: 21, device: 7 })
    await waitFor(() => expect(screen.queryByTestId('invite-dialog')).toBeNull())
  })
})

describe('connection', () => {
  test('the indicator follows camshare://connection', async () => {
    start()
    await screen.findByTestId('devices-empty')
    expect(screen.getByTestId('connection')).toHaveAttribute('data-state', 'connected')
    await emit('camshare://connection', { state: 'reconnecting', message: 'server unreachable' })
    await waitFor(() => expect(screen.getByTestId('connection')).toHaveAttribute('data-state', 'reconnecting'))
    expect(screen.getByTestId('connection')).toHaveTextContent('Reconnecting')
    expect(screen.getByTestId('connection')).toHaveAttribute('title', 'server unreachable')
  })

  test('signed_out leads to the sign-in screen with the reason', async () => {
    const calls = start()
    await screen.findByTestId('devices-empty')
    await emit('camshare://connection', { state: 'signed_out', message: 'the session was revoked' })
    expect(await screen.findByTestId('sign-in-submit')).toBeInTheDocument()
    expect(screen.getByTestId('session-notice')).toHaveTextContent('You were signed out: the session was revoked')
    expect(called(calls, 'sign_out')).toHaveLength(0)
  })
})

describe('keychain', () => {
  test('signed in without a keychain, the shell says the sign-in will not be kept; OK dismisses it', async () => {
    mockCommands(
      {
        app_info: { profile: 'bob', server_url: 'http://127.0.0.1:7878', account: ann, keychain: { available: false, message: 'no Secret Service' } },
        list_devices: [],
        list_invites: [],
      },
      true,
    )
    render(App)
    const banner = await screen.findByTestId('keychain-banner')
    expect(banner).toHaveTextContent('no keychain to keep your sign-in (no Secret Service), so you will need to sign in again next time')
    await userEvent.setup().click(screen.getByTestId('keychain-dismiss'))
    expect(screen.queryByTestId('keychain-banner')).toBeNull()
  })
})
