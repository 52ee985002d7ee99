// Checks the package as a user receives it: `npm pack` (which runs `prepare`, the build), the
// tarball's file list, then an install of that tarball into a throwaway project in a temp dir
// with its peer dependencies, and three consumers there:
//   - ESM: imports `effect-hackney` and every subpath of package.json `exports`, checks that
//     `effect-hackney/internal/*` is closed, and sends one real request (Hackney.get and the
//     HttpClient layer) to an in-process node:http server on 127.0.0.1;
//   - TypeScript: `tsc --noEmit` (strict, no skipLibCheck, so our .d.ts are checked too) under
//     `moduleResolution: node16` and under `bundler`.
// The peers (effect, @effect/platform) and @types/node are pinned to the versions in this repo's
// node_modules and installed with --prefer-offline, so npm's cache (filled by `npm ci`) serves
// them; the registry is asked only for what the cache lacks. Exit 1 on any failure.
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const root = resolve(new URL("..", import.meta.url).pathname)
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const versionOf = (name) => JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version
const tsc = join(root, "node_modules", ".bin", "tsc")
const keep = process.argv.includes("--keep")
const failures = []
const fail = (msg) => failures.push(msg)
const run = (cmd, args, cwd, timeout = 180_000) => {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout })
  } catch (e) {
    const out = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim()
    throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${out || e.message}`)
  }
}
const kB = (n) => `${(n / 1024).toFixed(0)} kB`

const work = mkdtempSync(join(tmpdir(), "effect-hackney-pack-"))
try {
  // 1. Pack (prepare builds dist/ from a clean slate).
  const started = Date.now()
  const out = run("npm", ["pack", "--json", "--pack-destination", work], root)
  const info = JSON.parse(out.slice(out.indexOf("[\n")))[0]
  const tarball = join(work, info.filename)
  const files = info.files.map((f) => f.path)
  const has = new Set(files)
  console.log(`pack: ${info.filename}, ${files.length} files, ${kB(info.size)} (${kB(info.unpackedSize)} unpacked), built and packed in ${((Date.now() - started) / 1000).toFixed(1)} s`)

  // 2. The file list.
  const subpaths = Object.keys(pkg.exports).filter((k) => k.startsWith("./") && !k.includes("*") && k !== "./package.json")
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (target === null || typeof target === "string") continue
    for (const [cond, file] of Object.entries(target)) {
      if (!has.has(file.replace(/^\.\//, ""))) fail(`exports["${key}"].${cond} = ${file} is not in the tarball`)
    }
  }
  for (const f of ["package.json", "README.md", "LICENSE", pkg.main.replace(/^\.\//, ""), pkg.types.replace(/^\.\//, "")]) {
    if (!has.has(f)) fail(`${f} is not in the tarball`)
  }
  const js = files.filter((f) => f.startsWith("dist/") && f.endsWith(".js"))
  for (const f of js) if (!has.has(f.replace(/\.js$/, ".d.ts"))) fail(`${f} has no .d.ts`)
  const allowed = /^(dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)|src\/.+\.ts|package\.json|README\.md|LICENSE)$/
  const forbidden = /(^|\/)(test|tests|bench|examples|fixtures|scripts|docs|coverage|node_modules|\.ci)\/|\.test\.|\.spec\.|\.tsbuildinfo$|\.cpuprofile$/
  for (const f of files) {
    if (forbidden.test(f)) fail(`${f} should not be published`)
    else if (!allowed.test(f)) fail(`${f} is not expected in the tarball (dist/, src/, package.json, README.md, LICENSE)`)
  }
  const srcCount = files.filter((f) => f.startsWith("src/")).length
  if (failures.length === 0) console.log(`pack: ${subpaths.length + 1} entry points with JS and .d.ts, ${js.length} dist modules each with .d.ts, ${srcCount} src/ files (for the source maps), README.md, LICENSE; nothing from test/, bench/, examples/, fixtures, scripts/, docs/`)

  // 3. A throwaway project with the tarball and its peers.
  const app = join(work, "app")
  const peers = { effect: versionOf("effect"), "@effect/platform": versionOf("@effect/platform") }
  run("mkdir", ["-p", app], work)
  writeFileSync(join(app, "package.json"), JSON.stringify({
    name: "throwaway-consumer",
    private: true,
    type: "module",
    dependencies: { "effect-hackney": `file:${tarball}`, ...peers },
    devDependencies: { "@types/node": versionOf("@types/node") }
  }, null, 2))
  const t0 = Date.now()
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], app)
  if (existsSync(join(app, "node_modules", "effect-hackney", "node_modules", "effect"))) {
    fail("effect-hackney got its own copy of effect: the peer dependency did not resolve to the app's")
  }
  console.log(`consumer: installed the tarball with effect ${peers.effect} and @effect/platform ${peers["@effect/platform"]} in ${((Date.now() - t0) / 1000).toFixed(1)} s`)

  // 4. The ESM consumer.
  writeFileSync(join(app, "consumer.mjs"), esmConsumer(subpaths.map((k) => k.slice(2))))
  const esm = run("node", ["consumer.mjs"], app, 30_000).trim()
  console.log(`consumer (ESM): ${esm}`)

  // 5. The TypeScript consumer, under node16 and bundler resolution.
  writeFileSync(join(app, "consumer.ts"), tsConsumer(subpaths.map((k) => k.slice(2))))
  for (const [name, module, moduleResolution] of [["node16", "node16", "node16"], ["bundler", "esnext", "bundler"]]) {
    const config = `tsconfig.${name}.json`
    writeFileSync(join(app, config), JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        // @effect/platform's declarations name DOM types (Storage, Transferable), so its users have
        // "DOM" in lib (or skipLibCheck); we keep skipLibCheck off to check our own .d.ts.
        lib: ["ES2022", "DOM"],
        module,
        moduleResolution,
        types: ["node"],
        strict: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: false,
        noEmit: true
      },
      files: ["consumer.ts"]
    }, null, 2))
    run(tsc, ["-p", config], app)
    console.log(`consumer (TypeScript, moduleResolution ${moduleResolution}): tsc --noEmit passed`)
  }
} catch (e) {
  fail(e.message)
} finally {
  if (keep) console.log(`pack: kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}
