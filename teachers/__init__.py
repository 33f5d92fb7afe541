"""teachgym.teachers: teacher algorithms that choose the next task (filled in by the teachers issue)."""
