package web

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/barraiser/barraiser/agent"
)

// errFrameNotJSON is the error for a frame that is not a JSON text object.
func errFrameNotJSON() error {
	return agent.Errorf(agent.EINVALIDJSON, "frames must be JSON text objects")
}

// decodeFrame reads the payload of one text frame from a client. It
// returns invalid_json when data is not JSON for a frame, unknown_type for
// a type other than "answer" and "end", and answer_too_long for an answer
// over the limit, worded as the service words it; every other check of an
// answer is the service's.
func decodeFrame(data []byte) (clientFrame, error) {
	var f clientFrame
	if json.Unmarshal(data, &f) != nil {
		return clientFrame{}, errFrameNotJSON()
	}
	switch f.Type {
	case "answer":
		if n := utf8.RuneCountInString(f.Text); n > agent.MaxAnswerRunes {
			return clientFrame{}, agent.Errorf(agent.EANSWERTOOLONG, "answer is %d characters; the limit is %d", n, agent.MaxAnswerRunes)
		}
	case "end":
	default:
		return clientFrame{}, agent.Errorf(agent.EUNKNOWNTYPE, "unknown frame type %q; send \"answer\" or \"end\"", f.Type)
	}
	return f, nil
}
