// Package pofile reads and writes gettext PO files, the format translators'
// own tools (Poedit, Lokalize, OmegaT, Weblate, Virtaal) open and save.
//
// It is written here rather than taken from a library because none of the
// Go ones keeps what translation review needs: leonelquinteros/gotext
// drops flags (so "fuzzy", the review state, is lost) and comments, and
// parses without reporting errors or lines; chai2010/gettext-go's po
// writes headers from a map in random order without Plural-Forms, sorts
// entries with an unstable sort, reports only "invalid line", and
// allocates as many strings as a msgstr[N] index asks for, so one hostile
// line exhausts memory. This package parses one entry at a time, knows the
// line of every keyword, refuses what it does not understand with the line
// and a reason, and round-trips everything it reads (FuzzParse checks it).
package pofile

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// File is a PO file: its header and its entries in file order.
type File struct {
	// Header holds the fields of the header entry (msgid ""), in order.
	Header []HeaderField
	// HeaderComments are the translator comments above the header.
	HeaderComments []string
	Entries        []Entry
}

// HeaderField is one "Name: value" line of the header.
type HeaderField struct {
	Name, Value string
	// Line is where the field is written, for error messages; 0 when the
	// field was not read from a file.
	Line int
}

// Get returns the value of the first header field named name (compared
// without regard to case) and its line; ok is false when there is none.
func (f *File) Get(name string) (value string, line int, ok bool) {
	for _, h := range f.Header {
		if strings.EqualFold(h.Name, name) {
			return h.Value, h.Line, true
		}
	}
	return "", 0, false
}

// Entry is one message of a PO file.
type Entry struct {
	// Comments are translator comments ("# ..."), Extracted are comments
	// for the translator written by the program ("#. ..."), References
	// are "#:" lines and Previous are "#|" lines, each without its marker.
	Comments, Extracted, References, Previous []string
	// Flags are the "#," flags, "fuzzy" among them.
	Flags []string
	// HasContext reports a msgctxt, which may be empty.
	HasContext bool
	Context    string
	ID         string
	// IDPlural and Plural hold msgid_plural and msgstr[N]; an entry has
	// either Plural or Str.
	IDPlural string
	Plural   []string
	Str      string

	// Line is the line of the entry's msgctxt, or of its msgid when it
	// has none; StrLine is the line of its msgstr. Both are 0 for entries
	// not read from a file.
	Line, StrLine int
}

// Fuzzy reports the "fuzzy" flag: the translation needs review.
func (e *Entry) Fuzzy() bool {
	for _, f := range e.Flags {
		if f == "fuzzy" {
			return true
		}
	}
	return false
}

// SyntaxError is a file the parser could not read, at a line.
type SyntaxError struct {
	Line int
	// Code says what is wrong: "not_utf8", "bad_line", "bad_string",
	// "bad_escape", "continuation" (a quoted line that continues nothing),
	// "keyword_order" (a keyword out of place), "incomplete" (an entry
	// without msgid or msgstr), "plural_index" (a msgstr[N] out of order
	// or above 9).
	Code string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("pofile: line %d: %s", e.Line, e.Code)
}

// maxPluralForms bounds msgstr[N]: no language has more than six forms.
const maxPluralForms = 10

// Parse reads a whole PO file. Obsolete entries ("#~") are skipped. A
// file the parser cannot read comes back as a *SyntaxError.
func Parse(data []byte) (*File, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	p := &parser{f: &File{}}
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		p.line = i + 1
		line = strings.TrimSuffix(line, "\r")
		if !utf8.ValidString(line) {
			return nil, p.fail("not_utf8")
		}
		// Control characters other than tab only come escaped ("\r"), so
		// that what is read is what a tool shows and writes back.
		if strings.IndexFunc(line, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }) >= 0 {
			return nil, p.fail("bad_line")
		}
		if err := p.feed(line); err != nil {
			return nil, err
		}
	}
	p.line = len(lines)
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.f, nil
}

// parser reads a file line by line; cur is the entry being read.
type parser struct {
	f    *File
	line int
	cur  Entry
	// started reports that cur has a comment or keyword; start is the line
	// where it began.
	started bool
	start   int
	// last is the string a quoted continuation line appends to.
	last *string
	// seen records the keywords cur has, in order: 'c' msgctxt, 'i' msgid,
	// 'p' msgid_plural, 's' msgstr, 'n' msgstr[N].
	seen string
	// pieces records, for a header entry, the line of each piece of its
	// msgstr, to give each header field its line.
	pieces []piece
}

type piece struct {
	line int
	text string
}

func (p *parser) fail(code string) error { return &SyntaxError{Line: p.line, Code: code} }

