"""Box2D walker environments: the walker tracks (Stump Tracks, Hexagon Tracks) and the embodiments they compose."""
