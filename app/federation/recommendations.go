package federation

import (
	"context"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// Recommendations lists a channel's recommendations
// (recommendations.Service).
type Recommendations interface {
	List(ctx context.Context, channelID int64) ([]model.Recommendation, error)
}

// RecommendationsOf is a local channel's recommendations collection.
func (s *Service) RecommendationsOf(ctx context.Context, name string) (vocab.RecommendationCollection, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.RecommendationCollection{}, err
	}
	ch, err := s.Accounts.LocalChannel(ctx, visibility.Remote(), name)
	if err != nil {
		return vocab.RecommendationCollection{}, err
	}
	var rs []model.Recommendation
	if s.Recommendations != nil {
		if rs, err = s.Recommendations.List(ctx, ch.ID); err != nil {
			return vocab.RecommendationCollection{}, err
		}
	}
	return RecommendationCollection(u, ch, rs), nil
}

// RecommendationCollection is ch's list as its collection.
func RecommendationCollection(u uris.Builder, ch model.Channel, rs []model.Recommendation) vocab.RecommendationCollection {
	path := uris.Channel(ch.Name)
	c := vocab.RecommendationCollection{Context: vocab.GroupContext, Type: "OrderedCollection",
		ID: u.Abs(uris.Recommendations(path)), AttributedTo: u.Abs(path), TotalItems: len(rs),
		OrderedItems: make([]vocab.RecommendedObject, 0, len(rs))}
	for _, r := range rs {
		typ := vocab.TypeGroup
		if r.Kind == model.RecommendVideo {
			typ = "Video"
		}
		c.OrderedItems = append(c.OrderedItems, vocab.RecommendedObject{Type: typ, ID: r.IRI, Name: r.Name, URL: r.URL, Summary: nullable(r.Note)})
	}
	return c
}
