package web

// communityText holds the comments and ratings blocks' strings, one map per
// language, until the interface has message catalogues (#9 point 7): the
// lead moves them there. Keys are the same in every language.
var communityText = map[string]map[string]string{
	"en": {
		"comments":        "Comments",
		"comments_count":  "%d comments",
		"comment_count_1": "1 comment",
		"no_comments":     "No comments yet.",
		"add_comment":     "Add a comment",
		"your_comment":    "Your comment",
		"post":            "Post",
		"reply":           "Reply",
		"your_reply":      "Your reply",
		"delete":          "Delete",
		"approve":         "Approve",
		"held":            "Awaiting approval by the video's owner",
		"deleted":         "This comment has been deleted.",
		"disabled":        "Comments are turned off for this video.",
		"approval_note":   "Comments are published once the video's owner approves them.",
		"login_to_post":   "Log in to comment",
		"like":            "Like",
		"dislike":         "Dislike",
		"login_to_rate":   "Log in to rate this video",
		"replies":         "replies",
		"text_invalid":    "A comment is 1 to 10,000 characters long.",
		"not_allowed":     "You may not do this to this comment.",
		"already_deleted": "This comment was already deleted.",
		"not_held":        "This comment is not awaiting approval.",
		"more_comments":   "More comments",
		"ratings":         "Ratings",
	},
	"fr": {
		"comments":        "Commentaires",
		"comments_count":  "%d commentaires",
		"comment_count_1": "1 commentaire",
		"no_comments":     "Aucun commentaire pour l'instant.",
		"add_comment":     "Ajouter un commentaire",
		"your_comment":    "Votre commentaire",
		"post":            "Publier",
		"reply":           "Répondre",
		"your_reply":      "Votre réponse",
		"delete":          "Supprimer",
		"approve":         "Approuver",
		"held":            "En attente de l'approbation du propriétaire de la vidéo",
		"deleted":         "Ce commentaire a été supprimé.",
		"disabled":        "Les commentaires sont désactivés pour cette vidéo.",
		"approval_note":   "Les commentaires sont publiés une fois approuvés par le propriétaire de la vidéo.",
		"login_to_post":   "Connectez-vous pour commenter",
		"like":            "J'aime",
		"dislike":         "Je n'aime pas",
		"login_to_rate":   "Connectez-vous pour noter cette vidéo",
		"replies":         "réponses",
		"text_invalid":    "Un commentaire compte de 1 à 10 000 caractères.",
		"not_allowed":     "Vous ne pouvez pas faire cela à ce commentaire.",
		"already_deleted": "Ce commentaire a déjà été supprimé.",
		"not_held":        "Ce commentaire n'attend pas d'approbation.",
		"more_comments":   "Plus de commentaires",
		"ratings":         "Avis",
	},
}

// communityStrings are the strings in the visitor's language.
func communityStrings(lang string) map[string]string {
	if t, ok := communityText[lang]; ok {
		return t
	}
	return communityText["en"]
}
