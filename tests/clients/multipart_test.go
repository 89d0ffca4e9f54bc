package clients

import (
	"io"
	"mime/multipart"
	"os"
	"path/filepath"
)

// form is a multipart body built in memory (test clips are small).
type form struct{ w *multipart.Writer }

func newMultipart(w io.Writer) *form { return &form{w: multipart.NewWriter(w)} }

func (f *form) field(k, v string) { f.w.WriteField(k, v) }

func (f *form) file(k, path string) {
	fw, _ := f.w.CreateFormFile(k, filepath.Base(path))
	src, err := os.Open(path)
	if err == nil {
		io.Copy(fw, src)
		src.Close()
	}
}

// close ends the body and returns its Content-Type.
func (f *form) close() string {
	f.w.Close()
	return f.w.FormDataContentType()
}
