// Test setup: jest-dom matchers, and a clean IPC mock and URL for every test.
import '@testing-library/jest-dom/vitest'
import { clearMocks } from '@tauri-apps/api/mocks'
import { afterEach } from 'vitest'

afterEach(() => {
  clearMocks()
  history.replaceState(null, '', '/')
})
