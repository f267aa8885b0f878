package client_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/client"
)

// ExampleClient_Next plays a whole interview over HTTP, one call per turn,
// against a server on the default address with a key from the
// environment. It needs a running server, so it is compiled but not run.
func ExampleClient_Next() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:8080", os.Getenv("BARRAISER_KEY"))
	iv, err := c.CreateInterview(ctx, agent.CreateRequest{Role: "sde", Level: "L5", Principles: []string{"ownership"}})
	if err != nil {
		log.Fatal(err)
	}
	r, err := c.Next(ctx, iv.ID, nil, "") // the first question
	for i := 0; err == nil && r.Question != nil; i++ {
		fmt.Println("Q:", r.Question.Text)
		answer := "Last year I took over a failing deploy pipeline nobody owned and cut its failures by half."
		r, err = c.Next(ctx, iv.ID, &answer, fmt.Sprintf("answer-%d", i))
	}
	for err == nil && r.Status == agent.StatusGrading {
		r, err = c.Next(ctx, iv.ID, nil, "") // still grading: wait again
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Recommendation:", r.Debrief.Recommendation)
}

// ExampleClient_Dial plays the same interview over the WebSocket, printing
// questions as they stream in.
func ExampleClient_Dial() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:8080", os.Getenv("BARRAISER_KEY"))
	iv, err := c.CreateInterview(ctx, agent.CreateRequest{Role: "sde", Level: "L5"})
	if err != nil {
		log.Fatal(err)
	}
	conn, err := c.Dial(ctx, iv.ID)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.CloseNow()
	streamed := false // whether the question's chunks were printed
	for n := 0; ; {
		f, err := conn.Recv(ctx)
		if err != nil {
			log.Fatal(err) // a *client.CloseError says how the server closed
		}
		switch f.Type {
		case client.FrameQuestionDelta:
			fmt.Print(f.Text)
			streamed = true
		case client.FrameQuestion:
			if streamed {
				fmt.Println()
			} else {
				fmt.Println(f.Turn.Text)
			}
			streamed = false
			n++
			if err := conn.Answer(ctx, "I measured the queue myself and halved its latency in a week.", fmt.Sprint(n)); err != nil {
				log.Fatal(err)
			}
		case client.FrameDebrief:
			fmt.Println("Recommendation:", f.Debrief.Recommendation)
			return
		case client.FrameError:
			log.Fatalf("%s: %s", f.Code, f.Message)
		}
	}
}
