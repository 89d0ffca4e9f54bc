package model

import "time"

// Recommendation kinds.
const (
	RecommendVideo   = "video"
	RecommendChannel = "channel"
)

// MaxRecommendationNote bounds a recommendation's note, in characters.
const MaxRecommendationNote = 500

// Recommendation is a channel's recommendation of a video or a channel,
// from this server or any other.
type Recommendation struct {
	ID        int64
	ChannelID int64  // the recommending channel
	Kind      string // RecommendVideo or RecommendChannel
	// VideoID and TargetChannelID are the target's row here (a local one,
	// or a stored remote one that plays from its origin); 0 when the
	// target is known only by its IRI (read from a remote list).
	VideoID         int64
	TargetChannelID int64
	IRI             string // the target's ActivityPub id
	URL             string // its page (on its origin)
	Name            string // its name as shown
	Note            string
	Position        int
	CreatedAt       time.Time
}

// Host is the target's server, from its IRI.
func (r Recommendation) Host() string {
	rest, ok := cutScheme(r.IRI)
	if !ok {
		return ""
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' || rest[i] == '?' || rest[i] == '#' {
			return rest[:i]
		}
	}
	return rest
}

func cutScheme(s string) (string, bool) {
	for _, p := range []string{"https://", "http://"} {
		if len(s) > len(p) && s[:len(p)] == p {
			return s[len(p):], true
		}
	}
	return "", false
}
