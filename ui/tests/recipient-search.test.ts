// The recipient page of the share flow: history matches as you type, Add Recipient with a
// remark, bad addresses refused before anything is sent, Next only with a recipient.
import { render, screen, waitFor } from '@testing-library/svelte'
import userEvent from '@testing-library/user-event'
import { describe, expect, test } from 'vitest'
import ShareFlow from '../src/pages/share/ShareFlow.svelte'
import { ann, bobHistory, called, carolHistory, doorbell, mockCommands } from './fixtures'

function mockHistory(extra: Parameters<typeof mockCommands>[0] = {}) {
  return mockCommands({
    get_device: doorbell,
    recipient_history: ({ prefix }) =>
      [bobHistory, carolHistory].filter((h) =>
        [h.address, h.remark ?? ''].some((s) => s.toLowerCase().startsWith(String(prefix).toLowerCase())),
      ),
    ...extra,
  })
}

async function open() {
  render(ShareFlow, { query: { device: String(doorbell.id) }, account: ann })
  return screen.findByTestId('recipient-search')
}

describe('recipient search', () => {
  test('typing shows matches from the history, looked up once typing pauses', async () => {
    const calls = mockHistory()
    const user = userEvent.setup()
    const search = await open()

    await user.type(search, 'bo')

    const match = await screen.findByTestId('history-match-bob@example.com')
    expect(match).toHaveTextContent('Neighbour Bob')
    expect(match).toHaveTextContent('bob@example.com')
    expect(screen.queryByTestId('history-match-carol@example.com')).toBeNull()
    const prefixes = called(calls, 'recipient_history').map((c) => c.args.prefix)
    expect(prefixes).toContain('bo')
    expect(prefixes).not.toContain('b') // the keystroke in between was not looked up
  })

  test('a recipient deleted earlier is marked as deleted', async () => {
    mockHistory()
    const user = userEvent.setup()
    await user.type(await open(), 'car')
    const match = await screen.findByTestId('history-match-carol@example.com')
    expect(match).toHaveTextContent('deleted')
  })

  test('a mobile number without country code is refused; the country picker fills the code in', async () => {
    const calls = mockHistory()
    const user = userEvent.setup()
    const search = await open()

    await user.type(search, '0151 2345678')
    await user.click(screen.getByTestId('add-recipient'))

    expect(screen.getByTestId('error-recipient')).toHaveTextContent(/country code/i)
    expect(screen.queryByTestId('chosen-recipient')).toBeNull()
    expect(screen.getByTestId('next')).toBeDisabled()

    await user.selectOptions(screen.getByTestId('recipient-country'), 'DE:+49')
    expect(search).toHaveValue('+49 151 2345678')
    await user.click(screen.getByTestId('add-recipient'))

    expect(screen.getByTestId('chosen-address')).toHaveTextContent('+491512345678')
    expect(screen.getByTestId('next')).toBeEnabled()
    expect(called(calls, 'share_devices')).toHaveLength(0)
  })

  test('an email without a proper domain is refused before sending', async () => {
    mockHistory()
    const user = userEvent.setup()
    await user.type(await open(), 'dave@example')
    await user.click(screen.getByTestId('add-recipient'))
    expect(screen.getByTestId('error-recipient')).toHaveTextContent(/needs a dot/)
    expect(screen.getByTestId('next')).toBeDisabled()
  })

  test('Next stays disabled until a recipient is chosen, and again after Change', async () => {
    mockHistory()
    const user = userEvent.setup()
    const search = await open()
    expect(screen.getByTestId('next')).toBeDisabled()

    await user.type(search, 'neigh')
    await user.click(await screen.findByTestId('history-match-bob@example.com'))
    expect(screen.getByTestId('next')).toBeEnabled()
    expect(screen.getByTestId('remark-input')).toHaveValue('Neighbour Bob')

    await user.click(screen.getByTestId('change-recipient'))
    expect(screen.getByTestId('next')).toBeDisabled()
  })

  test('Add Recipient with a remark sends the invite with that remark', async () => {
    const calls = mockHistory({
      share_devices: ({ request }) => {
        const r = request as { recipient: string }
        return { recipient: 9, shares: [{ id: 30, device: 8, device_name: 'Doorbell', recipient: 9, recipient_address: r.recipient, channels: { '1': ['live_view'] } }] }
      },
    })
    const user = userEvent.setup()
    await user.type(await open(), 'Dave@Example.com')
    await user.click(screen.getByTestId('add-recipient'))
    await user.type(screen.getByTestId('remark-input'), 'Dave from work')
    await user.click(screen.getByTestId('next'))
    await user.click(await screen.findByTestId('finish'))

    expect(await screen.findByTestId('share-sent')).toHaveTextContent('dave@example.com')
    expect(called(calls, 'share_devices').map((c) => c.args)).toEqual([
      {
        request: {
          recipient: 'dave@example.com',
          remark: 'Dave from work',
          devices: [{ device: 8, channels: { '1': ['live_view'] } }],
          terms: {},
        },
      },
    ])
  })

  test('a server error about the recipient brings you back to the recipient, with the error there', async () => {
    mockHistory({
      share_devices: () => {
        throw { kind: 'invalid_input', field: 'recipient', message: 'you cannot share with yourself' }
      },
    })
    const user = userEvent.setup()
    await user.type(await open(), 'ann@example.com')
    await user.click(screen.getByTestId('add-recipient'))
    await user.click(screen.getByTestId('next'))
    await user.click(await screen.findByTestId('finish'))

    await waitFor(() => expect(screen.getByTestId('error-recipient')).toHaveTextContent('You cannot share with yourself.'))
    expect(screen.getByTestId('chosen-address')).toHaveTextContent('ann@example.com')
  })
})
