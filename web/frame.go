package web

import (
	"encoding/json"

	"github.com/barraiser/barraiser/agent"
)

// errFrameNotJSON is the error for a frame that is not a JSON text object.
func errFrameNotJSON() error {
	return agent.Errorf(agent.EINVALIDJSON, "frames must be JSON text objects")
}

// decodeFrame reads the payload of one text frame from a client. It
// returns invalid_json when data is not JSON for a frame, unknown_type for
// a type other than "answer" and "end", and answer_too_long for an answer
// of more than maxAnswer characters, worded as the service words it; every
// other check of an answer is the service's.
func decodeFrame(data []byte, maxAnswer int) (clientFrame, error) {
	var f clientFrame
	if json.Unmarshal(data, &f) != nil {
		return clientFrame{}, errFrameNotJSON()
	}
	switch f.Type {
	case "answer":
		if err := agent.CheckAnswerLength(f.Text, maxAnswer); err != nil {
			return clientFrame{}, err
		}
	case "end":
	default:
		return clientFrame{}, agent.Errorf(agent.EUNKNOWNTYPE, "unknown frame type %q; send \"answer\" or \"end\"", f.Type)
	}
	return f, nil
}
