package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// fakeSpeech replaces the browser's speech services before the page's
// scripts run. Every recogniser the page makes is kept in window.__recs;
// rec.say([[text, isFinal], …]) delivers those results to it, as a
// continuous recogniser reports everything heard so far. When
// window.__recFail names an error, every recogniser fails with it on start.
// speechSynthesis.speak keeps each text in window.__spoken and ends soon
// after.
const fakeSpeech = `(() => {
	window.__recs = [];
	window.__spoken = [];
	class FakeRecognition {
		constructor() { this.started = false; this.aborted = false; window.__recs.push(this); }
		start() {
			this.started = true;
			if (window.__recFail) setTimeout(() => {
				if (this.onerror) this.onerror({error: window.__recFail});
				if (this.onend) this.onend();
			}, 10);
		}
		stop() { this.abort(); }
		abort() { this.aborted = true; setTimeout(() => { if (this.onend) this.onend(); }, 0); }
		say(list) {
			const results = list.map(([transcript, isFinal]) => Object.assign([{transcript, confidence: 0.9}], {isFinal}));
			if (this.onresult) this.onresult({resultIndex: 0, results});
		}
	}
	window.SpeechRecognition = FakeRecognition;
	window.webkitSpeechRecognition = FakeRecognition;
	const synth = {
		speaking: false, pending: false, paused: false,
		speak(u) { window.__spoken.push(u.text); setTimeout(() => { if (u.onend) u.onend(new Event('end')); }, 20); },
		cancel() {}, pause() {}, resume() {}, getVoices() { return []; },
	};
	Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
})();`

// startVoiceRoom opens the page with script run first in every document,
// starts a quick interview and waits for its first question.
func startVoiceRoom(t *testing.T, script string) (context.Context, string) {
	t.Helper()
	ctx := newBrowser(t)
	m := startMain(t, t.TempDir())
	onNewDocument(t, ctx, script+recordAnnouncements)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(m.Server.URL()+"/"),
		chromedp.WaitVisible(tid("quick-start")),
		chromedp.Click(tid("quick-start")),
		chromedp.WaitVisible(tid("question")),
		chromedp.WaitEnabled(tid("answer-input")),
	); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(roomValue[string](t, ctx, `location.hash`), "#/interview/")
	return ctx, id
}

// questionTexts is every question on the page, in order.
const questionTexts = `[...document.querySelectorAll('[data-testid="question"] .text')].map((q) => q.textContent)`

