package feeds

import (
	"net/url"
	"slices"

	"cabane.dev/cabane/app/visibility"
)

// Supporter is who a supporter's private podcast feed is for: the
// accounts they support now (their link checked by the caller, so a
// revoked link gets the public feed) and the link's token, added to the
// URLs of the supporter-only episodes so that a podcast app, which sends
// no cookie, can fetch them (every fetch asks visibility again).
type Supporter struct {
	Of    []int64
	Token string
}

// viewer is the feed's reader: a stranger, plus the support.
func (s Supporter) viewer() visibility.Viewer {
	v := visibility.FeedReader()
	v.SupporterOf = s.Of
	return v
}

// supporterOnly lists the items that only a supporter may fetch: those
// not in the public feed. Their URLs get the token.
func (s Supporter) sign(f *Feed) {
	if s.Token == "" || len(s.Of) == 0 {
		return
	}
	add := func(u string) string {
		p, err := url.Parse(u)
		if err != nil {
			return u
		}
		q := p.Query()
		q.Set("supporterToken", s.Token)
		p.RawQuery = q.Encode()
		return p.String()
	}
	for i := range f.Items {
		it := &f.Items[i]
		if !slices.Contains(f.supporterOnly, it.ID) {
			continue
		}
		it.HLS = add(it.HLS)
		for j := range it.Files {
			it.Files[j].URL = add(it.Files[j].URL)
		}
		if it.Enclosure != nil {
			e := *it.Enclosure
			e.URL = add(e.URL)
			it.Enclosure = &e
		}
		for j := range it.Thumbnails {
			it.Thumbnails[j].URL = add(it.Thumbnails[j].URL)
		}
	}
}
