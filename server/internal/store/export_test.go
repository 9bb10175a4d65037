package store

// SetJoinCodeDraw makes s draw its sessions' join codes with draw, so that
// a test can make two draws collide.
func SetJoinCodeDraw(s *Store, draw func() string) { s.drawJoinCode = draw }
