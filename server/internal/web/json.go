package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"
)

// readJSONBody checks the media type and reads the whole body within the
// size limit.
func readJSONBody(c *gin.Context) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, errNotJSON
	}
	body, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errBodyTooLarge
	}
	if err != nil {
		return nil, errInvalidJSON
	}
	return body, nil
}

// decodeJSON reads a JSON body strictly into dst: unknown fields, a wrong
// type or trailing data are a 400.
func decodeJSON(c *gin.Context, dst any) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	return strictUnmarshal(body, dst)
}

func strictUnmarshal(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return invalid("wrong_type", "ErrorFieldWrongType", typeErr.Field, map[string]any{"Field": typeErr.Field})
		}
		return errInvalidJSON
	}
	if dec.More() {
		return errInvalidJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return errInvalidJSON
	}
	return nil
}
