import { request } from 'node:http'
import { expect } from 'vitest'

/** The events of an SSE body, and the text content their chat chunks carry. */
export function parseStream(text: string): { events: string[]; content: string } {
  const events = text.split('\n\n').filter(Boolean)
  const content = events
    .filter((e) => e.startsWith('data: {'))
    .map((e) => JSON.parse(e.slice('data: '.length)))
    .map((c) => c.choices?.[0]?.delta?.content ?? '')
    .join('')
  return { events, content }
}

/** A streaming chat call (`POST url` with `stream: true`) read incrementally, so a test can act between chunks. */
export async function openStream(url: string, body: Record<string, unknown>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  })
  expect(res.status).toBe(200)
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  let isDone = false
  const readMore = async (): Promise<boolean> => {
    const { value, done } = await reader.read()
    if (done) {
      isDone = true
      return false
    }
    text += value
    return true
  }
  return {
    get text() {
      return text
    },
    get isDone() {
      return isDone
    },
    /** Read until the first event has arrived. */
    async firstEvent(): Promise<void> {
      while (!text.includes('\n\n')) if (!(await readMore())) return
    },
    async rest(): Promise<string> {
      while (await readMore()) {}
      return text
    },
  }
}

/** POST over node:http and read the whole body and its trailers (fetch does not expose trailers). */
export function postWithTrailers(url: string, key: string | undefined, payload: unknown) {
  return new Promise<{ body: string; trailers: NodeJS.Dict<string> }>((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (key !== undefined) headers['authorization'] = `Bearer ${key}`
    const req = request(url, { method: 'POST', headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => {
        body += d
      })
      res.on('end', () => resolve({ body, trailers: res.trailers }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(JSON.stringify(payload))
  })
}
