// make bench-faults (issue #20, item 7): does the partner server lose or double a paid reward
// under injected faults? On loopback only, every part started here:
//   a throwaway PostgreSQL (this script restarts it), two sir-partner-server instances on it
//   (A and B), one sir-sandbox whose webhooks go through a round-robin HTTP proxy in front of
//   the two instances (a dead instance is a failed delivery, which SIR retries).
// The run:
//   1. donors (one donation each, from 64 source addresses) sign in and create their donation
//      through the instances (POST /sir/session, POST /sir/donations), so every one has an owner;
//   2. the faults start: one address (127.0.0.3) holds 2,000 idle TCP connections to A (a
//      quarter of them after an HTTP/2 preface), reopening any the server closes; eight
//      addresses (127.0.1.1-8) drip unsigned webhook bodies, 1 byte every 1.5 s, 8 per
//      address to each instance;
//   3. the sandbox completes every donation as fast as it answers (its test control, which
//      sends `transaction.completed`); meanwhile B is SIGKILLed and restarted, then
//      PostgreSQL is restarted (`pg_ctl -m immediate`); each donor polls its donation as the
//      widget does;
//   4. the faults stop; the run waits (bounded) until every paid donation is rewarded or held.
// The figures come from ground truth, not from the partner server's counters:
//   paid     the donations the sandbox completed;
//   issued   the SIR ledger: each donor's balance at the sandbox (one donation of $5 each, so
//            5 tokens per reward), checked against the action.completed events SIR emitted;
//   doubled  a donation credited more than once, with more than one action id, or with more
//            than one row in the partner's `rewards` table;
//   held     `rewards` rows in state 'held' (with their last_error), read from PostgreSQL;
//   lost     paid, and neither issued nor held once the run settled;
//   retries  webhook events that needed more than one delivery attempt, from the sandbox's
//            own log of every attempt (and the events it gave up on).
// Prints a Markdown report on stdout (progress on stderr), writes it to
// bench/results/faults-<date>.md (--out FILE elsewhere), exits 1 if anything was lost or
// doubled. `--small` is the `make test` tier: 40 donations, the same faults but PostgreSQL's
// restart, shorter; `--tap` adds TAP lines the test tally counts.
//   bench/faults/netns.sh node bench/faults.mjs            (after `make servers`)
// Settings (environment): FAULTS_BIN_DIR (default target/debug), FAULTS_DONATIONS,
// FAULTS_IDLE_CONNECTIONS, FAULTS_SETTLE_SECS, FAULTS_LABEL (names the results file),
// FAULTS_PARTNER_ENV ("NAME=value,NAME=value" added to both instances' environment),
// FAULTS_POSTGRES_AFTER_BACK_MS (PostgreSQL restarts that long after B's restart, not at 60%).
import { execFileSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Drips, IdleFlood, Probe } from "./faults/attacks.mjs";
import { Postgres } from "./faults/postgres.mjs";
import { LogTally, startServer } from "./faults/processes.mjs";
import { BalancingProxy } from "./faults/proxy.mjs";
import { DeliveryLog, SirDeliveries } from "./faults/sir-log.mjs";
import { count, countBy, freePort, pool, request, sleep, totalBy } from "./faults/util.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, "..");
const args = process.argv.slice(2);
const SMALL = args.includes("--small");
const TAP = args.includes("--tap");
const outIndex = args.indexOf("--out");
const numberFrom = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);

/** The scenario. The small one is `make test`'s: the same faults but PostgreSQL's restart. */
const SCENARIO = {
  donations: numberFrom("FAULTS_DONATIONS", SMALL ? 40 : 1000),
  idleConnections: numberFrom("FAULTS_IDLE_CONNECTIONS", 2000),
  drips: true,
  dripAddresses: 8,
  dripsPerAddressAndInstance: 8,
  dripIntervalMs: 1500,
  kill: true,
  killAtFraction: 0.2,
  downMs: SMALL ? 2000 : 3000,
  postgresRestart: !SMALL,
  postgresAtFraction: 0.6,
  /** Set: PostgreSQL restarts this long after B is back instead (B is then still applying the stored backlog). */
  postgresAfterBackMs: process.env.FAULTS_POSTGRES_AFTER_BACK_MS
    ? Number(process.env.FAULTS_POSTGRES_AFTER_BACK_MS)
    : null,
  /** Faults go on this long after the last payment, so they meet SIR's retries. */
  holdAfterMs: SMALL ? 6000 : 20000,
  settleMs: numberFrom("FAULTS_SETTLE_SECS", SMALL ? 40 : 180) * 1000,
  /** The sandbox's delivery schedule: attempts 1 + 4 retries at base, 2×, 4×, 8×. */
  webhookAttempts: 5,
  webhookRetryBaseMs: SMALL ? 500 : 1000,
  createConcurrency: 16,
  completeConcurrency: 16,
  /** Each donor's page polls its donation (every 4 s, at most this often) until it settles. */
  polls: 4,
  pollEveryMs: 4000,
};

