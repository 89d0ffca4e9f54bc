//go:build torrents

package clients

// cliUploadMustSucceed: with -tags torrents, the cli's upload must print
// its success line (it needs files[0].torrentUrl).
const cliUploadMustSucceed = true
