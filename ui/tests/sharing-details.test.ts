// Manage Sharing → Sharing Details: permissions edited with the same matrix, invites resent
// or cancelled, devices added by tick list, the recipient deleted after a confirmation.
import { render, screen, waitFor, within } from '@testing-library/svelte'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, test } from 'vitest'
import { publish } from '../src/lib/events'
import { navigate, route } from '../src/lib/router.svelte'
import { session } from '../src/lib/session.svelte'
import Sharing from '../src/pages/sharing/Sharing.svelte'
import SharingDetails from '../src/pages/sharing/SharingDetails.svelte'
import { ann, called, doorbell, garage, mockCommands, outgoing, recipient } from './fixtures'

beforeEach(() => {
  session.account = ann
  navigate('/sharing/3')
})

function mockDetails(extra: Parameters<typeof mockCommands>[0] = {}) {
  return mockCommands({
    get_recipient: recipient({ shares: [outgoing(), outgoing({ id: 12, device: 8, device_name: 'Doorbell', channels: { '1': ['live_view'] }, status: 'pending' })] }),
    list_devices: [garage, doorbell, { ...doorbell, id: 9, name: 'Porch' }],
    get_device: ({ id }) => [garage, doorbell].find((d) => d.id === id),
    ...extra,
  })
}

describe('Manage Sharing', () => {
  test('lists recipients with remark, address and what is shared', async () => {
    mockCommands({ list_recipients: [recipient({ shares: [outgoing(), outgoing({ id: 12, status: 'pending', device_name: 'Doorbell' })] })] })
    render(Sharing)
    const row = await screen.findByTestId('recipient-row-3')
    expect(row).toHaveTextContent('Neighbour Bob')
    expect(row).toHaveTextContent('bob@example.com')
    expect(row).toHaveTextContent('1 device shared · 1 invitation waiting')
    expect(row).toHaveAttribute('href', '#/sharing/3')
  })

  test('a share made elsewhere (another window, the CLI) appears at once: invite_sent reloads the list', async () => {
    let list = [] as ReturnType<typeof recipient>[]
    mockCommands({ list_recipients: () => list })
    render(Sharing)
    await screen.findByTestId('sharing-empty')
    list = [recipient({ shares: [outgoing({ status: 'pending' })] })]
    publish({ id: 9, at: '2025-01-05T10:00:00Z', type: 'invite_sent', share: 11, device: 7 })
    expect(await screen.findByTestId('recipient-row-3')).toHaveTextContent('1 invitation waiting')
  })

  test('with nobody to list, it says how to start sharing', async () => {
    mockCommands({ list_recipients: [] })
    render(Sharing)
    expect(await screen.findByTestId('sharing-empty')).toHaveTextContent('swipe a device to the left')
  })
})

