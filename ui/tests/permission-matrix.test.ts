// The permission matrix of the share flow: All Permissions, Guest/Admin presets, per-channel
// differences as ChannelGrants, and what blocks Finish (no camera, a camera without function,
// a schedule window that ends before it starts, an expiry in the past).
import { render, screen, within } from '@testing-library/svelte'
import userEvent from '@testing-library/user-event'
import { describe, expect, test } from 'vitest'
import { FUNCTIONS } from '../src/lib/grants'
import ShareFlow from '../src/pages/share/ShareFlow.svelte'
import type { CreateShares } from '../src/types'
import { ann, called, garage, mockCommands } from './fixtures'

function mockShare() {
  return mockCommands({
    get_device: garage,
    recipient_history: [],
    share_devices: ({ request }) => {
      const r = request as CreateShares
      return {
        recipient: 3,
        shares: r.devices.map((d, i) => ({ id: 40 + i, device: d.device, device_name: 'Garage NVR', channels: d.channels })),
      }
    },
  })
}

/** Opens the flow for the NVR with the recipient chosen, ticks channels 1 and 3, goes to the matrix. */
async function openMatrix() {
  const user = userEvent.setup()
  render(ShareFlow, { query: { device: '7', to: 'bob@example.com' }, account: ann })
  await user.click(await screen.findByTestId('channel-check-1'))
  await user.click(screen.getByTestId('channel-check-3'))
  await user.click(screen.getByTestId('next'))
  await screen.findByTestId('all-permissions')
  return user
}

const cell = (channel: number, f: string) => screen.getByTestId(`perm-${channel}-${f}`) as HTMLInputElement
const checkedOf = (channel: number) => FUNCTIONS.filter((f) => cell(channel, f).checked)
const sentRequests = (calls: ReturnType<typeof mockShare>) =>
  called(calls, 'share_devices').map((c) => c.args.request as CreateShares)

