// Package federation runs several real Cabane processes side by side on
// 127.0.0.1, each with its own public URL and private fetches allowed for
// loopback only, and checks that what one does reaches the others through
// real signed HTTP: follows, videos, comments, likes, edits, deletions,
// and deliveries that wait for a stopped instance to come back.
package federation
