package main

import (
	"context"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/web"
)

// observedModel times each call of a Model and counts its tokens and
// failures. Name and everything else pass through.
type observedModel struct {
	agent.Model
	metrics *web.Metrics
}

// Decide implements agent.Model.
func (o observedModel) Decide(ctx context.Context, in agent.DecideInput) (agent.Decision, agent.Usage, error) {
	start := time.Now()
	d, u, err := o.Model.Decide(ctx, in)
	o.metrics.ObserveLLM("decide", time.Since(start), u, err)
	return d, u, err
}

// Ask implements agent.Model; the time runs to the end of the stream.
func (o observedModel) Ask(ctx context.Context, in agent.AskInput, emit func(delta string)) (string, agent.Usage, error) {
	start := time.Now()
	q, u, err := o.Model.Ask(ctx, in, emit)
	o.metrics.ObserveLLM("ask", time.Since(start), u, err)
	return q, u, err
}

// Grade implements agent.Model.
func (o observedModel) Grade(ctx context.Context, in agent.GradeInput) (agent.PrincipleGrade, agent.Usage, error) {
	start := time.Now()
	g, u, err := o.Model.Grade(ctx, in)
	o.metrics.ObserveLLM("grade", time.Since(start), u, err)
	return g, u, err
}

// observedRetriever times the searches of a Retriever; the lookups by id
// read memory and pass through untimed.
type observedRetriever struct {
	agent.Retriever
	metrics *web.Metrics
}

// SearchPrinciples implements agent.Retriever.
func (o observedRetriever) SearchPrinciples(ctx context.Context, query string, k int) ([]agent.Match, error) {
	start := time.Now()
	ms, err := o.Retriever.SearchPrinciples(ctx, query, k)
	o.metrics.ObserveRetrieval("principles", time.Since(start))
	return ms, err
}

// SearchQuestions implements agent.Retriever.
func (o observedRetriever) SearchQuestions(ctx context.Context, query string, k int, f agent.QuestionFilter) ([]agent.Question, error) {
	start := time.Now()
	qs, err := o.Retriever.SearchQuestions(ctx, query, k, f)
	o.metrics.ObserveRetrieval("questions", time.Since(start))
	return qs, err
}

// turnCommits reports each AppendTurns that stores turns as one commit
// of that many writes, for stores that do not batch their commits and
// report them themselves (PostgreSQL). Ready passes through, so that
// /readyz still checks the store underneath.
type turnCommits struct {
	agent.Store
	metrics *web.Metrics
}

// AppendTurns implements agent.Store: the turns share one commit.
func (o turnCommits) AppendTurns(ctx context.Context, id string, gen int64, ts ...agent.Turn) ([]agent.Turn, bool, error) {
	start := time.Now()
	stored, created, err := o.Store.AppendTurns(ctx, id, gen, ts...)
	if err == nil && created {
		o.metrics.ObserveCommit(len(stored), time.Since(start))
	}
	return stored, created, err
}

// Ready implements web.Readier when the store underneath does.
func (o turnCommits) Ready(ctx context.Context) error {
	if r, ok := o.Store.(web.Readier); ok {
		return r.Ready(ctx)
	}
	return nil
}
