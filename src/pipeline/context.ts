import type { FastifyBaseLogger } from 'fastify'
import type { ResolvedModel } from '../config/load.js'
import type { SimulateConfig } from '../config/schema.js'
import type { ErrorKind, UpstreamFailure } from '../errors.js'
import type { ChatBody, EmbeddingsBody, Provider, Usage } from '../providers/types.js'
import type { Runtime } from '../runtime.js'

/** Caller metadata from `x-gatehouse-*` headers: recorded, and later used by routing rules. */
export interface CallerMeta {
  user?: string
  useCase?: string
  sensitivity?: string
  domain?: string
  contextSources?: string[]
  prompt?: string
}

export interface Target {
  /** The model entry's name in config. */
  name: string
  model: ResolvedModel
  provider: Provider
}

export interface Attempt {
  target: string
  provider: string
  durationMs: number
  ok: boolean
  failure?: UpstreamFailure
  status?: number
}

export type Operation = 'chat' | 'embeddings'

/** Everything one request carries through the stages. Created by ingress, read by every stage. */
export interface RequestContext {
  readonly id: string
  readonly startedAtMs: number
  readonly operation: Operation
  readonly body: ChatBody | EmbeddingsBody
  readonly stream: boolean
  readonly meta: CallerMeta
  readonly signal: AbortSignal
  readonly simulate: SimulateConfig | undefined
  readonly runtime: Runtime
  readonly log: FastifyBaseLogger
  /** The stage running now, for logs. */
  stage: string
  targets: Target[]
  attempts: Attempt[]
  served?: { provider: string; model: string; target: string }
  usage?: Usage
  firstByteAtMs?: number
  outcome?: { status: number; errorKind?: ErrorKind }
}
