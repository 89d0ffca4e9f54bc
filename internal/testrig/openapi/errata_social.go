package openapi

import (
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// applySocialErrata corrects what the document says of playlists and
// subscriptions where PeerTube does otherwise (its controllers and
// models in server/core), as applyErrata does for videos.
func applySocialErrata(doc *openapi3.T) error {
	pl := doc.Components.Schemas["VideoPlaylist"]
	if pl == nil || pl.Value == nil {
		return fmt.Errorf("errata: the document has no schema VideoPlaylist")
	}
	// PeerTube sends null for a playlist without a description, without a
	// thumbnail (no element yet) and without a channel (a private one).
	for _, name := range []string{"description", "thumbnailPath", "videoChannel"} {
		p := pl.Value.Properties[name]
		if p == nil || p.Value == nil {
			return fmt.Errorf("errata: VideoPlaylist has no %s", name)
		}
		v := *p.Value
		v.Nullable = true
		pl.Value.Properties[name] = openapi3.NewSchemaRef("", &v)
	}

	// A video without a category, licence or language has {id: null,
	// label: "Unknown"} in PeerTube (video-api-format.ts); the document
	// does not let the id be null. Playlists list such videos.
	for _, name := range []string{"VideoConstantNumber-Category", "VideoConstantNumber-Licence", "VideoConstantString-Language"} {
		c := doc.Components.Schemas[name]
		if c == nil || c.Value == nil || c.Value.Properties["id"] == nil {
			return fmt.Errorf("errata: the document has no schema %s with an id", name)
		}
		id := *c.Value.Properties["id"].Value
		id.Nullable = true
		c.Value.Properties["id"] = openapi3.NewSchemaRef("", &id)
	}

	// A deleted comment's placeholder has account null in PeerTube
	// (video-comment.ts, toFormattedJSON of a deleted comment).
	vc := doc.Components.Schemas["VideoComment"]
	if vc == nil || vc.Value == nil || vc.Value.Properties["account"] == nil {
		return fmt.Errorf("errata: the document has no VideoComment.account")
	}
	acc := &openapi3.Schema{Nullable: true, AllOf: openapi3.SchemaRefs{vc.Value.Properties["account"]}}
	vc.Value.Properties["account"] = openapi3.NewSchemaRef("", acc)
	// Its text is empty too.
	if txt := vc.Value.Properties["text"]; txt != nil && txt.Value != nil {
		t := *txt.Value
		t.MinLength = 0
		vc.Value.Properties["text"] = openapi3.NewSchemaRef("", &t)
	}

	// A report of a comment or an account has "video": null in PeerTube
	// (abuse.ts, buildBaseVideoAbuse returns null without a video abuse);
	// the document's Abuse.video is a plain VideoInfo.
	ab := doc.Components.Schemas["Abuse"]
	if ab == nil || ab.Value == nil || ab.Value.Properties["video"] == nil {
		return fmt.Errorf("errata: the document has no Abuse.video")
	}
	ab.Value.Properties["video"] = openapi3.NewSchemaRef("", &openapi3.Schema{Nullable: true, AllOf: openapi3.SchemaRefs{ab.Value.Properties["video"]}})

	// /video-playlists/privacies is, like /videos/privacies, an object
	// from id to label, not the array the document says.
	item := doc.Paths.Value("/api/v1/video-playlists/privacies")
	if item == nil || item.Get == nil {
		return fmt.Errorf("errata: the document has no GET /api/v1/video-playlists/privacies")
	}
	obj := openapi3.NewObjectSchema()
	obj.AdditionalProperties = openapi3.AdditionalProperties{Schema: openapi3.NewSchemaRef("", openapi3.NewStringSchema())}
	item.Get.Responses.Status(200).Value.Content.Get("application/json").Schema = openapi3.NewSchemaRef("", obj)

	// A playlist's videos are PeerTube's VideoPlaylistElement list (id,
	// position, timestamps or null, type, and the video or null when the
	// viewer may not see it), not the VideoListResponse the document says.
	item = doc.Paths.Value("/api/v1/video-playlists/{playlistId}/videos")
	video := doc.Components.Schemas["Video"]
	if item == nil || item.Get == nil || video == nil {
		return fmt.Errorf("errata: the document has no GET /api/v1/video-playlists/{playlistId}/videos or Video")
	}
	nullableInt := func() *openapi3.SchemaRef {
		s := openapi3.NewIntegerSchema()
		s.Nullable = true
		return openapi3.NewSchemaRef("", s)
	}
	nullableVideo := &openapi3.Schema{Nullable: true, AllOf: openapi3.SchemaRefs{video}}
	element := openapi3.NewObjectSchema().
		WithPropertyRef("id", openapi3.NewSchemaRef("", openapi3.NewIntegerSchema().WithMin(1))).
		WithPropertyRef("position", openapi3.NewSchemaRef("", openapi3.NewIntegerSchema().WithMin(1))).
		WithPropertyRef("startTimestamp", nullableInt()).
		WithPropertyRef("stopTimestamp", nullableInt()).
		WithPropertyRef("type", openapi3.NewSchemaRef("", openapi3.NewIntegerSchema().WithMin(0).WithMax(3))).
		WithPropertyRef("video", openapi3.NewSchemaRef("", nullableVideo))
	element.Required = []string{"id", "position", "startTimestamp", "stopTimestamp", "type", "video"}
	list := openapi3.NewObjectSchema().
		WithPropertyRef("total", openapi3.NewSchemaRef("", openapi3.NewIntegerSchema())).
		WithPropertyRef("data", openapi3.NewSchemaRef("", openapi3.NewArraySchema().WithItems(element)))
	list.Required = []string{"total", "data"}
	item.Get.Responses.Status(200).Value.Content.Get("application/json").Schema = openapi3.NewSchemaRef("", list)

	// Subscribing and unsubscribing answer 204 No Content in PeerTube
	// (user-subscriptions.ts), where the document says 200.
	for path, method := range map[string]string{
		"/api/v1/users/me/subscriptions":                      "POST",
		"/api/v1/users/me/subscriptions/{subscriptionHandle}": "DELETE",
	} {
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(method) == nil {
			return fmt.Errorf("errata: the document has no %s %s", method, path)
		}
		item.GetOperation(method).Responses.Set("204", &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("successful operation")})
	}
	return nil
}
