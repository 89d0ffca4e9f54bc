// media.mjs: small test media made with ffmpeg (testsrc2 picture, sine tone).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const run = promisify(execFile);
const FFMPEG = process.env.CABANE_FFMPEG || 'ffmpeg';
const SECONDS = '4';

// H.264 at a keyframe every 2 s (as Cabane packages it), ultrafast: cheap on a shared box.
const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0'];
const SOURCES = [
  '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25:duration=${SECONDS}`,
  '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`,
];

async function ffmpeg(args) {
  await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 1 << 20 });
}

/** Makes a 4 s 640x360 H.264/AAC mp4 at file. */
export async function makeClip(file) {
  await ffmpeg([...SOURCES, ...H264, '-c:a', 'aac', '-b:a', '64k', '-shortest', '-movflags', '+faststart', file]);
  return file;
}

/**
 * Makes a two-rendition HLS ladder (360p and 180p) in Cabane's layout, which
 * is PeerTube's: one fragmented MP4 per rendition addressed by byte-range
 * playlists (360.m3u8, 180.m3u8), the audio encoded once as its own
 * rendition (0.m3u8) in an EXT-X-MEDIA group, a master.m3u8 as Cabane
 * writes it, and poster.jpg, in dir.
 */
export async function makeHLS(dir) {
  await mkdir(dir, { recursive: true });
  await ffmpeg([
    ...SOURCES,
    '-filter_complex', '[0:v]split=2[hi][lo0];[lo0]scale=320:180[lo]',
    '-map', '[hi]', '-map', '[lo]', '-map', '1:a',
    ...H264,
    '-b:v:0', '800k', '-b:v:1', '250k',
    '-c:a', 'aac', '-b:a', '64k', '-ac', '2',
    '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod',
    '-hls_segment_type', 'fmp4', '-hls_flags', 'single_file+independent_segments',
    '-var_stream_map', 'v:0,name:360 v:1,name:180 a:0,name:0',
    '-hls_segment_filename', path.join(dir, 'fixture-%v-fragmented.mp4'),
    path.join(dir, '%v.m3u8'),
  ]);
  await writeFile(path.join(dir, 'master.m3u8'), [
    '#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,URI="0.m3u8"',
    '#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS="avc1.42c01e,mp4a.40.2",RESOLUTION=640x360,AUDIO="audio"', '360.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=330000,CODECS="avc1.42c00d,mp4a.40.2",RESOLUTION=320x180,AUDIO="audio"', '180.m3u8', '',
  ].join('\n'));
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=1:duration=1', '-frames:v', '1', path.join(dir, 'poster.jpg')]);
  return dir;
}
