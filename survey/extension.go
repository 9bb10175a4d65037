package survey

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// MaxLocalQuestions is how many questions a council may add to a national
// survey: enough to ask about its local offer, few enough that the survey
// stays short and its national questions stay comparable.
const MaxLocalQuestions = 10

// Extend builds the definition a council stores for an extension of base.
// local carries the extension's own part as its author writes it: id,
// version, council, languages, title, optional intro, and in Sections and
// Indicators only the local sections and indicators. The result holds the
// base's sections, indicators, priorities and attribution first, unchanged,
// then the local ones; its languages are local's followed by the base's
// others (the base's questions are written in them).
//
// A result that breaks a rule comes back as a *DefinitionError whose paths
// point into local, as its author wrote it.
func Extend(base, local *Definition) (*Definition, error) {
	var early []Problem
	if local.Priorities != "" && local.Priorities != base.Priorities {
		early = append(early, NewProblem("priorities", RuleExtensionPrioritiesSet, base.Priorities))
	}
	if local.Attribution != nil {
		early = append(early, NewProblem("attribution", RuleExtensionAttributionSet))
	}
	m := &Definition{
		ID: local.ID, Version: local.Version, Title: local.Title, Intro: local.Intro,
		Council: local.Council, Extends: base.ID, BaseVersion: base.Version,
		Priorities: base.Priorities, Attribution: cloneJSON(base.Attribution),
	}
	if m.Intro == nil {
		m.Intro = cloneJSON(base.Intro)
	}
	m.Languages = slices.Clone(local.Languages)
	for _, tag := range base.Languages {
		if !slices.Contains(m.Languages, tag) {
			m.Languages = append(m.Languages, tag)
		}
	}
	for _, tag := range slices.Concat(local.Drafted, base.Drafted) {
		if !slices.Contains(m.Drafted, tag) {
			m.Drafted = append(m.Drafted, tag)
		}
	}
	m.Sections = append(cloneJSON(base.Sections), local.Sections...)
	m.Indicators = append(cloneJSON(base.Indicators), local.Indicators...)

	problems := early
	if err := ValidateExtension(base, m); err != nil {
		for _, p := range err.(*DefinitionError).Problems {
			p.Path = localPath(p.Path, len(base.Sections), len(base.Indicators))
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return nil, &DefinitionError{ID: local.ID, Problems: problems}
	}
	return m, nil
}

// Local returns an extension's own part, shaped as Extend takes it: d
// without the base's sections and indicators.
func Local(base, d *Definition) *Definition {
	l := *d
	l.Sections = slices.Clone(d.Sections[min(len(base.Sections), len(d.Sections)):])
	l.Indicators = slices.Clone(d.Indicators[min(len(base.Indicators), len(d.Indicators)):])
	l.Priorities, l.Attribution, l.Extends, l.BaseVersion = "", nil, "", 0
	return &l
}

// ValidateExtension checks a whole extension d (as stored, and as a PUT
// sends it): the loader's rules and the extension rules against base. It
// returns nil or a *DefinitionError; where both kinds of rule fault the
// same path, the extension rule's message, which says more, is kept.
func ValidateExtension(base, d *Definition) error {
	problems := CheckExtension(base, d)
	seen := map[string]bool{}
	for _, p := range problems {
		seen[p.Path] = true
	}
	if err := d.Validate(); err != nil {
		for _, p := range err.(*DefinitionError).Problems {
			if !seen[p.Path] {
				problems = append(problems, p)
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return &DefinitionError{ID: d.ID, Problems: problems}
}

// CheckExtension reports how d breaks the extension rules against base:
// every national section, question and indicator kept in its place and
// unchanged, the same priorities and attribution, every national language
// kept, local ids that do not clash with national ones, and between 1 and
// MaxLocalQuestions local questions. Paths point into d.
func CheckExtension(base, d *Definition) []Problem {
	c := &extensionCheck{base: base, d: d}
	c.ownership()
	c.sections()
	c.local()
	c.indicators()
	if d.Priorities != base.Priorities {
		c.add("priorities", RuleExtensionPrioritiesChanged, base.Priorities)
	}
	if !sameJSON(d.Attribution, base.Attribution) {
		c.add("attribution", RuleExtensionAttributionChanged)
	}
	return c.problems
}

type extensionCheck struct {
	base, d  *Definition
	problems []Problem
	// national marks the paths of d's questions that are national ones
	// found in d, so that they are not also reported as id clashes.
	national map[string]bool
}

func (c *extensionCheck) add(path string, rule Rule, args ...any) {
	c.problems = append(c.problems, NewProblem(path, rule, args...))
}

func (c *extensionCheck) ownership() {
	if c.d.Extends != c.base.ID {
		c.add("extends", RuleExtensionExtendsChanged, c.base.ID)
	}
	if c.d.BaseVersion != c.base.Version {
		c.add("base_version", RuleExtensionBaseVersion, c.base.Version, c.base.ID)
	}
	var missing []string
	for _, tag := range c.base.Languages {
		if !c.d.HasLanguage(tag) {
			missing = append(missing, strconv.Quote(tag))
		}
	}
	if len(missing) > 0 {
		c.add("languages", RuleExtensionLanguagesMissing, strings.Join(missing, ", "))
	}
}

// sections checks that each national section is in its place with each of
// its questions, unchanged and in order, and nothing else.
func (c *extensionCheck) sections() {
	c.national = map[string]bool{}
	where := map[string]string{} // question id → its path in d
	for i := range c.d.Sections {
		for j, q := range c.d.Sections[i].Questions {
			if _, dup := where[q.ID]; !dup {
				where[q.ID] = fmt.Sprintf("sections[%d].questions[%d]", i, j)
			}
		}
	}
	for i := range c.base.Sections {
		bs := &c.base.Sections[i]
		path := fmt.Sprintf("sections[%d]", i)
		if i >= len(c.d.Sections) {
			c.add(path, RuleNationalSectionMissing, bs.ID)
			continue
		}
		ds := &c.d.Sections[i]
		if ds.ID != bs.ID {
			c.add(path+".id", RuleNationalSectionReplaced, bs.ID)
			continue
		}
		if !sameJSON(ds.Title, bs.Title) {
			c.add(path+".title", RuleNationalSectionTitle)
		}
		matched := map[int]bool{}
		next := 0 // where the next national question is expected
		for j := range bs.Questions {
			bq := &bs.Questions[j]
			k := slices.IndexFunc(ds.Questions, func(q Question) bool { return q.ID == bq.ID })
			if k < 0 {
				if p, elsewhere := where[bq.ID]; elsewhere {
					c.national[p] = true
					c.add(p, RuleNationalQuestionElsewhere, bq.ID, bs.ID)
				} else {
					c.add(fmt.Sprintf("%s.questions[%d]", path, j), RuleNationalQuestionRemoved, bq.ID)
				}
				continue
			}
			qpath := fmt.Sprintf("%s.questions[%d]", path, k)
			matched[k] = true
			c.national[qpath] = true
			if k != next {
				c.add(qpath, RuleNationalQuestionMoved, bq.ID)
			}
			next = k + 1
			if field, same := firstDifference(bq, &ds.Questions[k]); !same {
				c.add(qpath+"."+field, RuleNationalQuestionChanged, bq.ID, field)
			}
		}
		for k, q := range ds.Questions {
			if !matched[k] {
				c.add(fmt.Sprintf("%s.questions[%d]", path, k), RuleLocalQuestionInNational, q.ID)
			}
		}
	}
}

// local checks the local sections: at least one local question, at most
// MaxLocalQuestions, and ids of their own.
func (c *extensionCheck) local() {
	sectionIDs := map[string]bool{}
	for _, s := range c.base.Sections {
		sectionIDs[s.ID] = true
	}
	questionIDs := map[string]bool{}
	for _, q := range c.base.Questions() {
		questionIDs[q.ID] = true
	}
	count := 0
	for i := len(c.base.Sections); i < len(c.d.Sections); i++ {
		s := &c.d.Sections[i]
		path := fmt.Sprintf("sections[%d]", i)
		if sectionIDs[s.ID] {
			c.add(path+".id", RuleLocalSectionIDNational, s.ID)
		}
		for j := range s.Questions {
			qpath := fmt.Sprintf("%s.questions[%d]", path, j)
			if c.national[qpath] {
				continue
			}
			if questionIDs[s.Questions[j].ID] {
				c.add(qpath+".id", RuleLocalQuestionIDNational, s.Questions[j].ID)
			}
			count++
			if count == MaxLocalQuestions+1 {
				c.add(qpath, RuleLocalQuestionsTooMany, MaxLocalQuestions, count)
			}
		}
	}
	if count == 0 {
		c.add("sections", RuleLocalQuestionsMissing)
	}
}

// indicators checks that the national indicators come first, unchanged,
// and that local ones have ids of their own.
func (c *extensionCheck) indicators() {
	ids := map[string]bool{}
	for i := range c.base.Indicators {
		bi := &c.base.Indicators[i]
		ids[bi.ID] = true
		path := fmt.Sprintf("indicators[%d]", i)
		if i >= len(c.d.Indicators) || c.d.Indicators[i].ID != bi.ID {
			c.add(path, RuleNationalIndicatorReplaced, bi.ID)
			continue
		}
		if field, same := firstDifference(bi, &c.d.Indicators[i]); !same {
			c.add(path+"."+field, RuleNationalIndicatorChanged, bi.ID, field)
		}
	}
	for i := len(c.base.Indicators); i < len(c.d.Indicators); i++ {
		if id := c.d.Indicators[i].ID; ids[id] {
			c.add(fmt.Sprintf("indicators[%d].id", i), RuleLocalIndicatorIDNational, id)
		}
	}
}

// firstDifference compares two values of one struct type field by field,
// through their JSON (so an absent and an empty list or text compare
// equal), and names the first JSON field that differs.
func firstDifference[T any](want, got *T) (field string, same bool) {
	var a, b map[string]json.RawMessage
	if !decodeFields(want, &a) || !decodeFields(got, &b) {
		return "", false
	}
	for _, name := range jsonFieldOrder(want) {
		if !bytes.Equal(a[name], b[name]) {
			return name, false
		}
	}
	return "", true
}

func decodeFields(v any, into *map[string]json.RawMessage) bool {
	raw, err := json.Marshal(v)
	return err == nil && json.Unmarshal(raw, into) == nil
}

// jsonFieldOrder lists a struct's JSON field names in declaration order
// (as encoding/json writes them), so that a difference is named in the
// order an author reads the document.
func jsonFieldOrder(v any) []string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// cloneJSON deep-copies a value through JSON, so that a merged definition
// shares no map or slice with the stored base.
func cloneJSON[T any](v T) T {
	var out T
	raw, err := json.Marshal(v)
	if err != nil || json.Unmarshal(raw, &out) != nil {
		return v
	}
	return out
}

// localPath turns a path into a merged extension into a path into the
// local part its author wrote: local sections and indicators are counted
// from the end of the national ones.
func localPath(path string, nationalSections, nationalIndicators int) string {
	for _, p := range []struct {
		prefix string
		offset int
	}{{"sections[", nationalSections}, {"indicators[", nationalIndicators}} {
		rest, ok := strings.CutPrefix(path, p.prefix)
		if !ok {
			continue
		}
		num, tail, ok := strings.Cut(rest, "]")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < p.offset {
			return path
		}
		return p.prefix + strconv.Itoa(n-p.offset) + "]" + tail
	}
	return path
}
