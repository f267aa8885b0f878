package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/barraiser/barraiser/agent"
	brclient "github.com/barraiser/barraiser/client"
)

// inputLine is one line typed, or the end of input (Ctrl+D).
type inputLine struct {
	text string
	eof  bool
}

// readLines reads r line by line into a channel. At the end of input it
// sends an eof and reads on, since a terminal gives more input after
// Ctrl+D; after any other error it closes the channel. Calling stop lets
// the reader go once it has something it cannot hand over.
func readLines(r io.Reader) (<-chan inputLine, func()) {
	ch := make(chan inputLine)
	done := make(chan struct{})
	go func() {
		defer close(ch)
		br := bufio.NewReader(r)
		hand := func(l inputLine) bool {
			select {
			case ch <- l:
				return true
			case <-done:
				return false
			}
		}
		for {
			s, err := br.ReadString('\n')
			if s != "" && !hand(inputLine{text: strings.TrimRight(s, "\r\n")}) {
				return
			}
			if err != nil && (!errors.Is(err, io.EOF) || !hand(inputLine{eof: true})) {
				return
			}
		}
	}()
	return ch, func() { close(done) }
}

// practice is one interview played in the terminal, over as many
// connections as it takes.
type practice struct {
	c          *brclient.Client
	id         string
	out        io.Writer
	lines      <-chan inputLine
	names      map[string]string // principle id -> name
	resumeHint string

	shown    int      // seq of the last question printed
	streamed int      // seq of the question whose chunks were printed
	typed    []string // lines of the answer being typed
	pending  *sentAnswer
	ending   bool // "/end" was sent and not yet acted on

	reconnects    int // failed connections in a row
	supersessions int // connections taken over in a row
}

// sentAnswer is an answer sent and not yet acknowledged; the next
// connection repeats it under its original client id.
type sentAnswer struct {
	seq      int // of the question it answers
	text     string
	clientID string
}

// header prints what the interview covers.
func (p *practice) header(role agent.Role, level agent.Level, principles []agent.PlannedPrinciple) {
	var names []string
	for _, pp := range principles {
		p.names[pp.ID] = pp.Name
		names = append(names, pp.Name)
	}
	fmt.Fprintf(p.out, "Interview %s: %s %s, on %s.\n", p.id, strings.ToUpper(string(role)), level, strings.Join(names, ", "))
}