if (failures.length) {
  for (const f of failures) console.error(`pack: FAIL ${f}`)
  process.exit(1)
}
console.log("pack: the packed tarball installs and works")

function esmConsumer(modules) {
  return `import { HttpClient } from "@effect/platform"
import { Effect } from "effect"
import * as http from "node:http"
import * as barrel from "effect-hackney"

const modules = ${JSON.stringify(modules)}
for (const name of modules) {
  const mod = await import("effect-hackney/" + name)
  if (barrel[name] !== mod) throw new Error("effect-hackney/" + name + " is not the module the barrel exports as " + name)
}
let closed = false
try { await import("effect-hackney/internal/client/execute.js") } catch (e) { closed = e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" }
if (!closed) throw new Error("effect-hackney/internal/* can be imported")

const server = http.createServer((req, res) => {
  res.setHeader("content-type", "application/json")
  res.end(JSON.stringify({ method: req.method, url: req.url }))
})
await new Promise((ok) => server.listen(0, "127.0.0.1", ok))
const url = "http://127.0.0.1:" + server.address().port + "/hello"
const { Hackney, HackneyHttpClient, Pool } = barrel
try {
  const out = await Effect.runPromise(Effect.gen(function*() {
    const res = yield* Hackney.get(url, { recvTimeout: "2 seconds" })
    const viaClient = yield* HttpClient.get(url).pipe(
      Effect.flatMap((r) => r.json),
      Effect.provide(HackneyHttpClient.layerWithoutHackney)
    )
    const stats = yield* Pool.stats("default")
    return { status: res.status, body: res.json(), viaClient, stats }
  }).pipe(Effect.provide(Hackney.layer), Effect.timeout("10 seconds")))
  if (out.status !== 200 || out.body.url !== "/hello" || out.viaClient.url !== "/hello") throw new Error("unexpected: " + JSON.stringify(out))
  console.log("imported effect-hackney and its " + modules.length + " subpaths (the same modules as the barrel's), internal/* closed; GET /hello -> " +
    out.status + " " + JSON.stringify(out.body) + " with Hackney.get and with HackneyHttpClient; pool: " + out.stats.free + " idle")
} finally {
  server.close()
}
`
}

function tsConsumer(modules) {
  const imports = modules.map((m) => `import * as Sub${m} from "effect-hackney/${m}"`).join("\n")
  const same = modules.map((m) => `const same${m}: typeof Sub${m} = Barrel.${m}`).join("\n")
  return `import { HttpClient } from "@effect/platform"
import { Effect, Layer, Stream } from "effect"
import * as Barrel from "effect-hackney"
import { Hackney, HackneyError, HackneyHttpClient, Pool } from "effect-hackney"
${imports}
// @ts-expect-error internal modules are not part of the package's exports
import * as Internal from "effect-hackney/internal/client/execute"

${same}

const get: Effect.Effect<Hackney.Response, HackneyError.HackneyError> = Hackney.get("http://127.0.0.1:8080/", {
  headers: { accept: "application/json" },
  recvTimeout: "2 seconds"
})
const streamed: Effect.Effect<number, HackneyError.HackneyError> = Effect.scoped(
  Effect.flatMap(Hackney.stream("GET", "http://127.0.0.1:8080/big"), (res) =>
    res.body.pipe(Stream.runFold(0, (n, chunk: Uint8Array) => n + chunk.length)))
)
const handled: Effect.Effect<number> = get.pipe(
  Effect.map((res) => res.status),
  Effect.catchTag("RecvTimeout", (e: HackneyError.RecvTimeout) => Effect.succeed(e.timeoutMillis)),
  Effect.provide(Pool.layer({ name: "api", maxPerHost: 10 })),
  // Pool.layer fails with InvalidRequest on invalid options: typed too.
  Effect.catchAll(() => Effect.succeed(0))
)
const client: Layer.Layer<HttpClient.HttpClient> = HackneyHttpClient.layer
const viaClient: Effect.Effect<unknown, unknown> = HttpClient.get("http://127.0.0.1:8080/").pipe(
  Effect.flatMap((res) => res.json),
  Effect.provide(client)
)
const stats: Effect.Effect<Pool.Stats, HackneyError.InvalidRequest> = Pool.stats("api")

export { handled, Internal, stats, streamed, viaClient }
`
}
