// The live toggle: one WebSocket to /v1/live with one subscription (README "Watch it live").
// It reconnects with a growing pause while it is wanted, and reports drop notices and errors.
import { socketUrl } from './api.js';

export class Live {
  /**
   * @param onSamples called with each frame's samples
   * @param onNotice called with a line for the user (subscribed, dropped, error, reconnecting)
   */
  constructor(onSamples, onNotice) {
    this.onSamples = onSamples;
    this.onNotice = onNotice;
    this.ws = null;
    this.want = null;
    this.retry = 0;
    this.timer = null;
    this.dropped = 0;
  }

  /**
   * Subscribes to one metric with tag filters, replacing any earlier subscription. Asked again
   * for what it already follows (the chart redraws on every control change), it keeps its socket.
   */
  start(metric, tags) {
    if (this.want && this.want.metric === metric && sameTags(this.want.tags, tags)) {
      return;
    }
    this.stop();
    this.want = { metric, tags: { ...tags } };
    this.dropped = 0;
    this.connect();
  }

  stop() {
    this.want = null;
    clearTimeout(this.timer);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000, 'live off');
      this.ws = null;
    }
  }

  connect() {
    const want = this.want;
    const ws = new WebSocket(socketUrl('/v1/live'));
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'subscribe', id: 'chart', metrics: [want.metric], tags: want.tags, every: 1 }));
    };
    ws.onmessage = e => this.message(JSON.parse(e.data));
    ws.onclose = () => {
      if (this.ws !== ws || this.want !== want) {
        return;
      }
      this.ws = null;
      const wait = Math.min(30, 2 ** this.retry++);
      this.onNotice(`Live connection closed; reconnecting in ${wait} s.`);
      this.timer = setTimeout(() => this.want === want && this.connect(), wait * 1000);
    };
  }

  message(m) {
    switch (m.type) {
      case 'subscribed':
        this.retry = 0;
        this.onNotice('Live: new samples are added as they arrive.');
        break;
      case 'samples':
        this.onSamples(m.samples);
        break;
      case 'dropped':
        this.dropped += m.count;
        this.onNotice(`Live: this page fell behind and ${this.dropped} sample(s) were skipped.`);
        break;
      case 'error':
        this.onNotice('Live: ' + m.message);
        break;
      default:
        break;
    }
  }
}

function sameTags(a, b) {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every(k => a[k] === b[k]);
}