// run plays the interview to its end, reconnecting after lost
// connections.
func (p *practice) run(ctx context.Context) error {
	for {
		finished, err := p.converse(ctx)
		if ctx.Err() != nil {
			fmt.Fprintf(p.out, "\nStopped. The interview is saved unfinished; continue it with\n  %s\n", p.resumeHint)
			return nil
		}
		if finished {
			return err
		}
		var delay time.Duration
		switch brclient.CloseStatus(err) {
		case brclient.StatusSuperseded:
			if p.supersessions++; p.supersessions > maxSupersessions {
				return fmt.Errorf("practice: the interview keeps being taken over by another connection; continue it later with %s", p.resumeHint)
			}
		case brclient.StatusKeyRevoked:
			return errors.New("practice: the API key was revoked")
		default:
			if p.reconnects++; p.reconnects > maxReconnects {
				return fmt.Errorf("practice: lost the server (%w); the interview is saved: continue it with %s", err, p.resumeHint)
			}
			delay = min(time.Duration(100<<p.reconnects)*time.Millisecond, 5*time.Second)
			if p.reconnects == 1 {
				fmt.Fprintln(p.out, "(The connection dropped; reconnecting.)")
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
	}
}

// received is what the reading goroutine hands over: a frame or the
// error that ended the connection.
type received struct {
	f   brclient.Frame
	err error
}

// converse plays the interview over one connection. It returns finished
// when there is nothing more to do (err then says why, or is nil), and
// otherwise the error that ended the connection.
func (p *practice) converse(ctx context.Context) (finished bool, err error) {
	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	conn, err := p.c.Dial(dctx, p.id)
	cancel()
	if err != nil {
		// A refusal is final, except for a busy or failing server.
		var apiErr *brclient.Error
		if errors.As(err, &apiErr) && apiErr.Status < 500 && apiErr.Status != http.StatusTooManyRequests {
			return true, fmt.Errorf("practice: %w", err)
		}
		return false, err
	}
	defer conn.CloseNow()
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	frames := make(chan received)
	go func() {
		for {
			f, err := conn.Recv(cctx)
			select {
			case frames <- received{f, err}:
			case <-cctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	waiting := false // a question waits for an answer on this connection
	for {
		var lines <-chan inputLine
		if waiting && p.pending == nil && !p.ending {
			lines = p.lines
		}
		select {
		case <-ctx.Done():
			conn.Close()
			return true, nil
		case r := <-frames:
			if r.err != nil {
				return false, r.err
			}
			if finished, err := p.frame(cctx, conn, r.f, &waiting); finished || err != nil {
				return finished, err
			}
		case l, ok := <-lines:
			if !ok {
				l.eof = true // stdin failed: as good as the end of input
			}
			if finished, err := p.line(cctx, conn, l); finished || err != nil {
				return finished, err
			}
		}
	}
}

// frame acts on one server frame.
func (p *practice) frame(ctx context.Context, conn *brclient.Conn, f brclient.Frame, waiting *bool) (bool, error) {
	switch f.Type {
	case brclient.FrameSession:
		iv := f.Interview
		if iv == nil {
			return false, nil
		}
		p.reconnects = 0
		for _, pp := range iv.Principles {
			p.names[pp.ID] = pp.Name
		}
		if p.pending != nil {
			if _, ok := iv.TurnByClientID(p.pending.clientID); ok {
				p.pending = nil // stored before the connection dropped
				p.supersessions = 0
			}
		}
		if p.streamed > p.shown {
			// The connection dropped while a question was being written;
			// it is written again from the start.
			fmt.Fprintln(p.out, "\n(The question was cut off; here it comes again.)")
			p.streamed = 0
		}
		if iv.Status != agent.StatusInProgress {
			p.ending = false
		}
		if iv.Status == agent.StatusComplete {
			if iv.Debrief != nil {
				printDebrief(p.out, p.id, iv.Debrief)
			}
			conn.Close()
			return true, nil
		}
	case brclient.FrameQuestionDelta:
		if f.Seq <= p.shown {
			return false, nil
		}
		if p.streamed != f.Seq {
			p.streamed = f.Seq
			fmt.Fprint(p.out, "\nInterviewer: ")
		}
		fmt.Fprint(p.out, f.Text)
	case brclient.FrameQuestion:
		if f.Turn == nil {
			return false, nil
		}
		t := *f.Turn
		*waiting = true
		if t.Seq > p.shown {
			if p.streamed == t.Seq {
				fmt.Fprintln(p.out) // its chunks are on screen already
			} else {
				fmt.Fprintf(p.out, "\nInterviewer: %s\n", t.Text)
			}
			fmt.Fprintf(p.out, "(%s)\n", p.describe(t))
			p.shown = t.Seq
		} else if p.pending == nil && !p.ending {
			fmt.Fprintln(p.out, "(Reconnected; the question above is still waiting for your answer.)")
		}
		switch {
		case p.pending != nil && p.pending.seq != t.Seq:
			// The interview moved on without it: someone else answered.
			fmt.Fprintln(p.out, "(Your last answer was not needed: the question was answered in another window.)")
			p.pending = nil
		case p.pending != nil:
			a := p.pending
			return false, withTimeout(ctx, func(ctx context.Context) error { return conn.Answer(ctx, a.text, a.clientID) })
		case p.ending:
			return false, withTimeout(ctx, conn.End)
		}
	case brclient.FrameAck:
		if p.pending != nil && f.ClientID == p.pending.clientID {
			p.pending = nil
			p.supersessions = 0
		}
		*waiting = false
	case brclient.FrameGrading:
		*waiting = false
		p.ending = false
		fmt.Fprintln(p.out, "\nNo more questions. Grading your answers…")
	case brclient.FrameDebrief:
		if f.Debrief != nil {
			printDebrief(p.out, p.id, f.Debrief)
		}
		conn.Close()
		return true, nil
	case brclient.FrameError:
		return p.serverError(f)
	}
	return false, nil
}

// serverError acts on an error frame.
func (p *practice) serverError(f brclient.Frame) (bool, error) {
	switch f.Code {
	case agent.ESUPERSEDED:
		fmt.Fprintln(p.out, "(Another connection took over this interview; taking it back.)")
	case agent.EKEYREVOKED:
		fmt.Fprintln(p.out, "The API key of this session was revoked.")
	case agent.EEMPTYANSWER, agent.EANSWERTOOLONG, agent.EINVALIDTEXT, agent.EINVALIDCLIENTID:
		p.pending = nil
		fmt.Fprintf(p.out, "That answer was refused: %s. Please answer again.\n", f.Message)
	case agent.ENOPENDINGQUESTION:
		p.pending, p.ending = nil, false
		fmt.Fprintf(p.out, "(%s)\n", f.Message)
	default:
		fmt.Fprintf(p.out, "The server reported %s: %s\n", f.Code, f.Message)
	}
	return false, nil
}

// line acts on one line typed or on the end of input: that sends the
// answer typed so far or, when there is none, leaves.
func (p *practice) line(ctx context.Context, conn *brclient.Conn, l inputLine) (bool, error) {
	if l.eof {
		if strings.TrimSpace(strings.Join(p.typed, "\n")) == "" {
			p.typed = nil
			return p.leave(conn)
		}
		return false, p.send(ctx, conn)
	}
	switch strings.TrimSpace(l.text) {
	case ".":
		if strings.TrimSpace(strings.Join(p.typed, "\n")) == "" {
			p.typed = nil
			fmt.Fprintln(p.out, `(Nothing to send yet: type your answer, then a line holding only ".". "/end" finishes the interview.)`)
			return false, nil
		}
		return false, p.send(ctx, conn)
	case "/end":
		if len(p.typed) > 0 {
			fmt.Fprintln(p.out, "(The unfinished answer above was not sent.)")
			p.typed = nil
		}
		p.ending = true
		return false, withTimeout(ctx, conn.End)
	}
	p.typed = append(p.typed, l.text)
	return false, nil
}

// send sends the answer typed so far; it stays pending until acknowledged.
func (p *practice) send(ctx context.Context, conn *brclient.Conn) error {
	p.pending = &sentAnswer{seq: p.shown, text: strings.TrimSpace(strings.Join(p.typed, "\n")), clientID: "practice-" + agent.NewID()}
	p.typed = nil
	a := p.pending
	return withTimeout(ctx, func(ctx context.Context) error { return conn.Answer(ctx, a.text, a.clientID) })
}

// withTimeout calls write with a deadline of frameTimeout.
func withTimeout(ctx context.Context, write func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, frameTimeout)
	defer cancel()
	return write(ctx)
}

// leave ends the session without finishing the interview.
func (p *practice) leave(conn *brclient.Conn) (bool, error) {
	conn.Close()
	fmt.Fprintf(p.out, "\nNo more input, so this is where we stop. The interview is saved unfinished; continue it with\n  %s\n", p.resumeHint)
	return true, nil
}

// describe says which principle a question probes and what kind it is.
func (p *practice) describe(t agent.Turn) string {
	name := p.names[t.Principle]
	if name == "" {
		name = t.Principle
	}
	switch {
	case t.Kind == agent.KindOpening:
		return name + ", opening question"
	case t.FollowUp > 0:
		return fmt.Sprintf("%s, follow-up %d", name, t.FollowUp)
	}
	return name + ", follow-up"
}
