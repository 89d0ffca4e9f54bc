//go:build !torrents

package clients

// cliUploadMustSucceed: without web video files and their torrents, the
// cli's upload stores the video and then crashes on files[0].torrentUrl
// (see TestPeerTubeCLI); build with -tags torrents once they exist.
const cliUploadMustSucceed = false
