/**
 * A URL as telemetry may show it (logs, span attributes): scheme, authority
 * and path, without userinfo, query or fragment — credentials and tokens
 * often travel there, and a query makes labels unbounded.
 *
 * @internal
 */

/** `http://u:p@a.test:81/x?q#f` → `http://a.test:81/x`. @internal */
export const urlLabel = (url: string): string => {
  const end = url.search(/[?#]/)
  const noQuery = end === -1 ? url : url.slice(0, end)
  return noQuery.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/]*@/, "$1")
}
