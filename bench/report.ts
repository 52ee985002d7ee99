/**
 * Markdown tables (ratios to undici `request`) and an SVG chart (vega-lite → vega, rendered
 * headless) from one results JSON. bench/run.ts calls it; it also runs on its own:
 *
 *   npx tsx bench/report.ts bench/results/<date>.json    # rewrites docs/benchmarks.{md,svg}
 *
 * docs/benchmarks.md keeps its hand-written parts: only the text between the
 * `<!-- bench:results:begin -->` and `<!-- bench:results:end -->` markers is replaced.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as vega from "vega"
import * as vl from "vega-lite"
import { AREAS } from "./cpuprofile.js"
import type { Figures, Result } from "./run.js"

const LABEL: Record<string, string> = {
  "hackney": "effect-hackney native (`Hackney.get`)",
  "hackney-user": "effect-hackney user-style (`Effect.gen` + `Effect.either`, `dist/`)",
  "undici-user": "undici user-style (`Pool.request` loops, 50 conns)",
  "hackney-loop": "effect-hackney native on `dist/` (`Effect.whileLoop`)",
  "hackney-httpclient": "effect-hackney `HackneyHttpClient.layer`",
  "undici-request": "undici `request` (Pool, 50 conns)",
  "undici-fetch": "undici `fetch` (Agent, 50 conns)",
  "node-http": "`node:http` (keep-alive Agent, 50)",
  "got": "got 14 (keep-alive Agent, 50)",
  "platform-node": "`NodeHttpClient.layer`",
  "platform-undici": "`NodeHttpClient.layerUndici`",
  "platform-fetch": "`FetchHttpClient.layer`",
  "wrk": "wrk (ceiling, 1 thread)",
  "undici-h2": "undici `Client` (allowH2, 1 session)",
  "node-http2": "`node:http2` (1 session)",
  "h2load": "h2load (ceiling, 1 connection)"
}
const SHORT: Record<string, string> = {
  "hackney": "effect-hackney native",
  "hackney-user": "effect-hackney user-style",
  "undici-user": "undici user-style",
  "hackney-loop": "effect-hackney native (dist)",
  "hackney-httpclient": "effect-hackney HttpClient",
  "undici-request": "undici request",
  "undici-fetch": "undici fetch",
  "node-http": "node:http",
  "got": "got 14",
  "platform-node": "NodeHttpClient.layer",
  "platform-undici": "NodeHttpClient.layerUndici",
  "platform-fetch": "FetchHttpClient.layer",
  "wrk": "wrk (ceiling)",
  "undici-h2": "undici h2",
  "node-http2": "node:http2",
  "h2load": "h2load (ceiling)"
}
const plain = (c: string) => SHORT[c] ?? c
const BASE = "undici-request"
const BEGIN = "<!-- bench:results:begin -->"
const END = "<!-- bench:results:end -->"

const fmt = (x: number | undefined, d = 0) =>
  x === undefined || !Number.isFinite(x) ? "–" : x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d })
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? "–" : `${(a / b).toFixed(2)}×`

const headline = (r: Result, sc: string, f: Figures | undefined) =>
  f === undefined ? undefined : r.scenarios.find((s) => s.id === sc)?.unit === "MB/s" ? f.mbps : f.rps

export const markdown = (r: Result, resultFile: string): string => {
  const m = (sc: string, c: string): Figures | undefined => r.median[sc]?.[c]
  const base = (sc: string) => headline(r, sc, m(sc, BASE))
  const rows = r.contenders
  const out: Array<string> = []
  const mach = r.machine
  out.push(
    `Run of ${r.date.slice(0, 16).replace("T", " ")} UTC: \`${r.command}\` — ${r.rounds} round(s), ` +
      `${r.durationMs / 1000} s measured per GET run after ${r.warmupMs / 1000} s warm-up; transfers: one warm-up ` +
      `transfer, then ${r.quick ? "one measured 100 MB transfer" : `100 MB transfers for ${r.durationMs / 1000} s`}. ` +
      "Each contender in its own process per run, rounds interleaved; median of the rounds. " +
      `Raw figures: [\`${resultFile}\`](../${resultFile}).`,
    "",
    `Machine: ${mach.nproc} vCPU (${mach.cpu}), ${mach.memoryGiB} GiB, Linux ${mach.kernel}, Node ${mach.node}; ` +
      `nginx ${mach.nginx} (1 worker), wrk ${mach.wrk}, undici ${mach.undici}, got ${mach.got}, effect ${mach.effect}, ` +
      `@effect/platform ${mach["@effect/platform"]}, @effect/platform-node ${mach["@effect/platform-node"]}; ` +
      `effect-hackney at ${mach.commit}. ` +
      `Load average (1, 5, 15 min) before: ${r.loadBefore.join(", ")}; after: ${r.loadAfter.join(", ")}.`,
    "",
    "![requests/s and MB/s relative to undici request](benchmarks.svg)",
    "",
    "### Small GETs (1 KiB static file)",
    "",
    "| Contender | c=1 req/s | c=1 p50 µs | c=1 p99 µs | c=1 CPU µs/req | c=50 req/s | c=50 × undici | c=50 CPU µs/req | HTTPS c=50 req/s | HTTPS × undici | HTTPS CPU µs/req |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  )
  const ran = (c: string, ...scs: Array<string>) => scs.some((sc) => m(sc, c) !== undefined)
  for (const c of rows.filter((c) => ran(c, "get-c1", "get-c50", "https-c50"))) {
    const a = m("get-c1", c)
    const b = m("get-c50", c)
    const h = m("https-c50", c)
    out.push(
      `| ${LABEL[c] ?? c} | ${fmt(a?.rps)} | ${fmt(a && a.p50Ms * 1000)} | ${fmt(a && a.p99Ms * 1000)} | ${fmt(a?.cpuUsPerReq, 1)} | ` +
        `${fmt(b?.rps)} | ${ratio(b?.rps, base("get-c50"))} | ${fmt(b?.cpuUsPerReq, 1)} | ` +
        `${fmt(h?.rps)} | ${ratio(h?.rps, base("https-c50"))} | ${fmt(h?.cpuUsPerReq, 1)} |`
    )
  }
  out.push(
    "",
    "CPU µs/req is the client process's user + system CPU (`process.cpuUsage`) over the measured phase divided by its " +
      "requests (for wrk: its CPU from bash's `times`); it is steadier than req/s on a shared machine.",
    "",
    "### 100 MB transfers (one at a time)",
    "",
    "| Contender | download MB/s | × undici | peak RSS +MB | CPU ms/100 MB | upload MB/s | × undici | peak RSS +MB | CPU ms/100 MB |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
  )
  for (const c of rows.filter((c) => ran(c, "download", "upload"))) {
    const d = m("download", c)
    const u = m("upload", c)
    out.push(
      `| ${LABEL[c] ?? c} | ${fmt(d?.mbps)} | ${ratio(d?.mbps, base("download"))} | ${fmt(d?.rssDeltaMB, 1)} | ` +
        `${fmt(d?.cpuUsPerReq && d.cpuUsPerReq / 1000)} | ${fmt(u?.mbps)} | ${ratio(u?.mbps, base("upload"))} | ` +
        `${fmt(u?.rssDeltaMB, 1)} | ${fmt(u?.cpuUsPerReq && u.cpuUsPerReq / 1000)} |`
    )
  }
  out.push(
    "",
    "Peak RSS +MB: the process's peak RSS (`getrusage` maxrss) minus its RSS once the client was made, before any " +
      "request. Uploads send 64 KiB chunks with `Content-Length`; nginx's sink reads the whole body before it answers " +
      "with the byte count, which every contender checks.",
    ""
  )

  // HTTP/2 (only when its scenarios ran)
  const H2_BASE = "undici-h2"
  if (r.median["h2-c100"] !== undefined || r.median["h2-download"] !== undefined) {
    const h2base = (sc: string) => headline(r, sc, m(sc, H2_BASE))
    out.push(
      "### HTTP/2 over TLS (one session, nginx's h2 port)",
      "",
      "| Contender | c=100 req/s | × undici h2 | CPU µs/req | 100 MB download MB/s | × undici h2 | peak RSS +MB |",
      "|---|--:|--:|--:|--:|--:|--:|"
    )
    for (const c of rows.filter((c) => m("h2-c100", c) !== undefined || m("h2-download", c) !== undefined)) {
      const a = m("h2-c100", c)
      const d = m("h2-download", c)
      out.push(
        `| ${LABEL[c] ?? c} | ${fmt(a?.rps)} | ${ratio(a?.rps, h2base("h2-c100"))} | ${fmt(a?.cpuUsPerReq, 1)} | ` +
          `${fmt(d?.mbps)} | ${ratio(d?.mbps, h2base("h2-download"))} | ${fmt(d?.rssDeltaMB, 1)} |`
      )
    }
    out.push(
      "",
      "effect-hackney negotiates h2 by ALPN (its default for https); undici with `allowH2: true` and " +
        "`maxConcurrentStreams: 256`; `node:http2` one session; h2load `-c1 -m100` (its CPU from `times`).",
      ""
    )
  }

  // goals
  const g = (sc: string, c: string) => headline(r, sc, m(sc, c))
  const goal = (text: string, value: number | undefined, target: number, fmtV: (x: number) => string, lower = false) =>
    `| ${text} | ${value === undefined ? "–" : fmtV(value)} | ${
      value === undefined ? "not measured" : (lower ? value <= target : value >= target) ? "met" : "**missed**"
    } |`
  const div = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b)
  const x = (v: number) => `${v.toFixed(2)}×`
  const rssOk = (sc: string) => m(sc, "hackney")?.rssDeltaMB
  out.push(
    "### Goals (ratios from this run)",
    "",
    "| Goal | This run | |",
    "|---|--:|---|",
    goal("native small GET c=50 ≥ 1.15× undici `request`", div(g("get-c50", "hackney"), g("get-c50", BASE)), 1.15, x),
    goal(
      "native p50 latency c=1 ≤ undici's (ratio ours/undici)",
      div(m("get-c1", "hackney")?.p50Ms, m("get-c1", BASE)?.p50Ms),
      1,
      x,
      true
    ),
    goal("user-style loop c=50 ≥ 1.0× undici `request` req/s", div(g("get-c50", "hackney-user"), g("get-c50", BASE)), 1, x),
    goal(
      "user-style loop c=50 CPU µs/req ≤ undici `request`'s (ratio ours/undici)",
      div(m("get-c50", "hackney-user")?.cpuUsPerReq, m("get-c50", BASE)?.cpuUsPerReq),
      1,
      x,
      true
    ),
    goal(
      "`HackneyHttpClient.layer` c=50 ≥ 1.6× `NodeHttpClient.layerUndici` (default tracer)",
      div(g("get-c50", "hackney-httpclient"), g("get-c50", "platform-undici")),
      1.6,
      x
    ),
    goal(
      "`HackneyHttpClient.layer` c=50 ≥ 2× `NodeHttpClient.layerUndici`, tracing off (`--only …-untraced`)",
      div(g("get-c50", "hackney-httpclient-untraced"), g("get-c50", "platform-undici-untraced")),
      2,
      x
    ),
    goal("native scaling c=1,000 ≥ 1.0× undici `request`", div(g("scale-c1000", "hackney"), g("scale-c1000", BASE)), 1, x),
    goal("native scaling 1,000 origins ≥ 1.0× undici `request`", div(g("origins-1000", "hackney"), g("origins-1000", BASE)), 1, x),
    goal("native download ≥ 0.95× undici MB/s", div(g("download", "hackney"), g("download", BASE)), 0.95, x),
    goal("native upload ≥ 0.95× undici MB/s", div(g("upload", "hackney"), g("upload", BASE)), 0.95, x),
    goal("native download peak RSS < 64 MB above idle", rssOk("download"), 64, (v) => `+${v.toFixed(1)} MB`, true),
    goal("native upload peak RSS < 64 MB above idle", rssOk("upload"), 64, (v) => `+${v.toFixed(1)} MB`, true),
    ""
  )

  if (r.skipped.length > 0) out.push(...r.skipped.map((s) => `- ${s}`), "")

  const scaling = r.scenarios.filter((sc) => sc.scaling !== undefined && r.median[sc.id] !== undefined)
  if (scaling.length > 0) {
    const who = r.contenders.filter((c) => scaling.some((sc) => r.median[sc.id]?.[c] !== undefined))
    out.push(
      "### Scaling (small GETs: concurrency on one origin; origins with 10 in flight each)",
      "",
      "![CPU µs per request against concurrency and origins](benchmarks-scaling.svg)",
      "",
      `| Scenario | ${who.map((c) => `${plain(c)} req/s | CPU µs/req`).join(" | ")} | native × undici \`request\` |`,
      `|---|${who.map(() => "--:|--:").join("|")}|--:|`
    )
    for (const sc of scaling) {
      out.push(
        `| ${sc.title} | ${who.map((c) => `${fmt(m(sc.id, c)?.rps)} | ${fmt(m(sc.id, c)?.cpuUsPerReq, 1)}`).join(" | ")} | ` +
          `${ratio(g(sc.id, "hackney"), g(sc.id, BASE))} |`
      )
    }
    out.push(
      "",
      "Concurrency c on one origin: c request loops, c connections (the pools' per-host limit). Origins: n nginx " +
        "ports, 10 loops and 10 connections each. CPU µs/req growing with c or n is a super-linear term.",
      ""
    )
  }

  const profs = Object.entries(r.profiles)
  if (profs.length > 0) {
    out.push(
      "### CPU profile, small GET c=50 (self time per request, by area)",
      "",
      `\`node --cpu-prof --cpu-prof-interval=100\` on the bundled contender, cut to the measured phase. µs per request; ` +
        "`idle` is time the event loop waited on the socket.",
      "",
      `| Area | ${profs.map(([c]) => LABEL[c] ?? c).join(" | ")} |`,
      `|---|${profs.map(() => "--:").join("|")}|`
    )
    for (const a of AREAS) {
      if (profs.every(([, p]) => p.areas[a] < 0.0005 * p.windowMs)) continue
      out.push(`| ${a} | ${profs.map(([, p]) => fmt((p.areas[a] * 1000) / p.requests, 2)).join(" | ")} |`)
    }
    out.push(
      `| **CPU (process.cpuUsage) µs/req** | ${profs.map(([, p]) => `**${fmt(p.cpuUsPerReq, 1)}**`).join(" | ")} |`,
      `| requests in the profiled phase | ${profs.map(([, p]) => fmt(p.requests)).join(" | ")} |`,
      ""
    )
    for (const [c, p] of profs) {
      out.push(
        `<details><summary>Top self-time functions: ${LABEL[c] ?? c}</summary>`,
        "",
        "| ms | area | function (module) |",
        "|--:|---|---|",
        ...p.top.map((t) => `| ${fmt(t.ms)} | ${t.area} | \`${t.name.replace(/\|/g, "\\|")}\` |`),
        "",
        "</details>",
        ""
      )
    }
  }
  out.push("### Parser microbenchmark (`bench/http1-parser.ts`)", "", "```", r.parser, "```")
  if (r.errors.length > 0) out.push("", "Failed runs:", "", ...r.errors.map((e) => `- ${e.replace(/\n/g, " ")}`))
  return out.join("\n")
}

export const svg = async (r: Result): Promise<string> => {
  const values: Array<Record<string, string | number>> = []
  for (const sc of r.scenarios) {
    if (sc.scaling !== undefined) continue
    const byC = r.median[sc.id]
    const b = headline(r, sc.id, byC?.[BASE])
    if (byC === undefined || b === undefined) continue
    for (const c of r.contenders) {
      const v = headline(r, sc.id, byC[c])
      if (v === undefined) continue
      values.push({ scenario: `${sc.title} (${sc.unit})`, contender: plain(c), ratio: v / b, label: `${fmt(v)} · ${(v / b).toFixed(2)}×` })
    }
  }
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: "effect-hackney vs undici request (= 1.0) and others", subtitle: `${r.date.slice(0, 10)}, median of ${r.rounds} round(s), Node ${r.machine.node}, nginx 1 worker` },
    data: { values },
    facet: { field: "scenario", type: "nominal", title: null, sort: r.scenarios.map((s) => `${s.title} (${s.unit})`) },
    columns: 2,
    spec: {
      width: 300,
      height: { step: 16 },
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            y: { field: "contender", type: "nominal", sort: r.contenders.map(plain), title: null, axis: { labelLimit: 220 } },
            x: { field: "ratio", type: "quantitative", title: "× undici request" },
            color: {
              condition: { test: "indexof(datum.contender, 'effect-hackney') === 0", value: "#d95f02" },
              value: "#7570b3"
            }
          }
        },
        { mark: { type: "rule", strokeDash: [3, 3] }, encoding: { x: { datum: 1 } } },
        {
          mark: { type: "text", align: "left", dx: 3, fontSize: 9 },
          encoding: {
            y: { field: "contender", type: "nominal", sort: r.contenders.map(plain) },
            x: { field: "ratio", type: "quantitative" },
            text: { field: "label" }
          }
        }
      ]
    },
    resolve: { scale: { x: "independent" } }
  }
  const compiled = vl.compile(spec).spec
  const view = new vega.View(vega.parse(compiled), { renderer: "none" })
  const out = await view.toSVG()
  view.finalize()
  return out
}

/** CPU µs per request against concurrency (one origin) and against origins, one line per contender; undefined without scaling runs. */
export const scalingSvg = async (r: Result): Promise<string | undefined> => {
  const values: Array<Record<string, string | number>> = []
  for (const sc of r.scenarios) {
    if (sc.scaling === undefined) continue
    for (const [c, f] of Object.entries(r.median[sc.id] ?? {})) {
      if (f.cpuUsPerReq === undefined) continue
      values.push({
        axis: sc.scaling.axis === "concurrency" ? "concurrency, one origin" : "origins × 10 in flight",
        x: sc.scaling.x,
        contender: plain(c),
        cpu: f.cpuUsPerReq,
        rps: f.rps
      })
    }
  }
  if (values.length === 0) return undefined
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: "CPU µs per request as concurrency and origins grow (flat = linear cost)", subtitle: `${r.date.slice(0, 10)}, median of ${r.rounds} round(s)` },
    data: { values },
    facet: { column: { field: "axis", type: "nominal", title: null } },
    spec: {
      width: 280,
      height: 200,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "x", type: "quantitative", scale: { type: "log" }, title: null },
        y: { field: "cpu", type: "quantitative", title: "CPU µs/req" },
        color: { field: "contender", type: "nominal", title: null },
        tooltip: [{ field: "contender" }, { field: "x" }, { field: "cpu", format: ".1f" }, { field: "rps", format: ",.0f" }]
      }
    },
    resolve: { scale: { x: "independent" } }
  }
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" })
  const out = await view.toSVG()
  view.finalize()
  return out
}

