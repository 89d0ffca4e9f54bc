package openapi

import (
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// applyCreatorErrata corrects what the document says of chapters and
// video passwords where PeerTube does otherwise.
func applyCreatorErrata(doc *openapi3.T) error {
	// VideoChapters.chapters is an array of chapters in PeerTube
	// (video-chapters.ts: { chapters: chapters.map(...) }); the document
	// writes the item schema without the array.
	for _, name := range []string{"VideoChapters", "replaceVideoChapters_request"} {
		s := doc.Components.Schemas[name]
		if s == nil || s.Value == nil || s.Value.Properties["chapters"] == nil {
			return fmt.Errorf("errata: the document has no schema %s with chapters", name)
		}
		item := s.Value.Properties["chapters"]
		if item.Value != nil && item.Value.Type.Is("array") {
			continue
		}
		s.Value.Properties["chapters"] = openapi3.NewSchemaRef("", openapi3.NewArraySchema().WithItems(item.Value))
	}
	// GET /videos/{id}/passwords answers 200 with the list (res.json), not
	// the 204 the document gives it.
	p := doc.Paths.Value("/api/v1/videos/{id}/passwords")
	if p == nil || p.Get == nil || p.Get.Responses.Value("204") == nil {
		return fmt.Errorf("errata: the document has no GET /api/v1/videos/{id}/passwords answering 204")
	}
	p.Get.Responses.Set("200", p.Get.Responses.Value("204"))
	p.Get.Responses.Delete("204")
	return nil
}
