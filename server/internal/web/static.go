package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// asset is one static file, compressed once at start-up.
type asset struct {
	contentType string
	plain       []byte
	gzipped     []byte // nil when compressing does not pay
}

// loadAssets reads every file under static/ of fsys.
func loadAssets(fsys fs.FS) (map[string]*asset, error) {
	assets := map[string]*asset{}
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		a := &asset{contentType: mime.TypeByExtension(path.Ext(p)), plain: b}
		if a.contentType == "" {
			a.contentType = "application/octet-stream"
		}
		if z := gzipBytes(b); len(z) < len(b) {
			a.gzipped = z
		}
		assets["/"+p] = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: loading static files: %w", err)
	}
	return assets, nil
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

// static serves /static/…: versioned URLs (?v=<hash of the files>) are
// cached for a year, since a new build changes the hash.
func (s *Server) static(c *gin.Context) {
	a, ok := s.assets[c.Request.URL.Path]
	if !ok {
		s.errorPage(c, http.StatusNotFound)
		return
	}
	if c.Query("v") == s.pages.AssetVersion() {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	c.Header("Vary", "Accept-Encoding")
	body := a.plain
	if a.gzipped != nil && acceptsGzip(c.Request) {
		c.Header("Content-Encoding", "gzip")
		body = a.gzipped
	}
	c.Data(http.StatusOK, a.contentType, body)
}
