package web

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/store"
)

// The Atom feed of a council's "you said, we did" page (RFC 4287). It is
// made with encoding/xml, so every piece of text is escaped by the
// encoder: nothing is built by joining strings around user text.

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr,omitempty"`
	ID      string      `xml:"id"`
	Title   atomText    `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     atomText   `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published,omitempty"`
	Links     []atomLink `xml:"link"`
	Content   atomText   `xml:"content"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Lang string `xml:"xml:lang,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

// tagURI makes the stable id of a feed or entry (RFC 4151): the site's
// host, the date the council joined, and a path that never changes.
func tagURI(host string, council *store.Council, path string) string {
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h
	}
	if host == "" {
		host = "localhost"
	}
	return "tag:" + host + "," + council.CreatedAt.UTC().Format(time.DateOnly) + ":yousaid/c/" + council.Slug + path
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// councilFeed is GET /c/{council}/feed.atom: one entry per published item
// and one per update of a published item, newest first.
func (s *Server) councilFeed(c *gin.Context) {
	ctx := c.Request.Context()
	council, err := s.store.Council(ctx, c.Param("council"))
	if err != nil {
		s.pageError(c, "public.feed", err)
		return
	}
	l := s.useLanguage(c, council.Languages)
	lang := l.Tag()
	items, err := s.store.CouncilActions(ctx, council.Slug, true, maxActionsListed)
	if err != nil {
		s.pageError(c, "public.feed", err)
		return
	}
	site := siteURL(c)
	pageURL := site + "/c/" + url.PathEscape(council.Slug) + "?lang=" + url.QueryEscape(lang)
	feed := atomFeed{
		Lang:    lang,
		ID:      tagURI(c.Request.Host, council, ""),
		Title:   atomText{Type: "text", Body: l.T("PublicCouncilTitle", "Council", council.Name)},
		Updated: atomTime(council.CreatedAt),
		Author:  atomPerson{Name: council.Name},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: site + "/c/" + url.PathEscape(council.Slug) + "/feed.atom?lang=" + url.QueryEscape(lang)},
			{Rel: "alternate", Type: "text/html", Href: pageURL},
		},
		Entries: []atomEntry{},
	}
	var newest time.Time
	for _, a := range items {
		weWill := textOf(a.WeWill, lang)
		youSaid := textOf(a.YouSaid, lang)
		link := []atomLink{{Rel: "alternate", Type: "text/html", Href: pageURL + "#action-" + a.ID}}
		published := a.CreatedAt
		if a.PublishedAt != nil {
			published = *a.PublishedAt
		}
		feed.Entries = append(feed.Entries, atomEntry{
			ID:        tagURI(c.Request.Host, council, "/actions/"+a.ID),
			Title:     atomText{Type: "text", Lang: weWill.Lang, Body: weWill.S},
			Updated:   atomTime(a.UpdatedAt),
			Published: atomTime(published),
			Links:     link,
			Content: atomText{Type: "text", Body: l.T("FeedItemText",
				"YouSaid", youSaid.S, "WeWill", weWill.S, "Owner", a.Owner, "Status", l.T(statusLabels[a.Status]))},
		})
		newest = later(newest, a.UpdatedAt)
		for _, t := range a.Timeline {
			text := textOf(t.Text, lang)
			feed.Entries = append(feed.Entries, atomEntry{
				ID:        tagURI(c.Request.Host, council, "/actions/"+a.ID+"/updates/"+strconv.Itoa(t.Seq)),
				Title:     atomText{Type: "text", Body: l.T("FeedUpdateTitle", "Title", excerpt(weWill.S, 80))},
				Updated:   atomTime(t.At),
				Published: atomTime(t.At),
				Links:     link,
				// Sanitised HTML from the store, sent as escaped text of an
				// html content element, as Atom's type="html" asks.
				Content: atomText{Type: "html", Lang: text.Lang, Body: string(s.richText.StoredHTML(text.S))},
			})
			newest = later(newest, t.At)
		}
	}
	slices.SortStableFunc(feed.Entries, func(a, b atomEntry) int { return strings.Compare(b.Updated, a.Updated) })
	if !newest.IsZero() {
		feed.Updated = atomTime(newest)
	}
	body, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		s.pageError(c, "public.feed", err)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), body...))
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