const BIN_DIR = process.env.FAULTS_BIN_DIR ? process.env.FAULTS_BIN_DIR : join(ROOT, "target/debug");
const SK = "sk_test_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7";
const PK = "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378";
const HMAC = "d2dd24eac6bcec3d55c01a49af7948725fb96acd329e06655a2a59bd2a1706c3";
const WHSEC = "whsec_78fa7c67cb3171ebea2a41e9da818cf05dd7d48d972e0b4410f002554656a0e1";
const ORIGIN = "http://127.0.0.1:8080";
const AMOUNT_CENTS = 500;
const TOKENS_PER_REWARD = 5;
const NONPROFIT = "american-red-cross";
/** Who is who on loopback: each role its own source address. */
const ADDRESS = {
  harness: "127.0.0.1",
  sir: "127.0.0.2",
  idle: "127.0.0.3",
  probe: "127.0.0.4",
  drip: (n) => `127.0.1.${n + 1}`,
  donor: (n) => `127.0.2.${(n % 64) + 1}`,
};

const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const since = () => seconds(Date.now() - started);
const log = (...parts) => console.error(`faults [${since()}]:`, ...parts);
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const RUN_DIR = join(ROOT, "target/faults", stamp);
mkdirSync(RUN_DIR, { recursive: true });

const sha256Hex = (data) => createHash("sha256").update(data).digest("hex");

/** A signed GET to the sandbox's partner API (API reference §4). */
function signedGet(port, path) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", HMAC)
    .update(`${timestamp}GET${path}${sha256Hex("")}`)
    .digest("hex");
  return request({ port, path, headers: { "x-partner-key": SK, "x-timestamp": timestamp, "x-signature": signature } });
}

// ---------------------------------------------------------------- the partner instances

class Instance {
  constructor(name, port, metricsPort, env) {
    Object.assign(this, { name, port, metricsPort, env, logs: new LogTally(), starts: 0, failedStarts: 0 });
    /** Exits nobody asked for, after it was listening: no supervisor restarts it here, so its effect shows. */
    this.crashes = [];
  }

  async start() {
    this.starts += 1;
    const env = {
      ...this.env,
      PARTNER_LISTEN: `127.0.0.1:${this.port}`,
      PARTNER_METRICS_LISTEN: `127.0.0.1:${this.metricsPort}`,
    };
    Object.assign(env, extraPartnerEnv());
    const server = startServer({
      name: `partner-${this.name}`,
      command: join(BIN_DIR, "sir-partner-server"),
      env,
      logDir: RUN_DIR,
      logTally: this.logs,
    });
    this.process = server;
    await server.url;
    this.upSince = Date.now();
    server.exited.then(({ code, signal }) => {
      if (server.killed) return;
      const last =
        server
          .tail()
          .filter((line) => !/ INFO /.test(line))
          .at(-1) ?? "";
      this.crashes.push({ at: Date.now(), how: code ?? signal, last });
      log(`${this.name} EXITED on its own (${code ?? signal}): ${last.slice(0, 300)}`);
    });
  }

  /** Starts again, as a supervisor would (systemd Restart=always): retried while it fails, e.g. while PostgreSQL is down. */
  async restart(deadlineMs = 60000) {
    const until = Date.now() + deadlineMs;
    for (;;) {
      try {
        await this.start();
        return;
      } catch (error) {
        this.failedStarts += 1;
        this.lastStartError = String(error.message ?? error);
        if (Date.now() > until) throw error;
        log(`${this.name} did not start (${this.lastStartError.slice(0, 200)}); trying again in 1 s`);
        await sleep(1000);
      }
    }
  }

  async kill() {
    const { child, exited } = this.process;
    this.process.killed = true;
    child.kill("SIGKILL");
    await exited;
  }
}

