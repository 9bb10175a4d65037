package survey

import "slices"

// Question returns the question with the given id, wherever it is in the
// survey. The pointer aliases the definition, which callers must not change.
func (d *Definition) Question(id string) (*Question, bool) {
	for i := range d.Sections {
		s := &d.Sections[i]
		for j := range s.Questions {
			if s.Questions[j].ID == id {
				return &s.Questions[j], true
			}
		}
	}
	return nil, false
}

// Questions returns every question in document order (section by section).
// The pointers alias the definition, which callers must not change.
func (d *Definition) Questions() []*Question {
	var qs []*Question
	for i := range d.Sections {
		s := &d.Sections[i]
		for j := range s.Questions {
			qs = append(qs, &s.Questions[j])
		}
	}
	return qs
}

// HasLanguage reports whether the survey offers tag, compared exactly with
// the canonical tags in Languages (Validate insists on canonical tags, so a
// caller that canonicalises with golang.org/x/text/language matches).
func (d *Definition) HasLanguage(tag string) bool {
	return slices.Contains(d.Languages, tag)
}

// Option returns the option of a choice or multi question with the given
// value. The pointer aliases the definition, which callers must not change.
func (q *Question) Option(value string) (*Option, bool) {
	for i := range q.Options {
		if q.Options[i].Value == value {
			return &q.Options[i], true
		}
	}
	return nil, false
}
