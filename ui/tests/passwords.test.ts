// Passwords in the app: "Forgot your password?" on the sign-in screen (the login, then the code
// and a new password), and Account → Change password.
import { render, screen, waitFor } from '@testing-library/svelte'
import userEvent from '@testing-library/user-event'
import { beforeEach, expect, test } from 'vitest'
import SignIn from '../src/pages/signin/SignIn.svelte'
import ChangePassword from '../src/pages/ChangePassword.svelte'
import { session, signedOut } from '../src/lib/session.svelte'
import { called, mockCommands } from './fixtures'

beforeEach(() => signedOut(null))

test('forgot password: the login, then the code and a new password; back to sign-in with a note', async () => {
  const calls = mockCommands({
    start_password_reset: { verification: 'tok-9', expires_at: '2026-06-01T10:30:00Z' },
    finish_password_reset: ({ code }) => {
      if (code !== '246810') throw { kind: 'invalid_input', field: 'code', message: 'that is not the code that was sent (4 tries left)' }
      return null
    },
  })
  const user = userEvent.setup()
  render(SignIn)
  await user.click(screen.getByTestId('forgot-password'))
  await user.type(screen.getByTestId('forgot-login'), 'ann@example.com')
  await user.click(screen.getByTestId('forgot-send'))
  expect(await screen.findByTestId('forgot-sent')).toHaveTextContent('If ann@example.com has an account, a code is on its way')
  expect(called(calls, 'start_password_reset')[0].args).toMatchObject({ login: 'ann@example.com' })

  await user.type(screen.getByTestId('forgot-code'), '111111')
  await user.type(screen.getByTestId('forgot-new-password'), 'short')
  await user.click(screen.getByTestId('forgot-set'))
  expect(screen.getByText('The password needs at least 8 characters.')).toBeInTheDocument()
  expect(called(calls, 'finish_password_reset')).toHaveLength(0)

  await user.clear(screen.getByTestId('forgot-new-password'))
  await user.type(screen.getByTestId('forgot-new-password'), 'a-new-password')
  await user.click(screen.getByTestId('forgot-set'))
  expect(await screen.findByText('That is not the code that was sent (4 tries left).')).toBeInTheDocument()

  await user.clear(screen.getByTestId('forgot-code'))
  await user.type(screen.getByTestId('forgot-code'), '246 810')
  await user.click(screen.getByTestId('forgot-set'))
  expect(await screen.findByTestId('reset-done')).toHaveTextContent('Your new password is set')
  expect(screen.getByTestId('sign-in-login')).toBeInTheDocument()
  expect(called(calls, 'finish_password_reset')[1].args).toEqual({
    serverUrl: 'http://127.0.0.1:7878',
    verification: 'tok-9',
    code: '246810',
    newPassword: 'a-new-password',
  })
  expect(session.account).toBeNull()
})

test('change password: a wrong current password is named on its field; the right one says what happened', async () => {
  const calls = mockCommands({
    change_password: ({ currentPassword }) => {
      if (currentPassword !== 'password123')
        throw { kind: 'invalid_input', field: 'current_password', message: 'that is not your current password' }
      return null
    },
  })
  const user = userEvent.setup()
  render(ChangePassword)
  await user.type(screen.getByTestId('password-current'), 'guess')
  await user.type(screen.getByTestId('password-new'), 'a-new-password')
  await user.click(screen.getByTestId('password-change'))
  expect(await screen.findByText('That is not your current password.')).toBeInTheDocument()
  await user.clear(screen.getByTestId('password-current'))
  await user.type(screen.getByTestId('password-current'), 'password123')
  await user.click(screen.getByTestId('password-change'))
  await waitFor(() => expect(screen.getByTestId('password-done')).toHaveTextContent('other devices were signed out'))
  expect(called(calls, 'change_password')[1].args).toEqual({ currentPassword: 'password123', newPassword: 'a-new-password' })
})
