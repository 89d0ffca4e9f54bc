package feeds

import (
	"encoding/json"
	"fmt"
)

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1). An item's renditions
// are its attachments, best first.

// JSONFeedVersion is the version URL the format requires.
const JSONFeedVersion = "https://jsonfeed.org/version/1.1"

type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url"`
	FeedURL     string       `json:"feed_url"`
	Description string       `json:"description,omitempty"`
	Authors     []jsonAuthor `json:"authors"`
	Items       []jsonItem   `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type jsonItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url"`
	Title         string           `json:"title"`
	ContentHTML   string           `json:"content_html,omitempty"`
	ContentText   string           `json:"content_text,omitempty"`
	Summary       string           `json:"summary,omitempty"`
	Image         string           `json:"image,omitempty"`
	DatePublished string           `json:"date_published"`
	DateModified  string           `json:"date_modified"`
	Authors       []jsonAuthor     `json:"authors"`
	Attachments   []jsonAttachment `json:"attachments,omitempty"`
}

type jsonAttachment struct {
	URL      string `json:"url"`
	MIMEType string `json:"mime_type"`
	Title    string `json:"title,omitempty"`
	Size     int64  `json:"size_in_bytes,omitempty"`
	Duration int    `json:"duration_in_seconds,omitempty"`
}

// JSONFeed encodes f as JSON Feed 1.1.
func JSONFeed(f Feed) ([]byte, error) {
	doc := jsonFeed{Version: JSONFeedVersion, Title: f.Title, HomePageURL: f.Link, FeedURL: f.JSON, Description: f.Description,
		Authors: []jsonAuthor{{Name: f.Author.Name, URL: f.Author.URL}}, Items: []jsonItem{}}
	for _, it := range f.Items {
		ji := jsonItem{ID: it.ID, URL: it.Link, Title: it.Title, ContentHTML: it.ContentHTML, Summary: it.Summary,
			DatePublished: atomDate(it.Published), DateModified: atomDate(it.Updated),
			Authors: []jsonAuthor{{Name: it.Author.Name, URL: it.Author.URL}}}
		if ji.ContentHTML == "" {
			// an item must have content_html or content_text
			ji.ContentText = it.Title
		}
		if len(it.Thumbnails) > 0 {
			ji.Image = it.Thumbnails[0].URL
		}
		for _, fl := range it.Files {
			ji.Attachments = append(ji.Attachments, jsonAttachment{URL: fl.URL, MIMEType: fl.Type, Title: fl.Label,
				Size: fl.Length, Duration: seconds(fl.Duration)})
		}
		doc.Items = append(doc.Items, ji)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode json feed: %w", err)
	}
	return append(b, '\n'), nil
}
