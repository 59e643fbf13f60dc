// Wire objects as the Rust side returns them, and a scripted IPC mock that records calls.
import { mockIPC } from '@tauri-apps/api/mocks'
import type { Account, Device, HistoryEntry, OutgoingShare, Recipient, SharedDevice } from '../src/types'

export const ann: Account = {
  id: 1,
  display_name: 'Ann',
  email: 'ann@example.com',
  phone: null,
  time_zone: 'Europe/Berlin',
  account_code: 'CS-ABCD-EFGH-IJKL-MNOP-QRST-UVWX',
  created_at: '2025-01-02T10:00:00Z',
}

export const garage: Device = {
  id: 7,
  name: 'Garage NVR',
  kind: 'nvr',
  rtsp_url: 'rtsp://192.168.1.64:554',
  username: 'admin',
  channels: [
    { number: 1, name: 'Driveway' },
    { number: 2, name: 'Back yard' },
    { number: 3, name: 'Front door' },
    { number: 4, name: 'Garden' },
  ],
  active_shares: 1,
  created_at: '2025-01-02T10:00:00Z',
  reachability: 'online',
  checked_at: '2025-01-04T09:30:00Z',
}

export const doorbell: Device = {
  id: 8,
  name: 'Doorbell',
  kind: 'doorbell',
  rtsp_url: 'rtsp://192.168.1.70:554',
  username: 'admin',
  channels: [{ number: 1, name: 'Doorbell' }],
  active_shares: 0,
  created_at: '2025-01-03T10:00:00Z',
  reachability: 'offline',
  checked_at: '2025-01-04T09:30:00Z',
}

export const bobHistory: HistoryEntry = {
  id: 3,
  address: 'bob@example.com',
  address_kind: 'email',
  remark: 'Neighbour Bob',
  deleted: false,
  last_shared_at: '2025-01-05T10:00:00Z',
}

export const carolHistory: HistoryEntry = {
  id: 4,
  address: 'carol@example.com',
  address_kind: 'email',
  remark: null,
  deleted: true,
  last_shared_at: '2025-01-04T10:00:00Z',
}

export function outgoing(over: Partial<OutgoingShare> = {}): OutgoingShare {
  return {
    id: 11,
    device: 7,
    device_name: 'Garage NVR',
    recipient: 3,
    recipient_address: 'bob@example.com',
    recipient_kind: 'email',
    remark: 'Neighbour Bob',
    channels: { '1': ['live_view'], '3': ['live_view'] },
    terms: {},
    status: 'accepted',
    created_at: '2025-01-05T10:00:00Z',
    invite_expires_at: '2025-01-12T10:00:00Z',
    answered_at: '2025-01-05T11:00:00Z',
    answered_by: { display_name: 'Bob Example', account_since: '2024-12-30T09:00:00Z' },
    ...over,
  }
}

export function recipient(over: Partial<Recipient> = {}): Recipient {
  return {
    id: 3,
    address: 'bob@example.com',
    address_kind: 'email',
    remark: 'Neighbour Bob',
    created_at: '2025-01-05T10:00:00Z',
    shares: [outgoing()],
    ...over,
  }
}

export function sharedDevice(over: Partial<SharedDevice> = {}): SharedDevice {
  return {
    share: 21,
    device: 7,
    device_name: 'Garage NVR',
    kind: 'nvr',
    owner: { id: 1, display_name: 'Ann' },
    channels: [
      { number: 1, name: 'Driveway', functions: ['live_view'] },
      { number: 3, name: 'Front door', functions: ['live_view'] },
    ],
    terms: {},
    status: 'accepted',
    created_at: '2025-01-05T10:00:00Z',
    invite_expires_at: '2025-01-12T10:00:00Z',
    reachability: 'online',
    checked_at: '2025-01-06T08:00:00Z',
    ...over,
  }
}

export interface Call {
  cmd: string
  args: Record<string, unknown>
}

type Handler = (args: Record<string, unknown>) => unknown
/** What a command answers: a fixed value, or a handler of its arguments. */
type Reply = Handler | object | string | number | boolean | null

/**
 * Mocks the Tauri IPC with one handler per command (a value, or a function of the args; a
 * throw is a rejection, as a Rust `Err`). Unknown commands reject with an Error.
 * Returns the list of calls made, in order (event-plugin calls excluded).
 */
export function mockCommands(handlers: Record<string, Reply>, events = false): Call[] {
  const calls: Call[] = []
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>
      calls.push({ cmd, args })
      if (!(cmd in handlers)) throw new Error(`unexpected command ${cmd}`)
      const h = handlers[cmd]
      return typeof h === 'function' ? (h as Handler)(args) : h
    },
    { shouldMockEvents: events },
  )
  return calls
}

export const called = (calls: Call[], cmd: string) => calls.filter((c) => c.cmd === cmd)
