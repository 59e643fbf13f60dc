// Adding and editing devices: an NVR's channels, only changed fields sent on edit, remove
// after a confirmation.
import { render, screen, waitFor } from '@testing-library/svelte'
import userEvent from '@testing-library/user-event'
import { expect, test } from 'vitest'
import DeviceForm from '../src/pages/devices/DeviceForm.svelte'
import Devices from '../src/pages/devices/Devices.svelte'
import { called, garage, mockCommands } from './fixtures'

test('an NVR starts with four named channels; the count resizes the names, which are sent', async () => {
  const calls = mockCommands({ add_device: garage })
  const user = userEvent.setup()
  let saved = false
  render(DeviceForm, { device: null, onclose: () => {}, onsaved: () => (saved = true) })
  await user.type(screen.getByTestId('device-name'), 'Shop')
  await user.selectOptions(screen.getByTestId('device-kind'), 'nvr')
  expect(screen.getByTestId('device-channel-count')).toHaveValue(4)
  await user.clear(screen.getByTestId('device-channel-count'))
  await user.type(screen.getByTestId('device-channel-count'), '2')
  expect(screen.queryByTestId('device-channel-name-3')).toBeNull()
  await user.clear(screen.getByTestId('device-channel-name-2'))
  await user.type(screen.getByTestId('device-channel-name-2'), 'Till')
  await user.type(screen.getByTestId('device-rtsp'), '10.0.0.5:554')
  await user.type(screen.getByTestId('device-username'), 'admin')
  await user.type(screen.getByTestId('device-password'), 'pw')
  await user.click(screen.getByTestId('device-save'))

  await waitFor(() => expect(saved).toBe(true))
  expect(called(calls, 'add_device')[0].args).toEqual({
    device: {
      name: 'Shop',
      kind: 'nvr',
      rtsp_url: 'rtsp://10.0.0.5:554',
      username: 'admin',
      password: 'pw',
      channel_names: ['Camera 01', 'Till'],
    },
  })
})

test('editing sends only what changed, and never an empty password', async () => {
  const calls = mockCommands({ edit_device: garage })
  const user = userEvent.setup()
  render(DeviceForm, { device: garage, onclose: () => {}, onsaved: () => {} })
  expect(screen.getByTestId('device-kind')).toBeDisabled()
  expect(screen.getByTestId('device-channel-count')).toBeDisabled()
  await user.clear(screen.getByTestId('device-channel-name-3'))
  await user.type(screen.getByTestId('device-channel-name-3'), 'Porch')
  await user.click(screen.getByTestId('device-save'))
  await waitFor(() => expect(called(calls, 'edit_device')).toHaveLength(1))
  expect(called(calls, 'edit_device')[0].args).toEqual({
    id: 7,
    update: { channel_names: ['Driveway', 'Back yard', 'Porch', 'Garden'] },
  })
})

test('remove asks first and then removes the device from the list', async () => {
  let devices = [garage]
  const calls = mockCommands({
    list_devices: () => devices,
    remove_device: () => {
      devices = []
      return null
    },
  })
  const user = userEvent.setup()
  render(Devices)
  ;(await screen.findByTestId('device-row-7')).focus()
  await user.keyboard('{Delete}')
  expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('shared with 1 person; they lose it at once')
  await user.click(screen.getByTestId('confirm'))
  expect(await screen.findByTestId('devices-empty')).toBeInTheDocument()
  expect(called(calls, 'remove_device')[0].args).toEqual({ id: 7 })
})
