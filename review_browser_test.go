package clinex_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

// artifactsDir receives the seed page's screenshot: a build artefact,
// git-ignored, that .ci/run points at. (Not set by a CLINEX_* variable:
// those are config keys, and clinex rejects unknown ones.)
const artifactsDir = "artifacts"

// chromiumPath finds Debian's chromium; the test is skipped without it on a
// developer machine but fails in CI, which installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run installs Debian's chromium package")
	}
	t.Skip("chromium not installed (apt-get install chromium)")
	return ""
}

// browser starts headless Chromium with the flags this machine's closed
// network needs and a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("allow-file-access-from-files", true),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium leaves an org.chromium.Chromium.* folder in TMPDIR
		// per run; keep it inside the test's own folder.
		chromedp.Env("TMPDIR="+t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// pageCheck is what the page itself reports about each finding's
// highlight, read in the browser after layout.
type pageCheck struct {
	Full     string        `json:"full"`
	Findings []highlighted `json:"findings"`
}

type highlighted struct {
	Start, End int
	Marks      int    `json:"marks"`
	Text       string `json:"text"`   // the finding's marks' text, joined
	Span       string `json:"span"`   // everything from its first mark to its last
	Prefix     int    `json:"prefix"` // code points of text before its first mark
	Visible    bool   `json:"visible"`
	Background string `json:"bg"`
	// Style of a segment where this finding is the innermost one, if any.
	Inner      bool   `json:"inner"`
	Decoration string `json:"decoration"`
	Outline    string `json:"outline"`
}

const inspectJS = `(() => {
const text = document.getElementById("text");
const data = JSON.parse(document.getElementById("findings-data").textContent);
const out = {full: text.textContent, findings: []};
data.forEach((f, i) => {
  const ms = Array.from(text.querySelectorAll('mark[data-f~="' + i + '"]'));
  const h = {Start: f.start, End: f.end, marks: ms.length, text: ms.map(m => m.textContent).join(""),
    span: "", prefix: -1, visible: false, bg: "", inner: false, decoration: "", outline: ""};
  if (ms.length) {
    const r = document.createRange();
    r.setStart(text, 0); r.setEndBefore(ms[0]);
    h.prefix = Array.from(r.toString()).length;
    r.setStartBefore(ms[0]); r.setEndAfter(ms[ms.length - 1]);
    h.span = r.toString();
    h.visible = ms.some(m => { const b = m.getBoundingClientRect(); return b.width > 0 && b.height > 0; });
    h.bg = getComputedStyle(ms[0]).backgroundColor;
    const inner = ms.find(m => m.getAttribute("data-f").split(" ")[0] === String(i));
    if (inner) {
      const cs = getComputedStyle(inner);
      h.inner = true; h.decoration = cs.textDecorationLine; h.outline = cs.outlineStyle;
    }
  }
  out.findings.push(h);
});
return out;
})()`

// inspectPage loads a review page and checks every finding's highlight
// against want (the findings' own record of their offsets) and the
// original text: the marks hold exactly original[start:end], with nothing
// unhighlighted in between, starting start code points into the text.
func inspectPage(t *testing.T, ctx context.Context, page, original string, want []extract.Finding, shot string) pageCheck {
	t.Helper()
	abs, err := filepath.Abs(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+abs), chromedp.WaitReady(chromedp.CSS("#findings-data"))); err != nil {
		t.Fatalf("loading %s in chromium: %v", page, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[pageCheck](inspectJS))
	if err != nil {
		t.Fatalf("inspecting %s: %v", page, err)
	}
	if shot != "" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(shot, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot of %s: %s", filepath.Base(page), shot)
	}
	if got.Full != original {
		t.Errorf("the page's text differs from the original (%d vs %d bytes)", len(got.Full), len(original))
	}
	if len(got.Findings) != len(want) {
		t.Fatalf("the page lists %d findings, want %d", len(got.Findings), len(want))
	}
	rs := []rune(original)
	for i, f := range want {
		h := got.Findings[i]
		if h.Start != f.Start || h.End != f.End {
			t.Errorf("finding %d: page says [%d, %d), the record [%d, %d)", i, h.Start, h.End, f.Start, f.End)
		}
		evidence := string(rs[f.Start:f.End])
		switch {
		case h.Marks == 0:
			t.Errorf("finding %d (%s %q) is not highlighted", i, f.Concept, evidence)
		case h.Text != evidence:
			t.Errorf("finding %d (%s): highlighted %q, original[%d:%d] is %q", i, f.Concept, h.Text, f.Start, f.End, evidence)
		case h.Span != evidence:
			t.Errorf("finding %d (%s): its highlight has a gap: %q", i, f.Concept, h.Span)
		case h.Prefix != f.Start:
			t.Errorf("finding %d (%s): highlight starts %d code points in, offset says %d", i, f.Concept, h.Prefix, f.Start)
		case !h.Visible:
			t.Errorf("finding %d (%s): highlight has no size on screen", i, f.Concept)
		case h.Background == "" || h.Background == "transparent" || h.Background == "rgba(0, 0, 0, 0)":
			t.Errorf("finding %d (%s): highlight has no background (%q)", i, f.Concept, h.Background)
		}
	}
	return got
}

func jsonlFindings(t *testing.T, path string) map[string][]extract.Finding {
	t.Helper()
	byDoc := map[string][]extract.Finding{}
	for _, line := range readJSONL(t, path) {
		var f extract.Finding
		if err := json.Unmarshal(line, &f); err != nil {
			t.Fatal(err)
		}
		byDoc[f.Doc] = append(byDoc[f.Doc], f)
	}
	return byDoc
}

// The seed's review page, loaded in headless Chromium, shows every finding
// of findings.jsonl highlighted at its offsets; negated and other people's
// findings look different from the patient's present ones; clicking a
// finding in the list selects it and shows its rule.
func TestSeedReviewPageInChromium(t *testing.T) {
	ctx := browser(t)
	dir, texts := extractSeedTo(t, "jsonl", "html")
	byDoc := jsonlFindings(t, filepath.Join(dir, "findings.jsonl"))
	pages, _ := filepath.Glob(filepath.Join(dir, "review", "docs", "*.html"))
	if len(pages) != len(texts) || len(texts) == 0 {
		t.Fatalf("%d pages for %d documents", len(pages), len(texts))
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.Join(dir, "review", "index.html"))); err != nil {
		t.Fatal(err)
	}
	index, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#docs tbody").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	for id, text := range texts {
		if !strings.Contains(index, id) {
			t.Errorf("the index does not list %s", id)
		}
		var page string
		for _, p := range pages {
			if strings.HasSuffix(p, "-"+id+".html") {
				page = p
			}
		}
		if page == "" {
			t.Fatalf("no page for %s among %v", id, pages)
		}
		want := byDoc[id]
		if len(want) < 50 {
			t.Fatalf("only %d findings for %s", len(want), id)
		}
		got := inspectPage(t, ctx, page, text, want, filepath.Join(artifactsDir, "review-seed.png"))

		var negated, others int
		for i, f := range want {
			h := got.Findings[i]
			if !h.Inner {
				continue
			}
			struck := strings.Contains(h.Decoration, "line-through")
			dashed := h.Outline == "dashed"
			switch {
			case f.Subject != "patient":
				others++
				if !dashed {
					t.Errorf("finding %d (%s, subject %s) is not outlined as not the patient's", i, f.Concept, f.Subject)
				}
			case f.Assertion == "negated":
				negated++
				if !struck {
					t.Errorf("finding %d (%s) is negated but not struck through", i, f.Concept)
				}
			case f.Assertion == "present":
				if struck || dashed {
					t.Errorf("finding %d (%s) is the patient's present finding but styled as negated or another's", i, f.Concept)
				}
			}
		}
		if negated == 0 || others == 0 {
			t.Errorf("the seed page showed %d negated and %d non-patient findings; the seed has both", negated, others)
		}

		k := slices.IndexFunc(want, func(f extract.Finding) bool { return f.Concept == "euroscore_ii" })
		if k < 0 {
			t.Fatal("no EuroSCORE II finding on the seed")
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#l-`+itoa(k)+` a`))); err != nil {
			t.Fatal(err)
		}
		details, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("details").textContent`))
		if err != nil {
			t.Fatal(err)
		}
		selected, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('mark.sel[data-f~="`+itoa(k)+`"]').length`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(details, "score.euroscore_ii") || !strings.Contains(details, "48.9") {
			t.Errorf("clicking EuroSCORE II in the list shows %q", details)
		}
		if selected == 0 {
			t.Error("clicking EuroSCORE II in the list selects none of its highlights")
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// A text built to break a naive page: markup and a script end tag in the
// text and the id, CRLF line ends the HTML parser would fold, characters
// outside the BMP (two UTF-16 units in the browser, one code point in the
// offsets), and findings nested, overlapping and sharing a boundary.
func TestReviewPageHardTextInChromium(t *testing.T) {
	ctx := browser(t)
	text := "Hb </script><script>document.title='pwned'</script> 7.5 g/dL & \"quoted\"\r\n" +
		"😀 Lactate 2 mmol/L; ß-blocker <b>bisoprolol</b> 5 mg\r\nend 🫀"
	rs := []rune(text)
	// at gives the code-point span of sub's first occurrence.
	at := func(sub string) (int, int) {
		b := strings.Index(text, sub)
		if b < 0 {
			t.Fatalf("%q not in text", sub)
		}
		start := utf8.RuneCountInString(text[:b])
		return start, start + utf8.RuneCountInString(sub)
	}
	mk := func(concept, assertion, subject string, start, end int) extract.Finding {
		return extract.Finding{Doc: "<img src=x onerror=alert(1)>", Case: 1, Section: "body", Category: extract.CatLab,
			Concept: concept, Label: concept, Unit: "", Text: string(rs[start:end]), Start: start, End: end,
			ValueStart: start, ValueEnd: end, Assertion: assertion, Subject: subject, Rule: "lab." + concept, Flags: []string{}}
	}
	s1, _ := at("Hb </script>")
	_, e2 := at("7.5 g/dL")
	s3, e3 := at("7.5")
	s4, _ := at("g/dL & \"quoted\"")
	_, e4 := at("😀 Lactate")
	s5, e5 := at("Lactate 2 mmol/L")
	s6, e6 := at("<b>bisoprolol</b> 5 mg")
	s7, e7 := at("bisoprolol")
	s8, e8 := at("🫀")
	fs := []extract.Finding{
		mk("whole", "present", "patient", s1, e2),         // contains the next two
		mk("value", "negated", "patient", s3, e3),         // nested
		mk("crossing", "present", "population", s4, e4),   // overlaps the first and crosses CRLF
		mk("lactate", "possible", "patient", s5, e5),      // starts where nothing ends
		mk("drug", "present", "patient", s6, e6),          // markup inside
		mk("drug_name", "present", "family", s7, e7),      // nested with markup around
		mk("heart", "historical", "patient", s8, e8),      // astral character at the very end
		mk("same_as_value", "present", "patient", s3, e3), // identical span to another
	}
	dir := t.TempDir()
	w, err := output.NewReview(filepath.Join(dir, "review"))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&output.DocResult{ID: fs[0].Doc, Source: "<script>", Text: text, Findings: fs, Cases: 1}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "review", "docs", "*.html"))
	if len(pages) != 1 {
		t.Fatalf("pages: %v", pages)
	}
	inspectPage(t, ctx, pages[0], text, fs, "")
	for _, p := range []string{pages[0], filepath.Join(dir, "review", "index.html")} {
		if err := chromedp.Do(ctx, chromedp.Navigate("file://"+p)); err != nil {
			t.Fatal(err)
		}
		title, err := chromedp.Run(ctx, chromedp.Title())
		if err != nil {
			t.Fatal(err)
		}
		alerted, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelectorAll("img").length > 0 || document.querySelectorAll("b").length > 0`))
		if err != nil {
			t.Fatal(err)
		}
		if title == "pwned" || alerted {
			t.Errorf("%s: text from the document ran as markup (title %q)", filepath.Base(p), title)
		}
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("chromium timed out")
	}
}
