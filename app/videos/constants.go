package videos

import (
	"maps"

	"cabane.dev/cabane/app/model"
)

// PeerTube's constants (server/core/initializers/constants.ts), with their
// English labels as PeerTube's API sends them: apps show these labels, and
// translate them themselves. Read-only tables; callers get copies.

var categories = map[int]string{
	1: "Music", 2: "Films", 3: "Vehicles", 4: "Art", 5: "Sports", 6: "Travels", 7: "Gaming", 8: "People",
	9: "Comedy", 10: "Entertainment", 11: "News & Politics", 12: "How To", 13: "Education", 14: "Activism",
	15: "Science & Technology", 16: "Animals", 17: "Kids", 18: "Food",
}

var licences = map[int]string{
	1: "Attribution", 2: "Attribution - Share Alike", 3: "Attribution - No Derivatives",
	4: "Attribution - Non Commercial", 5: "Attribution - Non Commercial - Share Alike",
	6: "Attribution - Non Commercial - No Derivatives", 7: "Public Domain Dedication",
	8: "Free of known copyright restrictions", 9: "All Rights Reserved",
}

// privacies are those Cabane accepts: PeerTube's, plus its own "local
// network only" (6) and "supporters only" (7).
var privacies = map[int]string{
	model.PrivacyPublic: "Public", model.PrivacyUnlisted: "Unlisted", model.PrivacyPrivate: "Private",
	model.PrivacyInternal: "Internal", model.PrivacyPassword: "Password protected", model.PrivacyLocal: "Local network only",
	model.PrivacySupporters: "Supporters only",
}

var commentPolicies = map[int]string{
	model.CommentsEnabled: "Enabled", model.CommentsDisabled: "Disabled", model.CommentsRequiresApproval: "Requires approval",
}

var states = map[int]string{
	1: "Published", 2: "To transcode", 3: "To import", 4: "Waiting for livestream", 5: "Livestream ended",
	6: "To move to an external storage", 7: "Transcoding failed", 8: "External storage move failed", 9: "To edit",
}

// Categories is PeerTube's /videos/categories: id → label.
func Categories() map[int]string { return maps.Clone(categories) }

// Licences is PeerTube's /videos/licences.
func Licences() map[int]string { return maps.Clone(licences) }

// Languages is PeerTube's /videos/languages: code → label.
func Languages() map[string]string { return maps.Clone(languages) }

// Privacies is /videos/privacies: the privacies Cabane accepts.
func Privacies() map[int]string { return maps.Clone(privacies) }

// The labels PeerTube gives ids it does not know, and unset values.
const unknown = "Unknown"

// CategoryLabel is a category's label ("Unknown" when unset or unknown, as
// PeerTube).
func CategoryLabel(id int) string { return label(categories, id) }

// LicenceLabel is a licence's label.
func LicenceLabel(id int) string { return label(licences, id) }

// PrivacyLabel is a privacy's label.
func PrivacyLabel(id int) string { return label(privacies, id) }

// StateLabel is a processing state's label.
func StateLabel(id int) string { return label(states, id) }

// CommentsPolicyLabel is a comments policy's label.
func CommentsPolicyLabel(id int) string { return label(commentPolicies, id) }

// LanguageLabel is a language's label.
func LanguageLabel(code string) string {
	if l, ok := languages[code]; ok {
		return l
	}
	return unknown
}

func label(m map[int]string, id int) string {
	if l, ok := m[id]; ok {
		return l
	}
	return unknown
}

// TrendingDays is how far back "trending" counts views: PeerTube's
// trending.videos.interval_days default (the store ranks by it).
const TrendingDays = 7
