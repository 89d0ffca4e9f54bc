package web

// creatorText holds the strings of the password form, captions and
// chapters on the watch and embed pages, one map per language, until the
// interface has message catalogues (#9 point 7): the lead moves them.
var creatorText = map[string]map[string]string{
	"en": {
		"protected":      "This video is protected by a password",
		"protected_help": "Its owner shared a password with the people who may watch it.",
		"password":       "Password",
		"unlock":         "Watch",
		"wrong":          "This is not the video's password.",
		"too_many":       "Too many wrong passwords from your address. Try again in a few minutes.",
		"chapters":       "Chapters",
		"chapter_at":     "Go to %s",
	},
	"fr": {
		"protected":      "Cette vidéo est protégée par un mot de passe",
		"protected_help": "Sa propriétaire a partagé un mot de passe avec les personnes qui peuvent la regarder.",
		"password":       "Mot de passe",
		"unlock":         "Regarder",
		"wrong":          "Ce n’est pas le mot de passe de cette vidéo.",
		"too_many":       "Trop de mots de passe erronés depuis votre adresse. Réessayez dans quelques minutes.",
		"chapters":       "Chapitres",
		"chapter_at":     "Aller à %s",
	},
}

func creatorT(lang string) map[string]string {
	if t, ok := creatorText[lang]; ok {
		return t
	}
	return creatorText["en"]
}
