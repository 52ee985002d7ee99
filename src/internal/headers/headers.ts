/**
 * The `Headers` implementation: a flat array `[name0, value0, name1, value1, …]`
 * that is never mutated after construction, plus a lower-cased index built on
 * the first lookup when the headers are many.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as Inspectable from "effect/Inspectable"
import { InvalidRequest } from "../../HackneyError.js"
import { asciiLower, describeChar, equalsLower, firstInvalidValueChar, firstNonTchar, isOws, trimOws } from "./syntax.js"

/** @internal */
export const TypeId: unique symbol = Symbol.for("effect-hackney/Headers")

/** @internal */
export type Value = string | number | ReadonlyArray<string>

/** @internal */
export type Input =
  | Readonly<Record<string, Value | undefined>>
  | Iterable<readonly [string, Value]>
  | HeadersImpl

/** Up to this many field lines a lookup scans the array instead of building an index. */
const SCAN_LIMIT = 16

/** @internal */
export const redactedNames: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie"
])

/** @internal */
export class HeadersImpl implements Iterable<readonly [string, string]>, Inspectable.Inspectable, Equal.Equal {
  readonly [TypeId]: typeof TypeId = TypeId
  /** `[name0, value0, name1, value1, …]`, names as given. Never mutated. */
  readonly raw: ReadonlyArray<string>
  #index: Map<string, Array<number>> | undefined = undefined

  constructor(raw: ReadonlyArray<string>) {
    this.raw = raw
  }

  /** Positions (even indexes into `raw`) of the field lines named `lower`. */
  positions(lower: string): ReadonlyArray<number> {
    const raw = this.raw
    if (raw.length <= SCAN_LIMIT * 2) {
      let out: Array<number> | undefined
      for (let i = 0; i < raw.length; i += 2) {
        if (equalsLower(raw[i], lower)) (out ??= []).push(i)
      }
      return out ?? noPositions
    }
    return this.index().get(lower) ?? noPositions
  }

  /** Position of the first field line named `lower`, or -1. */
  first(lower: string): number {
    const raw = this.raw
    if (raw.length <= SCAN_LIMIT * 2) {
      for (let i = 0; i < raw.length; i += 2) if (equalsLower(raw[i], lower)) return i
      return -1
    }
    const at = this.index().get(lower)
    return at === undefined ? -1 : at[0]
  }

  private index(): Map<string, Array<number>> {
    if (this.#index !== undefined) return this.#index
    const index = new Map<string, Array<number>>()
    const raw = this.raw
    for (let i = 0; i < raw.length; i += 2) {
      const key = asciiLower(raw[i])
      const at = index.get(key)
      if (at === undefined) index.set(key, [i])
      else at.push(i)
    }
    this.#index = index
    return index
  }

  *[Symbol.iterator](): IterableIterator<readonly [string, string]> {
    const raw = this.raw
    for (let i = 0; i < raw.length; i += 2) yield [raw[i], raw[i + 1]]
  }

  toJSON(): unknown {
    const entries: Array<readonly [string, string]> = []
    const raw = this.raw
    for (let i = 0; i < raw.length; i += 2) {
      entries.push([raw[i], redactedNames.has(asciiLower(raw[i])) ? "<redacted>" : raw[i + 1]])
    }
    return { _id: "Headers", entries }
  }

  toString(): string {
    return Inspectable.format(this.toJSON())
  }

  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }

  [Equal.symbol](that: Equal.Equal): boolean {
    if (!isHeaders(that)) return false
    const a = this.raw
    const b = that.raw
    if (a.length !== b.length) return false
    for (let i = 0; i < a.length; i += 2) {
      if (a[i + 1] !== b[i + 1] || !equalsLower(a[i], asciiLower(b[i]))) return false
    }
    return true
  }

  [Hash.symbol](): number {
    let h = Hash.number(this.raw.length)
    const raw = this.raw
    for (let i = 0; i < raw.length; i += 2) {
      h = Hash.combine(Hash.string(asciiLower(raw[i])))(h)
      h = Hash.combine(Hash.string(raw[i + 1]))(h)
    }
    return Hash.cached(this, Hash.optimize(h))
  }
}

const noPositions: ReadonlyArray<number> = []

/** @internal */
export const isHeaders = (u: unknown): u is HeadersImpl =>
  typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const empty: HeadersImpl = new HeadersImpl([])

const pushValue = (out: Array<string>, name: string, value: Value): void => {
  if (typeof value === "string") out.push(name, value)
  else if (typeof value === "number") out.push(name, String(value))
  else for (const v of value) out.push(name, v)
}

/** @internal */
export const fromInput = (input: Input): HeadersImpl => {
  if (isHeaders(input)) return input
  const out: Array<string> = []
  if (Symbol.iterator in input) {
    for (const [name, value] of input as Iterable<readonly [string, Value]>) pushValue(out, name, value)
  } else {
    const record = input as Readonly<Record<string, Value | undefined>>
    for (const name of Object.keys(record)) {
      const value = record[name]
      if (value !== undefined) pushValue(out, name, value)
    }
  }
  return out.length === 0 ? empty : new HeadersImpl(out)
}

/** @internal */
export const fromRaw = (flat: ReadonlyArray<string>): HeadersImpl => new HeadersImpl(flat)

/** @internal */
export const getOrUndefined = (self: HeadersImpl, name: string): string | undefined => {
  const at = self.first(asciiLower(name))
  return at === -1 ? undefined : self.raw[at + 1]
}

/** @internal */
export const getAll = (self: HeadersImpl, name: string): ReadonlyArray<string> => {
  const at = self.positions(asciiLower(name))
  if (at.length === 0) return noValues
  const out = new Array<string>(at.length)
  for (let i = 0; i < at.length; i++) out[i] = self.raw[at[i] + 1]
  return out
}

