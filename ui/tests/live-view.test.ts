// Live View: which channels get a tile and in which stream, and what a tile says when it has no
// picture (reconnecting, camera offline, access ended).
import { render, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, test } from 'vitest'
import LiveView from '../src/pages/live/LiveView.svelte'
import type { LiveStatus } from '../src/types'
import { called, garage, mockCommands, sharedDevice } from './fixtures'

/** The status channel the app would push tile states through. */
type StatusChannel = { onmessage: (s: LiveStatus) => void }

function mockLive(devices: unknown[], shared: unknown[]) {
  let next = 0
  return mockCommands({
    list_devices: devices as object,
    list_shared_devices: shared as object,
    live_open: () => ++next,
    live_close: null,
    live_ack: null,
  })
}

describe('Live View', () => {
  test("an owner's 4-channel NVR opens as a 2×2 grid of sub streams, with Share", async () => {
    const calls = mockLive([garage], [])
    render(LiveView, { id: garage.id, query: {} })
    expect(await screen.findByTestId('live-grid')).toHaveAttribute('data-cells', '4')
    for (const n of [1, 2, 3, 4]) expect(screen.getByTestId(`tile-${n}`)).toBeInTheDocument()
    await waitFor(() => expect(called(calls, 'live_open')).toHaveLength(4))
    expect(called(calls, 'live_open').every((c) => c.args.stream === 'sub')).toBe(true)
    expect(screen.getByTestId('live-share')).toBeInTheDocument()
  })

  test('one channel on its own plays the main stream', async () => {
    const calls = mockLive([garage], [])
    render(LiveView, { id: garage.id, query: { layout: '1', channel: '3' } })
    expect(await screen.findByTestId('live-grid')).toHaveAttribute('data-cells', '1')
    await waitFor(() => expect(called(calls, 'live_open')).toHaveLength(1))
    expect(called(calls, 'live_open')[0].args).toMatchObject({ device: garage.id, channel: 3, stream: 'main' })
  })

  test('a recipient sees only the channels shared with live view, and no Share', async () => {
    const shared = sharedDevice({
      channels: [
        { number: 1, name: 'Driveway', functions: ['live_view'] },
        { number: 3, name: 'Front door', functions: ['playback'] },
      ],
    })
    mockLive([], [shared])
    render(LiveView, { id: shared.device, query: {} })
    await screen.findByTestId('tile-1')
    expect(screen.queryByTestId('tile-3')).not.toBeInTheDocument()
    expect(screen.queryByTestId('live-share')).not.toBeInTheDocument()
  })

  test('a device that is not mine and not shared says so', async () => {
    mockLive([], [])
    render(LiveView, { id: 99, query: {} })
    expect(await screen.findByTestId('live-error')).toHaveTextContent(/no longer there, or it is not shared with you/)
  })

  test('a tile says what is going on when it has no picture', async () => {
    const calls = mockLive([garage], [])
    render(LiveView, { id: garage.id, query: { layout: '1', channel: '1' } })
    await waitFor(() => expect(called(calls, 'live_open')).toHaveLength(1))
    const status = called(calls, 'live_open')[0].args.status as StatusChannel
    const tile = screen.getByTestId('tile-1')
    expect(screen.getByTestId('tile-1-status')).toHaveTextContent('Connecting…')

    status.onmessage({ state: 'reconnecting', retry_in_ms: 2000, reason: 'connection reset' })
    await waitFor(() => expect(tile).toHaveAttribute('data-state', 'reconnecting'))
    expect(screen.getByTestId('tile-1-status')).toHaveTextContent('Connection lost. Reconnecting in 2 s…')

    status.onmessage({ state: 'offline', retry_in_ms: 4000 })
    await waitFor(() => expect(screen.getByTestId('tile-1-status')).toHaveTextContent('Camera offline. Trying again in 4 s…'))

    status.onmessage({ state: 'live' })
    await waitFor(() => expect(screen.queryByTestId('tile-1-status')).not.toBeInTheDocument())

    status.onmessage({ state: 'ended', reason: 'This camera is no longer shared with you.' })
    await waitFor(() => expect(tile).toHaveAttribute('data-state', 'ended'))
    expect(screen.getByTestId('tile-1-status')).toHaveTextContent('This camera is no longer shared with you.')
  })
})