function extraPartnerEnv() {
  const extra = {};
  for (const pair of (process.env.FAULTS_PARTNER_ENV ?? "").split(",")) {
    const at = pair.indexOf("=");
    if (at > 0) extra[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return extra;
}

// ---------------------------------------------------------------- the run

const loopDelay = monitorEventLoopDelay({ resolution: 20 });

async function main() {
  loopDelay.enable();
  for (const binary of ["sir-sandbox", "sir-partner-server"]) {
    if (!existsSync(join(BIN_DIR, binary)))
      throw new Error(`${join(BIN_DIR, binary)} is missing: make servers builds it`);
  }
  log(
    `${SMALL ? "small" : "full"} scenario: ${SCENARIO.donations} donations; binaries from ${BIN_DIR}; logs in ${RUN_DIR}`,
  );
  const timeline = [];
  const mark = (what) => {
    timeline.push({ at: Date.now(), what });
    log(what);
  };

  const postgres = new Postgres();
  await postgres.start();
  mark(`PostgreSQL on 127.0.0.1:${postgres.port}`);

  const ports = { a: await freePort(), b: await freePort(), metricsA: await freePort(), metricsB: await freePort() };
  const proxy = new BalancingProxy(
    [
      { name: "A", port: ports.a },
      { name: "B", port: ports.b },
    ],
    ADDRESS.sir,
  );
  const proxyPort = await proxy.listen();
  const sir = new SirDeliveries();
  const sandbox = startServer({
    name: "sandbox",
    command: join(BIN_DIR, "sir-sandbox"),
    args: [
      ...["--port", "0", "--rate-limit", "100000000", "--log-format", "json"],
      ...["--webhook-url", `http://127.0.0.1:${proxyPort}/webhooks/sir`, "--webhook-secret", WHSEC],
      ...["--webhook-attempts", String(SCENARIO.webhookAttempts)],
      ...["--webhook-retry-base-ms", String(SCENARIO.webhookRetryBaseMs)],
    ],
    env: { PATH: process.env.PATH },
    logDir: RUN_DIR,
    onLine: (line) => sir.add(line),
  });
  const sandboxUrl = await sandbox.url;
  const sandboxPort = Number(new URL(sandboxUrl).port);
  // Every reward paid in full: the seeded pool pays for 2,000 of them.
  await request({ port: sandboxPort, method: "POST", path: "/__sandbox/pool", body: { tokens: 1_000_000_000 } });

  const partnerEnv = {
    PATH: process.env.PATH,
    SIR_API_BASE: sandboxUrl,
    SIR_SECRET_KEY: SK,
    SIR_HMAC_SECRET: HMAC,
    SIR_WEBHOOK_SECRET: WHSEC,
    SIR_PUBLISHABLE_KEY: PK,
    PARTNER_IDENTITY: "demo",
    PARTNER_ALLOWED_ORIGINS: ORIGIN,
    PARTNER_DATABASE_URL: postgres.url,
    // A thousand donors share 64 addresses here; a browser's limits would stop the bench, not an attacker.
    PARTNER_SIGN_INS_PER_IP: "100000",
    PARTNER_RATE_PER_IP: "1000000",
    PARTNER_RATE_PER_SESSION: "100000",
    // The outbox backs off and a dead instance's leases expire within the run's bounds.
    PARTNER_OUTBOX_RETRY_BASE_MS: "500",
    PARTNER_OUTBOX_RETRY_MAX_MS: "10000",
    PARTNER_OUTBOX_LEASE_MS: "10000",
    // Reconciliation (issue #20, item 4) after SIR's retries are over, so a webhook gets its chance first.
    PARTNER_RECONCILE_AFTER_SECS: SMALL ? "10" : "30",
    PARTNER_RECONCILE_EVERY_SECS: SMALL ? "2" : "5",
  };
  const a = new Instance("A", ports.a, ports.metricsA, partnerEnv);
  const b = new Instance("B", ports.b, ports.metricsB, partnerEnv);
  await a.start();
  await b.start();
  mark(`sandbox at ${sandboxUrl}; webhooks through the proxy on :${proxyPort} to A :${ports.a} and B :${ports.b}`);

  // 1. Donors, each with one donation, created through the instances in turn.
  const runId = stamp.slice(11, 19).replace(/-/g, "");
  const donors = Array.from({ length: SCENARIO.donations }, (_, n) => ({
    n,
    email: `faults-${runId}-${n}@example.com`,
    address: ADDRESS.donor(n),
    instance: n % 2 === 0 ? a : b,
  }));
  const createErrors = new Map();
  const createStart = Date.now();
  await pool(donors, SCENARIO.createConcurrency, async (donor) => {
    for (let tries = 0; tries < 5 && !donor.id; tries++) {
      if (tries > 0) await sleep(500 * tries);
      const common = { port: donor.instance.port, localAddress: donor.address, headers: { origin: ORIGIN } };
      if (!donor.cookie) {
        const signIn = await request({ ...common, method: "POST", path: "/sir/session", body: { email: donor.email } });
        const cookie = signIn.headers?.["set-cookie"]?.[0]?.split(";")[0];
        if (signIn.status !== 200 || !cookie) {
          count(createErrors, `sign-in ${signIn.status ?? signIn.error} ${signIn.json?.code ?? ""}`.trim());
          continue;
        }
        donor.cookie = cookie;
        donor.externalId = signIn.json.externalId;
      }
      const created = await request({
        ...common,
        method: "POST",
        path: "/sir/donations",
        headers: { origin: ORIGIN, cookie: donor.cookie },
        body: { nonprofitSlug: NONPROFIT, amount: AMOUNT_CENTS, currency: "USD", frequency: "once" },
      });
      if (created.status === 201 && created.json?.partnerDonationId) donor.id = created.json.partnerDonationId;
      else count(createErrors, `create ${created.status ?? created.error} ${created.json?.code ?? ""}`.trim());
    }
  });
  const withDonation = donors.filter((donor) => donor.id);
  mark(`${withDonation.length} of ${donors.length} donations created in ${seconds(Date.now() - createStart)}`);
  if (withDonation.length === 0) throw new Error(`no donation could be created: ${[...createErrors].join("; ")}`);

  // 2. The standing faults: the idle flood on A, the drips on both.
  const flood = new IdleFlood(ports.a, SCENARIO.idleConnections, ADDRESS.idle);
  const drips = SCENARIO.drips
    ? new Drips(
        [
          { name: "A", port: ports.a },
          { name: "B", port: ports.b },
        ],
        Array.from({ length: SCENARIO.dripAddresses }, (_, n) => ADDRESS.drip(n)),
        SCENARIO.dripsPerAddressAndInstance,
        SCENARIO.dripIntervalMs,
      )
    : null;
  const probe = new Probe(ports.a, [ADDRESS.probe, ADDRESS.idle]);
  const deliveries = new DeliveryLog(sandboxPort);
  const deliveryPolling = deliveries.start();
  await flood.start();
  drips?.start();
  // Give the flood a moment to be whole before the first payment.
  const dripsWanted = drips ? 2 * SCENARIO.dripAddresses * SCENARIO.dripsPerAddressAndInstance : 0;
  for (
    let waited = 0;
    waited < 5000 && (flood.open < SCENARIO.idleConnections || (drips && drips.open < dripsWanted));
    waited += 250
  ) {
    await sleep(250);
  }
  mark(
    `idle flood on A: ${flood.open} connections open from ${ADDRESS.idle}${drips ? `; drips: ${drips.maxOpen} slow bodies opened from ${SCENARIO.dripAddresses} addresses` : ""}`,
  );
  const probing = probe.start();

  // 3. Payments at the sandbox, as fast as it answers, with the kill and the restart on the way.
  let paidCount = 0;
  const faultsDone = [];
  const killAt = Math.ceil(withDonation.length * SCENARIO.killAtFraction);
  const postgresAt = Math.ceil(withDonation.length * SCENARIO.postgresAtFraction);
  let killDone = Promise.resolve();
  const killAndRestart = async () => {
    mark(`SIGKILL B (after ${paidCount} payments)`);
    await b.kill();
    await sleep(SCENARIO.downMs);
    mark("restarting B");
    await b.restart();
    mark(`B is back (${b.failedStarts} failed starts)`);
  };
  const restartPostgres = async () => {
    // One fault at a time: wait for B to be back.
    await killDone;
    await sleep(SCENARIO.postgresAfterBackMs ?? 1000);
    mark(`PostgreSQL restart -m immediate (after ${paidCount} payments)`);
    const t0 = Date.now();
    await postgres.restart();
    mark(`PostgreSQL is back after ${seconds(Date.now() - t0)}`);
  };
  const polls = [];
  const completeErrors = new Map();
  const payStart = Date.now();
  mark("payments start");
  await pool(withDonation, SCENARIO.completeConcurrency, async (donor) => {
    const answer = await request({
      port: sandboxPort,
      method: "POST",
      path: `/__sandbox/donations/${donor.id}/status`,
      body: { status: "completed" },
    });
    if (answer.json?.status !== "completed") {
      count(completeErrors, `${answer.status ?? answer.error}`);
      return;
    }
    donor.paidAt = Date.now();
    paidCount += 1;
    if (SCENARIO.kill && paidCount === killAt) {
      killDone = killAndRestart();
      faultsDone.push(killDone);
    }
    const postgresNow = SCENARIO.postgresAfterBackMs === null ? paidCount === postgresAt : paidCount === killAt;
    if (SCENARIO.postgresRestart && postgresNow) faultsDone.push(restartPostgres());
    polls.push(pollAsTheWidgetDoes(donor, [a, b]));
  });
  const paid = withDonation.filter((donor) => donor.paidAt);
  const lastPaymentAt = Math.max(...paid.map((donor) => donor.paidAt));
  mark(`${paid.length} donations paid in ${seconds(lastPaymentAt - payStart)}`);
  await Promise.all(faultsDone);
  const holdUntil = lastPaymentAt + SCENARIO.holdAfterMs;
  if (Date.now() < holdUntil) await sleep(holdUntil - Date.now());
  flood.stop();
  drips?.stop();
  probe.stopped = true;
  await probing;
  mark(`faults stopped (the flood's server-closed connections: ${flood.closedByServer})`);

  // 4. Settling: every paid donation rewarded (an action at SIR) or held, or the time is up.
  const paidIds = new Set(paid.map((donor) => donor.id));
  const actionsByDonation = () => {
    const actions = new Map();
    for (const event of proxy.events.values()) {
      if (event.type !== "action.completed") continue;
      const id = donationOfAction(event.data);
      if (!id) continue;
      if (!actions.has(id)) actions.set(id, new Map());
      actions.get(id).set(event.data.actionId, event.firstSeen);
    }
    return actions;
  };
  // A donation SIR calls paid whose webhook never came is held too, if the partner tells its
  // operator so (issue #20: /healthz counts them, the log names them); today's server keeps
  // such a donation as completed/api and tells nobody, which is a loss.
  const flagsPaidWithoutWebhook = async () => {
    const health = await request({ port: ports.a, path: "/healthz", timeoutMs: 5000 });
    return typeof health.json?.donations?.paidWithoutWebhook === "number";
  };
  const completionEvent = (id) => {
    for (const event of proxy.events.values()) {
      if (event.type === "transaction.completed" && event.data.partnerDonationId === id)
        return sir.events.get(event.id);
    }
    return undefined;
  };
  const heldIds = async (flagged) => {
    try {
      const rows = await postgres.psql(
        "faults",
        `SELECT d.partner_donation_id, r.state FROM donations d LEFT JOIN rewards r USING (partner_donation_id)
         WHERE r.state = 'held' OR (d.status = 'completed' AND d.source = 'api' AND r.state IS NULL)`,
      );
      // Flagged as paid without a webhook counts once SIR is done delivering it (it may still come).
      return new Set(
        rows
          .filter(
            ([id, state]) => state === "held" || (flagged && (completionEvent(id)?.gaveUp || completionEvent(id)?.ok)),
          )
          .map(([id]) => id),
      );
    } catch {
      return new Set();
    }
  };
  const settleStart = Date.now();
  let unsettled = paidIds.size;
  while (Date.now() - settleStart < SCENARIO.settleMs) {
    const actions = actionsByDonation();
    const held = await heldIds(await flagsPaidWithoutWebhook());
    unsettled = [...paidIds].filter((id) => !actions.has(id) && !held.has(id)).length;
    if (unsettled === 0) break;
    await sleep(2000);
  }
  await Promise.all(polls);
  mark(
    unsettled === 0
      ? "settled: every paid donation is rewarded or held"
      : `not settled after ${seconds(SCENARIO.settleMs)}: ${unsettled} paid donations neither rewarded nor held`,
  );
  // The last deliveries of the settling phase, then SIR's books.
  await sleep(1000);
  deliveries.stopped = true;
  await deliveryPolling;
  await deliveries.poll();

  // ---------------------------------------------------------------- ground truth
  const balanceErrors = new Map();
  await pool(paid, 8, async (donor) => {
    const answer = await signedGet(sandboxPort, `/v1/partner/users/${encodeURIComponent(donor.externalId)}/balance`);
    if (answer.status === 200) donor.balance = answer.json.balance;
    else if (answer.status === 404) donor.balance = 0;
    else count(balanceErrors, `${answer.status ?? answer.error}`);
  });
  const stats = (await request({ port: sandboxPort, path: "/__sandbox/stats" })).json;
  const flagged = await flagsPaidWithoutWebhook();
  const rewardRows = await postgres.psql(
    "faults",
    "SELECT partner_donation_id, state, COALESCE(last_error, ''), attempts FROM rewards",
  );
  const donationRows = await postgres.psql("faults", "SELECT partner_donation_id, status, source FROM donations");
  const unappliedRows = await postgres.psql(
    "faults",
    "SELECT event_type, COALESCE(apply_error, ''), count(*) FROM webhook_events WHERE applied_at IS NULL GROUP BY 1, 2",
  );
  const rewardsOf = new Map();
  for (const [id, state, lastError, attempts] of rewardRows) {
    if (!rewardsOf.has(id)) rewardsOf.set(id, []);
    rewardsOf.get(id).push({ state, lastError, attempts: Number(attempts) });
  }
  const donationOf = new Map(donationRows.map(([id, status, source]) => [id, { status, source }]));

  const actions = actionsByDonation();
  const issued = [];
  const doubled = [];
  const held = [];
  const lost = [];
  const oddAmounts = [];
  for (const donor of paid) {
    const credits = donor.balance === undefined ? null : donor.balance / TOKENS_PER_REWARD;
    const actionIds = actions.get(donor.id) ?? new Map();
    const rows = rewardsOf.get(donor.id) ?? [];
    if (donor.balance !== undefined && donor.balance % TOKENS_PER_REWARD !== 0) oddAmounts.push(donor);
    if ((credits ?? 0) > 1 || actionIds.size > 1 || rows.length > 1) doubled.push(donor);
    if ((credits ?? 0) >= 1 || actionIds.size >= 1) issued.push(donor);
    else if (rows.some((row) => row.state === "held")) {
      held.push(donor);
      donor.heldFor = rows.find((row) => row.state === "held").lastError || "(no reason given)";
    } else if (
      flagged &&
      rows.length === 0 &&
      donationOf.get(donor.id)?.status === "completed" &&
      donationOf.get(donor.id)?.source === "api"
    ) {
      held.push(donor);
      donor.heldFor = "paid per SIR's status API, no signed webhook (flagged in /healthz)";
    } else lost.push(donor);
  }
  const heldReasons = countBy(held.map((donor) => donor.heldFor));
  // Paid, but the partner knows it only from SIR's status endpoint (source 'api'): no webhook was applied.
  const paidWithoutWebhook = paid.filter((donor) => donationOf.get(donor.id)?.source === "api");

  const rewardTimes = [...actions].filter(([id]) => paidIds.has(id)).flatMap(([, ids]) => [...ids.values()]);
  const lastRewardAt = rewardTimes.length ? Math.max(...rewardTimes) : null;

  // What became of each lost donation at the partner, and of its transaction.completed at SIR.
  const completionOf = new Map();
  for (const event of proxy.events.values()) {
    if (event.type === "transaction.completed") completionOf.set(event.data.partnerDonationId, event.id);
  }
  const lostShapes = new Map();
  const lostExamples = new Map();
  for (const donor of lost) {
    const donation = donationOf.get(donor.id);
    const rows = rewardsOf.get(donor.id) ?? [];
    const event = sir.events.get(completionOf.get(donor.id));
    const wire = !event
      ? "transaction.completed never sent"
      : event.ok
        ? "transaction.completed answered 2xx"
        : event.gaveUp
          ? `SIR gave up on transaction.completed after ${event.attempts.length} failed attempts`
          : `transaction.completed failed ${event.attempts.length} times, SIR still retrying`;
    const partner = `partner: ${donation ? `${donation.status}/${donation.source}` : "no donation row"}, ${rows.length ? `reward ${rows.map((r) => `${r.state}${r.lastError ? ` (${r.lastError.slice(0, 80)})` : ""}`).join(", ")}` : "no reward row"}`;
    const shape = `${wire}; ${partner}`;
    count(lostShapes, shape);
    if (!lostExamples.has(shape)) lostExamples.set(shape, []);
    lostExamples.get(shape).push(donor.id);
  }

  // Deliveries, as SIR saw them (its log), by event type.
  const sirEvents = [...sir.events.values()].filter((event) => event.attempts.length > 0);
  const retried = sirEvents.filter((event) => event.attempts.length > 1);
  const gaveUp = sirEvents.filter((event) => event.gaveUp);
  const firstFailed = sirEvents.filter((event) => event.attempts.some((a) => a.attempt === 1 && !a.ok));
  const byType = (events) => totalBy(countBy(events.map((event) => event.type ?? "?")));
  const attempts = sirEvents.flatMap((event) => event.attempts);
  const failedAttempts = attempts.filter((a) => !a.ok);
  // Why attempts failed, in SIR's words (its /__sandbox log, polled; the last 1,000 at any time).
  const causes = countBy(
    [...deliveries.records.values()]
      .filter((record) => !record.ok)
      .map((record) =>
        record.statusCode
          ? `HTTP ${record.statusCode}`
          : (record.error ?? "no answer").replace(/\d+/g, "N").slice(0, 90),
      ),
  );

  // The partner's own view, beside (never instead of) the ground truth.
  const partnerView = [];
  for (const instance of [a, b]) {
    const health = await request({ port: instance.port, path: "/healthz", timeoutMs: 5000 });
    const metrics = await request({ port: instance.metricsPort, path: "/metrics", timeoutMs: 5000 });
    const series =
      metrics.status === 200 ? metrics.text.split("\n").filter((line) => line && !line.startsWith("#")) : [];
    partnerView.push({ instance, health: health.json ?? health.error ?? health.status, series });
  }

  // ---------------------------------------------------------------- the report
  const paidAfter = (at) =>
    at === null ? "no reward at all" : `${seconds(at - lastPaymentAt)}${lost.length ? ` (${lost.length} never)` : ""}`;
  const rows = [
    ["Donations paid (completed at the sandbox)", `${paid.length}`],
    ["Rewards issued (SIR ledger: donors' balances)", `${issued.length}`],
    ["Rewards lost (paid, neither issued nor held)", `**${lost.length}**`],
    ["Rewards doubled", `**${doubled.length}**`],
    ["Rewards held for an operator (reason)", held.length ? `${held.length} (${totalBy(heldReasons)})` : "0"],
    ["Time from the last payment to the last reward", paidAfter(lastRewardAt)],
    [
      "Webhook events that needed a retry",
      `${retried.length} of ${sirEvents.length} events (${firstFailed.length} first attempts failed; SIR gave up on ${gaveUp.length} after ${SCENARIO.webhookAttempts} attempts${gaveUp.length ? `: ${byType(gaveUp)}` : ""})`,
    ],
  ];
  const table = ["| Figure | Value |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
  const faultRows = [
    [
      "2,000 idle connections",
      `${flood.maxOpen} held at most from ${ADDRESS.idle} to A (a quarter after an HTTP/2 preface); the server closed ${flood.closedByServer}, each reopened; connect errors: ${totalBy(flood.errors) || "none"}`,
    ],
    [
      "Reaching A during the flood (GET /healthz every 2 s)",
      `from ${ADDRESS.probe}: ${probe.summary(ADDRESS.probe)}; from ${ADDRESS.idle}: ${probe.summary(ADDRESS.idle)}`,
    ],
  ];
  if (drips) {
    faultRows.push([
      "Slow unsigned webhook bodies",
      `${drips.maxOpen} at most, from ${SCENARIO.dripAddresses} addresses, 1 byte every ${seconds(SCENARIO.dripIntervalMs)}; answers: ${totalBy(drips.answered) || "none"}; errors: ${totalBy(drips.errors) || "none"}`,
    ]);
  }
  for (const instance of [a, b]) {
    for (const crash of instance.crashes) {
      timeline.push({
        at: crash.at,
        what: `**${instance.name} exited on its own** (exit ${crash.how}), and stayed down: \`${crash.last.replace(/`/g, "'").slice(0, 240)}\``,
      });
    }
  }
  timeline.sort((x, y) => x.at - y.at);
  for (const { at, what } of timeline.filter((t) => /SIGKILL|restart|back|exited/.test(t.what))) {
    faultRows.push([`${seconds(at - payStart)} after the first payment`, what]);
  }
  const faultTable = ["| Fault | What happened |", "|---|---|", ...faultRows.map(([k, v]) => `| ${k} | ${v} |`)].join(
    "\n",
  );

  const details = [];
  if (lost.length) details.push("- Lost, by what happened:");
  for (const [shape, n] of [...lostShapes].sort((x, y) => y[1] - x[1])) {
    details.push(`  - ×${n} ${shape} (e.g. ${lostExamples.get(shape).slice(0, 3).join(", ")})`);
  }
  if (doubled.length) {
    details.push(
      `- Doubled: ${doubled
        .slice(0, 10)
        .map(
          (d) =>
            `${d.id} (balance ${d.balance}, ${actions.get(d.id)?.size ?? 0} action ids, ${(rewardsOf.get(d.id) ?? []).length} reward rows)`,
        )
        .join("; ")}.`,
    );
  }
  if (oddAmounts.length)
    details.push(
      `- Credited another amount than ${TOKENS_PER_REWARD} tokens per reward: ${oddAmounts
        .slice(0, 10)
        .map((d) => `${d.id} (${d.balance})`)
        .join(", ")}.`,
    );
  details.push(
    `- Paid but known to the partner only from SIR's status endpoint (source 'api', no webhook applied): ${paidWithoutWebhook.length}; ${flagged ? "the partner flags them (/healthz donations.paidWithoutWebhook)" : "the partner's /healthz does not count them"}.`,
  );
  details.push(
    `- SIR's books: ${stats?.actions?.completed ?? "?"} actions completed, ${stats?.actions?.repeats ?? "?"} resubmissions answered 409 IDEMPOTENT${balanceErrors.size ? `; balance reads failed: ${totalBy(balanceErrors)}` : ""}.`,
  );
  details.push(
    `- SIR's deliveries: ${attempts.length} attempts, ${failedAttempts.length} failed; retried events by type: ${byType(retried) || "none"}. Failures by cause: ${totalBy(causes) || "none"}${deliveries.gaps ? ` (causes from a log that dropped records ${deliveries.gaps} times between polls)` : ""}.`,
  );
  details.push(`- Delivery answers by instance: ${totalBy(proxy.outcomes)}.`);
  const timings = proxy.timings();
  details.push(
    `- Delivery times at the proxy: SIR's body in ${timings.body}; connection to the instance accepted in ${timings.connect}${timings.neverConnected ? ` (${timings.neverConnected} never)` : ""}; answered in ${timings.answer}. The harness's own event loop lagged ${Math.round(loopDelay.max / 1e6)} ms at worst (p99 ${Math.round(loopDelay.percentile(99) / 1e6)} ms).`,
  );
  if (createErrors.size) details.push(`- Donation set-up errors (retried): ${totalBy(createErrors)}.`);
  if (completeErrors.size) details.push(`- Payments the sandbox refused: ${totalBy(completeErrors)}.`);
  details.push(`- Donors' status polls: ${totalBy(pollOutcomes) || "none"}.`);
  details.push(
    `- Partner rows: ${totalBy(new Map([...countBy(rewardRows.map((r) => `reward ${r[1]}`)), ...countBy(donationRows.map((r) => `donation ${r[1]}/${r[2]}`))]))}; webhook events not applied: ${unappliedRows.length ? unappliedRows.map(([type, error, n]) => `${type} (${error || "no error"}) ×${n}`).join("; ") : "0"}.`,
  );
  for (const { instance, health, series } of partnerView) {
    const levels = Object.entries(instance.logs.levels)
      .map(([level, n]) => `${level} ${n}`)
      .join(", ");
    details.push(
      `- Instance ${instance.name}: started ${instance.starts} times (${instance.failedStarts} failed starts${instance.lastStartError ? `: ${instance.lastStartError.slice(0, 160)}` : ""}); log lines ${levels || "none"}; /healthz ${JSON.stringify(health)}${series.length ? `; /metrics ${series.length} series` : "; no /metrics"}.`,
    );
    const top = [...instance.logs.messages].sort((x, y) => y[1] - x[1]).slice(0, 6);
    for (const [message, n] of top) details.push(`  - ×${n} \`${message.replace(/`/g, "'")}\``);
  }
  const metricLines = partnerView.flatMap(({ instance, series }) =>
    series
      .filter((line) => /deliver|reward|reconcil|outbox|connection|shed|held/i.test(line))
      .slice(0, 40)
      .map((line) => `${instance.name} ${line}`),
  );

  const binaries = describeBinaries();
  const report = [
    `## Faults run${SMALL ? " (small)" : ""}: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `${paid.length} donations from ${Math.min(64, donors.length)} addresses, two instances of sir-partner-server on PostgreSQL behind a round-robin proxy, the sandbox delivering each event up to ${SCENARIO.webhookAttempts} times (${SCENARIO.webhookRetryBaseMs} ms, doubling). Binaries: ${binaries}. Ground truth from the sandbox's ledger and the wire; the partner's database only for rows it holds.`,
    "",
    table,
    "",
    faultTable,
    "",
    ...details,
    ...(metricLines.length
      ? [
          "",
          "The partner's metrics at the end (its own counters, not the ground truth):",
          "",
          "```",
          ...metricLines,
          "```",
        ]
      : []),
    "",
    `Run took ${since()}; logs in ${RUN_DIR.replace(`${ROOT}/`, "")}.`,
  ].join("\n");
  console.log(report);
  const out =
    outIndex >= 0
      ? args[outIndex + 1]
      : SMALL
        ? join(RUN_DIR, "report.md")
        : join(
            here,
            "results",
            `faults-${new Date().toISOString().slice(0, 10)}${process.env.FAULTS_LABEL ? `-${process.env.FAULTS_LABEL}` : ""}.md`,
          );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${report}\n`);
  log(`report written to ${out}`);

  if (TAP) {
    const checks = [
      [
        paid.length === withDonation.length && withDonation.length === donors.length,
        `${donors.length} donations created and paid (${paid.length} paid)`,
      ],
      [lost.length === 0, `no paid reward lost (${lost.length} lost)`],
      [doubled.length === 0, `no reward doubled (${doubled.length} doubled)`],
    ];
    console.log("TAP version 13");
    checks.forEach(([ok, name], n) => {
      console.log(`${ok ? "ok" : "not ok"} ${n + 1} - faults: ${name}`);
    });
    console.log(`1..${checks.length}`);
    console.log(`# pass ${checks.filter(([ok]) => ok).length}`);
    console.log(`# fail ${checks.filter(([ok]) => !ok).length}`);
  }
  return lost.length === 0 && doubled.length === 0 ? 0 : 1;
}