describe('Sharing Details', () => {
  test('shows each shared device with its channels by name', async () => {
    mockDetails()
    render(SharingDetails, { id: 3 })
    const share = await screen.findByTestId('share-11')
    await waitFor(() => expect(within(share).getByTestId('share-11-grants-channel-3')).toHaveTextContent('Front door'))
    expect(screen.getByTestId('share-status-12')).toHaveTextContent('Invited')
    // Who accepted: the account behind the verified address, and how old it is.
    expect(within(share).getByTestId('share-answered-by-11')).toHaveTextContent(/by Bob Example · account \d+ (days|months|years) old/)
    expect(screen.queryByTestId('share-answered-by-12')).toBeNull()
  })

  test('Edit permissions: the matrix adds Playback on channel 3 via edit_share', async () => {
    const calls = mockDetails({ edit_share: outgoing() })
    const user = userEvent.setup()
    render(SharingDetails, { id: 3 })
    await user.click(await screen.findByTestId('edit-share-11'))
    const dialog = await screen.findByTestId('edit-share-dialog')
    expect(within(dialog).getByTestId('channel-check-1')).toBeChecked()
    expect(within(dialog).getByTestId('channel-check-2')).not.toBeChecked()
    await user.click(within(dialog).getByTestId('perm-3-playback'))
    await user.click(screen.getByTestId('save-share'))

    await waitFor(() => expect(screen.queryByTestId('edit-share-dialog')).toBeNull())
    expect(called(calls, 'edit_share')[0].args).toEqual({
      id: 11,
      edit: { channels: { '1': ['live_view'], '3': ['live_view', 'playback'] }, terms: {} },
    })
  })

  test('Resend and Cancel invite act on a pending invite', async () => {
    const calls = mockDetails({ resend_share: outgoing({ id: 12, status: 'pending' }), cancel_share: outgoing({ id: 12, status: 'cancelled' }) })
    const user = userEvent.setup()
    render(SharingDetails, { id: 3 })
    await user.click(await screen.findByTestId('resend-share-12'))
    expect(await screen.findByText('Invitation sent again.')).toBeInTheDocument()
    await user.click(screen.getByTestId('cancel-share-12'))
    await waitFor(() => expect(called(calls, 'cancel_share')).toHaveLength(1))
    expect(called(calls, 'resend_share')[0].args).toEqual({ id: 12 })
    expect(screen.queryByTestId('resend-share-11')).toBeNull() // accepted shares are removed, not resent
  })

  test('Remove stops sharing a device after a confirmation', async () => {
    const calls = mockDetails({ revoke_share: null })
    const user = userEvent.setup()
    render(SharingDetails, { id: 3 })
    await user.click(await screen.findByTestId('remove-share-11'))
    expect(called(calls, 'revoke_share')).toHaveLength(0)
    await user.click(screen.getByTestId('confirm'))
    await waitFor(() => expect(called(calls, 'revoke_share')[0]?.args).toEqual({ id: 11 }))
  })

  test('Add devices: tick list of devices not shared yet, then the share flow for this recipient', async () => {
    mockDetails()
    const user = userEvent.setup()
    render(SharingDetails, { id: 3 })
    await user.click(await screen.findByTestId('add-devices'))
    const dialog = screen.getByTestId('add-devices-dialog')
    expect(within(dialog).queryByTestId('add-device-check-7')).toBeNull() // already shared
    await user.click(within(dialog).getByTestId('add-devices-next'))
    expect(within(dialog).getByTestId('error-devices')).toHaveTextContent('Tick at least one device.')
    await user.click(within(dialog).getByTestId('add-device-check-9'))
    await user.click(within(dialog).getByTestId('add-devices-next'))
    expect(route.parts).toEqual(['share'])
    expect(route.query).toEqual({ device: '9', to: 'bob@example.com', back: '/sharing/3' })
  })

  test('Delete asks first; confirming deletes the recipient and returns to the list', async () => {
    const calls = mockDetails({ delete_recipient: null })
    const user = userEvent.setup()
    render(SharingDetails, { id: 3 })
    await user.click(await screen.findByTestId('delete-recipient'))
    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('All sharing with them stops at once')
    await user.click(screen.getByTestId('confirm-cancel'))
    expect(called(calls, 'delete_recipient')).toHaveLength(0)

    await user.click(screen.getByTestId('delete-recipient'))
    await user.click(screen.getByTestId('confirm'))
    await waitFor(() => expect(route.parts).toEqual(['sharing']))
    expect(called(calls, 'delete_recipient')[0].args).toEqual({ id: 3 })
  })

  test('the remark is edited in place', async () => {
    const calls = mockDetails({ edit_recipient: ({ edit }) => recipient({ remark: (edit as { remark: string }).remark }) })
    const user = userEvent.setup()
    render(SharingDetails, { id: 3 })
    const input = await screen.findByTestId('remark-edit')
    expect(screen.getByTestId('remark-save')).toBeDisabled()
    await user.clear(input)
    await user.type(input, 'Bob next door')
    await user.click(screen.getByTestId('remark-save'))
    await waitFor(() => expect(called(calls, 'edit_recipient')[0]?.args).toEqual({ id: 3, edit: { remark: 'Bob next door' } }))
  })
})
