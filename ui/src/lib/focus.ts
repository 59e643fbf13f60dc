// After a refused submit, put the keyboard where the first problem is.
import { tick } from 'svelte'

export async function focusFirstInvalid(root: HTMLElement | null | undefined): Promise<void> {
  await tick()
  root?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
}
