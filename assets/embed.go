// Package assets embeds Cabane's templates and static files into the binary.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed templates static locales
var files embed.FS

// Templates holds the html/template files (templates/*.html).
func Templates() fs.FS {
	sub, _ := fs.Sub(files, "templates")
	return sub
}

// Static holds the files served under /static-assets/.
func Static() fs.FS {
	sub, _ := fs.Sub(files, "static")
	return sub
}

// Locales holds the message catalogues (locales/<lang>/<area>.json).
func Locales() fs.FS {
	sub, _ := fs.Sub(files, "locales")
	return sub
}
