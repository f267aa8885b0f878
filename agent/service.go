package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Service runs interviews: it plans them, asks the next question, stores
// answers and grades. It keeps nothing in memory between calls; every step
// reads the interview from the Store, so any process can take any step.
type Service struct {
	Store     Store
	Retriever Retriever
	// Model is the interviewer. When it fails, Rules takes the turn.
	Model  Model
	Rules  Rules
	Logger *slog.Logger
	Now    func() time.Time
	// MaxOpenInterviews caps the interviews an owner may have in progress
	// at once; an interview idle for IdleAfter no longer counts. Zero means
	// no cap.
	MaxOpenInterviews int
	// TokenBudget caps the model tokens one interview may spend, counting
	// prompt tokens the provider served from its cache as free; past it the
	// rules interviewer takes over. Zero means no cap.
	TokenBudget int
	// MaxAnswerChars is the longest answer Answer takes, in characters
	// (Unicode code points); zero means MaxAnswerRunes.
	MaxAnswerChars int
}

// NewService returns a Service with the rules interviewer as its model.
func NewService(st Store, rt Retriever, logger *slog.Logger) *Service {
	rules := Rules{}
	return &Service{Store: st, Retriever: rt, Model: rules, Rules: rules, Logger: logger,
		Now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// NewID returns a random identifier of 32 hex digits.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// Create validates r, plans the interview and stores it. The opening
// question is not asked yet: Advance asks it when a client first connects.
func (s *Service) Create(ctx context.Context, ownerID string, r CreateRequest) (*Interview, error) {
	if err := r.Validate(s.Retriever); err != nil {
		return nil, err
	}
	if err := s.checkQuota(ctx, ownerID); err != nil {
		return nil, err
	}
	id := NewID()
	plan, err := s.plan(ctx, ownerID, id, r)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	iv := &Interview{ID: id, OwnerID: ownerID, Status: StatusInProgress, Role: Role(r.Role), Level: Level(r.Level),
		Focus: r.Focus, Principles: plan, Turns: []Turn{}, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.CreateInterview(ctx, iv); err != nil {
		return nil, fmt.Errorf("agent: create: %w", err)
	}
	return iv, nil
}

// IdleAfter is how long an interview in progress may go without a turn
// before it stops counting toward MaxOpenInterviews.
const IdleAfter = 24 * time.Hour

// checkQuota refuses a new interview to an owner with MaxOpenInterviews
// already in progress, and says when the oldest of them goes idle.
func (s *Service) checkQuota(ctx context.Context, ownerID string) error {
	if s.MaxOpenInterviews <= 0 {
		return nil
	}
	now := s.Now()
	n, oldest, err := s.Store.OpenInterviews(ctx, ownerID, now.Add(-IdleAfter))
	if err != nil {
		return fmt.Errorf("agent: count open interviews: %w", err)
	}
	if n < s.MaxOpenInterviews {
		return nil
	}
	e := Errorf(ETOOMANYINTERVIEWS, "You have %d interviews in progress, the most allowed at once. Finish or end one (POST /api/v1/interviews/{id}/end); an interview left for %s stops counting.",
		n, "24 hours")
	e.RetryAfter = oldest.Add(IdleAfter).Sub(now)
	return e
}

// Get returns one of the owner's interviews.
func (s *Service) Get(ctx context.Context, ownerID, id string) (*Interview, error) {
	iv, err := s.Store.Interview(ctx, ownerID, id)
	if err != nil {
		return nil, err
	}
	iv.MaxAnswerChars = s.AnswerLimit()
	return iv, nil
}

// Advance returns the question waiting for an answer, asking and storing
// the next one first when the transcript ends with an answer. When the plan
// is exhausted it moves the interview to grading and returns no question.
// emit receives streamed chunks of a question being generated, with the seq
// it will be stored at.
func (s *Service) Advance(ctx context.Context, ownerID, id string, gen int64, emit func(seq int, delta string)) (*Interview, *Turn, error) {
	iv, err := s.Store.Interview(ctx, ownerID, id)
	if err != nil {
		return nil, nil, err
	}
	return s.AdvanceFrom(ctx, iv, gen, emit)
}

// AdvanceFrom is Advance from iv, the interview as Answer returned it or as
// just read: it reads the interview again only when another connection has
// moved it on meanwhile.
func (s *Service) AdvanceFrom(ctx context.Context, iv *Interview, gen int64, emit func(seq int, delta string)) (*Interview, *Turn, error) {
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			var err error
			if iv, err = s.Store.Interview(ctx, iv.OwnerID, iv.ID); err != nil {
				return nil, nil, err
			}
		}
		if iv.Status != StatusInProgress {
			return iv, nil, nil
		}
		if t, ok := iv.Pending(); ok {
			return iv, &t, nil
		}
		next, done, err := s.next(ctx, iv, emit)
		if err != nil {
			return nil, nil, err
		}
		if done {
			err := s.Store.SetStatus(ctx, iv.ID, gen, StatusInProgress, StatusGrading)
			if err == nil {
				iv.Status = StatusGrading
				return iv, nil, nil
			}
			if ErrorCode(err) != ECONFLICT {
				return nil, nil, err
			}
			continue
		}
		stored, _, err := AppendTurn(ctx, s.Store, iv.ID, gen, next)
		if ErrorCode(err) == ECONFLICT && attempt < 3 {
			continue // another connection moved the interview on; look again
		} else if err != nil {
			return nil, nil, err
		}
		iv.Turns = append(iv.Turns, stored)
		iv.UpdatedAt = stored.At
		return iv, &stored, nil
	}
}

// next works out the interviewer's next turn from the transcript alone.
func (s *Service) next(ctx context.Context, iv *Interview, emit func(int, string)) (Turn, bool, error) {
	seq := iv.LastSeq() + 1
	stream := func(d string) {
		if emit != nil {
			emit(seq, d)
		}
	}
	idx := 0
	if seq > 1 {
		last := iv.Turns[len(iv.Turns)-1]
		idx = max(0, slices.IndexFunc(iv.Principles, func(pp PlannedPrinciple) bool { return pp.ID == last.Principle }))
		p, _ := s.Retriever.Principle(last.Principle)
		turns := iv.PrincipleTurns(p.ID)
		ap, release := reusedAnalysis(turns)
		defer release()
		a := *ap
		if needsRealExample(turns, a) {
			if probe, ok := ChooseProbe(p, s.Retriever.Probes(), GapRealExample, iv.ID+strconv.Itoa(seq)); ok {
				text := s.ask(ctx, iv, AskInput{Principle: p, Role: iv.Role, Level: iv.Level, Probe: &probe, Turns: turns, Analysis: a}, stream)
				return Turn{Seq: seq, Speaker: SpeakerInterviewer, Kind: KindFollowUp, Principle: p.ID,
					Probe: string(GapRealExample), Text: text, At: s.Now()}, false, nil
			}
		}
		missing, allowed := followUpChoices(turns, a)
		if len(allowed) > 0 {
			in := DecideInput{Principle: p, Role: iv.Role, Level: iv.Level, Turns: turns, Analysis: a,
				Missing: missing, Allowed: allowed, FollowUps: FollowUpCount(turns)}
			d := s.decide(ctx, iv.ID, s.model(iv), in)
			if d.Gap != "" {
				probe, ok := ChooseProbe(p, s.Retriever.Probes(), d.Gap, iv.ID+strconv.Itoa(seq))
				if ok {
					text := s.ask(ctx, iv, AskInput{Principle: p, Role: iv.Role, Level: iv.Level, Probe: &probe, Turns: turns, Analysis: a}, stream)
					return Turn{Seq: seq, Speaker: SpeakerInterviewer, Kind: KindFollowUp, Principle: p.ID,
						FollowUp: in.FollowUps + 1, Probe: string(d.Gap), Text: text, At: s.Now()}, false, nil
				}
			}
		}
		idx++
	}
	if idx >= len(iv.Principles) {
		return Turn{}, true, nil
	}
	pp := iv.Principles[idx]
	p, _ := s.Retriever.Principle(pp.ID)
	q, ok := s.Retriever.Question(pp.QuestionID)
	if !ok {
		var err error
		if q, err = s.pickQuestion(ctx, p, iv.Role, iv.Level, iv.Focus, nil); err != nil {
			return Turn{}, false, err
		}
	}
	text := s.ask(ctx, iv, AskInput{Principle: p, Role: iv.Role, Level: iv.Level, Question: q, Transition: idx > 0}, stream)
	return Turn{Seq: seq, Speaker: SpeakerInterviewer, Kind: KindOpening, Principle: p.ID, Text: text, At: s.Now()}, false, nil
}

// decide asks the model which gap to probe and holds it to the rules: the
// gap must be one still allowed, and a failing model hands over to Rules.
func (s *Service) decide(ctx context.Context, id string, m Model, in DecideInput) Decision {
	d, u, err := m.Decide(ctx, in)
	s.addUsage(ctx, id, u)
	if err == nil && (d.Gap == "" || slices.Contains(in.Allowed, d.Gap)) {
		return d
	}
	if err == nil {
		err = fmt.Errorf("gap %q is not allowed", d.Gap)
	}
	s.Logger.Warn("model decide failed; rules decide", "model", m.Name(), "err", err)
	d, _, _ = s.Rules.Decide(ctx, in)
	return d
}

// ask has the model word a question, falling back to Rules on failure.
func (s *Service) ask(ctx context.Context, iv *Interview, in AskInput, emit func(string)) string {
	m := s.model(iv)
	text, u, err := m.Ask(ctx, in, emit)
	s.addUsage(ctx, iv.ID, u)
	if err == nil && strings.TrimSpace(text) != "" {
		return text
	}
	s.Logger.Warn("model ask failed; rules ask", "model", m.Name(), "err", err)
	text, _, _ = s.Rules.Ask(ctx, in, nil)
	return text
}

// model returns the interviewer for iv: the configured model, or the rules
// once the interview has spent its token budget.
func (s *Service) model(iv *Interview) Model {
	u := iv.Usage
	if s.TokenBudget > 0 && u.PromptTokens-u.CachedPromptTokens+u.CompletionTokens >= s.TokenBudget {
		return s.Rules
	}
	return s.Model
}

func (s *Service) addUsage(ctx context.Context, id string, u Usage) {
	if u == (Usage{}) {
		return
	}
	if err := s.Store.AddUsage(ctx, id, u); err != nil {
		s.Logger.Error("store usage", "interview", id, "err", err)
	}
}

// AnswerLimit returns the longest answer s takes, in characters:
// MaxAnswerChars, or MaxAnswerRunes when that is not set.
func (s *Service) AnswerLimit() int {
	if s.MaxAnswerChars > 0 {
		return s.MaxAnswerChars
	}
	return MaxAnswerRunes
}

// CheckAnswerLength returns answer_too_long when text has more than limit
// characters (Unicode code points). Answer calls it, and so may a
// transport that wants to refuse a long answer before anything else.
func CheckAnswerLength(text string, limit int) error {
	if n := utf8.RuneCountInString(text); n > limit {
		return Errorf(EANSWERTOOLONG, "answer is %d characters; the limit is %d", n, limit)
	}
	return nil
}

// Answer stores the candidate's answer to the pending question and returns
// it with the interview as it stands after it, to go on with AdvanceFrom.
// An answer whose clientID is already stored is returned as it was. When
// the rules are the interviewer, the question that follows the answer is
// worked out first and stored with it, in the same commit (see
// questionAfter); AdvanceFrom then finds it pending.
func (s *Service) Answer(ctx context.Context, ownerID, id string, gen int64, text, clientID string) (Turn, *Interview, error) {
	return s.AnswerFrom(ctx, ownerID, id, nil, gen, text, clientID)
}

// AnswerFrom is Answer going on from known, the interview as the caller's
// previous AdvanceFrom left it, instead of reading it first; known may be
// nil. It is only a head start: the write checks the interview's state in
// the store, and when another connection or process has moved it on
// meanwhile, or known shows no question waiting, the interview is read
// afresh and the answer goes on from that, so a stale known changes
// nothing of the outcome. Answer passes nil; a WebSocket session passes
// the interview it holds, which saves a read on every turn.
func (s *Service) AnswerFrom(ctx context.Context, ownerID, id string, known *Interview, gen int64, text, clientID string) (Turn, *Interview, error) {
	if err := CheckAnswerLength(text, s.AnswerLimit()); err != nil {
		return Turn{}, nil, err
	}
	if strings.TrimSpace(text) == "" {
		return Turn{}, nil, Errorf(EEMPTYANSWER, "answer is empty")
	}
	if err := checkText("answer", text); err != nil {
		return Turn{}, nil, err
	}
	if len(clientID) > MaxClientIDBytes {
		return Turn{}, nil, Errorf(EINVALIDCLIENTID, "client_id is longer than %d bytes", MaxClientIDBytes)
	}
	if err := checkText("client_id", clientID); err != nil {
		return Turn{}, nil, err
	}
	if known != nil && (known.ID != id || ownerID != "" && known.OwnerID != ownerID) {
		known = nil
	}
	for attempt := 0; ; attempt++ {
		iv, fresh := known, known == nil
		known = nil
		if fresh {
			var err error
			if iv, err = s.Store.Interview(ctx, ownerID, id); err != nil {
				return Turn{}, nil, err
			}
		} else {
			attempt-- // a try from known does not count
		}
		if t, ok := iv.TurnByClientID(clientID); ok {
			return t, iv, nil
		}
		q, ok := iv.Pending()
		if !ok && !fresh {
			continue
		} else if !ok {
			return Turn{}, nil, Errorf(ENOPENDINGQUESTION, "no question is waiting for an answer")
		}
		t := Turn{Seq: q.Seq + 1, Speaker: SpeakerCandidate, Kind: KindAnswer, Principle: q.Principle,
			FollowUp: q.FollowUp, Text: text, ClientID: clientID, At: s.Now()}
		ts := []Turn{t}
		if next, ok := s.questionAfter(ctx, iv, t); ok {
			ts = append(ts, next)
		}
		stored, created, err := s.Store.AppendTurns(ctx, id, gen, ts...)
		if ErrorCode(err) == ECONFLICT && attempt < 3 || err == nil && !created {
			// Moved on meanwhile, or the same answer was stored by a
			// resend: look again.
			continue
		}
		if err != nil {
			return Turn{}, nil, err
		}
		iv.Turns = append(iv.Turns, stored...)
		iv.UpdatedAt = stored[len(stored)-1].At
		return stored[0], iv, nil
	}
}

// questionAfter works out the interviewer's turn after answer t when the
// rules are the interviewer, so that Answer can store both in one commit:
// one transaction and one fsync a turn instead of two. The rules take
// microseconds to ask, so the answer's acknowledgement is hardly delayed;
// a model takes seconds and streams, and the candidate must hear that the
// answer is safe before it starts, so it gets no such shortcut. It returns
// false when the plan is exhausted or the rules cannot ask (a failed
// retrieval, say): the answer is then stored alone, and AdvanceFrom takes
// over as before.
func (s *Service) questionAfter(ctx context.Context, iv *Interview, t Turn) (Turn, bool) {
	if s.model(iv).Name() != s.Rules.Name() {
		return Turn{}, false
	}
	after := *iv
	after.Turns = append(slices.Clip(iv.Turns), t)
	next, done, err := s.next(ctx, &after, nil)
	if err != nil || done {
		return Turn{}, false
	}
	return next, true
}

// End stops asking: the interview moves to grading, and principles never
// answered will be graded not_assessed.
func (s *Service) End(ctx context.Context, ownerID, id string, gen int64) error {
	iv, err := s.Store.Interview(ctx, ownerID, id)
	if err != nil {
		return err
	}
	if iv.Status != StatusInProgress {
		return nil
	}
	if err := s.Store.SetStatus(ctx, id, gen, StatusInProgress, StatusGrading); err != nil && ErrorCode(err) != ECONFLICT {
		return err
	}
	return nil
}

// Grade writes the debrief of an interview in grading and completes it. For
// a complete interview it returns the stored debrief.
func (s *Service) Grade(ctx context.Context, ownerID, id string) (*Debrief, error) {
	iv, err := s.Store.Interview(ctx, ownerID, id)
	if err != nil {
		return nil, err
	}
	switch iv.Status {
	case StatusComplete:
		return iv.Debrief, nil
	case StatusInProgress:
		return nil, Errorf(ECONFLICT, "interview is still in progress")
	}
	d := s.debrief(ctx, iv)
	if err := s.Store.SaveDebrief(ctx, id, d); ErrorCode(err) == ECONFLICT {
		// Another process finished grading first; its debrief stands.
		if iv, err = s.Store.Interview(ctx, ownerID, id); err != nil {
			return nil, err
		}
		return iv.Debrief, nil
	} else if err != nil {
		return nil, err
	}
	return d, nil
}

// debrief grades every planned principle concurrently.
func (s *Service) debrief(ctx context.Context, iv *Interview) *Debrief {
	grades := make([]PrincipleGrade, len(iv.Principles))
	usage := make([]Usage, len(iv.Principles))
	m := s.model(iv)
	var wg sync.WaitGroup
	for i, pp := range iv.Principles {
		p, ok := s.Retriever.Principle(pp.ID)
		if !ok {
			p = Principle{ID: pp.ID, Name: pp.Name}
		}
		turns := iv.PrincipleTurns(pp.ID)
		if !hasAnswer(turns) {
			grades[i] = NotAssessedGrade(p)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := GradeInput{Principle: p, Role: iv.Role, Level: iv.Level, Turns: turns, Analysis: Analyze(turns), Fit: s.fit(ctx, p, turns)}
			grades[i], usage[i] = s.gradeOne(ctx, m, in)
		}()
	}
	wg.Wait()
	d := &Debrief{Principles: grades, GradedBy: m.Name(), CreatedAt: s.Now()}
	for i, g := range grades {
		d.Usage = d.Usage.Add(usage[i])
		if g.Score != nil && g.GradedBy != m.Name() {
			d.GradedBy = s.Rules.Name()
		}
	}
	s.addUsage(ctx, iv.ID, d.Usage)
	d.Usage = iv.Usage.Add(d.Usage)
	d.GraderNote = GraderNote(d.GradedBy, m.Name())
	Recommend(d)
	return d
}

// gradeOne grades a principle with the model. The model's grade stands
// except for hard, checkable reasons (checkModelGrade): a quote that is not
// in the candidate's words is dropped and counted, a grade left with no
// verified quote is capped at 2 and shows the rules' evidence sentences,
// instructions aimed at the grader score 1, and naming principles instead of
// telling a story caps the score at 2. Red flags are the model's and the
// hard checks' only. The model sees the rules' analysis as hints; the rules'
// score, ceiling, fit rank and flags never limit its grade. With the rules
// as the model, or when the model fails or gives no score from 1 to 4, the
// grade is the rules'.
func (s *Service) gradeOne(ctx context.Context, m Model, in GradeInput) (PrincipleGrade, Usage) {
	rules := GradeRules(in)
	if m.Name() == s.Rules.Name() {
		return rules, Usage{}
	}
	g, u, err := m.Grade(ctx, in)
	if err != nil || g.Score == nil || *g.Score < 1 || *g.Score > 4 {
		if err == nil {
			err = fmt.Errorf("score out of range")
		}
		s.Logger.Warn("model grade failed; rules grade", "model", m.Name(), "principle", in.Principle.ID, "err", err)
		return rules, u
	}
	g.Principle, g.Name = in.Principle.ID, in.Principle.Name
	model := *g.Score
	c := checkModelGrade(g, in, rules.Evidence)
	g = c.Grade
	if g.DroppedQuotes > 0 {
		s.Logger.Warn("model quotes not in the transcript dropped", "model", m.Name(), "principle", in.Principle.ID, "dropped", g.DroppedQuotes)
	}
	if len(c.Unknown) > 0 {
		s.Logger.Warn("unknown red flags from the model dropped", "model", m.Name(), "principle", in.Principle.ID, "flags", c.Unknown)
	}
	if *g.Score != model {
		s.Logger.Info("model score overridden by a hard check", "model", m.Name(), "principle", in.Principle.ID,
			"model_score", model, "score", *g.Score, "red_flags", g.RedFlags, "unquoted", c.Unquoted)
	}
	g.GradedBy = m.Name()
	return g, u
}

// fit ranks the principle among all principles by how closely the
// candidate's own words match it. A failed search leaves Fit unknown.
func (s *Service) fit(ctx context.Context, p Principle, turns []Turn) Fit {
	var b strings.Builder
	for _, t := range turns {
		if t.Speaker == SpeakerCandidate {
			b.WriteString(t.Text)
			b.WriteByte('\n')
		}
	}
	ms, err := s.Retriever.SearchPrinciples(ctx, b.String(), len(s.Retriever.Principles()))
	if err != nil || len(ms) == 0 {
		return Fit{}
	}
	best, _ := s.Retriever.Principle(ms[0].ID)
	for i, m := range ms {
		if m.ID == p.ID {
			return Fit{Rank: i + 1, Best: best.Name}
		}
	}
	return Fit{}
}

// Recover grades every interview left in grading, as after a crash.
func (s *Service) Recover(ctx context.Context) error {
	ids, err := s.Store.InterviewIDsByStatus(ctx, StatusGrading)
	if err != nil {
		return fmt.Errorf("agent: recover: %w", err)
	}
	for _, id := range ids {
		if _, err := s.Grade(ctx, "", id); err != nil {
			s.Logger.Error("recover grading", "interview", id, "err", err)
			continue
		}
		s.Logger.Info("graded interview left in grading", "interview", id)
	}
	return nil
}

func hasAnswer(turns []Turn) bool {
	return slices.ContainsFunc(turns, func(t Turn) bool { return t.Speaker == SpeakerCandidate })
}