describe('permission matrix', () => {
  test('rows are exactly the chosen channels, with their names; Guest is the default', async () => {
    mockShare()
    await openMatrix()
    expect(screen.getByTestId('perm-row-1')).toHaveTextContent('Driveway')
    expect(screen.getByTestId('perm-row-3')).toHaveTextContent('Front door')
    expect(screen.queryByTestId('perm-row-2')).toBeNull()
    expect(checkedOf(1)).toEqual(['live_view'])
    expect(checkedOf(3)).toEqual(['live_view'])
  })

  test('All Permissions on ticks every function of every row; off clears them', async () => {
    mockShare()
    const user = await openMatrix()
    const all = screen.getByTestId('all-permissions')
    expect(all).not.toBeChecked()

    await user.click(all)
    expect(checkedOf(1)).toEqual(FUNCTIONS)
    expect(checkedOf(3)).toEqual(FUNCTIONS)
    expect(all).toBeChecked()

    await user.click(all)
    expect(checkedOf(1)).toEqual([])
    expect(checkedOf(3)).toEqual([])
  })

  test('All Permissions turns itself off when one function is taken away', async () => {
    mockShare()
    const user = await openMatrix()
    await user.click(screen.getByTestId('all-permissions'))
    await user.click(cell(3, 'ptz'))
    expect(screen.getByTestId('all-permissions')).not.toBeChecked()
  })

  test('Admin grants every function, Guest only live view', async () => {
    mockShare()
    const user = await openMatrix()
    await user.click(screen.getByTestId('preset-admin'))
    expect(checkedOf(1)).toEqual(FUNCTIONS)
    expect(screen.getByTestId('preset-admin')).toHaveAttribute('aria-pressed', 'true')

    await user.click(screen.getByTestId('preset-guest'))
    expect(checkedOf(1)).toEqual(['live_view'])
    expect(checkedOf(3)).toEqual(['live_view'])
    expect(screen.getByTestId('preset-guest')).toHaveAttribute('aria-pressed', 'true')
  })

  test('different functions per channel are sent as per-channel grants', async () => {
    const calls = mockShare()
    const user = await openMatrix()
    await user.click(cell(3, 'playback'))
    await user.click(cell(3, 'ptz'))
    await user.click(screen.getByTestId('finish'))

    await screen.findByTestId('share-sent')
    expect(sentRequests(calls)).toEqual([
      {
        recipient: 'bob@example.com',
        devices: [{ device: 7, channels: { '1': ['live_view'], '3': ['live_view', 'playback', 'ptz'] } }],
        terms: {},
      },
    ])
  })

  test('a channel with no function blocks Finish with a message, and nothing is sent', async () => {
    const calls = mockShare()
    const user = await openMatrix()
    await user.click(cell(1, 'live_view'))
    await user.click(screen.getByTestId('finish'))

    expect(screen.getByTestId('matrix-error')).toHaveTextContent('Driveway: choose at least one function')
    expect(within(screen.getByTestId('perm-row-1')).getByText('No function chosen')).toBeInTheDocument()
    expect(called(calls, 'share_devices')).toHaveLength(0)
  })

  test('Next without a ticked camera says so and stays on Select cameras', async () => {
    mockShare()
    const user = userEvent.setup()
    render(ShareFlow, { query: { device: '7', to: 'bob@example.com' }, account: ann })
    await user.click(await screen.findByTestId('next'))
    expect(screen.getByTestId('error-channels')).toHaveTextContent('Choose at least one camera of Garage NVR.')
    expect(screen.queryByTestId('all-permissions')).toBeNull()
  })

  test('a schedule window that ends before it starts blocks Finish; a valid one is sent', async () => {
    const calls = mockShare()
    const user = await openMatrix()
    await user.click(screen.getByTestId('advanced-toggle'))
    await user.click(screen.getByTestId('add-window'))
    const end = screen.getByTestId('window-0-end')
    await user.clear(end)
    await user.type(end, '08:00')
    await user.click(screen.getByTestId('finish'))

    expect(screen.getByTestId('error-schedule-0')).toHaveTextContent('The end time must be after the start time.')
    expect(called(calls, 'share_devices')).toHaveLength(0)

    await user.clear(end)
    await user.type(end, '17:30')
    await user.click(screen.getByTestId('window-0-day-fri')) // Mon–Thu
    await user.click(screen.getByTestId('lookback-since'))
    await user.click(screen.getByTestId('finish'))
    await screen.findByTestId('share-sent')
    expect(sentRequests(calls)[0].terms).toEqual({
      schedule: { time_zone: 'Europe/Berlin', windows: [{ days: ['mon', 'tue', 'wed', 'thu'], start: '09:00', end: '17:30' }] },
      lookback: { kind: 'since_share_start' },
    })
  })

  test('an expiry in the past is refused; a future one is sent in UTC', async () => {
    const calls = mockShare()
    const user = await openMatrix()
    await user.click(screen.getByTestId('advanced-toggle'))
    const expiry = screen.getByTestId('expiry-input')
    await user.type(expiry, '2020-01-01T10:00')
    await user.click(screen.getByTestId('finish'))
    expect(screen.getByTestId('error-expires_at')).toHaveTextContent('The expiry must be in the future.')
    expect(called(calls, 'share_devices')).toHaveLength(0)

    await user.clear(expiry)
    await user.type(expiry, '2099-07-01T10:00') // Berlin summer time: UTC+2
    await user.click(screen.getByTestId('finish'))
    await screen.findByTestId('share-sent')
    expect(sentRequests(calls)[0].terms).toEqual({ expires_at: '2099-07-01T08:00:00Z' })
  })

  test('lookback hours must be a whole number from 1', async () => {
    const calls = mockShare()
    const user = await openMatrix()
    await user.click(screen.getByTestId('advanced-toggle'))
    await user.click(screen.getByTestId('lookback-last'))
    const hours = screen.getByTestId('lookback-hours')
    await user.clear(hours)
    await user.type(hours, '0')
    await user.click(screen.getByTestId('finish'))
    expect(screen.getByTestId('error-lookback')).toHaveTextContent('Enter a whole number of hours from 1')
    expect(called(calls, 'share_devices')).toHaveLength(0)
  })
})
