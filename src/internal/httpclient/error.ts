/**
 * `HackneyError`s as the platform's `RequestError` / `ResponseError`. The
 * platform's message appends the request (`(GET http://…)`), so the
 * description is the error's message without its own request part: the
 * request appears once.
 *
 * @internal
 */
import * as Error from "@effect/platform/HttpClientError"
import type * as ClientRequest from "@effect/platform/HttpClientRequest"
import type * as ClientResponse from "@effect/platform/HttpClientResponse"
import { isHackneyError, messageWithoutRequest } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import { oneLine } from "../error/text.js"

/**
 * A `HackneyError` as a `RequestError`: invalid URLs and schemes are
 * `InvalidUrl`; any other invalid request (header, body, option) is `Encode`
 * — nothing was sent and sending again cannot help — and so is a failing
 * request body (`BodyError`); everything else is `Transport` (so
 * `HttpClient.retryTransient` retries it). The typed error is the cause.
 *
 * @internal
 */
export const requestError = (request: ClientRequest.HttpClientRequest, e: HackneyError): Error.RequestError =>
  new Error.RequestError({
    request,
    reason: e._tag === "InvalidRequest"
      ? e.reason === "url" || e.reason === "scheme" ? "InvalidUrl" : "Encode"
      : e._tag === "BodyError"
      ? "Encode"
      : "Transport",
    cause: e,
    description: messageWithoutRequest(e)
  })


/**
 * A failure to read or decode a response body as a `ResponseError`
 * (`Decode`): a `HackneyError` (reset, timeout, `BodyTooLarge`) or a parse
 * error of `json` / `formData` / `urlParamsBody`.
 *
 * @internal
 */
export const decodeError = (
  request: ClientRequest.HttpClientRequest,
  response: ClientResponse.HttpClientResponse,
  cause: unknown,
  what?: string
): Error.ResponseError =>
  new Error.ResponseError({
    request,
    response,
    reason: "Decode",
    cause,
    description: isHackneyError(cause)
      ? messageWithoutRequest(cause)
      : `The body could not be decoded${what === undefined ? "" : ` as ${what}`}${
        cause instanceof globalThis.Error ? ` (${oneLine(cause.message)})` : ""
      }. Check the response's status and Content-Type before decoding its body.`
  })
