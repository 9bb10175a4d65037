package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yousaid/server/internal/htmltest"
)

// TestSurveyRuleInTheStaffLanguage: a broken definition's 422 says the
// rule itself in the request's language, with its values filled in, in
// the API (?lang and Accept-Language) and in the editor's error summary.
func TestSurveyRuleInTheStaffLanguage(t *testing.T) {
	a := newAuthoring(t)
	def := ownSurvey("leeds-arabic")
	def.Sections[1].Questions[0].Options = nil // a choice question
	def.Sections[1].Questions[4].MaxChoices = 9

	const want = "يحتاج سؤال من نوع choice إلى خيارات."
	for name, r := range map[string]request{
		"?lang":           {method: "POST", path: "/api/v1/councils/leeds/surveys?lang=ar", token: a.leedsAdmin, body: def},
		"Accept-Language": {method: "POST", path: "/api/v1/councils/leeds/surveys", token: a.leedsAdmin, body: def, header: map[string]string{"Accept-Language": "ar"}},
	} {
		t.Run(name, func(t *testing.T) {
			rec := a.do(r)
			var body struct {
				Error  apiErrDetail   `json:"error"`
				Errors []apiErrDetail `json:"errors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("%d %v: %s", rec.Code, err, rec.Body)
			}
			e := body.Error
			if e.Field != "sections[1].questions[0].options" || !strings.Contains(e.Message, want) || !strings.Contains(e.Message, e.Field) {
				t.Errorf("error %+v, want the Arabic rule %q at its path", e, want)
			}
			if strings.Contains(e.Message, "needs options") {
				t.Errorf("message %q still has the English rule", e.Message)
			}
			// Every problem listed is translated too, numbers included.
			if len(body.Errors) < 2 || !strings.Contains(body.Errors[1].Message, "max_choices") || strings.Contains(body.Errors[1].Message, "but the question") ||
				!strings.Contains(body.Errors[1].Message, "9") {
				t.Errorf("second problem %+v, want max_choices 9 in Arabic", body.Errors)
			}
		})
	}
	// English is as it was: the frame and the domain's own sentence.
	rec := a.do(request{method: "POST", path: "/api/v1/councils/leeds/surveys?lang=en", token: a.leedsAdmin, body: def})
	if e := decodeErr(t, rec); e.Error.Message != "This survey cannot be saved yet. At sections[1].questions[0].options: a choice question needs options." {
		t.Errorf("English message %q", e.Error.Message)
	}
}

type apiErrDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

func TestSurveyEditorRuleInArabic(t *testing.T) {
	f := newEditorFixture(t)
	f.post(t, "/questions", url.Values{"section": {f.stored(t).Sections[0].ID}, "type": {"scale"}, "id": {"mood"}, "text": {"How do you feel?"}})
	rec := f.h.form("/staff/surveys/"+f.id+"/question?lang=ar", url.Values{"id": {"mood"}, "text": {"How are you?"}, "min": {"5"}, "max": {"1"}}, f.cookie, nil)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("%d, want 422: %s", rec.Code, rec.Body)
	}
	doc := htmltest.Parse(t, rec.Body.String())
	got := htmltest.Text(htmltest.One(t, doc, ".error-summary a"))
	if want := "يجب أن يكون max (1) أكبر من min (5)."; !strings.Contains(got, want) {
		t.Errorf("error summary says %q, want %q", got, want)
	}
}
