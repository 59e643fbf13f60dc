// Signing up: no account until the code sent to the address comes back. The form sends the
// sign-up, then asks for the code; a wrong code is named on its field, a new code can be asked
// for, and the right one signs in.
import { render, screen, waitFor } from '@testing-library/svelte'
import userEvent from '@testing-library/user-event'
import { beforeEach, expect, test } from 'vitest'
import SignUpForm from '../src/pages/signin/SignUpForm.svelte'
import { session, signedOut } from '../src/lib/session.svelte'
import { ann, called, mockCommands } from './fixtures'

beforeEach(() => signedOut(null))

const started = { verification: 'tok-123', sent_to: 'ann@example.com', expires_at: '2026-06-01T10:30:00Z' }

test('sign-up asks for the code, names a wrong one, resends, and the right one signs in', async () => {
  let tries = 0
  const calls = mockCommands({
    sign_up: started,
    resend_sign_up_code: started,
    verify_sign_up: () => {
      tries += 1
      if (tries === 1) throw { kind: 'invalid_input', field: 'code', message: 'that is not the code that was sent (4 tries left)' }
      return ann
    },
  })
  const user = userEvent.setup()
  render(SignUpForm, { server: () => 'http://127.0.0.1:7878', showServerError: () => {} })
  await user.type(screen.getByTestId('sign-up-name'), 'Ann')
  await user.type(screen.getByTestId('sign-up-email'), 'ann@example.com')
  await user.type(screen.getByTestId('sign-up-password'), 'password123')
  await user.click(screen.getByTestId('sign-up-submit'))

  expect(await screen.findByTestId('verify-sent-to')).toHaveTextContent('We sent a code to ann@example.com')
  expect(called(calls, 'sign_up')[0].args).toMatchObject({ email: 'ann@example.com', displayName: 'Ann' })
  expect(session.account).toBeNull()

  // Not six digits: the form says so without asking the server.
  await user.type(screen.getByTestId('verify-code'), '12')
  await user.click(screen.getByTestId('verify-submit'))
  expect(screen.getByText('Enter the six digits from the message.')).toBeInTheDocument()
  expect(called(calls, 'verify_sign_up')).toHaveLength(0)

  await user.clear(screen.getByTestId('verify-code'))
  await user.type(screen.getByTestId('verify-code'), '111 111')
  await user.click(screen.getByTestId('verify-submit'))
  expect(await screen.findByText('That is not the code that was sent (4 tries left).')).toBeInTheDocument()

  await user.click(screen.getByTestId('verify-resend'))
  expect(await screen.findByTestId('verify-notice')).toHaveTextContent('A new code is on its way to ann@example.com')
  expect(called(calls, 'resend_sign_up_code')[0].args).toEqual({ serverUrl: 'http://127.0.0.1:7878', verification: 'tok-123' })

  await user.type(screen.getByTestId('verify-code'), '654321')
  await user.click(screen.getByTestId('verify-submit'))
  await waitFor(() => expect(session.account?.id).toBe(ann.id))
  expect(called(calls, 'verify_sign_up')[1].args).toEqual({
    serverUrl: 'http://127.0.0.1:7878',
    verification: 'tok-123',
    code: '654321',
  })
})

test('"I opened the link" signs in, or says the address is not verified yet', async () => {
  let verified = false
  mockCommands({
    sign_up: started,
    sign_in: () => {
      if (!verified) throw { kind: 'invalid_credentials', message: 'the sign-in details are not right' }
      return ann
    },
  })
  const user = userEvent.setup()
  render(SignUpForm, { server: () => 'http://127.0.0.1:7878', showServerError: () => {} })
  await user.type(screen.getByTestId('sign-up-name'), 'Ann')
  await user.type(screen.getByTestId('sign-up-email'), 'ann@example.com')
  await user.type(screen.getByTestId('sign-up-password'), 'password123')
  await user.click(screen.getByTestId('sign-up-submit'))
  await user.click(await screen.findByTestId('verify-opened-link'))
  expect(await screen.findByTestId('verify-error')).toHaveTextContent('The address is not verified yet')
  verified = true
  await user.click(screen.getByTestId('verify-opened-link'))
  await waitFor(() => expect(session.account?.id).toBe(ann.id))
})
