/**
 * Per-message objects of the request path made without an allocation site.
 *
 * V8 pretenures a literal (`[]`, `{…}`) whose earlier objects survived
 * young-generation collections — as a program's first requests' objects do,
 * while its young generation is still small — and from then on makes that
 * literal's objects in the old generation. Each response's header list and
 * head then became old-generation garbage that kept the young strings and
 * buffers it pointed to alive through the scavenges (promoted with it) until
 * a full collection: about 0.9 KB promoted per request, against 0.1 KB
 * without (issue 20; `bench/user-style.mjs` with `heapSurvivors`). A copy of
 * a shared empty array and a class instance carry no allocation site: they
 * stay young and die young.
 *
 * @internal
 */
import type { BodyKind } from "./framing.js"
import type { ResponseHead } from "./types.js"

const none: ReadonlyArray<never> = []

/** A new empty array, not from a literal (see the module's note). @internal */
export const emptyArray = <A>(): Array<A> => none.slice()

/** A response head, not from a literal (see the module's note). @internal */
export class Head implements ResponseHead {
  constructor(
    readonly versionMajor: number,
    readonly versionMinor: number,
    readonly status: number,
    readonly reason: string,
    readonly rawHeaders: ReadonlyArray<string>,
    readonly keepAlive: boolean,
    readonly body: BodyKind,
    readonly contentLength: number | undefined,
    readonly upgrade: boolean
  ) {}
}
