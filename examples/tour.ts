/**
 * The tour: `npm start` walks through effect-hackney against an embedded local server.
 *
 * The client itself (Hackney.request, streaming, the pool) is being built; until it lands this
 * tour shows the foundation that already works: the error vocabulary.
 */
import { HackneyError } from "../src/index.js"

const e = new HackneyError.ConnectionClosed({ method: "GET", url: "http://user:secret@127.0.0.1/", requestSent: false })
console.log("effect-hackney tour")
console.log(`- errors are tagged: ${e._tag}, retryable: ${HackneyError.isRetryable(e)}`)
console.log(`- and redacted: ${e.message}`)
