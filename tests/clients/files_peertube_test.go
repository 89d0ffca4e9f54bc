//go:build peertubefiles

package clients

// peertubeFiles: see files_gap_test.go.
const peertubeFiles = true
