package federation

import (
	"context"
	"html"
	"strings"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
)

// Funding gives an account's or a channel's funding links
// (funding.Service).
type Funding interface {
	Links(ctx context.Context, o model.FundingOwner) ([]model.FundingLink, error)
}

// FundingAttachments are links as an actor's attachment: each one a
// PropertyValue, which Mastodon and GoToSocial show as a profile field
// (the value is HTML: a link, as Mastodon writes its own fields, or a bank
// transfer's note), then each link with a URL again as an FEP-0ea0 payment
// Link. Nil for none, so the property is left out.
func FundingAttachments(links []model.FundingLink) []vocab.ActorAttachment {
	if len(links) == 0 {
		return nil
	}
	out := make([]vocab.ActorAttachment, 0, 2*len(links))
	for _, l := range links {
		out = append(out, vocab.ActorAttachment{Type: vocab.TypePropertyValue, Name: l.Label, Value: fieldValue(l)})
	}
	for _, l := range links {
		if l.URL != "" {
			out = append(out, vocab.ActorAttachment{Type: vocab.TypeLink, Name: l.Label, Href: l.URL, Rel: vocab.RelPayment})
		}
	}
	return out
}

// fieldValue is a profile field's HTML: the link, shown without its
// scheme, or the note's lines.
func fieldValue(l model.FundingLink) string {
	if l.URL == "" {
		return strings.ReplaceAll(html.EscapeString(l.Note), "\n", "<br>")
	}
	shown := strings.TrimPrefix(strings.TrimPrefix(l.URL, "https://"), "http://")
	return `<a href="` + html.EscapeString(l.URL) + `" target="_blank" rel="me nofollow noopener noreferrer" translate="no">` +
		html.EscapeString(shown) + `</a>`
}

// fundingOf is o's attachment; a failed read fails the document, so that
// an Update never goes out without the links (it would erase them there).
func (s *Service) fundingOf(ctx context.Context, o model.FundingOwner) ([]vocab.ActorAttachment, error) {
	if s.Funding == nil {
		return nil, nil
	}
	links, err := s.Funding.Links(ctx, o)
	if err != nil {
		return nil, err
	}
	return FundingAttachments(links), nil
}
