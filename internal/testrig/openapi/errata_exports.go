package openapi

import (
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// applyExportsErrata corrects GET /users/{userId}/exports: the document
// gives one UserExport, PeerTube's controller (user-exports.ts) answers
// getFormattedObjects(...), {total, data: [UserExport]}, as every list.
func applyExportsErrata(doc *openapi3.T) error {
	item := doc.Paths.Value("/api/v1/users/{userId}/exports")
	if item == nil || item.Get == nil {
		return fmt.Errorf("errata: the document has no GET /api/v1/users/{userId}/exports")
	}
	mt := item.Get.Responses.Status(200).Value.Content.Get("application/json")
	one := mt.Schema
	if one.Value == nil || one.Value.Properties["state"] == nil {
		return fmt.Errorf("errata: GET /users/{userId}/exports no longer answers one export: remove this correction")
	}
	page := openapi3.NewObjectSchema()
	page.Required = []string{"total", "data"}
	page.Properties = openapi3.Schemas{
		"total": openapi3.NewSchemaRef("", openapi3.NewIntegerSchema()),
		"data":  openapi3.NewSchemaRef("", openapi3.NewArraySchema().WithItems(one.Value)),
	}
	mt.Schema = openapi3.NewSchemaRef("", page)
	return nil
}