func (p *parser) feed(raw string) error {
	line := strings.TrimLeft(raw, " \t")
	switch {
	case strings.TrimSpace(line) == "":
		return p.finish()
	case strings.HasPrefix(line, "#~"):
		// An obsolete entry: a string the tool keeps for memory. Skip it.
		return nil
	case strings.HasPrefix(line, "#"):
		if strings.ContainsRune(p.seen, 's') || strings.ContainsRune(p.seen, 'n') {
			if err := p.finish(); err != nil {
				return err
			}
		} else if p.seen != "" {
			return p.fail("keyword_order")
		}
		p.begin()
		p.comment(line)
		return nil
	case strings.HasPrefix(line, `"`):
		if p.last == nil {
			return p.fail("continuation")
		}
		s, err := p.quoted(line)
		if err != nil {
			return err
		}
		*p.last += s
		if p.isHeader() && p.last == &p.cur.Str {
			p.pieces = append(p.pieces, piece{p.line, s})
		}
		return nil
	}
	keyword, rest := line, ""
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		keyword, rest = line[:i], strings.TrimLeft(line[i:], " \t")
	}
	if strings.HasPrefix(keyword, `msgstr[`) && !strings.HasSuffix(keyword, "]") {
		return p.fail("bad_line")
	}
	code, ok := keywordCode(keyword)
	if !ok {
		return p.fail("bad_line")
	}
	// A new msgctxt or msgid after a msgstr starts the next entry.
	if (code == 'c' || code == 'i') && (strings.ContainsRune(p.seen, 's') || strings.ContainsRune(p.seen, 'n')) {
		if err := p.finish(); err != nil {
			return err
		}
	}
	if !p.inOrder(code) {
		return p.fail("keyword_order")
	}
	s, err := p.quoted(rest)
	if err != nil {
		return err
	}
	p.begin()
	if code != 'n' || !strings.HasSuffix(p.seen, "n") {
		p.seen += string(code)
	}
	switch code {
	case 'c':
		p.cur.HasContext, p.cur.Context, p.last = true, s, &p.cur.Context
		p.cur.Line = p.line
	case 'i':
		p.cur.ID, p.last = s, &p.cur.ID
		if !p.cur.HasContext {
			p.cur.Line = p.line
		}
	case 'p':
		p.cur.IDPlural, p.last = s, &p.cur.IDPlural
	case 's':
		p.cur.Str, p.last, p.cur.StrLine = s, &p.cur.Str, p.line
		if p.isHeader() {
			p.pieces = append(p.pieces, piece{p.line, s})
		}
	case 'n':
		n, err := strconv.Atoi(keyword[len("msgstr[") : len(keyword)-1])
		if err != nil || n != len(p.cur.Plural) || n >= maxPluralForms {
			return p.fail("plural_index")
		}
		if n == 0 {
			p.cur.StrLine = p.line
		}
		p.cur.Plural = append(p.cur.Plural, s)
		p.last = &p.cur.Plural[n]
	}
	return nil
}

func keywordCode(k string) (byte, bool) {
	switch {
	case k == "msgctxt":
		return 'c', true
	case k == "msgid":
		return 'i', true
	case k == "msgid_plural":
		return 'p', true
	case k == "msgstr":
		return 's', true
	case strings.HasPrefix(k, "msgstr[") && strings.HasSuffix(k, "]"):
		return 'n', true
	}
	return 0, false
}

// inOrder reports whether keyword code may come next: msgctxt, msgid,
// then msgstr, or msgid_plural then msgstr[0], msgstr[1], ...
func (p *parser) inOrder(code byte) bool {
	switch code {
	case 'c':
		return p.seen == ""
	case 'i':
		return p.seen == "" || p.seen == "c"
	case 'p', 's':
		return strings.HasSuffix(p.seen, "i")
	case 'n':
		return strings.HasSuffix(p.seen, "p") || strings.HasSuffix(p.seen, "n")
	}
	return false
}

func (p *parser) isHeader() bool {
	return !p.cur.HasContext && p.cur.ID == "" && strings.ContainsRune(p.seen, 'i') && !strings.ContainsRune(p.seen, 'p')
}

func (p *parser) begin() {
	if !p.started {
		p.started, p.start = true, p.line
	}
}

func (p *parser) comment(line string) {
	p.last = nil
	marker, text := "", line[1:]
	if len(line) >= 2 && strings.ContainsRune(".:,|", rune(line[1])) {
		marker, text = line[1:2], line[2:]
	}
	text = strings.TrimPrefix(text, " ")
	switch marker {
	case ".":
		p.cur.Extracted = append(p.cur.Extracted, text)
	case ":":
		p.cur.References = append(p.cur.References, text)
	case "|":
		p.cur.Previous = append(p.cur.Previous, text)
	case ",":
		for _, f := range strings.Split(text, ",") {
			if f = strings.TrimSpace(f); f != "" {
				p.cur.Flags = append(p.cur.Flags, f)
			}
		}
	default:
		p.cur.Comments = append(p.cur.Comments, text)
	}
}