const noValues: ReadonlyArray<string> = []

/** @internal */
export const has = (self: HeadersImpl, name: string): boolean => self.first(asciiLower(name)) !== -1

/** @internal */
export const set = (self: HeadersImpl, name: string, value: Value): HeadersImpl => {
  const lower = asciiLower(name)
  const raw = self.raw
  const out: Array<string> = []
  let placed = false
  for (let i = 0; i < raw.length; i += 2) {
    if (equalsLower(raw[i], lower)) {
      if (!placed) {
        pushValue(out, name, value)
        placed = true
      }
    } else {
      out.push(raw[i], raw[i + 1])
    }
  }
  if (!placed) pushValue(out, name, value)
  return new HeadersImpl(out)
}

/** @internal */
export const append = (self: HeadersImpl, name: string, value: Value): HeadersImpl => {
  const out = self.raw.slice()
  pushValue(out, name, value)
  return new HeadersImpl(out)
}

/** @internal */
export const remove = (self: HeadersImpl, name: string): HeadersImpl => {
  const lower = asciiLower(name)
  if (self.first(lower) === -1) return self
  const raw = self.raw
  const out: Array<string> = []
  for (let i = 0; i < raw.length; i += 2) {
    if (!equalsLower(raw[i], lower)) out.push(raw[i], raw[i + 1])
  }
  return out.length === 0 ? empty : new HeadersImpl(out)
}

/** @internal */
export const setIfAbsent = (self: HeadersImpl, name: string, value: Value): HeadersImpl =>
  has(self, name) ? self : append(self, name, value)

/** @internal */
export const merge = (self: HeadersImpl, that: HeadersImpl): HeadersImpl => {
  if (that.raw.length === 0) return self
  if (self.raw.length === 0) return that
  const out = self.raw.slice()
  const raw = that.raw
  for (let i = 0; i < raw.length; i += 2) {
    if (self.first(asciiLower(raw[i])) === -1) out.push(raw[i], raw[i + 1])
  }
  return out.length === self.raw.length ? self : new HeadersImpl(out)
}

/** @internal */
export const forEach = (self: HeadersImpl, f: (name: string, value: string, index: number) => void): void => {
  const raw = self.raw
  for (let i = 0; i < raw.length; i += 2) f(raw[i], raw[i + 1], i >> 1)
}

/** @internal */
export const toEntries = (self: HeadersImpl): ReadonlyArray<readonly [string, string]> => {
  const raw = self.raw
  const out = new Array<readonly [string, string]>(raw.length >> 1)
  for (let i = 0; i < raw.length; i += 2) out[i >> 1] = [raw[i], raw[i + 1]]
  return out
}

/** @internal */
export const checkName = (name: string): InvalidRequest | undefined => {
  if (name.length === 0) return new InvalidRequest({ reason: "header-name", detail: "a header name is empty" })
  const bad = firstNonTchar(name)
  return bad === -1 ? undefined : new InvalidRequest({
    reason: "header-name",
    detail: `header name ${JSON.stringify(name)} contains ${describeChar(name, bad)}; names must be RFC 9110 tokens`
  })
}

/** @internal */
export const checkValue = (name: string, value: string): InvalidRequest | undefined => {
  const bad = firstInvalidValueChar(value)
  // The value itself is not quoted in the detail: it may be a secret.
  return bad === -1 ? undefined : new InvalidRequest({
    reason: "header-value",
    detail: `the value of header ${JSON.stringify(name)} contains ${describeChar(value, bad)}`
  })
}

/** @internal */
export const validate = (self: HeadersImpl): Either.Either<HeadersImpl, InvalidRequest> => {
  const raw = self.raw
  for (let i = 0; i < raw.length; i += 2) {
    const e = checkName(raw[i]) ?? checkValue(raw[i], raw[i + 1])
    if (e !== undefined) return Either.left(e)
  }
  return Either.right(self)
}

/** @internal */
export const encode = (self: HeadersImpl): Either.Either<string, InvalidRequest> => {
  const raw = self.raw
  let out = ""
  for (let i = 0; i < raw.length; i += 2) {
    const e = checkName(raw[i]) ?? checkValue(raw[i], raw[i + 1])
    if (e !== undefined) return Either.left(e)
    out += raw[i] + ": " + raw[i + 1] + "\r\n"
  }
  return Either.right(out + "\r\n")
}

/** @internal */
export const decode = (block: string): HeadersImpl | undefined => {
  const out: Array<string> = []
  let i = 0
  const n = block.length
  while (i < n) {
    let eol = block.indexOf("\n", i)
    if (eol === -1) eol = n
    const lineEnd = eol > i && block.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol
    if (lineEnd === i) {
      // The blank line ends the section; nothing may follow it.
      return eol + 1 >= n ? finish(out) : undefined
    }
    const line = block.slice(i, lineEnd)
    // obs-fold (a line starting with SP/HTAB) is refused (RFC 9112 §5.2).
    if (isOws(line.charCodeAt(0))) return undefined
    const colon = line.indexOf(":")
    if (colon <= 0) return undefined
    const name = line.slice(0, colon)
    // No whitespace is allowed between the name and the colon (RFC 9112 §5.1).
    if (firstNonTchar(name) !== -1) return undefined
    const value = trimOws(line.slice(colon + 1))
    if (firstInvalidValueChar(value) !== -1) return undefined
    out.push(name, value)
    i = eol + 1
  }
  return finish(out)
}

const finish = (out: Array<string>): HeadersImpl => out.length === 0 ? empty : new HeadersImpl(out)
