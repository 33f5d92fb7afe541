"""Worker processes fork from a server that has imported SB3 and teachgym already, whichever face starts it first
(each worker would otherwise import them itself, seconds each)."""

from teachgym.vector import default_start_method
from teachgym.vector.engine import preload_in_forkserver

preload_in_forkserver(default_start_method(), ["teachgym.vector.sb3_env", "teachgym.students.vec_env"])
