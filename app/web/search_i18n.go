package web

// searchText holds the search, tag and trending pages' strings and the
// header's search form, one map per language, until the interface has
// message catalogues (#9 point 7): the lead moves them there. Keys are the
// same in every language.
var searchText = map[string]map[string]string{
	"en": {
		"search":          "Search",
		"search_label":    "Search videos and channels",
		"search_hint":     "Search videos",
		"results_for":     "Results for “%s”",
		"search_title":    "Search",
		"tagged":          "Videos tagged #%s",
		"videos":          "Videos",
		"channels":        "Channels",
		"no_results":      "Nothing matches this search.",
		"n_results":       "%d results",
		"one_result":      "1 result",
		"type_to_search":  "Type a few letters of a title, a tag or a channel.",
		"trending":        "Trending",
		"most_viewed":     "Most viewed",
		"most_liked":      "Most liked",
		"recent":          "Recent",
		"discover":        "Discover",
		"n_videos":        "%d videos",
		"one_video":       "1 video",
		"sort":            "Sort by",
		"sort_match":      "Relevance",
		"sort_published":  "Newest",
		"sort_views":      "Most viewed",
		"sort_likes":      "Most liked",
		"newer":           "← Previous",
		"older":           "Next →",
		"duration_filter": "Duration",
		"any":             "Any",
		"short":           "Short (< 4 min)",
		"medium":          "Medium (4–10 min)",
		"long":            "Long (> 10 min)",
		"apply":           "Apply",
	},
	"fr": {
		"search":          "Rechercher",
		"search_label":    "Rechercher des vidéos et des chaînes",
		"search_hint":     "Rechercher des vidéos",
		"results_for":     "Résultats pour « %s »",
		"search_title":    "Recherche",
		"tagged":          "Vidéos avec le mot-clé #%s",
		"videos":          "Vidéos",
		"channels":        "Chaînes",
		"no_results":      "Rien ne correspond à cette recherche.",
		"n_results":       "%d résultats",
		"one_result":      "1 résultat",
		"type_to_search":  "Tapez quelques lettres d'un titre, d'un mot-clé ou d'une chaîne.",
		"trending":        "Tendances",
		"most_viewed":     "Les plus vues",
		"most_liked":      "Les plus aimées",
		"recent":          "Récentes",
		"discover":        "Découvrir",
		"n_videos":        "%d vidéos",
		"one_video":       "1 vidéo",
		"sort":            "Trier par",
		"sort_match":      "Pertinence",
		"sort_published":  "Les plus récentes",
		"sort_views":      "Les plus vues",
		"sort_likes":      "Les plus aimées",
		"newer":           "← Précédent",
		"older":           "Suivant →",
		"duration_filter": "Durée",
		"any":             "Toutes",
		"short":           "Courte (< 4 min)",
		"medium":          "Moyenne (4 à 10 min)",
		"long":            "Longue (> 10 min)",
		"apply":           "Appliquer",
	},
}

// searchStrings are the strings in lang ("en" when unknown).
func searchStrings(lang string) map[string]string {
	if t, ok := searchText[lang]; ok {
		return t
	}
	return searchText["en"]
}

// searchT is one string, for the layout's search form ({{searchT .Lang
// "search"}}).
func searchT(lang, key string) string { return searchStrings(lang)[key] }
