// ldcheck.mjs checks linked-data signatures the way a PeerTube 7 server
// checks a forwarded activity (checkJsonLDSignature), with the JSON-LD
// library PeerTube runs: the body without its signature is compacted to
// PeerTube's whole context, "as:Public" put back where the body had the
// full IRI, then canonicalized (URDNA2015, safe mode); the signature's
// creator and created are canonicalized under security/v1; the RSA-SHA256
// signature must match their hex SHA-256s, options first.
//
// Input (stdin): [{"name", "body" (the activity as sent), "publicKeyPem"}].
// Output (stdout): [{"name", "ok", "error"}]. No network: contexts come
// from the security-context package and Cabane's embedded ActivityStreams
// copy; any other URL is an error.
import { createHash, createVerify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import jsonld from 'jsonld'
import securityContext from 'security-context'

const AS = 'https://www.w3.org/ns/activitystreams'
const SEC = 'https://w3id.org/security/v1'
const PUBLIC = AS + '#Public'

const contexts = new Map([
  [AS, JSON.parse(readFileSync(new URL('../../app/federation/ldsig/contexts/activitystreams.jsonld', import.meta.url)))],
  [SEC, securityContext.contexts.get(SEC)]
])

function documentLoader (url) {
  const document = contexts.get(url)
  if (!document) throw new Error('context not available offline: ' + url)
  return { contextUrl: null, documentUrl: url, document }
}

// PeerTube's compaction context (getAllContext): its two context URLs and
// every term of its activity contexts, the first definition of each.
const number = id => ({ '@type': 'sc:Number', '@id': id })
const peertubeContext = [AS, SEC, {
  RsaSignature2017: 'https://w3id.org/security#RsaSignature2017',
  pt: 'https://joinpeertube.org/ns#',
  sc: 'http://schema.org/',
  Hashtag: 'as:Hashtag',
  category: 'sc:category',
  licence: 'sc:license',
  subtitleLanguage: 'sc:subtitleLanguage',
  automaticallyGenerated: 'pt:automaticallyGenerated',
  sensitive: 'as:sensitive',
  language: 'sc:inLanguage',
  identifier: 'sc:identifier',
  isLiveBroadcast: 'sc:isLiveBroadcast',
  liveSaveReplay: { '@type': 'sc:Boolean', '@id': 'pt:liveSaveReplay' },
  permanentLive: { '@type': 'sc:Boolean', '@id': 'pt:permanentLive' },
  latencyMode: number('pt:latencyMode'),
  dvrWindow: { '@type': 'sc:Duration', '@id': 'pt:dvrWindow' },
  Infohash: 'pt:Infohash',
  SensitiveTag: 'pt:SensitiveTag',
  tileWidth: number('pt:tileWidth'),
  tileHeight: number('pt:tileHeight'),
  tileDuration: number('pt:tileDuration'),
  aspectRatio: { '@type': 'sc:Float', '@id': 'pt:aspectRatio' },
  uuid: { '@type': 'sc:identifier', '@id': 'pt:uuid' },
  originallyPublishedAt: 'sc:datePublished',
  schedules: 'sc:eventSchedule',
  startDate: 'sc:startDate',
  embedUrl: 'sc:embedUrl',
  uploadDate: 'sc:uploadDate',
  hasParts: 'sc:hasParts',
  playerSettings: 'pt:playerSettings',
  views: number('pt:views'),
  downloads: number('pt:downloads'),
  state: number('pt:state'),
  size: number('pt:size'),
  fps: number('pt:fps'),
  canReply: 'pt:canReply',
  commentsPolicy: number('pt:commentsPolicy'),
  downloadEnabled: { '@type': 'sc:Boolean', '@id': 'pt:downloadEnabled' },
  waitTranscoding: { '@type': 'sc:Boolean', '@id': 'pt:waitTranscoding' },
  support: { '@type': 'sc:Text', '@id': 'pt:support' },
  likes: { '@id': 'as:likes', '@type': '@id' },
  dislikes: { '@id': 'as:dislikes', '@type': '@id' },
  shares: { '@id': 'as:shares', '@type': '@id' },
  comments: { '@id': 'as:comments', '@type': '@id' },
  PropertyValue: 'sc:PropertyValue',
  value: 'sc:value',
  Playlist: 'pt:Playlist',
  PlaylistElement: 'pt:PlaylistElement',
  position: number('pt:position'),
  videoChannelPosition: number('pt:position'),
  startTimestamp: number('pt:startTimestamp'),
  stopTimestamp: number('pt:stopTimestamp'),
  expires: 'sc:expires',
  CacheFile: 'pt:CacheFile',
  playlists: { '@id': 'pt:playlists', '@type': '@id' },
  lemmy: 'https://join-lemmy.org/ns#',
  postingRestrictedToMods: 'lemmy:postingRestrictedToMods',
  toot: 'http://joinmastodon.org/ns#',
  indexable: 'toot:indexable',
  discoverable: 'toot:discoverable',
  email: 'sc:email',
  WatchAction: 'sc:WatchAction',
  endTimestamp: number('pt:endTimestamp'),
  actionStatus: 'sc:actionStatus',
  watchSections: { '@type': '@id', '@id': 'pt:watchSections' },
  addressRegion: 'sc:addressRegion',
  addressCountry: 'sc:addressCountry',
  InteractionCounter: 'sc:InteractionCounter',
  interactionType: 'sc:interactionType',
  userInteractionCount: 'sc:userInteractionCount',
  replyApproval: 'pt:replyApproval',
  ApproveReply: 'pt:ApproveReply',
  RejectReply: 'pt:RejectReply',
  hasPart: 'sc:hasPart',
  endOffset: 'sc:endOffset',
  startOffset: 'sc:startOffset',
  PlayerSettings: { '@type': '@id', '@id': 'pt:PlayerSettings' },
  theme: 'pt:theme',
  DownloadAction: 'sc:DownloadAction'
}]

// restorePublic undoes what compaction does to the public collection and
// to one-element arrays, where the original had them (PeerTube does the
// same before hashing).
function restorePublic (original, compacted) {
  if (!original || !compacted || typeof original !== 'object') return
  for (const [k, v] of Object.entries(original)) {
    if (k === '@context' || k === 'signature' || v == null) continue
    const cv = compacted[k]
    if (cv == null) continue
    if (v === PUBLIC && cv === 'as:Public') compacted[k] = v
    if (Array.isArray(v) && !Array.isArray(cv)) {
      compacted[k] = [cv]
      v.forEach((item, i) => { if (item === PUBLIC && compacted[k][i] === 'as:Public') compacted[k][i] = item })
    }
    if (typeof v === 'object') restorePublic(v, compacted[k])
  }
}

const sha256 = s => createHash('sha256').update(s).digest('hex')
const canonical = doc => jsonld.normalize(doc, { safe: true, algorithm: 'URDNA2015', format: 'application/n-quads', documentLoader })

async function check ({ body, publicKeyPem }) {
  const doc = JSON.parse(body)
  const sig = doc.signature
  if (!sig || sig.type !== 'RsaSignature2017' || !sig.creator) throw new Error('no RsaSignature2017 signature')
  const { signature, ...unsigned } = doc
  const compacted = await jsonld.compact(unsigned, peertubeContext, { documentLoader })
  restorePublic(doc, compacted)
  if (compacted['@include']) throw new Error('@include')
  const options = { '@context': [SEC, { RsaSignature2017: 'https://w3id.org/security#RsaSignature2017' }] }
  for (const [k, v] of Object.entries(sig)) if (!['type', 'id', 'signatureValue'].includes(k)) options[k] = v
  const toVerify = sha256(await canonical(options)) + sha256(await canonical(compacted))
  const verify = createVerify('RSA-SHA256')
  verify.update(toVerify, 'utf8')
  if (!verify.verify(publicKeyPem, sig.signatureValue, 'base64')) throw new Error('signature does not match')
}

const input = JSON.parse(readFileSync(0, 'utf8'))
const out = []
for (const item of input) {
  try {
    await check(item)
    out.push({ name: item.name, ok: true })
  } catch (err) {
    out.push({ name: item.name, ok: false, error: String(err && err.message || err) })
  }
}
process.stdout.write(JSON.stringify(out))
