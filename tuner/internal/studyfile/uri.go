package studyfile

import (
	"net/url"
	"path/filepath"
	"strings"
)

// URI is the SQLite URI of the absolute path abs, escaped, so that '?',
// '#' and '%' in file names are safe; callers append "?" and parameters.
func URI(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a drive letter: file:///C:/... as SQLite wants it
	}
	u := url.URL{Scheme: "file", Path: p}
	return u.String()
}
