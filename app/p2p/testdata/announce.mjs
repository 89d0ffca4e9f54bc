// announce.mjs prints, as a JSON array, the info hashes that the vendored
// p2p-media-loader core announces to its tracker for a swarm and streams:
//   node announce.mjs <core.js> <swarmId> '<streams>'
// where streams is a JSON array of {type, props}: the stream's type (main
// or secondary) and the attributes hls.js parsed (the loader's
// generateStreamShortId props). It prints {ids, hashes}: each stream's id
// as the loader names it, and the info hashes it announced, in order.
// The core runs as in a browser, minus the browser: a fake WebSocket
// records what the tracker client sends, and a fake RTCPeerConnection makes
// the offers an announce carries. app/p2p's golden test compares its own
// hashes to these.
globalThis.self = globalThis; globalThis.window = globalThis;
globalThis.location = new URL('http://127.0.0.1:9/');
if (!globalThis.navigator) globalThis.navigator = { userAgent: 'node' };
const sent = [];
class FakeWS {
  constructor(url) { this.url = url; this.readyState = 0; this.binaryType = 'arraybuffer'; setTimeout(() => { this.readyState = 1; this.onopen && this.onopen(); }, 0); }
  send(data) { sent.push(JSON.parse(data)); }
  close() { this.readyState = 3; }
  addEventListener() {}
  removeEventListener() {}
}
globalThis.WebSocket = FakeWS;
// Just enough of a peer connection for the tracker client to make its
// offers: the test reads the announce, no peer ever connects.
globalThis.RTCPeerConnection = class {
  constructor() { this.iceGatheringState = 'new'; this.signalingState = 'stable'; this.iceConnectionState = 'new'; this.connectionState = 'new'; this.localDescription = null; }
  createDataChannel() { return { binaryType: '', readyState: 'connecting', close() {}, addEventListener() {} }; }
  async createOffer() { return { type: 'offer', sdp: 'v=0\r\n' }; }
  async setLocalDescription(d) { this.localDescription = d; this.iceGatheringState = 'complete'; setTimeout(() => this.onicecandidate && this.onicecandidate({ candidate: null }), 0); }
  close() {}
  addEventListener() {}
  removeEventListener() {}
  getStats() { return Promise.resolve(new Map()); }
};
const { Core, generateStreamShortId } = await import(process.argv[2]);
const swarmId = process.argv[3];
const streams = JSON.parse(process.argv[4]).map((st) => ({ type: st.type, id: generateStreamShortId(st.props) }));
const core = new Core({ swarmId, announceTrackers: ['ws://127.0.0.1:9/tracker/socket'], rtcConfig: { iceServers: [] } });
core.setManifestResponseUrl('http://127.0.0.1:9/master.m3u8');
const announced = () => [...new Set(sent.filter((m) => m.action === 'announce').map((m) => m.info_hash))];
// One stream at a time: the core keeps one tracker client per stream type
// busy, and opens the next stream's when the player moves to it.
for (const [i, { type, id }] of streams.entries()) {
  const s = `s${i}`;
  const before = announced().length;
  core.addStreamIfNoneExists({ runtimeId: s, type, index: id });
  core.updateStream(s, [{ runtimeId: `${s}|seg`, externalId: 0, url: `http://127.0.0.1:9/${s}`, startTime: 0, endTime: 2 }]);
  core.loadSegment(`${s}|seg`, { onSuccess() {}, onError() {} }).catch((e) => console.error('load', e));
  const started = Date.now();
  while (announced().length === before && Date.now() - started < 20000) await new Promise((r) => setTimeout(r, 20));
}
console.log(JSON.stringify({ ids: streams.map((st) => st.id), hashes: announced() }));
process.exit(0);
