//go:build !peertubefiles

package clients

// peertubeFiles says whether the files are stored and described as
// PeerTube's are (#9 point 2, being built beside these tests): one
// fragmented MP4 per resolution with <uuid>/<resolution>.m3u8, its
// fileUrl, fileDownloadUrl and torrentUrl, and the web video file with
// its torrent that peertube-cli waits for. Until they are, the checks
// that need them run only with -tags peertubefiles; everything else the
// clients do runs always.
const peertubeFiles = false
