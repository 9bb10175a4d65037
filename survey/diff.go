package survey

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Kinds of Change.
const (
	ChangeAdded   = "added"
	ChangeRemoved = "removed"
	ChangeChanged = "changed"
)

// Subjects of Change: what kind of thing changed.
const (
	SubjectSurvey    = "survey"
	SubjectSection   = "section"
	SubjectQuestion  = "question"
	SubjectOption    = "option"
	SubjectIndicator = "indicator"
)

// Change is one difference between two versions of a survey.
type Change struct {
	Kind    string // ChangeAdded, ChangeRemoved or ChangeChanged
	Subject string // SubjectSurvey, SubjectSection, ...
	// Section, Question, Option and Indicator locate the subject by id
	// (Option is an option's value); only those that apply are set.
	Section, Question, Option, Indicator string
	// Field is the JSON name of what changed inside the subject ("text",
	// "required", "order", "languages"); empty when the subject itself
	// was added or removed.
	Field string
	// Lang is set for a change to one language of a text, or for a
	// language added to or removed from the survey.
	Lang string
	// Before and After are the values, written out as plain text (a
	// list joined by ", "); empty when there was none.
	Before, After string
}

// Diff lists what changed from one version of a survey to another:
// sections, questions, options and indicators added, removed or changed,
// texts per language, and changes of order. Questions are matched by id
// across the whole survey, so a question moved to another section is one
// change of its "section", not a removal and an addition. The list is in
// the order of the newer version, removals where the removed thing stood;
// two equal definitions give none.
func Diff(from, to *Definition) []Change {
	var cs changes
	cs.texts(Change{Subject: SubjectSurvey}, "title", from.Title, to.Title)
	cs.texts(Change{Subject: SubjectSurvey}, "intro", from.Intro, to.Intro)
	cs.texts(Change{Subject: SubjectSurvey}, "attribution", from.Attribution, to.Attribution)
	for _, tag := range from.Languages {
		if !slices.Contains(to.Languages, tag) {
			cs.add(Change{Kind: ChangeRemoved, Subject: SubjectSurvey, Field: "languages", Lang: tag})
		}
	}
	for _, tag := range to.Languages {
		if !slices.Contains(from.Languages, tag) {
			cs.add(Change{Kind: ChangeAdded, Subject: SubjectSurvey, Field: "languages", Lang: tag})
		}
	}
	cs.value(Change{Subject: SubjectSurvey}, "priorities", from.Priorities, to.Priorities)
	cs.order(Change{Subject: SubjectSurvey}, sectionIDs(from.Sections), sectionIDs(to.Sections))

	fromSections := map[string]*Section{}
	for i := range from.Sections {
		fromSections[from.Sections[i].ID] = &from.Sections[i]
	}
	toSections := map[string]bool{}
	for i := range to.Sections {
		toSections[to.Sections[i].ID] = true
	}
	fromQuestions := questionsByID(from)
	toQuestions := questionsByID(to)

	// Removed sections are listed first: what went, then what is.
	for i := range from.Sections {
		s := &from.Sections[i]
		if !toSections[s.ID] {
			cs.add(Change{Kind: ChangeRemoved, Subject: SubjectSection, Section: s.ID, Before: s.Title["en"]})
		}
	}
	for i := range to.Sections {
		s := &to.Sections[i]
		old, ok := fromSections[s.ID]
		if !ok {
			cs.add(Change{Kind: ChangeAdded, Subject: SubjectSection, Section: s.ID, After: s.Title["en"]})
		} else {
			cs.texts(Change{Subject: SubjectSection, Section: s.ID}, "title", old.Title, s.Title)
			cs.order(Change{Subject: SubjectSection, Section: s.ID}, questionIDs(old.Questions), questionIDs(s.Questions))
			for j := range old.Questions {
				if _, kept := toQuestions[old.Questions[j].ID]; !kept {
					q := &old.Questions[j]
					cs.add(Change{Kind: ChangeRemoved, Subject: SubjectQuestion, Section: s.ID, Question: q.ID, Before: q.Text["en"]})
				}
			}
		}
		for j := range s.Questions {
			q := &s.Questions[j]
			was, ok := fromQuestions[q.ID]
			if !ok {
				cs.add(Change{Kind: ChangeAdded, Subject: SubjectQuestion, Section: s.ID, Question: q.ID, After: q.Text["en"]})
				continue
			}
			cs.value(Change{Subject: SubjectQuestion, Section: s.ID, Question: q.ID}, "section", was.section, s.ID)
			cs.question(s.ID, was.q, q)
		}
	}
	// Questions of removed sections went with them, but say so: their
	// answers no longer come in.
	for i := range from.Sections {
		s := &from.Sections[i]
		if toSections[s.ID] {
			continue
		}
		for j := range s.Questions {
			if _, kept := toQuestions[s.Questions[j].ID]; !kept {
				q := &s.Questions[j]
				cs.add(Change{Kind: ChangeRemoved, Subject: SubjectQuestion, Section: s.ID, Question: q.ID, Before: q.Text["en"]})
			}
		}
	}
	cs.indicators(from.Indicators, to.Indicators)
	return cs.list
}

// changes collects Changes.
type changes struct{ list []Change }

func (cs *changes) add(c Change) { cs.list = append(cs.list, c) }

// value records a change of one plain value of subject.
func (cs *changes) value(subject Change, field, before, after string) {
	if before == after {
		return
	}
	subject.Kind, subject.Field, subject.Before, subject.After = ChangeChanged, field, before, after
	cs.add(subject)
}

