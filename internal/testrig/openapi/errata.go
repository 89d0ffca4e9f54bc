package openapi

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// applyErrata corrects, in memory, where the document says something other
// than what PeerTube does (testdata/SOURCES.md, and the shared specs'
// SOURCES.md, list them). Each correction is a rule here with its reason;
// where PeerTube's behaviour and the document differ, PeerTube wins.
func applyErrata(doc *openapi3.T) error {
	seen := map[*openapi3.Schema]bool{}
	var fix func(s *openapi3.Schema)
	fix = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		s.Pattern = fixPattern(s.Pattern)
		for _, refs := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
			for _, r := range refs {
				fix(r.Value)
			}
		}
		if s.Items != nil {
			fix(s.Items.Value)
		}
		if s.Not != nil {
			fix(s.Not.Value)
		}
		if s.AdditionalProperties.Schema != nil {
			fix(s.AdditionalProperties.Schema.Value)
		}
		for _, p := range s.Properties {
			fix(p.Value)
		}
	}
	for _, s := range doc.Components.Schemas {
		fix(s.Value)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, r := range op.Responses.Map() {
				if r.Value == nil {
					continue
				}
				for _, mt := range r.Value.Content {
					if mt.Schema != nil {
						fix(mt.Schema.Value)
					}
				}
			}
		}
	}

	// One path is written in Express's syntax (":videoId") rather than
	// OpenAPI's ("{videoId}"), which the router refuses.
	const express, openAPI = "/download/videos/generate/:videoId", "/download/videos/generate/{videoId}"
	if item := doc.Paths.Value(express); item != nil {
		doc.Paths.Delete(express)
		doc.Paths.Set(openAPI, item)
	}

	// GET /users/me is documented as returning an array of User; PeerTube
	// returns one object (MyUser: a User with more fields).
	me := doc.Paths.Value("/api/v1/users/me")
	if me == nil || me.Get == nil {
		return fmt.Errorf("errata: the document has no GET /api/v1/users/me")
	}
	mt := me.Get.Responses.Status(200).Value.Content.Get("application/json")
	if mt.Schema.Value.Items == nil {
		return fmt.Errorf("errata: GET /users/me is no longer an array: remove this correction")
	}
	// The User schema has no "type": without one, an array would pass.
	user := *mt.Schema.Value.Items.Value
	user.Type = &openapi3.Types{openapi3.TypeObject}
	mt.Schema = openapi3.NewSchemaRef("", &user)

	// The constants endpoints (/videos/categories, licences, languages,
	// privacies) are documented as arrays of strings; PeerTube returns an
	// object from id to label, as the document's own examples show.
	for _, path := range []string{"/api/v1/videos/categories", "/api/v1/videos/licences", "/api/v1/videos/languages", "/api/v1/videos/privacies"} {
		item := doc.Paths.Value(path)
		if item == nil || item.Get == nil {
			return fmt.Errorf("errata: the document has no GET %s", path)
		}
		mt := item.Get.Responses.Status(200).Value.Content.Get("application/json")
		obj := openapi3.NewObjectSchema()
		obj.AdditionalProperties = openapi3.AdditionalProperties{Schema: openapi3.NewSchemaRef("", openapi3.NewStringSchema())}
		mt.Schema = openapi3.NewSchemaRef("", obj)
	}

	schema := func(name string) (*openapi3.Schema, error) {
		s := doc.Components.Schemas[name]
		if s == nil || s.Value == nil {
			return nil, fmt.Errorf("errata: the document has no schema %s", name)
		}
		return s.Value, nil
	}
	details, err := schema("VideoDetails")
	if err != nil {
		return err
	}
	own := details.AllOf[len(details.AllOf)-1].Value
	// VideoDetails' tags say minItems 1, but PeerTube sends [] for a video
	// without tags (video-api-format.ts: `video.Tags ? ... : []`).
	if tags := own.Properties["tags"]; tags != nil {
		tags.Value.MinItems = 0
	}
	// The description is up to 10,000 characters in PeerTube (its
	// VIDEOS.DESCRIPTION constraint), not the document's 1,000; and an
	// empty one is sent as null, which "minLength 3" would not cover for
	// a 1- or 2-character description PeerTube itself refuses anyway.
	if d := own.Properties["description"]; d != nil {
		d.Value.MaxLength = ptr(uint64(10000))
	}
	// A file without a torrent has torrentUrl and torrentDownloadUrl null
	// in PeerTube (VideoFileModel.getTorrentUrl returns null), which the
	// schema does not allow.
	file, err := schema("VideoFile")
	if err != nil {
		return err
	}
	for _, name := range []string{"torrentUrl", "torrentDownloadUrl"} {
		file.Properties[name].Value.Nullable = true
	}
	// A video without a category, licence or language has {id: null,
	// label: "Unknown"} in PeerTube (video-api-format.ts builds
	// {id: video.language, label: ...} from the NULL column); the schemas
	// say the id is a plain integer or string.
	for _, name := range []string{"VideoConstantString-Language", "VideoConstantNumber-Category", "VideoConstantNumber-Licence"} {
		c, err := schema(name)
		if err != nil {
			return err
		}
		c.Properties["id"].Value.Nullable = true
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// fixPattern turns the document's JavaScript-style patterns into the
// regular expressions they mean:
//   - some are written with /…/ delimiters, and one with a flag (/…/i):
//     the delimiters are not part of the expression;
//   - the channel-name pattern's "\\-" is a JavaScript template string's
//     escaped hyphen (PeerTube builds it with new RegExp(`…\\-…`)), which
//     the YAML serialisation kept doubled: it means "\-";
//   - the OAuthClient patterns lack their "+" (`^[a-z0-9]$` would accept
//     one character, and the schema says 32).
func fixPattern(p string) string {
	if p == "" {
		return p
	}
	flags := ""
	if strings.HasPrefix(p, "/") {
		end := strings.LastIndex(p, "/")
		if end > 0 {
			flags = p[end+1:]
			p = p[1:end]
		}
	}
	p = strings.ReplaceAll(p, `\\-`, `\-`)
	switch p {
	case "^[a-z0-9]$", "^[a-zA-Z0-9]$":
		p = strings.TrimSuffix(p, "$") + "+$"
	}
	if flags != "" {
		p = "(?" + flags + ")" + p
	}
	return p
}
