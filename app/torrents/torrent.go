package torrents

import (
	"crypto/sha1"
	"encoding/hex"
	"net/url"
	"strings"
)

// File is one published file as a torrent describes it.
type File struct {
	Pieces
	// Name is the torrent's info name, PeerTube's "<title> <res>p.mp4":
	// what a BitTorrent client saves the file as (the extension lets a
	// browser client stream it).
	Name string
	// WebSeed is the file's absolute URL (BEP 19 url-list), empty for a
	// video whose files are not public (PeerTube leaves the list empty
	// then: a web seed cannot send a token).
	WebSeed string

	// infoHash is InfoHash as Service.Describe found it already computed
	// for the info name infoName.
	infoHash, infoName string
}

// InfoName is PeerTube's buildInfoName: the title with the characters a
// file name cannot hold replaced by '-', the resolution and the extension.
func InfoName(title, resolution, ext string) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\?%*:|"<>`, r) {
			return '-'
		}
		return r
	}, title)
	return clean + " " + resolution + "p" + ext
}

// info is the info dictionary create-torrent writes for one file.
func (f File) info() map[string]any {
	return map[string]any{"length": f.Length, "name": f.Name, "piece length": f.PieceLength, "pieces": f.Hashes}
}

// InfoHash is the SHA-1 of the bencoded info dictionary: the torrent's
// identity, in hexadecimal.
func (f File) InfoHash() string {
	if f.infoHash != "" && f.infoName == f.Name {
		return f.infoHash
	}
	return f.computeInfoHash()
}

func (f File) computeInfoHash() string {
	b, _ := Encode(f.info())
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// CreatedBy is the torrent's "created by".
const CreatedBy = "Cabane"

// Torrent is the .torrent file. Its announce list is left out: PeerTube
// announces to its own tracker (ws://host/tracker/socket and
// http://host/tracker/announce), which Cabane does not run yet (P2P
// delivery comes with a later issue); a torrent naming a tracker that
// answers 404 would make every client retry it forever, while one
// without a tracker still downloads from its web seed (BEP 19), and
// finds peers by DHT in clients that use it. created is the creation date
// (Unix seconds): the file's modification time, so that the same file
// always gives the same bytes.
func (f File) Torrent() []byte {
	t := map[string]any{"info": f.info(), "created by": CreatedBy, "creation date": f.ModTime / 1e9, "encoding": "UTF-8"}
	if f.WebSeed != "" {
		t["url-list"] = []any{f.WebSeed}
	}
	b, _ := Encode(t)
	return b
}

// Magnet is PeerTube's magnetUri (generateMagnetUri through magnet-uri's
// encoder): the info hash, the title as display name, the torrent's URL
// as exact source, the web seed, and trackers (none yet, see Torrent).
func (f File) Magnet(title, torrentURL string) string {
	q := []string{"xt=urn:btih:" + f.InfoHash(), "dn=" + url.QueryEscape(title)}
	if torrentURL != "" {
		q = append(q, "xs="+url.QueryEscape(torrentURL))
	}
	if f.WebSeed != "" {
		q = append(q, "ws="+url.QueryEscape(f.WebSeed))
	}
	return "magnet:?" + strings.Join(q, "&")
}
