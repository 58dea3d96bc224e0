import { createFakeUpstream } from './fake-upstream.js'
import { serveAsChild } from './serve-as-child.js'

/** Entry point of the fake upstream's own process. */
serveAsChild(createFakeUpstream(), 'fake upstream')