/** The donation an action.completed is for: our idempotency key, else the metadata the partner sent. */
function donationOfAction(data) {
  const key =
    typeof data.idempotencyKey === "string" && data.idempotencyKey.startsWith("donation_")
      ? data.idempotencyKey.slice(9)
      : null;
  return key ?? data.metadata?.partnerDonationId ?? null;
}

const pollOutcomes = new Map();
/** The donor's page: polls its donation every few seconds until it is completed and its reward is no longer pending. */
async function pollAsTheWidgetDoes(donor, instances) {
  for (let n = 0; n < SCENARIO.polls; n++) {
    await sleep(SCENARIO.pollEveryMs);
    const instance = instances[(donor.n + n) % instances.length];
    const answer = await request({
      port: instance.port,
      path: `/sir/donations/${donor.id}`,
      localAddress: donor.address,
      headers: { origin: ORIGIN, cookie: donor.cookie },
      timeoutMs: 5000,
    });
    const state = answer.json?.reward?.state;
    count(
      pollOutcomes,
      answer.status === 200
        ? "200"
        : `${answer.status ?? answer.error}${answer.json?.code ? ` ${answer.json.code}` : ""}`,
    );
    if (answer.status === 200 && answer.json.status === "completed" && state && state !== "pending") return;
  }
}

/** Which build ran: the binaries' directory, and for this checkout's own target/, its commit (and whether servers/ had changes not committed). */
function describeBinaries() {
  const label = process.env.FAULTS_LABEL ? ` (${process.env.FAULTS_LABEL})` : "";
  if (!BIN_DIR.startsWith(`${ROOT}/`)) return `${BIN_DIR}${label}`;
  try {
    const commit = execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]).toString().trim();
    const changed = execFileSync("git", ["-C", ROOT, "status", "--porcelain", "--", "servers"]).toString().trim();
    return `${BIN_DIR.slice(ROOT.length + 1)} built at ${commit}${changed ? " with uncommitted changes in servers/" : ""}${label}`;
  } catch {
    return `${BIN_DIR}${label}`;
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`faults: ${error.stack ?? error}`);
    if (TAP)
      console.log(
        `TAP version 13\nnot ok 1 - faults: the run could not finish: ${String(error.message ?? error).split("\n")[0]}\n1..1\n# pass 0\n# fail 1`,
      );
    process.exit(2);
  },
);
