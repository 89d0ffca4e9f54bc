package openapi

import (
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// applyRedundancyErrata corrects GET /server/redundancy/videos: the
// document gives an array of VideoRedundancy, PeerTube's controller
// (server/redundancy.ts, listVideoRedundancies) answers {total, data},
// as every list; and a redundancy's expiresOn may be null.
func applyRedundancyErrata(doc *openapi3.T) error {
	item := doc.Paths.Value("/api/v1/server/redundancy/videos")
	if item == nil || item.Get == nil {
		return fmt.Errorf("errata: the document has no GET /api/v1/server/redundancy/videos")
	}
	mt := item.Get.Responses.Status(200).Value.Content.Get("application/json")
	list := mt.Schema
	if list.Value == nil || list.Value.Items == nil {
		return fmt.Errorf("errata: GET /server/redundancy/videos no longer answers an array: remove this correction")
	}
	page := openapi3.NewObjectSchema()
	page.Required = []string{"total", "data"}
	page.Properties = openapi3.Schemas{
		"total": openapi3.NewSchemaRef("", openapi3.NewIntegerSchema()),
		"data":  list,
	}
	mt.Schema = openapi3.NewSchemaRef("", page)

	// A redundancy that does not expire (a "manual" one, made by POST
	// /server/redundancy/videos) has expiresOn null: the column allows
	// null and toFormattedJSON sends it as is (video-redundancy.ts).
	info := doc.Components.Schemas["FileRedundancyInformation"]
	if info == nil || info.Value == nil || info.Value.Properties["expiresOn"] == nil {
		return fmt.Errorf("errata: the document has no FileRedundancyInformation.expiresOn")
	}
	info.Value.Properties["expiresOn"].Value.Nullable = true
	return nil
}
