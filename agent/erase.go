package agent

import (
	"context"
	"fmt"
)

// Delete erases one of the owner's interviews for good, with its
// transcript, debrief and share links.
func (s *Service) Delete(ctx context.Context, ownerID, id string) error {
	if err := s.Store.DeleteInterview(ctx, ownerID, id); err != nil {
		return fmt.Errorf("agent: delete %s: %w", id, err)
	}
	return nil
}

// EraseOwner erases every interview of the owner, as Delete does, and
// returns their ids. The owner itself, and any API key it has, stays.
func (s *Service) EraseOwner(ctx context.Context, ownerID string) ([]string, error) {
	ids, err := s.Store.DeleteOwnerInterviews(ctx, ownerID)
	if err != nil {
		return nil, fmt.Errorf("agent: erase owner: %w", err)
	}
	return ids, nil
}

// Export returns every interview of the owner, oldest first, each with
// its transcript and debrief.
func (s *Service) Export(ctx context.Context, ownerID string) ([]*Interview, error) {
	ivs, err := s.Store.OwnerInterviews(ctx, ownerID, "")
	if err != nil {
		return nil, fmt.Errorf("agent: export: %w", err)
	}
	return ivs, nil
}
