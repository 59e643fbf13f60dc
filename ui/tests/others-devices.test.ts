// Others' Devices: invitations to accept or reject, shared devices with their Sharing Details,
// and live updates: an edited share shows its new functions, a revoked one disappears at once;
// blocking an owner (asked first) and Account's list of blocked people.
import { render, screen, waitFor, within } from '@testing-library/svelte'
import userEvent from '@testing-library/user-event'
import { describe, expect, test } from 'vitest'
import { publish } from '../src/lib/events'
import BlockedPeople from '../src/pages/BlockedPeople.svelte'
import Others from '../src/pages/others/Others.svelte'
import type { CamshareEvent, SharedDevice } from '../src/types'
import { ann, called, mockCommands, sharedDevice } from './fixtures'

const bob = { ...ann, id: 2, display_name: 'Bob', email: 'bob@example.com' }
const at = '2025-01-05T10:00:00Z'

function mockOthers(state: { invites: SharedDevice[]; shared: SharedDevice[] }, extra: Parameters<typeof mockCommands>[0] = {}) {
  return mockCommands({
    list_invites: () => state.invites,
    list_shared_devices: () => state.shared,
    ...extra,
  })
}

describe("Others' Devices", () => {
  test('shows an invitation with its functions; Accept moves it to the shared devices', async () => {
    const pending = sharedDevice({ status: 'pending' })
    const state = { invites: [pending], shared: [] as SharedDevice[] }
    const calls = mockOthers(state, {
      accept_invite: () => {
        state.invites = []
        state.shared = [{ ...pending, status: 'accepted' }]
        return state.shared[0]
      },
    })
    const user = userEvent.setup()
    render(Others, { account: bob })

    const card = await screen.findByTestId('invite-21')
    expect(card).toHaveTextContent('Ann invites you')
    expect(within(card).getByTestId('invite-21-grants-channel-3')).toHaveTextContent('Front door')
    expect(screen.getByTestId('others-empty')).toBeInTheDocument()

    await user.click(screen.getByTestId('invite-accept-21'))
    expect(await screen.findByTestId('shared-device-21')).toBeInTheDocument()
    expect(screen.queryByTestId('invite-21')).toBeNull()
    expect(called(calls, 'accept_invite')[0].args).toEqual({ id: 21 })
  })

  test('Sharing Details: who shares it, each channel by name with exactly its functions', async () => {
    mockOthers({ invites: [], shared: [sharedDevice()] })
    render(Others, { account: bob })
    const card = await screen.findByTestId('shared-device-21')
    expect(screen.getByTestId('shared-owner-21')).toHaveTextContent('Ann')
    expect(within(card).getByTestId('shared-21-channel-1')).toHaveTextContent('Driveway')
    expect(within(card).getByTestId('shared-21-channel-1-live_view')).toBeInTheDocument()
    expect(within(card).queryByTestId('shared-21-channel-1-playback')).toBeNull()
    expect(within(card).queryByTestId('shared-21-channel-2')).toBeNull()
  })

  test('a shared device shows whether it is online, as the owner sees it', async () => {
    mockOthers({ invites: [], shared: [sharedDevice(), sharedDevice({ share: 22, device: 8, reachability: 'offline' })] })
    render(Others, { account: bob })
    expect(await screen.findByTestId('shared-reachability-21')).toHaveTextContent('Online')
    expect(screen.getByTestId('shared-reachability-22')).toHaveTextContent('Offline')
  })

  test('share_changed reloads at once: Playback on channel 3 appears', async () => {
    const state = { invites: [], shared: [sharedDevice()] }
    mockOthers(state)
    render(Others, { account: bob })
    await screen.findByTestId('shared-device-21')

    state.shared = [
      sharedDevice({
        channels: [
          { number: 1, name: 'Driveway', functions: ['live_view'] },
          { number: 3, name: 'Front door', functions: ['live_view', 'playback'] },
        ],
      }),
    ]
    publish({ id: 5, at, type: 'share_changed', share: 21, device: 7 })
    expect(await screen.findByTestId('shared-21-channel-3-playback')).toBeInTheDocument()
  })

  test.each([
    { id: 6, at, type: 'share_revoked', share: 21, device: 7, reason: 'recipient_deleted' },
    { id: 7, at, type: 'device_removed', share: 21, device: 7 },
  ] as CamshareEvent[])('$type: the device disappears before the reload answers', async (event) => {
    mockOthers({ invites: [], shared: [sharedDevice()] })
    render(Others, { account: bob })
    await screen.findByTestId('shared-device-21')

    // From now on the server is slow: the device must vanish without waiting for it.
    mockCommands({
      list_invites: () => new Promise(() => {}),
      list_shared_devices: () => new Promise(() => {}),
    })
    publish(event)
    await waitFor(() => expect(screen.queryByTestId('shared-device-21')).toBeNull())
    expect(screen.getByTestId('others-notice')).toHaveTextContent('Garage NVR is no longer shared with you.')
  })

  test('Delete asks first, then removes the device from my list', async () => {
    const state = { invites: [], shared: [sharedDevice()] }
    const calls = mockOthers(state, {
      remove_shared_device: () => {
        state.shared = []
        return null
      },
    })
    const user = userEvent.setup()
    render(Others, { account: bob })
    await user.click(await screen.findByTestId('shared-delete-21'))
    expect(called(calls, 'remove_shared_device')).toHaveLength(0)
    await user.click(screen.getByTestId('confirm'))
    await waitFor(() => expect(screen.queryByTestId('shared-device-21')).toBeNull())
    expect(called(calls, 'remove_shared_device')[0].args).toEqual({ id: 21 })
  })

  test('Block on an invitation asks first, says the owner is not told, then both lists lose the owner', async () => {
    const state = { invites: [sharedDevice({ status: 'pending' })], shared: [sharedDevice({ share: 22 })] }
    const calls = mockOthers(state, {
      block_owner: () => {
        state.invites = []
        state.shared = []
        return { owner: { id: 1, display_name: 'Ann' }, blocked_at: at }
      },
    })
    const user = userEvent.setup()
    render(Others, { account: bob })
    await user.click(await screen.findByTestId('invite-block-21'))
    const dialog = screen.getByTestId('confirm-dialog')
    expect(dialog).toHaveTextContent('Block Ann?')
    expect(dialog).toHaveTextContent('They are not told that you blocked them.')
    await user.click(screen.getByTestId('confirm-cancel'))
    expect(called(calls, 'block_owner')).toHaveLength(0)
    expect(screen.getByTestId('invite-21')).toBeInTheDocument()

    await user.click(screen.getByTestId('invite-block-21'))
    await user.click(screen.getByTestId('confirm'))
    await waitFor(() => expect(screen.queryByTestId('invite-21')).toBeNull())
    expect(screen.queryByTestId('shared-device-22')).toBeNull()
    expect(screen.queryByTestId('confirm-dialog')).toBeNull()
    expect(called(calls, 'block_owner')[0].args).toEqual({ owner: 1 })
  })

  test('a block the server refuses keeps the dialog open with the reason, and changes nothing', async () => {
    mockOthers({ invites: [], shared: [sharedDevice()] }, {
      block_owner: () => {
        throw { kind: 'not_found', message: 'owner not found' }
      },
    })
    const user = userEvent.setup()
    render(Others, { account: bob })
    await user.click(await screen.findByTestId('shared-block-21'))
    await user.click(screen.getByTestId('confirm'))
    expect(await within(screen.getByTestId('confirm-dialog')).findByRole('alert')).toBeInTheDocument()
    expect(screen.getByTestId('shared-device-21')).toBeInTheDocument()
  })
})

describe('Account: blocked people', () => {
  test('says so when nobody is blocked', async () => {
    mockCommands({ list_blocked_owners: () => [] })
    render(BlockedPeople, { timeZone: 'UTC' })
    expect(await screen.findByTestId('blocked-empty')).toHaveTextContent('You have not blocked anyone.')
  })

  test('lists whom I blocked; Unblock lifts it and says what that means', async () => {
    let list = [{ owner: { id: 1, display_name: 'Ann' }, blocked_at: at }]
    const calls = mockCommands({
      list_blocked_owners: () => list,
      unblock_owner: () => {
        list = []
        return null
      },
      list_invites: () => [],
    })
    const user = userEvent.setup()
    render(BlockedPeople, { timeZone: 'UTC' })
    expect(await screen.findByTestId('blocked-1')).toHaveTextContent('Ann')
    await user.click(screen.getByTestId('unblock-1'))
    expect(await screen.findByTestId('blocked-notice')).toHaveTextContent('Ann is unblocked')
    expect(called(calls, 'unblock_owner')[0].args).toEqual({ owner: 1 })
    expect(await screen.findByTestId('blocked-empty')).toBeInTheDocument()
  })
})
