// Package seed holds the data yousaid starts with: the survey definitions,
// the published reference figures that results are compared with, and the
// national services the thank-you page signposts.
package seed

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"

	"yousaid/survey"
)

// FS holds the seed files: surveys/*.json (one survey definition each, in
// the format of survey.Definition), reference.json and contacts.json.
//
//go:embed surveys/*.json reference.json contacts.json
var FS embed.FS

// ReferenceFigure is a published figure that a survey indicator can be
// compared with. It was measured elsewhere, never by yousaid: pages show it
// with its source and year.
type ReferenceFigure struct {
	// Survey and Indicator name the indicator the figure is comparable with.
	Survey    string `json:"survey"`
	Indicator string `json:"indicator"`
	// Value is the published share, from 0 to 1 (0.32 for 32%).
	Value float64 `json:"value"`
	// Population is who was measured: "care leavers" or "general population 16-24".
	Population string `json:"population"`
	// Sample describes who answered and when, as published, where known.
	Sample string `json:"sample,omitempty"`
	// Source names the publication; Year is the year it was published.
	Source string `json:"source"`
	Year   int    `json:"year"`
	// Note says where the published definition differs from the indicator's,
	// or how the figure was published (for example "about 1 in 10").
	Note string `json:"note,omitempty"`
}

// Contact is a national service the thank-you page signposts. Every entry
// was checked against the service's own pages on the date in Checked.
type Contact struct {
	ID   string      `json:"id"`
	Name survey.Text `json:"name"`
	// Help says in one plain sentence what the service helps with.
	Help survey.Text `json:"help"`
	// Phone is the number to call, written as the service publishes it.
	Phone string `json:"phone,omitempty"`
	// SMS is the number to text; SMSKeyword the word to send, if any.
	SMS        string `json:"sms,omitempty"`
	SMSKeyword string `json:"sms_keyword,omitempty"`
	URL        string `json:"url,omitempty"`
	// Hours says when the service is open.
	Hours survey.Text `json:"hours,omitempty"`
	// Who says who the service is for (ages, nations).
	Who survey.Text `json:"who,omitempty"`
	// Emergency marks 999 and 111, which the page lists first.
	Emergency bool `json:"emergency,omitempty"`
	// Checked is the date (YYYY-MM-DD) the details were last checked, and
	// CheckedSource the page they were checked against.
	Checked       string `json:"checked"`
	CheckedSource string `json:"checked_source"`
}

// Surveys returns the raw JSON of every seed survey definition, ordered by
// file name. It fails only if the embedded files cannot be read.
func Surveys() ([][]byte, error) {
	names, err := fs.Glob(FS, "surveys/*.json")
	if err != nil {
		return nil, fmt.Errorf("seed.Surveys: %w", err)
	}
	sort.Strings(names)
	out := make([][]byte, 0, len(names))
	for _, name := range names {
		data, err := FS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("seed.Surveys: %w", err)
		}
		out = append(out, data)
	}
	return out, nil
}

// ReferenceFigures returns the published reference figures from
// reference.json. It fails if the file is not valid JSON or has a field the
// struct does not know.
func ReferenceFigures() ([]ReferenceFigure, error) {
	var file struct {
		Figures []ReferenceFigure `json:"figures"`
	}
	if err := decodeStrict("reference.json", &file); err != nil {
		return nil, fmt.Errorf("seed.ReferenceFigures: %w", err)
	}
	return file.Figures, nil
}

// Contacts returns the signposted services from contacts.json, in the order
// the file lists them. It fails if the file is not valid JSON or has a field
// the struct does not know.
func Contacts() ([]Contact, error) {
	var file struct {
		Contacts []Contact `json:"contacts"`
	}
	if err := decodeStrict("contacts.json", &file); err != nil {
		return nil, fmt.Errorf("seed.Contacts: %w", err)
	}
	return file.Contacts, nil
}

// decodeStrict decodes one embedded JSON file into v, rejecting unknown
// fields so that a misspelt key in the seed data fails loudly.
func decodeStrict(name string, v any) error {
	data, err := FS.ReadFile(name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
