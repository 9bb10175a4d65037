package pofile_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"yousaid/server/internal/pofile"
)

// poeditFile is a file as Poedit saves it: a header, comments of every
// kind, a fuzzy entry with its previous msgid, a multi-line text, an
// obsolete entry and Windows line ends.
const poeditFile = "# Arabic translation of the survey.\r\n" +
	"msgid \"\"\r\n" +
	"msgstr \"\"\r\n" +
	"\"Project-Id-Version: yousaid life-beyond-care 3\\n\"\r\n" +
	"\"Language: ar\\n\"\r\n" +
	"\"X-Yousaid-Survey: life-beyond-care\\n\"\r\n" +
	"\"X-Generator: Poedit 3.4\\n\"\r\n" +
	"\r\n" +
	"# Checked with the forum.\r\n" +
	"#. A question.\r\n" +
	"#: survey:12\r\n" +
	"#, fuzzy, no-c-format\r\n" +
	"#| msgid \"Do you feel safe?\"\r\n" +
	"msgctxt \"question.home_safe.text\"\r\n" +
	"msgid \"Do you feel safe where you live?\"\r\n" +
	"msgstr \"هل تشعر بالأمان \\\"حيث\\\" تعيش؟\"\r\n" +
	"\r\n" +
	"msgctxt \"intro\"\r\n" +
	"msgid \"\"\r\n" +
	"\"Nobody can see who you are.\\n\"\r\n" +
	"\"Take your time.\"\r\n" +
	"msgstr \"\"\r\n" +
	"\r\n" +
	"#~ msgctxt \"question.old.text\"\r\n" +
	"#~ msgid \"Old\"\r\n" +
	"#~ msgstr \"قديم\"\r\n"

func TestParsePoeditFile(t *testing.T) {
	f, err := pofile.Parse([]byte(poeditFile))
	if err != nil {
		t.Fatal(err)
	}
	want := &pofile.File{
		HeaderComments: []string{"Arabic translation of the survey."},
		Header: []pofile.HeaderField{
			{Name: "Project-Id-Version", Value: "yousaid life-beyond-care 3", Line: 4},
			{Name: "Language", Value: "ar", Line: 5},
			{Name: "X-Yousaid-Survey", Value: "life-beyond-care", Line: 6},
			{Name: "X-Generator", Value: "Poedit 3.4", Line: 7},
		},
		Entries: []pofile.Entry{
			{
				Comments: []string{"Checked with the forum."}, Extracted: []string{"A question."},
				References: []string{"survey:12"}, Flags: []string{"fuzzy", "no-c-format"},
				Previous:   []string{`msgid "Do you feel safe?"`},
				HasContext: true, Context: "question.home_safe.text",
				ID: "Do you feel safe where you live?", Str: `هل تشعر بالأمان "حيث" تعيش؟`,
				Line: 14, StrLine: 16,
			},
			{HasContext: true, Context: "intro", ID: "Nobody can see who you are.\nTake your time.", Line: 18, StrLine: 22},
		},
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
	if !f.Entries[0].Fuzzy() || f.Entries[1].Fuzzy() {
		t.Error("Fuzzy() does not follow the flags")
	}
	if v, line, ok := f.Get("language"); v != "ar" || line != 5 || !ok {
		t.Errorf("Get(language) = %q, %d, %v", v, line, ok)
	}
	assertRoundTrip(t, f)
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
		code       string
	}{
		{"unknown keyword", "msgid \"a\"\nmsgstr \"b\"\n\nmsgtext \"c\"\n", 4, "bad_line"},
		{"unterminated string", "msgid \"a\nmsgstr \"b\"\n", 1, "bad_string"},
		{"unescaped quote", "msgid \"a\"b\"\nmsgstr \"\"\n", 1, "bad_string"},
		{"unknown escape", "msgid \"a\\q\"\nmsgstr \"\"\n", 1, "bad_escape"},
		{"not UTF-8", "msgid \"a\"\nmsgstr \"\xff\"\n", 2, "not_utf8"},
		{"stray control character", "msgid \"a\"\nmsgstr \"b\x01\"\n", 2, "bad_line"},
		{"continuation of nothing", "# a comment\n\"text\"\n", 2, "continuation"},
		{"msgstr before msgid", "msgstr \"b\"\nmsgid \"a\"\n", 1, "keyword_order"},
		{"two msgids", "msgid \"a\"\nmsgid \"b\"\nmsgstr \"\"\n", 2, "keyword_order"},
		{"comment inside an entry", "msgid \"a\"\n# late\nmsgstr \"\"\n", 2, "keyword_order"},
		{"no msgstr", "#. note\nmsgid \"a\"\n\nmsgid \"b\"\nmsgstr \"\"\n", 1, "incomplete"},
		{"huge plural index", "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[999999999999] \"x\"\n", 3, "plural_index"},
		{"plural index skipped", "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"x\"\nmsgstr[2] \"y\"\n", 4, "plural_index"},
		{"plural without forms", "msgid \"a\"\nmsgid_plural \"as\"\n\n", 1, "incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pofile.Parse([]byte(tt.data))
			var se *pofile.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SyntaxError", err)
			}
			if se.Line != tt.line || se.Code != tt.code {
				t.Errorf("got line %d %q, want line %d %q", se.Line, se.Code, tt.line, tt.code)
			}
		})
	}
}

func TestPlurals(t *testing.T) {
	f, err := pofile.Parse([]byte("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"x\"\nmsgstr[1] \"y\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if e := f.Entries[0]; e.IDPlural != "as" || !cmp.Equal(e.Plural, []string{"x", "y"}) || e.StrLine != 3 {
		t.Errorf("entry = %+v", e)
	}
	assertRoundTrip(t, f)
}

// assertRoundTrip checks that writing f and reading it back gives f again.
func assertRoundTrip(t *testing.T, f *pofile.File) {
	t.Helper()
	var buf bytes.Buffer
	if err := pofile.Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	again, err := pofile.Parse(buf.Bytes())
	if err != nil {
		t.Fatalf("Parse(Write(f)): %v\n%s", err, buf.String())
	}
	ignoreLines := cmpopts.IgnoreFields(pofile.Entry{}, "Line", "StrLine")
	if diff := cmp.Diff(f, again, ignoreLines, cmpopts.IgnoreFields(pofile.HeaderField{}, "Line"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s\n%s", diff, buf.String())
	}
}

// FuzzParse: no input makes Parse panic or hang, and whatever it reads
// writes back to a file it reads the same.
func FuzzParse(f *testing.F) {
	f.Add([]byte(poeditFile))
	f.Add([]byte("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"x\"\nmsgstr[1] \"y\"\n"))
	f.Add([]byte("msgid \"\"\nmsgstr \"Language: ar\\nX: y\"\n\nmsgid \"\"\nmsgstr \"z\"\n"))
	f.Add([]byte("#,fuzzy\n#.\n#\nmsgctxt \"\"\nmsgid \"\\t\\\\\"\nmsgstr \"\\n\\n\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := pofile.Parse(data)
		if err != nil {
			var se *pofile.SyntaxError
			if !errors.As(err, &se) || se.Line < 1 {
				t.Fatalf("err = %v, want a *SyntaxError with a line", err)
			}
			return
		}
		assertRoundTrip(t, file)
	})
}
