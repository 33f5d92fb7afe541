"""teachgym.students: SB3 students and the curriculum glue (filled in by the students issue)."""
