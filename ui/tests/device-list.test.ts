// My Devices: what a row shows, and the four ways to reach Share from it — swipe (pointer and
// touch), the button, the context menu (right-click, Shift+F10) and the S key.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, test, vi } from 'vitest'
import { navigate, route } from '../src/lib/router.svelte'
import Devices from '../src/pages/devices/Devices.svelte'
import { doorbell, garage, mockCommands } from './fixtures'

beforeEach(() => {
  navigate('/devices')
  mockCommands({ list_devices: [garage, doorbell] })
})

const shareRoute = () => `${route.parts.join('/')}?${new URLSearchParams(route.query)}`

async function rowContent(id: number) {
  const row = await screen.findByTestId(`device-row-${id}`)
  return { row, content: row.querySelector('.content') as HTMLElement }
}

describe('device rows', () => {
  test('name, kind, channels, the online state the server saw and the Shared badge', async () => {
    render(Devices)
    const { row } = await rowContent(7)
    expect(row).toHaveTextContent('Garage NVR')
    expect(row).toHaveTextContent('NVR / DVR')
    expect(row).toHaveTextContent('4 channels')
    const online = screen.getByTestId('device-status-7')
    expect(online).toHaveTextContent('Online')
    expect(online).toHaveAttribute('data-reachability', 'online')
    await fireEvent.pointerEnter(online)
    expect(online.getAttribute('title')).toMatch(/^Online: the server checked at /)
    expect(screen.getByTestId('device-status-8')).toHaveTextContent('Offline')
    expect(screen.getByTestId('shared-badge-7')).toHaveTextContent('Shared')
    expect(screen.queryByTestId('shared-badge-8')).toBeNull()
  })

  test('a device the server has not checked yet says so, and the list looks again by itself', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    try {
      mockCommands({ list_devices: [{ ...doorbell, reachability: 'unchecked', checked_at: null }] })
      render(Devices)
      const status = await screen.findByTestId('device-status-8')
      expect(status).toHaveTextContent('Checking…')
      await fireEvent.pointerEnter(status)
      expect(status.getAttribute('title')).toMatch(/not checked this device yet/)
      mockCommands({ list_devices: [{ ...doorbell, reachability: 'online', checked_at: '2025-01-04T09:31:00Z' }] })
      await vi.advanceTimersByTimeAsync(15_000)
      await waitFor(() => expect(screen.getByTestId('device-status-8')).toHaveTextContent('Online'))
    } finally {
      vi.useRealTimers()
    }
  })

  test('an empty list says how to add a device', async () => {
    mockCommands({ list_devices: [] })
    render(Devices)
    expect(await screen.findByTestId('devices-empty')).toHaveTextContent('Add your first camera')
  })
})

describe('share from a row', () => {
  test('dragging the row left with a mouse reveals Share; a short drag snaps back', async () => {
    render(Devices)
    const { row, content } = await rowContent(7)

    await fireEvent.pointerDown(content, { button: 0, clientX: 300, clientY: 20, pointerId: 1, pointerType: 'mouse' })
    await fireEvent.pointerMove(content, { clientX: 280, clientY: 21, pointerId: 1, pointerType: 'mouse' })
    await fireEvent.pointerUp(content, { clientX: 280, clientY: 21, pointerId: 1, pointerType: 'mouse' })
    expect(row).toHaveAttribute('data-open', 'false')

    await fireEvent.pointerDown(content, { button: 0, clientX: 300, clientY: 20, pointerId: 1, pointerType: 'mouse' })
    await fireEvent.pointerMove(content, { clientX: 220, clientY: 22, pointerId: 1, pointerType: 'mouse' })
    await fireEvent.pointerMove(content, { clientX: 180, clientY: 22, pointerId: 1, pointerType: 'mouse' })
    await fireEvent.pointerUp(content, { clientX: 180, clientY: 22, pointerId: 1, pointerType: 'mouse' })
    expect(row).toHaveAttribute('data-open', 'true')
    expect(content.style.transform).toBe('translateX(-104px)')

    const action = screen.getByTestId('share-action-7')
    expect(action).toHaveAttribute('tabindex', '0')
    await userEvent.setup().click(action)
    expect(shareRoute()).toBe('share?device=7')
  })

  test('a finger swipe (touch events) reveals Share too', async () => {
    render(Devices)
    const { row, content } = await rowContent(8)
    const at = (x: number) => ({ touches: [{ clientX: x, clientY: 40, identifier: 1 }] })
    await fireEvent.touchStart(content, at(300))
    await fireEvent.touchMove(content, at(250))
    await fireEvent.touchMove(content, at(170))
    await fireEvent.touchEnd(content, { touches: [] })
    expect(row).toHaveAttribute('data-open', 'true')
  })

  test('a vertical drag scrolls and does not open the row', async () => {
    render(Devices)
    const { row, content } = await rowContent(7)
    await fireEvent.pointerDown(content, { button: 0, clientX: 300, clientY: 20, pointerId: 1 })
    await fireEvent.pointerMove(content, { clientX: 290, clientY: 80, pointerId: 1 })
    await fireEvent.pointerMove(content, { clientX: 150, clientY: 90, pointerId: 1 })
    await fireEvent.pointerUp(content, { clientX: 150, clientY: 90, pointerId: 1 })
    expect(row).toHaveAttribute('data-open', 'false')
  })

  test('the visible Share button', async () => {
    render(Devices)
    await userEvent.setup().click(await screen.findByTestId('share-button-8'))
    expect(shareRoute()).toBe('share?device=8')
  })

  test('keyboard: S on a focused row shares, Enter opens the details', async () => {
    const user = userEvent.setup()
    render(Devices)
    const { row } = await rowContent(7)
    row.focus()
    await user.keyboard('s')
    expect(shareRoute()).toBe('share?device=7')

    navigate('/devices')
    row.focus()
    await user.keyboard('{Enter}')
    expect(route.parts).toEqual(['devices', '7'])
  })

  test('right-click opens the context menu; Share in it starts sharing', async () => {
    const user = userEvent.setup()
    render(Devices)
    const { content } = await rowContent(7)
    await fireEvent.contextMenu(content, { clientX: 120, clientY: 40 })
    const menu = screen.getByTestId('context-menu')
    expect(within(menu).getAllByRole('menuitem').map((m) => m.textContent?.trim())).toEqual(['Share…', 'Details', 'Edit…', 'Remove…'])
    await user.click(within(menu).getByTestId('menu-share'))
    expect(shareRoute()).toBe('share?device=7')
  })

  test('Shift+F10 on a row opens the menu with focus in it; arrows move, Escape closes', async () => {
    const user = userEvent.setup()
    render(Devices)
    const { row } = await rowContent(8)
    row.focus()
    await user.keyboard('{Shift>}{F10}{/Shift}')
    const menu = await screen.findByTestId('context-menu')
    await within(menu).findByTestId('menu-share')
    await new Promise((r) => setTimeout(r, 0))
    expect(document.activeElement).toBe(within(menu).getByTestId('menu-share'))
    await user.keyboard('{ArrowDown}')
    expect(document.activeElement).toBe(within(menu).getByTestId('menu-details'))
    await user.keyboard('{Escape}')
    expect(screen.queryByTestId('context-menu')).toBeNull()
    expect(document.activeElement).toBe(row)
  })
})
