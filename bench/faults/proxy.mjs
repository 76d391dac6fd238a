// SIR's way to the partner instances in the fault run: a round-robin HTTP proxy that also
// notes every webhook event it carries (type, data, each attempt's answer).
import http from "node:http";
import { count } from "./util.mjs";

/** What went over the wire for one webhook event. */
export class WireEvent {
  constructor(id, type, data, at) {
    Object.assign(this, { id, type, data, firstSeen: at, attempts: [], okAt: null });
  }
}

/**
 * The load balancer in front of the two instances: each delivery goes to the next instance
 * in turn, on a new connection from SIR's address. A dead instance is a connection refused,
 * which SIR sees as a dropped connection: a failed delivery, retried.
 */
export class BalancingProxy {
  constructor(upstreams, sourceAddress) {
    this.upstreams = upstreams;
    this.sourceAddress = sourceAddress;
    this.turn = 0;
    this.events = new Map();
    this.outcomes = new Map();
    this.server = http.createServer((req, res) => this.forward(req, res));
    // SIR keeps its connections to us open; ours never closes them first.
    this.server.keepAliveTimeout = 120000;
    this.server.headersTimeout = 130000;
  }

  listen() {
    return new Promise((resolve) => this.server.listen(0, "127.0.0.1", () => resolve(this.server.address().port)));
  }

  forward(req, res) {
    const arrived = Date.now();
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const at = Date.now();
      let envelope = {};
      try {
        envelope = JSON.parse(body);
      } catch {
        // Not ours to judge: forwarded as it came.
      }
      const event = this.events.get(envelope.id) ?? new WireEvent(envelope.id, envelope.type, envelope.data ?? {}, at);
      if (envelope.id) this.events.set(envelope.id, event);
      const upstream = this.upstreams[this.turn++ % this.upstreams.length];
      const attempt = {
        instance: upstream.name,
        arrived,
        at,
        connectedAt: null,
        answeredAt: null,
        status: null,
        code: null,
        error: null,
      };
      event.attempts.push(attempt);
      const headers = {};
      for (const name of ["content-type", "x-sir-signature", "x-sir-timestamp"]) {
        if (req.headers[name] !== undefined) headers[name] = req.headers[name];
      }
      headers["content-length"] = body.length;
      const onward = http.request(
        {
          host: "127.0.0.1",
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
          localAddress: this.sourceAddress,
          agent: false,
          timeout: 15000,
        },
        (answer) => {
          const parts = [];
          answer.on("data", (chunk) => parts.push(chunk));
          answer.on("end", () => {
            const text = Buffer.concat(parts);
            attempt.status = answer.statusCode;
            attempt.answeredAt = Date.now();
            try {
              attempt.code = JSON.parse(text).code ?? null;
            } catch {
              // A body that isn't JSON has no code.
            }
            if (answer.statusCode >= 200 && answer.statusCode < 300) event.okAt ??= Date.now();
            count(this.outcomes, `${upstream.name} ${answer.statusCode}${attempt.code ? ` ${attempt.code}` : ""}`);
            res.writeHead(answer.statusCode, { "content-type": answer.headers["content-type"] ?? "application/json" });
            res.end(text);
          });
          answer.on("error", (error) => this.fail(res, attempt, upstream, error));
        },
      );
      onward.on("socket", (socket) => socket.once("connect", () => (attempt.connectedAt = Date.now())));
      onward.on("timeout", () => onward.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
      onward.on("error", (error) => this.fail(res, attempt, upstream, error));
      // SIR gave up on this attempt (its own timeout): so do we.
      res.on("close", () => {
        if (res.writableFinished) return;
        if (attempt.status === null && attempt.error === null) {
          attempt.error = "SIR stopped waiting";
          count(this.outcomes, `${upstream.name} no answer before SIR stopped waiting`);
        }
        onward.destroy();
      });
      onward.end(body);
    });
  }

  /** Where a delivery's time went: SIR's body reaching us, the instance accepting the connection, and answering. */
  timings() {
    const attempts = [...this.events.values()].flatMap((event) => event.attempts);
    const spread = (values) => {
      const sorted = values.sort((x, y) => x - y);
      const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
      return sorted.length ? `median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${sorted.at(-1)} ms` : "none";
    };
    const connected = attempts.filter((a) => a.connectedAt !== null);
    return {
      body: spread(attempts.map((a) => a.at - a.arrived)),
      connect: spread(connected.map((a) => a.connectedAt - a.at)),
      answer: spread(connected.filter((a) => a.answeredAt !== null).map((a) => a.answeredAt - a.connectedAt)),
      neverConnected: attempts.filter((a) => a.connectedAt === null).length,
    };
  }

  fail(res, attempt, upstream, error) {
    if (attempt.status !== null || attempt.error !== null) return;
    attempt.error = error.code ?? error.message;
    count(this.outcomes, `${upstream.name} ${attempt.error}`);
    // As a refused or reset connection would: no answer at all.
    res.socket?.destroy();
  }
}