// finish ends the entry being read, if any.
func (p *parser) finish() error {
	defer func() { p.cur, p.started, p.seen, p.last, p.pieces = Entry{}, false, "", nil, nil }()
	if !p.started {
		return nil
	}
	if p.seen == "" {
		// Comments with no entry (for example above obsolete entries).
		return nil
	}
	if !strings.ContainsRune(p.seen, 's') && !strings.ContainsRune(p.seen, 'n') {
		return &SyntaxError{Line: p.start, Code: "incomplete"}
	}
	if strings.ContainsRune(p.seen, 'p') != strings.ContainsRune(p.seen, 'n') {
		return &SyntaxError{Line: p.start, Code: "incomplete"}
	}
	if p.isHeader() && len(p.f.Entries) == 0 && p.f.Header == nil && p.f.HeaderComments == nil {
		p.f.Header = headerFields(p.pieces)
		if p.f.Header == nil {
			p.f.Header = []HeaderField{}
		}
		p.f.HeaderComments = append([]string{}, p.cur.Comments...)
		return nil
	}
	p.f.Entries = append(p.f.Entries, p.cur)
	return nil
}

// headerFields splits the header's text into fields, each with the line
// its text starts on.
func headerFields(pieces []piece) []HeaderField {
	var out []HeaderField
	var cur strings.Builder
	line := 0
	for _, pc := range pieces {
		for _, r := range pc.text {
			if cur.Len() == 0 {
				line = pc.line
			}
			if r == '\n' {
				out = appendField(out, cur.String(), line)
				cur.Reset()
				continue
			}
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = appendField(out, cur.String(), line)
	}
	return out
}

func appendField(out []HeaderField, text string, line int) []HeaderField {
	name, value, ok := strings.Cut(text, ":")
	if !ok {
		// Not a field: kept as a field without a value so nothing is lost.
		return append(out, HeaderField{Name: text, Value: "", Line: line})
	}
	return append(out, HeaderField{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value), Line: line})
}

// quoted decodes one quoted string, the rest of a keyword line or a whole
// continuation line.
func (p *parser) quoted(s string) (string, error) {
	s = strings.TrimRight(s, " \t")
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", p.fail("bad_string")
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			return "", p.fail("bad_string")
		case '\\':
			if i+1 == len(s) {
				return "", p.fail("bad_string")
			}
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '"':
				b.WriteByte('"')
			case '\\':
				b.WriteByte('\\')
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'v':
				b.WriteByte('\v')
			default:
				return "", p.fail("bad_escape")
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// Write writes f as a PO file that Parse reads back to the same File
// (line numbers aside).
func Write(w io.Writer, f *File) error {
	var b bytes.Buffer
	for _, c := range f.HeaderComments {
		writeComment(&b, "", c)
	}
	if f.Header != nil {
		b.WriteString("msgid \"\"\nmsgstr \"\"\n")
		for _, h := range f.Header {
			text := h.Name
			if h.Value != "" || strings.Contains(h.Name, ":") || h.Name == "" {
				text += ": " + h.Value
			}
			b.WriteString(quote(text + "\n"))
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	for i := range f.Entries {
		writeEntry(&b, &f.Entries[i])
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeEntry(b *bytes.Buffer, e *Entry) {
	for _, c := range e.Comments {
		writeComment(b, "", c)
	}
	for _, c := range e.Extracted {
		writeComment(b, ".", c)
	}
	for _, c := range e.References {
		writeComment(b, ":", c)
	}
	if len(e.Flags) > 0 {
		writeComment(b, ",", strings.Join(e.Flags, ", "))
	}
	for _, c := range e.Previous {
		writeComment(b, "|", c)
	}
	if e.HasContext {
		writeString(b, "msgctxt", e.Context)
	}
	writeString(b, "msgid", e.ID)
	if e.IDPlural != "" || len(e.Plural) > 0 {
		writeString(b, "msgid_plural", e.IDPlural)
		for i, s := range e.Plural {
			writeString(b, "msgstr["+strconv.Itoa(i)+"]", s)
		}
		return
	}
	writeString(b, "msgstr", e.Str)
}

func writeComment(b *bytes.Buffer, marker, text string) {
	b.WriteString("#" + marker)
	if text != "" {
		b.WriteString(" " + text)
	}
	b.WriteByte('\n')
}

// writeString writes a keyword and its string, one line per line of
// text as gettext does, so that tools show multi-line texts as written.
func writeString(b *bytes.Buffer, keyword, s string) {
	b.WriteString(keyword + " ")
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > 1 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) > 1 {
		b.WriteString("\"\"\n")
	}
	for _, l := range lines {
		b.WriteString(quote(l))
		b.WriteByte('\n')
	}
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\v':
			b.WriteString(`\v`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