// TestBrowserVoiceMode: with voice mode switched on, each question is read
// aloud, and what the recogniser hears fills the answer box as it comes,
// interim words included; sending stops the recogniser, and the switch is
// remembered across a reload.
func TestBrowserVoiceMode(t *testing.T) {
	ctx, id := startVoiceRoom(t, fakeSpeech)
	note := roomValue[string](t, ctx, `document.querySelector('[data-testid="voice-note"]').textContent`)
	if !strings.Contains(note, "Google's servers") {
		t.Errorf("the voice note %q does not say where the audio goes", note)
	}
	if err := chromedp.Do(ctx, chromedp.Click(tid("voice-toggle"))); err != nil {
		t.Fatal(err)
	}
	// Switching it on reads the waiting question, then listens.
	// A recogniser that the page restarts (as it does after a pause) is
	// replaced by a new one, so the test speaks to the newest.
	roomWait(t, ctx, "listening after the question is read", `window.__recs.length >= 1 && window.__recs.at(-1).started
		&& !window.__recs.at(-1).aborted && document.querySelector('[data-testid="voice-state"]').textContent === 'Listening…'`)
	if spoken, asked := roomValue[[]string](t, ctx, `window.__spoken`), roomValue[[]string](t, ctx, questionTexts); len(spoken) != 1 || spoken[0] != asked[0] {
		t.Fatalf("spoken %q, want the question %q", spoken, asked)
	}

	steps := []struct {
		results string
		want    string
	}{
		{`[['We had some', false]]`, "We had some"},
		{`[['We had some problems', true], [' with a service', false]]`, "We had some problems with a service"},
		{`[['We had some problems', true], [' with a service and the team worked on it.', true]]`,
			"We had some problems with a service and the team worked on it."},
	}
	for _, st := range steps {
		got := roomValue[string](t, ctx, `window.__recs.at(-1).say(`+st.results+`), document.querySelector('[data-testid="answer-input"]').value`)
		if got != st.want {
			t.Errorf("after %s the answer box holds %q, want %q", st.results, got, st.want)
		}
	}
	count := roomValue[string](t, ctx, `document.getElementById('answer-count').textContent`)
	draft := roomValue[string](t, ctx, `JSON.parse(localStorage.getItem('barraiser:draft:`+id+`'))`)
	if count != "62 / 8000" || draft != steps[2].want {
		t.Errorf("counter %q and draft %q do not follow the spoken words", count, draft)
	}
	screenshot(t, ctx, "voice-listening.png")

	// Sending stops the recogniser; the follow-up is read aloud, then a new one listens.
	if err := chromedp.Do(ctx, chromedp.Click(tid("send"))); err != nil {
		t.Fatal(err)
	}
	listened := roomValue[int](t, ctx, `window.__recs.length`)
	roomWait(t, ctx, "the follow-up read aloud", `document.querySelectorAll('[data-testid="question"]').length === 2
		&& window.__spoken.length === 2 && window.__recs.length > `+strconv.Itoa(listened)+` && window.__recs.at(-1).started && !window.__recs.at(-1).aborted`)
	if spoken, asked := roomValue[[]string](t, ctx, `window.__spoken`), roomValue[[]string](t, ctx, questionTexts); len(asked) != 2 || spoken[1] != asked[1] {
		t.Errorf("spoken %q, want each question %q", spoken, asked)
	}
	if !roomValue[bool](t, ctx, `window.__recs[`+strconv.Itoa(listened-1)+`].aborted`) {
		t.Error("the first answer's recogniser still runs after its answer was sent")
	}
	if box := roomValue[string](t, ctx, `window.__recs[`+strconv.Itoa(listened-1)+`].say([['late words', true]]), document.querySelector('[data-testid="answer-input"]').value`); box != "" {
		t.Errorf("a stopped recogniser wrote %q into the next answer", box)
	}

	// Typing while it listens keeps the typed words and adds new speech after them.
	if err := chromedp.Do(ctx, chromedp.SendKeys(tid("answer-input"), "I owned it.")); err != nil {
		t.Fatal(err)
	}
	if box := roomValue[string](t, ctx, `window.__recs.at(-1).say([['Then I checked the graphs', false]]), document.querySelector('[data-testid="answer-input"]').value`); box != "I owned it. Then I checked the graphs" {
		t.Errorf("speech after typing gives %q", box)
	}

	// The switch is remembered.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "voice mode on after a reload", `document.querySelector('[data-testid="voice-toggle"]').checked
		&& window.__recs.length >= 1 && window.__recs.at(-1).started && !window.__recs.at(-1).aborted`)
}

// TestBrowserVoiceUnsupported: a recogniser that fails with network,
// not-allowed or service-not-allowed means voice mode cannot work here: it
// is switched off and its switch hidden, and the page says so once.
func TestBrowserVoiceUnsupported(t *testing.T) {
	for _, code := range []string{"network", "not-allowed", "service-not-allowed"} {
		t.Run(code, func(t *testing.T) {
			ctx, _ := startVoiceRoom(t, `window.__recFail = `+jsString(code)+`;`+fakeSpeech)
			if err := chromedp.Do(ctx, chromedp.Click(tid("voice-toggle"))); err != nil {
				t.Fatal(err)
			}
			roomWait(t, ctx, "voice mode given up", `!document.querySelector('[data-testid="voice-status"]').hidden
				&& document.getElementById('voice').hidden`)
			// Answer by hand; the next question is neither read aloud nor listened for.
			if err := chromedp.Do(ctx, chromedp.SetValue(tid("answer-input"), vagueAnswer), chromedp.Click(tid("send"))); err != nil {
				t.Fatal(err)
			}
			roomWait(t, ctx, "the next question", `document.querySelectorAll('[data-testid="question"]').length === 2`)
			time.Sleep(300 * time.Millisecond)
			got := roomValue[struct {
				Status    string   `json:"status"`
				Checked   bool     `json:"checked"`
				Stored    *string  `json:"stored"`
				Recs      int      `json:"recs"`
				Spoken    int      `json:"spoken"`
				Announced []string `json:"announced"`
			}](t, ctx, `({status: document.querySelector('[data-testid="voice-status"]').textContent,
				checked: document.querySelector('[data-testid="voice-toggle"]').checked,
				stored: localStorage.getItem('barraiser:voice'),
				recs: window.__recs.length, spoken: window.__spoken.length, announced: window.__announced})`)
			told := 0
			for _, a := range got.Announced {
				if strings.Contains(a, "not available") {
					told++
				}
			}
			if !strings.Contains(got.Status, "Voice mode is not available here") || told != 1 {
				t.Errorf("status %q, announced %q: want it said once", got.Status, got.Announced)
			}
			if got.Checked || got.Stored != nil || got.Recs != 1 || got.Spoken != 1 {
				t.Errorf("voice mode still on: %+v", got)
			}
			screenshot(t, ctx, "voice-unsupported-"+code+".png")
		})
	}
}

// TestBrowserNoSpeech: in a browser without speech recognition or speech
// synthesis the voice switch is not there at all, and the room works.
func TestBrowserNoSpeech(t *testing.T) {
	ctx, _ := startVoiceRoom(t, `delete window.SpeechRecognition; delete window.webkitSpeechRecognition; delete window.speechSynthesis;`)
	if gone := roomValue[bool](t, ctx, `!('webkitSpeechRecognition' in window) && !('speechSynthesis' in window)`); !gone {
		t.Fatal("the speech objects are still there")
	}
	if n, err := count(ctx, "voice-toggle"); err != nil || n != 0 {
		t.Errorf("%d voice switches without speech support (%v)", n, err)
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(tid("answer-input"), vagueAnswer), chromedp.Click(tid("send"))); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "the next question", `document.querySelectorAll('[data-testid="question"]').length === 2`)
	screenshot(t, ctx, "voice-absent.png")
}
