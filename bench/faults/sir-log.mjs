// What SIR (the sandbox) did with every webhook event: each delivery attempt and its outcome.
import { request, sleep } from "./util.mjs";

/** Polls the sandbox's delivery log (it keeps the last 1,000) and keeps every record once. */
export class DeliveryLog {
  constructor(port) {
    Object.assign(this, { port, records: new Map(), gaps: 0, stopped: false });
  }

  async start() {
    while (!this.stopped) {
      await this.poll();
      await sleep(1000);
    }
  }

  async poll() {
    const answer = await request({ port: this.port, path: "/__sandbox/webhooks/deliveries", timeoutMs: 10000 });
    if (!Array.isArray(answer.json)) return;
    const key = (r) => `${r.eventId}|${r.webhookId}|${r.redelivery}|${r.attempt}`;
    // A full log whose oldest record is new to us dropped some between two polls.
    if (answer.json.length >= 1000 && this.records.size > 0 && !this.records.has(key(answer.json[0]))) this.gaps += 1;
    for (const record of answer.json) this.records.set(key(record), record);
  }
}

/** SIR's side of every delivery, complete, from the sandbox's JSON log (its /__sandbox log keeps only the last 1,000). */
export class SirDeliveries {
  constructor() {
    this.events = new Map();
  }

  event(id) {
    if (!this.events.has(id)) this.events.set(id, { type: null, attempts: [], ok: false, gaveUp: false });
    return this.events.get(id);
  }

  add(line) {
    if (!line.includes('"message":"webhook')) return;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (entry.message === "webhook event") this.event(entry.event).type = entry.event_type;
    else if (entry.message === "webhook delivery") {
      const event = this.event(entry.event);
      event.attempts.push({ attempt: entry.attempt, status: entry.status, ok: entry.ok });
      if (entry.ok) event.ok = true;
    } else if (entry.message === "webhook delivery gave up") this.event(entry.event).gaveUp = true;
  }
}
