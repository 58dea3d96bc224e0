import { createHmac } from 'node:crypto'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { ProtectConfig } from '../config/protect-schema.js'
import type { ChatBody, EmbeddingsBody } from '../providers/types.js'
import { collectTexts, type TextSlot } from './collect-texts.js'
import { createDetector, type Detector, normaliseValue } from './create-detector.js'
import { createGuardrails, type GuardOverrides, type Guardrails } from './create-guardrails.js'
import { createOutputCheck, type OutputCheck } from './create-output-check.js'
import { createTextCache } from './create-text-cache.js'
import { createDataPolicy, type DataPolicy } from './data-policy.js'
import type { Finding } from './entity-types.js'
import type { RemoteCheck } from './remote-checks.js'
import type { RequestProtection } from './request-protection.js'

/** What the scan of one request found: its texts, their findings, the types and counts. */
export interface RequestScan {
  slots: TextSlot[]
  /** `findings[i]` belong to `slots[i]`. */
  findings: Finding[][]
  types: ReadonlySet<string>
  /** Entity type → how many were found. */
  counts: Record<string, number>
  /** `keys[i]`: the cache key of `slots[i]` (its SHA-256), undefined for short texts. */
  keys: (string | undefined)[]
}

/** The data-protection services of one config version. */
export interface Protector {
  readonly config: ProtectConfig
  readonly policy: DataPolicy
  readonly guardrails: Guardrails
  readonly detector: Detector
  /** Scans every text of a request. Large requests are scanned off the event loop. */
  scan(body: ChatBody | EmbeddingsBody): Promise<RequestScan>
  /** The key for `hash` actions: stable per tenant, different across tenants. */
  hashKey(tenant: string): Buffer
  /** The check of one answer (secrets, new personal data, system-prompt leaks, deny rules); undefined when all are off. */
  outputCheck(protection: RequestProtection, overrides: GuardOverrides): OutputCheck | undefined
  close(): Promise<void>
}

export interface ProtectorDeps {
  /** Secret the per-tenant hash keys derive from when `protect.hash_key` is unset. */
  secret: string
  remote?: readonly RemoteCheck[]
  workerUrl?: URL
}

export function createProtector(config: ProtectConfig, deps: ProtectorDeps): Protector {
  const detector = createDetector(config.detect, deps.workerUrl ? { workerUrl: deps.workerUrl } : {})
  const secret = config.hash_key?.reveal() ?? deps.secret
  const keys = new Map<string, Buffer>()
  const threshold = config.detect.async_threshold_chars
  // Findings are offsets into their text: the same text always has the same ones.
  const cache = createTextCache<Finding[]>()
  const guardrails = createGuardrails(config.guardrails, deps.remote)
  const { output } = guardrails.config
  const isOutputChecked =
    [output.secrets, output.pii, output.system_prompt_leak].some((a) => a !== 'off') ||
    guardrails.outputRules.length > 0
  return {
    config,
    detector,
    policy: createDataPolicy(config),
    guardrails,
    async scan(body) {
      const slots = collectTexts(body)
      const total = slots.reduce((n, s) => n + s.text.length, 0)
      const findings: Finding[][] = []
      // Looked up: earlier turns, and system prompts, which an application sends unchanged with every
      // request. Not the newest turn: it is new, and hashing it would cost more than it could save.
      // It is cached from the next request on, when it has become history.
      const history = historyLength(slots)
      const keys = slots.map((slot, i) =>
        i < history || slot.source === 'system' ? cache.keyOf(slot.text) : undefined,
      )
      for (const [i, slot] of slots.entries()) {
        const cached = cache.get(keys[i])
        if (cached) {
          findings.push(cached)
          continue
        }
        let found: Finding[]
        if (total <= threshold) found = detector.scan(slot.text)
        else {
          // Many medium texts add up: let other requests run between them; large ones go to a worker.
          found = await detector.scanAsync(slot.text)
          await yieldToLoop()
        }
        cache.set(keys[i], found)
        findings.push(found)
      }
      const counts: Record<string, number> = {}
      for (const list of findings) for (const f of list) counts[f.type] = (counts[f.type] ?? 0) + 1
      return { slots, findings, types: new Set(Object.keys(counts)), counts, keys }
    },
    hashKey(tenant) {
      let key = keys.get(tenant)
      if (!key) {
        key = createHmac('sha256', secret).update(`gatehouse-protect-hash:${tenant}`).digest()
        keys.set(tenant, key)
      }
      return key
    },
    outputCheck(protection, overrides) {
      if (!isOutputChecked) return undefined
      return createOutputCheck({
        config: guardrails.config,
        overrides,
        scan: detector.scan,
        requestValues: () => protection.requestValues(normaliseValue),
        systemTexts: protection.scan.slots.filter((s) => s.source === 'system').map((s) => s.text),
        denyRules: guardrails.outputRules,
      })
    },
    close: () => detector.close(),
  }
}

/** How many slots come before the newest turn: everything up to the last assistant message. */
function historyLength(slots: readonly TextSlot[]): number {
  for (let i = slots.length - 1; i >= 0; i--) if (slots[i]!.source === 'assistant') return i + 1
  return 0
}
