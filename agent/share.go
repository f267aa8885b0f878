package agent

import (
	"context"
	"fmt"
	"time"
)

// Share is a read-only link to one interview. Its token, 64 hex digits
// from 32 random bytes, is shown once when the link is made; stores keep
// only its SHA-256.
type Share struct {
	Hash        []byte    `json:"-"`
	InterviewID string    `json:"interview_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// ShareTokenHexDigits is the length of a share token's text.
const ShareTokenHexDigits = 64

// NewShareToken returns the text of a new share token.
func NewShareToken() string { return randomHex(ShareTokenHexDigits / 2) }

// ShareInterview makes a new share link to one of the owner's interviews
// and returns its token, which nothing stores, with the stored link.
func (s *Service) ShareInterview(ctx context.Context, ownerID, id string) (string, Share, error) {
	token := NewShareToken()
	sh := Share{Hash: Hash(token), InterviewID: id, CreatedAt: s.Now()}
	if err := s.Store.CreateShare(ctx, ownerID, sh); err != nil {
		return "", Share{}, fmt.Errorf("agent: share %s: %w", id, err)
	}
	return token, sh, nil
}

// Unshare revokes every share link of one of the owner's interviews.
func (s *Service) Unshare(ctx context.Context, ownerID, id string) error {
	if _, err := s.Store.RevokeShares(ctx, ownerID, id); err != nil {
		return fmt.Errorf("agent: unshare %s: %w", id, err)
	}
	return nil
}

// Shared returns the interview a share token opens, stripped of what
// identifies its owner or the owner's client: the owner id and the client
// ids of answers. A token of the wrong shape, unknown or revoked, is
// ENOTFOUND.
func (s *Service) Shared(ctx context.Context, token string) (*Interview, error) {
	if !isHex(token, ShareTokenHexDigits) {
		return nil, Errorf(ENOTFOUND, "No such share link.")
	}
	iv, err := s.Store.SharedInterview(ctx, Hash(token))
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(ENOTFOUND, "No such share link.")
	} else if err != nil {
		return nil, fmt.Errorf("agent: shared interview: %w", err)
	}
	iv.OwnerID = ""
	for i := range iv.Turns {
		iv.Turns[i].ClientID = ""
	}
	return iv, nil
}
