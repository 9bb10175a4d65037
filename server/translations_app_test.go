package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"yousaid/server/internal/demo"
)

// TestDemoShowsAReviewedArabicTranslation: -demo marks the Arabic text of
// the seed survey reviewed by the demo translator, so /staff/languages has
// a reviewed language to show.
func TestDemoShowsAReviewedArabicTranslation(t *testing.T) {
	base, _, _, stop := startApp(t, nil, "-demo")
	defer stop()
	resp, err := http.Post(base+"/api/v1/auth/tokens", "application/json",
		strings.NewReader(`{"email":"`+demo.Reviewer+`","password":"`+demo.Password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Token == "" {
		t.Fatalf("the demo translator cannot sign in: %d %v", resp.StatusCode, err)
	}
	for path, wantAll := range map[string]bool{
		"life-beyond-care/translations/ar":      true,
		"life-beyond-care/translations/fa":      false,
		"demo-life-beyond-care/translations/ar": true, // the extension's own texts
	} {
		req, _ := http.NewRequest("GET", base+"/api/v1/surveys/"+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var st struct {
			Reviewed, Total int
			Strings         []struct {
				ReviewedBy string `json:"reviewed_by"`
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err != nil || st.Total == 0 {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, err)
		}
		if got := st.Reviewed == st.Total; got != wantAll {
			t.Errorf("%s: %d of %d reviewed", path, st.Reviewed, st.Total)
		}
		if wantAll && st.Strings[0].ReviewedBy != demo.Reviewer {
			t.Errorf("%s reviewed by %q", path, st.Strings[0].ReviewedBy)
		}
	}
}
