package feeds

import (
	"encoding/xml"
	"time"
)

// Atom 1.0 (RFC 4287), with Media RSS thumbnails as PeerTube's Atom feed
// has them. An entry's enclosure is a link rel="enclosure".

type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	NSMedia   string      `xml:"xmlns:media,attr"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Generator string      `xml:"generator"`
	Links     []atomHref  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Entries   []atomEntry `xml:"entry"`
}

type atomHref struct {
	Href   string `xml:"href,attr"`
	Rel    string `xml:"rel,attr,omitempty"`
	Type   string `xml:"type,attr,omitempty"`
	Length int64  `xml:"length,attr,omitempty"`
	Title  string `xml:"title,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Text string `xml:",chardata"`
}

type atomEntry struct {
	ID         string       `xml:"id"`
	Title      string       `xml:"title"`
	Updated    string       `xml:"updated"`
	Published  string       `xml:"published"`
	Links      []atomHref   `xml:"link"`
	Author     atomPerson   `xml:"author"`
	Summary    *atomText    `xml:"summary,omitempty"`
	Content    *atomText    `xml:"content,omitempty"`
	Thumbnails []mediaThumb `xml:"media:thumbnail"`
}

// Atom encodes f as an Atom feed.
func Atom(f Feed) ([]byte, error) {
	doc := atomFeed{NSMedia: nsMedia, ID: f.Link, Title: f.Title, Subtitle: f.Description, Updated: atomDate(lastBuild(f)),
		Generator: f.Generator, Author: atomPerson{Name: f.Author.Name, URI: f.Author.URL},
		Links: []atomHref{{Href: f.Atom, Rel: "self", Type: "application/atom+xml"}, {Href: f.Link, Rel: "alternate", Type: "text/html"}}}
	for _, it := range f.Items {
		e := atomEntry{ID: it.ID, Title: it.Title, Updated: atomDate(it.Updated), Published: atomDate(it.Published),
			Author: atomPerson{Name: it.Author.Name, URI: it.Author.URL},
			Links:  []atomHref{{Href: it.Link, Rel: "alternate", Type: "text/html"}}}
		if enc := it.Enclosure; enc != nil {
			e.Links = append(e.Links, atomHref{Href: enc.URL, Rel: "enclosure", Type: enc.Type, Length: enc.Length, Title: enc.Label})
		}
		if it.Summary != "" {
			e.Summary = &atomText{Type: "text", Text: it.Summary}
		}
		if it.ContentHTML != "" {
			e.Content = &atomText{Type: "html", Text: it.ContentHTML}
		}
		for _, th := range it.Thumbnails {
			e.Thumbnails = append(e.Thumbnails, mediaThumb(th))
		}
		doc.Entries = append(doc.Entries, e)
	}
	return encodeXML(doc)
}

func atomDate(t time.Time) string { return t.UTC().Format(time.RFC3339) }
