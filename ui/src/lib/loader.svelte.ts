// Data a screen loads from the server, with its loading and error state. Only the newest
// request's answer is kept, so a slow old answer never overwrites a fresh one.

import type { CommandError } from '../types'
import { toCommandError } from './errors'

export class Loader<T> {
  data: T | null = $state(null)
  loading = $state(true)
  error: CommandError | null = $state(null)
  #fetch: () => Promise<T>
  #seq = 0

  constructor(fetch: () => Promise<T>) {
    this.#fetch = fetch
  }

  /** Loads again; with `quiet`, keeps showing the old data instead of a loading state. */
  async load(quiet = false): Promise<void> {
    const seq = ++this.#seq
    if (!quiet || this.data === null) this.loading = true
    try {
      const data = await this.#fetch()
      if (seq !== this.#seq) return
      this.data = data
      this.error = null
    } catch (e) {
      if (seq !== this.#seq) return
      this.error = toCommandError(e)
    } finally {
      if (seq === this.#seq) this.loading = false
    }
  }
}
