"""Parkour: the CPPN track with a ceiling, water and creepers, and the runtime of water, grasping and creepers."""
