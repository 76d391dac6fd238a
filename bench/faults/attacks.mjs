// The hostile clients of the fault run: idle connections held from one address, slow webhook
// bodies dripped from several, and a probe that checks whether the flooded instance still answers.
import net from "node:net";
import { count, request, sleep } from "./util.mjs";

/**
 * One address holding `total` idle connections to an instance, reopening those the server
 * closes: at most 100 reopenings a second, so the attacker's churn does not take the cores
 * the run shares with the servers (an attacker elsewhere would bring its own).
 */
export class IdleFlood {
  constructor(port, total, localAddress) {
    Object.assign(this, {
      port,
      total,
      localAddress,
      open: 0,
      maxOpen: 0,
      opened: 0,
      closedByServer: 0,
      stopped: false,
    });
    this.sockets = new Set();
    this.errors = new Map();
    this.waiting = [];
    this.backoff = new Array(total).fill(250);
    this.reopener = setInterval(() => {
      for (let k = 0; k < 10 && this.waiting.length > 0; k++) this.connect(this.waiting.shift());
    }, 100);
  }

  async start() {
    for (let n = 0; n < this.total; n++) {
      this.connect(n);
      // A burst of 100 at a time: fast, but no storm of SYNs.
      if (n % 100 === 99) await sleep(30);
    }
  }

  connect(n) {
    if (this.stopped) return;
    const socket = net.connect({ host: "127.0.0.1", port: this.port, localAddress: this.localAddress });
    let connectedAt = null;
    socket.on("connect", () => {
      connectedAt = Date.now();
      this.open += 1;
      this.opened += 1;
      this.maxOpen = Math.max(this.maxOpen, this.open);
      // A quarter start HTTP/2 and then say nothing (issue #20: the header timeout is HTTP/1's).
      if (n % 4 === 0) socket.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    });
    socket.on("error", (error) => count(this.errors, error.code ?? error.message));
    socket.on("data", () => {});
    socket.on("close", () => {
      this.sockets.delete(socket);
      if (connectedAt !== null) {
        this.open -= 1;
        if (!this.stopped) this.closedByServer += 1;
      }
      // Held a while: reopen soon; refused or cut at once: back off, up to 5 s.
      const held = connectedAt !== null && Date.now() - connectedAt > 2000;
      this.backoff[n] = held ? 250 : Math.min(this.backoff[n] * 2, 5000);
      if (!this.stopped) setTimeout(() => this.waiting.push(n), this.backoff[n]).unref();
    });
    this.sockets.add(socket);
  }

  stop() {
    this.stopped = true;
    clearInterval(this.reopener);
    for (const socket of this.sockets) socket.destroy();
  }
}

/** Unsigned webhook POSTs whose bodies come 1 byte every 1.5 s, from several addresses. */
export class Drips {
  constructor(targets, addresses, perTarget, intervalMs) {
    Object.assign(this, { targets, addresses, perTarget, stopped: false, open: 0, maxOpen: 0, answered: new Map() });
    this.sockets = new Set();
    this.errors = new Map();
    this.timer = setInterval(() => {
      for (const socket of this.sockets) if (socket.dripping) socket.write("a");
    }, intervalMs);
  }

  start() {
    for (const target of this.targets) {
      for (const address of this.addresses) {
        for (let n = 0; n < this.perTarget; n++) this.connect(target, address, 1000);
      }
    }
  }

  connect(target, address, backoffMs) {
    if (this.stopped) return;
    const socket = net.connect({ host: "127.0.0.1", port: target.port, localAddress: address });
    let connectedAt = null;
    socket.on("connect", () => {
      connectedAt = Date.now();
      this.open += 1;
      this.maxOpen = Math.max(this.maxOpen, this.open);
      socket.write(
        `POST /webhooks/sir HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`,
      );
      socket.dripping = true;
    });
    let head = "";
    socket.on("data", (chunk) => {
      if (head.length < 64) {
        head += chunk.toString("latin1");
        const status = head.match(/^HTTP\/1\.1 (\d{3})/);
        if (status) count(this.answered, `${target.name} ${status[1]}`);
      }
    });
    socket.on("error", (error) => count(this.errors, `${target.name} ${error.code ?? error.message}`));
    socket.on("close", () => {
      this.sockets.delete(socket);
      if (connectedAt !== null) this.open -= 1;
      const held = connectedAt !== null && Date.now() - connectedAt > 2000;
      const wait = held ? 500 : Math.min(backoffMs * 2, 5000);
      if (!this.stopped) setTimeout(() => this.connect(target, address, held ? 1000 : wait), wait).unref();
    });
    this.sockets.add(socket);
  }

  stop() {
    this.stopped = true;
    clearInterval(this.timer);
    for (const socket of this.sockets) socket.destroy();
  }
}

/** While the flood lasts: can another address, and the flooding one, still reach the flooded instance? */
export class Probe {
  /** `from`: the addresses it asks from (another client's, and the flooding one's). */
  constructor(port, from) {
    Object.assign(this, { port, from, results: [], stopped: false });
  }

  async start() {
    while (!this.stopped) {
      for (const localAddress of this.from) {
        const t0 = Date.now();
        const answer = await request({ port: this.port, path: "/healthz", localAddress, timeoutMs: 5000 });
        this.results.push({ from: localAddress, ok: answer.status === 200, ms: Date.now() - t0, error: answer.error });
      }
      await sleep(2000);
    }
  }

  summary(from) {
    const mine = this.results.filter((r) => r.from === from);
    const ok = mine.filter((r) => r.ok);
    const slowest = ok.reduce((max, r) => Math.max(max, r.ms), 0);
    const errors = new Map();
    for (const r of mine) if (!r.ok) count(errors, r.error ?? "non-200");
    const why = [...errors].map(([e, n]) => `${e} ×${n}`).join(", ");
    return `${ok.length} of ${mine.length} answered${ok.length ? ` (slowest ${slowest} ms)` : ""}${why ? `; failed: ${why}` : ""}`;
  }
}
