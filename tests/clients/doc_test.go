// Package clients runs PeerTube's own clients against a real Cabane: the
// command-line client from npm and yt-dlp for real, and, for the phone
// apps that cannot run here (NewPipe, Thorium, Grayjay's plugin), the
// exact requests their current releases make, each taken from the app's
// source (cited beside each replay), with the fields the app reads
// checked by type and every response checked against PeerTube's OpenAPI
// document.
//
// Needs: ffmpeg, node (>= 20) and npm (for `npm ci` when node_modules is
// missing); yt-dlp for the yt-dlp test.
package clients
