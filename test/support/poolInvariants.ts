// Every test runs with the pool's invariants asserted after each event of its policy (src/internal/pool/state.ts).
import { PoolState } from "../../src/internal/pool/state.js"

PoolState.debug = true
