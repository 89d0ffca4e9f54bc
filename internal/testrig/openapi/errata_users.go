package openapi

import (
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// applyUsersErrata corrects what the document says of the staff's user
// list and user reads where PeerTube does otherwise (its users controller
// and UserModel.toFormattedJSON), as applyErrata does for videos.
func applyUsersErrata(doc *openapi3.T) error {
	user := doc.Components.Schemas["User"]
	if user == nil || user.Value == nil {
		return fmt.Errorf("errata: the document has no schema User")
	}
	// The User schema has no "type": an array (or anything) would pass.
	typed := *user.Value
	typed.Type = &openapi3.Types{openapi3.TypeObject}
	userRef := openapi3.NewSchemaRef("", &typed)

	// GET /users is documented as an array of User; PeerTube's controller
	// answers getFormattedObjects(...): {total, data}, as every list.
	item := doc.Paths.Value("/api/v1/users")
	if item == nil || item.Get == nil {
		return fmt.Errorf("errata: the document has no GET /api/v1/users")
	}
	mt := item.Get.Responses.Status(200).Value.Content.Get("application/json")
	if mt.Schema.Value.Items == nil {
		return fmt.Errorf("errata: GET /users is no longer an array: remove this correction")
	}
	page := openapi3.NewObjectSchema()
	page.Required = []string{"total", "data"}
	page.Properties = openapi3.Schemas{
		"total": openapi3.NewSchemaRef("", openapi3.NewIntegerSchema()),
		"data":  openapi3.NewSchemaRef("", openapi3.NewArraySchema().WithItems(&typed)),
	}
	mt.Schema = openapi3.NewSchemaRef("", page)

	// GET /users/{id} is oneOf User or UserWithStats; a user without the
	// statistics matches both (neither forbids extra fields), which oneOf
	// refuses. PeerTube sends the statistics only when asked (withStats),
	// which Cabane does not offer: its answer is a User.
	item = doc.Paths.Value("/api/v1/users/{id}")
	if item == nil || item.Get == nil {
		return fmt.Errorf("errata: the document has no GET /api/v1/users/{id}")
	}
	mt = item.Get.Responses.Status(200).Value.Content.Get("application/json")
	if len(mt.Schema.Value.OneOf) != 2 {
		return fmt.Errorf("errata: GET /users/{id} is no longer oneOf two schemas: remove this correction")
	}
	mt.Schema = userRef
	return nil
}
