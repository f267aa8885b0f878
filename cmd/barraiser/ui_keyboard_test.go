package main

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focused describes the element that has the keyboard focus: its test id
// and whether a focus ring is drawn around it.
type focused struct {
	ID   string `json:"id"`
	Ring bool   `json:"ring"`
}

const readFocus = `(() => {
	const e = document.activeElement;
	const s = e ? getComputedStyle(e) : null;
	return {id: (e && e.dataset && e.dataset.testid) || '',
		ring: !!s && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none')};
})()`

// tabTo presses Tab until the element with test id testid has the focus,
// at most limit times, and fails the test when it never does or when a
// control it passes on the way shows no focus ring.
func tabTo(t *testing.T, ctx context.Context, testid string, limit int) {
	t.Helper()
	for range limit {
		f := roomValue[focused](t, ctx, readFocus)
		if f.ID != "" && !f.Ring {
			t.Errorf("%q has the focus but no visible focus ring", f.ID)
		}
		if f.ID == testid {
			return
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("%d presses of Tab never reached %q", limit, testid)
}

// press sends one key, with modifiers, to the focused element.
func press(t *testing.T, ctx context.Context, key string, mods ...chromedp.Modifier) {
	t.Helper()
	var opts []chromedp.KeyOption
	if len(mods) > 0 {
		opts = append(opts, chromedp.KeyModifiers(mods...))
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(key, opts...)); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserKeyboardOnly runs an interview with the keyboard alone, as a
// candidate who uses no mouse would: Tab to the quick start, type the
// answer and send it with Ctrl+Enter, finish early through the dialog,
// and open an evidence quote of the debrief. Every control reached on the
// way must show where the focus is.
func TestBrowserKeyboardOnly(t *testing.T) {
	ctx := newBrowser(t)
	m := startMain(t, t.TempDir())
	if err := chromedp.Do(ctx, chromedp.Navigate(m.Server.URL()+"/"), chromedp.WaitVisible(tid("quick-start"))); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "the practice hint", `!document.querySelector('[data-testid="practice-hint"]').hidden`)

	tabTo(t, ctx, "quick-start", 40)
	press(t, ctx, kb.Enter)
	roomWait(t, ctx, "the first question", `document.querySelectorAll('[data-testid="question"]').length === 1
		&& !document.querySelector('[data-testid="answer-input"]').disabled`)

	// The answer, typed into the focused box and sent with Ctrl+Enter.
	tabTo(t, ctx, "answer-input", 40)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(strongAnswer)); err != nil {
		t.Fatal(err)
	}
	press(t, ctx, kb.Enter, chromedp.ModifierCtrl)
	roomWait(t, ctx, "the answer in the transcript", `[...document.querySelectorAll('#transcript .bubble')].some(
		(b) => b.textContent.includes('`+strongAnswer[:40]+`'))
		&& document.querySelectorAll('[data-testid="question"]').length >= 2`)
	screenshot(t, ctx, "keyboard-room.png")

	// Finish early: the dialog opens with the focus inside it, and Enter on
	// its confirm button ends the interview.
	tabTo(t, ctx, "finish", 40)
	press(t, ctx, kb.Enter)
	roomWait(t, ctx, "the finish dialog", `document.getElementById('finish-dialog').open
		&& document.getElementById('finish-dialog').contains(document.activeElement)`)
	tabTo(t, ctx, "finish-confirm", 4)
	press(t, ctx, kb.Enter)
	roomWait(t, ctx, "the debrief", `document.querySelectorAll('[data-testid="evidence-quote"]').length > 0`)

	// An evidence quote, opened from the keyboard, marks its words.
	tabTo(t, ctx, "evidence-quote", 80)
	press(t, ctx, kb.Enter)
	roomWait(t, ctx, "the quote marked in its turn", `document.querySelectorAll('#transcript mark').length === 1`)
	screenshot(t, ctx, "keyboard-debrief.png")
}