const SKELETON = `# Benchmarks

How to run: \`npm run bench\` (full) or \`npm run bench -- --quick\` (smoke); see [bench/README.md](../bench/README.md).

## Results

${BEGIN}
${END}
`

/** Returns the results markdown; with `repo`, also writes docs/benchmarks.md (between the markers) and docs/benchmarks.svg. */
export const writeDocs = async (r: Result, resultFile: string, repo: string | undefined): Promise<string> => {
  const md = markdown(r, resultFile)
  if (repo !== undefined) {
    const docPath = path.join(repo, "docs/benchmarks.md")
    const doc = fs.existsSync(docPath) ? fs.readFileSync(docPath, "utf8") : SKELETON
    const i = doc.indexOf(BEGIN)
    const j = doc.indexOf(END)
    if (i < 0 || j < i) throw new Error(`${docPath}: markers ${BEGIN} … ${END} not found`)
    fs.writeFileSync(docPath, `${doc.slice(0, i + BEGIN.length)}\n${md}\n${doc.slice(j)}`)
    fs.writeFileSync(path.join(repo, "docs/benchmarks.svg"), await svg(r))
    const scaling = await scalingSvg(r)
    if (scaling !== undefined) fs.writeFileSync(path.join(repo, "docs/benchmarks-scaling.svg"), scaling)
  }
  return md
}

if (process.argv[1]?.endsWith("report.ts")) {
  const file = process.argv[2]
  if (file === undefined) throw new Error("usage: npx tsx bench/report.ts bench/results/<date>.json")
  const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..")
  const r = JSON.parse(fs.readFileSync(file, "utf8")) as Result
  await writeDocs(r, path.relative(repo, path.resolve(file)), repo)
  console.log("wrote docs/benchmarks.md and docs/benchmarks.svg")
}