// texts records each language of a text added, removed or changed, in
// tag order.
func (cs *changes) texts(subject Change, field string, before, after Text) {
	tags := map[string]bool{}
	for tag := range before {
		tags[tag] = true
	}
	for tag := range after {
		tags[tag] = true
	}
	sorted := make([]string, 0, len(tags))
	for tag := range tags {
		sorted = append(sorted, tag)
	}
	sort.Strings(sorted)
	for _, tag := range sorted {
		b, a := before[tag], after[tag]
		if b == a {
			continue
		}
		c := subject
		c.Field, c.Lang, c.Before, c.After = field, tag, b, a
		switch {
		case b == "":
			c.Kind = ChangeAdded
		case a == "":
			c.Kind = ChangeRemoved
		default:
			c.Kind = ChangeChanged
		}
		cs.add(c)
	}
}

// order records a change in the order of the things both lists keep:
// additions and removals are changes of their own.
func (cs *changes) order(subject Change, before, after []string) {
	keptBefore := keepOnly(before, after)
	keptAfter := keepOnly(after, before)
	if slices.Equal(keptBefore, keptAfter) {
		return
	}
	subject.Kind, subject.Field = ChangeChanged, "order"
	subject.Before, subject.After = strings.Join(keptBefore, ", "), strings.Join(keptAfter, ", ")
	cs.add(subject)
}

func (cs *changes) question(section string, was, q *Question) {
	at := Change{Subject: SubjectQuestion, Section: section, Question: q.ID}
	cs.value(at, "type", was.Type, q.Type)
	cs.value(at, "required", strconv.FormatBool(was.Required), strconv.FormatBool(q.Required))
	cs.texts(at, "text", was.Text, q.Text)
	cs.texts(at, "hint", was.Hint, q.Hint)
	cs.value(at, "min", intText(was.Min), intText(q.Min))
	cs.value(at, "max", intText(was.Max), intText(q.Max))
	cs.texts(at, "min_label", was.MinLabel, q.MinLabel)
	cs.texts(at, "max_label", was.MaxLabel, q.MaxLabel)
	cs.value(at, "max_choices", countText(was.MaxChoices), countText(q.MaxChoices))
	cs.value(at, "max_length", countText(was.MaxLength), countText(q.MaxLength))
	cs.value(at, "show_if", conditionText(was.ShowIf), conditionText(q.ShowIf))
	cs.value(at, "banded", strconv.FormatBool(was.Banded), strconv.FormatBool(q.Banded))

	cs.order(at, optionValues(was.Options), optionValues(q.Options))
	for _, o := range was.Options {
		if _, kept := q.Option(o.Value); !kept {
			cs.add(Change{Kind: ChangeRemoved, Subject: SubjectOption, Section: section, Question: q.ID, Option: o.Value, Before: o.Label["en"]})
		}
	}
	for _, o := range q.Options {
		old, ok := was.Option(o.Value)
		if !ok {
			cs.add(Change{Kind: ChangeAdded, Subject: SubjectOption, Section: section, Question: q.ID, Option: o.Value, After: o.Label["en"]})
			continue
		}
		cs.texts(Change{Subject: SubjectOption, Section: section, Question: q.ID, Option: o.Value}, "label", old.Label, o.Label)
	}
}

func (cs *changes) indicators(before, after []Indicator) {
	old := map[string]*Indicator{}
	for i := range before {
		old[before[i].ID] = &before[i]
	}
	kept := map[string]bool{}
	for i := range after {
		kept[after[i].ID] = true
	}
	for _, ind := range before {
		if !kept[ind.ID] {
			cs.add(Change{Kind: ChangeRemoved, Subject: SubjectIndicator, Indicator: ind.ID, Before: ind.Label["en"]})
		}
	}
	for _, ind := range after {
		was, ok := old[ind.ID]
		if !ok {
			cs.add(Change{Kind: ChangeAdded, Subject: SubjectIndicator, Indicator: ind.ID, After: ind.Label["en"]})
			continue
		}
		at := Change{Subject: SubjectIndicator, Indicator: ind.ID}
		cs.texts(at, "label", was.Label, ind.Label)
		cs.value(at, "question", was.Question, ind.Question)
		cs.value(at, "counts", strings.Join(was.Counts, ", "), strings.Join(ind.Counts, ", "))
		cs.value(at, "range", intsText(was.Range), intsText(ind.Range))
		cs.value(at, "better", was.Better, ind.Better)
		cs.texts(at, "definition", was.Definition, ind.Definition)
	}
}

// placedQuestion is a question with the id of its section.
type placedQuestion struct {
	section string
	q       *Question
}

func questionsByID(d *Definition) map[string]placedQuestion {
	out := map[string]placedQuestion{}
	for i := range d.Sections {
		s := &d.Sections[i]
		for j := range s.Questions {
			out[s.Questions[j].ID] = placedQuestion{section: s.ID, q: &s.Questions[j]}
		}
	}
	return out
}

func sectionIDs(ss []Section) []string {
	ids := make([]string, len(ss))
	for i := range ss {
		ids[i] = ss[i].ID
	}
	return ids
}

func questionIDs(qs []Question) []string {
	ids := make([]string, len(qs))
	for i := range qs {
		ids[i] = qs[i].ID
	}
	return ids
}

func optionValues(os []Option) []string {
	vs := make([]string, len(os))
	for i := range os {
		vs[i] = os[i].Value
	}
	return vs
}

// keepOnly returns the items of list that are also in other, in list's order.
func keepOnly(list, other []string) []string {
	var out []string
	for _, s := range list {
		if slices.Contains(other, s) {
			out = append(out, s)
		}
	}
	return out
}

func intText(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// countText writes a limit whose zero means none as empty.
func countText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func intsText(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}

// conditionText writes a show_if condition as "question: a, b".
func conditionText(c *Condition) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("%s: %s", c.Question, strings.Join(c.In, ", "))
}
