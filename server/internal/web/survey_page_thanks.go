package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"yousaid/seed"
	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
)

// thanksPage is the view model of the page "thanks": thanks, and where to
// find help, since questions about home, family and feelings can stir
// things up.
type thanksPage struct {
	page.Base
	// WaveID lets survey.js clear the draft it kept for this wave.
	WaveID string
	// Resent says the same form came again with changed answers and only
	// the first ones were kept; NewSurveyURL starts a fresh response.
	Resent       bool
	NewSurveyURL string
	// Council is the council's name, empty when it could not be read.
	Council         string
	CouncilContacts []councilContactView
	National        []nationalContactView
}

// councilContactView is one of the council's own contacts. Councils write
// them in English; Lang marks that on a page in another language.
type councilContactView struct {
	Name, Phone, Tel, Email, URL, URLText, Hours string
	Lang                                         string
}

// nationalContactView is one national service from seed.Contacts.
type nationalContactView struct {
	Name, Help, Hours, Who textView
	Phone, Tel             string
	SMS, SMSTel, Keyword   string
	URL, URLText           string
}

// nationalContacts are the checked national services, read once from the
// embedded seed file; emergency numbers come first.
var nationalContacts = sync.OnceValues(func() ([]seed.Contact, error) {
	contacts, err := seed.Contacts()
	slices.SortStableFunc(contacts, func(a, b seed.Contact) int {
		return -cmp.Compare(btoi(a.Emergency), btoi(b.Emergency))
	})
	return contacts, err
})

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// telDigits keeps what a tel: or sms: URL needs of a number written for
// people ("0800 1111" → "08001111").
func telDigits(number string) string {
	return strings.Map(func(r rune) rune {
		if r == '+' || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, number)
}

// urlText is how a link to a service's website reads: without the
// scheme, "www." or a closing slash ("https://www.samaritans.org/" →
// "samaritans.org").
func urlText(u string) string {
	for _, prefix := range []string{"https://", "http://", "www."} {
		u = strings.TrimPrefix(u, prefix)
	}
	return strings.TrimSuffix(u, "/")
}

// thanksResentParam marks the thank-you page reached by sending a form
// whose first sending was stored already.
const thanksResentParam = "resent"

// surveyThanks is GET /w/{wave}/thanks?lang=: shown after a response is
// stored, also once the wave has closed. Its URL holds nothing about the
// response. A council that cannot be read leaves out only its own
// contacts: the national ones matter more than a complete page.
func (s *Server) surveyThanks(c *gin.Context) {
	ctx := c.Request.Context()
	w, err := s.wave(ctx, c.Param("wave"))
	if err != nil {
		s.pageError(c, "survey.thanks", err)
		return
	}
	def, err := s.definition(ctx, w.Survey, w.Version)
	if err != nil {
		s.pageError(c, "survey.thanks", err)
		return
	}
	langs := surveyLanguages(def)
	l := s.useLanguage(c, langs)
	lang := l.Tag()
	p := thanksPage{Base: s.pages.NewBase(l, l.T("ThanksTitle")), WaveID: w.ID}
	if c.Query(thanksResentParam) != "" {
		p.Resent = true
		p.NewSurveyURL = "/w/" + url.PathEscape(w.ID) + "?lang=" + url.QueryEscape(lang)
	}
	p.Languages = page.LanguageLinks(c.Request.URL, lang, langs)

	council, err := s.store.Council(ctx, w.Council)
	switch {
	case err == nil:
		p.Council = council.Name
		for _, ct := range council.Contacts {
			v := councilContactView{Name: ct.Name, Phone: ct.Phone, Tel: telDigits(ct.Phone), Email: ct.Email, URL: ct.URL, URLText: urlText(ct.URL), Hours: ct.Hours}
			if lang != "en" {
				v.Lang = "en"
			}
			p.CouncilContacts = append(p.CouncilContacts, v)
		}
	case !errors.Is(err, store.ErrNotFound):
		s.logger.Warn("thank-you page without the council's contacts", "op", "survey.thanks", "err", err)
	}

	national, err := nationalContacts()
	if err != nil {
		s.logger.Error("seed contacts unreadable", "op", "survey.thanks", "err", err)
	}
	for _, ct := range national {
		p.National = append(p.National, nationalContactView{
			Name: textIn(ct.Name, lang), Help: textIn(ct.Help, lang),
			Hours: textIn(ct.Hours, lang), Who: textIn(ct.Who, lang),
			Phone: ct.Phone, Tel: telDigits(ct.Phone),
			SMS: ct.SMS, SMSTel: telDigits(ct.SMS), Keyword: ct.SMSKeyword, URL: ct.URL, URLText: urlText(ct.URL),
		})
	}
	s.render(c, http.StatusOK, "thanks", p)
}
