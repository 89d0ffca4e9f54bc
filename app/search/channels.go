package search

import (
	"context"
	"fmt"
	"strings"

	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// ChannelQuery is PeerTube's channel search (GET
// /api/v1/search/video-channels) and the channel listings (GET
// /api/v1/video-channels, /api/v1/accounts/{name}/video-channels).
type ChannelQuery struct {
	Search    string
	LocalHost string
	AccountID int64
	Host      string
	// Handles are "name" or "name@host"; only this host's are found.
	Handles      []string
	Start, Count int
	Sort         string
}

// Channels returns the page of channels that q finds, each with the count
// of its videos viewer would see listed, and how many there are.
func (s *Service) Channels(ctx context.Context, viewer visibility.Viewer, q ChannelQuery) ([]repo.ChannelStats, int, error) {
	if q.Sort != "" && !contains(repo.ChannelSorts, q.Sort) {
		return nil, 0, &ErrBadQuery{"sort", fmt.Sprintf("unknown sort %q", q.Sort)}
	}
	if q.Host != "" && !sameHost(q.Host, q.LocalHost) {
		return nil, 0, nil
	}
	f := repo.ChannelFilter{AccountID: q.AccountID, Start: max(0, q.Start), Count: q.Count, Sort: q.Sort,
		Privacies: visibility.List(viewer, 0).Privacies}
	for _, h := range q.Handles {
		name, ok := localName(h, q.LocalHost)
		if ok {
			f.Names = append(f.Names, name)
		}
	}
	if len(q.Handles) > 0 && len(f.Names) == 0 {
		return nil, 0, nil
	}
	if search := strings.TrimSpace(q.Search); search != "" {
		// A handle or a channel's URL names one channel, as in PeerTube.
		if name, ok, local := s.channelRef(search, q.LocalHost); ok {
			if !local {
				return nil, 0, nil
			}
			f.Names = []string{name}
		} else if f.Match = MatchExpr(search); f.Match == "" {
			return nil, 0, nil
		}
	}
	chs, total, err := s.Store.Channels(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("search channels: %w", err)
	}
	out := chs[:0]
	for _, c := range chs {
		if visibility.Channel(viewer, c.Channel) {
			out = append(out, c)
		}
	}
	return out, total, nil
}

// channelRef reads a channel's handle (@name@host, name@host) or URL
// (/c/name, /video-channels/name): ok when the search is one, local when
// it is this instance's.
func (s *Service) channelRef(search, localHost string) (name string, ok, local bool) {
	if host, path, isURL := splitURL(search); isURL {
		for _, prefix := range []string{"/c/", "/video-channels/"} {
			if rest, found := strings.CutPrefix(path, prefix); found {
				rest, _, _ = strings.Cut(rest, "/")
				return rest, true, sameHost(host, localHost) && rest != ""
			}
		}
		return "", true, false // a URL, but of nothing Cabane knows
	}
	if strings.ContainsAny(search, " \t") || !strings.Contains(search, "@") {
		return "", false, false
	}
	name, local = localName(search, localHost)
	return name, true, local
}

// localName reads "@name@host", "name@host" or "name": the name when the
// host is this instance's (or absent).
func localName(handle, localHost string) (string, bool) {
	h := strings.TrimPrefix(strings.TrimSpace(handle), "@")
	name, host, hasHost := strings.Cut(h, "@")
	if name == "" || hasHost && !sameHost(host, localHost) {
		return "", false
	}
	return name, true
}

// LocalName is localName for the handlers of /video-channels/{handle}:
// PeerTube names a channel "name" or "name@host".
func LocalName(handle, localHost string) (string, bool) { return localName(handle, localHost) }
